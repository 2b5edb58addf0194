import { describe, expect, it } from 'vitest';
import { FirstCallGate } from '../../../src/core/jit/first-calls.js';

describe('FirstCallGate (JitKit.firstCalls)', () => {
  it('gives single-instruction calls, then stops a call at warmUpAt, warms up there once and opens', () => {
    let warmUps = 0;
    const gate = new FirstCallGate(3, 100, () => warmUps++);
    const lengths: number[] = [];
    let retired = 0;
    while (!gate.done) {
      const n = gate.steps(retired, 60);
      lengths.push(n);
      retired += n;
    }
    expect(lengths).toEqual([1, 1, 1, 60, 37, 60]);
    expect(warmUps).toBe(1);
    expect(retired).toBe(160);
  });

  it('warms up at the first call past warmUpAt when the single calls already got there, and skip() opens it without', () => {
    let warmUps = 0;
    const late = new FirstCallGate(0, 10, () => warmUps++);
    expect(late.steps(50, 1000)).toBe(1000);
    expect([late.done, warmUps]).toEqual([true, 1]);
    const skipped = new FirstCallGate(1000, 10, () => warmUps++);
    skipped.skip();
    expect([skipped.done, warmUps]).toEqual([true, 1]);
  });
});
