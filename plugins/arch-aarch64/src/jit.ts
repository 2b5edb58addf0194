/**
 * Region translator: turns hot A64 code of one 4 KiB page (execute.ts's pre-decoded slots) into
 * one JavaScript function via the core's translation engine (`ctx.jit.factory`), with the
 * general registers' words and NZCV in locals and no per-instruction dispatch.
 *
 * A region starts at a slot the interpreter reached by a control transfer JIT_THRESHOLD times
 * (HOT_THRESHOLD when it does not loop on itself). From there it takes every translatable
 * instruction reachable in the page by fall-through and forward branches (B, BL, B.cond,
 * CBZ/CBNZ, TBZ/TBNZ), up to MAX_BLOCK instructions (one that heads a loop: up to the loop's end,
 * loopEnd; one inside a longer loop: up to that loop's branch back, closesOuterLoop); a branch back to its first instruction
 * loops inside the function while the step budget allows another pass; any other branch, BR,
 * BLR, RET, or an instruction it does not translate (system, FP/SIMD, exclusives, LDTR/STTR...)
 * leaves it, and the interpreter goes on (and may enter another region there). A region that
 * calls its own first instruction (a recursive function) has further segments (scanSegments):
 * a branch, BR, BLR or RET to one of their entries (the return site, a loop's tail placed before
 * its head) goes on inside, each segment holding the code up to the others' entries.
 *
 * Position independent: pc-relative values come from the `pcLo`/`pcHi` arguments, so one region
 * serves every virtual address of its physical page; the code cache (src/core/jit/) keeps them
 * per physical page and drops them on a store to the page (cpu.ts ramWritten, codeWritten).
 *
 * Exits follow the interpreter's rules: a load or store that misses the TLB fast path calls the
 * same slow path with `cpu.inflight` exact (out of line: loadAt, storeAt, pairAt); on a fault the registers of the completed
 * instructions are written back and the steps returned include the faulting one (`cpu.exc` set,
 * next pc = the faulting instruction's); after an access that needs the run loop
 * (`cpu.attention`) or a store to a page with flags the function returns after that instruction.
 * 32-bit MADD/MSUB, SMULL/UMULL (and their -ADDL/-SUBL), 32-bit UDIV/SDIV, variable shifts and
 * CCMP/CCMN are inline; the other 1/2/3-source ops call the interpreter's dataProc1/2/3 on the
 * values, and the rarer ones (bitfield, EXTR, ADC) its executeDataProc on the registers written
 * back (one definition of their semantics).
 */
import type { JitKit } from '../../../src/core/api.js';
import type { A64Cpu } from './cpu.js';
import { addWithCarry, extendReg, logicFlags } from './alu.js';
import { dataProc1, dataProc2, dataProc3, executeDataProc } from './dataproc.js';
import { LS_UNPRIV } from './decode.js';
import { JIT_THRESHOLD, Op, REG_SINK, REG_ZR, WARM_CALLS } from './execute.js';
import { loadSlow, MV, storeSlow } from './memory.js';
import { SlotMarks } from './slot-marks.js';
import { TLB_MASK } from './tlb.js';
import { R } from './u64.js';

export { JIT_THRESHOLD };
/** ... and before one that does not (see arch-rv32's jit.ts for the measurement behind it). */
export const HOT_THRESHOLD = 10000;
/**
 * Instructions the interpreter runs from a region's entry (arrivals x its instructions) before the
 * region is translated (cpu.ts compileBlockAt): about what V8's compiles of one new function cost.
 * Wasm regions keep it: a shorter wait trades the arm64 Linux boot's CPU for the compute kernel's
 * first run (docs/architecture.md "Wasm regions"; test/bench/a64-linux.ts measures the boot).
 */
export const COMPILE_WORK = 65536;
/**
 * Instructions a CPU retires before its first translation, in COMPILE_WORKs (cpu.ts compileBlockAt).
 * A machine's first translations cost most (V8's first compiles of region code, dispatch()'s new
 * call feedback) and can save only what is run after them: the raspi3b OS boot (218 K instructions
 * to its prompt) translated its BSS-clearing loop (4 instructions, 28.7 K passes, the first half
 * interpreted) and took 3-5 ms more host time than the interpreter. Raising COMPILE_WORK to 256 Ki
 * instead made the compute kernel ~10 % slower (every region waits); this delays only the start.
 * 3 (192 Ki) rather than 8: the compute kernel's BSS-clearing loop (137 K passes, 550 K instructions)
 * was interpreted up to 512 Ki, at the start of a fresh process, while V8 still runs interpret()
 * unoptimized (~9 MIPS: about 50 ms of its first run, 8 ms later). The raspi3b OS boot still
 * translates nothing (its loop would wait until pass ~48 K of 28.7 K; 2, 128 Ki, would leave it a
 * 10 % margin). Measured against 8 (fresh processes, interleaved, loaded VM): the compute kernel's
 * first run in process, main-thread CPU median 411 -> 379 ms (10 pairs, lower in 6) and 375 -> 372
 * (10 more); the built CLI's user+sys median 0.900 -> 0.860 s (10 pairs); the arm64 Linux boot
 * (test/bench/a64-linux.ts --one, 6 pairs) main thread median about 2190 -> 1880 ms, lower in 5,
 * regions 93 -> 97; interpreted instructions of the compute kernel 2.53 M -> about 2.2 M.
 */
export const FIRST_WORK_FACTOR = 3;
/**
 * Instructions a guest loop is about to run (loop-trips.ts passesLeft x its instructions) from which
 * it is translated at once (cpu.ts compileBlockAt), none of the waits above: the CPU's first wait,
 * so a loop that alone runs past it pays its translation back. The compute kernel's BSS-clearing
 * loop (550 K instructions) is translated at its 32nd pass (cpu.ts looks at a loop head's first
 * arrival in the early window) instead of after 192 Ki interpreted instructions at the start of a
 * fresh process; the raspi3b OS boot's (115 K) still waits.
 */
export const LONG_LOOP = FIRST_WORK_FACTOR * COMPILE_WORK;
/**
 * Bytes back from which a conditional branch the interpreter runs for the first time in the CPU's
 * early window has its loop's head looked at (cpu.ts loopClosed) at the next arrival instead of the
 * JIT_THRESHOLD-th: a long loop of a long body no longer runs 32 passes in the cold interpreter
 * before it is found long (the compute kernel's random fill, 354 instructions a pass, and CRC loop).
 * Shorter loops wait as before: their 32 passes cost little, and a look scans (allocates).
 */
export const EARLY_LOOK_SPAN = 256;
/**
 * The compile-work wait of a wasm region during its CPU's first EARLY_WINDOW retired instructions
 * (cpu.ts compileBlockAt), instead of COMPILE_WORK, once the CPU has translated its first region.
 * A fresh process interprets slowly at first (V8 runs interpret() and dispatch() in its lower tiers
 * until their TurboFan compiles are done), while a wasm region, after the process's first, costs
 * about a millisecond to make (validation, Liftoff at its first call, the instance, the call
 * wrapper): a program's hot loops, which it reaches early, are worth translating sooner there.
 * Later the full wait holds (an OS boot's many moderately hot regions: COMPILE_WORK), but for an entry
 * made to wait the early wait in the window (cpu.ts earlyWaits: a loop entered a few passes at a time). The first
 * region waits the full COMPILE_WORK: it pays V8's wasm start-up as well (the raspi3b OS boot,
 * which translates nothing, translated one at the end of its first FIRST_WORK_FACTOR wait with
 * this wait for all: main-thread CPU median 99 -> 113 ms, 5 interleaved pairs).
 * The compute kernel's regions are made between 0.2 M and 24 M instructions (17 of its 21): it
 * interprets 0.99 M instead of 1.84 M instructions, the same 21 regions; first run in process,
 * main-thread CPU median 455 -> 424 ms (10 interleaved fresh processes, lower in 9, loaded VM).
 * The arm64 Linux boot (test/bench/a64-linux.ts), whose boot CPU retires 82.5 M instructions, makes
 * 132 regions instead of 97 and interprets 23.3 M instead of 24.2 M; main-thread CPU 13 interleaved
 * pairs at load 9-14: medians 2728 vs 2721 ms, pair differences' median +100 ms (+4 %, higher in 8):
 * within that load's noise (+-15 %), perhaps a few per cent slower.
 */
export const EARLY_COMPILE_WORK = 16384;
/**
 * EARLY_COMPILE_WORK with the MMU off (cpu.ts compileBlockAt): a bare-metal program (the compute
 * kernel) reaches its hot loops early and runs them long, so a region that waits less is interpreted
 * less; an OS, whose kernel runs with the MMU on, keeps the longer wait for its many lukewarm entries
 * (the arm64 Linux boot's 132 regions; the raspi3b OS boot translates nothing). Interpreted
 * instructions of the compute kernel, rounds 0-4: 146 K, 70 K, 40 K, 14 K, 10 K with 16 Ki (rounds 0-2
 * interpret matmul's middle loop, 37 K a round, which waits longer: retranslated()). Host instructions
 * of a whole built-CLI run (valgrind, V8 --predictable, which counts TurboFan's compiles too), medians
 * of interleaved runs: 16 Ki 4.29 G, 4 Ki 4.19 G, 1 Ki 4.15 G (-3.3 %).
 */
export const BARE_EARLY_WORK = 1024;
/** Retired instructions of a CPU during which EARLY_COMPILE_WORK holds. */
export const EARLY_WINDOW = 32 * 1024 * 1024;
/** Largest region, in instructions. */
export const MAX_BLOCK = 128;
/**
 * Largest region source, in characters. V8 never optimizes a function whose bytecode exceeds its
 * limit (60 KB): measured on the compute kernel, regions of 59-74 K characters (128 instructions
 * with many loads and stores) ran in V8's baseline tier for the whole run, ones of 51 K and less
 * optimized. A larger region is scanned again with half the instructions until it fits.
 */
export const MAX_SOURCE = 40_000;

/**
 * A translated region: runs from virtual pc (`pcLo`, `pcHi`), the entry of its segment `seg0`
 * (scanSegments), with `n0` steps already taken in this execute() call and at most `maxSteps`
 * more; returns the steps taken and leaves the next pc in `cpu.npcLo`/`cpu.npcHi`.
 */
export type BlockFn = (pcLo: number, pcHi: number, n0: number, maxSteps: number, seg0: number) => number;

export class Block {
  constructor(
    readonly fn: BlockFn | null,
    /**
     * Steps a call needs left (execute.ts dispatch()): a JavaScript region's pass, which it runs whole;
     * a wasm region's first basic block (each of its blocks checks the budget for itself).
     */
    readonly len: number,
    /** The segment entered here (the function's `seg0`). */
    readonly seg = 0,
  ) {}

  /** Calls left that run at most WARM_STEPS steps (execute.ts dispatch()). */
  warm = WARM_CALLS;
}

/** Marks a slot where no block can start (its first instruction is not translated). */
export const NO_BLOCK = new Block(null, 0);

/** One decoded slot (execute.ts's layout) and its byte offset from the block start; shared by scans (scanBlock), so read-only. */
export interface Insn {
  readonly info: number;
  readonly op: Op;
  readonly rd: number;
  readonly rn: number;
  readonly rm: number;
  readonly sf: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly off: number;
}

/**
 * Lazy NZCV: a flag-setting instruction records its kind (`fk`) and operands (`fa`-`fd`) instead of
 * computing the four flags; a condition read after it in the same straight-line run is a direct
 * comparison of those operands, and the flags are computed (nzcvOf) only where they are read
 * otherwise (after a join, by executeDataProc) or written back (every exit).
 */
export const enum FlagKind {
  /** `f` holds NZCV. */
  NZCV = 0,
  /** fa + fb, 32 bits. */
  ADD32,
  /** fa - fb, 32 bits. */
  SUB32,
  /** The 32-bit logical result fa. */
  LOGIC32,
  /** (fa, fc) + (fb, fd) as (low, high) words. */
  ADD64,
  /** (fa, fc) - (fb, fd). */
  SUB64,
  /** The 64-bit logical result (fa, fc). */
  LOGIC64,
}

/** NZCV of the lazily recorded flags (FlagKind), or `f` itself (AddWithCarry, LogicFlags: alu.ts). */
export function nzcvOf(k: FlagKind, f: number, a: number, b: number, c: number, d: number): number {
  switch (k) {
    case FlagKind.ADD32:
      return addWithCarry(a, 0, b, 0, 0, 0);
    case FlagKind.SUB32:
      return addWithCarry(a, 0, ~b, 0, 1, 0);
    case FlagKind.LOGIC32:
      return logicFlags(a, 0, 0);
    case FlagKind.ADD64:
      return addWithCarry(a, c, b, d, 0, 1);
    case FlagKind.SUB64:
      return addWithCarry(a, c, ~b, ~d, 1, 1);
    case FlagKind.LOGIC64:
      return logicFlags(a, c, 1);
    default:
      return f;
  }
}

/** The words LDP's slow path loaded (pairAt): first register low, high, second low, high. */
const PV = new Int32Array(4);
const HELPERS = { extendReg, executeDataProc, dataProc1, dataProc2, dataProc3, loadAt, storeAt, pairAt, nzcvOf, MV, PV, R };
const FACTORY_PARAMS = ['cpu', 'H'];

/** Ops the translator runs itself, or through executeDataProc. */
export function translatable(op: Op, c: number): boolean {
  if (op >= Op.ADDI && op <= Op.DP3) return true;
  if (op >= Op.B && op <= Op.RET) return true;
  if (op === Op.LOAD || op === Op.STORE) return (c & LS_UNPRIV) === 0;
  return op === Op.LDP || op === Op.STP || op === Op.NOP;
}

export function isBranch(op: Op): boolean {
  return op >= Op.B && op <= Op.RET;
}

/**
 * Scans the region starting at slot `idx` of the current fetch page (decoding on the way): the
 * translatable instructions reachable from it inside the page, following fall-through and the
 * forward targets of B, BL and the conditional branches, up to MAX_BLOCK instructions, and not
 * past the offsets in `stops` (other segments' entries: scanSegments). Sorted by offset
 * (`off` = byte offset in the page); empty when its first instruction is not translatable.
 */
export function scanBlock(cpu: A64Cpu, code: Int32Array, idx: number, max = MAX_BLOCK, stops?: Set<number>, end = 0x1000, can: (op: Op, c: number) => boolean = translatable): Insn[] {
  // The offsets found so far (their instructions in `slots`): no Map, and page order for free.
  const found = SCANNED;
  found.clear();
  let count = 0;
  let slots = PAGE_INSNS.get(code);
  if (slots === undefined) PAGE_INSNS.set(code, (slots = new Array<Insn | undefined>(0x400)));
  let lo = idx >>> 2;
  let hi = lo;
  const work = SCAN_WORK;
  work.length = 0;
  work.push(idx);
  while (work.length > 0 && count < max) {
    for (let i = work.pop()!; i < end && !found.has(i) && count < max; i += 4) {
      if (i !== idx && stops?.has(i)) break; // another segment's entry: control goes there
      let info = code[i];
      if (info === 0) info = cpu.decodeAt(code, i);
      const op = (info & 0xff) as Op;
      const c = code[i + 3];
      if (!can(op, c)) break;
      let ins = slots[i >>> 2];
      if (ins === undefined || ins.info !== info || ins.a !== code[i + 1] || ins.b !== code[i + 2] || ins.c !== c) {
        ins = { info, op, rd: (info >>> 8) & 63, rn: (info >>> 14) & 63, rm: (info >>> 20) & 63, sf: (info >>> 26) & 1, a: code[i + 1], b: code[i + 2], c, off: i };
        slots[i >>> 2] = ins;
      }
      found.add(i);
      count++;
      if (i >>> 2 < lo) lo = i >>> 2;
      if (i >>> 2 > hi) hi = i >>> 2;
      if (!isBranch(op)) continue;
      if (op <= Op.TBNZ) {
        // Targets from the region's start to the page's end join it (a branch back to one of its
        // instructions loops in the function where the loops nest: nesting()); others leave it.
        const target = i + ins.a;
        if (target >= idx && target < end && target !== i) work.push(target);
      }
      if (op < Op.BCOND || op > Op.TBNZ) break; // B, BL, BR, BLR, RET: no fall-through
      if (stops === undefined && closesOuterLoop(ins, idx)) break;
    }
  }
  if (!found.has(idx)) return [];
  const out = new Array<Insn>(count);
  for (let s = lo, n = 0; s <= hi; s++) if (found.has(s << 2)) out[n++] = slots[s]!;
  return out;
}

/**
 * Each code page's instructions by slot, as scanBlock made them: a page's hot entries are scanned
 * again at each of their waits (cpu.ts compileBlockAt), and an Insn is a function of its slot's
 * decoded words and offset alone, so it is reused while those are the same.
 */
const PAGE_INSNS = new WeakMap<Int32Array, (Insn | undefined)[]>();

/** scanBlock's work list and offsets found, reused by every scan. */
const SCAN_WORK: number[] = [];
const SCANNED = new SlotMarks();

/**
 * Whether `ins` is a conditional branch back to before `start`: the end of a guest loop that a
 * region starting at `start` is a piece of (an unrolled loop longer than a region, a region entered
 * inside a loop). What follows it is the loop's exit, run once per loop: a region (not one of
 * several segments: scanSegments) ends there and does not run on into it (fallThroughExits).
 * Running on made the compute kernel translate two pieces of its CRC loop twice (after the
 * random-fill loop's last piece ran into it) and three more regions after a loop ending on the
 * next page, each used about 16 times.
 */
export function closesOuterLoop(ins: Insn, start: number): boolean {
  return ins.op >= Op.BCOND && ins.op <= Op.TBNZ && ins.off + ins.a < start;
}

/** Most segments in a region (scanSegments). */
export const MAX_SEGMENTS = 8;

/**
 * The segments of the region entered at `idx`: the first is scanBlock's from there. When it calls
 * its own entry (a recursive function), or with `calls` any function in its page (wasm regions:
 * the callee and the return site join it), further ones start where control goes but a segment's
 * structure cannot follow (segmentEntries: the return address after a call into the page, a branch
 * back that makes no loop, as a loop whose tail is placed before its head), breadth first, while
 * MAX_SEGMENTS and `max` instructions in all allow. Each segment is scanned up to the others'
 * entries (scanBlock's `stops`), which it goes on to by a transfer inside the region's function
 * (generateRegion) instead of holding a copy of their code; since a shorter segment may need other
 * entries, the entries are found again until they stay the same. So a recursive function's calls,
 * returns and loops (and with `calls` a function's calls into its page) run inside one region. Empty when no block can start at `idx`.
 */
export function scanSegments(cpu: A64Cpu, code: Int32Array, idx: number, max = MAX_BLOCK, can: (op: Op, c: number) => boolean = translatable, calls = false): Insn[][] {
  const first = scanBlock(cpu, code, idx, max, undefined, 0x1000, can);
  if (first.length === 0) return [];
  const end = loopEnd(first);
  if (end >= 0) return [scanBlock(cpu, code, idx, max, undefined, end, can)];
  // For JavaScript regions only a function calling itself (BL to the entry) gets more: elsewhere
  // they measured slower (compute kernel: each further entry recompiled the code it shares with the
  // others, larger functions that V8 deoptimized and optimized again). A wasm region takes in any
  // call into its page (`calls`): a loop calling a small function there (the arm64 Linux boot's
  // slob_page_alloc and slob_next, 3.5 M region calls of ~10 instructions) runs inside one call.
  if (!first.some((i) => i.op === Op.BL && (i.off + i.a === idx || (calls && inPage(i.off + i.a))))) return [first];
  const entries = [idx];
  for (;;) {
    const stops = new Set(entries);
    const segments: Insn[][] = [];
    let total = 0;
    for (const e of entries) {
      if (total >= max) break;
      const seg = scanBlock(cpu, code, e, max - total, stops, 0x1000, can);
      segments.push(seg);
      total += seg.length;
    }
    const before = entries.length;
    for (const seg of segments)
      for (const t of segmentEntries(seg))
        if (entries.length < MAX_SEGMENTS && !stops.has(t) && scanBlock(cpu, code, t, 1, undefined, 0x1000, can).length > 0) {
          stops.add(t);
          entries.push(t);
        }
    // Entries beyond the bounds are left out: a transfer to one leaves the region.
    if (entries.length === before) return segments;
  }
}

/**
 * Where a region that heads a guest loop (a branch back to its first instruction) and does not call
 * itself ends: after its last branch back to its start; -1 for other regions. The code after the
 * loop runs once per call, and typically not before V8 optimizes the function on-stack during its
 * first long-running call: it would have no type feedback there and deoptimize the function when
 * the loop ends, and V8 (Node 20) enters that on-stack code again at every later call, deoptimizing
 * it again each time (compute kernel: up to 200 deopts in a run). It runs in the interpreter, or
 * its own region once hot.
 */
export function loopEnd(insns: Insn[]): number {
  const start = insns[0].off;
  let last = -1;
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n];
    if (i.op === Op.BL && i.off + i.a === start) return -1;
    if (i.op >= Op.B && i.op <= Op.TBNZ && i.op !== Op.BL && i.off + i.a === start) last = i.off;
  }
  return last < 0 ? -1 : last + 4;
}

/** Whether page offset `t` (an instruction's plus a branch's displacement) lies in the page. */
function inPage(t: number): boolean {
  return t >= 0 && t < 0x1000;
}

/**
 * Page offsets control goes to from a segment (scanBlock's instructions) that its own structure
 * (nesting()) does not hold: the return address of a call into the page (its callee's RET comes
 * back there), then the targets of direct branches that would leave it.
 */
export function segmentEntries(insns: Insn[]): number[] {
  const start = insns[0].off;
  const { loops, blocks } = nesting(insns);
  const out: number[] = [];
  for (const i of insns) if (i.op === Op.BL && inPage(i.off + i.a) && inPage(i.off + 4)) out.push(i.off + 4);
  for (const i of insns) {
    if (i.op < Op.B || i.op > Op.TBNZ) continue;
    const to = i.off + i.a;
    const inside = to === start || (to <= i.off && loops.has(to)) || (to > i.off && blocks.has(to));
    if (!inside && inPage(to)) out.push(to);
  }
  return out;
}

/** A region ready to compile: its first segment's instructions, all its instructions (page order), and its source. */
export interface ScannedRegion {
  insns: Insn[];
  all: Insn[];
  /** The segments' entries (page offsets), the region's first. */
  entries: number[];
  source: string;
}

/**
 * scanSegments, with the last segments left out while the region's source exceeds MAX_SOURCE,
 * then the instruction bound halved (the first segment alone still too large); with that source.
 */
export function scanRegion(cpu: A64Cpu, code: Int32Array, idx: number): ScannedRegion {
  for (let max = MAX_BLOCK; ; max >>= 1) {
    const all = scanSegments(cpu, code, idx, max);
    if (all.length === 0) return { insns: [], all: [], entries: [], source: '' };
    for (let k = all.length; k >= 1; k--) {
      const segments = all.slice(0, k);
      const source = generateRegion(segments);
      if (source.length <= MAX_SOURCE || (k === 1 && max <= 8)) return { insns: segments[0], all: segments.flat(), entries: segments.map((sg) => sg[0].off), source };
    }
  }
}

/** The slots the region's code comes from, as [first, end) pairs (CodeCache.store): a store elsewhere keeps it. */
export function coverage(insns: Insn[]): number[] {
  const slots = [...new Set(insns.map((i) => i.off >>> 2))].sort((x, y) => x - y);
  const cover: number[] = [];
  for (const slot of slots) {
    if (cover.length > 0 && cover[cover.length - 1] === slot) cover[cover.length - 1] = slot + 1;
    else cover.push(slot, slot + 1);
  }
  return cover;
}

/**
 * Whether control comes back to the region's entry inside its function (a branch back to its first
 * instruction, from any of its segments: pass them all, the first segment first): it heads a guest
 * loop. A region entered elsewhere in a loop waits for HOT_THRESHOLD.
 */
export function loopsOnItself(insns: Insn[]): boolean {
  const start = insns[0].off;
  return insns.some((i) => i.op >= Op.B && i.op <= Op.TBNZ && i.off + i.a === start);
}

/** Whether the region runs on past its page's last instruction (into the next page: its code goes on there). */
export function runsOffPage(insns: Insn[]): boolean {
  return insns.some((i) => i.off === 0xffc && (!isBranch(i.op) || (i.op >= Op.BCOND && i.op <= Op.TBNZ)));
}

/**
 * Whether a direct branch the interpreter has already run (a decoded slot) further on in the page
 * goes back to `idx`: the head of a guest loop, however long its body (one longer than a region,
 * as an unrolled loop, is not seen by loopsOnItself).
 */
export function headsLoop(code: Int32Array, idx: number): boolean {
  for (let i = idx + 4; i < 0x1000; i += 4) {
    const op = code[i] & 0xff;
    if (code[i] !== 0 && op >= Op.B && op <= Op.TBNZ && op !== Op.BL && i + code[i + 1] === idx) return true;
  }
  return false;
}

/**
 * The nested structure of a region's function (generate): the guest loops that become
 * `lH: for (;;)` (head H -> offset of its last branch back to H) and the labeled blocks that
 * forward branches leave (target T -> offset where the block opens). A branch back to the first
 * instruction continues the region's own loop. A loop that crosses another, or that a forward
 * branch enters other than at its head, is not made: its branches back leave the region.
 */
export function nesting(insns: Insn[], withLoops = true): { loops: Map<number, number>; blocks: Map<number, number> } {
  const start = insns[0].off;
  const offs = NESTING_OFFS;
  offs.clear();
  for (let n = 0; n < insns.length; n++) offs.add(insns[n].off);
  const jumps: Insn[] = [];
  for (let n = 0; n < insns.length; n++) {
    const i = insns[n];
    if (i.op >= Op.B && i.op <= Op.TBNZ && offs.has(i.off + i.a)) jumps.push(i);
  }
  const candidates = new Map<number, number>();
  for (const j of jumps) {
    const t = j.off + j.a;
    if (j.a <= 0 && t !== start) candidates.set(t, Math.max(candidates.get(t) ?? 0, j.off));
  }
  const loops = new Map<number, number>();
  const within = (x: number, h: number, e: number) => x >= h && x <= e;
  for (const [h, e] of [...candidates].sort((x, y) => x[0] - y[0] || y[1] - x[1])) {
    const crosses = [...loops].some(([h2, e2]) => !(e2 < h || e < h2 || (h2 <= h && e <= e2) || (h <= h2 && e2 <= e)));
    const entered = jumps.some((j) => j.a > 0 && !within(j.off, h, e) && j.off + j.a > h && j.off + j.a <= e);
    if (withLoops && !crosses && !entered) loops.set(h, e);
  }
  const blocks = new Map<number, number>();
  for (const j of jumps) {
    const t = j.off + j.a;
    if (j.a <= 0) continue;
    // Opens just before the outermost loop the branch leaves (its head - 1), else inside the
    // innermost loop holding both ends (its head), else at the top.
    let outer = -1;
    let inner = start;
    for (const [h, e] of loops) {
      if (!within(j.off, h, e)) continue;
      if (t > e) outer = outer < 0 || h < outer ? h : outer;
      else if (h > inner) inner = h;
    }
    const open = outer >= 0 ? outer - 1 : inner;
    blocks.set(t, Math.min(blocks.get(t) ?? open, open));
  }
  // Blocks opened at different places may cross: open the later one with the earlier.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [t1, p1] of blocks)
      for (const [t2, p2] of blocks)
        if (p1 < p2 && p2 < t1 && t1 < t2) {
          blocks.set(t2, p1);
          changed = true;
        }
  }
  if (loops.size > 0 && !nests(loops, blocks)) return nesting(insns, false);
  return { loops, blocks };
}

/** nesting()'s set of the region's offsets, reused (filled again by its call without loops). */
const NESTING_OFFS = new SlotMarks();

/**
 * How many of a region's instructions (a segment: scanBlock's) lie in guest loops nested in it
 * whose head is already a translated region's entry (`translated`): they run in translated code
 * now, and a region here would translate them again (an outer loop around a hot inner one).
 */
export function retranslated(insns: Insn[], translated: (off: number) => boolean): number {
  // Called at each of a hot entry's waits: no nesting() (its Sets and Maps) without a branch back
  // to an inner head that is translated, the only way it finds such a loop (arm64 Linux boot:
  // nesting() allocated about 2.6 MB in 2 s of the boot when any branch back called it).
  const start = insns[0].off;
  let back = false;
  for (let k = 0; k < insns.length && !back; k++) {
    const i = insns[k];
    back = i.op >= Op.B && i.op <= Op.TBNZ && i.a <= 0 && i.off + i.a !== start && translated(i.off + i.a);
  }
  return back ? inTranslatedLoops(insns, translated) : 0;
}

/**
 * retranslated()'s count once a translated inner head is found. A function of its own: its closures
 * capture `insns` and `translated`, which makes V8 allocate a context at each call of the function
 * holding them (retranslated() itself would allocate at every wait).
 */
function inTranslatedLoops(insns: Insn[], translated: (off: number) => boolean): number {
  const { loops } = nesting(insns);
  if (loops.size === 0) return 0;
  const inner = [...loops].filter(([h]) => h !== insns[0].off && translated(h));
  let n = 0;
  for (const i of insns) if (inner.some(([h, e]) => i.off >= h && i.off <= e)) n++;
  return n;
}

/** Page offsets where the region leaves by running on into code it does not hold. */
export function fallThroughExits(insns: Insn[]): number[] {
  const offs = new Set(insns.map((i) => i.off));
  const out: number[] = [];
  const loopExit = loopEnd(insns);
  for (const i of insns) {
    const fallsThrough = !isBranch(i.op) || (i.op >= Op.BCOND && i.op <= Op.TBNZ);
    if (fallsThrough && !offs.has(i.off + 4) && i.off + 4 < 0x1000 && i.off + 4 !== loopExit && !closesOuterLoop(i, insns[0].off)) out.push(i.off + 4);
  }
  return out;
}

/** Translates a scanned region (not empty) into one block per segment entry, bound to `cpu`, the region's entry first. */
export function compileRegion(cpu: A64Cpu, kit: JitKit, region: ScannedRegion): Block[] {
  const fn = kit.factory<(cpu: A64Cpu, h: typeof HELPERS) => BlockFn>(FACTORY_PARAMS, region.source)(cpu, HELPERS);
  // A pass through a segment runs each instruction at most once (forward jumps only): the
  // region's length bounds a pass.
  return region.entries.map((_, j) => new Block(fn, region.all.length, j));
}

const TWO32 = '4294967296';
/** `nx` of an exit that set `cpu.npcLo`/`npcHi` itself (BR, BLR, RET): no page offset is this large. */
const NX_SET = 0x40000000;
const FN = '-2147483648';
const FZ = '0x40000000';
const FC = '0x20000000';
const FV = '0x10000000';

/** ConditionHolds (alu.ts) on the flags local `f`, as a JS expression. */
function condition(cond: number): string {
  let r: string;
  switch (cond >>> 1) {
    case 0:
      r = `(f & ${FZ}) !== 0`;
      break;
    case 1:
      r = `(f & ${FC}) !== 0`;
      break;
    case 2:
      r = `(f & ${FN}) !== 0`;
      break;
    case 3:
      r = `(f & ${FV}) !== 0`;
      break;
    case 4:
      r = `((f & ${FC}) !== 0 && (f & ${FZ}) === 0)`;
      break;
    case 5:
      r = `(((f & ${FN}) === 0) === ((f & ${FV}) === 0))`;
      break;
    case 6:
      r = `((((f & ${FN}) === 0) === ((f & ${FV}) === 0)) && (f & ${FZ}) === 0)`;
      break;
    default:
      return 'true';
  }
  return (cond & 1) !== 0 ? `!(${r})` : r;
}

/**
 * Whether the loops and blocks of nesting() nest properly, as generate() opens and closes them: a
 * block opened at a loop's head - 1 opens just before the loop, one at the head just inside it,
 * and blocks close (before their target) ahead of what opens there.
 */
function nests(loops: Map<number, number>, blocks: Map<number, number>): boolean {
  const spans: Array<[number, number]> = [];
  for (const [h, e] of loops) spans.push([h - 0.25, e + 1]);
  for (const [t, p] of blocks) spans.push([(p & 3) === 3 ? p + 0.5 : p, t - 0.5]);
  return spans.every(([a, b]) => spans.every(([c, d]) => b <= c || d <= a || (a <= c && d <= b) || (c <= a && b <= d)));
}

/**
 * ConditionHolds for cond `cond` right after a flag-setting instruction of kind `k` (its operands in
 * fa-fd), as a direct comparison; null where that is not simpler than computing NZCV.
 */
export function lazyCondition(k: FlagKind, cond: number): string | null {
  const c3 = cond >>> 1;
  if (c3 === 7) return 'true';
  let r: string | null = null;
  switch (k) {
    case FlagKind.SUB32:
      r = ['fa === fb', '(fa >>> 0) >= (fb >>> 0)', '((fa - fb) | 0) < 0', '((fa ^ fb) & (fa ^ ((fa - fb) | 0))) < 0', '(fa >>> 0) > (fb >>> 0)', 'fa >= fb', 'fa > fb'][c3];
      break;
    case FlagKind.SUB64:
      // Every part evaluated on every pass: a part that runs only once the high words differ (or
      // the low words are equal: a loop's last pass) would have no type feedback when V8 optimizes
      // the loop, and deoptimize it there. a >= b when the high words' difference less the low
      // words' borrow is >= 0 (exact in doubles); a > b when not b >= a.
      r = [
        '((fa ^ fb) | (fc ^ fd)) === 0',
        '(fc >>> 0) - (fd >>> 0) - ((fa >>> 0) < (fb >>> 0) ? 1 : 0) >= 0',
        null,
        null,
        '(fd >>> 0) - (fc >>> 0) - ((fb >>> 0) < (fa >>> 0) ? 1 : 0) < 0',
        'fc - fd - ((fa >>> 0) < (fb >>> 0) ? 1 : 0) >= 0',
        'fd - fc - ((fb >>> 0) < (fa >>> 0) ? 1 : 0) < 0',
      ][c3];
      break;
    case FlagKind.LOGIC32:
      r = ['fa === 0', 'false', 'fa < 0', 'false', 'false', 'fa >= 0', 'fa > 0'][c3];
      break;
    case FlagKind.LOGIC64:
      r = ['(fa | fc) === 0', 'false', 'fc < 0', 'false', 'false', 'fc >= 0', '(fc > 0 || (fc === 0 && fa !== 0))'][c3];
      break;
    case FlagKind.ADD32:
      r = c3 === 0 ? '((fa + fb) | 0) === 0' : c3 === 2 ? '((fa + fb) | 0) < 0' : null;
      break;
    default:
      break;
  }
  if (r === null) return null;
  return (cond & 1) !== 0 ? `!(${r})` : `(${r})`;
}

/**
 * JavaScript source of the region function (exported for tests and debugging). Structured as V8
 * likes it (nesting()): the instructions in page order inside `region: for (;;) { ... }`; a
 * forward branch to T is `break tT` out of a labeled block that ends just before T, a guest loop
 * with head H is `lH: for (;;) { ... }` and a branch back to H `continue lH` (to the start:
 * `continue region`) once the budget allows another pass (a run between two such checks goes
 * forward only: at most `len` instructions), anything else leaves. `steps` counts the
 * instructions done; `p` in the generator counts those not yet added to it.
 */
export function generate(insns: Insn[]): string {
  return generateRegion([insns]);
}

/**
 * JavaScript source of a region of several segments (scanSegments): each is generate()'s code for
 * its instructions, a `case` of `switch (seg)` inside `region: for (;;)`. A direct branch, BR, BLR
 * or RET to another segment's entry sets `seg` and continues `region` once the budget allows the
 * longest run to the next such check (the region's length, as for a guest loop); so a recursive
 * function's calls and returns stay in the function.
 */
export function generateRegion(segments: Insn[][]): string {
  const multi = segments.length > 1;
  const entries = new Map(segments.map((sg, j) => [sg[0].off, j]));
  const first = segments[0][0].off;
  const len = segments.reduce((n, sg) => n + sg.length, 0);
  let start = first;
  let offs = new Set<number>();
  let loops = new Map<number, number>();
  let blocks = new Map<number, number>();
  /** Open labeled statements, innermost last: [label, the offset before which it closes]. */
  const open: Array<[string, number]> = [];
  const regs = new Set<number>();
  let flagsUsed = false;
  // Register locals are l<n>/h<n>: temporaries never end in a digit.
  const L = (r: number) => (r === REG_ZR ? '0' : (regs.add(r), `l${r}`));
  const Hi = (r: number) => (r === REG_ZR ? '0' : (regs.add(r), `h${r}`));
  /** Statements setting register `r` from the JS expressions `lo`, `hi` (evaluated first). */
  // Nothing for the XZR sink (33): never read, so a compare (SUBS to it) computes no difference.
  const set = (r: number, lo: string, hi: string) => (r === REG_SINK ? '' : `${L(r)} = ${lo}; ${Hi(r)} = ${hi};`);
  const npc = (lo: string, hi: string) => `cpu.npcLo = ${lo}; cpu.npcHi = ${hi};`;
  /**
   * Leaves with `steps` + `done` steps and the next pc at page offset `off` (of any distance: the
   * epilogue carries into or borrows from pcHi), or set already (`nx` = NX_SET).
   */
  // Every exit goes through one epilogue (write-back, next pc, return) after the loop: a region's
  // size must stay small enough for V8 to optimize it. Exits assign constants only: an exit first
  // taken after V8 optimized the function (a budget end, a fault) has no operation without type
  // feedback that would deoptimize it.
  const leave = (done: number) => `ret = ${done}; break region;`;
  const exitTo = (off: number, done: number) => `{ nx = ${off}; ${leave(done)} }`;
  let p = 0;
  /** The flags' form at this point of the generated code, when known statically (-1: ask `fk`). */
  let known: FlagKind | -1 = FlagKind.NZCV;
  /** Statements, then an expression: ConditionHolds(cond) at this point. */
  const cond = (cc: number): [string, string] => {
    flagsUsed = true;
    if (cc >>> 1 === 7) return ['', 'true'];
    if (known > 0) {
      const e = lazyCondition(known as FlagKind, cc);
      if (e !== null) return ['', e];
    }
    const pre = known === FlagKind.NZCV ? '' : 'if (fk !== 0) { f = H.nzcvOf(fk, f, fa, fb, fc, fd); fk = 0; }';
    known = FlagKind.NZCV;
    return [pre, condition(cc)];
  };
  /** Records a flag-setting result of kind `k` from the operands (JS expressions) a-d. */
  const setFlags = (k: FlagKind, ...ops: string[]) => {
    flagsUsed = true;
    known = k;
    return `fk = ${k}; ` + ops.map((o, j) => `f${'abcd'[j]} = ${o};`).join(' ');
  };

  /** Control goes on at segment entry `to` after `done` more steps, the budget allowing. */
  const transfer = (to: number, done: number) => `{ steps += ${done}; if (steps + ${len} > maxSteps) ${exitTo(to, 0)} seg = ${entries.get(to)}; continue region; }`;

  const out: string[] = [];
  segments.forEach((insns, j) => {
  start = insns[0].off;
  offs = new Set(insns.map((i) => i.off));
  ({ loops, blocks } = nesting(insns));
  p = 0;
  if (multi) out.push(`case ${j}: {`);
  insns.forEach((ins, k) => {
    const { op, rd, rn, rm, sf, a, b, c, off } = ins;
    // Close the blocks that end here (forward branches arrive) and the loops that ended before;
    // open the blocks and the loop that start here, outermost first.
    const opening: Array<[string, number]> = [];
    const blocksAt = (at: number) => [...blocks].filter(([, o]) => o === at).sort((x, y) => y[0] - x[0]);
    for (const [t] of blocksAt(off - 1)) opening.push([`t${t}`, t]);
    if (loops.has(off)) opening.push([`l${off}`, loops.get(off)! + 1]);
    for (const [t] of blocksAt(off)) opening.push([`t${t}`, t]);
    const closing = open.length > 0 && open[open.length - 1][1] <= off;
    if (closing || opening.length > 0 || k === 0) {
      if (p > 0) out.push(`steps += ${p};`);
      p = 0;
      known = -1; // a join (or the region's head, reached again by `continue region`)
    }
    while (open.length > 0 && open[open.length - 1][1] <= off) {
      const [label] = open.pop()!;
      out.push(label[0] === 'l' ? `break ${label}; }` : '}');
    }
    if (open.some(([, end]) => end <= off)) throw new Error('aarch64 jit: regions nest badly');
    for (const [label, end] of opening) {
      out.push(label[0] === 'l' ? `${label}: for (;;) {` : `${label}: {`);
      open.push([label, end]);
    }
    /** The steps done before this instruction (`cpu.inflight` for a slow path). */
    const inflight = `n0 + steps + ${p}`;
    /** After this instruction faulted: earlier instructions' registers kept, pc at it. */
    const trapExit = exitTo(off, p + 1);
    /** After this instruction completed. */
    const doneExit = exitTo(off + 4, p + 1);
    /**
     * (al, ah) + or - (bl, bh) into rd in int32 arithmetic (the carry or borrow of the low words from
     * an unsigned comparison), flags recorded lazily when `setf` (AddWithCarry, alu.ts).
     */
    const addc = (al: string, ah: string, bl: string, bh: string, sub: boolean, setf: boolean): string => {
      const o = sub ? '-' : '+';
      if (sf === 0) {
        const flags = setf ? setFlags(sub ? FlagKind.SUB32 : FlagKind.ADD32, 'pa', 'pb') : '';
        if (rd === REG_SINK) return `{ const pa = ${al}, pb = ${bl}; ${flags} }`;
        return `{ const pa = ${al}, pb = ${bl}; const r = (pa ${o} pb) | 0; ${flags} ${set(rd, 'r', '0')} }`;
      }
      const carry = sub ? '((pa >>> 0) < (pb >>> 0) ? 1 : 0)' : '((rl >>> 0) < (pa >>> 0) ? 1 : 0)';
      const flags = setf ? setFlags(sub ? FlagKind.SUB64 : FlagKind.ADD64, 'pa', 'pb', 'qa', 'qb') : '';
      if (rd === REG_SINK) return `{ const pa = ${al}, pb = ${bl}, qa = ${ah}, qb = ${bh}; ${flags} }`;
      return `{ const pa = ${al}, pb = ${bl}, qa = ${ah}, qb = ${bh}; const rl = (pa ${o} pb) | 0; const rh = (qa ${o} qb ${o} ${carry}) | 0; ${flags} ${set(rd, 'rl', 'rh')} }`;
    };
    /** `const ml, mh` = ShiftReg(rm) (alu.ts). */
    const shifted = (type: number, amount: number) => {
      if (amount === 0) return `const ml = ${L(rm)}, mh = ${sf ? Hi(rm) : '0'};`;
      if (sf === 0) {
        const e = type === 0 ? `${L(rm)} << ${amount}` : type === 1 ? `(${L(rm)} >>> ${amount}) | 0` : type === 2 ? `${L(rm)} >> ${amount}` : `(${L(rm)} >>> ${amount}) | (${L(rm)} << ${32 - amount})`;
        return `const ml = ${e}, mh = 0;`;
      }
      return shift64(L(rm), Hi(rm), type, amount);
    };
    const logicFlags = (l: string, h: string) => (sf === 0 ? setFlags(FlagKind.LOGIC32, l) : setFlags(FlagKind.LOGIC64, l, '0', h));
    /** A branch taken when `cond` holds, to pc + a; conditional ones fall through otherwise. */
    const branch = (test: string, conditional: boolean): string => {
      const to = off + a;
      const again = (label: string) => `{ steps += ${p + 1}; if (steps + ${len} > maxSteps) ${exitTo(to, 0)} continue ${label}; }`;
      const taken =
        to === start
          ? again('region')
          : to <= off && loops.has(to)
          ? again(`l${to}`)
          : to > off && blocks.has(to)
            ? `{ steps += ${p + 1}; break t${to}; }`
            : entries.has(to)
              ? transfer(to, p + 1)
              : exitTo(to, p + 1);
      if (!conditional) return taken;
      return `if (${test}) ${taken}`;
    };

    switch (op) {
      case Op.NOP:
        break;
      case Op.ADDI:
        // 32-bit forms stay in int32 arithmetic (no carry out is needed).
        if (sf === 0) out.push(set(rd, `(${L(rn)} + ${a}) | 0`, '0'));
        else out.push(`{ const pa = ${L(rn)}; const rl = (pa + ${a}) | 0; const rh = (${Hi(rn)} + ${b} + ((rl >>> 0) < (pa >>> 0) ? 1 : 0)) | 0; ${set(rd, 'rl', 'rh')} }`);
        break;
      case Op.ADDSI:
        // SUBS: a, b = ~imm, -1 with carry in c = 1 (decode.ts).
        out.push(c === 1 ? addc(L(rn), Hi(rn), `${~a}`, `${~b}`, true, true) : addc(L(rn), Hi(rn), `${a}`, `${b}`, false, true));
        break;
      // Each result word from the same word of the source: set directly (no temporaries).
      case Op.ANDI:
        out.push(set(rd, `${L(rn)} & ${a}`, sf && b !== 0 ? `${Hi(rn)} & ${b}` : '0'));
        break;
      case Op.ORRI:
        out.push(set(rd, `${L(rn)} | ${a}`, sf ? `${Hi(rn)} | ${b}` : '0'));
        break;
      case Op.EORI:
        out.push(set(rd, `${L(rn)} ^ ${a}`, sf ? `${Hi(rn)} ^ ${b}` : '0'));
        break;
      case Op.ANDSI:
        out.push(`{ const l = ${L(rn)} & ${a}, h = ${Hi(rn)} & ${b}; ${logicFlags('l', 'h')} ${set(rd, 'l', 'h')} }`);
        break;
      case Op.MOVI:
        out.push(set(rd, `${a}`, `${b}`));
        break;
      case Op.MOVK:
        if (c < 32) out.push(`${L(rd)} = (${L(rd)} & ${~(0xffff << c)}) | ${a << c};`);
        else out.push(`${Hi(rd)} = (${Hi(rd)} & ${~(0xffff << (c - 32))}) | ${a << (c - 32)};`);
        if (sf === 0) out.push(`${Hi(rd)} = 0;`);
        break;
      case Op.ADR:
      case Op.ADRP: {
        const base = op === Op.ADRP ? 'pg' : `((pg + ${off}) | 0)`;
        out.push(`{ const pa = ${base}; const rl = (pa + ${a}) | 0; ${set(rd, 'rl', `(pcHi + ${b} + ((rl >>> 0) < (pa >>> 0) ? 1 : 0)) | 0`)} }`);
        break;
      }
      case Op.SHIFTI:
        if (sf === 0) out.push(set(rd, shift32(L(rn), c & 3, c >>> 2), '0'));
        else out.push(`{ ${shiftedFor(rn, c & 3, c >>> 2, sf, L, Hi)} ${set(rd, 'ml', 'mh')} }`);
        break;
      case Op.MOVR:
        out.push(set(rd, L(rn), sf ? Hi(rn) : '0'));
        break;
      case Op.ADDSUB_SH: {
        // 32-bit ADD/SUB without flags: one int32 expression.
        if (sf === 0 && (c & 0x200) === 0) out.push(set(rd, `(${L(rn)} ${c & 0x100 ? '-' : '+'} ${shift32(L(rm), c & 3, (c >>> 2) & 63)}) | 0`, '0'));
        else out.push(`{ ${shifted(c & 3, (c >>> 2) & 63)} ${addc(L(rn), Hi(rn), 'ml', 'mh', (c & 0x100) !== 0, (c & 0x200) !== 0)} }`);
        break;
      }
      case Op.ADDSUB_EXT: {
        out.push(`{ ${extended(L(rm), Hi(rm), c & 7, (c >>> 3) & 7, 'el', 'eh')} ${addc(L(rn), Hi(rn), 'el', 'eh', (c & 0x100) !== 0, (c & 0x200) !== 0)} }`);
        break;
      }
      case Op.LOGIC_SH: {
        const inv = c & 0x400 ? '~' : '';
        const opc = (c >>> 8) & 3;
        const jsOp = opc === 1 ? '|' : opc === 2 ? '^' : '&';
        const amount = (c >>> 2) & 63;
        // Without flags, 32-bit or unshifted: each result word from the same words of the sources.
        if (opc !== 3 && sf === 0) out.push(set(rd, `${L(rn)} ${jsOp} ${inv}(${shift32(L(rm), c & 3, amount)})`, '0'));
        else if (opc !== 3 && amount === 0) out.push(set(rd, `${L(rn)} ${jsOp} ${inv}${L(rm)}`, `${Hi(rn)} ${jsOp} ${inv}${Hi(rm)}`));
        else {
          const h = sf ? `${Hi(rn)} ${jsOp} ${inv}mh` : '0';
          out.push(`{ ${shifted(c & 3, amount)} const l = ${L(rn)} ${jsOp} ${inv}ml, h = ${h}; ${opc === 3 ? logicFlags('l', 'h') : ''} ${set(rd, 'l', 'h')} }`);
        }
        break;
      }
      case Op.CSEL: {
        const [pre, test] = cond(c & 15);
        const kind = c >>> 4;
        let other = `let l = ${L(rm)}, h = ${sf ? Hi(rm) : '0'};`;
        if (kind === 1) other += ' l = (l + 1) | 0; if (l === 0) h = (h + 1) | 0;';
        else if (kind >= 2) {
          other += ' l = ~l; h = ~h;';
          if (kind === 3) other += ' l = (l + 1) | 0; if (l === 0) h = (h + 1) | 0;';
        }
        out.push(`${pre} if (${test}) { const l = ${L(rn)}, h = ${sf ? Hi(rn) : '0'}; ${set(rd, 'l', 'h')} } else { ${other} ${set(rd, 'l', sf ? 'h' : '0')} }`);
        break;
      }
      case Op.DP3:
        // MADD/MSUB (32-bit) and SMADDL/SMSUBL/UMADDL/UMSUBL (SMULL, UMULL: compilers' division by
        // a constant) inline; the others in the interpreter's dataProc3, on the values.
        if (sf === 0 && c <= 1) out.push(`{ const r = (${L(a)} ${c === 0 ? '+' : '-'} Math.imul(${L(rn)}, ${L(rm)})) | 0; ${set(rd, 'r', '0')} }`);
        else if (c === 2 || c === 3 || c === 10 || c === 11) out.push(`{ ${mulLong(L(rn), L(rm), c < 10, a === REG_ZR ? null : [L(a), Hi(a)], (c & 1) !== 0)} ${set(rd, 'rl', 'rh')} }`);
        else out.push(`{ H.dataProc3(${L(rn)}, ${Hi(rn)}, ${L(rm)}, ${Hi(rm)}, ${L(a)}, ${Hi(a)}, ${c}, ${sf}); const l = R[0], h = ${sf ? 'R[1]' : '0'}; ${set(rd, 'l', 'h')} }`);
        break;
      case Op.DP2: {
        // 32-bit UDIV, SDIV and shifts inline (dataProc2, dataproc.ts: x / 0 = 0, INT32_MIN / -1 = INT32_MIN).
        const n = L(rn);
        const m = L(rm);
        const e =
          sf !== 0 ? null
          : c === 2 ? `${m} === 0 ? 0 : ((${n} >>> 0) / (${m} >>> 0)) | 0`
          : c === 3 ? `${m} === 0 ? 0 : (${n} / ${m}) | 0`
          : c === 8 ? `${n} << (${m} & 31)`
          : c === 9 ? `(${n} >>> (${m} & 31)) | 0`
          : c === 10 ? `${n} >> (${m} & 31)`
          : null;
        if (e !== null) out.push(`{ const r = ${e}; ${set(rd, 'r', '0')} }`);
        else out.push(`{ H.dataProc2(${n}, ${Hi(rn)}, ${m}, ${Hi(rm)}, ${c}, ${sf}); const l = R[0], h = ${sf ? 'R[1]' : '0'}; ${set(rd, 'l', 'h')} }`);
        break;
      }
      case Op.DP1:
        out.push(`{ H.dataProc1(${L(rn)}, ${sf ? Hi(rn) : '0'}, ${c}, ${sf}); const l = R[0], h = ${sf ? 'R[1]' : '0'}; ${set(rd, 'l', 'h')} }`);
        break;
      case Op.CCMP: {
        // c: cond | nzcv << 4 | ccmp << 8 | immediate << 9 (executeDataProc): the compare's flags
        // recorded lazily, or the immediate NZCV.
        const [pre, test] = cond(c & 15);
        const sub = (c & 0x100) !== 0;
        const ml = c & 0x200 ? `${a}` : L(rm);
        const mh = c & 0x200 ? '0' : Hi(rm);
        const k = sf ? (sub ? FlagKind.SUB64 : FlagKind.ADD64) : sub ? FlagKind.SUB32 : FlagKind.ADD32;
        const ops = sf ? `fa = ${L(rn)}; fb = ${ml}; fc = ${Hi(rn)}; fd = ${mh};` : `fa = ${L(rn)}; fb = ${ml};`;
        out.push(`${pre} if (${test}) { fk = ${k}; ${ops} } else { f = ${((c >>> 4) & 15) << 28}; fk = 0; }`);
        known = -1;
        break;
      }
      case Op.BFM:
      case Op.EXTR:
      case Op.ADC: {
        // The interpreter's own code on the registers it reads, written back; then Rd (and NZCV:
        // ADC reads and may set them) reloaded.
        const reads = new Set([rd, rn, rm]);
        reads.delete(REG_ZR);
        const put = [...reads].map((r) => `xl[${r}] = ${L(r)}; xh[${r}] = ${Hi(r)};`).join(' ');
        const call = `H.executeDataProc(cpu, ${ins.info}, ${a}, ${b}, ${c}); ${L(rd)} = xl[${rd}]; ${Hi(rd)} = xh[${rd}];`;
        if (op !== Op.ADC) out.push(`${put} ${call}`);
        else {
          flagsUsed = true;
          known = FlagKind.NZCV;
          out.push(`${put} cpu.nzcv = H.nzcvOf(fk, f, fa, fb, fc, fd); ${call} f = cpu.nzcv; fk = 0;`);
        }
        break;
      }
      case Op.LOAD:
      case Op.STORE:
        out.push(loadStore(ins, L, Hi, inflight, trapExit, doneExit, `pg + ${off}`));
        break;
      case Op.LDP:
      case Op.STP:
        out.push(loadStorePair(ins, L, Hi, inflight, trapExit, doneExit, `pg + ${off}`));
        break;
      case Op.B:
        out.push(branch('true', false));
        break;
      case Op.BL:
        out.push(`{ const nl = (pg + ${off + 4}) | 0; ${set(30, 'nl', 'nl === 0 ? (pcHi + 1) | 0 : pcHi')} }`);
        out.push(branch('true', false));
        break;
      case Op.BCOND: {
        const [pre, test] = cond(c);
        out.push(`${pre} ${branch(test, true)}`);
        break;
      }
      case Op.CBZ:
      case Op.CBNZ: {
        const zero = `(${L(rn)} | ${sf ? Hi(rn) : '0'}) === 0`;
        out.push(branch(op === Op.CBZ ? zero : `!(${zero})`, true));
        break;
      }
      case Op.TBZ:
      case Op.TBNZ: {
        const bit = c < 32 ? `(${L(rn)} >>> ${c}) & 1` : `(${Hi(rn)} >>> ${c - 32}) & 1`;
        out.push(branch(`(${bit}) ${op === Op.TBZ ? '===' : '!=='} 0`, true));
        break;
      }
      case Op.BR:
      case Op.BLR:
      case Op.RET: {
        // The target is read before BLR writes X30 (BLR X30 branches to the old value).
        let s = `{ const tl = ${L(rn)}, th = ${Hi(rn)};`;
        if (op === Op.BLR) s += ` const nl = (pg + ${off + 4}) | 0; ${set(30, 'nl', 'nl === 0 ? (pcHi + 1) | 0 : pcHi')}`;
        // To a segment's entry in this page (so the same code): go on there.
        if (multi) s += ` if (th === pcHi && (tl & -4096) === pg) switch (tl & 4095) { ${[...entries.keys()].map((e) => `case ${e}: ${transfer(e, p + 1)}`).join(' ')} }`;
        out.push(`${s} ${npc('tl', 'th')} nx = ${NX_SET}; } ${leave(p + 1)}`);
        break;
      }
      default:
        throw new Error(`aarch64 jit: cannot translate op ${op}`);
    }
    // A conditional branch not taken goes on like any other instruction.
    const fallsThrough = !isBranch(op) || (op >= Op.BCOND && op <= Op.TBNZ);
    if (!fallsThrough) p = 0;
    else {
      p++;
      // The run ends here (the next instruction is not translated, or another page's): leave; at
      // another segment's entry (scanSegments' stops), go on there.
      if (!offs.has(off + 4)) out.push(multi && entries.has(off + 4) ? transfer(off + 4, p) : exitTo(off + 4, p));
    }
  });
  for (; open.length > 0; open.pop()) out.push('}');
  if (multi) out.push('}');
  });

  // Write back only the register halves and flags the block assigns (found in its source), and
  // never the XZR sink (33): its value is never read as a register.
  const list = [...regs].sort((x, y) => x - y);
  const source = out.join('\n');
  const assigned = new Set(Array.from(source.matchAll(/\b([lh]\d+) = /g), (m) => m[1]));
  const halves = list.flatMap((r) => [`l${r}`, `h${r}`]).filter((v) => assigned.has(v) && v !== 'l33' && v !== 'h33');
  const flagsWritten = /\bfk = /.test(source);
  const wb = halves.map((v) => `x${v[0]}[${v.slice(1)}] = ${v};`).join(' ') + (flagsWritten ? ' cpu.nzcv = H.nzcvOf(fk, f, fa, fb, fc, fd);' : '');
  const head = [
    '"use strict";',
    'const R = H.R, MV = H.MV, PV = H.PV, xl = cpu.xl, xh = cpu.xh, i32 = cpu.ramI32, u16 = cpu.ramU16, u8 = cpu.ramU8, flags = cpu.pageFlags, ramBase = cpu.ramBase;',
    'const tlb = cpu.tlb, tlbLo = tlb.tagLo, tlbHi = tlb.tagHi, tlbPerm = tlb.perm, tlbRam = tlb.ram;',
    // Named by its first instruction's page offset and size (profiles, --trace-deopt).
    `return function region_${first.toString(16)}_${len}(pcLo, pcHi, n0, maxSteps, seg0) {`,
    '  const pg = pcLo & -4096;',
    // The fast-path permission bits depend on the EL, the MMU on the regime: read them on entry.
    '  const mmuOff = cpu.mmuOff, fastRead = tlb.fastRead, fastWrite = tlb.fastWrite, ramSize = cpu.ramFastLimit;',
  ];
  if (list.length > 0) head.push(`  let ${list.map((r) => (r === 33 ? 'l33 = 0, h33 = 0' : `l${r} = xl[${r}], h${r} = xh[${r}]`)).join(', ')};`);
  if (flagsUsed) head.push('  let f = cpu.nzcv, fk = 0, fa = 0, fb = 0, fc = 0, fd = 0;');
  head.push(multi ? '  let steps = 0, ret = 0, nx = 0, seg = seg0;' : '  let steps = 0, ret = 0, nx = 0;', '  region: for (;;) {');
  if (multi) head.push('  switch (seg) {');
  const body = out.map((l) => '  ' + l);
  // Every path ends in a leave (break region) or a continue: the loop's end is never reached.
  const next = `if (nx !== ${NX_SET}) { const s = (pg >>> 0) + nx; cpu.npcLo = s | 0; cpu.npcHi = s >= ${TWO32} ? (pcHi + 1) | 0 : s < 0 ? (pcHi - 1) | 0 : pcHi; }`;
  const tail = [...(multi ? ['  }'] : []), '  throw new Error("aarch64 jit: fell off a region");', '  }', `  ${wb}`, `  ${next}`, '  return steps + ret;', '};'];
  return [...head, ...body, ...tail].join('\n');
}

/**
 * `const rl, rh` = the 64-bit product of the 32-bit words `n`, `m` (signed or unsigned: u64.ts's
 * smull32/umull32), added to or subtracted from `acc` (low, high words; null: zero). The
 * unsigned product's high word from exact double products of 16-bit pieces (each below 2^53).
 */
function mulLong(n: string, m: string, signed: boolean, acc: [string, string] | null, sub: boolean): string {
  let s =
    `const pn = ${n}, pm = ${m}; const un = pn >>> 0, um = pm >>> 0; const p0 = un * (um & 0xffff), p1 = un * (um >>> 16); ` +
    `const p1h = Math.floor(p1 / 65536); const pl = Math.imul(pn, pm); ` +
    `let ph = (p1h + Math.floor(((p1 - p1h * 65536) * 65536 + p0) / ${TWO32})) | 0;`;
  // signed(n) * signed(m) = unsigned product - 2^32 * ((n < 0 ? m : 0) + (m < 0 ? n : 0)).
  if (signed) s += ' if (pn < 0) ph = (ph - pm) | 0; if (pm < 0) ph = (ph - pn) | 0;';
  if (acc === null && !sub) return `${s} const rl = pl, rh = ph;`;
  const [al, ah] = acc ?? ['0', '0'];
  if (!sub) return `${s} const qa = ${al}; const rl = (qa + pl) | 0; const rh = (${ah} + ph + ((rl >>> 0) < (qa >>> 0) ? 1 : 0)) | 0;`;
  return `${s} const qa = ${al}; const rl = (qa - pl) | 0; const rh = (${ah} - ph - ((qa >>> 0) < (pl >>> 0) ? 1 : 0)) | 0;`;
}

/** ShiftReg (alu.ts) of the 32-bit word `l` (a local) by a constant 0-31, as an int32 expression. */
function shift32(l: string, type: number, amount: number): string {
  if (amount === 0) return l;
  return type === 0 ? `(${l} << ${amount})` : type === 1 ? `((${l} >>> ${amount}) | 0)` : type === 2 ? `(${l} >> ${amount})` : `((${l} >>> ${amount}) | (${l} << ${32 - amount}))`;
}

/** `const ml, mh` = ShiftReg of register `r` (alu.ts), for SHIFTI. */
function shiftedFor(r: number, type: number, amount: number, sf: number, L: (r: number) => string, Hi: (r: number) => string): string {
  if (amount === 0) return `const ml = ${L(r)}, mh = ${sf ? Hi(r) : '0'};`;
  if (sf === 0) {
    const e = type === 0 ? `${L(r)} << ${amount}` : type === 1 ? `(${L(r)} >>> ${amount}) | 0` : `${L(r)} >> ${amount}`;
    return `const ml = ${e}, mh = 0;`;
  }
  return shift64(L(r), Hi(r), type, amount);
}

/**
 * `const ml, mh` = ShiftReg (alu.ts) of the 64-bit register words `l`, `h` (local names) by a
 * constant 1-63, inline: type 0 LSL, 1 LSR, 2 ASR, 3 ROR.
 */
export function shift64(l: string, h: string, type: number, amount: number): string {
  const k = amount & 31;
  const cross = (hi: string, lo: string) => `(${hi} >>> ${k}) | (${lo} << ${32 - k})`;
  let lo: string;
  let hi: string;
  if (amount < 32) {
    if (type === 0) [lo, hi] = [`${l} << ${k}`, `(${h} << ${k}) | (${l} >>> ${32 - k})`];
    else [lo, hi] = [cross(l, h), type === 1 ? `(${h} >>> ${k}) | 0` : type === 2 ? `${h} >> ${k}` : cross(h, l)];
  } else if (k === 0) {
    [lo, hi] = type === 0 ? ['0', l] : type === 1 ? [h, '0'] : type === 2 ? [h, `${h} >> 31`] : [h, l];
  } else if (type === 0) [lo, hi] = ['0', `${l} << ${k}`];
  else if (type === 1) [lo, hi] = [`(${h} >>> ${k}) | 0`, '0'];
  else if (type === 2) [lo, hi] = [`${h} >> ${k}`, `${h} >> 31`];
  else [lo, hi] = [cross(h, l), cross(l, h)];
  return `const ml = ${lo}, mh = ${hi};`;
}

/**
 * `const lo, hi` = ExtendReg (alu.ts) of the register words `l`, `h` with a constant option
 * (UXTB, UXTH, UXTW, UXTX, SXTB, SXTH, SXTW, SXTX) and left shift (0-4), inline.
 */
function extended(l: string, h: string, option: number, shift: number, lo: string, hi: string): string {
  const e = ['(L & 0xff)', '(L & 0xffff)', 'L', 'L', '((L << 24) >> 24)', '((L << 16) >> 16)', 'L', 'L'][option].replace(/L/g, l);
  const eh = option === 3 || option === 7 ? h : option >= 4 ? `(${e} >> 31)` : '0';
  if (shift === 0) return `const ${lo} = ${e}, ${hi} = ${eh};`;
  return `const ${lo}w = ${e}, ${hi}w = ${eh}; const ${lo} = ${lo}w << ${shift}, ${hi} = (${hi}w << ${shift}) | (${lo}w >>> ${32 - shift});`;
}

/**
 * The RAM offset of the address (`vl`, `vh`: JS expressions without side effects, e.g. locals) for
 * an access with permission mask `perm` (as execute.ts), or 2^32 - 1: `let off`.
 */
function ramOffset(vl: string, vh: string, perm: string, extra = ''): string {
  return (
    `let off = 4294967295; if (mmuOff) { if (${vh} === 0) off = (${vl} - ramBase) >>> 0; } ` +
    `else { const e = ((${vl} >>> 12) ^ (${vh} >>> 16)) & ${TLB_MASK}; if (tlbLo[e] === (${vl} & -4096) && tlbHi[e] === ${vh} && (tlbPerm[e] & ${perm}) !== 0${extra}) off = tlbRam[e] + (${vl} & 0xfff); }`
  );
}

/**
 * `const nl, nh` = the base register `rn` plus the offset (`ol`, `oh`: JS expressions) when it is
 * not zero; the names of the sum's words (the base's own locals for a zero offset).
 */
function baseSum(rn: number, ol: string, oh: string, zero: boolean, L: (r: number) => string, Hi: (r: number) => string): [string, string, string] {
  if (zero) return ['', L(rn), Hi(rn)];
  const high = oh === '0' ? Hi(rn) : `${Hi(rn)} + ${oh}`;
  return [`const nl = (${L(rn)} + ${ol}) | 0, nh = (${high} + ((nl >>> 0) < (${L(rn)} >>> 0) ? 1 : 0)) | 0;`, 'nl', 'nh'];
}

/**
 * The slow paths of a region's accesses (the interpreter's, memory.ts), called with the steps
 * done before the access (`cpu.inflight`) and the access's pc (page + offset): whether it faulted
 * (`cpu.exc`). A load's value is in MV. Out of line, so that each access's code stays short.
 */
function loadAt(cpu: A64Cpu, vl: number, vh: number, size: number, pc: number, pcHi: number, inflight: number): boolean {
  cpu.inflight = inflight;
  loadSlow(cpu, vl, vh, size, pc | 0, pcHi, false);
  return cpu.exc;
}

function storeAt(cpu: A64Cpu, vl: number, vh: number, size: number, lo: number, hi: number, pc: number, pcHi: number, inflight: number): boolean {
  cpu.inflight = inflight;
  storeSlow(cpu, vl, vh, size, lo, hi, pc | 0, pcHi, false);
  return cpu.exc;
}

/**
 * LDP/STP's two accesses off the fast path (memory.ts loadStoreOther, each of 2^size bytes, the
 * second after the first): as loadAt/storeAt; a load's words in PV (`signed`: LDPSW's 32-bit
 * words sign-extended, else zero-extended), registers left to the caller once both succeeded.
 */
function pairAt(cpu: A64Cpu, load: boolean, vl: number, vh: number, size: number, signed: boolean, l1: number, h1: number, l2: number, h2: number, pc: number, pcHi: number, inflight: number): boolean {
  cpu.inflight = inflight;
  const s2 = (vl >>> 0) + (1 << size);
  const wl = s2 | 0;
  const wh = (vh + (s2 >= 4294967296 ? 1 : 0)) | 0;
  if (load) {
    loadSlow(cpu, vl, vh, size, pc | 0, pcHi, false);
    if (cpu.exc) return true;
    const p1 = MV[0];
    const q1 = size === 3 ? MV[1] : signed ? p1 >> 31 : 0;
    loadSlow(cpu, wl, wh, size, pc | 0, pcHi, false);
    if (cpu.exc) return true;
    PV[0] = p1;
    PV[1] = q1;
    PV[2] = MV[0];
    PV[3] = size === 3 ? MV[1] : signed ? MV[0] >> 31 : 0;
    return false;
  }
  storeSlow(cpu, vl, vh, size, l1, h1, pc | 0, pcHi, false);
  if (cpu.exc) return true;
  storeSlow(cpu, wl, wh, size, l2, h2, pc | 0, pcHi, false);
  return cpu.exc;
}

/** LOAD/STORE (execute.ts): immediate, pre/post-index and register offsets. */
function loadStore(ins: Insn, L: (r: number) => string, Hi: (r: number) => string, inflight: string, trapExit: string, doneExit: string, pcHere: string): string {
  const { op, rd, rn, rm, a, b, c } = ins;
  const mode = (c >>> 4) & 3;
  const size = c & 3;
  const isLoad = op === Op.LOAD;
  const s: string[] = ['{'];
  let [ol, oh] = [`${a}`, `${b}`];
  if (mode === 3) {
    s.push(extended(L(rm), Hi(rm), (c >>> 6) & 7, (c >>> 9) & 3, 'ol', 'oh'));
    [ol, oh] = ['ol', 'oh'];
  }
  const [sum, nl, nh] = baseSum(rn, ol, oh, mode !== 3 && a === 0 && b === 0, L, Hi);
  s.push(sum);
  // Post-index (mode 2) accesses the base itself.
  const [vl, vh] = mode === 2 ? [L(rn), Hi(rn)] : [nl, nh];
  s.push(ramOffset(vl, vh, isLoad ? 'fastRead' : 'fastWrite'));
  const aligned = size === 0 ? '' : ` && (off & ${(1 << size) - 1}) === 0`;
  // The registers written (base, then Rt); also before leaving after an access that needs the
  // run loop (cpu.attention after the slow path, a store to a page with flags).
  let finish = (mode === 1 || mode === 2) && nl !== L(rn) ? `${L(rn)} = ${nl}; ${Hi(rn)} = ${nh};` : '';
  if (isLoad) {
    const ext = (c >>> 2) & 3;
    if (ext !== 0) {
      if (size === 0) finish += ' ll = (ll << 24) >> 24;';
      else if (size === 1) finish += ' ll = (ll << 16) >> 16;';
      finish += ext === 1 ? ' lh = ll >> 31;' : ' lh = 0;';
    }
    finish += ` ${L(rd)} = ll; ${Hi(rd)} = lh;`;
    const fast = size === 3 ? 'll = i32[off >>> 2]; lh = i32[(off >>> 2) + 1];' : size === 2 ? 'll = i32[off >>> 2];' : size === 1 ? 'll = u16[off >>> 1];' : 'll = u8[off];';
    s.push(`let ll = 0, lh = 0; if (off < ramSize${aligned}) { ${fast} }`);
    s.push(`else { if (H.loadAt(cpu, ${vl}, ${vh}, ${size}, ${pcHere}, pcHi, ${inflight})) ${trapExit} ll = MV[0]; lh = MV[1]; if (cpu.attention) { ${finish} ${doneExit} } }`);
  } else {
    const fast =
      size === 3
        ? `i32[off >>> 2] = ${L(rd)}; i32[(off >>> 2) + 1] = ${Hi(rd)};`
        : size === 2
          ? `i32[off >>> 2] = ${L(rd)};`
          : size === 1
            ? `u16[off >>> 1] = ${L(rd)};`
            : `u8[off] = ${L(rd)};`;
    s.push(`if (off < ramSize${aligned}) { ${fast} if (flags[off >>> 12] !== 0) { cpu.inflight = ${inflight}; cpu.ramWritten(off, ${1 << size}); ${finish} ${doneExit} } }`);
    s.push(`else { if (H.storeAt(cpu, ${vl}, ${vh}, ${size}, ${L(rd)}, ${Hi(rd)}, ${pcHere}, pcHi, ${inflight})) ${trapExit} if (cpu.attention) { ${finish} ${doneExit} } }`);
  }
  s.push(`${finish} }`);
  return s.join(' ');
}

/**
 * LDP/STP (execute.ts): the aligned fast path in RAM, else pairAt (registers written once both
 * accesses succeeded).
 */
function loadStorePair(ins: Insn, L: (r: number) => string, Hi: (r: number) => string, inflight: string, trapExit: string, doneExit: string, pcHere: string): string {
  const { op, rd, rn, rm, a, c } = ins;
  const mode = (c >>> 2) & 3;
  const wide = (c & 3) === 3;
  const isLdp = op === Op.LDP;
  const s: string[] = ['{'];
  const [sum, nl, nh] = baseSum(rn, `${a}`, `${a >> 31}`, a === 0, L, Hi);
  s.push(sum);
  const [vl, vh] = mode === 2 ? [L(rn), Hi(rn)] : [nl, nh];
  s.push(ramOffset(vl, vh, isLdp ? 'fastRead' : 'fastWrite', ` && (${vl} & 0xfff) <= ${wide ? 0xff0 : 0xff8}`));
  const writeBase = mode !== 0 && nl !== L(rn) ? `${L(rn)} = ${nl}; ${Hi(rn)} = ${nh};` : '';
  let fast: string;
  if (isLdp) {
    if (wide) fast = `const w = off >>> 2; const p1 = i32[w], q1 = i32[w + 1], p2 = i32[w + 2], q2 = i32[w + 3]; ${writeBase} ${L(rd)} = p1; ${Hi(rd)} = q1; ${L(rm)} = p2; ${Hi(rm)} = q2;`;
    else {
      const signed = (c & 16) !== 0;
      fast = `const w = off >>> 2; const p1 = i32[w], p2 = i32[w + 1]; ${writeBase} ${L(rd)} = p1; ${Hi(rd)} = ${signed ? 'p1 >> 31' : '0'}; ${L(rm)} = p2; ${Hi(rm)} = ${signed ? 'p2 >> 31' : '0'};`;
    }
  } else {
    const stores = wide ? `i32[w] = ${L(rd)}; i32[w + 1] = ${Hi(rd)}; i32[w + 2] = ${L(rm)}; i32[w + 3] = ${Hi(rm)};` : `i32[w] = ${L(rd)}; i32[w + 1] = ${L(rm)};`;
    fast = `const w = off >>> 2; ${stores} ${writeBase} if (flags[off >>> 12] !== 0 || flags[(off + ${wide ? 15 : 7}) >>> 12] !== 0) { cpu.inflight = ${inflight}; cpu.ramWritten(off, ${wide ? 16 : 8}); ${doneExit} }`;
  }
  s.push(`if (off + ${wide ? 16 : 8} <= ramSize && (off & ${wide ? 7 : 3}) === 0) { ${fast} }`);
  const values = isLdp ? '0, 0, 0, 0' : `${L(rd)}, ${Hi(rd)}, ${L(rm)}, ${Hi(rm)}`;
  const call = `H.pairAt(cpu, ${isLdp}, ${vl}, ${vh}, ${c & 3}, ${(c & 16) !== 0}, ${values}, ${pcHere}, pcHi, ${inflight})`;
  const written = isLdp ? `${writeBase} ${L(rd)} = PV[0]; ${Hi(rd)} = PV[1]; ${L(rm)} = PV[2]; ${Hi(rm)} = PV[3];` : writeBase;
  s.push(`else { if (${call}) ${trapExit} ${written} if (cpu.attention) ${doneExit} } }`);
  return s.join(' ');
}
