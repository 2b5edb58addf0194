/**
 * Access groups of the aarch64 wasm regions (jit-wasm-groups.ts, jit-wasm.ts checkedAccess): loads
 * and stores through one base value plus constants are checked once for their span, at the first;
 * when that check fails the region leaves before the first, and the interpreter runs them in order:
 * a fault comes from the right instruction with the earlier stores done, a store into code is seen.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { useEnv } from '../../helpers/env.js';
import { CODE, DATA, makeMachine } from './machine.js';
import { decodeInto } from '../../../plugins/arch-aarch64/src/decode.js';
import { accessGroups } from '../../../plugins/arch-aarch64/src/jit-wasm-groups.js';
import type { Block, Insn } from '../../../plugins/arch-aarch64/src/jit.js';
import type { Op } from '../../../plugins/arch-aarch64/src/execute.js';
import type { CodePage } from '../../../src/core/jit/code-cache.js';
import * as T from './mmu-tables.js';
import { SYSREG_SCTLR_EL1 } from '../../../plugins/arch-aarch64/src/sysregs.js';

/** SCTLR_EL1 with the MMU off (as jit-wasm.test.ts), and its A bit (alignment checks). */
const SCTLR_MMU_OFF = 0x00c50838n;
const SCTLR_A = 2n;

/** The decoded instructions (as jit.ts scanBlock makes them). */
function insnsOf(words: number[]): Insn[] {
  const code = new Int32Array(4);
  return words.map((w, n) => {
    const info = decodeInto(code, 0, w);
    return { info, op: (info & 0xff) as Op, rd: (info >>> 8) & 63, rn: (info >>> 14) & 63, rm: (info >>> 20) & 63, sf: (info >>> 26) & 1, a: code[1], b: code[2], c: code[3], off: 4 * n };
  });
}

/** Per instruction: [first member's index, delta, span, align] of its group, or null. */
function groupsOf(words: number[]) {
  return accessGroups(insnsOf(words)).map((g) => (g === null ? null : [g.group.first, g.delta, g.group.span, g.group.align]));
}

describe('aarch64 wasm access groups', () => {
  useEnv('RVOS_JIT_WASM_A64', undefined);

  it('groups accesses through one base value and its copies, moves and writebacks, not across a write to it', () => {
    // The fill's shape: STRB through X9 and a copy moved by a pre-index writeback.
    expect(
      groupsOf([
        A.strb(11, 9),
        A.mov(13, 9),
        A.ldstImm9(0, 0, 12, 13, 8, 'pre'), // strb w12, [x13, #8]!
        A.strb(15, 13, 3), // x9 + 11
        A.addi(14, 13, 4), // x9 + 12
        A.strh(1, 14, 2), // x9 + 14, aligned to 2 when x9 is
        A.ldstImm9(0, 0, 1, 9, 1, 'unscaled'), // sturb w1, [x9, #1]
      ]),
    ).toEqual([[0, 0, 16, 2], null, [0, 8, 16, 2], [0, 11, 16, 2], null, [0, 14, 16, 2], [0, 1, 16, 2]]);
    // SP-based pairs around a call's frame, the second after a pre-index writeback.
    expect(groupsOf([A.stp(29, 30, 31, -32, 'pre'), A.stp(20, 19, 31, 16), A.movsp(29, 31)])).toEqual([[0, 0, 32, 8], [0, 16, 32, 8], null]);
    // A base written otherwise in between (an ADD of a register, a 32-bit MOV, a load into it) starts another value.
    expect(groupsOf([A.strb(1, 9), A.add(9, 9, 2), A.strb(1, 9, 1)])).toEqual([null, null, null]);
    expect(groupsOf([A.strb(1, 9), A.mov(9, 9, 0), A.strb(1, 9, 1)])).toEqual([null, null, null]);
    expect(groupsOf([A.ldrb(1, 9), A.ldr(9, 9, 8), A.ldrb(1, 9, 1)])).toEqual([[0, 0, 16, 8], [0, 8, 16, 8], null]);
    // A register offset is no constant; a member that cannot be aligned with the span's start stays alone.
    expect(groupsOf([A.ldrb(1, 9), A.ldstReg(0, 1, 2, 9, 3), A.ldrb(4, 9, 1)])).toEqual([[0, 0, 2, 1], null, [0, 1, 2, 1]]);
    expect(groupsOf([A.ldrb(1, 9, 1), A.ldrw(2, 9, 4), A.ldrb(3, 9, 2)])).toEqual([[0, 0, 2, 1], null, [0, 1, 2, 1]]);
  });

  it('groups a register offset whose index has only low bits set (a table lookup by a byte), its span the whole table', () => {
    const ldrwIdx = (rt: number, rn: number, rm: number, scaled = true) => A.ldstReg(2, 1, rt, rn, rm, 'uxtw', scaled);
    // ldrb w1, [x9]; eor w2, w1, w3 & 0xff; ldr w4, [x8, w2, uxtw #2]; ldr w5, [x8]: x8's two span 256 words.
    expect(groupsOf([A.ldrb(1, 9), A.andi(3, 3, 0xff, 0), A.eor(2, 1, 3, 'lsl', 0, 0), ldrwIdx(4, 8, 2), A.ldrw(5, 8)])).toEqual([null, null, null, [3, 0, 1024, 4], [3, 0, 1024, 4]]);
    // An index of unknown width, one shifted (EOR ... LSR #8), or not scaled to the size: each alone.
    expect(groupsOf([ldrwIdx(4, 8, 3), A.ldrw(5, 8)])).toEqual([null, null]);
    expect(groupsOf([A.ldrb(1, 9), A.eor(2, 1, 1, 'lsr', 8, 0), ldrwIdx(4, 8, 2), A.ldrw(5, 8)])).toEqual([null, null, null, null]);
    expect(groupsOf([A.ldrb(1, 9), ldrwIdx(4, 8, 1, false), A.ldrw(5, 8)])).toEqual([null, null, null]);
    // The lookup (x8's lowest access) too wide for a group with stores: the stores at x8 + 4 (a word) and x8 + 8 (a
    // doubleword) are no group, as the span's start (x8 + 4) aligned to 8 would leave the doubleword unaligned.
    expect(groupsOf([A.ldrb(1, 9), ldrwIdx(4, 8, 1), A.strw(5, 8, 4), A.str(6, 8, 8)])).toEqual([null, null, null, null]);
    // Stores at x8 + 8 and x8 + 16 (doublewords) beside it are one: each a multiple of 8 from the span's start.
    expect(groupsOf([A.ldrb(1, 9), ldrwIdx(4, 8, 1), A.str(5, 8, 8), A.str(6, 8, 16)])).toEqual([null, null, [2, 0, 16, 8], [2, 8, 16, 8]]);
  });

  it('runs a table lookup group in wasm, leaving before its first member when the table\'s span leaves the fast path', () => {
    // x8: a 256-word table; per pass a byte from x9 (x9 += 1) indexes it, a sum in x6.
    const lookup = [A.ldrb(1, 9), A.ldrw(5, 8), A.ldstReg(2, 1, 4, 8, 1, 'uxtw', true), A.add(6, 6, 4), A.add(6, 6, 5), A.addi(9, 9, 1), A.subsi(20, 20, 1), A.bcond('ne', -28), A.b(0)];
    const table = (m: ReturnType<typeof makeMachine>, at: number) => {
      for (let n = 0; n < 256; n++) m.w64(at + 4 * n, BigInt(n * 0x1001));
    };
    const one = (jit: boolean, tableAt: number, limit: number, n: number) => {
      const m = makeMachine({ jit });
      m.load(lookup);
      for (let k = 0; k < 64; k++) m.w64(DATA + 8 * k, 0x0123456789abcdefn * BigInt(k + 1) & 0xffffffffffffffffn);
      table(m, tableAt);
      m.set(8, tableAt);
      m.set(9, DATA);
      m.set(20, 3000);
      m.run(8 * 2000);
      m.cpu.ramFastLimit = Math.min(m.cpu.ramFastLimit, limit);
      const steps = m.run(n);
      return { steps, regs: [1, 4, 5, 6, 9, 20].map((r) => m.x(r)), pc: m.cpu.pc };
    };
    const T0 = DATA + 0x1000;
    for (const [limit, n] of [[T0 + 1024, 5000], [T0 + 1020, 5000], [T0 + 1020, 7]] as const) {
      const jit = one(true, T0, limit, n);
      expect(jit, `limit ${limit - T0} past the table, ${n} steps`).toEqual(one(false, T0, limit, n));
    }
    // The region runs whole passes with the table in the fast path, none with its last word out of it.
    const m = makeMachine({ jit: true });
    m.load(lookup);
    table(m, T0);
    m.set(8, T0);
    m.set(9, DATA);
    m.set(20, 3000);
    m.run(8 * 2000);
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2]!;
    const call = (limit: number) => {
      m.set(20, 10);
      m.cpu.ramFastLimit = limit;
      m.cpu.pc = CODE;
      return block.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0);
    };
    expect(call(T0 + 1024)).toBe(80);
    expect(call(T0 + 1023), 'the table\'s last word out of the fast path: no pass').toBe(1);
  });

  /** A loop storing a word as four bytes (the fill) and a pair, through X9 (then X9 += 8). */
  const program = [
    A.strb(1, 9),
    A.lsri(2, 1, 8, 0),
    A.strb(2, 9, 1),
    A.lsri(2, 1, 16, 0),
    A.strb(2, 9, 2),
    A.lsri(2, 1, 24, 0),
    A.strb(2, 9, 3),
    A.stp(1, 1, 9, 8, 'offset', 0),
    A.addi(1, 1, 0x111),
    A.addi(9, 9, 4),
    A.subsi(20, 20, 1),
    A.bcond('ne', -44),
    A.b(0),
  ];
  const PASS = 12;

  function machine(jit: boolean, at: number, passes: number) {
    const m = makeMachine({ jit });
    m.load(program);
    m.set(1, 0x04030201);
    m.set(9, at);
    m.set(20, passes);
    return m;
  }
  const state = (m: ReturnType<typeof makeMachine>, steps: number, at: number) => ({
    steps,
    regs: [1, 2, 9, 20].map((r) => m.x(r)),
    pc: m.cpu.pc,
    el: m.cpu.el,
    mem: [0, 8, 16, 24, 32].map((d) => m.r64(at + d)),
  });

  it('stores a group in wasm after one check of its span, leaving before its first member when it fails', () => {
    const m = machine(true, DATA, 3000);
    m.run(PASS * 1000);
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2];
    expect(block?.fn?.name, 'the loop is a wasm region').toBe('wasmRegion');
    const call = (at: number, limit = m.cpu.ramSize) => {
      m.set(9, at);
      m.set(20, 10);
      m.cpu.ramFastLimit = limit;
      m.cpu.pc = CODE;
      return block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0);
    };
    expect(call(DATA + 0x100), 'ten passes in one call').toBe(10 * PASS);
    // The span [x9, x9 + 16) ends past the limit after the pass's first STRB: it leaves before it.
    expect(call(DATA + 0x100, DATA + 0x100 + 16 + 4 * 9), 'the last whole pass fits').toBe(10 * PASS);
    expect(call(DATA + 0x100, DATA + 0x100 + 15 + 4 * 9), 'the last pass leaves before its first store').toBe(9 * PASS);
    // Unaligned for the pair (x9 odd): leaves before the first STRB, which the interpreter can do.
    expect(call(DATA + 0x101)).toBe(0);
    m.cpu.ramFastLimit = m.cpu.ramSize;
  });

  it('ends as the interpreter where a later member faults (the earlier bytes stored) or stores into code', () => {
    // x9 odd from a pass's start: the STRBs are fine, the word pair is unaligned (an alignment fault at
    // the STP at EL1 with SCTLR_EL1.A set); the region leaves before the first STRB, the interpreter faults at the STP.
    const odd = DATA + 0x201;
    const oddPass = (jit: boolean, n: number) => {
      const m = machine(jit, DATA, 500);
      m.run(PASS * 499);
      m.cpu.setEl(1);
      T.setSys(m, SYSREG_SCTLR_EL1, SCTLR_MMU_OFF | SCTLR_A);
      m.set(9, odd);
      return { m, steps: m.run(n) };
    };
    for (const n of [2, 4, 6, 7, 8, 50]) {
      const [interp, jit] = [oddPass(false, n), oddPass(true, n)];
      expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
      expect(state(jit.m, jit.steps, odd - 1), `budget ${n}`).toEqual(state(interp.m, interp.steps, odd - 1));
    }
    const { m } = oddPass(false, 50);
    expect(m.cpu.lastException, 'the fault taken').not.toBeNull();
    expect(m.r32(odd - 1) >>> 8, 'the bytes stored before the fault').toBe(Number(m.x(1) & 0xffffffn));
    // A pass whose STRBs turn the final `b .` into a B back to the loop (a line holding code: the span's
    // check fails): the interpreter stores it, drops the translation and runs the new code.
    const into = CODE + 4 * (PASS);
    const run = (jit: boolean) => {
      const m = machine(jit, DATA, 400);
      m.run(PASS * 390);
      m.set(1, A.b(-4 * PASS));
      m.set(9, into);
      m.set(20, 1);
      return state(m, m.run(5000), into);
    };
    const interp = run(false);
    expect(run(true)).toEqual(interp);
    expect(interp.regs[3], 'the loop ran on, through the new branch (x20 below 0)').toBeGreaterThan(1n << 63n);
  });
});
