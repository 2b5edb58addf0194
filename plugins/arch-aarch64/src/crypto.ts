/**
 * The Armv8.0 Cryptographic Extension (as QEMU's cortex-a53; ID_AA64ISAR0_EL1 AES = 2, SHA1 = 1,
 * SHA2 = 1): decoding of the Crypto AES / two-register SHA / three-register SHA classes (Arm ARM
 * C4.1.90, op0 0100 and 0101 with size 00), execution dispatch, and PMULL/PMULL2 of 64-bit
 * elements (an AdvSIMD three-different encoding with size 11, part of FEAT_PMULL).
 */
import type { FpState } from './fp-state.js';
import { executeAes } from './crypto-aes.js';
import { executeSha2, executeSha3 } from './crypto-sha.js';

export const S_AES = 50;
export const S_SHA3 = 51;
export const S_SHA2 = 52;
export const S_PMULL64 = 53;

/** The crypto class of an encoding, or -1 when it is not one (or an unallocated form of one). */
export function decodeCrypto(b: number): number {
  if ((b & 0xff3e0c00) === 0x4e280800) {
    // AES: 0100 1110 size 10100 opcode 10 Rn Rd; size 00, opcode 00100-00111
    const opcode = (b >>> 12) & 31;
    return (b & 0x00c00000) === 0 && opcode >= 4 && opcode <= 7 ? S_AES : -1;
  }
  if ((b & 0xff3e0c00) === 0x5e280800) {
    // two-register SHA: 0101 1110 size 10100 opcode 10 Rn Rd; opcode 0-2
    return (b & 0x00c00000) === 0 && ((b >>> 12) & 31) <= 2 ? S_SHA2 : -1;
  }
  if ((b & 0xff208c00) === 0x5e000000) {
    // three-register SHA: 0101 1110 size 0 Rm 0 opcode 00 Rn Rd; opcode 0-6
    return (b & 0x00c00000) === 0 && ((b >>> 12) & 7) !== 7 ? S_SHA3 : -1;
  }
  return -1;
}

export function executeCrypto(fp: FpState, b: number, kind: number): void {
  if (kind === S_AES) return executeAes(fp, b);
  if (kind === S_SHA3) return executeSha3(fp, b);
  if (kind === S_SHA2) return executeSha2(fp, b);
  pmull64(fp, b);
}

/** Partial product of clmul32: low and high words. */
let pLo = 0;
let pHi = 0;

/** Carry-less 32 x 32 -> 64-bit product into pLo/pHi. */
function clmul32(x: number, y: number): void {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) {
    if ((y >>> i) & 1) {
      lo ^= x << i;
      if (i !== 0) hi ^= x >>> (32 - i);
    }
  }
  pLo = lo;
  pHi = hi;
}

/** PMULL Vd.1Q, Vn.1D, Vm.1D (Q = 0: low doublewords) / PMULL2 Vd.1Q, Vn.2D, Vm.2D (Q = 1: high). */
function pmull64(fp: FpState, b: number): void {
  const v = fp.v;
  const half = 2 * ((b >>> 30) & 1);
  const n = 4 * ((b >>> 5) & 31) + half;
  const m = 4 * ((b >>> 16) & 31) + half;
  const a0 = v[n];
  const a1 = v[n + 1];
  const b0 = v[m];
  const b1 = v[m + 1];
  // (a1 x^32 + a0)(b1 x^32 + b0) = a1b1 x^64 + (a1b0 + a0b1) x^32 + a0b0, + being EOR
  clmul32(a0, b0);
  const r0 = pLo;
  let r1 = pHi;
  clmul32(a1, b1);
  let r2 = pLo;
  const r3 = pHi;
  clmul32(a0, b1);
  r1 ^= pLo;
  r2 ^= pHi;
  clmul32(a1, b0);
  r1 ^= pLo;
  r2 ^= pHi;
  const d = 4 * (b & 31);
  v[d] = r0;
  v[d + 1] = r1;
  v[d + 2] = r2;
  v[d + 3] = r3;
}
