import { describe, expect, it } from 'vitest';
import { RateTracker, sparkline } from '../../../src/tui/rates.js';

describe('RateTracker', () => {
  it('is 0 until it has two samples', () => {
    const t = new RateTracker();
    expect(t.rate(0)).toBe(0);
    t.sample(0, [100]);
    expect(t.rate(0)).toBe(0);
  });

  it('computes events per second over the last window', () => {
    const t = new RateTracker({ windowMs: 1000, bucketMs: 500 });
    for (let ms = 0; ms <= 3000; ms += 100) t.sample(ms, [ms < 2000 ? ms * 2 : 4000 + (ms - 2000) * 10]);
    // The last second: 10 per ms.
    expect(t.rate(0)).toBeCloseTo(10_000, 5);
  });

  it('falls to 0 when a counter stops, and never goes negative', () => {
    const t = new RateTracker({ windowMs: 500 });
    t.sample(0, [0, 50]);
    t.sample(100, [10, 40]);
    expect(t.rate(0)).toBeCloseTo(100);
    expect(t.rate(1)).toBe(0);
    for (let ms = 200; ms <= 1000; ms += 100) t.sample(ms, [10, 40]);
    expect(t.rate(0)).toBe(0);
  });

  it('keeps per-bucket increments for the sparkline, bounded', () => {
    const t = new RateTracker({ bucketMs: 500, buckets: 3 });
    let n = 0;
    for (let ms = 0; ms <= 3000; ms += 100) {
      n += ms / 100; // accelerating
      t.sample(ms, [n]);
    }
    const h = t.history(0);
    expect(h.length).toBe(3);
    expect(h[0]).toBeLessThan(h[1]);
    expect(h[1]).toBeLessThan(h[2]);
    // Buckets 2000-2500 and 2500-3000 (exclusive start): 21..25 and 26..30.
    expect(h.slice(1)).toEqual([21 + 22 + 23 + 24 + 25, 26 + 27 + 28 + 29 + 30]);
  });

  it('a pause longer than a bucket leaves zero bars', () => {
    const t = new RateTracker({ bucketMs: 100, buckets: 10 });
    t.sample(0, [0]);
    t.sample(100, [5]);
    t.sample(450, [5]);
    expect(t.history(0)).toEqual([5, 0, 0, 0]);
  });
});

describe('sparkline', () => {
  it('scales to the largest value; zero is blank; any activity shows', () => {
    expect(sparkline([0, 1, 4, 8], 4)).toBe(' ▁▄█');
    expect(sparkline([1, 1000], 2)).toBe('▁█');
  });

  it('is exactly `width` wide, right-aligned, newest last', () => {
    expect(sparkline([8], 4)).toBe('   █');
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 3)).toBe('▆▇█');
    expect(sparkline([], 2)).toBe('  ');
  });
});
