/**
 * The PC's "system control port A" at 0x92 (PS/2 fast A20 and fast reset; QEMU 7.2 hw/i386/port92.c):
 * bit 1 drives output `a20` (high = the A20 gate open), a rising edge of bit 0 resets the machine.
 * Reads return the last value written (QEMU's outport; 0 at power-on), bit 0 cleared by a reset.
 * The `a20` line starts high, and goes high again on a machine reset, since a PC's CPU starts with
 * A20 enabled (QEMU's x86 CPU reset); afterwards it follows the guest's writes.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';

const props = (prop: PropKit) => ({
  afterBios: prop.bool({ default: false, description: 'start with bit 1 set, as SeaBIOS leaves it (it opens A20 here), for kernels booted without a BIOS' }),
});
type Props = PropsOf<ReturnType<typeof props>>;

export function createPort92(ctx: DeviceContext<Props>): Device {
  const name = ctx.entry.name;
  const a20 = ctx.output('a20');
  let outport = ctx.props.afterBios ? 0x02 : 0;
  a20.set(true);
  const regs = ctx.registers({
    sizes: [1],
    extent: 1,
    registers: [
      {
        name: 'PORT92',
        offset: 0,
        width: 1,
        read: () => outport,
        write: (value: number) => {
          const old = outport;
          outport = value & 0xff;
          a20.set((outport & 2) !== 0);
          if (outport & 1 && !(old & 1)) ctx.machine.reset(`${name}: fast reset (port 0x92 bit 0)`);
        },
      },
    ],
  });
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset() {
      outport &= ~1;
      a20.set(true);
    },
    inspect: () => ({ port92: outport, a20: a20.level ? 'enabled' : 'disabled' }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'port92',
    description: 'PC system control port A (0x92): fast A20 gate (bit 1) and fast reset (bit 0)',
    props: props(api.prop),
    outputs: { a20: { description: 'the A20 gate: high = address line 20 enabled' } },
    create: createPort92,
  });
}
