/**
 * The `sd` slot of an SD host controller (sdhci, bcm2835-sdhost): it holds at most one card, which
 * a `--drive ...,if=sd` attaches and the Pi's GPIO may move to the other controller (pins 48-53,
 * `take`/`put`). `changed` lets the controller recompute what depends on the card (interrupts).
 */
import type { BackendType, DeviceSlot, Drive } from '../../../src/core/api.js';
import type { SdCard } from './card.js';

export class SdCardSlot implements DeviceSlot {
  readonly interface = 'sd';
  card: SdCard | undefined;

  constructor(
    private readonly owner: string,
    private readonly changed: () => void,
  ) {}

  get occupied(): boolean {
    return this.card !== undefined;
  }

  attach(type: BackendType, drive: Drive): void {
    if (this.card) throw new Error(`${this.owner} already holds a card`);
    this.card = type.create({}, drive) as SdCard;
  }

  take(): unknown {
    const taken = this.card;
    this.card = undefined;
    this.changed();
    return taken;
  }

  put(model: unknown): void {
    this.card = model as SdCard;
    this.changed();
  }
}
