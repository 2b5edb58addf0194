/**
 * Reciprocal and reciprocal square root estimates of Armv8.0 (8-bit precision; Arm ARM
 * shared/functions/float/fprecipestimate, fprsqrtestimate, unsigned forms, FRECPX) and the
 * round-to-odd narrowing of FCVTXN. Computed on the bits; the 52-bit fraction is a JS number
 * (exact below 2^53).
 */
import type { FpState } from './fp-state.js';
import { FR, fpConvert, invalid, nanKind, processNaNs2, RM_ZERO } from './fp-arith.js';
import { FPSR_DZC, FPSR_IXC, FPSR_OFC } from './fp-state.js';

const TWO32 = 4294967296;
const TWO44 = 17592186044416;
const TWO52 = 4503599627370496;

/** RecipEstimate: a in [256, 511] (0.5 <= a/512 < 1) to r in [256, 511] (1 <= r/256 < 2). */
export function recipEstimate(a: number): number {
  a = a * 2 + 1;
  const b = Math.floor((1 << 19) / a);
  return (b + 1) >> 1;
}

/** RecipSqrtEstimate: a in [128, 511] to r in [256, 511]. */
export function recipSqrtEstimate(a: number): number {
  if (a < 256) a = a * 2 + 1;
  else {
    a = (a >> 1) << 1;
    a = (a + 1) * 2;
  }
  let b = 512;
  while (a * (b + 1) * (b + 1) < 268435456) b++;
  return (b + 1) >> 1;
}

/** Sign, biased exponent and 52-bit fraction of the lane at w. */
let sign = 0;
let exp = 0;
let frac = 0;
function unpack(fp: FpState, dbl: number, w: number): void {
  const v = fp.v;
  if (dbl) {
    const hi = v[w + 1];
    sign = hi >>> 31;
    exp = (hi >>> 20) & 0x7ff;
    frac = (hi & 0xfffff) * TWO32 + (v[w] >>> 0);
  } else {
    const s = v[w];
    sign = s >>> 31;
    exp = (s >>> 23) & 0xff;
    frac = (s & 0x7fffff) * 536870912; // << 29
  }
}

/** Packs sign, a biased exponent and the top bits of a 52-bit fraction into FR. */
function pack(dbl: number, s: number, e: number, f: number): void {
  if (dbl) {
    const fh = Math.floor(f / TWO32);
    FR[1] = (s << 31) | (e << 20) | fh;
    FR[0] = (f - fh * TWO32) | 0;
  } else {
    FR[0] = (s << 31) | (e << 23) | Math.floor(f / 536870912);
    FR[1] = 0;
  }
}

/** FRECPE. */
export function fpRecipEstimate(fp: FpState, dbl: number, w: number): void {
  if (nanKind(fp, dbl, w) !== 0) {
    processNaNs2(fp, dbl, w, w);
    return;
  }
  unpack(fp, dbl, w);
  const maxExp = dbl ? 0x7ff : 0xff;
  if (exp === maxExp) return pack(dbl, sign, 0, 0); // 1/inf = 0
  if (exp === 0 && frac === 0) {
    fp.fpsr |= FPSR_DZC;
    return pack(dbl, sign, maxExp, 0);
  }
  // too small: the estimate overflows (round to nearest gives infinity)
  if (exp === 0 && frac < TWO52 / 4) {
    fp.fpsr |= FPSR_OFC | FPSR_IXC;
    return pack(dbl, sign, maxExp, 0);
  }
  if (exp === 0) {
    if (frac < TWO52 / 2) {
      exp = -1;
      frac = (frac * 4) % TWO52;
    } else frac = (frac * 2) % TWO52;
  }
  const scaled = 256 + Math.floor(frac / TWO44);
  let resultExp = (dbl ? 2045 : 253) - exp;
  let f = (recipEstimate(scaled) & 0xff) * TWO44;
  if (resultExp === 0) f = TWO52 / 2 + f / 2;
  else if (resultExp === -1) {
    f = TWO52 / 4 + f / 4;
    resultExp = 0;
  }
  pack(dbl, sign, resultExp, f);
}

/** FRSQRTE. */
export function fpRSqrtEstimate(fp: FpState, dbl: number, w: number): void {
  if (nanKind(fp, dbl, w) !== 0) {
    processNaNs2(fp, dbl, w, w);
    return;
  }
  unpack(fp, dbl, w);
  const maxExp = dbl ? 0x7ff : 0xff;
  if (exp === 0 && frac === 0) {
    fp.fpsr |= FPSR_DZC;
    return pack(dbl, sign, maxExp, 0);
  }
  if (sign === 1) return invalid(fp, dbl);
  if (exp === maxExp) return pack(dbl, 0, 0, 0);
  if (exp === 0) {
    while (frac < TWO52 / 2) {
      frac *= 2;
      exp--;
    }
    frac = (frac * 2) % TWO52;
  }
  const scaled = (exp & 1) === 0 ? 256 + Math.floor(frac / TWO44) : 128 + Math.floor(frac / (TWO44 * 2));
  const resultExp = Math.floor(((dbl ? 3068 : 380) - exp) / 2);
  pack(dbl, 0, resultExp, (recipSqrtEstimate(scaled) & 0xff) * TWO44);
}

/** FRECPX: the exponent inverted (or the largest finite one below infinity for zero exponents), fraction 0. */
export function fpRecipExponent(fp: FpState, dbl: number, w: number): void {
  if (nanKind(fp, dbl, w) !== 0) {
    processNaNs2(fp, dbl, w, w);
    return;
  }
  unpack(fp, dbl, w);
  const maxExp = dbl ? 0x7ff : 0xff;
  pack(dbl, sign, exp === 0 ? maxExp - 1 : ~exp & maxExp, 0);
}

/** URECPE (a) / URSQRTE of a 32-bit lane, in FR[0]. */
export function unsignedEstimate(x: number, sqrt: boolean): number {
  if (sqrt ? (x >>> 30) === 0 : (x >>> 31) === 0) return -1;
  const e = sqrt ? recipSqrtEstimate(x >>> 23) : recipEstimate(x >>> 23);
  return (e & 0x1ff) << 23;
}

/** FCVTXN: double to single rounding to odd (truncate, then set the last bit when inexact). */
export function fpConvertToOdd(fp: FpState, w: number): void {
  fpConvert(fp, false, w, RM_ZERO);
  if (nanKind(fp, 1, w) !== 0) return;
  const x = fp.f64[w >>> 1];
  if (Math.fround(x) !== x) FR[0] |= 1;
}
