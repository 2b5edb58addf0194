/**
 * The feature ID registers (op0 3, op1 0, CRn 0, CRm 1-7: D13.1.3) and the few EL2 and debug
 * configuration registers a Linux kernel writes while it drops from EL2 (arch/arm64's init_el2):
 * what this core implements, in QEMU cortex-a53's layout, rather than what a real A53 has where the
 * two differ (a guest must not find a feature it would then miss):
 *
 * - ID_AA64PFR0_EL1 0x1111: EL0-EL3 AArch64 only (QEMU: 0x2222, AArch32 too; this core has no
 *   AArch32), FP and AdvSIMD present (fields 0), no GIC system registers.
 * - ID_AA64DFR0_EL1 0x10305006: QEMU's debug v8 with 6 breakpoints, 4 watchpoints, but PMUVer 0 (no
 *   PMU registers here: Linux would read PMCR_EL0).
 * - ID_AA64ISAR0_EL1 0x11120, as QEMU: AES = 2 (AESE/AESD/AESMC/AESIMC and PMULL of 64-bit elements),
 *   SHA1 = 1, SHA2 = 1 (SHA256 only), CRC32 = 1 (crypto.ts, dataproc.ts).
 * - REVIDR_EL1 0, as QEMU. The rest of the space reads as zero: reserved encodings are RAZ, and with no AArch32 the
 *   AArch32 ID registers (CRm 1-3) say nothing is there. ID_AA64MMFR0/1_EL1 (CRm 7, op2 0-1) belong
 *   to the MMU (mmu-sys.ts) and are left to it.
 * - VPIDR_EL2/VMPIDR_EL2 (reset: MIDR, MPIDR), MDCR_EL2, HSTR_EL2, MDSCR_EL1, OSDLR_EL1 are stored and
 *   read back without other effect (no virtualization, no self-hosted debug); OSLAR_EL1 writes set
 *   OSLSR_EL1.OSLK (the OS lock, bit 1; OSLM = 0b10 in bits 3 and 0).
 */
import type { A64Cpu } from './cpu.js';
import { MIDR_CORTEX_A53, sysreg } from './sysregs.js';

const REVIDR_EL1 = sysreg(3, 0, 0, 0, 6);
const ID_AA64PFR0 = sysreg(3, 0, 0, 4, 0);
const ID_AA64DFR0 = sysreg(3, 0, 0, 5, 0);
const ID_AA64ISAR0 = sysreg(3, 0, 0, 6, 0);

const VPIDR_EL2 = sysreg(3, 4, 0, 0, 0);
const VMPIDR_EL2 = sysreg(3, 4, 0, 0, 5);
const MDCR_EL2 = sysreg(3, 4, 1, 1, 1);
const HSTR_EL2 = sysreg(3, 4, 1, 1, 3);
const MDSCR_EL1 = sysreg(2, 0, 0, 2, 2);
const OSLAR_EL1 = sysreg(2, 0, 1, 0, 4);
const OSLSR_EL1 = sysreg(2, 0, 1, 1, 4);
const OSDLR_EL1 = sysreg(2, 0, 1, 3, 4);

const VALUES = new Map<number, number>([
  [ID_AA64PFR0, 0x00001111],
  [ID_AA64DFR0, 0x10305006],
  [ID_AA64ISAR0, 0x00011120],
]);

/** Stored configuration registers per core: key -> value (32 bits suffice for all of them here). */
const stored = new WeakMap<A64Cpu, Map<number, number>>();

function storeOf(cpu: A64Cpu): Map<number, number> {
  let m = stored.get(cpu);
  if (!m) {
    // Reset values: VPIDR/VMPIDR as QEMU (the core's MIDR and MPIDR), the OS lock set (OSLSR.OSLK).
    m = new Map([
      [VPIDR_EL2, MIDR_CORTEX_A53],
      [VMPIDR_EL2, (0x80000000 | cpu.id) >>> 0],
      [OSLSR_EL1, 0b1010],
    ]);
    stored.set(cpu, m);
  }
  return m;
}

function isFeatureId(key: number): boolean {
  const op0 = (key >>> 14) & 3;
  const op1 = (key >>> 11) & 7;
  const crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15;
  const op2 = key & 7;
  return op0 === 3 && op1 === 0 && crn === 0 && crm >= 1 && crm <= 7 && !(crm === 7 && op2 <= 2);
}

/**
 * MRS of one of these registers into X[rt] (the decoder's index: XZR as a destination is the
 * sink): true when `key` is one of them, false otherwise. The caller has checked the minimum EL
 * that op1 encodes.
 */
export function readIdRegister(cpu: A64Cpu, key: number, rt: number): boolean {
  const value = idValue(cpu, key);
  if (value < 0) return false;
  cpu.xl[rt] = value | 0;
  cpu.xh[rt] = 0;
  return true;
}

/** The value of one of these registers, or -1 when `key` is none of them. */
function idValue(cpu: A64Cpu, key: number): number {
  if (isFeatureId(key)) return VALUES.get(key) ?? 0;
  switch (key) {
    case REVIDR_EL1:
      return 0; // no revision-specific changes (QEMU cortex-a53: 0)
    case VPIDR_EL2:
    case VMPIDR_EL2:
    case MDCR_EL2:
    case HSTR_EL2:
    case MDSCR_EL1:
    case OSDLR_EL1:
    case OSLSR_EL1:
      return storeOf(cpu).get(key) ?? 0;
    default:
      return -1;
  }
}

/** MSR: true when `key` is a writable register of this file (the ID registers are read-only). */
export function writeIdRegister(cpu: A64Cpu, key: number, lo: number): boolean {
  switch (key) {
    case VPIDR_EL2:
    case VMPIDR_EL2:
    case MDCR_EL2:
    case HSTR_EL2:
    case MDSCR_EL1:
    case OSDLR_EL1:
      storeOf(cpu).set(key, lo >>> 0);
      return true;
    case OSLAR_EL1:
      storeOf(cpu).set(OSLSR_EL1, 0b1000 | ((lo & 1) << 1));
      return true;
    default:
      return false;
  }
}
