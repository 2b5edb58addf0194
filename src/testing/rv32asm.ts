/**
 * A tiny RV32IMAC + Zicsr instruction encoder for unit tests, so they need no toolchain.
 * Every function returns the instruction as a number: 32-bit instructions as unsigned values
 * (low bits 0b11), compressed ones as 16-bit values (low bits never 0b11). `assemble` lays a
 * list of them out in memory, 2 or 4 bytes each according to those low bits.
 *
 * Registers are numbers (x0..x31); the ABI names are exported as constants.
 */

export const zero = 0, ra = 1, sp = 2, gp = 3, tp = 4, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9;
export const a0 = 10, a1 = 11, a2 = 12, a3 = 13, a4 = 14, a5 = 15, a6 = 16, a7 = 17;
export const s2 = 18, s3 = 19, s4 = 20, s5 = 21, s6 = 22, s7 = 23, s8 = 24, s9 = 25, s10 = 26, s11 = 27;
export const t3 = 28, t4 = 29, t5 = 30, t6 = 31;

const u = (x: number) => x >>> 0;

function checkReg(r: number): number {
  if (!Number.isInteger(r) || r < 0 || r > 31) throw new Error(`bad register ${r}`);
  return r;
}

function checkImm(imm: number, bits: number, what: string, signed = true): number {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (!Number.isInteger(imm) || imm < min || imm > max) throw new Error(`${what}: immediate ${imm} out of range`);
  return imm;
}

// ------------------------------------------------------------------ base formats

export function rType(opcode: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): number {
  return u((f7 << 25) | (checkReg(rs2) << 20) | (checkReg(rs1) << 15) | (f3 << 12) | (checkReg(rd) << 7) | opcode);
}

export function iType(opcode: number, f3: number, rd: number, rs1: number, imm: number): number {
  checkImm(imm, 12, 'I-type');
  return u(((imm & 0xfff) << 20) | (checkReg(rs1) << 15) | (f3 << 12) | (checkReg(rd) << 7) | opcode);
}

export function sType(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  checkImm(imm, 12, 'S-type');
  return u((((imm >> 5) & 0x7f) << 25) | (checkReg(rs2) << 20) | (checkReg(rs1) << 15) | (f3 << 12) | ((imm & 31) << 7) | opcode);
}

export function bType(f3: number, rs1: number, rs2: number, offset: number): number {
  checkImm(offset, 13, 'branch');
  if (offset & 1) throw new Error('branch offset must be even');
  const o = offset;
  return u(
    (((o >> 12) & 1) << 31) | (((o >> 5) & 0x3f) << 25) | (checkReg(rs2) << 20) | (checkReg(rs1) << 15) | (f3 << 12) | (((o >> 1) & 0xf) << 8) | (((o >> 11) & 1) << 7) | 0x63,
  );
}

// ------------------------------------------------------------------ RV32I

/** lui rd, imm20: rd = imm20 << 12. */
export const lui = (rd: number, imm20: number) => u(((imm20 & 0xfffff) << 12) | (checkReg(rd) << 7) | 0x37);
export const auipc = (rd: number, imm20: number) => u(((imm20 & 0xfffff) << 12) | (checkReg(rd) << 7) | 0x17);

export function jal(rd: number, offset: number): number {
  checkImm(offset, 21, 'jal');
  const o = offset;
  return u((((o >> 20) & 1) << 31) | (((o >> 1) & 0x3ff) << 21) | (((o >> 11) & 1) << 20) | (((o >> 12) & 0xff) << 12) | (checkReg(rd) << 7) | 0x6f);
}
export const jalr = (rd: number, rs1: number, imm = 0) => iType(0x67, 0, rd, rs1, imm);

export const beq = (rs1: number, rs2: number, off: number) => bType(0, rs1, rs2, off);
export const bne = (rs1: number, rs2: number, off: number) => bType(1, rs1, rs2, off);
export const blt = (rs1: number, rs2: number, off: number) => bType(4, rs1, rs2, off);
export const bge = (rs1: number, rs2: number, off: number) => bType(5, rs1, rs2, off);
export const bltu = (rs1: number, rs2: number, off: number) => bType(6, rs1, rs2, off);
export const bgeu = (rs1: number, rs2: number, off: number) => bType(7, rs1, rs2, off);

export const lb = (rd: number, rs1: number, imm = 0) => iType(0x03, 0, rd, rs1, imm);
export const lh = (rd: number, rs1: number, imm = 0) => iType(0x03, 1, rd, rs1, imm);
export const lw = (rd: number, rs1: number, imm = 0) => iType(0x03, 2, rd, rs1, imm);
export const lbu = (rd: number, rs1: number, imm = 0) => iType(0x03, 4, rd, rs1, imm);
export const lhu = (rd: number, rs1: number, imm = 0) => iType(0x03, 5, rd, rs1, imm);
export const sb = (rs2: number, rs1: number, imm = 0) => sType(0x23, 0, rs1, rs2, imm);
export const sh = (rs2: number, rs1: number, imm = 0) => sType(0x23, 1, rs1, rs2, imm);
export const sw = (rs2: number, rs1: number, imm = 0) => sType(0x23, 2, rs1, rs2, imm);

export const addi = (rd: number, rs1: number, imm: number) => iType(0x13, 0, rd, rs1, imm);
export const slti = (rd: number, rs1: number, imm: number) => iType(0x13, 2, rd, rs1, imm);
export const sltiu = (rd: number, rs1: number, imm: number) => iType(0x13, 3, rd, rs1, imm);
export const xori = (rd: number, rs1: number, imm: number) => iType(0x13, 4, rd, rs1, imm);
export const ori = (rd: number, rs1: number, imm: number) => iType(0x13, 6, rd, rs1, imm);
export const andi = (rd: number, rs1: number, imm: number) => iType(0x13, 7, rd, rs1, imm);
export const slli = (rd: number, rs1: number, sh: number) => iType(0x13, 1, rd, rs1, checkImm(sh, 5, 'slli', false));
export const srli = (rd: number, rs1: number, sh: number) => iType(0x13, 5, rd, rs1, checkImm(sh, 5, 'srli', false));
export const srai = (rd: number, rs1: number, sh: number) => u(iType(0x13, 5, rd, rs1, checkImm(sh, 5, 'srai', false)) | (0x20 << 25));

export const add = (rd: number, rs1: number, rs2: number) => rType(0x33, 0, 0, rd, rs1, rs2);
export const sub = (rd: number, rs1: number, rs2: number) => rType(0x33, 0, 0x20, rd, rs1, rs2);
export const sll = (rd: number, rs1: number, rs2: number) => rType(0x33, 1, 0, rd, rs1, rs2);
export const slt = (rd: number, rs1: number, rs2: number) => rType(0x33, 2, 0, rd, rs1, rs2);
export const sltu = (rd: number, rs1: number, rs2: number) => rType(0x33, 3, 0, rd, rs1, rs2);
export const xor = (rd: number, rs1: number, rs2: number) => rType(0x33, 4, 0, rd, rs1, rs2);
export const srl = (rd: number, rs1: number, rs2: number) => rType(0x33, 5, 0, rd, rs1, rs2);
export const sra = (rd: number, rs1: number, rs2: number) => rType(0x33, 5, 0x20, rd, rs1, rs2);
export const or = (rd: number, rs1: number, rs2: number) => rType(0x33, 6, 0, rd, rs1, rs2);
export const and = (rd: number, rs1: number, rs2: number) => rType(0x33, 7, 0, rd, rs1, rs2);

export const fence = () => 0x0ff0000f;
export const fence_i = () => 0x0000100f;
export const ecall = () => 0x00000073;
export const ebreak = () => 0x00100073;
export const mret = () => 0x30200073;
export const sret = () => 0x10200073;
export const wfi = () => 0x10500073;
export const sfence_vma = (rs1 = 0, rs2 = 0) => rType(0x73, 0, 0x09, 0, rs1, rs2);
export const nop = () => addi(0, 0, 0);

// ------------------------------------------------------------------ M

export const mul = (rd: number, rs1: number, rs2: number) => rType(0x33, 0, 1, rd, rs1, rs2);
export const mulh = (rd: number, rs1: number, rs2: number) => rType(0x33, 1, 1, rd, rs1, rs2);
export const mulhsu = (rd: number, rs1: number, rs2: number) => rType(0x33, 2, 1, rd, rs1, rs2);
export const mulhu = (rd: number, rs1: number, rs2: number) => rType(0x33, 3, 1, rd, rs1, rs2);
export const div = (rd: number, rs1: number, rs2: number) => rType(0x33, 4, 1, rd, rs1, rs2);
export const divu = (rd: number, rs1: number, rs2: number) => rType(0x33, 5, 1, rd, rs1, rs2);
export const rem = (rd: number, rs1: number, rs2: number) => rType(0x33, 6, 1, rd, rs1, rs2);
export const remu = (rd: number, rs1: number, rs2: number) => rType(0x33, 7, 1, rd, rs1, rs2);

// ------------------------------------------------------------------ A

const amoOp = (f5: number) => (rd: number, rs2: number, rs1: number, aq = false, rl = false) =>
  rType(0x2f, 2, (f5 << 2) | (aq ? 2 : 0) | (rl ? 1 : 0), rd, rs1, rs2);
export const lr_w = (rd: number, rs1: number) => rType(0x2f, 2, 0b00010 << 2, rd, rs1, 0);
/** sc.w rd, rs2, (rs1) */
export const sc_w = amoOp(0b00011);
export const amoswap_w = amoOp(0b00001);
export const amoadd_w = amoOp(0b00000);
export const amoxor_w = amoOp(0b00100);
export const amoand_w = amoOp(0b01100);
export const amoor_w = amoOp(0b01000);
export const amomin_w = amoOp(0b10000);
export const amomax_w = amoOp(0b10100);
export const amominu_w = amoOp(0b11000);
export const amomaxu_w = amoOp(0b11100);

// ------------------------------------------------------------------ Zicsr

const csrOp = (f3: number) => (rd: number, csr: number, rs1: number) => u(((csr & 0xfff) << 20) | (checkReg(rs1) << 15) | (f3 << 12) | (checkReg(rd) << 7) | 0x73);
export const csrrw = csrOp(1);
export const csrrs = csrOp(2);
export const csrrc = csrOp(3);
/** The immediate forms take a 5-bit zero-extended uimm in place of rs1. */
export const csrrwi = csrOp(5);
export const csrrsi = csrOp(6);
export const csrrci = csrOp(7);
export const csrr = (rd: number, csr: number) => csrrs(rd, csr, 0);
export const csrw = (csr: number, rs1: number) => csrrw(0, csr, rs1);
export const csrs = (csr: number, rs1: number) => csrrs(0, csr, rs1);
export const csrc = (csr: number, rs1: number) => csrrc(0, csr, rs1);
export const csrwi = (csr: number, uimm: number) => csrrwi(0, csr, uimm);
export const csrsi = (csr: number, uimm: number) => csrrsi(0, csr, uimm);
export const csrci = (csr: number, uimm: number) => csrrci(0, csr, uimm);

// ------------------------------------------------------------------ C (RV32C)

const cr = (r: number) => {
  if (r < 8 || r > 15) throw new Error(`compressed register must be x8..x15, got x${r}`);
  return r - 8;
};

/** c.addi4spn rd', nzuimm (multiple of 4, 4..1020) */
export function c_addi4spn(rd: number, imm: number): number {
  const i = imm;
  return (((i >> 4) & 3) << 11) | (((i >> 6) & 0xf) << 7) | (((i >> 2) & 1) << 6) | (((i >> 3) & 1) << 5) | (cr(rd) << 2) | 0b00;
}
const clsOff = (off: number) => (((off >> 3) & 7) << 10) | (((off >> 2) & 1) << 6) | (((off >> 6) & 1) << 5);
export const c_lw = (rd: number, rs1: number, off: number) => (0b010 << 13) | clsOff(off) | (cr(rs1) << 7) | (cr(rd) << 2);
export const c_sw = (rs2: number, rs1: number, off: number) => (0b110 << 13) | clsOff(off) | (cr(rs1) << 7) | (cr(rs2) << 2);

const ci = (f3: number, rd: number, imm: number, op: number) => (f3 << 13) | (((imm >> 5) & 1) << 12) | (checkReg(rd) << 7) | ((imm & 0x1f) << 2) | op;
export const c_nop = () => 0x0001;
export const c_addi = (rd: number, imm: number) => ci(0b000, rd, checkImm(imm, 6, 'c.addi'), 0b01);
export const c_li = (rd: number, imm: number) => ci(0b010, rd, checkImm(imm, 6, 'c.li'), 0b01);
/** c.lui rd, nzimm: rd = sext(nzimm[5:0]) << 12 (pass the 6-bit signed upper value). */
export const c_lui = (rd: number, imm6: number) => ci(0b011, rd, checkImm(imm6, 6, 'c.lui'), 0b01);
export function c_addi16sp(imm: number): number {
  const i = imm;
  return (0b011 << 13) | (((i >> 9) & 1) << 12) | (2 << 7) | (((i >> 4) & 1) << 6) | (((i >> 6) & 1) << 5) | (((i >> 7) & 3) << 3) | (((i >> 5) & 1) << 2) | 0b01;
}
const cb2 = (f2: number, rd: number, imm: number) => (0b100 << 13) | (((imm >> 5) & 1) << 12) | (f2 << 10) | (cr(rd) << 7) | ((imm & 0x1f) << 2) | 0b01;
export const c_srli = (rd: number, sh: number) => cb2(0, rd, sh);
export const c_srai = (rd: number, sh: number) => cb2(1, rd, sh);
export const c_andi = (rd: number, imm: number) => cb2(2, rd, imm);
const ca = (f2: number, rd: number, rs2: number) => (0b100011 << 10) | (cr(rd) << 7) | (f2 << 5) | (cr(rs2) << 2) | 0b01;
export const c_sub = (rd: number, rs2: number) => ca(0, rd, rs2);
export const c_xor = (rd: number, rs2: number) => ca(1, rd, rs2);
export const c_or = (rd: number, rs2: number) => ca(2, rd, rs2);
export const c_and = (rd: number, rs2: number) => ca(3, rd, rs2);
function cj(f3: number, off: number): number {
  checkImm(off, 12, 'c.j');
  const o = off;
  const bits =
    (((o >> 11) & 1) << 12) | (((o >> 4) & 1) << 11) | (((o >> 8) & 3) << 9) | (((o >> 10) & 1) << 8) | (((o >> 6) & 1) << 7) | (((o >> 7) & 1) << 6) | (((o >> 1) & 7) << 3) | (((o >> 5) & 1) << 2);
  return (f3 << 13) | bits | 0b01;
}
export const c_jal = (off: number) => cj(0b001, off);
export const c_j = (off: number) => cj(0b101, off);
function cbranch(f3: number, rs1: number, off: number): number {
  checkImm(off, 9, 'c.beqz');
  const o = off;
  return (f3 << 13) | (((o >> 8) & 1) << 12) | (((o >> 3) & 3) << 10) | (cr(rs1) << 7) | (((o >> 6) & 3) << 5) | (((o >> 1) & 3) << 3) | (((o >> 5) & 1) << 2) | 0b01;
}
export const c_beqz = (rs1: number, off: number) => cbranch(0b110, rs1, off);
export const c_bnez = (rs1: number, off: number) => cbranch(0b111, rs1, off);

export const c_slli = (rd: number, sh: number) => ci(0b000, rd, sh, 0b10);
export function c_lwsp(rd: number, off: number): number {
  return (0b010 << 13) | (((off >> 5) & 1) << 12) | (checkReg(rd) << 7) | (((off >> 2) & 7) << 4) | (((off >> 6) & 3) << 2) | 0b10;
}
export function c_swsp(rs2: number, off: number): number {
  return (0b110 << 13) | (((off >> 2) & 0xf) << 9) | (((off >> 6) & 3) << 7) | (checkReg(rs2) << 2) | 0b10;
}
export const c_jr = (rs1: number) => (0b1000 << 12) | (checkReg(rs1) << 7) | 0b10;
export const c_mv = (rd: number, rs2: number) => (0b1000 << 12) | (checkReg(rd) << 7) | (checkReg(rs2) << 2) | 0b10;
export const c_ebreak = () => 0x9002;
export const c_jalr = (rs1: number) => (0b1001 << 12) | (checkReg(rs1) << 7) | 0b10;
export const c_add = (rd: number, rs2: number) => (0b1001 << 12) | (checkReg(rd) << 7) | (checkReg(rs2) << 2) | 0b10;

// ------------------------------------------------------------------ helpers

/** li rd, value as lui + addi (always two instructions, so layouts stay predictable). */
export function li(rd: number, value: number): number[] {
  const v = value | 0;
  const lo = (v << 20) >> 20;
  const hi = ((v - lo) >>> 12) & 0xfffff;
  return [lui(rd, hi), addi(rd, rd, lo)];
}

/** Byte length of an encoded instruction. */
export function insnLength(insn: number): 2 | 4 {
  return (insn & 3) === 3 ? 4 : 2;
}

/** Lays instructions out little-endian; nested arrays (from `li`) are flattened. */
export function assemble(insns: Array<number | number[]>): Uint8Array {
  const flat = insns.flat();
  const size = flat.reduce((s, i) => s + insnLength(i), 0);
  const out = new Uint8Array(size);
  let off = 0;
  for (const insn of flat) {
    out[off++] = insn & 0xff;
    out[off++] = (insn >>> 8) & 0xff;
    if (insnLength(insn) === 4) {
      out[off++] = (insn >>> 16) & 0xff;
      out[off++] = (insn >>> 24) & 0xff;
    }
  }
  return out;
}
