/**
 * virtio-blk: a block device model for virtio slots (`--drive file=disk.img`). The core opens the
 * image and picks the slot; this plugin registers the model as a backend of interface "virtio",
 * built with the slot's `VirtioTransport`.
 */
import type { Drive, PluginApi } from '../../../src/core/api.js';
import type { VirtioTransport } from '../../dev-virtio-mmio/src/index.js';
import { VirtioBlk } from './blk.js';

export * from './blk.js';

export function register(api: PluginApi): void {
  api.defineBackend({
    type: 'virtio-blk',
    description: 'virtio block device over a raw host image (--drive file=PATH)',
    interface: 'virtio',
    media: 'disk',
    create: (host: unknown, drive: Drive) => new VirtioBlk(host as VirtioTransport, drive),
  });
}
