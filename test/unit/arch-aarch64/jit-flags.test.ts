/**
 * The translator's lazy NZCV (jit.ts FlagKind): a condition read right after a flag-setting
 * instruction is a direct comparison of its operands (lazyCondition); it must agree with
 * ConditionHolds on the flags AddWithCarry/LogicFlags give (nzcvOf), for every condition, on the
 * values where comparisons go wrong (0, +-1, the sign boundaries, equal and near-equal pairs).
 */
import { describe, expect, it } from 'vitest';
import { conditionHolds, shiftReg } from '../../../plugins/arch-aarch64/src/alu.js';
import { FlagKind, lazyCondition, nzcvOf, shift64 } from '../../../plugins/arch-aarch64/src/jit.js';
import { R } from '../../../plugins/arch-aarch64/src/u64.js';

const EDGES = [0, 1, 2, -1, -2, 0x7fffffff, -0x80000000, 0x7ffffffe, -0x7fffffff, 0x12345678, -0x12345678, 0x8000];

describe('aarch64 translator lazy flags', () => {
  for (const k of [FlagKind.ADD32, FlagKind.SUB32, FlagKind.LOGIC32, FlagKind.ADD64, FlagKind.SUB64, FlagKind.LOGIC64]) {
    it(`kind ${k}: every direct condition agrees with ConditionHolds(nzcvOf)`, () => {
      const wide = k >= FlagKind.ADD64;
      // 64-bit operands: high words from a smaller set (equal high words test the low-word tie-break).
      const highs = wide ? [0, -1, 1, 0x7fffffff, -0x80000000] : [0];
      let direct = 0;
      for (let cond = 0; cond < 16; cond++) {
        const e = lazyCondition(k, cond);
        if (e === null) continue;
        direct++;
        const test = new Function('fa', 'fb', 'fc', 'fd', `return ${e};`) as (a: number, b: number, c: number, d: number) => boolean;
        for (const a of EDGES)
          for (const b of EDGES)
            for (const c of highs)
              for (const d of highs) {
                const want = conditionHolds(cond, nzcvOf(k, 0, a, b, c, d));
                if (test(a, b, c, d) !== want) expect.fail(`kind ${k} cond ${cond} on ${a}, ${b}, ${c}, ${d}: ${e} gave ${!want}`);
              }
      }
      expect(direct).toBeGreaterThan(0);
    });
  }

  it('64-bit comparisons evaluate every part on every pass (no part first run when a loop ends)', () => {
    // A part evaluated only when the high words differ or the low words are equal has no type
    // feedback when V8 optimizes a loop and deoptimizes the loop's code on its last pass.
    for (let cond = 0; cond < 14; cond++) {
      const e = lazyCondition(FlagKind.SUB64, cond);
      if (e === null) continue;
      expect(e).not.toMatch(/&&|\|\||\?(?! 1 : 0\))/);
    }
  });
});

describe('aarch64 translator inline 64-bit shifts', () => {
  it('shift64 agrees with ShiftReg for every type and amount 1-63', () => {
    const words = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0x8000];
    for (let type = 0; type < 4; type++)
      for (let amount = 1; amount < 64; amount++) {
        const f = new Function('l', 'h', `${shift64('l', 'h', type, amount)} return [ml, mh];`) as (l: number, h: number) => number[];
        for (const l of words)
          for (const h of words) {
            shiftReg(l, h, type, amount, 1);
            const [ml, mh] = f(l, h);
            if (ml !== R[0] || mh !== R[1]) expect.fail(`type ${type} #${amount} of ${h}:${l}: ${mh}:${ml}, want ${R[1]}:${R[0]}`);
          }
      }
  });
});
