/**
 * Wasm regions whose loop crosses a page boundary (cross-page.ts): one region runs the whole loop
 * (the compute kernel's sieve alone had its count loop split in two regions calling each other
 * through dispatch() at every pass, 7x slower), a store into its instructions on the next page
 * drops it, and with the MMU on it is dropped and the code translated within its pages again.
 * Instruction counts and state are the interpreter's throughout.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { callSteps } from '../../helpers/call-steps.js';
import type { Block } from '../../../plugins/arch-aarch64/src/jit.js';
import { CrossPageLinks, MAX_CROSSING } from '../../../plugins/arch-aarch64/src/cross-page.js';
import { type A64Machine, CODE, makeMachine, wasmMachine } from './machine.js';

function step(jit: A64Machine, interp: A64Machine, steps: number): void {
  expect(jit.run(steps)).toBe(interp.run(steps));
  expect([jit.cpu.retired, jit.cpu.pc, ...[1, 2, 3, 4, 5, 6].map((r) => jit.x(r))]).toEqual([interp.cpu.retired, interp.cpu.pc, ...[1, 2, 3, 4, 5, 6].map((r) => interp.x(r))]);
}

/** The translation stored at `at` (a RAM address), if any. */
function entry(m: A64Machine, at: number): Block | undefined {
  m.cpu.resolveFetch(at, 0);
  return m.cpu.fetchBlocks[(at & 0xfff) >>> 2];
}

/**
 * The loop at `head` (16 bytes before a page's end): 4 ADDs there, then x1 += 1, ADRP x4 (its own
 * page, the next one: not the entry's), x2--, b.ne head, RET on the next page.
 */
const loop = [A.addi(3, 3, 1), A.addi(6, 6, 2), A.addi(5, 5, 3), A.addi(6, 6, 4), A.addi(1, 1, 1), A.adrp(4, 0), A.subsi(2, 2, 1), A.bcond('ne', -28), A.ret()];
/** Instructions a pass. */
const PASS = 8;

/** A translating and an interpreting machine with `code` at `head`, x2 = 100000 passes; the jit's head region translated. */
function translatedLoop(head = CODE + 0xff0, code = loop) {
  const jit = wasmMachine();
  const interp = makeMachine({ jit: false });
  for (const m of [jit, interp]) {
    m.load(code, head);
    m.set(2, 100_000);
  }
  for (let n = 0; n < 40 && entry(jit, head)?.fn == null; n++) step(jit, interp, PASS * 1000);
  const block = entry(jit, head);
  expect(block?.fn, 'the head translated').toBeTruthy();
  return { jit, interp, head, block: block! };
}

/**
 * The loop at CODE + 0x1ff0 called twice (20000 passes each) by a driver on its own page, which stores
 * w10 at x11 between the calls; the jit's crossing region is there after the first call.
 */
function patchedLoop(w10: number, x11: number) {
  const head = CODE + 0x1ff0;
  const driver = [A.movz(2, 20_000), A.bl(head - (CODE + 4)), A.strw(10, 11), A.movz(2, 20_000), A.bl(head - (CODE + 16)), A.b(0)];
  const jit = wasmMachine();
  const interp = makeMachine({ jit: false });
  for (const m of [jit, interp]) {
    m.load(loop, head);
    m.load(driver, CODE);
    m.set(10, w10);
    m.set(11, x11);
  }
  step(jit, interp, 2 + PASS * 20_000);
  const block = entry(jit, head);
  expect(block?.fn, 'the crossing region').toBeTruthy();
  /** Runs the store, then the second call. */
  const rest = (stored: (b: Block | undefined) => void) => {
    step(jit, interp, 1 + 2);
    stored(entry(jit, head));
    step(jit, interp, PASS * 20_000 + 1);
  };
  return { jit, block, rest };
}

describe('aarch64 wasm regions: a loop across a page boundary', () => {
  it('runs as one region, many passes per call, not two regions calling each other at every pass', () => {
    const { jit, interp, head, block } = translatedLoop();
    const calls = callSteps(block);
    step(jit, interp, PASS * 5000);
    // Before: the head's region stopped at its page's end, 4 steps a call.
    expect(calls.length).toBeGreaterThan(0);
    expect(Math.min(...calls)).toBeGreaterThan(PASS * 10);
    step(jit, interp, PASS * 100_000);
    expect(jit.x(2)).toBe(0n);
    expect(jit.x(1)).toBe(100_000n);
    expect(jit.x(4)).toBe(BigInt(head + 0x10));
  });

  it('a loop longer than MAX_CROSSING stays two regions (the head\'s stops at its page\'s end)', () => {
    // 40 ADDs before the boundary, 10 after, x2--, b.ne head: 52 instructions a pass.
    const adds = Array.from({ length: 50 }, (_, k) => A.addi(3 + (k % 4), 3 + (k % 4), 1));
    const long = [...adds, A.subsi(2, 2, 1), A.bcond('ne', -204), A.b(0)];
    expect(long.length - 1).toBeGreaterThan(MAX_CROSSING);
    const { jit, interp, block } = translatedLoop(CODE + 0x1000 - 160, long);
    const calls = callSteps(block);
    step(jit, interp, 52 * 1000);
    expect(new Set(calls)).toEqual(new Set([40]));
  });

  it('a write into its next page by another agent (DMA) drops it', () => {
    const { jit, interp, head } = translatedLoop();
    for (const m of [jit, interp]) m.poke(head + 0x800, new Uint8Array(4));
    expect(entry(jit, head)).toBeUndefined();
    step(jit, interp, PASS * 100_000);
    expect(jit.x(1)).toBe(100_000n);
  });

  it('a guest store into its instructions on the next page drops it: the new instruction runs', () => {
    // The store patches `x1 += 1` (head + 16) to `x1 += 100`.
    const { jit, rest } = patchedLoop(A.addi(1, 1, 100), CODE + 0x1ff0 + 16);
    rest((b) => expect(b, 'dropped by the store').toBeUndefined());
    expect(jit.x(1)).toBe(20_000n + 100n * 20_000n);
  });

  it('a store into the next page beside its instructions keeps it', () => {
    const { jit, block, rest } = patchedLoop(0, CODE + 0x1ff0 + 0x100);
    rest((b) => expect(b).toBe(block));
    expect(jit.x(1)).toBe(40_000n);
  });

  it('called with the MMU on, every crossing region is dropped and the interpreter runs on', () => {
    const { jit, interp, head, block } = translatedLoop();
    jit.cpu.mmuOff = false; // as the MMU's enable would leave it (its tables are not walked: the region leaves first)
    jit.cpu.npcLo = -1;
    expect(block.fn!(head, 0, 0, 1000, block.seg)).toBe(0);
    expect([jit.cpu.npcLo, jit.cpu.npcHi]).toEqual([head, 0]);
    jit.cpu.mmuOff = true;
    expect(entry(jit, head)).toBeUndefined();
    step(jit, interp, PASS * 100_000);
    expect(jit.x(1)).toBe(100_000n);
  });
});

describe('aarch64 CrossPageLinks', () => {
  const block = (): Block => ({ fn: null } as unknown as Block);

  it('keeps one link per entry however often it is translated again, and drops the one a store hits', () => {
    const links = new CrossPageLinks<Block>();
    const drops: Block[] = [];
    let last = block();
    for (let i = 0; i < 100; i++) links.add(8, 7, 1020, (last = block()), 0, 5);
    links.add(8, 7, 1000, block(), 10, 12);
    expect(links.size).toBe(2);
    links.written(8, 6, (_p, _s, b) => drops.push(b)); // beside both
    expect(drops).toEqual([]);
    links.written(8, 4, (_p, _s, b) => drops.push(b));
    expect(drops).toEqual([last]);
    expect(links.size).toBe(1);
    links.written(8, -1, (_p, _s, b) => drops.push(b)); // the page dropped
    expect(drops.length).toBe(2);
    expect(links.empty).toBe(true);
  });
});
