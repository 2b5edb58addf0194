/**
 * FP/SIMD access control and registers: the trap checks every FP/SIMD instruction and FPCR/FPSR
 * access makes first (Arm ARM D1.6 / pseudocode AArch64.CheckFPAdvSIMDEnabled), and MRS/MSR of
 * FPCR, FPSR, CPTR_EL2 and CPTR_EL3.
 */
import type { A64Cpu } from './cpu.js';
import { EC_NAMES, EC_SYSREG, EC_UNKNOWN, ESR_IL } from './exceptions.js';
import { CPTR_EL2_MASK, CPTR_EL2_RES1, CPTR_EL3_MASK, CPTR_TFP, FPCR_MASK, FPSR_MASK } from './fp-state.js';
import { HCR_TGE, SCR_NS, sysreg, SYSREG_CPACR_EL1 } from './sysregs.js';

/** EC 0x07: access to SIMD or floating-point functionality trapped (D17.2.37). */
export const EC_FP_ACCESS = 0x07;
EC_NAMES[EC_FP_ACCESS] = 'FP/SIMD access trap';
/** ISS of EC 0x07 from AArch64: CV = 1, COND = 0b1110 (as QEMU's syn_fp_access_trap(1, 0xe, ...)). */
const FP_TRAP_ISS = (1 << 24) | (0xe << 20);

export const SYSREG_FPCR = sysreg(3, 3, 4, 4, 0);
export const SYSREG_FPSR = sysreg(3, 3, 4, 4, 1);
export const SYSREG_CPTR_EL2 = sysreg(3, 4, 1, 1, 2);
export const SYSREG_CPTR_EL3 = sysreg(3, 6, 1, 1, 2);
/** CPTR_ELx.TCPAC (bit 31): traps accesses to CPACR_EL1 (and, for CPTR_EL3, to CPTR_EL2). */
const CPTR_TCPAC = 1 << 31;

/**
 * CPTR_EL2.TCPAC traps Non-secure EL1 accesses to CPACR_EL1 to EL2; CPTR_EL3.TCPAC traps EL1 and
 * EL2 accesses to CPACR_EL1 and EL2 accesses to CPTR_EL2 to EL3 (EC 0x18, ISS = Op0, Op2, Op1,
 * CRn, Rt, CRm, direction). True when trapped.
 */
function cpacrTrap(cpu: A64Cpu, key: number, rt: number, write: boolean, pcLo: number, pcHi: number): boolean {
  const el = cpu.el;
  let target = 0;
  if (key === SYSREG_CPACR_EL1 && el === 1 && (cpu.scr & SCR_NS) !== 0 && (cpu.fp.cptr2 & CPTR_TCPAC) !== 0) target = 2;
  else if ((el === 1 || el === 2) && (cpu.fp.cptr3 & CPTR_TCPAC) !== 0) target = 3;
  if (target === 0) return false;
  const iss = (((key >>> 14) & 3) << 20) | ((key & 7) << 17) | (((key >>> 11) & 7) << 14) | (((key >>> 7) & 15) << 10) | ((rt > 31 ? 31 : rt) << 5) | (((key >>> 3) & 15) << 1) | (write ? 0 : 1);
  cpu.raiseSync((EC_SYSREG << 26) | ESR_IL | iss, pcLo, pcHi, 0, 0, false, target);
  return true;
}

function trapTo(cpu: A64Cpu, target: number, pcLo: number, pcHi: number): void {
  // A trap to EL1 from Non-secure EL0 with HCR_EL2.TGE = 1 goes to EL2 as an Unknown reason
  // exception (AArch64.AdvSIMDFPAccessTrap).
  if (target === 1 && cpu.el === 0 && (cpu.hcr[0] & HCR_TGE) !== 0 && (cpu.scr & SCR_NS) !== 0) {
    cpu.raiseSync((EC_UNKNOWN << 26) | ESR_IL, pcLo, pcHi, 0, 0, false, 2);
    return;
  }
  cpu.raiseSync((EC_FP_ACCESS << 26) | ESR_IL | FP_TRAP_ISS, pcLo, pcHi, 0, 0, false, target);
}

/**
 * AArch64.CheckFPAdvSIMDEnabled: CPACR_EL1.FPEN (bits 21:20: x0 traps EL0 and EL1, 01 traps EL0,
 * 11 traps nothing) at EL0/EL1, then CPTR_EL2.TFP below EL3 when EL2 is enabled (Non-secure),
 * then CPTR_EL3.TFP. True when the access may go on; otherwise the trap is recorded.
 */
export function fpEnabled(cpu: A64Cpu, pcLo: number, pcHi: number): boolean {
  const el = cpu.el;
  if (el < 2) {
    const fpen = (cpu.cpacr >>> 20) & 3;
    if ((fpen & 1) === 0 || (fpen === 1 && el === 0)) {
      trapTo(cpu, 1, pcLo, pcHi);
      return false;
    }
  }
  const fp = cpu.fp;
  if (el < 3 && (cpu.scr & SCR_NS) !== 0 && (fp.cptr2 & CPTR_TFP) !== 0) {
    trapTo(cpu, 2, pcLo, pcHi);
    return false;
  }
  if ((fp.cptr3 & CPTR_TFP) !== 0) {
    trapTo(cpu, 3, pcLo, pcHi);
    return false;
  }
  return true;
}

/**
 * MRS/MSR of the FP registers: -1 when `key` is not one of them, else 1 (done, or an exception
 * was recorded). The caller has checked the minimum EL from op1. A read goes to X[rt].
 */
export function fpSysreg(cpu: A64Cpu, key: number, rt: number, write: boolean, pcLo: number, pcHi: number): number {
  const fp = cpu.fp;
  const lo = cpu.xl[rt];
  let value = 0;
  switch (key) {
    case SYSREG_CPACR_EL1:
      // stored with the EL1 registers (el-registers.ts) unless a TCPAC trap applies
      return cpacrTrap(cpu, key, rt, write, pcLo, pcHi) ? 1 : -1;
    case SYSREG_FPCR:
      if (!fpEnabled(cpu, pcLo, pcHi)) return 1;
      if (write) fp.fpcr = lo & FPCR_MASK;
      else value = fp.fpcr;
      break;
    case SYSREG_FPSR:
      if (!fpEnabled(cpu, pcLo, pcHi)) return 1;
      if (write) fp.fpsr = lo & FPSR_MASK;
      else value = fp.fpsr;
      break;
    case SYSREG_CPTR_EL2:
      if (cpacrTrap(cpu, key, rt, write, pcLo, pcHi)) return 1;
      if (write) fp.cptr2 = (lo & CPTR_EL2_MASK) | CPTR_EL2_RES1;
      else value = fp.cptr2;
      break;
    case SYSREG_CPTR_EL3:
      if (write) fp.cptr3 = lo & CPTR_EL3_MASK;
      else value = fp.cptr3;
      break;
    default:
      return -1;
  }
  if (!write) {
    cpu.xl[rt] = value;
    cpu.xh[rt] = 0;
  }
  return 1;
}
