/**
 * AESE, AESD, AESMC, AESIMC (Arm ARM C7.2, shared pseudocode AESSubBytes, AESShiftRows,
 * AESMixColumns and their inverses; FIPS-197 section 5). The 128-bit state is the register with
 * byte i = FIPS state byte in[i], that is row i % 4 of column i / 4, so an LD1 {Vn.16B} of a
 * FIPS block is the state. Tables are built once at module load from the definitions (GF(2^8)
 * inverse and affine map for the S-box); nothing is allocated per instruction.
 */
import type { FpState } from './fp-state.js';

/** xtime: multiplication by x (0x02) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
function xtime(a: number): number {
  return ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;
}

function gfMul(a: number, b: number): number {
  let r = 0;
  for (; b !== 0; b >>>= 1, a = xtime(a)) if (b & 1) r ^= a;
  return r;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
const MUL9 = new Uint8Array(256);
const MUL11 = new Uint8Array(256);
const MUL13 = new Uint8Array(256);
const MUL14 = new Uint8Array(256);
// Powers of the generator 0x03 and their logarithms: a's multiplicative inverse is 3^(255 - log a). Searching every
// c for gfMul(a, c) === 1 (32 K calls at module load) made evaluating the built arch-aarch64 8.3 ms instead of ~7.
const EXP = new Uint8Array(255);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i++, x = gfMul(x, 3)) {
  EXP[i] = x;
  LOG[x] = i;
}
for (let a = 0; a < 256; a++) {
  // multiplicative inverse (0 maps to 0), then the affine transformation of FIPS-197 5.1.1
  const inv = a === 0 ? 0 : EXP[(255 - LOG[a]) % 255];
  let s = inv;
  for (let k = 1; k <= 4; k++) s ^= ((inv << k) | (inv >>> (8 - k))) & 0xff;
  s ^= 0x63;
  SBOX[a] = s;
  INV_SBOX[s] = a;
  MUL9[a] = gfMul(a, 9);
  MUL11[a] = gfMul(a, 11);
  MUL13[a] = gfMul(a, 13);
  MUL14[a] = gfMul(a, 14);
}

/** The state being transformed (so Vd may be Vn). */
const S = new Uint8Array(16);

/** Crypto AES class: 0100 1110 0010 1000 0 opcode 10 Rn Rd; opcode 4 AESE, 5 AESD, 6 AESMC, 7 AESIMC. */
export function executeAes(fp: FpState, b: number): void {
  const opcode = (b >>> 12) & 31;
  const u8 = fp.u8;
  const n = 16 * ((b >>> 5) & 31);
  const d = 16 * (b & 31);
  if (opcode <= 5) {
    // AESE: SubBytes(ShiftRows(Vd EOR Vn)); AESD: InvSubBytes(InvShiftRows(Vd EOR Vn))
    for (let i = 0; i < 16; i++) S[i] = u8[d + i] ^ u8[n + i];
    for (let c = 0; c < 4; c++) {
      for (let r = 0; r < 4; r++) {
        const shifted = r + 4 * ((c + r) & 3);
        if (opcode === 4) u8[d + r + 4 * c] = SBOX[S[shifted]];
        else u8[d + shifted] = INV_SBOX[S[r + 4 * c]];
      }
    }
    return;
  }
  for (let i = 0; i < 16; i++) S[i] = u8[n + i];
  for (let c = 0; c < 16; c += 4) {
    const s0 = S[c];
    const s1 = S[c + 1];
    const s2 = S[c + 2];
    const s3 = S[c + 3];
    if (opcode === 6) {
      // MixColumns: the column times {03}x^3 + {01}x^2 + {01}x + {02}
      u8[d + c] = xtime(s0) ^ xtime(s1) ^ s1 ^ s2 ^ s3;
      u8[d + c + 1] = s0 ^ xtime(s1) ^ xtime(s2) ^ s2 ^ s3;
      u8[d + c + 2] = s0 ^ s1 ^ xtime(s2) ^ xtime(s3) ^ s3;
      u8[d + c + 3] = xtime(s0) ^ s0 ^ s1 ^ s2 ^ xtime(s3);
    } else {
      // InvMixColumns: times {0b}x^3 + {0d}x^2 + {09}x + {0e}
      u8[d + c] = MUL14[s0] ^ MUL11[s1] ^ MUL13[s2] ^ MUL9[s3];
      u8[d + c + 1] = MUL9[s0] ^ MUL14[s1] ^ MUL11[s2] ^ MUL13[s3];
      u8[d + c + 2] = MUL13[s0] ^ MUL9[s1] ^ MUL14[s2] ^ MUL11[s3];
      u8[d + c + 3] = MUL11[s0] ^ MUL13[s1] ^ MUL9[s2] ^ MUL14[s3];
    }
  }
}
