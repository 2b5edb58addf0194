/**
 * SD memory card model for `--drive ...,if=sd` (backend type `sd-card`, slot interface "sd"): the
 * card a host controller (the Pi's SDHCI) plugs in. See `card.ts` for the command set. The host
 * slot device is a later step; until one exists no drive reaches this backend.
 */
import type { Drive, PluginApi } from '../../../src/core/api.js';
import { SdCard } from './card.js';

export { SdCard } from './card.js';

export function register(api: PluginApi): void {
  api.defineBackend({
    type: 'sd-card',
    description: 'SD memory card (SDSC up to 2 GiB, SDHC above) on a disk image',
    interface: 'sd',
    media: 'disk',
    create(_host: unknown, drive: Drive): SdCard {
      const serial = drive.options.serial ? Number.parseInt(drive.options.serial, 16) || 0xdeadbeef : 0xdeadbeef;
      return new SdCard(drive.image, serial);
    },
  });
}
