/** Scalar floating point: arithmetic, NaNs, FPSR flags, rounding, compares, conversions, moves. */
import { describe, expect, it } from 'vitest';
import type { A64Machine } from './machine.js';
import { runAsm } from './run-asm.js';

const IOC = 1;
const DZC = 2;
const IXC = 16;
const ALL1 = (1n << 128n) - 1n;

const fp = runAsm;
const setD = (m: A64Machine, n: number, x: number) => {
  m.cpu.fp.setQ(n, 0n);
  m.cpu.fp.f64[2 * n] = x;
};
const setDBits = (m: A64Machine, n: number, bits: bigint) => m.cpu.fp.setQ(n, bits);
const setS = (m: A64Machine, n: number, x: number) => {
  m.cpu.fp.setQ(n, 0n);
  m.cpu.fp.f32[4 * n] = x;
};
const d = (m: A64Machine, n: number) => m.cpu.fp.f64[2 * n];
const s = (m: A64Machine, n: number) => m.cpu.fp.f32[4 * n];
const qv = (m: A64Machine, n: number) => m.cpu.fp.getQ(n);
const fpsr = (m: A64Machine) => m.cpu.fp.fpsr;

const SNAN_D = 0x7ff0000000000123n;
const QNAN_D = 0xfff8000000000456n;
const DEFAULT_NAN_D = 0x7ff8000000000000n;

describe('aarch64 scalar FP arithmetic', () => {
  it('FADD/FSUB/FMUL/FDIV in double; single rounds once; the upper bits are zeroed', () => {
    const m = fp(['fadd d0, d1, d2', 'fmul d3, d1, d2', 'fdiv d4, d1, d2', 'fsub s5, s6, s7'], (m) => {
      m.cpu.fp.setQ(0, ALL1);
      setD(m, 1, 0.1);
      setD(m, 2, 0.2);
      setS(m, 6, 1);
      setS(m, 7, 2 ** -30);
    });
    expect(qv(m, 0) >> 64n).toBe(0n);
    expect(d(m, 0)).toBe(0.1 + 0.2);
    expect(d(m, 3)).toBe(0.1 * 0.2);
    expect(d(m, 4)).toBe(0.5);
    expect(s(m, 5)).toBe(1);
    expect(fpsr(m)).toBe(IXC); // 0.1 + 0.2 is inexact (1 - 2^-30 in single too)
  });

  it('NaNs: a signalling NaN wins and is quieted (IOC), a quiet NaN propagates with its payload, DN gives the default NaN', () => {
    let m = fp(['fadd d0, d1, d2'], (m) => {
      setDBits(m, 1, QNAN_D);
      setDBits(m, 2, SNAN_D);
    });
    expect(qv(m, 0)).toBe(SNAN_D | (1n << 51n));
    expect(fpsr(m)).toBe(IOC);
    m = fp(['fmul d0, d1, d2'], (m) => {
      setD(m, 1, 3);
      setDBits(m, 2, QNAN_D);
    });
    expect(qv(m, 0)).toBe(QNAN_D);
    expect(fpsr(m)).toBe(0);
    m = fp(['fadd d0, d1, d2'], (m) => {
      m.cpu.fp.fpcr = 1 << 25;
      setDBits(m, 1, QNAN_D);
    });
    expect(qv(m, 0)).toBe(DEFAULT_NAN_D);
  });

  it('invalid operations give the default NaN and IOC; x/0 gives infinity and DZC', () => {
    let m = fp(['fsub s0, s1, s2'], (m) => {
      setS(m, 1, Infinity);
      setS(m, 2, Infinity);
    });
    expect(qv(m, 0)).toBe(0x7fc00000n);
    expect(fpsr(m)).toBe(IOC);
    m = fp(['fdiv d0, d1, d2', 'fdiv s3, s4, s5'], (m) => {
      setD(m, 1, -1);
      setD(m, 2, 0);
      setS(m, 4, 0);
      setS(m, 5, 0);
    });
    expect(d(m, 0)).toBe(-Infinity);
    expect(qv(m, 3)).toBe(0x7fc00000n);
    expect(fpsr(m)).toBe(IOC | DZC);
  });

  it('FMAX/FMIN order the zeros; FMAXNM/FMINNM prefer a number to a quiet NaN', () => {
    const m = fp(['fmax d0, d1, d2', 'fmin d3, d1, d2', 'fmaxnm d4, d5, d6', 'fminnm d7, d6, d5', 'fmax d8, d5, d6'], (m) => {
      setD(m, 1, -0);
      setD(m, 2, 0);
      setDBits(m, 5, QNAN_D);
      setD(m, 6, -7);
    });
    expect(Object.is(d(m, 0), 0)).toBe(true);
    expect(Object.is(d(m, 3), -0)).toBe(true);
    expect(d(m, 4)).toBe(-7);
    expect(d(m, 7)).toBe(-7);
    expect(qv(m, 8)).toBe(QNAN_D);
    const n = fp(['fmax d0, d1, d2', 'fmin d3, d1, d2', 'fmaxnm d4, d2, d1', 'fminnm d7, d2, d1'], (m) => {
      setD(m, 1, 1);
      setD(m, 2, 2);
    });
    expect([d(n, 0), d(n, 3), d(n, 4), d(n, 7)]).toEqual([2, 1, 2, 1]);
  });

  it('FNMUL negates, NaN included', () => {
    const m = fp(['fnmul d0, d1, d2', 'fnmul d3, d4, d2'], (m) => {
      setD(m, 1, 3);
      setD(m, 2, 2);
      setDBits(m, 4, 0x7ff8000000000001n);
    });
    expect(d(m, 0)).toBe(-6);
    expect(qv(m, 3)).toBe(0xfff8000000000001n);
  });

  it('FMADD is fused (one rounding); FMSUB/FNMADD/FNMSUB negate as the Arm ARM says', () => {
    const m = fp(['fmadd d0, d1, d2, d3', 'fmsub d4, d1, d2, d3', 'fnmadd d5, d1, d2, d3', 'fnmsub d6, d1, d2, d3', 'fmadd s7, s8, s9, s10'], (m) => {
      setD(m, 1, 1 + 2 ** -30);
      setD(m, 2, 1 - 2 ** -30);
      setD(m, 3, -1);
      setS(m, 8, 3);
      setS(m, 9, 0.5);
      setS(m, 10, 0.25);
    });
    expect(d(m, 0)).toBe(-(2 ** -60)); // unfused: 0
    expect(d(m, 4)).toBe(-2); // -1 - (1 - 2^-60), rounded
    expect(d(m, 5)).toBe(2 ** -60); // 1 - (1 - 2^-60)
    expect(d(m, 6)).toBe(2); // 1 + (1 - 2^-60), rounded
    expect(s(m, 7)).toBe(1.75);
  });

  it('FMADD of infinity * 0 with a quiet NaN addend is invalid (default NaN, IOC)', () => {
    const m = fp(['fmadd d0, d1, d2, d3'], (m) => {
      setD(m, 1, Infinity);
      setD(m, 2, 0);
      setDBits(m, 3, QNAN_D);
    });
    expect(qv(m, 0)).toBe(DEFAULT_NAN_D);
    expect(fpsr(m)).toBe(IOC);
  });

  it('FSQRT, FABS, FNEG, FMOV (register)', () => {
    const m = fp(['fsqrt d0, d1', 'fsqrt s2, s3', 'fabs d4, d5', 'fneg s6, s7', 'fmov d8, d5', 'fsqrt d9, d10'], (m) => {
      setD(m, 1, 2);
      setS(m, 3, -1);
      setDBits(m, 5, 0xfff0000000000001n); // a signalling NaN: FABS/FMOV do not quiet it
      setS(m, 7, 0);
      setD(m, 10, -0);
    });
    expect(d(m, 0)).toBe(Math.SQRT2);
    expect(qv(m, 2)).toBe(0x7fc00000n);
    expect(qv(m, 4)).toBe(0x7ff0000000000001n);
    expect(Object.is(s(m, 6), -0)).toBe(true);
    expect(qv(m, 8)).toBe(0xfff0000000000001n);
    expect(Object.is(d(m, 9), -0)).toBe(true);
    expect(fpsr(m)).toBe(IOC | IXC); // sqrt(-1); sqrt(2) is inexact
  });
});

describe('aarch64 FP rounding modes and flags of arithmetic', () => {
  const run = (asm: string, a: number, b: number, rmode: number) =>
    fp([asm], (m) => {
      m.cpu.fp.fpcr = rmode << 22;
      setD(m, 1, a);
      setD(m, 2, b);
    });
  it('FADD/FMUL/FDIV/FSQRT honour FPCR.RMode from their exact error', () => {
    const third = 1 / 3; // round to nearest is below 1/3
    expect(d(run('fdiv d0, d1, d2', 1, 3, 0), 0)).toBe(third);
    expect(d(run('fdiv d0, d1, d2', 1, 3, 1), 0)).toBe(third + 2 ** -54);
    expect(d(run('fdiv d0, d1, d2', -1, 3, 2), 0)).toBe(-third - 2 ** -54);
    expect(d(run('fdiv d0, d1, d2', -1, 3, 3), 0)).toBe(-third);
    expect(d(run('fadd d0, d1, d2', 1, 2 ** -60, 1), 0)).toBe(1 + 2 ** -52);
    expect(d(run('fadd d0, d1, d2', 1, -(2 ** -60), 3), 0)).toBe(1 - 2 ** -53);
    expect(d(run('fmul d0, d1, d2', 1 + 2 ** -52, 1 + 2 ** -52, 2), 0)).toBe(1 + 2 ** -51);
    expect(Object.is(d(run('fsub d0, d1, d2', 5, 5, 2), 0), -0)).toBe(true); // x - x is -0 toward -infinity
  });
  it('overflow gives infinity or the largest finite value by mode, with OFC and IXC; underflow sets UFC', () => {
    const big = 1.7976931348623157e308;
    let m = run('fmul d0, d1, d2', big, 2, 0);
    expect(d(m, 0)).toBe(Infinity);
    expect(fpsr(m)).toBe(4 | IXC);
    m = run('fmul d0, d1, d2', big, 2, 3);
    expect(d(m, 0)).toBe(big);
    m = run('fmul d0, d1, d2', -big, 2, 1);
    expect(d(m, 0)).toBe(-big);
    m = run('fmul d0, d1, d2', 2 ** -1074, 0.5, 0);
    expect(d(m, 0)).toBe(0);
    expect(fpsr(m)).toBe(8 | IXC);
    m = run('fmul d0, d1, d2', 2 ** -1074, 0.5, 1);
    expect(d(m, 0)).toBe(2 ** -1074);
  });
});

describe('aarch64 FP conversions and rounding', () => {
  it('FCVT single <-> double with FPCR.RMode, overflow and NaN payloads', () => {
    const narrow = (x: number, rmode: number) =>
      s(
        fp(['fcvt s0, d1'], (m) => {
          m.cpu.fp.fpcr = rmode << 22;
          setD(m, 1, x);
        }),
        0,
      );
    expect(narrow(1 + 2 ** -30, 0)).toBe(1);
    expect(narrow(1 + 2 ** -30, 1)).toBe(1 + 2 ** -23);
    expect(narrow(-(1 + 2 ** -30), 2)).toBe(-(1 + 2 ** -23));
    expect(narrow(-(1 + 2 ** -30), 3)).toBe(-1);
    expect(narrow(1e300, 0)).toBe(Infinity);
    expect(narrow(1e300, 3)).toBe(3.4028234663852886e38);
    let m = fp(['fcvt s0, d1', 'fcvt d2, s3'], (m) => {
      setDBits(m, 1, 0x7ff4000000000000n | (0x12345n << 29n));
      setS(m, 3, 0.1);
    });
    expect(qv(m, 0)).toBe(0x7fe00000n | 0x12345n);
    expect(d(m, 2)).toBe(Math.fround(0.1));
    expect(fpsr(m)).toBe(IOC);
    m = fp(['fcvt d0, s1'], (m) => m.cpu.fp.setQ(1, 0xff800001n));
    expect(qv(m, 0)).toBe(0xfff8000020000000n);
  });

  it('FCVT to and from half precision', () => {
    const m = fp(['fcvt h0, s1', 'fcvt h2, d3', 'fcvt s4, h5', 'fcvt d6, h7', 'fcvt h8, s9'], (m) => {
      setS(m, 1, 1.5);
      setD(m, 3, 65520);
      m.cpu.fp.setQ(5, 0x0001n); // smallest subnormal
      m.cpu.fp.setQ(7, 0xc000n); // -2
      setS(m, 9, 1 + 2 ** -11); // a tie: rounds to even (1.0)
    });
    expect(qv(m, 0)).toBe(0x3e00n);
    expect(qv(m, 2)).toBe(0x7c00n);
    expect(s(m, 4)).toBe(2 ** -24);
    expect(d(m, 6)).toBe(-2);
    expect(qv(m, 8)).toBe(0x3c00n);
  });

  it('FRINT* in each rounding mode, -0 kept, FRINTX sets IXC, FRINTI follows FPCR', () => {
    const ops = ['frintn', 'frinta', 'frintp', 'frintm', 'frintz'];
    const want: Record<string, number[]> = { frintn: [2, -2, -0, 4], frinta: [3, -3, -0, 4], frintp: [3, -2, -0, 4], frintm: [2, -3, -1, 3], frintz: [2, -2, -0, 3] };
    for (const op of ops) {
      const got = [2.5, -2.5, -0.3, 3.5000001].map((x) => d(fp([`${op} d0, d1`], (m) => setD(m, 1, x)), 0));
      got.forEach((g, k) => expect(Object.is(g, want[op][k]) || (op === 'frintn' && k === 3 && g === 4), `${op} ${k}: ${g}`).toBe(true));
    }
    let m = fp(['frintx d0, d1'], (m) => setD(m, 1, 2.5));
    expect(d(m, 0)).toBe(2);
    expect(fpsr(m)).toBe(IXC);
    m = fp(['frinti d0, d1'], (m) => {
      m.cpu.fp.fpcr = 1 << 22; // toward +infinity
      setD(m, 1, 2.1);
    });
    expect(d(m, 0)).toBe(3);
    expect(fpsr(m)).toBe(0);
  });

  it('FCVT*S/U to integers: rounding modes, saturation with IOC, NaN to 0, IXC when inexact', () => {
    const toInt = (asm: string, x: number) => {
      const m = fp([asm], (m) => setD(m, 1, x));
      return [m.x(0), m.cpu.fp.fpsr] as const;
    };
    expect(toInt('fcvtzs x0, d1', 1e20)).toEqual([0x7fffffffffffffffn, IOC]);
    expect(toInt('fcvtzs x0, d1', -1e20)).toEqual([0x8000000000000000n, IOC]);
    expect(toInt('fcvtzs x0, d1', -(2 ** 63))).toEqual([0x8000000000000000n, 0]);
    expect(toInt('fcvtzs x0, d1', NaN)).toEqual([0n, IOC]);
    expect(toInt('fcvtzu x0, d1', -1)).toEqual([0n, IOC]);
    expect(toInt('fcvtzu x0, d1', 2 ** 64 - 2048)).toEqual([0xfffffffffffff800n, 0]);
    expect(toInt('fcvtzs w0, d1', 3e9)).toEqual([0x7fffffffn, IOC]);
    expect(toInt('fcvtzs w0, d1', -3e9)).toEqual([0x80000000n, IOC]);
    expect(toInt('fcvtzs w0, d1', -5.5)).toEqual([0xfffffffbn, IXC]);
    expect(toInt('fcvtns x0, d1', 2.5)).toEqual([2n, IXC]);
    expect(toInt('fcvtas x0, d1', 2.5)).toEqual([3n, IXC]);
    expect(toInt('fcvtms x0, d1', -2.5)).toEqual([0xfffffffffffffffdn, IXC]);
    expect(toInt('fcvtps x0, d1', 2.1)).toEqual([3n, IXC]);
    expect(toInt('fcvtau w0, d1', 4294967295.4)).toEqual([0xffffffffn, IXC]);
    const m = fp(['fcvtzu w0, s1'], (m) => setS(m, 1, 5e9));
    expect(m.x(0)).toBe(0xffffffffn);
  });

  it('SCVTF/UCVTF round once (64-bit to single uses a sticky bit)', () => {
    const m = fp(['ucvtf d0, x1', 'scvtf s2, w3', 'ucvtf s4, x5', 'scvtf d6, x7', 'scvtf d8, w3'], (m) => {
      m.set(1, -1n);
      m.set(3, 0xffffffffn); // w3 = -1
      m.set(5, 0x8000008000000001n); // 2^63 + 2^39 + 1: just above a tie of singles
      m.set(7, -(2n ** 62n) - 1n);
    });
    expect(d(m, 0)).toBe(2 ** 64);
    expect(s(m, 2)).toBe(-1);
    expect(s(m, 4)).toBe(2 ** 63 + 2 ** 40);
    expect(d(m, 6)).toBe(-(2 ** 62));
    expect(d(m, 8)).toBe(-1);
  });

  it('fixed-point conversions', () => {
    const m = fp(['scvtf d0, x1, #16', 'fcvtzs w2, d3, #8', 'ucvtf s4, w5, #32', 'fcvtzu x6, s7, #1'], (m) => {
      m.set(1, 0x18000);
      setD(m, 3, -1.5);
      m.set(5, 0x80000000);
      setS(m, 7, 3.75);
    });
    expect(d(m, 0)).toBe(1.5);
    expect(m.x(2)).toBe(BigInt(-384 >>> 0));
    expect(s(m, 4)).toBe(0.5);
    expect(m.x(6)).toBe(7n);
  });
});

describe('aarch64 FP compares, selects and moves', () => {
  it('FCMP/FCMPE set NZCV; unordered is 0011; FCMPE signals on a quiet NaN', () => {
    const cmp = (a: number, b: number, asm = 'fcmp d1, d2') => {
      const m = fp([asm], (m) => {
        setD(m, 1, a);
        setD(m, 2, b);
      });
      return [m.flags(), m.cpu.fp.fpsr];
    };
    expect(cmp(1, 2)).toEqual([0b1000, 0]);
    expect(cmp(2, 2)).toEqual([0b0110, 0]);
    expect(cmp(3, 2)).toEqual([0b0010, 0]);
    expect(cmp(NaN, 2)).toEqual([0b0011, 0]);
    expect(cmp(NaN, 2, 'fcmpe d1, d2')).toEqual([0b0011, IOC]);
    expect(cmp(-0, 5, 'fcmp d1, #0.0')).toEqual([0b0110, 0]);
  });

  it('FCCMP takes the immediate flags when the condition fails; FCSEL', () => {
    let m = fp(['fccmp d1, d2, #4, eq'], (m) => {
      m.cpu.nzcv = 0;
      setD(m, 1, 1);
      setD(m, 2, 2);
    });
    expect(m.flags()).toBe(4);
    m = fp(['fccmp d1, d2, #4, eq', 'fcsel d0, d1, d2, eq'], (m) => {
      m.cpu.nzcv = 0x40000000;
      setD(m, 1, 1);
      setD(m, 2, 2);
    });
    expect(m.flags()).toBe(0b1000);
    expect(d(m, 0)).toBe(2);
  });

  it('FMOV immediate, to/from general registers (incl. the top half)', () => {
    const m = fp(['fmov d0, #1.5', 'fmov s1, #-0.125', 'fmov x2, d3', 'fmov w4, s3', 'fmov s5, w6', 'fmov v5.d[1], x6', 'fmov x7, v5.d[1]', 'fmov d8, x6'], (m) => {
      m.cpu.fp.setQ(0, ALL1);
      m.cpu.fp.setQ(3, 0x1122334455667788n);
      m.cpu.fp.setQ(5, ALL1);
      m.set(6, 0xaabbccdd99887766n);
    });
    expect(qv(m, 0)).toBe(0x3ff8000000000000n);
    expect(s(m, 1)).toBe(-0.125);
    expect(m.x(2)).toBe(0x1122334455667788n);
    expect(m.x(4)).toBe(0x55667788n);
    expect(qv(m, 5)).toBe((0xaabbccdd99887766n << 64n) | 0x99887766n);
    expect(m.x(7)).toBe(0xaabbccdd99887766n);
    expect(qv(m, 8)).toBe(0xaabbccdd99887766n);
  });
});
