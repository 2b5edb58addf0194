/**
 * A set of a code page's instruction offsets (bytes, multiples of 4; the next page's too, from
 * 0x1000, for a region whose loop crosses into it: cross-page.ts) emptied in O(1): for the
 * translator's scans, which run again at each of a hot entry's waits (cpu.ts compileBlockAt) and
 * would otherwise allocate a Set each time. One per use: not shared by calls that nest.
 */
export class SlotMarks {
  private readonly stamps = new Int32Array(0x800);
  private stamp = 0;

  /** Empties the set (a new stamp; the stamps restart at the rare wrap). */
  clear(): void {
    if (++this.stamp > 0x7fffffff) {
      this.stamp = 1;
      this.stamps.fill(0);
    }
  }

  add(off: number): void {
    this.stamps[off >>> 2] = this.stamp;
  }

  /** Offsets outside the two pages are never in it. */
  has(off: number): boolean {
    return off >= 0 && off < 0x2000 && this.stamps[off >>> 2] === this.stamp;
  }
}
