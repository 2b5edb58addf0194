/**
 * 32-bit MUL/IMUL (64-bit product) and DIV/IDIV (64-bit dividend) on int32 words, without BigInt
 * (the hot loop allocates nothing). Results go to the module-level `R`: [low/quotient, high/remainder].
 */
export const R = new Int32Array(2);

/** EDX:EAX = a * b (unsigned, or signed when `signed`). Returns whether the high half is significant (CF/OF). */
export function mul32(a: number, b: number, signed: boolean): boolean {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff); // < 3 * 2^16
  const lo = ((mid << 16) | (ll & 0xffff)) | 0;
  let hi = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
  // Signed: the unsigned product less 2^32 * (b if a < 0) and (a if b < 0), modulo 2^64.
  if (signed) hi = (hi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
  R[0] = lo;
  R[1] = hi;
  return signed ? hi !== lo >> 31 : hi !== 0;
}

/**
 * Quotient and remainder of hi:lo / d (unsigned, or signed truncating toward zero when `signed`,
 * the remainder taking the dividend's sign). Returns false when the quotient does not fit 32 bits
 * (#DE); d must not be 0.
 */
export function div32(hi: number, lo: number, d: number, signed: boolean): boolean {
  let negQ = false;
  let negR = false;
  if (signed) {
    if (hi < 0) {
      // |dividend|: two's complement negation of the pair
      lo = -lo | 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
      negQ = negR = true;
    }
    if (d < 0) {
      d = -d | 0;
      negQ = !negQ;
    }
  }
  const du = d >>> 0;
  if (hi >>> 0 >= du) return false; // the quotient needs more than 32 bits
  let rem = hi >>> 0;
  let q = 0;
  if (rem < 0x100000) {
    // A dividend below 2^52 is an exact double, and so is the quotient's floor: the rounding error of
    // n / du (at most q * 2^-53) stays below the gap to the next integer (at least 1 / du).
    const n = rem * 0x100000000 + (lo >>> 0);
    q = Math.floor(n / du);
    rem = n - q * du;
  } else for (let i = 31; i >= 0; i--) {
    const carry = rem >>> 31;
    rem = ((rem << 1) | ((lo >>> i) & 1)) >>> 0;
    q = (q << 1) >>> 0;
    if (carry || rem >= du) {
      rem = (rem - du) >>> 0;
      q = (q | 1) >>> 0;
    }
  }
  if (signed && q > (negQ ? 0x80000000 : 0x7fffffff)) return false;
  R[0] = negQ ? -q | 0 : q | 0;
  R[1] = negR ? -rem | 0 : rem | 0;
  return true;
}
