/**
 * A tiny A64 encoder for tests (Arm ARM C4, C6): enough instructions to write unit-test
 * programs without a toolchain. Every function returns one 32-bit instruction word; `sf` = 1
 * is the 64-bit (X) form, 0 the 32-bit (W) form. Register 31 is SP or XZR as the instruction
 * says (`SP`, `XZR`). Branch offsets are in bytes from the branch itself.
 */

export const SP = 31;
export const XZR = 31;

export const COND: Record<string, number> = { eq: 0, ne: 1, cs: 2, hs: 2, cc: 3, lo: 3, mi: 4, pl: 5, vs: 6, vc: 7, hi: 8, ls: 9, ge: 10, lt: 11, gt: 12, le: 13, al: 14, nv: 15 };
const SHIFT: Record<string, number> = { lsl: 0, lsr: 1, asr: 2, ror: 3 };
export const EXTEND: Record<string, number> = { uxtb: 0, uxth: 1, uxtw: 2, uxtx: 3, sxtb: 4, sxth: 5, sxtw: 6, sxtx: 7, lsl: 3 };
type Shift = keyof typeof SHIFT | string;

const u = (v: number) => v >>> 0;
const r5 = (r: number) => {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new Error(`bad register ${r}`);
  return r;
};
function simm(v: number, bits: number, scale: number, what: string): number {
  if (v % scale !== 0) throw new Error(`${what}: offset ${v} is not a multiple of ${scale}`);
  const q = v / scale;
  if (q < -(2 ** (bits - 1)) || q >= 2 ** (bits - 1)) throw new Error(`${what}: offset ${v} out of range`);
  return q & ((1 << bits) - 1);
}

// ------------------------------------------------------------------ data processing, immediate

function addsubImm(sf: number, op: number, s: number, rd: number, rn: number, imm: number, sh: number): number {
  if (imm < 0 || imm > 0xfff) throw new Error(`add/sub immediate ${imm} out of range`);
  return u((sf << 31) | (op << 30) | (s << 29) | (0b100010 << 23) | (sh << 22) | (imm << 10) | (r5(rn) << 5) | r5(rd));
}
export const addi = (rd: number, rn: number, imm: number, sf = 1, sh = 0) => addsubImm(sf, 0, 0, rd, rn, imm, sh);
export const addsi = (rd: number, rn: number, imm: number, sf = 1, sh = 0) => addsubImm(sf, 0, 1, rd, rn, imm, sh);
export const subi = (rd: number, rn: number, imm: number, sf = 1, sh = 0) => addsubImm(sf, 1, 0, rd, rn, imm, sh);
export const subsi = (rd: number, rn: number, imm: number, sf = 1, sh = 0) => addsubImm(sf, 1, 1, rd, rn, imm, sh);
export const cmpi = (rn: number, imm: number, sf = 1) => subsi(XZR, rn, imm, sf);
export const cmni = (rn: number, imm: number, sf = 1) => addsi(XZR, rn, imm, sf);

/**
 * Encodes `value` as a logical (bitmask) immediate: returns N:immr:imms (13 bits), or throws when
 * the value has no encoding. Independent of the emulator's DecodeBitMasks: it builds every
 * candidate pattern and compares.
 */
export function bitmaskImm(value: bigint, sf = 1): number {
  const width = sf ? 64 : 32;
  const full = (1n << BigInt(width)) - 1n;
  value &= full;
  for (let esize = 2; esize <= width; esize *= 2) {
    const emask = (1n << BigInt(esize)) - 1n;
    for (let ones = 1; ones < esize; ones++) {
      for (let rot = 0; rot < esize; rot++) {
        const base = (1n << BigInt(ones)) - 1n;
        const elem = rot === 0 ? base : ((base >> BigInt(rot)) | (base << BigInt(esize - rot))) & emask;
        let pattern = 0n;
        for (let k = 0; k < width; k += esize) pattern |= elem << BigInt(k);
        if (pattern === value) {
          const n = esize === 64 ? 1 : 0;
          const imms = ((~(esize * 2 - 1) & 0x3f) | (ones - 1)) & 0x3f;
          return (n << 12) | (rot << 6) | imms;
        }
      }
    }
  }
  throw new Error(`0x${value.toString(16)} is not a bitmask immediate`);
}
function logImm(sf: number, opc: number, rd: number, rn: number, value: bigint | number): number {
  const enc = bitmaskImm(BigInt(value), sf);
  return u((sf << 31) | (opc << 29) | (0b100100 << 23) | (enc << 10) | (r5(rn) << 5) | r5(rd));
}
export const andi = (rd: number, rn: number, v: bigint | number, sf = 1) => logImm(sf, 0, rd, rn, v);
export const orri = (rd: number, rn: number, v: bigint | number, sf = 1) => logImm(sf, 1, rd, rn, v);
export const eori = (rd: number, rn: number, v: bigint | number, sf = 1) => logImm(sf, 2, rd, rn, v);
export const andsi = (rd: number, rn: number, v: bigint | number, sf = 1) => logImm(sf, 3, rd, rn, v);
export const tsti = (rn: number, v: bigint | number, sf = 1) => logImm(sf, 3, XZR, rn, v);

function movWide(sf: number, opc: number, rd: number, imm16: number, hw: number): number {
  return u((sf << 31) | (opc << 29) | (0b100101 << 23) | (hw << 21) | ((imm16 & 0xffff) << 5) | r5(rd));
}
export const movn = (rd: number, imm16: number, hw = 0, sf = 1) => movWide(sf, 0, rd, imm16, hw);
export const movz = (rd: number, imm16: number, hw = 0, sf = 1) => movWide(sf, 2, rd, imm16, hw);
export const movk = (rd: number, imm16: number, hw = 0, sf = 1) => movWide(sf, 3, rd, imm16, hw);

/** Loads any 64-bit constant with MOVZ + MOVK (always 4 instructions, so programs have fixed lengths). */
export function mov64(rd: number, value: bigint | number): number[] {
  const v = BigInt.asUintN(64, BigInt(value));
  return [0, 1, 2, 3].map((hw) => {
    const part = Number((v >> BigInt(16 * hw)) & 0xffffn);
    return hw === 0 ? movz(rd, part, 0) : movk(rd, part, hw);
  });
}

export function adr(rd: number, off: number): number {
  const imm = simm(off, 21, 1, 'adr');
  return u(((imm & 3) << 29) | (0b10000 << 24) | ((imm >> 2) << 5) | r5(rd));
}
export function adrp(rd: number, pages: number): number {
  const imm = simm(pages, 21, 1, 'adrp');
  return u((1 << 31) | ((imm & 3) << 29) | (0b10000 << 24) | ((imm >> 2) << 5) | r5(rd));
}

function bitfield(sf: number, opc: number, rd: number, rn: number, immr: number, imms: number): number {
  return u((sf << 31) | (opc << 29) | (0b100110 << 23) | (sf << 22) | (immr << 16) | (imms << 10) | (r5(rn) << 5) | r5(rd));
}
export const sbfm = (rd: number, rn: number, immr: number, imms: number, sf = 1) => bitfield(sf, 0, rd, rn, immr, imms);
export const bfm = (rd: number, rn: number, immr: number, imms: number, sf = 1) => bitfield(sf, 1, rd, rn, immr, imms);
export const ubfm = (rd: number, rn: number, immr: number, imms: number, sf = 1) => bitfield(sf, 2, rd, rn, immr, imms);
const dsize = (sf: number) => (sf ? 64 : 32);
export const lsli = (rd: number, rn: number, sh: number, sf = 1) => ubfm(rd, rn, (dsize(sf) - sh) % dsize(sf), dsize(sf) - 1 - sh, sf);
export const lsri = (rd: number, rn: number, sh: number, sf = 1) => ubfm(rd, rn, sh, dsize(sf) - 1, sf);
export const asri = (rd: number, rn: number, sh: number, sf = 1) => sbfm(rd, rn, sh, dsize(sf) - 1, sf);
export const ubfx = (rd: number, rn: number, lsb: number, width: number, sf = 1) => ubfm(rd, rn, lsb, lsb + width - 1, sf);
export const sbfx = (rd: number, rn: number, lsb: number, width: number, sf = 1) => sbfm(rd, rn, lsb, lsb + width - 1, sf);
export const ubfiz = (rd: number, rn: number, lsb: number, width: number, sf = 1) => ubfm(rd, rn, (dsize(sf) - lsb) % dsize(sf), width - 1, sf);
export const sbfiz = (rd: number, rn: number, lsb: number, width: number, sf = 1) => sbfm(rd, rn, (dsize(sf) - lsb) % dsize(sf), width - 1, sf);
export const bfi = (rd: number, rn: number, lsb: number, width: number, sf = 1) => bfm(rd, rn, (dsize(sf) - lsb) % dsize(sf), width - 1, sf);
export const bfxil = (rd: number, rn: number, lsb: number, width: number, sf = 1) => bfm(rd, rn, lsb, lsb + width - 1, sf);
export const sxtb = (rd: number, rn: number, sf = 1) => sbfm(rd, rn, 0, 7, sf);
export const sxth = (rd: number, rn: number, sf = 1) => sbfm(rd, rn, 0, 15, sf);
export const sxtw = (rd: number, rn: number) => sbfm(rd, rn, 0, 31, 1);
export const uxtb = (rd: number, rn: number) => ubfm(rd, rn, 0, 7, 0);
export const uxth = (rd: number, rn: number) => ubfm(rd, rn, 0, 15, 0);

export function extr(rd: number, rn: number, rm: number, lsb: number, sf = 1): number {
  return u((sf << 31) | (0b100111 << 23) | (sf << 22) | (r5(rm) << 16) | (lsb << 10) | (r5(rn) << 5) | r5(rd));
}
export const rori = (rd: number, rs: number, sh: number, sf = 1) => extr(rd, rs, rs, sh, sf);

// ------------------------------------------------------------------ data processing, register

function addsubShift(sf: number, op: number, s: number, rd: number, rn: number, rm: number, shift: Shift, amount: number): number {
  return u((sf << 31) | (op << 30) | (s << 29) | (0b01011 << 24) | (SHIFT[shift] << 22) | (r5(rm) << 16) | (amount << 10) | (r5(rn) << 5) | r5(rd));
}
export const add = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => addsubShift(sf, 0, 0, rd, rn, rm, shift, amount);
export const adds = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => addsubShift(sf, 0, 1, rd, rn, rm, shift, amount);
export const sub = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => addsubShift(sf, 1, 0, rd, rn, rm, shift, amount);
export const subs = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => addsubShift(sf, 1, 1, rd, rn, rm, shift, amount);
export const cmp = (rn: number, rm: number, sf = 1) => subs(XZR, rn, rm, 'lsl', 0, sf);
export const neg = (rd: number, rm: number, sf = 1) => sub(rd, XZR, rm, 'lsl', 0, sf);

function addsubExt(sf: number, op: number, s: number, rd: number, rn: number, rm: number, ext: string, amount: number): number {
  return u((sf << 31) | (op << 30) | (s << 29) | (0b01011 << 24) | (1 << 21) | (r5(rm) << 16) | (EXTEND[ext] << 13) | (amount << 10) | (r5(rn) << 5) | r5(rd));
}
export const addx = (rd: number, rn: number, rm: number, ext: string, amount = 0, sf = 1) => addsubExt(sf, 0, 0, rd, rn, rm, ext, amount);
export const addsx = (rd: number, rn: number, rm: number, ext: string, amount = 0, sf = 1) => addsubExt(sf, 0, 1, rd, rn, rm, ext, amount);
export const subx = (rd: number, rn: number, rm: number, ext: string, amount = 0, sf = 1) => addsubExt(sf, 1, 0, rd, rn, rm, ext, amount);
export const subsx = (rd: number, rn: number, rm: number, ext: string, amount = 0, sf = 1) => addsubExt(sf, 1, 1, rd, rn, rm, ext, amount);

function logShift(sf: number, opc: number, n: number, rd: number, rn: number, rm: number, shift: Shift, amount: number): number {
  return u((sf << 31) | (opc << 29) | (0b01010 << 24) | (SHIFT[shift] << 22) | (n << 21) | (r5(rm) << 16) | (amount << 10) | (r5(rn) << 5) | r5(rd));
}
export const and = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 0, 0, rd, rn, rm, shift, amount);
export const bic = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 0, 1, rd, rn, rm, shift, amount);
export const orr = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 1, 0, rd, rn, rm, shift, amount);
export const orn = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 1, 1, rd, rn, rm, shift, amount);
export const eor = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 2, 0, rd, rn, rm, shift, amount);
export const eon = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 2, 1, rd, rn, rm, shift, amount);
export const ands = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 3, 0, rd, rn, rm, shift, amount);
export const bics = (rd: number, rn: number, rm: number, shift: Shift = 'lsl', amount = 0, sf = 1) => logShift(sf, 3, 1, rd, rn, rm, shift, amount);
export const mov = (rd: number, rm: number, sf = 1) => orr(rd, XZR, rm, 'lsl', 0, sf);
export const mvn = (rd: number, rm: number, sf = 1) => orn(rd, XZR, rm, 'lsl', 0, sf);
/** MOV to/from SP (ADD #0). */
export const movsp = (rd: number, rn: number) => addi(rd, rn, 0);

function adcFamily(sf: number, op: number, s: number, rd: number, rn: number, rm: number): number {
  return u((sf << 31) | (op << 30) | (s << 29) | (0b11010000 << 21) | (r5(rm) << 16) | (r5(rn) << 5) | r5(rd));
}
export const adc = (rd: number, rn: number, rm: number, sf = 1) => adcFamily(sf, 0, 0, rd, rn, rm);
export const adcs = (rd: number, rn: number, rm: number, sf = 1) => adcFamily(sf, 0, 1, rd, rn, rm);
export const sbc = (rd: number, rn: number, rm: number, sf = 1) => adcFamily(sf, 1, 0, rd, rn, rm);
export const sbcs = (rd: number, rn: number, rm: number, sf = 1) => adcFamily(sf, 1, 1, rd, rn, rm);

function condCompare(sf: number, op: number, rn: number, rmOrImm: number, imm: boolean, nzcv: number, cond: string): number {
  return u((sf << 31) | (op << 30) | (1 << 29) | (0b11010010 << 21) | (rmOrImm << 16) | (COND[cond] << 12) | ((imm ? 1 : 0) << 11) | (r5(rn) << 5) | nzcv);
}
export const ccmp = (rn: number, rm: number, nzcv: number, cond: string, sf = 1) => condCompare(sf, 1, rn, rm, false, nzcv, cond);
export const ccmpi = (rn: number, imm5: number, nzcv: number, cond: string, sf = 1) => condCompare(sf, 1, rn, imm5, true, nzcv, cond);
export const ccmn = (rn: number, rm: number, nzcv: number, cond: string, sf = 1) => condCompare(sf, 0, rn, rm, false, nzcv, cond);
export const ccmni = (rn: number, imm5: number, nzcv: number, cond: string, sf = 1) => condCompare(sf, 0, rn, imm5, true, nzcv, cond);

function condSelect(sf: number, op: number, op2: number, rd: number, rn: number, rm: number, cond: string): number {
  return u((sf << 31) | (op << 30) | (0b11010100 << 21) | (r5(rm) << 16) | (COND[cond] << 12) | (op2 << 10) | (r5(rn) << 5) | r5(rd));
}
export const csel = (rd: number, rn: number, rm: number, cond: string, sf = 1) => condSelect(sf, 0, 0, rd, rn, rm, cond);
export const csinc = (rd: number, rn: number, rm: number, cond: string, sf = 1) => condSelect(sf, 0, 1, rd, rn, rm, cond);
export const csinv = (rd: number, rn: number, rm: number, cond: string, sf = 1) => condSelect(sf, 1, 0, rd, rn, rm, cond);
export const csneg = (rd: number, rn: number, rm: number, cond: string, sf = 1) => condSelect(sf, 1, 1, rd, rn, rm, cond);
const invert = (cond: string) => Object.keys(COND).find((k) => COND[k] === (COND[cond] ^ 1))!;
export const cset = (rd: number, cond: string, sf = 1) => csinc(rd, XZR, XZR, invert(cond), sf);
export const csetm = (rd: number, cond: string, sf = 1) => csinv(rd, XZR, XZR, invert(cond), sf);

function dp1(sf: number, opcode: number, rd: number, rn: number): number {
  return u((sf << 31) | (1 << 30) | (0b11010110 << 21) | (opcode << 10) | (r5(rn) << 5) | r5(rd));
}
export const rbit = (rd: number, rn: number, sf = 1) => dp1(sf, 0, rd, rn);
export const rev16 = (rd: number, rn: number, sf = 1) => dp1(sf, 1, rd, rn);
export const rev32 = (rd: number, rn: number) => dp1(1, 2, rd, rn);
export const rev = (rd: number, rn: number, sf = 1) => dp1(sf, sf ? 3 : 2, rd, rn);
export const clz = (rd: number, rn: number, sf = 1) => dp1(sf, 4, rd, rn);
export const cls = (rd: number, rn: number, sf = 1) => dp1(sf, 5, rd, rn);

function dp2(sf: number, opcode: number, rd: number, rn: number, rm: number): number {
  return u((sf << 31) | (0b11010110 << 21) | (r5(rm) << 16) | (opcode << 10) | (r5(rn) << 5) | r5(rd));
}
export const udiv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 2, rd, rn, rm);
export const sdiv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 3, rd, rn, rm);
export const lslv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 8, rd, rn, rm);
export const lsrv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 9, rd, rn, rm);
export const asrv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 10, rd, rn, rm);
export const rorv = (rd: number, rn: number, rm: number, sf = 1) => dp2(sf, 11, rd, rn, rm);
/** CRC32B/H/W/X (size 0-3) and, with c = true, CRC32CB/CH/CW/CX: Wd, Wn, Wm (Xm for size 3). */
export const crc32 = (size: number, rd: number, rn: number, rm: number, c = false) => dp2(size === 3 ? 1 : 0, 16 | ((c ? 1 : 0) << 2) | size, rd, rn, rm);

function dp3(sf: number, op31: number, o0: number, rd: number, rn: number, rm: number, ra: number): number {
  return u((sf << 31) | (0b11011 << 24) | (op31 << 21) | (r5(rm) << 16) | (o0 << 15) | (r5(ra) << 10) | (r5(rn) << 5) | r5(rd));
}
export const madd = (rd: number, rn: number, rm: number, ra: number, sf = 1) => dp3(sf, 0, 0, rd, rn, rm, ra);
export const msub = (rd: number, rn: number, rm: number, ra: number, sf = 1) => dp3(sf, 0, 1, rd, rn, rm, ra);
export const mul = (rd: number, rn: number, rm: number, sf = 1) => madd(rd, rn, rm, XZR, sf);
export const smaddl = (rd: number, rn: number, rm: number, ra: number) => dp3(1, 1, 0, rd, rn, rm, ra);
export const smsubl = (rd: number, rn: number, rm: number, ra: number) => dp3(1, 1, 1, rd, rn, rm, ra);
export const smulh = (rd: number, rn: number, rm: number) => dp3(1, 2, 0, rd, rn, rm, XZR);
export const umaddl = (rd: number, rn: number, rm: number, ra: number) => dp3(1, 5, 0, rd, rn, rm, ra);
export const umsubl = (rd: number, rn: number, rm: number, ra: number) => dp3(1, 5, 1, rd, rn, rm, ra);
export const umulh = (rd: number, rn: number, rm: number) => dp3(1, 6, 0, rd, rn, rm, XZR);

// ------------------------------------------------------------------ branches

export const b = (off: number) => u((0b000101 << 26) | simm(off, 26, 4, 'b'));
export const bl = (off: number) => u((0b100101 << 26) | simm(off, 26, 4, 'bl'));
export const bcond = (cond: string, off: number) => u((0b01010100 << 24) | (simm(off, 19, 4, 'b.cond') << 5) | COND[cond]);
export const cbz = (rt: number, off: number, sf = 1) => u((sf << 31) | (0b011010 << 25) | (simm(off, 19, 4, 'cbz') << 5) | r5(rt));
export const cbnz = (rt: number, off: number, sf = 1) => u((sf << 31) | (0b011010 << 25) | (1 << 24) | (simm(off, 19, 4, 'cbnz') << 5) | r5(rt));
export const tbz = (rt: number, bit: number, off: number) => u(((bit >> 5) << 31) | (0b011011 << 25) | ((bit & 31) << 19) | (simm(off, 14, 4, 'tbz') << 5) | r5(rt));
export const tbnz = (rt: number, bit: number, off: number) => u(((bit >> 5) << 31) | (0b011011 << 25) | (1 << 24) | ((bit & 31) << 19) | (simm(off, 14, 4, 'tbnz') << 5) | r5(rt));
export const br = (rn: number) => u(0xd61f0000 | (r5(rn) << 5));
export const blr = (rn: number) => u(0xd63f0000 | (r5(rn) << 5));
export const ret = (rn = 30) => u(0xd65f0000 | (r5(rn) << 5));

// ------------------------------------------------------------------ loads and stores

/** size: 0 B, 1 H, 2 W, 3 X; opc: 0 store, 1 load, 2 load signed to 64, 3 load signed to 32. */
export function ldstImm(size: number, opc: number, rt: number, rn: number, offset: number): number {
  if (offset < 0 || offset % (1 << size) !== 0 || offset >> size > 0xfff) throw new Error(`ldst offset ${offset} not encodable`);
  return u((size << 30) | (0b111001 << 24) | (opc << 22) | ((offset >> size) << 10) | (r5(rn) << 5) | r5(rt));
}
/** kind: 'unscaled' (LDUR/STUR), 'post', 'pre', 'unpriv' (LDTR/STTR). */
export function ldstImm9(size: number, opc: number, rt: number, rn: number, offset: number, kind: 'unscaled' | 'post' | 'pre' | 'unpriv'): number {
  const k = { unscaled: 0, post: 1, unpriv: 2, pre: 3 }[kind];
  return u((size << 30) | (0b111000 << 24) | (opc << 22) | (simm(offset, 9, 1, 'ldst') << 12) | (k << 10) | (r5(rn) << 5) | r5(rt));
}
/** Register offset: ext 'lsl' (UXTX), 'uxtw', 'sxtw', 'sxtx'; scaled = shift by the access size. */
export function ldstReg(size: number, opc: number, rt: number, rn: number, rm: number, ext = 'lsl', scaled = false): number {
  return u((size << 30) | (0b111000 << 24) | (opc << 22) | (1 << 21) | (r5(rm) << 16) | (EXTEND[ext] << 13) | ((scaled ? 1 : 0) << 12) | (0b10 << 10) | (r5(rn) << 5) | r5(rt));
}
export const ldr = (rt: number, rn: number, off = 0) => ldstImm(3, 1, rt, rn, off);
export const ldrw = (rt: number, rn: number, off = 0) => ldstImm(2, 1, rt, rn, off);
export const ldrh = (rt: number, rn: number, off = 0) => ldstImm(1, 1, rt, rn, off);
export const ldrb = (rt: number, rn: number, off = 0) => ldstImm(0, 1, rt, rn, off);
export const ldrsw = (rt: number, rn: number, off = 0) => ldstImm(2, 2, rt, rn, off);
export const ldrsh = (rt: number, rn: number, off = 0, sf = 1) => ldstImm(1, sf ? 2 : 3, rt, rn, off);
export const ldrsb = (rt: number, rn: number, off = 0, sf = 1) => ldstImm(0, sf ? 2 : 3, rt, rn, off);
export const str = (rt: number, rn: number, off = 0) => ldstImm(3, 0, rt, rn, off);
export const strw = (rt: number, rn: number, off = 0) => ldstImm(2, 0, rt, rn, off);
export const strh = (rt: number, rn: number, off = 0) => ldstImm(1, 0, rt, rn, off);
export const strb = (rt: number, rn: number, off = 0) => ldstImm(0, 0, rt, rn, off);

/** LDR (literal): opc 0 W, 1 X, 2 SW, 3 PRFM. */
export const ldrLit = (rt: number, off: number, opc = 1) => u((opc << 30) | (0b011000 << 24) | (simm(off, 19, 4, 'ldr literal') << 5) | r5(rt));

/** Pairs: opc 0 W, 1 LDPSW, 2 X; mode 'offset', 'pre', 'post', 'nt' (LDNP/STNP). */
export function ldstPair(opc: number, load: boolean, rt: number, rt2: number, rn: number, offset: number, mode: 'offset' | 'pre' | 'post' | 'nt' = 'offset'): number {
  const type = { nt: 0, post: 1, offset: 2, pre: 3 }[mode];
  const scale = opc === 2 ? 8 : 4;
  return u((opc << 30) | (0b101 << 27) | (type << 23) | ((load ? 1 : 0) << 22) | (simm(offset, 7, scale, 'pair') << 15) | (r5(rt2) << 10) | (r5(rn) << 5) | r5(rt));
}
export const ldp = (rt: number, rt2: number, rn: number, off = 0, mode: 'offset' | 'pre' | 'post' | 'nt' = 'offset', sf = 1) => ldstPair(sf ? 2 : 0, true, rt, rt2, rn, off, mode);
export const stp = (rt: number, rt2: number, rn: number, off = 0, mode: 'offset' | 'pre' | 'post' | 'nt' = 'offset', sf = 1) => ldstPair(sf ? 2 : 0, false, rt, rt2, rn, off, mode);
export const ldpsw = (rt: number, rt2: number, rn: number, off = 0, mode: 'offset' | 'pre' | 'post' = 'offset') => ldstPair(1, true, rt, rt2, rn, off, mode);

function exclusive(size: number, o2: number, l: number, o1: number, rs: number, o0: number, rt2: number, rn: number, rt: number): number {
  return u((size << 30) | (0b001000 << 24) | (o2 << 23) | (l << 22) | (o1 << 21) | (r5(rs) << 16) | (o0 << 15) | (r5(rt2) << 10) | (r5(rn) << 5) | r5(rt));
}
export const ldxr = (size: number, rt: number, rn: number) => exclusive(size, 0, 1, 0, 31, 0, 31, rn, rt);
export const ldaxr = (size: number, rt: number, rn: number) => exclusive(size, 0, 1, 0, 31, 1, 31, rn, rt);
export const stxr = (size: number, rs: number, rt: number, rn: number) => exclusive(size, 0, 0, 0, rs, 0, 31, rn, rt);
export const stlxr = (size: number, rs: number, rt: number, rn: number) => exclusive(size, 0, 0, 0, rs, 1, 31, rn, rt);
export const ldxp = (size: number, rt: number, rt2: number, rn: number) => exclusive(size, 0, 1, 1, 31, 0, rt2, rn, rt);
export const stxp = (size: number, rs: number, rt: number, rt2: number, rn: number) => exclusive(size, 0, 0, 1, rs, 0, rt2, rn, rt);
export const ldar = (size: number, rt: number, rn: number) => exclusive(size, 1, 1, 0, 31, 1, 31, rn, rt);
export const stlr = (size: number, rt: number, rn: number) => exclusive(size, 1, 0, 0, 31, 1, 31, rn, rt);

// ------------------------------------------------------------------ system

const hintInsn = (imm: number) => u(0xd503201f | (imm << 5));
export const nop = () => hintInsn(0);
export const yieldInsn = () => hintInsn(1);
export const wfe = () => hintInsn(2);
export const wfi = () => hintInsn(3);
export const sev = () => hintInsn(4);
export const sevl = () => hintInsn(5);
export const clrex = () => 0xd5033f5f;
export const dsb = (crm = 15) => u(0xd503309f | (crm << 8));
export const dmb = (crm = 15) => u(0xd50330bf | (crm << 8));
export const isb = () => 0xd5033fdf;

/** System register key op0:op1:CRn:CRm:op2 as MRS/MSR encode it in bits 20:5. */
export const sysreg = (op0: number, op1: number, crn: number, crm: number, op2: number) => (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
export const NZCV = sysreg(3, 3, 4, 2, 0);
export const DAIF = sysreg(3, 3, 4, 2, 1);
export const SPSEL = sysreg(3, 0, 4, 2, 0);
export const CURRENTEL = sysreg(3, 0, 4, 2, 2);
export const TPIDR_EL0 = sysreg(3, 3, 13, 0, 2);
export const TPIDRRO_EL0 = sysreg(3, 3, 13, 0, 3);
export const TPIDR_EL1 = sysreg(3, 0, 13, 0, 4);
export const MIDR_EL1 = sysreg(3, 0, 0, 0, 0);
export const MPIDR_EL1 = sysreg(3, 0, 0, 0, 5);
export const SCTLR_EL1 = sysreg(3, 0, 1, 0, 0);
export const mrs = (rt: number, key: number) => u(0xd5300000 | ((key & 0x7fff) << 5) | r5(rt));
export const msr = (key: number, rt: number) => u(0xd5100000 | ((key & 0x7fff) << 5) | r5(rt));
/** MSR (immediate): field op1:op2 (SPSel 0:5, DAIFSet 3:6, DAIFClr 3:7). */
export const msrImm = (op1: number, op2: number, imm4: number) => u(0xd500401f | (op1 << 16) | (imm4 << 8) | (op2 << 5));
export const daifset = (imm4: number) => msrImm(3, 6, imm4);
export const daifclr = (imm4: number) => msrImm(3, 7, imm4);
export const spsel = (imm: number) => msrImm(0, 5, imm);
/** SYS (DC/IC/TLBI/AT): op1, CRn, CRm, op2, Rt. */
export const sys = (op1: number, crn: number, crm: number, op2: number, rt = 31) => u(0xd5080000 | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | r5(rt));

export const svc = (imm: number) => u(0xd4000001 | (imm << 5));
export const hvc = (imm: number) => u(0xd4000002 | (imm << 5));
export const smc = (imm: number) => u(0xd4000003 | (imm << 5));
export const brk = (imm: number) => u(0xd4200000 | (imm << 5));
export const hlt = (imm: number) => u(0xd4400000 | (imm << 5));

/** Little-endian bytes of a program (nested arrays are flattened). */
export function assemble(insns: Array<number | number[]>): Uint8Array {
  const words = insns.flat();
  const out = new Uint8Array(words.length * 4);
  const view = new DataView(out.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return out;
}
