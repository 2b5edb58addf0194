/**
 * MRS/MSR of the exception-level system registers (Arm ARM D17.2): SPSR, ELR, ESR, FAR, VBAR,
 * SCTLR of EL1-EL3, SCR_EL3, HCR_EL2, CPACR_EL1, CNTFRQ_EL0, SP_EL0-SP_EL2. The caller has checked
 * the minimum EL from op1 (EL1 registers from EL1, EL2 from EL2, EL3 from EL3, EL0 ones from EL0),
 * which makes ELR/SPSR/... of a higher EL UNDEFINED from a lower one.
 */
import type { A64Cpu } from './cpu.js';
import { translationChanged } from './mmu.js';
import {
  keyEl,
  SYSREG_CNTFRQ_EL0,
  SYSREG_CPACR_EL1,
  SYSREG_ELR_EL1,
  SYSREG_ELR_EL2,
  SYSREG_ELR_EL3,
  SYSREG_ESR_EL1,
  SYSREG_ESR_EL2,
  SYSREG_ESR_EL3,
  SYSREG_FAR_EL1,
  SYSREG_FAR_EL2,
  SYSREG_FAR_EL3,
  SYSREG_HCR_EL2,
  SYSREG_SCR_EL3,
  SYSREG_SCTLR_EL1,
  SYSREG_SCTLR_EL2,
  SYSREG_SCTLR_EL3,
  SYSREG_SP_EL0,
  SYSREG_SP_EL1,
  SYSREG_SP_EL2,
  SYSREG_SPSR_EL1,
  SYSREG_SPSR_EL2,
  SYSREG_SPSR_EL3,
  SYSREG_VBAR_EL1,
  SYSREG_VBAR_EL2,
  SYSREG_VBAR_EL3,
} from './sysregs.js';

/** The value an MRS read (lo, hi): module-level so that nothing is allocated. */
export const EL_VALUE = new Int32Array(2);

/** SPSR_ELx bits that exist in Armv8.0 AArch64: NZCV, SS, IL, DAIF, M[4:0]. */
const SPSR_MASK = 0xf03003df | 0;
/** SCR_EL3 bits defined in Armv8.0 (NS ... TWE, bits 0-13); RES1 bits 4-5 read as written. */
const SCR_MASK = 0x3fff;

/**
 * SP_ELn access (C5.2.17-19): SP_EL0 is UNDEFINED while it is the current stack pointer; SP_EL1
 * (from EL2 up) and SP_EL2 (from EL3) never are the current one.
 */
function spKeyEl(cpu: A64Cpu, key: number): number {
  if (key === SYSREG_SP_EL0) return cpu.spSel === 0 ? -1 : 0;
  if (key === SYSREG_SP_EL1) return 1;
  if (key === SYSREG_SP_EL2) return 2;
  return -2;
}

/** MRS of an exception-level register into EL_VALUE; false when the key is not one (UNDEFINED). */
export function readElRegister(cpu: A64Cpu, key: number): boolean {
  let lo = 0;
  let hi = 0;
  const el = keyEl(key);
  switch (key) {
    case SYSREG_SPSR_EL1:
    case SYSREG_SPSR_EL2:
    case SYSREG_SPSR_EL3:
      lo = cpu.spsr[el];
      break;
    case SYSREG_ELR_EL1:
    case SYSREG_ELR_EL2:
    case SYSREG_ELR_EL3:
      lo = cpu.elr[2 * el];
      hi = cpu.elr[2 * el + 1];
      break;
    case SYSREG_ESR_EL1:
    case SYSREG_ESR_EL2:
    case SYSREG_ESR_EL3:
      lo = cpu.esr[el];
      break;
    case SYSREG_FAR_EL1:
    case SYSREG_FAR_EL2:
    case SYSREG_FAR_EL3:
      lo = cpu.far[2 * el];
      hi = cpu.far[2 * el + 1];
      break;
    case SYSREG_VBAR_EL1:
    case SYSREG_VBAR_EL2:
    case SYSREG_VBAR_EL3:
      lo = cpu.vbar[2 * el];
      hi = cpu.vbar[2 * el + 1];
      break;
    case SYSREG_SCTLR_EL1:
    case SYSREG_SCTLR_EL2:
    case SYSREG_SCTLR_EL3:
      lo = cpu.sctlr[el];
      break;
    case SYSREG_SCR_EL3:
      lo = cpu.scr;
      break;
    case SYSREG_HCR_EL2:
      lo = cpu.hcr[0];
      hi = cpu.hcr[1];
      break;
    case SYSREG_CPACR_EL1:
      lo = cpu.cpacr;
      break;
    case SYSREG_CNTFRQ_EL0:
      // EL0 reads were checked against CNTKCTL_EL1 in generic-timer.ts.
      lo = cpu.cntfrq;
      break;
    default: {
      const n = spKeyEl(cpu, key);
      if (n < 0) return false;
      // Never the live stack pointer (see spKeyEl), so the bank is up to date.
      lo = cpu.spBank[2 * n];
      hi = cpu.spBank[2 * n + 1];
    }
  }
  EL_VALUE[0] = lo;
  EL_VALUE[1] = hi;
  return true;
}

/** MSR to an exception-level register; false when the key is not one or is read-only here. */
export function writeElRegister(cpu: A64Cpu, key: number, lo: number, hi: number): boolean {
  const el = keyEl(key);
  switch (key) {
    case SYSREG_SPSR_EL1:
    case SYSREG_SPSR_EL2:
    case SYSREG_SPSR_EL3:
      cpu.spsr[el] = lo & SPSR_MASK;
      return true;
    case SYSREG_ELR_EL1:
    case SYSREG_ELR_EL2:
    case SYSREG_ELR_EL3:
      cpu.elr[2 * el] = lo;
      cpu.elr[2 * el + 1] = hi;
      return true;
    case SYSREG_ESR_EL1:
    case SYSREG_ESR_EL2:
    case SYSREG_ESR_EL3:
      cpu.esr[el] = lo;
      return true;
    case SYSREG_FAR_EL1:
    case SYSREG_FAR_EL2:
    case SYSREG_FAR_EL3:
      cpu.far[2 * el] = lo;
      cpu.far[2 * el + 1] = hi;
      return true;
    case SYSREG_VBAR_EL1:
    case SYSREG_VBAR_EL2:
    case SYSREG_VBAR_EL3:
      // Bits [10:0] are RES0: the table is 2 KiB aligned.
      cpu.vbar[2 * el] = lo & ~0x7ff;
      cpu.vbar[2 * el + 1] = hi;
      return true;
    case SYSREG_SCTLR_EL1:
    case SYSREG_SCTLR_EL2:
    case SYSREG_SCTLR_EL3:
      cpu.sctlr[el] = lo;
      // M, A, WXN: translation and the TLB's permissions may change.
      translationChanged(cpu);
      return true;
    case SYSREG_SCR_EL3:
      cpu.scr = lo & SCR_MASK;
      // IRQ/FIQ routing may have changed: let run() look at the inputs again.
      cpu.attention = true;
      return true;
    case SYSREG_HCR_EL2:
      cpu.hcr[0] = lo;
      cpu.hcr[1] = hi;
      // TGE and DC turn EL1&0 stage 1 off (and back on: drop what the TLB held).
      translationChanged(cpu);
      cpu.attention = true;
      return true;
    case SYSREG_CPACR_EL1:
      cpu.cpacr = lo;
      return true;
    case SYSREG_CNTFRQ_EL0:
      // Writable only at the highest implemented EL (D17.10.1): UNDEFINED below EL3.
      if (cpu.el < 3) return false;
      cpu.cntfrq = lo;
      return true;
    default: {
      const n = spKeyEl(cpu, key);
      if (n < 0) return false;
      cpu.spBank[2 * n] = lo;
      cpu.spBank[2 * n + 1] = hi;
      return true;
    }
  }
}
