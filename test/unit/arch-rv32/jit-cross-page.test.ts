/**
 * Wasm regions whose loop crosses a page boundary (cross-page.ts): without paging one region runs the
 * whole loop (not two pieces through execute() at every pass), a store or DMA into its instructions
 * on the next page drops it, and where the next virtual page maps elsewhere (paging on) it refuses to
 * run and is dropped. Instruction counts and state are the interpreter's throughout.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { callSteps } from '../../helpers/call-steps.js';
import { Op } from '../../../plugins/arch-rv32/src/execute.js';
import type { Block, Insn, RegionBlock } from '../../../plugins/arch-rv32/src/jit.js';
import { joinNextPage, MAX_CROSSING } from '../../../plugins/arch-rv32/src/cross-page.js';
import { installHandlers, makeMachine, openPmp, RAM_BASE, type TestMachine } from './machine.js';

process.env.RVOS_JIT_WASM = '1';

const { t0, t1, t2, a1, a2, a3, a4, a5, s1, ra } = A;
/** The loop's head: 16 bytes before the end of RAM's first page. */
const HEAD = RAM_BASE + 0xff0;
/** 4 ADDIs before the boundary; after it a1 += 1, AUIPC a3 (its own page), s1--, bne head; then `last`. */
const loop = (last: number) => [A.addi(t0, t0, 1), A.addi(t1, t1, 2), A.addi(t2, t2, 3), A.addi(a2, a2, 4), A.addi(a1, a1, 1), A.auipc(a3, 0), A.addi(s1, s1, -1), A.bne(s1, 0, -28), last];
/** Instructions a pass. */
const PASS = 8;

/** A translating and an interpreting machine with `code` at `at` and s1 = `passes`. */
function twin(code: number[], at: number, passes: number): [TestMachine, TestMachine] {
  return [true, false].map((jit) => {
    const m = makeMachine({ jit });
    installHandlers(m);
    m.load(loop(A.ebreak()), HEAD);
    if (at !== HEAD) m.load(code, at);
    m.cpu.setReg(s1, passes);
    return m;
  }) as [TestMachine, TestMachine];
}

function step(jit: TestMachine, ref: TestMachine, steps: number): void {
  expect(jit.run(steps)).toBe(ref.run(steps));
  const state = (m: TestMachine) => [m.cpu.retired, m.cpu.pc, ...[t0, t1, t2, a1, a2, a3, s1].map((r) => m.reg(r))];
  expect(state(jit)).toEqual(state(ref));
}

/** The region stored at `at`, if any. */
function entry(m: TestMachine, at: number): Block | undefined {
  m.cpu.resolveFetch(at);
  return m.cpu.fetchBlocks[(at & 0xfff) >>> 1];
}

/** The loop run alone from HEAD until its region is there. */
function translatedLoop(passes = 100_000) {
  const [jit, ref] = twin([], HEAD, passes);
  for (let n = 0; n < 40 && entry(jit, HEAD)?.fn == null; n++) step(jit, ref, PASS * 100);
  const block = entry(jit, HEAD);
  expect(block?.fn, 'the head translated').toBeTruthy();
  return { jit, ref, block: block! };
}

/**
 * A driver at RAM_BASE + 0x3000 calling the loop (ending in RET) twice, 2000 passes each, storing a4 at a5
 * between the calls; the crossing region is there after the first call. `rest` runs the store, then the second call.
 */
function patchedLoop(word: number, at: number) {
  const DRIVER = RAM_BASE + 0x3000;
  const driver = [A.addi(s1, 0, 2000), A.jal(ra, HEAD - (DRIVER + 4)), A.sw(a4, a5, 0), A.addi(s1, 0, 2000), A.jal(ra, HEAD - (DRIVER + 16)), A.ebreak()];
  const [jit, ref] = twin(driver, DRIVER, 0);
  for (const m of [jit, ref]) {
    m.load(loop(A.jalr(0, ra, 0)), HEAD);
    m.load(driver, DRIVER);
    m.cpu.setReg(a4, word);
    m.cpu.setReg(a5, at);
  }
  step(jit, ref, 2 + PASS * 2000 + 1);
  const block = entry(jit, HEAD);
  expect(block?.fn, 'the crossing region').toBeTruthy();
  const rest = (stored: (b: Block | undefined) => void) => {
    step(jit, ref, 1);
    stored(entry(jit, HEAD));
    step(jit, ref, 2 + PASS * 2000 + 1);
  };
  return { jit, block, rest };
}

describe('rv32 wasm regions: a loop across a page boundary', () => {
  it('runs as one region, many passes per call, not two pieces at every pass', () => {
    const { jit, ref, block } = translatedLoop();
    const calls = callSteps(block);
    step(jit, ref, PASS * 5000);
    expect(calls.length).toBeGreaterThan(0);
    expect(Math.min(...calls)).toBeGreaterThan(PASS * 10);
    step(jit, ref, PASS * 100_000);
    expect(jit.reg(s1)).toBe(0);
    expect(jit.reg(a1)).toBe(100_000);
    expect(jit.reg(a3)).toBe(HEAD + 0x14);
  });

  it('a write into its next page by another agent (DMA) drops it', () => {
    const { jit, ref } = translatedLoop();
    for (const m of [jit, ref]) m.poke(HEAD + 0x800, new Uint8Array(4));
    expect(entry(jit, HEAD)).toBeUndefined();
    step(jit, ref, PASS * 100_000);
    expect(jit.reg(a1)).toBe(100_000);
  });

  it('a guest store into its instructions on the next page drops it: the new instruction runs', () => {
    // The store patches `a1 += 1` (HEAD + 16, the next page's first word) to `a1 += 100`.
    const { jit, rest } = patchedLoop(A.addi(a1, a1, 100), HEAD + 16);
    rest((b) => expect(b, 'dropped by the store').toBeUndefined());
    expect(jit.reg(a1)).toBe(2000 + 100 * 2000);
  });

  it('a store into the next page beside its instructions keeps it', () => {
    const { jit, block, rest } = patchedLoop(0, HEAD + 0x100);
    rest((b) => expect(b).toBe(block));
    expect(jit.reg(a1)).toBe(4000);
  });

  it('after a TLB flush it lets the interpreter fetch the next page once, then runs again (kept)', () => {
    const { jit, ref, block } = translatedLoop();
    const calls = callSteps(block);
    jit.cpu.flushTlbAll();
    step(jit, ref, PASS * 5000);
    expect(calls[0]).toBe(0); // refused: the next page not in the fetch TLB yet
    expect(Math.max(...calls)).toBeGreaterThan(PASS * 10);
    expect(entry(jit, HEAD)).toBe(block);
  });

  it('with paging on and the next virtual page mapped elsewhere, it refuses to run and is dropped', () => {
    const { jit, ref, block } = translatedLoop(1000);
    step(jit, ref, PASS * 1000 + 1); // to the EBREAK's trap handler
    expect(entry(jit, HEAD)).toBe(block);
    // VA 0x00400000 maps RAM's first page, 0x00401000 its fourth, where the loop's rest adds 100 to a1.
    const ROOT = RAM_BASE + 0x20000;
    const L0 = RAM_BASE + 0x21000;
    const OTHER = RAM_BASE + 0x3000;
    for (const m of [jit, ref]) {
      openPmp(m);
      m.load([A.addi(a1, a1, 100), ...loop(A.ebreak()).slice(5)], OTHER);
      m.w32(ROOT + 1 * 4, (((L0 >>> 12) << 10) | 1) >>> 0);
      m.w32(L0, (((RAM_BASE >>> 12) << 10) | 0xcb) >>> 0);
      m.w32(L0 + 4, (((OTHER >>> 12) << 10) | 0xcb) >>> 0);
      m.cpu.satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
      m.cpu.flushTlbAll();
      m.cpu.setPrivilege(1);
      m.cpu.pc = 0x00400ff0;
      m.cpu.setReg(s1, 1000);
      m.cpu.setReg(a1, 0);
    }
    step(jit, ref, PASS * 1000);
    expect(jit.reg(a1)).toBe(100 * 1000);
    jit.cpu.setPrivilege(3);
    expect(entry(jit, HEAD)).not.toBe(block);
  });
});

describe('rv32 joinNextPage', () => {
  const addis = (n: number): Insn[] => Array.from({ length: n }, (_, k) => ({ op: Op.ADDI, rd: 1, rs1: 1, rs2: 0, imm: 1, off: 4 * k, len: 4 }));
  const head: RegionBlock[] = [{ start: 0xff0, insns: addis(4) }];
  /**
   * The next page's blocks: at its start `n` ADDIs and a BNE back to the head (or, with `back` false,
   * forward), after it an ADDI and a jump out (the loop's exit path).
   */
  const tail = (n: number, back = true) => (off: number): Insn[] => {
    if (off !== 0) return [...addis(1), { op: Op.JAL, rd: 32, rs1: 0, rs2: 0, imm: 0x4000, off: 4, len: 4 }];
    const insns = addis(n);
    insns.push({ op: Op.BNE, rd: 32, rs1: 1, rs2: 2, imm: back ? 0xff0 - 0x1000 - 4 * n : 8, off: 4 * n, len: 4 });
    return insns;
  };

  it('joins a loop closing on the head, its next page\'s blocks from 0x1000, not its exit path', () => {
    const joined = joinNextPage(head, tail(3));
    expect(joined?.map((b) => b.start)).toEqual([0xff0, 0x1000]);
  });

  it('keeps straight code running on, and a loop over MAX_CROSSING instructions, apart', () => {
    expect(joinNextPage(head, tail(3, false))).toBeNull();
    expect(joinNextPage(head, tail(MAX_CROSSING))).toBeNull();
  });
});
