/**
 * Caches, as far as software can see them on a core that models none: the identification
 * registers of a Cortex-A53 as QEMU 7.2's cortex-a53 gives them (CTR_EL0, CLIDR_EL1, CCSIDR_EL1
 * selected by CSSELR_EL1, DCZID_EL0), and DC ZVA, which is a store of zeros to a 64-byte block
 * through the MMU. The other DC and IC operations do nothing (mmu-sys.ts). Firmware and kernels
 * read these registers before their first cache maintenance (U-Boot's set/way loops, Linux's
 * dcache_line_size), so they must exist.
 */
import type { A64Cpu } from './cpu.js';
import { EL_VALUE } from './el-registers.js';
import { trap } from './generic-timer.js';
import { zeroBlock } from './memory.js';
import { sysreg } from './sysregs.js';

export const SYSREG_CTR_EL0 = sysreg(3, 3, 0, 0, 1);
export const SYSREG_DCZID_EL0 = sysreg(3, 3, 0, 0, 7);
export const SYSREG_CLIDR_EL1 = sysreg(3, 1, 0, 0, 1);
export const SYSREG_CCSIDR_EL1 = sysreg(3, 1, 0, 0, 0);
export const SYSREG_CSSELR_EL1 = sysreg(3, 2, 0, 0, 0);
/** DC ZVA as a SYS key (op0 = 1). */
export const SYS_DC_ZVA = sysreg(1, 3, 7, 4, 1);

/** CTR_EL0: 64-byte lines (DminLine, IminLine 4), VIPT L1 instruction cache. */
export const CTR_A53 = 0x84448004 | 0;
/** CLIDR_EL1: L1 separate I and D, L2 unified; LoUU 1, LoC 2, LoUIS 1. */
export const CLIDR_A53 = 0x0a200023;
/** CCSIDR_EL1 for L1 D (32 KiB), L1 I (32 KiB), L2 (1 MiB); other selections read 0. */
const CCSIDR_A53 = [0x700fe01a, 0x201fe00a, 0x707fe07a];
/** DCZID_EL0.BS: log2 of the DC ZVA block in words (64 bytes). */
const DCZ_BS = 4;
export const DCZ_BYTES = 4 << DCZ_BS;

/** SCTLR_EL1.UCT (EL0 reads CTR_EL0) and .DZE (EL0 uses DC ZVA). */
const SCTLR_UCT = 1 << 15;
const SCTLR_DZE = 1 << 14;

/**
 * MRS of a cache identification register into EL_VALUE: 1 done, 0 not one of them, -1 trapped
 * (CTR_EL0 at EL0 with SCTLR_EL1.UCT = 0: EC 0x18 to EL1, D17.2.37).
 */
export function readCacheRegister(cpu: A64Cpu, key: number, rt: number, pcLo: number, pcHi: number): number {
  let lo = 0;
  switch (key) {
    case SYSREG_CTR_EL0:
      if (cpu.el === 0 && (cpu.sctlr[1] & SCTLR_UCT) === 0) {
        trap(cpu, key, rt, true, pcLo, pcHi, -1);
        return -1;
      }
      lo = CTR_A53;
      break;
    case SYSREG_DCZID_EL0:
      // DZP reads 1 where DC ZVA would trap (EL0 with SCTLR_EL1.DZE = 0).
      lo = DCZ_BS | (cpu.el === 0 && (cpu.sctlr[1] & SCTLR_DZE) === 0 ? 1 << 4 : 0);
      break;
    case SYSREG_CLIDR_EL1:
      lo = CLIDR_A53;
      break;
    case SYSREG_CCSIDR_EL1:
      lo = CCSIDR_A53[cpu.mmu.csselr] ?? 0;
      break;
    case SYSREG_CSSELR_EL1:
      lo = cpu.mmu.csselr;
      break;
    default:
      return 0;
  }
  EL_VALUE[0] = lo;
  EL_VALUE[1] = 0;
  return 1;
}

/** MSR CSSELR_EL1 (Level [3:1], InD [0]); false for any other key. */
export function writeCacheRegister(cpu: A64Cpu, key: number, lo: number): boolean {
  if (key !== SYSREG_CSSELR_EL1) return false;
  cpu.mmu.csselr = lo & 15;
  return true;
}

/**
 * DC ZVA Xt: zeroes the 64-byte block holding Xt as a write (translation, permission and
 * External aborts with WnR = 1 and FAR = the block's address, as QEMU). At EL0 it needs
 * SCTLR_EL1.DZE, else EC 0x18 to EL1.
 */
export function dcZva(cpu: A64Cpu, rt: number, lo: number, hi: number, pcLo: number, pcHi: number): void {
  if (cpu.el === 0 && (cpu.sctlr[1] & SCTLR_DZE) === 0) {
    trap(cpu, SYS_DC_ZVA, rt, false, pcLo, pcHi, -1);
    return;
  }
  zeroBlock(cpu, lo & -DCZ_BYTES, hi, DCZ_BYTES, pcLo, pcHi);
}
