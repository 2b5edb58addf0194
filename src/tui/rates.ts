/**
 * Rates and sparklines for cumulative counters (interrupt lines' `raised`, instructions retired),
 * sampled whenever the TUI redraws. Host time: the rate is what the user watches happen.
 */

export interface RateOptions {
  /** The rate is measured over this much recent time. */
  windowMs: number;
  /** One sparkline bar per bucket of this length. */
  bucketMs: number;
  /** Bars kept. */
  buckets: number;
}

const DEFAULTS: RateOptions = { windowMs: 1000, bucketMs: 500, buckets: 24 };

export class RateTracker {
  private readonly opts: RateOptions;
  private samples: Array<{ t: number; values: number[] }> = [];
  private bucketStart = -1;
  private bucketBase: number[] = [];
  private readonly histories: number[][] = [];

  constructor(opts: Partial<RateOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  /** Records the counters' current values at host time `nowMs`. */
  sample(nowMs: number, counters: ArrayLike<number>): void {
    const values = Array.from(counters);
    this.samples.push({ t: nowMs, values });
    // Keep one sample at or before the window start, so the window is always covered.
    while (this.samples.length > 2 && this.samples[1].t <= nowMs - this.opts.windowMs) this.samples.shift();

    if (this.bucketStart < 0) {
      this.bucketStart = nowMs;
      this.bucketBase = values;
      return;
    }
    while (nowMs - this.bucketStart >= this.opts.bucketMs) {
      values.forEach((v, i) => {
        const h = (this.histories[i] ??= []);
        h.push(Math.max(0, v - (this.bucketBase[i] ?? 0)));
        if (h.length > this.opts.buckets) h.shift();
      });
      this.bucketBase = values;
      this.bucketStart += this.opts.bucketMs;
    }
  }

  /** Events per second of counter `i` over the last window (0 until two samples exist). */
  rate(i: number): number {
    if (this.samples.length < 2) return 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = last.t - first.t;
    if (span <= 0) return 0;
    return (Math.max(0, (last.values[i] ?? 0) - (first.values[i] ?? 0)) * 1000) / span;
  }

  /** Per-bucket increments of counter `i`, oldest first. */
  history(i: number): number[] {
    return this.histories[i] ?? [];
  }
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` values as bars scaled to the largest; zero is a blank so that an idle line
 * reads as empty, and any non-zero value shows at least the lowest bar.
 */
export function sparkline(values: number[], width: number): string {
  const tail = values.slice(-width);
  const max = Math.max(0, ...tail);
  let s = '';
  for (const v of tail) {
    if (v <= 0 || max === 0) s += ' ';
    else s += BARS[Math.min(BARS.length - 1, Math.ceil((v / max) * BARS.length) - 1)];
  }
  return s.padStart(width);
}
