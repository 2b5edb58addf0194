/**
 * jit-wasm-layout.ts: the guest loops a wasm region makes wasm loops. The quicksort partition's shape:
 * a "swap" block jumped back to from the end of the scans, falling into the scans' head, which is
 * also jumped into from before the swap and back to from after: the head is the swap loop's side
 * door, its own loop nested in it, so no jump of the cycle goes through the region's dispatch; the
 * region still ends as the interpreter at every budget, wherever it is entered.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { useEnv } from '../../helpers/env.js';
import { makeMachine } from './machine.js';
import { type Insn } from '../../../plugins/arch-aarch64/src/jit.js';
import { basicBlocks, dispatchedBlocks } from '../../../plugins/arch-aarch64/src/jit-wasm.js';
import { loopSpans } from '../../../plugins/arch-aarch64/src/jit-wasm-layout.js';
import { Op } from '../../../plugins/arch-aarch64/src/execute.js';

// Blocks: 0 entry (0-8), 1 swap (12, reached back from 4), 2 head (16-20, from 0, 1 and back from 5),
// 3 (24), 4 (28-32, back to the swap), 5 (36-44, back to the head), 6 (48, back to the entry).
const program = [
  A.movz(21, 3),
  A.movz(20, 5),
  A.b(8),
  A.add(7, 7, 6),
  A.addi(6, 6, 1),
  A.tbz(6, 0, 8),
  A.eor(8, 8, 7),
  A.subsi(21, 21, 1),
  A.bcond('ne', -20),
  A.movz(21, 3),
  A.subsi(20, 20, 1),
  A.bcond('ne', -28),
  A.b(-48),
];

describe('aarch64 wasm region loops', () => {
  useEnv('RVOS_JIT_WASM_A64', undefined);

  it('nests the head\'s loop in the swap\'s, entered at the head by a side door, with no dispatch but the entry', () => {
    const at = (off: number, op: Op, a = 0) => ({ off, op, a }) as Insn;
    const insns = [
      at(0, Op.ADDI), at(4, Op.B, 8),
      at(8, Op.ADDI),
      at(12, Op.ADDI), at(16, Op.TBZ, 8),
      at(20, Op.ADDI),
      at(24, Op.ADDI), at(28, Op.BCOND, -20),
      at(32, Op.ADDI), at(36, Op.ADDI), at(40, Op.BCOND, -28),
      at(44, Op.B, -44),
    ];
    const blocks = basicBlocks(insns);
    expect(blocks.map((b) => b.start)).toEqual([0, 8, 12, 20, 24, 32, 44]);
    const succ = [[2], [2], [4, 3], [4], [1, 5], [2, 6], [0]];
    const spans = loopSpans(blocks, [0], succ);
    expect(spans).toEqual({ end: [-1, 5, 5, -1, -1, -1, -1], door: [-1, 2, -1, -1, -1, -1, -1] });
    expect(dispatchedBlocks(blocks, [0], succ, spans)).toEqual([true, false, false, false, false, false, false]);
    // An entry inside a loop is its door; a second one leaves it to the dispatch (no span).
    expect(loopSpans(blocks, [0, 12], succ).door[1]).toBe(2);
    expect(loopSpans(blocks, [0, 12, 20], succ).end[1]).toBe(-1);
  });

  it('runs the nested loops as the interpreter at every budget', () => {
    const start: Array<[number, number]> = [[7, 3]];
    const runTo = (jit: boolean, n: number) => {
      const m = makeMachine({ jit });
      m.load(program);
      for (const [r, v] of start) m.set(r, v);
      const steps = m.run(n);
      return { m, state: { steps, regs: [6, 7, 8, 20, 21].map((r) => m.x(r)), flags: m.flags(), pc: m.cpu.pc } };
    };
    for (const n of [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 9000]) {
      const jit = runTo(true, n);
      expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
      expect(jit.state, `budget ${n}`).toEqual(runTo(false, n).state);
    }
  });
});
