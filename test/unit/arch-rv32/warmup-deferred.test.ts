/**
 * The interpreter warm-up (warmup.ts) runs once a hart has retired WARM_UP_AT instructions (cpu.ts),
 * not when the first hart is made: a short run (the hello kernel's 2,308) skips it. Its own file:
 * the warm-up runs once per process (per module instance).
 */
import { describe, expect, it } from 'vitest';
import { Rv32Cpu, WARM_UP_AT } from '../../../plugins/arch-rv32/src/cpu.js';
import { warmedUp } from '../../../plugins/arch-rv32/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';

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
    const cpu = hart('jit');
    expect(warmedUp()).toBe(false);
    const short = WARM_UP_AT - 300;
    expect(cpu.run(short)).toBe(short);
    expect(warmedUp()).toBe(false);
    expect(cpu.run(1000)).toBe(1000);
    expect(warmedUp()).toBe(true);
    expect(cpu.retired).toBe(short + 1000);
    // The same run on a hart made after the warm-up, in one call and under the interpreter alone.
    for (const other of [hart('jit'), hart('interp')]) {
      expect(other.run(short + 1000)).toBe(short + 1000);
      expect([other.retired, other.pc, other.getReg(5)]).toEqual([cpu.retired, cpu.pc, cpu.getReg(5)]);
    }
    expect(cpu.getReg(5)).toBe((short + 1000) / 2);
  });
});
