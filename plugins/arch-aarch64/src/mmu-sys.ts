/**
 * The MMU's system registers and instructions: MRS/MSR of TTBR0/1_EL1, TTBR0_EL2/EL3, TCR_ELx,
 * MAIR_ELx, AMAIR_ELx, PAR_EL1, CONTEXTIDR_EL1, VTTBR/VTCR_EL2 (stored, no stage 2) and the
 * ID_AA64MMFR0/1/2_EL1 identification registers; SYS: TLBI (C5.5.x) and AT (C5.5.x). DC and IC by
 * set/way or VA do nothing: there are no caches to model.
 *
 * The caller (system.ts) has checked the minimum EL from op1, which covers every register and
 * instruction here (TLBI ... E1 from EL1, ... E2 from EL2, ... E3 from EL3; AT likewise).
 */
import type { A64Cpu } from './cpu.js';
import { EL_VALUE } from './el-registers.js';
import { addressTranslate, ID_AA64MMFR0, translationChanged, ttbrChanged } from './mmu.js';
import { dcZva, readCacheRegister, SYS_DC_ZVA, writeCacheRegister } from './cache.js';
import { sysreg } from './sysregs.js';
import { trap } from './generic-timer.js';

/** SCTLR_EL1.UCI: EL0 may use DC CVAU/CVAC/CIVAC and IC IVAU. */
const SCTLR_UCI = 1 << 26;

export const SYSREG_TTBR0_EL1 = sysreg(3, 0, 2, 0, 0);
export const SYSREG_TTBR1_EL1 = sysreg(3, 0, 2, 0, 1);
export const SYSREG_TCR_EL1 = sysreg(3, 0, 2, 0, 2);
export const SYSREG_TTBR0_EL2 = sysreg(3, 4, 2, 0, 0);
export const SYSREG_TCR_EL2 = sysreg(3, 4, 2, 0, 2);
export const SYSREG_VTTBR_EL2 = sysreg(3, 4, 2, 1, 0);
export const SYSREG_VTCR_EL2 = sysreg(3, 4, 2, 1, 2);
export const SYSREG_TTBR0_EL3 = sysreg(3, 6, 2, 0, 0);
export const SYSREG_TCR_EL3 = sysreg(3, 6, 2, 0, 2);
export const SYSREG_MAIR_EL1 = sysreg(3, 0, 10, 2, 0);
export const SYSREG_MAIR_EL2 = sysreg(3, 4, 10, 2, 0);
export const SYSREG_MAIR_EL3 = sysreg(3, 6, 10, 2, 0);
export const SYSREG_AMAIR_EL1 = sysreg(3, 0, 10, 3, 0);
export const SYSREG_AMAIR_EL2 = sysreg(3, 4, 10, 3, 0);
export const SYSREG_AMAIR_EL3 = sysreg(3, 6, 10, 3, 0);
export const SYSREG_PAR_EL1 = sysreg(3, 0, 7, 4, 0);
export const SYSREG_CONTEXTIDR_EL1 = sysreg(3, 0, 13, 0, 1);
export const SYSREG_ID_AA64MMFR0_EL1 = sysreg(3, 0, 0, 7, 0);
export const SYSREG_ID_AA64MMFR1_EL1 = sysreg(3, 0, 0, 7, 1);
/** Reserved (RAZ) in Armv8.0; Linux reads it. */
export const SYSREG_ID_AA64MMFR2_EL1 = sysreg(3, 0, 0, 7, 2);

/** TCR_EL1 bits of Armv8.0 (RES0 6 and 35 clear): low word all but bit 6, high word bits 32-38 but 35. */
const TCR_EL1_LO = ~(1 << 6);
const TCR_EL1_HI = 0x77;
/** TCR_EL2/EL3 (non-VHE): T0SZ, IRGN0, ORGN0, SH0, TG0, PS, TBI; bits 31 and 23 RES1. */
const TCR_EL23_MASK = 0x0017ff3f;
const TCR_EL23_RES1 = (1 << 31) | (1 << 23);

/** EL of a banked key from op1 (0: EL1, 4: EL2, 6: EL3). */
function elOf(key: number): number {
  const op1 = (key >>> 11) & 7;
  return op1 === 0 ? 1 : op1 === 4 ? 2 : 3;
}

/**
 * MRS of an MMU or cache identification register into EL_VALUE; false when the key is not one.
 * A trapped read (CTR_EL0 at EL0) records the exception and returns true: the caller checks `exc`.
 */
export function readMmuRegister(cpu: A64Cpu, key: number, rt: number, pcLo: number, pcHi: number): boolean {
  const m = cpu.mmu;
  let lo = 0;
  let hi = 0;
  const el = elOf(key);
  switch (key) {
    case SYSREG_TTBR0_EL1:
    case SYSREG_TTBR0_EL2:
    case SYSREG_TTBR0_EL3:
      lo = m.ttbr0[2 * el];
      hi = m.ttbr0[2 * el + 1];
      break;
    case SYSREG_TTBR1_EL1:
      lo = m.ttbr1[0];
      hi = m.ttbr1[1];
      break;
    case SYSREG_TCR_EL1:
    case SYSREG_TCR_EL2:
    case SYSREG_TCR_EL3:
      lo = m.tcr[2 * el];
      hi = m.tcr[2 * el + 1];
      break;
    case SYSREG_MAIR_EL1:
    case SYSREG_MAIR_EL2:
    case SYSREG_MAIR_EL3:
      lo = m.mair[2 * el];
      hi = m.mair[2 * el + 1];
      break;
    case SYSREG_AMAIR_EL1:
    case SYSREG_AMAIR_EL2:
    case SYSREG_AMAIR_EL3:
      lo = m.amair[2 * el];
      hi = m.amair[2 * el + 1];
      break;
    case SYSREG_VTTBR_EL2:
      lo = m.vttbr[0];
      hi = m.vttbr[1];
      break;
    case SYSREG_VTCR_EL2:
      lo = m.vtcr;
      break;
    case SYSREG_PAR_EL1:
      lo = m.par[0];
      hi = m.par[1];
      break;
    case SYSREG_CONTEXTIDR_EL1:
      lo = m.contextidr;
      break;
    case SYSREG_ID_AA64MMFR0_EL1:
      lo = ID_AA64MMFR0;
      break;
    case SYSREG_ID_AA64MMFR1_EL1:
    case SYSREG_ID_AA64MMFR2_EL1:
      break;
    default:
      return readCacheRegister(cpu, key, rt, pcLo, pcHi) !== 0;
  }
  EL_VALUE[0] = lo;
  EL_VALUE[1] = hi;
  return true;
}

/**
 * MSR to an MMU register, or a SYS instruction (op0 = 1); false when the key is neither (or is
 * read-only). Writes that change what the TLB may hold empty it (mmu.ts).
 */
export function writeMmuRegister(cpu: A64Cpu, key: number, rt: number, lo: number, hi: number, pcLo: number, pcHi: number): boolean {
  if (key >>> 14 === 1) {
    if (key === SYS_DC_ZVA) dcZva(cpu, rt, lo, hi, pcLo, pcHi);
    else if (cpu.el === 0 && (cpu.sctlr[1] & SCTLR_UCI) === 0 && (key >>> 11) === ((1 << 3) | 3)) {
      // EL0 cache maintenance by VA (DC CVAC/CVAU/CIVAC, IC IVAU: op1 = 3) needs SCTLR_EL1.UCI.
      trap(cpu, key, rt, false, pcLo, pcHi, -1);
    } else sysInstruction(cpu, key, lo, hi);
    return true;
  }
  const m = cpu.mmu;
  const el = elOf(key);
  switch (key) {
    case SYSREG_TTBR0_EL1:
    case SYSREG_TTBR0_EL2:
    case SYSREG_TTBR0_EL3:
      m.ttbr0[2 * el] = lo;
      m.ttbr0[2 * el + 1] = hi;
      // EL2/EL3 translations are all global: drop everything (these writes are rare).
      if (el === 1) ttbrChanged(cpu);
      else translationChanged(cpu);
      return true;
    case SYSREG_TTBR1_EL1:
      m.ttbr1[0] = lo;
      m.ttbr1[1] = hi;
      ttbrChanged(cpu);
      return true;
    case SYSREG_TCR_EL1:
      m.tcr[2] = lo & TCR_EL1_LO;
      m.tcr[3] = hi & TCR_EL1_HI;
      translationChanged(cpu);
      return true;
    case SYSREG_TCR_EL2:
    case SYSREG_TCR_EL3:
      m.tcr[2 * el] = (lo & TCR_EL23_MASK) | TCR_EL23_RES1;
      translationChanged(cpu);
      return true;
    case SYSREG_MAIR_EL1:
    case SYSREG_MAIR_EL2:
    case SYSREG_MAIR_EL3:
      m.mair[2 * el] = lo;
      m.mair[2 * el + 1] = hi;
      return true;
    case SYSREG_AMAIR_EL1:
    case SYSREG_AMAIR_EL2:
    case SYSREG_AMAIR_EL3:
      m.amair[2 * el] = lo;
      m.amair[2 * el + 1] = hi;
      return true;
    case SYSREG_VTTBR_EL2:
      m.vttbr[0] = lo;
      m.vttbr[1] = hi;
      return true;
    case SYSREG_VTCR_EL2:
      m.vtcr = lo;
      return true;
    case SYSREG_PAR_EL1:
      m.par[0] = lo;
      m.par[1] = hi;
      return true;
    case SYSREG_CONTEXTIDR_EL1:
      m.contextidr = lo;
      return true;
    default:
      return writeCacheRegister(cpu, key, lo);
  }
}

/**
 * SYS: TLBI (CRn = 8) and AT (CRn = 7, CRm = 8); DC/IC and unallocated SYS encodings do nothing.
 * TLBI by VA drops the entries whose page or block holds the VA (Xt[43:0] = VA[55:12], sign-extended
 * from bit 55), whatever their ASID; by ASID the non-global entries; the rest everything. The
 * Inner Shareable forms (CRm = 3, and CRm = 0 for IPAS2E1IS) do it on every core of the machine.
 */
function sysInstruction(cpu: A64Cpu, key: number, lo: number, hi: number): void {
  const op1 = (key >>> 11) & 7;
  const crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15;
  const op2 = key & 7;
  if (crn === 7 && crm === 8) {
    // AT: op1 0: S1E1R, S1E1W, S1E0R, S1E0W; op1 4: S1E2R/W, S12E1R/W, S12E0R/W (stage 1 only
    // here); op1 6: S1E3R/W.
    let el: number;
    if (op1 === 0) el = op2 < 2 ? 1 : op2 < 4 ? 0 : -1;
    else if (op1 === 4) el = op2 < 2 ? 2 : op2 === 4 || op2 === 5 ? 1 : op2 >= 6 ? 0 : -1;
    else if (op1 === 6) el = op2 < 2 ? 3 : -1;
    else el = -1;
    if (el >= 0) addressTranslate(cpu, el, (op2 & 1) !== 0, lo, hi);
    return;
  }
  if (crn !== 8) return;
  const shareable = crm === 3 || crm === 0;
  const byVa = op2 === 1 || op2 === 5 || (op1 === 0 && (op2 === 3 || op2 === 7));
  const byAsid = op1 === 0 && op2 === 2;
  // VA[55:12] from Xt[43:0], sign-extended from bit 55 (the range bit).
  const vaLo = lo << 12;
  const vaHi = ((((hi << 12) | (lo >>> 20)) & 0xffffff) << 8) >> 8;
  const cores = shareable ? cpu.cores : null;
  const count = cores ? cores.length : 1;
  for (let i = 0; i < count; i++) {
    const core = cores ? cores[i] : cpu;
    if (byVa) core.tlb.flushVa(vaLo, vaHi);
    else if (byAsid) core.tlb.flushNonGlobal();
    else core.tlb.flushAll();
    // The fetch page in use may be one of them: retranslate it.
    core.attention = true;
  }
}
