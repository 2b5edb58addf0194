/**
 * 64-bit integer arithmetic on (lo, hi) pairs of int32, without BigInt. Results go to `R`
 * (R[0] = low word, R[1] = high word, both as int32) so that nothing is allocated.
 */
export const R = new Int32Array(2);

const TWO32 = 4294967296;

/** R = (lo, hi) << n, 0 <= n <= 63. */
export function lsl64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (n < 32) {
    R[1] = (hi << n) | (lo >>> (32 - n));
    R[0] = lo << n;
  } else {
    R[1] = lo << (n - 32);
    R[0] = 0;
  }
}

/** R = (lo, hi) >>> n (logical), 0 <= n <= 63. */
export function lsr64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (n < 32) {
    R[0] = (lo >>> n) | (hi << (32 - n));
    R[1] = hi >>> n;
  } else {
    R[0] = hi >>> (n - 32);
    R[1] = 0;
  }
}

/** R = (lo, hi) >> n (arithmetic), 0 <= n <= 63. */
export function asr64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (n < 32) {
    R[0] = (lo >>> n) | (hi << (32 - n));
    R[1] = hi >> n;
  } else {
    R[0] = hi >> (n - 32);
    R[1] = hi >> 31;
  }
}

/** R = (lo, hi) rotated right by n, 0 <= n <= 63. */
export function ror64(lo: number, hi: number, n: number): void {
  if (n === 0) {
    R[0] = lo;
    R[1] = hi;
  } else if (n < 32) {
    R[0] = (lo >>> n) | (hi << (32 - n));
    R[1] = (hi >>> n) | (lo << (32 - n));
  } else if (n === 32) {
    R[0] = hi;
    R[1] = lo;
  } else {
    const m = n - 32;
    R[0] = (hi >>> m) | (lo << (32 - m));
    R[1] = (lo >>> m) | (hi << (32 - m));
  }
}

/** 32-bit rotate right, 0 <= n <= 31. */
export function ror32(v: number, n: number): number {
  return n === 0 ? v | 0 : (v >>> n) | (v << (32 - n));
}

/** R = a + b (mod 2^64). */
export function add64(al: number, ah: number, bl: number, bh: number): void {
  const s = (al >>> 0) + (bl >>> 0);
  R[0] = s | 0;
  R[1] = (ah + bh + (s >= TWO32 ? 1 : 0)) | 0;
}

/** R = a - b (mod 2^64). */
export function sub64(al: number, ah: number, bl: number, bh: number): void {
  const d = (al >>> 0) - (bl >>> 0);
  R[0] = d | 0;
  R[1] = (ah - bh - (d < 0 ? 1 : 0)) | 0;
}

// Unsigned 32 x 32 -> 64 product, as two unsigned words (read right after): a Float64Array, not two
// module `let`s, since V8 boxes a double stored in a module variable (a new HeapNumber per store, in
// optimized code too: 20 M UMULL and MUL products in a loop took 2.2 s and 403 scavenges, now 1.0 s and 15).
const MUL = new Float64Array(2);
const LO = 0;
const HI = 1;

function umul32(a: number, b: number): void {
  a >>>= 0;
  b >>>= 0;
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const mid = a0 * b1 + a1 * b0; // < 2^33
  const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  MUL[LO] = low % TWO32;
  MUL[HI] = a1 * b1 + Math.floor(mid / 65536) + Math.floor(low / TWO32); // < 2^32
}

/** R = a * b (low 64 bits). */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  umul32(al, bl);
  R[0] = MUL[LO] | 0;
  R[1] = (MUL[HI] + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** R = high 64 bits of the unsigned 128-bit product a * b. */
export function umulh64(al: number, ah: number, bl: number, bh: number): void {
  umul32(al, bl);
  const p0hi = MUL[HI];
  umul32(al, bh);
  const p1lo = MUL[LO];
  const p1hi = MUL[HI];
  umul32(ah, bl);
  const p2lo = MUL[LO];
  const p2hi = MUL[HI];
  umul32(ah, bh);
  const w1 = p0hi + p1lo + p2lo; // < 2^34
  const w2 = p1hi + p2hi + MUL[LO] + Math.floor(w1 / TWO32);
  R[0] = w2 % TWO32 | 0;
  R[1] = (MUL[HI] + Math.floor(w2 / TWO32)) | 0;
}

/** R = high 64 bits of the signed 128-bit product a * b. */
export function smulh64(al: number, ah: number, bl: number, bh: number): void {
  umulh64(al, ah, bl, bh);
  let rl = R[0];
  let rh = R[1];
  // signed(a) * signed(b) = unsigned product - 2^64 * (a < 0 ? b : 0) - 2^64 * (b < 0 ? a : 0)
  if (ah < 0) {
    sub64(rl, rh, bl, bh);
    rl = R[0];
    rh = R[1];
  }
  if (bh < 0) {
    sub64(rl, rh, al, ah);
    rl = R[0];
    rh = R[1];
  }
  R[0] = rl;
  R[1] = rh;
}

/** R = signed 32 x 32 -> 64 product. */
export function smull32(a: number, b: number): void {
  umul32(a, b);
  let hi = MUL[HI];
  if (a < 0) hi -= b >>> 0;
  if (b < 0) hi -= a >>> 0;
  R[0] = MUL[LO] | 0;
  R[1] = hi | 0;
}

/** R = unsigned 32 x 32 -> 64 product. */
export function umull32(a: number, b: number): void {
  umul32(a, b);
  R[0] = MUL[LO] | 0;
  R[1] = MUL[HI] | 0;
}

/** R = n / d (unsigned, truncated); d = 0 gives 0 (A64 UDIV). */
export function udiv64(nl: number, nh: number, dl: number, dh: number): void {
  if ((dl | dh) === 0) {
    R[0] = R[1] = 0;
    return;
  }
  if (nh === 0 && dh === 0) {
    R[0] = Math.floor((nl >>> 0) / (dl >>> 0)) | 0;
    R[1] = 0;
    return;
  }
  // Restoring long division, one quotient bit per step; `top` is the remainder's bit 64.
  let rl = 0;
  let rh = 0;
  let ql = 0;
  let qh = 0;
  for (let i = 63; i >= 0; i--) {
    const top = rh >>> 31;
    rh = (rh << 1) | (rl >>> 31);
    rl = (rl << 1) | (i >= 32 ? (nh >>> (i - 32)) & 1 : (nl >>> i) & 1);
    if (top !== 0 || (rh >>> 0) > (dh >>> 0) || (rh === dh && (rl >>> 0) >= (dl >>> 0))) {
      const d = (rl >>> 0) - (dl >>> 0);
      rl = d | 0;
      rh = (rh - dh - (d < 0 ? 1 : 0)) | 0;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  R[0] = ql;
  R[1] = qh;
}

/** R = n / d (signed, truncated toward zero); d = 0 gives 0, INT64_MIN / -1 gives INT64_MIN. */
export function sdiv64(nl: number, nh: number, dl: number, dh: number): void {
  const neg = (nh ^ dh) < 0;
  if (nh < 0) {
    sub64(0, 0, nl, nh);
    nl = R[0];
    nh = R[1];
  }
  if (dh < 0) {
    sub64(0, 0, dl, dh);
    dl = R[0];
    dh = R[1];
  }
  udiv64(nl, nh, dl, dh);
  if (neg) sub64(0, 0, R[0], R[1]);
}

/** Count of leading zeros of a 64-bit value. */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

/** Reverses the bits of a 32-bit word. */
export function rbit32(v: number): number {
  v = ((v >>> 1) & 0x55555555) | ((v & 0x55555555) << 1);
  v = ((v >>> 2) & 0x33333333) | ((v & 0x33333333) << 2);
  v = ((v >>> 4) & 0x0f0f0f0f) | ((v & 0x0f0f0f0f) << 4);
  v = ((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8);
  return (v >>> 16) | (v << 16);
}

/** Reverses the bytes of a 32-bit word. */
export function rev32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
}

/** Swaps the bytes within each halfword of a 32-bit word. */
export function rev16(v: number): number {
  return (((v >>> 8) & 0x00ff00ff) | ((v << 8) & 0xff00ff00)) | 0;
}

/** Unsigned a < b on 64-bit values. */
export function ult64(al: number, ah: number, bl: number, bh: number): boolean {
  return ah !== bh ? ah >>> 0 < bh >>> 0 : al >>> 0 < bl >>> 0;
}

/** A 64-bit value as 16 hex digits (for messages and the TUI, never the hot path). */
export function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}
