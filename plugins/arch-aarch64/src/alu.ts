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

const TWO32 = 4294967296;

/**
 * AddWithCarry(a, b, cin) of `sf ? 64 : 32` bits: the sum into R (high word 0 for 32 bits),
 * returns the NZCV flags.
 */
export function addWithCarry(al: number, ah: number, bl: number, bh: number, cin: number, sf: number): number {
  if (sf === 0) {
    const s = (al >>> 0) + (bl >>> 0) + cin;
    const r = s | 0;
    R[0] = r;
    R[1] = 0;
    return (r & FLAG_N) | (r === 0 ? FLAG_Z : 0) | (s >= TWO32 ? FLAG_C : 0) | (((al ^ r) & (bl ^ r)) < 0 ? FLAG_V : 0);
  }
  const sl = (al >>> 0) + (bl >>> 0) + cin;
  const rl = sl | 0;
  const sh = (ah >>> 0) + (bh >>> 0) + (sl >= TWO32 ? 1 : 0);
  const rh = sh | 0;
  R[0] = rl;
  R[1] = rh;
  return (rh & FLAG_N) | ((rl | rh) === 0 ? FLAG_Z : 0) | (sh >= TWO32 ? FLAG_C : 0) | (((ah ^ rh) & (bh ^ rh)) < 0 ? FLAG_V : 0);
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
  let l: number;
  let h: number;
  switch (option) {
    case 0:
      l = lo & 0xff;
      h = 0;
      break;
    case 1:
      l = lo & 0xffff;
      h = 0;
      break;
    case 2:
      l = lo;
      h = 0;
      break;
    case 4:
      l = (lo << 24) >> 24;
      h = l >> 31;
      break;
    case 5:
      l = (lo << 16) >> 16;
      h = l >> 31;
      break;
    case 6:
      l = lo;
      h = lo >> 31;
      break;
    default:
      l = lo;
      h = hi;
  }
  lsl64(l, h, shift);
}

/** ConditionHolds (J1): cond 0-15 against NZCV in bits 31:28. */
export function conditionHolds(cond: number, nzcv: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = (nzcv & FLAG_Z) !== 0;
      break;
    case 1:
      r = (nzcv & FLAG_C) !== 0;
      break;
    case 2:
      r = (nzcv & FLAG_N) !== 0;
      break;
    case 3:
      r = (nzcv & FLAG_V) !== 0;
      break;
    case 4:
      r = (nzcv & FLAG_C) !== 0 && (nzcv & FLAG_Z) === 0;
      break;
    case 5:
      r = (nzcv & FLAG_N) === 0 === ((nzcv & FLAG_V) === 0);
      break;
    case 6:
      r = (nzcv & FLAG_N) === 0 === ((nzcv & FLAG_V) === 0) && (nzcv & FLAG_Z) === 0;
      break;
    default:
      return true; // AL and NV both mean "always"
  }
  return (cond & 1) !== 0 ? !r : r;
}
