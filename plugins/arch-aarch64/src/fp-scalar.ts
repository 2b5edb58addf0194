/**
 * The scalar floating-point classes (Arm ARM C4.1.90 "Data Processing -- Scalar Floating-Point"):
 * data-processing with 1, 2 and 3 sources, compare, conditional compare and select, FMOV
 * (immediate, register, to and from general registers), conversions between FP and integer or
 * fixed-point. `type` 00 is single, 01 double, 11 half (only FCVT from/to half: no FP16 arithmetic
 * on a Cortex-A53). The decoder (decode-fp.ts) has rejected unallocated encodings.
 */
import type { A64Cpu } from './cpu.js';
import { conditionHolds } from './alu.js';
import {
  doubleToHalf,
  FR,
  fpBinary,
  fpCompare,
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
import { FPCR_DN, FPCR_RMODE_SHIFT, FPSR_IOC, type FpState } from './fp-state.js';

/** Writes FR to Vd as a scalar of 4 (single) or 8 (double) bytes, zeroing the rest. */
export function writeScalar(fp: FpState, d: number, dbl: number): void {
  const v = fp.v;
  const w = 4 * d;
  v[w] = FR[0];
  v[w + 1] = dbl ? FR[1] : 0;
  v[w + 2] = 0;
  v[w + 3] = 0;
}

export function fpcrRounding(fp: FpState): number {
  return (fp.fpcr >>> FPCR_RMODE_SHIFT) & 3;
}

/** VFPExpandImm (shared/functions/float): imm8 to single or double bits in FR. */
export function expandFpImm(imm8: number, dbl: number): void {
  const sign = (imm8 >>> 7) & 1;
  const b6 = (imm8 >>> 6) & 1;
  const low = imm8 & 0x3f; // b5:b0
  if (dbl) {
    // sign : NOT(b6) : Replicate(b6, 8) : imm8<5:0> : Zeros(48)
    FR[1] = (sign << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0xff : 0) << 22) | (low << 16);
    FR[0] = 0;
  } else {
    // sign : NOT(b6) : Replicate(b6, 5) : imm8<5:0> : Zeros(19)
    FR[0] = (sign << 31) | ((b6 ^ 1) << 30) | ((b6 ? 0x1f : 0) << 25) | (low << 19);
    FR[1] = 0;
  }
}

/** FP data-processing (1 source): M 0 S 11110 type 1 opcode 10000 Rn Rd. */
function dp1(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const type = (b >>> 22) & 3;
  const opcode = (b >>> 15) & 63;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const dbl = type & 1;
  const wn = 4 * n;
  const v = fp.v;
  switch (opcode) {
    case 0: // FMOV (register)
    case 1: // FABS
    case 2: // FNEG: bit operations, a NaN is not quieted
      FR[0] = v[wn];
      FR[1] = v[wn + 1];
      if (opcode !== 0) {
        const hi = dbl ? 1 : 0;
        FR[hi] = opcode === 1 ? FR[hi] & 0x7fffffff : FR[hi] ^ 0x80000000;
      }
      return writeScalar(fp, d, dbl);
    case 3:
      fpSqrt(fp, dbl, wn);
      return writeScalar(fp, d, dbl);
    case 4: // FCVT to single
    case 5: // FCVT to double
    case 7: {
      // FCVT to half
      const to = opcode === 4 ? 0 : opcode === 5 ? 1 : 3;
      return convertPrecision(cpu, type, to, n, d);
    }
    default: {
      // FRINTN 8, P 9, M 10, Z 11, A 12, X 14, I 15
      const k = opcode - 8;
      const mode = k === 0 ? RM_TIEEVEN : k === 1 ? RM_POSINF : k === 2 ? RM_NEGINF : k === 3 ? RM_ZERO : k === 4 ? RM_TIEAWAY : fpcrRounding(fp);
      fpRoundInt(fp, dbl, wn, mode, k === 6);
      return writeScalar(fp, d, dbl);
    }
  }
}

/** FCVT between half (3), single (0) and double (1). */
function convertPrecision(cpu: A64Cpu, from: number, to: number, n: number, d: number): void {
  const fp = cpu.fp;
  const v = fp.v;
  const wn = 4 * n;
  if (from !== 3 && to !== 3) {
    fpConvert(fp, to === 1, wn, fpcrRounding(fp));
    return writeScalar(fp, d, to);
  }
  if (from === 3) {
    const h = v[wn] & 0xffff;
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) {
      // NaN: quiet it and keep the payload's top bits (or the default NaN)
      if ((h & 0x200) === 0) fp.fpsr |= FPSR_IOC;
      if ((fp.fpcr & FPCR_DN) !== 0) {
        FR[0] = to === 1 ? 0 : 0x7fc00000;
        FR[1] = to === 1 ? 0x7ff80000 : 0;
      } else if (to === 1) {
        FR[1] = ((h & 0x8000) << 16) | 0x7ff80000 | ((h & 0x1ff) << 10);
        FR[0] = 0;
      } else {
        FR[0] = ((h & 0x8000) << 16) | 0x7fc00000 | ((h & 0x1ff) << 13);
        FR[1] = 0;
      }
    } else putVal(to, halfToDouble(h));
    return writeScalar(fp, d, to);
  }
  // to half (round to nearest even)
  const src = from;
  const k = nanKind(fp, src, wn);
  let h: number;
  if (k !== 0) {
    if (k === 2) fp.fpsr |= FPSR_IOC;
    const top = src ? v[wn + 1] : v[wn];
    const payload = src ? (top >>> 10) & 0x1ff : (top >>> 13) & 0x1ff;
    h = (fp.fpcr & FPCR_DN) !== 0 ? 0x7e00 : ((top >>> 16) & 0x8000) | 0x7e00 | payload;
  } else h = doubleToHalf(fp, val(fp, src, wn));
  v[4 * d] = h;
  v[4 * d + 1] = v[4 * d + 2] = v[4 * d + 3] = 0;
}

/** FP conversions to and from integers and FMOV to/from general registers (sf 0 S 11110 type 1 rmode opcode 000000 Rn Rd). */
function convInt(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const v = fp.v;
  const xl = cpu.xl;
  const xh = cpu.xh;
  const sf = b >>> 31;
  const type = (b >>> 22) & 3;
  const rmode = (b >>> 19) & 3;
  const opcode = (b >>> 16) & 7;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const rd = d === 31 ? 33 : d; // XZR destination: the sink
  switch (opcode) {
    case 6: // FMOV to general: W <- S, X <- D, X <- V.D[1]
      if (type === 2) {
        xl[rd] = v[4 * n + 2];
        xh[rd] = v[4 * n + 3];
      } else {
        xl[rd] = v[4 * n];
        xh[rd] = sf ? v[4 * n + 1] : 0;
      }
      return;
    case 7: // FMOV from general (index 31 reads as zero)
      if (type === 2) {
        v[4 * d + 2] = xl[n];
        v[4 * d + 3] = xh[n];
      } else {
        v[4 * d] = xl[n];
        v[4 * d + 1] = sf ? xh[n] : 0;
        v[4 * d + 2] = v[4 * d + 3] = 0;
      }
      return;
    case 2: // SCVTF
    case 3: // UCVTF
      intToFp(fp, type & 1, xl[n], xh[n], opcode === 3, sf === 1, 0);
      return writeScalar(fp, d, type & 1);
    default: {
      // FCVT{N,P,M,Z}{S,U} (opcode 0/1 with rmode), FCVTA{S,U} (opcode 4/5)
      const mode = opcode >= 4 ? RM_TIEAWAY : rmode === 0 ? RM_TIEEVEN : rmode === 1 ? RM_POSINF : rmode === 2 ? RM_NEGINF : RM_ZERO;
      fpToInt(fp, type & 1, 4 * n, mode, (opcode & 1) === 1, sf === 1, 0);
      xl[rd] = FR[0];
      xh[rd] = FR[1];
    }
  }
}

/** Conversions to and from fixed-point: sf 0 S 11110 type 0 rmode opcode scale Rn Rd. */
function convFixed(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const sf = b >>> 31;
  const dbl = (b >>> 22) & 1;
  const opcode = (b >>> 16) & 7;
  const fbits = 64 - ((b >>> 10) & 63);
  const n = (b >>> 5) & 31;
  const d = b & 31;
  if (opcode === 2 || opcode === 3) {
    intToFp(fp, dbl, cpu.xl[n], cpu.xh[n], opcode === 3, sf === 1, fbits);
    return writeScalar(fp, d, dbl);
  }
  fpToInt(fp, dbl, 4 * n, RM_ZERO, opcode === 1, sf === 1, fbits);
  const rd = d === 31 ? 33 : d;
  cpu.xl[rd] = FR[0];
  cpu.xh[rd] = FR[1];
}

function compare(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const dbl = (b >>> 22) & 1;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const opc = (b >>> 3) & 3; // bit 3: compare with zero, bit 4: signalling (FCMPE)
  const wn = 4 * n;
  const ka = nanKind(fp, dbl, wn);
  const kb = (opc & 1) !== 0 ? 0 : nanKind(fp, dbl, 4 * m);
  const a = ka ? 0 : val(fp, dbl, wn);
  const c = (opc & 1) !== 0 ? 0 : kb ? 0 : val(fp, dbl, 4 * m);
  cpu.nzcv = fpCompare(fp, dbl, a, c, ka, kb, (opc & 2) !== 0);
}

function condCompare(cpu: A64Cpu, b: number): void {
  if (!conditionHolds((b >>> 12) & 15, cpu.nzcv)) {
    cpu.nzcv = (b & 15) << 28;
    return;
  }
  const fp = cpu.fp;
  const dbl = (b >>> 22) & 1;
  const wn = 4 * ((b >>> 5) & 31);
  const wm = 4 * ((b >>> 16) & 31);
  const ka = nanKind(fp, dbl, wn);
  const kb = nanKind(fp, dbl, wm);
  cpu.nzcv = fpCompare(fp, dbl, ka ? 0 : val(fp, dbl, wn), kb ? 0 : val(fp, dbl, wm), ka, kb, ((b >>> 4) & 1) !== 0);
}

function condSelect(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const v = fp.v;
  const dbl = (b >>> 22) & 1;
  const src = conditionHolds((b >>> 12) & 15, cpu.nzcv) ? (b >>> 5) & 31 : (b >>> 16) & 31;
  FR[0] = v[4 * src];
  FR[1] = v[4 * src + 1];
  writeScalar(fp, b & 31, dbl);
}

/** Kinds of the scalar FP classes (decode-fp.ts puts one in the slot). */
export const FPS_DP1 = 0;
export const FPS_DP2 = 1;
export const FPS_DP3 = 2;
export const FPS_CMP = 3;
export const FPS_CCMP = 4;
export const FPS_CSEL = 5;
export const FPS_IMM = 6;
export const FPS_CONV_INT = 7;
export const FPS_CONV_FIXED = 8;

export function executeFpScalar(cpu: A64Cpu, b: number, kind: number): void {
  const fp = cpu.fp;
  const dbl = (b >>> 22) & 1;
  const d = b & 31;
  switch (kind) {
    case FPS_DP1:
      return dp1(cpu, b);
    case FPS_DP2:
      fpBinary(fp, (b >>> 12) & 15, dbl, 4 * ((b >>> 5) & 31), 4 * ((b >>> 16) & 31));
      return writeScalar(fp, d, dbl);
    case FPS_DP3:
      // o1 (bit 21) : o0 (bit 15): FMADD, FMSUB, FNMADD, FNMSUB
      fpMulAdd(fp, dbl, (((b >>> 21) & 1) << 1) | ((b >>> 15) & 1), 4 * ((b >>> 10) & 31), 4 * ((b >>> 5) & 31), 4 * ((b >>> 16) & 31));
      return writeScalar(fp, d, dbl);
    case FPS_CMP:
      return compare(cpu, b);
    case FPS_CCMP:
      return condCompare(cpu, b);
    case FPS_CSEL:
      return condSelect(cpu, b);
    case FPS_IMM:
      expandFpImm((b >>> 13) & 0xff, dbl);
      return writeScalar(fp, d, dbl);
    case FPS_CONV_INT:
      return convInt(cpu, b);
    default:
      return convFixed(cpu, b);
  }
}
