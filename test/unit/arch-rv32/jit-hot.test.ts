/**
 * When code gets compiled: a block that loops on itself at JIT_THRESHOLD control transfers, a
 * loop of several blocks as one region at REGION_THRESHOLD, any other entry's block only once it
 * is hot (HOT_THRESHOLD), so that code run a few hundred times stays in the interpreter; and, by
 * default, only once the interpreter has run about COMPILE_WORK instructions from the entry (the
 * unit-test machine sets `compileWork` to 0). Instruction counts and state are the interpreter's either way.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { COMPILE_WORK, forgetCompiledRegions, HOT_THRESHOLD, JIT_THRESHOLD, MAX_REGION_INSNS, REGION_THRESHOLD, regionScanStats, STRAIGHT_WORK_FACTOR } from '../../../plugins/arch-rv32/src/jit.js';
import type { CodeCache } from '../../../src/core/jit/code-cache.js';
import { installHandlers, makeMachine, openPmp, RAM_BASE } from './machine.js';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { jitKit } from '../../../src/core/jit/index.js';

// JavaScript regions (jit.ts): RAM in an ArrayBuffer (bus.ts wasmRamWanted). This file's own process.
process.env.RVOS_JIT_WASM = '0';

const { s1, a0, a1, ra, t1 } = A;

/** A loop of two blocks (one region, entered at its head): `a0 += 1; j next; a1 += 2; s1 -= 1; bnez s1, loop`. */
function twoBlockLoop(iterations: number) {
  return [A.addi(a0, 0, 0), A.li(s1, iterations), A.addi(a0, a0, 1), A.jal(0, 4), A.addi(a1, a1, 2), A.addi(s1, s1, -1), A.bne(s1, 0, -16), A.ebreak()];
}

/**
 * A loop that calls a leaf function through a register: `loop: t1 = leaf; jalr ra, t1; s1 -= 1;
 * bnez s1, loop` and `leaf: a0 += 1; ret`. The call's target is not known before it runs, so
 * control leaves every region through a JALR and none loops inside.
 */
function indirectCallLoop(iterations: number) {
  return [A.li(s1, iterations), A.auipc(t1, 0), A.addi(t1, t1, 24), A.jalr(ra, t1, 0), A.addi(s1, s1, -1), A.bne(s1, 0, -16), A.ebreak(), A.addi(a0, a0, 1), A.jalr(0, ra, 0)];
}

/** A loop that calls a leaf function in its page: `loop: call leaf; s1 -= 1; bnez s1, loop` and `leaf: a0 += 1; ret`. */
function callLoop(iterations: number) {
  return [A.li(s1, iterations), A.jal(ra, 16), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak(), A.addi(a0, a0, 1), A.jalr(0, ra, 0)];
}

/** A block that loops on itself: `a0 += 1; s1 -= 1; bnez s1, loop`. */
function selfLoop(iterations: number) {
  return [A.addi(s1, 0, iterations), A.addi(a0, a0, 1), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak()];
}

/** `selfLoop` for any count: `a0 += 1; s1 -= 1; bnez s1, loop` after `li s1, iterations`. */
function longSelfLoop(iterations: number) {
  return [A.li(s1, iterations), A.addi(a0, a0, 1), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak()];
}

/** A machine whose hart sees every region as new, as in a fresh process (unless `again`: what earlier machines compiled stays known). */
function machine(program: Array<number | number[]>, jit = true, compileWork = 0, again = false) {
  if (!again) forgetCompiledRegions();
  const m = makeMachine({ jit });
  m.cpu.compileWork = compileWork;
  installHandlers(m);
  m.load(program);
  return m;
}

describe('rv32 block compiler: hotness', () => {
  it('thresholds: self-loops early, other blocks once hot', () => {
    expect(JIT_THRESHOLD).toBeLessThan(REGION_THRESHOLD);
    expect(REGION_THRESHOLD).toBeLessThan(HOT_THRESHOLD);
  });

  it('compiles a block that loops on itself after JIT_THRESHOLD iterations', () => {
    const m = machine(selfLoop(JIT_THRESHOLD + 8));
    m.run(1 + 3 * (JIT_THRESHOLD + 1));
    expect(m.cpu.blocksCompiled).toBe(1);
  });

  it('compiles a loop of several blocks as one region at its head after REGION_THRESHOLD iterations', () => {
    const m = machine(twoBlockLoop(REGION_THRESHOLD * 2));
    m.run(3 + 5 * (REGION_THRESHOLD - 8));
    expect(m.cpu.blocksCompiled).toBe(0);
    m.run(5 * (REGION_THRESHOLD + 8) + 1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a0)).toBe(REGION_THRESHOLD * 2);
    // Long before HOT_THRESHOLD. (Also at the jump's target: the run loop's first calls step one
    // instruction each, where the region at the head cannot run, so both entries get hot.)
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(m.cpu.blocksCompiled).toBeLessThanOrEqual(2);
  });

  it('leaves regions that do not loop to their entry to the interpreter until HOT_THRESHOLD', () => {
    const m = machine(indirectCallLoop(HOT_THRESHOLD * 2));
    m.run(2 + 7 * (HOT_THRESHOLD - 8));
    expect(m.cpu.blocksCompiled).toBe(0);
    m.run(7 * 16);
    // At the loop head, the return address or the leaf function: once one runs, the interpreter
    // no longer arrives at the slots its region covers.
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('scans the region of an entry whose first block does not loop on itself only from REGION_THRESHOLD arrivals', () => {
    const m = machine(indirectCallLoop(HOT_THRESHOLD));
    const before = regionScanStats.scans;
    m.run(2 + 7 * (REGION_THRESHOLD - 8));
    expect(regionScanStats.scans).toBe(before);
    m.run(7 * 16);
    expect(regionScanStats.scans).toBeGreaterThan(before);
    expect(m.cpu.blocksCompiled).toBe(0);
  });

  it('compiles a loop that calls a function in its page as one region at REGION_THRESHOLD (the return comes back inside)', () => {
    const m = machine(callLoop(REGION_THRESHOLD * 4));
    m.run(2 + 5 * (REGION_THRESHOLD + 8));
    // (Two entries at most, as above: the run loop's first one-step calls.)
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(m.cpu.blocksCompiled).toBeLessThanOrEqual(2);
    m.run(5 * REGION_THRESHOLD * 4);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a0)).toBe(REGION_THRESHOLD * 4);
    // The leaf and the return address run inside a region: they never get hot on their own.
    expect(m.cpu.blocksCompiled).toBeLessThanOrEqual(2);
  });

  it('retires the same instructions with the same results as the interpreter', () => {
    const iterations = HOT_THRESHOLD * 3 + 17;
    const total = 3 + 5 * iterations + 1;
    const [jit, ref] = [machine(twoBlockLoop(iterations)), machine(twoBlockLoop(iterations), false)];
    for (const m of [jit, ref]) {
      // Uneven slices, so that budgets end inside blocks.
      for (let left = total, k = 7; left > 0; k = (k * 5 + 3) % 997) {
        const step = Math.min(k + 1, left);
        expect(m.run(step)).toBe(step);
        left -= step;
      }
    }
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(jit.cpu.blocksCompiled).toBeLessThanOrEqual(2);
    expect(jit.reg(a0)).toBe(iterations);
    for (const r of [a0, a1, s1]) expect(jit.reg(r)).toBe(ref.reg(r));
    expect(jit.cpu.pc).toBe(ref.cpu.pc);
    expect(jit.cpu.retired).toBe(ref.cpu.retired);
    expect(jit.cpu.mcause).toBe(3);
  });

  it('waits by default until the interpreter has run about COMPILE_WORK instructions from an entry', () => {
    expect(makeMachine().cpu.compileWork).toBe(0); // the unit-test machine's setting
    const work = 30_000;
    // A block of 3 instructions looping on itself: work / 3 = 10000 arrivals, not JIT_THRESHOLD.
    // (The run loop's first calls step one instruction each: a few hundred more arrivals.)
    const loop = machine(longSelfLoop(20_000), true, work);
    loop.run(2 + 3 * 9_000);
    expect(loop.cpu.blocksCompiled).toBe(0);
    loop.run(3 * 2_000);
    expect(loop.cpu.blocksCompiled).toBe(1);
    // Blocks that do not loop: HOT_THRESHOLD arrivals, or more for short blocks, which need
    // STRAIGHT_WORK_FACTOR times the work (with 45000 instructions of it, the 3-instruction call
    // block waits 15000 arrivals, the others 22500).
    const calls = machine(indirectCallLoop(20_000), true, 45_000 / STRAIGHT_WORK_FACTOR);
    calls.run(2 + 7 * (HOT_THRESHOLD + 2_000));
    expect(calls.cpu.blocksCompiled).toBe(0);
    calls.run(7 * 5_000);
    expect(calls.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('blocks that do not loop wait for STRAIGHT_WORK_FACTOR times compileWork', () => {
    expect(STRAIGHT_WORK_FACTOR).toBeGreaterThan(1);
    // The call block (3 instructions) and the leaf (2) and return point (2): with compileWork
    // 45000 they wait 15000 and 22500 arrivals without the factor, 60000 and 90000 with it.
    const calls = machine(indirectCallLoop(100_000), true, 45_000);
    calls.run(2 + 7 * 40_000);
    expect(calls.cpu.blocksCompiled).toBe(0);
    calls.run(7 * 30_000);
    expect(calls.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('gives every slot where a block is stored a heat of at least JIT_THRESHOLD (execute() looks for blocks only there)', () => {
    const m = machine(callLoop(REGION_THRESHOLD * 4));
    m.run(2 + 5 * (REGION_THRESHOLD + 8));
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    const page = (m.cpu as unknown as { codePages: CodeCache<{ fn: unknown }> }).codePages.peek(0)!;
    let stored = 0;
    page.entries.forEach((block, slot) => {
      if (block === undefined || block.fn === null) return;
      stored++;
      expect(page.heat[slot]).toBeGreaterThanOrEqual(JIT_THRESHOLD);
    });
    // The entry and the region's other blocks (the leaf, the return address).
    expect(stored).toBeGreaterThanOrEqual(3);
    m.run(5 * REGION_THRESHOLD * 4);
    expect(m.reg(a0)).toBe(REGION_THRESHOLD * 4);
  });

  it('keeps the entries pages share untouched: a block stored by the dispatcher goes to its page\'s own entries', () => {
    const m = machine(callLoop(REGION_THRESHOLD * 4));
    m.run(2 + 5 * (REGION_THRESHOLD + 8));
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    const cache = (m.cpu as unknown as { codePages: CodeCache<unknown> }).codePages;
    const fresh = cache.page(5); // a page never fetched: the shared entries
    expect(cache.peek(0)!.entries).not.toBe(fresh.entries);
    expect(fresh.entries.every((e) => e === undefined)).toBe(true);
  });

  it('keeps waiting past the heat counter\'s range (waits of at most 16384 arrivals, counted in `warm`)', () => {
    // 3 instructions x 40000 arrivals: three waits.
    const m = machine(longSelfLoop(60_000), true, 120_000);
    m.run(2 + 3 * 38_000);
    expect(m.cpu.blocksCompiled).toBe(0);
    m.run(3 * 4_000);
    expect(m.cpu.blocksCompiled).toBe(1);
    m.run(3 * 20_000);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a0)).toBe(60_000);
  });

  it('counts the arrivals of every wait exactly: compiles at compileWork / size arrivals, not before', () => {
    // 3 instructions x 20000 arrivals. The first wait (about compileWork / MAX_REGION_INSNS, before
    // any scan) is shorter than the heat counter's range: counted as a full one, the loop compiled
    // at about 16900 arrivals.
    const m = machine(longSelfLoop(30_000), true, 60_000);
    m.run(2 + 3 * 19_000);
    expect(m.cpu.blocksCompiled).toBe(0);
    m.run(3 * 2_000);
    expect(m.cpu.blocksCompiled).toBe(1);
    m.run(3 * 10_000);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a0)).toBe(30_000);
  });

  it('does not scan a region before compileWork / MAX_REGION_INSNS arrivals (no region could be compiled sooner)', () => {
    const m = machine(longSelfLoop(30_000), true, 60_000);
    m.run(2 + 3 * 100);
    // The loop's head (slot 4 of the first RAM page): one wait, for the largest region's share,
    // not yet the 3-instruction block's 20000 arrivals (which only a scan tells).
    const page = (m.cpu as unknown as { codePages: CodeCache<unknown> }).codePages.peek(0)!;
    expect(page.warm[4]).toBe(1);
    expect(page.arrivals(4) - page.heat[4]).toBe(Math.ceil(60_000 / MAX_REGION_INSNS) - JIT_THRESHOLD);
  });

  it('compiles a region compiled earlier in the process (V8 has its source) at its kind\'s threshold, without waiting for compileWork', () => {
    const first = machine(longSelfLoop(30_000), true, 60_000);
    first.run(2 + 3 * 30_000);
    expect(first.cpu.blocksCompiled).toBe(1);
    // The same 3-instruction loop (20000 arrivals when new): as soon as the first wait
    // (compileWork / MAX_REGION_INSNS arrivals) ends and the scan finds it known.
    const again = machine(longSelfLoop(30_000), true, 60_000, true);
    again.run(2 + 3 * (Math.ceil(60_000 / MAX_REGION_INSNS) + 100));
    expect(again.cpu.blocksCompiled).toBe(1);
    // A different loop (a0 += 2) still waits.
    const other = machine([A.li(s1, 30_000), A.addi(a0, a0, 2), A.addi(s1, s1, -1), A.bne(s1, 0, -8), A.ebreak()], true, 60_000, true);
    other.run(2 + 3 * 10_000);
    expect(other.cpu.blocksCompiled).toBe(0);
  });

  it('a hart built as boards build it waits for COMPILE_WORK, with paging on too', () => {
    const m = makeMachine();
    const cpu = new Rv32Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: m.clock, events: m.events, machine: { powerOff() {}, reset() {} }, props: {} });
    expect(cpu.compileWork).toBe(COMPILE_WORK);
    expect(cpu.pagedCompileWork).toBe(COMPILE_WORK);
  });

  it('waits for pagedCompileWork, not compileWork, where fetches are translated (S-mode under Sv32)', () => {
    // The self loop at VA 0x00400000 (RAM's first page) in S-mode: 3 instructions x 20000 arrivals.
    const paged = (pagedCompileWork: number) => {
      const m = machine(longSelfLoop(30_000), true, 0);
      m.cpu.pagedCompileWork = pagedCompileWork;
      const ROOT = RAM_BASE + 0x20000;
      const L0 = RAM_BASE + 0x21000;
      openPmp(m);
      m.w32(ROOT + 1 * 4, (((L0 >>> 12) << 10) | 1) >>> 0);
      m.w32(L0, (((RAM_BASE >>> 12) << 10) | 0xcb) >>> 0);
      m.cpu.satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
      m.cpu.flushTlbAll();
      m.cpu.setPrivilege(1);
      m.cpu.pc = 0x00400000;
      return m;
    };
    const m = paged(60_000);
    m.run(2 + 3 * 19_000);
    expect(m.cpu.blocksCompiled).toBe(0);
    m.run(3 * 2_000);
    expect(m.cpu.blocksCompiled).toBe(1);
    m.run(3 * 10_000);
    expect(m.reg(a0)).toBe(30_000);
    // With 0, at the self loop's JIT_THRESHOLD, as in M-mode.
    const early = paged(0);
    early.run(2 + 3 * (JIT_THRESHOLD + 2));
    expect(early.cpu.blocksCompiled).toBe(1);
  });
});
