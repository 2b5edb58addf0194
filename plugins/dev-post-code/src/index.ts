/**
 * The PC's port 0x80 POST code register: firmware and kernels write progress bytes (and use it as
 * an I/O delay). Each byte written is kept (reads return the last one, as on boards with a POST
 * card latch; QEMU ignores the port) and logged as a `log` event, so it shows in the trace. Offsets
 * are relative to the device base; the pc board mounts it at I/O port 0x80.
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';

export function createPostCode(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  let last = 0;
  let written = false;
  const regs = ctx.registers({
    sizes: [1],
    extent: 1,
    registers: [
      {
        name: 'POST',
        offset: 0,
        width: 1,
        read: () => last,
        write: (value: number) => {
          last = value & 0xff;
          written = true;
          if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `POST code 0x${last.toString(16).padStart(2, '0')}` });
        },
      },
    ],
  });
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset: () => void ((last = 0), (written = false)),
    // The TUI's status bar shows the last code, as a POST card's display would.
    status: () => (written ? `POST 0x${last.toString(16).padStart(2, '0')}` : undefined),
    inspect: () => ({ 'last code': '0x' + last.toString(16).padStart(2, '0') }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'post-code',
    description: 'port 0x80 POST code latch: logs each byte written, reads back the last',
    create: createPostCode,
  });
}
