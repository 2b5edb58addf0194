import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { exec } from './machine.js';

describe('aarch64 feature ID and EL2/debug configuration registers', () => {
  it('ID_AA64PFR0/DFR0/ISAR0 say what this core implements; the rest of the ID space reads 0', () => {
    const m = exec([
      A.mrs(0, A.sysreg(3, 0, 0, 4, 0)),
      A.mrs(1, A.sysreg(3, 0, 0, 5, 0)),
      A.mrs(2, A.sysreg(3, 0, 0, 6, 0)),
      A.mrs(3, A.sysreg(3, 0, 0, 1, 0)), // ID_PFR0_EL1 (AArch32): nothing
      A.mrs(4, A.sysreg(3, 0, 0, 3, 7)), // reserved: RAZ
      A.mrs(5, A.sysreg(3, 0, 0, 7, 3)), // reserved (ID_AA64MMFR0-2 are the MMU's)
      A.mrs(6, A.sysreg(3, 0, 0, 0, 6)), // REVIDR_EL1
    ], { 3: 0x55n, 4: 0x55n, 5: 0x55n, 6: 0x55n });
    expect(m.cpu.lastException).toBe(null);
    expect([0, 1, 2, 3, 4, 5, 6].map((r) => m.x(r))).toEqual([0x1111n, 0x10305006n, 0x11120n, 0n, 0n, 0n, 0n]);
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
