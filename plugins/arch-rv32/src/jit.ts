/**
 * Region compiler: turns hot pre-decoded code into JavaScript functions (via `new Function`), so
 * that V8 compiles guest code to machine code with guest registers in locals and no
 * per-instruction dispatch.
 *
 * A block runs straight-line within one page and ends with the first branch or jump (included),
 * or just before an instruction it does not compile (CSR, system, atomics, illegal,
 * page-crossing), at the end of the page, or after MAX_BLOCK instructions. A region is the blocks
 * reachable from an entry slot inside its page (scanRegion); its function runs from block to
 * block without returning (generateRegion) until control leaves the region, the step budget
 * would be exceeded, or an exit below. Counting the interpreter's control transfers to an entry,
 * a block looping on itself is compiled at JIT_THRESHOLD, a region whose control comes back to its
 * entry (a guest loop of several blocks) at REGION_THRESHOLD, and any other entry's first block
 * alone at HOT_THRESHOLD (cpu.ts compileBlockAt), each only once the interpreter has run about
 * COMPILE_WORK instructions from there (STRAIGHT_WORK_FACTOR times that for a block alone),
 * unless a region of the same shape was compiled earlier in the process (regionKnown: V8 has its
 * source; a reboot).
 *
 * Regions are position independent: pc-relative values are computed from the `pc0` argument, so
 * one compiled region serves every virtual address its physical page is mapped at. They hold no
 * state; the core's code cache (src/core/jit/) keeps them per physical page and drops those a
 * store overlaps, and the same source compiled again reuses its memoized factory.
 *
 * Exits follow the interpreter's rules exactly: a load or store that misses the TLB (a page not
 * yet in the TLB, MMIO, a misaligned or faulting access) leaves the function before that
 * instruction, with the registers of the instructions that completed written back and `cpu.npc`
 * its pc plus 1 (odd: execute.ts then interprets it, and the rest of its block, instead of
 * looking for a block there); the interpreter's slow path does the access, raises any trap and
 * counts it. So the function holds no call to the slow paths: V8 compiles it faster (the slow
 * paths are no longer inlined into it), and a miss first taken after V8 optimized it does not
 * deoptimize it (a path that never ran has no type feedback; leaving sets only constants).
 * Each load and store site (accesses of a kind through one base register in a block share one)
 * remembers the page it last hit (PageSites), so that an access to the same page skips the TLB lookup.
 * After a store to a page with flags (compiled code, a watcher) it tells the hart and, when
 * that needs the run loop (`cpu.attention`, also set by a store over compiled code), returns
 * after that instruction. `cpu.npc` receives the next pc.
 *
 * jit-wasm.ts compiles the same regions to WebAssembly instead, where the hart's RAM is a wasm memory
 * (the default: src/core/bus.ts wasmRamWanted); these JavaScript regions serve the other harts.
 */
import type { JitKit } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { JIT_THRESHOLD, Op, WARM_CALLS } from './execute.js';
import { TLB_MASK } from './mmu.js';
import { mulh, mulhsu, mulhu } from './muldiv.js';

export { JIT_THRESHOLD };
/**
 * Control transfers to a block start before a block that does not loop on itself is compiled.
 * Such a block returns to the interpreter after a few instructions, so it saves little per call,
 * and a new function runs in V8's bytecode interpreter (slower than ours) until V8 has seen it
 * called many times. Measured on the virt OS session (test/bench/rv32-os.ts), its host
 * CPU time fell as this rose (one run: 32: 2.7x the interpreter's, 1000: 1.4x, 3000: 1.25x; at
 * 10000 it is within noise of compiling nothing at all, 1.2-1.9x on this loaded machine); the
 * compute kernel's speed did not change.
 */
export const HOT_THRESHOLD = 10000;
/**
 * Control transfers to the head of a loop of several blocks before its region is compiled. A
 * region's function takes V8 longer to compile than a block's; loops run only a few hundred
 * times (an OS booting) do not repay it.
 */
export const REGION_THRESHOLD = 256;
/**
 * Instructions the interpreter runs from a region's entry (arrivals x its instructions) before the
 * region is compiled (cpu.ts compileBlockAt): about what V8's compiles of one new function cost.
 */
export const COMPILE_WORK = 524288;
/**
 * How much more than COMPILE_WORK an entry whose region does not loop (one block, back to the
 * interpreter after at most MAX_BLOCK instructions) must have run: each call saves only the
 * interpretation of a few instructions, and a hot phase of such code often ends soon after (the
 * rv32 Linux boot's block at c00a15b2, 11 instructions, ran 45 K times before it was compiled and
 * 6.8 K times after). Compute kernels compile no such block (their regions loop).
 */
export const STRAIGHT_WORK_FACTOR = 4;
/** Longest block, in instructions. */
export const MAX_BLOCK = 64;
/**
 * Largest region, in blocks and instructions: small enough that V8 still optimizes its function
 * (it gives up on very large ones) and that a page of cold paths is not compiled with the hot loop,
 * large enough for a function with its loops and calls (the compute kernel's quicksort is 17
 * blocks: with 8, its calls and returns went through execute() 4.5 million times, with 32 13
 * thousand). 128 instructions rather than 256: the same for the compute kernel, and 10 % fewer
 * instructions compiled (V8 time) in the rv32 Linux boot.
 */
export const MAX_REGION_BLOCKS = 32;
export const MAX_REGION_INSNS = 128;
/**
 * Largest region, in instructions, of a wasm hart's entry whose first block is straight code cut at MAX_BLOCK
 * (cpu.ts compileBlockAt): a page's worth, so that an unrolled body runs in one call. The rv32 Linux boot spends a
 * quarter of its instructions in blake2s_compress_generic, about 1,900 instructions of unrolled rounds (two pages)
 * per pass of a loop run 2,700 times: no block there loops or reaches HOT_THRESHOLD, so all of it was interpreted.
 */
export const MAX_STRAIGHT_INSNS = 2048;
/**
 * Instructions from which such a region that does not loop is compiled whole, at REGION_THRESHOLD arrivals and
 * compileWork as a loop is, rather than its first block alone at HOT_THRESHOLD: each call then runs at least this
 * many instructions, and the call's cost is small beside them.
 */
export const LONG_STRAIGHT = 2 * MAX_BLOCK;
/**
 * Arrivals (heat) a block other than the entry needs to join a region (scanRegion): as many as
 * make a block start compiled, so that blocks reached now and then (an OS's error paths beside a
 * hot loop) stay out; with 8, the rv32 Linux boot compiled 1.9 times the instructions (V8
 * compile time) for no fewer returns to execute().
 */
export const REGION_MIN_HEAT = JIT_THRESHOLD;
/**
 * A block not compiled yet joins a region only when control has arrived there at least
 * 1/COLD_RATIO as often as at the region's entry (scanRegion); an edge to a rarer block leaves
 * the region and the interpreter runs it, as QEMU's and V8's cold-path exits do. V8 optimizes a
 * region on the paths it has run and throws the code away the first time a path it has never
 * run is taken: the virt OS boot's free-page loop (kinit, region_436_14) has a block reached by
 * its reserved-page test about 170 times for the loop head's ~8600, first after V8 optimized the
 * region (a deoptimization and a second TurboFan compile of the region every boot).
 */
export const COLD_RATIO = 16;

/**
 * A compiled region: runs with `pc0` the virtual pc of its entry, from its block number `blk0`
 * (a region of several blocks can be entered at any of them), with `n0` steps already taken in
 * this execute() call and at most `maxSteps` more; returns the steps taken and leaves the next pc
 * in `cpu.npc`. The function is bound to its hart when the region is created; it reads the
 * hart's registers and RAM views when called.
 */
export type BlockFn = (pc0: number, n0: number, maxSteps: number, blk0: number) => number;

/**
 * What a slot of the code cache holds: a compiled region entered at one of its blocks. The numbers
 * are stored as int32 (`| 0`): a value that arrives as a heap number (integral, from optimized
 * float arithmetic) would turn the field into a double for every Block, and execute(), optimized
 * on small integers, would deoptimize at its next block call (once per Linux boot under jit).
 */
export class Block {
  /** Guest instructions in one pass through the block entered here. */
  readonly len: number;
  /** The block's number in the region's function (its `blk0` argument). */
  readonly blk: number;
  /** Byte offset of this block from the region's entry (the caller passes pc - delta as `pc0`). */
  readonly delta: number;

  /**
   * Calls left that run at most WARM_STEPS steps (execute()). None for a wasm region (jit-wasm.ts): V8 gathers
   * no type feedback for wasm, and a capped call leaves the region's loop midway for the interpreter to
   * run on to an entry (the compute kernel: ~500 such calls, then the interpreter in V8's baseline execute()).
   */
  warm: number;

  constructor(readonly fn: BlockFn | null, len: number, blk = 0, delta = 0, warm = WARM_CALLS) {
    this.len = len | 0;
    this.blk = blk | 0;
    this.delta = delta | 0;
    this.warm = warm | 0;
  }
}

/** Marks a slot where no block can start (the first instruction is not compiled). */
export const NO_BLOCK = new Block(null, 0);

export interface Insn {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  /** Byte offset from the block start, and length. */
  off: number;
  len: number;
}

const HELPERS = { mulh, mulhsu, mulhu };
const FACTORY_PARAMS = ['hart', 'H'];

function compilable(op: Op): boolean {
  return (op >= Op.LUI && op <= Op.REMU) || op === Op.FENCE || op === Op.FENCE_I;
}

export function isControl(op: Op): boolean {
  return op >= Op.JAL && op <= Op.BGEU;
}

/**
 * Decodes the block starting at `idx` of the current fetch page (`code` is its decoded-slot
 * array; slots are decoded on the way). Empty when no block can start there.
 */
export function scanBlock(cpu: Rv32Cpu, code: Int32Array, idx: number): Insn[] {
  const insns: Insn[] = [];
  let i = idx;
  while (i < 0x1000 && insns.length < MAX_BLOCK) {
    let info = code[i];
    if (info === 0) info = cpu.decodeAt(code, i);
    const op = (info & 0xff) as Op;
    if (!compilable(op)) break;
    const len = info >>> 24;
    insns.push({ op, rd: (info >>> 8) & 63, rs1: (info >>> 14) & 31, rs2: (info >>> 19) & 31, imm: code[i + 1], off: i - idx, len });
    i += len;
    if (isControl(op)) break;
  }
  return insns;
}

/**
 * Whether the block at `idx` is straight code cut at MAX_BLOCK: MAX_BLOCK compilable instructions without a
 * branch or jump. As scanBlock decides, without allocating (asked at an entry's waits).
 */
export function cutAtMaxBlock(cpu: Rv32Cpu, code: Int32Array, idx: number): boolean {
  let i = idx;
  for (let n = 0; n < MAX_BLOCK; n++) {
    if (i >= 0x1000) return false;
    let info = code[i];
    if (info === 0) info = cpu.decodeAt(code, i);
    const op = (info & 0xff) as Op;
    if (!compilable(op) || isControl(op)) return false;
    i += info >>> 24;
  }
  return true;
}

/** Whether the block's final branch or jump goes back to its first instruction (it loops inside its function). */
export function loopsOnItself(insns: Insn[]): boolean {
  const last = insns[insns.length - 1];
  return isControl(last.op) && last.op !== Op.JALR && last.off + last.imm === 0;
}

/**
 * Code that leaves the function: the next pc as a byte offset from the entry's (a constant, or
 * `d`, the variable holding a JALR's target's) and the steps taken since `steps`.
 */
type Exit = (npc: number | string, taken: number) => string;

/** A block of a region: its first instruction's byte offset in the page, and its instructions (scanBlock). */
export interface RegionBlock {
  start: number;
  insns: Insn[];
  /** Control transfers the interpreter counted to the block's start when the region was scanned (loopScopes). */
  heat?: number;
}

/**
 * The page offset a block's final JALR jumps to when an AUIPC right before it sets its base (a
 * `call`/`tail` sequence: the target is a constant), else null. Out-of-page offsets included.
 */
export function callTarget(b: RegionBlock): number | null {
  const n = b.insns.length;
  if (n < 2) return null;
  const jalr = b.insns[n - 1];
  const auipc = b.insns[n - 2];
  if (jalr.op !== Op.JALR || auipc.op !== Op.AUIPC || auipc.rd === 32 || auipc.rd !== jalr.rs1) return null;
  return (b.start + auipc.off + (auipc.imm | 0) + (jalr.imm | 0)) & ~1;
}

/**
 * Byte offsets in the page where control may go after `b` (out-of-page targets included). After a
 * call into the page (JAL, or AUIPC + JALR, that links), the return address too: the callee's
 * return, a JALR, comes back there, and when both are in one region the return stays in its
 * function (terminator).
 */
export function successors(b: RegionBlock): number[] {
  const last = b.insns[b.insns.length - 1];
  const end = b.start + last.off + last.len;
  if (!isControl(last.op)) return [end];
  const target = last.op === Op.JALR ? callTarget(b) : b.start + last.off + last.imm;
  if (target === null) return [];
  if (last.op !== Op.JAL && last.op !== Op.JALR) return [target, end];
  // The return address only after a call into this page (the callee may then join the region).
  const callsInPage = last.rd !== 32 && target >= 0 && target < 0x1000;
  return callsInPage ? [target, end] : [target];
}

/** Whether the block ends in a JALR whose target is not known before it runs (a return, an indirect jump or call). */
export function jumpsIndirectly(b: RegionBlock): boolean {
  return b.insns[b.insns.length - 1].op === Op.JALR && callTarget(b) === null;
}

/**
 * Scans the region entered at `idx` of the current fetch page: the blocks reachable from there by
 * direct jumps, branches and fall-through inside the page, breadth first, up to MAX_REGION_BLOCKS
 * blocks of MAX_REGION_INSNS instructions in all. Empty when no block can start at `idx`.
 *
 * Only blocks the interpreter has reached often (the page's arrivals per slot, REGION_MIN_HEAT,
 * and relative to the entry's, COLD_RATIO) join:
 * V8 optimizes the function on the paths it has run and deoptimizes, then recompiles the whole
 * function (100-250 ms for a large one on the 2-core VM), the first time a path it has never run
 * is taken. A region of rarely taken paths (a loop's exit, error handling) spent most of its time
 * in V8's interpreter waiting for the next recompilation, slower than single blocks.
 */
export function scanRegion(cpu: Rv32Cpu, code: Int32Array, idx: number, page: ScanPage, maxInsns = MAX_REGION_INSNS): RegionBlock[] {
  regionScanStats.scans++;
  const blocks: RegionBlock[] = [];
  const entryArrivals = page.arrivals(idx >> 1);
  const seen = new Set<number>([idx]);
  const queue = [idx];
  let total = 0;
  for (let q = 0; q < queue.length && blocks.length < MAX_REGION_BLOCKS; q++) {
    const insns = scanBlock(cpu, code, queue[q]);
    if (insns.length === 0 || (blocks.length > 0 && total + insns.length > maxInsns)) continue;
    const block = { start: queue[q], insns, heat: page.arrivals(queue[q] >> 1) };
    blocks.push(block);
    total += insns.length;
    // A block cut at MAX_BLOCK runs on into the next one every time it runs, where the interpreter counts no
    // arrivals (no control transfer lands there): that one joins as its predecessor did.
    const runsOn = !isControl(insns[insns.length - 1].op);
    for (const t of successors(block)) {
      if (t >= 0 && t < 0x1000 && !seen.has(t) && (runsOn || reachedOften(page, t >> 1, entryArrivals))) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  return blocks;
}

/** Counters of scanRegion's work so far (tests). */
export const regionScanStats = {
  /** Regions scanned (each a breadth-first walk over up to MAX_REGION_BLOCKS blocks, allocating). */
  scans: 0,
};

/** What scanRegion reads of the code page: its compiled entries and the arrivals counted per slot. */
export interface ScanPage {
  readonly entries: ArrayLike<Block | undefined>;
  arrivals(slot: number): number;
}

/**
 * Whether a block is worth a place in a region: reached REGION_MIN_HEAT times, and, unless it is
 * compiled already (it was hot on its own; its arrivals stopped counting then), at least
 * 1/COLD_RATIO as often as the region's entry.
 */
function reachedOften(page: ScanPage, slot: number, entryArrivals: number): boolean {
  const a = page.arrivals(slot);
  if (a < REGION_MIN_HEAT) return false;
  const b = page.entries[slot];
  return (b !== undefined && b.fn !== null) || a * COLD_RATIO >= entryArrivals;
}

/**
 * Whether control can come back to the region's entry from inside (the entry heads a guest loop
 * that then runs inside one function). A region entered elsewhere in a loop (where a slice
 * happened to start) waits for HOT_THRESHOLD; its loop's head gets its own region first.
 */
export function regionLoops(blocks: RegionBlock[]): boolean {
  const entry = blocks[0].start;
  return blocks.some((b) => successors(b).includes(entry));
}

/** The [first, end) slot ranges (2 bytes each) a region's instructions come from, for the code cache. */
export function regionCover(blocks: RegionBlock[]): number[] {
  const cover: number[] = [];
  for (const b of blocks) {
    const last = b.insns[b.insns.length - 1];
    cover.push(b.start >>> 1, (b.start + last.off + last.len) >>> 1);
  }
  return cover;
}

/**
 * Compiles a scanned region (scanRegion, not empty) into a function bound to `cpu`. Returns one
 * entry per block, the region's entry first: execute() may enter the function at any of them
 * (after a slice ended inside the region, control comes back at one of its blocks; without these
 * entries each such block got a copy of the whole region compiled, and V8 compiled each copy).
 */
export function compileRegion(cpu: Rv32Cpu, kit: JitKit, blocks: RegionBlock[]): Block[] {
  const factory = kit.factory<RegionFactory>(FACTORY_PARAMS, generateRegion(blocks));
  rememberShape(blocks);
  const fn = boundRegion(factory, cpu);
  const order = blockOrder(blocks);
  const entry = blocks[0].start;
  return blocks.map((b) => new Block(fn, b.insns.length, order.indexOf(b), b.start - entry));
}

type RegionFactory = (hart: Rv32Cpu, h: typeof HELPERS) => BlockFn;

/**
 * The function of a factory (a region's source) bound to a hart, made once per hart: a region
 * compiled again (its page written, the cache flushed, a reboot) reuses it, with the code V8
 * optimized for it. While a factory has made one function only, V8 specializes that function's
 * optimized code to the factory's scope (function context specialization): the hart and its RAM
 * views are constants there, and a typed-array access costs a bounds check and the access (the
 * compute kernel's quicksort region: no map check and no backing-store and base-pointer loads at
 * each of them). A second closure (another hart, a second machine in the process) is correct but
 * not specialized: its views are read on entry, as before.
 */
function boundRegion(factory: RegionFactory, cpu: Rv32Cpu): BlockFn {
  let harts = boundRegions.get(factory);
  if (harts === undefined) boundRegions.set(factory, (harts = new WeakMap()));
  let fn = harts.get(cpu);
  if (fn === undefined) harts.set(cpu, (fn = factory(cpu, HELPERS)));
  return fn;
}

const boundRegions = new WeakMap<RegionFactory, WeakMap<Rv32Cpu, BlockFn>>();

/**
 * Shapes (regionShape) of the regions compiled in this process: V8 has their source already (the
 * factory memo), so compiling one again needs no parse nor bytecode (its optimized code is made
 * again once the earlier closures are garbage: V8 holds it weakly). Bounded as the memo is.
 */
const compiledShapes = new Set<number>();
const MAX_SHAPES = 4096;

/**
 * A hash of what a region's source is made from: its blocks' starts and instructions, in scan
 * order (equal shapes, equal source). Far cheaper than generating the source; a collision only
 * makes a region compile sooner.
 */
export function regionShape(blocks: RegionBlock[]): number {
  let h = 0x811c9dc5 ^ blocks.length;
  for (const b of blocks) {
    h = Math.imul(h ^ b.start, 0x01000193);
    for (const i of b.insns) {
      h = Math.imul(h ^ (i.op | (i.rd << 8) | (i.rs1 << 14) | (i.rs2 << 19) | (i.len << 24)), 0x01000193);
      h = Math.imul(h ^ i.imm, 0x01000193);
    }
  }
  return h;
}

/** Records that a region of this shape was compiled (regionKnown). */
export function rememberShape(blocks: RegionBlock[]): void {
  if (compiledShapes.size >= MAX_SHAPES) compiledShapes.clear();
  compiledShapes.add(regionShape(blocks));
}

/** Forgets the regions compiled so far (tests: a fresh process's view). */
export function forgetCompiledRegions(): void {
  compiledShapes.clear();
}

/** Whether a region of this shape was compiled earlier in this process (a reboot: the same kernel code again). */
export function regionKnown(blocks: RegionBlock[]): boolean {
  return compiledShapes.has(regionShape(blocks));
}

/** The blocks of a region in page order, so that a block's fall-through successor is often the next `case`. */
export function blockOrder(blocks: RegionBlock[]): RegionBlock[] {
  return [...blocks].sort((p, q) => p.start - q.start);
}

/** JavaScript source of one block's function (tests and debugging). */
export function generate(insns: Insn[]): string {
  return generateRegion([{ start: 0, insns }]);
}

/**
 * JavaScript source of a region's function. One block is straight-line code (in a `for (;;)` when
 * it branches back to itself); several are the cases of a `switch` on the block index inside a
 * `for (;;)`, so that control transfers between them stay in the function, with the guest
 * registers in locals. Each block of a region that loops checks the budget for its whole length
 * first (as execute() does before calling a block) and adds its length to `steps` before its final
 * jump or branch; a transfer inside sets only a constant (`blk`, for a jump through the `switch`),
 * so that an edge first taken after V8 optimized the function (a loop's rare branch) runs no code
 * without type feedback, which deoptimized it (the virt OS boot's hot region was compiled 3 times,
 * then twice), and the loop carries no more locals than `steps`, `blk` and the guest's (fewer
 * spilled in V8's code). A transfer out returns with `cpu.npc` set.
 */
export function generateRegion(scanned: RegionBlock[]): string {
  const entry = scanned[0].start;
  const blocks = blockOrder(scanned);
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  const multi = blocks.length > 1;
  // An indirect jump (a return) may land on any block of a region of several.
  const loops = blocks.some((b) => successors(b).some((t) => index.has(t))) || (multi && blocks.some(jumpsIndirectly));
  /** Where an indirect jump may go on inside the function: any block (none in a one-block region). */
  const targets = multi ? blocks.map((b) => b.start) : [];

  const used = new Set<number>();
  const written = new Set<number>();
  for (const b of blocks) {
    for (const ins of b.insns) {
      if (readsRs1(ins.op) && ins.rs1 !== 0) used.add(ins.rs1);
      if (readsRs2(ins.op) && ins.rs2 !== 0) used.add(ins.rs2);
      if (writesRd(ins.op) && ins.rd !== 32) {
        used.add(ins.rd);
        written.add(ins.rd);
      }
    }
  }
  const wb = [...written].map((n) => `x[${n}] = r${n};`).join(' ');
  const pcAt = (p: number) => `(pc0 + ${p - entry}) | 0`;
  // Every exit leaves through the one epilogue that writes the registers back (a copy of it
  // at each exit would make the function too large for V8 to optimize soon).
  // Exits set constants only: code V8 has not run yet deoptimizes the function when first run,
  // and a constant assignment has nothing to speculate on. `ret` is the steps of the current
  // block not counted in `steps` yet.
  const exit: Exit = (npc, taken) => `{ nx = ${npc}; ret = ${taken}; break run; }`;
  /** Blocks that branch back to themselves: their code is a loop of its own inside the `case`, without the `switch`. */
  const selfLoops = blocks.map((b) => multi && successors(b).includes(b.start));
  /** Index of the block being generated. */
  let current = 0;
  /**
   * Control goes to page offset `t` after the `done` instructions of the current block not
   * counted in `steps` yet (none in a region that loops: the block counted itself); `tail` when
   * nothing follows in the block, so that the next block in order is reached by falling through to
   * its `case`.
   */
  const goto = (t: number, done: number, tail = false) => {
    const j = index.get(t);
    if (j === undefined) return exit(t - entry, done);
    if (j === current && selfLoops[j]) return `continue b${j};`;
    if (tail && j === current + 1) return selfLoops[current] ? `break b${current};` : '';
    return `{ ${multi ? `blk = ${j}; ` : ''}continue run; }`;
  };
  /** Whether page offset `t` starts the block after the current one (control can fall into it). */
  const isNext = (t: number) => multi && index.get(t) === current + 1;
  /** A block's first statement in a region that loops: the budget for the whole block. */
  const blockStart = (b: RegionBlock) => (loops ? `if (steps + ${b.insns.length} > maxSteps) { nx = ${b.start - entry}; ret = 0; break run; }` : '');

  const all = blocks.flatMap((b) => b.insns);
  const loads = all.some((i) => i.op >= Op.LB && i.op <= Op.LHU);
  const stores = all.some((i) => i.op >= Op.SB && i.op <= Op.SW);
  const out: string[] = [];
  const scope = views(all);
  out.push('"use strict";');
  // Constants of the factory's scope (see views): what V8 specializes a hart's one closure to.
  out.push(`const cpu = hart, ${scope.map(([name, from]) => `${name}$ = ${from}`).join(', ')};`);
  out.push(`return function region_${entry.toString(16)}_${blocks.length}(pc0, n0, maxSteps, blk0) {`);
  out.push(`  const ${scope.map(([name]) => `${name} = ${name}$`).join(', ')};`);
  // The data TLBs depend on the effective privilege: read them on entry.
  if (loads) out.push('  const rTag = cpu.rTag, rOff = cpu.rOff;');
  if (stores) out.push('  const wTag = cpu.wTag, wOff = cpu.wOff;');
  for (const n of used) out.push(`  let r${n} = x[${n}];`);
  const site = new PageSites();
  const declared = out.length;
  out.push('  let ret = 0, nx = 0;');
  if (loops) out.push('  let steps = 0;');
  if (multi) out.push('  let blk = blk0;');
  out.push(loops ? '  run: for (;;) {' : '  run: {');
  if (multi) out.push('  switch (blk) {');
  blocks.forEach((b, j) => {
    current = j;
    if (multi) out.push(selfLoops[j] ? `  case ${j}: b${j}: for (;;) {` : `  case ${j}: {`);
    out.push(blockStart(b));
    generateBlock(out, b, b.start - entry, exit, loops, goto, isNext, targets, site);
    if (multi) out.push('  }');
  });
  out.splice(declared, 0, ...site.declarations());
  if (multi) out.push('  }');
  out.push('  }', `  ${wb}`, '  cpu.npc = (pc0 + nx) | 0;', loops ? '  return steps + ret;' : '  return ret;', '};');
  return out.filter((l) => l.trim() !== '').join('\n');
}

/** Appends the code of one block of a region; every path ends in a `return` or a `continue`. */
function generateBlock(
  out: string[],
  block: RegionBlock,
  base: number,
  exit: Exit,
  loops: boolean,
  goto: (t: number, done: number, tail?: boolean) => string,
  isNext: (t: number) => boolean,
  targets: readonly number[],
  site: PageSites,
): void {
  const insns = block.insns;
  const last = insns[insns.length - 1];
  const npcAt = (off: number) => `(pc0 + ${base + off}) | 0`;
  const r = (n: number) => (n === 0 ? '0' : `r${n}`);

  // In a region that loops, the block adds its steps before its final jump or branch (which
  // cannot leave early): the jump's own exits and edges then carry none.
  const count = loops ? `steps = (steps + ${insns.length}) | 0;` : '';
  const endDone = loops ? 0 : insns.length;
  site.newBlock();
  insns.forEach((ins, k) => {
    const d = ins.rd === 32 ? null : r(ins.rd);
    const a = r(ins.rs1);
    const b = r(ins.rs2);
    const imm = ins.imm | 0;
    const next = ins.off + ins.len;
    const assign = (expr: string) => (d ? `${d} = ${expr};` : '');
    // Leaves before instruction k (a TLB miss) for the interpreter to run it: an odd next pc.
    const missExit = exit(base + ins.off + 1, k);
    // Leaves after instruction k completed.
    const doneExit = exit(base + next, k + 1);
    const inflight = `cpu.inflight = n0 + ${loops ? 'steps + ' : ''}${k};`;
    switch (ins.op) {
      case Op.LUI:
        out.push(assign(`${imm}`));
        break;
      case Op.AUIPC:
        out.push(assign(`${npcAt(ins.off + imm)}`));
        break;
      case Op.ADDI:
        out.push(assign(`(${a} + ${imm}) | 0`));
        break;
      case Op.SLTI:
        out.push(assign(`${a} < ${imm} ? 1 : 0`));
        break;
      case Op.SLTIU:
        out.push(assign(`${unsigned(a)} < ${(imm ^ SIGN) | 0} ? 1 : 0`));
        break;
      case Op.XORI:
        out.push(assign(`${a} ^ ${imm}`));
        break;
      case Op.ORI:
        out.push(assign(`${a} | ${imm}`));
        break;
      case Op.ANDI:
        out.push(assign(`${a} & ${imm}`));
        break;
      case Op.SLLI:
        out.push(assign(`${a} << ${imm}`));
        break;
      case Op.SRLI:
        out.push(assign(`(${a} >>> ${imm}) | 0`));
        break;
      case Op.SRAI:
        out.push(assign(`${a} >> ${imm}`));
        break;
      case Op.ADD:
        out.push(assign(`(${a} + ${b}) | 0`));
        break;
      case Op.SUB:
        out.push(assign(`(${a} - ${b}) | 0`));
        break;
      case Op.SLL:
        out.push(assign(`${a} << ${b}`));
        break;
      case Op.SLT:
        out.push(assign(`${a} < ${b} ? 1 : 0`));
        break;
      case Op.SLTU:
        out.push(assign(`${unsigned(a)} < ${unsigned(b)} ? 1 : 0`));
        break;
      case Op.XOR:
        out.push(assign(`${a} ^ ${b}`));
        break;
      case Op.SRL:
        out.push(assign(`(${a} >>> ${b}) | 0`));
        break;
      case Op.SRA:
        out.push(assign(`${a} >> ${b}`));
        break;
      case Op.OR:
        out.push(assign(`${a} | ${b}`));
        break;
      case Op.AND:
        out.push(assign(`${a} & ${b}`));
        break;
      case Op.MUL:
        out.push(assign(`Math.imul(${a}, ${b})`));
        break;
      case Op.MULH:
        out.push(assign(`mulh(${a}, ${b})`));
        break;
      case Op.MULHSU:
        out.push(assign(`mulhsu(${a}, ${b})`));
        break;
      case Op.MULHU:
        out.push(assign(`mulhu(${a}, ${b})`));
        break;
      case Op.DIV:
        out.push(assign(`${b} === 0 ? -1 : ${b} === -1 ? -${a} | 0 : (${a} / ${b}) | 0`));
        break;
      case Op.DIVU:
        out.push(assign(`${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`));
        break;
      case Op.REM:
        out.push(assign(`${b} === 0 ? ${a} : ${b} === -1 ? 0 : (${a} % ${b}) | 0`));
        break;
      case Op.REMU:
        out.push(assign(`${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`));
        break;
      case Op.FENCE:
      case Op.FENCE_I:
        break;
      case Op.LB:
      case Op.LBU:
      case Op.LH:
      case Op.LHU:
      case Op.LW: {
        const size = ins.op === Op.LW ? 4 : ins.op === Op.LH || ins.op === Op.LHU ? 2 : 1;
        const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
        const fast = { [Op.LW]: 'i32[o >> 2]', [Op.LH]: 'i16[o >> 1]', [Op.LHU]: 'u16[o >> 1]', [Op.LB]: 'i8[o]', [Op.LBU]: 'u8[o]' }[ins.op];
        const [cv, co] = site.at('load', ins.rs1);
        out.push(
          `{ const a = (${a} + ${imm}) | 0; let o = 0;`,
          `  if ((a & ${pageMask(size)}) === ${cv}) o = (${co} + (a & 4095)) | 0;`,
          `  else { const vpn = a >>> 12; const e = vpn & ${TLB_MASK};`,
          `    if (rTag[e] === vpn${align}) { ${cv} = a & -4096; ${co} = (${cv} + rOff[e]) | 0; o = (${co} + (a & 4095)) | 0; }`,
          `    else ${missExit} }`,
          `  ${d ? `${d} = ${fast};` : `${fast};`} }`,
        );
        break;
      }
      case Op.SB:
      case Op.SH:
      case Op.SW: {
        const size = ins.op === Op.SW ? 4 : ins.op === Op.SH ? 2 : 1;
        const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
        const fast = { [Op.SW]: 'i32[o >> 2]', [Op.SH]: 'u16[o >> 1]', [Op.SB]: 'u8[o]' }[ins.op];
        const [cv, co] = site.at('store', ins.rs1);
        out.push(
          `{ const a = (${a} + ${imm}) | 0;`,
          `  if ((a & ${pageMask(size)}) === ${cv}) { const o = (${co} + (a & 4095)) | 0; ${fast} = ${b}; }`,
          `  else { const vpn = a >>> 12; const e = vpn & ${TLB_MASK};`,
          `    if (wTag[e] === vpn${align}) { const o = (a + wOff[e]) | 0; ${fast} = ${b};`,
          `      if (flags[o >>> 12] === 0) { ${cv} = a & -4096; ${co} = (${cv} + wOff[e]) | 0; }`,
          `      else { ${inflight} cpu.ramWritten(o, ${size}); if (cpu.attention) ${doneExit} } }`,
          `    else ${missExit} } }`,
        );
        break;
      }
      case Op.JAL:
      case Op.JALR:
      case Op.BEQ:
      case Op.BNE:
      case Op.BLT:
      case Op.BGE:
      case Op.BLTU:
      case Op.BGEU:
        out.push(count, terminator(ins, block, endDone, d, a, b, exit, npcAt, goto, isNext, targets, block.start - base));
        break;
      default:
        throw new Error(`rv32 jit: cannot compile op ${ins.op}`);
    }
    if (d) site.written(ins.rd);
  });

  if (!isControl(last.op)) out.push(count, goto(block.start + last.off + last.len, endDone, true));
}

/** The block's final jump or branch (its `done`-th instruction at page offset `start` + `ins.off`). */
function terminator(
  ins: Insn,
  block: RegionBlock,
  done: number,
  d: string | null,
  a: string,
  b: string,
  exit: Exit,
  npcAt: (off: number) => string,
  goto: (t: number, done: number, tail?: boolean) => string,
  isNext: (t: number) => boolean,
  targets: readonly number[],
  entry: number,
): string {
  const at = block.start + ins.off;
  const link = d ? `${d} = ${npcAt(ins.off + ins.len)};` : '';
  if (ins.op === Op.JALR) {
    const known = callTarget(block);
    if (known !== null) return `${link} ${goto(known, done, true)}`;
    // A return or indirect jump to a block of this region goes on inside the function: the
    // target is the block's start at the same virtual address (so in the same page).
    // The target's offset is computed where every call runs it, not in the exit: an exit first
    // taken after V8 optimized the function (quicksort's return to its caller outside the region)
    // then sets a variable only, where arithmetic without type feedback deoptimized it.
    const inside = targets.map((t) => `case ${t - entry}: ${goto(t, done)}`).join(' ');
    const dispatch = inside === '' ? '' : `switch (d) { ${inside} }`;
    return `{ const d = (((${a} + ${ins.imm | 0}) & -2) - pc0) | 0; ${link} ${dispatch} ${exit('d', done)} }`;
  }
  if (ins.op === Op.JAL) return `${link} ${goto(at + ins.imm, done, true)}`;
  const cond: Partial<Record<Op, string>> = {
    [Op.BEQ]: `${a} === ${b}`,
    [Op.BNE]: `${a} !== ${b}`,
    [Op.BLT]: `${a} < ${b}`,
    [Op.BGE]: `${a} >= ${b}`,
    [Op.BLTU]: `${unsigned(a)} < ${unsigned(b)}`,
    [Op.BGEU]: `${unsigned(a)} >= ${unsigned(b)}`,
  };
  const taken = at + ins.imm;
  const fall = at + ins.len;
  // A branch to the next block in order and away from the one after it (a loop's exit test
  // before its body) is turned around, so that the next block is reached by falling into it
  // rather than through the `switch`.
  if (isNext(taken) && !isNext(fall)) return `if (${cond[INVERSE[ins.op]!]}) ${goto(fall, done)} ${goto(taken, done, true)}`;
  return `if (${cond[ins.op]}) ${goto(taken, done)} ${goto(fall, done, true)}`;
}

/**
 * Each load or store site of a region (PageSites.at: one or several accesses of a block) remembers
 * the page its last access hit, as two locals: the page's
 * virtual base (-1: none yet) and where that page starts in RAM (its base plus the TLB offset). An
 * access to the same page, aligned, then costs one mask and compare (`(a & pageMask) === base`)
 * instead of the TLB's tag and offset loads (and, for a store, the page-flags load): loops walk
 * arrays a page at a time. The RAM offset is then the page's start plus `a & 4095`, small
 * non-negative int32s: `a` plus the TLB offset overflows int32 (both near -2^31 for RAM at
 * 0x80000000), V8 records that sum as a double, and optimized code kept the remembered offset
 * boxed and added in floating point (as it did for every access before). The locals live
 * for one call of the function, in which the TLB does not change (no instruction that changes
 * translation or privilege is compiled; a miss leaves the function). A store site remembers only a
 * page without flags (no compiled code, no watcher): flags are set outside compiled code (code
 * compiled by execute(), watchers by the debugger), so a remembered page stays without them.
 */
class PageSites {
  private count = 0;
  /** The current block's sites by kind and base register. */
  private byBase = new Map<string, number>();

  /**
   * The locals of an access site: its page's base and TLB offset. Accesses of a kind through the
   * same base register in a block, the register unchanged between them, share a site (a function's
   * register saves and restores: 14 sites became 2 in the compute kernel's quicksort region):
   * fewer locals live across the region's loop, fewer of them spilled in V8's code.
   */
  at(kind: 'load' | 'store', base: number): [string, string] {
    const key = `${kind} ${base}`;
    let k = this.byBase.get(key);
    if (k === undefined) this.byBase.set(key, (k = this.count++));
    return [`pv${k}`, `po${k}`];
  }

  /** A block starts: no site is shared with the one before. */
  newBlock(): void {
    this.byBase.clear();
  }

  /** Register `n` was written: later accesses through it get a site of their own. */
  written(n: number): void {
    for (const kind of ['load', 'store']) this.byBase.delete(`${kind} ${n}`);
  }

  declarations(): string[] {
    const vars: string[] = [];
    for (let k = 0; k < this.count; k++) vars.push(`pv${k} = -1, po${k} = 0`);
    return vars.length === 0 ? [] : [`  let ${vars.join(', ')};`];
  }
}

/**
 * The address bits that must equal a remembered page's base for an access of `size` bytes to hit
 * it: the page number and the alignment bits (a misaligned access never matches: the base's low
 * bits are zero, and -1, no page, never matches a masked address either).
 */
function pageMask(size: number): number {
  return -4096 | (size - 1);
}

/** The branch taken exactly when the other is not. */
export const INVERSE: Partial<Record<Op, Op>> = {
  [Op.BEQ]: Op.BNE,
  [Op.BNE]: Op.BEQ,
  [Op.BLT]: Op.BGE,
  [Op.BGE]: Op.BLT,
  [Op.BLTU]: Op.BGEU,
  [Op.BGEU]: Op.BLTU,
};

const SIGN = 0x80000000;

/**
 * A register's value as an int32 that compares as signed the way the register compares as
 * unsigned (its sign bit flipped). Not `(r >>> 0)`: a value of 2^31 or more (a kernel address)
 * is not a small integer, and V8's unoptimized tiers, which run a new region until it is
 * optimized, allocate a heap number for each; the xor stays an int32 (same machine code once
 * optimized).
 */
function unsigned(r: string): string {
  return r === '0' ? `${SIGN | 0}` : `(${r} ^ ${SIGN | 0})`;
}

/**
 * What a region's code uses of the hart and the helpers (local name, where from): constants of the
 * factory's scope (`name$`), copied into locals when the function is called. In code V8 specialized
 * to the factory's scope (boundRegion) the locals are constants; in other code they are read once
 * per call (used as context slots directly, optimized code reloaded and checked them, not yet
 * initialized? still a typed array of that kind?, at every access).
 */
function views(insns: readonly Insn[]): [string, string][] {
  const used = new Map([['x', 'cpu.x']]);
  for (const ins of insns) {
    const view = VIEW[ins.op];
    if (view !== undefined) used.set(...view);
    if (ins.op >= Op.SB && ins.op <= Op.SW) used.set('flags', 'cpu.pageFlags');
  }
  return [...used];
}

const VIEW: Partial<Record<Op, [string, string]>> = {
  [Op.LW]: ['i32', 'cpu.ramI32'],
  [Op.SW]: ['i32', 'cpu.ramI32'],
  [Op.LH]: ['i16', 'cpu.ramI16'],
  [Op.LHU]: ['u16', 'cpu.ramU16'],
  [Op.SH]: ['u16', 'cpu.ramU16'],
  [Op.LB]: ['i8', 'cpu.ramI8'],
  [Op.LBU]: ['u8', 'cpu.ramU8'],
  [Op.SB]: ['u8', 'cpu.ramU8'],
  [Op.MULH]: ['mulh', 'H.mulh'],
  [Op.MULHSU]: ['mulhsu', 'H.mulhsu'],
  [Op.MULHU]: ['mulhu', 'H.mulhu'],
};

export function readsRs1(op: Op): boolean {
  return op !== Op.LUI && op !== Op.AUIPC && op !== Op.JAL && op !== Op.FENCE && op !== Op.FENCE_I;
}

export function readsRs2(op: Op): boolean {
  return (op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || (op >= Op.ADD && op <= Op.REMU);
}

export function writesRd(op: Op): boolean {
  return !((op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || op === Op.FENCE || op === Op.FENCE_I);
}
