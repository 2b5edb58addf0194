/**
 * The interpreter warm-up (warmup.ts) runs once a hart has retired WARM_UP_AT instructions (cpu.ts),
 * not when the first hart is made: a short run (the hello kernel's 2,308) skips it. Its own file:
 * the warm-up runs once per process (per module instance).
 */
import { describe, expect, it } from 'vitest';
import { Rv32Cpu, WARM_UP_AT } from '../../../plugins/arch-rv32/src/cpu.js';
import { warmedUp } from '../../../plugins/arch-rv32/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { expectDeferredWarmUp } from '../../helpers/warm-up.js';

const BASE = 0x80000000;
/** `addi t0, t0, 1; j .-4`: one more in t0 per two instructions, for ever. */
const LOOP = [0x00128293, 0xffdff06f];

function hart(engine: 'interp' | 'jit'): Rv32Cpu {
  const { bus, clock, events } = jitKit.scratch(BASE, 0x10000);
  const cpu = new Rv32Cpu({ jit: jitKit, id: 0, engine, bus, clock, events, machine: { powerOff() {}, reset() {} }, props: {} });
  LOOP.forEach((w, k) => (bus.ram.i32[k] = w));
  cpu.pc = BASE;
  return cpu;
}

describe('rv32 interpreter warm-up, deferred', () => {
  it('runs when a hart passes WARM_UP_AT retired instructions, not before, and changes no count', () => {
    expect(WARM_UP_AT).toBeGreaterThan(2308); // the hello kernel's whole run (test/cli/startup.test.ts)
    expectDeferredWarmUp(WARM_UP_AT, warmedUp, hart, (cpu) => cpu.getReg(5));
  });
});
