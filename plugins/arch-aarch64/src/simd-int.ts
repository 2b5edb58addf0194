/**
 * Advanced SIMD integer operations (Arm ARM C7, the AdvSIMD "three same", "three different",
 * "two-register misc", "across lanes", "shift by immediate" and "x indexed element" classes,
 * vector and scalar). Elements up to 32 bits are JS numbers (exact); 64-bit elements are word
 * pairs through u64.ts. Results are built in T (simd-lanes.ts) and committed to Vd.
 */
import type { A64Cpu } from './cpu.js';
import type { FpState } from './fp-state.js';
import { add64, asr64, lsl64, lsr64, R, sub64, smull32, umull32 } from './u64.js';
import { commit, commitUpper, getS, getU, saturate, setT, setT64, T, T8 } from './simd-lanes.js';
import { absNeg64, accumulate64, doubledProduct64, doublingHigh, narrow64, shiftElement, shiftElement64, sqadd64 } from './simd-sat.js';

const TWO32 = 4294967296;

// ------------------------------------------------------------------ three same

function polyMul8(a: number, b: number): number {
  let r = 0;
  for (let k = 0; k < 8; k++) if ((b >>> k) & 1) r ^= a << k;
  return r & 0xff;
}

/** SSHL/USHL of one element (esize bits, a signed or unsigned): shift by the signed byte sh. */
function shiftBy(a: number, sh: number, esize: number, unsigned: boolean): number {
  if (sh >= 0) return sh >= esize ? 0 : esize === 32 ? a << sh : a * (1 << sh);
  const r = -sh;
  if (unsigned) return r >= esize ? 0 : esize === 32 ? a >>> r : a >> r;
  return a >> (r >= esize ? 31 : r);
}

/** One integer three-same operation on elements a, b (already signed or unsigned as U says), d = Vd's element. */
function sameOp(fp: FpState, opcode: number, u: number, size: number, a: number, b: number, d: number): number {
  switch (opcode) {
    case 0:
      return Math.floor((a + b) / 2);
    case 1:
      return saturate(fp, a + b, size, u === 1);
    case 2:
      return Math.floor((a + b + 1) / 2);
    case 4:
      return Math.floor((a - b) / 2);
    case 5:
      return saturate(fp, a - b, size, u === 1);
    case 6:
      return a > b ? -1 : 0;
    case 7:
      return a >= b ? -1 : 0;
    case 8:
      return shiftBy(a, (b << 24) >> 24, 8 << size, u === 1);
    case 9: // SQSHL/UQSHL (register)
    case 10: // SRSHL/URSHL
    case 11: // SQRSHL/UQRSHL
      return shiftElement(fp, a, (b << 24) >> 24, size, u === 1, opcode !== 9, opcode !== 10);
    case 12:
    case 20:
      return a > b ? a : b;
    case 13:
    case 21:
      return a < b ? a : b;
    case 14:
      return Math.abs(a - b);
    case 15:
      return d + Math.abs(a - b);
    case 16:
      return u ? a - b : a + b;
    case 17:
      return u ? (a === b ? -1 : 0) : (a & b) !== 0 ? -1 : 0;
    case 18:
      return size === 2 ? (u ? d - Math.imul(a, b) : d + Math.imul(a, b)) : u ? d - a * b : d + a * b;
    case 19:
      return u ? polyMul8(a, b) : size === 2 ? Math.imul(a, b) : a * b;
    default:
      // 23: ADDP
      return a + b;
  }
}

/** Signedness of the operands of a three-same opcode: the U bit for the ordered ones, else unsigned. */
function signedOperands(opcode: number, u: number): boolean {
  if (u === 1) return false;
  return opcode <= 15 || opcode === 20 || opcode === 21;
}

/** Integer three same, vector (bytes 8 or 16) or scalar (64-bit: bytes = 8, one element). */
export function intThreeSame(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 11) & 31;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const bytes = scalarForm ? (size === 3 ? 8 : 1 << size) : 8 << q;
  if (opcode === 3) return logic(fp, u, size, n, m, d, bytes);
  if (size === 3) return same64(fp, opcode, u, n, m, d, bytes);
  if (opcode === 16) return addSubWords(fp, u === 1, size, n, m, d, bytes);
  const els = bytes >> size;
  const signed = signedOperands(opcode, u);
  const pairwise = opcode === 20 || opcode === 21 || opcode === 23;
  const half = els >> 1;
  for (let e = 0; e < els; e++) {
    let ra = n;
    let ea = e;
    let rb = m;
    let eb = e;
    if (pairwise) {
      ra = rb = e < half ? n : m;
      ea = 2 * (e < half ? e : e - half);
      eb = ea + 1;
    }
    const x = signed ? getS(fp, size, ra, ea) : getU(fp, size, ra, ea);
    const y = signed ? getS(fp, size, rb, eb) : getU(fp, size, rb, eb);
    setT(size, e, sameOp(fp, opcode, u, size, x, y, getU(fp, size, d, e)));
  }
  commit(fp, d, bytes);
}

/**
 * ADD/SUB of 8-, 16- or 32-bit lanes a word at a time (SWAR: the lanes' top bits are added
 * separately so that no carry crosses a lane boundary).
 */
function addSubWords(fp: FpState, sub: boolean, size: number, n: number, m: number, d: number, bytes: number): void {
  const v = fp.v;
  const hi = size === 0 ? 0x80808080 | 0 : 0x80008000 | 0;
  const lo = ~hi;
  for (let k = 0; k < bytes >> 2; k++) {
    const a = v[4 * n + k];
    const b = v[4 * m + k];
    if (size === 2) T[k] = sub ? (a - b) | 0 : (a + b) | 0;
    else if (sub) T[k] = ((a | hi) - (b & lo)) ^ ((a ^ ~b) & hi);
    else T[k] = ((a & lo) + (b & lo)) ^ ((a ^ b) & hi);
  }
  commit(fp, d, bytes);
}

/** AND, BIC, ORR, ORN (U = 0) and EOR, BSL, BIT, BIF (U = 1) by size field, on whole words. */
function logic(fp: FpState, u: number, op: number, n: number, m: number, d: number, bytes: number): void {
  const v = fp.v;
  for (let k = 0; k < bytes >> 2; k++) {
    const a = v[4 * n + k];
    const c = v[4 * m + k];
    const x = v[4 * d + k];
    let r: number;
    if (u === 0) r = op === 0 ? a & c : op === 1 ? a & ~c : op === 2 ? a | c : a | ~c;
    else r = op === 0 ? a ^ c : op === 1 ? (x & a) | (~x & c) : op === 2 ? (x & ~c) | (a & c) : (x & c) | (a & ~c);
    T[k] = r;
  }
  commit(fp, d, bytes);
}

/** Signed (or unsigned) 64-bit a > b, a >= b. */
function gt64(al: number, ah: number, bl: number, bh: number, unsigned: boolean): boolean {
  if (ah !== bh) return unsigned ? ah >>> 0 > bh >>> 0 : ah > bh;
  return al >>> 0 > bl >>> 0;
}

/** 64-bit element forms: ADD/SUB, CMxx, CMTST, ADDP, SSHL/USHL, saturating add/sub. */
function same64(fp: FpState, opcode: number, u: number, n: number, m: number, d: number, bytes: number): void {
  const v = fp.v;
  const els = bytes >> 3;
  for (let e = 0; e < els; e++) {
    let wa = 4 * n + 2 * e;
    let wb = 4 * m + 2 * e;
    if (opcode === 23) {
      wa = 4 * (e === 0 ? n : m);
      wb = wa + 2;
    }
    const al = v[wa];
    const ah = v[wa + 1];
    const bl = v[wb];
    const bh = v[wb + 1];
    let rl = 0;
    let rh = 0;
    switch (opcode) {
      case 16:
      case 23:
        if (u && opcode === 16) sub64(al, ah, bl, bh);
        else add64(al, ah, bl, bh);
        rl = R[0];
        rh = R[1];
        break;
      case 6:
      case 7:
      case 17: {
        const eq = al === bl && ah === bh;
        const t = opcode === 17 ? (u ? eq : (al & bl) !== 0 || (ah & bh) !== 0) : gt64(al, ah, bl, bh, u === 1) || (opcode === 7 && eq);
        rl = rh = t ? -1 : 0;
        break;
      }
      case 9:
      case 10:
      case 11:
        shiftElement64(fp, al, ah, (bl << 24) >> 24, u === 1, opcode !== 9, opcode !== 10);
        rl = R[0];
        rh = R[1];
        break;
      case 8: {
        const sh = (bl << 24) >> 24;
        if (sh >= 64 || (u === 1 && sh <= -64)) rl = rh = 0;
        else if (sh <= -64) rl = rh = ah >> 31;
        else {
          if (sh >= 0) lsl64(al, ah, sh);
          else if (u) lsr64(al, ah, -sh);
          else asr64(al, ah, -sh);
          rl = R[0];
          rh = R[1];
        }
        break;
      }
      default: {
        // 1 SQADD/UQADD, 5 SQSUB/UQSUB
        if (opcode === 1) add64(al, ah, bl, bh);
        else sub64(al, ah, bl, bh);
        rl = R[0];
        rh = R[1];
        let over: number;
        if (u) {
          // unsigned: carry out of an add, borrow of a sub
          over = opcode === 1 ? (gt64(al, ah, rl, rh, true) ? 1 : 0) : gt64(bl, bh, al, ah, true) ? -1 : 0;
        } else {
          const sa = ah >>> 31;
          const sb = (opcode === 1 ? bh : ~bh) >>> 31;
          over = sa === sb && rh >>> 31 !== sa ? (sa ? -1 : 1) : 0;
        }
        if (over !== 0) {
          fp.fpsr |= 1 << 27;
          if (u) rl = rh = over > 0 ? -1 : 0;
          else {
            rl = over > 0 ? -1 : 0;
            rh = over > 0 ? 0x7fffffff : 0x80000000 | 0;
          }
        }
      }
    }
    T[2 * e] = rl;
    T[2 * e + 1] = rh;
  }
  commit(fp, d, bytes);
}

// ------------------------------------------------------------------ two-register misc

export function intMisc(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 12) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const bytes = scalarForm ? (size === 3 ? 8 : 1 << size) : 8 << q;
  switch (opcode) {
    case 3: // SUQADD (U = 0) / USQADD
    case 7: {
      // SQABS (U = 0) / SQNEG
      const v = fp.v;
      for (let e = 0; e < bytes >> size; e++) {
        if (size === 3) {
          const w = 4 * n + 2 * e;
          const wd = 4 * d + 2 * e;
          if (opcode === 7) absNeg64(fp, v[w], v[w + 1], u === 1);
          else accumulate64(fp, v[wd], v[wd + 1], v[w], v[w + 1], u === 0);
          T[2 * e] = R[0];
          T[2 * e + 1] = R[1];
          continue;
        }
        let r: number;
        if (opcode === 7) {
          const x = getS(fp, size, n, e);
          r = saturate(fp, u ? -x : Math.abs(x), size, false);
        } else if (u === 0) r = saturate(fp, getS(fp, size, d, e) + getU(fp, size, n, e), size, false);
        else r = saturate(fp, getU(fp, size, d, e) + getS(fp, size, n, e), size, true);
        setT(size, e, r);
      }
      return commit(fp, d, bytes);
    }
    case 0:
    case 1: {
      // REV64 (U0, op 0), REV32 (U1, op 0), REV16 (op 1): reverse elements within containers
      const cb = opcode === 1 ? 2 : u ? 4 : 8;
      const eb = 1 << size;
      const base = 16 * n;
      for (let i = 0; i < bytes; i++) {
        const c = i - (i % cb);
        const o = i % cb;
        const el = Math.floor(o / eb);
        T8[c + (cb / eb - 1 - el) * eb + (o % eb)] = fp.u8[base + i];
      }
      return commit(fp, d, bytes);
    }
    case 2:
    case 6: {
      // [SU]ADDLP, [SU]ADALP: pairwise add long (and accumulate)
      const els = bytes >> (size + 1);
      for (let e = 0; e < els; e++) {
        const x = u ? getU(fp, size, n, 2 * e) + getU(fp, size, n, 2 * e + 1) : getS(fp, size, n, 2 * e) + getS(fp, size, n, 2 * e + 1);
        if (size === 2) {
          const hi = Math.floor(x / TWO32);
          if (opcode === 6) add64(fp.v[4 * d + 2 * e], fp.v[4 * d + 2 * e + 1], (x - hi * TWO32) | 0, hi | 0);
          else {
            R[0] = (x - hi * TWO32) | 0;
            R[1] = hi | 0;
          }
          T[2 * e] = R[0];
          T[2 * e + 1] = R[1];
        } else setT(size + 1, e, opcode === 6 ? getU(fp, size + 1, d, e) + x : x);
      }
      return commit(fp, d, bytes);
    }
    case 4: {
      const els = bytes >> size;
      const esize = 8 << size;
      for (let e = 0; e < els; e++) {
        const x = getS(fp, size, n, e);
        // CLZ counts from the element's top bit; CLS counts the bits equal to the sign below it
        const r = u ? Math.clz32(x & (esize === 32 ? -1 : (1 << esize) - 1)) - (32 - esize) : Math.clz32(x ^ (x >> 31)) - (32 - esize) - 1;
        setT(size, e, r);
      }
      return commit(fp, d, bytes);
    }
    case 5:
      for (let i = 0; i < bytes; i++) {
        let x = fp.u8[16 * n + i];
        if (u === 0) {
          // CNT
          x = x - ((x >>> 1) & 0x55);
          x = (x & 0x33) + ((x >>> 2) & 0x33);
          x = (x + (x >>> 4)) & 0x0f;
        } else if (size === 0) x = ~x;
        else {
          // RBIT (bytes)
          x = ((x & 0xf0) >>> 4) | ((x & 0x0f) << 4);
          x = ((x & 0xcc) >>> 2) | ((x & 0x33) << 2);
          x = ((x & 0xaa) >>> 1) | ((x & 0x55) << 1);
        }
        T8[i] = x;
      }
      return commit(fp, d, bytes);
    case 18:
    case 20:
      return narrow(fp, opcode, u, size, n, d, q, scalarForm);
    case 19: {
      // SHLL/SHLL2: widen and shift left by the element size
      const els = 8 >> size;
      const off = q ? els : 0;
      for (let e = 0; e < els; e++) {
        const x = getU(fp, size, n, off + e);
        if (size === 2) {
          T[2 * e] = 0;
          T[2 * e + 1] = x;
        } else setT(size + 1, e, x << (8 << size));
      }
      return commit(fp, d, 16);
    }
    default:
      return compareZeroAbsNeg(fp, opcode, u, size, n, d, bytes);
  }
}

/** CMGT/CMGE/CMEQ/CMLE/CMLT #0, ABS, NEG. */
function compareZeroAbsNeg(fp: FpState, opcode: number, u: number, size: number, n: number, d: number, bytes: number): void {
  if (size === 3) {
    const v = fp.v;
    for (let e = 0; e < bytes >> 3; e++) {
      const l = v[4 * n + 2 * e];
      const h = v[4 * n + 2 * e + 1];
      const neg = h < 0;
      const zero = (l | h) === 0;
      let rl: number;
      let rh: number;
      if (opcode === 11) {
        if (u === 1 || neg) sub64(0, 0, l, h);
        else add64(l, h, 0, 0);
        rl = R[0];
        rh = R[1];
      } else {
        const t = opcode === 8 ? (u ? !neg : !neg && !zero) : opcode === 9 ? (u ? neg || zero : zero) : neg;
        rl = rh = t ? -1 : 0;
      }
      T[2 * e] = rl;
      T[2 * e + 1] = rh;
    }
    return commit(fp, d, bytes);
  }
  const els = bytes >> size;
  for (let e = 0; e < els; e++) {
    const x = getS(fp, size, n, e);
    let r: number;
    if (opcode === 8) r = u ? (x >= 0 ? -1 : 0) : x > 0 ? -1 : 0;
    else if (opcode === 9) r = u ? (x <= 0 ? -1 : 0) : x === 0 ? -1 : 0;
    else if (opcode === 10) r = x < 0 ? -1 : 0;
    else r = u ? -x : Math.abs(x);
    setT(size, e, r);
  }
  commit(fp, d, bytes);
}

/** XTN/XTN2, SQXTN, UQXTN, SQXTUN: narrow the 2 * esize elements of Vn. */
function narrow(fp: FpState, opcode: number, u: number, size: number, n: number, d: number, q: number, scalarForm: boolean): void {
  const els = scalarForm ? 1 : 8 >> size;
  const v = fp.v;
  T[0] = T[1] = 0;
  for (let e = 0; e < els; e++) {
    let x: number;
    if (size === 2) {
      const l = v[4 * n + 2 * e];
      const h = v[4 * n + 2 * e + 1];
      // as an exact-enough number for saturation: only whether it fits matters
      const signedSrc = !(opcode === 20 && u === 1);
      x = signedSrc ? h * TWO32 + (l >>> 0) : (h >>> 0) * TWO32 + (l >>> 0);
      if (opcode === 18 && u === 0) x = l;
    } else {
      const signedSrc = !(opcode === 20 && u === 1);
      x = signedSrc ? getS(fp, size + 1, n, e) : getU(fp, size + 1, n, e);
    }
    if (opcode === 18 && u === 1) x = saturate(fp, x, size, true); // SQXTUN
    else if (opcode === 20) x = saturate(fp, x, size, u === 1);
    setT(size, e, x);
  }
  if (scalarForm) commit(fp, d, 1 << size);
  else if (q) commitUpper(fp, d);
  else commit(fp, d, 8);
}

// ------------------------------------------------------------------ across lanes

/** ADDV, [SU]ADDLV, [SU]MAXV, [SU]MINV (integer; FP ones are in simd-fp.ts). */
export function intAcross(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 12) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const els = (8 << q) >> size;
  const signed = u === 0 && opcode !== 27;
  let acc = signed ? getS(fp, size, n, 0) : getU(fp, size, n, 0);
  for (let e = 1; e < els; e++) {
    const x = signed ? getS(fp, size, n, e) : getU(fp, size, n, e);
    if (opcode === 10) acc = x > acc ? x : acc;
    else if (opcode === 26) acc = x < acc ? x : acc;
    else acc += x;
  }
  T[0] = T[1] = T[2] = T[3] = 0;
  if (opcode === 3) {
    // the long sum is one element of twice the size
    if (size === 2) setT64(0, acc);
    else setT(size + 1, 0, acc);
    return commit(fp, d, 2 << size);
  }
  setT(size, 0, acc);
  commit(fp, d, 1 << size);
}

// ------------------------------------------------------------------ shift by immediate

/** The element size (log2 bytes) immh gives: its highest set bit. */
export function immhSize(immh: number): number {
  return 31 - Math.clz32(immh);
}

/** Shift right of one element up to 32 bits by sh (1..esize), rounding when asked (adds the last bit shifted out). */
function shr(x: number, sh: number, esize: number, unsigned: boolean, round: boolean): number {
  const r = sh >= esize ? (unsigned ? 0 : x < 0 ? -1 : 0) : unsigned ? Math.floor(x / Math.pow(2, sh)) : Math.floor(x / Math.pow(2, sh));
  if (!round) return r;
  const bit = Math.floor(x / Math.pow(2, sh - 1)) & 1;
  return r + bit;
}

/** 64-bit shift right by sh (1..64) with optional rounding, into R. */
function shr64(l: number, h: number, sh: number, unsigned: boolean, round: boolean): void {
  let bit = 0;
  if (round) {
    if (sh - 1 < 32) bit = (l >>> (sh - 1)) & 1;
    else bit = (h >>> (sh - 33)) & 1;
  }
  if (sh >= 64) {
    R[0] = R[1] = unsigned ? 0 : h >> 31;
  } else if (unsigned) lsr64(l, h, sh);
  else asr64(l, h, sh);
  if (bit) add64(R[0], R[1], 1, 0);
}

/** SSHR/USHR/SSRA/USRA/SRSHR/URSHR/SRSRA/URSRA/SHL/SLI/SRI, SHRN/RSHRN, SSHLL/USHLL (vector or scalar). */
export function intShift(cpu: A64Cpu, b: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const immh = (b >>> 19) & 15;
  const immhb = (b >>> 16) & 127;
  const opcode = (b >>> 11) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const size = immhSize(immh);
  const esize = 8 << size;
  const bytes = scalarForm ? 8 : 8 << q;
  const v = fp.v;
  if ((opcode >= 18 && opcode <= 19) || ((opcode === 16 || opcode === 17) && u === 1)) {
    return saturatingNarrowShift(fp, opcode, u, size, n, d, q, scalarForm, 2 * esize - immhb);
  }
  if (opcode === 12 || opcode === 14) {
    // SQSHL/UQSHL (immediate), SQSHLU: saturating left shifts
    const sh = immhb - esize;
    const dstUnsigned = u === 1;
    const srcUnsigned = u === 1 && opcode === 14;
    for (let e = 0; e < (scalarForm ? 1 : bytes >> size); e++) {
      if (size === 3) {
        const w = 4 * n + 2 * e;
        if (!srcUnsigned && dstUnsigned && v[w + 1] < 0) {
          fp.fpsr |= 1 << 27; // SQSHLU of a negative value
          T[2 * e] = T[2 * e + 1] = 0;
          continue;
        }
        shiftElement64(fp, v[w], v[w + 1], sh, dstUnsigned, false, true);
        T[2 * e] = R[0];
        T[2 * e + 1] = R[1];
      } else setT(size, e, shiftElement(fp, srcUnsigned ? getU(fp, size, n, e) : getS(fp, size, n, e), sh, size, dstUnsigned, false, true));
    }
    return commit(fp, d, scalarForm ? (size === 3 ? 8 : 1 << size) : bytes);
  }
  if (opcode === 16 || opcode === 17) {
    // SHRN/RSHRN: elements of 2 * esize from Vn, shifted right by 1..esize, truncated
    const sh = 2 * esize - immhb;
    const els = 8 >> size;
    T[0] = T[1] = 0;
    for (let e = 0; e < els; e++) {
      if (size === 2) {
        shr64(v[4 * n + 2 * e], v[4 * n + 2 * e + 1], sh, true, opcode === 17);
        T[e] = R[0];
      } else setT(size, e, shr(getU(fp, size + 1, n, e), sh, 2 * esize, true, opcode === 17));
    }
    if (q) return commitUpper(fp, d);
    return commit(fp, d, 8);
  }
  if (opcode === 20) {
    // SSHLL/USHLL (UXTL/SXTL with shift 0): widen the lower or upper half, shift left
    const sh = immhb - esize;
    const els = 8 >> size;
    const off = q ? els : 0;
    for (let e = 0; e < els; e++) {
      const x = u ? getU(fp, size, n, off + e) : getS(fp, size, n, off + e);
      if (size === 2) {
        lsl64(x, u ? 0 : x >> 31, sh);
        T[2 * e] = R[0];
        T[2 * e + 1] = R[1];
      } else setT(size + 1, e, x * (1 << sh));
    }
    return commit(fp, d, 16);
  }
  const right = opcode !== 10; // SHL/SLI (opcode 01010) shift left
  const sh = right ? 2 * esize - immhb : immhb - esize;
  const accumulate = opcode === 2 || opcode === 6;
  const round = opcode === 4 || opcode === 6;
  const unsigned = u === 1;
  if (size === 3) {
    for (let e = 0; e < bytes >> 3; e++) {
      const w = 4 * n + 2 * e;
      const wd = 4 * d + 2 * e;
      const l = v[w];
      const h = v[w + 1];
      if (opcode === 10) {
        lsl64(l, h, sh);
        if (u) {
          // SLI: keep the low sh bits of Vd
          const ml = sh >= 32 ? -1 : (1 << sh) - 1;
          const mh = sh >= 32 ? (sh === 32 ? 0 : (1 << (sh - 32)) - 1) : 0;
          R[0] |= v[wd] & ml;
          R[1] |= v[wd + 1] & mh;
        }
      } else if (opcode === 8) {
        // SRI: keep the top sh bits of Vd
        shr64(l, h, sh, true, false);
        if (sh < 64) {
          lsr64(-1, -1, sh);
          const ml = R[0];
          const mh = R[1];
          shr64(l, h, sh, true, false);
          R[0] |= v[wd] & ~ml;
          R[1] |= v[wd + 1] & ~mh;
        } else {
          R[0] = v[wd];
          R[1] = v[wd + 1];
        }
      } else {
        shr64(l, h, sh, unsigned, round);
        if (accumulate) add64(R[0], R[1], v[wd], v[wd + 1]);
      }
      T[2 * e] = R[0];
      T[2 * e + 1] = R[1];
    }
    return commit(fp, d, bytes);
  }
  const els = bytes >> size;
  const emask = esize === 32 ? -1 : (1 << esize) - 1;
  for (let e = 0; e < els; e++) {
    const x = unsigned || opcode === 10 || opcode === 8 ? getU(fp, size, n, e) : getS(fp, size, n, e);
    const old = getU(fp, size, d, e);
    let r: number;
    if (opcode === 10) {
      r = esize === 32 ? x << sh : x * (1 << sh);
      if (u) r = (r & (emask & ~((1 << sh) - 1 + 0))) | (old & ((1 << sh) - 1)); // SLI
    } else if (opcode === 8) {
      // SRI
      const keep = sh >= esize ? emask : ~(emask >>> sh) & emask;
      r = (sh >= esize ? 0 : x >>> sh) | (old & keep);
    } else {
      r = shr(x, sh, esize, unsigned, round);
      if (accumulate) r += old;
    }
    setT(size, e, r);
  }
  commit(fp, d, bytes);
}

// ------------------------------------------------------------------ three different (long, wide, narrow-high)

/** [SU]ADDL, [SU]ADDW, [SU]SUBL, [SU]SUBW, [R]ADDHN, [R]SUBHN, [SU]ABAL, [SU]ABDL, [SU]MLAL, [SU]MLSL, [SU]MULL, PMULL (8-bit). */
export function intThreeDiff(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 12) & 15;
  const m = (b >>> 16) & 31;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const els = 8 >> size;
  const off = q ? els : 0;
  const v = fp.v;
  if (opcode === 4 || opcode === 6) {
    // ADDHN/SUBHN (U = 1: rounding): the high half of wide sums, narrowed
    T[0] = T[1] = 0;
    const esize = 8 << size;
    for (let e = 0; e < els; e++) {
      if (size === 2) {
        const wn = 4 * n + 2 * e;
        const wm = 4 * m + 2 * e;
        if (opcode === 4) add64(v[wn], v[wn + 1], v[wm], v[wm + 1]);
        else sub64(v[wn], v[wn + 1], v[wm], v[wm + 1]);
        if (u) add64(R[0], R[1], 0x80000000 | 0, 0);
        T[e] = R[1];
      } else {
        let x = opcode === 4 ? getU(fp, size + 1, n, e) + getU(fp, size + 1, m, e) : getU(fp, size + 1, n, e) - getU(fp, size + 1, m, e);
        if (u) x += 1 << (esize - 1);
        setT(size, e, Math.floor(x / Math.pow(2, esize)));
      }
    }
    if (q) return commitUpper(fp, d);
    return commit(fp, d, 8);
  }
  const wideN = opcode === 1 || opcode === 3;
  // PMULL (opcode 14, U = 0) is carry-less: unsigned operands
  const uns = u === 1 || opcode === 14;
  for (let e = 0; e < els; e++) {
    const y = uns ? getU(fp, size, m, off + e) : getS(fp, size, m, off + e);
    if (size === 2) {
      // 64-bit results
      let pl: number;
      let ph: number;
      if (opcode >= 8 || opcode === 14) {
        if (u) umull32(getU(fp, 2, n, off + e), y);
        else smull32(getS(fp, 2, n, off + e), y);
        pl = R[0];
        ph = R[1];
      } else if (wideN) {
        const wn = 4 * n + 2 * e;
        if (opcode === 1) add64(v[wn], v[wn + 1], y | 0, u ? 0 : y >> 31);
        else sub64(v[wn], v[wn + 1], y | 0, u ? 0 : y >> 31);
        pl = R[0];
        ph = R[1];
      } else {
        const x = u ? getU(fp, 2, n, off + e) : getS(fp, 2, n, off + e);
        const r = opcode === 0 ? x + y : opcode === 2 ? x - y : Math.abs(x - y);
        const hi = Math.floor(r / TWO32);
        pl = (r - hi * TWO32) | 0;
        ph = hi | 0;
      }
      const wd = 4 * d + 2 * e;
      if (opcode === 5 || opcode === 8) add64(v[wd], v[wd + 1], pl, ph);
      else if (opcode === 10) sub64(v[wd], v[wd + 1], pl, ph);
      else {
        R[0] = pl;
        R[1] = ph;
      }
      T[2 * e] = R[0];
      T[2 * e + 1] = R[1];
      continue;
    }
    const x = wideN ? (uns ? getU(fp, size + 1, n, e) : getS(fp, size + 1, n, e)) : uns ? getU(fp, size, n, off + e) : getS(fp, size, n, off + e);
    const acc = getU(fp, size + 1, d, e);
    let r: number;
    switch (opcode) {
      case 0:
      case 1:
        r = x + y;
        break;
      case 2:
      case 3:
        r = x - y;
        break;
      case 5:
        r = acc + Math.abs(x - y);
        break;
      case 7:
        r = Math.abs(x - y);
        break;
      case 8:
        r = acc + x * y;
        break;
      case 10:
        r = acc - x * y;
        break;
      case 12:
        r = x * y;
        break;
      default: {
        // PMULL (8-bit polynomial, 16-bit result)
        r = 0;
        for (let k = 0; k < 8; k++) if ((y >>> k) & 1) r ^= x << k;
      }
    }
    setT(size + 1, e, r);
  }
  commit(fp, d, 16);
}

// ------------------------------------------------------------------ by element

/** MUL/MLA/MLS and [SU]MULL/[SU]MLAL/[SU]MLSL (by element); size 1 or 2. */
export function intByElement(cpu: A64Cpu, b: number): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const opcode = (b >>> 12) & 15;
  const h = (b >>> 11) & 1;
  const l = (b >>> 21) & 1;
  const mBit = (b >>> 20) & 1;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  const m = size === 1 ? (b >>> 16) & 15 : ((b >>> 16) & 15) | (mBit << 4);
  const index = size === 1 ? (h << 2) | (l << 1) | mBit : (h << 1) | l;
  const long = opcode === 2 || opcode === 6 || opcode === 10;
  if (!long) {
    const bytes = 8 << q;
    const y = getU(fp, size, m, index);
    for (let e = 0; e < bytes >> size; e++) {
      const x = getU(fp, size, n, e);
      const p = size === 2 ? Math.imul(x, y) : x * y;
      const acc = getU(fp, size, d, e);
      setT(size, e, opcode === 8 ? p : opcode === 0 ? acc + p : acc - p);
    }
    return commit(fp, d, bytes);
  }
  const els = 8 >> size;
  const off = q ? els : 0;
  const v = fp.v;
  const y = u ? getU(fp, size, m, index) : getS(fp, size, m, index);
  for (let e = 0; e < els; e++) {
    const x = u ? getU(fp, size, n, off + e) : getS(fp, size, n, off + e);
    if (size === 2) {
      if (u) umull32(x, y);
      else smull32(x, y);
      const wd = 4 * d + 2 * e;
      if (opcode === 2) add64(v[wd], v[wd + 1], R[0], R[1]);
      else if (opcode === 6) sub64(v[wd], v[wd + 1], R[0], R[1]);
      T[2 * e] = R[0];
      T[2 * e + 1] = R[1];
    } else {
      const acc = getU(fp, 2, d, e);
      setT(2, e, opcode === 10 ? x * y : opcode === 2 ? acc + x * y : acc - x * y);
    }
  }
  commit(fp, d, 16);
}

/**
 * SQSHRN/UQSHRN (18), SQRSHRN/UQRSHRN (19), SQSHRUN (16, U = 1), SQRSHRUN (17, U = 1): elements
 * of 2 * esize shifted right by sh (rounding for the R forms) and saturated to esize.
 */
function saturatingNarrowShift(fp: FpState, opcode: number, u: number, size: number, n: number, d: number, q: number, scalarForm: boolean, sh: number): void {
  const round = (opcode & 1) === 1;
  const srcUnsigned = opcode >= 18 && u === 1;
  const dstUnsigned = u === 1;
  const els = scalarForm ? 1 : 8 >> size;
  const v = fp.v;
  T[0] = T[1] = 0;
  for (let e = 0; e < els; e++) {
    if (size === 2) {
      shiftElement64(fp, v[4 * n + 2 * e], v[4 * n + 2 * e + 1], -sh, srcUnsigned, round, false);
      T[e] = narrow64(fp, R[0], R[1], srcUnsigned, dstUnsigned);
    } else {
      const x = srcUnsigned ? getU(fp, size + 1, n, e) : getS(fp, size + 1, n, e);
      setT(size, e, saturate(fp, shiftElement(fp, x, -sh, size + 1, srcUnsigned, round, false), size, dstUnsigned));
    }
  }
  if (scalarForm) commit(fp, d, 1 << size);
  else if (q) commitUpper(fp, d);
  else commit(fp, d, 8);
}

/**
 * The signed saturating doubling multiplies: SQDMULH/SQRDMULH (three same, by element), SQDMULL/
 * SQDMLAL/SQDMLSL (three different, by element), vector or scalar; elements of 16 or 32 bits.
 * `form`: 0 three same, 1 three different, 2 by element.
 */
export function intDoubling(cpu: A64Cpu, b: number, form: number, scalarForm: boolean): void {
  const fp = cpu.fp;
  const q = (b >>> 30) & 1;
  const u = (b >>> 29) & 1;
  const size = (b >>> 22) & 3;
  const n = (b >>> 5) & 31;
  const d = b & 31;
  let m = (b >>> 16) & 31;
  let index = -1;
  let opcode: number;
  if (form === 2) {
    const h = (b >>> 11) & 1;
    const l = (b >>> 21) & 1;
    const mBit = (b >>> 20) & 1;
    opcode = (b >>> 12) & 15;
    if (size === 1) {
      m &= 15;
      index = (h << 2) | (l << 1) | mBit;
    } else index = (h << 1) | l;
  } else opcode = form === 0 ? 22 : (b >>> 12) & 15;
  const high = form === 0 || (form === 2 && (opcode === 12 || opcode === 13));
  if (high) {
    // SQDMULH (U = 0 / by-element opcode 12), SQRDMULH (U = 1 / opcode 13)
    const round = form === 0 ? u === 1 : opcode === 13;
    const bytes = scalarForm ? 1 << size : 8 << q;
    const y0 = index >= 0 ? getS(fp, size, m, index) : 0;
    for (let e = 0; e < bytes >> size; e++) {
      const y = index >= 0 ? y0 : getS(fp, size, m, e);
      setT(size, e, doublingHigh(fp, getS(fp, size, n, e), y, size, round));
    }
    return commit(fp, d, bytes);
  }
  // long forms: 9/3 SQDMLAL, 11/7 SQDMLSL, 13/11 SQDMULL (three different / by element)
  const acc = form === 1 ? (opcode === 9 ? 1 : opcode === 11 ? -1 : 0) : opcode === 3 ? 1 : opcode === 7 ? -1 : 0;
  const els = scalarForm ? 1 : 8 >> size;
  const off = scalarForm ? 0 : q * els;
  const v = fp.v;
  for (let e = 0; e < els; e++) {
    const x = getS(fp, size, n, off + e);
    const y = index >= 0 ? getS(fp, size, m, index) : getS(fp, size, m, off + e);
    if (size === 1) {
      let r = saturate(fp, 2 * x * y, 2, false);
      if (acc !== 0) r = saturate(fp, getS(fp, 2, d, e) + acc * r, 2, false);
      setT(2, e, r);
      continue;
    }
    doubledProduct64(fp, x, y);
    let pl = R[0];
    let ph = R[1];
    if (acc !== 0) {
      if (acc < 0) {
        // the saturated product is above -2^63, so its negation is exact
        sub64(0, 0, pl, ph);
        pl = R[0];
        ph = R[1];
      }
      const wd = 4 * d + 2 * e;
      sqadd64(fp, v[wd], v[wd + 1], pl, ph);
      pl = R[0];
      ph = R[1];
    }
    T[2 * e] = pl;
    T[2 * e + 1] = ph;
  }
  commit(fp, d, scalarForm ? 2 << size : 16);
}
