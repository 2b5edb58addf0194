/**
 * System register keys as MRS/MSR encode them: bits [20:5] of the instruction, that is
 * op0:op1:CRn:CRm:op2 (Arm ARM C5.3). Only the registers this step implements are listed.
 */
export function sysreg(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

export const SYSREG_NZCV = sysreg(3, 3, 4, 2, 0);
export const SYSREG_DAIF = sysreg(3, 3, 4, 2, 1);
export const SYSREG_SPSEL = sysreg(3, 0, 4, 2, 0);
export const SYSREG_CURRENTEL = sysreg(3, 0, 4, 2, 2);
export const SYSREG_TPIDR_EL0 = sysreg(3, 3, 13, 0, 2);
export const SYSREG_TPIDRRO_EL0 = sysreg(3, 3, 13, 0, 3);
export const SYSREG_TPIDR_EL1 = sysreg(3, 0, 13, 0, 4);
export const SYSREG_MIDR_EL1 = sysreg(3, 0, 0, 0, 0);
export const SYSREG_MPIDR_EL1 = sysreg(3, 0, 0, 0, 5);

/** MIDR_EL1 of a Cortex-A53 r0p4, as QEMU's cortex-a53 reports it. */
export const MIDR_CORTEX_A53 = 0x410fd034;

/** PSTATE fields of MSR (immediate): op1:op2 (C5.2.x, "MSR (immediate)"). */
export const PSTATE_SPSEL = (0 << 3) | 5;
export const PSTATE_DAIFSET = (3 << 3) | 6;
export const PSTATE_DAIFCLR = (3 << 3) | 7;

// Exception-level registers (Arm ARM D17.2): key by EL 1, 2, 3 (op1 = 0, 4, 6).
export const SYSREG_SPSR_EL1 = sysreg(3, 0, 4, 0, 0);
export const SYSREG_ELR_EL1 = sysreg(3, 0, 4, 0, 1);
export const SYSREG_SP_EL0 = sysreg(3, 0, 4, 1, 0);
export const SYSREG_SPSR_EL2 = sysreg(3, 4, 4, 0, 0);
export const SYSREG_ELR_EL2 = sysreg(3, 4, 4, 0, 1);
export const SYSREG_SP_EL1 = sysreg(3, 4, 4, 1, 0);
export const SYSREG_SPSR_EL3 = sysreg(3, 6, 4, 0, 0);
export const SYSREG_ELR_EL3 = sysreg(3, 6, 4, 0, 1);
export const SYSREG_SP_EL2 = sysreg(3, 6, 4, 1, 0);
export const SYSREG_ESR_EL1 = sysreg(3, 0, 5, 2, 0);
export const SYSREG_ESR_EL2 = sysreg(3, 4, 5, 2, 0);
export const SYSREG_ESR_EL3 = sysreg(3, 6, 5, 2, 0);
export const SYSREG_FAR_EL1 = sysreg(3, 0, 6, 0, 0);
export const SYSREG_FAR_EL2 = sysreg(3, 4, 6, 0, 0);
export const SYSREG_FAR_EL3 = sysreg(3, 6, 6, 0, 0);
export const SYSREG_VBAR_EL1 = sysreg(3, 0, 12, 0, 0);
export const SYSREG_VBAR_EL2 = sysreg(3, 4, 12, 0, 0);
export const SYSREG_VBAR_EL3 = sysreg(3, 6, 12, 0, 0);
export const SYSREG_SCTLR_EL1 = sysreg(3, 0, 1, 0, 0);
export const SYSREG_SCTLR_EL2 = sysreg(3, 4, 1, 0, 0);
export const SYSREG_SCTLR_EL3 = sysreg(3, 6, 1, 0, 0);
export const SYSREG_CPACR_EL1 = sysreg(3, 0, 1, 0, 2);
export const SYSREG_HCR_EL2 = sysreg(3, 4, 1, 1, 0);
export const SYSREG_SCR_EL3 = sysreg(3, 6, 1, 1, 0);
export const SYSREG_CNTFRQ_EL0 = sysreg(3, 3, 14, 0, 0);

/** The EL (1-3) a key of the banked registers above belongs to, from op1 (0, 4, 6). */
export function keyEl(key: number): number {
  const op1 = (key >>> 11) & 7;
  return op1 === 0 ? 1 : op1 === 4 ? 2 : 3;
}

/**
 * SCTLR_ELx reset values: SCTLR_EL1 as QEMU's cortex-a53 (0x00c50838), SCTLR_EL2/EL3 their RES1
 * bits (D17.2.118-120); M = 0 (MMU off), which is all this core implements.
 */
export const SCTLR_EL1_RESET = 0x00c50838;
export const SCTLR_EL23_RESET = 0x30c50830;
/** SCTLR_EL1.UMA: EL0 may access DAIF. */
export const SCTLR_UMA = 1 << 9;
/** SCTLR_EL1.nTWI / nTWE: WFI / WFE at EL0 are not trapped. */
export const SCTLR_NTWI = 1 << 16;
export const SCTLR_NTWE = 1 << 18;

/** CNTFRQ_EL0 as QEMU 7.2 (1 GHz / GTIMER_SCALE 16 = 62.5 MHz), which firmware would program. */
export const CNTFRQ_RESET = 62500000;

/** SCR_EL3 bits (D17.2.117). */
export const SCR_NS = 1 << 0;
export const SCR_IRQ = 1 << 1;
export const SCR_FIQ = 1 << 2;
export const SCR_SMD = 1 << 7;
export const SCR_HCE = 1 << 8;
export const SCR_RW = 1 << 10;
export const SCR_TWI = 1 << 12;
export const SCR_TWE = 1 << 13;

/** HCR_EL2 bits (low word; D17.2.48). */
export const HCR_FMO = 1 << 3;
export const HCR_IMO = 1 << 4;
export const HCR_TWI = 1 << 13;
export const HCR_TWE = 1 << 14;
export const HCR_TGE = 1 << 27;
export const HCR_RW = 1 << 31;
