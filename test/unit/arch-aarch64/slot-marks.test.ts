/** SlotMarks (slot-marks.ts): the translator's reused sets of page offsets. */
import { describe, expect, it } from 'vitest';
import { SlotMarks } from '../../../plugins/arch-aarch64/src/slot-marks.js';

describe('aarch64 SlotMarks', () => {
  it('holds the offsets added since the last clear, and none outside the page', () => {
    const m = new SlotMarks();
    m.clear();
    m.add(0);
    m.add(0xffc);
    expect([m.has(0), m.has(4), m.has(0xffc), m.has(-4), m.has(0x1000), m.has(0x1ffc)]).toEqual([true, false, true, false, false, false]);
    m.clear();
    expect([m.has(0), m.has(0xffc)]).toEqual([false, false]);
  });

  it('a clear at the stamp wrap empties it too', () => {
    const m = new SlotMarks();
    m.clear();
    m.add(8);
    (m as unknown as { stamp: number }).stamp = 0x7fffffff;
    m.add(16);
    m.clear();
    expect([m.has(8), m.has(16)]).toEqual([false, false]);
    m.add(24);
    expect([m.has(8), m.has(16), m.has(24)]).toEqual([false, false, true]);
  });
});
