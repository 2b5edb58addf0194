/**
 * Lazy flags (flags.ts): a condition or CF read straight from the recorded operation (conditionAfter,
 * carryAfter: the interpreter's and translated blocks' shortcuts) agrees with the condition of the full EFLAGS
 * (arithFlags, conditionOfFlags) for every operation, width and condition but parity.
 */
import { describe, expect, it } from 'vitest';
import { arithFlags, carryAfter, CcOp, CF, conditionAfter, conditionOfFlags } from '../../../plugins/arch-i386/src/flags.js';
import { rng } from '../../helpers/rng.js';

describe('i386 lazy flags', () => {
  it('conditionAfter and carryAfter agree with the conditions and CF of arithFlags after ADD, SUB, logic, INC and DEC', () => {
    const rand = rng(11);
    const edge = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
    const pick = () => (rand() < 0.3 ? edge[Math.floor(rand() * edge.length)] : Math.floor(rand() * 0x100000000));
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const bits = [8, 16, 32][i % 3], mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
      const op = [CcOp.Add, CcOp.Sub, CcOp.Logic, CcOp.Inc, CcOp.Dec][Math.floor(rand() * 5)];
      // As the interpreter (unsigned operands, unmasked result) or a translated block (int32) records them.
      let a = pick() & mask, b = op === CcOp.Inc || op === CcOp.Dec ? 1 : pick() & mask;
      const kept = rand() < 0.5 ? 1 : 0;
      let r = op === CcOp.Add || op === CcOp.Inc ? a + b : op === CcOp.Sub || op === CcOp.Dec ? a - b : a ^ b;
      if (bits === 32 && rand() < 0.5) { a |= 0; b |= 0; r |= 0; }
      const flags = arithFlags(op, a, b, r, bits, kept);
      expect(carryAfter(op, a, b, r, bits, kept, 0), `carry: op ${op} ${a} ${b} ${r} /${bits}`).toBe(flags & CF);
      for (let cc = 0; cc < 16; cc++) {
        if (cc >> 1 === 5) continue;
        expect(conditionAfter(op, cc, a, b, r, bits, kept), `op ${op} cc ${cc} ${a} ${b} ${r} /${bits}`).toBe(conditionOfFlags(cc, flags));
        checked++;
      }
    }
    expect(checked).toBe(4000 * 14);
  });
});
