/**
 * Advanced SIMD decoding (Arm ARM C4.1.90, the AdvSIMD vector and scalar classes): which class an
 * encoding belongs to, and whether this core implements that (allocated) operation. Returns a
 * kind (simd-execute.ts, crypto.ts) or -1 for UNDEFINED. Every Armv8.0 AdvSIMD encoding is
 * implemented, and the Cryptographic Extension (AES, SHA1, SHA256, PMULL of 64-bit elements) as
 * QEMU's cortex-a53 has it.
 */
import { decodeCrypto, S_PMULL64 } from './crypto.js';
import {
  S_2MISC,
  S_3DIFF,
  S_3SAME,
  S_ACROSS,
  S_COPY,
  S_ELEM,
  S_EXT,
  S_MODIMM,
  S_PERM,
  S_SHIFT,
  S_TBL,
  SC_2MISC,
  SC_3SAME,
  SC_COPY,
  SC_ELEM,
  SC_PAIR,
  SC_SHIFT,
  SC_3DIFF,
} from './simd-execute.js';

export function decodeSimd(b: number): number {
  const top = b >>> 28; // op0
  if (top === 4 || top === 5) {
    // Crypto AES (0100), two- and three-register SHA (0101), in gaps of the AdvSIMD classes
    const kind = decodeCrypto(b);
    if (kind >= 0) return kind;
  }
  if ((top & 9) === 0) return vector(b); // 0xx0
  if ((top & 0xd) === 5) return scalar(b); // 01x1
  return -1; // reserved (and the Armv8.2 crypto classes, 1100)
}

const bits = (b: number, lo: number, n: number) => (b >>> lo) & ((1 << n) - 1);

// ------------------------------------------------------------------ vector

function vector(b: number): number {
  const q = bits(b, 30, 1);
  const u = bits(b, 29, 1);
  const size = bits(b, 22, 2);
  if (bits(b, 24, 5) === 0b01111) {
    if (bits(b, 10, 1) === 0) return elemOk(b, false) ? S_ELEM : -1;
    if (bits(b, 23, 1) !== 0) return -1;
    if (bits(b, 19, 4) === 0) return modImmOk(b) ? S_MODIMM : -1;
    return shiftOk(b, false) ? S_SHIFT : -1;
  }
  if (bits(b, 24, 5) !== 0b01110) return -1;
  if (bits(b, 21, 1) === 1) {
    if (bits(b, 10, 1) === 1) return sameOk(u, bits(b, 11, 5), size, q, false) ? S_3SAME : -1;
    if (bits(b, 11, 1) === 0) {
      if (bits(b, 12, 4) === 14 && u === 0 && size === 3) return S_PMULL64; // PMULL{2} .1Q (FEAT_PMULL)
      return diffOk(u, bits(b, 12, 4), size) ? S_3DIFF : -1;
    }
    // bits 11:10 = 10: two-register misc (20:17 = 0000) or across lanes (1000)
    const sel = bits(b, 17, 4);
    if (sel === 0) return miscOk(u, bits(b, 12, 5), size, q, false) ? S_2MISC : -1;
    if (sel === 8) return acrossOk(u, bits(b, 12, 5), size, q) ? S_ACROSS : -1;
    return -1;
  }
  // bit 21 = 0: copy, permute, TBL, EXT
  if (bits(b, 15, 1) === 1) return -1; // three same extra / three-reg extension (Armv8.1+)
  if (bits(b, 10, 1) === 1) return copyOk(b) ? S_COPY : -1;
  if (u === 1) {
    // EXT: op2 (23:22) = 00, imm4<3> = 0 when Q = 0
    if (size !== 0 || (q === 0 && bits(b, 14, 1) === 1)) return -1;
    return S_EXT;
  }
  if (bits(b, 11, 1) === 1) {
    const opcode = bits(b, 12, 3);
    if ((opcode & 3) === 0 || (size === 3 && q === 0)) return -1;
    return S_PERM;
  }
  return size === 0 ? S_TBL : -1;
}

/** FP keys (U << 6 | size<1> << 5 | opcode) of the scalar three-same forms implemented: FMULX,
 * FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT. */
const SCALAR_SAME_FP = [27, 28, 31, 32 | 31, 64 | 28, 64 | 29, 96 | 26, 96 | 28, 96 | 29];
/** Vector three-same FP keys that are unallocated in Armv8.0 (FP16 FMLAL and gaps). */
const VECTOR_SAME_FP_UNALLOCATED = [29, 32 | 27, 32 | 28, 32 | 29, 64 | 25, 96 | 25, 96 | 27, 96 | 31];
/** Two-register misc FP keys: FCVT[NMA]S, SCVTF, FCMGT/FCMEQ/FCMLT #0, FCVT[PZ]S, FCVT[NMA]U, UCVTF,
 * FCMGE/FCMLE #0, FCVT[PZ]U (scalar and vector); FCVTN, FCVTL, FRINT*, FABS, FNEG, FSQRT (vector). */
const MISC_FP_COMMON = [26, 27, 28, 29, 32 | 12, 32 | 13, 32 | 14, 32 | 26, 32 | 27, 64 | 26, 64 | 27, 64 | 28, 64 | 29, 96 | 12, 96 | 13, 96 | 26, 96 | 27];
const MISC_FP_VECTOR = [22, 23, 24, 25, 32 | 15, 32 | 24, 32 | 25, 64 | 24, 64 | 25, 96 | 15, 96 | 25, 96 | 31];

/** Three same: integer opcodes by U, with their allowed sizes; FP opcodes 11xxx. */
function sameOk(u: number, opcode: number, size: number, q: number, scalarForm: boolean): boolean {
  if (opcode >= 24) {
    const a = size >>> 1;
    if ((size & 1) === 1 && q === 0 && !scalarForm) return false;
    const key = (u << 6) | (a << 5) | opcode;
    if (scalarForm) {
      // FMULX, FCMEQ, FRECPS | FRSQRTS | FCMGE, FACGE | FABD, FCMGT, FACGT
      return SCALAR_SAME_FP.includes(key);
    }
    return !VECTOR_SAME_FP_UNALLOCATED.includes(key);
  }
  if (scalarForm) {
    // SQADD/UQADD, SQSUB/UQSUB, SQSHL/UQSHL, SQRSHL/UQRSHL: every size; SQDMULH/SQRDMULH: H, S
    if (opcode === 1 || opcode === 5 || opcode === 9 || opcode === 11) return true;
    if (opcode === 22) return size === 1 || size === 2;
    // ADD/SUB, CMGT/CMHI, CMGE/CMHS, CMTST/CMEQ, SSHL/USHL, SRSHL/URSHL: 64-bit only
    return size === 3 && (opcode === 16 || opcode === 6 || opcode === 7 || opcode === 17 || opcode === 8 || opcode === 10);
  }
  switch (opcode) {
    case 3: // logical
      return true;
    case 16: // ADD/SUB
    case 17: // CMTST/CMEQ
    case 6: // CMGT/CMHI
    case 7: // CMGE/CMHS
    case 1: // SQADD/UQADD
    case 5: // SQSUB/UQSUB
    case 8: // SSHL/USHL
    case 9: // SQSHL/UQSHL
    case 10: // SRSHL/URSHL
    case 11: // SQRSHL/UQRSHL
      return size !== 3 || q === 1;
    case 23: // ADDP
      return u === 0 && (size !== 3 || q === 1);
    case 0: // SHADD/UHADD
    case 2: // SRHADD/URHADD
    case 4: // SHSUB/UHSUB
    case 12: // SMAX/UMAX
    case 13: // SMIN/UMIN
    case 14: // SABD/UABD
    case 15: // SABA/UABA
    case 18: // MLA/MLS
    case 20: // SMAXP/UMAXP
    case 21: // SMINP/UMINP
      return size !== 3;
    case 19: // MUL / PMUL
      return u === 0 ? size !== 3 : size === 0;
    case 22: // SQDMULH / SQRDMULH
      return size === 1 || size === 2;
    default:
      return false;
  }
}

/** Three different: the widening, narrowing-high and long multiply forms. */
function diffOk(u: number, opcode: number, size: number): boolean {
  if (size === 3) return false;
  if (opcode === 14) return u === 0 && size === 0; // PMULL (8-bit)
  if (opcode === 9 || opcode === 11 || opcode === 13) return u === 0 && size !== 0; // SQDMLAL, SQDMLSL, SQDMULL
  return opcode <= 8 || opcode === 10 || opcode === 12;
}

/** Two-register misc (vector, or scalar when scalarForm). */
function miscOk(u: number, opcode: number, size: number, q: number, scalarForm: boolean): boolean {
  const a = size >>> 1;
  const sz = size & 1;
  if (opcode >= 24 || (opcode >= 12 && opcode <= 15) || opcode === 22 || opcode === 23) {
    // FP: sz = 1 with Q = 0 is reserved for the vector forms (not FCVTN/FCVTXN/FCVTL, which narrow/widen)
    if (opcode !== 22 && opcode !== 23 && sz === 1 && q === 0 && !scalarForm) return false;
    const key = (u << 6) | (a << 5) | opcode;
    if (key === (64 | 22)) return sz === 1; // FCVTXN (scalar and vector)
    if (key === (32 | 28) || key === (96 | 28)) return !scalarForm && sz === 0; // URECPE, URSQRTE
    if (key === (32 | 29) || key === (96 | 29)) return true; // FRECPE, FRSQRTE
    if (key === (32 | 31)) return scalarForm; // FRECPX
    if (scalarForm) return MISC_FP_COMMON.includes(key);
    return MISC_FP_COMMON.includes(key) || MISC_FP_VECTOR.includes(key);
  }
  if (scalarForm) {
    // SUQADD/USQADD, SQABS/SQNEG: every size; SQXTN/UQXTN, SQXTUN: narrowing to B, H, S
    if (opcode === 3 || opcode === 7) return true;
    if (opcode === 20 || (opcode === 18 && u === 1)) return size !== 3;
    // CMGT/CMGE #0, CMEQ/CMLE #0, CMLT #0, ABS/NEG: 64-bit only
    return size === 3 && (opcode === 8 || opcode === 9 || (opcode === 10 && u === 0) || opcode === 11);
  }
  switch (opcode) {
    case 0: // REV64 / REV32
      return u === 0 ? size !== 3 : size < 2;
    case 1: // REV16
      return u === 0 && size === 0;
    case 2: // SADDLP/UADDLP
    case 6: // SADALP/UADALP
    case 4: // CLS/CLZ
      return size !== 3;
    case 5: // CNT / NOT, RBIT
      return u === 0 ? size === 0 : size < 2;
    case 8:
    case 9:
    case 11:
    case 3: // SUQADD/USQADD
    case 7: // SQABS/SQNEG
      return size !== 3 || q === 1;
    case 10: // CMLT #0
      return u === 0 && (size !== 3 || q === 1);
    case 18: // XTN / SQXTUN
    case 20: // SQXTN / UQXTN
      return size !== 3;
    case 19: // SHLL
      return u === 1 && size !== 3;
    default:
      return false;
  }
}

function acrossOk(u: number, opcode: number, size: number, q: number): boolean {
  if (opcode === 12 || opcode === 15) return u === 1 && (size & 1) === 0 && q === 1; // FMAXNMV/FMINNMV, FMAXV/FMINV (4S)
  if (size === 3 || (size === 2 && q === 0)) return false;
  if (opcode === 27) return u === 0; // ADDV
  return opcode === 3 || opcode === 10 || opcode === 26; // [SU]ADDLV, [SU]MAXV, [SU]MINV
}

/** DUP (element, general), INS (element, general), SMOV, UMOV: 0 Q op 01110000 imm5 0 imm4 1 Rn Rd. */
function copyOk(b: number): boolean {
  const q = bits(b, 30, 1);
  const op = bits(b, 29, 1);
  const imm5 = bits(b, 16, 5);
  const imm4 = bits(b, 11, 4);
  if (bits(b, 21, 3) !== 0 || (imm5 & 15) === 0) return false;
  const size = 31 - Math.clz32(imm5 & -imm5);
  if (op === 1) return q === 1; // INS (element)
  switch (imm4) {
    case 0: // DUP (element)
    case 1: // DUP (general)
      return size !== 3 || q === 1;
    case 3: // INS (general)
      return q === 1;
    case 5: // SMOV
      return q === 0 ? size < 2 : size < 3;
    case 7: // UMOV
      return q === 0 ? size < 3 : size === 3;
    default:
      return false;
  }
}

/** Modified immediate: MOVI, MVNI, ORR, BIC, FMOV (vector); o2 = 1 is FP16 FMOV. */
function modImmOk(b: number): boolean {
  const q = bits(b, 30, 1);
  const op = bits(b, 29, 1);
  const cmode = bits(b, 12, 4);
  if (bits(b, 11, 1) !== 0) return false;
  if (cmode === 15 && op === 1 && q === 0) return false;
  return true;
}

/** Shift by immediate (vector or scalar); immh != 0 was checked for the vector form. */
function shiftOk(b: number, scalarForm: boolean): boolean {
  const q = bits(b, 30, 1);
  const u = bits(b, 29, 1);
  const immh = bits(b, 19, 4);
  const opcode = bits(b, 11, 5);
  if (immh === 0) return false;
  const wide = (immh & 8) !== 0;
  if (opcode === 28 || opcode === 31) {
    // SCVTF/UCVTF, FCVTZS/FCVTZU (fixed-point): 32- or 64-bit elements
    if ((immh & 12) === 0) return false;
    return scalarForm || !wide || q === 1;
  }
  // SSHR/USHR, SSRA/USRA, SRSHR/URSHR, SRSRA/URSRA, SHL (U=0), SRI/SLI (U=1)
  const plain = opcode === 0 || opcode === 2 || opcode === 4 || opcode === 6 || (opcode === 10) || (opcode === 8 && u === 1);
  // SQSHL/UQSHL (immediate), SQSHLU (U=1): every element size
  const satLeft = opcode === 14 || (opcode === 12 && u === 1);
  // SQSHRN/UQSHRN, SQRSHRN/UQRSHRN, SQSHRUN/SQRSHRUN (U=1): narrowing, no 64-bit results
  const satNarrow = opcode === 18 || opcode === 19 || ((opcode === 16 || opcode === 17) && u === 1);
  if (scalarForm) return (plain && wide) || satLeft || (satNarrow && !wide);
  if (plain || satLeft) return !wide || q === 1;
  if (satNarrow) return !wide;
  // SHRN/RSHRN (U=0), SSHLL/USHLL: narrowing and widening forms, no 64-bit source elements
  if (opcode === 16 || opcode === 17) return u === 0 && !wide;
  if (opcode === 20) return !wide;
  return false;
}

/** Vector x indexed element (integer MUL/MLA/MLS and their long forms; FMLA/FMLS/FMUL/FMULX). */
function elemOk(b: number, scalarForm: boolean): boolean {
  const q = bits(b, 30, 1);
  const u = bits(b, 29, 1);
  const size = bits(b, 22, 2);
  const l = bits(b, 21, 1);
  const opcode = bits(b, 12, 4);
  const fpOp = opcode === 1 || opcode === 5 || opcode === 9;
  if (fpOp) {
    if (opcode !== 9 && u === 1) return false; // FMLA/FMLS have U = 0
    if (size < 2) return false; // 00 is FP16, 01 reserved
    if (size === 3) return l === 0 && (q === 1 || scalarForm);
    return true;
  }
  if (size === 0 || size === 3) return false;
  // SQDMULH, SQRDMULH, SQDMULL, SQDMLAL, SQDMLSL (U = 0; vector and scalar)
  if (opcode === 12 || opcode === 13 || opcode === 11 || opcode === 3 || opcode === 7) return u === 0;
  if (scalarForm) return false;
  if (opcode === 8) return u === 0; // MUL
  if (opcode === 0 || opcode === 4) return u === 1; // MLA, MLS
  return opcode === 2 || opcode === 6 || opcode === 10; // [SU]MLAL, [SU]MLSL, [SU]MULL
}

// ------------------------------------------------------------------ scalar

function scalar(b: number): number {
  const u = bits(b, 29, 1);
  const size = bits(b, 22, 2);
  if (bits(b, 24, 5) === 0b11111) {
    if (bits(b, 10, 1) === 0) return elemOk(b, true) ? SC_ELEM : -1;
    if (bits(b, 23, 1) !== 0) return -1;
    return shiftOk(b, true) ? SC_SHIFT : -1;
  }
  if (bits(b, 24, 5) !== 0b11110) return -1;
  if (bits(b, 21, 1) === 1) {
    if (bits(b, 10, 1) === 1) return sameOk(u, bits(b, 11, 5), size, 1, true) ? SC_3SAME : -1;
    if (bits(b, 11, 1) === 0) {
      // scalar three different: SQDMLAL, SQDMLSL, SQDMULL (U = 0, H or S sources)
      const opc = bits(b, 12, 4);
      return u === 0 && (size === 1 || size === 2) && (opc === 9 || opc === 11 || opc === 13) && bits(b, 10, 2) === 0 ? SC_3DIFF : -1;
    }
    const sel = bits(b, 17, 4);
    const opcode = bits(b, 12, 5);
    if (sel === 0) return miscOk(u, opcode, size, 1, true) ? SC_2MISC : -1;
    if (sel === 8) {
      // pairwise: ADDP (U=0, size 11), FADDP/FMAXNMP/FMAXP (U=1, size 0x), FMINNMP/FMINP (size 1x)
      if (u === 0) return opcode === 27 && size === 3 ? SC_PAIR : -1;
      const a = size >>> 1;
      if (opcode === 13) return a === 0 ? SC_PAIR : -1;
      return opcode === 12 || opcode === 15 ? SC_PAIR : -1;
    }
    return -1;
  }
  // scalar copy: DUP (element) 01 0 11110000 imm5 0 0000 1
  if (bits(b, 10, 1) === 1 && bits(b, 15, 1) === 0 && u === 0 && bits(b, 11, 4) === 0 && bits(b, 21, 3) === 0 && (bits(b, 16, 4) !== 0)) return SC_COPY;
  return -1;
}
