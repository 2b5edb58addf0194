import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { exec, one, U32, U64 } from './machine.js';

const N = 8;
const Z = 4;
const C = 2;
const V = 1;

/** Edge values plus a fixed pseudo-random sample (xorshift, so every run is the same). */
function values(): bigint[] {
  const out = [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen];
  let s = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 10; i++) {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    out.push(s);
  }
  return out;
}
const VALS = values();
const S64 = (v: bigint) => BigInt.asIntN(64, v);
const S32 = (v: bigint) => BigInt.asIntN(32, v);

/** Reference AddWithCarry: result and NZCV. */
function awc(x: bigint, y: bigint, cin: bigint, sf: number): [bigint, number] {
  const bits = sf ? 64 : 32;
  const mask = (1n << BigInt(bits)) - 1n;
  x &= mask;
  y &= mask;
  const usum = x + y + cin;
  const sx = BigInt.asIntN(bits, x);
  const sy = BigInt.asIntN(bits, y);
  const ssum = sx + sy + cin;
  const r = usum & mask;
  const nf = (r >> BigInt(bits - 1)) & 1n ? N : 0;
  return [r, nf | (r === 0n ? Z : 0) | (usum !== r ? C : 0) | (BigInt.asIntN(bits, r) !== ssum ? V : 0)];
}

function refShift(v: bigint, type: string, amount: number, sf: number): bigint {
  const bits = sf ? 64 : 32;
  const mask = (1n << BigInt(bits)) - 1n;
  v &= mask;
  const a = BigInt(amount);
  if (type === 'lsl') return (v << a) & mask;
  if (type === 'lsr') return v >> a;
  if (type === 'asr') return BigInt.asUintN(bits, BigInt.asIntN(bits, v) >> a);
  return amount === 0 ? v : ((v >> a) | (v << BigInt(bits - amount))) & mask;
}

describe('aarch64 add/sub (shifted register)', () => {
  for (const sf of [1, 0]) {
    it(`ADD/ADDS/SUB/SUBS ${sf ? 64 : 32}-bit with every shift type at 0, 1, max`, () => {
      const max = sf ? 63 : 31;
      for (const type of ['lsl', 'lsr', 'asr']) {
        for (const amount of [0, 1, max]) {
          for (const x of VALS.slice(0, 16)) {
            for (const y of [0n, 1n, 0x8000000000000000n, 0xffffffff80000000n, VALS[18]]) {
              const op2 = refShift(y, type, amount, sf);
              const [sum, fadd] = awc(x, op2, 0n, sf);
              const [diff, fsub] = awc(x, ~op2, 1n, sf);
              let m = one(A.adds(0, 1, 2, type, amount, sf), { 1: x, 2: y });
              expect(m.x(0)).toBe(sum);
              expect(m.flags()).toBe(fadd);
              m = one(A.subs(0, 1, 2, type, amount, sf), { 1: x, 2: y });
              expect(m.x(0), `${x} - ${y} ${type} ${amount}`).toBe(diff);
              expect(m.flags()).toBe(fsub);
              expect(one(A.add(0, 1, 2, type, amount, sf), { 1: x, 2: y }).x(0)).toBe(sum);
              expect(one(A.sub(0, 1, 2, type, amount, sf), { 1: x, 2: y }).x(0)).toBe(diff);
            }
          }
        }
      }
    });
  }

  it('register 31 is XZR (not SP) in the shifted forms; NEG', () => {
    const m = exec([A.add(0, 31, 1), A.neg(2, 1), A.neg(3, 1, 0)], { 31: 0x1000, 1: 5 });
    expect(m.x(0)).toBe(5n);
    expect(m.x(2)).toBe(U64(-5n));
    expect(m.x(3)).toBe(U32(-5n));
  });

  it('shift type ROR and 32-bit amounts >= 32 are Undefined', () => {
    const ror = (1 << 31) | (0b01011 << 24) | (3 << 22) | (2 << 16) | (1 << 5);
    const big = (0b01011 << 24) | (2 << 16) | (32 << 10) | (1 << 5);
    expect(one(ror >>> 0).cpu.lastException?.esr).toBe(0x02000000);
    expect(one(big >>> 0).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 add/sub (extended register)', () => {
  const ext = (v: bigint, option: string): bigint => {
    switch (option) {
      case 'uxtb':
        return v & 0xffn;
      case 'uxth':
        return v & 0xffffn;
      case 'uxtw':
        return v & 0xffffffffn;
      case 'sxtb':
        return U64(BigInt.asIntN(8, v));
      case 'sxth':
        return U64(BigInt.asIntN(16, v));
      case 'sxtw':
        return U64(BigInt.asIntN(32, v));
      default:
        return v;
    }
  };
  it.each(['uxtb', 'uxth', 'uxtw', 'uxtx', 'sxtb', 'sxth', 'sxtw', 'sxtx'])('%s with shifts 0-4', (option) => {
    for (const shift of [0, 1, 4]) {
      for (const y of [0x80n, 0xff7fn, 0x80000000n, 0xfedcba9876543210n]) {
        const x = 0x1000n;
        const op2 = U64(ext(y, option) << BigInt(shift));
        expect(one(A.addx(0, 1, 2, option, shift), { 1: x, 2: y }).x(0)).toBe(U64(x + op2));
        const m = one(A.subsx(0, 1, 2, option, shift), { 1: x, 2: y });
        const [r, f] = awc(x, ~op2, 1n, 1);
        expect(m.x(0)).toBe(r);
        expect(m.flags()).toBe(f);
      }
    }
  });

  it('Rd and Rn are SP in ADD (extended); Rd is XZR in ADDS/SUBS (CMP)', () => {
    const m = exec([A.addx(A.SP, A.SP, 1, 'uxtw', 4), A.subsx(31, A.SP, 2, 'uxtx')], { 31: 0x100, 1: 0xffffffff_00000001n, 2: 0x200 });
    expect(m.x(31)).toBe(0x110n);
    expect(m.flags()).toBe(N);
  });

  it('32-bit extended add zeroes the upper half', () => {
    expect(one(A.addx(0, 1, 2, 'sxtb', 0, 0), { 1: 0xffffffff_00000000n, 2: 0x80n }).x(0)).toBe(0xffffff80n);
  });

  it('shift amounts above 4 are Undefined', () => {
    const w = (1 << 31) | (0b01011 << 24) | (1 << 21) | (2 << 16) | (3 << 13) | (5 << 10) | (1 << 5);
    expect(one(w >>> 0).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 logical (shifted register)', () => {
  const x = 0xf0f0f0f0_12345678n;
  const y = 0x8000000f_ff00ff00n;
  for (const sf of [1, 0]) {
    const bits = sf ? 64 : 32;
    const mask = (1n << BigInt(bits)) - 1n;
    for (const type of ['lsl', 'lsr', 'asr', 'ror']) {
      it(`${sf ? 64 : 32}-bit AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS with ${type} 0, 7 and ${bits - 1}`, () => {
        for (const amount of [0, 7, bits - 1]) {
          const op2 = refShift(y, type, amount, sf);
          const xm = x & mask;
          const cases: Array<[number, bigint]> = [
            [A.and(0, 1, 2, type, amount, sf), xm & op2],
            [A.bic(0, 1, 2, type, amount, sf), xm & ~op2 & mask],
            [A.orr(0, 1, 2, type, amount, sf), xm | op2],
            [A.orn(0, 1, 2, type, amount, sf), (xm | ~op2) & mask],
            [A.eor(0, 1, 2, type, amount, sf), xm ^ op2],
            [A.eon(0, 1, 2, type, amount, sf), (xm ^ ~op2) & mask],
            [A.ands(0, 1, 2, type, amount, sf), xm & op2],
            [A.bics(0, 1, 2, type, amount, sf), xm & ~op2 & mask],
          ];
          for (const [insn, expected] of cases) {
            const m = one(insn, { 1: x, 2: y });
            expect(m.x(0), `${type} ${amount}`).toBe(expected);
          }
          const m = exec([A.cmpi(1, 0), A.ands(0, 1, 2, type, amount, sf)], { 1: x, 2: y });
          const r = xm & op2;
          expect(m.flags()).toBe(((r >> BigInt(bits - 1)) & 1n ? N : 0) | (r === 0n ? Z : 0));
        }
      });
    }
  }

  it('MOV and MVN (ORR/ORN with XZR); MOV 32 zeroes the upper half', () => {
    const m = exec([A.mov(0, 1), A.mvn(2, 1), A.mov(3, 1, 0), A.mvn(4, 1, 0)], { 1: 0x12345678_9abcdef0n });
    expect(m.x(0)).toBe(0x123456789abcdef0n);
    expect(m.x(2)).toBe(0xedcba9876543210fn);
    expect(m.x(3)).toBe(0x9abcdef0n);
    expect(m.x(4)).toBe(0x6543210fn);
  });
});

describe('aarch64 ADC/SBC', () => {
  it.each([
    [1, 0n],
    [0, 1n],
  ])('sf %i carry-in %s', (sf, carry) => {
    for (const x of VALS.slice(0, 14)) {
      for (const y of [0n, 1n, 0xffffffffn, 0xffffffffffffffffn, 0x8000000000000000n]) {
        // set C with CMP x1, x1 (C = 1) or CMN with 1 on 0 (C = 0)
        const setC = carry ? A.cmp(31, 31) : A.cmni(31, 1);
        const [sum, fsum] = awc(x, y, carry, sf);
        const [diff, fdiff] = awc(x, ~y, carry, sf);
        let m = exec([setC, A.adcs(0, 1, 2, sf)], { 1: x, 2: y });
        expect(m.x(0)).toBe(sum);
        expect(m.flags()).toBe(fsum);
        m = exec([setC, A.sbcs(0, 1, 2, sf)], { 1: x, 2: y });
        expect(m.x(0)).toBe(diff);
        expect(m.flags()).toBe(fdiff);
        m = exec([setC, A.adc(0, 1, 2, sf), A.sbc(3, 1, 2, sf)], { 1: x, 2: y });
        expect(m.x(0)).toBe(sum);
        expect(m.x(3)).toBe(diff);
        expect(m.flags()).toBe(carry ? Z | C : 0); // ADC/SBC leave the flags alone
      }
    }
  });

  it('a 128-bit add with ADDS + ADC', () => {
    const m = exec([A.adds(0, 2, 4), A.adc(1, 3, 5)], { 2: 0xffffffffffffffffn, 3: 1n, 4: 1n, 5: 2n });
    expect(m.x(0)).toBe(0n);
    expect(m.x(1)).toBe(4n);
  });
});

describe('aarch64 conditional compare and select', () => {
  it('CCMP compares when the condition holds and sets #nzcv otherwise', () => {
    let m = exec([A.cmpi(1, 5), A.ccmp(2, 3, 0b0010, 'eq')], { 1: 5, 2: 7, 3: 7 });
    expect(m.flags()).toBe(Z | C);
    m = exec([A.cmpi(1, 4), A.ccmp(2, 3, 0b1001, 'eq')], { 1: 5, 2: 7, 3: 7 });
    expect(m.flags()).toBe(N | V);
    m = exec([A.cmpi(1, 5), A.ccmpi(2, 31, 0, 'eq', 0)], { 1: 5, 2: 0x80000000n });
    expect(m.flags()).toBe(C | V); // INT32_MIN - 31 overflows
    m = exec([A.cmpi(1, 5), A.ccmni(2, 1, 0, 'ne')], { 1: 5, 2: 0xffffffffffffffffn });
    expect(m.flags()).toBe(0); // condition false: nzcv = 0
    m = exec([A.cmpi(1, 5), A.ccmni(2, 1, 0, 'eq')], { 1: 5, 2: 0xffffffffffffffffn });
    expect(m.flags()).toBe(Z | C);
    m = exec([A.cmpi(1, 5), A.ccmn(2, 3, 0, 'al')], { 1: 5, 2: 0x7fffffffffffffffn, 3: 1n });
    expect(m.flags()).toBe(N | V);
  });

  const conds: Array<[string, number, boolean]> = [
    ['eq', Z, true],
    ['eq', 0, false],
    ['ne', 0, true],
    ['cs', C, true],
    ['cc', C, false],
    ['mi', N, true],
    ['pl', N, false],
    ['vs', V, true],
    ['vc', V, false],
    ['hi', C, true],
    ['hi', C | Z, false],
    ['ls', Z, true],
    ['ge', N | V, true],
    ['ge', N, false],
    ['lt', V, true],
    ['gt', 0, true],
    ['gt', Z, false],
    ['le', Z, true],
    ['le', N, true],
    ['al', 0, true],
    ['nv', 0, true],
  ];
  it.each(conds)('CSEL %s with NZCV %i -> %s', (cond, nzcv, holds) => {
    const m = exec([A.msr(A.NZCV, 9), A.csel(0, 1, 2, cond)], { 9: BigInt(nzcv) << 28n, 1: 111, 2: 222 });
    expect(m.x(0)).toBe(holds ? 111n : 222n);
  });

  it('CSINC/CSINV/CSNEG on the false path, CSET/CSETM, 32-bit forms', () => {
    const regs = { 1: 0x1111n, 2: 0xffffffffffffffffn, 3: 0x00000001_ffffffffn };
    const m = exec([A.cmp(1, 1), A.csinc(4, 1, 2, 'ne'), A.csinv(5, 1, 3, 'ne'), A.csneg(6, 1, 3, 'ne'), A.csinc(7, 1, 3, 'ne'), A.csinc(8, 1, 3, 'ne', 0), A.cset(9, 'eq'), A.csetm(10, 'eq'), A.csneg(11, 1, 3, 'ne', 0)], regs);
    expect(m.x(4)).toBe(0n);
    expect(m.x(5)).toBe(0xfffffffe00000000n);
    expect(m.x(6)).toBe(0xfffffffe00000001n);
    expect(m.x(7)).toBe(0x0000000200000000n);
    expect(m.x(8)).toBe(0n);
    expect(m.x(9)).toBe(1n);
    expect(m.x(10)).toBe(0xffffffffffffffffn);
    expect(m.x(11)).toBe(1n);
  });
});

describe('aarch64 data processing (1 source)', () => {
  const rbit = (v: bigint, bits: number) => {
    let r = 0n;
    for (let i = 0; i < bits; i++) if ((v >> BigInt(i)) & 1n) r |= 1n << BigInt(bits - 1 - i);
    return r;
  };
  const bytes = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(8 * i)) & 0xffn);
  const fromBytes = (b: bigint[]) => b.reduce((acc, x, i) => acc | (x << BigInt(8 * i)), 0n);
  const clz = (v: bigint, bits: number) => {
    for (let i = bits - 1; i >= 0; i--) if ((v >> BigInt(i)) & 1n) return BigInt(bits - 1 - i);
    return BigInt(bits);
  };
  const cls = (v: bigint, bits: number) => {
    const top = (v >> BigInt(bits - 1)) & 1n;
    let n = 0;
    for (let i = bits - 2; i >= 0 && ((v >> BigInt(i)) & 1n) === top; i--) n++;
    return BigInt(n);
  };
  it('RBIT, REV16, REV32, REV, CLZ, CLS match a reference on edge and random values', () => {
    for (const v of VALS) {
      const w = v & 0xffffffffn;
      expect(one(A.rbit(0, 1), { 1: v }).x(0)).toBe(rbit(v, 64));
      expect(one(A.rbit(0, 1, 0), { 1: v }).x(0)).toBe(rbit(w, 32));
      const b8 = bytes(v, 8);
      expect(one(A.rev(0, 1), { 1: v }).x(0)).toBe(fromBytes([...b8].reverse()));
      expect(one(A.rev(0, 1, 0), { 1: v }).x(0)).toBe(fromBytes(b8.slice(0, 4).reverse()));
      expect(one(A.rev32(0, 1), { 1: v }).x(0)).toBe(fromBytes([...b8.slice(0, 4).reverse(), ...b8.slice(4).reverse()]));
      expect(one(A.rev16(0, 1), { 1: v }).x(0)).toBe(fromBytes([b8[1], b8[0], b8[3], b8[2], b8[5], b8[4], b8[7], b8[6]]));
      expect(one(A.rev16(0, 1, 0), { 1: v }).x(0)).toBe(fromBytes([b8[1], b8[0], b8[3], b8[2]]));
      expect(one(A.clz(0, 1), { 1: v }).x(0)).toBe(clz(v, 64));
      expect(one(A.clz(0, 1, 0), { 1: v }).x(0)).toBe(clz(w, 32));
      expect(one(A.cls(0, 1), { 1: v }).x(0)).toBe(cls(v, 64));
      expect(one(A.cls(0, 1, 0), { 1: v }).x(0)).toBe(cls(w, 32));
    }
  });
});

describe('aarch64 data processing (2 source)', () => {
  it('UDIV/SDIV 64 and 32 against a reference, including x/0 = 0 and INT_MIN/-1 = INT_MIN', () => {
    const divisors = [0n, 1n, 2n, 3n, 7n, 0xffffffffn, 0x100000000n, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, VALS[15], VALS[20] >> 20n];
    for (const n of VALS) {
      for (const d of divisors) {
        const uq = d === 0n ? 0n : n / d;
        const sq = d === 0n ? 0n : U64(S64(n) / S64(d));
        expect(one(A.udiv(0, 1, 2), { 1: n, 2: d }).x(0), `${n} / ${d}`).toBe(uq);
        expect(one(A.sdiv(0, 1, 2), { 1: n, 2: d }).x(0), `${S64(n)} / ${S64(d)}`).toBe(sq);
        const n32 = U32(n);
        const d32 = U32(d);
        expect(one(A.udiv(0, 1, 2, 0), { 1: n, 2: d }).x(0)).toBe(d32 === 0n ? 0n : n32 / d32);
        expect(one(A.sdiv(0, 1, 2, 0), { 1: n, 2: d }).x(0)).toBe(d32 === 0n ? 0n : U32(S32(n32) / S32(d32)));
      }
    }
    expect(one(A.sdiv(0, 1, 2), { 1: 0x8000000000000000n, 2: -1n }).x(0)).toBe(0x8000000000000000n);
    expect(one(A.sdiv(0, 1, 2, 0), { 1: 0x80000000n, 2: 0xffffffffn }).x(0)).toBe(0x80000000n);
  });

  it('LSLV/LSRV/ASRV/RORV use the shift amount modulo the data size', () => {
    const x = 0x8123456789abcdefn;
    for (const amount of [0n, 1n, 31n, 32n, 63n, 64n, 65n, 0xffffffffffffffc1n]) {
      for (const sf of [1, 0]) {
        const bits = sf ? 64 : 32;
        const a = Number(amount % BigInt(bits));
        expect(one(A.lslv(0, 1, 2, sf), { 1: x, 2: amount }).x(0)).toBe(refShift(x, 'lsl', a, sf));
        expect(one(A.lsrv(0, 1, 2, sf), { 1: x, 2: amount }).x(0)).toBe(refShift(x, 'lsr', a, sf));
        expect(one(A.asrv(0, 1, 2, sf), { 1: x, 2: amount }).x(0)).toBe(refShift(x, 'asr', a, sf));
        expect(one(A.rorv(0, 1, 2, sf), { 1: x, 2: amount }).x(0)).toBe(refShift(x, 'ror', a, sf));
      }
    }
  });
});

describe('aarch64 data processing (3 source)', () => {
  it('MADD/MSUB/SMADDL/SMSUBL/UMADDL/UMSUBL/SMULH/UMULH against a reference', () => {
    const acc = 0x0123456789abcdefn;
    for (const x of VALS) {
      for (const y of [0n, 1n, 0xffffffffn, 0x80000000n, 0xffffffffffffffffn, 0x8000000000000000n, VALS[16], VALS[21]]) {
        const r = { 1: x, 2: y, 3: acc };
        expect(one(A.madd(0, 1, 2, 3), r).x(0)).toBe(U64(acc + x * y));
        expect(one(A.msub(0, 1, 2, 3), r).x(0)).toBe(U64(acc - x * y));
        expect(one(A.madd(0, 1, 2, 3, 0), r).x(0)).toBe(U32(acc + x * y));
        expect(one(A.msub(0, 1, 2, 3, 0), r).x(0)).toBe(U32(acc - x * y));
        expect(one(A.smaddl(0, 1, 2, 3), r).x(0)).toBe(U64(acc + S32(x) * S32(y)));
        expect(one(A.smsubl(0, 1, 2, 3), r).x(0)).toBe(U64(acc - S32(x) * S32(y)));
        expect(one(A.umaddl(0, 1, 2, 3), r).x(0)).toBe(U64(acc + U32(x) * U32(y)));
        expect(one(A.umsubl(0, 1, 2, 3), r).x(0)).toBe(U64(acc - U32(x) * U32(y)));
        expect(one(A.smulh(0, 1, 2), r).x(0), `smulh ${x} ${y}`).toBe(U64((S64(x) * S64(y)) >> 64n));
        expect(one(A.umulh(0, 1, 2), r).x(0), `umulh ${x} ${y}`).toBe((x * y) >> 64n);
      }
    }
  });

  it('32-bit-only encodings of the long multiplies are Undefined', () => {
    const smaddlW = A.smaddl(0, 1, 2, 3) & 0x7fffffff;
    expect(one(smaddlW).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 CRC32 (Cortex-A53 has the CRC32 extension)', () => {
  const refCrc = (acc: number, data: bigint, bytes: number, poly: number) => {
    for (let i = 0; i < bytes; i++) {
      acc ^= Number((data >> BigInt(8 * i)) & 0xffn);
      for (let k = 0; k < 8; k++) acc = acc & 1 ? (acc >>> 1) ^ poly : acc >>> 1;
    }
    return BigInt(acc >>> 0);
  };
  it('CRC32B over "123456789" with the usual inversions gives the check values', () => {
    for (const [c, check] of [
      [false, 0xcbf43926n],
      [true, 0xe3069283n],
    ] as Array<[boolean, bigint]>) {
      let crc = 0xffffffffn;
      for (const ch of '123456789') crc = one(A.crc32(0, 0, 1, 2, c), { 1: crc, 2: BigInt(ch.charCodeAt(0)) }).x(0);
      expect(crc ^ 0xffffffffn).toBe(check);
    }
  });

  it('every size of CRC32 and CRC32C matches a bitwise reference; the upper half is ignored and zeroed', () => {
    for (const size of [0, 1, 2, 3]) {
      for (const c of [false, true]) {
        for (const data of [0x0123456789abcdefn, 0xffffffffffffffffn, 0x8000000000000001n]) {
          const acc = 0xdeadbeef_12345678n;
          const got = one(A.crc32(size, 0, 1, 2, c), { 1: acc, 2: data }).x(0);
          expect(got).toBe(refCrc(0x12345678, data, 1 << size, c ? 0x82f63b78 : 0xedb88320));
        }
      }
    }
  });

  it('CRC32X with sf = 0 and CRC32B with sf = 1 are Undefined', () => {
    expect(one(A.crc32(3, 0, 1, 2) & 0x7fffffff).cpu.lastException?.esr).toBe(0x02000000);
    expect(one((A.crc32(0, 0, 1, 2) | 0x80000000) >>> 0).cpu.lastException?.esr).toBe(0x02000000);
  });
});
