/**
 * The interpreter's 64-bit multiplies (u64.ts) allocate nothing once V8 has optimized them: the 32 x 32
 * product's two words are kept in a Float64Array, not in module variables, which V8 boxes (a new
 * HeapNumber at each store of a value past a small integer, optimized code too).
 */
import { describe, expect, it } from 'vitest';
import { R, mul64, smull32, umulh64, umull32 } from '../../../plugins/arch-aarch64/src/u64.js';
import { allocatedBy, optimized } from './allocation.js';

type Mul = (al: number, ah: number, bl: number, bh: number) => void;

/**
 * A loop calling `f` `times` times with operands whose words are past 2^31 (int32 values, so that the
 * call passes no boxed numbers) and summing R, optimized now; a new function for each `f` (its own
 * type feedback: `f` is inlined).
 */
function optimizedLoop(f: Mul): (times: number) => number {
  const loop = new Function(
    'f',
    'R',
    `return function loop(times) {
      let acc = 0;
      for (let i = 0; i < times; i++) {
        f((0x9e3779b9 + i) | 0, 0x80000001 ^ i, 0xdeadbeef ^ i, (-7 - i) | 0);
        acc = (acc + R[0] + R[1]) | 0;
      }
      return acc;
    }`,
  )(f, R) as (times: number) => number;
  return optimized(loop, () => loop(20000));
}

describe('aarch64 64-bit multiplies', () => {
  it.each([
    ['umull32', (al: number, _ah: number, bl: number) => umull32(al, bl)],
    ['smull32', (al: number, _ah: number, bl: number) => smull32(al, bl)],
    ['mul64', mul64],
    ['umulh64', umulh64],
  ] as [string, Mul][])('%s allocates nothing when optimized', async (_name, f) => {
    const loop = optimizedLoop(f);
    const bytes = await allocatedBy(() => loop(100_000));
    // Module variables boxing the product's words: 2.4-7.2 MB here; the Float64Array: 1-41 KB (the
    // profiler's own start included).
    expect(bytes).toBeLessThan(256 * 1024);
  });
});
