/**
 * Shared data-processing helpers (Arm ARM J1 shared pseudocode: AddWithCarry, ShiftReg,
 * ExtendReg, ConditionHolds). Flags are kept as NZCV in bits 31:28, the layout of the NZCV
 * system register, so MRS/MSR NZCV are plain copies.
 */
import { asr64, lsl64, lsr64, R, ror32, ror64 } from './u64.js';

export const FLAG_N = 0x80000000 | 0;
export const FLAG_Z = 0x40000000;
export const FLAG_C = 0x20000000;
export const FLAG_V = 0x10000000;

/**
 * AddWithCarry(a, b, cin) of `sf ? 64 : 32` bits: the sum into R (high word 0 for 32 bits),
 * returns the NZCV flags. Int32 operations only, branch-free (the carry out of a word is the
 * majority of its operands' top bits and not the sum's: carryOut): no sum past 2^32 as a double,
 * and small enough that V8 inlines it into the interpreter (execute.ts) at each ADDS/SUBS/CMP.
 */
export function addWithCarry(al: number, ah: number, bl: number, bh: number, cin: number, sf: number): number {
  const rl = (((al + bl) | 0) + cin) | 0;
  const rh = (((ah + bh) | 0) + carryOut(al, bl, rl)) & -sf;
  R[0] = rl;
  R[1] = rh;
  // The flags' word: the high one for 64 bits, else the low one.
  const t = sf !== 0 ? rh : rl;
  const ta = sf !== 0 ? ah : al;
  const tb = sf !== 0 ? bh : bl;
  return (t & FLAG_N) | ((rl | rh) === 0 ? FLAG_Z : 0) | (carryOut(ta, tb, t) << 29) | ((((ta ^ t) & (tb ^ t)) >>> 31) << 28);
}

/**
 * The carry (0 or 1) out of the 32-bit sum `r` of words `a` and `b` (and any carry in): majority of a, b and not r, at bit 31.
 * Callers add it to a high word as `((ah + bh) | 0) + carry`, each sum truncated: a three-term sum truncated once
 * is an add V8 checks for overflow, deoptimizing the caller (the interpreter) at the first carry past 2^31.
 */
export function carryOut(a: number, b: number, r: number): number {
  return ((a & b) | ((a | b) & ~r)) >>> 31;
}

/** N and Z of a logical result (C = V = 0), 32 or 64 bits. */
export function logicFlags(lo: number, hi: number, sf: number): number {
  if (sf === 0) return (lo & FLAG_N) | (lo === 0 ? FLAG_Z : 0);
  return (hi & FLAG_N) | ((lo | hi) === 0 ? FLAG_Z : 0);
}

/** ShiftReg: type 0 LSL, 1 LSR, 2 ASR, 3 ROR by `amount` (< datasize) into R. */
export function shiftReg(lo: number, hi: number, type: number, amount: number, sf: number): void {
  if (sf === 0) {
    R[1] = 0;
    if (type === 0) R[0] = lo << amount;
    else if (type === 1) R[0] = lo >>> amount;
    else if (type === 2) R[0] = lo >> amount;
    else R[0] = ror32(lo, amount);
    return;
  }
  if (type === 0) lsl64(lo, hi, amount);
  else if (type === 1) lsr64(lo, hi, amount);
  else if (type === 2) asr64(lo, hi, amount);
  else ror64(lo, hi, amount);
}

/** ExtendReg: option 0-7 = UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX, then LSL #shift (0-4), into R. */
export function extendReg(lo: number, hi: number, option: number, shift: number): void {
  // Bits above the byte, half or word cleared or copied from its top (bit 2 of option: signed); X keeps both words.
  // Branch-free but for X: small enough for V8 to inline into the interpreter.
  const sh = 32 - (8 << (option & 3));
  const x = (option & 3) === 3;
  const signed = (option & 4) !== 0;
  const l = x ? lo : signed ? (lo << sh) >> sh : ((lo << sh) >>> sh) | 0;
  const h = x ? hi : signed ? l >> 31 : 0;
  // LSL #shift (< 32) of the 64-bit pair: the low word's top bits (none at 0) into the high word.
  R[0] = l << shift;
  R[1] = (h << shift) | ((l >>> 1) >>> (31 - shift));
}

/**
 * ConditionHolds (J1) of every condition (0-15) and NZCV (0-15), at cond << 4 | NZCV: one load
 * where a switch per condition kept V8 from inlining it into the interpreter.
 */
const CONDITIONS = new Uint8Array(256);
for (let cond = 0; cond < 16; cond++) {
  for (let f = 0; f < 16; f++) {
    const n = (f & 8) !== 0;
    const z = (f & 4) !== 0;
    const c = (f & 2) !== 0;
    const v = (f & 1) !== 0;
    const base = [z, c, n, v, c && !z, n === v, n === v && !z, true][cond >>> 1];
    // AL and NV both mean "always".
    CONDITIONS[(cond << 4) | f] = (cond & 1) !== 0 && cond !== 15 ? Number(!base) : Number(base);
  }
}

/** ConditionHolds (J1): cond 0-15 against NZCV in bits 31:28. */
export function conditionHolds(cond: number, nzcv: number): boolean {
  return CONDITIONS[(cond << 4) | (nzcv >>> 28)] !== 0;
}
