/**
 * The interpreter warm-up (warmup.ts) runs once a core has retired WARM_UP_AT instructions (cpu.ts),
 * not when the first core is made: a short run (the empty guest's 121) skips it. Its own file: the
 * warm-up runs once per process (per module instance).
 */
import { describe, expect, it } from 'vitest';
import { A64Cpu, WARM_UP_AT } from '../../../plugins/arch-aarch64/src/cpu.js';
import { warmedUp } from '../../../plugins/arch-aarch64/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { expectDeferredWarmUp } from '../../helpers/warm-up.js';

/** `add x0, x0, #1; b .-4`: one more in x0 per two instructions, for ever. */
const LOOP = [0x91000400, 0x17ffffff];

function core(engine: 'interp' | 'jit'): A64Cpu {
  const { bus, clock, events } = jitKit.scratch(0, 0x10000);
  const cpu = new A64Cpu({ jit: jitKit, id: 0, engine, bus, clock, events, machine: { powerOff() {}, reset() {} }, props: {} });
  LOOP.forEach((w, k) => (bus.ram.i32[k] = w));
  cpu.pc = 0;
  return cpu;
}

describe('aarch64 interpreter warm-up, deferred', () => {
  it('runs when a core passes WARM_UP_AT retired instructions, not before, and changes no count', () => {
    expect(WARM_UP_AT).toBeGreaterThan(121); // the empty guest's whole run (the compute installed row subtracts it)
    expectDeferredWarmUp(WARM_UP_AT, warmedUp, core, (cpu) => cpu.getReg64(0));
  });
});
