/**
 * Advanced SIMD saturating and rounding shifts (Arm ARM C7: SRSHL/URSHL, SQSHL/UQSHL and
 * SQRSHL/UQRSHL by register; SQSHL/UQSHL/SQSHLU by immediate; SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/
 * SQSHRUN/SQRSHRUN), SQABS/SQNEG, SUQADD/USQADD, the doubling multiplies (SQDMULH, SQRDMULH,
 * SQDMULL, SQDMLAL, SQDMLSL), and their 64-bit element forms. Elements up to
 * 32 bits are exact JS numbers (a shift is a multiplication by a power of two); 64-bit elements
 * are word pairs through u64.ts. Saturation sets FPSR.QC.
 */
import type { FpState } from './fp-state.js';
import { add64, asr64, lsl64, lsr64, R, smull32, sub64 } from './u64.js';
import { saturate } from './simd-lanes.js';

const QC = 1 << 27;

/**
 * Shift by register of one element up to 32 bits (x signed or unsigned as the instruction says):
 * left by sh >= 0, right by -sh (rounding adds half of the last place); `sat` saturates,
 * otherwise the result wraps to the element size (the caller's typed array truncates).
 */
export function shiftElement(fp: FpState, x: number, sh: number, size: number, unsigned: boolean, round: boolean, sat: boolean): number {
  const esize = 8 << size;
  if (sh >= 0) {
    if (sat) return x === 0 ? 0 : saturate(fp, x * Math.pow(2, Math.min(sh, 80)), size, unsigned);
    if (sh >= esize) return 0;
    return esize === 32 ? x << sh : x * (1 << sh);
  }
  const r = Math.min(-sh, 40);
  const v = Math.floor((x + (round ? Math.pow(2, r - 1) : 0)) / Math.pow(2, r));
  return sat ? saturate(fp, v, size, unsigned) : v;
}

/** 64-bit shift by register into R (same rules); returns nothing, sets QC on saturation. */
export function shiftElement64(fp: FpState, l: number, h: number, sh: number, unsigned: boolean, round: boolean, sat: boolean): void {
  if (sh >= 0) {
    if ((l | h) === 0) {
      R[0] = R[1] = 0;
      return;
    }
    if (sh < 64) lsl64(l, h, sh);
    if (!sat) {
      if (sh >= 64) R[0] = R[1] = 0;
      return;
    }
    // saturated unless shifting back gives the value again
    let ok = sh < 64;
    if (ok) {
      const rl = R[0];
      const rh = R[1];
      if (unsigned) lsr64(rl, rh, sh);
      else asr64(rl, rh, sh);
      ok = R[0] === l && R[1] === h;
      R[0] = rl;
      R[1] = rh;
    }
    if (!ok) {
      fp.fpsr |= QC;
      if (unsigned) R[0] = R[1] = -1;
      else {
        R[0] = h < 0 ? 0 : -1;
        R[1] = h < 0 ? 0x80000000 | 0 : 0x7fffffff;
      }
    }
    return;
  }
  const r = -sh;
  let bit = 0;
  if (round && r <= 64) bit = r - 1 < 32 ? (l >>> (r - 1)) & 1 : (h >>> (r - 33)) & 1;
  // beyond 64 the rounded result is 0 for every value (x + 2^(r-1) < 2^r)
  if (r >= 64) R[0] = R[1] = unsigned || (round && r > 64) ? 0 : h >> 31;
  else if (unsigned) lsr64(l, h, r);
  else asr64(l, h, r);
  if (bit) add64(R[0], R[1], 1, 0);
}

/** Saturating narrow of a 64-bit value (lo, hi) (signed unless srcUnsigned) to 32 bits (dstUnsigned), QC. */
export function narrow64(fp: FpState, l: number, h: number, srcUnsigned: boolean, dstUnsigned: boolean): number {
  if (srcUnsigned) {
    if (h !== 0 || (!dstUnsigned && l < 0)) {
      fp.fpsr |= QC;
      return dstUnsigned ? -1 : 0x7fffffff;
    }
    return l;
  }
  if (dstUnsigned) {
    if (h < 0) {
      fp.fpsr |= QC;
      return 0;
    }
    if (h !== 0) {
      fp.fpsr |= QC;
      return -1;
    }
    return l;
  }
  if (h !== l >> 31) {
    fp.fpsr |= QC;
    return h < 0 ? 0x80000000 | 0 : 0x7fffffff;
  }
  return l;
}

/** SQABS (neg = false) / SQNEG of a 64-bit element into R. */
export function absNeg64(fp: FpState, l: number, h: number, neg: boolean): void {
  if (l === 0 && h === (0x80000000 | 0)) {
    fp.fpsr |= QC;
    R[0] = -1;
    R[1] = 0x7fffffff;
    return;
  }
  if (neg || h < 0) sub64(0, 0, l, h);
  else {
    R[0] = l;
    R[1] = h;
  }
}

/**
 * SUQADD (signedAcc: Vd signed + Vn unsigned, signed saturation) / USQADD (Vd unsigned + Vn
 * signed, unsigned saturation) of 64-bit elements into R.
 */
export function accumulate64(fp: FpState, dl: number, dh: number, nl: number, nh: number, signedAcc: boolean): void {
  add64(dl, dh, nl, nh);
  const rl = R[0];
  const rh = R[1];
  let over = 0;
  if (signedAcc) {
    // d + n with n unsigned: never below the minimum; too big when it passes 2^63 - 1
    if (nh >= 0) over = dh >= 0 && rh < 0 ? 1 : 0;
    else over = dh >= 0 || rh < 0 ? 1 : 0;
    if (over) {
      R[0] = -1;
      R[1] = 0x7fffffff;
    }
  } else {
    const carry = rh >>> 0 < dh >>> 0 || (rh === dh && rl >>> 0 < dl >>> 0);
    if (nh >= 0 && carry) {
      over = 1;
      R[0] = R[1] = -1;
    } else if (nh < 0 && !carry) {
      // d + n with n negative: below zero when there was no carry out
      over = 1;
      R[0] = R[1] = 0;
    }
  }
  if (over) fp.fpsr |= QC;
}

/** Signed saturating 64-bit add into R (QC on overflow). */
export function sqadd64(fp: FpState, al: number, ah: number, bl: number, bh: number): void {
  add64(al, ah, bl, bh);
  if (ah >>> 31 === bh >>> 31 && R[1] >>> 31 !== ah >>> 31) {
    fp.fpsr |= QC;
    R[0] = ah < 0 ? 0 : -1;
    R[1] = ah < 0 ? 0x80000000 | 0 : 0x7fffffff;
  }
}

/** 2 * x * y of two signed 32-bit values into R, saturated (only -2^31 * -2^31 overflows). */
export function doubledProduct64(fp: FpState, x: number, y: number): void {
  if (x === -2147483648 && y === -2147483648) {
    fp.fpsr |= QC;
    R[0] = -1;
    R[1] = 0x7fffffff;
    return;
  }
  smull32(x, y);
  lsl64(R[0], R[1], 1);
}

/** SQDMULH / SQRDMULH of two signed elements of 16 or 32 bits: high half of 2 * x * y (rounded). */
export function doublingHigh(fp: FpState, x: number, y: number, size: number, round: boolean): number {
  if (size === 1) return saturate(fp, Math.floor((2 * x * y + (round ? 32768 : 0)) / 65536), 1, false);
  if (x === -2147483648 && y === -2147483648) {
    fp.fpsr |= QC;
    return 0x7fffffff;
  }
  smull32(x, y);
  lsl64(R[0], R[1], 1);
  if (round) add64(R[0], R[1], 0x80000000 | 0, 0);
  return R[1];
}
