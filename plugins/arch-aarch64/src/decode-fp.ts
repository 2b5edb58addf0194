/**
 * Decoding of the SIMD&FP encodings (Arm ARM C4.1: loads/stores with V = 1, "Data Processing --
 * Scalar Floating-Point and Advanced SIMD"), called from one place in decode.ts. An allocated
 * encoding that this core implements becomes an Op.FP slot: `a` = the instruction bits, `c` = its
 * class (fp-execute.ts kinds); everything else is UNDEFINED. Armv8.0 with FP, AdvSIMD and the
 * Cryptographic Extension as QEMU's cortex-a53 (crypto.ts): no FP16 arithmetic, no RDM/dot product.
 */
import { Op, packInfo } from './execute.js';
import { K_LD_LIT, K_LD_MULT, K_LD_ONE, K_LD_PAIR, K_LD_REG } from './fp-execute.js';
import { MULTI_RPT } from './fp-loadstore.js';
import { FPS_CCMP, FPS_CMP, FPS_CONV_FIXED, FPS_CONV_INT, FPS_CSEL, FPS_DP1, FPS_DP2, FPS_DP3, FPS_IMM } from './fp-scalar.js';
import { decodeSimd } from './simd-decode.js';

function put(out: Int32Array, i: number, op: Op, bits: number, kind: number): number {
  const info = packInfo(op, 0, 0, 0, 0);
  out[i] = info;
  out[i + 1] = bits | 0;
  out[i + 2] = 0;
  out[i + 3] = kind;
  return info;
}

/** Decodes a SIMD&FP load/store (bit 26 set in the load/store space) or data-processing encoding. */
export function decodeFpSimd(out: Int32Array, i: number, b: number): number {
  const kind = ((b >>> 25) & 7) === 7 ? dataProcessing(b) : loadStore(b);
  return kind < 0 ? put(out, i, Op.UNDEF, b, 0) : put(out, i, Op.FP, b, kind);
}

// ------------------------------------------------------------------ loads and stores

function loadStore(b: number): number {
  if ((b & 0xbfbf0000) === 0x0c000000 || (b & 0xbfa00000) === 0x0c800000) {
    // LD1-4/ST1-4 (multiple structures), without or with post-index
    const opcode = (b >>> 12) & 15;
    if (MULTI_RPT[opcode] === 0) return -1;
    // LD2/LD3/LD4 of 64-bit elements need Q = 1 (size:Q = 110 is reserved)
    if ((opcode === 0 || opcode === 4 || opcode === 8) && ((b >>> 10) & 3) === 3 && ((b >>> 30) & 1) === 0) return -1;
    return K_LD_MULT;
  }
  if ((b & 0xbf9f0000) === 0x0d000000 || (b & 0xbf800000) === 0x0d800000) {
    // LD1-4/ST1-4 (single structure), LD1R-LD4R
    const opcode = (b >>> 13) & 7;
    const s = (b >>> 12) & 1;
    const size = (b >>> 10) & 3;
    const scale = opcode >>> 1;
    if (scale === 3) return ((b >>> 22) & 1) === 1 && s === 0 ? K_LD_ONE : -1;
    if (scale === 1 && (size & 1) !== 0) return -1;
    if (scale === 2 && !((size & 2) === 0 && (size === 0 || s === 0))) return -1;
    return K_LD_ONE;
  }
  const op3 = (b >>> 27) & 7;
  if (op3 === 3) {
    // LDR (literal) S, D, Q: opc 011 1 00 imm19 Rt
    if (((b >>> 24) & 3) !== 0 || b >>> 30 === 3) return -1;
    return K_LD_LIT;
  }
  if (op3 === 5) return b >>> 30 === 3 ? -1 : K_LD_PAIR; // LDP/STP/LDNP/STNP S, D, Q
  if (op3 !== 7) return -1;
  const size = b >>> 30;
  const opc = (b >>> 22) & 3;
  if ((opc & 2) !== 0 && size !== 0) return -1; // only Q (size 00) has opc 1x
  if (((b >>> 24) & 3) === 1) return K_LD_REG; // unsigned offset
  if (((b >>> 24) & 3) !== 0) return -1;
  if (((b >>> 21) & 1) === 0) return ((b >>> 10) & 3) === 2 ? -1 : K_LD_REG; // no unprivileged SIMD&FP form
  if (((b >>> 10) & 3) !== 2 || (((b >>> 13) & 7) & 2) === 0) return -1;
  return K_LD_REG;
}

// ------------------------------------------------------------------ data processing

function dataProcessing(b: number): number {
  // Scalar floating-point: op0 (31:28) = x0x1
  if (((b >>> 28) & 5) === 1) return scalarFp(b);
  return decodeSimd(b);
}

function scalarFp(b: number): number {
  const m = b >>> 31;
  const s = (b >>> 29) & 1;
  const type = (b >>> 22) & 3;
  if (((b >>> 24) & 1) === 1) {
    // data-processing (3 source): M 0 S 11111 type o1 Rm o0 Ra Rn Rd
    return m === 0 && s === 0 && type < 2 ? FPS_DP3 : -1;
  }
  if (s !== 0) return -1;
  if (((b >>> 21) & 1) === 0) {
    // conversion to/from fixed-point: sf 0 S 11110 type 0 rmode opcode scale Rn Rd
    const rmOp = (b >>> 16) & 31;
    if (type >= 2) return -1;
    if (b >>> 31 === 0 && ((b >>> 15) & 1) === 0) return -1; // 32-bit: scale >= 32
    return rmOp === 2 || rmOp === 3 || rmOp === 24 || rmOp === 25 ? FPS_CONV_FIXED : -1;
  }
  const low = (b >>> 10) & 63;
  if (low === 0) return convInt(b, type);
  if (m !== 0) return -1;
  if ((low & 31) === 16) {
    // data-processing (1 source): opcode in 20:15
    const opcode = (b >>> 15) & 63;
    if (type === 3) return opcode === 4 || opcode === 5 ? FPS_DP1 : -1; // FCVT from half only
    if (type === 2) return -1;
    if (opcode <= 3) return FPS_DP1;
    if (opcode === 4 || opcode === 5 || opcode === 7) return opcode - 4 !== type && !(opcode === 7 && type === 3) ? FPS_DP1 : -1;
    if (opcode >= 8 && opcode <= 15 && opcode !== 13) return FPS_DP1;
    return -1;
  }
  if (type >= 2) return -1; // no FP16 arithmetic
  if ((low & 15) === 8) {
    // compare: op (15:14) = 00, opcode2 = xx000
    return ((b >>> 14) & 3) === 0 && (b & 7) === 0 ? FPS_CMP : -1;
  }
  if ((low & 7) === 4) return ((b >>> 5) & 31) === 0 ? FPS_IMM : -1;
  if ((low & 3) === 1) return FPS_CCMP;
  if ((low & 3) === 2) return ((b >>> 12) & 15) <= 8 ? FPS_DP2 : -1;
  return (low & 3) === 3 ? FPS_CSEL : -1;
}

/** Conversions between FP and integers, FMOV to/from general registers. */
function convInt(b: number, type: number): number {
  const sf = b >>> 31;
  const rmode = (b >>> 19) & 3;
  const opcode = (b >>> 16) & 7;
  if (opcode >= 6) {
    // FMOV: W<->S, X<->D, X<->V.D[1]
    if (type === 0 && rmode === 0 && sf === 0) return FPS_CONV_INT;
    if (type === 1 && rmode === 0 && sf === 1) return FPS_CONV_INT;
    if (type === 2 && rmode === 1 && sf === 1) return FPS_CONV_INT;
    return -1;
  }
  if (type >= 2) return -1;
  if (opcode <= 1) return FPS_CONV_INT; // FCVT{N,P,M,Z}{S,U}
  return rmode === 0 ? FPS_CONV_INT : -1; // SCVTF, UCVTF, FCVTAS, FCVTAU
}
