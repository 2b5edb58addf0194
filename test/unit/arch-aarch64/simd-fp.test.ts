/** Advanced SIMD floating point: vector and scalar lanes, NaNs and flags, conversions, reductions. */
import { describe, expect, it } from 'vitest';
import type { A64Machine } from './machine.js';
import { runAsm } from './run-asm.js';

const vm = runAsm;
const S = (m: A64Machine, r: number, n = 4) => [...m.cpu.fp.f32.slice(4 * r, 4 * r + n)];
const D = (m: A64Machine, r: number) => [m.cpu.fp.f64[2 * r], m.cpu.fp.f64[2 * r + 1]];
const W = (m: A64Machine, r: number) => [...m.cpu.fp.u32.slice(4 * r, 4 * r + 4)];
const setS = (m: A64Machine, r: number, xs: number[]) => m.cpu.fp.f32.set(xs, 4 * r);
const setD = (m: A64Machine, r: number, xs: number[]) => m.cpu.fp.f64.set(xs, 2 * r);
const IOC = 1;
const DZC = 2;
const QNAN_S = 0x7fc00000;

describe('aarch64 SIMD FP arithmetic', () => {
  it('FADD/FMUL/FDIV/FABD/FSQRT per lane; x/0 and 0/0 set DZC and IOC', () => {
    const m = vm(['fadd v0.4s, v1.4s, v2.4s', 'fmul v3.2d, v1.2d, v2.2d', 'fdiv v4.4s, v1.4s, v2.4s', 'fabd v22.4s, v1.4s, v2.4s'], (m) => {
      setS(m, 1, [1.5, -2, 0, 1e30]);
      setS(m, 2, [0.25, 3, 0, 1e30]);
    });
    expect(S(m, 0)).toEqual([1.75, 1, 0, Math.fround(2e30)]);
    expect(W(m, 4)[2]).toBe(QNAN_S);
    expect(S(m, 4)).toEqual([6, -2 / 3, NaN, 1].map((x, k) => (k === 1 ? Math.fround(x) : x)));
    expect(S(m, 22)).toEqual([1.25, 5, 0, 0]);
    expect(m.cpu.fp.fpsr & 3).toBe(IOC);
    const r = vm(['fsqrt v23.2d, v1.2d'], (m) => setD(m, 1, [4, -0]));
    expect(D(r, 23)).toEqual([2, -0]);
    const z = vm(['fdiv v4.4s, v1.4s, v2.4s'], (m) => {
      setS(m, 1, [1, -1, 4, 9]);
      setS(m, 2, [0, 0, 2, 3]);
    });
    expect(S(z, 4)).toEqual([Infinity, -Infinity, 2, 3]);
    expect(z.cpu.fp.fpsr & 3).toBe(DZC);
  });

  it('FMLA (fused, per lane) and FMLS', () => {
    const m = vm(['fmla v5.2d, v1.2d, v2.2d', 'fmls v26.2s, v1.2s, v2.2s'], (m) => {
      setD(m, 1, [1 + 2 ** -30, 2]);
      setD(m, 2, [1 - 2 ** -30, 3]);
      setD(m, 5, [-1, 1]);
      setS(m, 26, [10, 10, 7, 7]);
    });
    expect(D(m, 5)).toEqual([-(2 ** -60), 7]);
    // FMLS on the single lanes of the same registers (bit patterns of the doubles)
    const f = new Float32Array(new Float64Array([1 + 2 ** -30, 2]).buffer);
    const g = new Float32Array(new Float64Array([1 - 2 ** -30, 3]).buffer);
    expect(S(m, 26)).toEqual([Math.fround(10 - f[0] * g[0]), Math.fround(10 - f[1] * g[1]), 0, 0]);
  });

  it('compares: FCMEQ is quiet, FCMGT signals on NaN; FACGE compares magnitudes; compares with zero', () => {
    const m = vm(['fcmeq v7.4s, v1.4s, v2.4s', 'facge v8.4s, v1.4s, v2.4s', 'fcmlt v27.4s, v1.4s, #0.0', 'fcmle v28.2d, v3.2d, #0.0'], (m) => {
      setS(m, 1, [1, NaN, -3, -0]);
      setS(m, 2, [1, 1, 2, 0]);
      setD(m, 3, [-0, 1e-300]);
    });
    expect(W(m, 7)).toEqual([0xffffffff, 0, 0, 0xffffffff]);
    expect(m.cpu.fp.fpsr & IOC).toBe(IOC); // FACGE met the NaN
    expect(W(m, 8)).toEqual([0xffffffff, 0, 0xffffffff, 0xffffffff]);
    expect(W(m, 27)).toEqual([0, 0, 0xffffffff, 0]);
    expect(W(m, 28)).toEqual([0xffffffff, 0xffffffff, 0, 0]);
    const q = vm(['fcmeq v7.4s, v1.4s, v2.4s'], (m) => setS(m, 1, [NaN, 0, 0, 0]));
    expect(q.cpu.fp.fpsr).toBe(0);
    const g = vm(['fcmgt v6.4s, v1.4s, v2.4s'], (m) => {
      setS(m, 1, [NaN, 2, 1, -1]);
      setS(m, 2, [0, 1, 1, -2]);
    });
    expect(W(g, 6)).toEqual([0, 0xffffffff, 0, 0xffffffff]);
    expect(g.cpu.fp.fpsr).toBe(IOC);
  });

  it('FABS/FNEG change only the sign bit (NaNs too)', () => {
    const m = vm(['fabs v9.2d, v1.2d', 'fneg v10.4s, v2.4s'], (m) => {
      m.cpu.fp.setQ(1, 0xfff0000000000001_c000000000000000n);
      m.cpu.fp.setQ(2, 0x7f800001_00000000_80000000_3f800000n);
    });
    expect(m.cpu.fp.getQ(9)).toBe(0x7ff0000000000001_4000000000000000n);
    expect(m.cpu.fp.getQ(10)).toBe(0xff800001_80000000_00000000_bf800000n);
  });
});

describe('aarch64 SIMD FP conversions and rounding', () => {
  it('FCVTZS saturates per lane, FCVTAU rounds ties away, SCVTF/FRINTM/FRINTA', () => {
    const m = vm(['fcvtzs v11.4s, v1.4s', 'fcvtau v30.4s, v1.4s', 'frintm v13.4s, v1.4s', 'scvtf v12.2d, v2.2d', 'frinta v29.2d, v3.2d', 'fcvtzu v16.2d, v3.2d'], (m) => {
      setS(m, 1, [-2.5, 3e9, NaN, 2.5]);
      m.cpu.fp.setQ(2, 0xffffffffffffffff_0000000000000010n);
      setD(m, 3, [-0.5, 2.5]);
    });
    expect(W(m, 11)).toEqual([0xfffffffe, 0x7fffffff, 0, 2]);
    expect(W(m, 30)).toEqual([0, 3000000000, 0, 3]);
    expect(S(m, 13)).toEqual([-3, 3e9, NaN, 2]);
    expect(D(m, 12)).toEqual([16, -1]);
    expect(Object.is(D(m, 29)[0], -1)).toBe(true);
    expect(D(m, 29)[1]).toBe(3);
    expect(m.cpu.fp.getQ(16)).toBe(2n << 64n);
    expect(m.cpu.fp.fpsr & IOC).toBe(IOC);
  });

  it('FCVTN/FCVTN2 narrow into the lower/upper half; FCVTL/FCVTL2 widen, half precision included', () => {
    const m = vm(['fcvtn v14.2s, v1.2d', 'fcvtn2 v14.4s, v2.2d', 'fcvtl v15.2d, v3.2s', 'fcvtl2 v16.4s, v4.8h', 'fcvtn v24.4h, v5.4s'], (m) => {
      setD(m, 1, [0.1, -1e300]);
      setD(m, 2, [3, 4]);
      setS(m, 3, [1.5, -0.25, 99, 99]);
      m.cpu.fp.setQ(4, 0x7c00_c000_3c00_0001_0000000000000000n);
      setS(m, 5, [1, 65520, 2 ** -25, -0]);
    });
    expect(S(m, 14)).toEqual([Math.fround(0.1), -Infinity, 3, 4]);
    expect(D(m, 15)).toEqual([1.5, -0.25]);
    expect(S(m, 16)).toEqual([2 ** -24, 1, -2, Infinity]);
    expect(m.cpu.fp.getQ(24)).toBe(0x8000_0000_7c00_3c00n); // 2^-25 is a tie between 0 and 2^-24: even (0)
  });
});

describe('aarch64 SIMD FP reductions and pairwise', () => {
  it('FADDP (vector and scalar), FMAXP, FMINP, FMAXV, FMINNMV', () => {
    const m = vm(['faddp v17.4s, v1.4s, v2.4s', 'faddp d18, v3.2d', 'fmaxp v21.2d, v3.2d, v4.2d', 'fminp s25, v1.2s', 'fmaxv s19, v1.4s', 'fminnmv s20, v2.4s'], (m) => {
      setS(m, 1, [1, 2, 3, 4]);
      setS(m, 2, [10, NaN, 30, 40]);
      setD(m, 3, [0.5, 0.25]);
      setD(m, 4, [-1, -2]);
    });
    expect(S(m, 17)).toEqual([3, 7, NaN, 70]);
    expect(D(m, 18)).toEqual([0.75, 0]);
    expect(D(m, 21)).toEqual([0.5, -1]);
    expect(S(m, 25)).toEqual([1, 0, 0, 0]);
    expect(S(m, 19)).toEqual([4, 0, 0, 0]);
    expect(S(m, 20)).toEqual([10, 0, 0, 0]); // the quiet NaN is ignored by the NM form
    const n = vm(['fmaxv s19, v1.4s'], (m) => setS(m, 1, [1, NaN, 3, 4]));
    expect(n.cpu.fp.u32[76]).toBe(QNAN_S);
  });

  it('scalar forms: compares with zero, conversions in FP registers, FABD, FACGT, FMLA by element, FRECPS, FMULX', () => {
    const m = vm(['fcmgt s7, s1, #0.0', 'fcvtzs s8, s1', 'ucvtf d9, d2', 'fabd s10, s1, s3', 'facgt d11, d4, d5', 'fmla s12, s1, v3.s[3]', 'frecps v14.4s, v1.4s, v3.4s', 'fmulx d15, d4, d5'], (m) => {
      setS(m, 1, [-7.9, 2, 0, 0]);
      m.cpu.fp.setQ(2, 0xffffffffffffffffn);
      setS(m, 3, [2, 0.5, 0, 4]);
      setD(m, 4, [-Infinity, 0]);
      setD(m, 5, [0, 0]);
      setS(m, 12, [1, 9, 9, 9]);
    });
    expect(m.cpu.fp.getQ(7)).toBe(0n);
    expect(m.cpu.fp.getQ(8)).toBe(0xfffffff9n);
    expect(D(m, 9)).toEqual([2 ** 64, 0]);
    expect(S(m, 10)).toEqual([Math.fround(9.9), 0, 0, 0]);
    expect(m.cpu.fp.getQ(11)).toBe(0xffffffffffffffffn);
    expect(S(m, 12)).toEqual([Math.fround(1 + Math.fround(-7.9) * 4), 0, 0, 0]);
    expect(S(m, 14)).toEqual([Math.fround(2 - Math.fround(-7.9) * 2), 1, 2, 2]);
    expect(D(m, 15)).toEqual([-2, 0]);
  });
});
