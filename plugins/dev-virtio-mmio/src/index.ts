/**
 * virtio-mmio transport slots, as on QEMU's `virt` board (8 slots at 0x10001000, IRQs 1..8).
 *
 * `props.version`: 1 = legacy interface (QEMU 7.2's default: `virtio-mmio.force-legacy=true`),
 * 2 = modern virtio 1.x. A slot is empty (answers like QEMU's empty ones) until the core plugs a
 * device model into it through `Device.slot` (interface "virtio"): for a `--drive`, the core
 * picks the highest-addressed free slot and a backend type of interface "virtio" (virtio-blk),
 * whose `create(transport, drive)` gets this slot's `VirtioTransport`. A drive's
 * `transport=legacy|modern` option overrides the slot's version.
 */
import type { AccessSize, BackendType, Device, DeviceContext, DeviceSlot, Drive, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import { VirtioMmioTransport, type VirtioBackend } from './transport.js';

export { VirtioMmioTransport } from './transport.js';
export type { VirtioBackend, VirtioTransport, VirtQueue } from './transport.js';
export type { DescChain, Segment } from './virtqueue.js';

/** The slot interface virtio backends plug into. */
export const VIRTIO_INTERFACE = 'virtio';

const virtioProps = (prop: PropKit) => ({
  version: prop.enum([1, 2], { default: 1, description: "1: legacy interface (QEMU 7.2's default), 2: modern virtio 1.x" }),
});
export type VirtioMmioProps = PropsOf<ReturnType<typeof virtioProps>>;

export function createVirtioMmio(ctx: DeviceContext<VirtioMmioProps>): Device & { transport: VirtioMmioTransport } {
  const transport = new VirtioMmioTransport(ctx, ctx.props.version);
  const slot: DeviceSlot = {
    interface: VIRTIO_INTERFACE,
    get occupied() {
      return transport.hasBackend;
    },
    attach(type: BackendType, drive: Drive) {
      if (transport.hasBackend) throw new Error(`${ctx.entry.name} already holds a device`);
      const t = drive.options.transport;
      if (t !== undefined && t !== 'legacy' && t !== 'modern') throw new Error(`transport=${t}: expected legacy or modern`);
      if (t) transport.setVersion(t === 'modern' ? 2 : 1);
      transport.attach((host) => type.create(host, drive) as VirtioBackend);
    },
  };
  return {
    name: ctx.entry.name,
    transport,
    slot,
    read: (offset: number, size: AccessSize) => transport.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => transport.write(offset, size, value),
    reset: () => transport.reset(),
    inspect: () => transport.inspect(),
    close: () => transport.close(),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'virtio-mmio',
    description: 'virtio-mmio transport slot (legacy or modern); empty until a backend (a --drive) is attached',
    compatible: ['virtio,mmio'],
    nodeName: 'virtio_mmio',
    props: virtioProps(api.prop),
    outputs: { irq: { description: 'used-buffer and configuration-change notifications (InterruptStatus)' } },
    create: createVirtioMmio,
  });
}
