/**
 * The virtual clock's time is a double from the start (clock.ts): time passing 2^30 ns (about a second of a
 * guest at 10 ns per instruction) must not change the clock's hidden class, which would throw away the
 * optimized machine loop (Machine.step) that reads it.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/core/clock.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('virtual clock field representation', () => {
  it('keeps its hidden class when time passes V8 small integers', () => {
    const fresh = new VirtualClock();
    const late = new VirtualClock();
    late.advanceTo(5_025_756_990);
    expect(late.sliceStart()).toBe(5_025_756_990);
    expect(haveSameMap(fresh, late)).toBe(true);
    late.reset();
    expect(late.sliceStart()).toBe(0);
    expect(haveSameMap(fresh, late)).toBe(true);
  });
});
