/**
 * SHA1C/SHA1P/SHA1M/SHA1H/SHA1SU0/SHA1SU1 and SHA256H/SHA256H2/SHA256SU0/SHA256SU1 (Arm ARM C7.2,
 * shared pseudocode SHA1 and SHA256 hash functions: SHAchoose, SHAparity, SHAmajority,
 * SHAhashSIGMA0/1, SHA256hash). Registers are read into locals first (Vd may be Vn or Vm) and the
 * 128-bit result written word by word; 32-bit arithmetic wraps through `| 0`.
 */
import type { FpState } from './fp-state.js';

const rol = (x: number, k: number) => (x << k) | (x >>> (32 - k));
const ror = (x: number, k: number) => (x >>> k) | (x << (32 - k));

function put(v: Int32Array, d: number, w0: number, w1: number, w2: number, w3: number): void {
  v[d] = w0;
  v[d + 1] = w1;
  v[d + 2] = w2;
  v[d + 3] = w3;
}

/** Crypto three-register SHA: 0101 1110 00 0 Rm 0 opcode 00 Rn Rd (opcode 0-6). */
export function executeSha3(fp: FpState, b: number): void {
  const v = fp.v;
  const opcode = (b >>> 12) & 7;
  const m = 4 * ((b >>> 16) & 31);
  const n = 4 * ((b >>> 5) & 31);
  const d = 4 * (b & 31);
  if (opcode <= 2) return sha1Hash(v, d, n, m, opcode);
  if (opcode === 3) {
    // SHA1SU0: (Vn<63:0> : Vd<127:64>) EOR Vd EOR Vm
    put(v, d, v[d + 2] ^ v[d] ^ v[m], v[d + 3] ^ v[d + 1] ^ v[m + 1], v[n] ^ v[d + 2] ^ v[m + 2], v[n + 1] ^ v[d + 3] ^ v[m + 3]);
    return;
  }
  if (opcode === 4) return sha256Hash(v, d, d, n, m, true); // SHA256H: X = Vd, Y = Vn
  if (opcode === 5) return sha256Hash(v, d, n, d, m, false); // SHA256H2: X = Vn, Y = Vd
  // SHA256SU1: T0 = Vm<31:0> : Vn<127:32>, T1 = Vm<127:64>, then the result's own low half
  const t00 = v[n + 1];
  const t01 = v[n + 2];
  const t02 = v[n + 3];
  const t03 = v[m];
  const r0 = (sigma1(v[m + 2]) + v[d] + t00) | 0;
  const r1 = (sigma1(v[m + 3]) + v[d + 1] + t01) | 0;
  const r2 = (sigma1(r0) + v[d + 2] + t02) | 0;
  const r3 = (sigma1(r1) + v[d + 3] + t03) | 0;
  put(v, d, r0, r1, r2, r3);
}

/** Crypto two-register SHA: 0101 1110 00 10100 opcode 10 Rn Rd; 0 SHA1H, 1 SHA1SU1, 2 SHA256SU0. */
export function executeSha2(fp: FpState, b: number): void {
  const v = fp.v;
  const opcode = (b >>> 12) & 31;
  const n = 4 * ((b >>> 5) & 31);
  const d = 4 * (b & 31);
  if (opcode === 0) {
    // SHA1H: a scalar S result, the rest of Vd zeroed
    put(v, d, rol(v[n], 30), 0, 0, 0);
    return;
  }
  if (opcode === 1) {
    // SHA1SU1: T = Vd EOR LSR(Vn, 32); each word ROL 1, the top one also EOR ROL(T<31:0>, 2)
    const t0 = v[d] ^ v[n + 1];
    const t1 = v[d + 1] ^ v[n + 2];
    const t2 = v[d + 2] ^ v[n + 3];
    const t3 = v[d + 3];
    put(v, d, rol(t0, 1), rol(t1, 1), rol(t2, 1), rol(t3, 1) ^ rol(t0, 2));
    return;
  }
  // SHA256SU0: T = Vn<31:0> : Vd<127:32>; each word sigma0(T) + Vd
  const t0 = v[d + 1];
  const t1 = v[d + 2];
  const t2 = v[d + 3];
  const t3 = v[n];
  put(v, d, (sigma0(t0) + v[d]) | 0, (sigma0(t1) + v[d + 1]) | 0, (sigma0(t2) + v[d + 2]) | 0, (sigma0(t3) + v[d + 3]) | 0);
}

/** The message schedule's small sigmas (FIPS 180-4 4.1.2). */
function sigma0(x: number): number {
  return ror(x, 7) ^ ror(x, 18) ^ (x >>> 3);
}
function sigma1(x: number): number {
  return ror(x, 17) ^ ror(x, 19) ^ (x >>> 10);
}

/** SHA1C (choose), SHA1P (parity), SHA1M (majority): four rounds on X = Vd, Y = Sn, W = Vm. */
function sha1Hash(v: Int32Array, d: number, n: number, m: number, op: number): void {
  let x0 = v[d];
  let x1 = v[d + 1];
  let x2 = v[d + 2];
  let x3 = v[d + 3];
  let y = v[n];
  for (let e = 0; e < 4; e++) {
    const t = op === 0 ? ((x2 ^ x3) & x1) ^ x3 : op === 1 ? x1 ^ x2 ^ x3 : (x1 & x2) | ((x1 | x2) & x3);
    y = (y + rol(x0, 5) + t + v[m + e]) | 0;
    x1 = rol(x1, 30);
    // <Y, X> = ROL(Y : X, 32)
    const top = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
    x0 = y;
    y = top;
  }
  put(v, d, x0, x1, x2, x3);
}

/** SHA256hash(X, Y, W, part1): four rounds; the result is X (SHA256H) or Y (SHA256H2). */
function sha256Hash(v: Int32Array, d: number, xr: number, yr: number, m: number, part1: boolean): void {
  let x0 = v[xr];
  let x1 = v[xr + 1];
  let x2 = v[xr + 2];
  let x3 = v[xr + 3];
  let y0 = v[yr];
  let y1 = v[yr + 1];
  let y2 = v[yr + 2];
  let y3 = v[yr + 3];
  for (let e = 0; e < 4; e++) {
    const chs = ((y1 ^ y2) & y0) ^ y2;
    const maj = (x0 & x1) | ((x0 | x1) & x2);
    const bigSigma1 = ror(y0, 6) ^ ror(y0, 11) ^ ror(y0, 25);
    const bigSigma0 = ror(x0, 2) ^ ror(x0, 13) ^ ror(x0, 22);
    const t = (y3 + bigSigma1 + chs + v[m + e]) | 0;
    x3 = (t + x3) | 0;
    y3 = (t + bigSigma0 + maj) | 0;
    // <Y, X> = ROL(Y : X, 32)
    const xTop = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
    x0 = y3;
    y3 = y2;
    y2 = y1;
    y1 = y0;
    y0 = xTop;
  }
  if (part1) put(v, d, x0, x1, x2, x3);
  else put(v, d, y0, y1, y2, y3);
}
