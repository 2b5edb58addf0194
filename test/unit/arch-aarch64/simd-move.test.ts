/** Advanced SIMD data movement: DUP/INS/UMOV/SMOV, vector immediates, permutes, EXT, TBL/TBX. */
import { describe, expect, it } from 'vitest';
import type { A64Machine } from './machine.js';
import { runAsm } from './run-asm.js';

const vm = runAsm;
const Q = (m: A64Machine, r: number) => m.cpu.fp.getQ(r);
const ALL1 = (1n << 128n) - 1n;
/** Bytes 0x00..0x0f (V1), 0x10..0x1f (V2), 0x20.. (V3). */
const seq = (base: number) => {
  let r = 0n;
  for (let k = 15; k >= 0; k--) r = (r << 8n) | BigInt(base + k);
  return r;
};
const rep = (hex: string, times: number) => BigInt('0x' + hex.repeat(times));

describe('aarch64 SIMD copy', () => {
  it('DUP from general and element registers, 64-bit and 128-bit', () => {
    const m = vm(['dup v0.16b, w1', 'dup v1.4s, v2.s[3]', 'dup v3.2d, x4'], (m) => {
      m.set(1, 0x1234);
      m.cpu.fp.setQ(2, seq(0x10));
      m.set(4, 0x1122334455667788n);
    });
    expect(Q(m, 0)).toBe(rep('34', 16));
    expect(Q(m, 1)).toBe(rep('1f1e1d1c', 4));
    expect(Q(m, 3)).toBe(rep('1122334455667788', 2));
  });

  it('INS keeps the other lanes; UMOV/SMOV extend; MOV Bd zeroes the rest', () => {
    const m = vm(['mov v5.s[1], w6', 'mov v5.b[15], v2.b[0]', 'umov w7, v2.h[7]', 'smov x8, v2.b[1]', 'mov x9, v2.d[1]', 'mov b10, v2.b[5]', 'smov w11, v2.h[0]'], (m) => {
      m.cpu.fp.setQ(5, ALL1);
      m.set(6, 0xdeadbeefn);
      m.cpu.fp.setQ(2, 0x8f8e8d8c8b8a89888786858483828180n);
      m.cpu.fp.setQ(10, ALL1);
    });
    expect(Q(m, 5)).toBe(0x80ffffffffffffffdeadbeefffffffffn);
    expect(m.x(7)).toBe(0x8f8en);
    expect(m.x(8)).toBe(0xffffffffffffff81n);
    expect(m.x(9)).toBe(0x8f8e8d8c8b8a8988n);
    expect(Q(m, 10)).toBe(0x85n);
    expect(m.x(11)).toBe(0xffff8180n);
  });
});

describe('aarch64 SIMD modified immediate', () => {
  it('MOVI/MVNI/ORR/BIC/FMOV (vector), MSL shifts, 64-bit forms', () => {
    const m = vm(
      ['movi v0.16b, #0xab', 'movi v1.2d, #0xff00ff00ff00ff00', 'movi d2, #0xff', 'mvni v3.4s, #0x12, lsl #8', 'orr v4.4s, #0x1, lsl #24', 'bic v5.8h, #0xff', 'fmov v6.4s, #1.0', 'fmov v7.2d, #-2.0', 'movi v8.2s, #0x12, msl #8', 'mvni v9.4h, #0x1'],
      (m) => {
        for (const r of [2, 4, 5, 8, 9]) m.cpu.fp.setQ(r, ALL1);
        m.cpu.fp.setQ(4, 0x10n);
      },
    );
    expect(Q(m, 0)).toBe(rep('ab', 16));
    expect(Q(m, 1)).toBe(rep('ff00ff00ff00ff00', 2));
    expect(Q(m, 2)).toBe(0xffn);
    expect(Q(m, 3)).toBe(rep('ffffedff', 4));
    expect(Q(m, 4)).toBe(0x01000000010000000100000001000010n);
    expect(Q(m, 5)).toBe(rep('ff00', 8));
    expect(Q(m, 6)).toBe(rep('3f800000', 4));
    expect(Q(m, 7)).toBe(rep('c000000000000000', 2));
    expect(Q(m, 8)).toBe(rep('000012ff', 2));
    expect(Q(m, 9)).toBe(rep('fffe', 4));
  });
});

describe('aarch64 SIMD permutes and tables', () => {
  const setup = (m: A64Machine) => {
    m.cpu.fp.setQ(1, seq(0x00));
    m.cpu.fp.setQ(2, seq(0x10));
  };
  const bytes = (v: bigint, n = 16) => [...Array(n)].map((_, k) => Number((v >> BigInt(8 * k)) & 0xffn));
  const words = (v: bigint) => [...Array(4)].map((_, k) => Number((v >> BigInt(32 * k)) & 0xffffffffn));

  it('ZIP/UZP/TRN', () => {
    const m = vm(['zip1 v0.16b, v1.16b, v2.16b', 'zip2 v3.4s, v1.4s, v2.4s', 'uzp1 v4.8h, v1.8h, v2.8h', 'uzp2 v5.16b, v1.16b, v2.16b', 'trn1 v6.4s, v1.4s, v2.4s', 'trn2 v7.8b, v1.8b, v2.8b', 'zip1 v13.2d, v1.2d, v2.2d'], setup);
    expect(bytes(Q(m, 0))).toEqual([0, 0x10, 1, 0x11, 2, 0x12, 3, 0x13, 4, 0x14, 5, 0x15, 6, 0x16, 7, 0x17]);
    expect(words(Q(m, 3))).toEqual([0x0b0a0908, 0x1b1a1918, 0x0f0e0d0c, 0x1f1e1d1c]);
    expect(bytes(Q(m, 4))).toEqual([0, 1, 4, 5, 8, 9, 12, 13, 0x10, 0x11, 0x14, 0x15, 0x18, 0x19, 0x1c, 0x1d]);
    expect(bytes(Q(m, 5))).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 0x11, 0x13, 0x15, 0x17, 0x19, 0x1b, 0x1d, 0x1f]);
    expect(words(Q(m, 6))).toEqual([0x03020100, 0x13121110, 0x0b0a0908, 0x1b1a1918]);
    expect(bytes(Q(m, 7))).toEqual([1, 0x11, 3, 0x13, 5, 0x15, 7, 0x17, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Q(m, 13)).toBe((seq(0x10) & ((1n << 64n) - 1n)) << 64n | (seq(0) & ((1n << 64n) - 1n)));
  });

  it('EXT, TBL (out of range gives 0), TBX (keeps Vd), tables wrap from V31 to V0', () => {
    const m = vm(['ext v8.16b, v1.16b, v2.16b, #3', 'ext v9.8b, v1.8b, v2.8b, #7', 'tbl v10.16b, {v1.16b}, v2.16b', 'tbx v11.16b, {v1.16b, v2.16b}, v3.16b', 'tbl v12.8b, {v30.16b, v31.16b, v0.16b}, v3.8b'], (m) => {
      setup(m);
      m.cpu.fp.setQ(2, 0x000102030405060708090a0b0c0d0e0fn | (0xffn << 120n)); // indices 15..0, last 0xff
      m.cpu.fp.setQ(3, 0x21201f1e1d1c1b1a1918171615141312n);
      m.cpu.fp.setQ(11, ALL1);
      m.cpu.fp.setQ(30, seq(0x40));
      m.cpu.fp.setQ(31, seq(0x50));
      m.cpu.fp.setQ(0, seq(0x60));
    });
    expect(bytes(Q(m, 8))).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x0f, 0x0e, 0x0d]);
    expect(bytes(Q(m, 9))).toEqual([7, 0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytes(Q(m, 10))).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    // indices 0x12..0x1f pick V2's bytes (0x0d, 0x0c... after the setQ above), 0x20 and 0x21 are out of range
    const v2 = bytes(0x000102030405060708090a0b0c0d0e0fn | (0xffn << 120n));
    expect(bytes(Q(m, 11))).toEqual([...[...Array(14)].map((_, k) => v2[2 + k]), 0xff, 0xff]);
    expect(bytes(Q(m, 12))).toEqual([0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
