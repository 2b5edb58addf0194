/**
 * The less frequent data-processing instructions, one call away from the interpreter's switch:
 * bitfield moves, EXTR, ADC/SBC, CCMP/CCMN, the 1-, 2- and 3-source groups. Each writes the
 * destination (xl/xh, index from the decoded slot) and, where the instruction says so, the flags.
 */
import type { A64Cpu } from './cpu.js';
import { addWithCarry, conditionHolds } from './alu.js';
import { Op } from './execute.js';
import {
  add64,
  asr64,
  clz64,
  lsl64,
  lsr64,
  mul64,
  R,
  rbit32,
  rev16,
  rev32,
  ror32,
  ror64,
  sdiv64,
  smulh64,
  smull32,
  sub64,
  udiv64,
  umulh64,
  umull32,
} from './u64.js';

/** Executes one of the ops listed above; `info`, `a`, `b`, `c` are the decoded slot. */
export function executeDataProc(cpu: A64Cpu, info: number, a: number, b: number, c: number): void {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const rd = (info >>> 8) & 63;
  const rn = (info >>> 14) & 63;
  const rm = (info >>> 20) & 63;
  const sf = (info >>> 26) & 1;
  switch (info & 0xff) {
    case Op.BFM:
      bitfield(cpu, rd, rn, a, b, c, sf);
      return;
    case Op.EXTR: {
      const lsb = a;
      if (sf === 0) {
        R[0] = lsb === 0 ? xl[rm] : (xl[rm] >>> lsb) | (xl[rn] << (32 - lsb));
        R[1] = 0;
      } else if (lsb === 0) {
        R[0] = xl[rm];
        R[1] = xh[rm];
      } else {
        lsr64(xl[rm], xh[rm], lsb);
        const l = R[0];
        const h = R[1];
        lsl64(xl[rn], xh[rn], 64 - lsb);
        R[0] |= l;
        R[1] |= h;
      }
      break;
    }
    case Op.ADC: {
      // c: sub | setflags << 1; SBC adds NOT(Rm)
      const sub = c & 1;
      const carry = (cpu.nzcv >>> 29) & 1;
      const flags = addWithCarry(xl[rn], xh[rn], sub ? ~xl[rm] : xl[rm], sub ? ~xh[rm] : xh[rm], carry, sf);
      if (c & 2) cpu.nzcv = flags;
      break;
    }
    case Op.CCMP: {
      // c: cond | nzcv << 4 | ccmp << 8 | immediate << 9
      if (conditionHolds(c & 15, cpu.nzcv)) {
        const ml = c & 0x200 ? a : xl[rm];
        const mh = c & 0x200 ? 0 : xh[rm];
        const sub = (c >>> 8) & 1;
        cpu.nzcv = addWithCarry(xl[rn], xh[rn], sub ? ~ml : ml, sub ? ~mh : mh, sub, sf);
      } else cpu.nzcv = ((c >>> 4) & 15) << 28;
      return;
    }
    case Op.DP1:
      dataProc1(xl[rn], sf ? xh[rn] : 0, c, sf);
      break;
    case Op.DP2:
      dataProc2(xl[rn], xh[rn], xl[rm], xh[rm], c, sf);
      break;
    case Op.DP3:
      dataProc3(xl[rn], xh[rn], xl[rm], xh[rm], xl[a], xh[a], c, sf);
      break;
    default:
      throw new Error(`aarch64: op ${info & 0xff} is not a data-processing op`);
  }
  xl[rd] = R[0];
  xh[rd] = sf ? R[1] : 0;
}

function mask64(width: number): void {
  R[0] = width >= 32 ? -1 : (1 << width) - 1;
  R[1] = width >= 64 ? -1 : width > 32 ? (1 << (width - 32)) - 1 : 0;
}

/**
 * SBFM (opc 0), BFM (1), UBFM (2) with immr = a, imms = b (C6.2.30 etc.). Equivalent to the
 * DecodeBitMasks(immediate = FALSE) formulation: when imms >= immr, bits imms:immr of the source
 * go to the bottom of the result; otherwise bits imms:0 go to bit datasize - immr. SBFM fills the
 * bits above the field with its top bit, UBFM with zeros, BFM keeps the destination's bits.
 */
function bitfield(cpu: A64Cpu, rd: number, rn: number, immr: number, imms: number, opc: number, sf: number): void {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const datasize = sf ? 64 : 32;
  const srcLo = xl[rn];
  const srcHi = sf ? xh[rn] : 0;
  let width: number;
  let pos: number;
  if (imms >= immr) {
    width = imms - immr + 1;
    pos = 0;
    lsr64(srcLo, srcHi, immr);
  } else {
    width = imms + 1;
    pos = datasize - immr;
    R[0] = srcLo;
    R[1] = srcHi;
  }
  let fl = R[0];
  let fh = R[1];
  mask64(width);
  fl &= R[0];
  fh &= R[1];
  lsl64(fl, fh, pos);
  fl = R[0];
  fh = R[1];
  const top = pos + width; // bits [top-1:pos] hold the field
  if (opc === 1) {
    // BFM: keep the destination outside the field
    mask64(width);
    lsl64(R[0], R[1], pos);
    fl |= xl[rd] & ~R[0];
    fh |= (sf ? xh[rd] : 0) & ~R[1];
  } else if (opc === 0 && top < 64) {
    const signSet = top - 1 >= 32 ? (fh >>> (top - 33)) & 1 : (fl >>> (top - 1)) & 1;
    if (signSet) {
      mask64(top);
      fl |= ~R[0];
      fh |= ~R[1];
    }
  }
  xl[rd] = fl;
  xh[rd] = sf ? fh : 0;
}

/** RBIT 0, REV16 1, REV32 2 (REV for 32 bits), REV 3, CLZ 4, CLS 5 into R. */
export function dataProc1(lo: number, hi: number, opcode: number, sf: number): void {
  switch (opcode) {
    case 0:
      R[0] = sf ? rbit32(hi) : rbit32(lo);
      R[1] = sf ? rbit32(lo) : 0;
      return;
    case 1:
      R[0] = rev16(lo);
      R[1] = rev16(hi);
      return;
    case 2:
      R[0] = rev32(lo);
      R[1] = rev32(hi);
      return;
    case 3:
      R[0] = rev32(hi);
      R[1] = rev32(lo);
      return;
    case 4:
      R[0] = sf ? clz64(lo, hi) : Math.clz32(lo);
      R[1] = 0;
      return;
    default: {
      // CLS: leading bits equal to the sign bit, not counting it: CLZ(x EOR (x ASR 1)) - 1
      if (sf) {
        asr64(lo, hi, 1);
        R[0] = clz64(lo ^ R[0], hi ^ R[1]) - 1;
      } else R[0] = Math.clz32(lo ^ (lo >> 1)) - 1;
      R[1] = 0;
    }
  }
}

/** Byte-at-a-time tables of the reflected CRC-32 (0x04C11DB7) and CRC-32C (0x1EDC6F41) polynomials. */
const CRC_TABLES = [makeCrcTable(0xedb88320), makeCrcTable(0x82f63b78)];

function makeCrcTable(reflectedPoly: number): Int32Array {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t[i] = c;
  }
  return t;
}

/**
 * CRC32* / CRC32C* (C6.2.61-68): the accumulator updated with 1, 2, 4 or 8 bytes of Rm, low byte
 * first, with no inversion before or after (software does those).
 */
function crc32(acc: number, ml: number, mh: number, opcode: number): number {
  const table = CRC_TABLES[(opcode >>> 2) & 1];
  const bytes = 1 << (opcode & 3);
  for (let i = 0; i < bytes; i++) {
    const byte = i < 4 ? (ml >>> (8 * i)) & 0xff : (mh >>> (8 * (i - 4))) & 0xff;
    acc = (acc >>> 8) ^ table[(acc ^ byte) & 0xff];
  }
  return acc;
}

/** UDIV 2, SDIV 3, LSLV 8, LSRV 9, ASRV 10, RORV 11, CRC32 16-23 into R. */
export function dataProc2(nl: number, nh: number, ml: number, mh: number, opcode: number, sf: number): void {
  if (opcode >= 16) {
    R[0] = crc32(nl, ml, mh, opcode);
    R[1] = 0;
    return;
  }
  if (sf === 0) {
    R[1] = 0;
    switch (opcode) {
      case 2:
        R[0] = ml === 0 ? 0 : Math.trunc((nl >>> 0) / (ml >>> 0));
        return;
      case 3:
        // INT32_MIN / -1 overflows to INT32_MIN; division by zero gives 0
        R[0] = ml === 0 ? 0 : Math.trunc(nl / ml) | 0;
        return;
      case 8:
        R[0] = nl << (ml & 31);
        return;
      case 9:
        R[0] = nl >>> (ml & 31);
        return;
      case 10:
        R[0] = nl >> (ml & 31);
        return;
      default:
        R[0] = ror32(nl, ml & 31);
        return;
    }
  }
  switch (opcode) {
    case 2:
      udiv64(nl, nh, ml, mh);
      return;
    case 3:
      sdiv64(nl, nh, ml, mh);
      return;
    case 8:
      lsl64(nl, nh, ml & 63);
      return;
    case 9:
      lsr64(nl, nh, ml & 63);
      return;
    case 10:
      asr64(nl, nh, ml & 63);
      return;
    default:
      ror64(nl, nh, ml & 63);
  }
}

/** MADD 0, MSUB 1, SMADDL 2, SMSUBL 3, SMULH 4, UMADDL 10, UMSUBL 11, UMULH 12 into R. */
export function dataProc3(nl: number, nh: number, ml: number, mh: number, al: number, ah: number, kind: number, sf: number): void {
  switch (kind) {
    case 0:
    case 1:
      if (sf === 0) {
        const p = Math.imul(nl, ml);
        R[0] = kind === 0 ? (al + p) | 0 : (al - p) | 0;
        R[1] = 0;
        return;
      }
      mul64(nl, nh, ml, mh);
      break;
    case 2:
    case 3:
      smull32(nl, ml);
      break;
    case 10:
    case 11:
      umull32(nl, ml);
      break;
    case 4:
      smulh64(nl, nh, ml, mh);
      return;
    default:
      umulh64(nl, nh, ml, mh);
      return;
  }
  if ((kind & 1) === 0) add64(al, ah, R[0], R[1]);
  else sub64(al, ah, R[0], R[1]);
}
