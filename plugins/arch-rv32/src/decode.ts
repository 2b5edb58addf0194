/**
 * Instruction decoder: RV32I, M, A, C, Zicsr, Zifencei and the privileged instructions
 * (unprivileged spec chapters 2, 7, 8, 16 (RVC), 9, 3; privileged spec 3.3). Turns raw bits
 * into the two-word pre-decoded form the interpreter executes (layout in execute.ts).
 */
import { Op, packInfo } from './execute.js';

/** Length in bytes of the instruction whose first halfword is `lo16` (16 or 32-bit only). */
export function instructionLength(lo16: number): 2 | 4 {
  return (lo16 & 3) === 3 ? 4 : 2;
}

/**
 * Decodes `bits` (a 32-bit instruction, or a 16-bit one in the low half) into out[idx] (info)
 * and out[idx + 1] (immediate). Returns the info word.
 */
export function decodeInto(out: Int32Array, idx: number, bits: number): number {
  let info: number;
  if ((bits & 3) === 3) info = decode32(out, idx, bits | 0);
  else info = decode16(out, idx, bits & 0xffff);
  out[idx] = info;
  return info;
}

function illegal(out: Int32Array, idx: number, bits: number, compressed: boolean): number {
  out[idx + 1] = bits;
  return packInfo(Op.ILLEGAL, 0, 0, 0, compressed);
}

function put(out: Int32Array, idx: number, op: Op, rd: number, rs1: number, rs2: number, imm: number, compressed: boolean): number {
  out[idx + 1] = imm | 0;
  return packInfo(op, rd, rs1, rs2, compressed);
}

const BRANCH_OPS: Array<Op | undefined> = [Op.BEQ, Op.BNE, undefined, undefined, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const LOAD_OPS: Array<Op | undefined> = [Op.LB, Op.LH, Op.LW, undefined, Op.LBU, Op.LHU, undefined, undefined];
const STORE_OPS: Array<Op | undefined> = [Op.SB, Op.SH, Op.SW];
const OPIMM_OPS: Op[] = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_OPS: Op[] = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const MUL_OPS: Op[] = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const CSR_OPS: Array<Op | undefined> = [undefined, Op.CSRRW, Op.CSRRS, Op.CSRRC, undefined, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];
const AMO_OPS: Record<number, Op> = {
  0b00010: Op.LR_W,
  0b00011: Op.SC_W,
  0b00001: Op.AMOSWAP_W,
  0b00000: Op.AMOADD_W,
  0b00100: Op.AMOXOR_W,
  0b01100: Op.AMOAND_W,
  0b01000: Op.AMOOR_W,
  0b10000: Op.AMOMIN_W,
  0b10100: Op.AMOMAX_W,
  0b11000: Op.AMOMINU_W,
  0b11100: Op.AMOMAXU_W,
};

function decode32(out: Int32Array, idx: number, b: number): number {
  const rd = (b >>> 7) & 31;
  const rs1 = (b >>> 15) & 31;
  const rs2 = (b >>> 20) & 31;
  const f3 = (b >>> 12) & 7;
  const f7 = b >>> 25;
  const immI = b >> 20;
  switch (b & 0x7f) {
    case 0x37:
      return put(out, idx, Op.LUI, rd, 0, 0, b & 0xfffff000, false);
    case 0x17:
      return put(out, idx, Op.AUIPC, rd, 0, 0, b & 0xfffff000, false);
    case 0x6f: {
      // J-immediate: imm[20|10:1|11|19:12] (unpriv spec 2.3)
      const imm = ((b >> 11) & ~0xfffff) | (b & 0xff000) | ((b >>> 9) & 0x800) | ((b >>> 20) & 0x7fe);
      return put(out, idx, Op.JAL, rd, 0, 0, imm, false);
    }
    case 0x67:
      if (f3 !== 0) break;
      return put(out, idx, Op.JALR, rd, rs1, 0, immI, false);
    case 0x63: {
      const op = BRANCH_OPS[f3];
      if (op === undefined) break;
      // B-immediate: imm[12|10:5] ... imm[4:1|11]
      const imm = ((b >> 19) & ~0xfff) | ((b << 4) & 0x800) | ((b >>> 20) & 0x7e0) | ((b >>> 7) & 0x1e);
      return put(out, idx, op, 0, rs1, rs2, imm, false);
    }
    case 0x03: {
      const op = LOAD_OPS[f3];
      if (op === undefined) break;
      return put(out, idx, op, rd, rs1, 0, immI, false);
    }
    case 0x23: {
      const op = STORE_OPS[f3];
      if (op === undefined) break;
      const imm = ((b >> 20) & ~31) | ((b >>> 7) & 31);
      return put(out, idx, op, 0, rs1, rs2, imm, false);
    }
    case 0x13: {
      const op = OPIMM_OPS[f3];
      if (f3 === 1) {
        if (f7 !== 0) break; // RV32: shamt[5] must be 0
        return put(out, idx, Op.SLLI, rd, rs1, 0, rs2, false);
      }
      if (f3 === 5) {
        if (f7 === 0) return put(out, idx, Op.SRLI, rd, rs1, 0, rs2, false);
        if (f7 === 0x20) return put(out, idx, Op.SRAI, rd, rs1, 0, rs2, false);
        break;
      }
      return put(out, idx, op, rd, rs1, 0, immI, false);
    }
    case 0x33:
      if (f7 === 0) return put(out, idx, OP_OPS[f3], rd, rs1, rs2, 0, false);
      if (f7 === 1) return put(out, idx, MUL_OPS[f3], rd, rs1, rs2, 0, false);
      if (f7 === 0x20 && f3 === 0) return put(out, idx, Op.SUB, rd, rs1, rs2, 0, false);
      if (f7 === 0x20 && f3 === 5) return put(out, idx, Op.SRA, rd, rs1, rs2, 0, false);
      break;
    case 0x0f:
      // FENCE's fm/pred/succ/rs1/rd are ignored (unpriv spec 2.7: reserved encodings execute as FENCE).
      if (f3 === 0) return put(out, idx, Op.FENCE, 0, 0, 0, 0, false);
      if (f3 === 1) return put(out, idx, Op.FENCE_I, 0, 0, 0, 0, false);
      break;
    case 0x73:
      if (f3 === 0) {
        if (b === 0x00000073) return put(out, idx, Op.ECALL, 0, 0, 0, 0, false);
        if (b === 0x00100073) return put(out, idx, Op.EBREAK, 0, 0, 0, 0, false);
        if (b === 0x30200073) return put(out, idx, Op.MRET, 0, 0, 0, 0, false);
        if (b === 0x10200073) return put(out, idx, Op.SRET, 0, 0, 0, 0, false);
        if (b === 0x10500073) return put(out, idx, Op.WFI, 0, 0, 0, 0, false);
        if (f7 === 0x09 && rd === 0) return put(out, idx, Op.SFENCE_VMA, 0, rs1, rs2, 0, false);
        break;
      }
      {
        const op = CSR_OPS[f3];
        if (op === undefined) break;
        return put(out, idx, op, rd, rs1, 0, (b >>> 20) & 0xfff, false);
      }
    case 0x2f: {
      if (f3 !== 2) break;
      const op = AMO_OPS[f7 >>> 2];
      if (op === undefined) break;
      if (op === Op.LR_W && rs2 !== 0) break;
      // aq/rl are irrelevant to a sequentially consistent interpreter.
      return put(out, idx, op, rd, rs1, rs2, 0, false);
    }
  }
  return illegal(out, idx, b, false);
}

/** Compressed register field rd'/rs1'/rs2' (x8..x15). */
const creg = (v: number) => 8 + (v & 7);

function decode16(out: Int32Array, idx: number, h: number): number {
  const f3 = h >>> 13;
  const rdFull = (h >>> 7) & 31;
  const rs2Full = (h >>> 2) & 31;
  // CI-format 6-bit signed immediate: imm[5] = bit 12, imm[4:0] = bits 6:2
  const immCI = (((h >>> 7) & 0x20) | ((h >>> 2) & 0x1f)) << 26 >> 26;
  switch (h & 3) {
    case 0:
      switch (f3) {
        case 0: {
          // C.ADDI4SPN: nzuimm[5:4|9:6|2|3] in bits 12:5
          const imm = ((h >>> 7) & 0x30) | ((h >>> 1) & 0x3c0) | ((h >>> 4) & 0x4) | ((h >>> 2) & 0x8);
          if (imm === 0) break; // includes the all-zero illegal instruction
          return put(out, idx, Op.ADDI, creg(h >>> 2), 2, 0, imm, true);
        }
        case 2: {
          // C.LW: uimm[5:3] = bits 12:10, uimm[2] = bit 6, uimm[6] = bit 5
          const imm = ((h >>> 7) & 0x38) | ((h >>> 4) & 0x4) | ((h << 1) & 0x40);
          return put(out, idx, Op.LW, creg(h >>> 2), creg(h >>> 7), 0, imm, true);
        }
        case 6: {
          const imm = ((h >>> 7) & 0x38) | ((h >>> 4) & 0x4) | ((h << 1) & 0x40);
          return put(out, idx, Op.SW, 0, creg(h >>> 7), creg(h >>> 2), imm, true);
        }
        // 1/3/5/7: C.FLD/C.FLW/C.FSD/C.FSW (no F/D); 4: reserved
      }
      break;
    case 1:
      switch (f3) {
        case 0: // C.ADDI (rd = 0 or imm = 0 are HINTs: they execute as the ADDI they encode)
          return put(out, idx, Op.ADDI, rdFull, rdFull, 0, immCI, true);
        case 1: // C.JAL (RV32 only)
          return put(out, idx, Op.JAL, 1, 0, 0, cjImm(h), true);
        case 2: // C.LI
          return put(out, idx, Op.ADDI, rdFull, 0, 0, immCI, true);
        case 3:
          if (rdFull === 2) {
            // C.ADDI16SP: nzimm[9] = bit 12, [4] = bit 6, [6] = bit 5, [8:7] = bits 4:3, [5] = bit 2
            let imm = ((h >>> 3) & 0x200) | ((h >>> 2) & 0x10) | ((h << 1) & 0x40) | ((h << 4) & 0x180) | ((h << 3) & 0x20);
            imm = (imm << 22) >> 22;
            if (imm === 0) break;
            return put(out, idx, Op.ADDI, 2, 2, 0, imm, true);
          }
          // C.LUI: nzimm[17] = bit 12, nzimm[16:12] = bits 6:2; nzimm = 0 is reserved
          if (immCI === 0) break;
          return put(out, idx, Op.LUI, rdFull, 0, 0, immCI << 12, true);
        case 4: {
          const rd = creg(h >>> 7);
          const f2 = (h >>> 10) & 3;
          if (f2 === 0 || f2 === 1) {
            // RV32C: shamt[5] = 1 is reserved (NSE)
            if (h & 0x1000) break;
            return put(out, idx, f2 === 0 ? Op.SRLI : Op.SRAI, rd, rd, 0, rs2Full, true);
          }
          if (f2 === 2) return put(out, idx, Op.ANDI, rd, rd, 0, immCI, true);
          if (h & 0x1000) break; // C.SUBW/C.ADDW are RV64 only
          const ops = [Op.SUB, Op.XOR, Op.OR, Op.AND];
          return put(out, idx, ops[(h >>> 5) & 3], rd, rd, creg(h >>> 2), 0, true);
        }
        case 5: // C.J
          return put(out, idx, Op.JAL, 0, 0, 0, cjImm(h), true);
        case 6:
        case 7: {
          // C.BEQZ/C.BNEZ: offset[8|4:3] = bits 12:10, offset[7:6|2:1|5] = bits 6:2
          let imm = ((h >>> 4) & 0x100) | ((h >>> 7) & 0x18) | ((h << 1) & 0xc0) | ((h >>> 2) & 0x6) | ((h << 3) & 0x20);
          imm = (imm << 23) >> 23;
          return put(out, idx, f3 === 6 ? Op.BEQ : Op.BNE, 0, creg(h >>> 7), 0, imm, true);
        }
      }
      break;
    case 2:
      switch (f3) {
        case 0: // C.SLLI
          if (h & 0x1000) break;
          return put(out, idx, Op.SLLI, rdFull, rdFull, 0, rs2Full, true);
        case 2: {
          // C.LWSP: uimm[5] = bit 12, uimm[4:2] = bits 6:4, uimm[7:6] = bits 3:2; rd = 0 reserved
          if (rdFull === 0) break;
          const imm = ((h >>> 7) & 0x20) | ((h >>> 2) & 0x1c) | ((h << 4) & 0xc0);
          return put(out, idx, Op.LW, rdFull, 2, 0, imm, true);
        }
        case 4:
          if ((h & 0x1000) === 0) {
            if (rs2Full === 0) {
              if (rdFull === 0) break; // C.JR with rs1 = 0 is reserved
              return put(out, idx, Op.JALR, 0, rdFull, 0, 0, true); // C.JR
            }
            return put(out, idx, Op.ADD, rdFull, 0, rs2Full, 0, true); // C.MV
          }
          if (rs2Full === 0) {
            if (rdFull === 0) return put(out, idx, Op.EBREAK, 0, 0, 0, 0, true); // C.EBREAK
            return put(out, idx, Op.JALR, 1, rdFull, 0, 0, true); // C.JALR
          }
          return put(out, idx, Op.ADD, rdFull, rdFull, rs2Full, 0, true); // C.ADD
        case 6: {
          // C.SWSP: uimm[5:2] = bits 12:9, uimm[7:6] = bits 8:7
          const imm = ((h >>> 7) & 0x3c) | ((h >>> 1) & 0xc0);
          return put(out, idx, Op.SW, 0, 2, rs2Full, imm, true);
        }
        // 1/3/5/7: FP loads/stores relative to sp (no F/D)
      }
      break;
  }
  return illegal(out, idx, h, true);
}

/** CJ-format jump offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
function cjImm(h: number): number {
  const imm =
    ((h >>> 1) & 0x800) | ((h >>> 7) & 0x10) | ((h >>> 1) & 0x300) | ((h << 2) & 0x400) | ((h >>> 1) & 0x40) | ((h << 1) & 0x80) | ((h >>> 2) & 0xe) | ((h << 3) & 0x20);
  return (imm << 20) >> 20;
}
