/**
 * Advanced SIMD: lane-wise integer operations against BigInt reference models on random lanes,
 * and hand-checked cases for the data movement, immediate, shift, widening/narrowing, across-lanes,
 * by-element, permute and table classes (encodings from llvm-mc, fp-enc.ts).
 */
import { describe, expect, it } from 'vitest';
import type { A64Machine } from './machine.js';
import { runAsm } from './run-asm.js';

const vm = runAsm;
const Q = (m: A64Machine, r: number) => m.cpu.fp.getQ(r);
const mask = (w: number) => (1n << BigInt(w)) - 1n;
/** A 128-bit value from lanes of w bits (lane 0 first). */
function pack(w: number, lanes: Array<bigint | number>): bigint {
  let r = 0n;
  lanes.forEach((x, k) => (r |= (BigInt(x) & mask(w)) << BigInt(w * k)));
  return r;
}
/** Unsigned lanes of w bits of a 128-bit value. */
function unpack(v: bigint, w: number, count = 128 / w): bigint[] {
  return [...Array(count)].map((_, k) => (v >> BigInt(w * k)) & mask(w));
}
const sx = (x: bigint, w: number) => BigInt.asIntN(w, x);

let seed = 12345;
function rnd128(): bigint {
  let r = 0n;
  for (let k = 0; k < 4; k++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const w = seed ^ (seed << 7);
    r = (r << 32n) | BigInt(w >>> 0);
  }
  // make equal and extreme lanes likely
  return r;
}

type Model = (a: bigint, b: bigint, d: bigint, w: number) => bigint;
const clampS = (x: bigint, w: number) => (x > mask(w - 1) ? mask(w - 1) : x < -(1n << BigInt(w - 1)) ? -(1n << BigInt(w - 1)) : x);
const clampU = (x: bigint, w: number) => (x > mask(w) ? mask(w) : x < 0n ? 0n : x);
const bool = (t: boolean, w: number) => (t ? mask(w) : 0n);
const floorDiv2 = (x: bigint) => (x >= 0n ? x / 2n : -((-x + 1n) / 2n));
const MODELS: Record<string, Model> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  mla: (a, b, d) => d + a * b,
  mls: (a, b, d) => d - a * b,
  cmeq: (a, b, _d, w) => bool(a === b, w),
  cmgt: (a, b, _d, w) => bool(sx(a, w) > sx(b, w), w),
  cmge: (a, b, _d, w) => bool(sx(a, w) >= sx(b, w), w),
  cmhi: (a, b, _d, w) => bool(a > b, w),
  cmhs: (a, b, _d, w) => bool(a >= b, w),
  cmtst: (a, b, _d, w) => bool((a & b) !== 0n, w),
  umax: (a, b) => (a > b ? a : b),
  umin: (a, b) => (a < b ? a : b),
  smax: (a, b, _d, w) => (sx(a, w) > sx(b, w) ? a : b),
  smin: (a, b, _d, w) => (sx(a, w) < sx(b, w) ? a : b),
  uabd: (a, b) => (a > b ? a - b : b - a),
  sabd: (a, b, _d, w) => {
    const x = sx(a, w) - sx(b, w);
    return x < 0n ? -x : x;
  },
  saba: (a, b, d, w) => d + MODELS.sabd(a, b, d, w),
  uhadd: (a, b) => (a + b) >> 1n,
  urhadd: (a, b) => (a + b + 1n) >> 1n,
  shsub: (a, b, _d, w) => floorDiv2(sx(a, w) - sx(b, w)),
  sqadd: (a, b, _d, w) => clampS(sx(a, w) + sx(b, w), w),
  uqadd: (a, b, _d, w) => clampU(a + b, w),
  sqsub: (a, b, _d, w) => clampS(sx(a, w) - sx(b, w), w),
  uqsub: (a, b, _d, w) => clampU(a - b, w),
  sshl: (a, b, _d, w) => {
    const s = Number(sx(b & 0xffn, 8));
    const x = sx(a, w);
    return s >= 0 ? (s >= w ? 0n : x << BigInt(s)) : x >> BigInt(Math.min(-s, w - 1));
  },
  ushl: (a, b, _d, w) => {
    const s = Number(sx(b & 0xffn, 8));
    return s >= 0 ? (s >= w ? 0n : a << BigInt(s)) : -s >= w ? 0n : a >> BigInt(-s);
  },
};

const ARR: Record<number, string[]> = { 8: ['16b', '8b'], 16: ['8h', '4h'], 32: ['4s', '2s'], 64: ['2d'] };

describe('aarch64 SIMD three same (models on random lanes)', () => {
  const cases: Array<[string, number[]]> = [
    ['add v0.16b, v1.16b, v2.16b', [8]],
    ['sub v3.2d, v1.2d, v2.2d', [64]],
    ['mul v4.8h, v1.8h, v2.8h', [16]],
    ['mla v5.4s, v1.4s, v2.4s', [32]],
    ['mls v6.4s, v1.4s, v2.4s', [32]],
    ['cmeq v0.4s, v1.4s, v2.4s', [32]],
    ['cmgt v3.8h, v1.8h, v2.8h', [16]],
    ['cmge v4.16b, v1.16b, v2.16b', [8]],
    ['cmhi v5.4s, v1.4s, v2.4s', [32]],
    ['cmhs v6.2d, v1.2d, v2.2d', [64]],
    ['cmtst v7.8b, v1.8b, v2.8b', [8]],
    ['cmgt v8.2d, v1.2d, v2.2d', [64]],
    ['umax v0.16b, v1.16b, v2.16b', [8]],
    ['smin v3.8h, v1.8h, v2.8h', [16]],
    ['uabd v4.4s, v1.4s, v2.4s', [32]],
    ['sabd v5.16b, v1.16b, v2.16b', [8]],
    ['saba v19.4s, v1.4s, v2.4s', [32]],
    ['uhadd v8.16b, v1.16b, v2.16b', [8]],
    ['urhadd v9.4s, v1.4s, v2.4s', [32]],
    ['shsub v10.8h, v1.8h, v2.8h', [16]],
    ['sqadd v11.16b, v1.16b, v2.16b', [8]],
    ['uqsub v12.4s, v1.4s, v2.4s', [32]],
    ['uqadd v17.2d, v1.2d, v2.2d', [64]],
    ['sqsub v18.2d, v1.2d, v2.2d', [64]],
    ['sshl v13.4s, v1.4s, v2.4s', [32]],
    ['ushl v14.16b, v1.16b, v2.16b', [8]],
  ];
  it.each(cases)('%s', (asm, [w]) => {
    const [mn, ops] = asm.split(/ (.*)/);
    const regs = ops.split(', ').map((r) => Number(r.slice(1, r.indexOf('.'))));
    const lanesN = ops.endsWith(ARR[w][0]) ? 128 / w : 64 / w;
    for (let round = 0; round < 20; round++) {
      let a = rnd128();
      let b = rnd128();
      if (round % 4 === 1) b = a; // equal lanes
      if (round % 4 === 2) a = (a & ~pack(w, Array(128 / w).fill(mask(w) >> 1n))) | pack(w, Array(128 / w).fill(mask(w - 1)));
      if (mn === 'sshl' || mn === 'ushl') b = pack(w, unpack(b, w).map((x, k) => BigInt(((Number(x & 0xffn) % (2 * w + 8)) - w - 4) & 0xff) | (k & 1 ? 0n : 0n)));
      const d0 = rnd128();
      const m = vm([asm], (m) => {
        m.cpu.fp.setQ(regs[1], a);
        m.cpu.fp.setQ(regs[2], b);
        m.cpu.fp.setQ(regs[0], d0);
      });
      const A = unpack(a, w);
      const B = unpack(b, w);
      const D = unpack(d0, w);
      const want = pack(w, A.slice(0, lanesN).map((x, k) => MODELS[mn](x, B[k], D[k], w)));
      expect(Q(m, regs[0]).toString(16), `round ${round}`).toBe(want.toString(16));
    }
  });

  it('saturation sets FPSR.QC', () => {
    const m = vm(['sqadd v11.16b, v1.16b, v2.16b'], (m) => {
      m.cpu.fp.setQ(1, 0x7fn);
      m.cpu.fp.setQ(2, 0x01n);
    });
    expect(Q(m, 11)).toBe(0x7fn);
    expect(m.cpu.fp.fpsr >>> 27).toBe(1);
  });

  it('logical operations and the bitwise selects', () => {
    const a = 0xff00ff00f0f0f0f0cccccccc12345678n;
    const b = 0x0f0f0f0f00ff00ffaaaaaaaa87654321n;
    const d = 0xffff0000ffff0000ffff0000ffff0000n;
    const all = (1n << 128n) - 1n;
    const m = vm(['and v0.16b, v1.16b, v2.16b', 'orr v3.8b, v1.8b, v2.8b', 'eor v4.16b, v1.16b, v2.16b', 'bic v5.16b, v1.16b, v2.16b', 'orn v6.16b, v1.16b, v2.16b', 'bsl v7.16b, v1.16b, v2.16b', 'bit v8.16b, v1.16b, v2.16b', 'bif v9.16b, v1.16b, v2.16b'], (m) => {
      m.cpu.fp.setQ(1, a);
      m.cpu.fp.setQ(2, b);
      for (const r of [7, 8, 9]) m.cpu.fp.setQ(r, d);
    });
    expect(Q(m, 0)).toBe(a & b);
    expect(Q(m, 3)).toBe((a | b) & mask(64));
    expect(Q(m, 4)).toBe(a ^ b);
    expect(Q(m, 5)).toBe(a & ~b & all);
    expect(Q(m, 6)).toBe((a | (~b & all)) & all);
    expect(Q(m, 7)).toBe((d & a) | (~d & all & b));
    expect(Q(m, 8)).toBe((d & ~b & all) | (a & b));
    expect(Q(m, 9)).toBe((d & b) | (a & ~b & all));
  });

  it('pairwise ADDP/UMINP, PMUL', () => {
    const m = vm(['addp v6.4s, v1.4s, v2.4s', 'addp v7.2d, v1.2d, v2.2d', 'uminp v15.8h, v1.8h, v2.8h', 'pmul v16.16b, v1.16b, v2.16b'], (m) => {
      m.cpu.fp.setQ(1, pack(32, [1, 2, 0xffffffff, 4]));
      m.cpu.fp.setQ(2, pack(32, [10, 20, 30, 40]));
    });
    expect(unpack(Q(m, 6), 32)).toEqual([3n, 3n, 30n, 70n]);
    expect(unpack(Q(m, 7), 64)).toEqual([7n << 32n, (60n << 32n) | 40n]); // D0 + D1 of v1, of v2
    expect(unpack(Q(m, 15), 16)).toEqual([0n, 0n, 0xffffn, 0n, 0n, 0n, 0n, 0n]);
    const clmul = (x: number, y: number) => {
      let r = 0;
      for (let k = 0; k < 8; k++) if ((y >> k) & 1) r ^= x << k;
      return BigInt(r & 0xff);
    };
    const bytes = unpack(Q(m, 16), 8);
    expect([bytes[0], bytes[4], bytes[8]]).toEqual([clmul(1, 10), clmul(2, 20), clmul(0xff, 30)]);
  });
});
