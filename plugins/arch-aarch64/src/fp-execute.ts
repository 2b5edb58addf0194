/**
 * FP/SIMD execution: the one interpreter case for every FP/SIMD instruction (Op.FP). The slot
 * holds the instruction bits (`a`) and the class the decoder found (`c`, a kind below); each
 * class re-reads its fields from the bits. Every instruction first checks that FP/SIMD is enabled
 * (CPACR_EL1.FPEN, CPTR_EL2/EL3.TFP; fp-access.ts).
 */
import type { A64Cpu } from './cpu.js';
import { fpEnabled } from './fp-access.js';
import { fpLoadLiteral, fpLoadStorePair, fpLoadStoreReg, simdLoadStoreMultiple, simdLoadStoreSingle } from './fp-loadstore.js';
import { executeFpScalar } from './fp-scalar.js';
import { executeSimd } from './simd-execute.js';

/** Kinds 0-8 are the scalar FP classes (fp-scalar.ts FPS_*). */
export const K_LD_LIT = 16;
export const K_LD_PAIR = 17;
export const K_LD_REG = 18;
export const K_LD_MULT = 19;
export const K_LD_ONE = 20;
/** Kinds from 32 are Advanced SIMD classes (simd-execute.ts). */
export const K_SIMD = 32;

export function executeFp(cpu: A64Cpu, bits: number, kind: number, pcLo: number, pcHi: number): void {
  if (!fpEnabled(cpu, pcLo, pcHi)) return;
  if (kind < 16) return executeFpScalar(cpu, bits, kind);
  switch (kind) {
    case K_LD_LIT:
      return fpLoadLiteral(cpu, bits, pcLo, pcHi);
    case K_LD_PAIR:
      return fpLoadStorePair(cpu, bits, pcLo, pcHi);
    case K_LD_REG:
      return fpLoadStoreReg(cpu, bits, pcLo, pcHi);
    case K_LD_MULT:
      return simdLoadStoreMultiple(cpu, bits, pcLo, pcHi);
    case K_LD_ONE:
      return simdLoadStoreSingle(cpu, bits, pcLo, pcHi);
    default:
      return executeSimd(cpu, bits, kind);
  }
}
