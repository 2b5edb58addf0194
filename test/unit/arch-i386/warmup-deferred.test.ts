/**
 * The interpreter warm-up (warmup.ts) runs once a CPU has retired WARM_UP_AT instructions (cpu.ts),
 * not when the first CPU is made: a short run skips it. Its own file: the warm-up runs once per
 * process (per module instance).
 */
import { describe, expect, it } from 'vitest';
import { EAX, I386Cpu, WARM_UP_AT } from '../../../plugins/arch-i386/src/cpu.js';
import { warmedUp } from '../../../plugins/arch-i386/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { expectDeferredWarmUp } from '../../helpers/warm-up.js';

/** `inc %eax; jmp .-3` at 0x1000: one more in EAX per two instructions, for ever. */
const LOOP = [0x40, 0xeb, 0xfd];

function cpu32(engine: 'interp' | 'jit'): I386Cpu {
  const { bus, clock, events } = jitKit.scratch(0, 0x10000);
  const cpu = new I386Cpu({ jit: jitKit, id: 0, engine, bus, clock, events, machine: { powerOff() {}, reset() {} }, props: {} });
  bus.ram.i32.set([0, 0, 0xffff, 0x00cf9a00, 0xffff, 0x00cf9200]); // GDT: null, flat code, flat data
  bus.ram.u8.set(LOOP, 0x1000);
  cpu.enterFlat32(0x1000, 0, 23, 0x08, 0x10);
  return cpu;
}

describe('i386 interpreter warm-up, deferred', () => {
  it('runs when a CPU passes WARM_UP_AT retired instructions, not before, and changes no count', () => {
    expectDeferredWarmUp(WARM_UP_AT, warmedUp, cpu32, (cpu) => cpu.getReg(EAX));
  });

  it('stops a run at WARM_UP_AT only to warm up: a budget cut by limitRun still ends the run', () => {
    const cpu = cpu32('interp');
    cpu.limitRun(10);
    expect(cpu.run(100)).toBe(100); // run() sets the budget anew
  });
});
