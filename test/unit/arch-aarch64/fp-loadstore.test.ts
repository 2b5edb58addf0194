/**
 * SIMD&FP loads and stores. Encodings from `llvm-mc -triple=aarch64 -show-encoding` (the comment
 * on each line is its input).
 */
import { describe, expect, it } from 'vitest';
import { DATA, makeMachine, type A64Machine } from './machine.js';

/** Memory at DATA holds bytes 0, 1, 2, ... (mod 256). */
function machine(): A64Machine {
  const m = makeMachine();
  const bytes = new Uint8Array(512);
  for (let k = 0; k < bytes.length; k++) bytes[k] = k & 0xff;
  m.poke(DATA, bytes);
  return m;
}

/** The little-endian value of n pattern bytes starting at offset off. */
function pat(off: number, n: number): bigint {
  let r = 0n;
  for (let k = n - 1; k >= 0; k--) r = (r << 8n) | BigInt((off + k) & 0xff);
  return r;
}

function run(m: A64Machine, insns: number[], regs: Record<number, bigint | number> = {}): A64Machine {
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  m.run(insns.length);
  return m;
}

const q = (m: A64Machine, n: number) => m.cpu.fp.getQ(n);
const ALL1 = (1n << 128n) - 1n;

describe('aarch64 SIMD&FP loads and stores', () => {
  it('LDR B/H/S/D/Q zero the rest of the register', () => {
    const m = machine();
    for (let r = 0; r < 8; r++) m.cpu.fp.setQ(r, ALL1);
    run(m, [0x3dc00420, 0xbc627823, 0x7c62d824, 0x3d400c25], { 1: DATA, 2: -2 }); // ldr q0,[x1,#16]; ldr s3,[x1,x2,lsl #2]; ldr h4,[x1,w2,sxtw #1]; ldr b5,[x1,#3]
    expect(q(m, 0)).toBe(pat(16, 16));
    expect(q(m, 3)).toBe(0n); // DATA - 8 holds zeros
    expect(q(m, 4)).toBe(0n);
    expect(q(m, 5)).toBe(3n);
  });

  it('register offsets: LSL scaled, SXTW of a negative index', () => {
    const m = machine();
    run(m, [0xbc627823, 0x7c62d824], { 1: DATA + 64, 2: 0xfffffffe }); // x2 = 0xfffffffe: lsl #2 -> +0x3fffffff8, sxtw #1 -> -4
    expect(m.traps.length).toBe(1); // the LSL form reaches far above RAM: a data abort
    const m2 = machine();
    run(m2, [0x7c62d824], { 1: DATA + 64, 2: 0xfffffffe }); // ldr h4, [x1, w2, sxtw #1]
    expect(q(m2, 4)).toBe(pat(60, 2));
    const m3 = machine();
    run(m3, [0xbc627823], { 1: DATA + 64, 2: -2 }); // ldr s3, [x1, x2, lsl #2]
    expect(q(m3, 3)).toBe(pat(56, 4));
  });

  it('pre/post-index and unscaled forms write back the base', () => {
    const m = machine();
    m.cpu.fp.setQ(0, 0x0f0e0d0c0b0a09080706050403020100n);
    run(m, [0x3c820c20, 0xfc5f8422, 0x3cdfd026], { 1: DATA }); // str q0,[x1,#32]!; ldr d2,[x1],#-8; ldur q6,[x1,#-3]
    expect(m.r64(DATA + 32)).toBe(0x0706050403020100n);
    expect(m.r64(DATA + 40)).toBe(0x0f0e0d0c0b0a0908n);
    expect(q(m, 2)).toBe(0x0706050403020100n);
    expect(m.x(1)).toBe(BigInt(DATA + 24));
    expect(q(m, 6)).toBe(pat(21, 11) | (0x0403020100n << 88n));
  });

  it('byte and half stores write only their bytes; STUR D at an odd address', () => {
    const m = machine();
    m.cpu.fp.setQ(5, 0xffeeddccbbaa99887766554433221100n);
    m.cpu.fp.setQ(4, 0xffeeddccbbaa99887766554433221100n);
    m.cpu.fp.setQ(2, 0x1122334455667788n);
    run(m, [0x3d001425, 0x7d000c24, 0xfc007022], { 1: DATA + 256 }); // str b5,[x1,#5]; str h4,[x1,#6]; stur d2,[x1,#7]
    const bytes = [...Array(16)].map((_, k) => Number((m.r64(DATA + 256 + (k & ~7)) >> BigInt(8 * (k & 7))) & 0xffn));
    expect(bytes.slice(0, 7)).toEqual([0, 1, 2, 3, 4, 0x00, 0x00]);
    expect(bytes[7]).toBe(0x88);
    expect(bytes.slice(8, 15)).toEqual([0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
  });

  it('LDP/STP Q with SP pre-index, LDP S post-index, LDNP/STNP D', () => {
    const m = machine();
    m.set(31, DATA + 64);
    run(m, [0xadff07e0], {}); // ldp q0, q1, [sp, #-32]!
    expect(q(m, 0)).toBe(pat(32, 16));
    expect(q(m, 1)).toBe(pat(48, 16));
    expect(m.x(31)).toBe(BigInt(DATA + 32));
    run(m, [0xad020420, 0x2cc10420], { 1: DATA + 128 }); // stp q0,q1,[x1,#64]; ldp s0,s1,[x1],#8
    expect(m.r64(DATA + 192)).toBe(pat(32, 8));
    expect(m.r64(DATA + 216)).toBe(pat(56, 8));
    expect(q(m, 0)).toBe(pat(128, 4));
    expect(q(m, 1)).toBe(pat(132, 4));
    expect(m.x(1)).toBe(BigInt(DATA + 136));
    run(m, [0x6c411424, 0x6c011424], { 1: DATA + 300 }); // ldnp d4,d5,[x1,#16]; stnp d4,d5,[x1,#16]
    expect(q(m, 4)).toBe(pat(316, 8));
    expect(q(m, 5)).toBe(pat(324, 8));
  });

  it('LDR (literal) Q and D', () => {
    const m = machine();
    m.load([0x9c000087, 0x5c000026]); // ldr q7, #16; ldr d6, #4
    m.w64(0x80008, 0x3333333333333333n);
    m.w64(0x80010, 0x1111111111111111n);
    m.w64(0x80018, 0x2222222222222222n);
    m.run(2);
    expect(q(m, 7)).toBe(0x22222222222222221111111111111111n);
    expect(q(m, 6)).toBe(0x3333333333333333n);
  });

  it('LD1/ST1 multiple structures, post-index by immediate and register', () => {
    const m = machine();
    run(m, [0x4cdf2820], { 1: DATA }); // ld1 {v0.4s-v3.4s}, [x1], #64
    for (let r = 0; r < 4; r++) expect(q(m, r)).toBe(pat(16 * r, 16));
    expect(m.x(1)).toBe(BigInt(DATA + 64));
    run(m, [0x4c82ac20], { 1: DATA + 256, 2: 100 }); // st1 {v0.2d, v1.2d}, [x1], x2
    expect(m.r64(DATA + 256)).toBe(pat(0, 8));
    expect(m.r64(DATA + 280)).toBe(pat(24, 8));
    expect(m.x(1)).toBe(BigInt(DATA + 356));
    m.cpu.fp.setQ(0, ALL1);
    run(m, [0x0c407020], { 1: DATA }); // ld1 {v0.8b}, [x1]
    expect(q(m, 0)).toBe(pat(0, 8));
  });

  it('LD2/LD4 de-interleave, ST3 interleaves', () => {
    const m = machine();
    run(m, [0x4c408420], { 1: DATA }); // ld2 {v0.8h, v1.8h}, [x1]
    const halves = (v: bigint) => [...Array(8)].map((_, k) => Number((v >> BigInt(16 * k)) & 0xffffn));
    expect(halves(q(m, 0))).toEqual([0x0100, 0x0504, 0x0908, 0x0d0c, 0x1110, 0x1514, 0x1918, 0x1d1c]);
    expect(halves(q(m, 1))).toEqual([0x0302, 0x0706, 0x0b0a, 0x0f0e, 0x1312, 0x1716, 0x1b1a, 0x1f1e]);
    run(m, [0x4c400824], { 1: DATA }); // ld4 {v4.4s-v7.4s}, [x1]
    expect(q(m, 5) & 0xffffffffn).toBe(pat(4, 4));
    expect((q(m, 5) >> 32n) & 0xffffffffn).toBe(pat(20, 4));
    m.cpu.fp.setQ(0, 0x0706050403020100n);
    m.cpu.fp.setQ(1, 0x1716151413121110n);
    m.cpu.fp.setQ(2, 0x2726252423222120n);
    run(m, [0x0c004020], { 1: DATA + 256 }); // st3 {v0.8b, v1.8b, v2.8b}, [x1]
    expect(Number(m.r64(DATA + 256) & 0xffffffn)).toBe(0x201000);
    expect(Number((m.r64(DATA + 256) >> 24n) & 0xffffffn)).toBe(0x211101);
  });

  it('single lanes and LD1R/LD4R replicate', () => {
    const m = machine();
    m.cpu.fp.setQ(0, ALL1);
    run(m, [0x4d409020], { 1: DATA }); // ld1 {v0.s}[3], [x1]
    expect(q(m, 0)).toBe((pat(0, 4) << 96n) | ((1n << 96n) - 1n));
    run(m, [0x4d9f8420], { 1: DATA + 256 }); // st1 {v0.d}[1], [x1], #8
    expect(m.r64(DATA + 256)).toBe((q(m, 0) >> 64n) & 0xffffffffffffffffn);
    expect(m.x(1)).toBe(BigInt(DATA + 264));
    run(m, [0x4d40c420], { 1: DATA + 6 }); // ld1r {v0.8h}, [x1]
    expect(q(m, 0)).toBe(BigInt('0x' + '0706'.repeat(8)));
    run(m, [0x0ddfc820], { 1: DATA + 8 }); // ld1r {v0.2s}, [x1], #4
    expect(q(m, 0)).toBe(0x0b0a09080b0a0908n);
    expect(m.x(1)).toBe(BigInt(DATA + 12));
    m.cpu.fp.setQ(1, 0n);
    m.cpu.fp.setQ(2, 0n);
    run(m, [0x4d600421], { 1: DATA + 40 }); // ld2 {v1.b, v2.b}[9], [x1]
    expect(q(m, 1)).toBe(40n << 72n);
    expect(q(m, 2)).toBe(41n << 72n);
    run(m, [0x4d60e820], { 1: DATA }); // ld4r {v0.4s-v3.4s}, [x1]
    expect(q(m, 3)).toBe(BigInt('0x' + '0f0e0d0c'.repeat(4)));
  });
});
