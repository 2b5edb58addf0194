/**
 * Scalar floating-point primitives on the V registers (Arm ARM A1.5, pseudocode shared/functions/
 * float): every operand is a lane of the register file given as a word index into `fp.v` (a
 * double's low word; a single's word), and every result goes to `FR` (bits, low and high word).
 *
 * Arithmetic runs on JS doubles: double operations are exactly IEEE round-to-nearest-even, single
 * ones are computed in double and rounded once by Math.fround (exact for + - * / sqrt: 53 >=
 * 2 * 24 + 2). NaNs never go through JS arithmetic (the host may quiet or canonicalise them):
 * they are found and propagated on the bits as FPProcessNaNs says (signalling before quiet, first
 * operand first, quieted, or the default NaN when FPCR.DN = 1). Invalid operations give the
 * default NaN and set FPSR.IOC; division of a finite non-zero value by zero sets DZC.
 * Add, subtract, multiply, divide and square root know the sign of their rounding error (exact
 * error terms from TwoSum, TwoProduct and residuals), which gives FPCR.RMode, IXC, OFC and UFC.
 * Fused multiply-add keeps the exact product and sum (error-free transformations) and rounds
 * them once more (rare tie cases can differ), with the same mode and flags.
 * FPCR.FZ flushes denormal inputs (IDC) and tiny results (UFC) to zero.
 */
import type { FpState } from './fp-state.js';
import { FPCR_DN, FPCR_FZ, FPCR_RMODE_SHIFT, FPSR_DZC, FPSR_IDC, FPSR_IOC, FPSR_IXC, FPSR_OFC, FPSR_UFC } from './fp-state.js';

/** Result bits (low, high word; high = 0 for singles). */
export const FR = new Int32Array(2);

const SCR = new ArrayBuffer(8);
const SF64 = new Float64Array(SCR);
const SF32 = new Float32Array(SCR);
const SI32 = new Int32Array(SCR);

export const TWO32 = 4294967296;

/** Rounding modes (FPCR.RMode order) plus ties-away (FCVTA*, FRINTA). */
export const RM_TIEEVEN = 0;
export const RM_POSINF = 1;
export const RM_NEGINF = 2;
export const RM_ZERO = 3;
export const RM_TIEAWAY = 4;

/** Value of a non-NaN lane as a double (exact for both sizes). */
export function val(fp: FpState, dbl: number, w: number): number {
  const x = dbl ? fp.f64[w >>> 1] : fp.f32[w];
  // FPCR.FZ: a denormal input counts as a zero of its sign, with IDC (FPUnpack)
  if ((fp.fpcr & FPCR_FZ) !== 0 && x !== 0 && (dbl ? x > -2.2250738585072014e-308 && x < 2.2250738585072014e-308 : x > -1.1754943508222875e-38 && x < 1.1754943508222875e-38)) {
    fp.fpsr |= FPSR_IDC;
    return x < 0 ? -0 : 0;
  }
  return x;
}

/** 0 not a NaN, 1 quiet NaN, 2 signalling NaN. */
export function nanKind(fp: FpState, dbl: number, w: number): number {
  const v = fp.v;
  if (dbl) {
    const h = v[w + 1] & 0x7fffffff;
    if (h < 0x7ff00000 || (h === 0x7ff00000 && v[w] === 0)) return 0;
    return h & 0x80000 ? 1 : 2;
  }
  const s = v[w] & 0x7fffffff;
  if (s <= 0x7f800000) return 0;
  return s & 0x400000 ? 1 : 2;
}

export function defaultNaN(dbl: number): void {
  FR[0] = dbl ? 0 : 0x7fc00000;
  FR[1] = dbl ? 0x7ff80000 : 0;
}

/** Writes `d` (never NaN here) to FR, rounded to single when !dbl. */
export function putVal(dbl: number, d: number): void {
  if (dbl) {
    SF64[0] = d;
    FR[0] = SI32[0];
    FR[1] = SI32[1];
  } else {
    SF32[0] = d;
    FR[0] = SI32[0];
    FR[1] = 0;
  }
}

/** An invalid operation: the default NaN and FPSR.IOC. */
export function invalid(fp: FpState, dbl: number): void {
  fp.fpsr |= FPSR_IOC;
  defaultNaN(dbl);
}

/** The operand at `w`, quieted (or the default NaN with FPCR.DN), to FR (FPProcessNaN). */
function propagate(fp: FpState, dbl: number, w: number): void {
  if ((fp.fpcr & FPCR_DN) !== 0) return defaultNaN(dbl);
  if (dbl) {
    FR[0] = fp.v[w];
    FR[1] = fp.v[w + 1] | 0x80000;
  } else {
    FR[0] = fp.v[w] | 0x400000;
    FR[1] = 0;
  }
}

/** With FPCR.FZ, a denormal operand sets IDC even when a NaN decides the result (FPUnpack comes first). */
function flagDenormal(fp: FpState, dbl: number, w: number): void {
  if ((fp.fpcr & FPCR_FZ) === 0) return;
  const v = fp.v;
  const denormal = dbl ? (v[w + 1] & 0x7ff00000) === 0 && ((v[w + 1] & 0xfffff) | v[w]) !== 0 : (v[w] & 0x7f800000) === 0 && (v[w] & 0x7fffff) !== 0;
  if (denormal) fp.fpsr |= FPSR_IDC;
}

/** FPProcessNaNs for two operands: true when a NaN result is in FR. */
export function processNaNs2(fp: FpState, dbl: number, wa: number, wb: number): boolean {
  const ka = nanKind(fp, dbl, wa);
  const kb = nanKind(fp, dbl, wb);
  if ((ka | kb) === 0) return false;
  flagDenormal(fp, dbl, wa);
  flagDenormal(fp, dbl, wb);
  if (ka === 2 || kb === 2) fp.fpsr |= FPSR_IOC;
  propagate(fp, dbl, ka === 2 ? wa : kb === 2 ? wb : ka !== 0 ? wa : wb);
  return true;
}

/** FPProcessNaNs3 (order a, b, c: the addend comes first for FMADD and friends). */
function processNaNs3(fp: FpState, dbl: number, wa: number, wb: number, wc: number, ka: number): boolean {
  const kb = nanKind(fp, dbl, wb);
  const kc = nanKind(fp, dbl, wc);
  if ((ka | kb | kc) === 0) return false;
  flagDenormal(fp, dbl, wa);
  flagDenormal(fp, dbl, wb);
  flagDenormal(fp, dbl, wc);
  if (ka === 2 || kb === 2 || kc === 2) fp.fpsr |= FPSR_IOC;
  const w = ka === 2 ? wa : kb === 2 ? wb : kc === 2 ? wc : ka !== 0 ? wa : kb !== 0 ? wb : wc;
  propagate(fp, dbl, w);
  return true;
}

const MIN_NORMAL_D = 2.2250738585072014e-308;
const MIN_NORMAL_S = 1.1754943508222875e-38;

/** Adds one unit in the last place to the magnitude of FR (away = true) or removes one. */
function stepMagnitude(dbl: number, away: boolean): void {
  if (dbl) {
    const lo = FR[0] >>> 0;
    if (away) {
      FR[0] = (lo + 1) | 0;
      if (lo === 0xffffffff) FR[1] = (FR[1] + 1) | 0;
    } else {
      FR[0] = (lo - 1) | 0;
      if (lo === 0) FR[1] = (FR[1] - 1) | 0;
    }
  } else FR[0] = (FR[0] + (away ? 1 : -1)) | 0;
}

/**
 * Writes the result of an arithmetic operation to FR: `d` is the round-to-nearest double
 * result and `errSign` the sign of (exact - d) (0 when exact). Singles are rounded from d once
 * more, detecting the double-rounding tie. Then FPCR.RMode is applied (one ulp step when
 * round-to-nearest went the wrong way, largest finite value on a directed overflow) and
 * IXC/OFC/UFC are set (FPRound: underflow when tiny and inexact). `finiteOps`: the operands were
 * finite (an infinite result is then an overflow).
 */
function finish(fp: FpState, dbl: number, d: number, errSign: number, finiteOps: boolean): void {
  let target = d;
  if (!dbl) {
    target = Math.fround(d);
    if (target !== d && Number.isFinite(target)) {
      const s = d > target ? 1 : -1;
      if (errSign === s) {
        // a tie after the double rounding is not one for the exact value
        SF32[0] = target;
        SI32[0] += Math.abs(d) > Math.abs(target) ? 1 : -1;
        const neighbor = SF32[0];
        if (d === (target + neighbor) / 2) {
          target = neighbor;
          errSign = -s;
        } else errSign = s;
      } else errSign = s;
    } else if (target !== d) errSign = d > 0 ? 1 : -1;
  }
  if ((fp.fpcr & FPCR_FZ) !== 0 && Number.isFinite(target)) {
    // FPCR.FZ: a result tiny before rounding is flushed to a zero of its sign, with UFC only
    const min = dbl ? MIN_NORMAL_D : MIN_NORMAL_S;
    const at = Math.abs(target);
    if ((at < min && (at !== 0 || errSign !== 0)) || (at === min && (target > 0) !== errSign > 0 && errSign !== 0)) {
      fp.fpsr |= FPSR_UFC;
      const neg = target < 0 || (target === 0 ? errSign < 0 : false) || Object.is(target, -0);
      putVal(dbl, neg ? -0 : 0);
      return;
    }
  }
  putVal(dbl, target);
  if (finiteOps && !Number.isFinite(target)) {
    const mode = (fp.fpcr >>> FPCR_RMODE_SHIFT) & 3;
    fp.fpsr |= FPSR_OFC | FPSR_IXC;
    const neg = target < 0;
    if (mode === RM_ZERO || (mode === RM_POSINF && neg) || (mode === RM_NEGINF && !neg)) stepMagnitude(dbl, false);
    return;
  }
  if (errSign === 0) return;
  fp.fpsr |= FPSR_IXC;
  const tiny = Math.abs(target) < (dbl ? MIN_NORMAL_D : MIN_NORMAL_S) || (Math.abs(target) === (dbl ? MIN_NORMAL_D : MIN_NORMAL_S) && (target > 0) !== errSign > 0);
  if (tiny) fp.fpsr |= FPSR_UFC;
  const mode = (fp.fpcr >>> FPCR_RMODE_SHIFT) & 3;
  if (mode === RM_TIEEVEN) return;
  const pos = target > 0 || (target === 0 && !Object.is(target, -0));
  let step = 0; // 1 away from zero, -1 toward zero
  if (mode === RM_POSINF) step = errSign > 0 ? (pos ? 1 : -1) : 0;
  else if (mode === RM_NEGINF) step = errSign < 0 ? (pos ? -1 : 1) : 0;
  else step = (pos && errSign < 0) || (!pos && errSign > 0) ? -1 : 0;
  if (step !== 0) {
    stepMagnitude(dbl, step > 0);
    // stepping away from the largest finite value overflows
    if (step > 0 && ((dbl ? FR[1] : FR[0]) & 0x7fffffff) === (dbl ? 0x7ff00000 : 0x7f800000) && (!dbl || FR[0] === 0)) fp.fpsr |= FPSR_OFC;
  }
}

const sgn = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** Two-operand arithmetic (FP data-processing 2-source opcodes and their vector forms). */
export const FOP_MUL = 0;
export const FOP_DIV = 1;
export const FOP_ADD = 2;
export const FOP_SUB = 3;
export const FOP_MAX = 4;
export const FOP_MIN = 5;
export const FOP_MAXNM = 6;
export const FOP_MINNM = 7;
export const FOP_NMUL = 8;
/** Vector-only: FABD (|a - b|), FMULX (0 * inf = 2), FRECPS, FRSQRTS. */
export const FOP_ABD = 9;
export const FOP_MULX = 10;
export const FOP_RECPS = 11;
export const FOP_RSQRTS = 12;

export function fpBinary(fp: FpState, op: number, dbl: number, wa: number, wb: number): void {
  if (op === FOP_MAXNM || op === FOP_MINNM) {
    // A quiet NaN against a number gives the number (FPMaxNum/FPMinNum).
    const ka = nanKind(fp, dbl, wa);
    const kb = nanKind(fp, dbl, wb);
    if (ka === 1 && kb === 0) wa = wb;
    else if (kb === 1 && ka === 0) wb = wa;
  }
  // FNMUL negates the product even when it is a NaN (FPNeg after FPMul)
  const neg = op === FOP_NMUL ? (dbl ? 1 : 0) : -1;
  const hiWord = dbl ? 1 : 0;
  if (op === FOP_RECPS || op === FOP_RSQRTS) {
    // FPRecipStepFused/FPRSqrtStepFused negate op1 before anything else, NaN included
    const ka = nanKind(fp, dbl, wa);
    const kb = nanKind(fp, dbl, wb);
    const firstChosen = ka === 2 || (kb !== 2 && ka !== 0);
    if (processNaNs2(fp, dbl, wa, wb)) {
      if (firstChosen && (fp.fpcr & FPCR_DN) === 0) FR[hiWord] ^= 0x80000000;
      return;
    }
  } else if (processNaNs2(fp, dbl, wa, wb)) {
    if (neg >= 0) FR[neg] ^= 0x80000000;
    if (op === FOP_ABD) FR[hiWord] &= 0x7fffffff; // FPAbs of the NaN
    return;
  }
  const a = val(fp, dbl, wa);
  const b = val(fp, dbl, wb);
  const finite = Number.isFinite(a) && Number.isFinite(b);
  let err = 0;
  let r: number;
  switch (op) {
    case FOP_MUL:
    case FOP_NMUL:
    case FOP_MULX:
      r = a * b;
      if (r !== r) {
        if (op !== FOP_MULX) {
          invalid(fp, dbl);
          if (neg >= 0) FR[neg] ^= 0x80000000;
          return;
        }
        // FMULX: infinity times zero is 2 with the sign of the product
        r = (a < 0 || Object.is(a, -0)) !== (b < 0 || Object.is(b, -0)) ? -2 : 2;
      } else if (finite) err = Number.isFinite(r) ? fmaSign(a, b, -r) : 0;
      finish(fp, dbl, r, err, finite);
      // FNMUL rounds the product in FPCR's mode, then negates it
      if (neg >= 0) FR[neg] ^= 0x80000000;
      return;
    case FOP_DIV:
      r = a / b;
      if (r !== r) return invalid(fp, dbl);
      if (b === 0) {
        if (Number.isFinite(a)) fp.fpsr |= FPSR_DZC;
        break;
      }
      if (finite && Number.isFinite(r)) err = fmaSign(-r, b, a) * sgn(b);
      return finish(fp, dbl, r, err, finite);
    case FOP_ADD:
    case FOP_SUB:
    case FOP_ABD: {
      const c = op === FOP_ADD ? b : -b;
      r = a + c;
      if (r !== r) return invalid(fp, dbl);
      if (finite && Number.isFinite(r)) {
        // TwoSum: the exact error of the addition
        const z = r - a;
        err = sgn(a - (r - z) + (c - z));
      }
      // an exact zero sum is -0 when rounding toward -infinity, unless both operands are +0
      if (r === 0 && err === 0 && ((fp.fpcr >>> FPCR_RMODE_SHIFT) & 3) === RM_NEGINF) r = Object.is(a, 0) && Object.is(c, 0) ? 0 : -0;
      finish(fp, dbl, r, err, finite);
      if (op === FOP_ABD) FR[hiWord] &= 0x7fffffff; // FABD: the rounded difference, then FPAbs
      return;
    }
    case FOP_MAX:
    case FOP_MAXNM:
      r = a > b ? a : a < b ? b : a === 0 && Object.is(a, -0) ? b : a; // max(-0, +0) = +0
      break;
    case FOP_MIN:
    case FOP_MINNM:
      r = a < b ? a : a > b ? b : a === 0 && Object.is(a, -0) ? a : b; // min(+0, -0) = -0
      break;
    default: {
      // FPRecipStepFused: 2 - a * b; FPRSqrtStepFused: (3 - a * b) / 2, fused; inf * 0 gives 2 or 1.5
      const recip = op === FOP_RECPS;
      if ((a === 0 && Math.abs(b) === Infinity) || (b === 0 && Math.abs(a) === Infinity)) r = recip ? 2 : 1.5;
      else if (!finite) r = -a * b;
      else {
        r = fma(-a, b, recip ? 2 : 3);
        err = FMA_ERR;
        if (r === 0 && err === 0) r = ((fp.fpcr >>> FPCR_RMODE_SHIFT) & 3) === RM_NEGINF ? -0 : 0;
        if (!recip) r /= 2;
      }
      return finish(fp, dbl, r, err, finite);
    }
  }
  putVal(dbl, r);
}

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** a * b + c with the product and the sum kept exact (error-free transformations), rounded once more. */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  FMA_ERR = 0;
  if (!Number.isFinite(p) || !Number.isFinite(c) || a === 0 || b === 0) {
    // an overflowing product may still come back into range with c: retry scaled
    if (Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && a !== 0 && b !== 0) return fmaScaled(a, b, c);
    return p + c;
  }
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  // Veltkamp splitting needs |x| * 2^27 finite and the partial products normal
  if (aa > 1e290 || ab > 1e290 || aa < 1e-290 || ab < 1e-290 || Math.abs(p) > 1e300 || Math.abs(p) < 1e-280) return fmaScaled(a, b, c);
  return fmaExact(a, b, c, p);
}

/** The fused sum for operands in the safe range: TwoProduct(a, b) = p + e, TwoSum(p, c) = s + f. */
function fmaExact(a: number, b: number, c: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
  const s = p + c;
  const z = s - p;
  const f = (p - (s - z)) + (c - z);
  const r = s + (f + e);
  // sign of exact - r: s - r is exact; f + e is the remaining (nearly exact) tail
  FMA_ERR = sgn(s - r + (f + e));
  return r;
}

/** Sign of (exact - result) of the last fma() (0 when it was exact or not computed exactly). */
let FMA_ERR = 0;

/** The sign (-1, 0, 1) of the exact a * b + c for finite a, b, c (residuals of rounded results). */
export function fmaSign(a: number, b: number, c: number): number {
  if (a === 0 || b === 0) return sgn(c);
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const p = a * b;
  if (!(aa > 1e290 || ab > 1e290 || aa < 1e-290 || ab < 1e-290 || Math.abs(p) > 1e300 || Math.abs(p) < 1e-280)) return sgn(fmaExact(a, b, c, p));
  // scaled to [1, 2): the sign survives even when the value itself would underflow
  const ea = exponentOf(a);
  const eb = exponentOf(b);
  const sa = scale(a, -ea);
  const sb = scale(b, -eb);
  if (c === 0) return sgn(sa * sb);
  const sc = scale(c, -(ea + eb));
  if (!Number.isFinite(sc)) return sgn(c);
  return sgn(fmaExact(sa, sb, sc, sa * sb));
}

/** Power of two exponent of a finite non-zero x (floor(log2 |x|)). */
function exponentOf(x: number): number {
  let e = Math.floor(Math.log2(Math.abs(x)));
  if (Math.pow(2, e) > Math.abs(x)) e--;
  return e;
}

function scale(x: number, k: number): number {
  // steps of at most 2^±1000 so that the power of two itself never overflows or underflows
  while (k > 1000) {
    x *= Math.pow(2, 1000);
    k -= 1000;
  }
  while (k < -1000) {
    x *= Math.pow(2, -1000);
    k += 1000;
  }
  return x * Math.pow(2, k);
}

/**
 * a * b + c for extreme exponents: a and b scaled to [1, 2) (exact), c scaled by the same
 * power of two, the fused sum taken there and scaled back (a subnormal result may round twice).
 */
function fmaScaled(a: number, b: number, c: number): number {
  const ea = exponentOf(a);
  const eb = exponentOf(b);
  const k = ea + eb;
  const sa = scale(a, -ea);
  const sb = scale(b, -eb);
  const sc = scale(c, -k);
  if (!Number.isFinite(sc)) {
    // |c| dwarfs the product: the result is c, inexact in the product's direction
    FMA_ERR = sgn(a) * sgn(b);
    return c;
  }
  return scale(fmaExact(sa, sb, sc, sa * sb), k);
}

/**
 * FPMulAdd(addend, op1, op2) with optional negations (FMADD 0, FMSUB 1: -op1, FNMADD 2: -addend
 * and -op1, FNMSUB 3: -addend), on the lanes at wa (addend), wn, wm.
 */
export function fpMulAdd(fp: FpState, dbl: number, kind: number, wa: number, wn: number, wm: number): void {
  const negA = kind >= 2;
  const negN = kind === 1 || kind === 2;
  const ka = nanKind(fp, dbl, wa);
  // FPMulAdd: a quiet NaN addend with infinity * zero is invalid (the default NaN)
  if (ka === 1 && nanKind(fp, dbl, wn) === 0 && nanKind(fp, dbl, wm) === 0) {
    const n = val(fp, dbl, wn);
    const m = val(fp, dbl, wm);
    if ((n === 0 && Math.abs(m) === Infinity) || (m === 0 && Math.abs(n) === Infinity)) return invalid(fp, dbl);
  }
  if (processNaNs3(fp, dbl, wa, wn, wm, ka)) {
    // The negations are applied to the operands before NaN selection (FPNeg flips a NaN's sign).
    const hiWord = dbl ? 1 : 0;
    const picked = FR[hiWord];
    if ((fp.fpcr & FPCR_DN) === 0) {
      const src = sameNaN(fp, dbl, picked, wa) ? 0 : sameNaN(fp, dbl, picked, wn) ? 1 : 2;
      if ((src === 0 && negA) || (src === 1 && negN)) FR[hiWord] ^= 0x80000000;
    }
    return;
  }
  let a = val(fp, dbl, wa);
  let n = val(fp, dbl, wn);
  const m = val(fp, dbl, wm);
  if (negA) a = -a;
  if (negN) n = -n;
  let r: number;
  let err = 0;
  if (dbl) {
    r = fma(n, m, a);
    err = FMA_ERR;
  } else {
    // single: the product is exact in double; TwoSum gives the sign of the sum's error
    const p = n * m;
    r = p + a;
    if (Number.isFinite(r)) {
      const z = r - p;
      err = sgn(p - (r - z) + (a - z));
    }
  }
  if (r !== r) return invalid(fp, dbl);
  // an exact zero is -0 when rounding toward -infinity unless product and addend are both +0
  if (r === 0 && err === 0 && ((fp.fpcr >>> FPCR_RMODE_SHIFT) & 3) === RM_NEGINF) r = Object.is(n * m, 0) && Object.is(a, 0) ? 0 : -0;
  finish(fp, dbl, r, err, Number.isFinite(n) && Number.isFinite(m) && Number.isFinite(a));
}

function sameNaN(fp: FpState, dbl: number, quietedHi: number, w: number): boolean {
  const hi = dbl ? fp.v[w + 1] | 0x80000 : fp.v[w] | 0x400000;
  return hi === quietedHi && (!dbl || fp.v[w] === FR[0]);
}

/** FSQRT. */
export function fpSqrt(fp: FpState, dbl: number, w: number): void {
  const k = nanKind(fp, dbl, w);
  if (k !== 0) {
    if (k === 2) fp.fpsr |= FPSR_IOC;
    return propagate(fp, dbl, w);
  }
  const a = val(fp, dbl, w);
  if (a < 0) return invalid(fp, dbl);
  const r = Math.sqrt(a);
  finish(fp, dbl, r, Number.isFinite(r) && r !== 0 ? fmaSign(-r, r, a) : 0, false);
}

/**
 * FCMP/FCMPE: NZCV (bits 31:28) for a compared with b. Unordered is 0011 and sets IOC for a
 * signalling NaN, or any NaN when `signal` (FCMPE).
 */
export function fpCompare(fp: FpState, dbl: number, a: number, b: number, ka: number, kb: number, signal: boolean): number {
  if ((ka | kb) !== 0) {
    if (ka === 2 || kb === 2 || signal) fp.fpsr |= FPSR_IOC;
    return 0x30000000;
  }
  if (a === b) return 0x60000000;
  return a < b ? 0x80000000 | 0 : 0x20000000;
}

/** Rounds a finite double to an integral value in `mode` (FPRoundInt); keeps -0 and the sign of 0 results. */
export function roundInt(x: number, mode: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  let r: number;
  if (mode === RM_ZERO) r = Math.trunc(x);
  else if (mode === RM_NEGINF) r = Math.floor(x);
  else if (mode === RM_POSINF) r = Math.ceil(x);
  else {
    r = Math.floor(x);
    const diff = x - r; // exact
    if (diff > 0.5 || (diff === 0.5 && (mode === RM_TIEAWAY ? x > 0 : r % 2 !== 0))) r += 1;
  }
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

/** FRINT* (mode, exact = FRINTX raises IXC when the value changes). */
export function fpRoundInt(fp: FpState, dbl: number, w: number, mode: number, exact: boolean): void {
  const k = nanKind(fp, dbl, w);
  if (k !== 0) {
    if (k === 2) fp.fpsr |= FPSR_IOC;
    return propagate(fp, dbl, w);
  }
  const x = val(fp, dbl, w);
  const r = roundInt(x, mode);
  if (exact && r !== x) fp.fpsr |= FPSR_IXC;
  putVal(dbl, r);
}

/**
 * FP to integer (FCVT[NAPMZ][SU], FCVTZ with fbits): rounds in `mode`, saturates to the
 * 32- or 64-bit signed/unsigned range (IOC, NaN gives 0), IXC when inexact. Result in FR.
 */
export function fpToInt(fp: FpState, dbl: number, w: number, mode: number, unsigned: boolean, wide: boolean, fbits: number): void {
  if (nanKind(fp, dbl, w) !== 0) {
    fp.fpsr |= FPSR_IOC;
    FR[0] = FR[1] = 0;
    return;
  }
  let x = val(fp, dbl, w);
  if (fbits !== 0) x *= Math.pow(2, fbits);
  const r = roundInt(x, mode);
  const max = wide ? (unsigned ? 18446744073709551616 : 9223372036854775808) : unsigned ? TWO32 : 2147483648;
  const min = unsigned ? 0 : -max;
  if (r >= max || r < min) {
    fp.fpsr |= FPSR_IOC;
    if (r < min) {
      FR[0] = 0;
      FR[1] = unsigned || !wide ? 0 : 0x80000000 | 0;
      if (!unsigned && !wide) FR[0] = 0x80000000 | 0;
    } else {
      FR[0] = unsigned || wide ? -1 : 0x7fffffff;
      FR[1] = wide ? (unsigned ? -1 : 0x7fffffff) : 0;
    }
    return;
  }
  if (r !== x) fp.fpsr |= FPSR_IXC;
  const hi = Math.floor(r / TWO32);
  FR[0] = (r - hi * TWO32) | 0;
  FR[1] = wide ? hi | 0 : 0;
}

/**
 * Integer (lo, hi; 32-bit when !wide) to FP (SCVTF/UCVTF, fbits for the fixed-point forms),
 * rounded to nearest once: a 64-bit value is hi * 2^32 + lo (one IEEE rounding for doubles);
 * for singles the bits below the 26 leading ones become a sticky bit first, so Math.fround
 * rounds once too.
 */
export function intToFp(fp: FpState, dbl: number, lo: number, hi: number, unsigned: boolean, wide: boolean, fbits: number): void {
  let neg = false;
  let l = lo;
  let h = wide ? hi : unsigned ? 0 : lo >> 31;
  if (!unsigned && h < 0) {
    neg = true;
    l = -l | 0;
    h = (~h + (l === 0 ? 1 : 0)) | 0;
  }
  let mag: number;
  let err = 0;
  const hu = h >>> 0;
  if (hu === 0) mag = l >>> 0;
  else if (dbl) {
    const top = hu * TWO32;
    mag = top + (l >>> 0);
    // sign of exact - rounded: (top - mag) is exact, adding the low word keeps the sign
    err = sgn(top - mag + (l >>> 0));
  } else {
    // keep 26 bits and a sticky bit: exact in a double, then one rounding to single
    const shift = 64 - Math.clz32(hu) - 26; // bit length - 26 (>= 7)
    const keepHi = shift >= 32 ? hu >>> (shift - 32) : (hu << (32 - shift)) | ((l >>> 0) >>> shift);
    const lost = shift >= 32 ? (hu & ((1 << (shift - 32)) - 1)) !== 0 || l !== 0 : ((l >>> 0) & ((1 << shift) - 1)) !== 0;
    mag = ((keepHi >>> 0) | (lost ? 1 : 0)) * Math.pow(2, shift);
  }
  let d = neg ? -mag : mag;
  if (neg) err = -err;
  if (fbits !== 0) d /= Math.pow(2, fbits);
  finish(fp, dbl, d, err, false);
}

/** FCVT between single and double (toDouble: S to D). NaNs keep their payload's top bits, quieted. */
export function fpConvert(fp: FpState, toDouble: boolean, w: number, mode: number): void {
  const src = toDouble ? 0 : 1;
  const k = nanKind(fp, src, w);
  if (k !== 0) {
    if (k === 2) fp.fpsr |= FPSR_IOC;
    if ((fp.fpcr & FPCR_DN) !== 0) return defaultNaN(toDouble ? 1 : 0);
    const v = fp.v;
    if (toDouble) {
      const s = v[w];
      FR[1] = (s & 0x80000000) | 0x7ff80000 | ((s >>> 3) & 0x7ffff);
      FR[0] = s << 29;
    } else {
      const h = v[w + 1];
      FR[0] = (h & 0x80000000) | 0x7fc00000 | ((h & 0x7ffff) << 3) | (v[w] >>> 29);
      FR[1] = 0;
    }
    return;
  }
  const x = val(fp, src, w);
  if (toDouble) return putVal(1, x);
  if ((fp.fpcr & FPCR_FZ) !== 0 && x !== 0 && Math.abs(x) < MIN_NORMAL_S) {
    fp.fpsr |= FPSR_UFC;
    return putVal(0, x < 0 ? -0 : 0);
  }
  const r = Math.fround(x);
  SF32[0] = r;
  let bits = SI32[0];
  if (r !== x && mode !== RM_TIEEVEN) {
    // directed rounding: step one ulp when round-to-nearest went the wrong way
    const away = Math.abs(r) > Math.abs(x);
    const wantAway = mode === RM_POSINF ? x > 0 : mode === RM_NEGINF ? x < 0 : false;
    if (away && !wantAway) bits -= 1;
    else if (!away && wantAway) bits += 1;
  }
  if (r !== x) {
    fp.fpsr |= FPSR_IXC;
    if (!Number.isFinite(r) || (bits & 0x7fffffff) === 0x7f800000) fp.fpsr |= FPSR_OFC;
    else if (Math.abs(x) < MIN_NORMAL_S) fp.fpsr |= FPSR_UFC;
  }
  FR[0] = bits;
  FR[1] = 0;
}

/** Half-precision bits (IEEE, FPCR.AHP = 0) to a double. */
export function halfToDouble(h: number): number {
  const e = (h >>> 10) & 31;
  const m = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * m * Math.pow(2, -24);
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1024 + m) * Math.pow(2, e - 25);
}

/** A double (not NaN) to half-precision bits in FPCR.RMode, with IXC, OFC and UFC. */
export function doubleToHalf(fp: FpState, x: number): number {
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  const rmode = (fp.fpcr >>> FPCR_RMODE_SHIFT) & 3;
  // the mode on the magnitude: toward +/-infinity becomes up or down depending on the sign
  const mode = rmode === RM_TIEEVEN ? RM_TIEEVEN : rmode === RM_ZERO ? RM_ZERO : (rmode === RM_POSINF) !== neg ? RM_POSINF : RM_ZERO;
  let e = Math.floor(Math.log2(a));
  if (Math.pow(2, e) > a) e--;
  if (Math.pow(2, e + 1) <= a) e++;
  // quantum of the result: 2^-24 for subnormals, else 2^(e-10)
  const q = Math.pow(2, Math.max(e, -14) - 10);
  const exact = a / q; // exact (power of two)
  const m = roundInt(exact, mode);
  if (m !== exact) {
    fp.fpsr |= FPSR_IXC;
    if (a < Math.pow(2, -14)) fp.fpsr |= FPSR_UFC;
  }
  const v = m * q;
  if (v > 65504) {
    fp.fpsr |= FPSR_OFC | FPSR_IXC;
    return sign | (mode === RM_ZERO ? 0x7bff : 0x7c00);
  }
  if (v === 0) return sign;
  if (v < Math.pow(2, -14)) return sign | (v / Math.pow(2, -24));
  let ve = Math.floor(Math.log2(v));
  if (Math.pow(2, ve) > v) ve--;
  return sign | ((ve + 15) << 10) | (v / Math.pow(2, ve - 10) - 1024);
}
