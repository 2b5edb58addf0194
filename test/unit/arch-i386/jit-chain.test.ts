/**
 * The chain between i386 wasm translations (plugins/arch-i386/src/jit-chain.ts): a translation leaving to another's
 * start calls it from wasm, without cpu.ts runBlocks, once both are past their warm calls, counting the runs
 * of a start not yet run REGION_RUNS times so that runBlocks still makes it a region then; exact counts,
 * state and memory against the interpreter at every slice; a store to the code of a chained translation runs the new
 * code; the fast TLB's execute entries (mmu.ts FAST_KIND_SX/UX) it finds pages with. Encodings checked with
 * `llvm-mc -triple=i386 -show-encoding`.
 */
import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX, EDX } from '../../../plugins/arch-i386/src/cpu.js';
import { chainIndex } from '../../../plugins/arch-i386/src/jit-chain.js';
import { REGION_RUNS, WARM_CALLS } from '../../../plugins/arch-i386/src/jit.js';
import { CHAIN_ENTRIES } from '../../../plugins/arch-i386/src/jit-wasm.js';
import { ACCESS_EXEC, FAST_EMPTY, FAST_KIND_SX, FAST_KIND_UX, TLB_BITS, TLB_MASK } from '../../../plugins/arch-i386/src/mmu.js';
import { enterPaging, HLT, mapPage, P, pagedMachine, RW } from './paging-machine.js';

process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

const LOOP = 0x20000, FN = 0x21000;
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/**
 * `L: call FN; dec ebx; cmp ebx, patchAt; jne N; mov byte [FN + 1], 0xd0; N: test ebx, ebx; jnz L; hlt` and, on the
 * next page, FN: `add eax, ecx; ret` (the MOV makes it `add eax, edx`).
 */
function machine(engine: 'interp' | 'jit', patchAt: number, passes: number) {
  const m = pagedMachine([], engine);
  const loop = [0xe8, ...le32(FN - (LOOP + 5)), 0x4b, 0x81, 0xfb, ...le32(patchAt), 0x75, 0x07, 0xc6, 0x05, ...le32(FN + 1), 0xd0, 0x85, 0xdb, 0x75, 0xe7, HLT];
  m.bus.dmaWrite(LOOP, Uint8Array.from(loop));
  m.bus.dmaWrite(FN, Uint8Array.from([0x01, 0xc8, 0xc3]));
  m.cpu.regs[EBX] = passes; m.cpu.regs[ECX] = 3; m.cpu.regs[EDX] = 5;
  m.cpu.pc = LOOP;
  return m;
}

/** Runs both engines in slices of `budget` to the HLT, comparing after each; returns the translator's machine. */
function agree(patchAt: number, budget: number, passes = 20_000) {
  const a = machine('interp', patchAt, passes), b = machine('jit', patchAt, passes);
  expect(b.cpu.wasmCore).not.toBeNull();
  const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs];
  for (let slice = 0; !a.cpu.waiting; slice++) {
    expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
    expect(state(b), `slice ${slice}`).toEqual(state(a));
  }
  expect(b.cpu.waiting).toBe(true);
  expect(Buffer.from(b.ram.u8.subarray(FN, FN + 3))).toEqual(Buffer.from(a.ram.u8.subarray(FN, FN + 3)));
  return b;
}

describe('i386 chained translations', () => {
  it('call the next translation from wasm once both are past their WARM_CALLS warm calls from runBlocks (a call to another page and its return)', () => {
    const b = agree(-1, 100_000);
    expect(b.cpu.regs[EAX]).toBe(3 * 20_000);
    // Two calls a pass (the function's block; the loop's region from the return): four starts, each run WARM_CALLS
    // times from runBlocks, then the chain's.
    expect(b.cpu.blockRuns).toBeLessThan(4 * WARM_CALLS + 16);
    expect(b.cpu.blockRuns + b.cpu.chainedRuns).toBeGreaterThan(2 * 20_000 - 200);
    expect(b.cpu.chainedRuns).toBeGreaterThan(2 * 20_000 - 4 * WARM_CALLS - 200);
  });

  it('count the runs of starts chained before their REGION_RUNS-th run, and go back to runBlocks there, which makes them regions', () => {
    const b = agree(-1, 100_000);
    expect(WARM_CALLS).toBeLessThan(REGION_RUNS);
    // The function's block and the loop's entry each reach REGION_RUNS runs, nearly all of them chained, and become
    // regions (three translations in all): without the count they would stay the blocks runBlocks chained.
    expect(b.cpu.regionRunsReached).toBe(2);
    expect(b.cpu.blocksCompiled).toBe(3);
    expect(b.cpu.blockRuns).toBeLessThan(4 * WARM_CALLS + 16);
  });

  it('stop at the step budget with the counts exact (slices of 5, 13 and 1000 steps)', () => {
    for (const budget of [5, 13, 1000]) agree(-1, budget);
  });

  it('run the new code after a store to a chained translation\'s bytes (the chain forgets every start, runBlocks puts them back)', () => {
    const b = agree(20_000, 100_000, 40_000);
    expect(b.cpu.regs[EAX]).toBe(3 * 20_000 + 5 * 20_000);
    // The function's new block runs REGION_RUNS times from runBlocks again, then the chain's again: had the chain
    // stopped at the store, it would have made ~2 x 20,000 - 4 x REGION_RUNS calls.
    expect(b.cpu.chainedRuns).toBeGreaterThan(2 * 40_000 - 8 * REGION_RUNS);
  });

  it('find pages by the fast TLB\'s execute entries: RAM with execute permission, supervisor and user apart', () => {
    const m = machine('jit', -1, 1);
    enterPaging(m);
    mapPage(m, FN, FN | P | RW); // supervisor only
    const tlb = m.cpu.mmu, entry = (kind: number, linear: number) => (kind << (TLB_BITS + 1)) | (((linear >>> 12) & TLB_MASK) << 1);
    for (const linear of [LOOP, FN]) expect(tlb.translate(linear, ACCESS_EXEC, false)).toBeGreaterThanOrEqual(0);
    expect(tlb.fastTlb[entry(FAST_KIND_SX, FN)]).toBe(FN);
    expect(tlb.fastTlb[entry(FAST_KIND_SX, FN) + 1] + FN).toBe(FN); // the RAM offset less the tag
    expect(tlb.fastTlb[entry(FAST_KIND_UX, FN)]).toBe(FAST_EMPTY);
    expect(tlb.fastTlb[entry(FAST_KIND_UX, LOOP)]).toBe(LOOP);
    tlb.invalidate(FN);
    expect(tlb.fastTlb[entry(FAST_KIND_SX, FN)]).toBe(FAST_EMPTY);
  });

  it('hash the RAM offsets of a page into its table of starts: pairs, in range, spread over most entries', () => {
    const seen = new Set<number>();
    for (let off = 0x12ef000; off < 0x12f0000; off++) {
      const i = chainIndex(off);
      expect(i % 2).toBe(0);
      expect(i >= 0 && i < 2 * CHAIN_ENTRIES).toBe(true);
      seen.add(i);
    }
    expect(seen.size).toBeGreaterThan(CHAIN_ENTRIES * 0.9);
  });
});
