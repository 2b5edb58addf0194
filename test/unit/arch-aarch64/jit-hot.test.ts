/**
 * When the aarch64 translator translates (cpu.ts compileBlockAt): an entry once the interpreter has
 * run about `compileWork` instructions from it, none before the CPU has retired FIRST_WORK_FACTOR x
 * compileWork instructions, no scan before compileWork / MAX_BLOCK arrivals (a wasm region after the CPU's
 * first: bareEarlyWork (MMU off; earlyCompileWork on) in the CPU's first earlyWindow instructions, and past it for an entry whose wait began
 * in it); arrivals counted once
 * each, wherever the interpreter counts them; the piece of a loop before a page boundary as hot as the
 * translated piece after it; straight code past MAX_BLOCK after its compile work alone. Instruction counts and state are the interpreter's
 * either way.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { type Block, FIRST_WORK_FACTOR, JIT_THRESHOLD, MAX_BLOCK } from '../../../plugins/arch-aarch64/src/jit.js';
import type { CodeCache } from '../../../src/core/jit/code-cache.js';
import { type A64Machine, CODE, makeMachine, RAM_BASE, wasmMachine } from './machine.js';

const WORK = 20_000;

/** Two loops of 4 instructions, one after the other: `n1` passes of the first, `n2` of the second. */
const twoLoops = (n1: number, n2: number) => [
  ...A.mov64(2, n1), // 4 instructions
  A.addi(1, 1, 1), // loop1 (CODE + 16)
  A.addi(3, 3, 2),
  A.subsi(2, 2, 1),
  A.bcond('ne', -12),
  ...A.mov64(4, n2),
  A.addi(5, 5, 1), // loop2
  A.addi(6, 6, 3),
  A.subsi(4, 4, 1),
  A.bcond('ne', -12),
  A.b(0),
];

function machines(n1: number, n2: number) {
  const jit = makeMachine();
  const interp = makeMachine({ jit: false });
  jit.cpu.compileWork = WORK;
  // The waits tested here, not the shortcut of a loop about to run long (loop-trips.test.ts).
  jit.cpu.longLoop = Infinity;
  for (const m of [jit, interp]) m.load(twoLoops(n1, n2));
  return { jit, interp };
}

/** Runs both `steps` more and checks they agree. */
function step(jit: A64Machine, interp: A64Machine, steps: number): void {
  expect(jit.run(steps)).toBe(interp.run(steps));
  expect([jit.cpu.retired, jit.cpu.pc, ...[1, 2, 3, 4, 5, 6].map((r) => jit.x(r))]).toEqual([interp.cpu.retired, interp.cpu.pc, ...[1, 2, 3, 4, 5, 6].map((r) => interp.x(r))]);
}

describe('aarch64 translator: when to translate', () => {
  it('translates nothing before the CPU has retired FIRST_WORK_FACTOR x compileWork instructions, then at compileWork per entry', () => {
    expect(FIRST_WORK_FACTOR * WORK).toBe(60_000);
    const { jit, interp } = machines(50_000, 20_000);
    // loop1 has run its own compileWork (5000 arrivals) long before the CPU's first 60 K.
    step(jit, interp, 4 + 4 * 14_000);
    expect(jit.cpu.blocksCompiled).toBe(0);
    step(jit, interp, 4 * 2_000);
    expect(jit.cpu.blocksCompiled).toBe(1);
    // loop2 starts after 200 K: its own 5000 arrivals, not before.
    step(jit, interp, 4 * 34_000 + 4 + 4 * 4_000);
    expect(jit.cpu.blocksCompiled).toBe(1);
    step(jit, interp, 4 * 2_000);
    expect(jit.cpu.blocksCompiled).toBe(2);
    step(jit, interp, 4 * 14_000 + 1);
    expect(jit.x(5)).toBe(20_000n);
  });

  it('a wasm region after the CPU\'s first waits bareEarlyWork (MMU off) instead in its first earlyWindow instructions', () => {
    // loop0 runs the CPU past its first 60 K instructions untranslated (compileWork out of reach
    // meanwhile); then twoLoops. loop1, the first region, waits its compileWork (5000 arrivals) in
    // any window; loop2 (after about 155 K instructions) its early wait (2000: 500 arrivals)
    // inside a window of 400 K, its compileWork past one of 150 K. With a window of 156 K, loop2's
    // wait starts inside it (at its 32nd arrival) and ends past it: it keeps the early wait. The MMU
    // is off: the early wait is bareEarlyWork, not earlyCompileWork (the MMU on's).
    const program = [...A.mov64(7, 25_000), A.addi(8, 8, 1), A.subsi(7, 7, 1), A.bcond('ne', -8), ...twoLoops(20_000, 20_000)];
    for (const [window, bare, early] of [
      [400_000, 2_000, true],
      [150_000, 2_000, false],
      [156_000, 2_000, true],
      [400_000, 1e9, false],
    ] as const) {
      const jit = wasmMachine();
      const interp = makeMachine({ jit: false });
      Object.assign(jit.cpu, { compileWork: 1e9, bareEarlyWork: bare, earlyCompileWork: bare === 2_000 ? 1e9 : 2_000, earlyWindow: window });
      for (const m of [jit, interp]) m.load(program);
      step(jit, interp, 4 + 3 * 25_000);
      jit.cpu.compileWork = WORK;
      step(jit, interp, 4 + 4 * 600);
      expect(jit.cpu.blocksCompiled, 'loop1 at 600 arrivals').toBe(0);
      step(jit, interp, 4 * 4_600);
      expect(jit.cpu.blocksCompiled, 'loop1 at 5200 arrivals').toBe(1);
      step(jit, interp, 4 * 14_800 + 4 + 4 * 600);
      expect(jit.cpu.blocksCompiled, `loop2 at 600 arrivals, window ${window}, bareEarlyWork ${bare}`).toBe(early ? 2 : 1);
      step(jit, interp, 4 * 4_600);
      expect(jit.cpu.blocksCompiled).toBe(2);
      step(jit, interp, 4 * 14_800 + 1);
      expect([jit.x(1), jit.x(5)]).toEqual([20_000n, 20_000n]);
    }
  });

  it('keeps the entries pages share untouched: a region stored by the dispatcher goes to its page\'s own entries', () => {
    const { jit, interp } = machines(50_000, 10);
    step(jit, interp, 4 + 4 * 20_000);
    expect(jit.cpu.blocksCompiled).toBe(1);
    const cache = (jit.cpu as unknown as { codePages: CodeCache<unknown> }).codePages;
    const fresh = cache.page(((CODE - RAM_BASE) >>> 12) + 5); // a page never fetched: the shared entries
    expect(cache.peek((CODE - RAM_BASE) >>> 12)!.entries).not.toBe(fresh.entries);
    expect(fresh.entries.every((e) => e === undefined)).toBe(true);
  });

  it('counts each arrival once and scans no entry before compileWork / MAX_BLOCK arrivals', () => {
    const { jit, interp } = machines(50_000, 10);
    step(jit, interp, 4 + 4 * 100); // 100 arrivals at loop1's head (its branch back taken 100 times)
    const page = (jit.cpu as unknown as { codePages: CodeCache<unknown> }).codePages.peek((CODE - RAM_BASE) >>> 12)!;
    const slot = 16 >>> 2;
    expect(page.arrivals(slot)).toBe(100);
    // One wait, for a region of MAX_BLOCK instructions' share (no scan yet: 4 instructions would need 5000).
    expect(page.warm[slot]).toBe(1);
    expect(page.arrivals(slot) - page.heat[slot]).toBe(Math.ceil(WORK / MAX_BLOCK) - JIT_THRESHOLD);
    step(jit, interp, 4 * 1000);
    expect(page.arrivals(slot)).toBe(1100);
  });

  it('an outer loop around a translated inner loop waits size / fresh times longer (it would translate the inner loop again)', () => {
    // outer: movz x4, #1000; inner: x1++, x4--, b.ne inner; x3++, x2--, b.ne outer. The inner loop
    // (3 of the outer region's 7 instructions) is translated first; the outer entry then needs
    // compileWork x 7 / 4^2 arrivals (8750) instead of compileWork / 7 (2858), past the CPU's
    // first FIRST_WORK_FACTOR x compileWork instructions (its scan, at its 157th arrival).
    const setup = A.mov64(2, 6_000);
    const outer = setup.length * 4;
    const code = [...setup, A.movz(4, 1000), A.addi(1, 1, 1), A.subsi(4, 4, 1), A.bcond('ne', -8), A.addi(3, 3, 1), A.subsi(2, 2, 1), A.bcond('ne', -24), A.b(0)];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    jit.cpu.compileWork = WORK;
    for (const m of [jit, interp]) m.load(code);
    const pass = 1 + 3 * 1000 + 3;
    step(jit, interp, setup.length + pass * 5_000);
    expect(jit.cpu.blocksCompiled).toBe(1);
    jit.cpu.resolveFetch(CODE, 0);
    expect(jit.cpu.fetchBlocks[(outer + 4) >>> 2]?.fn).toBeTruthy();
    expect(jit.cpu.fetchBlocks[outer >>> 2]?.fn ?? null).toBeNull();
    step(jit, interp, pass * 1_000 + 1);
    expect([jit.x(1), jit.x(3)]).toEqual([6_000_000n, 6_000n]);
  });
  it('a loop across a page boundary (wasm regions): the piece before it is translated soon after the next page\'s start, not at HOT_THRESHOLD', () => {
    // head (CODE + 0xfe0): 8 ADDs to the page's end; the next page: x2--, b.ne head. The piece at the
    // next page's start (idx 0, 2 instructions) waits until it alone could have run the CPU's first
    // FIRST_WORK_FACTOR x compileWork instructions (about 4370 arrivals); the head piece (no branch
    // back in its page: not seen as a loop head) would wait HOT_THRESHOLD (10000), but looks at the
    // next page every 1024 arrivals and is translated at the first look after it (about 5100).
    const head = CODE + 0xfe0;
    const jit = wasmMachine();
    const interp = makeMachine({ jit: false });
    jit.cpu.compileWork = 3000;
    for (const m of [jit, interp]) {
      m.load([...Array.from({ length: 8 }, (_, k) => A.addi(5 + (k % 4), 5 + (k % 4), k + 1)), A.subsi(2, 2, 1), A.bcond('ne', -36), A.b(0)], head);
      m.set(2, 9000);
    }
    const pass = 10;
    const entry = (at: number) => {
      jit.cpu.resolveFetch(at, 0);
      return jit.cpu.fetchBlocks[(at & 0xfff) >>> 2]?.fn ?? null;
    };
    step(jit, interp, pass * 4500);
    expect(entry(head + 0x20), 'the next page\'s start').not.toBeNull();
    expect(entry(head)).toBeNull();
    step(jit, interp, pass * 800);
    expect(entry(head), 'the piece before the boundary').not.toBeNull();
    expect(jit.cpu.blocksCompiled).toBe(2);
    step(jit, interp, pass * 3700 + 1);
    expect(jit.x(2)).toBe(0n);
  });

  it('the interpreter running on (no branch) into a translated entry leaves it to dispatch(), which runs the region', () => {
    // outer: movz x4, #100; inner: x1++, x4--, b.ne inner; x2--, b.ne outer. The inner loop's region
    // is translated; the outer head waits longer than the run (compileWork 3000: 2000 arrivals), so
    // each outer pass runs the MOVZ (and the tail) interpreted, then the region from the first inner
    // pass on: 300 steps per call (297 when the interpreter ran the first pass up to its branch back).
    const setup = A.mov64(2, 400);
    const code = [...setup, A.movz(4, 100), A.addi(1, 1, 1), A.subsi(4, 4, 1), A.bcond('ne', -8), A.subsi(2, 2, 1), A.bcond('ne', -20), A.b(0)];
    const inner = (setup.length + 1) * 4;
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    jit.cpu.compileWork = 3000;
    for (const m of [jit, interp]) m.load(code);
    const pass = 1 + 3 * 100 + 2;
    step(jit, interp, setup.length + pass * 100);
    jit.cpu.resolveFetch(CODE, 0);
    const block = jit.cpu.fetchBlocks[inner >>> 2] as { fn: Block['fn'] } | undefined;
    expect(block?.fn).toBeTruthy();
    expect(jit.cpu.fetchBlocks[(inner - 4) >>> 2]).toBeUndefined();
    const fn = block!.fn!;
    const calls: number[] = [];
    block!.fn = (...args) => {
      const done = fn(...args);
      calls.push(done);
      return done;
    };
    step(jit, interp, pass * 50);
    expect(calls).toEqual(new Array(50).fill(300));
    step(jit, interp, pass * 250 + 1);
    expect(jit.x(1)).toBe(40_000n);
  });

  it('a function of straight code past MAX_BLOCK is translated after its compile work, not at HOT_THRESHOLD like a short one', () => {
    // outer: bl long; bl short; x2--; b.ne outer. `long` is MAX_BLOCK + 22 ADDs and RET (at least
    // MAX_BLOCK instructions an arrival), `short` MAX_BLOCK - 28 (HOT_THRESHOLD, 10000 arrivals); each
    // on a page of its own, off its start (not in the loop's region, not a page's first instruction).
    const long = CODE + 0x1100;
    const short = CODE + 0x1800;
    const adds = (n: number) => [...Array.from({ length: n }, (_, k) => A.addi(5 + (k % 4), 5 + (k % 4), k + 1)), A.ret()];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    jit.cpu.compileWork = WORK;
    jit.cpu.longLoop = Infinity;
    for (const m of [jit, interp]) {
      m.load(adds(MAX_BLOCK + 22), long);
      m.load(adds(MAX_BLOCK - 28), short);
      m.load([...A.mov64(2, 2000), A.bl(long - CODE - 16), A.bl(short - CODE - 20), A.subsi(2, 2, 1), A.bcond('ne', -12), A.b(0)]);
    }
    const pass = 4 + (MAX_BLOCK + 23) + (MAX_BLOCK - 27);
    const entry = (at: number) => {
      jit.cpu.resolveFetch(at, 0);
      return jit.cpu.fetchBlocks[(at & 0xfff) >>> 2]?.fn ?? null;
    };
    step(jit, interp, 4 + pass * 1000);
    expect(entry(long), 'the straight function').not.toBeNull();
    expect(entry(short), 'the short one').toBeNull();
    step(jit, interp, pass * 1000 + 1);
    expect(jit.x(2)).toBe(0n);
  });
});
