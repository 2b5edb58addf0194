/**
 * The lazy-flag questions translated blocks ask about a flag state held in their locals (jit.ts):
 * the same answers as I386Cpu.condition / carry give for the same state, from arithFlags, so that
 * the interpreter and the translator can never disagree on a flag.
 */
import { arithFlags, carryAfter, CcOp, CF, conditionAfter, conditionOfFlags, OF } from './flags.js';

/**
 * A flag state only translated blocks hold in their locals, never the CPU: a shift's, with its
 * result in `r` and its CF and OF bits in `a`. Its PF/ZF/SF cost a call (logicFlags), so a block
 * works them out only where they are read or written back (`shiftFlags`): after most shifts the
 * next ALU op overwrites them unread.
 */
export const SHIFT_PENDING = -1;

/** EFLAGS' arithmetic bits of a SHIFT_PENDING state: PF/ZF/SF of the result, CF and OF as set, AF = 0. */
export function shiftFlags(r: number, a: number): number {
  return (logicFlags(r, 32) & ~(CF | OF)) | a;
}

/** EFLAGS' arithmetic bits of a lazy state (`fr` = flagsRest, used when `op` is None). */
function flagsOf(op: number, a: number, b: number, r: number, bits: number, kept: number, fr: number): number {
  return op === CcOp.None ? fr : arithFlags(op, a, b, r, bits, kept);
}

/** EFLAGS' arithmetic bits of a state held in a block's locals (a pending shift's too): ROL/ROR keep its SF, ZF, AF and PF. */
export function flagsOfState(op: number, a: number, b: number, r: number, bits: number, kept: number, fr: number): number {
  return op === SHIFT_PENDING ? shiftFlags(r, a) : flagsOf(op, a, b, r, bits, kept, fr);
}

/** Condition `cc` (the low nibble of Jcc/SETcc/CMOVcc) of a lazy state. */
export function condOf(cc: number, op: number, a: number, b: number, r: number, bits: number, kept: number, fr: number): boolean {
  if (op === SHIFT_PENDING) return conditionOfFlags(cc, shiftFlags(r, a));
  if (op !== CcOp.None && (cc >> 1) !== 5) return conditionAfter(op, cc, a, b, r, bits, kept); // as I386Cpu.condition
  return conditionOfFlags(cc, flagsOf(op, a, b, r, bits, kept, fr));
}

/** CF (0 or 1) of a lazy state: ADC/SBB and INC/DEC's kept carry (as I386Cpu.carry). */
export function carryOf(op: number, a: number, b: number, r: number, bits: number, kept: number, fr: number): number {
  return op === SHIFT_PENDING ? a & CF : carryAfter(op, a, b, r, bits, kept, fr);
}

/** PF, ZF and SF of a result (the Logic state's flags; CF = OF = AF = 0). */
export function logicFlags(r: number, bits: number): number {
  return arithFlags(CcOp.Logic, 0, 0, r, bits, 0);
}
