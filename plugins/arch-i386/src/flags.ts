/**
 * Lazy EFLAGS (Intel SDM vol. 1, 3.4.3): an arithmetic instruction records its operands and result;
 * CF/PF/AF/ZF/SF/OF are derived only when read. The carry-chain formulas below hold for
 * ADD/ADC and SUB/SBB/CMP at every width, so ADC/SBB need no special case.
 */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** Kind of the last flag-setting operation. */
export const enum CcOp {
  None = 0, // flags live in eflags
  Add,
  Sub,
  Logic, // CF = OF = 0, AF = 0 as QEMU leaves it
  Inc, // as Add with b = 1, CF kept
  Dec, // as Sub with b = 1, CF kept
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i, p = 1;
  while (b) { p ^= b & 1; b >>= 1; }
  PARITY[i] = p ? PF : 0;
}

/** The carry out of every bit of `a + b = r` (bit n set: a carry left bit n); CF is the sign bit's. */
export function addCarries(a: number, b: number, r: number): number { return (a & b) | ((a | b) & ~r); }
/** The borrow out of every bit of `a - b = r`; CF is the sign bit's. */
export function subBorrows(a: number, b: number, r: number): number { return (~a & b) | ((~a | b) & r); }

/** Computes the arithmetic flags; `keptCf` is CF before an INC/DEC. `bits` is 8, 16 or 32. */
export function arithFlags(op: CcOp, a: number, b: number, r: number, bits: number, keptCf: number): number {
  const sign = bits === 32 ? 0x80000000 : 1 << (bits - 1);
  const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  let f = PARITY[r & 0xff] | ((r & mask) === 0 ? ZF : 0) | (r & sign ? SF : 0);
  switch (op) {
    case CcOp.Add:
    case CcOp.Inc: {
      const carries = addCarries(a, b, r);
      if (op === CcOp.Add) { if (carries & sign) f |= CF; } else f |= keptCf;
      if ((a ^ r) & (b ^ r) & sign) f |= OF;
      if ((a ^ b ^ r) & 0x10) f |= AF;
      break;
    }
    case CcOp.Sub:
    case CcOp.Dec: {
      const borrows = subBorrows(a, b, r);
      if (op === CcOp.Sub) { if (borrows & sign) f |= CF; } else f |= keptCf;
      if ((a ^ b) & (a ^ r) & sign) f |= OF;
      if ((a ^ b ^ r) & 0x10) f |= AF;
      break;
    }
    default:
      break;
  }
  return f;
}

/**
 * CF (0 or 1) alone of a lazy state (`fr`: flagsRest, read when `op` is None), by arithFlags'
 * formulas: ADC/SBB, CMC and INC/DEC's kept carry read it without the other five flags.
 */
export function carryAfter(op: CcOp, a: number, b: number, r: number, bits: number, keptCf: number, fr: number): number {
  if (op === CcOp.None) return fr & CF;
  if (op === CcOp.Logic) return 0;
  if (op === CcOp.Inc || op === CcOp.Dec) return keptCf;
  const sign = bits === 32 ? 0x80000000 | 0 : 1 << (bits - 1);
  return ((op === CcOp.Add ? addCarries(a, b, r) : subBorrows(a, b, r)) & sign) !== 0 ? CF : 0;
}

/**
 * A condition other than P/NP (cc >> 1 !== 5) after any recorded operation (`op` not None), from
 * the operands with arithFlags' formulas (CF from the carry or borrow chain or `keptCf` after
 * INC/DEC, OF from the operand signs), without building EFLAGS (a DEC; JNZ loop reads only ZF).
 */
export function conditionAfter(op: CcOp, cc: number, a: number, b: number, r: number, bits: number, keptCf: number): boolean {
  const sign = bits === 32 ? 0x80000000 | 0 : 1 << (bits - 1);
  const zf = (r & (bits === 32 ? -1 : (1 << bits) - 1)) === 0, sf = (r & sign) !== 0;
  const sub = op === CcOp.Sub || op === CcOp.Dec, add = op === CcOp.Add || op === CcOp.Inc;
  const cf = op === CcOp.Inc || op === CcOp.Dec ? keptCf !== 0
    : ((op === CcOp.Sub ? subBorrows(a, b, r) : op === CcOp.Add ? addCarries(a, b, r) : 0) & sign) !== 0;
  const of = ((sub ? (a ^ b) & (a ^ r) : add ? (a ^ r) & (b ^ r) : 0) & sign) !== 0;
  let t: boolean;
  switch (cc >> 1) {
    case 0: t = of; break; // O
    case 1: t = cf; break; // B
    case 2: t = zf; break; // Z
    case 3: t = cf || zf; break; // BE
    case 4: t = sf; break; // S
    case 6: t = sf !== of; break; // L
    default: t = zf || sf !== of; // LE
  }
  return (cc & 1) ? !t : t;
}

/** Condition `cc` (the low nibble of Jcc/SETcc/CMOVcc, SDM vol. 1 B.1) of EFLAGS value `f`. */
export function conditionOfFlags(cc: number, f: number): boolean {
  let t: boolean;
  switch (cc >> 1) {
    case 0: t = (f & OF) !== 0; break; // O
    case 1: t = (f & CF) !== 0; break; // B
    case 2: t = (f & ZF) !== 0; break; // Z
    case 3: t = (f & (CF | ZF)) !== 0; break; // BE
    case 4: t = (f & SF) !== 0; break; // S
    case 5: t = (f & PF) !== 0; break; // P
    case 6: t = ((f >> 7) & 1) !== ((f >> 11) & 1); break; // L
    default: t = (f & ZF) !== 0 || ((f >> 7) & 1) !== ((f >> 11) & 1); // LE
  }
  return (cc & 1) ? !t : t;
}
