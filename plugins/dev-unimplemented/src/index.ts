/**
 * A window where a board has hardware rvos does not model, as QEMU's "unimplemented device"
 * (hw/misc/unimp.c): reads give 0, writes are ignored, and each access is a `log` event (QEMU
 * logs them with `-d unimp`), so guests that probe the hardware go on instead of taking an
 * external abort. The Raspberry Pi board maps QEMU's unimplemented blocks (I2C, SPI, OTP, ...)
 * and stand-ins for what QEMU models but rvos not yet (the clock manager, DMA).
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';

export function createUnimplemented(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const hex = (x: number) => '0x' + (x >>> 0).toString(16);
  return {
    name,
    read(offset: number, size: AccessSize): number {
      if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `unimplemented read of ${size} bytes at +${hex(offset)}` });
      return 0;
    },
    write(offset: number, size: AccessSize, value: number): void {
      if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `unimplemented write of ${size} bytes at +${hex(offset)}: ${hex(value)}` });
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'unimplemented',
    description: 'hardware rvos does not model: reads 0, ignores writes, logs each access (QEMU unimplemented-device)',
    create: createUnimplemented,
  });
}
