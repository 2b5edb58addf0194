/**
 * QEMU's isa-debug-exit (hw/misc/debugexit.c): a write of `value` (1, 2 or 4 bytes) powers the
 * machine off with exit code `(value << 1) | 1`, so a guest can never report 0 by accident. Reads
 * return 0. The pc board mounts it at I/O ports 0xf4-0xf7 (QEMU's `iobase=0xf4,iosize=0x04`).
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';

export function createIsaDebugExit(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const regs = ctx.registers({
    sizes: [1, 2, 4],
    registers: [
      {
        name: 'EXIT',
        offset: 0,
        access: 'wo',
        write: (value: number) => {
          // QEMU calls exit(), whose status the host truncates to 8 bits; we keep it whole.
          const code = ((value << 1) | 1) >>> 0;
          ctx.machine.powerOff(code, `${name}: exit value 0x${value.toString(16)} (code ${code})`);
        },
      },
    ],
  });
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'isa-debug-exit',
    description: "QEMU's isa-debug-exit: a write of VALUE powers off with exit code (VALUE << 1) | 1",
    create: createIsaDebugExit,
  });
}
