/**
 * What the region compiler does for V8's sake, checked by its effects rather than by timing:
 * a compiled region's first calls are short (execute.ts WARM_CALLS / WARM_STEPS), so that V8 has
 * type feedback for its prologue and epilogue before it optimizes it; a hart makes one function
 * per region source (jit.ts boundRegion), the closure V8 specializes to its factory's constants;
 * exits set only constants or variables (an exit first taken after V8 optimized the function
 * must have no arithmetic without type feedback).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { Op, WARM_CALLS, WARM_STEPS } from '../../../plugins/arch-rv32/src/execute.js';
import { type BlockFn, compileRegion, generateRegion, type RegionBlock } from '../../../plugins/arch-rv32/src/jit.js';
import type { JitKit } from '../../../src/core/api.js';
import { installHandlers, makeMachine } from './machine.js';

// JavaScript regions (jit.ts): RAM in an ArrayBuffer (bus.ts wasmRamWanted). This file's own process.
process.env.RVOS_JIT_WASM = '0';

const { s1, a0 } = A;

/** `a0 += 1; s1 -= 1; bnez s1, loop` after `li s1, iterations`, then an ebreak. */
function longSelfLoop(iterations: number) {
  return [A.li(s1, iterations), A.addi(a0, a0, 1), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak()];
}

/** A one-block loop region: `a0 += 1; bne a0, a1, loop`. */
const loopRegion: RegionBlock[] = [
  {
    start: 0,
    insns: [
      { op: Op.ADDI, rd: 10, rs1: 10, rs2: 0, imm: 1, off: 0, len: 4 },
      { op: Op.BNE, rd: 32, rs1: 10, rs2: 11, imm: -4, off: 4, len: 4 },
    ],
  },
];

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

  it("binds a region's source to a hart once: compiled again, it is the same function; another hart gets its own", () => {
    const m = makeMachine({ jit: true });
    const other = makeMachine({ jit: true });
    const first = compileRegion(m.cpu, m.cpu.kit, loopRegion)[0].fn;
    const again = compileRegion(m.cpu, m.cpu.kit, loopRegion)[0].fn;
    const elsewhere = compileRegion(other.cpu, other.cpu.kit, loopRegion)[0].fn;
    expect(first).not.toBeNull();
    expect(again).toBe(first);
    expect(elsewhere).not.toBe(first);
  });

  it("reads the hart's register file and RAM views as constants of the factory's scope, copied into locals", () => {
    const src = generateRegion([{ start: 0, insns: [{ op: Op.LW, rd: 10, rs1: 11, rs2: 0, imm: 0, off: 0, len: 4 }, ...loopRegion[0].insns.map((i) => ({ ...i, off: i.off + 4 }))] }]);
    expect(src).toContain('const cpu = hart, x$ = cpu.x, i32$ = cpu.ramI32;');
    expect(src).toContain('const x = x$, i32 = i32$;');
    // The data TLB depends on the privilege: read on each call.
    expect(src).toContain('const rTag = cpu.rTag, rOff = cpu.rOff;');
  });

  it('computes a return\'s target offset before its dispatch, so that the exit to outside the region only copies it', () => {
    // A call inside the region and the callee's return (JALR ra): a two-block region whose return
    // may land inside (the call's return address) or outside (the caller's caller).
    const src = generateRegion([
      { start: 0, insns: [{ op: Op.JAL, rd: 1, rs1: 0, rs2: 0, imm: 8, off: 0, len: 4 }] },
      { start: 8, insns: [{ op: Op.ADDI, rd: 10, rs1: 10, rs2: 0, imm: 1, off: 0, len: 4 }, { op: Op.JALR, rd: 32, rs1: 1, rs2: 0, imm: 0, off: 4, len: 4 }] },
      { start: 4, insns: [{ op: Op.BNE, rd: 32, rs1: 10, rs2: 11, imm: -4, off: 0, len: 4 }] },
    ]);
    expect(src).toContain('const d = (((r1 + 0) & -2) - pc0) | 0;');
    expect(src).toContain('switch (d) {');
    const exits = [...src.matchAll(/nx = ([^;]+); ret = \d+; break run;/g)].map((e) => e[1]);
    expect(exits).toContain('d');
    for (const nx of exits) expect(nx).toMatch(/^(-?\d+|d)$/);
  });
});
