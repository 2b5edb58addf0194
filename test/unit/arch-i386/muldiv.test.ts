import { describe, expect, it } from 'vitest';
import { CF, OF, PF, SF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { DE, EAX, EBX, ECX, EDX, ESI, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';
import { div32, mul32, R } from '../../../plugins/arch-i386/src/muldiv32.js';

describe('i386 group 3, MOVZX/MOVSX, CBW/CWD, XCHG, LOOP, Jcc near', () => {
  it('MUL r8 and r32; IMUL r16 sets CF/OF when the high half is significant', () => {
    let m = run16([0xf6, 0xe3], { [EAX]: 0xff, [EBX]: 0xff }); // mul %bl
    expect(m.cpu.getReg(EAX)).toBe(0xfe01);
    expect(m.cpu.eflags & (CF | OF)).toBe(CF | OF);
    m = run16([0x66, 0xf7, 0xe3], { [EAX]: 0xffffffff, [EBX]: 0xffffffff }); // mull %ebx
    expect(m.cpu.getReg(EAX)).toBe(1);
    expect(m.cpu.getReg(EDX)).toBe(0xfffffffe);
    m = run16([0xf7, 0xe9], { [EAX]: 0xffff, [ECX]: 2 }); // imul %cx: -1 * 2
    expect(m.cpu.getReg(EAX)).toBe(0xfffe);
    expect(m.cpu.getReg(EDX)).toBe(0xffff);
    expect(m.cpu.eflags & (CF | OF)).toBe(0);
  });

  it('DIV r16 and r8, IDIV r32 with negative dividend (remainder takes the dividend sign)', () => {
    let m = run16([0xf7, 0xf3], { [EDX]: 1, [EAX]: 0x0005, [EBX]: 0x10 }); // 0x10005 / 0x10
    expect(m.cpu.getReg(EAX)).toBe(0x1000);
    expect(m.cpu.getReg(EDX)).toBe(5);
    m = run16([0xf6, 0xf1], { [EAX]: 0x1234, [ECX]: 0x40 }); // divb %cl
    expect(m.cpu.getReg(EAX)).toBe((0x34 << 8) | 0x48);
    m = run16([0x66, 0xf7, 0xfb], { [EDX]: -1, [EAX]: -7, [EBX]: 2 }); // idivl %ebx
    expect(m.cpu.getReg(EAX) | 0).toBe(-3);
    expect(m.cpu.getReg(EDX) | 0).toBe(-1);
  });

  it('#DE on divide by zero and on quotient overflow, through IVT vector 0', () => {
    for (const [code, regs] of [
      [[0xf6, 0xf1], { [EAX]: 0x100, [ECX]: 1 }], // 0x100 / 1 does not fit AL
      [[0xf7, 0xf3], { [EAX]: 1, [EBX]: 0 }], // divide by zero
      [[0x66, 0xf7, 0xfb], { [EDX]: 0, [EAX]: 0x80000000, [EBX]: 1 }], // +2^31 does not fit a signed 32-bit quotient
    ] as Array<[number[], Record<number, number>]>) {
      const m = run16(code, regs, (mm) => {
        mm.ram.view.setUint32(DE * 4, 0x30000100, true); // 3000:0100
        mm.bus.dmaWrite(0x30100, Uint8Array.of(0xf4));
      });
      expect(m.cpu.lastException).toEqual({ vector: DE, eip: 0, errorCode: -1 });
      expect(m.cpu.pc).toBe(0x30101);
      expect(m.cpu.getReg(ESP)).toBe(0x8000 - 6);
    }
  });

  it('NEG, NOT, TEST', () => {
    let m = run16([0xf7, 0xd8], { [EAX]: 1 }); // neg %ax
    expect(m.cpu.getReg(EAX)).toBe(0xffff);
    expect(m.cpu.eflags & (CF | SF | ZF)).toBe(CF | SF);
    m = run16([0xf7, 0xd8], { [EAX]: 0 });
    expect(m.cpu.eflags & (CF | ZF)).toBe(ZF);
    m = run16([0xf6, 0xd0, 0xa8, 0x80], { [EAX]: 0x0f }); // not %al; test $0x80, %al
    expect(m.cpu.getReg(EAX)).toBe(0xf0);
    expect(m.cpu.eflags & (SF | ZF | PF | CF | OF)).toBe(SF); // 0x80 has odd parity
  });

  it('MOVZX, MOVSX, CBW, CWD, CDQ, CWDE', () => {
    const m = run16([
      0x0f, 0xb6, 0xd0, // movzbw %al, %dx
      0x66, 0x0f, 0xbf, 0xc8, // movswl %ax, %ecx
      0x66, 0x0f, 0xbe, 0xf0, // movsbl %al, %esi
    ], { [EAX]: 0x8080, [EDX]: 0xffff0000 });
    expect(m.cpu.getReg(EDX)).toBe(0xffff0080);
    expect(m.cpu.getReg(ECX)).toBe(0xffff8080);
    expect(m.cpu.getReg(ESI)).toBe(0xffffff80);
    expect(run16([0x98], { [EAX]: 0x80 }).cpu.getReg(EAX)).toBe(0xff80); // cbw
    expect(run16([0x99], { [EAX]: 0x8000 }).cpu.getReg(EDX)).toBe(0xffff); // cwd
    expect(run16([0x66, 0x99], { [EAX]: 0x80000000 }).cpu.getReg(EDX)).toBe(0xffffffff); // cdq
    expect(run16([0x66, 0x98], { [EAX]: 0x8000 }).cpu.getReg(EAX)).toBe(0xffff8000); // cwde
  });

  it('XCHG, LOOP counts CX down, Jcc rel16', () => {
    let m = run16([0x93, 0x86, 0x04], { [EAX]: 0x11, [EBX]: 0x22, [ESI]: 0x200 }, (mm) => mm.bus.dmaWrite(0x200, Uint8Array.of(0x33)));
    expect(m.cpu.getReg(EBX)).toBe(0x11);
    expect(m.cpu.getReg(EAX)).toBe(0x33);
    expect(m.ram.view.getUint8(0x200)).toBe(0x22);
    m = run16([0x40, 0xe2, 0xfd], { [ECX]: 5 }); // inc %ax; loop back
    expect(m.cpu.getReg(EAX)).toBe(5);
    expect(m.cpu.getReg(ECX)).toBe(0);
    m = run16([0x0f, 0x85, 0x01, 0x00, 0xf4, 0xb0, 0x09], { [EAX]: 0 }); // jne +1 (ZF clear at reset)
    expect(m.cpu.getReg(EAX)).toBe(9);
  });
});

describe('i386 LOOPE/LOOPNE, JCXZ, SETcc', () => {
  it('LOOPNE stops when ZF is set, LOOPE when it is clear; JCXZ jumps on CX = 0', () => {
    // inc %ax; cmp $3,%ax; loopne back (e0 f8)
    let m = run16([0x40, 0x83, 0xf8, 0x03, 0xe0, 0xfa], { [ECX]: 10 });
    expect(m.cpu.getReg(EAX)).toBe(3);
    expect(m.cpu.getReg(ECX)).toBe(7);
    // cmp %ax,%ax (ZF); loope back (runs CX times)
    m = run16([0x39, 0xc0, 0xe1, 0xfc], { [ECX]: 4 });
    expect(m.cpu.getReg(ECX)).toBe(0);
    m = run16([0xe3, 0x02, 0xb0, 0x01], { [ECX]: 0x10000, [EAX]: 0 }); // jcxz over mov $1,%al: CX = 0
    expect(m.cpu.getReg(EAX)).toBe(0);
  });

  it('SETcc writes 1 or 0 to a byte', () => {
    const m = run16([0x39, 0xc0, 0x0f, 0x94, 0xc0, 0x0f, 0x92, 0x04], { [EAX]: 0x1234, [ESI]: 0x300 }, (mm) => mm.bus.dmaWrite(0x300, Uint8Array.of(0x55)));
    expect(m.cpu.getReg(EAX)).toBe(0x1201); // sete %al
    expect(m.ram.view.getUint8(0x300)).toBe(0); // setb (%si): CF clear
  });
});

describe('i386 32-bit MUL/IMUL and DIV/IDIV without BigInt (muldiv32.ts)', () => {
  const rnd = (() => {
    let x = 0x2545f491;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x | 0;
    };
  })();
  const edge = [0, 1, -1, 2, 0x7fffffff, -0x80000000, 0xffff, 0x10000, -2];
  const pick = (i: number) => (i < edge.length * edge.length ? edge[Math.floor(i / edge.length)] : rnd());
  const pick2 = (i: number) => (i < edge.length * edge.length ? edge[i % edge.length] : rnd());
  const u = (x: number) => BigInt(x >>> 0);
  const s = (x: number) => BigInt(x | 0);

  it('gives the BigInt model products and CF/OF on edge values and random operands', () => {
    for (let i = 0; i < 3000; i++) {
      const a = pick(i), b = pick2(i);
      for (const signed of [false, true]) {
        const p = signed ? s(a) * s(b) : u(a) * u(b);
        const sig = mul32(a, b, signed);
        expect(BigInt.asUintN(64, (BigInt(R[1] >>> 0) << 32n) | BigInt(R[0] >>> 0))).toBe(BigInt.asUintN(64, p));
        expect(sig).toBe(signed ? p !== BigInt.asIntN(32, p) : p > 0xffffffffn);
      }
    }
  });

  it('gives the BigInt model quotients and remainders, and #DE exactly when the quotient does not fit', () => {
    for (let i = 0; i < 3000; i++) {
      const hi = i % 3 === 0 ? rnd() >> (i % 31) : pick(i), lo = rnd(), d = pick2(i) || 3;
      for (const signed of [false, true]) {
        const n = signed ? (s(hi) << 32n) | u(lo) : (u(hi) << 32n) | u(lo);
        const dd = signed ? s(d) : u(d);
        const q = n / dd;
        const fits = signed ? q === BigInt.asIntN(32, q) : q <= 0xffffffffn;
        expect(div32(hi, lo, d, signed)).toBe(fits);
        if (fits) {
          expect(R[0] >>> 0).toBe(Number(BigInt.asUintN(32, q)));
          expect(R[1] >>> 0).toBe(Number(BigInt.asUintN(32, n % dd)));
        }
      }
    }
  });

  it('divides exactly on both sides of the double-division path (dividends below 2^52) and at quotient boundaries', () => {
    let checked = 0;
    for (let i = 0; i < 4000; i++) {
      const hi = [0, 1, 0xffffe, 0xfffff, 0x100000, 0x100001, 0x7ffff][i % 7];
      const d = BigInt((hi + 1 + (rnd() >>> (i % 32))) >>> 0 || 1); // above hi: the quotient fits
      // n = q * d + r with r in {0, 1, d - 1}, n's high word hi: quotients right at, above and below an integer.
      const r = [0n, 1n, d - 1n][i % 3] % d;
      const base = BigInt(hi) << 32n, qLow = (base + d - 1n) / d, qHigh = (base + 0xffffffffn - r) / d;
      if (qHigh < qLow) continue;
      const q = qLow + (BigInt(rnd() >>> 0) % (qHigh - qLow + 1n));
      const n = q * d + r;
      const lo = Number(n & 0xffffffffn) | 0;
      expect(div32(hi, lo, Number(d) | 0, false)).toBe(true);
      expect([R[0] >>> 0, R[1] >>> 0]).toEqual([Number(q), Number(r)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(3000);
  });
});
