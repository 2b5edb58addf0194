/**
 * The experimental wasm regions (RVOS_JIT_WASM=1, plugins/arch-rv32/src/jit-wasm.ts) under the
 * JavaScript regions' behavioural tests: random instruction streams against the interpreter
 * (jit-diff), calls and returns inside regions (jit-calls), stores to code pages and paging
 * (jit-pages), and the block compiler's exits and counts (jit). The switch is read when RAM is
 * made, so setting it here (this file's own process) turns it on for every machine below.
 */
import { describe, expect, it } from 'vitest';
import { jitKit } from '../../../src/core/jit/index.js';
import type { CodeCache } from '../../../src/core/jit/code-cache.js';
import { Op, WARM_CALLS } from '../../../plugins/arch-rv32/src/execute.js';
import { Block, HOT_THRESHOLD, LONG_STRAIGHT, MAX_BLOCK, REGION_THRESHOLD, type RegionBlock } from '../../../plugins/arch-rv32/src/jit.js';
import * as A from '../../helpers/rv32asm.js';
import { compileWasmRegion, enterableBlocks, entryFirst, generateWasmRegion, loopScopes, wasmRegionStats } from '../../../plugins/arch-rv32/src/jit-wasm.js';
import { installHandlers, makeMachine } from './machine.js';

process.env.RVOS_JIT_WASM = '1';

describe('rv32 wasm regions', () => {
  it('are on for a jit hart whose RAM is a wasm memory, and its registers and TLBs live there', () => {
    const m = makeMachine({ jit: true });
    const wasm = m.cpu.wasm!;
    expect(wasm).not.toBeNull();
    expect(m.cpu.x.buffer).toBe(wasm.memory.buffer);
    expect(m.cpu.rTag.buffer).toBe(wasm.memory.buffer);
    expect(m.cpu.pageFlags.buffer).toBe(wasm.memory.buffer);
  });

  it('are off under the interpreter', () => {
    expect(makeMachine({ jit: false }).cpu.wasm).toBeNull();
  });

  it('run uncapped from their first call (no WARM_CALLS: V8 gathers no type feedback for wasm)', () => {
    const m = makeMachine({ jit: true });
    const entries = compileWasmRegion(m.cpu, jitKit, m.cpu.wasm!, [block(0, 3, 0)]);
    expect(entries[0].fn).not.toBeNull();
    expect(entries[0].warm).toBe(0);
    expect(new Block(null, 1).warm).toBe(WARM_CALLS);
  });
});

describe('rv32 wasm regions: long straight code', () => {
  const HEAD = 12;
  /**
   * A loop whose body is `n` ADDIs (a0 += 1) run `passes` times, closed by an indirect jump (so that no
   * region sees it loop): `li s1, passes; auipc t0, 0; addi t0, t0, 8; HEAD: n x addi; addi s1, s1, -1;
   * beq s1, zero, +8; jalr zero, t0; ebreak`.
   */
  function straightLoop(n: number, passes: number) {
    const body = Array.from({ length: n }, () => A.addi(A.a0, A.a0, 1));
    const m = makeMachine({ jit: true });
    installHandlers(m);
    m.load([A.addi(A.s1, 0, passes), A.auipc(A.t0, 0), A.addi(A.t0, A.t0, HEAD - 4), ...body, A.addi(A.s1, A.s1, -1), A.beq(A.s1, 0, 8), A.jalr(0, A.t0, 0), A.ebreak()]);
    return m;
  }
  /** The program's code page: its translations, and the slots the one at HEAD covers. */
  const programPage = (m: ReturnType<typeof makeMachine>) => (m.cpu as unknown as { codePages: CodeCache<unknown> }).codePages.peek(0)!;
  const passSteps = (n: number) => n + 3;

  it('a body cut at MAX_BLOCK is compiled whole at REGION_THRESHOLD arrivals, long before HOT_THRESHOLD', () => {
    const n = 3 * MAX_BLOCK + 8;
    expect(n).toBeGreaterThanOrEqual(LONG_STRAIGHT);
    const m = straightLoop(n, 2 * REGION_THRESHOLD);
    m.run(3 + passSteps(n) * (REGION_THRESHOLD - 8));
    expect(programPage(m).translated).toBe(0);
    m.run(passSteps(n) * 16);
    // One region from HEAD over the whole body (its blocks after the first count no arrivals) and the loop's end.
    const page = programPage(m);
    expect(page.entries[HEAD >> 1]).toBeDefined();
    const cover = page.cover.get(HEAD >> 1)!;
    expect(cover[0]).toBe(HEAD >> 1);
    expect(cover[cover.length - 1]).toBeGreaterThanOrEqual((HEAD + 4 * n) >> 1);
    m.run(passSteps(n) * 2 * REGION_THRESHOLD);
    expect(m.cpu.mcause).toBe(3); // the EBREAK
    expect(m.reg(A.a0)).toBe(n * 2 * REGION_THRESHOLD);
  });

  it('straight code shorter than LONG_STRAIGHT still waits for HOT_THRESHOLD', () => {
    const n = MAX_BLOCK + 8;
    expect(n).toBeLessThan(LONG_STRAIGHT);
    expect(HOT_THRESHOLD).toBeGreaterThan(4 * REGION_THRESHOLD);
    const m = straightLoop(n, 4 * REGION_THRESHOLD);
    m.run(3 + passSteps(n) * (4 * REGION_THRESHOLD - 1));
    expect(programPage(m).translated).toBe(0);
  });
});

/** A block at `start`: `n` ADDIs, then a BNE back or forward to `to` (or, with `to` null, a jump out of the page). */
function block(start: number, n: number, to: number | null): RegionBlock {
  const insns = Array.from({ length: n }, (_, k) => ({ op: Op.ADDI, rd: 1, rs1: 1, rs2: 0, imm: 1, off: 4 * k, len: 4 }));
  const off = 4 * n;
  if (to === null) insns.push({ op: Op.JAL, rd: 32, rs1: 0, rs2: 0, imm: 0x2000 - start - off, off, len: 4 });
  else insns.push({ op: Op.BNE, rd: 32, rs1: 1, rs2: 2, imm: to - start - off, off, len: 4 });
  return { start, insns };
}

/** The module of a region, the jumps in it that went through the dispatch at its top, and its loops that dispatch on BLK. */
function generate(blocks: RegionBlock[]): { bytes: Uint8Array; dispatched: number; loopDispatches: number } {
  const before = wasmRegionStats.dispatchedJumps;
  const loopsBefore = wasmRegionStats.loopDispatches;
  const bytes = generateWasmRegion(jitKit, { area: 0x10000, flags: 0x20000 }, blocks, 0x80000000);
  return { bytes, dispatched: wasmRegionStats.dispatchedJumps - before, loopDispatches: wasmRegionStats.loopDispatches - loopsBefore };
}

describe('rv32 wasm regions: loops', () => {
  it('back edges of loops that nest branch to their wasm loop, not through the dispatch', () => {
    // 0x00 outer header; 0x08 an inner loop on itself; 0x10 back to 0x00; 0x18 leaves the page.
    const blocks = [block(0x00, 2, 0x08), block(0x08, 1, 0x08), block(0x10, 1, 0x00), block(0x18, 1, null)];
    expect(loopScopes(blocks)).toEqual({ lo: 0, hi: 3, items: [{ lo: 0, hi: 2, items: [0, { lo: 1, hi: 1, items: [1] }, 2] }, 3] });
    const { bytes, dispatched } = generate(blocks);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(dispatched).toBe(0);
  });

  it('a back edge into a loop it does not belong to (crossing loops) goes through the dispatch', () => {
    // Loops 0x00..0x10 and 0x08..0x18 cross: the second is not a wasm loop.
    const blocks = [block(0x00, 1, 0x08), block(0x08, 1, 0x10), block(0x10, 1, 0x00), block(0x18, 1, 0x08)];
    expect(loopScopes(blocks)).toEqual({ lo: 0, hi: 3, items: [{ lo: 0, hi: 2, items: [0, 1, 2] }, 3] });
    const { bytes, dispatched } = generate(blocks);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(dispatched).toBe(1);
  });

  it('of crossing loops, the one whose header the interpreter reached more often is kept', () => {
    // As above, with 0x08 the hotter header: the loop 0x08..0x18 is kept, 0x10's back edge to 0x00 dispatches.
    const blocks = [block(0x00, 1, 0x08), block(0x08, 1, 0x10), block(0x10, 1, 0x00), block(0x18, 1, 0x08)];
    blocks[0].heat = 10;
    blocks[1].heat = 100;
    expect(loopScopes(blocks)).toEqual({ lo: 0, hi: 3, items: [0, { lo: 1, hi: 3, items: [1, 2, 3] }] });
    const { bytes, dispatched } = generate(blocks);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(dispatched).toBe(1);
  });

  it('a loop left out where loops cross has its header entered through the dispatch, also from inside an outer loop', () => {
    // Loops 0x00..0x28, 0x08..0x18 and 0x10..0x20 (the hottest): 0x08..0x18 crosses 0x10..0x20 and is left out, so
    // 0x18's back edge to 0x08 (inside the outer loop) goes through the dispatch: 0x08 must be a dispatch target.
    const blocks = [block(0x00, 1, 0x08), block(0x08, 1, 0x10), block(0x10, 1, 0x18), block(0x18, 1, 0x08), block(0x20, 1, 0x10), block(0x28, 1, 0x00)];
    blocks[2].heat = 100;
    expect(loopScopes(blocks)).toEqual({ lo: 0, hi: 5, items: [{ lo: 0, hi: 5, items: [0, 1, { lo: 2, hi: 4, items: [2, 3, 4] }, 5] }] });
    expect(enterableBlocks(blocks, 0x00)).toEqual([true, true, false, false, false, false]);
    expect(WebAssembly.validate(new Uint8Array(generate(blocks).bytes))).toBe(true);
  });

  it('a recursive call is a loop only where no loop jumped back to crosses it', () => {
    // 0x08 calls 0x00 (JAL x1), its return at 0x0c; 0x0c jumps back to 0x08; 0x14 leaves the page.
    const calls = (back: boolean) => {
      const blocks = [block(0x00, 1, 0x14), block(0x08, 0, null), back ? block(0x0c, 1, 0x08) : block(0x0c, 1, null), block(0x14, 1, null)];
      Object.assign(blocks[1].insns[0], { rd: 1, imm: 0x00 - 0x08 });
      blocks[0].heat = 1000; // hotter, yet only called
      return blocks;
    };
    expect(loopScopes(calls(true))).toEqual({ lo: 0, hi: 3, items: [0, { lo: 1, hi: 2, items: [1, 2] }, 3] });
    const { bytes, dispatched } = generate(calls(true));
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(dispatched).toBe(1); // the call, through the dispatch at the top
    expect(loopScopes(calls(false))).toEqual({ lo: 0, hi: 3, items: [{ lo: 0, hi: 1, items: [0, 1] }, 2, 3] });
  });

  it('a jump into the middle of a later loop enters through that loop, not the dispatch at the top', () => {
    // 0x00 jumps to 0x10, inside the loop 0x08..0x10.
    const blocks = [block(0x00, 1, 0x10), block(0x08, 1, 0x0c), block(0x10, 1, 0x08), block(0x18, 1, null)];
    blocks[1].insns.pop(); // 0x08 falls into 0x10
    blocks[1].insns.push({ op: Op.ADDI, rd: 1, rs1: 1, rs2: 0, imm: 1, off: 4, len: 4 });
    expect(loopScopes(blocks)).toEqual({ lo: 0, hi: 3, items: [0, { lo: 1, hi: 2, items: [1, 2] }, 3] });
    const { bytes, dispatched } = generate(blocks);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(dispatched).toBe(0);
  });
});

describe('rv32 wasm regions: entries in the middle of loops', () => {
  // 0x00 outer header; 0x08 an inner loop on itself; 0x10 back to 0x00; 0x18 leaves the page.
  const nested = () => [block(0x00, 2, 0x08), block(0x08, 1, 0x08), block(0x10, 1, 0x00), block(0x18, 1, null)];

  it('a block reached only from inside its loop is no entry, and the loop then has no dispatch on BLK', () => {
    expect(enterableBlocks(nested(), 0x00)).toEqual([true, false, false, true]);
    const { bytes, loopDispatches } = generate(nested());
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(loopDispatches).toBe(0);
  });

  it("the region's own entry in the middle of a loop is an entry, through that loop's dispatch in page order", () => {
    expect(enterableBlocks(nested(), 0x08)).toEqual([true, true, false, true]);
  });

  it("a region entered past its loop's head in page order has its blocks from the entry on first, so the entry heads the loop: no dispatch on BLK", () => {
    const blocks = nested();
    const [head, inner] = blocks;
    const order = entryFirst(blocks, 0x08);
    expect(order.map((b) => b.start)).toEqual([0x08, 0x10, 0x18, 0x00]);
    expect(entryFirst(blocks, 0x00)).toEqual(blocks);
    // 0x10's branch back to 0x00 is now forward, 0x00's to 0x08 the loop's back edge; 0x00 (only reached inside) is no entry.
    expect(loopScopes(order)).toEqual({ lo: 0, hi: 3, items: [{ lo: 0, hi: 3, items: [0, 1, 2, 3] }] });
    expect(enterableBlocks(order, 0x08)).toEqual([true, false, false, false]);
    const { bytes, loopDispatches, dispatched } = generate([inner, head, ...blocks.slice(2)]);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(loopDispatches).toBe(0);
    expect(dispatched).toBe(0);
  });

  it('a jump from outside a loop into its middle, and the block after a call, are entries', () => {
    // 0x00 jumps to 0x0c, inside the loop 0x04..0x0c (0x04 falls into 0x08, which falls into 0x0c).
    const into = [block(0x00, 0, 0x0c), block(0x04, 1, null), block(0x0c, 1, 0x04), block(0x14, 1, null)];
    into[1].insns.pop();
    into[1].insns.push({ op: Op.ADDI, rd: 1, rs1: 1, rs2: 0, imm: 1, off: 4, len: 4 });
    expect(loopScopes(into)).toEqual({ lo: 0, hi: 3, items: [0, { lo: 1, hi: 2, items: [1, 2] }, 3] });
    expect(enterableBlocks(into, 0x00)).toEqual([true, true, true, true]);
    const plain = [block(0x00, 0, 0x04), ...into.slice(1)];
    expect(enterableBlocks(plain, 0x00)).toEqual([true, true, false, true]);
    // 0x08 calls out of the page (JAL x1) inside the loop 0x00..0x0c: its return comes back to 0x0c.
    const call = [block(0x00, 1, 0x08), block(0x08, 0, null), block(0x0c, 1, 0x00), block(0x14, 1, null)];
    call[1].insns[0].rd = 1;
    call[1].insns[0].imm = 0x40 - 0x08;
    expect(enterableBlocks(call, 0x00)).toEqual([true, false, true, true]);
  });
});

await import('./jit-diff.test.js');
await import('./jit-calls.test.js');
await import('./jit-pages.test.js');
await import('./jit.test.js');
