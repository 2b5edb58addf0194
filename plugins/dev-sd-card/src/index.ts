/**
 * sd-card: an SD memory card model for SD slots (`--drive file=sd.img,if=sd`). The core opens
 * the image and picks the slot (an SDHCI); this plugin registers the model as a backend of
 * interface "sd", built with the slot's `SdHost`.
 */
import type { Drive, PluginApi } from '../../../src/core/api.js';
import { SD_INTERFACE, type SdHost } from '../../dev-sdhci/src/sd-bus.js';
import { SdMemoryCard } from './card.js';

export * from './card.js';
export * from './registers.js';

export function register(api: PluginApi): void {
  api.defineBackend({
    type: 'sd-card',
    description: 'SD memory card (SDSC up to 2 GiB, SDHC above or with sd=sdhc) over a raw host image (--drive file=PATH,if=sd)',
    interface: SD_INTERFACE,
    media: 'disk',
    create: (host: unknown, drive: Drive) => new SdMemoryCard(host as SdHost, drive),
  });
}
