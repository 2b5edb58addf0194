/**
 * Direct chaining between the i386 wasm translations (jit-wasm.ts): where one leaves to the start of another, a
 * small wasm dispatcher calls that translation's function itself instead of returning to
 * cpu.ts runBlocks, which would find the same region again through the TLB and the code cache and call it
 * through V8's JavaScript-to-wasm path. The i386 Linux boot's kernel decompressor made 2.75 M such round trips
 * between 15 region modules of one page and their neighbours (the XZ decoder's calls and returns): with the chain
 * 0.60 M runBlocks calls and 2.11 M chained, the built CLI's guest run 1190 -> 1163 ms (medians of 20 interleaved
 * pairs; a chained call still stores the state and the next region's prologue loads it again).
 *
 * The dispatcher (one module per CPU, its area's offset built in) loops: it calls the region through the CPU's
 * funcref table (call_indirect), adds the steps, ends the chain when the region left for the interpreter
 * (`missed`), when the store hook saw anything happen besides the region's own work (AREA.stop: a translation
 * dropped, an exit asked, an interrupt made ready), or when a call ran no step; else it makes a pending shift's flags
 * (as jit-wasm.ts stateOut), computes the next EIP's linear address, looks its page up in the fast TLB's execute
 * entries (mmu.ts FAST_KIND_SX/UX: RAM with execute permission, as runBlocks' check) and its RAM offset up in the
 * chain's table of starts, and calls that start's region if the step budget left holds its block's pass (as
 * runBlocks' `block.len > room`). The counts stay exact: each call gets the budget left, as from runBlocks.
 *
 * The table of starts (AREA.chain, direct-mapped by RAM offset) holds only starts runBlocks entered the chain at
 * (RegionChain.enter puts them there: wasm blocks and regions past their warm calls), so the dispatcher calls only
 * translations the code cache holds: the table is emptied whenever the cache drops a translation (its onDropped), and
 * the entry a later store replaced still runs the same bytes. Nothing
 * else of runBlocks' work applies to such a translation but its run count: a translation changes no mode runBlocks
 * checks (no CS, CPL, EFLAGS.IF or TF: those instructions are the interpreter's), and interrupts, exits and code
 * changes come only from the host, whose calls set AREA.stop. runBlocks makes a block that has run REGION_RUNS times a
 * region with the blocks around it (translateHot); a start that has not (lukewarm) carries the runs it has left in
 * AREA.chainRuns, one less at each call the chain makes of it, and the chain goes back to runBlocks when none is left
 * (AREA.due names the start), so that a loop of several lukewarm blocks, chained from block to block, still becomes one
 * region as it would through runBlocks. Chaining blocks from their WARM_CALLS-th run rather than REGION_RUNS-th: the
 * i386 Linux boot's paged kernel, whose blocks mostly never reach REGION_RUNS, went through runBlocks for each (its
 * runBlocks calls 466 K -> 131 K, the built CLI's guest run ~970 -> ~900 ms).
 */
import type { JitKit } from '../../../src/core/api.js';
import { CS } from './consts.js';
import { CcOp } from './flags.js';
import type { I386Cpu } from './cpu.js';
import { SHIFT_PENDING } from './jit-flags.js';
import type { Block, RunFn } from './jit.js';
import { AREA, CHAIN_ENTRIES, hostFor, stateIn, stateOut, type WasmCore } from './jit-wasm.js';
import { FAST_KIND_SX, FAST_KIND_UX, TLB_BITS, TLB_MASK } from './mmu.js';

/** Region functions a chain's table holds; when full, the chain starts over (RegionChain.restart). */
const CHAIN_SLOTS = 1024;

/** log2(CHAIN_ENTRIES). */
const CHAIN_BITS = 31 - Math.clz32(CHAIN_ENTRIES);
/** Fibonacci hashing of a RAM offset into the table of starts. */
const HASH = 0x9e3779b1 | 0;
/** Block lengths the table of starts holds (16 bits beside the slot). */
const MAX_LEN = 0xffff;

/** The int32 index of the entry for RAM offset `key` in the table of starts (pairs). */
export function chainIndex(key: number): number {
  return (Math.imul(key, HASH) >>> (32 - CHAIN_BITS)) << 1;
}

type ChainFn = (slot: number, eip: number, room: number, at: number) => number;

/** A CPU's chain: its dispatcher, the funcref table of region functions it calls, and the table of starts. */
export class RegionChain {
  /** Bumped at each restart: a Block's chainSlot is valid while its chainGen is this. */
  gen = 0;
  private next = 0;
  private readonly slots = new Map<RunFn, number>();
  private readonly table: WebAssembly.Table;
  private readonly run: ChainFn;
  private readonly a: Int32Array;
  private readonly starts: Int32Array;
  private readonly runsLeft: Uint16Array;
  private readonly start: { ran0: number };

  constructor(private readonly cpu: I386Cpu, kit: JitKit, core: WasmCore) {
    this.a = core.area32;
    this.starts = new Int32Array(core.memory.buffer, core.area + AREA.chain, 2 * CHAIN_ENTRIES);
    this.runsLeft = new Uint16Array(core.memory.buffer, core.area + AREA.chainRuns, CHAIN_ENTRIES);
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: CHAIN_SLOTS });
    this.start = hostFor(cpu, kit, core).start;
    const module = kit.wasm.compile(chainModule(kit, core.area));
    this.run = new WebAssembly.Instance(module, { env: { mem: core.memory, chain: this.table } }).exports.run as ChainFn;
  }

  /**
   * Whether runBlocks enters `block` through the chain: a wasm block or region past its warm calls (jit.ts WARM_CALLS:
   * its WARM_CALLS-th run from runBlocks; the chain counts its runs from there on).
   */
  chains(block: Block): boolean {
    return block.run !== null && block.warm === 0 && block.len <= MAX_LEN;
  }

  /**
   * Runs region `block` (whose start is at RAM offset `key`) as runBlocks would call its function, and on through
   * the regions it leaves to while nothing else is to be done; leaves EIP and the counts; returns whether the
   * interpreter runs the next instruction.
   */
  enter(block: Block, key: number, eip: number, room: number, at: number, regionRuns: number): number {
    if (block.chainGen !== this.gen) this.register(block);
    const i = chainIndex(key), a = this.a, cpu = this.cpu;
    // A lukewarm start's runs left: those the chain counted since runBlocks last saw it (fewer) are kept, and runBlocks'
    // count catches up with them.
    let left = block.region || block.runs >= regionRuns ? 0 : regionRuns - block.runs;
    const counted = this.runsLeft[i >> 1];
    if (left !== 0 && this.starts[i] === key + 1 && counted !== 0 && counted < left) {
      left = counted;
      block.runs = regionRuns - left;
    }
    this.starts[i] = key + 1;
    this.starts[i + 1] = block.chainSlot | (block.len << 16);
    this.runsLeft[i >> 1] = left;
    stateIn(cpu, a);
    const ran0 = cpu.ran;
    this.start.ran0 = ran0;
    a[AREA.lastKey >> 2] = key;
    a[AREA.stop >> 2] = 0;
    a[AREA.due >> 2] = 0;
    return stateOut(cpu, a, ran0, this.run(block.chainSlot, eip, room, at));
  }

  /** The RAM offset of the start whose runs ran out in the last enter's chain (EIP is there), or -1. */
  get due(): number {
    return this.a[AREA.due >> 2] - 1;
  }

  /** The RAM offset of the start the last enter's last call entered. */
  get lastKey(): number {
    return this.a[AREA.lastKey >> 2];
  }

  /** Calls the chain made past their first, since the CPU's reset (a counter). */
  get hops(): number {
    return this.a[AREA.hops >> 2];
  }

  /** Translations went: no start is known any more (runBlocks' next entries put them back). */
  clear(): void {
    this.starts.fill(0);
  }

  /** Forgets everything (the CPU's reset). */
  reset(): void {
    this.restart();
    this.a[AREA.hops >> 2] = 0;
  }

  private register(block: Block): void {
    const run = block.run!;
    let slot = this.slots.get(run);
    if (slot === undefined) {
      if (this.next === CHAIN_SLOTS) this.restart();
      slot = this.next++;
      this.table.set(slot, run);
      this.slots.set(run, slot);
    }
    block.chainSlot = slot;
    block.chainGen = this.gen;
  }

  /** A new generation: every Block's slot void, the table's slots reused from the first. */
  private restart(): void {
    this.gen++;
    this.next = 0;
    this.slots.clear();
    this.clear();
  }
}

/**
 * The dispatcher's module for the CPU whose area is at byte `area` of the memory: `run(slot, eip, room, at)` calls
 * the region function at `slot` of the imported table `env.chain` and those it chains to (RegionChain), returns the
 * steps they ran.
 */
function chainModule(kit: JitKit, area: number): Uint8Array {
  const op = kit.wasm.op, I32 = kit.wasm.I32;
  const c = kit.wasm.code([I32, I32, I32, I32], [I32]);
  const SLOT = 0, EIP = 1, ROOM = 2, AT = 3;
  const total = c.local(), n = c.local(), lin = c.local(), t = c.local(), key = c.local(), v = c.local(), r = c.local(), xk = c.local(), left = c.local();
  const load = (off: number) => c.i32(0).mem(op.i32_load, area + off);
  // The fast TLB's execute entries of the CPL the chain runs at (regions change no CPL).
  c.i32(area + AREA.fastTlb + (FAST_KIND_UX << (TLB_BITS + 3))).i32(area + AREA.fastTlb + (FAST_KIND_SX << (TLB_BITS + 3)));
  load(AREA.user).op(op.select).set(xk);
  const out = c.block();
  const top = c.loop();
  c.i32(0).get(EIP).get(AT).op(op.i32_sub).mem(op.i32_store, area + AREA.pb);
  c.i32(0).get(total).mem(op.i32_store, area + AREA.acc);
  c.get(EIP).get(ROOM).get(total).op(op.i32_sub).get(AT).get(SLOT).callIndirect(kit.wasm.indirectType(0, 0));
  c.tee(n).get(total).op(op.i32_add).set(total);
  c.get(n).op(op.i32_eqz);
  load(AREA.missed).op(op.i32_or);
  load(AREA.stop).op(op.i32_or).brIf(out, false);
  // A pending shift's flags (jit-flags.ts shiftFlags: PF, ZF and SF of the result, CF and OF kept).
  load(AREA.cop).i32(SHIFT_PENDING).op(op.i32_eq).if(false);
  c.i32(0);
  load(AREA.cr).tee(r).i32(0xff).op(op.i32_and).op(op.i32_popcnt).i32(1).op(op.i32_and).i32(1).op(op.i32_xor).i32(2).op(op.i32_shl);
  c.get(r).op(op.i32_eqz).i32(6).op(op.i32_shl).op(op.i32_or);
  c.get(r).i32(31).op(op.i32_shr_u).i32(7).op(op.i32_shl).op(op.i32_or);
  load(AREA.ca).op(op.i32_or).mem(op.i32_store, area + AREA.fa);
  c.i32(0).i32(CcOp.None).mem(op.i32_store, area + AREA.cop);
  c.end();
  // The next EIP, its linear address and its page's execute entry (as runBlocks).
  load(AREA.pb).i32(0).mem(op.i32_load, area + AREA.xo).op(op.i32_add).tee(EIP);
  c.i32(0xfffff000).op(op.i32_ge_u).brIf(out, false);
  load(AREA.segBase + 4 * CS).get(EIP).op(op.i32_add).set(lin);
  c.get(xk).get(lin).i32(12).op(op.i32_shr_u).i32(TLB_MASK).op(op.i32_and).i32(3).op(op.i32_shl).op(op.i32_add).tee(t);
  c.mem(op.i32_load, 0).get(lin).i32(-4096).op(op.i32_and).op(op.i32_ne).brIf(out, false);
  c.get(t).mem(op.i32_load, 4).get(lin).op(op.i32_add).set(key);
  // Its start in the table of starts (chainIndex), whose block's pass the budget left must hold.
  c.get(key).i32(HASH).op(op.i32_mul).i32(32 - CHAIN_BITS).op(op.i32_shr_u).i32(3).op(op.i32_shl).tee(t);
  c.mem(op.i32_load, area + AREA.chain).get(key).i32(1).op(op.i32_add).op(op.i32_ne).brIf(out, false);
  c.get(t).mem(op.i32_load, area + AREA.chain + 4).tee(v);
  c.i32(16).op(op.i32_shr_u).get(ROOM).get(total).op(op.i32_sub).op(op.i32_gt_s).brIf(out, false);
  // A lukewarm start (its runs counted): one run less; at none left, back to runBlocks, which makes it a region.
  c.get(t).i32(2).op(op.i32_shr_u).tee(r).mem(op.i32_load16_u, area + AREA.chainRuns).tee(left).if(false);
  c.get(left).i32(1).op(op.i32_sub).tee(left).op(op.i32_eqz).if(false);
  c.i32(0).get(key).i32(1).op(op.i32_add).mem(op.i32_store, area + AREA.due);
  c.br(out);
  c.end();
  c.get(r).get(left).mem(op.i32_store16, area + AREA.chainRuns);
  c.end();
  c.get(v).i32(0xffff).op(op.i32_and).set(SLOT);
  c.get(lin).i32(0xfff).op(op.i32_and).set(AT);
  c.i32(0).get(key).mem(op.i32_store, area + AREA.lastKey);
  c.i32(0);
  load(AREA.hops).i32(1).op(op.i32_add).mem(op.i32_store, area + AREA.hops);
  c.br(top);
  c.end();
  c.end();
  c.get(total);
  return kit.wasm.module(c, [], { table: 'chain', types: [{ params: [I32, I32, I32], results: [I32] }] });
}
