/**
 * The i386 block translator (issue 11): a hot run of common integer instructions of 32-bit
 * protected-mode code (CS D = 1, SS B = 1; any CS base, paging on or off) becomes one JavaScript
 * function with the eight registers and the lazy-flag state (cpu.ts's ccOp/ccA/ccB/ccR/ccBits/
 * ccKeptCf, flagsRest) in locals. Flag states no later instruction reads are dead stores to locals,
 * which V8 drops; a Jcc (SETcc, CMOVcc, ADC/SBB's carry) after a 32-bit CMP/TEST/logic/INC/DEC/shift or an
 * 8-bit CMP/SUB/TEST/logic op tests the operands directly.
 *
 * A block lies inside one 4 KiB page (the code cache's key is the physical page, jit's
 * CodeCache); it starts at a byte the interpreter reached by a control transfer and follows the
 * fall-through path: a taken Jcc leaves it (a side exit), a JMP forward in the page is followed; it
 * ends with another JMP, a CALL or RET (included), before an instruction it does not translate, at
 * the page end or after MAX_INSNS; translated alone, also after a Jcc back to its first byte (a
 * loop's exit: the code after a loop gets a block of its own, scanBlock). Every path through a block is a prefix of its instructions, so
 * counts are exact. A transfer back to the first byte (JMP, Jcc, a CALL of itself, a RET there)
 * loops inside the function while the step budget allows another whole pass; a Jcc or JMP back to
 * a later instruction of the block loops over the instructions from there (`backEdge`), each
 * extra pass adding its instructions to `steps`, so that an exit's count stays that of the path. Blocks are position
 * independent: EIP values are the page base's (`pb`, from the entry EIP and its page offset) plus page offsets.
 *
 * Regions: a block the dispatcher ran REGION_RUNS times (cpu.ts) is translated again with the blocks
 * of its page it reaches by a jump, a CALL or a RET (a return address after one of its CALLs) that
 * ran REGION_MEMBER_RUNS times, as one function: a loop switching on the index of the block to run
 * (dense cases: one jump table; a RET's page offset finds it in the region's table), so that a recursion (the compute kernel's quicksort and fib: 6.3 M dispatches) or a
 * loop over several blocks runs without leaving it. Each block then ends before another hot start
 * (no code twice), and its start enters the region (the cache's aliases). A block alone is one
 * case of the same loop. Translating every block as a region at once cost the pc os boot more
 * V8 compile time than it saved; a start that gets hot while its page's region ran last is made a
 * region at once, with that region's blocks (cpu.ts joinRegion).
 *
 * Exactness: memory goes through the TLB's per-kind fast entries (mmu.ts fastTlb: one compare
 * for tag, permission and a 32-bit access's alignment); anything else (a TLB miss, no permission,
 * MMIO, a misaligned 32-bit or page-crossing access) leaves the function before the instruction,
 * which has changed nothing yet (every instruction does its loads and stores before it writes a
 * register or the flags), and runBlock has the interpreter run it, so a #PF is taken exactly as
 * there. The region's code then has no call for its accesses, a smaller function (sooner
 * optimized) whose optimized loops keep what they know across iterations. A store to a page with
 * flags (code, watched) first records where the instruction is and the counts before it
 * (cpu.startEip/startEsp, EIP, ran/retiredCount: the preamble's `at`) and tells cpu.ramWritten;
 * the block then leaves, so that a store to code (this block's page included) is seen by the next
 * instruction. The function's `finally` writes the registers and flags back on every way out, a
 * fault included. Every exit stores constants and leaves through the one exit after the loop
 * (EXIT): exits taken for the first time (a loop's end) do not deoptimize it.
 */
import type { JitKit } from '../../../src/core/api.js';
import type { I386Cpu } from './cpu.js';
import { AF, ARITH, CcOp, CF, OF, PF, SF, ZF } from './flags.js';
import { carryOf, condOf, flagsOfState, logicFlags, SHIFT_PENDING, shiftFlags } from './jit-flags.js';
import { div32, mul32, R } from './muldiv32.js';
import { DE, DS, SS } from './consts.js';
import { FAST_KIND_SR, FAST_KIND_SW, FAST_KIND_UR, FAST_KIND_UW, TLB_BITS, TLB_MASK } from './mmu.js';

/**
 * A linear address's page with its low two bits (mmu.ts fastTlb's compare for a 32-bit access): a
 * misaligned access misses (the interpreter does it).
 */
const ALIGNED_PAGE = ~0xffc;

/**
 * Control transfers to a start byte before its block is translated while paging is off: a bare-metal kernel, an OS's
 * decompressor, whose hot code is loops that run long.
 */
export const JIT_THRESHOLD = 64;
/**
 * The same with paging on: an OS's kernel runs much of its code a few hundred times (init calls, probes, page-table
 * set-up), where each module's V8 compile and instantiation (about 1 ms of the main thread) costs more than
 * interpreting it. The i386 Linux boot (test/bench/i386-linux.ts, in process): 394 modules at 64, 176 at 256, 122 at
 * 512, 87 at 1024, 78 at 2048, 67 at 4096; its main thread ~1.9 s at 64, ~1.3-1.45 s from 512 to 2048, ~1.7 s at
 * 4096. With this threshold for paging off too the compute kernel ran ~25 ms slower (512) or ~40 ms (1024).
 */
export const PAGED_JIT_THRESHOLD = 1024;
/**
 * Arrivals at which, with paging on, a start whose block runs MAX_INSNS instructions without a branch (jit-reach.ts
 * runsStraightFull) is translated rather than at PAGED_JIT_THRESHOLD: each arrival has cost the interpreter at least
 * MAX_INSNS instructions, so by then it has run as many there as at a short block reaching the threshold. The i386
 * Linux boot's blake2s (~1,700 instructions of straight code after a REP MOVSD, ~480 calls) was the interpreter's to
 * the end: the boot's interpreted instructions 4.34 M -> 3.60 M, its modules 96 -> 97 (test/bench/i386-linux.ts).
 */
export const STRAIGHT_HEAT = JIT_THRESHOLD;
/** The heat at which a start is translated (JIT_THRESHOLD or PAGED_JIT_THRESHOLD). */
export const jitThreshold = (paging: boolean): number => (paging ? PAGED_JIT_THRESHOLD : JIT_THRESHOLD);
/**
 * Runs of a block from the dispatcher before it is translated again as a region with the blocks it
 * reaches that ran REGION_MEMBER_RUNS times: a region costs V8 more to compile, which only code
 * that runs long (a compute kernel's loops and recursion, not an OS booting) repays.
 */
export const REGION_RUNS = 4096;
export const REGION_MEMBER_RUNS = REGION_RUNS / 8;
/**
 * Runs from the dispatcher of a block module (not a region) before a start it leaves to that gets hot is made a
 * region with its blocks (cpu.ts joinRegion), half the threshold: a module that ran less joined new starts in lukewarm
 * code (the i386 Linux boot, all at JIT_THRESHOLD: 411 -> 424 modules at 0, 417 at half, 413 at 64; the compute
 * kernel's quicksort needs at most half).
 */
export const joinRuns = (threshold: number): number => threshold >> 1;
/**
 * The first WARM_CALLS calls of a block's entry run at most WARM_STEPS steps each (as rv32's and
 * aarch64's), so that its function returns several times before V8 optimizes it: V8 allocates a
 * function's feedback vector only after it has run a while, so a long first call left the prologue
 * and the exits without type feedback, and the optimized code deoptimized on its next entry.
 */
export const WARM_CALLS = 16;
export const WARM_STEPS = 512;
/** Longest block, in instructions. */
export const MAX_INSNS = 64;
/**
 * A start whose block runs straight into an instruction left to the interpreter (an IN, a 16-bit MOV imm) within
 * fewer instructions than this is left to the interpreter too (cpu.ts translate): a call into such a block saves
 * less than its state copies cost, and its module costs V8's compile (the compute kernel's last module, 6 NOPs
 * before the UART poll's IN, made 218 instructions before the end: 4 blocks, 90 instructions run). Host instructions
 * of the built CLI's runs (valgrind, V8 --predictable): compute kernel 4,540 -> 4,506 M (3 pairs), pc os boot to
 * its prompt 4,041 -> 4,032 M (2 pairs), lower in every pair: a small gain.
 */
export const MIN_LEFT_BLOCK = 8;

/**
 * Heat (control transfers counted) at which a start not translated yet is translated with the block
 * of another start of its page reaching the threshold (jitThreshold), in its module (jit-wasm.ts; the
 * JavaScript regions do not): a quarter of it. At most MAX_WARM_STARTS of them, the warmest first.
 */
export const warmHeat = (threshold: number): number => threshold >> 2;
export const MAX_WARM_STARTS = 7;

/** The page offsets of `page`'s warm starts (`heat`, nothing stored there) but `at`, warmest first. */
export function warmStarts(page: { heat: Int16Array; entries: ArrayLike<unknown> }, at: number, warm: number): number[] {
  const heat = page.heat, found: number[] = [];
  for (let off = 0; off < heat.length; off++) if (heat[off] >= warm && off !== at && page.entries[off] === undefined) found.push(off);
  return found.length <= MAX_WARM_STARTS ? found : found.sort((a, b) => heat[b] - heat[a] || a - b).slice(0, MAX_WARM_STARTS);
}

/** Blocks in one region at most (its entry's and the hot starts it reaches in the page). */
export const MAX_REGION_BLOCKS = 16;
/** Instructions of a region's blocks together at most: V8 compiles a big function for long. */
export const MAX_REGION_INSNS = 320;

/**
 * Runs the region from EIP `eip`, the start byte at page offset `at`, for at most `maxSteps`
 * instructions; leaves cpu.eip, counts and state. Returns 1 when it left before an instruction the
 * interpreter must run (an access its fast path does not do), else 0.
 */
export type BlockFn = (eip: number, maxSteps: number, at: number) => number;

/** A wasm region module's own function (jit-wasm.ts): runs from EIP (page offset `at`) at most `maxSteps` steps, returns the steps. */
export type RunFn = (eip: number, maxSteps: number, at: number) => number;

export class Block {
  /** Runs from the dispatcher (counted up to REGION_RUNS). */
  runs = 0;
  /** Calls left that run at most WARM_STEPS steps (cpu.ts runBlock). */
  warm = WARM_CALLS;
  /** Its function's slot in the CPU's chain (jit-chain.ts), valid while `chainGen` is the chain's generation. */
  chainSlot = -1;
  chainGen = -1;
  constructor(
    readonly fn: BlockFn | null,
    /** Instructions in one pass of the block starting here. */
    readonly len: number,
    /** The page offsets the region's code comes from, as [first, end) pairs (the code cache's cover). */
    readonly cover: readonly number[],
    /** Whether it was translated as a region (never again). */
    readonly region: boolean,
    /** A wasm module's function (`fn` wraps it), which the chain (jit-chain.ts) calls without runBlocks; else null. */
    readonly run: RunFn | null = null,
  ) {}
}
/** A start byte where no block can start (its first instruction is not translated). */
export const NO_BLOCK = new Block(null, 0, [], true);

/** A translated region: one function, entered at any of its blocks' starts. */
export interface Region {
  /** By page offset of a block's start, its entry. */
  entries: Map<number, Block>;
}

const HELPERS = { condOf, carryOf, flagsOfState, logicFlags, shiftFlags, mul32, div32, R };
const PARAMS = ['cpu', 'H'];

/**
 * Translates the block at RAM offset `start` (its page must be RAM) alone, or, with `hot`, as a
 * region: with the blocks at the starts `hot` accepts that its blocks reach by a jump, a CALL or a
 * RET in the page (each block ends before such a start). Null when no block can start there, or
 * when a region would have that block only.
 */
export function translateRegion(cpu: I386Cpu, kit: JitKit, u8: Uint8Array, start: number, hot?: (pageOff: number) => boolean): Region | null {
  const blocks = hot === undefined ? [scanBlock(u8, start)].filter((b) => b !== null) : scanRegion(u8, start, hot);
  if (blocks === null || blocks.length === 0 || (hot !== undefined && blocks.length === 1)) return null;
  const t = generateRegion(blocks);
  const factory = kit.factory<(cpu: I386Cpu, h: typeof HELPERS) => BlockFn>(PARAMS, t.source);
  const fn = factory(cpu, HELPERS);
  const cover = blocks.flatMap((b) => [b.start, b.end]);
  return { entries: new Map(blocks.map((b) => [b.start, new Block(fn, b.insns, cover, hot !== undefined)])) };
}

/**
 * The blocks of the region from RAM offset `start`: its block first, then, breadth first, the
 * blocks at the page offsets its blocks jump, call or return to that `hot` accepts, within
 * MAX_REGION_BLOCKS and MAX_REGION_INSNS. Null when no block starts at `start`.
 */
function scanRegion(u8: Uint8Array, start: number, hot: (pageOff: number) => boolean): ScannedBlock[] | null {
  // Each block ends before another hot start: that start's block, in the region, runs the code once.
  return collectRegion(start, hot, (ramOff) => scanBlock(u8, ramOff, hot), (b) => [...b.code.matchAll(GOTO)].map((m) => Number(m[1])).concat(b.returns));
}

/**
 * A region's blocks (scanRegion) for any translator: `scan` gives the block at a RAM offset (null:
 * none), `targets` the page offsets a block jumps, calls or returns to.
 */
export function collectRegion<B extends { start: number; insns: number }>(start: number, hot: (pageOff: number) => boolean, scan: (ramOff: number) => B | null, targets: (b: B) => number[]): B[] | null {
  const first = scan(start);
  if (first === null) return null;
  const pageStart = start & ~0xfff;
  const blocks = [first], seen = new Set([first.start]);
  let insns = first.insns;
  for (let i = 0; i < blocks.length && blocks.length < MAX_REGION_BLOCKS; i++) {
    for (const t of targets(blocks[i])) {
      if (t < 0 || t >= 0x1000 || seen.has(t) || !hot(t)) continue;
      seen.add(t);
      const more = scan(pageStart + t);
      if (more === null || insns + more.insns > MAX_REGION_INSNS) continue;
      blocks.push(more);
      insns += more.insns;
      if (blocks.length === MAX_REGION_BLOCKS) break;
    }
  }
  return blocks;
}

/** Crossing the page end while decoding: the instruction is left out. */
const CROSS = { cross: true } as const;

/**
 * The flag state known at translation time, so that conditions and the carry test operands
 * directly: after a 32-bit CMP/SUB, ADD, logic op, INC/DEC or shift, and after an 8-bit CMP/SUB or
 * logic op (operands 0..255: a byte register, a byte load or an imm8).
 */
type Known = 'cmp32' | 'add32' | 'logic32' | 'incdec32' | 'shift' | 'cmp8' | 'logic8' | null;

interface Rm {
  reg: number;
  /** Register operand, or -1 for memory. */
  rm: number;
  /** Memory: the linear address expression. */
  lin: string;
}

/** A block scanned by scanBlock: its code with markers where control leaves it, resolved by `generate`. */
export interface ScannedBlock {
  /** Page offset of its first byte. */
  start: number;
  code: string;
  insns: number;
  /** Page offset past its furthest byte (a followed JMP forward skips bytes: they count as the block's for SMC). */
  end: number;
  written: Uint8Array;
  flagsWritten: boolean;
  usedOverride: number;
  returns: number[];
}

/**
 * Markers in a block's code for control leaving it after `count` of its instructions: to the
 * byte at page offset `t` (GOTO t,count), or to the EIP in local `nx` (IND count). `generate`
 * resolves them: a transfer back to the block's first byte loops inside the function.
 */
const GOTO = /@G(-?\d+),(\d+)@/g;
const IND = /@I(\d+)@/g;
/**
 * Leaves after `count` more instructions with EIP = eip0 + `off`, through the one exit after the
 * loop. The exit itself only stores constants to locals: V8 sees no operation without type
 * feedback there, so the first run of an exit (a loop's end) does not deoptimize the function.
 */
const EXIT = (off: number | string, count: number | string) => `{ xo = ${off}; xn = ${count}; break pass; }`;

/**
 * Scans and generates the block at RAM offset `start`; null when none starts there. Alone (no
 * `stopAt`), the block ends at the exit of a loop on its start (after the Jcc back to it): code after
 * a loop runs once per many passes, so it would have no type feedback when V8 optimizes the loop
 * (a deoptimization at the loop's end) and would make the function V8 compiles bigger; it becomes a
 * block of its own. In a region (`stopAt`: the hot starts, where it ends) the block goes on past
 * such an exit, so that the region runs the loop and the code after it without a switch between.
 */
function scanBlock(u8: Uint8Array, start: number, stopAt?: (pageOff: number) => boolean): ScannedBlock | null {
  const entry = start;
  const pageStart = start & ~0xfff, pageEnd = pageStart + 0x1000;
  const written = new Uint8Array(8);
  let flagsWritten = false;
  let p = start;
  let furthest = start;
  const byte = (): number => {
    if (p >= pageEnd) throw CROSS;
    return u8[p++];
  };
  const imm8s = () => (byte() << 24) >> 24;
  const imm32 = () => (byte() | (byte() << 8) | (byte() << 16) | (byte() << 24));
  const imm16 = () => byte() | (byte() << 8);

  const out: string[] = [];
  let k = 0;
  let off = 0;
  let known: Known = null;
  let override = -1;
  let usedOverride = 0;
  let ended = false;
  /** Whether the instruction being scanned reads the flag state (a condition, the carry), and whether it overwrites CF. */
  let flagsRead = false, carryKilled = false;
  /** Per instruction of the block: by RAM offset its index; by index its first line in `out` and the flag state known before it. */
  const insnAt = new Map<number, number>(), outAt: number[] = [], knownAt: Known[] = [];
  /** Loops inside the block (backEdge) as [first, last] instruction indexes. */
  const innerLoops: Array<[number, number]> = [];
  /** Page offsets of the return addresses its CALLs push (where a RET comes back to). */
  const returns: number[] = [];

  const reg32 = (r: number) => `r${r}`;
  const get8 = (r: number) => (r < 4 ? `(r${r} & 255)` : `((r${r - 4} >> 8) & 255)`);
  const set32 = (r: number, v: string) => { written[r] = 1; return `r${r} = ${v};`; };
  const set8 = (r: number, v: string) => {
    if (r < 4) { written[r] = 1; return `r${r} = (r${r} & -256) | ((${v}) & 255);`; }
    written[r - 4] = 1;
    return `r${r - 4} = (r${r - 4} & -65281) | (((${v}) & 255) << 8);`;
  };
  const set16 = (r: number, v: string) => { written[r] = 1; return `r${r} = (r${r} & -65536) | ((${v}) & 65535);`; };

  /** The page offset of the current instruction's end (EIPs are the page base's, `pb`, plus page offsets). */
  const next = () => p - pageStart;
  // Arguments of the preamble's calls that may throw or look at the CPU (at(), below: a store to a
  // page with flags, DIV's #DE): where the instruction is and the count before it, which a fault
  // leaves and the clock reads. Registers and flags are written back by the function's `finally`.
  const sync = () => `pb, ${off}, ${next()}, r4, ran0 + steps + ${k}`;
  /** Control goes to page offset `pageOff` after `count` instructions of this block. */
  const goto = (pageOff: number, count: number) => `@G${pageOff},${count}@`;
  /** Control goes to EIP `eip` (an expression) after `count` instructions of this block. */
  const gotoInd = (eip: string, count: number) => `{ nx = ${eip} >>> 0; @I${count}@ }`;
  // After a store to a page with flags the function may return (never continues in the region):
  // code a store changed is seen by the next instruction.
  const afterStore = () => `if (slow) ${EXIT(next(), k + 1)}`;
  /**
   * Leaves before the current instruction, which has changed nothing yet, for the interpreter to run
   * it (runBlock): an access the fast path does not do (a TLB miss, no permission, MMIO, a
   * misaligned 32-bit or page-crossing access). No call in the region's code for it.
   */
  const miss = () => `{ xo = ${off}; xn = ${k}; xm = 1; break pass; }`;
  /** Whether the instruction being scanned stores (afterStore). */
  let stores = false;
  /** The fall-through of a Jcc back to the block's start: a region's block goes on there even where another hot block starts. */
  let loopExit = -1;

  function modrm(): Rm {
    const m = byte();
    const mod = m >> 6, rmf = m & 7, reg = (m >> 3) & 7;
    if (mod === 3) return { reg, rm: rmf, lin: '' };
    const terms: string[] = [];
    let seg = DS, base = rmf;
    if (rmf === 4) {
      const sib = byte();
      const idx = (sib >> 3) & 7;
      base = sib & 7;
      if (idx !== 4) terms.push((sib >> 6) === 0 ? `r${idx}` : `(r${idx} << ${sib >> 6})`);
      if (base === 5 && mod === 0) { terms.push(`${imm32()}`); base = -1; }
    } else if (rmf === 5 && mod === 0) { terms.push(`${imm32()}`); base = -1; }
    if (base >= 0) { terms.push(`r${base}`); if (base === 4 || base === 5) seg = SS; }
    if (mod === 1) terms.push(`${imm8s()}`);
    else if (mod === 2) terms.push(`${imm32()}`);
    const segB = override >= 0 ? `sb${override}` : seg === SS ? 'ssB' : 'dsB';
    return { reg, rm: -1, lin: `(${segB} + ${terms.map((t) => `(${t})`).join(' + ')}) | 0` };
  }

  /** Loads `size` bytes at linear `lin` into `dst` (declared by the caller): int32 for 4, unsigned below. */
  function load(dst: string, lin: string, size: number): string {
    // 32 bits: an aligned access cannot cross the page (the compare misses a misaligned one).
    if (size === 4) {
      return `{ const l = ${lin}, ti = ((l >>> 11) & ${TLB_MASK << 1}) | RK;
      if (ft[ti] !== (l & ${ALIGNED_PAGE})) ${miss()} ${dst} = i32[(ft[ti + 1] + l) >> 2]; }`;
    }
    const fast = size === 2 ? '(u8[o] | (u8[o + 1] << 8))' : 'u8[o]';
    return `{ const l = ${lin}, ti = ((l >>> 11) & ${TLB_MASK << 1}) | RK;
      if (ft[ti] !== (l & -4096)${size === 2 ? ' || (l & 4095) === 4095' : ''}) ${miss()} const o = (ft[ti + 1] + l) | 0; ${dst} = ${fast}; }`;
  }
  /** Stores `v` (an expression evaluated once) at linear `lin`. */
  function store(lin: string, size: number, v: string): string {
    stores = true;
    const check = size === 4 ? `ft[ti] !== (l & ${ALIGNED_PAGE})` : `ft[ti] !== (l & -4096)${size === 2 ? ' || (l & 4095) === 4095' : ''}`;
    const fast = size === 4 ? 'i32[o >> 2] = w;' : size === 2 ? 'u8[o] = w; u8[o + 1] = w >> 8;' : 'u8[o] = w;';
    return `{ const w = ${v}, l = ${lin}, ti = ((l >>> 11) & ${TLB_MASK << 1}) | WK;
      if (${check}) ${miss()} const o = (ft[ti + 1] + l) | 0; ${fast}
      if (flags[o >>> 12] !== 0 && codeWritten(o, ${size}, ${sync()})) slow = true; }`;
  }
  /** Reads the r/m operand into `dst` (declared by the caller). */
  function readRm(m: Rm, size: number, dst: string): string {
    if (m.rm >= 0) return `${dst} = ${size === 4 ? reg32(m.rm) : size === 1 ? get8(m.rm) : `(r${m.rm} & 65535)`};`;
    return load(dst, m.lin, size);
  }
  function writeRm(m: Rm, size: number, v: string): string {
    if (m.rm >= 0) return size === 4 ? set32(m.rm, v) : size === 1 ? set8(m.rm, v) : set16(m.rm, v);
    return store(m.lin, size, v);
  }
  const getReg = (r: number, size: number) => (size === 4 ? reg32(r) : get8(r));
  const setReg = (r: number, size: number, v: string) => (size === 4 ? set32(r, v) : set8(r, v));

  /** The carry (0/1) of the current flag state. */
  const carry = (): string => {
    flagsRead = true;
    if (known === 'cmp32') return '((ca >>> 0) < (cb >>> 0) ? 1 : 0)';
    if (known === 'logic32') return '0';
    if (known === 'add32') return '(((cr | 0) >>> 0) < (ca >>> 0) ? 1 : 0)';
    if (known === 'incdec32') return 'ck';
    if (known === 'shift') return '(ca & 1)';
    if (known === 'cmp8') return '(ca < cb ? 1 : 0)';
    if (known === 'logic8') return '0';
    // A state known only at run time (a loop's first pass enters with the caller's, later ones with the back edge's):
    // the 32-bit SUB/CMP borrow (flags.ts' subBorrows) and INC/DEC's kept carry inline, others through the call.
    return `(cop === ${CcOp.Sub} && cbits === 32 ? (((~ca & cb) | ((~ca | cb) & cr)) < 0 ? 1 : 0) : cop === ${CcOp.Inc} || cop === ${CcOp.Dec} ? ck : carryOf(cop, ca, cb, cr, cbits, ck, fa))`;
  };
  /** Condition `cc` of the current flag state. */
  const cond = (cc: number): string => {
    flagsRead = true;
    const kind = cc >> 1;
    let t: string | null = null;
    if (known === 'cmp32') t = [null, '(ca >>> 0) < (cb >>> 0)', 'ca === cb', '(ca >>> 0) <= (cb >>> 0)', '((ca - cb) | 0) < 0', null, 'ca < cb', 'ca <= cb'][kind];
    else if (known === 'logic32') t = ['false', 'false', 'cr === 0', 'cr === 0', 'cr < 0', null, 'cr < 0', 'cr <= 0'][kind];
    else if (known === 'incdec32') t = [null, null, '(cr | 0) === 0', null, '(cr | 0) < 0', null, null, null][kind];
    else if (known === 'shift') t = [null, '(ca & 1) !== 0', 'cr === 0', null, 'cr < 0', null, null, null][kind];
    else if (known === 'cmp8') t = [null, 'ca < cb', 'ca === cb', 'ca <= cb', '(cr & 128) !== 0', null, '(ca << 24) < (cb << 24)', '(ca << 24) <= (cb << 24)'][kind];
    else if (known === 'logic8') t = ['false', 'false', 'cr === 0', 'cr === 0', '(cr & 128) !== 0', null, '(cr & 128) !== 0', '(cr === 0 || (cr & 128) !== 0)'][kind];
    else if (known === 'add32') t = [null, '((cr | 0) >>> 0) < (ca >>> 0)', '(cr | 0) === 0', '((cr | 0) >>> 0) < (ca >>> 0) || (cr | 0) === 0', '(cr | 0) < 0', null, null, null][kind];
    if (t === null) return `condOf(${cc}, cop, ca, cb, cr, cbits, ck, fa)`;
    return cc & 1 ? `!(${t})` : `(${t})`;
  };
  /** `e` as int32: a local or a literal of the generated code already is one (no `| 0`: less bytecode for V8's first tiers). */
  const int32 = (e: string) => (/^(-?\d+|[A-Za-z_]\w*)$/.test(e) ? e : `${e} | 0`);
  // Operands and result as int32: every reader of the lazy state (arithFlags, carry, conditions) uses
  // their low 32 bits only, and int32 locals and fields need no heap numbers.
  const setCc = (op: CcOp, a: string, b: string, r: string, bits: number) => {
    flagsWritten = true;
    if (op !== CcOp.Inc && op !== CcOp.Dec) carryKilled = true;
    // The kept carry and the materialized arithmetic flags (`fa`, EFLAGS' while cop is None) mean nothing after
    // this: zeroing them makes an earlier INC's carry or shift's flags dead code when no exit reads them (V8 drops it).
    return `cop = ${op}; ca = ${int32(a)}; cb = ${int32(b)}; cr = ${int32(r)}; cbits = ${bits}; fa = 0;${op === CcOp.Inc || op === CcOp.Dec ? '' : ' ck = 0;'}`;
  };

  /**
   * The ALU op `aluOp` (ADD OR ADC SBB AND SUB XOR CMP) on A and B (declared): result in `res`
   * (declared by this code), the flag state afterwards in `cc` (applied after the destination write).
   */
  function alu(aluOp: number, size: number): { code: string; res: string; cc: string; known: Known } {
    const bits = size * 8, wrap = size === 4 ? '| 0' : '& 255';
    // A 32-bit sum or difference is wrapped at once: every reader of R0 takes its low 32 bits, and an
    // exact R0 live across a later deopt point made V8 check the add for int32 overflow (a deopt).
    const result = (r: string) => (size === 4 ? `const R0 = (${r}) | 0; const res = R0;` : `const R0 = ${r}; const res = R0 ${wrap};`);
    const fin = (r: string, op: CcOp, kn: Known) =>
      ({ code: result(r), res: 'res', cc: setCc(op, 'A', 'B', 'R0', bits), known: size === 4 ? kn : byteKnown(kn) });
    switch (aluOp) {
      case 0: return fin('A + B', CcOp.Add, 'add32');
      case 1: return fin('A | B', CcOp.Logic, 'logic32');
      case 2: return { ...fin('A + B + C', CcOp.Add, null), code: `const C = ${carry()}; ${result('A + B + C')}` };
      case 3: return { ...fin('A - B - C', CcOp.Sub, null), code: `const C = ${carry()}; ${result('A - B - C')}` };
      case 4: return fin('A & B', CcOp.Logic, 'logic32');
      case 6: return fin('A ^ B', CcOp.Logic, 'logic32');
      default: return fin('A - B', CcOp.Sub, 'cmp32');
    }
  }
  /** The 8-bit counterpart of a 32-bit known state (SUB/CMP and logic ops), or null. */
  function byteKnown(kn: Known): Known {
    return kn === 'cmp32' ? 'cmp8' : kn === 'logic32' ? 'logic8' : null;
  }
  /** ALU on r/m (dest when `toRm`) and reg / immediate `bExpr`. */
  function aluRm(aluOp: number, size: number, m: Rm, bExpr: string, toRm: boolean): string {
    const a = alu(aluOp, size);
    const isCmp = aluOp === 7;
    let code = `{ let A = 0; const B = ${bExpr}; ${readRm(m, size, 'A')} ${a.code} `;
    if (toRm && !isCmp) code += writeRm(m, size, 'res');
    code += ` ${a.cc} }`;
    known = a.known;
    return code;
  }

  const memInsn = (m: Rm) => m.rm < 0;

  /** One instruction: its code, or null when it is not translated (the block ends before it). */
  function insn(): { code: string; mem: boolean; end?: 'jump'; deadCarry?: string } | null {
    let op = byte();
    override = -1;
    // Segment overrides (Linux's per-CPU data through FS): ModRM and moffs operands only.
    // The operand-size prefix (16-bit operands in 32-bit code): MOV only.
    let opsize16 = false;
    while (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e || op === 0x64 || op === 0x65 || op === 0x66) {
      if (op === 0x66) opsize16 = true;
      else override = op >= 0x64 ? op - 0x60 : (op >> 3) & 3;
      op = byte();
    }
    if (override >= 0) usedOverride |= 1 << override;
    if (opsize16) return mov16(op);
    if (op < 0x40 && (op & 7) < 6) {
      const aluOp = op >> 3;
      const form = op & 7;
      if (form <= 3) {
        const size = form & 1 ? 4 : 1;
        const m = modrm();
        if (form <= 1) return { code: aluRm(aluOp, size, m, getReg(m.reg, size), true), mem: memInsn(m) };
        // reg = reg op r/m
        const a = alu(aluOp, size);
        let code = `{ const A = ${getReg(m.reg, size)}; let B = 0; ${readRm(m, size, 'B')} ${a.code} `;
        if (aluOp !== 7) code += setReg(m.reg, size, 'res');
        code += ` ${a.cc} }`;
        known = a.known;
        return { code, mem: memInsn(m) };
      }
      const size = form === 4 ? 1 : 4;
      const imm = size === 1 ? byte() : imm32();
      const a = alu(aluOp, size);
      let code = `{ const A = ${getReg(0, size)}; const B = ${imm}; ${a.code} `;
      if (aluOp !== 7) code += setReg(0, size, 'res');
      code += ` ${a.cc} }`;
      known = a.known;
      return { code, mem: false };
    }
    if (op >= 0x40 && op <= 0x4f) { // INC/DEC r32
      const r = op & 7, dec = op >= 0x48;
      const step = `const A = r${r}; const R0 = (A ${dec ? '-' : '+'} 1) | 0; ${set32(r, 'R0')} ${setCc(dec ? CcOp.Dec : CcOp.Inc, 'A', '1', 'R0', 32)}`;
      const code = `{ const kc = ${carry()}; ${step} ck = kc; }`;
      known = 'incdec32';
      // Without the kept carry, for when the next instruction overwrites it unread (the scan loop).
      return { code, mem: false, deadCarry: `{ ${step} ck = 0; }` };
    }
    if (op >= 0x50 && op <= 0x57) return push(reg32(op & 7));
    if (op >= 0x58 && op <= 0x5f) {
      const r = op & 7;
      return { code: `{ let v = 0; ${load('v', '(ssB + r4) | 0', 4)} r4 = (r4 + 4) | 0; ${set32(r, 'v')} } ${written4()}`, mem: true };
    }
    switch (op) {
      case 0x68: return push(`${imm32()}`);
      case 0x6a: return push(`${imm8s()}`);
      case 0x69: case 0x6b: {
        const m = modrm();
        const b = op === 0x6b ? imm8s() : imm32();
        return { code: `{ let A = 0; ${readRm(m, 4, 'A')} ${imul(m.reg, 'A', `${b}`)} }`, mem: memInsn(m) };
      }
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
        return jcc(op & 15, imm8s());
      case 0x80: case 0x81: case 0x83: {
        const size = op === 0x80 ? 1 : 4;
        const m = modrm();
        const imm = op === 0x81 ? imm32() : op === 0x83 ? imm8s() : byte();
        return { code: aluRm(m.reg, size, m, `${imm}`, true), mem: memInsn(m) };
      }
      case 0x84: case 0x85: {
        const size = op & 1 ? 4 : 1;
        const m = modrm();
        return { code: aluRm(4, size, m, getReg(m.reg, size), false), mem: memInsn(m) };
      }
      case 0x88: case 0x89: {
        const size = op & 1 ? 4 : 1;
        const m = modrm();
        return { code: writeRm(m, size, getReg(m.reg, size)), mem: memInsn(m) };
      }
      case 0x8a: case 0x8b: {
        const size = op & 1 ? 4 : 1;
        const m = modrm();
        return { code: `{ let v = 0; ${readRm(m, size, 'v')} ${setReg(m.reg, size, 'v')} }`, mem: memInsn(m) };
      }
      case 0x8d: {
        const m = modrm();
        if (m.rm >= 0) return null;
        // The offset without the segment base: rebuild it from the linear expression's terms.
        return { code: set32(m.reg, m.lin.replace(/^\(\w+ \+ /, '(')), mem: false };
      }
      case 0x90: return { code: '', mem: false };
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: { // MOV AL/EAX <-> moffs32
        const size = op & 1 ? 4 : 1;
        const lin = `(${override >= 0 ? `sb${override}` : 'dsB'} + ${imm32()}) | 0`;
        if (op < 0xa2) return { code: `{ let v = 0; ${load('v', lin, size)} ${setReg(0, size, 'v')} }`, mem: true };
        return { code: store(lin, size, getReg(0, size)), mem: true };
      }
      case 0x99: return { code: set32(2, 'r0 >> 31'), mem: false };
      case 0x98: return { code: set32(0, '(r0 << 16) >> 16'), mem: false };
      case 0xa8: { const imm = byte(); const a = alu(4, 1); known = 'logic8'; return { code: `{ const A = r0 & 255; const B = ${imm}; ${a.code} ${a.cc} }`, mem: false }; }
      case 0xa9: { const imm = imm32(); const a = alu(4, 4); known = 'logic32'; return { code: `{ const A = r0; const B = ${imm}; ${a.code} ${a.cc} }`, mem: false }; }
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        return { code: set8(op & 7, `${byte()}`), mem: false };
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        return { code: set32(op & 7, `${imm32()}`), mem: false };
      case 0xc0: case 0xc1: case 0xd1: case 0xd3: {
        const size = op === 0xc0 ? 1 : 4;
        const m = modrm();
        const count = op === 0xd1 ? 1 : op === 0xd3 ? null : byte() & 31;
        if (size !== 4 || m.reg === 2 || m.reg === 3) return null; // RCL, RCR and 8-bit shifts: the interpreter
        return { code: m.reg < 2 ? rotate(m, m.reg === 1, count) : shift(m, m.reg, count), mem: memInsn(m) };
      }
      case 0xc3: return { code: `{ let v = 0; ${load('v', '(ssB + r4) | 0', 4)} r4 = (r4 + 4) | 0; ${written4()} ${gotoInd('v', k + 1)} }`, mem: false, end: 'jump' };
      case 0xc6: case 0xc7: {
        const size = op & 1 ? 4 : 1;
        const m = modrm();
        if (m.reg !== 0) return null;
        const imm = size === 4 ? imm32() : byte();
        return { code: writeRm(m, size, `${imm}`), mem: memInsn(m) };
      }
      case 0xc9: { // LEAVE (32-bit stack)
        return { code: `{ let v = 0; ${load('v', '(ssB + r5) | 0', 4)} r4 = (r5 + 4) | 0; r5 = v; } ${written4()} ${written5()}`, mem: true };
      }
      case 0xe8: {
        const d = imm32();
        const ret = next();
        returns.push(ret);
        const pushCode = push(`(pb + ${ret}) | 0`);
        return { code: `${pushCode.code} ${goto(p + d - pageStart, k + 1)}`, mem: false, end: 'jump' };
      }
      case 0xe9: return jmp(imm32());
      case 0xeb: return jmp(imm8s());
      case 0xf6: case 0xf7: return group3(op === 0xf7 ? 4 : 1);
      case 0xfe: case 0xff: {
        const size = op === 0xff ? 4 : 1;
        const m = modrm();
        if (m.reg <= 1) {
          const dec = m.reg === 1;
          const code = `{ const kc = ${carry()}; let A = 0; ${readRm(m, size, 'A')} const R0 = A ${dec ? '-' : '+'} 1; ${writeRm(m, size, size === 4 ? 'R0 | 0' : 'R0 & 255')} ${setCc(dec ? CcOp.Dec : CcOp.Inc, 'A', '1', 'R0', size * 8)} ck = kc; }`;
          known = size === 4 ? 'incdec32' : null;
          return { code, mem: memInsn(m) };
        }
        if (size !== 4) return null;
        if (m.reg === 6) return { code: `{ let t = 0; ${readRm(m, 4, 't')} ${push('t').code} }`, mem: true };
        if (m.reg === 4) return { code: `{ let t = 0; ${readRm(m, 4, 't')} ${gotoInd('t', k + 1)} }`, mem: false, end: 'jump' };
        if (m.reg === 2) {
          const ret = next();
          returns.push(ret);
          return { code: `{ let t = 0; ${readRm(m, 4, 't')} ${push(`(pb + ${ret}) | 0`).code} ${gotoInd('t', k + 1)} }`, mem: false, end: 'jump' };
        }
        return null;
      }
      case 0x0f: return twoByte();
      default: return null;
    }
  }

  /**
   * SHL/SHR/SAR r/m16 by 1 or an immediate (XZ's range decoder: `shr $5, %ax` on its 16-bit probabilities): I386Cpu.group2's
   * flags (SF, ZF, PF of the 16-bit result, AF 0, CF the last bit out, OF), the state None with them. By CL, rotates: the interpreter.
   */
  function shift16(op: number): { code: string; mem: boolean } | null {
    const m = modrm();
    if (m.reg < 4) return null;
    const n = op === 0xd1 ? 1 : byte() & 31;
    if (n === 0) return { code: '', mem: false };
    flagsWritten = true;
    let calc: string;
    if (m.reg === 5) calc = `const r = v >>> ${n}; const cf = (v >>> ${n - 1}) & 1; const of = ${n === 1 ? 'v >>> 15' : '0'};`;
    else if (m.reg === 7) calc = `const s = (v << 16) >> 16; const r = (s >> ${n}) & 65535; const cf = (s >> ${n - 1}) & 1; const of = 0;`;
    else calc = `const r = (v << ${n}) & 65535; const cf = ${n <= 16 ? `(v >>> ${16 - n}) & 1` : '0'}; const of = (r >>> 15) ^ cf;`;
    known = null;
    const code = `{ let v = 0; ${readRm(m, 2, 'v')} ${calc} ${writeRm(m, 2, 'r')}
      fa = (logicFlags(r, 16) & ${~(CF | OF)}) | cf | (of << 11); cop = ${CcOp.None}; }`;
    return { code, mem: memInsn(m) };
  }

  /** MOV r/m16, r16 (89); MOV r16, r/m16 (8B); MOV r/m16, imm16 (C7 /0); the 16-bit shifts (shift16); null for the rest. */
  function mov16(op: number): { code: string; mem: boolean } | null {
    if (op === 0xc1 || op === 0xd1) return shift16(op);
    if (op !== 0x89 && op !== 0x8b && op !== 0xc7) return null;
    const m = modrm();
    if (op === 0x89) return { code: writeRm(m, 2, `(r${m.reg} & 65535)`), mem: memInsn(m) };
    if (op === 0x8b) return { code: `{ let v = 0; ${readRm(m, 2, 'v')} ${set16(m.reg, 'v')} }`, mem: memInsn(m) };
    if (m.reg !== 0) return null;
    return { code: writeRm(m, 2, `${imm16()}`), mem: memInsn(m) };
  }
  function written4() { written[4] = 1; return ''; }
  function written5() { written[5] = 1; return ''; }

  function push(v: string): { code: string; mem: boolean } {
    written[4] = 1;
    return { code: `{ const sp = (r4 - 4) | 0; ${store('(ssB + sp) | 0', 4, v)} r4 = sp; }`, mem: true };
  }
  function imul(reg: number, a: string, b: string): string {
    flagsWritten = true;
    // PF/ZF/SF of the low half as a logic op's, CF = OF = the product did not fit: pending as a shift's.
    known = 'shift';
    // The low half is Math.imul's; the product fits in 32 bits exactly when the double product
    // equals it (exact below 2^53, and a rounded product past 2^31 stays past it). `ib + -0` (ib
    // itself) is a heap number in V8's first tiers, so the multiply's type feedback is Number from its
    // first run: with small-integer feedback the first product past 2^31 deoptimized the function.
    return `const ia = ${a} | 0, ib = ${b} | 0, lo = Math.imul(ia, ib), over = ia * (ib + -0) !== lo; ${set32(reg, 'lo')}
      cop = ${SHIFT_PENDING}; cr = lo; ca = over ? ${CF | OF} : 0; cbits = 32;`;
  }
  /** SHL/SHR/SAR r/m32 by a constant count, or by CL (`c` null): a zero count reads nothing and changes nothing (as group2). */
  function shift(m: Rm, kind: number, c: number | null): string {
    if (c === 0) return '';
    flagsWritten = true;
    const n = c ?? 'c';
    let calc: string;
    if (kind === 5) calc = `const u = v >>> 0; const r = (u >>> ${n}) | 0; const cf = (u >>> (${n} - 1)) & 1; const of = ${c === null ? 'c === 1 ? u >>> 31 : 0' : c === 1 ? 'u >>> 31' : '0'};`;
    else if (kind === 7) calc = `const r = v >> ${n}; const cf = (v >> (${n} - 1)) & 1; const of = 0;`;
    else calc = `const r = v << ${n}; const cf = (v >>> (32 - ${n})) & 1; const of = ((r >>> 31) & 1) ^ cf;`;
    // PF/ZF/SF later, where read (SHIFT_PENDING): the next ALU op overwrites them, mostly.
    const code = `{ let v = 0; ${readRm(m, 4, 'v')} ${calc} ${writeRm(m, 4, 'r')}
      cop = ${SHIFT_PENDING}; cr = r; ca = cf | (of ? ${OF} : 0); cbits = 32; }`;
    // By CL, a zero count changes nothing: the state after it is known only at run time.
    known = c === null ? null : 'shift';
    return c === null ? `{ const c = r1 & 31; if (c !== 0) ${code} }` : code;
  }
  /**
   * ROL/ROR r/m32 (`right`) by a constant count, or by CL (`c` null; a zero count changes nothing): CF and OF from
   * the result (I386Cpu.group2), SF, ZF, AF and PF kept from the state before, which becomes None with those flags.
   */
  function rotate(m: Rm, right: boolean, c: number | null): string {
    if (c === 0) return '';
    flagsWritten = true;
    const n = c ?? 'c';
    const calc = right
      ? `const r = (v >>> ${n}) | (v << (32 - ${n})); const cf = r >>> 31; const of = cf ^ ((r >>> 30) & 1);`
      : `const r = (v << ${n}) | (v >>> (32 - ${n})); const cf = r & 1; const of = (r >>> 31) ^ cf;`;
    const code = `{ let v = 0; ${readRm(m, 4, 'v')} ${calc} ${writeRm(m, 4, 'r')}
      fa = (flagsOfState(cop, ca, cb, cr, cbits, ck, fa) & ${SF | ZF | AF | PF}) | cf | (of << 11); cop = ${CcOp.None}; }`;
    known = null;
    return c === null ? `{ const c = r1 & 31; if (c !== 0) ${code} }` : code;
  }
  function group3(size: number): { code: string; mem: boolean } | null {
    const m = modrm();
    const kind = m.reg;
    if (kind === 0 || kind === 1) {
      const imm = size === 4 ? imm32() : byte();
      return { code: aluRm(4, size, m, `${imm}`, false), mem: memInsn(m) };
    }
    if (size !== 4) return null;
    if (kind === 2) return { code: `{ let v = 0; ${readRm(m, 4, 'v')} ${writeRm(m, 4, '~v')} }`, mem: memInsn(m) };
    if (kind === 3) {
      const a = alu(5, 4);
      known = 'cmp32';
      return { code: `{ const A = 0; let B = 0; ${readRm(m, 4, 'B')} ${a.code} ${writeRm(m, 4, 'res')} ${a.cc} }`, mem: memInsn(m) };
    }
    if (kind === 4 || kind === 5) { // MUL, IMUL: EDX:EAX = EAX * r/m32
      flagsWritten = true;
      written[0] = 1; written[2] = 1;
      known = 'shift';
      return {
        code: `{ let v = 0; ${readRm(m, 4, 'v')} const sig = mul32(r0, v, ${kind === 5}); r0 = R[0]; r2 = R[1];
          cop = ${SHIFT_PENDING}; cr = r0; ca = sig ? ${CF | OF} : 0; cbits = 32; }`,
        mem: memInsn(m),
      };
    }
    if (kind === 6 || kind === 7) {
      written[0] = 1; written[2] = 1;
      return {
        code: `{ let v = 0; ${readRm(m, 4, 'v')} if (v === 0 || !div32(r2, r0, v, ${kind === 7})) { at(${sync()}); cpu.raise(${DE}); } r0 = R[0]; r2 = R[1]; }`,
        mem: memInsn(m),
      };
    }
    return null;
  }
  function twoByte(): { code: string; mem: boolean; end?: 'jump' } | null {
    const op = byte();
    if (op >= 0x80 && op <= 0x8f) return jcc(op & 15, imm32());
    if (op >= 0x90 && op <= 0x9f) { const m = modrm(); return { code: writeRm(m, 1, `${cond(op & 15)} ? 1 : 0`), mem: memInsn(m) }; }
    if (op >= 0x40 && op <= 0x4f) {
      const m = modrm();
      return { code: `{ let v = 0; ${readRm(m, 4, 'v')} if (${cond(op & 15)}) ${set32(m.reg, 'v')} }`, mem: memInsn(m) };
    }
    switch (op) {
      case 0xb6: case 0xb7: case 0xbe: case 0xbf: {
        const from = op & 1 ? 2 : 1, sh = 32 - from * 8;
        const m = modrm();
        return { code: `{ let v = 0; ${readRm(m, from, 'v')} ${set32(m.reg, op >= 0xbe ? `(v << ${sh}) >> ${sh}` : 'v')} }`, mem: memInsn(m) };
      }
      case 0xaf: {
        const m = modrm();
        return { code: `{ let B = 0; ${readRm(m, 4, 'B')} ${imul(m.reg, `r${m.reg}`, 'B')} }`, mem: memInsn(m) };
      }
      case 0x1f: { const m = modrm(); if (m.reg !== 0) return null; return { code: '', mem: false }; } // NOP r/m
      default: return null;
    }
  }
  /** A taken Jcc leaves the block; the block goes on along the fall-through path (see scanBlock for a loop's exit). */
  function jcc(cc: number, d: number): { code: string; mem: boolean; end?: 'jump' } {
    const target = p + d;
    if (target === entry) {
      loopExit = p;
      if (stopAt === undefined) return { code: `if (${cond(cc)}) ${goto(target - pageStart, k + 1)} ${goto(p - pageStart, k + 1)}`, mem: false, end: 'jump' };
    }
    const loop = backEdge(target);
    if (loop !== null) {
      return { code: `if (${cond(cc)}) { ${loop.again} ${goto(target - pageStart, k + 1)} } break ${loop.label}; }`, mem: false };
    }
    return { code: `if (${cond(cc)}) ${goto(target - pageStart, k + 1)}`, mem: false };
  }
  /**
   * A jump back to an instruction of this block other than its first (a loop inside it): wraps
   * the instructions from there to here in a loop of their own, which runs again while the step
   * budget allows another pass plus the rest of the block (LEN, @N@). Null where that loop would
   * cross another one, or where the flag state known at its head differs from that at the jump
   * (the head's code reads the flags through it).
   */
  function backEdge(target: number): { label: string; again: string } | null {
    const head = insnAt.get(target);
    if (head === undefined || head === 0) return null;
    if (knownAt[head] !== null && knownAt[head] !== known) return null;
    for (const [a, b] of innerLoops) if (a < head && head <= b) return null;
    innerLoops.push([head, k]);
    const label = `L${head}_${k}`, n = k + 1 - head;
    out[outAt[head]] = `${label}: for (;;) {\n${out[outAt[head]]}`;
    return { label, again: `if (steps + ${n} + @N@ <= maxSteps) { steps += ${n}; continue ${label}; }` };
  }
  /** JMP: follows a forward target in the page (the bytes skipped count as the block's), or leaves the block. */
  function jmp(d: number): { code: string; mem: boolean; end?: 'jump' } {
    const target = p + d;
    if (target > p && target < pageEnd && target !== entry) { p = target; return { code: '', mem: false }; }
    const loop = backEdge(target);
    if (loop !== null) return { code: `${loop.again} ${goto(target - pageStart, k + 1)} }`, mem: false, end: 'jump' };
    return { code: goto(target - pageStart, k + 1), mem: false, end: 'jump' };
  }

  /**
   * An INC/DEC r32 whose kept carry (CF, computed from the flag state before it) the next
   * instruction may overwrite unread: its line in `out`, and its code without the carry. V8 cannot
   * drop that computation itself where it calls carryOf (a state known only at run time).
   */
  let pendingCarry: { line: number; code: string } | null = null;
  while (k < MAX_INSNS && !ended) {
    if (k > 0 && stopAt !== undefined && p !== loopExit && stopAt(p - pageStart)) break;
    flagsRead = false; carryKilled = false; stores = false;
    off = p - pageStart;
    const mark = p;
    insnAt.set(p, k); outAt[k] = out.length; knownAt[k] = known;
    const snapshot = written.slice();
    const knownBefore = known, flagsBefore = flagsWritten;
    let r: ReturnType<typeof insn>;
    try { r = insn(); } catch (e) { if (e !== CROSS) throw e; r = null; }
    if (r === null) {
      p = mark; written.set(snapshot); known = knownBefore; flagsWritten = flagsBefore;
      break;
    }
    out.push(`// ${k}: +${off}`, r.code);
    // Overwritten unread by an instruction that cannot fault or leave before it sets the flags.
    if (pendingCarry !== null && carryKilled && !flagsRead && !r.mem && !r.end) out[pendingCarry.line] = pendingCarry.code;
    pendingCarry = r.deadCarry === undefined ? null : { line: out.length - 1, code: r.deadCarry };
    if (stores) out.push(afterStore());
    k++;
    if (p > furthest) furthest = p;
    if (r.end) ended = true;
  }
  if (k === 0) return null;
  if (!ended) out.push(goto(p - pageStart, k));
  return { start: start & 0xfff, code: out.join('\n'), insns: k, end: furthest & 0xfff || 0x1000, written, flagsWritten, usedOverride, returns };
}

/**
 * The generated source of the block at RAM offset `start` alone (a region of one block), or null
 * when no block starts there. A transfer back to its first byte (a JMP, a taken Jcc, a CALL or a
 * RET there) loops inside the function while the step budget allows another whole pass. Exported
 * for tests.
 */
export function generate(u8: Uint8Array, start: number): { source: string; insns: number; bytes: number; loops: boolean } | null {
  const b = scanBlock(u8, start);
  if (b === null) return null;
  return { ...generateRegion([b]), insns: b.insns, bytes: b.end - b.start };
}

/**
 * The generated source of the region of scanned blocks `blocks` (all in one page; the first is its
 * entry from the dispatcher, but any may be): one function whose main loop switches on the index
 * `cur` of the block to run (entered at page offset `at`). A transfer to a block of the region (a JMP or Jcc to its start,
 * a CALL there, a RET to a return address there) continues the loop while the step budget allows
 * a whole pass of that block; anything else leaves. `loops`: some static transfer stays inside.
 * Exported for tests.
 */
export function generateRegion(blocks: readonly ScannedBlock[]): { source: string; loops: boolean } {
  // The switch is on the block's index (0, 1, ...), not its page offset: dense cases make one jump
  // table in V8 (bytecode and optimized code) where sparse ones were compared one by one.
  const index = new Map(blocks.map((b, i) => [b.start, i]));
  // A page offset's case (-1: none): the region's table (`ix`), or the one start's test.
  const caseOf = (off: string) => (blocks.length > 1 ? `((${off}) >>> 0 < 4096 ? ix[${off}] : -1)` : `(${off} === ${blocks[0].start} ? 0 : -1)`);
  let loops = false;
  const cases = blocks.map((b, i) => {
    const body = b.code.replace(/@N@/g, String(b.insns))
      .replace(GOTO, (_m, t: string, count: string) => {
        const to = index.get(Number(t));
        if (to === undefined) return EXIT(t, count);
        loops = true;
        // Back to its own start: the block's own loop, without the switch.
        if (to === i) return `{ steps += ${count}; if (steps + ${b.insns} <= maxSteps) continue b${b.start}; ${EXIT(t, 0)} }`;
        return `{ steps += ${count}; cur = ${to}; continue pass; }`;
      })
      // An EIP outside the region's starts (another page included) leaves through `default`.
      .replace(IND, (_m, count: string) => `steps += ${count}; to = (nx - pb) | 0; cur = ${caseOf('to')}; continue pass;`);
    return `case ${i}: if (steps + ${b.insns} > maxSteps) ${EXIT(b.start, 0)} b${b.start}: for (;;) {\n${body}\n}`;
  });
  let flagsWritten = false, usedOverride = 0;
  const written = new Uint8Array(8);
  for (const b of blocks) {
    flagsWritten ||= b.flagsWritten;
    usedOverride |= b.usedOverride;
    for (let r = 0; r < 8; r++) written[r] |= b.written[r];
  }
  const regs = [...written.keys()].filter((r) => written[r]);
  const wb = regs.map((r) => `regs[${r}] = r${r};`).join(' ')
    + (flagsWritten ? ` if (cop === ${SHIFT_PENDING}) { fa = shiftFlags(cr, ca); cop = ${CcOp.None}; } cpu.ccOp = cop; cpu.ccA = ca; cpu.ccB = cb; cpu.ccR = cr; cpu.ccBits = cbits; cpu.ccKeptCf = ck; cpu.flagsRest = (fr & ${~ARITH}) | fa;` : '');
  // Every way out (a #DE thrown included) writes the registers back once, in the `finally`; the
  // counts are written where the function returns, or by `at` before a call that may throw or look.
  // The function's name lists its blocks' page offsets (profiles).
  // The factory's constants (`name$`) are copied into locals on entry: optimized code that used the
  // factory's context slots directly reloaded each one at every access and checked it (initialized?
  // still a typed array of that kind?), as an OSR compile, which is not specialized to the context,
  // still does. The lazy-flag fields are read as int32 (every reader uses their low 32 bits): a
  // field V8 holds as a double made the flag locals doubles, converted at every flag-setting instruction.
  const source = `"use strict";
const regs$ = cpu.regs, ft$ = cpu.mmu.fastTlb, u8$ = cpu.mmu.u8, segBase$ = cpu.segBase;
const bus = cpu.bus, flags$ = bus.pageFlags, i32$ = bus.ram.i32;
const condOf$ = H.condOf, carryOf$ = H.carryOf, flagsOfState$ = H.flagsOfState, logicFlags$ = H.logicFlags, shiftFlags$ = H.shiftFlags, mul32$ = H.mul32, div32$ = H.div32, R$ = H.R;
function at(e0, off, nxt, esp, n) {
  cpu.startEip = (e0 + off) >>> 0; cpu.startEsp = esp; cpu.eip = (e0 + nxt) >>> 0;
  cpu.ran = n; // retiredCount too
}
function codeWritten(o, size, e0, off, nxt, esp, n) { at(e0, off, nxt, esp, n); return cpu.ramWritten(o, size); }
${blocks.length > 1 ? `const ix$ = new Int8Array(4096).fill(-1);${blocks.map((b, i) => ` ix$[${b.start}] = ${i};`).join('')}\n` : ''}return function region_${blocks.map((b) => b.start.toString(16)).join('_')}(eip, maxSteps, at) {
  const regs = regs$, ft = ft$, u8 = u8$, segBase = segBase$, flags = flags$, i32 = i32$;${blocks.length > 1 ? ' const ix = ix$;' : ''}
  const condOf = condOf$, carryOf = carryOf$, flagsOfState = flagsOfState$, logicFlags = logicFlags$, shiftFlags = shiftFlags$, mul32 = mul32$, div32 = div32$, R = R$;
  let r0 = regs[0], r1 = regs[1], r2 = regs[2], r3 = regs[3], r4 = regs[4], r5 = regs[5], r6 = regs[6], r7 = regs[7];
  const fr = cpu.flagsRest;
  let cop = cpu.ccOp | 0, ca = cpu.ccA | 0, cb = cpu.ccB | 0, cr = cpu.ccR | 0, cbits = cpu.ccBits | 0, ck = cpu.ccKeptCf | 0, fa = fr & ${ARITH};
  const user = cpu.cpl === 3;
  const RK = user ? ${FAST_KIND_UR << (TLB_BITS + 1)} : ${FAST_KIND_SR << (TLB_BITS + 1)}, WK = user ? ${FAST_KIND_UW << (TLB_BITS + 1)} : ${FAST_KIND_SW << (TLB_BITS + 1)};
  const dsB = segBase[${DS}] | 0, ssB = segBase[${SS}] | 0;${[0, 1, 2, 3, 4, 5].filter((s) => usedOverride & (1 << s)).map((s) => ` const sb${s} = segBase[${s}] | 0;`).join('')}
  const ran0 = cpu.ran, pb = (eip - at) | 0;
  let to = at, cur = ${caseOf('at')};
  let steps = 0, slow = false, nx = 0, xo = 0, xn = 0, xm = 0;
  try {
    pass: for (;;) {
      switch (cur) {
${cases.join('\n')}
      default: ${EXIT('to', 0)}
      }
    }
    steps += xn; cpu.eip = (pb + xo) >>> 0; cpu.ran = ran0 + steps;
    return xm;
  } finally {
    ${wb}
  }
};`;
  return { source, loops };
}
