/**
 * The interpreter warm-up's program (warmup.ts, warmup/warmup.s) runs from reset to its HLT on a
 * scratch CPU of either engine, without a fault (a fault would leave the instruction mix it is
 * there to give feedback for), touching its device page and nothing of any machine; an external
 * interrupt then wakes it from its HLT and its handler returns there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { I386Cpu } from '../../../plugins/arch-i386/src/cpu.js';
import { PASSES, runWarmUp, warmUpBlockPasses, warmUpChainedPasses, warmUpInterrupts } from '../../../plugins/arch-i386/src/warmup.js';
import { HIGH, WARM_UP_CODE_AT, warmUpCode } from '../../../plugins/arch-i386/src/warmup-code.js';
import { jitKit } from '../../../src/core/jit/index.js';

const assemble = fileURLToPath(new URL('../../../plugins/arch-i386/warmup/assemble.sh', import.meta.url));
/** The tools assemble.sh needs (llvm-mc, ld): absent on some hosts. */
const haveTools = ['llvm-mc', 'ld'].every((tool) => spawnSync(tool, ['--version']).status === 0);

describe('i386 interpreter warm-up program', () => {
  it('runs to its HLT without an exception, under both engines alike, its last pass at HIGH with paging on', () => {
    expect(PASSES % 2).toBe(0); // odd passes run the high build
    expect(warmUpCode(true).length).toBe(warmUpCode().length);
    const end = HIGH + WARM_UP_CODE_AT + warmUpCode().length;
    const states = (['interp', 'jit'] as const).map((engine) => {
      const before = warmUpInterrupts();
      const cpu = runWarmUp((ctx) => new I386Cpu(ctx), jitKit, engine);
      expect(warmUpInterrupts() - before).toBe(PASSES); // an external interrupt at each pass's HLT, back to it
      expect(cpu.lastException?.vector).toBe(0x30); // its INT 0x30, the last event: no fault after it
      expect(cpu.waiting).toBe(true); // halted with IF clear
      expect(cpu.eip).toBe(end);
      expect(cpu.cr0 >>> 31).toBe(1);
      return [cpu.retired, ...Array.from({ length: 8 }, (_, r) => cpu.getReg(r)), cpu.eflags];
    });
    expect(states[0][0]).toBeGreaterThan(400);
    expect(states[1]).toEqual(states[0]);
  });

  it('under the translator, also runs a loop whose block is translated, dispatched and translated again as a region, then chained to the next', () => {
    const before = warmUpBlockPasses(), chainedBefore = warmUpChainedPasses();
    runWarmUp((ctx) => new I386Cpu(ctx), jitKit, 'interp');
    expect(warmUpBlockPasses()).toBe(before);
    expect(warmUpChainedPasses()).toBe(chainedBefore);
    runWarmUp((ctx) => new I386Cpu(ctx), jitKit, 'jit');
    // Two block passes: at 0x4000 with paging off, at HIGH + 0x4000 with paging on.
    expect(warmUpBlockPasses()).toBe(before + 2);
    expect(warmUpChainedPasses()).toBe(chainedBefore + 2);
  });

  it('runs more than one pass (V8 allocates feedback after a function\'s first calls)', () => {
    expect(PASSES).toBeGreaterThan(3);
  });

  it.skipIf(!haveTools)('holds warmup/warmup.s as assembled (warmup/assemble.sh), at 0x1000 and at HIGH', () => {
    for (const high of [false, true]) {
      const bytes = Buffer.from(execFileSync(assemble, high ? ['high'] : [], { encoding: 'utf8' }).trim(), 'base64');
      expect(Buffer.from(warmUpCode(high)).equals(bytes)).toBe(true);
    }
  });
});
