/**
 * Advanced SIMD floating point: the FP opcodes of the three-same, two-register misc, across-lanes,
 * pairwise, by-element and fixed-point shift classes, vector and scalar, lane by lane through the
 * scalar primitives of fp-arith.ts (same NaN, rounding and flag rules). Single lanes are words,
 * double lanes word pairs; results go to T and are committed to Vd.
 */
import type { A64Cpu } from './cpu.js';
import {
  doubleToHalf,
  FOP_ABD,
  FOP_ADD,
  FOP_DIV,
  FOP_MAX,
  FOP_MAXNM,
  FOP_MIN,
  FOP_MINNM,
  FOP_MUL,
  FOP_MULX,
  FOP_RECPS,
  FOP_RSQRTS,
  FOP_SUB,
  FR,
  fpBinary,
  fpConvert,
  fpMulAdd,
  fpRoundInt,
  fpSqrt,
  fpToInt,
  halfToDouble,
  intToFp,
  nanKind,
  putVal,
  RM_NEGINF,
  RM_POSINF,
  RM_TIEAWAY,
  RM_TIEEVEN,
  RM_ZERO,
  val,
} from './fp-arith.js';
import { FPCR_DN, FPSR_IOC, SCRATCH_REG, type FpState } from './fp-state.js';
import { fpcrRounding } from './fp-scalar.js';
import { commit, commitUpper, T, T16 } from './simd-lanes.js';
import { fpConvertToOdd, fpRecipEstimate, fpRecipExponent, fpRSqrtEstimate, unsignedEstimate } from './fp-estimate.js';
import { immhSize } from './simd-int.js';

/** Word index of FP lane e of register r. */
const lane = (r: number, e: number, dbl: number) => 4 * r + (dbl ? 2 * e : e);

function putLane(e: number, dbl: number): void {
  if (dbl) {
    T[2 * e] = FR[0];
    T[2 * e + 1] = FR[1];
  } else T[e] = FR[0];
}

function maskLane(e: number, dbl: number, t: boolean): void {
  const x = t ? -1 : 0;
  if (dbl) T[2 * e] = T[2 * e + 1] = x;
  else T[e] = x;
}

const CMP_EQ = 0;
const CMP_GE = 1;
const CMP_GT = 2;

/** FCMEQ/FCMGE/FCMGT/FACGE/FACGT of two lanes (wb < 0: compare with zero; swap: zero first). */
function fpCmp(fp: FpState, dbl: number, wa: number, wb: number, cond: number, abs: boolean, swap: boolean): boolean {
  const ka = nanKind(fp, dbl, wa);
  const kb = wb < 0 ? 0 : nanKind(fp, dbl, wb);
  if ((ka | kb) !== 0) {
    // FCMEQ is a quiet compare; the ordered ones signal on any NaN
    if (cond !== CMP_EQ || ka === 2 || kb === 2) fp.fpsr |= FPSR_IOC;
    return false;
  }
  let a = val(fp, dbl, wa);
  let c = wb < 0 ? 0 : val(fp, dbl, wb);
  if (abs) {
    a = Math.abs(a);
    c = Math.abs(c);
  }
  if (swap) {
    const t = a;
    a = c;
    c = t;
  }
  return cond === CMP_EQ ? a === c : cond === CMP_GE ? a >= c : a > c;
}

/** FP three same (opcodes 11xxx), vector or scalar. */
export function fpThreeSame(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const a = (b >>> 23) & 1;
  const dbl = (b >>> 22) & 1;
  const opcode = (b >>> 11) & 31;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const bytes = scalarForm ? 4 << dbl : 8 << q;
  const els = scalarForm ? 1 : bytes >> (2 + dbl);
  const key = (u << 6) | (a << 5) | opcode;
  const half = els >> 1;
  for (let e = 0; e < els; e++) {
    let wa = lane(n, e, dbl);
    let wb = lane(m, e, dbl);
    if (u === 1 && (opcode === 24 || opcode === 30 || (opcode === 26 && a === 0))) {
      // pairwise: FMAXNMP/FMINNMP, FMAXP/FMINP, FADDP
      const r = e < half ? n : m;
      const k = 2 * (e < half ? e : e - half);
      wa = lane(r, k, dbl);
      wb = lane(r, k + 1, dbl);
    }
    switch (key) {
      case 25:
      case 32 | 25:
        fpMulAdd(fp, dbl, a, lane(d, e, dbl), wa, wb); // FMLA / FMLS (a = 1 negates the product)
        putLane(e, dbl);
        continue;
      case 28:
        maskLane(e, dbl, fpCmp(fp, dbl, wa, wb, CMP_EQ, false, false));
        continue;
      case 64 | 28:
      case 96 | 28:
      case 64 | 29:
      case 96 | 29:
        maskLane(e, dbl, fpCmp(fp, dbl, wa, wb, a ? CMP_GT : CMP_GE, opcode === 29, false));
        continue;
    }
    let op: number;
    switch (opcode) {
      case 24:
        op = a ? FOP_MINNM : FOP_MAXNM;
        break;
      case 26:
        op = u ? (a ? FOP_ABD : FOP_ADD) : a ? FOP_SUB : FOP_ADD;
        break;
      case 27:
        op = u ? FOP_MUL : FOP_MULX;
        break;
      case 30:
        op = a ? FOP_MIN : FOP_MAX;
        break;
      default:
        op = u ? FOP_DIV : a ? FOP_RSQRTS : FOP_RECPS;
    }
    fpBinary(fp, op, dbl, wa, wb);
    putLane(e, dbl);
  }
  commit(fp, d, bytes);
}

/** A single lane to half-precision bits (NaNs quieted, or the default NaN). */
function toHalf(fp: FpState, w: number): number {
  const k = nanKind(fp, 0, w);
  if (k !== 0) {
    if (k === 2) fp.fpsr |= FPSR_IOC;
    const s = fp.v[w];
    return (fp.fpcr & FPCR_DN) !== 0 ? 0x7e00 : ((s >>> 16) & 0x8000) | 0x7e00 | ((s >>> 13) & 0x1ff);
  }
  return doubleToHalf(fp, fp.f32[w]);
}

/** Half-precision bits to single bits in FR. */
function fromHalf(fp: FpState, h: number): void {
  if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
    if ((h & 0x200) === 0) fp.fpsr |= FPSR_IOC;
    FR[0] = (fp.fpcr & FPCR_DN) !== 0 ? 0x7fc00000 : ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
    FR[1] = 0;
    return;
  }
  putVal(0, halfToDouble(h));
}

/** Rounding of FRINTN/M, P/Z, A/X, -/I by U:a:opcode<0> (X and I use FPCR.RMode). */
const FRINT_MODES = [RM_TIEEVEN, RM_NEGINF, RM_POSINF, RM_ZERO, RM_TIEAWAY, 0, 0, 0];

/** FP two-register misc, vector or scalar. */
export function fpMisc(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const a = (b >>> 23) & 1;
  const dbl = (b >>> 22) & 1;
  const opcode = (b >>> 12) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const v = fp.v;
  if (opcode === 22) {
    // FCVTN/FCVTN2: 2D -> 2S or 4S -> 4H into the lower or upper half; FCVTXN(2) (U = 1) rounds to odd
    T[0] = T[1] = 0;
    if (scalarForm) {
      fpConvertToOdd(fp, lane(n, 0, 1));
      T[0] = FR[0];
      return commit(fp, d, 4);
    }
    if (dbl) {
      for (let e = 0; e < 2; e++) {
        if (u) fpConvertToOdd(fp, lane(n, e, 1));
        else fpConvert(fp, false, lane(n, e, 1), fpcrRounding(fp));
        T[e] = FR[0];
      }
    } else for (let e = 0; e < 4; e++) T16[e] = toHalf(fp, lane(n, e, 0));
    if (q) return commitUpper(fp, d);
    return commit(fp, d, 8);
  }
  if (opcode === 23) {
    // FCVTL/FCVTL2: the lower or upper half widened (4H -> 4S, 2S -> 2D)
    const els = dbl ? 2 : 4;
    for (let e = 0; e < els; e++) {
      if (dbl) fpConvert(fp, true, lane(n, q * 2 + e, 0), 0);
      else fromHalf(fp, fp.u16[8 * n + q * 4 + e]);
      putLane(e, dbl);
    }
    return commit(fp, d, 16);
  }
  const bytes = scalarForm ? 4 << dbl : 8 << q;
  const els = scalarForm ? 1 : bytes >> (2 + dbl);
  const key = (u << 6) | (a << 5) | opcode;
  for (let e = 0; e < els; e++) {
    const w = lane(n, e, dbl);
    switch (key) {
      case 32 | 12: // FCMGT #0
      case 96 | 12: // FCMGE #0
        maskLane(e, dbl, fpCmp(fp, dbl, w, -1, u ? CMP_GE : CMP_GT, false, false));
        continue;
      case 32 | 13: // FCMEQ #0, FCMLE #0
      case 96 | 13:
        maskLane(e, dbl, fpCmp(fp, dbl, w, -1, u ? CMP_GE : CMP_EQ, false, u === 1));
        continue;
      case 32 | 14: // FCMLT #0
        maskLane(e, dbl, fpCmp(fp, dbl, w, -1, CMP_GT, false, true));
        continue;
      case 32 | 15: // FABS, FNEG: sign bit only
      case 96 | 15: {
        const hi = dbl ? w + 1 : w;
        FR[0] = v[w];
        FR[1] = dbl ? v[w + 1] : 0;
        const k = dbl ? 1 : 0;
        FR[k] = u ? v[hi] ^ 0x80000000 : v[hi] & 0x7fffffff;
        putLane(e, dbl);
        continue;
      }
      case 96 | 31:
        fpSqrt(fp, dbl, w);
        putLane(e, dbl);
        continue;
      case 32 | 28: // URECPE, URSQRTE (32-bit lanes)
      case 96 | 28:
        T[e] = unsignedEstimate(v[w] >>> 0, u === 1);
        continue;
      case 32 | 29: // FRECPE, FRSQRTE
      case 96 | 29:
        if (u) fpRSqrtEstimate(fp, dbl, w);
        else fpRecipEstimate(fp, dbl, w);
        putLane(e, dbl);
        continue;
      case 32 | 31: // FRECPX (scalar)
        fpRecipExponent(fp, dbl, w);
        putLane(e, dbl);
        continue;
      case 29: // SCVTF, UCVTF (vector, integer lanes of the same size)
      case 64 | 29:
        intToFp(fp, dbl, v[w], dbl ? v[w + 1] : 0, u === 1, dbl === 1, 0);
        putLane(e, dbl);
        continue;
    }
    if (opcode === 24 || opcode === 25) {
      // FRINTN/M (U0 a0), P/Z (U0 a1), A/X (U1 a0), I (U1 a1)
      const which = (u << 2) | (a << 1) | (opcode & 1);
      const mode = (which & 5) === 5 ? fpcrRounding(fp) : FRINT_MODES[which];
      fpRoundInt(fp, dbl, w, mode, which === 5);
      putLane(e, dbl);
      continue;
    }
    // FCVTNS/MS/AS (a0: opcodes 26, 27, 28), FCVTPS/ZS (a1: 26, 27); U = unsigned
    const mode = a === 0 ? (opcode === 26 ? RM_TIEEVEN : opcode === 27 ? RM_NEGINF : RM_TIEAWAY) : opcode === 26 ? RM_POSINF : RM_ZERO;
    fpToInt(fp, dbl, w, mode, u === 1, dbl === 1, 0);
    putLane(e, dbl);
  }
  commit(fp, d, bytes);
}

/** FMAXNMV, FMINNMV, FMAXV, FMINV (4S): the pairwise tree of the Arm ARM's Reduce(). */
export function fpAcross(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const a = (b >>> 23) & 1;
  const opcode = (b >>> 12) & 31;
  const n = (b >>> 5) & 31;
  const op = opcode === 12 ? (a ? FOP_MINNM : FOP_MAXNM) : a ? FOP_MIN : FOP_MAX;
  const s = 4 * SCRATCH_REG;
  fpBinary(fp, op, 0, 4 * n, 4 * n + 1);
  fp.v[s] = FR[0];
  fpBinary(fp, op, 0, 4 * n + 2, 4 * n + 3);
  fp.v[s + 1] = FR[0];
  fpBinary(fp, op, 0, s, s + 1);
  T[0] = FR[0];
  commit(fp, b & 31, 4);
}

/** Scalar pairwise: FADDP, FMAXNMP, FMINNMP, FMAXP, FMINP of the two lanes of Vn (ADDP is integer). */
export function fpPairScalar(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const a = (b >>> 23) & 1;
  const dbl = (b >>> 22) & 1;
  const opcode = (b >>> 12) & 31;
  const n = (b >>> 5) & 31;
  const op = opcode === 13 ? FOP_ADD : opcode === 12 ? (a ? FOP_MINNM : FOP_MAXNM) : a ? FOP_MIN : FOP_MAX;
  fpBinary(fp, op, dbl, lane(n, 0, dbl), lane(n, 1, dbl));
  putLane(0, dbl);
  commit(fp, b & 31, 4 << dbl);
}

/** FMLA, FMLS, FMUL, FMULX by element (vector or scalar). */
export function fpByElement(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const dbl = (b >>> 22) & 1;
  const opcode = (b >>> 12) & 15;
  const h = (b >>> 11) & 1;
  const l = (b >>> 21) & 1;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const index = dbl ? h : (h << 1) | l;
  const bytes = scalarForm ? 4 << dbl : 8 << q;
  const els = scalarForm ? 1 : bytes >> (2 + dbl);
  const wm = lane(m, index, dbl);
  for (let e = 0; e < els; e++) {
    const wn = lane(n, e, dbl);
    if (opcode === 9) fpBinary(fp, u ? FOP_MULX : FOP_MUL, dbl, wn, wm);
    else fpMulAdd(fp, dbl, opcode === 5 ? 1 : 0, lane(d, e, dbl), wn, wm);
    putLane(e, dbl);
  }
  commit(fp, d, bytes);
}

/** SCVTF/UCVTF/FCVTZS/FCVTZU (fixed-point, shift by immediate class), vector or scalar. */
export function fpFixedShift(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const immh = (b >>> 19) & 15;
  const immhb = (b >>> 16) & 127;
  const opcode = (b >>> 11) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const dbl = immhSize(immh) === 3 ? 1 : 0;
  const fbits = (64 << dbl) - immhb;
  const bytes = scalarForm ? 4 << dbl : 8 << q;
  const els = scalarForm ? 1 : bytes >> (2 + dbl);
  const v = fp.v;
  for (let e = 0; e < els; e++) {
    const w = lane(n, e, dbl);
    if (opcode === 28) intToFp(fp, dbl, v[w], dbl ? v[w + 1] : 0, u === 1, dbl === 1, fbits);
    else fpToInt(fp, dbl, w, RM_ZERO, u === 1, dbl === 1, fbits);
    putLane(e, dbl);
  }
  commit(fp, d, bytes);
}
