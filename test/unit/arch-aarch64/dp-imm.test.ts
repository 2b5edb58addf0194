import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, exec, makeMachine, one, U32, U64 } from './machine.js';

const N = 8;
const Z = 4;
const C = 2;
const V = 1;

describe('aarch64 add/sub (immediate)', () => {
  it.each([
    ['add 64', A.addi(0, 1, 4095), 0xfffffffffffff000n, 0xffffffffffffffffn],
    ['add 64 carries into the high word', A.addi(0, 1, 1), 0xffffffffn, 0x100000000n],
    ['add 64 wraps', A.addi(0, 1, 1), 0xffffffffffffffffn, 0n],
    ['add lsl #12', A.addi(0, 1, 0xfff, 1, 1), 0n, 0xfff000n],
    ['sub 64 borrows from the high word', A.subi(0, 1, 1), 0x100000000n, 0xffffffffn],
    ['sub 64 below zero', A.subi(0, 1, 2), 1n, 0xffffffffffffffffn],
    ['add 32 zeroes the upper half', A.addi(0, 1, 1, 0), 0xffffffff_ffffffffn, 0n],
    ['sub 32 zeroes the upper half', A.subi(0, 1, 1, 0), 0x12345678_00000000n, 0xffffffffn],
  ])('%s', (_n, insn, input, expected) => {
    expect(one(insn, { 1: input }).x(0)).toBe(expected);
  });

  it('uses SP for register 31 in Rd and Rn', () => {
    const m = exec([A.addi(A.SP, A.SP, 16), A.subi(0, A.SP, 1)], { 31: 0x1000 });
    expect(m.x(31)).toBe(0x1010n);
    expect(m.x(0)).toBe(0x100fn);
  });

  it('CMP (SUBS to XZR) discards the result; ADDS/SUBS read SP as Rn', () => {
    const m = exec([A.subsi(A.XZR, A.SP, 0x10)], { 31: 0x10 });
    expect(m.x(31)).toBe(0x10n);
    expect(m.flags()).toBe(Z | C);
  });

  it.each([
    // [name, insn, rn, result, NZCV]
    ['subs 0 - 0: Z and C (no borrow)', A.subsi(0, 1, 0), 0n, 0n, Z | C],
    ['subs 0 - 1: N, borrow clears C', A.subsi(0, 1, 1), 0n, 0xffffffffffffffffn, N],
    ['subs INT64_MIN - 1 overflows', A.subsi(0, 1, 1), 0x8000000000000000n, 0x7fffffffffffffffn, C | V],
    ['adds INT64_MAX + 1 overflows', A.addsi(0, 1, 1), 0x7fffffffffffffffn, 0x8000000000000000n, N | V],
    ['adds UINT64_MAX + 1 carries', A.addsi(0, 1, 1), 0xffffffffffffffffn, 0n, Z | C],
    ['adds 32 INT32_MAX + 1', A.addsi(0, 1, 1, 0), 0x7fffffffn, 0x80000000n, N | V],
    ['adds 32 UINT32_MAX + 1 carries, ignores the upper half', A.addsi(0, 1, 1, 0), 0x55555555_ffffffffn, 0n, Z | C],
    ['subs 32 INT32_MIN - 1', A.subsi(0, 1, 1, 0), 0x80000000n, 0x7fffffffn, C | V],
    ['cmn 32 -1 + 1', A.addsi(0, 1, 1, 0), 0xffffffffn, 0n, Z | C],
  ])('%s', (_n, insn, rn, result, nzcv) => {
    const m = one(insn, { 1: rn });
    expect(m.x(0)).toBe(result);
    expect(m.flags()).toBe(nzcv);
  });
});

describe('aarch64 logical (immediate) and DecodeBitMasks', () => {
  const patterns = [
    0x5555555555555555n,
    0xaaaaaaaaaaaaaaaan,
    0x00ff00ff00ff00ffn,
    0xff00ff00ff00ff00n,
    0x0000ffff0000ffffn,
    0x00000000ffffffffn,
    0x7fffffffffffffffn,
    0x8000000000000000n,
    0xfffffffffffffffen,
    0x0000000000000001n,
    0xfff0000000000fffn,
    0x3333333333333333n,
    0x1111111111111111n,
    0x8181818181818181n,
  ];
  it.each(patterns)('AND/ORR/EOR/ANDS with 0x%s', (imm) => {
    const x = 0x0123456789abcdefn;
    expect(one(A.andi(0, 1, imm), { 1: x }).x(0)).toBe(x & imm);
    expect(one(A.orri(0, 1, imm), { 1: x }).x(0)).toBe(x | imm);
    expect(one(A.eori(0, 1, imm), { 1: x }).x(0)).toBe(x ^ imm);
    const m = one(A.andsi(0, 1, imm), { 1: x });
    expect(m.x(0)).toBe(x & imm);
    expect(m.flags()).toBe(((x & imm) >> 63n ? N : 0) | ((x & imm) === 0n ? Z : 0));
  });

  it.each([0x55555555n, 0x0000ffffn, 0x80000000n, 0xfffffffen, 0x0f0f0f0fn, 0x7ffffffen])('32-bit forms with 0x%s zero the upper half', (imm) => {
    const x = 0xffffffff_89abcdefn;
    expect(one(A.orri(0, 1, imm, 0), { 1: x }).x(0)).toBe(U32(x) | imm);
    expect(one(A.eori(0, 1, imm, 0), { 1: x }).x(0)).toBe(U32(x) ^ imm);
    expect(one(A.andi(0, 1, imm, 0), { 1: x }).x(0)).toBe(U32(x) & imm);
  });

  it('ANDS sets N from bit 63 (64-bit) or bit 31 (32-bit); C and V are cleared', () => {
    let m = exec([A.cmpi(1, 0), A.andsi(0, 1, 0x8000000000000000n)], { 1: 0x8000000000000000n });
    expect(m.flags()).toBe(N);
    m = one(A.andsi(0, 1, 0x80000000, 0), { 1: 0xffffffff_80000000n });
    expect(m.flags()).toBe(N);
    m = one(A.tsti(1, 0xff), { 1: 0x100n });
    expect(m.flags()).toBe(Z);
  });

  it('AND/ORR/EOR immediate write SP for Rd = 31 (ANDS writes XZR)', () => {
    const m = exec([A.andi(A.SP, 1, 0xfffffffffffffff0n), A.andsi(31, 1, 0xf)], { 1: 0x12345n });
    expect(m.x(31)).toBe(0x12340n);
  });

  it('reserved encodings are Undefined: all-ones element, N=1 in 32-bit forms', () => {
    // imms = 111111 with N = 1 (all ones at esize 64) and esize 2 with imms = 111101 (len 1, S = levels)
    const allOnes64 = (1 << 31) | (0b100100 << 23) | (1 << 22) | (0 << 16) | (63 << 10) | (1 << 5);
    const n1In32 = (0b100100 << 23) | (1 << 22) | (0 << 10) | (1 << 5);
    const lenZero = (1 << 31) | (0b100100 << 23) | (0 << 22) | (0b111111 << 10) | (1 << 5);
    for (const w of [allOnes64, n1In32, lenZero]) {
      const m = one(w >>> 0);
      expect(m.cpu.lastException?.esr).toBe(0x02000000);
    }
  });
});

describe('aarch64 move wide', () => {
  it.each([
    ['movz hw 0', A.movz(0, 0xbeef), 0xbeefn],
    ['movz hw 3', A.movz(0, 0xbeef, 3), 0xbeef000000000000n],
    ['movn 64', A.movn(0, 0), 0xffffffffffffffffn],
    ['movn hw 2', A.movn(0, 0x1234, 2), 0xffffedcbffffffffn],
    ['movz 32 hw 1', A.movz(0, 0x8000, 1, 0), 0x80000000n],
    ['movn 32 zeroes the upper half', A.movn(0, 0, 0, 0), 0xffffffffn],
    ['movn 32 hw 1', A.movn(0, 0x1, 1, 0), 0xfffeffffn],
  ])('%s', (_n, insn, expected) => {
    expect(one(insn, { 0: 0x5555555555555555n }).x(0)).toBe(expected);
  });

  it('movk replaces one halfword and keeps the rest (32-bit form zeroes the upper half)', () => {
    expect(one(A.movk(0, 0xcafe, 2), { 0: 0x1111222233334444n }).x(0)).toBe(0x1111cafe33334444n);
    expect(one(A.movk(0, 0xcafe, 1), { 0: 0x1111222233334444n }).x(0)).toBe(0x11112222cafe4444n);
    expect(one(A.movk(0, 0xcafe, 1, 0), { 0: 0x1111222233334444n }).x(0)).toBe(0xcafe4444n);
  });

  it('mov64 builds any constant', () => {
    for (const v of [0n, 0xffffffffffffffffn, 0x8000000000000001n, 0x00000000ffff0000n, 0xffff000000000000n]) {
      expect(exec(A.mov64(3, v)).x(3)).toBe(v);
    }
  });

  it('32-bit move wide with hw >= 2 is Undefined', () => {
    const w = (2 << 29) | (0b100101 << 23) | (2 << 21) | 1;
    expect(one(w >>> 0).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 ADR/ADRP', () => {
  it('ADR is pc-relative in bytes, ADRP in 4 KiB pages from the pc page', () => {
    const m = makeMachine();
    m.load([A.nop(), A.adr(0, -4), A.adr(1, 1048575), A.adrp(2, 1), A.adrp(3, -0x80)], CODE + 0x100);
    m.run(5);
    expect(m.x(0)).toBe(BigInt(CODE + 0x100));
    expect(m.x(1)).toBe(BigInt(CODE + 0x108 + 1048575));
    expect(m.x(2)).toBe(BigInt(CODE + 0x1000));
    expect(m.x(3)).toBe(BigInt(CODE - 0x80000));
  });

  it('ADRP reaches below 0 (64-bit wrap) and far pages', () => {
    const m = makeMachine();
    m.load([A.adrp(0, -0x100000), A.adrp(1, 0xfffff)]);
    m.run(2);
    expect(m.x(0)).toBe(U64(BigInt(CODE) - 0x100000000n));
    expect(m.x(1)).toBe(BigInt(CODE) + 0xfffff000n);
  });
});

/** Reference bitfield move from the Arm ARM pseudocode, with BigInt. */
function refBitfield(opc: number, sf: number, dst: bigint, src: bigint, immr: number, imms: number): bigint {
  const d = sf ? 64 : 32;
  const mask = (1n << BigInt(d)) - 1n;
  src &= mask;
  dst &= mask;
  const ror = (x: bigint, r: number) => (r === 0 ? x : ((x >> BigInt(r)) | (x << BigInt(d - r))) & mask);
  // DecodeBitMasks(N, imms, immr, FALSE) with esize = datasize
  const ones = (k: number) => (1n << BigInt(k)) - 1n;
  const s = imms;
  const r = immr;
  const diff = (s - r) & 63 & (d - 1);
  const wmask = ror(ones(s + 1), r);
  const tmask = ones(diff + 1);
  const bot = ror(src, r) & wmask;
  if (opc === 1) {
    const bot2 = (dst & ~wmask) | (ror(src, r) & wmask);
    return ((dst & ~tmask) | (bot2 & tmask)) & mask;
  }
  const top = opc === 0 && (src >> BigInt(s)) & 1n ? mask : 0n;
  return ((top & ~tmask) | (bot & tmask)) & mask;
}

describe('aarch64 bitfield moves', () => {
  const values = [0x0123456789abcdefn, 0xfedcba9876543210n, 0x8000000000000000n, 0xffffffffffffffffn, 0x7fffffff80000000n];
  const fields: Array<[number, number]> = [
    [0, 0],
    [0, 63],
    [63, 63],
    [63, 0],
    [1, 0],
    [0, 31],
    [31, 31],
    [32, 31],
    [4, 11],
    [60, 3],
    [13, 40],
    [40, 13],
  ];
  for (const sf of [1, 0]) {
    for (const opc of [0, 1, 2]) {
      it(`${['SBFM', 'BFM', 'UBFM'][opc]} ${sf ? 64 : 32}-bit matches the Arm ARM pseudocode`, () => {
        for (const [immr, imms] of fields) {
          if (!sf && (immr >= 32 || imms >= 32)) continue;
          for (const src of values) {
            const dst = 0xa5a5a5a5a5a5a5a5n;
            const insn = [A.sbfm, A.bfm, A.ubfm][opc](0, 1, immr, imms, sf);
            const got = one(insn, { 0: dst, 1: src }).x(0);
            expect(got, `immr ${immr} imms ${imms} src ${src.toString(16)}`).toBe(refBitfield(opc, sf, dst, src, immr, imms));
          }
        }
      });
    }
  }

  it.each([
    ['lsl #0', A.lsli(0, 1, 0), 0x8000000000000001n, 0x8000000000000001n],
    ['lsl #63', A.lsli(0, 1, 63), 0x3n, 0x8000000000000000n],
    ['lsr #63', A.lsri(0, 1, 63), 0x8000000000000000n, 1n],
    ['asr #63', A.asri(0, 1, 63), 0x8000000000000000n, 0xffffffffffffffffn],
    ['asr #0', A.asri(0, 1, 0), 0x8000000000000000n, 0x8000000000000000n],
    ['lsl w #31', A.lsli(0, 1, 31, 0), 0xffffffff_00000003n, 0x80000000n],
    ['asr w #31 keeps the upper half zero', A.asri(0, 1, 31, 0), 0x80000000n, 0xffffffffn],
    ['sxtb', A.sxtb(0, 1), 0x80n, 0xffffffffffffff80n],
    ['sxth w', A.sxth(0, 1, 0), 0x8000n, 0xffff8000n],
    ['sxtw', A.sxtw(0, 1), 0x12345678_80000000n, 0xffffffff80000000n],
    ['uxtb', A.uxtb(0, 1), 0x1234n, 0x34n],
    ['uxth', A.uxth(0, 1), 0xffff_12345678n, 0x5678n],
    ['ubfx', A.ubfx(0, 1, 60, 4), 0xa000000000000000n, 0xan],
    ['sbfx', A.sbfx(0, 1, 60, 4), 0xa000000000000000n, 0xfffffffffffffffan],
    ['ubfiz', A.ubfiz(0, 1, 32, 8), 0x1ffn, 0xff00000000n],
    ['sbfiz', A.sbfiz(0, 1, 4, 4), 0x8n, 0xffffffffffffff80n],
  ])('%s', (_n, insn, input, expected) => {
    expect(one(insn, { 1: input }).x(0)).toBe(expected);
  });

  it('BFI and BFXIL keep the other destination bits', () => {
    expect(one(A.bfi(0, 1, 60, 4), { 0: 0x0123456789abcdefn, 1: 0xfn }).x(0)).toBe(0xf123456789abcdefn);
    expect(one(A.bfxil(0, 1, 8, 8), { 0: 0xffffffffffffffffn, 1: 0x1200n }).x(0)).toBe(0xffffffffffffff12n);
    expect(one(A.bfi(0, 1, 0, 32, 0), { 0: 0xffffffff_00000000n, 1: 0x1234n }).x(0)).toBe(0x1234n);
  });

  it('N != sf and 32-bit immr/imms >= 32 are Undefined', () => {
    const nMismatch = (1 << 31) | (2 << 29) | (0b100110 << 23) | (0 << 22) | (1 << 5);
    const imms32 = (2 << 29) | (0b100110 << 23) | (32 << 10) | (1 << 5);
    expect(one(nMismatch >>> 0).cpu.lastException?.esr).toBe(0x02000000);
    expect(one(imms32 >>> 0).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 EXTR', () => {
  const ref = (n: bigint, m: bigint, lsb: number, sf: number) => {
    const d = BigInt(sf ? 64 : 32);
    const mask = (1n << d) - 1n;
    return ((((n & mask) << d) | (m & mask)) >> BigInt(lsb)) & mask;
  };
  const n = 0xaaaaaaaa_87654321n;
  const m = 0x11111111_0fedcba9n;
  it.each([0, 1, 4, 31, 32, 33, 63])('64-bit lsb %i', (lsb) => {
    expect(one(A.extr(0, 1, 2, lsb), { 1: n, 2: m }).x(0)).toBe(ref(n, m, lsb, 1));
  });
  it.each([0, 1, 5, 31])('32-bit lsb %i zeroes the upper half', (lsb) => {
    expect(one(A.extr(0, 1, 2, lsb, 0), { 1: n, 2: m }).x(0)).toBe(ref(n, m, lsb, 0));
  });
  it('ROR (immediate) is EXTR with Rn = Rm', () => {
    expect(one(A.rori(0, 1, 5, 0), { 1: 0x1f }).x(0)).toBe(0xf8000000n);
    expect(one(A.rori(0, 1, 63), { 1: 0x8000000000000001n }).x(0)).toBe(0x3n);
  });
});
