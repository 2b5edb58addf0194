/**
 * The shared data-processing helpers (alu.ts) against the Arm ARM's pseudocode written with BigInt:
 * AddWithCarry (int32 words, the carry out of each word computed without a double), ExtendReg
 * (branch-free but for X) and ConditionHolds (a table), on the values where word arithmetic goes
 * wrong (0, +-1, sign boundaries, carries out of the low word).
 */
import { describe, expect, it } from 'vitest';
import { addWithCarry, conditionHolds, extendReg } from '../../../plugins/arch-aarch64/src/alu.js';
import { R } from '../../../plugins/arch-aarch64/src/u64.js';

const WORDS = [0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0x7fffffff, -0x80000000, 0x12345678, 0x89abcdef | 0];
const M64 = (1n << 64n) - 1n;

const pair = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const result = (): bigint => pair(R[0], R[1]);

describe('aarch64 alu helpers', () => {
  it('addWithCarry gives the sum and NZCV of AddWithCarry at 32 and 64 bits', () => {
    for (const sf of [0, 1])
      for (const al of WORDS)
        for (const ah of WORDS)
          for (const bl of WORDS)
            for (const bh of WORDS)
              for (const cin of [0, 1]) {
                const w = sf ? 64n : 32n;
                const mask = (1n << w) - 1n;
                const a = pair(al, ah) & mask;
                const b = pair(bl, bh) & mask;
                const signed = (x: bigint) => ((x >> (w - 1n)) & 1n ? x - (1n << w) : x);
                const u = a + b + BigInt(cin);
                const r = u & mask;
                const n = (r >> (w - 1n)) & 1n;
                const z = r === 0n ? 1n : 0n;
                const c = u > mask ? 1n : 0n;
                const v = signed(a) + signed(b) + BigInt(cin) !== signed(r) ? 1n : 0n;
                const flags = addWithCarry(al, ah, bl, bh, cin, sf) >>> 28;
                if (result() !== r || flags !== Number((n << 3n) | (z << 2n) | (c << 1n) | v))
                  expect.fail(`sf ${sf}: ${ah}:${al} + ${bh}:${bl} + ${cin} gave ${result()} nzcv ${flags}`);
              }
  });

  it('extendReg extends a byte, half, word or doubleword (signed or not) and shifts it left 0-4', () => {
    for (const lo of WORDS)
      for (const hi of WORDS)
        for (let option = 0; option < 8; option++)
          for (let shift = 0; shift <= 4; shift++) {
            const bits = [8n, 16n, 32n, 64n][option & 3];
            let want = pair(lo, hi) & ((1n << bits) - 1n);
            if (option & 4 && bits < 64n && (want >> (bits - 1n)) & 1n) want |= M64 ^ ((1n << bits) - 1n);
            want = (want << BigInt(shift)) & M64;
            extendReg(lo, hi, option, shift);
            if (result() !== want) expect.fail(`option ${option} #${shift} of ${hi}:${lo}: ${result()}, want ${want}`);
          }
  });

  it('conditionHolds reads every condition off every NZCV as ConditionHolds does', () => {
    for (let cond = 0; cond < 16; cond++)
      for (let f = 0; f < 16; f++) {
        const [n, z, c, v] = [(f & 8) !== 0, (f & 4) !== 0, (f & 2) !== 0, (f & 1) !== 0];
        const base = [z, c, n, v, c && !z, n === v, n === v && !z, true][cond >> 1];
        const want = (cond & 1) === 1 && cond !== 15 ? !base : base;
        // Bits below NZCV (none are kept, but a value read from elsewhere may carry them) change nothing.
        expect(conditionHolds(cond, (f << 28) | 0x0ffffff0), `cond ${cond} nzcv ${f}`).toBe(want);
      }
  });
});
