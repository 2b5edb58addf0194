/**
 * Calls and returns inside one compiled region (jit.ts successors/terminator): a call to a function
 * in the same page (JAL, or AUIPC + JALR) and the callee's return (a JALR) stay in the region's
 * function when both ends are in it, so recursion runs without going back to execute(). Counts,
 * traps, interrupts and code invalidation stay exactly the interpreter's.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import type { JitKit } from '../../../src/core/api.js';
import { jitKit } from '../../../src/core/jit/index.js';
import type { BlockFn } from '../../../plugins/arch-rv32/src/jit.js';
import { installHandlers, makeMachine, RAM_BASE, type TestMachine } from './machine.js';

const { ra, sp, s0, s1, s2, a0, a1, a2, a3 } = A;
const STACK = RAM_BASE + 0x20000;
/** Byte offset of `add a0, a0, s1` in fib(): the second call's return site. */
const RETURN_SITE = 68;

/**
 * `a0 = fib(a0)`, recursively: one call through AUIPC + JALR, one through JAL, returns through
 * `jalr x0, ra`. The base case stores a3 to s2 (a2 = 0: nothing; else a device or code).
 */
function fibProgram(n: number): number[] {
  return [
    /* 0 */ A.addi(a0, 0, n),
    /* 4 */ A.lui(sp, STACK >>> 12),
    /* 8 */ A.jal(ra, 8),
    /* 12 */ A.ebreak(),
    /* 16 fib: */ A.addi(sp, sp, -12),
    /* 20 */ A.sw(ra, sp, 8),
    /* 24 */ A.sw(s0, sp, 4),
    /* 28 */ A.sw(s1, sp, 0),
    /* 32 */ A.addi(s0, a0, 0),
    /* 36 */ A.addi(a1, 0, 2),
    /* 40 */ A.bltu(a0, a1, 32), // to base
    /* 44 */ A.addi(a0, s0, -1),
    /* 48 */ A.auipc(ra, 0),
    /* 52 */ A.jalr(ra, ra, -32), // call fib (16)
    /* 56 */ A.addi(s1, a0, 0),
    /* 60 */ A.addi(a0, s0, -2),
    /* 64 */ A.jal(ra, -48), // call fib (16)
    /* 68 */ A.add(a0, a0, s1),
    /* 72 base: */ A.beq(a2, 0, 8),
    /* 76 */ A.sw(a3, s2, 0),
    /* 80 */ A.lw(ra, sp, 8),
    /* 84 */ A.lw(s0, sp, 4),
    /* 88 */ A.lw(s1, sp, 0),
    /* 92 */ A.addi(sp, sp, 12),
    /* 96 */ A.jalr(0, ra, 0),
  ];
}

function fibOf(n: number): number {
  return n < 2 ? n : fibOf(n - 1) + fibOf(n - 2);
}

function machine(jit: boolean, n: number): TestMachine {
  const m = makeMachine({ jit });
  installHandlers(m);
  m.load(fibProgram(n));
  return m;
}

function expectSameState(jit: TestMachine, ref: TestMachine) {
  for (let r = 0; r < 32; r++) expect(jit.reg(r), `x${r}`).toBe(ref.reg(r));
  expect(jit.cpu.pc).toBe(ref.cpu.pc);
  expect(jit.cpu.retired).toBe(ref.cpu.retired);
}

/** Counts the calls of every region function compiled from now on (execute()'s dispatches to regions). */
function countRegionCalls(m: TestMachine): { calls: number } {
  const counter = { calls: 0 };
  const factory = <F extends (...args: never[]) => unknown>(params: readonly string[], source: string): F => {
    const make = jitKit.factory<(...args: unknown[]) => BlockFn>(params, source);
    return ((...args: unknown[]) => {
      const fn = make(...args);
      return (pc0: number, n0: number, max: number, blk0: number) => {
        counter.calls++;
        return fn(pc0, n0, max, blk0);
      };
    }) as unknown as F;
  };
  (m.cpu as { kit: JitKit }).kit = { ...jitKit, factory };
  return counter;
}

/** Runs both machines in the same uneven slices, comparing state after each. */
function runTwin(jit: TestMachine, ref: TestMachine, total: number, between: (done: number) => void = () => {}) {
  let done = 0;
  for (let k = 5; done < total; k = (k * 7 + 11) % 2003) {
    const step = Math.min(k + 1, total - done);
    expect(jit.run(step)).toBe(step);
    expect(ref.run(step)).toBe(step);
    done += step;
    expectSameState(jit, ref);
    between(done);
  }
}

describe('rv32 region compiler: calls and returns inside a region', () => {
  it('recursion runs inside one function, with the interpreter counts and results', () => {
    const n = 18;
    const [jit, ref] = [machine(true, n), machine(false, n)];
    const counter = countRegionCalls(jit);
    runTwin(jit, ref, 120_000);
    jit.run(2_000_000);
    ref.run(2_000_000);
    expectSameState(jit, ref);
    expect(jit.cpu.mcause).toBe(3); // the ebreak after the outer call
    expect(jit.reg(a0)).toBe(fibOf(n));
    // ~100k calls and returns; nearly all of them stay in the region's function.
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(counter.calls).toBeLessThan(2_000);
  });

  it('a slice that ends inside a region resumes in the same function, entered at the block where it stopped', () => {
    const n = 20;
    const [jit, ref] = [machine(true, n), machine(false, n)];
    // Short uneven slices: thousands of resumes, hundreds at each block of fib().
    for (let k = 3, done = 0; done < 400_000; k = (k * 7 + 11) % 97) {
      for (const m of [jit, ref]) expect(m.run(k + 1)).toBe(k + 1);
      done += k + 1;
    }
    expectSameState(jit, ref);
    // Every block of a region is an entry of its one function (an alias in the code cache): no
    // copy is compiled per resume point.
    expect(jit.cpu.blocksCompiled).toBeLessThanOrEqual(3);
    expect(jit.cpu.codeCache.aliases).toBeGreaterThan(0);
  });

  it('an interrupt raised by a store deep in the recursion is taken after that store, as by the interpreter', () => {
    const n = 16;
    const [jit, ref] = [machine(true, n), machine(false, n)];
    for (const m of [jit, ref]) {
      const msip = m.cpu.irqInput('msip')!;
      let stores = 0;
      m.bus.map({ name: 'ipi', base: 0x20000000, size: 4, index: 0, device: { name: 'ipi', write: () => msip.set(++stores === 700) } });
      m.cpu.mie = 1 << 3;
      m.cpu.mstatus = 1 << 3;
      m.cpu.setReg(a2, 1);
      m.cpu.setReg(s2, 0x20000000);
    }
    runTwin(jit, ref, 60_000);
    expect(jit.traps[0]).toMatchObject({ interrupt: true, cause: 3 });
    expect(jit.cpu.mepc).toBe(ref.cpu.mepc);
    expect(jit.cpu.mepc).toBe(RAM_BASE + 80);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('the recursion storing over its own code (a return site) drops the region and runs the new code', () => {
    const n = 17;
    const [jit, ref] = [machine(true, n), machine(false, n)];
    const original = A.add(a0, a0, s1);
    for (const m of [jit, ref]) {
      m.cpu.setReg(a2, 1);
      m.cpu.setReg(s2, RAM_BASE + RETURN_SITE);
      m.cpu.setReg(a3, original); // rewrites the same instruction: the region goes, the result stays
    }
    const patched = A.sub(a0, a0, s1);
    runTwin(jit, ref, 150_000, (done) => {
      // Later, the base case writes a different instruction there.
      if (done > 60_000) for (const m of [jit, ref]) m.cpu.setReg(a3, patched);
    });
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(jit.r32(RAM_BASE + RETURN_SITE)).toBe(patched >>> 0);
  });

  it('code written from outside between slices replaces the region (a debugger or DMA patch)', () => {
    const n = 18;
    const [jit, ref] = [machine(true, n), machine(false, n)];
    runTwin(jit, ref, 200_000, (done) => {
      if (done > 50_000 && done < 52_100) for (const m of [jit, ref]) m.poke(RAM_BASE + RETURN_SITE, A.assemble([A.sub(a0, a0, s1)]));
    });
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(1);
  });
});
