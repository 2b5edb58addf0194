import type { ArchMachineContext, ElfInfo } from '../../../src/core/api.js';

/**
 * Berkeley HTIF through the `tohost`/`fromhost` symbols, as Spike and the RISC-V ISA test suites
 * use it. tohost is 64 bits: device (63:56), command (55:48), payload (47:0).
 *  - device 0, command 0, payload odd: exit with code payload >> 1 (1 = pass).
 *  - device 1 (console), command 1: putchar(payload & 0xff); command 0: getchar, answered in fromhost.
 * A 32-bit guest writes the low word, then the high word, so a command is taken when a store
 * reaches the high word; a guest that only ever writes the low word is caught by a poll after
 * the value has stayed unchanged for one whole slice.
 */
export function attachHtif(ctx: ArchMachineContext, image: ElfInfo): boolean {
  const tohost = image.symbols.get('tohost');
  if (tohost === undefined) return false;
  const fromhost = image.symbols.get('fromhost');
  const { bus, machine, events, console } = ctx;
  const ram = bus.ram;
  const inRam = (a: number) => a >= ram.base && a + 8 <= ram.base + ram.size;
  if (!inRam(tohost)) return false;
  const off = tohost - ram.base;

  let lowSeen = -1; // low word written alone, waiting for the high word
  let slicesSince = 0;
  const take = () => {
    const lo = ram.view.getUint32(off, true);
    const hi = ram.view.getUint32(off + 4, true);
    if (lo === 0 && hi === 0) return;
    lowSeen = -1;
    ram.view.setUint32(off, 0, true);
    ram.view.setUint32(off + 4, 0, true);
    const device = hi >>> 24;
    const command = (hi >>> 16) & 0xff;
    if (device === 0 && command === 0) {
      const payload = (hi & 0xffff) * 2 ** 32 + lo;
      if (payload % 2 === 1) {
        const code = Math.floor(payload / 2);
        machine.powerOff(code, code === 0 ? 'HTIF: test passed' : `HTIF: test failed with code ${code}`);
      } else {
        events.emit('log', { source: 'htif', message: `syscall proxy (tohost=0x${payload.toString(16)}) is not supported` });
      }
      return;
    }
    if (device === 1 && command === 1) {
      console?.write(lo & 0xff);
      respond(device, command, 0x100 | (lo & 0xff));
    } else if (device === 1 && command === 0) {
      // getchar takes a waiting byte from the console backend (0 when none is waiting).
      respond(device, command, Math.max(0, console?.read() ?? 0));
    }
  };
  const respond = (device: number, command: number, payload: number) => {
    if (fromhost === undefined || !inRam(fromhost)) return;
    ram.view.setUint32(fromhost - ram.base, payload, true);
    ram.view.setUint32(fromhost - ram.base + 4, (device << 24) | (command << 16), true);
  };

  bus.watch(tohost, 8, (addr, size) => {
    if (addr + size > tohost + 4) take();
    else {
      lowSeen = ram.view.getUint32(off, true);
      slicesSince = 0;
    }
  });
  ctx.afterSlice(() => {
    if (lowSeen < 0 || ++slicesSince < 2) return;
    const lo = ram.view.getUint32(off, true);
    if (lo !== 0 && lo === lowSeen) take();
    lowSeen = -1;
  });
  return true;
}
