/**
 * FP/SIMD enable traps (CPACR_EL1.FPEN, CPTR_EL2.TFP, CPTR_EL3.TFP; EC 0x07) and FPCR/FPSR/CPTR
 * access. Encodings from llvm-mc -show-encoding.
 */
import { describe, expect, it } from 'vitest';
import { DATA, makeMachine } from './machine.js';

const FMOV_D0_X1 = 0x9e670020; // fmov d0, x1
const LDR_Q0_POST = 0x3cc10420; // ldr q0, [x1], #16
const MRS_X0_FPCR = 0xd53b4400; // mrs x0, fpcr
const MSR_FPCR_X1 = 0xd51b4401; // msr fpcr, x1
const MRS_X2_FPSR = 0xd53b4422; // mrs x2, fpsr
const MSR_FPSR_X3 = 0xd51b4423; // msr fpsr, x3
const MRS_X0_CPTR_EL2 = 0xd53c1140; // mrs x0, cptr_el2
/** EC 0x07 with IL and ISS CV = 1, COND = 0xE. */
const ESR_FP_TRAP = 0x1fe00000;

function at(el: number, cpacr: number, insn: number) {
  const m = makeMachine();
  m.load([insn]);
  m.cpu.setEl(el);
  m.cpu.cpacr = cpacr;
  m.set(1, DATA);
  m.run(1);
  return m;
}

describe('aarch64 FP/SIMD traps', () => {
  it('CPACR_EL1 resets to 0, which traps FP at EL1 (EC 0x07, CV = 1, COND = 0xE)', () => {
    const m = at(1, 0, FMOV_D0_X1);
    expect(m.cpu.cpacr).toBe(0);
    expect(m.cpu.lastException?.targetEl).toBe(1);
    expect(m.cpu.lastException?.esr).toBe(ESR_FP_TRAP);
    expect(m.cpu.esr[1] >>> 0).toBe(ESR_FP_TRAP);
    expect(m.traps[0].name).toBe('FP/SIMD access trap');
  });

  it('FPEN = 01 traps EL0 only; 11 traps nothing; 10 traps both', () => {
    expect(at(0, 1 << 20, FMOV_D0_X1).cpu.lastException?.esr).toBe(ESR_FP_TRAP);
    expect(at(1, 1 << 20, FMOV_D0_X1).cpu.lastException).toBeNull();
    expect(at(0, 3 << 20, FMOV_D0_X1).cpu.lastException).toBeNull();
    expect(at(1, 2 << 20, FMOV_D0_X1).cpu.lastException?.targetEl).toBe(1);
  });

  it('a trapped load neither accesses memory nor writes back', () => {
    const m = at(1, 0, LDR_Q0_POST);
    expect(m.cpu.lastException?.esr).toBe(ESR_FP_TRAP);
    expect(m.x(1)).toBe(BigInt(DATA));
  });

  it('EL2 and EL3 are not affected by CPACR_EL1', () => {
    expect(at(2, 0, FMOV_D0_X1).cpu.lastException).toBeNull();
    expect(at(3, 0, FMOV_D0_X1).cpu.lastException).toBeNull();
  });

  it('CPTR_EL2.TFP traps EL0-EL2 to EL2; CPTR_EL3.TFP traps everything below and at EL3 to EL3', () => {
    for (const el of [0, 1, 2]) {
      const m = makeMachine();
      m.load([FMOV_D0_X1]);
      m.cpu.setEl(el);
      m.cpu.cpacr = 3 << 20;
      m.cpu.fp.cptr2 |= 1 << 10;
      m.run(1);
      expect(m.cpu.lastException?.targetEl).toBe(2);
      expect(m.cpu.lastException?.esr).toBe(ESR_FP_TRAP);
    }
    for (const el of [1, 2, 3]) {
      const m = makeMachine();
      m.load([MRS_X0_FPCR]);
      m.cpu.setEl(el);
      m.cpu.cpacr = 3 << 20;
      m.cpu.fp.cptr3 = 1 << 10;
      m.run(1);
      expect(m.cpu.lastException?.targetEl).toBe(3);
      expect(m.cpu.lastException?.esr).toBe(ESR_FP_TRAP);
    }
  });

  it('EL0 with HCR_EL2.TGE = 1 and FPEN trapping goes to EL2 as an Unknown reason exception', () => {
    const m = makeMachine();
    m.load([FMOV_D0_X1]);
    m.cpu.setEl(0);
    m.cpu.hcr[0] |= 1 << 27;
    m.run(1);
    expect(m.cpu.lastException?.targetEl).toBe(2);
    expect(m.cpu.lastException?.esr).toBe(0x02000000);
  });

  it('FPCR/FPSR keep their defined bits; MRS FPCR traps like an FP instruction', () => {
    const m = makeMachine();
    m.load([MSR_FPCR_X1, MSR_FPSR_X3, MRS_X0_FPCR, MRS_X2_FPSR]);
    m.set(1, 0xffffffff);
    m.set(3, 0xffffffff);
    m.run(4);
    expect(m.x(0)).toBe(0x07ff0000n & ~0x8000n); // AHP DN FZ RMode Stride Len; trap enables RAZ
    expect(m.x(2)).toBe(0xf800009fn); // NZCV QC IDC IXC UFC OFC DZC IOC
    expect(at(0, 0, MRS_X0_FPCR).cpu.lastException?.esr).toBe(ESR_FP_TRAP);
  });

  it('CPTR_EL2 reads its RES1 bits; it is UNDEFINED at EL1', () => {
    const m = makeMachine();
    m.load([MRS_X0_CPTR_EL2]);
    m.cpu.setEl(2);
    m.run(1);
    expect(m.x(0)).toBe(0x33ffn);
    expect(at(1, 3 << 20, MRS_X0_CPTR_EL2).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 CPACR_EL1 / CPTR_EL2 access traps (TCPAC)', () => {
  const MSR_CPACR_X0 = 0xd5181040; // msr cpacr_el1, x0
  const MRS_X3_CPACR = 0xd5381043; // mrs x3, cpacr_el1
  it('CPTR_EL2.TCPAC traps EL1 CPACR_EL1 accesses to EL2 with EC 0x18 and the ISS of the access', () => {
    const m = makeMachine();
    m.load([MRS_X3_CPACR]);
    m.cpu.setEl(1);
    m.cpu.fp.cptr2 |= 1 << 31;
    m.run(1);
    expect(m.cpu.lastException?.targetEl).toBe(2);
    // EC 0x18, IL, Op0 3, Op2 2, Op1 0, CRn 1, Rt 3, CRm 0, read
    expect(m.cpu.lastException?.esr).toBe(((0x18 << 26) | (1 << 25) | (3 << 20) | (2 << 17) | (1 << 10) | (3 << 5) | 1) >>> 0);
  });
  it('CPTR_EL3.TCPAC traps EL1 and EL2 accesses to EL3; EL3 itself is not trapped', () => {
    for (const el of [1, 2, 3]) {
      const m = makeMachine();
      m.load([MSR_CPACR_X0]);
      m.cpu.setEl(el);
      m.cpu.fp.cptr3 = 1 << 31;
      m.set(0, 3 << 20);
      m.run(1);
      if (el === 3) {
        expect(m.cpu.lastException).toBeNull();
        expect(m.cpu.cpacr).toBe(3 << 20);
      } else {
        expect(m.cpu.lastException?.targetEl).toBe(3);
        expect(m.cpu.cpacr).toBe(0);
      }
    }
    const m = makeMachine();
    m.load([MRS_X0_CPTR_EL2]);
    m.cpu.setEl(2);
    m.cpu.fp.cptr3 = 1 << 31;
    m.run(1);
    expect(m.cpu.lastException?.targetEl).toBe(3);
  });
});

describe('aarch64 FP/SIMD state', () => {
  it('reset clears V0-V31, FPCR, FPSR and CPTR_EL3, and sets CPTR_EL2 to its RES1 bits; inspect() shows FPCR and FPSR', () => {
    const m = makeMachine();
    m.cpu.fp.setQ(31, (1n << 128n) - 1n);
    m.cpu.fp.fpcr = 1 << 25;
    m.cpu.fp.fpsr = 1;
    m.cpu.fp.cptr3 = 1 << 10;
    expect(m.cpu.inspect().find((r) => r.name === 'FPCR')?.value).toBe(1 << 25);
    m.cpu.reset();
    expect(m.cpu.fp.getQ(31)).toBe(0n);
    expect([m.cpu.fp.fpcr, m.cpu.fp.fpsr, m.cpu.fp.cptr2, m.cpu.fp.cptr3]).toEqual([0, 0, 0x33ff, 0]);
    expect(m.cpu.inspect().find((r) => r.name === 'FPSR')?.value).toBe(0);
  });
});
