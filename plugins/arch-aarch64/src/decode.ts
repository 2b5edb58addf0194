/**
 * A64 decoder (Arm ARM C4.1, "A64 instruction set encoding"): turns a 32-bit instruction into
 * the four-word pre-decoded slot the interpreter runs (layout in execute.ts). Anything not
 * listed here decodes to Op.UNDEF, which raises the Undefined exception (EC 0x0).
 */
import { Op, packInfo, REG_SINK, REG_SP } from './execute.js';
import { R, ror64 } from './u64.js';
import { decodeFpSimd } from './decode-fp.js';

/** Register field where 31 means SP. */
const sp = (r: number) => (r === 31 ? REG_SP : r);
/** Destination field where 31 means XZR (the write goes to a sink). */
const dz = (r: number) => (r === 31 ? REG_SINK : r);
/* Source fields where 31 means XZR use index 31 as is: it always holds zero. */

function put(out: Int32Array, i: number, op: Op, rd: number, rn: number, rm: number, sf: number, a: number, b: number, c: number): number {
  const info = packInfo(op, rd, rn, rm, sf);
  out[i] = info;
  out[i + 1] = a | 0;
  out[i + 2] = b | 0;
  out[i + 3] = c | 0;
  return info;
}

function undef(out: Int32Array, i: number, bits: number): number {
  return put(out, i, Op.UNDEF, 0, 0, 0, 0, bits, 0, 0);
}

/**
 * DecodeBitMasks (Arm ARM J1, shared/functions/bitmasks) for logical immediates: the 64-bit
 * wmask into R, or false for a reserved encoding.
 */
export function decodeBitMask(n: number, imms: number, immr: number, sf: number): boolean {
  const len = 31 - Math.clz32((n << 6) | (~imms & 0x3f));
  if (len < 1) return false;
  const levels = (1 << len) - 1;
  if ((imms & levels) === levels) return false;
  const s = imms & levels;
  const r = immr & levels;
  const esize = 1 << len;
  if (esize === 64) {
    const lo = s + 1 >= 32 ? -1 : (1 << (s + 1)) - 1;
    const hi = s + 1 > 32 ? (s + 1 === 64 ? -1 : (1 << (s + 1 - 32)) - 1) : 0;
    ror64(lo, hi, r);
    return true;
  }
  // esize <= 32 (and s + 1 < esize): rotate within the element, then replicate to 32 bits.
  const emask = esize === 32 ? -1 : (1 << esize) - 1;
  let e = (1 << (s + 1)) - 1;
  if (r !== 0) e = ((e >>> r) | (e << (esize - r))) & emask;
  for (let k = esize; k < 32; k *= 2) e |= e << k;
  R[0] = e;
  R[1] = sf ? e : 0;
  return true;
}

/** Decodes `bits` into out[i..i+3]; returns the info word. */
export function decodeInto(out: Int32Array, i: number, bits: number): number {
  bits |= 0;
  const op0 = (bits >>> 25) & 0xf;
  // SIMD&FP data processing (x111) and SIMD&FP loads/stores (x1x0 with V = bit 26 = 1): decode-fp.ts
  if ((op0 & 0b0110) === 0b0110) return decodeFpSimd(out, i, bits);
  if ((op0 & 0b1110) === 0b1000) return decodeDpImm(out, i, bits);
  if ((op0 & 0b1110) === 0b1010) return decodeBranchSys(out, i, bits);
  if ((op0 & 0b0101) === 0b0100) return decodeLoadStore(out, i, bits);
  if ((op0 & 0b0111) === 0b0101) return decodeDpReg(out, i, bits);
  return undef(out, i, bits); // reserved, SME/SVE
}

// ------------------------------------------------------------------ data processing, immediate

function decodeDpImm(out: Int32Array, i: number, b: number): number {
  const sf = b >>> 31;
  const rd = b & 31;
  const rn = (b >>> 5) & 31;
  switch ((b >>> 23) & 7) {
    case 0:
    case 1: {
      // ADR / ADRP: imm = immhi:immlo, sign-extended (C6.2.10/11)
      const imm = (((b << 8) >> 13) << 2) | ((b >>> 29) & 3);
      if (sf === 0) return put(out, i, Op.ADR, dz(rd), 0, 0, 1, imm, imm >> 31, 0);
      // ADRP: imm << 12 as a 64-bit value (33 bits significant)
      return put(out, i, Op.ADRP, dz(rd), 0, 0, 1, imm << 12, imm >> 20, 0);
    }
    case 2: {
      // ADD/SUB (immediate): sf op S 100010 sh imm12 Rn Rd
      const sub = (b >>> 30) & 1;
      const s = (b >>> 29) & 1;
      let imm = (b >>> 10) & 0xfff;
      if ((b >>> 22) & 1) imm <<= 12;
      if (s === 0) {
        const v = sub ? -imm : imm;
        return put(out, i, Op.ADDI, sp(rd), sp(rn), 0, sf, v, v >> 31, 0);
      }
      // ADDS/SUBS: AddWithCarry(Rn, imm or NOT(imm), carry-in)
      if (sub) return put(out, i, Op.ADDSI, dz(rd), sp(rn), 0, sf, ~imm, -1, 1);
      return put(out, i, Op.ADDSI, dz(rd), sp(rn), 0, sf, imm, 0, 0);
    }
    case 3:
      return undef(out, i, b); // add/sub with tags (Armv8.5 MTE)
    case 4: {
      // logical (immediate): sf opc 100100 N immr imms Rn Rd
      const n = (b >>> 22) & 1;
      if (sf === 0 && n === 1) return undef(out, i, b);
      if (!decodeBitMask(n, (b >>> 10) & 63, (b >>> 16) & 63, sf)) return undef(out, i, b);
      const opc = (b >>> 29) & 3;
      const ops = [Op.ANDI, Op.ORRI, Op.EORI, Op.ANDSI];
      const dst = opc === 3 ? dz(rd) : sp(rd);
      return put(out, i, ops[opc], dst, rn, 0, sf, R[0], R[1], 0);
    }
    case 5: {
      // move wide: sf opc 100101 hw imm16 Rd
      const opc = (b >>> 29) & 3;
      const hw = (b >>> 21) & 3;
      if (opc === 1 || (sf === 0 && hw >= 2)) return undef(out, i, b);
      const imm16 = (b >>> 5) & 0xffff;
      const shift = hw * 16;
      if (opc === 3) return put(out, i, Op.MOVK, dz(rd), 0, 0, sf, imm16, 0, shift);
      let lo = shift < 32 ? imm16 << shift : 0;
      let hi = shift >= 32 ? imm16 << (shift - 32) : 0;
      if (opc === 0) {
        lo = ~lo;
        hi = sf ? ~hi : 0;
      }
      return put(out, i, Op.MOVI, dz(rd), 0, 0, sf, lo, hi, 0);
    }
    case 6: {
      // bitfield: sf opc 100110 N immr imms Rn Rd
      const opc = (b >>> 29) & 3;
      const n = (b >>> 22) & 1;
      const immr = (b >>> 16) & 63;
      const imms = (b >>> 10) & 63;
      if (opc === 3 || n !== sf || (sf === 0 && (immr >= 32 || imms >= 32))) return undef(out, i, b);
      // The shift aliases (LSL, LSR, ASR #imm) are frequent: a shift op the interpreter runs inline.
      const top = sf ? 63 : 31;
      if (opc === 2 && imms === top) return put(out, i, Op.SHIFTI, dz(rd), rn, 0, sf, 0, 0, 1 | (immr << 2));
      if (opc === 0 && imms === top) return put(out, i, Op.SHIFTI, dz(rd), rn, 0, sf, 0, 0, 2 | (immr << 2));
      if (opc === 2 && imms + 1 === immr) return put(out, i, Op.SHIFTI, dz(rd), rn, 0, sf, 0, 0, 0 | ((top - imms) << 2));
      return put(out, i, Op.BFM, dz(rd), rn, 0, sf, immr, imms, opc);
    }
    default: {
      // extract: sf op21 100111 N o0 Rm imms Rn Rd
      const n = (b >>> 22) & 1;
      const imms = (b >>> 10) & 63;
      if (((b >>> 29) & 3) !== 0 || ((b >>> 21) & 1) !== 0 || n !== sf || (sf === 0 && imms >= 32)) return undef(out, i, b);
      return put(out, i, Op.EXTR, dz(rd), rn, (b >>> 16) & 31, sf, imms, 0, 0);
    }
  }
}

// ------------------------------------------------------------------ branches, exceptions, system

function decodeBranchSys(out: Int32Array, i: number, b: number): number {
  const top = b >>> 29;
  const rt = b & 31;
  if ((top & 3) === 0 && ((b >>> 26) & 7) === 5) {
    // B / BL: op 00101 imm26
    const off = (b << 6) >> 4;
    return put(out, i, top === 4 ? Op.BL : Op.B, 0, 0, 0, 0, off, off >> 31, 0);
  }
  if (top === 1 || top === 5) {
    if (((b >>> 25) & 1) === 0) {
      // CBZ/CBNZ: sf 011010 op imm19 Rt
      const off = ((b << 8) >> 13) << 2;
      return put(out, i, (b >>> 24) & 1 ? Op.CBNZ : Op.CBZ, 0, rt, 0, b >>> 31, off, 0, 0);
    }
    // TBZ/TBNZ: b5 011011 op b40 imm14 Rt
    const off = ((b << 13) >> 18) << 2;
    const bit = ((b >>> 31) << 5) | ((b >>> 19) & 31);
    return put(out, i, (b >>> 24) & 1 ? Op.TBNZ : Op.TBZ, 0, rt, 0, 0, off, 0, bit);
  }
  if (top === 2) {
    // B.cond: 0101010 o1 imm19 o0 cond (o1 = o0 = 0)
    if (((b >>> 24) & 3) !== 0 || ((b >>> 4) & 1) !== 0) return undef(out, i, b);
    const off = ((b << 8) >> 13) << 2;
    return put(out, i, Op.BCOND, 0, 0, 0, 0, off, 0, b & 15);
  }
  if (top !== 6) return undef(out, i, b);
  if (((b >>> 24) & 0xff) === 0xd4) return decodeException(out, i, b);
  if (((b >>> 22) & 0x3ff) === 0x354) return decodeSystem(out, i, b);
  if (((b >>> 25) & 0x7f) === 0x6b) {
    // unconditional branch (register): 1101011 opc op2 op3 Rn op4
    const opc = (b >>> 21) & 15;
    if (((b >>> 16) & 31) !== 31 || ((b >>> 10) & 63) !== 0 || (b & 31) !== 0) return undef(out, i, b);
    const rn = (b >>> 5) & 31;
    if (opc === 0) return put(out, i, Op.BR, 0, rn, 0, 0, 0, 0, 0);
    if (opc === 1) return put(out, i, Op.BLR, 0, rn, 0, 0, 0, 0, 0);
    if (opc === 2) return put(out, i, Op.RET, 0, rn, 0, 0, 0, 0, 0);
    if (opc === 4 && rn === 31) return put(out, i, Op.ERET, 0, 0, 0, 0, 0, 0, 0);
  }
  return undef(out, i, b);
}

/** Exception generation: 11010100 opc imm16 op2 LL (C4.1.65). */
function decodeException(out: Int32Array, i: number, b: number): number {
  const opc = (b >>> 21) & 7;
  const ll = b & 3;
  const imm16 = (b >>> 5) & 0xffff;
  if (((b >>> 2) & 7) !== 0) return undef(out, i, b);
  if (opc === 0 && ll !== 0) return put(out, i, Op.EXC, 0, 0, 0, 0, imm16, 0, ll); // SVC 1, HVC 2, SMC 3
  if (opc === 1 && ll === 0) return put(out, i, Op.EXC, 0, 0, 0, 0, imm16, 0, 0); // BRK
  if (opc === 2 && ll === 0) return put(out, i, Op.HLT, 0, 0, 0, 0, imm16, 0, 0);
  return undef(out, i, b); // DCPS1-3 need Debug state
}

export const enum Hint {
  NOP = 0,
  YIELD = 1,
  WFE = 2,
  WFI = 3,
  SEV = 4,
  SEVL = 5,
}

/** System: 1101010100 L op0 op1 CRn CRm op2 Rt (C5.1). */
function decodeSystem(out: Int32Array, i: number, b: number): number {
  const l = (b >>> 21) & 1;
  const op0 = (b >>> 19) & 3;
  const op1 = (b >>> 16) & 7;
  const crn = (b >>> 12) & 15;
  const crm = (b >>> 8) & 15;
  const op2 = (b >>> 5) & 7;
  const rt = b & 31;
  if (op0 === 0 && l === 0) {
    if (crn === 2 && op1 === 3 && rt === 31) {
      // hints: CRm:op2; unallocated hints execute as NOP (C5.1.2)
      const hint = (crm << 3) | op2;
      return put(out, i, hint <= 5 && hint !== 0 ? Op.HINT : Op.NOP, 0, 0, 0, 0, 0, 0, hint);
    }
    if (crn === 3 && op1 === 3 && rt === 31) {
      if (op2 === 2) return put(out, i, Op.CLREX, 0, 0, 0, 0, 0, 0, 0);
      // DSB, DMB, ISB: one core at a time and no caches or pipeline to model
      if (op2 === 4 || op2 === 5 || op2 === 6) return put(out, i, Op.NOP, 0, 0, 0, 0, 0, 0, 0);
      return undef(out, i, b);
    }
    if (crn === 4 && rt === 31) {
      const field = (op1 << 3) | op2;
      return put(out, i, Op.MSR_IMM, 0, 0, 0, 0, crm, 0, field);
    }
    return undef(out, i, b);
  }
  if (op0 === 1) {
    // SYS (DC, IC, AT, TLBI) goes the MSR way with op0 = 1 in its key (mmu-sys.ts). SYSL is unallocated.
    if (l === 0) return put(out, i, Op.MSR, 0, rt, 0, 1, 0, 0, (b >>> 5) & 0xffff);
    return undef(out, i, b);
  }
  const key = (b >>> 5) & 0xffff;
  if (l === 1) return put(out, i, Op.MRS, dz(rt), 0, 0, 1, 0, 0, key);
  return put(out, i, Op.MSR, 0, rt, 0, 1, 0, 0, key);
}

// ------------------------------------------------------------------ loads and stores

/**
 * LOAD/STORE `c` word: size (log2 bytes) | ext << 2 | mode << 4 | option << 6 | shift << 9.
 * ext: 0 zero-extend, 1 sign-extend to 64 bits, 2 sign-extend to 32 bits.
 * mode: 0 immediate offset, 1 pre-index, 2 post-index, 3 register offset.
 */
export const LS_EXT_S64 = 1;
export const LS_EXT_S32 = 2;
export const LS_OFFSET = 0;
export const LS_PRE = 1;
export const LS_POST = 2;
export const LS_REG = 3;
/** LDTR/STTR: EL0 permissions at EL1 with the MMU on (D5.4.3). */
export const LS_UNPRIV = 1 << 11;

function decodeLoadStore(out: Int32Array, i: number, b: number): number {
  const rt = b & 31;
  const rn = (b >>> 5) & 31;
  const op3 = (b >>> 27) & 7; // bits 29:27
  if (((b >>> 24) & 0x3f) === 0b001000) return decodeExclusive(out, i, b);
  if (op3 === 3 && ((b >>> 24) & 3) === 0) {
    // load register (literal): opc 011 V 00 imm19 Rt
    const opc = b >>> 30;
    const off = ((b << 8) >> 13) << 2;
    if (opc === 3) return put(out, i, Op.NOP, 0, 0, 0, 0, 0, 0, 0); // PRFM (literal)
    return put(out, i, Op.LDLIT, dz(rt), 0, 0, 1, off, off >> 31, opc);
  }
  if (op3 === 5) return decodePair(out, i, b);
  if (op3 !== 7) return undef(out, i, b);
  // load/store register: size 111 V op(25:24) opc imm...
  const size = b >>> 30;
  const opc = (b >>> 22) & 3;
  let ext = 0;
  let store = false;
  if (opc === 0) store = true;
  else if (opc === 2 || opc === 3) {
    if (size === 3) {
      // PRFM / PRFUM; opc 11 is unallocated
      if (opc === 3) return undef(out, i, b);
      const kind = (b >>> 24) & 3;
      const sub = (b >>> 10) & 3;
      // PRFM (register) takes the same extend options as the loads: x1x
      const regOk = sub === 2 && (((b >>> 13) & 7) & 2) !== 0;
      if (kind === 1 || (kind === 0 && (((b >>> 21) & 1) === 0 ? sub === 0 : regOk))) return put(out, i, Op.NOP, 0, 0, 0, 0, 0, 0, 0);
      return undef(out, i, b);
    }
    if (size === 2 && opc === 3) return undef(out, i, b);
    ext = opc === 2 ? LS_EXT_S64 : LS_EXT_S32;
  }
  const op = store ? Op.STORE : Op.LOAD;
  const t = store ? rt : dz(rt);
  const sf = ext === LS_EXT_S32 || (!store && ext === 0 && size < 3) ? 0 : 1;
  if (((b >>> 24) & 3) === 1) {
    // unsigned immediate offset, scaled by the access size
    const imm = ((b >>> 10) & 0xfff) << size;
    return put(out, i, op, t, sp(rn), 0, sf, imm, 0, size | (ext << 2) | (LS_OFFSET << 4));
  }
  if (((b >>> 24) & 3) !== 0) return undef(out, i, b);
  if (((b >>> 21) & 1) === 0) {
    const imm9 = (b << 11) >> 23;
    const kind = (b >>> 10) & 3;
    // 00 unscaled (LDUR/STUR), 01 post-index, 11 pre-index; 10 unprivileged (LDTR/STTR:
    // EL0's permissions when executed at EL1, a normal access elsewhere; no UAO/PAN in Armv8.0)
    const mode = kind === 1 ? LS_POST : kind === 3 ? LS_PRE : LS_OFFSET;
    const unpriv = kind === 2 ? LS_UNPRIV : 0;
    return put(out, i, op, t, sp(rn), 0, sf, imm9, imm9 >> 31, size | (ext << 2) | (mode << 4) | unpriv);
  }
  if (((b >>> 10) & 3) !== 2) return undef(out, i, b); // atomic memory operations (Armv8.1 LSE)
  // register offset: option must be x1x (UXTW, LSL, SXTW, SXTX)
  const option = (b >>> 13) & 7;
  if ((option & 2) === 0) return undef(out, i, b);
  const shift = (b >>> 12) & 1 ? size : 0;
  return put(out, i, op, t, sp(rn), (b >>> 16) & 31, sf, 0, 0, size | (ext << 2) | (LS_REG << 4) | (option << 6) | (shift << 9));
}

/**
 * Load/store pair: opc 101 V type L imm7 Rt2 Rn Rt. `c` = size | mode << 2 | signed << 4;
 * Rt2 goes in the rm field, the scaled offset in `a`.
 */
function decodePair(out: Int32Array, i: number, b: number): number {
  const opc = b >>> 30;
  const type = (b >>> 23) & 3; // 00 no-allocate (offset), 01 post, 10 offset, 11 pre
  const l = (b >>> 22) & 1;
  if (opc === 3 || (opc === 1 && (l === 0 || type === 0))) return undef(out, i, b);
  const size = opc === 2 ? 3 : 2;
  const imm = ((b << 10) >> 25) << size;
  const mode = type === 1 ? LS_POST : type === 3 ? LS_PRE : LS_OFFSET;
  const rt = b & 31;
  const rt2 = (b >>> 10) & 31;
  const rn = sp((b >>> 5) & 31);
  const c = size | (mode << 2) | ((opc === 1 ? 1 : 0) << 4);
  if (l === 1) return put(out, i, Op.LDP, dz(rt), rn, dz(rt2), 1, imm, 0, c);
  return put(out, i, Op.STP, rt, rn, rt2, 1, imm, 0, c);
}

/**
 * Load/store exclusive and ordered: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. Armv8.0 only: the
 * Armv8.1 forms (CAS*, LDLAR, STLLR) are unallocated on a Cortex-A53. `c` = size | acquire/
 * release << 2 | pair << 3; Rs goes in the rm field (STXR status) and Rt2 in `a`.
 */
function decodeExclusive(out: Int32Array, i: number, b: number): number {
  const size = b >>> 30;
  const o2 = (b >>> 23) & 1;
  const l = (b >>> 22) & 1;
  const o1 = (b >>> 21) & 1;
  const o0 = (b >>> 15) & 1;
  const rs = (b >>> 16) & 31;
  const rt2 = (b >>> 10) & 31;
  const rn = sp((b >>> 5) & 31);
  const rt = b & 31;
  if (o2 === 1) {
    if (o1 === 1 || o0 === 0) return undef(out, i, b);
    if (l === 1) return put(out, i, Op.LDAR, dz(rt), rn, 0, size === 3 ? 1 : 0, 0, 0, size);
    return put(out, i, Op.STLR, rt, rn, 0, size === 3 ? 1 : 0, 0, 0, size);
  }
  if (o1 === 1 && size < 2) return undef(out, i, b); // pairs: 32- and 64-bit only
  const c = size | (o0 << 2) | (o1 << 3);
  const sf = size === 3 ? 1 : 0;
  if (l === 1) return put(out, i, Op.LDX, dz(rt), rn, 0, sf, o1 ? dz(rt2) : 0, 0, c);
  return put(out, i, Op.STX, rt, rn, dz(rs), sf, o1 ? rt2 : 0, 0, c);
}

// ------------------------------------------------------------------ data processing, register

function decodeDpReg(out: Int32Array, i: number, b: number): number {
  const sf = b >>> 31;
  const rd = b & 31;
  const rn = (b >>> 5) & 31;
  const rm = (b >>> 16) & 31;
  if (((b >>> 28) & 1) === 0) {
    const imm6 = (b >>> 10) & 63;
    const shift = (b >>> 22) & 3;
    if (((b >>> 24) & 1) === 0) {
      // logical (shifted register): sf opc 01010 shift N imm6 Rm Rn Rd
      if (sf === 0 && imm6 >= 32) return undef(out, i, b);
      const opc = (b >>> 29) & 3;
      const n = (b >>> 21) & 1;
      const dst = dz(rd);
      if (opc === 1 && n === 0 && rn === 31 && imm6 === 0) return put(out, i, Op.MOVR, dst, rm, 0, sf, 0, 0, 0); // MOV
      return put(out, i, Op.LOGIC_SH, dst, rn, rm, sf, 0, 0, shift | (imm6 << 2) | (opc << 8) | (n << 10));
    }
    const sub = (b >>> 30) & 1;
    const s = (b >>> 29) & 1;
    if (((b >>> 21) & 1) === 0) {
      // add/sub (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd
      if (shift === 3 || (sf === 0 && imm6 >= 32)) return undef(out, i, b);
      return put(out, i, Op.ADDSUB_SH, dz(rd), rn, rm, sf, 0, 0, shift | (imm6 << 2) | (sub << 8) | (s << 9));
    }
    // add/sub (extended register): sf op S 01011 opt 1 Rm option imm3 Rn Rd
    const imm3 = (b >>> 10) & 7;
    if (shift !== 0 || imm3 > 4) return undef(out, i, b);
    const dst = s ? dz(rd) : sp(rd);
    return put(out, i, Op.ADDSUB_EXT, dst, sp(rn), rm, sf, 0, 0, ((b >>> 13) & 7) | (imm3 << 3) | (sub << 8) | (s << 9));
  }
  const op2 = (b >>> 21) & 15;
  if (op2 === 0) {
    // add/sub with carry: sf op S 11010000 Rm 000000 Rn Rd
    if (((b >>> 10) & 63) !== 0) return undef(out, i, b);
    return put(out, i, Op.ADC, dz(rd), rn, rm, sf, 0, 0, ((b >>> 30) & 1) | (((b >>> 29) & 1) << 1));
  }
  if (op2 === 2) {
    // conditional compare: sf op S 11010010 Rm|imm5 cond imm o2 Rn o3 nzcv
    if (((b >>> 29) & 1) === 0 || ((b >>> 10) & 1) !== 0 || ((b >>> 4) & 1) !== 0) return undef(out, i, b);
    const imm = (b >>> 11) & 1;
    return put(out, i, Op.CCMP, 0, rn, rm, sf, rm, 0, ((b >>> 12) & 15) | ((b & 15) << 4) | (((b >>> 30) & 1) << 8) | (imm << 9));
  }
  if (op2 === 4) {
    // conditional select: sf op S 11010100 Rm cond op2 Rn Rd
    if (((b >>> 29) & 1) !== 0 || ((b >>> 11) & 1) !== 0) return undef(out, i, b);
    const kind = (((b >>> 30) & 1) << 1) | ((b >>> 10) & 1);
    return put(out, i, Op.CSEL, dz(rd), rn, rm, sf, 0, 0, ((b >>> 12) & 15) | (kind << 4));
  }
  if (op2 === 6) {
    if (((b >>> 29) & 1) !== 0) return undef(out, i, b);
    const opcode = (b >>> 10) & 63;
    if (((b >>> 30) & 1) === 0) {
      // 2-source: UDIV 2, SDIV 3, LSLV 8, LSRV 9, ASRV 10, RORV 11, CRC32B/H/W/X 16-19, CRC32CB/CH/CW/CX 20-23
      // (the Cortex-A53 has the CRC32 extension; the X forms need sf = 1, the others sf = 0)
      if (opcode === 2 || opcode === 3 || (opcode >= 8 && opcode <= 11)) return put(out, i, Op.DP2, dz(rd), rn, rm, sf, 0, 0, opcode);
      if (opcode >= 16 && opcode <= 23 && sf === ((opcode & 3) === 3 ? 1 : 0)) return put(out, i, Op.DP2, dz(rd), rn, rm, 0, 0, 0, opcode);
      return undef(out, i, b);
    }
    // 1-source: RBIT 0, REV16 1, REV32 2 (REV for sf = 0), REV 3 (sf = 1 only), CLZ 4, CLS 5
    if (rm !== 0 || opcode > 5 || (opcode === 3 && sf === 0)) return undef(out, i, b);
    return put(out, i, Op.DP1, dz(rd), rn, 0, sf, 0, 0, opcode);
  }
  if ((op2 & 8) !== 0) {
    // 3-source: sf op54 11011 op31 Rm o0 Ra Rn Rd
    if (((b >>> 29) & 3) !== 0) return undef(out, i, b);
    const kind = (((b >>> 21) & 7) << 1) | ((b >>> 15) & 1);
    const ra = (b >>> 10) & 31;
    // MADD 0, MSUB 1 (both sizes); SMADDL 2, SMSUBL 3, SMULH 4, UMADDL 10, UMSUBL 11, UMULH 12 (64-bit)
    const ok = kind <= 1 || (sf === 1 && (kind === 2 || kind === 3 || kind === 4 || kind === 10 || kind === 11 || kind === 12));
    if (!ok) return undef(out, i, b);
    return put(out, i, Op.DP3, dz(rd), rn, rm, sf, ra, 0, kind);
  }
  return undef(out, i, b);
}
