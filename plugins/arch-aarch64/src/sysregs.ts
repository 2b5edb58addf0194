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
