/**
 * How many more passes a counted guest loop is about to run, read from the registers at its head
 * (cpu.ts compileBlockAt: a loop that will run long is translated at once instead of waiting out
 * the compile work, which at the start of a process costs the cold interpreter most).
 *
 * The loop's first conditional branch decides it: the compare whose flags it reads (the last
 * instruction before it in the page that may set them: CMP/CMN/SUBS/ADDS of a register with an
 * immediate or another register), or the register of a CBZ/CBNZ: each operand register
 * must change by a constant per pass (ADD/SUB immediate of itself, a load's or store's base
 * writeback, the SUBS itself) or not at all, and the gap between the operands closes at that
 * rate. Only an estimate: a loop left another way (a second exit) runs shorter, and a wrong
 * guess costs one early translation, never a different result.
 */
import type { Insn } from './jit.js';
import { LS_POST, LS_PRE } from './decode.js';
import { Op, REG_SINK } from './execute.js';

const TWO32 = 4294967296;

/** The value of a register as a number, of its 64 or 32 bits (`sf`), read unsigned. */
export type RegValue = (reg: number, sf: number) => number;

/**
 * Passes left of the loop that `insns` (a region heading a guest loop: its first instruction is
 * the loop's head, the pc now) make, per `value`; 0 when it cannot tell.
 */
export function passesLeft(insns: Insn[], value: RegValue): number {
  for (let k = 0; k < insns.length; k++) {
    const ins = insns[k];
    if (ins.op === Op.CBZ || ins.op === Op.CBNZ) return closing(value(ins.rn, ins.sf), step(insns, ins.rn, ins.sf), ins.sf);
    if (ins.op !== Op.BCOND) continue;
    // The flags it reads: the last instruction before it that may set them (in page order).
    let j = k - 1;
    while (j >= 0 && !maySetFlags(insns[j])) j--;
    if (j < 0) continue;
    const cmp = insns[j];
    if (cmp.op === Op.ADDSI && (cmp.rd === REG_SINK || cmp.rd === cmp.rn)) return closing(value(cmp.rn, cmp.sf) + imm(cmp), step(insns, cmp.rn, cmp.sf), cmp.sf);
    // CMP/CMN (register, unshifted): rn - rm or rn + rm.
    if (cmp.op === Op.ADDSUB_SH && cmp.rd === REG_SINK && (cmp.c & 0xfc) === 0) {
      const sign = (cmp.c >>> 8) & 1 ? -1 : 1;
      return closing(value(cmp.rn, cmp.sf) + sign * value(cmp.rm, cmp.sf), step(insns, cmp.rn, cmp.sf) + sign * step(insns, cmp.rm, cmp.sf), cmp.sf);
    }
    return 0;
  }
  return 0;
}

/** Whether `ins` sets NZCV (decode.ts's `c` words: the S bit, or ANDS/BICS among the shifted logical ops). */
function maySetFlags(ins: Insn): boolean {
  switch (ins.op) {
    case Op.ADDSUB_SH:
    case Op.ADDSUB_EXT:
      return (ins.c & 0x200) !== 0;
    case Op.LOGIC_SH:
      return ((ins.c >>> 8) & 3) === 3;
    case Op.ADC:
      return (ins.c & 2) !== 0;
    case Op.ADDSI:
    case Op.ANDSI:
    case Op.CCMP:
      return true;
    default:
      return false;
  }
}

/**
 * Bound of the passes told: a loop bounded further is bounded by a limit rather than a count (the
 * arm64 Linux boot's string and number parsing loops, up to 2^31 or 2^32 characters), and leaves
 * another way (at a string's end).
 */
export const MAX_PASSES = 1 << 24;

/**
 * Passes until `gap` reaches 0 changing by `rate` per pass (0 when it does not close, or not
 * within MAX_PASSES); a 32-bit (`sf` 0) gap wraps as the compare's subtraction does.
 */
function closing(gap: number, rate: number, sf: number): number {
  const passes = -(sf ? gap : gap | 0) / rate;
  return Number.isFinite(passes) && passes > 0 && passes <= MAX_PASSES ? Math.floor(passes) : 0;
}

/** The immediate operand an ADDSI adds (decode.ts: SUBS holds NOT(imm) with a carry-in of 1). */
function imm(ins: Insn): number {
  return ins.sf ? ins.b * TWO32 + (ins.a >>> 0) + ins.c : (ins.a | 0) + ins.c;
}

/** What one pass adds to register `reg` (NaN when something else writes it). */
function step(insns: Insn[], reg: number, sf: number): number {
  let sum = 0;
  for (const ins of insns) {
    if (!writes(ins, reg)) continue;
    if ((ins.op === Op.ADDI || ins.op === Op.ADDSI) && ins.rd === reg && ins.rn === reg && ins.sf === sf) sum += ins.op === Op.ADDI ? ins.a : imm(ins);
    else if (baseWriteback(ins) && ins.rn === reg && ins.rd !== reg && !(ins.op === Op.LDP && ins.rm === reg)) sum += ins.a;
    else return NaN;
  }
  return sum;
}

/** Whether a load's or store's (or pair's) addressing mode writes its base register back. */
function baseWriteback(ins: Insn): boolean {
  if (ins.op === Op.LOAD || ins.op === Op.STORE) {
    const mode = (ins.c >>> 4) & 3;
    return mode === LS_PRE || mode === LS_POST;
  }
  if (ins.op === Op.LDP || ins.op === Op.STP) {
    const mode = (ins.c >>> 2) & 3;
    return mode === LS_PRE || mode === LS_POST;
  }
  return false;
}

/** Whether `ins` may write register `reg` (conservatively: every destination field counts). */
function writes(ins: Insn, reg: number): boolean {
  switch (ins.op) {
    case Op.NOP:
    case Op.B:
    case Op.BCOND:
    case Op.CBZ:
    case Op.CBNZ:
    case Op.TBZ:
    case Op.TBNZ:
    case Op.BR:
    case Op.RET:
      return false;
    case Op.BL:
    case Op.BLR:
      return reg === 30;
    case Op.STORE:
    case Op.STP:
      return baseWriteback(ins) && ins.rn === reg;
    case Op.LOAD:
      return ins.rd === reg || (baseWriteback(ins) && ins.rn === reg);
    case Op.LDP:
      return ins.rd === reg || ins.rm === reg || (baseWriteback(ins) && ins.rn === reg);
    default:
      return ins.rd === reg;
  }
}
