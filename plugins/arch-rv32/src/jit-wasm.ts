/**
 * The region compiler of jit.ts with WebAssembly as its target instead of JavaScript, for a hart
 * whose RAM is a wasm memory: by default (src/core/bus.ts wasmRamWanted: not in a process started
 * for huge pages; RVOS_JIT_WASM=1 or 0 decides). Same regions (scanRegion), same entry points (Block), same exit protocol
 * (`cpu.npc`, an odd next pc = the interpreter runs that instruction; steps returned), so
 * execute() and the code cache cannot tell them apart.
 *
 * The hart's RAM is a WebAssembly memory (src/core/bus.ts createRam): RAM at offset 0, the bus's
 * page flags after it, then the hart's area (AREA below): its registers `x` (cpu.x is a view of
 * them, so nothing is copied around a call), the next pc, the byte addresses of the data TLBs in use
 * (cpu.ts selectDataTlb keeps them), and the TLBs themselves. A load or store looks its page up in
 * the current TLB as the JavaScript regions do (a miss, a misaligned access: leave before the
 * instruction), so paging works the same; a store to a page with flags calls the host (`written`,
 * cpu.ramWritten, through the hart's table: hostTableFor) and leaves after it when the hart needs attention.
 *
 * A region is one function `run(pc0, n0, maxSteps, blk0) -> steps`: the guest registers it uses in
 * locals, its blocks in page order from its entry on (entryFirst), each block's code right after the end of its label's `block`:
 * a block falls into the next one, a jump to a later block branches to the end of that label.
 * Guest loops are wasm `loop`s (loopScopes): a block that a later block (or itself) jumps back to
 * heads a loop enclosing the blocks up to its last such jump, so a back edge is one `br`; loops
 * nest as scopes, each with the labels of its own items (blocks and inner loops). The function's
 * own `loop` holds a `br_table` on the block number (BLK): the region's entry, and the jumps that
 * cannot branch directly (a back edge of a loop that would cross an earlier one, an indirect jump)
 * set BLK and branch there. A loop entered at a block other than its header (the region's entry,
 * a jump into its middle) dispatches on BLK at its top; a back edge finds BLK at -1 and skips that.
 * Only blocks that can be entered from outside their loops are entries for execute() (enterableBlocks); the
 * others, in the middle of a loop, are NO_BLOCK, so a loop with no such entry has no dispatch at all.
 * An indirect jump (a return) first picks the block it can be with a `br_table` on its target's
 * halfword index modulo a power of two (dispatchBuckets), then compares there (usually once), where
 * it used to compare with every block start in turn (17 compares for the compute kernel's quicksort).
 * Every block checks the budget left for its whole length first and takes its length off before its final
 * jump, as a JavaScript region that loops. Stores, and the loads of a region compiled while loads were
 * translated (or under PMP rules, or watched), remember their last page per site, as jit.ts's PageSites.
 * A region compiled while the hart's loads were direct (AREA.loadLimit: untranslated M-mode, no PMP rule nor
 * watchpoint: a bare-metal guest) loads from RAM offset `address - ramBase` when that is below the limit the
 * hart keeps (0 once that no longer holds, so the region still runs, through TLB lookups): one compare, and
 * no site locals that stay live across loops. Stores were tried the same way (with an alignment and a
 * page-flags check): within noise (steady state median 212 vs 217 ms, 5 pairs), dropped.
 *
 * Measured on the compute kernel (kernels/bench, fresh processes, JavaScript and wasm interleaved,
 * 5 pairs, loaded 2-core VM, test/bench/rv32-jit.ts): first run CPU median 918 ms (JS) vs 653 ms
 * (wasm), wall 918 vs 694 ms; steady state (best of runs 3-5 of a process) 501 vs 336 ms CPU.
 * Loops as wasm loops (with the sites' TLB offsets and the TLB addresses out of locals): the built
 * CLI's compute run, 12 interleaved pairs, wall median 608 -> 590 ms (best 594 -> 561; the empty
 * guest about 0.31-0.37 s of it); in process (the loops alone switched off, 6 pairs) first run CPU median
 * 477 -> 438 ms, best of 6 runs equal (230 vs 228 ms): the hot loops of the compute kernel were
 * mostly blocks looping on themselves, wasm loops already.
 * Direct loads (in process, 3 interleaved pairs, heavily loaded VM): steady state (best of 4 runs) 312-324
 * -> 292-298 ms CPU; an earlier unchecked prototype 240 -> 213 ms, first run 456 -> 392 ms. With branch hints
 * as well, the built CLI's compute run (8 interleaved pairs, load 3.6-5.6): wall median 785 -> 765 ms, CPU
 * median 825 -> 795 ms: the first run, mostly Liftoff code until TurboFan's is ready, dominates it.
 * Session 23 together (direct loads, hints, keyed indirect jumps, the wasm `written` import), in process
 * against 671e2ff, 8 interleaved pairs at load ~5: first run CPU median 593 -> 512 ms, steady state (best of
 * 4 runs) 300 -> 219 ms; the rv32 boots' main-thread CPU unchanged (virt OS median 863 vs 794 ms, Linux to
 * /init 601 vs 595 ms, 4 pairs). A first run in the CLI also spends about 30 ms generating modules (cold
 * JavaScript), 15-25 ms compiling them and 5 ms instantiating them on the main thread.
 * Session 24 (test/bench/rv32-regions.ts, which counts wasm regions too): the compute kernel's quicksort
 * (regions entered at 0x8000061e and 0x800005c0: 202 M of its 502 M steps) takes 60-65 % of the time spent in
 * regions, at about 1100 MIPS in the steady state against 2400-5000 for its other loops. The same sort built
 * for the host (gcc -O2) takes about 70 ms, here about 185: its data-dependent branches mispredict in both,
 * and TurboFan's code for the partition loop adds some 25 moves and spills per step (about 14 values live
 * across its back edges). Fewer live values (the direct loads' limit read where used instead of a local, the
 * dispatch's block number kept in the hart's area, direct stores without site locals) made TurboFan's code
 * and its stack references 2-5 % smaller but did not move the steady state (6 interleaved pairs, best of 8
 * runs each: median 198 vs 198 ms CPU): dropped. An upper bound for cheaper budget accounting: with the check
 * of every block but the first of each region left out (an ablation that overruns slices, not a correct
 * region), the steady state was 2-10 % faster (5 interleaved pairs, best of 6: 188-273 vs 200-286 ms CPU); a
 * check per loop header for the longest path to the next one would get part of that. Tried (only blocks jumped
 * back to checked, for their need; execute() and the keyed dispatch checking an unchecked block's need; the
 * partition loop then checked 3 of its 7 blocks): 6 interleaved pairs, best of 6 runs each, median 190.5 vs
 * 191 ms CPU, first run 404 vs 404.5 ms: dropped. The ablation's gain was in the checks of the small
 * self-loops (the sort's inner loops), which that keeps. Module compiles cost
 * about 0.4 ms each even compiled lazily (V8's fixed cost per module; --wasm-lazy-validation saved about
 * 0.1 ms of it), instantiation 0.15-0.3 ms.
 * Session 25: every block used to be an entry, so every loop of several blocks had a dispatch on BLK into each
 * of its blocks, edges into the middle of the loop that TurboFan has to merge at each block. Entries only where
 * control can come from outside the loop (enterableBlocks) remove the quicksort partition loop's dispatch: its
 * region's TurboFan code 14.1 -> 12.4 KB, compiling it 24.7 -> 18.1 ms CPU (median of 15, --single-threaded, its
 * bytes alone; test/bench/rv32-regions.ts --turbofan), all the kernel's modules 91 -> 77 ms; first run in
 * process CPU median 427 -> 361 ms in 5 interleaved pairs, 406 -> 397 ms in 5 more (load 5-8: within noise),
 * steady state equal (best of 4 runs, median 203 vs 205 ms); JIT code instructions (valgrind, 3 runs) -1.4 %;
 * the built CLI's compute run (8 pairs, load 7-8): guest wall median 552 -> 504 ms, process CPU equal (0.69 s). The rv32 boots' main-thread CPU did not grow (4 pairs each; virt OS first boot
 * median about 680 -> 650 ms, Linux to /init 650 -> 570 ms; 90.5 vs 90.4 % of the virt OS's steps in regions).
 * Tried and dropped (session 25): loops of several blocks keeping only their own registers in locals (the
 * region's others stored to the area on the way in, reloaded on the way out, the sites of other blocks forgotten):
 * the partition loop carried 4 registers and 2 sites fewer, TurboFan's code was no better (844 vs 882 stack
 * references), steady state 205 vs 200 ms, valgrind counted 4 % more JIT code instructions. Ablations in the
 * sort (not correct code, upper bounds): no direct-load limit check 0-5 %, no budget check in self-loops 0-4 %;
 * V8's --no-wasm-loop-unrolling slower (~210 vs ~195 ms), --no-wasm-loop-peeling equal. Loads and stores straight
 * to RAM with every other case leaving the region (no TLB path inline, no `written` call) compile the sort's
 * region in 15 instead of 25 ms but leave regions run while the window is closed (PMP set up after they were
 * compiled) to exit at every access: not kept.
 * Session 26, where the first run goes (perf on the built code in process, main thread, first run at load ~4):
 * TurboFan code ~205 ms (as the steady state), Liftoff code ~15 ms (the sort region's TurboFan compile takes
 * 15-28 ms, 72 % of it register allocation by --turbo-stats-wasm; meanwhile Liftoff code runs the sort only ~1.3x
 * slower: --liftoff-only 1055 MIPS), the interpreter ~20 ms, scanning and generating regions ~25 ms of cold
 * JavaScript, module compiles ~13 ms, V8's generic JS-to-wasm wrapper ~5 ms (15 K region calls). No single
 * piece is large. The kernel built for the host (gcc -O2, x86-64) takes 0.10-0.14 s: the 0.5x QEMU target
 * (~0.13 s) is native speed. Its sort alone takes 65 ms of thread CPU natively; with this file's checks added in
 * C, a budget check per block 72 ms (+11 %), a RAM limit check per load 76 ms (+17 %), both 82 ms (+27 %).
 * Tried and dropped: the TLB paths (load lookup; store lookup, flags and `written`) as a per-hart module that
 * regions import and call (wasm 24 -> 21 KiB, the sort region's machine code 12.4 -> 11.0 KB): a wasm call
 * clobbers every register, the memory base included, so TurboFan reloads and spills at the merge after it; the
 * partition's first inner loop lost its unrolling and read the load limit from the stack on every pass (stack
 * references 826 -> 1048). Direct loads whose fallback leaves the region instead of a TLB lookup (an upper
 * bound: correct only with a flush when the window closes): the inner loops 12 -> 10 host instructions a pass,
 * no spill, yet the steady state did not move (6 interleaved pairs, best of runs 2-4: median 205 vs 200 ms CPU)
 * nor did the sort region's TurboFan compile (14.9 vs 15.2 ms). test/bench/rv32-regions.ts --dump=DIR writes
 * the modules for `node --print-wasm-code`. Kept: `written` called through the hart's table (hostTableFor), not
 * imported: V8 compiled a wasm-to-JavaScript wrapper for the import as it compiled each module; the modules'
 * compile CPU (fresh processes, medians of 5) 8.9 -> 5.1 ms for the compute kernel's 23, 11.0 -> 5.2 ms for the
 * virt OS boot's 30, 30.3 -> 17.2 ms for the rv32 Linux boot's 96.
 * Session 27, the built CLI's compute run against the in-process steady state (perf cpu-clock samples of the
 * main thread, load 8-11): TurboFan code ~200 ms (as the steady state), Liftoff code ~30 ms, compileBlockAt ~40-70
 * ms (V8 module compiles ~10, generating ~25 of cold JavaScript, scans ~4, instantiation ~3), the interpreter
 * warm-up (warmup.ts) ~20-35 ms, execute() and the interpreter ~15 ms. The interpreter runs 246 K of the 502 M
 * instructions, nearly all of them resuming after a slice that ended in the middle of a loop. Generating a
 * region allocated ~66 KB (the kernel's 35 modules 2.4 MB, V8 then growing its young generation); planning a
 * region once (planRegion) and no closures per instruction: 2.0 -> 1.8 MB, with the core's hint section
 * written in place 2.4 -> 1.8 MB in all; the cold first pass's main-thread CPU moved within noise (median of 12
 * interleaved processes 28.6 -> 26.9 ms). Tried and dropped: no warm-up at all (process CPU median 688 -> 733
 * ms, 8 pairs), V8's eager tier-up (--no-wasm-dynamic-tiering: 753 -> 872 ms, 10 pairs).
 * Session 29, the same run (perf cpu-clock call graphs of the main thread, 4 runs at load 4-9, so inflated): per
 * run TurboFan code 207-259 ms, Liftoff code 11-22, compileBlockAt 38-60 (scanRegion 5-14, mostly the scavenges
 * its allocations set off; emitRegion ~12; the modules' compiles 10-12, mostly V8's code space per module: mmap,
 * jump tables and their page faults, dear on this VM; instantiation 3.5-5), the warm-up 10-17, execute() in V8's
 * baseline tier ~15 (its TurboFan compile takes 100-300 ms of a compiler thread there; optimized, ~4 ms),
 * GCs 6-10. No single piece is large. The interpreter runs 244 K instructions, ~32 per slice: a slice that ends
 * in a loop's block that is no entry resumes in the interpreter up to an entry. Tried and dropped: WARMUP_CALLS
 * (cpu.ts) 1000 -> 16: the hello kernel's guest time 12.8 -> 7.0 ms (median of 14 pairs) but its process no
 * faster (main thread CPU 249 vs 257 ms, wall equal over 16 pairs); warm-up PASSES 6 -> 2: within noise (8 pairs).
 * Session 30, the same run (--cpu-prof of the built CLI, 6 runs at load 5-9, so inflated): compileBlockAt 42-119 ms
 * (median 84: emitRegion 22, V8's module compiles 16, scanRegion 16 before cpu.ts let an entry that does not loop on
 * itself wait for REGION_THRESHOLD before its scan, instantiation 8.5, wasmModule 6, the hart's host table 4).
 * `new WebAssembly.Instance` took 12-47 ms of wall in a first run in process (0.8-1.1 ms in later runs of the same
 * modules), yet perf counts ~2 ms of CPU in V8's InstanceBuilder: the main thread mostly waits in the run queue
 * there (schedstat), descheduled on the loaded 2-core VM. The run's second scavenge grows the young generation
 * (heap 12.4 -> 17.4 MB) and promotes ~660 KB (the warm-up's scratch harts retain ~500 KB): 11 ms quiet, 25-60 ms
 * at load 6-9; with --min-semi-space-size=16 (no scavenge in the run; V8 takes it at start only) the guest's wall
 * median 469 -> 385 ms (12 pairs) but the process CPU 549 -> 577 ms. execute()'s TurboFan compile takes ~94 ms of
 * a compiler thread; without it (--turbo-filter=-execute) the main thread took 56 ms more, the process as much CPU
 * (6 pairs). Tried and dropped: WASM_COMPILE_WORK 0 -> 16384 (regions 23 -> 20): no difference over 16 pairs.
 * Session 31: of crossing loops loopScopes kept the one that starts first. In the compute kernel's quicksort that was
 * the whole function, a "loop" only through its recursive calls to the entry, so the partition loop's own back edges
 * (59e from 598 and 61e, once per partition) went through three br_tables (the top's and two loops' dispatches). Loops
 * jumped back to now rank before loops only called back to, then by their header's arrivals: the back edges are one
 * `br`, a call costs one br_table. In process (10 interleaved pairs, best of 5 runs each, load 3-6): main-thread CPU
 * median 199 -> 187 ms (8 of 10 pairs better); a first trial of the same sort code 194 -> 176 ms (10 of 10). The built
 * CLI's compute run (12 pairs, load ~8): process CPU median 0.735 -> 0.705 s (10 of 12); again, two copies of the built
 * CLI, one patched to the old order (14 pairs, load ~5.5): 0.770 -> 0.625 s (11 of 14). The sort region's TurboFan code
 * 13.0 -> 11.9 KB, its compile alone (--single-threaded, median of 9) 27.6 -> 25.1 ms of CPU. The virt OS boot's regions
 * are unchanged, 3 of the rv32 Linux boot's 110 change (first boot in
 * process, 22 interleaved pairs, load 5-6: main-thread CPU median 730 vs 729 ms, 14 of 22 better; all threads 1523 vs 1566). Tried and dropped (in
 * process, interleaved, best of 5 runs, main-thread CPU medians): direct stores (the load window, then the page's flags
 * and the alignment; no store sites): 178 vs 176 ms (10 pairs), 174 vs 179 (12), and with a miss leaving the region
 * instead of the TLB path 174 vs 174 (12), though an ablation with no check at all (not correct) read 172 -> 160 ms
 * (8 of 8); one br_table for a dispatch into inner loops (blocks entered directly set BLK to -1 as they start, instead
 * of a first br_table that tells them from inner loops): 180 vs 188 ms (5 of 10 better); a call to the region's first
 * block as a branch to the top, whose dispatch is skipped with BLK at -1 (no br_table): 188 vs 184 ms (4 of 10 better).
 * The ranking first broke the virt teaching OS's session (test/machine/os.test.ts: a wasm `unreachable`): a loop left out
 * could now start before the one kept, so its back edge came from inside an outer loop to a block enterableBlocks did
 * not count as a dispatch target. Every back edge that is not its kept loop's now makes its target one.
 * Session 35: blocks from the region's entry on first (entryFirst). Of the compute kernel's regions 13 had a loop with
 * a dispatch on BLK at its top, 5 now (the virt OS boot's 22 -> 9, its dispatched jumps 6 -> 1): the sieve's count
 * loop passed its dispatch's compare and branch on every iteration. Host instructions of the built CLI's compute run
 * (scripts/host-insns.sh, 5 runs each, load 5-6): median 3,271 M -> 3,235 M (-1.1 %; the old order's runs
 * 3,269-3,273 M and one of 3,419 M, the new 3,229-3,264 M). In process (10 interleaved pairs, best of runs 3-6,
 * main thread, load 5-6): median 177 vs 174.5 ms (6 of 10 lower, within noise); the virt OS's first boot in
 * process (8 pairs, main thread) median 760 vs 715 ms (6 of 8 lower). The compute kernel's first run in process (18
 * interleaved pairs, load 5-8): main thread median 318 vs 328 and 240 vs 239 ms, process CPU 450 vs 465.5 and 345.5
 * vs 355 ms (7 of 18 lower); its regions' TurboFan compiles alone (rv32-regions.ts --turbofan, 2 runs each) 40.7-48.4
 * vs 43.9-45.3 ms CPU; the built CLI's compute run (rounds of the empty and the compute kernel under each, load
 * 3.5-4.3): the median of the rounds' own kernel-less-empty differences +21.5, -27.5 and +13.5 ms of wall (10, 16 and
 * 20 rounds, the last alternating which goes first), of process CPU +5, +5 and -5 ms (10 ms ticks): no change
 * readable (kernel-less-empty medians about 310-340 ms; at load 7.5 the rounds were unreadable). Tried and
 * dropped: a loop entered from outside only at one block past its head (a do-while whose test comes first in the
 * page: the sort's partition loop, entered at its body) turned round to start at that block, kept when fewer loops
 * dispatch (compute kernel 5 -> 4, virt OS boot 9 -> 1 but dispatched jumps 1 -> 3): host instructions median
 * 3,242 vs 3,227.5 M (2 and 3 runs), in process steady state 186 vs 183 ms (10 pairs, 5 lower), the virt OS's
 * first boot main thread 713 vs 748.5 ms (8 pairs, 2 lower). Per phase of the compute kernel (a build per phase, kernels/bench/bench.c's
 * rounds with one kernel each; steady state in process, main thread, vs QEMU's process CPU less its empty guest's,
 * load 4-6): crc32 ~17 vs ~20 ms, quicksort with its fill and check ~110 vs ~165, sieve ~36 vs ~55, matmul ~8 vs
 * ~10, fib ~2 vs <10, divhash ~5 vs <10; natively (clang -O2, x86-64) the sort takes 70-80 ms and the whole kernel
 * 100-120. The sort's 4.5 M partition steps and 0.9 M calls (16 rounds) have data-dependent branches that
 * mispredict natively too; perf samples in its TurboFan code gather at the inner loops' exits. V8 without its wasm
 * loop stack checks (--no-wasm-stack-checks, an ablation: 2 host instructions per loop iteration) ran no faster
 * (6 pairs, best of runs 3-6: 162-170 vs 161-171 ms).
 */
import type { JitKit, WasmArea, WasmCode, WasmRam } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { Op } from './execute.js';
import { TLB_ENTRIES, TLB_MASK } from './mmu.js';
import { Block, blockOrder, callTarget, INVERSE, isControl, jumpsIndirectly, NO_BLOCK, readsRs1, rememberShape, readsRs2, successors, writesRd, type BlockFn, type RegionBlock } from './jit.js';

/**
 * compileWork (cpu.ts compileBlockAt) of a hart with wasm regions: none beyond the arrival
 * thresholds. V8 compiles a wasm function in one fast pass (Liftoff) on its first call and tiers it
 * up in the background; there is no bytecode phase to wait out nor deopts to fear. The compute
 * kernel's first run (fresh processes, interleaved, loaded VM): 0: CPU median 631 ms, 65536: 702 ms
 * (4 pairs); COMPILE_WORK as the JavaScript regions: about 600 against 520 for 0 earlier. The rv32
 * boots compile more regions with 0 (virt OS 30 instead of 5, Linux to /init 79 instead of 21) and
 * took 5-8 % more main-thread CPU than with 65536 (3 pairs each).
 */
export const WASM_COMPILE_WORK = 0;

/** Byte offsets in the hart's area. */
export const AREA = {
  /** x0..x32 (Int32Array(33)). */
  x: 0,
  npc: 136,
  /** Byte addresses in the memory of the data TLBs in use: rTag, rOff, wTag, wOff. */
  rTag: 140,
  rOff: 144,
  wTag: 148,
  wOff: 152,
  /**
   * Loads at `ramBase + o` with o < this (unsigned) read RAM offset o directly, without a TLB (cpu.ts
   * tellWasmLoadWindow: RAM's size less 3 in untranslated M-mode without PMP rules or watchpoints, else 0).
   */
  loadLimit: 156,
  /** The Tlbs' tags and offsets (mmu.ts), TLB_ENTRIES int32 each. */
  tlbTags: 4096,
  tlbOffs: 4096 + TLB_ENTRIES * 4,
  size: 4096 + 2 * TLB_ENTRIES * 4,
} as const;

/** Where a CPU's wasm state lives (its area of the wasm memory: WasmRam.claim). */
export type WasmHart = WasmArea;

/** Takes the next free CPU area of the wasm memory (null when none is left). */
export function claimWasmArea(ram: WasmRam): WasmHart | null {
  return ram.claim(AREA.size);
}

/** Records the byte addresses of the data TLBs in use, where the regions read them on entry. */
export function tellWasmTlbs(hart: WasmHart, rTag: Int32Array, rOff: Int32Array, wTag: Int32Array, wOff: Int32Array): void {
  const a = hart.area32;
  a[AREA.rTag >> 2] = rTag.byteOffset;
  a[AREA.rOff >> 2] = rOff.byteOffset;
  a[AREA.wTag >> 2] = wTag.byteOffset;
  a[AREA.wOff >> 2] = wOff.byteOffset;
}

/** Sets AREA.loadLimit for a RAM of `ramBytes` loadable directly (0: none). */
export function tellWasmLoadLimit(hart: WasmHart, ramBytes: number): void {
  hart.area32[AREA.loadLimit >> 2] = ramBytes > 3 ? ramBytes - 3 : 0;
}



/** Compiles a scanned region to wasm; one Block per block, the entry first (as jit.ts compileRegion). */
export function compileWasmRegion(cpu: Rv32Cpu, kit: JitKit, hart: WasmHart, blocks: RegionBlock[], crossing = false): Block[] {
  const plan = planRegion(blocks);
  const bytes = emitRegion(kit, hart, plan, hart.area32[AREA.loadLimit >> 2] !== 0 ? cpu.ramBase : null);
  const bound = boundWasm(kit, kit.wasm.compile(bytes), cpu, hart);
  const fn = crossing ? checkedCrossing(bound, cpu) : bound;
  rememberShape(blocks);
  const { order, enterable } = plan;
  const entry = blocks[0].start;
  return blocks.map((b) => {
    const j = order.indexOf(b);
    return enterable[j] ? new Block(fn, b.insns.length, j, b.start - entry, 0) : NO_BLOCK;
  });
}

/**
 * What the code of a region follows: its blocks in order (entryFirst), their loops (loopScopes) and which
 * blocks are entries (enterableBlocks), worked out once per region for emitRegion and compileWasmRegion (this
 * code runs cold, where each pass over the blocks allocates).
 */
interface RegionPlan {
  entry: number;
  order: RegionBlock[];
  root: Scope;
  loops: Scope[];
  enterable: boolean[];
}

function planRegion(scanned: RegionBlock[]): RegionPlan {
  const entry = scanned[0].start;
  const order = entryFirst(blockOrder(scanned), entry);
  const root = loopScopes(order);
  const loops = loopsIn(root);
  return { entry, order, root, loops, enterable: enterableBlocks(order, entry, loops) };
}

/**
 * The blocks of a region in the order its code follows: page order turned round so that the region's entry comes
 * first (the blocks from the entry to the page's end, then those before it). A region whose entry is past its
 * loop's head in page order (the compute kernel's sieve count loop: its region starts at the load, the loop's
 * second block) then has that loop headed by its entry, where page order made it a loop entered in its middle,
 * with a dispatch on BLK at its top that every iteration passed (a compare and branch TurboFan keeps, BLK a value
 * live across the loop). The blocks before the entry come last: a back edge to the entry closes the loop, and they
 * are entries only where enterableBlocks finds an edge from outside a loop (the old loop head, reached only from
 * inside, is NO_BLOCK: a slice that stops there resumes in the interpreter up to the entry).
 */
export function entryFirst(paged: RegionBlock[], entry: number): RegionBlock[] {
  const e = paged.findIndex((b) => b.start === entry);
  return e <= 0 ? paged : [...paged.slice(e), ...paged.slice(0, e)];
}

/**
 * Per hart, the table its regions import (`env.host`, kit.wasm.hostTable), holding `written` as a wasm function
 * (kit.wasm.hostFunction says why) at WRITTEN: regions call it with call_indirect, so that V8 compiles no import wrapper per module
 * (WasmIndirect: the compute kernel's 23 modules, 0.3 -> 0.17 ms of compile CPU each).
 */
const hartTable = new WeakMap<Rv32Cpu, WebAssembly.Table>();

function hostTableFor(cpu: Rv32Cpu, kit: JitKit, hart: WasmHart): WebAssembly.Table {
  let table = hartTable.get(cpu);
  if (table === undefined) {
    const js = (o: number, size: number, inflight: number): number => {
      cpu.inflight = inflight;
      cpu.ramWritten(o, size);
      return cpu.attention ? 1 : 0;
    };
    table = kit.wasm.hostTable([{ fn: js, params: WRITTEN_PARAMS }], hart.memory);
    hartTable.set(cpu, table);
  }
  return table;
}

/** The module instantiated for `cpu` (once per hart: kit.wasm.instanceFor), wrapped by leavingNpc. */
function boundWasm(kit: JitKit, module: WebAssembly.Module, cpu: Rv32Cpu, hart: WasmHart): BlockFn {
  return kit.wasm.instanceFor(module, cpu, () => {
    const instance = new WebAssembly.Instance(module, { env: { mem: hart.memory, host: hostTableFor(cpu, kit, hart) } });
    return leavingNpc(instance.exports.run as BlockFn, cpu, hart.area32);
  });
}

/**
 * `run` wrapped to leave the next pc in `cpu.npc`. A top-level function, so that every wrapper shares one
 * closure feedback cell (a wrapper made inside a closure made per region got its own, and V8 optimized each
 * separately: aarch64's steady state was 20-30 % slower that way).
 */
function leavingNpc(run: BlockFn, cpu: Rv32Cpu, area32: Int32Array): BlockFn {
  const npc = AREA.npc >> 2;
  return (pc0, n0, maxSteps, blk0) => {
    const steps = run(pc0, n0, maxSteps, blk0);
    cpu.npc = area32[npc];
    return steps;
  };
}

/** A region crossing into the next page (cross-page.ts): runs only while that page follows its entry's. */
function checkedCrossing(run: BlockFn, cpu: Rv32Cpu): BlockFn {
  return (pc0, n0, maxSteps, blk0) => (cpu.nextPageFollows(pc0) ? run(pc0, n0, maxSteps, blk0) : cpu.crossingRefused(pc0));
}

// Parameters of `run`.
const PC0 = 0;
const N0 = 1;
const MAX_STEPS = 2;
const BLK = 3;

/**
 * The bytes of a region's module (tests and compileWasmRegion). `ramBase`: the guest address of RAM when loads
 * should try RAM directly first (AREA.loadLimit; chosen when the hart's loads are direct as the region is
 * compiled), null for the loads through the TLB with a page remembered per site.
 */
export function generateWasmRegion(kit: JitKit, hart: Pick<WasmHart, 'area' | 'flags'>, scanned: RegionBlock[], ramBase: number | null): Uint8Array {
  return emitRegion(kit, hart, planRegion(scanned), ramBase);
}

function emitRegion(kit: JitKit, hart: Pick<WasmHart, 'area' | 'flags'>, plan: RegionPlan, ramBase: number | null): Uint8Array {
  const { op, I32 } = kit.wasm;
  const c = kit.wasm.code([I32, I32, I32, I32], [I32]);
  const { entry, order: blocks, root, loops, enterable } = plan;
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  const multi = blocks.length > 1;
  const targets = multi && blocks.some(jumpsIndirectly) ? blocks.map((b) => b.start) : [];

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
  const reg: number[] = [];
  for (const n of used) reg[n] = c.local();
  /** Steps left of the budget: maxSteps less those counted (one compare per block's check). */
  const left = c.local();
  const ret = c.local();
  const nx = c.local();
  const a = c.local();
  const t = c.local();
  const o = c.local();
  const d = c.local();
  /** AREA.loadLimit, read on entry. */
  const loadLimit = c.local();
  const area = hart.area;

  // Prologue: the budget and the registers. (The data TLBs' addresses are read where a lookup
  // needs them, not kept in locals: live across the loops, they cost registers and spills.)
  c.get(MAX_STEPS).set(left);
  if (ramBase !== null) c.i32(0).mem(op.i32_load, area + AREA.loadLimit).set(loadLimit);
  for (const n of used) c.i32(0).mem(op.i32_load, area + AREA.x + 4 * n).set(reg[n]);
  /** Pushes the byte address of the data TLB's tags or offsets in use (AREA.rTag ...). */
  const tlb = (field: number) => c.i32(0).mem(op.i32_load, area + field);

  const sitesAt = c.size;
  const exitL = c.block();
  const runL = c.loop();
  /** Per block: the label whose end its code follows (set while its scope is open). */
  const landL: number[] = [];
  /** Per block: the scope in which it starts an item (its label lives there). */
  const landScope: Scope[] = [];
  /** The loop label of each open loop scope, by header. */
  const loopL = new Map<number, number>();
  /** Open scopes, outermost first. */
  const open: Scope[] = [];

  /** Leaves the function with the next pc at page offset `npcOff` from the entry's (or the local `d`'s) and `taken` steps of the current block not counted yet. */
  const exit = (npcOff: number | 'd', taken: number) => {
    if (npcOff === 'd') c.get(d);
    else c.i32(npcOff);
    c.set(nx).i32(taken).set(ret).br(exitL);
  };
  const r = (n: number) => (n === 0 ? c.i32(0) : c.get(reg[n]));
  let current = 0;
  /**
   * Control goes to page offset `p` (steps counted already); `tail`: nothing follows in the block.
   * A later block that starts an item of an open scope: branch to the end of its label. The header
   * of an open loop: branch to the loop. Anything else (a back edge across loops, a jump into a
   * loop's middle): set the block number and branch to the dispatch at the top.
   */
  const goto = (p: number, tail = false) => {
    const j = index.get(p);
    if (j === undefined) return exit(p - entry, 0);
    if (tail && j === current + 1) return;
    if (j > current && open.includes(landScope[j])) return void c.br(landL[j]);
    const loop = loopL.get(j);
    if (j <= current && loop !== undefined) return void c.br(loop);
    // Into a loop's middle: through the dispatch of the outermost loop that can be entered from here.
    const into = loops.find((l) => l.lo > current && l.lo < j && j <= l.hi && open.includes(landScope[l.lo]));
    c.i32(j).set(BLK);
    if (into !== undefined) return void c.br(landL[into.lo]);
    wasmRegionStats.dispatchedJumps++;
      c.br(runL);
  };
  const isNext = (p: number) => multi && index.get(p) === current + 1;
  /**
   * Load and store sites, as jit.ts's PageSites: accesses of a kind through one base register in a
   * block (unchanged between them) share two locals, the page their last access hit (its virtual
   * base, -1 none; set in the prologue) and its TLB offset (RAM offset = address + it), so that an
   * access to the same page, aligned, skips the TLB lookup and costs one add. The TLB does not change during a call (no instruction that
   * changes translation or privilege is compiled).
   */
  /** By base register: loads' sites at 0..32, stores' at 33..65 (numbers: cheap while this code is still cold). */
  const sites = new Map<number, [number, number]>();
  const siteLocals: number[] = [];
  const STORE_SITE = 33;
  const site = (kind: 'load' | 'store', baseReg: number): [number, number] => {
    const key = kind === 'load' ? baseReg : STORE_SITE + baseReg;
    let s = sites.get(key);
    if (s === undefined) {
      s = [c.local(), c.local()];
      sites.set(key, s);
      siteLocals.push(s[0]);
    }
    return s;
  };

  /** rd = rs1 `opcode` imm (nothing for x0). */
  function binImm(ins: RegionBlock['insns'][number], opcode: (typeof op)[keyof typeof op]): void {
    if (ins.rd !== 32) r(ins.rs1).i32(ins.imm | 0).op(opcode).set(reg[ins.rd]);
  }

  /** rd = rs1 `opcode` rs2 (nothing for x0). */
  function bin(ins: RegionBlock['insns'][number], opcode: (typeof op)[keyof typeof op]): void {
    if (ins.rd === 32) return;
    r(ins.rs1);
    r(ins.rs2).op(opcode).set(reg[ins.rd]);
  }

  /** The code of block `j`. */
  function emitBlock(j: number): void {
    const b = blocks[j];
    current = j;
    const base = b.start - entry;
    const len = b.insns.length;
    sites.clear();
    // The budget for the whole block.
    c.get(left).i32(len).op(op.i32_lt_s).if(false);
    exit(base, 0);
    c.end();
    // A loop and helpers taking the instruction, not closures made per instruction: this code runs cold (a few
    // dozen regions per process), where every closure is an allocation (generating the compute kernel's regions
    // allocated 2.4 MB, which V8 pays for in scavenges and host page faults as its young generation grows).
    for (let k = 0; k < len; k++) {
      const ins = b.insns[k];
      const imm = ins.imm | 0;
      const rd = ins.rd === 32 ? -1 : reg[ins.rd];
      switch (ins.op) {
        case Op.LUI:
          if (rd >= 0) c.i32(imm).set(rd);
          break;
        case Op.AUIPC:
          if (rd >= 0) c.get(PC0).i32(base + ins.off + imm).op(op.i32_add).set(rd);
          break;
        case Op.ADDI:
          binImm(ins, op.i32_add);
          break;
        case Op.SLTI:
          binImm(ins, op.i32_lt_s);
          break;
        case Op.SLTIU:
          binImm(ins, op.i32_lt_u);
          break;
        case Op.XORI:
          binImm(ins, op.i32_xor);
          break;
        case Op.ORI:
          binImm(ins, op.i32_or);
          break;
        case Op.ANDI:
          binImm(ins, op.i32_and);
          break;
        case Op.SLLI:
          binImm(ins, op.i32_shl);
          break;
        case Op.SRLI:
          binImm(ins, op.i32_shr_u);
          break;
        case Op.SRAI:
          binImm(ins, op.i32_shr_s);
          break;
        case Op.ADD:
          bin(ins, op.i32_add);
          break;
        case Op.SUB:
          bin(ins, op.i32_sub);
          break;
        case Op.SLL:
          bin(ins, op.i32_shl);
          break;
        case Op.SLT:
          bin(ins, op.i32_lt_s);
          break;
        case Op.SLTU:
          bin(ins, op.i32_lt_u);
          break;
        case Op.XOR:
          bin(ins, op.i32_xor);
          break;
        case Op.SRL:
          bin(ins, op.i32_shr_u);
          break;
        case Op.SRA:
          bin(ins, op.i32_shr_s);
          break;
        case Op.OR:
          bin(ins, op.i32_or);
          break;
        case Op.AND:
          bin(ins, op.i32_and);
          break;
        case Op.MUL:
          bin(ins, op.i32_mul);
          break;
        case Op.MULH:
        case Op.MULHSU:
        case Op.MULHU: {
          const extA = ins.op === Op.MULHU ? op.i64_extend_i32_u : op.i64_extend_i32_s;
          const extB = ins.op === Op.MULH ? op.i64_extend_i32_s : op.i64_extend_i32_u;
          if (rd < 0) break;
          r(ins.rs1).op(extA);
          r(ins.rs2).op(extB).op(op.i64_mul).i64(32).op(op.i64_shr_u).op(op.i32_wrap_i64).set(rd);
          break;
        }
        case Op.DIV:
        case Op.DIVU:
        case Op.REM:
        case Op.REMU:
          if (rd >= 0) divide(kit, c, ins.op, () => r(ins.rs1), () => r(ins.rs2), rd);
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
          if (ramBase !== null) {
            wasmRegionStats.directLoads++;
            // Straight into RAM while the window allows (AREA.loadLimit), else through the TLB.
            r(ins.rs1).i32(imm).op(op.i32_add).tee(a).i32(ramBase | 0).op(op.i32_sub).tee(o).get(loadLimit).op(op.i32_ge_u).if(false);
            lookup(size, AREA.rTag, () => exit(base + ins.off + 1, k));
            c.get(t);
            tlb(AREA.rOff).op(op.i32_add).mem(op.i32_load).get(a).op(op.i32_add).set(o);
            c.end();
          } else {
            const [pv, po] = site('load', ins.rs1);
            // The site's page: o = the address + the page's offset from RAM (as the TLB keeps it).
            r(ins.rs1).i32(imm).op(op.i32_add).tee(a).i32(-4096 | (size - 1)).op(op.i32_and).get(pv).op(op.i32_eq).if(true);
            c.get(po).get(a).op(op.i32_add).set(o);
            c.else();
            lookup(size, AREA.rTag, () => exit(base + ins.off + 1, k));
            c.get(t);
            tlb(AREA.rOff).op(op.i32_add).mem(op.i32_load).tee(po).get(a).op(op.i32_add).set(o);
            c.get(a).i32(-4096).op(op.i32_and).set(pv);
            c.end();
          }
          c.get(o).mem(ins.op === Op.LW ? op.i32_load : ins.op === Op.LH ? op.i32_load16_s : ins.op === Op.LHU ? op.i32_load16_u : ins.op === Op.LB ? op.i32_load8_s : op.i32_load8_u);
          if (rd < 0) c.op(op.drop);
          else c.set(rd);
          break;
        }
        case Op.SB:
        case Op.SH:
        case Op.SW: {
          const size = ins.op === Op.SW ? 4 : ins.op === Op.SH ? 2 : 1;
          const store = size === 4 ? op.i32_store : size === 2 ? op.i32_store16 : op.i32_store8;
          const [pv, po] = site('store', ins.rs1);
          r(ins.rs1).i32(imm).op(op.i32_add).tee(a).i32(-4096 | (size - 1)).op(op.i32_and).get(pv).op(op.i32_eq).if(true);
          c.get(po).get(a).op(op.i32_add);
          r(ins.rs2).mem(store);
          c.else();
          lookup(size, AREA.wTag, () => exit(base + ins.off + 1, k));
          c.get(t);
          tlb(AREA.wOff).op(op.i32_add).mem(op.i32_load).get(a).op(op.i32_add).tee(o);
          r(ins.rs2).mem(store);
          // A page with flags (code, a watcher): tell the hart; leave after the store if it needs the
          // run loop. Only a page without flags is remembered (flags are set outside compiled code).
          c.get(o).i32(12).op(op.i32_shr_u).mem(op.i32_load8_u, hart.flags).if(false);
          c.get(o).i32(size).get(N0).get(MAX_STEPS).op(op.i32_add).get(left).op(op.i32_sub).i32(k).op(op.i32_add).i32(WRITTEN).callIndirect(kit.wasm.indirectType(0, WRITTEN)).if(false);
          exit(base + ins.off + ins.len, k + 1);
          c.end().else();
          c.get(o).get(a).op(op.i32_sub).set(po);
          c.get(a).i32(-4096).op(op.i32_and).set(pv);
          c.end().end();
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
          c.get(left).i32(len).op(op.i32_sub).set(left);
          terminator(b, k, base);
          break;
        default:
          throw new Error(`rv32 wasm jit: cannot compile op ${ins.op}`);
      }
      if (writesRd(ins.op) && ins.rd !== 32) {
        sites.delete(ins.rd);
        sites.delete(STORE_SITE + ins.rd);
      }
    }
    const last = b.insns[len - 1];
    if (!isControl(last.op)) {
      c.get(left).i32(len).op(op.i32_sub).set(left);
      goto(b.start + last.off + last.len, true);
    }
  }

  /**
   * A scope's items (blocks and inner loops) each after the end of its label's `block`, the
   * innermost of which holds the dispatch: at the top of the function always (the region's entry,
   * and jumps that cannot branch directly), at the top of a loop only when BLK is set (entering the
   * loop at a block other than its header).
   */
  function emitScope(scope: Scope): void {
    const isRoot = open.length === 0;
    open.push(scope);
    const items = scope.items;
    const first = (it: number | Scope) => (typeof it === 'number' ? it : it.lo);
    const lab: number[] = [];
    for (let x = items.length - 1; x >= 0; x--) lab[x] = c.block();
    items.forEach((it, x) => {
      if (landScope[first(it)] !== undefined) return; // a loop's header: the parent's label enters the loop
      landL[first(it)] = lab[x];
      landScope[first(it)] = scope;
    });
    // A loop dispatches on BLK only when some block in it past its header can be entered from outside it.
    let mids = false;
    for (let k = scope.lo + 1; k <= scope.hi; k++) if (enterable[k]) mids = true;
    if (isRoot || mids) {
      const itemOf: number[] = [];
      items.forEach((it, x) => {
        if (typeof it === 'number') itemOf[it] = x;
        else for (let k = it.lo; k <= it.hi; k++) itemOf[k] = x;
      });
      const ks: number[] = [];
      for (let k = scope.lo; k <= scope.hi; k++) ks.push(k);
      const inner = (k: number) => {
        const it = items[itemOf[k]];
        return typeof it !== 'number' && it.lo !== k;
      };
      if (!isRoot) {
        wasmRegionStats.loopDispatches++;
        c.get(BLK).i32(-1).op(op.i32_ne).if(false);
      }
      c.get(BLK);
      if (scope.lo !== 0) c.i32(scope.lo).op(op.i32_sub);
      c.set(t);
      // A block inside an inner loop other than its header: that loop's dispatch takes BLK over. A block
      // that cannot be entered (enterableBlocks) is never the target of a dispatch: a trap if it were.
      const bad = isRoot && ks.some((k) => !enterable[k]) ? c.block() : -1;
      if (ks.some(inner)) {
        const direct = c.block();
        c.get(t).brTable(ks.map((k) => (bad >= 0 && !enterable[k] ? bad : inner(k) ? lab[itemOf[k]] : direct)), direct);
        c.end();
      }
      c.i32(-1).set(BLK);
      c.get(t).brTable(ks.map((k) => lab[itemOf[k]]), isRoot ? exitL : lab[0]);
      if (bad >= 0) c.end().op(op.unreachable);
      if (!isRoot) c.end();
    }
    for (const it of items) {
      c.end();
      if (typeof it === 'number') emitBlock(it);
      else {
        loopL.set(it.lo, c.loop());
        emitScope(it);
        loopL.delete(it.lo);
        c.end();
      }
    }
    open.pop();
  }

  /** Sets `t` = the TLB entry's byte offset of the address in `a`; runs `miss` (which leaves) unless the TLB whose tags' address is at AREA field `tags` has the page and the access is aligned. */
  function lookup(size: number, tags: number, miss: () => void): void {
    c.get(a).i32(10).op(op.i32_shr_u).i32(TLB_MASK << 2).op(op.i32_and).tee(t);
    tlb(tags).op(op.i32_add).mem(op.i32_load);
    c.get(a).i32(12).op(op.i32_shr_u).op(op.i32_ne);
    if (size > 1) c.get(a).i32(size - 1).op(op.i32_and).op(op.i32_or);
    c.if(false);
    miss();
    c.end();
  }

  /** The block's final jump or branch (its k-th instruction). */
  function terminator(b: RegionBlock, k: number, base: number): void {
    const ins = b.insns[k];
    const at = b.start + ins.off;
    const rd = ins.rd === 32 ? -1 : reg[ins.rd];
    const link = () => {
      if (rd >= 0) c.get(PC0).i32(base + ins.off + ins.len).op(op.i32_add).set(rd);
    };
    if (ins.op === Op.JALR) {
      const known = callTarget(b);
      if (known !== null) {
        link();
        return goto(known, true);
      }
      r(ins.rs1).i32(ins.imm | 0).op(op.i32_add).i32(-2).op(op.i32_and).get(PC0).op(op.i32_sub).set(d);
      link();
      if (targets.length > 0) {
        // A br_table on the target's halfword index (d >> 1) modulo a power of two picks the
        // bucket of block starts it can be, checked there one by one (usually one): a return
        // costs a table jump and a compare, not a compare per block before it.
        const buckets = dispatchBuckets(targets.filter((p) => enterable[index.get(p)!]).map((p) => p - entry));
        const miss = c.block();
        const lab: number[] = [];
        for (let k = buckets.length - 1; k >= 0; k--) if (buckets[k].length > 0) lab[k] = c.block();
        c.get(d).i32(1).op(op.i32_shr_s).i32(buckets.length - 1).op(op.i32_and);
        c.brTable(buckets.map((bucket, k) => (bucket.length > 0 ? lab[k] : miss)), miss);
        buckets.forEach((bucket, k) => {
          if (bucket.length === 0) return;
          c.end();
          for (const off of bucket) {
            c.get(d).i32(off).op(op.i32_eq).if(true);
            goto(off + entry);
            c.end();
          }
          c.br(miss);
        });
        c.end();
        wasmRegionStats.keyedJumps++;
      }
      return exit('d', 0);
    }
    if (ins.op === Op.JAL) {
      link();
      return goto(at + ins.imm, true);
    }
    const taken = at + ins.imm;
    const fall = at + ins.len;
    const turn = isNext(taken) && !isNext(fall);
    r(ins.rs1);
    r(ins.rs2);
    c.op(branchOp(kit, turn ? INVERSE[ins.op]! : ins.op)).if();
    goto(turn ? fall : taken);
    c.end();
    goto(turn ? taken : fall, true);
  }

  emitScope(root);
  c.end(); // runL
  c.end(); // exitL
  // No site has a page yet (inserted before the body: branches are relative, not byte offsets).
  const init = kit.wasm.code([], []);
  for (const pv of siteLocals) init.i32(-1).set(pv);
  c.insert(sitesAt, init.bytes);
  // Epilogue: registers back, the next pc, the steps.
  for (const n of written) c.i32(0).get(reg[n]).mem(op.i32_store, area + AREA.x + 4 * n);
  c.i32(0).get(PC0).get(nx).op(op.i32_add).mem(op.i32_store, area + AREA.npc);
  c.get(MAX_STEPS).get(left).op(op.i32_sub).get(ret).op(op.i32_add);
  return kit.wasm.module(c, [], kit.wasm.hostIndirect('host', [{ params: WRITTEN_PARAMS }]));
}

/** Counters of the code generated so far (tests). */
export const wasmRegionStats = {
  /** Jumps that go through the dispatch at the top of their region (not a direct branch or a loop). */
  dispatchedJumps: 0,
  /** Indirect jumps compiled to a br_table on their target (dispatchBuckets). */
  keyedJumps: 0,
  /** Loads compiled to try RAM directly first (AREA.loadLimit). */
  directLoads: 0,
  /** Loops with a dispatch on BLK at their top (some block past their header is an entry: enterableBlocks). */
  loopDispatches: 0,
};

/**
 * The buckets of an indirect jump's dispatch: `offsets` (distinct even byte offsets of block starts from the
 * region's entry) by `(offset >> 1) & (buckets - 1)`, for the smallest power of two of buckets, at least as
 * many as offsets and at most 8 times as many, whose largest bucket is smallest.
 */
export function dispatchBuckets(offsets: readonly number[]): number[][] {
  let best: number[][] = [];
  let bestMax = Infinity;
  for (let n = 2; n <= Math.max(2, 8 * offsets.length); n *= 2) {
    if (n < offsets.length) continue;
    const buckets: number[][] = Array.from({ length: n }, () => []);
    for (const off of offsets) buckets[(off >> 1) & (n - 1)].push(off);
    const max = Math.max(...buckets.map((b) => b.length));
    if (max < bestMax) {
      best = buckets;
      bestMax = max;
      if (max <= 1) break;
    }
  }
  return best;
}

/**
 * Per block (in the region's order: entryFirst), whether a region call or a jump from outside a loop may start there: the region's
 * entry (at `entry`), a block in no loop or at the head of every loop it is in, a block that a block outside one
 * of its loops jumps to, and a block after a call (the callee's return may come from anywhere). The others, in
 * the middle of a loop and reached only from inside it, are no entry for execute() (NO_BLOCK: the interpreter
 * runs up to the loop's next jump), so that no loop needs a dispatch on BLK into them: TurboFan then sees no
 * edges into the middle of the loop besides its own.
 */
export function enterableBlocks(blocks: RegionBlock[], entry: number, loops = loopsIn(loopScopes(blocks))): boolean[] {
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  const inMiddle = (k: number, from: number) => loops.some((l) => l.lo < k && k <= l.hi && (from < l.lo || from > l.hi));
  const enterable = blocks.map((_, k) => !inMiddle(k, -1));
  enterable[index.get(entry)!] = true;
  // A back edge that is not its loop's (the loop was left out where loops cross) goes through the dispatch too.
  const loopBack = (k: number, from: number) => loops.some((l) => l.lo === k && from <= l.hi);
  blocks.forEach((b, s) => {
    for (const p of successors(b)) {
      const k = index.get(p);
      if (k !== undefined && (inMiddle(k, s) || (k <= s && !loopBack(k, s)))) enterable[k] = true;
    }
    const last = b.insns[b.insns.length - 1];
    const after = index.get(b.start + last.off + last.len);
    if ((last.op === Op.JAL || last.op === Op.JALR) && last.rd !== 32 && after !== undefined) enterable[after] = true;
  });
  return enterable;
}

/** Every loop of a region's loopScopes, outer ones first. */
function loopsIn(root: Scope): Scope[] {
  const loops: Scope[] = [];
  const collect = (scope: Scope) => {
    for (const it of scope.items) if (typeof it !== 'number') loops.push(it), collect(it);
  };
  collect(root);
  return loops;
}

/** Blocks (by index in the region's order) and the loops among them, inner loops as items of their own. */
export interface Scope {
  lo: number;
  hi: number;
  items: (number | Scope)[];
}

/**
 * The loops of a region (blocks in the region's order: entryFirst): each block that some later block (or itself)
 * jumps back to heads a loop up to its last such block, unless that loop would cross (neither nest
 * in nor stay apart from) one kept before it: those back edges go through the dispatch. Loops are
 * kept in order of rank: those jumped back to before those only called back to (a recursive call),
 * then by the arrivals the interpreter counted at their header (RegionBlock.heat), then page order.
 */
export function loopScopes(blocks: RegionBlock[]): Scope {
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  /** Per header: its last back edge's block, and whether a back edge other than a call (callee) jumps to it. */
  const last = new Map<number, number>();
  const jumped = new Set<number>();
  blocks.forEach((b, s) => {
    const callee = calleeOf(b);
    for (const p of successors(b)) {
      const k = index.get(p);
      if (k === undefined || k > s) continue;
      last.set(k, Math.max(last.get(k) ?? s, s));
      if (p !== callee) jumped.add(k);
    }
  });
  // Where loops cross, the one kept is a loop that is jumped back to (a recursive call goes once per call, and
  // through the dispatch it costs one br_table), then the one whose header the interpreter reached the most.
  const rank = (h: number) => (jumped.has(h) ? 2 ** 31 : 0) + (blocks[h].heat ?? 0);
  const loops = new Map<number, number>();
  const kept: [number, number][] = [];
  for (const [h, l] of [...last].sort((p, q) => rank(q[0]) - rank(p[0]) || p[0] - q[0])) {
    if (kept.every(([kh, kl]) => kl < h || l < kh || (kh <= h && l <= kl) || (h <= kh && kl <= l))) {
      kept.push([h, l]);
      loops.set(h, l);
    }
  }
  const fill = (scope: Scope, k: number): Scope => {
    while (k <= scope.hi) {
      const l = loops.get(k);
      if (l === undefined) scope.items.push(k++);
      else {
        scope.items.push(fill({ lo: k, hi: l, items: [k] }, k + 1));
        k = l + 1;
      }
    }
    return scope;
  };
  return fill({ lo: 0, hi: blocks.length - 1, items: [] }, 0);
}

/** The page offset a block's final call (a JAL or a known JALR that links) goes to, else null. */
function calleeOf(b: RegionBlock): number | null {
  const last = b.insns[b.insns.length - 1];
  if (last.rd === 32) return null;
  if (last.op === Op.JAL) return b.start + last.off + last.imm;
  return last.op === Op.JALR ? callTarget(b) : null;
}

/** The host functions regions call through their imported table (hostTableFor), by slot: `written(ramOffset, size, inflight) -> attention`. */
const WRITTEN = 0;
const WRITTEN_PARAMS = 3;

/** rd = rs1 / rs2 (or %) with RISC-V's results for a zero divisor and overflow, where wasm traps. */
function divide(kit: JitKit, c: WasmCode, opcode: Op, a: () => void, b: () => void, rd: number): void {
  const op = kit.wasm.op;
  const signed = opcode === Op.DIV || opcode === Op.REM;
  const rem = opcode === Op.REM || opcode === Op.REMU;
  b();
  c.op(op.i32_eqz).if(false);
  if (rem) a();
  else c.i32(-1);
  c.set(rd).else();
  if (signed) {
    b();
    c.i32(-1).op(op.i32_eq).if(false);
    if (rem) c.i32(0);
    else {
      c.i32(0);
      a();
      c.op(op.i32_sub);
    }
    c.set(rd).else();
  }
  a();
  b();
  c.op(signed ? (rem ? op.i32_rem_s : op.i32_div_s) : rem ? op.i32_rem_u : op.i32_div_u).set(rd);
  if (signed) c.end();
  c.end();
}

/** The comparison of a conditional branch. */
function branchOp(kit: JitKit, branch: Op) {
  const op = kit.wasm.op;
  switch (branch) {
    case Op.BEQ:
      return op.i32_eq;
    case Op.BNE:
      return op.i32_ne;
    case Op.BLT:
      return op.i32_lt_s;
    case Op.BGE:
      return op.i32_ge_s;
    case Op.BLTU:
      return op.i32_lt_u;
    default:
      return op.i32_ge_u;
  }
}

