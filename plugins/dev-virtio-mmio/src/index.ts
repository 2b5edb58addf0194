/**
 * virtio-mmio transport slots, as on QEMU's `virt` board (8 slots at 0x10001000, IRQs 1..8).
 *
 * `props.version`: 1 = legacy interface (QEMU 7.2's default: `virtio-mmio.force-legacy=true`),
 * 2 = modern virtio 1.x. No device model is attached yet, so a slot answers like QEMU's empty
 * ones; `VirtioMmioTransport.attach()` is where a backend (virtio-blk, ...) plugs in later.
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';
import { VirtioMmioTransport } from './transport.js';

export { VirtioMmioTransport } from './transport.js';
export type { VirtioBackend, VirtioTransport, VirtQueue } from './transport.js';

export function createVirtioMmio(ctx: DeviceContext): Device & { transport: VirtioMmioTransport } {
  const version = ctx.props.version === undefined ? 1 : Number(ctx.props.version);
  if (version !== 1 && version !== 2) throw new Error(`virtio-mmio: version must be 1 (legacy) or 2 (modern), got ${String(ctx.props.version)}`);
  const transport = new VirtioMmioTransport(ctx, version);
  return {
    name: ctx.entry.name,
    transport,
    read: (offset: number, size: AccessSize) => transport.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => transport.write(offset, size, value),
    reset: () => transport.reset(),
    inspect: () => transport.inspect(),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'virtio-mmio',
    description: 'virtio-mmio transport slot (legacy or modern); empty until a backend is attached',
    compatible: ['virtio,mmio'],
    nodeName: 'virtio_mmio',
    create: createVirtioMmio,
  });
}
