/**
 * aarch64 regions compiled to WebAssembly instead of JavaScript (jit.ts), for a core whose RAM is a
 * wasm memory: by default (index.ts declares `wasmRegions`, so that the builder gives the machine RAM
 * in a wasm memory under `jit`, unless bus.ts wasmRamWanted says no: a process started for huge
 * pages, RVOS_JIT_WASM=0). RVOS_JIT_WASM_A64=0 keeps aarch64 on the JavaScript regions alone (RAM
 * stays an ArrayBuffer). Same entry points (Block), same exit protocol (steps returned,
 * next pc in `cpu.npcLo`/`npcHi`), so execute.ts dispatch() and the code cache cannot tell them apart.
 *
 * The core's area in the wasm memory (AREA) holds its registers: `cpu.xl`/`cpu.xh` are views of it,
 * so nothing is copied per call; a region loads the registers it uses into i64 locals and stores
 * back the ones it writes. NZCV, the fast-access limit and the next pc pass through the area too.
 *
 * A region is the instructions this translator handles (wasmTranslatable: the integer ALU with the
 * bitfield moves, EXTR, RBIT/REV16/REV32/REV, CLZ/CLS and SMULH/UMULH (from 32-bit pieces: wasm has no
 * 64x64->128 product), branches, CSEL/CCMP, MUL/DIV, loads, stores and pairs; not ADC/SBC nor system, FP/SIMD,
 * exclusive or unprivileged accesses) reachable from the entry in its page, up to MAX_WASM_REGION
 * instructions, as jit.ts scanSegments finds them (a guest loop ending after its last branch back:
 * loopEnd; a recursive function's segments, or a function's and those of the functions it calls in
 * its page: its entry, callees, return sites and loop heads, each a Block that starts the function
 * at its basic block, and a BR/BLR/RET to one of them goes on inside), cut
 * into basic blocks under one `br_table` inside a `loop` (as arch-rv32's jit-wasm.ts): a jump
 * forward branches to the end of its block's label, a jump back goes through the dispatch unless a
 * wasm loop serves it (jit-wasm-layout.ts: a cycle that needs no dispatch inside), a block
 * looping on itself is a `loop` of its own. The dispatch starts only the entries and the blocks
 * jumped back to (dispatchedBlocks): a block every edge from it joined was a merge of every local
 * for TurboFan (the quicksort region's time in the steady state 195-228 -> 155-210 ms, 3 interleaved
 * processes, best of runs 2-5, loaded VM). Each block checks the
 * budget for its whole length first, adding it to the steps there (pending: exits before its end
 * take back what they did not run). Loads and stores take the fast path in RAM, aligned, and (stores)
 * to a page without flags, or flagged as code alone where the bytes' 64-byte lines hold no decoded
 * instruction (the core's code-line map, WasmRam.codeLines, that cpu.ts decodeAt marks: data beside code
 * stays in wasm, a store into code leaves for the interpreter, which drops the translations it overwrites)
 * (range and alignment in one compare: the RAM offset rotated right by the
 * alignment's shift against a bound per access shape, ((limit - bytes) >> shift) + 1): with the MMU
 * off at the address less the RAM base, with it on through the data TLB, whose entries live in the
 * area (tlb.ts: cpu.tlb's arrays are views of them; a hit needs the access's fast permission bit at
 * this EL, which the wrapper writes to the area per call; a pair must end in its page). With the MMU off, the
 * accesses of a basic block through one base value plus constants (jit-wasm-groups.ts: the fill's four STRB a word,
 * a frame's STP/LDP) are checked once for their whole span at the first, as one access of the span's size, which
 * leaves before itself when that fails; the others are bare accesses at the span's RAM offset plus a constant.
 * (Each member testing the group's result and falling back to its own checks kept both paths: TurboFan's code for
 * the fill region grew 33 -> 41 KB, no gain.) A region has one function per kind, made when first run in it
 * (compileWasmRegion), so that code run with the MMU off tests nothing more per access than before.
 * The wrapper function literal sits directly in compileWasmRegion, so that all regions' wrappers
 * share one feedback cell (made inside a per-region closure, likely each warmed up on its own: the
 * compute kernel's steady state measured 748-788 against 497-630 ms CPU, 3 rounds, loaded VM). Anything else leaves the region before the instruction
 * and the interpreter runs it (so no slow path, no fault and no host call happens in wasm code). NZCV is lazy: a condition after SUBS/ADDS/ANDS in its block compares the operands;
 * at a block's end it is computed only when a block it may go to reads it before setting it (flagsLiveIn,
 * a liveness pass over the region's blocks), else only the recorded kind is noted in a local (fk) and the
 * operands stay in fa/fb; every exit leaves through the epilogue, which computes NZCV from fk, so the
 * interpreter sees exact flags. (A SUBS; B.NE loop whose head sets the flags again no longer computes
 * NZCV per pass: in process best-of-3 CPU 361-483 vs 414-603 ms, medians 372 vs 434, 5 interleaved pairs.)
 * A block whose ways in all leave the same kind knows it statically (flagKindsIn, a forward pass), and
 * its predecessors need not note it in fk: one store per pass less in the quicksort scan loops (their
 * region's constant stores 15 -> 8), within noise in time.
 * The prologue passes each register's 64-bit value (and the bounds, pc's page) through a store and a
 * load in the area's scratch (`pinned`): built from the area's two words by pure operations, TurboFan
 * rebuilt it at every use inside a loop (it hoists nothing out of a loop that may be left first, and
 * every block may leave by its budget), both halves live across the loop. Rare paths (the budget's
 * exit, a TLB miss, an access off the fast path, a page with flags) carry branch hints. TurboFan's code
 * for the compute kernel's sieve loop (STRB; ADD; CMP; B.HI) went from 35 to 28 x86 instructions per
 * pass, for its quicksort scan loops (LDR post-index; ADD; CMP; B.LO) from 33 to about 18 (V8 now
 * unrolls them twice); steady state in process (best of 4 runs, 3 interleaved rounds, loaded VM)
 * 334/367/330 -> 277/316/319 ms CPU.
 *
 * Measured on the compute kernel (kernels/bench bench-a64.elf, same output; loaded 2-core VM, JavaScript
 * and wasm processes interleaved, 3 pairs, test/bench/a64-jit.ts 3 runs each): first run wall 1015-1256 ms
 * (JS) vs 646-891 ms (wasm), CPU 1459-1872 vs 953-1262 ms; steady state (best of runs 2-3) CPU 932-1063 vs
 * 732-750 ms. Built CLI (`RVOS_COMPILED=1 node bin/rvos.js run --board raspi3b --kernel
 * kernels/bench/build/bench-a64.elf --semihosting --headless`, wall incl. start): 1089-1367 vs 841-876 ms.
 *
 * Slice ends (session 31): a block that does not fit the budget left leaves before it, the interpreter runs the
 * slice's last instructions, and the next slice resumes there, interpreted up to a region's entry. Counted in the
 * compute kernel's first run (boot CPU, execute() calls of 2,000 steps or more: 1,320): 279 K instructions
 * interpreted in all, 22 K of them before slice ends and 45 K after (up to an entry: mostly quicksort's scan loops,
 * inside its region, and the rest of a pass of the long unrolled loops), about 10-15 ms of the run; the arm64 Linux
 * boot's boot CPU 22 K and 257 K of 19.5 M. An exact exit needs a second copy of each block (per-instruction
 * checks in the hot code cost more than that saves): generated with every region it would double the generation
 * (about 37 ms of the built CLI's compute run, 20 regions), as a module made when a region first meets a slice end
 * it costs about a millisecond each. Tried and dropped: the heads of loops inside a region as extra call points
 * (a `br_table` edge before the loop; for one inside a top-level span a test of blk at the span's head, as for its
 * side door): only heads entered with NZCV (not a statically known flag kind) qualify, which leaves out quicksort's
 * scan loops; interpreted 279.3 -> 277.5 K (compute) and 19.54 -> 19.48 M (Linux), two fewer regions made.
 *
 * Where the built CLI's compute run spends its main thread (session 34: `perf record -e cpu-clock` with
 * `node --perf-basic-prof`, which names each region's code, TurboFan or Liftoff, given a name section: one naming
 * the region by its entry's pc was appended to each module for the measurement, not kept; per-thread samples, so
 * the machine's load moves them less than wall or a V8 profile, whose samples of a thread taken off its core land
 * on whatever ran last). Compute run less the empty guest, one pair at load 4-13: about
 * 415 ms, of which the regions' TurboFan code ~210 ms, their Liftoff code 6-13 ms, the rest spread thin (kernel
 * time ~45 ms, mostly host page faults: 3,900 more minor faults than the empty guest, V8's heap and zone growth
 * rather than guest RAM; the interpreter ~10 ms; V8 builtins, ICs and GC a few ms each; region calls and their
 * wrappers ~1 ms). Quicksort's region alone is 130-140 ms (1,300-1,420 samples at 10 kHz in 9 runs): a third of
 * the kernel's cost, for 44 % of its instructions (per round 58 K calls, 279 K partition passes, 1.4 M scan passes,
 * ~10.4 M instructions). The same quicksort compiled natively (clang -O2, same data, thread CPU) takes 77-85 ms for
 * the 16 rounds: the region runs at about 1.7x native. Its samples (offsets in its TurboFan code): the two scan
 * loops ~40 %, the instructions just after their exits ~26 % (the data-dependent exit branches mispredict, as in
 * native code), partition and recursion (the dispatch's spills and reloads around BL/RET) the rest. The scan
 * loops are 13-14 x86 instructions a pass, unrolled twice: budget 3 and a spill of the steps, range/alignment 4,
 * the work 6. Tried and dropped: a block looping on itself counting its passes down in a local of its own (`left`
 * = max - steps at the loop's entry, steps set from it where control leaves the block), so that a pass writes no
 * steps: TurboFan no longer spilled the steps in the scan loops and the sieve's loop (which also kept its bound in
 * a register), but the block's exits gained the moves back; quicksort's region samples 1,302-1,414 vs 1,323-1,418
 * (3 interleaved pairs), host instructions of the compute run medians 3.753 vs 3.754 G (4 pairs; multi-block
 * loops only: 3.75-3.86 vs 3.81-3.83 G, 4 pairs): no gain. V8's --no-wasm-loop-peeling and --no-wasm-loop-unrolling:
 * quicksort's samples within the same range (2 pairs each). First run against later ones (three runs in one
 * process, built code, same perf samples split by run, load ~10): 538 vs 365/351 ms; the regions' TurboFan code the
 * same in all three (274/281/284 ms: the regions are TurboFan code from the start, their Liftoff code 6.7 ms in the
 * first run), the excess spread thin: V8 builtins (ICs, baseline handlers) +50 ms, other native code +100 ms (the
 * kernel's page faults, lazy parsing and baseline compiles, malloc), the interpreter +9, translation +5, module
 * compiles and instances +7, GC +2: cold JavaScript, no lever in the regions.
 */
import type { JitKit, WasmArea, WasmRam } from '../../../src/core/api.js';
import type { A64Cpu } from './cpu.js';
import { FlagKind, type BlockFn, Block, type Insn, isBranch, scanSegments } from './jit.js';
import { LS_UNPRIV } from './decode.js';
import { Op, REG_COUNT, REG_SINK, REG_ZR } from './execute.js';
import { SlotMarks } from './slot-marks.js';
import { TLB_MASK, TLB_SIZE, TLB_WORDS } from './tlb.js';
import { type LoopSpans, loopSpans, spanParents } from './jit-wasm-layout.js';
import { type AccessGroup, type GroupedAccess, accessGroups } from './jit-wasm-groups.js';

/** Whether aarch64 regions compile to wasm (read when a machine is built): yes unless RVOS_JIT_WASM_A64=0. */
export function a64WasmWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.RVOS_JIT_WASM_A64 !== '0';
}

/**
 * Largest wasm region, in instructions (jit.ts MAX_BLOCK, 128, bounds the JavaScript regions, whose
 * source V8 would not optimize past a size; a wasm function has no such limit). The compute kernel's
 * unrolled loops (CRC: 163 instructions, the random fill: 353) are one region each instead of two
 * and three, entered once per loop instead of once per pass and piece. In process (measured with the
 * compile-work wait off: 29 -> 25 regions), 5 interleaved pairs at load ~5: steady state (best of 3)
 * median 328 -> 304 ms CPU (lower in 4 pairs), first run 615 -> 597 ms.
 */
export const MAX_WASM_REGION = 384;

/** The core's page-flag bit of a page holding decoded code (api.ts PAGE_CODE: plugins import no core values). */
export const PAGE_CODE = 1;
/** RAM bytes per byte of the core's code-line map, as a shift (api.ts CODE_LINE_SHIFT). */
export const CODE_LINE_SHIFT = 6;

/** Byte offsets in the core's area. */
export const AREA = {
  /** Low words of X0-X30, XZR, SP, the sink (cpu.xl). */
  xl: 0,
  /** High words (cpu.xh). */
  xh: REG_COUNT * 4,
  nzcv: REG_COUNT * 8,
  /** RAM bytes the fast path may touch (cpu.ramFastLimit: 0 while watching). */
  limit: REG_COUNT * 8 + 4,
  npcLo: REG_COUNT * 8 + 8,
  npcHi: REG_COUNT * 8 + 12,
  /** The TLB's fast permission bit of a read and of a write at this EL (tlb.ts; written per call with the MMU on). */
  fastRead: REG_COUNT * 8 + 16,
  fastWrite: REG_COUNT * 8 + 20,
  /** 8-byte slots a region's prologue passes values through (generateWasmRegion `pinned`): registers, pc's page, bounds. */
  scratch: 512,
  /** The data TLB's entries (cpu.tlb's arrays are views of them: tlb.ts TLB_WORDS). */
  tlb: 1024,
  size: 1024 + TLB_WORDS * 4,
} as const;

/** Where a CPU's wasm state lives (its area of the wasm memory: WasmRam.claim). */
export type WasmCore = WasmArea;

/** Takes the next free CPU area of the wasm memory (null when none is left). */
export function claimWasmArea(ram: WasmRam): WasmCore | null {
  return ram.claim(AREA.size);
}

/** Ops (with their form) this translator handles; any other ends a region before it. */
export function wasmTranslatable(op: Op, c: number): boolean {
  switch (op) {
    case Op.ADDI:
    case Op.ADDSI:
    case Op.ANDI:
    case Op.ORRI:
    case Op.EORI:
    case Op.ANDSI:
    case Op.MOVI:
    case Op.MOVK:
    case Op.ADR:
    case Op.ADRP:
    case Op.SHIFTI:
    case Op.MOVR:
    case Op.ADDSUB_SH:
    case Op.ADDSUB_EXT:
    case Op.LOGIC_SH:
    case Op.CSEL:
    case Op.CCMP:
    case Op.NOP:
    case Op.LDP:
    case Op.STP:
      return true;
    case Op.BFM:
    case Op.EXTR:
      return true;
    case Op.DP1:
      return c <= 5; // RBIT, REV16, REV32 (REV of a W), REV, CLZ, CLS
    case Op.DP2:
      return c === 2 || c === 3 || (c >= 8 && c <= 11);
    case Op.DP3:
      return c <= 4 || (c >= 10 && c <= 12);
    case Op.LOAD:
    case Op.STORE:
      return (c & LS_UNPRIV) === 0;
    default:
      return op >= Op.B && op <= Op.RET;
  }
}

/**
 * The region at slot `idx` for this translator: its segments (jit.ts scanSegments with
 * wasmTranslatable: one, or several where it calls into its page); empty when it cannot start there.
 */
export function scanWasmRegion(cpu: A64Cpu, code: Int32Array, idx: number, max: number): Insn[][] {
  return scanSegments(cpu, code, idx, max, wasmTranslatable, true);
}

type RunFn = (pcLo: number, pcHi: number, maxSteps: number, blk0: number) => number;

/**
 * A scanned region (its segments) as one Block per segment entry, the region's entry first, each
 * starting the function at its entry's basic block: one wasm function per translation regime kind, made when
 * first run in it (with the MMU off, accesses at the address less the RAM base; on, through the
 * TLB), so that neither kind pays for the other's test at every access. A region `crossing` into
 * the next page (cross-page.ts) has no kind for the MMU on: there it leaves before its first
 * instruction, after the CPU dropped it (cpu.ts crossingUnderMmu).
 */
export function compileWasmRegion(cpu: A64Cpu, kit: JitKit, core: WasmCore, segments: Insn[][], crossing = false): Block[] {
  // Segments may share code (a forward branch of two to one place): one copy of each instruction.
  const insns = [...new Map(segments.flat().map((i) => [i.off, i])).values()].sort((x, y) => x.off - y.off);
  const entries = segments.map((sg) => sg[0].off);
  const make = (mmuOn: boolean): RunFn => {
    const module = kit.wasm.compile(generateWasmRegion(kit, core, cpu.ramBase, insns, mmuOn, entries));
    return kit.wasm.instanceFor(module, cpu, () => new WebAssembly.Instance(module, { env: { mem: core.memory } }).exports.run as RunFn);
  };
  let runOff: RunFn | null = null;
  let runOn: RunFn | null = null;
  const a = core.area32;
  const tlb = cpu.tlb;
  // Named so that profiles and tests tell it from a JavaScript region (region_...).
  const wasmRegion: BlockFn = (pcLo, pcHi, _n0, maxSteps, blk0) => {
    a[NZCV] = cpu.nzcv;
    a[LIMIT] = cpu.ramFastLimit;
    let run: RunFn;
    if (cpu.mmuOff) run = runOff ??= make(false);
    else if (crossing) return cpu.crossingUnderMmu(pcLo, pcHi);
    else {
      a[FAST_READ] = tlb.fastRead;
      a[FAST_WRITE] = tlb.fastWrite;
      run = runOn ??= make(true);
    }
    const steps = run(pcLo, pcHi, maxSteps, blk0);
    cpu.nzcv = a[NZCV];
    cpu.npcLo = a[NPC_LO];
    cpu.npcHi = a[NPC_HI];
    return steps;
  };
  // Each basic block checks the budget for itself: a call needs only its first block's length (execute.ts
  // dispatch() calls a Block when `len` fits the budget left; the segment's length kept a slice's last
  // instructions before the region in the interpreter, up to a pass through it: 1643 times in the arm64
  // Linux boot's boot CPU, 359 now).
  const blocks = basicBlocks(insns, entries);
  const starts = blocks.map((b) => b.start);
  return segments.map((sg) => {
    const j = starts.indexOf(sg[0].off);
    return new Block(wasmRegion, blocks[j].insns.length, j);
  });
}

// Int32 indexes of the area's words the wrapper passes.
const NZCV = AREA.nzcv >> 2;
const LIMIT = AREA.limit >> 2;
const NPC_LO = AREA.npcLo >> 2;
const NPC_HI = AREA.npcHi >> 2;
const FAST_READ = AREA.fastRead >> 2;
const FAST_WRITE = AREA.fastWrite >> 2;

// Parameters of `run`.
const PC_LO = 0;
const PC_HI = 1;
const MAX_STEPS = 2;
const BLK0 = 3;

/** A basic block of a region: its instructions (contiguous) and its number. */
export interface BasicBlock {
  start: number;
  insns: Insn[];
}

/** Splits a region (page order) into basic blocks: at its entries, branch targets inside it, after branches and gaps. */
export function basicBlocks(insns: Insn[], entries: number[] = [insns[0].off]): BasicBlock[] {
  const offs = BLOCK_OFFS;
  const leaders = BLOCK_LEADERS;
  offs.clear();
  leaders.clear();
  for (let n = 0; n < insns.length; n++) offs.add(insns[n].off);
  leaders.add(insns[0].off);
  for (let n = 0; n < entries.length; n++) leaders.add(entries[n]);
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n];
    if (i.op >= Op.B && i.op <= Op.TBNZ && offs.has(i.off + i.a)) leaders.add(i.off + i.a);
  }
  const out: BasicBlock[] = [];
  let cur: BasicBlock | null = null;
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n];
    if (cur === null || leaders.has(i.off) || cur.insns[cur.insns.length - 1].off + 4 !== i.off) {
      cur = { start: i.off, insns: [] };
      out.push(cur);
    }
    cur.insns.push(i);
    if (isBranch(i.op)) cur = null;
  }
  return out;
}

/** basicBlocks' sets (the region's offsets, its blocks' starts), reused. */
const BLOCK_OFFS = new SlotMarks();
const BLOCK_LEADERS = new SlotMarks();

/** Whether an instruction reads NZCV (B.cond, CSEL and its kinds, CCMP) / sets all of it (CCMP too). */
function readsFlags(i: Insn): boolean {
  return i.op === Op.BCOND || i.op === Op.CSEL || i.op === Op.CCMP;
}
function setsFlags(i: Insn): boolean {
  switch (i.op) {
    case Op.ADDSI:
    case Op.ANDSI:
    case Op.CCMP:
      return true;
    case Op.ADDSUB_SH:
    case Op.ADDSUB_EXT:
      return (i.c & 0x200) !== 0;
    case Op.LOGIC_SH:
      return ((i.c >>> 8) & 3) === 3;
    default:
      return false;
  }
}

/** The kind a flag-setting instruction records (setsFlags; CCMP: NZCV itself). */
function kindSet(i: Insn): FlagKind {
  switch (i.op) {
    case Op.ADDSI:
      return i.c === 1 ? (i.sf ? FlagKind.SUB64 : FlagKind.SUB32) : i.sf ? FlagKind.ADD64 : FlagKind.ADD32;
    case Op.ADDSUB_SH:
    case Op.ADDSUB_EXT:
      return (i.c & 0x100) !== 0 ? (i.sf ? FlagKind.SUB64 : FlagKind.SUB32) : i.sf ? FlagKind.ADD64 : FlagKind.ADD32;
    case Op.ANDSI:
    case Op.LOGIC_SH:
      return i.sf ? FlagKind.LOGIC64 : FlagKind.LOGIC32;
    default:
      return FlagKind.NZCV;
  }
}

/** A kind only known at run time (in the local fk): the blocks before disagree. */
const DYN = -1;
type KnownKind = FlagKind | typeof DYN;

/** Whether condition `cc` tests the recorded operands of kind `k` directly (else NZCV is computed first: cond()). */
function directCond(k: KnownKind, cc: number): boolean {
  const c3 = cc >>> 1;
  if (c3 === 7 || k === FlagKind.LOGIC32 || k === FlagKind.LOGIC64) return true;
  return (k === FlagKind.SUB32 || k === FlagKind.SUB64) && c3 !== 2 && c3 !== 3;
}

/** The blocks control may go to from each block's end inside the region (indexes). */
function successors(blocks: BasicBlock[]): number[][] {
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  return blocks.map((b) => {
    const last = b.insns[b.insns.length - 1];
    const to: number[] = [];
    if (!isBranch(last.op)) to.push(last.off + 4);
    else if (last.op === Op.B || last.op === Op.BL) to.push(last.off + last.a);
    else if (last.op >= Op.BCOND && last.op <= Op.TBNZ) to.push(last.off + last.a, last.off + 4);
    return to.map((p) => index.get(p)).filter((j): j is number => j !== undefined);
  });
}

/**
 * Per basic block: whether the dispatch at the region's top (the br_table on the block number) may
 * start it: a region's or segment's entry, or a block jumped back to from a later one (a jump back
 * other than a block's loop on itself or a wasm loop's, jit-wasm-layout.ts, goes through the dispatch). The other blocks, reached only by
 * falling through or branching forward, get no edge from it, so TurboFan merges no dispatch into
 * them (every local a phi there, values moved and spilled at each).
 */
export function dispatchedBlocks(blocks: BasicBlock[], entries: number[], succ = successors(blocks), spans: LoopSpans = loopSpans(blocks, entries, succ)): boolean[] {
  const out = blocks.map((b) => entries.includes(b.start));
  succ.forEach((to, i) => {
    for (const j of to) if (j < i && i > spans.end[j]) out[j] = true;
  });
  return out;
}

/** The kind known at the end of block `b` (before leaving it) that starts with kind `k`. */
function kindAtEnd(b: BasicBlock, k: KnownKind): KnownKind {
  for (let n = 0; n < b.insns.length; n++) {
    const i = b.insns[n];
    if (readsFlags(i) && !directCond(k, i.c & 15)) k = FlagKind.NZCV;
    if (setsFlags(i)) k = kindSet(i);
  }
  return k;
}

/**
 * Per basic block: the flag kind known when it starts (static: every way in leaves that kind, the
 * operands in fa/fb; DYN: the kind in fk), as generateWasmRegion's blocks leave them: an entry
 * starts with NZCV, a block ends with the kind of its last flag setter (NZCV after CCMP, a
 * condition not tested directly, or materialized for a block that reads it: liveOut). A block
 * whose successors all know the kind need not note it in fk (a store per pass in a loop).
 */
export function flagKindsIn(blocks: BasicBlock[], entries: number[], liveOut: boolean[], succ = successors(blocks)): KnownKind[] {
  const TOP = -2;
  const kin: number[] = blocks.map((b) => (entries.includes(b.start) ? FlagKind.NZCV : TOP));
  const meet = (x: number, y: number) => (x === TOP ? y : x === y ? x : DYN);
  for (let changed = true; changed; ) {
    changed = false;
    blocks.forEach((b, j) => {
      if (kin[j] === TOP) return;
      const k = liveOut[j] ? FlagKind.NZCV : kindAtEnd(b, kin[j]);
      for (const t of succ[j]) {
        const m = meet(kin[t], k);
        if (m !== kin[t]) {
          kin[t] = m;
          changed = true;
        }
      }
    });
  }
  // Blocks not reached from an entry inside the region (none, as scanned) start unknown.
  return kin.map((k) => (k === TOP ? DYN : k));
}

/**
 * Per basic block: whether NZCV is live on entry, i.e. read inside the region before it is set
 * again on some path from there (exits do not count: they materialize the recorded kind in the
 * epilogue). BR/BLR/RET back to a segment's entry counts as reading (such blocks always materialize).
 */
export function flagsLiveIn(blocks: BasicBlock[], entries: number[], succ = successors(blocks)): { liveIn: boolean[]; liveOut: boolean[] } {
  const first = blocks.map((b) => {
    for (const i of b.insns) {
      if (readsFlags(i)) return 'read';
      if (setsFlags(i)) return 'set';
    }
    const last = b.insns[b.insns.length - 1];
    return entries.length > 1 && (last.op === Op.BR || last.op === Op.BLR || last.op === Op.RET) ? 'read' : 'through';
  });
  const live = first.map((x) => x === 'read');
  for (let changed = true; changed; ) {
    changed = false;
    for (let j = blocks.length - 1; j >= 0; j--) {
      if (live[j] || first[j] !== 'through' || !succ[j].some((k) => live[k])) continue;
      live[j] = changed = true;
    }
  }
  return { liveIn: live, liveOut: succ.map((to) => to.some((k) => live[k])) };
}

/** The bytes of a region's module (tests and compileWasmRegion). */
export function generateWasmRegion(kit: JitKit, core: Pick<WasmCore, 'area' | 'flags' | 'codeLines'>, ramBase: number, insns: Insn[], mmuOn = false, entries: number[] = [insns[0].off]): Uint8Array {
  const { op, I32, I64 } = kit.wasm;
  const c = kit.wasm.code([I32, I32, I32, I32], [I32]);
  const blocks = basicBlocks(insns, entries);
  const index = new Map(blocks.map((b, j) => [b.start, j]));
  const multi = blocks.length > 1;
  const area = core.area;

  const reg: number[] = [];
  const written = new Set<number>();
  const R = (n: number) => {
    if (reg[n] === undefined) reg[n] = c.local(I64);
    return reg[n];
  };
  /** The basic block to run next (the br_table's operand), from the entry's: a parameter. */
  const blk = BLK0;
  const steps = c.local(I32);
  const ret = c.local(I32);
  const npc = c.local(I64);
  const pg = c.local(I64);
  const f = c.local(I32);
  /** The kind recorded in fa/fb across block ends and at exits (0, NZCV: f holds them; the epilogue computes f). */
  const fk = c.local(I32);
  const fa = c.local(I64);
  const fb = c.local(I64);
  const t64 = c.local(I64);
  const u64 = c.local(I64);
  const t32 = c.local(I32);
  /** A branch's or CSEL's condition (emitNzcv uses t32, u32, w). */
  const test = c.local(I32);
  const u32 = c.local(I32);
  const o = c.local(I64);
  const w = c.local(I32);
  /** Per access shape (bytes << 3 | alignment shift): the local holding its bound (fastOffset). */
  const bounds = new Map<number, number>();
  const bound = (bytes: number, shift: number) => {
    const key = (bytes << 3) | shift;
    let l = bounds.get(key);
    if (l === undefined) bounds.set(key, (l = c.local(I64)));
    return l;
  };

  /** LDP's second value, a non-flag-setting ADD/SUB's operand. */
  const p2 = c.local(I64);
  // The prologue is spliced in before the body at the end: the registers used are known only then.
  const bodyAt = c.size;

  /** Pushes register n's i64 value. */
  const r = (n: number) => (n === REG_ZR ? c.i64(0) : c.get(R(n)));
  /** Pops an i64 into register n (nothing kept for the sink). */
  const setReg = (n: number) => {
    if (n === REG_SINK || n === REG_ZR) return void c.op(op.drop);
    written.add(n);
    c.set(R(n));
  };
  const zext32 = () => c.op(op.i32_wrap_i64).op(op.i64_extend_i32_u);
  const k64 = (v: bigint) => c.i64w(Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
  const imm = (lo: number, hi: number) => c.i64w(lo, hi);

  // Lazy flags: `known` is the kind recorded in fa/fb (NZCV: f holds them, and fk is 0), or DYN:
  // the kind is fk's at run time (a block whose predecessors need not compute NZCV: flagsLiveIn,
  // and leave different kinds: flagKindsIn).
  const succ = successors(blocks);
  const live = flagsLiveIn(blocks, entries, succ);
  const kindsIn = flagKindsIn(blocks, entries, live.liveOut, succ);
  let known: KnownKind = FlagKind.NZCV;
  /** Computes f from the recorded kind (code only; the generator's state is the caller's). */
  const emitNzcv = (k: FlagKind) => {
    if (k === FlagKind.NZCV) return;
    const wide = k >= FlagKind.ADD64;
    const bool4 = (n: () => void, z: () => void, cf: (() => void) | null, v: (() => void) | null) => {
      n();
      c.i32(31).op(op.i32_shl);
      z();
      c.i32(30).op(op.i32_shl).op(op.i32_or);
      if (cf) {
        cf();
        c.i32(29).op(op.i32_shl).op(op.i32_or);
      }
      if (v) {
        v();
        c.i32(28).op(op.i32_shl).op(op.i32_or);
      }
      c.set(f);
    };
    if (wide) {
      if (k === FlagKind.LOGIC64) return bool4(() => c.get(fa).i64(0).op(op.i64_lt_s), () => c.get(fa).op(op.i64_eqz), null, null);
      const sub = k === FlagKind.SUB64;
      c.get(fa).get(fb).op(sub ? op.i64_sub : op.i64_add).set(t64);
      return bool4(
        () => c.get(t64).i64(0).op(op.i64_lt_s),
        () => c.get(t64).op(op.i64_eqz),
        () => (sub ? c.get(fa).get(fb).op(op.i64_ge_u) : c.get(t64).get(fa).op(op.i64_lt_u)),
        () => {
          c.get(fa).get(fb).op(op.i64_xor);
          if (!sub) c.i64(-1).op(op.i64_xor);
          c.get(fa).get(t64).op(op.i64_xor).op(op.i64_and).i64(0).op(op.i64_lt_s);
        },
      );
    }
    c.get(fa).op(op.i32_wrap_i64).set(t32);
    if (k === FlagKind.LOGIC32) return bool4(() => c.get(t32).i32(0).op(op.i32_lt_s), () => c.get(t32).op(op.i32_eqz), null, null);
    const sub = k === FlagKind.SUB32;
    c.get(fb).op(op.i32_wrap_i64).set(u32);
    c.get(t32).get(u32).op(sub ? op.i32_sub : op.i32_add).set(w);
    return bool4(
      () => c.get(w).i32(0).op(op.i32_lt_s),
      () => c.get(w).op(op.i32_eqz),
      () => (sub ? c.get(t32).get(u32).op(op.i32_ge_u) : c.get(w).get(t32).op(op.i32_lt_u)),
      () => {
        c.get(t32).get(u32).op(op.i32_xor);
        if (!sub) c.i32(-1).op(op.i32_xor);
        c.get(t32).get(w).op(op.i32_xor).op(op.i32_and).i32(0).op(op.i32_lt_s);
      },
    );
  };
  /** Computes f from the kind in fk (a run-time choice: the epilogue, and a reader of DYN flags). */
  const emitDynamic = () => {
    c.get(fk).if();
    for (const k of [FlagKind.ADD32, FlagKind.SUB32, FlagKind.LOGIC32, FlagKind.ADD64, FlagKind.SUB64, FlagKind.LOGIC64]) {
      c.get(fk).i32(k).op(op.i32_eq).if();
      emitNzcv(k);
      c.end();
    }
    c.i32(0).set(fk);
    c.end();
  };
  const materialize = () => {
    if (known === DYN) emitDynamic();
    else if (known !== FlagKind.NZCV) {
      emitNzcv(known);
      c.i32(0).set(fk);
    }
    known = FlagKind.NZCV;
  };
  /**
   * At a block's end: NZCV computed when a block it may go to reads it, else the kind noted in fk
   * for a block that goes on with the kind in fk (one that knows it statically does not read fk).
   */
  const leaveBlock = () => {
    if (live.liveOut[current]) return materialize();
    // flagKindsIn must have foreseen this block's kind (its successors' rely on it).
    if (known !== kindAtEnd(blocks[current], kindsIn[current])) throw new Error('aarch64 wasm jit: flag kinds out of step');
    if (known !== DYN && known !== FlagKind.NZCV && succ[current].some((t) => kindsIn[t] === DYN)) c.i32(known).set(fk);
  };
  /** Records a flag-setting result: the operands on the stack were set into fa, fb by the caller. */
  const flagBit = (bit: number) => c.get(f).i32(bit).op(op.i32_shr_u).i32(1).op(op.i32_and);
  /** Pushes ConditionHolds(cond) as an i32 0/1. */
  const cond = (cc: number) => {
    const c3 = cc >>> 1;
    if (c3 === 7) return void c.i32(1);
    let direct = false;
    if (known === FlagKind.SUB32 || known === FlagKind.SUB64) {
      const wide = known === FlagKind.SUB64;
      const A = () => (wide ? c.get(fa) : c.get(fa).op(op.i32_wrap_i64));
      const B = () => (wide ? c.get(fb) : c.get(fb).op(op.i32_wrap_i64));
      const o2 = wide
        ? [op.i64_eq, op.i64_ge_u, 0, 0, op.i64_gt_u, op.i64_ge_s, op.i64_gt_s][c3]
        : [op.i32_eq, op.i32_ge_u, 0, 0, op.i32_gt_u, op.i32_ge_s, op.i32_gt_s][c3];
      if (o2 !== 0) {
        A();
        B();
        c.op(o2 as typeof op.i32_eq);
        direct = true;
      }
    } else if (known === FlagKind.LOGIC32 || known === FlagKind.LOGIC64) {
      const wide = known === FlagKind.LOGIC64;
      const A = () => (wide ? c.get(fa) : c.get(fa).op(op.i32_wrap_i64));
      const zero = () => (wide ? c.i64(0) : c.i32(0));
      direct = true;
      switch (c3) {
        case 0:
          A();
          c.op(wide ? op.i64_eqz : op.i32_eqz);
          break;
        case 2:
          A();
          zero();
          c.op(wide ? op.i64_lt_s : op.i32_lt_s);
          break;
        case 5:
          A();
          zero();
          c.op(wide ? op.i64_ge_s : op.i32_ge_s);
          break;
        case 6:
          A();
          zero();
          c.op(wide ? op.i64_gt_s : op.i32_gt_s);
          break;
        default:
          c.i32(0); // C and V are clear
      }
    }
    if (!direct) {
      materialize();
      const N = 31;
      const Z = 30;
      const C = 29;
      const V = 28;
      switch (c3) {
        case 0:
          flagBit(Z);
          break;
        case 1:
          flagBit(C);
          break;
        case 2:
          flagBit(N);
          break;
        case 3:
          flagBit(V);
          break;
        case 4:
          flagBit(C);
          flagBit(Z).i32(1).op(op.i32_xor).op(op.i32_and);
          break;
        case 5:
          flagBit(N);
          flagBit(V).op(op.i32_eq);
          break;
        default:
          flagBit(N);
          flagBit(V).op(op.i32_eq);
          flagBit(Z).i32(1).op(op.i32_xor).op(op.i32_and);
      }
    }
    if ((cc & 1) !== 0) c.op(op.i32_eqz);
  };

  const exitL = c.block();
  const runL = c.loop();
  const spans = loopSpans(blocks, entries, succ);
  const spanEnd = spans.end;
  const parent = spanParents(spanEnd);
  /** Per block: the head of the span it is the side door of, or -1 (the dispatch starts a door at its head). */
  const doorHead = blocks.map((_, j) => spans.door.indexOf(j));
  /** Per block: the label its code starts after (opened here, or inside the wasm loop it is in: parent). */
  const blockL: number[] = [];
  const openLabels = (head: number) => {
    for (let j = blocks.length - 1; j > head; j--) if (parent[j] === head) blockL[j] = c.block();
  };
  openLabels(-1);
  const dispatched = dispatchedBlocks(blocks, entries, succ, spans);
  // A block the dispatch never starts (dispatchedBlocks) gets no edge from it: a trap if it did.
  const bad = dispatched.every(Boolean) ? -1 : c.block();
  c.get(blk).brTable(blocks.map((_, j) => (!dispatched[j] ? bad : blockL[doorHead[j] >= 0 ? doorHead[j] : j])), exitL);
  if (bad >= 0) c.end().op(op.unreachable);

  /** Leaves with the next pc at page offset `to` (or already in `npc`: null) and `done` steps of the block not counted. */
  const exit = (to: number | null, done: number) => {
    // The epilogue computes NZCV from the kind in fk.
    if (known !== DYN && known !== FlagKind.NZCV) c.i32(known).set(fk);
    if (to !== null) c.get(pg).i64(to).op(op.i64_add).set(npc);
    c.i32(done - pending).set(ret).br(exitL);
  };
  /**
   * Steps of the current block already in `steps` that an exit before its end has not done: a block
   * counts its whole length where it checks the budget (a local less live across its code than the
   * sum it compared, which TurboFan kept and spilled in the quicksort's scan loops), 0 from its final
   * jump on (countBlock).
   */
  let pending = 0;
  const countBlock = () => void (pending = 0);
  let current = 0;
  let selfL = -1;
  /** Per instruction of the current block: its access group's member, or null. */
  let members: Array<GroupedAccess | null> = [];
  /** Per access group of the current block: the local holding its span's RAM offset, once checked. */
  const groupAt = new Map<AccessGroup, number>();
  /** Locals of earlier blocks' groups, free again. */
  const spareAt: number[] = [];
  /** Per block heading a wasm loop open here: its label. */
  const spanL = new Map<number, number>();
  /** Control goes to page offset `p` (steps counted, flags in f); `tail`: nothing follows. */
  const goto = (p: number, tail = false) => {
    const j = index.get(p);
    if (j === undefined) return exit(p, 0);
    if (j === current && selfL >= 0) return void c.br(selfL);
    if (tail && j === current + 1) return;
    const h = doorHead[j];
    // Into a side door from outside its span or back: through its head's loop, which tests blk.
    if (h >= 0 && !(j > current && current >= h && current <= spanEnd[h])) {
      c.i32(j).set(blk);
      if (spanL.has(h)) return void c.br(spanL.get(h)!);
      if (h > current) return void c.br(blockL[h]);
      return void c.br(runL);
    }
    if (j > current) return void c.br(blockL[j]);
    const loopL = spanL.get(j);
    if (loopL !== undefined) return void c.br(loopL);
    c.i32(j).set(blk).br(runL);
  };

  blocks.forEach((b, j) => {
    current = j;
    c.end(); // blockL[j]
    if (spanEnd[j] >= 0) {
      spanL.set(j, c.loop());
      openLabels(j);
      const d = spans.door[j];
      if (d >= 0) {
        // Entered for its side door: on there, and blk no longer names it (the next pass is the head's).
        c.get(blk).i32(d).op(op.i32_eq).if(false);
        c.i32(j).set(blk).br(blockL[d]);
        c.end();
      }
    }
    known = kindsIn[j];
    const len = b.insns.length;
    selfL = multi && b.insns.some((i) => i.op >= Op.B && i.op <= Op.TBNZ && i.off + i.a === b.start) ? c.loop() : -1;
    pending = len;
    c.get(steps).i32(len).op(op.i32_add).tee(steps).get(MAX_STEPS).op(op.i32_gt_s).if(false);
    exit(b.start, 0);
    c.end();
    // This block's access groups (jit-wasm-groups.ts: with the MMU off); the locals of the last block's are free again.
    for (const l of groupAt.values()) spareAt.push(l);
    groupAt.clear();
    members = mmuOn ? b.insns.map(() => null) : accessGroups(b.insns);
    b.insns.forEach((ins, k) => emit(ins, k, len));
    const last = b.insns[len - 1];
    if (!isBranch(last.op)) {
      countBlock();
      leaveBlock();
      goto(last.off + 4, true);
    }
    if (selfL >= 0) c.end();
    // The wasm loops ending here, inner first (their heads later in the page).
    for (const h of [...spanL.keys()].sort((x, y) => y - x)) {
      if (spanEnd[h] !== j) continue;
      c.end();
      spanL.delete(h);
    }
  });
  c.end(); // runL
  c.end(); // exitL

  /** ShiftReg of register `rm` (type, amount), as an i64 (sf 0: the 32-bit result zero-extended). */
  function shifted(rm: number, type: number, amount: number, sf: number): void {
    r(rm);
    if (sf === 0) {
      if (amount === 0) return void zext32();
      c.op(op.i32_wrap_i64).i32(amount).op([op.i32_shl, op.i32_shr_u, op.i32_shr_s, op.i32_rotr][type]).op(op.i64_extend_i32_u);
      return;
    }
    if (amount !== 0) c.i64(amount).op([op.i64_shl, op.i64_shr_u, op.i64_shr_s, op.i64_rotr][type]);
  }

  /** ExtendReg of register `rm` (option, shift 0-4). */
  function extended(rm: number, option: number, shift: number): void {
    r(rm);
    const bits = [56, 48, 32, 0][option & 3];
    if (option < 4) {
      if (bits !== 0) k64((1n << BigInt(64 - bits)) - 1n).op(op.i64_and);
    } else if (bits !== 0) c.i64(bits).op(op.i64_shl).i64(bits).op(op.i64_shr_s);
    if (shift !== 0) c.i64(shift).op(op.i64_shl);
  }

  /** The bits of a field `width` wide from bit 0, as an i64 constant. */
  function ones(width: number): void {
    k64((1n << BigInt(width)) - 1n);
  }

  /**
   * SBFM (opc 0), BFM (1), UBFM (2) with immr, imms (dataproc.ts bitfield): the field imms:immr to
   * the bottom when imms >= immr, else bits imms:0 to bit datasize - immr; SBFM extends its top bit,
   * BFM keeps the destination's other bits.
   */
  function bitfield(rd: number, rn: number, immr: number, imms: number, opc: number, sf: number): void {
    if (rd === REG_SINK) return;
    const datasize = sf ? 64 : 32;
    const width = imms >= immr ? imms - immr + 1 : imms + 1;
    const pos = imms >= immr ? 0 : datasize - immr;
    const top = pos + width;
    r(rn);
    if (sf === 0) zext32();
    if (imms >= immr) {
      if (immr !== 0) c.i64(immr).op(op.i64_shr_u);
      if (width < 64) ones(width), c.op(op.i64_and);
    } else {
      ones(width);
      c.op(op.i64_and).i64(pos).op(op.i64_shl);
    }
    if (opc === 0 && top < 64) c.i64(64 - top).op(op.i64_shl).i64(64 - top).op(op.i64_shr_s);
    else if (opc === 1) {
      r(rd);
      k64(~(((1n << BigInt(width)) - 1n) << BigInt(pos)));
      c.op(op.i64_and).op(op.i64_or);
    }
    if (sf === 0) zext32();
    setReg(rd);
  }

  /** The high 64 bits of the 128-bit product of rn and rm (SMULH, UMULH), from 32-bit pieces. */
  function mulHigh(rn: number, rm: number, signed: boolean): void {
    const lo = (x: number) => c.get(x).i64w(-1, 0).op(op.i64_and);
    const hi = (x: number) => c.get(x).i64(32).op(op.i64_shr_u);
    r(rn).set(t64);
    r(rm).set(u64);
    // mid = (nl * ml >> 32) + lo(nl * mh) + lo(nh * ml) < 3 * 2^32; p2 = nl * mh, o = nh * ml.
    lo(t64);
    hi(u64);
    c.op(op.i64_mul).set(p2);
    hi(t64);
    lo(u64);
    c.op(op.i64_mul).set(o);
    lo(t64);
    lo(u64);
    c.op(op.i64_mul).i64(32).op(op.i64_shr_u);
    lo(p2);
    c.op(op.i64_add);
    lo(o);
    c.op(op.i64_add).i64(32).op(op.i64_shr_u);
    hi(t64);
    hi(u64);
    c.op(op.i64_mul).op(op.i64_add);
    hi(p2);
    c.op(op.i64_add);
    hi(o);
    c.op(op.i64_add);
    if (signed) {
      // signed(n) * signed(m) = unsigned product - 2^64 * ((n < 0 ? m : 0) + (m < 0 ? n : 0)).
      c.get(u64).i64(0).get(t64).i64(0).op(op.i64_lt_s).op(op.select).op(op.i64_sub);
      c.get(t64).i64(0).get(u64).i64(0).op(op.i64_lt_s).op(op.select).op(op.i64_sub);
    }
  }

  /** (n) + or - (the i64 on the stack) into rd, flags recorded when `setf`. */
  function addSub(rn: number, rd: number, sub: boolean, setf: boolean, sf: number): void {
    // Without flags, fa/fb keep the flags recorded before (lazy NZCV).
    const m = setf ? fb : p2;
    c.set(m);
    if (setf) {
      r(rn).set(fa);
      known = sub ? (sf ? FlagKind.SUB64 : FlagKind.SUB32) : sf ? FlagKind.ADD64 : FlagKind.ADD32;
    }
    if (rd === REG_SINK) return;
    // A 32-bit result computed as i32 (its zero extension free for TurboFan), not as i64 then zero-extended (a move more).
    if (sf === 0) {
      r(rn).op(op.i32_wrap_i64).get(m).op(op.i32_wrap_i64);
      c.op(sub ? op.i32_sub : op.i32_add).op(op.i64_extend_i32_u);
    } else r(rn).get(m).op(sub ? op.i64_sub : op.i64_add);
    setReg(rd);
  }

  /** The logical result on the stack (zero-extended when 32-bit) into rd, LogicFlags recorded when `setf`. */
  function logical(rd: number, setf: boolean, sf: number): void {
    if (setf) {
      c.tee(fa);
      known = sf ? FlagKind.LOGIC64 : FlagKind.LOGIC32;
    }
    setReg(rd);
  }

  /**
   * Sets `w` = the RAM offset of the address in `o` (i64) for an access of `bytes` (aligned to
   * `align`); leaves before the instruction unless it is in the fast path's RAM, aligned: with the
   * MMU on, a TLB hit with the access's fast permission bit (as execute.ts), in one page.
   */
  function fastOffset(bytes: number, align: number, store: boolean, off: number, k: number): void {
    if (mmuOn) {
      // The slot's byte offset: ((lo >>> 12) ^ (hi >>> 16)) & TLB_MASK, times 4.
      c.get(o).get(o).i64(36).op(op.i64_shr_u).op(op.i64_xor).i64(10).op(op.i64_shr_u).op(op.i32_wrap_i64).i32(TLB_MASK << 2).op(op.i32_and).set(t32);
      c.get(t32).mem(op.i32_load, area + AREA.tlb).get(o).op(op.i32_wrap_i64).i32(-4096).op(op.i32_and).op(op.i32_ne);
      c.get(t32).mem(op.i32_load, area + AREA.tlb + 4 * TLB_SIZE).get(o).i64(32).op(op.i64_shr_u).op(op.i32_wrap_i64).op(op.i32_ne).op(op.i32_or);
      c.get(t32).mem(op.i32_load, area + AREA.tlb + 8 * TLB_SIZE);
      c.i32(0).mem(op.i32_load, area + (store ? AREA.fastWrite : AREA.fastRead)).op(op.i32_and).op(op.i32_eqz).op(op.i32_or);
      // A pair may end in the next page (an aligned single access cannot).
      if (bytes > align) c.get(o).op(op.i32_wrap_i64).i32(0xfff).op(op.i32_and).i32(0x1000 - bytes).op(op.i32_gt_u).op(op.i32_or);
      c.if(false);
      c.i64(-1).set(o).else();
      c.get(t32).mem(op.i64_load32_u, area + AREA.tlb + 12 * TLB_SIZE).get(o).i64(0xfff).op(op.i64_and).op(op.i64_add).set(o);
      c.end();
    } else {
      c.get(o);
      k64(BigInt(ramBase));
      c.op(op.i64_sub).set(o);
    }
    // o + bytes > limit, or o not aligned: one compare. Rotated right by the alignment's shift, an
    // unaligned offset has its low bits on top (far above any bound), an aligned one is o >> shift,
    // which exceeds (limit - bytes) >> shift exactly when o exceeds limit - bytes.
    const shift = 31 - Math.clz32(align);
    c.get(o);
    if (shift > 0) c.i64(shift).op(op.i64_rotr);
    c.get(bound(bytes, shift)).op(op.i64_ge_u).if(false);
    exit(off, k);
    c.end();
    c.get(o).op(op.i32_wrap_i64).set(w);
    if (store) {
      // A page with flags (code, a watcher): the interpreter stores there, unless the flags say code
      // alone and the bytes' lines hold no decoded instruction (data beside code: codeLines). An
      // aligned single access stays in one line (and page): a pair's or a group's last byte, and a
      // group's every line, need a look too.
      const split = bytes > align;
      c.get(w).i32(12).op(op.i32_shr_u).mem(op.i32_load8_u, core.flags);
      if (split) c.get(w).i32(bytes - 1).op(op.i32_add).i32(12).op(op.i32_shr_u).mem(op.i32_load8_u, core.flags).op(op.i32_or);
      c.tee(t32).if(false);
      c.get(t32).i32(PAGE_CODE).op(op.i32_ne);
      const line = (at: number) => {
        c.get(w);
        if (at !== 0) c.i32(at).op(op.i32_add);
        c.i32(CODE_LINE_SHIFT).op(op.i32_shr_u).mem(op.i32_load8_u, core.codeLines).op(op.i32_or);
      };
      for (let at = 0; at < bytes; at += 1 << CODE_LINE_SHIFT) line(at);
      if (split) line(bytes - 1);
      c.if(false);
      exit(off, k);
      c.end();
      c.end();
    }
  }

  /**
   * An access at RAM offset `w`, its own checks passed (`addr` sets `o` to its address, `own` checks it),
   * or a group member's (jit-wasm-groups.ts) at the span's RAM offset plus its `delta` as the memory
   * operand's offset: nothing to compute or check. A group's first member checks the whole span (as
   * one access of the span's size and alignment) and leaves before itself when that fails.
   */
  function checkedAccess(member: GroupedAccess | null, k: number, addr: () => void, own: () => void, access: (at: number, offset: number) => void): void {
    if (member === null) {
      addr();
      own();
      return access(w, 0);
    }
    const g = member.group;
    let at = groupAt.get(g);
    if (at === undefined) {
      groupAt.set(g, (at = spareAt.pop() ?? c.local(I32)));
      r(blocks[current].insns[k].rn);
      if (member.fromBase !== 0) c.i64(member.fromBase).op(op.i64_add);
      c.set(o);
      fastOffset(g.span, g.align, g.store, blocks[current].insns[k].off, k);
      c.get(w).set(at);
    }
    access(at, member.delta);
  }

  function emit(ins: Insn, k: number, len: number): void {
    const { op: o2, rd, rn, rm, sf, a, b, off } = ins;
    const cc = ins.c;
    switch (o2) {
      case Op.NOP:
        break;
      case Op.ADDI:
        if (rd === REG_SINK) break;
        r(rn);
        if (sf === 0) c.op(op.i32_wrap_i64).i32(a).op(op.i32_add).op(op.i64_extend_i32_u);
        else imm(a, b).op(op.i64_add);
        setReg(rd);
        break;
      case Op.ADDSI:
        // SUBS: a, b = ~imm with c = 1 (decode.ts).
        if (cc === 1) imm(~a, ~b);
        else imm(a, b);
        addSub(rn, rd, cc === 1, true, sf);
        break;
      case Op.ANDI:
      case Op.ORRI:
      case Op.EORI:
        if (rd === REG_SINK) break;
        r(rn);
        imm(a, b).op(o2 === Op.ANDI ? op.i64_and : o2 === Op.ORRI ? op.i64_or : op.i64_xor);
        if (sf === 0) zext32();
        setReg(rd);
        break;
      case Op.ANDSI:
        r(rn);
        imm(a, b).op(op.i64_and);
        // As jit.ts: the result's high word is Rn's & b (b is 0 for the 32-bit form).
        c.tee(fa);
        known = sf ? FlagKind.LOGIC64 : FlagKind.LOGIC32;
        setReg(rd);
        break;
      case Op.MOVI:
        imm(a, b);
        setReg(rd);
        break;
      case Op.MOVK:
        r(rd);
        k64(~(0xffffn << BigInt(cc))).op(op.i64_and);
        k64(BigInt(a & 0xffff) << BigInt(cc)).op(op.i64_or);
        if (sf === 0) zext32();
        setReg(rd);
        break;
      case Op.ADR:
      case Op.ADRP:
        c.get(pg);
        // ADRP's page is the instruction's: the entry's, or the next one for a region crossing into it (cross-page.ts).
        if (o2 === Op.ADR) c.i64(off).op(op.i64_add);
        else if (off >= 0x1000) c.i64(0x1000).op(op.i64_add);
        imm(a, b).op(op.i64_add);
        setReg(rd);
        break;
      case Op.SHIFTI:
        shifted(rn, cc & 3, cc >>> 2, sf);
        setReg(rd);
        break;
      case Op.MOVR:
        r(rn);
        if (sf === 0) zext32();
        setReg(rd);
        break;
      case Op.ADDSUB_SH:
        shifted(rm, cc & 3, (cc >>> 2) & 63, sf);
        addSub(rn, rd, (cc & 0x100) !== 0, (cc & 0x200) !== 0, sf);
        break;
      case Op.ADDSUB_EXT:
        extended(rm, cc & 7, (cc >>> 3) & 7);
        addSub(rn, rd, (cc & 0x100) !== 0, (cc & 0x200) !== 0, sf);
        break;
      case Op.LOGIC_SH: {
        const opc = (cc >>> 8) & 3;
        r(rn);
        if (sf === 0) c.op(op.i32_wrap_i64);
        shifted(rm, cc & 3, (cc >>> 2) & 63, sf);
        if (sf === 0) {
          c.op(op.i32_wrap_i64);
          if (cc & 0x400) c.i32(-1).op(op.i32_xor);
          c.op(opc === 1 ? op.i32_or : opc === 2 ? op.i32_xor : op.i32_and).op(op.i64_extend_i32_u);
        } else {
          if (cc & 0x400) c.i64(-1).op(op.i64_xor);
          c.op(opc === 1 ? op.i64_or : opc === 2 ? op.i64_xor : op.i64_and);
        }
        logical(rd, opc === 3, sf);
        break;
      }
      case Op.CSEL: {
        cond(cc & 15);
        c.set(test);
        const kind = cc >>> 4;
        if (sf === 0) {
          r(rn).op(op.i32_wrap_i64);
          r(rm).op(op.i32_wrap_i64);
          if (kind === 1) c.i32(1).op(op.i32_add);
          else if (kind === 2) c.i32(-1).op(op.i32_xor);
          else if (kind === 3) c.set(t32).i32(0).get(t32).op(op.i32_sub);
          c.get(test).op(op.select).op(op.i64_extend_i32_u);
        } else {
          r(rn);
          r(rm);
          if (kind === 1) c.i64(1).op(op.i64_add);
          else if (kind === 2) c.i64(-1).op(op.i64_xor);
          else if (kind === 3) c.set(t64).i64(0).get(t64).op(op.i64_sub);
          c.get(test).op(op.select);
        }
        setReg(rd);
        break;
      }
      case Op.CCMP: {
        // c: cond | nzcv << 4 | ccmp << 8 | immediate << 9: the compare's NZCV, or the immediate's.
        cond(cc & 15);
        materialize();
        const sub = (cc & 0x100) !== 0;
        c.if();
        r(rn);
        c.set(fa);
        if (cc & 0x200) c.i64(a);
        else r(rm);
        c.set(fb);
        emitNzcv(sub ? (sf ? FlagKind.SUB64 : FlagKind.SUB32) : sf ? FlagKind.ADD64 : FlagKind.ADD32);
        c.else().i32(((cc >>> 4) & 15) << 28).set(f).end();
        break;
      }
      case Op.DP2: {
        if (rd === REG_SINK) break;
        if (sf === 0) {
          r(rn);
          c.op(op.i32_wrap_i64).set(t32);
          r(rm);
          c.op(op.i32_wrap_i64).set(u32);
          if (cc === 2 || cc === 3) {
            // x / 0 = 0, INT32_MIN / -1 = INT32_MIN (dataProc2; wasm traps on both).
            c.get(u32).op(op.i32_eqz).if();
            c.i32(0).set(w).else();
            if (cc === 3) {
              c.get(u32).i32(-1).op(op.i32_eq).if();
              c.i32(0).get(t32).op(op.i32_sub).set(w).else();
            }
            c.get(t32).get(u32).op(cc === 2 ? op.i32_div_u : op.i32_div_s).set(w);
            if (cc === 3) c.end();
            c.end();
            c.get(w);
          } else c.get(t32).get(u32).op([op.i32_shl, op.i32_shr_u, op.i32_shr_s, op.i32_rotr][cc - 8]);
          c.op(op.i64_extend_i32_u);
        } else {
          r(rn).set(t64);
          r(rm).set(u64);
          if (cc === 2 || cc === 3) {
            c.get(u64).op(op.i64_eqz).if();
            c.i64(0).set(o).else();
            if (cc === 3) {
              c.get(u64).i64(-1).op(op.i64_eq).if();
              c.i64(0).get(t64).op(op.i64_sub).set(o).else();
            }
            c.get(t64).get(u64).op(cc === 2 ? op.i64_div_u : op.i64_div_s).set(o);
            if (cc === 3) c.end();
            c.end();
            c.get(o);
          } else c.get(t64).get(u64).op([op.i64_shl, op.i64_shr_u, op.i64_shr_s, op.i64_rotr][cc - 8]);
        }
        setReg(rd);
        break;
      }
      case Op.BFM:
        bitfield(rd, rn, a, b, cc, sf);
        break;
      case Op.EXTR:
        if (rd === REG_SINK) break;
        // (Rn:Rm) >> lsb, the low datasize bits.
        if (sf === 0) {
          r(rm);
          c.op(op.i32_wrap_i64);
          if (a !== 0) {
            c.i32(a).op(op.i32_shr_u);
            r(rn);
            c.op(op.i32_wrap_i64).i32(32 - a).op(op.i32_shl).op(op.i32_or);
          }
          c.op(op.i64_extend_i32_u);
        } else {
          r(rm);
          if (a !== 0) {
            c.i64(a).op(op.i64_shr_u);
            r(rn);
            c.i64(64 - a).op(op.i64_shl).op(op.i64_or);
          }
        }
        setReg(rd);
        break;
      case Op.DP1:
        if (rd === REG_SINK) break;
        if (cc <= 3) {
          // Swaps of every pair of `bits`-wide fields (x >> bits & mask | (x & mask) << bits, mask a word of pattern
          // `m`). REV16 1: the bytes of each halfword; REV32 2 (REV of a W): then the halfwords of each word; REV 3:
          // then the words; RBIT 0: the bits, pairs and nibbles of each byte first, then the bytes reversed as REV
          // (REV32 for a W). The 32-bit forms: the low word of that (each step works within words).
          const swap = (bits: number, m: number) => {
            c.tee(t64).i64(bits).op(op.i64_shr_u).i64w(m, m).op(op.i64_and);
            c.get(t64).i64w(m, m).op(op.i64_and).i64(bits).op(op.i64_shl).op(op.i64_or);
          };
          r(rn);
          if (cc === 0) {
            swap(1, 0x55555555);
            swap(2, 0x33333333);
            swap(4, 0x0f0f0f0f);
          }
          swap(8, 0x00ff00ff);
          if (cc !== 1) swap(16, 0x0000ffff);
          if (cc === 3 || (cc === 0 && sf === 1)) c.i64(32).op(op.i64_rotr);
          if (sf === 0) c.i64w(-1, 0).op(op.i64_and);
          setReg(rd);
          break;
        }
        // CLZ 4; CLS 5: CLZ(x EOR (x ASR 1)) - 1.
        r(rn);
        if (sf === 0) {
          c.op(op.i32_wrap_i64);
          if (cc === 5) c.tee(t32).get(t32).i32(1).op(op.i32_shr_s).op(op.i32_xor);
          c.op(op.i32_clz);
          if (cc === 5) c.i32(1).op(op.i32_sub);
          c.op(op.i64_extend_i32_u);
        } else {
          if (cc === 5) c.tee(t64).get(t64).i64(1).op(op.i64_shr_s).op(op.i64_xor);
          c.op(op.i64_clz);
          if (cc === 5) c.i64(1).op(op.i64_sub);
        }
        setReg(rd);
        break;
      case Op.DP3: {
        if (rd === REG_SINK) break;
        if (cc === 4 || cc === 12) {
          mulHigh(rn, rm, cc === 4);
          setReg(rd);
          break;
        }
        // MADD 0, MSUB 1, SMADDL 2, SMSUBL 3, UMADDL 10, UMSUBL 11 (Ra in `a`).
        r(a);
        r(rn);
        if (cc === 2 || cc === 3) c.op(op.i32_wrap_i64).op(op.i64_extend_i32_s);
        else if (cc >= 10) zext32();
        r(rm);
        if (cc === 2 || cc === 3) c.op(op.i32_wrap_i64).op(op.i64_extend_i32_s);
        else if (cc >= 10) zext32();
        c.op(op.i64_mul).op((cc & 1) !== 0 ? op.i64_sub : op.i64_add);
        if (sf === 0 && cc <= 1) zext32();
        setReg(rd);
        break;
      }
      case Op.LOAD:
      case Op.STORE: {
        const mode = (cc >>> 4) & 3;
        const size = cc & 3;
        const bytes = 1 << size;
        // The base plus the offset in u64; post-index (mode 2) accesses the base itself.
        r(rn);
        if (mode === 3) extended(rm, (cc >>> 6) & 7, (cc >>> 9) & 3);
        else imm(a, b);
        c.op(op.i64_add).set(u64);
        const addr = () => (mode === 2 ? r(rn).set(o) : c.get(u64).set(o));
        const own = () => fastOffset(bytes, bytes, o2 === Op.STORE, off, k);
        // A group member with a register offset (jit-wasm-groups.ts indexed): the span's offset plus the index.
        const at32 = (at: number) => {
          c.get(at);
          if (at !== w && members[k]?.indexed) extended(rm, (cc >>> 6) & 7, (cc >>> 9) & 3), c.op(op.i32_wrap_i64).op(op.i32_add);
        };
        if (o2 === Op.LOAD) {
          const ext = (cc >>> 2) & 3;
          checkedAccess(members[k], k, addr, own, (at, offset) => {
            at32(at);
            if (ext === 0 || (ext !== 1 && size >= 2)) c.mem([op.i64_load8_u, op.i64_load16_u, op.i64_load32_u, op.i64_load][size], offset);
            else if (ext === 1) c.mem([op.i64_load8_s, op.i64_load16_s, op.i64_load32_s, op.i64_load][size], offset);
            else c.mem([op.i32_load8_s, op.i32_load16_s][size], offset).op(op.i64_extend_i32_u);
            c.set(t64);
          });
          if (mode === 1 || mode === 2) c.get(u64).set(R(rn)), written.add(rn);
          c.get(t64);
          setReg(rd);
        } else {
          checkedAccess(members[k], k, addr, own, (at, offset) => {
            at32(at);
            r(rd);
            c.mem([op.i64_store8, op.i64_store16, op.i64_store32, op.i64_store][size], offset);
          });
          if (mode === 1 || mode === 2) c.get(u64).set(R(rn)), written.add(rn);
        }
        break;
      }
      case Op.LDP:
      case Op.STP: {
        const mode = (cc >>> 2) & 3;
        const wide = (cc & 3) === 3;
        const half = wide ? 8 : 4;
        r(rn);
        c.i64(a).op(op.i64_add).set(u64);
        const addr = () => (mode === 2 ? r(rn).set(o) : c.get(u64).set(o));
        const own = () => fastOffset(2 * half, half, o2 === Op.STP, off, k);
        const writeBase = () => {
          if (mode !== 0) c.get(u64).set(R(rn)), written.add(rn);
        };
        if (o2 === Op.LDP) {
          const load = wide ? op.i64_load : (cc & 16) !== 0 ? op.i64_load32_s : op.i64_load32_u;
          checkedAccess(members[k], k, addr, own, (at, offset) => {
            c.get(at).mem(load, offset).set(t64);
            c.get(at).mem(load, offset + half).set(p2);
          });
          writeBase();
          c.get(t64);
          setReg(rd);
          c.get(p2);
          setReg(rm);
        } else {
          const store = wide ? op.i64_store : op.i64_store32;
          checkedAccess(members[k], k, addr, own, (at, offset) => {
            c.get(at);
            r(rd);
            c.mem(store, offset);
            c.get(at);
            r(rm);
            c.mem(store, offset + half);
          });
          writeBase();
        }
        break;
      }
      case Op.B:
      case Op.BL:
        if (o2 === Op.BL) {
          c.get(pg).i64(off + 4).op(op.i64_add);
          setReg(30);
        }
        countBlock();
        leaveBlock();
        goto(off + a, true);
        break;
      case Op.BCOND:
      case Op.CBZ:
      case Op.CBNZ:
      case Op.TBZ:
      case Op.TBNZ: {
        if (o2 === Op.BCOND) cond(cc);
        else if (o2 === Op.CBZ || o2 === Op.CBNZ) {
          r(rn);
          if (sf === 0) c.op(op.i32_wrap_i64).op(op.i32_eqz);
          else c.op(op.i64_eqz);
          if (o2 === Op.CBNZ) c.op(op.i32_eqz);
        } else {
          r(rn);
          c.i64(cc).op(op.i64_shr_u).op(op.i32_wrap_i64).i32(1).op(op.i32_and);
          if (o2 === Op.TBZ) c.op(op.i32_eqz);
        }
        c.set(test);
        countBlock();
        leaveBlock();
        c.get(test).if();
        goto(off + a);
        c.end();
        goto(off + 4, true);
        break;
      }
      case Op.BR:
      case Op.BLR:
      case Op.RET:
        // The target is read before BLR writes X30.
        r(rn).set(npc);
        if (o2 === Op.BLR) {
          c.get(pg).i64(off + 4).op(op.i64_add);
          setReg(30);
        }
        countBlock();
        if (entries.length > 1) {
          // To a segment's entry (a recursive function's return site, itself): on inside.
          materialize();
          for (const e of entries) {
            c.get(npc).get(pg).i64(e).op(op.i64_add).op(op.i64_eq).if();
            c.i32(index.get(e)!).set(blk).br(runL);
            c.end();
          }
        }
        exit(null, 0);
        break;
      default:
        throw new Error(`aarch64 wasm jit: cannot translate op ${o2}`);
    }
  }

  // Prologue (spliced in before the body: branches are relative): the registers, the bounds, pc's page, flags.
  const pro = kit.wasm.code([], []);
  /**
   * Sets local `l` to the i64 on the stack (above its area address, 0) through scratch slot `slot` of
   * the area: a store and a load, so that TurboFan computes the value here, once. Computed by pure
   * operations from the area's words, it would be recomputed at its uses inside a loop (V8 hoists
   * nothing out of a loop that may be left before the use: the budget's and accesses' exits), both
   * words of a register live across the loop and spilled.
   */
  const pinned = (slot: number, l: number) => {
    pro.mem(op.i64_store, area + AREA.scratch + 8 * slot);
    pro.i32(0).mem(op.i64_load, area + AREA.scratch + 8 * slot).set(l);
  };
  reg.forEach((l, n) => {
    if (l === undefined) return;
    pro.i32(0);
    pro.i32(0).mem(op.i64_load32_u, area + AREA.xl + 4 * n);
    pro.i32(0).mem(op.i64_load32_u, area + AREA.xh + 4 * n).i64(32).op(op.i64_shl).op(op.i64_or);
    pinned(n, l);
  });
  // The fast path's bounds (fastOffset): ((limit - bytes) >> shift) + 1, 0 when the limit is below bytes.
  [...bounds].forEach(([key, l], j) => {
    const bytes = key >> 3;
    const shift = key & 7;
    pro.i32(0);
    pro.i32(0).mem(op.i64_load32_u, area + AREA.limit).set(t64);
    pro.get(t64).i64(bytes).op(op.i64_sub).i64(shift).op(op.i64_shr_u).i64(1).op(op.i64_add);
    pro.i64(0).get(t64).i64(bytes).op(op.i64_ge_u).op(op.select);
    pinned(REG_COUNT + 1 + j, l);
  });
  pro.i32(0).get(PC_HI).op(op.i64_extend_i32_u).i64(32).op(op.i64_shl).get(PC_LO).op(op.i64_extend_i32_u).op(op.i64_or).i64(-4096).op(op.i64_and);
  pinned(REG_COUNT, pg);
  pro.i32(0).mem(op.i32_load, area + AREA.nzcv).set(f);
  c.insert(bodyAt, pro.bytes);
  // Epilogue: registers written, NZCV, the next pc, the steps.
  for (const n of written) {
    c.i32(0).get(reg[n]).mem(op.i64_store32, area + AREA.xl + 4 * n);
    c.i32(0).get(reg[n]).i64(32).op(op.i64_shr_u).mem(op.i64_store32, area + AREA.xh + 4 * n);
  }
  emitDynamic();
  c.i32(0).get(f).mem(op.i32_store, area + AREA.nzcv);
  c.i32(0).get(npc).mem(op.i64_store32, area + AREA.npcLo);
  c.i32(0).get(npc).i64(32).op(op.i64_shr_u).mem(op.i64_store32, area + AREA.npcHi);
  c.get(steps).get(ret).op(op.i32_add);
  return kit.wasm.module(c);
}
