import { expect } from 'vitest';
import type { Cpu } from '../../src/core/api.js';

/**
 * Checks a CPU type's deferred interpreter warm-up (JitKit.firstCalls): `make` builds a CPU that
 * runs a two-instruction loop adding one to a register (`counter`); the warm-up has not run
 * 300 instructions before `warmUpAt` and has 700 past it, and CPUs made afterwards (jit and
 * interp, in one call) reach the same count, pc and register.
 */
export function expectDeferredWarmUp<C extends Cpu>(warmUpAt: number, warmedUp: () => boolean, make: (engine: 'interp' | 'jit') => C, counter: (cpu: C) => number | bigint): void {
  const cpu = make('jit');
  expect(warmedUp()).toBe(false);
  const short = warmUpAt - 300;
  expect(cpu.run(short)).toBe(short);
  expect(warmedUp()).toBe(false);
  expect(cpu.run(1000)).toBe(1000);
  expect(warmedUp()).toBe(true);
  expect(cpu.retired).toBe(short + 1000);
  for (const other of [make('jit'), make('interp')]) {
    expect(other.run(short + 1000)).toBe(short + 1000);
    expect([other.retired, other.pc, counter(other)]).toEqual([cpu.retired, cpu.pc, counter(cpu)]);
  }
  expect(Number(counter(cpu))).toBe((short + 1000) / 2);
}
