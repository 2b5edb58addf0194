/**
 * The Cryptographic Extension (AES, SHA1, SHA256, PMULL.64) against known answers and models: FIPS-197
 * appendix C.1 (AES-128) with the AESE/AESMC round sequence real code uses (and AESD/AESIMC with
 * the equivalent inverse cipher's keys, made by AESIMC as Linux's ce_aes_expandkey does), FIPS
 * 180 "abc" for SHA-1 and SHA-256 with the instruction sequences of Linux's sha1-ce/sha2-ce
 * cores, each SHA instruction against a BigInt model of the pseudocode (random operands, every
 * aliasing of Vd/Vn/Vm), and PMULL/PMULL2 against a BigInt carry-less product. Encodings: llvm-mc -triple=aarch64
 * -mattr=+crypto -show-encoding (the encoder below is checked against it).
 */
import { describe, expect, it } from 'vitest';
import { DATA, makeMachine, type A64Machine } from './machine.js';

const rr = (d: number, n: number, m = 0) => (m << 16) | (n << 5) | d;
const E = {
  aese: (d: number, n: number) => 0x4e284800 | rr(d, n),
  aesd: (d: number, n: number) => 0x4e285800 | rr(d, n),
  aesmc: (d: number, n: number) => 0x4e286800 | rr(d, n),
  aesimc: (d: number, n: number) => 0x4e287800 | rr(d, n),
  sha1c: (d: number, n: number, m: number) => 0x5e000000 | rr(d, n, m),
  sha1p: (d: number, n: number, m: number) => 0x5e001000 | rr(d, n, m),
  sha1m: (d: number, n: number, m: number) => 0x5e002000 | rr(d, n, m),
  sha1su0: (d: number, n: number, m: number) => 0x5e003000 | rr(d, n, m),
  sha256h: (d: number, n: number, m: number) => 0x5e004000 | rr(d, n, m),
  sha256h2: (d: number, n: number, m: number) => 0x5e005000 | rr(d, n, m),
  sha256su1: (d: number, n: number, m: number) => 0x5e006000 | rr(d, n, m),
  sha1h: (d: number, n: number) => 0x5e280800 | rr(d, n),
  sha1su1: (d: number, n: number) => 0x5e281800 | rr(d, n),
  sha256su0: (d: number, n: number) => 0x5e282800 | rr(d, n),
  pmull: (d: number, n: number, m: number) => 0x0ee0e000 | rr(d, n, m),
  pmull2: (d: number, n: number, m: number) => (0x4ee0e000 | rr(d, n, m)) >>> 0,
  add4s: (d: number, n: number, m: number) => 0x4ea08400 | rr(d, n, m),
  mov16b: (d: number, n: number) => 0x4ea01c00 | rr(d, n, n),
  eor16b: (d: number, n: number, m: number) => 0x6e201c00 | rr(d, n, m),
};
const LD1_V16_V19_X0 = 0x4c402010; // ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x0]
const rev32 = (r: number) => 0x6e200800 | rr(r, r); // rev32 vR.16b, vR.16b

/** llvm-mc's words for sample operands of every form the tests use. */
const LLVM: Array<[number, number]> = [
  [E.aese(3, 17), 0x4e284a23],
  [E.aesd(31, 5), 0x4e2858bf],
  [E.aesmc(9, 30), 0x4e286bc9],
  [E.aesimc(12, 7), 0x4e2878ec],
  [E.sha1c(4, 19, 26), 0x5e1a0264],
  [E.sha1p(30, 2, 11), 0x5e0b105e],
  [E.sha1m(1, 28, 6), 0x5e062381],
  [E.sha1su0(17, 8, 29), 0x5e1d3111],
  [E.sha256h(13, 22, 3), 0x5e0342cd],
  [E.sha256h2(25, 0, 15), 0x5e0f5019],
  [E.sha256su1(6, 21, 10), 0x5e0a62a6],
  [E.sha1h(27, 14), 0x5e2809db],
  [E.sha1su1(2, 23), 0x5e281ae2],
  [E.sha256su0(18, 9), 0x5e282932],
  [E.pmull(7, 20, 13), 0x0eede287],
  [E.pmull2(28, 4, 31), 0x4effe09c],
  [E.add4s(24, 16, 20), 0x4eb48618],
  [E.mov16b(2, 0), 0x4ea01c02],
  [E.eor16b(0, 0, 11), 0x6e2b1c00],
  [rev32(16), 0x6e200a10],
];

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
/** A 16-byte block as the register LD1 {Vt.16B} would make of it (byte i in bits 8i+7:8i). */
const q16 = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const bytesOf = (v: bigint) => Array.from({ length: 16 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const toHex = (v: bigint) => bytesOf(v).map((x) => x.toString(16).padStart(2, '0')).join('');
/** Four 32-bit words (word 0 lowest). */
const q32 = (w: number[]) => w.reduceRight((acc, x) => (acc << 32n) | BigInt(x >>> 0), 0n);
const words = (v: bigint) => [0, 1, 2, 3].map((k) => Number((v >> BigInt(32 * k)) & 0xffffffffn));

function run(prog: number[], setup: (m: A64Machine) => void): A64Machine {
  const m = makeMachine();
  m.load(prog);
  setup(m);
  m.run(prog.length);
  expect(m.cpu.lastException).toBeNull();
  return m;
}

// ------------------------------------------------------------------ AES key schedule (test side)

/** S-box from its definition (GF(2^8) inverse, affine map), written apart from the core's. */
function sbox(): number[] {
  const mul = (a: number, b: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if ((b >> i) & 1) r ^= a << i;
    for (let i = 14; i >= 8; i--) if ((r >> i) & 1) r ^= 0x11b << (i - 8);
    return r;
  };
  return Array.from({ length: 256 }, (_, a) => {
    const inv = a === 0 ? 0 : Array.from({ length: 256 }, (_, c) => c).find((c) => mul(a, c) === 1)!;
    let s = 0x63;
    for (let i = 0; i < 8; i++) {
      const bit = ((inv >> i) ^ (inv >> ((i + 4) % 8)) ^ (inv >> ((i + 5) % 8)) ^ (inv >> ((i + 6) % 8)) ^ (inv >> ((i + 7) % 8))) & 1;
      s ^= bit << i;
    }
    return s;
  });
}

/** FIPS-197 5.2 KeyExpansion for AES-128: 11 round keys of 16 bytes. */
function expandKey(key: Uint8Array): Uint8Array[] {
  const S = sbox();
  const w: number[][] = [0, 1, 2, 3].map((i) => Array.from(key.slice(4 * i, 4 * i + 4)));
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = [...w[i - 1]];
    if (i % 4 === 0) {
      t = [S[t[1]] ^ rcon, S[t[2]], S[t[3]], S[t[0]]];
      rcon = ((rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0)) & 0xff;
    }
    w.push(t.map((x, k) => x ^ w[i - 4][k]));
  }
  return Array.from({ length: 11 }, (_, r) => Uint8Array.from(w.slice(4 * r, 4 * r + 4).flat()));
}

describe('aarch64 Cryptographic Extension', () => {
  it('the test encoder gives llvm-mc\'s words', () => {
    for (const [mine, llvm] of LLVM) expect(mine >>> 0).toBe(llvm);
  });

  it('AES-128 (FIPS-197 C.1): AESE/AESMC rounds encrypt, AESD/AESIMC with AESIMC-made keys decrypt', () => {
    const keys = expandKey(hex('000102030405060708090a0b0c0d0e0f'));
    expect(toHex(q16(keys[10]))).toBe('13111d7fe3944a17f307a78b4d2b30c5'); // FIPS-197 C.1 round[10].k_sch
    const plain = hex('00112233445566778899aabbccddeeff');
    // v0 = state, v1-v11 = round keys 0-10
    const enc: number[] = [];
    for (let r = 0; r < 9; r++) enc.push(E.aese(0, 1 + r), E.aesmc(0, 0));
    enc.push(E.aese(0, 10), E.eor16b(0, 0, 11));
    const loadKeys = (m: A64Machine) => keys.forEach((k, r) => m.cpu.fp.setQ(1 + r, q16(k)));
    const e = run(enc, (m) => {
      loadKeys(m);
      m.cpu.fp.setQ(0, q16(plain));
    });
    const cipher = e.cpu.fp.getQ(0);
    expect(toHex(cipher)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');

    // Decryption keys: dk[0] = ek[10], dk[i] = InvMixColumns(ek[10 - i]) by AESIMC, dk[10] = ek[0] (into v12-v22)
    const dec: number[] = [E.mov16b(12, 11)];
    for (let i = 1; i < 10; i++) dec.push(E.aesimc(12 + i, 11 - i));
    dec.push(E.mov16b(22, 1));
    for (let i = 0; i < 9; i++) dec.push(E.aesd(0, 12 + i), E.aesimc(0, 0));
    dec.push(E.aesd(0, 21), E.eor16b(0, 0, 22));
    const d = run(dec, (m) => {
      loadKeys(m);
      m.cpu.fp.setQ(0, cipher);
    });
    expect(toHex(d.cpu.fp.getQ(0))).toBe('00112233445566778899aabbccddeeff');
    // the key registers are left as they were
    expect(d.cpu.fp.getQ(1)).toBe(q16(keys[0]));
  });

  it('AESE then AESD with the same key is the identity; AESIMC undoes AESMC; Vd may be Vn', () => {
    const x = 0x0123456789abcdeffedcba9876543210n;
    const k = 0x55aa33cc0ff0a55a1234567890abcdefn;
    const m = run([E.mov16b(2, 0), E.aese(2, 1), E.eor16b(3, 3, 3), E.aesd(2, 3), E.eor16b(2, 2, 1), E.aesmc(4, 0), E.aesimc(4, 4)], (m) => {
      m.cpu.fp.setQ(0, x);
      m.cpu.fp.setQ(1, k);
      m.cpu.fp.setQ(3, 77n);
    });
    expect(m.cpu.fp.getQ(2)).toBe(x);
    expect(m.cpu.fp.getQ(4)).toBe(x);
  });

  it('SHA-1 of "abc" (FIPS 180) with SHA1C/P/M, SHA1H, SHA1SU0/SU1 as Linux\'s sha1-ce core', () => {
    // v0 = abcd, v1/v2 = e (alternating), v16-v19 = message words, v20-v23 = K, v24 = W + K, v25/v26 saved state
    const prog = [LD1_V16_V19_X0, rev32(16), rev32(17), rev32(18), rev32(19), E.mov16b(25, 0), E.mov16b(26, 1)];
    for (let i = 0; i < 20; i++) {
      const w = 16 + (i % 4);
      prog.push(E.add4s(24, w, 20 + Math.floor(i / 5)));
      prog.push(E.sha1h(1 + ((i + 1) % 2), 0));
      const op = i < 5 ? E.sha1c : i < 10 || i >= 15 ? E.sha1p : E.sha1m;
      prog.push(op(0, 1 + (i % 2), 24));
      if (i < 16) prog.push(E.sha1su0(w, 16 + ((i + 1) % 4), 16 + ((i + 2) % 4)), E.sha1su1(w, 16 + ((i + 3) % 4)));
    }
    prog.push(E.add4s(0, 0, 25), E.add4s(1, 1, 26));
    const block = new Uint8Array(64);
    block.set([0x61, 0x62, 0x63, 0x80]);
    block[63] = 24; // message length in bits, big-endian
    const m = run(prog, (m) => {
      m.poke(DATA, block);
      m.set(0, DATA);
      m.cpu.fp.setQ(0, q32([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]));
      m.cpu.fp.setQ(1, 0xc3d2e1f0n);
      [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6].forEach((k, j) => m.cpu.fp.setQ(20 + j, q32([k, k, k, k])));
    });
    const digest = [...words(m.cpu.fp.getQ(0)), words(m.cpu.fp.getQ(1))[0]].map((x) => x.toString(16).padStart(8, '0')).join('');
    expect(digest).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    // SHA1H writes an S register: the rest of V1 is zero
    expect(m.cpu.fp.getQ(1) >> 32n).toBe(0n);
  });

  it('SHA-256 of "abc" (FIPS 180) with SHA256H/H2, SHA256SU0/SU1 as Linux\'s sha2-ce core', () => {
    // K: first 32 bits of the fractional parts of the cube roots of the first 64 primes (integer cube roots)
    const primes: number[] = [];
    for (let p = 2; primes.length < 64; p++) if (primes.every((q) => p % q !== 0)) primes.push(p);
    const icbrt = (x: bigint) => {
      let r = 1n << BigInt(Math.ceil(x.toString(2).length / 3));
      for (;;) {
        const next = (2n * r + x / (r * r)) / 3n;
        if (next >= r) return r;
        r = next;
      }
    };
    const K = primes.map((p) => Number(icbrt(BigInt(p) << 96n) & 0xffffffffn));
    expect(K[0]).toBe(0x428a2f98);
    expect(K[63]).toBe(0xc67178f2);
    // v0 = abcd, v1 = efgh, v2 = copy of abcd, v3 = W + K, v16-v19 = message, v25/v26 saved state,
    // the 16 K vectors in v4-v15 and v20-v23
    const kRegOf = (g: number) => (g < 12 ? 4 + g : 20 + (g - 12));
    const prog = [LD1_V16_V19_X0, rev32(16), rev32(17), rev32(18), rev32(19), E.mov16b(25, 0), E.mov16b(26, 1)];
    for (let i = 0; i < 16; i++) {
      const w = 16 + (i % 4);
      prog.push(E.add4s(3, w, kRegOf(i)), E.mov16b(2, 0), E.sha256h(0, 1, 3), E.sha256h2(1, 2, 3));
      if (i < 12) prog.push(E.sha256su0(w, 16 + ((i + 1) % 4)), E.sha256su1(w, 16 + ((i + 2) % 4), 16 + ((i + 3) % 4)));
    }
    prog.push(E.add4s(0, 0, 25), E.add4s(1, 1, 26));
    const block = new Uint8Array(64);
    block.set([0x61, 0x62, 0x63, 0x80]);
    block[63] = 24;
    const m = run(prog, (m) => {
      m.poke(DATA, block);
      m.set(0, DATA);
      m.cpu.fp.setQ(0, q32([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a]));
      m.cpu.fp.setQ(1, q32([0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]));
      for (let g = 0; g < 16; g++) m.cpu.fp.setQ(kRegOf(g), q32(K.slice(4 * g, 4 * g + 4)));
    });
    const digest = [...words(m.cpu.fp.getQ(0)), ...words(m.cpu.fp.getQ(1))].map((x) => x.toString(16).padStart(8, '0')).join('');
    expect(digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('each SHA instruction against a BigInt model of the Arm ARM pseudocode, random operands, aliased registers', () => {
    const M32 = 0xffffffffn;
    const M128 = (1n << 128n) - 1n;
    const el = (v: bigint, e: number) => (v >> BigInt(32 * e)) & M32;
    const setEl = (v: bigint, e: number, x: bigint) => (v & ~(M32 << BigInt(32 * e))) | ((x & M32) << BigInt(32 * e));
    const rol = (x: bigint, k: number) => ((x << BigInt(k)) | (x >> BigInt(32 - k))) & M32;
    const ror = (x: bigint, k: number) => rol(x, 32 - k);
    const choose = (x: bigint, y: bigint, z: bigint) => ((y ^ z) & x) ^ z;
    const parity = (x: bigint, y: bigint, z: bigint) => x ^ y ^ z;
    const majority = (x: bigint, y: bigint, z: bigint) => (x & y) | ((x | y) & z);
    // <Y, X> = ROL(Y : X, 32) over 160 or 256 bits
    const rolYX = (y: bigint, x: bigint, ybits: number): [bigint, bigint] => {
      const w = BigInt(128 + ybits);
      const all = (y << 128n) | x;
      const r = ((all << 32n) | (all >> (w - 32n))) & ((1n << w) - 1n);
      return [r >> 128n, r & M128];
    };
    const sha1 = (f: typeof choose) => (d: bigint, n: bigint, m: bigint) => {
      let x = d;
      let y = el(n, 0);
      for (let e = 0; e < 4; e++) {
        const t = f(el(x, 1), el(x, 2), el(x, 3));
        y = (y + rol(el(x, 0), 5) + t + el(m, e)) & M32;
        x = setEl(x, 1, rol(el(x, 1), 30));
        [y, x] = rolYX(y, x, 32);
      }
      return x;
    };
    const sha256 = (x0: bigint, y0: bigint, w: bigint, part1: boolean) => {
      let x = x0;
      let y = y0;
      for (let e = 0; e < 4; e++) {
        const chs = choose(el(y, 0), el(y, 1), el(y, 2));
        const maj = majority(el(x, 0), el(x, 1), el(x, 2));
        const s1 = ror(el(y, 0), 6) ^ ror(el(y, 0), 11) ^ ror(el(y, 0), 25);
        const s0 = ror(el(x, 0), 2) ^ ror(el(x, 0), 13) ^ ror(el(x, 0), 22);
        const t = el(y, 3) + s1 + chs + el(w, e);
        x = setEl(x, 3, t + el(x, 3));
        y = setEl(y, 3, t + s0 + maj);
        [y, x] = rolYX(y, x, 128);
      }
      return part1 ? x : y;
    };
    const models: Array<[string, (d: number, n: number, m: number) => number, (d: bigint, n: bigint, m: bigint) => bigint]> = [
      ['sha1c', E.sha1c, sha1(choose)],
      ['sha1p', E.sha1p, sha1(parity)],
      ['sha1m', E.sha1m, sha1(majority)],
      ['sha1su0', E.sha1su0, (d, n, m) => ((((n & ((1n << 64n) - 1n)) << 64n) | (d >> 64n)) ^ d ^ m)],
      ['sha256h', E.sha256h, (d, n, m) => sha256(d, n, m, true)],
      ['sha256h2', E.sha256h2, (d, n, m) => sha256(n, d, m, false)],
      ['sha256su1', E.sha256su1, (d, n, m) => {
        const t0 = ((m & M32) << 96n) | (n >> 32n);
        let r = 0n;
        for (let e = 0; e < 4; e++) {
          const src = e < 2 ? el(m >> 64n, e) : el(r, e - 2);
          r = setEl(r, e, (ror(src, 17) ^ ror(src, 19) ^ (src >> 10n)) + el(d, e) + el(t0, e));
        }
        return r;
      }],
      ['sha1h', (d, n) => E.sha1h(d, n), (_d, n) => rol(el(n, 0), 30)],
      ['sha1su1', (d, n) => E.sha1su1(d, n), (d, n) => {
        const t = d ^ (n >> 32n);
        let r = 0n;
        for (let e = 0; e < 4; e++) r = setEl(r, e, rol(el(t, e), 1));
        return setEl(r, 3, el(r, 3) ^ rol(el(t, 0), 2));
      }],
      ['sha256su0', (d, n) => E.sha256su0(d, n), (d, n) => {
        const t = ((n & M32) << 96n) | (d >> 32n);
        let r = 0n;
        for (let e = 0; e < 4; e++) {
          const x = el(t, e);
          r = setEl(r, e, (ror(x, 7) ^ ror(x, 18) ^ (x >> 3n)) + el(d, e));
        }
        return r;
      }],
    ];
    let seed = 0x2545f4914f6cdd1dn;
    const rnd128 = () => {
      let r = 0n;
      for (let k = 0; k < 2; k++) {
        seed ^= (seed << 13n) & ((1n << 64n) - 1n);
        seed ^= seed >> 7n;
        seed ^= (seed << 17n) & ((1n << 64n) - 1n);
        r = (r << 64n) | seed;
      }
      return r;
    };
    for (const [name, enc, model] of models) {
      for (let t = 0; t < 40; t++) {
        // registers from {0, 1, 2}: every aliasing of Vd, Vn, Vm turns up
        const [d, n, m] = [t % 3, Math.floor(t / 3) % 3, Math.floor(t / 9) % 3];
        const vals = [rnd128(), rnd128(), rnd128()];
        const got = run([enc(d, n, m)], (mc) => vals.forEach((v, r) => mc.cpu.fp.setQ(r, v)));
        expect(got.cpu.fp.getQ(d), `${name} d${d} n${n} m${m}`).toBe(model(vals[d], vals[n], vals[m]));
        for (let r = 0; r < 3; r++) if (r !== d) expect(got.cpu.fp.getQ(r)).toBe(vals[r]);
      }
    }
  });

  it('PMULL/PMULL2 .1Q: 64 x 64 carry-less products as a BigInt model', () => {
    const clmul = (a: bigint, b: bigint) => {
      let r = 0n;
      for (let i = 0n; i < 64n; i++) if ((b >> i) & 1n) r ^= a << i;
      return r;
    };
    let s = 0x9e3779b97f4a7c15n;
    const rnd64 = () => {
      s ^= (s << 13n) & ((1n << 64n) - 1n);
      s ^= s >> 7n;
      s ^= (s << 17n) & ((1n << 64n) - 1n);
      return s;
    };
    const specials = [0n, 1n, (1n << 64n) - 1n, 1n << 63n, 0x8000000080000000n, 0x87n];
    for (let t = 0; t < 60; t++) {
      const a = t < 36 ? [specials[t % 6], specials[Math.floor(t / 6)]] : [rnd64(), rnd64()];
      const b = t < 36 ? [specials[Math.floor(t / 6)], specials[t % 6]] : [rnd64(), rnd64()];
      const m = run([E.pmull(0, 1, 2), E.pmull2(3, 1, 2), E.pmull(2, 2, 2)], (m) => {
        m.cpu.fp.setQ(1, a[0] | (a[1] << 64n));
        m.cpu.fp.setQ(2, b[0] | (b[1] << 64n));
      });
      expect(m.cpu.fp.getQ(0)).toBe(clmul(a[0], b[0]));
      expect(m.cpu.fp.getQ(3)).toBe(clmul(a[1], b[1]));
      expect(m.cpu.fp.getQ(2)).toBe(clmul(b[0], b[0])); // Vd = Vn = Vm
    }
  });

  it('ID_AA64ISAR0_EL1 reads 0x11120; size != 00 forms stay Undefined; crypto traps with FP (CPACR_EL1.FPEN)', () => {
    const mrs = 0xd5380600; // mrs x0, id_aa64isar0_el1
    const m = run([mrs], () => {});
    expect(m.x(0)).toBe(0x11120n);
    for (const bad of [E.aese(0, 1) | (1 << 22), E.sha1c(0, 1, 2) | (2 << 22), E.sha1h(0, 1) | (3 << 22), 0x5e283800 /* 2-reg SHA opcode 3 */, 0x5e007000 /* 3-reg SHA opcode 7 */]) {
      const u = makeMachine();
      u.load([bad >>> 0]);
      u.run(1);
      expect(u.cpu.lastException?.esr, bad.toString(16)).toBe(0x02000000); // EC 0, IL
    }
    const t = makeMachine();
    t.load([E.aese(0, 1)]);
    t.cpu.setEl(1);
    t.cpu.cpacr = 0;
    t.run(1);
    expect(t.cpu.lastException?.esr).toBe(0x1fe00000);
  });
});
