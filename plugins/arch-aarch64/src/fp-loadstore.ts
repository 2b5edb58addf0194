/**
 * SIMD&FP loads and stores (Arm ARM C4.1.88 with V = 1, C3.3 AdvSIMD structures): LDR/STR of
 * B/H/S/D/Q (immediate in every mode, register offset, literal), LDP/STP/LDNP/STNP of S/D/Q,
 * LD1-LD4/ST1-ST4 (multiple structures and single lanes, with post-index) and LD1R-LD4R. Every
 * access goes through memory.ts (loadSlow/storeSlow), so translation and faults are the integer
 * ones; a 16-byte access is two 8-byte ones, low address first. Registers are written only after
 * every access of the instruction succeeded (except the structure forms, whose registers are
 * UNKNOWN after a fault in the Arm ARM; here they keep the elements already loaded).
 */
import type { A64Cpu } from './cpu.js';
import { REG_SP } from './execute.js';
import { loadSlow, MV, storeSlow } from './memory.js';

const TWO32 = 4294967296;
/** Up to 16 loaded bytes as words, before they are written to the register. */
const BUF = new Int32Array(8);
/** A computed address (lo, hi). */
const AD = new Int32Array(2);

function addAddr(bl: number, bh: number, ol: number, oh: number): void {
  const s = (bl >>> 0) + (ol >>> 0);
  AD[0] = s | 0;
  AD[1] = (bh + oh + (s >= TWO32 ? 1 : 0)) | 0;
}

/** Loads 2^size bytes (size 0-4) at (vl, vh) into BUF[k..]; false on a fault. */
function loadBytes(cpu: A64Cpu, vl: number, vh: number, size: number, k: number, pcLo: number, pcHi: number): boolean {
  if (size < 4) {
    loadSlow(cpu, vl, vh, size, pcLo, pcHi);
    if (cpu.exc) return false;
    BUF[k] = MV[0];
    BUF[k + 1] = MV[1];
    return true;
  }
  loadSlow(cpu, vl, vh, 3, pcLo, pcHi);
  if (cpu.exc) return false;
  BUF[k] = MV[0];
  BUF[k + 1] = MV[1];
  const s = (vl >>> 0) + 8;
  loadSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, 3, pcLo, pcHi);
  if (cpu.exc) return false;
  BUF[k + 2] = MV[0];
  BUF[k + 3] = MV[1];
  return true;
}

/** Stores the low 2^size bytes of Vt (size 0-4) at (vl, vh); false on a fault. */
function storeReg(cpu: A64Cpu, t: number, vl: number, vh: number, size: number, pcLo: number, pcHi: number): boolean {
  const v = cpu.fp.v;
  const w = 4 * t;
  storeSlow(cpu, vl, vh, size < 4 ? size : 3, v[w], v[w + 1], pcLo, pcHi);
  if (cpu.exc) return false;
  if (size < 4) return true;
  const s = (vl >>> 0) + 8;
  storeSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, 3, v[w + 2], v[w + 3], pcLo, pcHi);
  return !cpu.exc;
}

/** Writes 2^size bytes from BUF[k..] to Vt, zeroing the rest of the register (a scalar write). */
function writeReg(cpu: A64Cpu, t: number, size: number, k: number): void {
  const v = cpu.fp.v;
  const w = 4 * t;
  const lo = BUF[k];
  v[w] = size === 0 ? lo & 0xff : size === 1 ? lo & 0xffff : lo;
  v[w + 1] = size >= 3 ? BUF[k + 1] : 0;
  v[w + 2] = size === 4 ? BUF[k + 2] : 0;
  v[w + 3] = size === 4 ? BUF[k + 3] : 0;
}

function baseReg(rn: number): number {
  return rn === 31 ? REG_SP : rn;
}

/** LDR (literal) S/D/Q: opc 011 1 00 imm19 Rt. */
export function fpLoadLiteral(cpu: A64Cpu, b: number, pcLo: number, pcHi: number): void {
  const size = (b >>> 30) + 2;
  const off = ((b << 8) >> 13) << 2;
  addAddr(pcLo, pcHi, off, off >> 31);
  if (!loadBytes(cpu, AD[0], AD[1], size, 0, pcLo, pcHi)) return;
  writeReg(cpu, b & 31, size, 0);
}

/**
 * LDR/STR (immediate, unscaled, pre/post-index, register offset) of B/H/S/D/Q:
 * size 111 1 op opc ...; Q is size 00 with opc<1> = 1.
 */
export function fpLoadStoreReg(cpu: A64Cpu, b: number, pcLo: number, pcHi: number): void {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const opc = (b >>> 22) & 3;
  const size = ((opc & 2) << 1) | (b >>> 30);
  const load = (opc & 1) !== 0;
  const rn = baseReg((b >>> 5) & 31);
  const t = b & 31;
  let ol: number;
  let oh: number;
  let mode = 0; // 0 offset, 1 pre, 2 post
  if (((b >>> 24) & 1) !== 0) {
    ol = ((b >>> 10) & 0xfff) << size;
    oh = 0;
  } else if (((b >>> 21) & 1) === 0) {
    ol = (b << 11) >> 23;
    oh = ol >> 31;
    const kind = (b >>> 10) & 3;
    mode = kind === 1 ? 2 : kind === 3 ? 1 : 0;
  } else {
    // register offset: option (UXTW 010, LSL 011, SXTW 110, SXTX 111), S scales by the size
    const rm = (b >>> 16) & 31;
    const option = (b >>> 13) & 7;
    const shift = ((b >>> 12) & 1) !== 0 ? size : 0;
    let l = xl[rm];
    let h = option === 2 ? 0 : option === 6 ? l >> 31 : xh[rm];
    if (shift !== 0) {
      h = (h << shift) | (l >>> (32 - shift));
      l <<= shift;
    }
    ol = l;
    oh = h;
  }
  const bl = xl[rn];
  const bh = xh[rn];
  addAddr(bl, bh, ol, oh);
  const nl = AD[0];
  const nh = AD[1];
  const vl = mode === 2 ? bl : nl;
  const vh = mode === 2 ? bh : nh;
  if (load) {
    if (!loadBytes(cpu, vl, vh, size, 0, pcLo, pcHi)) return;
    writeReg(cpu, t, size, 0);
  } else if (!storeReg(cpu, t, vl, vh, size, pcLo, pcHi)) return;
  if (mode !== 0) {
    xl[rn] = nl;
    xh[rn] = nh;
  }
}

/** LDP/STP/LDNP/STNP of S/D/Q: opc 101 1 type L imm7 Rt2 Rn Rt. */
export function fpLoadStorePair(cpu: A64Cpu, b: number, pcLo: number, pcHi: number): void {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const size = (b >>> 30) + 2;
  const type = (b >>> 23) & 3; // 00 no-allocate, 01 post, 10 offset, 11 pre
  const load = ((b >>> 22) & 1) !== 0;
  const off = ((b << 10) >> 25) << size;
  const rn = baseReg((b >>> 5) & 31);
  const t = b & 31;
  const t2 = (b >>> 10) & 31;
  const bl = xl[rn];
  const bh = xh[rn];
  addAddr(bl, bh, off, off >> 31);
  const nl = AD[0];
  const nh = AD[1];
  const vl = type === 1 ? bl : nl;
  const vh = type === 1 ? bh : nh;
  addAddr(vl, vh, 1 << size, 0);
  const v2l = AD[0];
  const v2h = AD[1];
  if (load) {
    if (!loadBytes(cpu, vl, vh, size, 0, pcLo, pcHi)) return;
    if (!loadBytes(cpu, v2l, v2h, size, 4, pcLo, pcHi)) return;
    writeReg(cpu, t, size, 0);
    writeReg(cpu, t2, size, 4);
  } else {
    if (!storeReg(cpu, t, vl, vh, size, pcLo, pcHi)) return;
    if (!storeReg(cpu, t2, v2l, v2h, size, pcLo, pcHi)) return;
  }
  if (type === 1 || type === 3) {
    xl[rn] = nl;
    xh[rn] = nh;
  }
}

/** Element e of size 2^size bytes of Vt <- / -> memory, through the byte view. */
function loadElement(cpu: A64Cpu, t: number, e: number, size: number, vl: number, vh: number, pcLo: number, pcHi: number): boolean {
  loadSlow(cpu, vl, vh, size, pcLo, pcHi);
  if (cpu.exc) return false;
  const fp = cpu.fp;
  const byte = 16 * t + (e << size);
  if (size === 0) fp.u8[byte] = MV[0];
  else if (size === 1) fp.u16[byte >>> 1] = MV[0];
  else {
    fp.v[byte >>> 2] = MV[0];
    if (size === 3) fp.v[(byte >>> 2) + 1] = MV[1];
  }
  return true;
}

function storeElement(cpu: A64Cpu, t: number, e: number, size: number, vl: number, vh: number, pcLo: number, pcHi: number): boolean {
  const fp = cpu.fp;
  const byte = 16 * t + (e << size);
  const lo = size === 0 ? fp.u8[byte] : size === 1 ? fp.u16[byte >>> 1] : fp.v[byte >>> 2];
  const hi = size === 3 ? fp.v[(byte >>> 2) + 1] : 0;
  storeSlow(cpu, vl, vh, size, lo, hi, pcLo, pcHi);
  return !cpu.exc;
}

/** Post-index write-back of the structure forms: Rm = 31 means the immediate (the bytes moved). */
function structWriteback(cpu: A64Cpu, b: number, rn: number, bytes: number): void {
  if (((b >>> 23) & 1) === 0) return;
  const rm = (b >>> 16) & 31;
  const xl = cpu.xl;
  const xh = cpu.xh;
  if (rm === 31) addAddr(xl[rn], xh[rn], bytes, 0);
  else addAddr(xl[rn], xh[rn], xl[rm], xh[rm]);
  xl[rn] = AD[0];
  xh[rn] = AD[1];
}

/** rpt and selem of LD1-4/ST1-4 (multiple structures) by opcode (bits 15:12); 0 = unallocated. */
export const MULTI_RPT = [1, 0, 4, 0, 1, 0, 3, 1, 1, 0, 2, 0, 0, 0, 0, 0];
export const MULTI_SELEM = [4, 0, 1, 0, 3, 0, 1, 1, 2, 0, 1, 0, 0, 0, 0, 0];

/** LD1-LD4/ST1-ST4 (multiple structures): 0 Q 001100 P L 0 Rm opcode size Rn Rt. */
export function simdLoadStoreMultiple(cpu: A64Cpu, b: number, pcLo: number, pcHi: number): void {
  const q = (b >>> 30) & 1;
  const load = ((b >>> 22) & 1) !== 0;
  const opcode = (b >>> 12) & 15;
  const size = (b >>> 10) & 3;
  const rn = baseReg((b >>> 5) & 31);
  const t = b & 31;
  const rpt = MULTI_RPT[opcode];
  const selem = MULTI_SELEM[opcode];
  const elements = (8 << q) >>> size;
  const bl = cpu.xl[rn];
  const bh = cpu.xh[rn];
  let off = 0;
  if (selem === 1) {
    // LD1/ST1: memory order is lane order, so whole registers move as 8-byte pieces
    const bytes = 8 << q;
    for (let r = 0; r < rpt; r++) {
      const reg = (t + r) & 31;
      addAddr(bl, bh, off, 0);
      if (load) {
        if (!loadBytes(cpu, AD[0], AD[1], q ? 4 : 3, 0, pcLo, pcHi)) return;
        writeReg(cpu, reg, q ? 4 : 3, 0);
      } else if (!storeReg(cpu, reg, AD[0], AD[1], q ? 4 : 3, pcLo, pcHi)) return;
      off += bytes;
    }
    structWriteback(cpu, b, rn, off);
    return;
  }
  for (let r = 0; r < rpt; r++) {
    for (let e = 0; e < elements; e++) {
      for (let s = 0; s < selem; s++) {
        const reg = (t + r + s) & 31;
        addAddr(bl, bh, off, 0);
        const ok = load ? loadElement(cpu, reg, e, size, AD[0], AD[1], pcLo, pcHi) : storeElement(cpu, reg, e, size, AD[0], AD[1], pcLo, pcHi);
        if (!ok) return;
        off += 1 << size;
      }
    }
  }
  if (load && q === 0) {
    // a 64-bit form zeroes the upper halves of the registers it wrote
    const v = cpu.fp.v;
    for (let k = 0; k < rpt * selem; k++) {
      const reg = (t + k) & 31;
      v[4 * reg + 2] = v[4 * reg + 3] = 0;
    }
  }
  structWriteback(cpu, b, rn, off);
}

/**
 * LD1-LD4/ST1-ST4 (single structure) and LD1R-LD4R: 0 Q 001101 P L R Rm opcode S size Rn Rt.
 * The decoder has checked the size/S/Q combinations.
 */
export function simdLoadStoreSingle(cpu: A64Cpu, b: number, pcLo: number, pcHi: number): void {
  const q = (b >>> 30) & 1;
  const load = ((b >>> 22) & 1) !== 0;
  const r = (b >>> 21) & 1;
  const opcode = (b >>> 13) & 7;
  const s = (b >>> 12) & 1;
  const sizeField = (b >>> 10) & 3;
  const rn = baseReg((b >>> 5) & 31);
  const t = b & 31;
  const selem = (((opcode & 1) << 1) | r) + 1;
  let scale = opcode >>> 1;
  let index = 0;
  const replicate = scale === 3;
  if (replicate) scale = sizeField;
  else if (scale === 0) index = (q << 3) | (s << 2) | sizeField;
  else if (scale === 1) index = (q << 2) | (s << 1) | (sizeField >>> 1);
  else if ((sizeField & 1) === 0) index = (q << 1) | s;
  else {
    scale = 3;
    index = q;
  }
  const bl = cpu.xl[rn];
  const bh = cpu.xh[rn];
  const ebytes = 1 << scale;
  const fp = cpu.fp;
  for (let k = 0; k < selem; k++) {
    const reg = (t + k) & 31;
    addAddr(bl, bh, k * ebytes, 0);
    if (replicate) {
      loadSlow(cpu, AD[0], AD[1], scale, pcLo, pcHi);
      if (cpu.exc) return;
      const w = 4 * reg;
      let lo = MV[0];
      if (scale === 0) lo = (lo & 0xff) * 0x01010101;
      else if (scale === 1) lo = (lo & 0xffff) * 0x10001;
      const hi = scale === 3 ? MV[1] : lo;
      fp.v[w] = fp.v[w + 2] = lo;
      fp.v[w + 1] = fp.v[w + 3] = hi;
      if (q === 0) fp.v[w + 2] = fp.v[w + 3] = 0;
    } else if (load) {
      if (!loadElement(cpu, reg, index, scale, AD[0], AD[1], pcLo, pcHi)) return;
    } else if (!storeElement(cpu, reg, index, scale, AD[0], AD[1], pcLo, pcHi)) return;
  }
  structWriteback(cpu, b, rn, selem * ebytes);
}
