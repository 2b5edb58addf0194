/**
 * jit-wasm-layout.ts: the guest loops a wasm region makes wasm loops. The quicksort partition's shape:
 * a "swap" block jumped back to from the end of the scans, falling into the scans' head, which is
 * also jumped into from before the swap and back to from after: the head is the swap loop's side
 * door, its own loop nested in it, so no jump of the cycle goes through the region's dispatch (the
 * run at every budget: jit-wasm.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type Insn } from '../../../plugins/arch-aarch64/src/jit.js';
import { basicBlocks, dispatchedBlocks } from '../../../plugins/arch-aarch64/src/jit-wasm.js';
import { loopSpans } from '../../../plugins/arch-aarch64/src/jit-wasm-layout.js';
import { Op } from '../../../plugins/arch-aarch64/src/execute.js';

describe('aarch64 wasm region loops', () => {
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
});
