import { describe, expect, it } from 'vitest';
import { EAX, EBX, NM } from '../../../plugins/arch-i386/src/cpu.js';
import { SW_C0, SW_C1, SW_C3, SW_IE, SW_SF } from '../../../plugins/arch-i386/src/fpu.js';
import { pagedMachine, runBody, type PagedMachine } from './paging-machine.js';

// Encodings from `llvm-mc -triple=i386 -show-encoding` (AT&T names; the comments give them).
const FNINIT = [0xdb, 0xe3];
const FNSTSW_AX = [0xdf, 0xe0];
const FNSTCW = [0xd9, 0x3b]; // fnstcw (%ebx)
const FLDCW = [0xd9, 0x2b]; // fldcw (%ebx)
const FLD1 = [0xd9, 0xe8];
const FLDZ = [0xd9, 0xee];
const FADDP = [0xde, 0xc1]; // faddp %st, %st(1)
const FISTPL = [0xdb, 0x1b]; // fistpl (%ebx)
const FILDL_0 = [0xdb, 0x03]; // fildl (%ebx)
const FILDL_4 = [0xdb, 0x43, 0x04]; // fildl 4(%ebx)
const DE_F9 = [0xde, 0xf9]; // Intel FDIVP ST(1), ST(0): ST(1) = ST(1) / ST(0), pop
const DE_F1 = [0xde, 0xf1]; // Intel FDIVRP ST(1), ST(0): ST(1) = ST(0) / ST(1), pop
const DE_E9 = [0xde, 0xe9]; // Intel FSUBP: ST(1) = ST(1) - ST(0), pop
const DE_E1 = [0xde, 0xe1]; // Intel FSUBRP: ST(1) = ST(0) - ST(1), pop
const FSTPL_8 = [0xdd, 0x5b, 0x08]; // fstpl 8(%ebx)
const FLDT = [0xdb, 0x2b]; // fldt (%ebx)
const FSTPT_16 = [0xdb, 0x7b, 0x10]; // fstpt 16(%ebx)
const FCOM_ST1 = [0xd8, 0xd1];
const FUCOMPP = [0xda, 0xe9];
const FCOMI_ST1 = [0xdb, 0xf1];
const FCHS = [0xd9, 0xe0];
const FXCH_ST1 = [0xd9, 0xc9];
const FNSAVE = [0xdd, 0x33]; // fnsave (%ebx)
const FRSTOR = [0xdd, 0x23]; // frstor (%ebx)
const WAIT = [0x9b];
const FLDS = [0xd9, 0x03]; // flds (%ebx)
const FMULL_8 = [0xdc, 0x4b, 0x08]; // fmull 8(%ebx)
const FISTPS = [0xdf, 0x1b]; // fistps (%ebx)
const FISTPLL = [0xdf, 0x3b]; // fistpll (%ebx)
const FILDLL = [0xdf, 0x2b]; // fildll (%ebx)
const FSQRT = [0xd9, 0xfa];

const M = 0x5000; // memory operands at (%ebx) = M

function fpu(code: number[], prepare?: (m: PagedMachine) => void): PagedMachine {
  const m = pagedMachine();
  prepare?.(m);
  runBody(m, code, { [EBX]: M });
  return m;
}

describe('i386 x87 FPU basics', () => {
  it('the FNINIT probe: FNSTSW AX gives 0 and FNSTCW 0x037F', () => {
    const m = fpu([...FNINIT, ...FNSTSW_AX, ...FNSTCW], (mm) => { mm.cpu.regs[EAX] = 0x5a5a5a5a; });
    expect(m.cpu.getReg(EAX)).toBe(0x5a5a0000);
    expect(m.view.getUint16(M, true)).toBe(0x037f);
    expect(m.cpu.lastException).toBeNull();
  });

  it('FLD1 + FLD1, FADDP, FISTP m32; FILD, FDIVP and FDIVRP, FSTP m64', () => {
    let m = fpu([...FNINIT, ...FLD1, ...FLD1, ...FADDP, ...FISTPL]);
    expect(m.view.getInt32(M, true)).toBe(2);
    const ints = (mm: PagedMachine) => { mm.view.setInt32(M, 7, true); mm.view.setInt32(M + 4, 2, true); };
    m = fpu([...FNINIT, ...FILDL_0, ...FILDL_4, ...DE_F9, ...FSTPL_8], ints);
    expect(m.view.getFloat64(M + 8, true)).toBe(3.5);
    m = fpu([...FNINIT, ...FILDL_0, ...FILDL_4, ...DE_F1, ...FSTPL_8], ints);
    expect(m.view.getFloat64(M + 8, true)).toBe(2 / 7);
    m = fpu([...FNINIT, ...FILDL_0, ...FILDL_4, ...DE_E9, ...FSTPL_8], ints);
    expect(m.view.getFloat64(M + 8, true)).toBe(5);
    m = fpu([...FNINIT, ...FILDL_0, ...FILDL_4, ...DE_E1, ...FSTPL_8], ints);
    expect(m.view.getFloat64(M + 8, true)).toBe(-5);
    expect(m.cpu.fpu.top).toBe(0);
  });

  it('FLD m32, FMUL m64, FSQRT', () => {
    const m = fpu([...FNINIT, ...FLDS, ...FMULL_8, ...FSQRT, ...FSTPL_8], (mm) => { mm.view.setFloat32(M, 2, true); mm.view.setFloat64(M + 8, 8, true); });
    expect(m.view.getFloat64(M + 8, true)).toBe(4);
  });

  it('FIST rounds by RC (nearest even, down, up, truncate); out of range is the integer indefinite with IE', () => {
    for (const [rc, expected] of [[0, [2, -2, 4]], [1, [2, -3, 3]], [2, [3, -2, 4]], [3, [2, -2, 3]]] as const) {
      const m = fpu([...FLDCW, 0xdd, 0x43, 0x08, ...FISTPS, 0xdd, 0x43, 0x10, 0xdf, 0x5b, 0x02, 0xdd, 0x43, 0x18, 0xdf, 0x5b, 0x04], (mm) => {
        // fldl 8(%ebx); fistps (%ebx); fldl 16(%ebx); fistps 2(%ebx); fldl 24(%ebx); fistps 4(%ebx)
        mm.view.setUint16(M, 0x37f | (rc << 10), true);
        mm.view.setFloat64(M + 8, 2.5, true); mm.view.setFloat64(M + 16, -2.5, true); mm.view.setFloat64(M + 24, 3.5, true);
      });
      expect([m.view.getInt16(M, true), m.view.getInt16(M + 2, true), m.view.getInt16(M + 4, true)]).toEqual(expected);
    }
    const big = fpu([...FNINIT, 0xdd, 0x43, 0x08, ...FISTPS, ...FNSTSW_AX], (mm) => mm.view.setFloat64(M + 8, 40000, true)); // fldl 8(%ebx)
    expect(big.view.getUint16(M, true)).toBe(0x8000);
    expect(big.cpu.getReg(EAX) & SW_IE).toBe(SW_IE);
  });

  it('FILD/FISTP m64 round-trip a value above 2^32', () => {
    const m = fpu([...FNINIT, ...FILDLL, ...FISTPLL], (mm) => mm.view.setBigInt64(M, -0x123456789an, true));
    expect(m.view.getBigInt64(M, true)).toBe(-0x123456789an);
  });

  it('FLD/FSTP m80 convert the extended format (1.0, -0.1 rounded to a double, infinity)', () => {
    const one = fpu([...FNINIT, ...FLD1, ...FSTPT_16]);
    expect([one.view.getBigUint64(M + 16, true), one.view.getUint16(M + 24, true)]).toEqual([0x8000000000000000n, 0x3fff]);
    const m = fpu([...FNINIT, ...FLDT, ...FSTPL_8], (mm) => { // -0.1 in 80 bits: BFFB CCCCCCCCCCCCCCCD
      mm.view.setBigUint64(M, 0xcccccccccccccccdn, true); mm.view.setUint16(M + 8, 0xbffb, true);
    });
    expect(m.view.getFloat64(M + 8, true)).toBe(-0.1);
    const t = fpu([...FNINIT, ...FLDT, ...FSTPT_16], (mm) => { mm.view.setBigUint64(M, 0x8000000000000000n, true); mm.view.setUint16(M + 8, 0x7fff, true); });
    expect([t.view.getBigUint64(M + 16, true), t.view.getUint16(M + 24, true)]).toEqual([0x8000000000000000n, 0x7fff]);
  });

  it('FCOM sets C0 for ST(0) < ST(1), C3 for equal; FUCOMPP pops both; FCOMI sets CF/ZF', () => {
    let m = fpu([...FNINIT, ...FLD1, ...FLDZ, ...FCOM_ST1, ...FNSTSW_AX]); // ST0 = 0, ST1 = 1
    expect(m.cpu.getReg(EAX) & (SW_C0 | SW_C3)).toBe(SW_C0);
    m = fpu([...FNINIT, ...FLD1, ...FLD1, ...FUCOMPP, ...FNSTSW_AX]);
    expect(m.cpu.getReg(EAX) & (SW_C0 | SW_C3)).toBe(SW_C3);
    expect(m.cpu.fpu.top).toBe(0);
    expect(m.cpu.fpu.tagWord).toBe(0xffff);
    m = fpu([...FNINIT, ...FLD1, ...FLDZ, ...FCOMI_ST1]);
    expect(m.cpu.eflags & 0x45).toBe(0x01); // CF, not ZF/PF
  });

  it('FCHS, FXCH', () => {
    const m = fpu([...FNINIT, ...FLD1, ...FLDZ, ...FXCH_ST1, ...FCHS, ...FSTPL_8]);
    expect(m.view.getFloat64(M + 8, true)).toBe(-1);
    expect(m.cpu.fpu.st(0)).toBe(0);
  });

  it('stack overflow on the ninth push: IE, SF, C1 and the QNaN indefinite', () => {
    const m = fpu([...FNINIT, ...Array(9).fill(FLD1).flat(), ...FNSTSW_AX]);
    expect(m.cpu.getReg(EAX) & (SW_IE | SW_SF | SW_C1)).toBe(SW_IE | SW_SF | SW_C1);
    expect(m.cpu.fpu.st(0)).toBeNaN();
  });

  it('FNSAVE stores the state and reinitialises; FRSTOR brings it back', () => {
    const m = fpu([...FNINIT, ...FLD1, ...FLDZ, ...FNSAVE, ...FNSTSW_AX]);
    expect(m.view.getUint16(M, true)).toBe(0x37f);
    expect((m.view.getUint16(M + 4, true) >> 11) & 7).toBe(6); // TOP
    expect(m.view.getUint16(M + 8, true)).toBe(0x1fff); // R7 valid (1.0), R6 zero, the rest empty
    expect(m.view.getUint16(M + 28 + 8, true)).toBe(0); // ST(0) = +0
    expect(m.view.getUint16(M + 38 + 8, true)).toBe(0x3fff); // ST(1) = 1.0
    expect(m.cpu.fpu.tagWord).toBe(0xffff);
    runBody(m, [...FRSTOR, ...FADDP, ...FSTPL_8], { [EBX]: M });
    expect(m.view.getFloat64(M + 8, true)).toBe(1);
  });

  it('FXSAVE stores the x87 part of the 512-byte image and FXRSTOR brings it back; a misaligned one is #GP', () => {
    const m = fpu([...FNINIT, ...FLD1, ...FLDZ, 0x0f, 0xae, 0x03, ...FNINIT, 0x0f, 0xae, 0x0b, ...FADDP, ...FSTPL_8, 0x0f, 0xae, 0xf0]); // fxsave (%ebx) ... fxrstor (%ebx) ... mfence
    expect(m.cpu.lastException).toBeNull();
    expect(m.view.getUint16(M, true)).toBe(0x37f);
    expect(m.view.getUint8(M + 4)).toBe(0xc0); // R6, R7 in use
    expect(m.view.getUint32(M + 24, true)).toBe(0x1f80);
    expect(m.view.getUint16(M + 48 + 8, true)).toBe(0x3fff); // ST(1) = 1.0 in slot 1
    expect(m.view.getFloat64(M + 8, true)).toBe(1);
    const bad = pagedMachine();
    runBody(bad, [0x0f, 0xae, 0x03], { [EBX]: M + 8 });
    expect(bad.cpu.lastException?.vector).toBe(13);
  });

  it('CR0.EM or CR0.TS: ESC is #NM; WAIT is #NM only with MP and TS', () => {
    for (const [cr0, code, nm] of [[4, FLD1, true], [8, FLD1, true], [8, WAIT, false], [0xa, WAIT, true], [4, WAIT, false]] as const) {
      const m = fpu([...code], (mm) => { mm.cpu.cr0 = 0x60000011 | cr0; });
      expect(m.cpu.lastException?.vector ?? null).toBe(nm ? NM : null);
      expect(m.cpu.fpu.empty[7]).toBe(1);
    }
  });
});
