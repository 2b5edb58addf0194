/**
 * Advanced SIMD execution: dispatch by class (the kind simd-decode.ts found) to the integer
 * (simd-int.ts) and FP (simd-fp.ts) lane operations; the data-movement classes are here: DUP,
 * INS, UMOV/SMOV, MOVI/MVNI/ORR/BIC/FMOV (vector immediate), ZIP/UZP/TRN, EXT, TBL/TBX.
 */
import type { A64Cpu } from './cpu.js';
import type { FpState } from './fp-state.js';
import { executeCrypto, S_AES, S_PMULL64, S_SHA2, S_SHA3 } from './crypto.js';
import { FR } from './fp-arith.js';
import { expandFpImm } from './fp-scalar.js';
import { fpAcross, fpByElement, fpFixedShift, fpMisc, fpPairScalar, fpThreeSame } from './simd-fp.js';
import { intAcross, intByElement, intDoubling, intMisc, intShift, intThreeDiff, intThreeSame } from './simd-int.js';
import { commit, getS, getU, setT, T, T8 } from './simd-lanes.js';
import { add64, R } from './u64.js';

export const S_COPY = 32;
export const S_MODIMM = 33;
export const S_3SAME = 34;
export const S_3DIFF = 35;
export const S_2MISC = 36;
export const S_ACROSS = 37;
export const S_SHIFT = 38;
export const S_ELEM = 39;
export const S_PERM = 40;
export const S_EXT = 41;
export const S_TBL = 42;
export const SC_3SAME = 43;
export const SC_2MISC = 44;
export const SC_PAIR = 45;
export const SC_COPY = 46;
export const SC_SHIFT = 47;
export const SC_ELEM = 48;
export const SC_3DIFF = 49;

/** Opcodes of the two-register misc class that are floating point (the rest are integer). */
function miscIsFp(opcode: number): boolean {
  return opcode >= 22 || (opcode >= 12 && opcode <= 15);
}

export function executeSimd(cpu: A64Cpu, b: number, kind: number): void {
  switch (kind) {
    case S_COPY:
      return copy(cpu, b);
    case S_MODIMM:
      return modifiedImmediate(cpu.fp, b);
    case S_3SAME:
    case SC_3SAME:
      if (((b >>> 11) & 31) >= 24) return fpThreeSame(cpu, b, kind === SC_3SAME);
      if (((b >>> 11) & 31) === 22) return intDoubling(cpu, b, 0, kind === SC_3SAME);
      return intThreeSame(cpu, b, kind === SC_3SAME);
    case S_3DIFF:
    case SC_3DIFF: {
      const opcode = (b >>> 12) & 15;
      if (opcode === 9 || opcode === 11 || opcode === 13) return intDoubling(cpu, b, 1, kind === SC_3DIFF);
      return intThreeDiff(cpu, b);
    }
    case S_2MISC:
    case SC_2MISC:
      if (miscIsFp((b >>> 12) & 31)) return fpMisc(cpu, b, kind === SC_2MISC);
      return intMisc(cpu, b, kind === SC_2MISC);
    case S_ACROSS:
      if (((b >>> 12) & 31) === 12 || ((b >>> 12) & 31) === 15) return fpAcross(cpu, b);
      return intAcross(cpu, b);
    case S_SHIFT:
    case SC_SHIFT: {
      const opcode = (b >>> 11) & 31;
      if (opcode === 28 || opcode === 31) return fpFixedShift(cpu, b, kind === SC_SHIFT);
      return intShift(cpu, b, kind === SC_SHIFT);
    }
    case S_ELEM:
    case SC_ELEM: {
      const opcode = (b >>> 12) & 15;
      if (opcode === 1 || opcode === 5 || opcode === 9) return fpByElement(cpu, b, kind === SC_ELEM);
      if (opcode === 12 || opcode === 13 || opcode === 11 || opcode === 3 || opcode === 7) return intDoubling(cpu, b, 2, kind === SC_ELEM);
      return intByElement(cpu, b);
    }
    case S_PERM:
      return permute(cpu.fp, b);
    case S_EXT:
      return extract(cpu.fp, b);
    case S_TBL:
      return tableLookup(cpu.fp, b);
    case S_AES:
    case S_SHA3:
    case S_SHA2:
    case S_PMULL64:
      return executeCrypto(cpu.fp, b, kind);
    case SC_PAIR:
      if (((b >>> 29) & 1) === 1) return fpPairScalar(cpu, b);
      return addpScalar(cpu.fp, b);
    default:
      // SC_COPY: DUP (element) scalar, i.e. MOV Bd/Hd/Sd/Dd, Vn.T[index]
      return dupScalar(cpu.fp, b);
  }
}

/** Element size (log2 bytes) and index from imm5 (lowest set bit gives the size). */
function imm5Size(imm5: number): number {
  return 31 - Math.clz32(imm5 & -imm5);
}

function readElement64(fp: FpState, size: number, r: number, e: number): void {
  if (size === 3) {
    R[0] = fp.v[4 * r + 2 * e];
    R[1] = fp.v[4 * r + 2 * e + 1];
  } else {
    R[0] = getU(fp, size, r, e);
    R[1] = 0;
  }
}

/** DUP (element, general), INS (element, general), SMOV, UMOV. */
function copy(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const op = (b >>> 29) & 1;
  const imm5 = (b >>> 16) & 31;
  const imm4 = (b >>> 11) & 15;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const size = imm5Size(imm5);
  const index = imm5 >>> (size + 1);
  const bytes = 8 << q;
  if (op === 1 || imm4 === 3) {
    // INS: one element of Vd, the rest kept
    if (op === 1) readElement64(fp, size, n, imm4 >>> size);
    else {
      R[0] = cpu.xl[n];
      R[1] = cpu.xh[n];
    }
    writeElement(fp, size, d, index, R[0], R[1]);
    return;
  }
  if (imm4 === 0 || imm4 === 1) {
    // DUP (element) / DUP (general)
    let lo: number;
    let hi: number;
    if (imm4 === 0) {
      readElement64(fp, size, n, index);
      lo = R[0];
      hi = R[1];
    } else {
      lo = cpu.xl[n];
      hi = cpu.xh[n];
    }
    for (let e = 0; e < bytes >> size; e++) {
      if (size === 3) {
        T[2 * e] = lo;
        T[2 * e + 1] = hi;
      } else setT(size, e, lo);
    }
    return commit(fp, d, bytes);
  }
  // SMOV (imm4 0101) / UMOV (0111) to W (Q = 0) or X (Q = 1); destination 31 is XZR
  const rd = d === 31 ? 33 : d;
  if (imm4 === 5) {
    const x = getS(fp, size, n, index);
    cpu.xl[rd] = x;
    cpu.xh[rd] = q ? x >> 31 : 0;
  } else {
    readElement64(fp, size, n, index);
    cpu.xl[rd] = R[0];
    cpu.xh[rd] = R[1];
  }
}

function writeElement(fp: FpState, size: number, r: number, e: number, lo: number, hi: number): void {
  if (size === 0) fp.u8[16 * r + e] = lo;
  else if (size === 1) fp.u16[8 * r + e] = lo;
  else if (size === 2) fp.v[4 * r + e] = lo;
  else {
    fp.v[4 * r + 2 * e] = lo;
    fp.v[4 * r + 2 * e + 1] = hi;
  }
}

function dupScalar(fp: FpState, b: number): void {
  const imm5 = (b >>> 16) & 31;
  const size = imm5Size(imm5);
  readElement64(fp, size, (b >>> 5) & 31, imm5 >>> (size + 1));
  T[0] = R[0];
  T[1] = R[1];
  commit(fp, b & 31, 1 << size);
}

/** AdvSIMDExpandImm and MOVI/MVNI/ORR/BIC/FMOV (vector): 0 Q op 0111100000 abc cmode o2 1 defgh Rd. */
function modifiedImmediate(fp: FpState, b: number): void {
  const q = (b >>> 30) & 1;
  const op = (b >>> 29) & 1;
  const cmode = (b >>> 12) & 15;
  const imm8 = (((b >>> 16) & 7) << 5) | ((b >>> 5) & 31);
  const d = b & 31;
  const bytes = 8 << q;
  let lo: number;
  let hi: number;
  switch (cmode >>> 1) {
    case 0:
    case 1:
    case 2:
    case 3:
      lo = hi = imm8 << (8 * (cmode >>> 1));
      break;
    case 4:
    case 5:
      lo = hi = (imm8 << (8 * ((cmode >>> 1) & 1))) * 0x10001;
      break;
    case 6:
      lo = hi = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff;
      break;
    default:
      if ((cmode & 1) === 0) {
        if (op === 0) lo = hi = imm8 * 0x01010101;
        else {
          // each bit of imm8 becomes a byte of ones
          lo = hi = 0;
          for (let k = 0; k < 4; k++) {
            if ((imm8 >>> k) & 1) lo |= 0xff << (8 * k);
            if ((imm8 >>> (k + 4)) & 1) hi |= 0xff << (8 * k);
          }
        }
      } else {
        expandFpImm(imm8, op);
        lo = FR[0];
        hi = op ? FR[1] : FR[0];
      }
  }
  const v = fp.v;
  const w = 4 * d;
  // ORR (op 0) / BIC (op 1) for cmode 0xx1 and 10x1; otherwise MOVI (op 0) / MVNI (op 1) or the 64-bit/FMOV forms
  const logical = (cmode & 1) === 1 && cmode < 12;
  if (logical) {
    for (let k = 0; k < bytes >> 2; k++) T[k] = op ? v[w + k] & ~lo : v[w + k] | lo;
  } else {
    const invert = op === 1 && cmode < 14;
    for (let k = 0; k < bytes >> 2; k++) T[k] = invert ? ~((k & 1) === 0 ? lo : hi) : (k & 1) === 0 ? lo : hi;
  }
  commit(fp, d, bytes);
}

/** UZP1/2, TRN1/2, ZIP1/2: 0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd. */
function permute(fp: FpState, b: number): void {
  const q = (b >>> 30) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 12) & 7;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const bytes = 8 << q;
  const els = bytes >> size;
  const part = opcode >>> 2; // 1 for the "2" forms
  const half = els >> 1;
  for (let e = 0; e < els; e++) {
    let r: number;
    let k: number;
    switch (opcode & 3) {
      case 1: // UZP: even (or odd) elements of n then m
        k = 2 * e + part;
        r = k < els ? n : m;
        if (k >= els) k -= els;
        break;
      case 2: // TRN: n and m elements alternately, from even (odd) positions
        r = e & 1 ? m : n;
        k = (e & ~1) + part;
        break;
      default: // ZIP: interleave the lower (upper) halves
        r = e & 1 ? m : n;
        k = (e >> 1) + part * half;
    }
    if (size === 3) {
      T[2 * e] = fp.v[4 * r + 2 * k];
      T[2 * e + 1] = fp.v[4 * r + 2 * k + 1];
    } else setT(size, e, getU(fp, size, r, k));
  }
  commit(fp, d, bytes);
}

/** EXT: bytes imm4.. of Vn:Vm (Vn the low part). */
function extract(fp: FpState, b: number): void {
  const q = (b >>> 30) & 1;
  const pos = (b >>> 11) & 15;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const bytes = 8 << q;
  for (let i = 0; i < bytes; i++) {
    const k = pos + i;
    T8[i] = k < bytes ? fp.u8[16 * n + k] : fp.u8[16 * m + k - bytes];
  }
  commit(fp, b & 31, bytes);
}

/** TBL/TBX: 0 Q 001110 000 Rm 0 len op 00 Rn Rd; indices beyond the table give 0 (TBL) or keep Vd (TBX). */
function tableLookup(fp: FpState, b: number): void {
  const q = (b >>> 30) & 1;
  const len = ((b >>> 13) & 3) + 1;
  const tbx = ((b >>> 12) & 1) === 1;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const bytes = 8 << q;
  for (let i = 0; i < bytes; i++) {
    const idx = fp.u8[16 * m + i];
    if (idx < 16 * len) T8[i] = fp.u8[16 * ((n + (idx >>> 4)) & 31) + (idx & 15)];
    else T8[i] = tbx ? fp.u8[16 * d + i] : 0;
  }
  commit(fp, d, bytes);
}

/** ADDP (scalar): Dd = Vn.D[0] + Vn.D[1]. */
function addpScalar(fp: FpState, b: number): void {
  const w = 4 * ((b >>> 5) & 31);
  add64(fp.v[w], fp.v[w + 1], fp.v[w + 2], fp.v[w + 3]);
  T[0] = R[0];
  T[1] = R[1];
  commit(fp, b & 31, 8);
}
