/**
 * Advanced SIMD two-register misc, across lanes, shifts by immediate, three different (long,
 * wide, narrow-high), by element, and the scalar integer forms.
 */
import { describe, expect, it } from 'vitest';
import type { A64Machine } from './machine.js';
import { runAsm } from './run-asm.js';

const vm = runAsm;
const Q = (m: A64Machine, r: number) => m.cpu.fp.getQ(r);
const ALL1 = (1n << 128n) - 1n;
const mask = (w: number) => (1n << BigInt(w)) - 1n;
function pack(w: number, lanes: Array<bigint | number>): bigint {
  let r = 0n;
  lanes.forEach((x, k) => (r |= (BigInt(x) & mask(w)) << BigInt(w * k)));
  return r;
}
const unpack = (v: bigint, w: number, count = 128 / w) => [...Array(count)].map((_, k) => (v >> BigInt(w * k)) & mask(w));
const signed = (v: bigint, w: number, count = 128 / w) => unpack(v, w, count).map((x) => BigInt.asIntN(w, x));

describe('aarch64 SIMD two-register misc', () => {
  it('REV64/REV32/REV16, CNT, NOT, RBIT, CLZ, CLS', () => {
    const v1 = 0x0f0e0d0c0b0a09080706050403020100n;
    const m = vm(['rev64 v0.16b, v1.16b', 'rev32 v2.8h, v1.8h', 'rev16 v3.16b, v1.16b', 'cnt v4.16b, v1.16b', 'not v5.16b, v1.16b', 'rbit v6.8b, v1.8b'], (m) => m.cpu.fp.setQ(1, v1));
    expect(Q(m, 0)).toBe(0x08090a0b0c0d0e0f0001020304050607n);
    expect(Q(m, 2)).toBe(0x0d0c0f0e09080b0a0504070601000302n);
    expect(Q(m, 3)).toBe(0x0e0f0c0d0a0b08090607040502030001n);
    expect(unpack(Q(m, 4), 8)).toEqual([0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4].map(BigInt));
    expect(Q(m, 5)).toBe(v1 ^ ALL1);
    expect(unpack(Q(m, 6), 8).slice(0, 4)).toEqual([0x00n, 0x80n, 0x40n, 0xc0n]);
    expect(Q(m, 6) >> 64n).toBe(0n);
    const n = vm(['clz v7.4s, v1.4s', 'cls v8.8h, v1.8h'], (m) => m.cpu.fp.setQ(1, pack(32, [0, 1, 0x80000000, 0x00ffffff])));
    expect(unpack(Q(n, 7), 32)).toEqual([32n, 31n, 0n, 8n]);
    // halves: 0, 0, 1, 0, 0, 0x8000, 0xffff, 0x00ff
    expect(unpack(Q(n, 8), 16)).toEqual([15n, 15n, 14n, 15n, 15n, 0n, 15n, 7n]);
  });

  it('ABS/NEG at the limits, compares with zero', () => {
    const m = vm(['abs v9.2d, v1.2d', 'neg v10.4s, v1.4s', 'cmeq v11.16b, v1.16b, #0', 'cmlt v12.4s, v1.4s, #0', 'cmge v20.2d, v1.2d, #0'], (m) => m.cpu.fp.setQ(1, pack(64, [1n << 63n, -5n])));
    expect(signed(Q(m, 9), 64)).toEqual([-(1n << 63n), 5n]); // ABS of the minimum stays the minimum
    expect(signed(Q(m, 10), 32)).toEqual([0n, -(1n << 31n), 5n, 1n]); // NEG of the minimum stays the minimum
    expect(unpack(Q(m, 11), 8).filter((x) => x === 0xffn).length).toBe(7);
    expect(unpack(Q(m, 12), 32)).toEqual([0n, 0xffffffffn, 0xffffffffn, 0xffffffffn]);
    expect(unpack(Q(m, 20), 64)).toEqual([0n, 0n]);
  });

  it('XTN/XTN2, SQXTN/UQXTN/SQXTUN saturate (QC), UADDLP, SADALP, SHLL', () => {
    const m = vm(['xtn v13.8b, v1.8h', 'xtn2 v13.16b, v2.8h', 'sqxtn v14.4h, v1.4s', 'uqxtn v15.2s, v1.2d', 'sqxtun v16.8b, v1.8h', 'uaddlp v17.4s, v1.8h', 'sadalp v18.2d, v1.4s', 'shll v19.8h, v1.8b, #8'], (m) => {
      m.cpu.fp.setQ(1, pack(16, [0x1234, 0x8001, 0x00ff, 0x7fff, 0xffff, 0x0100, 0x0080, 0x0001]));
      m.cpu.fp.setQ(2, pack(16, [0xaa01, 0xaa02, 0xaa03, 0xaa04, 0xaa05, 0xaa06, 0xaa07, 0xaa08]));
      m.cpu.fp.setQ(18, pack(64, [100n, -1n]));
    });
    expect(unpack(Q(m, 13), 8)).toEqual([0x34n, 1n, 0xffn, 0xffn, 0xffn, 0n, 0x80n, 1n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    // words: 0x80011234 (negative), 0x7fff00ff, 0x0100ffff, 0x00010080 -> saturated to int16
    expect(signed(Q(m, 14), 16, 4)).toEqual([-32768n, 32767n, 32767n, 32767n]);
    expect(Q(m, 14) >> 64n).toBe(0n);
    // doublewords 0x7fff00ff80011234 and 0x000100800100ffff: both above 2^32 - 1
    expect(unpack(Q(m, 15), 32, 2)).toEqual([0xffffffffn, 0xffffffffn]);
    // halves as signed: 0x1234 -> 255, -32767 -> 0, 255, 32767 -> 255, -1 -> 0, 256 -> 255, 128, 1
    expect(unpack(Q(m, 16), 8, 8)).toEqual([255n, 0n, 255n, 255n, 0n, 255n, 128n, 1n]);
    expect(m.cpu.fp.fpsr >>> 27).toBe(1);
    expect(unpack(Q(m, 17), 32)).toEqual([0x1234n + 0x8001n, 0xffn + 0x7fffn, 0xffffn + 0x100n, 0x81n]);
    // words as signed: 0x80011234 + 0x7fff00ff, 0x0100ffff + 0x00010080, plus 100 and -1
    expect(signed(Q(m, 18), 64)).toEqual([BigInt.asIntN(32, 0x80011234n) + 0x7fff00ffn + 100n, 0x0100ffffn + 0x00010080n - 1n]);
    expect(unpack(Q(m, 19), 16)).toEqual([0x34n, 0x12n, 0x01n, 0x80n, 0xffn, 0x00n, 0xffn, 0x7fn].map((x) => x << 8n));
  });
});

describe('aarch64 SIMD across lanes', () => {
  it('ADDV wraps, UADDLV widens, UMAXV/UMINV/SMAXV/SMINV, SADDLV', () => {
    const m = vm(['addv b0, v1.16b', 'uaddlv h2, v1.16b', 'umaxv s3, v1.4s', 'uminv h4, v1.8h', 'smaxv b5, v1.8b', 'sminv h6, v1.4h', 'saddlv d7, v1.4s'], (m) => {
      m.cpu.fp.setQ(1, 0xf0e0d0c0b0a09080ff01020304050607n);
      for (const r of [0, 2, 3, 4, 5, 6, 7]) m.cpu.fp.setQ(r, ALL1);
    });
    const bytes = unpack(0xf0e0d0c0b0a09080ff01020304050607n, 8);
    const sum = bytes.reduce((a, b) => a + b, 0n);
    expect(Q(m, 0)).toBe(sum & 0xffn);
    expect(Q(m, 2)).toBe(sum);
    expect(Q(m, 3)).toBe(0xff010203n);
    expect(Q(m, 4)).toBe(0x0203n);
    expect(Q(m, 5)).toBe(0x07n); // signed max of the low 8 bytes
    expect(Q(m, 6)).toBe(0xff01n); // signed min of the low 4 halves
    const words = signed(0xf0e0d0c0b0a09080ff01020304050607n, 32);
    expect(BigInt.asIntN(64, Q(m, 7))).toBe(words.reduce((a, b) => a + b, 0n));
  });
});

describe('aarch64 SIMD shifts by immediate', () => {
  it('vector shifts, rounding, accumulate, inserts, narrowing and widening', () => {
    const m = vm(
      ['shl v0.4s, v1.4s, #3', 'ushr v2.16b, v1.16b, #8', 'sshr v3.8h, v1.8h, #16', 'usra v4.4s, v1.4s, #1', 'srshr v5.4s, v1.4s, #4', 'urshr v6.2d, v1.2d, #64', 'sli v7.8h, v1.8h, #4', 'sri v8.16b, v1.16b, #3', 'shrn v9.8b, v1.8h, #4', 'rshrn2 v9.16b, v2.8h, #8', 'ushll v10.2d, v1.2s, #0', 'sshll2 v11.4s, v1.8h, #2', 'rshrn v17.2s, v1.2d, #32'],
      (m) => {
        m.cpu.fp.setQ(1, pack(32, [0x80000018, 0x7ffffff8, 0x00000008, 0xfffffff7]));
        m.cpu.fp.setQ(2, pack(16, [0x0180, 0x017f, 0xff80, 0, 0, 0, 0, 0x1234]));
        m.cpu.fp.setQ(4, pack(32, [1, 1, 1, 1]));
        m.cpu.fp.setQ(7, ALL1);
        m.cpu.fp.setQ(8, ALL1);
      },
    );
    const v1 = [0x80000018n, 0x7ffffff8n, 0x00000008n, 0xfffffff7n];
    expect(unpack(Q(m, 0), 32)).toEqual(v1.map((x) => (x << 3n) & mask(32)));
    expect(Q(m, 2)).toBe(0n);
    expect(signed(Q(m, 3), 16)).toEqual(signed(pack(32, v1), 16).map((x) => (x < 0n ? -1n : 0n)));
    expect(unpack(Q(m, 4), 32)).toEqual(v1.map((x) => 1n + (x >> 1n)));
    // SRSHR #4: (x + 8) >> 4, signed
    expect(signed(Q(m, 5), 32)).toEqual(v1.map((x) => (BigInt.asIntN(32, x) + 8n) >> 4n));
    // URSHR #64: the rounding bit alone (bit 63)
    expect(unpack(Q(m, 6), 64)).toEqual([0n, 1n]);
    expect(unpack(Q(m, 7), 16)).toEqual(unpack(pack(32, v1), 16).map((x) => ((x << 4n) | 0xfn) & 0xffffn));
    expect(unpack(Q(m, 8), 8)).toEqual(unpack(pack(32, v1), 8).map((x) => (x >> 3n) | 0xe0n));
    // V2 was cleared by the USHR above: RSHRN2 writes zeros to the upper half
    expect(unpack(Q(m, 9), 8)).toEqual([...unpack(pack(32, v1), 16, 8).map((x) => (x >> 4n) & 0xffn), 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const r = vm(['rshrn2 v9.16b, v2.8h, #8'], (m) => {
      m.cpu.fp.setQ(2, pack(16, [0x0180, 0x017f, 0xff80, 0, 0, 0, 0, 0x1234]));
      m.cpu.fp.setQ(9, 0x1111n);
    });
    expect(unpack(Q(r, 9), 8)).toEqual([0x11n, 0x11n, 0n, 0n, 0n, 0n, 0n, 0n, 2n, 1n, 0n, 0n, 0n, 0n, 0n, 0x12n]); // rounded, truncated
    expect(unpack(Q(m, 10), 64)).toEqual([0x80000018n, 0x7ffffff8n]);
    expect(signed(Q(m, 11), 32)).toEqual(signed(pack(32, v1), 16).slice(4).map((x) => x << 2n));
    expect(unpack(Q(m, 17), 32)).toEqual([0x7ffffff8n + 1n, 0xfffffff7n + 0n, 0n, 0n]);
  });

  it('scalar 64-bit shifts and fixed-point conversions', () => {
    const m = vm(['ushr d12, d1, #64', 'shl d13, d1, #63', 'sshr d14, d1, #1', 'usra d18, d1, #32', 'sli d19, d1, #32', 'sri d20, d1, #40', 'scvtf v15.4s, v2.4s, #16', 'fcvtzs v16.2d, v3.2d, #2', 'ucvtf v17.4s, v2.4s, #32'], (m) => {
      m.cpu.fp.setQ(1, 0xffff_ffff_0000_0003n | (0xaaaan << 64n));
      m.cpu.fp.setQ(2, pack(32, [0x18000, -0x8000, 1, 0x80000000]));
      m.cpu.fp.f64[6] = -2.3;
      m.cpu.fp.f64[7] = 1e300;
      m.cpu.fp.setQ(18, 5n);
      m.cpu.fp.setQ(19, ALL1);
      m.cpu.fp.setQ(20, ALL1);
    });
    expect(Q(m, 12)).toBe(0n);
    expect(Q(m, 13)).toBe(1n << 63n);
    expect(Q(m, 14)).toBe(0xffff_ffff_8000_0001n);
    expect(Q(m, 18)).toBe(5n + 0xffff_ffffn);
    expect(Q(m, 19)).toBe(0x0000_0003_ffff_ffffn);
    expect(Q(m, 20)).toBe(0xffff_ffff_ffff_ffffn & ~mask(24) | (0xffff_ffff_0000_0003n >> 40n));
    const f = m.cpu.fp.f32;
    expect([f[60], f[61], f[62], f[63]]).toEqual([1.5, -0.5, 2 ** -16, -32768]);
    expect(unpack(Q(m, 16), 64)).toEqual([BigInt.asUintN(64, -9n), 0x7fffffffffffffffn]);
    expect([f[68], f[69], f[70], f[71]]).toEqual([0x18000 / 2 ** 32, (2 ** 32 - 0x8000) / 2 ** 32, 2 ** -32, 0.5]);
  });
});

describe('aarch64 SIMD three different and by element', () => {
  it('long multiplies and accumulates, widening adds, absolute differences, narrowing high halves, PMULL', () => {
    const m = vm(
      ['umull v0.2d, v1.2s, v2.2s', 'smull2 v3.4s, v1.8h, v2.8h', 'umlal v4.8h, v1.8b, v2.8b', 'uaddl v5.4s, v1.4h, v2.4h', 'usubw v6.2d, v1.2d, v2.2s', 'uabdl2 v7.8h, v1.16b, v2.16b', 'addhn v8.4h, v1.4s, v2.4s', 'raddhn2 v8.4s, v1.2d, v2.2d', 'pmull v9.8h, v1.8b, v2.8b', 'smlsl v10.2d, v1.2s, v2.2s', 'saddw2 v11.4s, v1.4s, v2.8h'],
      (m) => {
        m.cpu.fp.setQ(1, pack(32, [0xffffffff, 0x80000000, 0x00017fff, 0xfffe8001]));
        m.cpu.fp.setQ(2, pack(32, [0xffffffff, 3, 0x80007fff, 0x00020003]));
        m.cpu.fp.setQ(4, pack(16, [1, 2, 3, 4, 5, 6, 7, 8]));
        m.cpu.fp.setQ(10, pack(64, [10n, 20n]));
      },
    );
    const a32 = [0xffffffffn, 0x80000000n, 0x00017fffn, 0xfffe8001n];
    const b32 = [0xffffffffn, 3n, 0x80007fffn, 0x00020003n];
    expect(unpack(Q(m, 0), 64)).toEqual([0xffffffffn * 0xffffffffn, 0x80000000n * 3n]);
    const a16 = signed(pack(32, a32), 16);
    const b16 = signed(pack(32, b32), 16);
    expect(signed(Q(m, 3), 32)).toEqual([4, 5, 6, 7].map((k) => a16[k] * b16[k]));
    const a8 = unpack(pack(32, a32), 8);
    const b8 = unpack(pack(32, b32), 8);
    expect(unpack(Q(m, 4), 16)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => (BigInt(k + 1) + a8[k] * b8[k]) & 0xffffn));
    const u16a = unpack(pack(32, a32), 16);
    const u16b = unpack(pack(32, b32), 16);
    expect(unpack(Q(m, 5), 32)).toEqual([0, 1, 2, 3].map((k) => u16a[k] + u16b[k]));
    expect(unpack(Q(m, 6), 64)).toEqual([(0x80000000ffffffffn - 0xffffffffn) & mask(64), (0xfffe800100017fffn - 3n) & mask(64)]);
    expect(unpack(Q(m, 7), 16)).toEqual([8, 9, 10, 11, 12, 13, 14, 15].map((k) => (a8[k] > b8[k] ? a8[k] - b8[k] : b8[k] - a8[k])));
    const addhn = [0, 1, 2, 3].map((k) => ((a32[k] + b32[k]) >> 16n) & 0xffffn);
    const a64 = unpack(pack(32, a32), 64);
    const b64 = unpack(pack(32, b32), 64);
    const raddhn = [0, 1].map((k) => (((a64[k] + b64[k]) & mask(64)) + (1n << 31n)) >> 32n & mask(32));
    expect(Q(m, 8)).toBe(pack(16, addhn) | (pack(32, raddhn) << 64n));
    const clmul = (x: bigint, y: bigint) => {
      let r = 0n;
      for (let k = 0n; k < 8n; k++) if ((y >> k) & 1n) r ^= x << k;
      return r;
    };
    expect(unpack(Q(m, 9), 16)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => clmul(a8[k], b8[k])));
    const s32a = signed(pack(32, a32), 32);
    const s32b = signed(pack(32, b32), 32);
    expect(signed(Q(m, 10), 64)).toEqual([10n - s32a[0] * s32b[0], 20n - s32a[1] * s32b[1]]);
    expect(signed(Q(m, 11), 32)).toEqual([0, 1, 2, 3].map((k) => BigInt.asIntN(32, s32a[k] + b16[4 + k])));
  });

  it('MUL/MLA/MLS/UMULL/SMLAL2 by element (H uses V0-V15), FMLA/FMUL/FMULX by element', () => {
    const m = vm(['mul v0.4s, v1.4s, v2.s[3]', 'mla v3.8h, v1.8h, v15.h[7]', 'umull v4.2d, v1.2s, v2.s[1]', 'smlal2 v7.4s, v1.8h, v2.h[1]', 'mls v9.4s, v1.4s, v31.s[0]'], (m) => {
      m.cpu.fp.setQ(1, pack(32, [3, -2, 0x10000, 7]));
      m.cpu.fp.setQ(2, pack(32, [0x50005, 0xfffffffe, 9, 11]));
      m.cpu.fp.setQ(15, pack(16, [0, 0, 0, 0, 0, 0, 0, 3]));
      m.cpu.fp.setQ(3, pack(16, [1, 1, 1, 1, 1, 1, 1, 1]));
      m.cpu.fp.setQ(31, pack(32, [2, 0, 0, 0]));
      m.cpu.fp.setQ(9, pack(32, [100, 100, 100, 100]));
    });
    expect(signed(Q(m, 0), 32)).toEqual([33n, -22n, 0x10000n * 11n, 77n]);
    expect(unpack(Q(m, 3), 16)).toEqual(unpack(pack(32, [3, -2, 0x10000, 7]), 16).map((x) => (1n + 3n * x) & 0xffffn));
    expect(unpack(Q(m, 4), 64)).toEqual([3n * 0xfffffffen, 0xfffffffen * 0xfffffffen]);
    const h = signed(pack(32, [3, -2, 0x10000, 7]), 16);
    expect(signed(Q(m, 7), 32)).toEqual([4, 5, 6, 7].map((k) => h[k] * 5n));
    expect(signed(Q(m, 9), 32)).toEqual([94n, 104n, 100n - 0x20000n, 86n]);
    const f = vm(['fmla v5.4s, v1.4s, v2.s[2]', 'fmul d6, d1, v2.d[1]', 'fmulx v8.2d, v1.2d, v2.d[0]'], (m) => {
      const fp = m.cpu.fp;
      fp.f32.set([1, 2, 3, 4], 4);
      fp.f32.set([0, 0, 10, 0], 8);
      fp.f32.set([0.5, 0.5, 0.5, 0.5], 20);
    });
    expect([...f.cpu.fp.f32.slice(20, 24)]).toEqual([10.5, 20.5, 30.5, 40.5]);
    const g = vm(['fmul d6, d1, v2.d[1]', 'fmulx v8.2d, v1.2d, v2.d[0]'], (m) => {
      m.cpu.fp.f64.set([Infinity, 3], 2);
      m.cpu.fp.f64.set([-0, 4], 4);
    });
    expect(g.cpu.fp.f64[12]).toBe(Infinity);
    expect([g.cpu.fp.f64[16], g.cpu.fp.f64[17]]).toEqual([-2, -0]); // FMULX: inf * -0 = -2
  });

  it('scalar integer forms (64-bit)', () => {
    const m = vm(['add d0, d1, d2', 'cmgt d3, d1, d2', 'neg d4, d1', 'addp d5, v1.2d', 'cmeq d6, d1, #0', 'ushl d13, d1, d2'], (m) => {
      m.cpu.fp.setQ(1, (7n << 64n) | 0xffff_ffff_ffff_fffen);
      m.cpu.fp.setQ(2, (9n << 64n) | 0x2n);
      m.cpu.fp.setQ(0, ALL1);
    });
    expect(Q(m, 0)).toBe(0n);
    expect(Q(m, 3)).toBe(0n); // -2 > 2 is false
    expect(Q(m, 4)).toBe(2n);
    expect(Q(m, 5)).toBe(5n);
    expect(Q(m, 6)).toBe(0n);
    expect(Q(m, 13)).toBe(0xffff_ffff_ffff_fff8n);
  });
});
