/**
 * Direct chaining between i386 wasm regions (src/core/jit/region-links.ts, jit-wasm.ts Gen.chain): a region's jump
 * to another region's entry in its page goes on there without the dispatcher, with counts, budgets and state as
 * the interpreter's, and a store into the linked region's code unlinks it. Encodings checked with
 * `llvm-mc -triple=i386 -show-encoding`.
 */
import { describe, expect, it } from 'vitest';
import { EAX, EBX, EDI, EDX, ESI } from '../../../plugins/arch-i386/src/cpu.js';
import { REGION_RUNS } from '../../../plugins/arch-i386/src/jit.js';
import { agree, CODE, le32, machine } from './wasm-machine.js';

/** Page offset of the loop's second half. */
const B = 0x800;
/** Instructions of one pass. */
const PASS = 300 + 3 + 1 + 300 + 2;

/** Page offset of the INC ESI that the loop may patch into an INC EDI (in the second region only). */
const PATCHED = B + 0x100;

/**
 * A loop longer than a region may be (jit.ts MAX_REGION_INSNS), so two regions of one page: 300 INC EAX, at EBX =
 * `patchAt` a store making the INC ESI at PATCHED an INC EDI, JMP B; at B: ADD EDX, 1, 300 INC ESI, DEC EBX, JNZ back.
 */
function twoRegionLoop(patchAt: number): number[] {
  const a = [...new Array<number>(300).fill(0x40), 0x81, 0xfb, ...le32(patchAt), 0x75, 7, 0xc6, 0x05, ...le32(CODE + PATCHED), 0x47];
  a.push(0xe9, ...le32(B - (a.length + 5)));
  const b = [0x81, 0xc2, ...le32(1), ...new Array<number>(300).fill(0x46), 0x4b];
  b.push(0x0f, 0x85, ...le32(-(B + b.length + 6)));
  return [...a, ...new Array<number>(B - a.length).fill(0x90), ...b];
}

const PASSES = 3 * REGION_RUNS;
const START = { [EAX]: 0, [EBX]: PASSES, [EDX]: 0, [ESI]: 0, [EDI]: 0 };

describe('i386 wasm region links', () => {
  it('run a loop of two regions of one page as the interpreter at every budget', () => {
    for (const budget of [97, 100_003]) {
      const m = agree(twoRegionLoop(-1), START, budget, undefined, 100_000);
      expect([m.cpu.regs[EAX], m.cpu.regs[EDX], m.cpu.regs[ESI]]).toEqual([300 * PASSES, PASSES, 300 * PASSES]);
    }
  });

  it('go from one region to the other without the dispatcher once both are made', () => {
    const m = machine(twoRegionLoop(-1), 'jit', START);
    const slice = 100 * PASS;
    while (m.cpu.regs[EBX] > PASSES - 2 * REGION_RUNS) m.cpu.run(slice);
    const calls = m.cpu.blockRuns, left = m.cpu.regs[EBX];
    while (!m.cpu.waiting) m.cpu.run(slice);
    // A few calls per slice (403 for 43 slices), not two per pass through the dispatcher (8,349 without links).
    expect(m.cpu.blockRuns - calls).toBeLessThan(left / 4);
    expect(m.cpu.regs[EDX]).toBe(PASSES);
  });

  it('unlink the regions of a page that DMA wrote: the next regions of the page go to no old one', () => {
    const m = machine(twoRegionLoop(-1), 'jit', START);
    while (m.cpu.regs[EBX] > PASSES - REGION_RUNS - 200) m.cpu.run(100 * PASS);
    m.bus.dmaWrite(CODE + PATCHED, Uint8Array.of(0x47));
    const left = m.cpu.regs[EBX] - (m.cpu.eip - CODE > PATCHED ? 1 : 0);
    while (!m.cpu.waiting) m.cpu.run(100 * PASS);
    expect([m.cpu.regs[ESI], m.cpu.regs[EDI]]).toEqual([300 * PASSES - left, left]);
  });

  it('unlink a region whose code a store changed: the first region no longer goes to it, the new code runs', () => {
    for (const budget of [97, 100_003]) {
      const m = agree(twoRegionLoop(1000), START, budget, undefined, 100_000);
      expect([m.cpu.regs[ESI], m.cpu.regs[EDI]]).toEqual([300 * PASSES - 1000, 1000]);
    }
  });
});
