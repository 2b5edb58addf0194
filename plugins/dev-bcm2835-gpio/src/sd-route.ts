/**
 * Which SD controller the card on GPIO 48-53 talks to, as QEMU 7.2's bcm2835_gpio decides it
 * (gpfsel_set): when all six pins become inputs (function 0) the card moves to the SDHCI (the
 * Arasan "EMMC", where it is at reset), when all six select ALT0 (function 4) it moves to the
 * BCM2835 SDHOST, and any other mix leaves it where it is. Firmware and Linux pick the SDHOST
 * this way (U-Boot's pinctrl sets ALT0). The card moves with its state, like sdbus_reparent_card.
 */
import type { DeviceContext } from '../../../src/core/api.js';

const SD_PINS = [48, 49, 50, 51, 52, 53];
const FSEL_INPUT = 0;
const FSEL_ALT0 = 4;

export interface SdRoute {
  /** After a GPFSEL write: `fsel(pin)` gives each pin's function now. */
  update(fsel: (pin: number) => number): void;
  /** Machine reset: the card goes back to the SDHCI. */
  reset(): void;
  /** The controller holding the routing now, for the TUI. */
  readonly selected: string;
}

export function createSdRoute(ctx: DeviceContext, sdhci: string, sdhost: string): SdRoute {
  let sdFsel = FSEL_INPUT;

  /** Moves the card between the two devices' slots; nothing when there is no card or no room. */
  function move(from: string, to: string): void {
    const source = ctx.slot(from);
    const target = ctx.slot(to);
    if (!source?.take || !target?.put || target.occupied || !source.occupied) return;
    target.put(source.take());
  }

  return {
    update(fsel) {
      const all = (f: number) => SD_PINS.every((pin) => fsel(pin) === f);
      if (sdFsel !== FSEL_INPUT && all(FSEL_INPUT)) {
        move(sdhost, sdhci);
        sdFsel = FSEL_INPUT;
      } else if (sdFsel !== FSEL_ALT0 && all(FSEL_ALT0)) {
        move(sdhci, sdhost);
        sdFsel = FSEL_ALT0;
      }
    },
    reset() {
      sdFsel = FSEL_INPUT;
      move(sdhost, sdhci);
    },
    get selected() {
      return sdFsel === FSEL_ALT0 ? sdhost : sdhci;
    },
  };
}
