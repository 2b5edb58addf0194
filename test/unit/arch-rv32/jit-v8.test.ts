/**
 * What the region compiler does for V8's sake, checked by its effects rather than by timing:
 * a compiled region's first calls are short (execute.ts WARM_CALLS / WARM_STEPS), so that V8 has
 * type feedback for its prologue and epilogue before it optimizes it.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { WARM_CALLS, WARM_STEPS } from '../../../plugins/arch-rv32/src/execute.js';
import type { BlockFn } from '../../../plugins/arch-rv32/src/jit.js';
import type { JitKit } from '../../../src/core/api.js';
import { installHandlers, makeMachine } from './machine.js';

const { s1, a0 } = A;

/** `a0 += 1; s1 -= 1; bnez s1, loop` after `li s1, iterations`, then an ebreak. */
function longSelfLoop(iterations: number) {
  return [A.li(s1, iterations), A.addi(a0, a0, 1), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak()];
}

describe('rv32 block compiler and V8', () => {
  it("runs a compiled block's first WARM_CALLS calls WARM_STEPS steps at most, then whole slices; same results", () => {
    const budgets: number[] = [];
    const m = makeMachine({ jit: true });
    installHandlers(m);
    const kit = m.cpu.kit;
    // Wrap each region function (one wrapper per factory, as the kit's memo has one factory per source).
    const wrapped = new Map<unknown, unknown>();
    const factory = ((params: readonly string[], source: string) => {
      const make = kit.factory<(...a: unknown[]) => BlockFn>(params, source);
      if (!wrapped.has(make)) {
        wrapped.set(make, (...a: unknown[]) => {
          const fn = make(...a);
          return (pc0: number, n0: number, max: number, blk0: number) => (budgets.push(max), fn(pc0, n0, max, blk0));
        });
      }
      return wrapped.get(make);
    }) as JitKit['factory'];
    (m.cpu as { kit: JitKit }).kit = { ...kit, factory };
    const iterations = 200_000;
    m.load(longSelfLoop(iterations));
    while (m.cpu.mcause !== 3) m.run(100_000);
    expect(m.reg(a0)).toBe(iterations);
    expect(budgets.length).toBeGreaterThan(WARM_CALLS);
    expect(Math.max(...budgets.slice(0, WARM_CALLS))).toBeLessThanOrEqual(WARM_STEPS);
    expect(Math.max(...budgets.slice(WARM_CALLS))).toBeGreaterThan(WARM_STEPS);

    const ref = makeMachine({ jit: false });
    installHandlers(ref);
    ref.load(longSelfLoop(iterations));
    while (ref.cpu.mcause !== 3) ref.run(100_000);
    expect(m.cpu.retired).toBe(ref.cpu.retired);
    expect(m.cpu.pc).toBe(ref.cpu.pc);
  });
});
