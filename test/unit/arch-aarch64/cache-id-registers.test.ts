import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { exec, makeMachine } from './machine.js';

const CTR_EL0 = A.sysreg(3, 3, 0, 0, 1);
const DCZID_EL0 = A.sysreg(3, 3, 0, 0, 7);
const CLIDR_EL1 = A.sysreg(3, 1, 0, 0, 1);
const CCSIDR_EL1 = A.sysreg(3, 1, 0, 0, 0);
const CSSELR_EL1 = A.sysreg(3, 2, 0, 0, 0);

describe('aarch64 cache identification registers (QEMU cortex-a53 values)', () => {
  it('CTR_EL0, DCZID_EL0 (DC ZVA prohibited), CLIDR_EL1, and CCSIDR_EL1 as CSSELR_EL1 selects', () => {
    const m = exec([
      A.mrs(0, CTR_EL0),
      A.mrs(1, DCZID_EL0),
      A.mrs(2, CLIDR_EL1),
      A.mrs(3, CCSIDR_EL1), // L1 data (CSSELR 0)
      A.movz(9, 1),
      A.msr(CSSELR_EL1, 9),
      A.mrs(4, CCSIDR_EL1), // L1 instruction
      A.movz(9, 2),
      A.msr(CSSELR_EL1, 9),
      A.mrs(5, CCSIDR_EL1), // L2
      A.mrs(6, CSSELR_EL1),
      A.movz(9, 4),
      A.msr(CSSELR_EL1, 9),
      A.mrs(7, CCSIDR_EL1), // L3: none
    ]);
    expect(m.cpu.lastException).toBe(null);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.x(r))).toEqual([0x84448004n, 0x14n, 0x0a200023n, 0x700fe01an, 0x201fe00an, 0x707fe07an, 2n, 0n]);
  });

  it('CTR_EL0 at EL0 traps to EL1 with EC 0x18 unless SCTLR_EL1.UCT; CLIDR_EL1 at EL0 is Undefined; the ID registers are read-only', () => {
    const m = makeMachine();
    m.cpu.setEl(0);
    m.load([A.mrs(3, CTR_EL0)]);
    m.run(1);
    // EC 0x18, IL, ISS: Op0 3, Op2 1, Op1 3, CRn 0, Rt 3, CRm 0, read.
    expect(m.cpu.lastException?.esr).toBe(((0x18 << 26) | (1 << 25) | (3 << 20) | (1 << 17) | (3 << 14) | (3 << 5) | 1) >>> 0);
    const u = makeMachine();
    u.cpu.setEl(0);
    u.cpu.sctlr[1] |= 1 << 15;
    u.load([A.mrs(3, CTR_EL0), A.mrs(4, CLIDR_EL1)]);
    u.run(2);
    expect(u.x(3)).toBe(0x84448004n);
    expect(u.cpu.lastException?.esr).toBe(0x02000000);
    expect(exec([A.msr(CTR_EL0, 0)]).cpu.lastException?.esr).toBe(0x02000000);
  });
});

describe('aarch64 feature ID and EL2/debug configuration registers', () => {
  it('ID_AA64PFR0/DFR0/ISAR0 say what this core implements; the rest of the ID space reads 0', () => {
    const m = exec([
      A.mrs(0, A.sysreg(3, 0, 0, 4, 0)),
      A.mrs(1, A.sysreg(3, 0, 0, 5, 0)),
      A.mrs(2, A.sysreg(3, 0, 0, 6, 0)),
      A.mrs(3, A.sysreg(3, 0, 0, 1, 0)), // ID_PFR0_EL1 (AArch32): nothing
      A.mrs(4, A.sysreg(3, 0, 0, 3, 7)), // reserved: RAZ
      A.mrs(5, A.sysreg(3, 0, 0, 7, 2)), // ID_AA64MMFR2_EL1
      A.mrs(6, A.sysreg(3, 0, 0, 0, 6)), // REVIDR_EL1
    ], { 3: 0x55n, 4: 0x55n, 5: 0x55n, 6: 0x55n });
    expect(m.cpu.lastException).toBe(null);
    expect([0, 1, 2, 3, 4, 5, 6].map((r) => m.x(r))).toEqual([0x1111n, 0x10305006n, 0x10000n, 0n, 0n, 0n, 0n]);
  });

  it('VPIDR/VMPIDR_EL2 reset to MIDR/MPIDR; MDCR_EL2, HSTR_EL2, MDSCR_EL1 hold what is written; OSLAR_EL1 sets OSLSR_EL1.OSLK', () => {
    const m = exec([
      A.mrs(0, A.sysreg(3, 4, 0, 0, 0)),
      A.mrs(1, A.sysreg(3, 4, 0, 0, 5)),
      A.movz(9, 0x1234),
      A.msr(A.sysreg(3, 4, 1, 1, 1), 9),
      A.mrs(2, A.sysreg(3, 4, 1, 1, 1)),
      A.msr(A.sysreg(2, 0, 0, 2, 2), 9),
      A.mrs(3, A.sysreg(2, 0, 0, 2, 2)),
      A.mrs(4, A.sysreg(2, 0, 1, 1, 4)), // OSLSR: locked at reset
      A.msr(A.sysreg(2, 0, 1, 0, 4), 31), // OSLAR = 0: unlock
      A.mrs(5, A.sysreg(2, 0, 1, 1, 4)),
    ]);
    expect(m.cpu.lastException).toBe(null);
    expect([0, 1, 2, 3, 4, 5].map((r) => m.x(r))).toEqual([0x410fd034n, 0x80000000n, 0x1234n, 0x1234n, 0b1010n, 0b1000n]);
  });
});
