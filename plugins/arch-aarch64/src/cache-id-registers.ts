/**
 * The cache identification registers of a Cortex-A53, with QEMU 7.2's cortex-a53 values
 * (target/arm/cpu64.c): firmware and kernels read them to size their cache maintenance loops
 * (U-Boot's flush_dcache_all walks CLIDR/CCSIDR with DC CISW), though this core has no caches.
 *
 * - CTR_EL0 0x84448004 (64-byte lines, VIPT I-cache): readable at EL0 only with SCTLR_EL1.UCT,
 *   else EC 0x18 (D13.2.34).
 * - DCZID_EL0: block size 4 (64 bytes) as QEMU, with DZP = 1 ("DC ZVA prohibited") because DC ZVA
 *   does not zero memory here yet (a no-op SYS): software then zeroes with stores.
 * - CLIDR_EL1 0x0a200023 (L1 I+D, L2 unified; LoUU 1, LoC 2), CCSIDR_EL1 of the level and kind
 *   CSSELR_EL1 selects (L1 D 32 KiB, L1 I 32 KiB, L2 512 KiB; 0 for the others).
 */
import type { A64Cpu } from './cpu.js';
import { EC_SYSREG, ESR_IL } from './exceptions.js';
import { readIdRegister, writeIdRegister } from './id-registers.js';
import { sysreg } from './sysregs.js';

const CTR_EL0 = sysreg(3, 3, 0, 0, 1);
const DCZID_EL0 = sysreg(3, 3, 0, 0, 7);
const CLIDR_EL1 = sysreg(3, 1, 0, 0, 1);
const CCSIDR_EL1 = sysreg(3, 1, 0, 0, 0);
const CSSELR_EL1 = sysreg(3, 2, 0, 0, 0);

const CTR_VALUE = 0x84448004;
const DCZID_VALUE = 0x10 | 4; // DZP | BS = log2(16 words)
const CLIDR_VALUE = 0x0a200023;
/** CCSIDR by CSSELR (Level << 1 | InD): L1 data, L1 instruction, L2 unified. */
const CCSIDR_VALUES = [0x700fe01a, 0x201fe00a, 0x707fe07a];
const SCTLR_UCT = 1 << 15;

/** CSSELR_EL1 per core (its reset value is UNKNOWN; 0 here). */
const csselr = new WeakMap<A64Cpu, number>();

/**
 * MRS of one of these registers (or of id-registers.ts') into X[rt]: true when `key` is one of
 * them (done, or trapped from EL0), false otherwise. The caller has checked the minimum EL that op1 encodes.
 */
export function readCacheIdRegister(cpu: A64Cpu, key: number, rt: number, pcLo: number, pcHi: number): boolean {
  let value: number;
  switch (key) {
    case CTR_EL0:
      if (cpu.el === 0 && (cpu.sctlr[1] & SCTLR_UCT) === 0) {
        trapToEl1(cpu, key, rt, pcLo, pcHi);
        return true;
      }
      value = CTR_VALUE;
      break;
    case DCZID_EL0:
      value = DCZID_VALUE;
      break;
    case CLIDR_EL1:
      value = CLIDR_VALUE;
      break;
    case CCSIDR_EL1:
      value = CCSIDR_VALUES[csselr.get(cpu) ?? 0] ?? 0;
      break;
    case CSSELR_EL1:
      value = csselr.get(cpu) ?? 0;
      break;
    default: {
      // The feature ID registers and EL2/debug configuration registers (id-registers.ts).
      const id = readIdRegister(cpu, key);
      if (id < 0) return false;
      value = id;
    }
  }
  cpu.xl[rt] = value | 0; // rt is the decoder's index: XZR as a destination is the sink
  cpu.xh[rt] = 0;
  return true;
}

/** MSR of CSSELR_EL1 (Level and InD kept) or of id-registers.ts' writable ones; false for any other register. */
export function writeCacheIdRegister(cpu: A64Cpu, key: number, lo: number): boolean {
  if (key !== CSSELR_EL1) return writeIdRegister(cpu, key, lo);
  csselr.set(cpu, lo & 0xf);
  return true;
}

/** EC 0x18 with ISS = Op0:Op2:Op1:CRn:Rt:CRm:Direction(read), as the Arm ARM's D17.2.37. */
function trapToEl1(cpu: A64Cpu, key: number, rt: number, pcLo: number, pcHi: number): void {
  const op0 = (key >>> 14) & 3;
  const op1 = (key >>> 11) & 7;
  const crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15;
  const op2 = key & 7;
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((rt > 31 ? 31 : rt) << 5) | (crm << 1) | 1;
  cpu.raiseSync((EC_SYSREG << 26) | ESR_IL | iss, pcLo, pcHi, 0, 0, false);
}
