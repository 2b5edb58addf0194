/**
 * Lane access for the Advanced SIMD executor: element e of register r at 8/16/32 bits through
 * the FpState views (64-bit elements are word pairs), and the 128-bit result scratch `T` that an
 * instruction fills before `commit` copies it to Vd, so that Vd may alias a source.
 */
import type { FpState } from './fp-state.js';

const TB = new ArrayBuffer(16);
/** The result being built, as words (64-bit lane e at 2e, 2e + 1), bytes and halfwords. */
export const T = new Int32Array(TB);
export const T8 = new Uint8Array(TB);
export const T16 = new Uint16Array(TB);

/** Unsigned element (size 0-2: 8, 16, 32 bits). */
export function getU(fp: FpState, size: number, r: number, e: number): number {
  if (size === 0) return fp.u8[16 * r + e];
  if (size === 1) return fp.u16[8 * r + e];
  return fp.u32[4 * r + e];
}

/** Signed element (size 0-2). */
export function getS(fp: FpState, size: number, r: number, e: number): number {
  if (size === 0) return fp.i8[16 * r + e];
  if (size === 1) return fp.i16[8 * r + e];
  return fp.v[4 * r + e];
}

/** Element e of T (size 0-2), truncated to its width. */
export function setT(size: number, e: number, x: number): void {
  if (size === 0) T8[e] = x;
  else if (size === 1) T16[e] = x;
  else T[e] = x;
}

/** 64-bit element e of T from a double holding an exact integer (|x| < 2^53, or any for wrap-free values). */
export function setT64(e: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  T[2 * e] = (x - hi * 4294967296) | 0;
  T[2 * e + 1] = hi | 0;
}

/** Copies the low `bytes` (1, 2, 4, 8 or 16) of T to Vd and zeroes the rest of Vd. */
export function commit(fp: FpState, d: number, bytes: number): void {
  const v = fp.v;
  const w = 4 * d;
  v[w] = bytes === 1 ? T[0] & 0xff : bytes === 2 ? T[0] & 0xffff : T[0];
  v[w + 1] = bytes >= 8 ? T[1] : 0;
  v[w + 2] = bytes === 16 ? T[2] : 0;
  v[w + 3] = bytes === 16 ? T[3] : 0;
}

/** Writes the low 8 bytes of T to the upper half of Vd, keeping its lower half (the "2" narrowing forms). */
export function commitUpper(fp: FpState, d: number): void {
  fp.v[4 * d + 2] = T[0];
  fp.v[4 * d + 3] = T[1];
}

/** Saturates x to the signed or unsigned range of 2^size bytes, setting FPSR.QC when it clips. */
export function saturate(fp: FpState, x: number, size: number, unsigned: boolean): number {
  const bitsN = 8 << size;
  const max = unsigned ? Math.pow(2, bitsN) - 1 : Math.pow(2, bitsN - 1) - 1;
  const min = unsigned ? 0 : -Math.pow(2, bitsN - 1);
  if (x > max) {
    fp.fpsr |= 1 << 27;
    return max;
  }
  if (x < min) {
    fp.fpsr |= 1 << 27;
    return min;
  }
  return x;
}
