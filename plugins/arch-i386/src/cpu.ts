/**
 * An i386 core: state, reset, decoding and the one-byte opcode map, lazy flags, the run loop with
 * INTR and single-step, and exception delivery (real-mode IVT, protected-mode IDT, #DF, triple
 * fault). Protected-mode transfers, descriptors, I/O, the 0F map, paging (mmu.ts) and the x87
 * (fpu.ts) live in their own files. Hot 32-bit code runs translated (jit.ts) unless `--engine interp`.
 */
import { PAGE_CODE } from '../../../src/core/api.js';
import type { AccessSize, CodeCache, CodeCacheStats, CodePage, Cpu, CpuContext, FirstCalls, IrqLine, JitKit, MachineControl, PortSpace, RegisterValue, Clock } from '../../../src/core/api.js';
import { Line } from '../../../src/core/irq.js';
import { AF, arithFlags, ARITH, carryAfter, CcOp, CF, conditionAfter, conditionOfFlags, DF, IF, OF, PF as FLAG_PF, SF, TF, ZF } from './flags.js';
import { div32, mul32, R } from './muldiv32.js';
import {
  BP, BR, DB, CR0_EM, CR0_PE, CR0_TS, CS, DE, DF as DOUBLE_FAULT, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, EXCEPTION, EXTERNAL, FAULT, FS,
  GP, GS, LIN, NM, OVERFLOW, PAGE_FAULT, RF, SOFTWARE, SS, STACK_FAULT, TS, UD, VM,
} from './consts.js';
import { I386Debug } from './debug.js';
import { armBreakpoints, Breakpoints, dataAccess, DR6_BS, instructionBreakpoint, RF_PENDING } from './debugregs.js';
import { X87 } from './fpu.js';
import { FAST_SR, FAST_SW, FAST_SX, FAST_UR, FAST_UW, FAST_UX, I386Mmu, TLB_MASK } from './mmu.js';
import { loadCache, loadDataSegment, loadNull, probeDescriptor, writeFlags } from './descriptors.js';
import { deliverEvent, farReturn, farTransfer, interruptReturn } from './transfer.js';
import { ioPermission, portIn, portOut } from './io.js';
import { twoByte } from './ops0f.js';
import { bcdAdjust, enter, popAll, pushAll } from './misc.js';
import { popFlagsV86, pushFlagsV86, softIntV86, virtualInterruptFlag } from './vme.js';
import { type Block, jitThreshold, joinRuns, MAX_INSNS, MIN_LEFT_BLOCK, NO_BLOCK, REGION_MEMBER_RUNS, REGION_RUNS, STRAIGHT_HEAT, translateRegion, warmHeat, WARM_STEPS, warmStarts } from './jit.js';
import { RegionChain } from './jit-chain.js';
import { AREA, claimWasmArea, flagsFromArea, i386WasmWanted, translateWasmRegion, type WasmCore } from './jit-wasm.js';
import { endsSoonBeforeLeftOut, runsStraightFull } from './jit-reach.js';
import { warmUpInterpreter } from './warmup.js';

/** Whether a block of `cover` ([first, end) pairs of page offsets) ends at `off`: runs into the start there. */
const runInto = (cover: readonly number[], off: number): boolean => {
  for (let i = 1; i < cover.length; i += 2) if (cover[i] === off) return true;
  return false;
};

/**
 * Bytes before a loop's start in which a start that has run (an arrival, or a block alone) hints at an enclosing loop's
 * head (joinRegion's loop case): without one its region attempt would mostly find this block alone and be scanned in
 * vain (the pc os boot: 44 attempts, 25 more than without, ~15 ms; the compute kernel's heads are 16 bytes before).
 */
const HEAD_SPAN = 64;

/** Whether a start within HEAD_SPAN bytes before page offset `at` has run (arrived at, or a block alone there). */
function ranJustBefore(page: CodePage<Block>, at: number): boolean {
  for (let off = Math.max(0, at - HEAD_SPAN); off < at; off++) {
    const entry = page.entries[off];
    if (entry === undefined ? page.heat[off] > 0 : entry.fn !== null && !entry.region) return true;
  }
  return false;
}

export * from './consts.js';

/** A pending exception: taken at the next instruction boundary, never a host exception. */
export interface PendingException { vector: number; eip: number; errorCode: number }

const EFLAGS_FIXED = 0x2; // bit 1 always reads 1
const PREFIX_NONE = -1;
/** String iterations one REP step runs before returning to the boundary (interrupts, budget). */
const REP_CHUNK = 4096;
/** Steps one call of a translated function may take at most (a small integer: V8's Smi range). */
const MAX_BLOCK_STEPS = 0x3fffffff;
/** Exceptions that turn a second exception into #DF (SDM vol. 3, 6.15, table 6-5). */
const VECTOR_NAMES = ['#DE', '#DB', 'NMI', '#BP', '#OF', '#BR', '#UD', '#NM', '#DF', 'CSO', '#TS', '#NP', '#SS', '#GP', '#PF', 'INT 15', '#MF', '#AC', '#MC', '#XM'];
/** Prefix bytes: 66 67, the six segment overrides, F0 (LOCK), F2 F3 (REPNE, REP). */
const PREFIX = new Uint8Array(256);
for (const p of [0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3]) PREFIX[p] = 1;
/**
 * Retired instructions after which the interpreter warm-up runs (warmup.ts; JitKit.firstCalls), as
 * arch-rv32's cpu.ts WARM_UP_AT: a short run (the empty guest's fewer than 50) never pays for it.
 * Not later: step() is long, and V8 marked it for optimization before the compute kernel's 2,500th
 * instruction (under tsx), then compiled it without the warm-up's feedback.
 */
export const WARM_UP_AT = 1000;
const contributory = (v: number): boolean => v === DE || (v >= TS && v <= GP);
/** No I/O space (a bare test context): ports read all ones, writes vanish. */
const NO_PORTS: PortSpace = { read: (_p, size) => (size === 4 ? 0xffffffff : (1 << (size * 8)) - 1), write: () => {} };

/**
 * Fields that hold 32-bit words: values past V8's small integers (2^30) arrive sooner or later
 * (an int32 operand, a kernel address), and the first one would change the CPU's hidden class and
 * throw away the optimized code that reads it (the interpreter's, every translated region's).
 */
const WORD_FIELDS = ['ccA', 'ccB', 'ccR', 'cr0', 'cr2', 'cr3', 'gdtBase', 'idtBase', 'ldtBase', 'trBase', 'descLo', 'descHi',
  'descAddr', 'tscOffset', 'startEsp', 'eaOff', 'retiredBase', 'windowCsBase'] as const;
/** Small-integer fields the run loop rewrites: V8 tracks a field written once as constant, and the first rewrite deopts its readers. */
const SMALL_FIELDS = ['ran', 'flagsRest', 'ccOp', 'ccBits', 'ccKeptCf', 'cpl', 'eaSeg', 'mrReg', 'mrRm', 'segOverride', 'rep', 'debugBefore', 'dataHits', 'windowFlushes', 'windowCpl'] as const;

/** Gives the fields above their final representation (double, mutable) before any code reads them. */
export function widenFields(cpu: I386Cpu): void {
  const fields = cpu as unknown as Record<string, number>;
  for (const name of WORD_FIELDS) {
    const value = fields[name];
    fields[name] = 2 ** 31; // not a small integer
    fields[name] = value;
  }
  for (const name of SMALL_FIELDS) {
    const value = fields[name];
    fields[name] = value + 1;
    fields[name] = value;
  }
}

/**
 * Whether a call of `block` entered at linear `from` left at linear `to` by running off the end of its code at its
 * length (MAX_INSNS) or its page's end: `to` ends one of its cover's ranges in the entry's page (0x1000: the next page's start).
 */
function ranOffEnd(block: Block, from: number, to: number): boolean {
  // Truncated to 32 bits: V8 compiled the difference for small integers and deoptimized runBlocks at the i386 Linux
  // boot's first linear address past 2^31 ("lost precision"); `from & ~0xfff` would be signed.
  const off = (((to - from) | 0) + (from & 0xfff)) | 0, cover = block.cover;
  // Not a block that ended at a hot start (the dispatcher's, and joinRegion's once both have run): at its length or the page's end.
  const full = block.len >= MAX_INSNS || off === 0x1000;
  // The scan's first range every call, its result unused when not full: V8 then has type feedback for it before the first
  // full block (the i386 Linux boot deoptimized runBlocks there, then ran it in the baseline tier until V8 compiled it again).
  const length = cover.length, ranges = full ? length : 2;
  let end = false;
  for (let i = 1; i < ranges; i += 2) if (cover[i] === off) end = true;
  return full && end;
}

export class I386Cpu implements Cpu {
  readonly id: number;
  /** EAX..EDI (in the wasm area with wasm regions, jit-wasm.ts). */
  readonly regs: Int32Array;
  /** The area in the wasm memory of a CPU with wasm regions (jit-wasm.ts), else null. */
  readonly wasmCore: WasmCore | null;
  /** The chain between its wasm regions (jit-chain.ts), with wasmCore. */
  private readonly chain: RegionChain | null;
  /**
   * EIP and startEip in a typed array rather than fields: a field holding an EIP past 2^30 is a double, and the
   * interpreter's fetches and fetch window did float math on it for every instruction (its adds, conversions and checks).
   */
  private readonly eipWords = new Uint32Array(2);
  /** EIP: the offset in CS of the next instruction byte to fetch (unsigned). Set (a jump), it closes the fetch window. */
  get eip(): number { return this.eipWords[0]; }
  set eip(v: number) { this.eipWords[0] = v; this.fetchEnd = 0; }
  /** Non-arithmetic EFLAGS bits (and the arithmetic ones while ccOp is None). */
  flagsRest = EFLAGS_FIXED;
  /** The lazy-flag state (flags.ts); translated blocks (jit.ts) keep it in locals and write it back. */
  ccOp = CcOp.None;
  ccA = 0; ccB = 0; ccR = 0; ccBits = 32; ccKeptCf = 0;
  /** The lazy-flag state is the wasm area's, not these fields' (between region calls in runBlock: jit-wasm.ts flagsFromArea). */
  flagsInArea = false;
  /**
   * Segment selectors and their descriptor caches (base, limit, D/B bit, and the descriptor's
   * attribute bits 8..23 in `segAttr`: type, S, DPL, P, AVL, D/B, G). Index LIN is the flat pseudo segment.
   */
  readonly sel = new Uint16Array(7);
  readonly segBase: Uint32Array;
  readonly segLimit = new Uint32Array(7);
  readonly segBig = new Uint8Array(7);
  readonly segAttr = new Uint16Array(7);
  cr0 = 0; cr2 = 0; cr3 = 0; cr4 = 0;
  /** Segment limit and null-segment checks on ModRM data accesses (see checkAccess). */
  strictSegments = false;
  /** Current privilege level (SDM vol. 3, 5.5): 0 in real mode; mmu checks U/S pages against it. */
  cpl = 0;
  gdtBase = 0; gdtLimit = 0xffff;
  idtBase = 0; idtLimit = 0x3ff;
  ldtSel = 0; ldtBase = 0; ldtLimit = 0;
  trSel = 0; trBase = 0; trLimit = 0; trType = 0;
  readonly dr = new Uint32Array(8);
  /** What DR7 arms (debugregs.ts). The run loop tests only the two fields below it computes. */
  readonly breakpoints = new Breakpoints();
  /** Non-zero: check instruction breakpoints and clear EFLAGS.RF before the next instruction. */
  debugBefore = 0;
  /** Non-zero while data or I/O breakpoints are armed: report `dataHits` after each instruction. */
  debugAfter = 0;
  /** DR6 B0-B3 of the data and I/O breakpoints the current instruction hit (a trap after it). */
  dataHits = 0;
  /** MSRs kept as plain storage (lo, hi): APIC base, SYSENTER CS/ESP/EIP, MISC_ENABLE; and the TSC offset. */
  readonly msr = new Uint32Array(12);
  tscOffset = 0;
  /** The descriptor `readDescriptor` read last (words, and its linear address for the accessed/busy bits). */
  descLo = 0; descHi = 0; descAddr = 0;
  /** The last exception taken (for tests and the trace); null when none. */
  lastException: PendingException | null = null;
  /** The one record `lastException` points at, rewritten in place (no allocation per exception). */
  private readonly exceptionRecord: PendingException = { vector: 0, eip: 0, errorCode: -1 };
  private pending = -1;
  private pendingError = -1;
  /** The x87 FPU (fpu.ts). */
  readonly fpu: X87;
  /** Paging, A20 and the software TLB (mmu.ts). */
  readonly mmu: I386Mmu;
  /** The RAM bytes (the MMU's view), for the fetch window. */
  private readonly ram8: Uint8Array;
  /** The debugger's side (debug.ts): breakpoints, watchpoints, registers in GDB's numbering. */
  readonly debug: I386Debug;
  /** Set by `debug` while a breakpoint, a watchpoint or interrupt masking is on: `run` takes `debugLoop`. */
  debugChecks = false;
  private halted = false;
  /** Interrupts held off for one instruction after STI (IF 0 -> 1), MOV SS and POP SS. */
  shadow = false;
  private exitRequested = false;
  /**
   * Small integers from the start (run() sets both): an Infinity here made the field a double for good, and loop()'s
   * `ran < budgetLimit` at every instruction a float compare through a boxed number (~1/4 of loop()'s samples).
   */
  private budgetLimit = 0;
  /** The run's budget while `firstCalls` lowers budgetLimit to stop for the warm-up (limitRun lowers both). */
  private sliceBudget = 0;
  /** The stop for the interpreter warm-up (JitKit.firstCalls: no single-instruction calls here). */
  private readonly firstCalls: FirstCalls;
  /** Instructions run in the current `run` call (translated blocks add theirs). */
  ran = 0;
  /**
   * Instructions retired before this `run` call: retiredCount is it plus `ran`, so that the run loop and the regions'
   * exits count one field, not two (retiredCount is a double under the jit: widenFields).
   */
  private retiredBase = 0;
  /** Instructions retired since reset (current at every device access, as the clock reads it mid-slice). */
  get retiredCount(): number { return this.retiredBase + this.ran; }
  set retiredCount(v: number) { this.retiredBase = v - this.ran; }
  // Per-instruction decode state (fields, not allocations).
  opsize32 = false; addrsize32 = false; segOverride = PREFIX_NONE; rep = 0;
  /** EIP of the instruction being run (where a fault restarts it). */
  get startEip(): number { return this.eipWords[1]; }
  set startEip(v: number) { this.eipWords[1] = v; }
  private startEsp = 0;
  mrReg = 0; mrRm = -1; eaSeg = DS; eaOff = 0;
  readonly bus: CpuContext['bus'];
  readonly io: PortSpace;
  readonly clock: Clock;
  private readonly machine: MachineControl;
  private readonly events: CpuContext['events'];
  private readonly ack: ((input: string) => number) | undefined;

  /** Whether hot code is translated (`--engine`, default jit). */
  readonly jit: boolean;
  private readonly kit: JitKit;
  /** Translated blocks by physical page and start byte (the core's code cache). */
  private readonly codePages: CodeCache<Block>;
  /** The next instruction starts after a control transfer (or a block, an event): a block may start there. */
  private atBoundary = false;
  /**
   * The page and entry of the last translated call: a start of that page that gets hot next is translated
   * with the region it ran, or with the block module it ran when that ran jit.ts joinRuns times (joinRegion). Only
   * a policy: a page object the cache recycled for other bytes makes a region of blocks as exact as any.
   */
  private lastPage: CodePage<Block> | null = null;
  private lastBlock: Block = NO_BLOCK;
  /** Set while this CPU's own store is reported to the bus (its code cache already handled it). */
  private selfStore = false;

  constructor(ctx: CpuContext) {
    this.id = ctx.id;
    this.bus = ctx.bus;
    this.jit = ctx.engine !== 'interp';
    this.kit = ctx.jit;
    // Wasm regions (jit-wasm.ts): RAM in a wasm memory and a free area for this CPU.
    const wasmRam = ctx.bus.ram.wasm;
    this.wasmCore = this.jit && wasmRam !== undefined && ctx.bus.ram.base === 0 && i386WasmWanted() ? claimWasmArea(wasmRam) : null;
    const area = this.wasmCore;
    this.regs = area ? new Int32Array(area.memory.buffer, area.area + AREA.regs, 8) : new Int32Array(8);
    this.segBase = area ? new Uint32Array(area.memory.buffer, area.area + AREA.segBase, 7) : new Uint32Array(7);
    // No decoded slots (the interpreter reads code bytes live); one start slot per byte.
    this.codePages = ctx.jit.codeCache<Block>({
      ramSize: ctx.bus.ram.size, codeWords: 0, slots: 4096, markCode: (page) => this.bus.markCode(page), onDropped: () => this.chain?.clear(),
    });
    ctx.bus.onCodeWrite((page) => { if (!this.selfStore) this.codePages.drop(page); });
    this.io = ctx.io ?? NO_PORTS;
    this.clock = ctx.clock;
    this.machine = ctx.machine;
    this.events = ctx.events;
    this.ack = ctx.acknowledge;
    this.mmu = new I386Mmu(ctx.bus, (linear, code) => this.pageFault(linear, code), area ? new Int32Array(area.memory.buffer, area.area + AREA.fastTlb, (AREA.sites - AREA.fastTlb) >> 2) : undefined);
    this.ram8 = this.mmu.u8;
    this.chain = area ? new RegionChain(this, ctx.jit, area) : null;
    this.mmu.storeHook = (a, size) => { this.ramWritten(a, size); };
    this.mmu.onWatch = (linear, size, write) => dataAccess(this, linear, size, write);
    this.a20Line.level = true; // A20 enabled at reset, as QEMU's pc
    this.fpu = new X87({
      loadEa: (disp, size) => this.read(this.eaSeg, this.eaPlus(disp), size),
      storeEa: (disp, size, v) => this.write(this.eaSeg, this.eaPlus(disp), size, v),
      setAx: (v) => this.setR(EAX, 2, v),
      setCompareFlags: (zf, pf, cf) => {
        this.setFlagBits(0, ZF | FLAG_PF | CF | OF | SF | AF);
        this.setFlagBits((zf ? ZF : 0) | (pf ? FLAG_PF : 0) | (cf ? CF : 0), 0);
      },
    });
    this.debug = new I386Debug(this);
    this.firstCalls = ctx.jit.firstCalls(0, WARM_UP_AT, () => warmUpInterpreter((c) => new I386Cpu(c), ctx.jit, this.jit ? 'jit' : 'interp'));
    this.reset();
    // Under the jit only: the interpreter alone writes eip, startEip, eaOff... per instruction, and a
    // double field costs it about 9 % (30 M instructions of the compute kernel: 1.29 s vs 1.19).
    if (this.jit) widenFields(this);
  }

  reset(): void {
    this.regs.fill(0);
    this.regs[EDX] = 0x663; // family 6 model 6 stepping 3, QEMU's qemu32 reset signature
    this.flagsRest = EFLAGS_FIXED; this.ccOp = CcOp.None; this.flagsInArea = false;
    for (let s = 0; s < 6; s++) { this.sel[s] = 0; this.segBase[s] = 0; this.segLimit[s] = 0xffff; this.segBig[s] = 0; this.segAttr[s] = 0x93; }
    this.segAttr[CS] = 0x9b;
    this.segBase[LIN] = 0; this.segLimit[LIN] = 0xffffffff; this.segBig[LIN] = 1; this.segAttr[LIN] = 0xc093;
    // SDM vol. 3, 9.1.4: CS = F000 with base FFFF0000 until the first far jump, EIP = FFF0.
    this.sel[CS] = 0xf000; this.segBase[CS] = 0xffff0000;
    this.eip = 0xfff0;
    this.cr0 = 0x60000010; this.cr2 = 0; this.cr3 = 0; this.cr4 = 0; // CD, NW, ET as QEMU
    this.cpl = 0;
    this.gdtBase = 0; this.gdtLimit = 0xffff; this.idtBase = 0; this.idtLimit = 0x3ff;
    this.ldtSel = 0; this.ldtBase = 0; this.ldtLimit = 0; this.trSel = 0; this.trBase = 0; this.trLimit = 0xffff; this.trType = 0xb;
    this.dr.fill(0); this.dr[6] = 0xffff0ff0; this.dr[7] = 0x400;
    this.msr.fill(0); this.msr[0] = 0xfee00900; this.msr[8] = 1; this.tscOffset = 0; // APIC base: BSP, enabled; fast strings
    this.msr[10] = this.msr[11] = 0x00070406; // PAT: the power-up WB WT UC- UC pattern (SDM 11.12.4)
    this.pending = -1; this.lastException = null; this.halted = false; this.shadow = false; this.retiredCount = 0;
    this.codePages.dropAll(); this.codePages.resetCounters(); this.blockRuns = 0; this.regionRunsReached = 0; this.atBoundary = false; this.lastPage = null; this.lastBlock = NO_BLOCK;
    this.chain?.reset();
    this.mmu.reset();
    this.debugBefore = 0; this.dataHits = 0;
    armBreakpoints(this);
    this.fpu.init();
  }

  get pc(): number { return (this.segBase[CS] + this.eip) >>> 0; }
  /** Sets the linear pc: the offset from the current CS base. */
  set pc(v: number) { this.eip = (v - this.segBase[CS]) >>> 0; this.halted = false; }
  /** HLT: until INTR is high with EFLAGS.IF set (SDM vol. 2, HLT). */
  get waiting(): boolean { return this.halted && !this.intrReady(); }
  get stopped(): boolean { return false; }
  get retired(): number { return this.retiredCount; }
  /**
   * Translated-block calls from the run loop since reset (each is a dispatch: a lookup, the block's
   * register loads and write-back; loops inside a block are not counted): i386-profile's figure.
   */
  blockRuns = 0;
  /**
   * Dispatcher runs after which a block is translated again as a region (runBlocks; REGION_RUNS). The warm-up's
   * scratch CPU takes a few, so that its short loop gives that path type feedback (warmup.ts blockPass).
   */
  regionRuns = REGION_RUNS;
  /** Blocks that reached their regionRuns-th run since reset (tests). */
  regionRunsReached = 0;
  /** Blocks translated since reset (engine-diff, tests). */
  get blocksCompiled(): number { return this.codePages.stats.made; }
  /** The code cache now (npm run bench's memory figure). */
  get codeCache(): CodeCacheStats { return this.codePages.stats; }
  requestExit(): void { this.exitRequested = true; }
  limitRun(steps: number): void {
    if (steps < this.budgetLimit) this.budgetLimit = steps;
    if (steps < this.sliceBudget) this.sliceBudget = steps;
  }
  /** No stop for the warm-up: the warm-up's own scratch CPU (warmup.ts). */
  skipFirstCalls(): void { this.firstCalls.skip(); }
  /** INTR from the 8259A: taken at an instruction boundary with IF set; it wakes HLT. */
  readonly intr = new Line('cpu intr');
  private intrReady(): boolean { return this.intr.level && (this.flagsRest & IF) !== 0; }
  /** The A20 gate (i8042 output port, port 0x92): level high = enabled; low forces physical bit 20 to 0. */
  private readonly a20Line = new Line('cpu a20', (level) => this.mmu.setA20(level));
  irqInput(input: string): IrqLine | undefined { return input === 'intr' ? this.intr : input === 'a20' ? this.a20Line : undefined; }
  getReg(i: number): number { return this.regs[i] >>> 0; }
  setReg(i: number, v: number): void { this.regs[i] = v; }
  privilegeName(): string { return this.flagsRest & VM ? 'V86' : this.cr0 & CR0_PE ? `PM${this.cpl}` : 'real'; }

  get eflags(): number {
    if (this.ccOp === CcOp.None) return this.flagsRest >>> 0;
    return ((this.flagsRest & ~ARITH) | arithFlags(this.ccOp, this.ccA, this.ccB, this.ccR, this.ccBits, this.ccKeptCf)) >>> 0;
  }
  set eflags(v: number) {
    this.flagsRest = (v & 0x3f7fd7) | EFLAGS_FIXED; this.ccOp = CcOp.None;
    if (v & RF) this.debugBefore |= RF_PENDING; // IRET, task switches: cleared after the next instruction starts
  }

  inspect(): RegisterValue[] {
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
    const out: RegisterValue[] = names.map((name, i) => ({ name, value: this.regs[i] >>> 0, width: 32 as const }));
    out.push({ name: 'eip', value: this.eip >>> 0, width: 32 }, { name: 'eflags', value: this.eflags, width: 32 });
    const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
    for (let s = 0; s < 6; s++) out.push({ name: segs[s], value: this.sel[s], width: 32 });
    out.push({ name: 'cr0', value: this.cr0 >>> 0, width: 32 }, { name: 'cr2', value: this.cr2 >>> 0, width: 32 },
      { name: 'cr3', value: this.cr3 >>> 0, width: 32 }, { name: 'cr4', value: this.cr4 >>> 0, width: 32 });
    return out;
  }

  run(budget: number): number {
    this.exitRequested = false;
    this.budgetLimit = this.sliceBudget = budget;
    this.retiredBase += this.ran; this.ran = 0;
    if (this.halted && this.intrReady()) this.halted = false;
    // The try sits outside the instruction loop (cheaper per instruction); a fault re-enters it.
    for (;;) {
      try { if (this.debugChecks) this.debugLoop(); else if (this.firstCalls.done) this.loop(); else this.firstLoop(); return this.ran; } catch (e) {
        if (e !== FAULT) throw e;
        this.takeFault();
        this.atBoundary = this.jit;
        this.ran++;
      }
    }
  }

  /**
   * `loop` until the first-calls gate is done: stopped at WARM_UP_AT retired instructions for the
   * warm-up, then on to the end of the run's budget (the same instructions as without the stop).
   */
  private firstLoop(): void {
    while (!this.firstCalls.done) {
      const stop = this.ran + this.firstCalls.steps(this.retiredCount, this.sliceBudget - this.ran);
      this.budgetLimit = stop;
      this.loop();
      this.budgetLimit = this.sliceBudget;
      if (this.ran < stop || this.ran >= this.sliceBudget) return; // halted, an exit asked, or the budget spent
    }
    this.loop();
  }

  private loop(): void {
    const jit = this.jit;
    while (this.ran < this.budgetLimit && !this.halted) {
      let free = true; // no interrupt shadow here (a block runs past the next boundary's INTR check)
      if (this.shadow) { this.shadow = false; free = false; } else if (this.intr.level && (this.flagsRest & IF) !== 0) { this.takeIntr(); this.atBoundary = jit; }
      if (this.exitRequested) return;
      if (this.atBoundary) {
        this.atBoundary = false;
        if (free && !(this.intr.level && (this.flagsRest & IF) !== 0) && this.runBlock()) continue;
      }
      this.startEip = this.eip; this.startEsp = this.regs[ESP];
      if (this.debugBefore !== 0 && instructionBreakpoint(this)) { this.ran++; continue; } // counted as faults are
      const traps = (this.flagsRest & TF) | this.debugAfter;
      this.step();
      this.ran++; // retiredCount too
      // A control transfer: EIP set other than by fetches in the window (the `eip` setter empties it, as does a fetch
      // the slow way: fetchEnd 0; with the window still open EIP moved by exactly the bytes fetched). Not a REP
      // string instruction stopped between iterations (EIP left on it): no block starts there, and its chunks
      // counted as arrivals made the compute kernel's BSS clear a translation attempt, the first run's first. One
      // done is a boundary: blocks leave string instructions out, and the straight code after one (Linux's blake2s
      // copies its state with REP MOVSD, then runs 1,700 instructions) was the interpreter's to the next jump.
      if (jit && (this.fetchEnd === 0 ? this.rep === 0 || this.eip !== this.startEip : this.rep !== 0)) this.atBoundary = true;
      if (traps !== 0) this.debugTrap(traps & TF);
    }
  }

  /**
   * At a boundary: runs the translated block starting at EIP (jit.ts), translating it once the start
   * is hot. Only for what blocks assume: 32-bit code and stack segments, no single-step, debug
   * registers, V86 or strict segment checks, code in RAM with execute permission, no EIP wrap.
   * False when the interpreter runs the next instruction.
   */
  private runBlock(): boolean {
    try {
      return this.runBlocks();
    } finally {
      if (this.flagsInArea) flagsFromArea(this, this.wasmCore!);
    }
  }

  /** runBlock's work, the flag state left in the wasm area between region calls (jit-wasm.ts copyingState). */
  private runBlocks(): boolean {
    if (this.segBig[CS] === 0 || this.segBig[SS] === 0 || this.strictSegments) return false;
    if (((this.flagsRest & (TF | VM)) | this.debugBefore | this.debugAfter) !== 0) return false;
    // Blocks change none of the above, nor CS or the CPL: run the next block straight away while the run loop would.
    const m = this.mmu, tag = m.tag, perm = m.perm, csBase = this.segBase[CS], exec = this.cpl === 3 ? FAST_UX : FAST_SX;
    const cache = this.codePages;
    // The last block ran off the end of its code to EIP (its length, its page's end): straight code as hot as that
    // block, translated at its first arrival rather than after the threshold (in straight code the interpreter sees
    // no boundary: the k-th 64-instruction block of a long function was translated at its 64 k-th call; Linux's blake2s).
    let straight = false;
    for (let any = false; ; any = true) {
      const eip = this.eip;
      if (eip >= 0xfffff000) return any;
      const lin = (csBase + eip) >>> 0, slot = (lin >>> 12) & TLB_MASK;
      if (tag[slot] !== (lin & -4096) || (perm[slot] & exec) === 0) return any;
      const ramOff = m.ramOff[slot], at = lin & 0xfff;
      const page = cache.page(ramOff >>> 12);
      let block = page.entries[at];
      if (block === undefined) {
        const threshold = jitThreshold(m.pagingOn);
        const heat = ++page.heat[at];
        // Long straight code with paging on: hot at STRAIGHT_HEAT (jit.ts says why), looked at once there.
        if (heat < threshold && !straight && !(heat === STRAIGHT_HEAT && threshold > STRAIGHT_HEAT && runsStraightFull(this.ram8, ramOff + at))) return any;
        // Reached straight from a block module of its page (no instruction interpreted between) that ran joinRuns
        // times: the two would bounce through the dispatcher until a region held both.
        const last = page === this.lastPage ? this.lastBlock : null;
        const from = any && last !== null && !last.region && last.runs >= joinRuns(threshold) ? last.fn : null;
        // Got hot by a jump back from a later byte of its page (the interpreter's last instruction, no block between): a
        // loop, whose enclosing loop nest is made one region at once with the starts that have run (joinRegion).
        const loop = !any && this.startEip > eip && this.startEip - eip < 0x1000 - at && ranJustBefore(page, at);
        block = ((last !== null && last.region) || from !== null || loop ? this.joinRegion(page, ramOff + at, from, loop, warmHeat(threshold)) : null) ?? this.translate(page, ramOff + at, warmHeat(threshold));
        // Marked as code again if stores dropped all its translations and unmarked it (ramWritten).
        if ((this.bus.pageFlags[ramOff >>> 12] & PAGE_CODE) === 0) this.bus.markCode(ramOff >>> 12);
      }
      // Small integers for the translated function (a heap number where V8 saw a small integer deoptimizes it).
      let fn = block.fn;
      let room = Math.min(this.budgetLimit - this.ran, MAX_BLOCK_STEPS) | 0;
      // An instruction no block starts at (the end of the block before it, often): the one after it may
      // start a block, as after a control transfer; otherwise the interpreter would run on to the next transfer.
      if (fn === null) { this.atBoundary = true; return any; }
      if (block.len > room) return any;
      if (block.runs < this.regionRuns && ++block.runs === this.regionRuns && !block.region) {
        this.regionRunsReached++;
        block = this.translateHot(page, ramOff + at, block);
        fn = block.fn!;
        if (block.len > room) return any;
      }
      if (block.warm > 0) {
        block.warm--;
        if (room > WARM_STEPS) room = WARM_STEPS;
      }
      this.blockRuns++;
      const ran0 = this.ran;
      const chain = this.chain;
      const chained = chain !== null && chain.chains(block);
      const missed = chained ? chain.enter(block, ramOff + at, eip | 0, room, at, this.regionRuns) : fn(eip | 0, room, at);
      // A call that ran straight code, no loop (a loop's exit is not as hot as its body: the compute kernel's matrix
      // fill ran 64 instructions past its loop into the multiply's, whose region it then entered in the middle), nor an
      // exit for the budget (before a pass that would not fit).
      const ran = this.ran - ran0;
      const hopped = chained && chain.lastKey !== ramOff + at;
      straight = !hopped && missed === 0 && ran <= 2 * MAX_INSNS && room - ran >= 2 * MAX_INSNS && ranOffEnd(block, lin, (csBase + this.eip) >>> 0);
      this.lastPage = page;
      this.lastBlock = block;
      if (hopped) this.chainedTo(chain.lastKey);
      if (chained && chain.due >= 0) this.runsSpent(chain.due);
      if (this.blockRunEnds()) {
        this.atBoundary = true;
        return true;
      }
      if (missed !== 0) {
        // The block left before an access it does not do itself (a TLB miss, MMIO, a misaligned or
        // page-crossing access): the interpreter runs that instruction, as the run loop would.
        if (this.flagsInArea) flagsFromArea(this, this.wasmCore!);
        this.startEip = this.eip; this.startEsp = this.regs[ESP];
        this.step();
        this.ran++;
        if (this.blockRunEnds()) {
          this.atBoundary = true;
          return true;
        }
      }
    }
  }

  /**
   * Whether the linear page after EIP's maps to the RAM page after `ramPage` (EIP's: the translation's), executable
   * at the CPL (the fast TLB, as runBlocks looks EIP up): a translation may then take an instruction across its page
   * end (jit-wasm.ts straddleTail), which checks that again at each pass. False when that page is not in the TLB.
   */
  nextPageFollows(ramPage: number): boolean {
    const next = ((((this.segBase[CS] + this.eip) >>> 0) & -4096) + 4096) >>> 0;
    if (next === 0) return false; // EIP's page is the last: no next page
    const m = this.mmu, slot = (next >>> 12) & TLB_MASK;
    return m.tag[slot] === (next & -4096) && (m.perm[slot] & (this.cpl === 3 ? FAST_UX : FAST_SX)) !== 0 && m.ramOff[slot] === ramPage + 4096;
  }

  /** After a chain that went on from its first region: that called last is the block runBlocks ran last. */
  private chainedTo(key: number): void {
    const page = this.codePages.peek(key >>> 12);
    this.lastPage = page;
    this.lastBlock = page?.entries[key & 0xfff] ?? NO_BLOCK;
  }

  /**
   * A lukewarm start the chain ran the runs it had left (jit-chain.ts): its block's count one short of regionRuns, so that
   * runBlocks' next run of it, where EIP is, makes it a region (translateHot).
   */
  private runsSpent(key: number): void {
    const block = this.codePages.peek(key >>> 12)?.entries[key & 0xfff];
    if (block !== undefined && block.run !== null && block.runs < this.regionRuns - 1) block.runs = this.regionRuns - 1;
  }

  /** Whether a wasm region's chain (jit-chain.ts) ends after the running call: an exit asked, an interrupt ready. */
  chainMustStop(): boolean {
    return this.exitRequested || this.intrReady();
  }

  /** Region calls the chains made past their first (jit-chain.ts), since reset. */
  get chainedRuns(): number { return this.chain?.hops ?? 0; }

  /** In runBlock, after a block or an instruction: whether the run loop takes over (budget spent, exit asked, an interrupt taken). */
  private blockRunEnds(): boolean {
    return this.ran >= this.budgetLimit || this.exitRequested || (this.intr.level && (this.flagsRest & IF) !== 0);
  }

  /**
   * Translates the block at RAM offset `start` (jit.ts) and stores it (NO_BLOCK where none can
   * start, or where it would run straight into an instruction left to the interpreter within
   * MIN_LEFT_BLOCK instructions: a policy only, kept when its bytes change), so that a store to its
   * bytes drops it (ramWritten). In wasm, the page's warm starts (jit.ts warmStarts) come in its
   * module: stored as aliases, each covering the bytes of all.
   */
  private translate(page: CodePage<Block>, start: number, warm: number): Block {
    const at = start & 0xfff;
    if (endsSoonBeforeLeftOut(this.ram8, start, MIN_LEFT_BLOCK, this.wasmCore !== null && this.nextPageFollows(start & ~0xfff))) return this.storeEntries(page, at, null);
    return this.storeEntries(page, at, this.translateAt(start, undefined, this.wasmCore !== null ? warmStarts(page, at, warm) : []));
  }

  /** Stores `made`'s block at page offset `at` (NO_BLOCK when none) and its other entries as aliases; returns the first. */
  private storeEntries(page: CodePage<Block>, at: number, made: { entries: Map<number, Block> } | null): Block {
    const block = made?.entries.get(at) ?? NO_BLOCK;
    this.codePages.store(page, at, block, block.cover);
    if (made) for (const [off, entry] of made.entries) if (off !== at) this.codePages.store(page, off, entry, entry.cover, true);
    return block;
  }

  /**
   * Block `block` at RAM offset `start` ran REGION_RUNS times: translates it again as a region with
   * the blocks it reaches that ran REGION_MEMBER_RUNS times, and stores the region's entries: its
   * first block's, and as aliases those of its other blocks, replacing their blocks (each covers the
   * bytes of all, so that a store to any drops them all). Returns the entry at `start` (`block`
   * when the region would have no other block).
   */
  private translateHot(page: CodePage<Block>, start: number, block: Block): Block {
    const at = start & 0xfff;
    // A start translated with this block (jit-wasm.ts warm starts) runs without the dispatcher counting it when this block goes there.
    const region = this.translateAt(start, (off) => {
      const entry = page.entries[off];
      return entry !== undefined && (entry.runs >= REGION_MEMBER_RUNS || (entry.fn === block.fn && entry.fn !== null));
    });
    return region === null ? block : this.storeEntries(page, at, region);
  }

  /**
   * The start at RAM offset `start` got hot while its page's region ran last: translates it at once as a
   * region (rather than as a block whose module a region replaces soon after: the compute kernel's
   * quicksort made its entry's block with seven warm starts, a 14 KB module, then a region of the same
   * blocks 1 M instructions later) with the blocks it reaches at starts that ran REGION_MEMBER_RUNS
   * times, at warm starts (heat `warm`, nothing stored there), and at another region's starts but those
   * its blocks run into (a loop head after its entry's first instructions): such a start would end the
   * blocks that run into it, whose loops then went through the region's dispatch (quicksort's steady
   * state 5 % slower). Null when the region would have this block only (translate then makes the block).
   * Or it got hot as a block module of its page (function `from`) that ran joinRuns times left to it: that
   * module's blocks join too, so that the two no longer bounce through the dispatcher (a JavaScript-to-wasm call
   * each, the state copied in and out) until REGION_RUNS made them a region (the compute kernel: 28,282 -> 15,796
   * block calls).
   * Or (`loop`) it got hot by a jump back from a later byte of its page, a start that had run lying just before it
   * (ranJustBefore): an inner loop, made a region at once with the starts before it that have run (its enclosing
   * loops' heads) and the page's blocks alone, so that the first module of a loop nest is its last. The compute
   * kernel's round 1 made a block module per loop, then a region when the enclosing head got hot (quicksort's
   * partition 5c0 -> 5b0 -> 5f4, the sieve's 230 -> 243, matmul's 370 -> 387, the last with its initialising loop's
   * warm starts: 119 instructions whose TurboFan tier-up took ~43 ms): 22 modules -> 19. The built CLI's compute run
   * (interleaved pairs, process CPU and the run phase's wall): under load ~9, CPU median 749 -> 726 ms (lower in 11 of
   * 12); at load ~3, within noise: run 426 vs 428 ms, CPU 668 vs 670 (16 pairs), run 472 -> 465, CPU 743 vs 745 (24
   * pairs, lower in 16): fewer TurboFan compiles matter when the cores are busy. The pc os boot equal (CPU to the
   * prompt 1005 vs 990 ms, 8 pairs) though 41 region attempts there find one block (19 before; a scan each, until
   * jit-reach.ts told them apart without one).
   */
  private joinRegion(page: CodePage<Block>, start: number, from: Block['fn'], loop: boolean, warm: number): Block | null {
    const at = start & 0xfff;
    const region = this.translateAt(start, (off) => {
      const entry = page.entries[off];
      return entry === undefined ? page.heat[off] >= (loop && off < at ? 1 : warm) : entry.fn !== null && (entry.runs >= REGION_MEMBER_RUNS || entry.fn === from || (loop && !entry.region) || (entry.region && !runInto(entry.cover, off)));
    });
    return region === null ? null : this.storeEntries(page, at, region);
  }

  /** The block or region at RAM offset `start` (jit.ts translateRegion), in wasm with wasm regions (jit-wasm.ts; with the blocks at page offsets `warm` in its module). */
  private translateAt(start: number, hot?: (pageOff: number) => boolean, warm: readonly number[] = []) {
    if (this.wasmCore !== null) return translateWasmRegion(this, this.kit, this.wasmCore, this.ram8, start, hot, warm);
    return translateRegion(this, this.kit, this.ram8, start, hot);
  }

  /**
   * A wasm region's store to a page with flags (jit-wasm.ts): where the instruction is and the count
   * before it (a fault or the clock may look), then ramWritten. True when the region must leave.
   */
  wasmStoreHook(off: number, size: number, startEip: number, eip: number, esp: number, ran: number): boolean {
    this.startEip = startEip; this.startEsp = esp; this.eip = eip;
    this.ran = ran; // retiredCount too
    return this.ramWritten(off, size);
  }

  /**
   * After this CPU's store to RAM offset `off` of a page with flags (the interpreter's and blocks'):
   * drops the translations whose bytes it overlaps (data next to code keeps them), tells the bus
   * (watchers, other CPUs), and keeps the page marked while translations are left in it. A page
   * without (code that ran once, or a freed code frame reused as a stack: the pc os boot's `spin`
   * stored to its stack through here, about 7.6 M times) loses the mark, so that later stores take
   * the fast path; its heat stays and runBlock marks it again with its next translation. True when
   * a running block must leave: a translation went, or the page is watched.
   */
  ramWritten(off: number, size: number): boolean {
    const index = off >>> 12;
    let leave = (this.bus.pageFlags[index] & ~PAGE_CODE) !== 0;
    const page = this.codePages.peek(index);
    if (page !== null && page.translated > 0) {
      const first = off & 0xfff;
      if (this.codePages.invalidate(page, first, Math.min(first + size, 4096) - 1)) leave = true;
    }
    this.selfStore = true;
    this.bus.ramStoreHook(this.bus.ram.base + off, size);
    this.selfStore = false;
    if (page !== null && page.translated > 0 && (this.bus.pageFlags[index] & PAGE_CODE) === 0) this.bus.markCode(index);
    return leave;
  }

  /**
   * `loop` for the debugger (debug.ts): stops before an instruction at a breakpoint, after one (or
   * an event delivery) that hit a watchpoint, and takes no INTR while `maskInterrupts` is set. The
   * architectural debug registers and TF work as in `loop`.
   */
  private debugLoop(): void {
    const d = this.debug;
    for (;;) {
      if (d.hit) { d.reportHit(); return; }
      if (this.ran >= this.budgetLimit || this.halted) return;
      // As `loop`, INTR first; the shadow is consumed only once no breakpoint stops here.
      if (!this.shadow && !d.maskInterrupts && this.intr.level && (this.flagsRest & IF) !== 0) {
        this.takeIntr();
        if (d.hit) { d.reportHit(); return; }
      }
      if (d.breakAt(this.pc)) return;
      this.shadow = false;
      if (this.exitRequested) return;
      this.startEip = this.eip; this.startEsp = this.regs[ESP];
      if (this.debugBefore !== 0 && instructionBreakpoint(this)) { this.ran++; continue; }
      const traps = (this.flagsRest & TF) | this.debugAfter;
      this.step();
      this.ran++;
      if (traps !== 0) this.debugTrap(traps & TF);
    }
  }

  /**
   * Debug traps after an instruction (SDM vol. 3, 17.3.1): data and I/O breakpoints it hit (DR6
   * B0-B3) and EFLAGS.TF single-step (DR6.BS) when it began with TF set, together in one #DB. Not
   * after an instruction that entered a handler (INT n and exceptions clear TF), and held for one
   * instruction inside the MOV SS / POP SS shadow.
   */
  private debugTrap(stepping: number): void {
    if (this.shadow) return;
    const hits = this.dataHits;
    const step = stepping !== 0 && (this.flagsRest & TF) !== 0;
    if (hits === 0 && !step) return;
    this.dataHits = 0;
    this.dr[6] = (hits !== 0 ? (this.dr[6] & ~0xf) | hits : this.dr[6]) | (step ? DR6_BS : 0);
    this.deliverException(DB, -1);
  }

  /** #DB for debugregs.ts (an instruction breakpoint: a fault with EIP at the instruction). */
  debugException(): void { this.deliverException(DB, -1); }

  // --- exceptions and interrupts (SDM vol. 3, chapter 6) --------------------------------------

  /**
   * Raises exception `vector` with `errorCode` (-1: none; #DF #TS #NP #SS #GP #PF push one) and
   * abandons the instruction: the CPU takes it at the boundary, with EIP and ESP as they were before
   * the instruction (faults restart it). Callers (paging too) call it last: it does not return.
   */
  raise(vector: number, errorCode = -1): never {
    this.pending = vector; this.pendingError = errorCode;
    throw FAULT;
  }

  private record(vector: number, errorCode: number): void {
    const r = this.exceptionRecord;
    r.vector = vector; r.eip = this.startEip; r.errorCode = errorCode;
    this.lastException = r;
    if (this.events.wants('trap')) this.emitTrap(vector, false, vector === PAGE_FAULT ? this.cr2 : errorCode < 0 ? 0 : errorCode);
  }

  private emitTrap(vector: number, interrupt: boolean, tval: number): void {
    this.events.emit('trap', {
      cpu: this.id, interrupt, cause: vector, name: interrupt ? `INTR ${vector}` : VECTOR_NAMES[vector] ?? `INT ${vector}`,
      pc: (this.segBase[CS] + this.startEip) >>> 0, tval, target: this.privilegeName(),
    });
  }

  /** Takes the exception `raise` recorded: restart state, then through the IDT (or the IVT). */
  private takeFault(): void {
    const vector = this.pending, code = this.pendingError;
    this.pending = -1;
    this.debug.hit = false; // the faulting instruction did not complete: its watchpoint accesses are not reported
    this.eip = this.startEip; this.regs[ESP] = this.startEsp;
    // Faults push RF = 1, so that the restarted instruction skips its instruction breakpoint (SDM 17.3.1.1);
    // only while one is armed: QEMU 7.2 pushes RF = 0 and kernels' fault dumps print EFLAGS. No RF in real mode.
    if (this.breakpoints.exec !== 0 && (this.cr0 & CR0_PE) !== 0) { this.flagsRest |= RF; this.debugBefore |= RF_PENDING; }
    this.deliverException(vector, code);
  }

  /** Delivers an exception; one raised while delivering it makes #DF, one while delivering #DF resets. */
  private deliverException(vector: number, code: number): void {
    const cpl = this.cpl;
    for (;;) {
      this.record(vector, code);
      try { deliverEvent(this, vector, EXCEPTION, code); this.dataHits = 0; return; } catch (e) { // its own stack writes do not trap
        if (e !== FAULT) throw e;
      }
      const second = this.pending;
      this.pending = -1; this.cpl = cpl;
      if (vector === DOUBLE_FAULT) { this.tripleFault(); return; }
      if ((contributory(vector) && contributory(second)) || (vector === PAGE_FAULT && (second === PAGE_FAULT || contributory(second)))) {
        vector = DOUBLE_FAULT; code = 0;
      } else { vector = second; code = this.pendingError; }
    }
  }

  /** SDM vol. 3, 6.15 (#DF): a fault while delivering #DF shuts the processor down; the PC resets. */
  private tripleFault(): void {
    this.halted = true;
    this.exitRequested = true;
    this.machine.reset('triple fault');
  }

  /** INTR at a boundary: the 8259A's INTA cycle gives the vector (none: a spurious request goes away). */
  private takeIntr(): void {
    const vector = this.ack ? this.ack('intr') : -1;
    if (vector < 0) return;
    this.halted = false;
    this.startEip = this.eip; this.startEsp = this.regs[ESP];
    if (this.events.wants('trap')) this.emitTrap(vector & 0xff, true, 0);
    try { deliverEvent(this, vector & 0xff, EXTERNAL, -1); } catch (e) { if (e !== FAULT) throw e; this.takeFault(); }
    this.dataHits = 0;
  }

  /** INT n, INT3, INTO, INT1 and BOUND's #BR: traps return after the instruction. */
  softInt(vector: number): void {
    this.record(vector, -1);
    deliverEvent(this, vector, SOFTWARE, -1);
  }

  // --- memory -------------------------------------------------------------------------------

  /**
   * Segment-relative accesses. A hit in the software TLB (mmu.ts) whose page is RAM and which
   * stays inside the page goes straight to the RAM arrays; the rest (misses, permission checks
   * that need a walk, holes/ROM/MMIO, page-crossing accesses) takes the MMU's slow path.
   */
  private read(seg: number, off: number, size: AccessSize): number {
    return this.readLinear((this.segBase[seg] + off) >>> 0, size, this.cpl === 3 && seg !== LIN);
  }
  private write(seg: number, off: number, size: AccessSize, v: number): void {
    this.writeLinear((this.segBase[seg] + off) >>> 0, size, v, this.cpl === 3 && seg !== LIN);
  }
  /** Linear accesses; `user` false for implicit supervisor accesses (GDT, IDT, TSS: SDM 4.6). */
  private readLinear(lin: number, size: AccessSize, user: boolean): number {
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    if (m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UR : FAST_SR)) !== 0 && (lin & 0xfff) <= 4096 - size) {
      return m.ramLoad(m.ramOff[slot] + (lin & 0xfff), size);
    }
    return m.readSlow(lin, size, user);
  }
  private writeLinear(lin: number, size: AccessSize, v: number, user: boolean): void {
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    if (m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UW : FAST_SW)) !== 0 && (lin & 0xfff) <= 4096 - size) {
      m.ramStore(m.ramOff[slot] + (lin & 0xfff), size, v);
      return;
    }
    m.writeSlow(lin, size, v, user);
  }
  /**
   * #PF (SDM vol. 3, 6.15): CR2 = the linear address, and the instruction abandoned through
   * raise() (it restarts after the handler). Accesses are user-mode at CPL 3 (V86 included), except
   * the implicit supervisor ones to system tables and privilege-change stacks (segment LIN).
   */
  private pageFault(linear: number, errorCode: number): never {
    this.cr2 = linear >>> 0;
    return this.raise(PAGE_FAULT, errorCode);
  }
  /**
   * The fetch window: RAM offsets [fetchPtr, fetchEnd) hold the instruction bytes from EIP on, up to
   * the end of the code page (and short of EIP's wrap at the CS size). `step` opens it with one TLB
   * check; fetches inside it read RAM directly (live, so code the guest writes runs as written) and
   * advance EIP without masking. An empty window (fetchEnd 0) sends every fetch to `fetchByte`. An
   * instruction that ran on (EIP set by nothing but its fetches: the `eip` setter empties the window)
   * leaves it open for the next, which starts at fetchPtr while the MMU has flushed nothing (`flushes`)
   * and CS's base and the CPL are those it was opened with: no TLB check for most instructions.
   */
  private fetchPtr = 0;
  private fetchEnd = 0;
  /** The MMU's flush count, CS base and CPL when the window was opened. */
  private windowFlushes = -1;
  private windowCsBase = 0;
  private windowCpl = 0;
  private openFetchWindow(): void {
    const eip = this.eip, lin = (this.segBase[CS] + eip) >>> 0;
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    if (m.tag[slot] === (lin & -4096) && (m.perm[slot] & (this.cpl === 3 ? FAST_UX : FAST_SX)) !== 0) {
      const pageOff = lin & 0xfff, p = m.ramOff[slot] + pageOff;
      this.fetchPtr = p;
      this.windowFlushes = m.flushes; this.windowCsBase = this.segBase[CS]; this.windowCpl = this.cpl;
      // The byte at the CS size's last offset wraps EIP: the window stops before it (the slow path fetches it). Only
      // an EIP in the size's last 4 KiB is that close, and one compare tells the rest: the Math.min of the two ends
      // for every instruction was float math (EIP was a double field then), ~2.5 % of the interpreter's time.
      const big = this.segBig[CS] !== 0;
      this.fetchEnd = eip < (big ? 0xfffff000 : 0xf000) ? p + 4096 - pageOff : p + Math.min(4096 - pageOff, (big ? 0xffffffff : 0xffff) - eip);
    } else { this.fetchPtr = 0; this.fetchEnd = 0; }
  }
  /** One instruction byte: execute permission (differs from read only with PAE's XD). */
  private fetch8(): number {
    const p = this.fetchPtr;
    if (p < this.fetchEnd) { this.fetchPtr = p + 1; this.eipWords[0]++; return this.ram8[p]; }
    return this.fetchByte();
  }
  /** A byte outside the fetch window: through the TLB (page crossings, ROM, MMIO, EIP wrap). */
  private fetchByte(): number {
    const lin = (this.segBase[CS] + this.eip) >>> 0, user = this.cpl === 3;
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    const b = m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UX : FAST_SX)) !== 0
      ? m.u8[m.ramOff[slot] + (lin & 0xfff)] : m.fetchSlow(lin, user);
    this.eip = this.segBig[CS] ? (this.eip + 1) >>> 0 : (this.eip + 1) & 0xffff;
    return b;
  }
  private fetch16(): number {
    const p = this.fetchPtr;
    if (p + 2 <= this.fetchEnd) { this.fetchPtr = p + 2; this.eipWords[0] += 2; return this.ram8[p] | (this.ram8[p + 1] << 8); }
    return this.fetch8() | (this.fetch8() << 8);
  }
  private fetch32(): number {
    const p = this.fetchPtr;
    if (p + 4 <= this.fetchEnd) {
      const u8 = this.ram8;
      this.fetchPtr = p + 4; this.eipWords[0] += 4;
      return (u8[p] | (u8[p + 1] << 8) | (u8[p + 2] << 16) | (u8[p + 3] << 24)) >>> 0;
    }
    return (this.fetch16() | (this.fetch16() << 16)) >>> 0;
  }
  private fetchImm(size: number): number { return size === 1 ? this.fetch8() : size === 2 ? this.fetch16() : this.fetch32(); }

  // --- for the CPU's other modules (descriptors.ts, transfer.ts, io.ts, ops0f.ts, misc.ts) ---------

  readMem(seg: number, off: number, size: AccessSize): number { return this.read(seg, off, size); }
  writeMem(seg: number, off: number, size: AccessSize, v: number): void { this.write(seg, off, size, v); }
  imm(size: number): number { return this.fetchImm(size); }
  /** Paging: after CR0/CR3/CR4 writes (and task switches) the MMU takes the new mode and address space (SDM 4.10.4.1). */
  flushTlb(): void {
    this.mmu.setControl(this.cr0, this.cr4);
    this.mmu.loadCr3(this.cr3);
  }
  /** INVLPG. */
  flushTlbPage(linear: number): void { this.mmu.invalidate(linear); }

  // --- registers ------------------------------------------------------------------------------

  /** A register's bits: int32 for 32 bits (an unsigned value above 2^31 returned from a call boxes a heap number). */
  getR(r: number, size: number): number {
    if (size === 4) return this.regs[r];
    if (size === 2) return this.regs[r] & 0xffff;
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >>> 8) & 0xff; // AH..BH
  }
  setR(r: number, size: number, v: number): void {
    if (size === 4) this.regs[r] = v;
    else if (size === 2) this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
    else if (r < 4) this.regs[r] = (this.regs[r] & ~0xff) | (v & 0xff);
    else this.regs[r - 4] = (this.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  // --- ModRM / SIB (SDM vol. 2, tables 2-1 to 2-3) ------------------------------------------------

  modrm(): void {
    const m = this.fetch8();
    const mod = m >> 6, rm = m & 7;
    this.mrReg = (m >> 3) & 7;
    if (mod === 3) { this.mrRm = rm; return; }
    this.mrRm = -1;
    let seg = DS, off = 0;
    if (!this.addrsize32) {
      if (mod === 0 && rm === 6) off = this.fetch16();
      else {
        switch (rm) {
          case 0: off = this.regs[EBX] + this.regs[ESI]; break;
          case 1: off = this.regs[EBX] + this.regs[EDI]; break;
          case 2: off = this.regs[EBP] + this.regs[ESI]; seg = SS; break;
          case 3: off = this.regs[EBP] + this.regs[EDI]; seg = SS; break;
          case 4: off = this.regs[ESI]; break;
          case 5: off = this.regs[EDI]; break;
          case 6: off = this.regs[EBP]; seg = SS; break;
          default: off = this.regs[EBX];
        }
        if (mod === 1) off += (this.fetch8() << 24) >> 24;
        else if (mod === 2) off += this.fetch16();
      }
      off &= 0xffff;
    } else {
      let base = rm;
      if (rm === 4) {
        const sib = this.fetch8();
        const idx = (sib >> 3) & 7;
        base = sib & 7;
        if (idx !== 4) off = this.regs[idx] << (sib >> 6);
        if (base === 5 && mod === 0) { off = (off + this.fetch32()) | 0; base = -1; }
      } else if (rm === 5 && mod === 0) { off = this.fetch32(); base = -1; }
      // int32 sums (the offset is their low 32 bits): one past int32 deoptimized the interpreter ('overflow').
      if (base >= 0) { off = (off + this.regs[base]) | 0; if (base === ESP || base === EBP) seg = SS; }
      if (mod === 1) off = (off + ((this.fetch8() << 24) >> 24)) | 0;
      else if (mod === 2) off = (off + this.fetch32()) | 0;
      off >>>= 0;
    }
    this.eaSeg = this.segOverride === PREFIX_NONE ? seg : this.segOverride;
    this.eaOff = off;
  }
  /** The r/m operand's bits: int32 for 32 bits, as getR. */
  readRM(size: AccessSize): number {
    if (this.mrRm >= 0) return this.getR(this.mrRm, size);
    if (this.strictSegments) this.checkAccess(this.eaSeg, this.eaOff, size);
    return this.read(this.eaSeg, this.eaOff, size) | 0; // int32, as getR
  }
  writeRM(size: AccessSize, v: number): void {
    if (this.mrRm >= 0) { this.setR(this.mrRm, size, v); return; }
    if (this.strictSegments) this.checkAccess(this.eaSeg, this.eaOff, size);
    this.write(this.eaSeg, this.eaOff, size, v);
  }

  /**
   * The segment checks of a ModRM data access (SDM vol. 3, 5.3): an unusable (null) segment, the
   * limit, expand-down data segments; #SS(0) through SS, #GP(0) otherwise. QEMU does not make them,
   * so they are off unless `strictSegments` (kernels tested on QEMU with a wrong limit keep running).
   */
  checkAccess(seg: number, off: number, size: number): void {
    const attr = this.segAttr[seg], end = off + size - 1;
    let bad: boolean;
    if ((attr & 0x9c) === 0x94) bad = off <= this.segLimit[seg] || end > (this.segBig[seg] ? 0xffffffff : 0xffff); // expand-down
    else bad = !(attr & 0x80) || end > this.segLimit[seg];
    if (bad) this.raise(seg === SS ? STACK_FAULT : GP, 0);
  }

  // --- flags ----------------------------------------------------------------------------------

  /** CF alone, by arithFlags' formulas (ADC/SBB, INC/DEC and CMC read it without the other five). */
  carry(): number {
    return carryAfter(this.ccOp, this.ccA, this.ccB, this.ccR, this.ccBits, this.ccKeptCf, this.flagsRest);
  }
  /**
   * Records a flag-setting operation. Every CcOp defines all six arithmetic flags (INC/DEC through
   * ccKeptCf), so the previous operation's flags are never materialized: `eflags` masks flagsRest's
   * stale arithmetic bits while ccOp is not None.
   */
  setCc(op: CcOp, a: number, b: number, r: number, size: number): void {
    if (op === CcOp.Inc || op === CcOp.Dec) this.ccKeptCf = this.carry();
    this.ccOp = op; this.ccA = a; this.ccB = b; this.ccR = r; this.ccBits = size * 8;
  }
  setFlagBits(set: number, clear: number): void { this.flagsRest = (this.eflags | set) & ~clear; this.ccOp = CcOp.None; }

  /** The eight ALU operations of opcodes 00-3F and group 1 (ADD OR ADC SBB AND SUB XOR CMP). */
  alu(op: number, a: number, b: number, size: number): number {
    const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    let r: number;
    switch (op) {
      case 0: r = (a + b) | 0; this.setCc(CcOp.Add, a, b, r, size); break;
      case 1: r = a | b; this.setCc(CcOp.Logic, a, b, r, size); break;
      case 2: { const c = this.carry(); r = (a + b + c) | 0; this.setCc(CcOp.Add, a, b, r, size); break; }
      case 3: { const c = this.carry(); r = (a - b - c) | 0; this.setCc(CcOp.Sub, a, b, r, size); break; }
      case 4: r = a & b; this.setCc(CcOp.Logic, a, b, r, size); break;
      case 5: case 7: r = (a - b) | 0; this.setCc(CcOp.Sub, a, b, r, size); break;
      default: r = a ^ b; this.setCc(CcOp.Logic, a, b, r, size); break;
    }
    // Sums and differences wrapped at once (every flag reader takes the low bits): a 32-bit one past
    // int32 deoptimized the optimized interpreter ('overflow').
    return r & mask; // int32 for 32 bits: callers store the bits; an unsigned result above 2^31 would box a heap number
  }

  condition(cc: number): boolean {
    const op = this.ccOp;
    if (op !== CcOp.None && (cc >> 1) !== 5) return this.conditionAfter(op, cc);
    return conditionOfFlags(cc, this.eflags);
  }

  private conditionAfter(op: CcOp, cc: number): boolean {
    return conditionAfter(op, cc, this.ccA, this.ccB, this.ccR, this.ccBits, this.ccKeptCf);
  }

  // --- stack and control transfer -----------------------------------------------------------

  push(size: AccessSize, v: number): void {
    if (this.segBig[SS]) { this.regs[ESP] = this.regs[ESP] - size; this.write(SS, this.regs[ESP] >>> 0, size, v); }
    else { const sp = (this.regs[ESP] - size) & 0xffff; this.setR(ESP, 2, sp); this.write(SS, sp, size, v); }
  }
  pop(size: AccessSize): number {
    if (this.segBig[SS]) { const v = this.read(SS, this.regs[ESP] >>> 0, size); this.regs[ESP] += size; return v; }
    const sp = this.regs[ESP] & 0xffff;
    const v = this.read(SS, sp, size);
    this.setR(ESP, 2, sp + size);
    return v;
  }
  jumpRel(disp: number): void {
    const t = this.eip + disp;
    this.eip = this.opsize32 ? t >>> 0 : t & 0xffff;
  }
  /** Loads a segment register in real mode: base = selector * 16 (SDM vol. 3, 20.1.1). */
  loadSegReal(seg: number, selector: number): void {
    this.sel[seg] = selector; this.segBase[seg] = selector << 4;
    if (!(this.segAttr[seg] & 0x80)) this.segAttr[seg] = seg === CS ? 0x9b : 0x93; // usable again after a null load
  }

  /**
   * Loads a segment register from the GDT/LDT without privilege checks, for boot loaders that set up
   * flat protected mode (multiboot): false when the selector lies past the table or is not present.
   * A CS load also sets the CPL from its RPL.
   */
  loadSegProtected(seg: number, selector: number): boolean {
    if ((selector & 0xfffc) === 0) { if (seg === CS || seg === SS) return false; loadNull(this, seg, selector); return true; }
    if (!probeDescriptor(this, selector) || !(this.descHi & 0x8000)) return false;
    loadCache(this, seg, selector, this.descLo, this.descHi);
    if (seg === CS) this.cpl = selector & 3;
    return true;
  }

  /** A segment load in virtual-8086 mode: base = selector * 16, 64 KiB, ring 3 (SDM vol. 3, 20.1.1). */
  loadSegV86(seg: number, selector: number): void {
    this.sel[seg] = selector; this.segBase[seg] = selector << 4; this.segLimit[seg] = 0xffff;
    this.segBig[seg] = 0; this.segAttr[seg] = seg === CS ? 0xfb : 0xf3;
  }

  /** True in protected mode outside V86: selectors name descriptors. */
  get protectedMode(): boolean { return (this.cr0 & CR0_PE) !== 0 && (this.flagsRest & VM) === 0; }
  get iopl(): number { return (this.flagsRest >>> 12) & 3; }
  /** Loads a data or stack segment register (MOV/POP Sreg, LDS...): real mode, V86 or with the protected-mode checks. */
  loadSeg(seg: number, selector: number): void {
    if (this.protectedMode) loadDataSegment(this, seg, selector);
    else if (this.flagsRest & VM) this.loadSegV86(seg, selector);
    else this.loadSegReal(seg, selector);
  }
  /**
   * CPL > IOPL in protected mode (V86 included): IOPL-sensitive CLI/STI fault with #GP(0) (SDM vol. 1,
   * 13.2.1), or change VIF under VME/PVI (vme.ts).
   */
  ioplFaults(): boolean { return (this.cr0 & CR0_PE) !== 0 && this.cpl > this.iopl; }
  /** Privileged instructions fault with #GP(0) outside ring 0 (SDM vol. 3, 5.9). */
  checkCpl0(): void {
    if (this.cpl !== 0) this.raise(GP, 0);
  }
  /** LDS/LES/LFS/LGS/LSS: offset then selector from memory. */
  loadFarPointer(seg: number, vs: AccessSize): void {
    this.modrm();
    if (this.mrRm >= 0) this.raise(UD);
    const off = this.readMem(this.eaSeg, this.eaOff, vs), selector = this.readMem(this.eaSeg, (this.eaOff + vs) >>> 0, 2);
    this.loadSeg(seg, selector);
    this.setR(this.mrReg, vs, off);
  }

  /** ESC D8-DF: #NM when CR0.EM or CR0.TS is set (no FPU / lazy FPU switch), else the FPU runs it. */
  private x87(op: number): void {
    if (this.cr0 & (CR0_EM | CR0_TS)) return this.raise(NM);
    this.modrm();
    this.fpu.execute(op, this.mrReg, this.mrRm, this.opsize32);
  }
  /** The ModRM effective offset + `disp`, wrapped to the address size (multi-part x87 operands). */
  private eaPlus(disp: number): number {
    const o = this.eaOff + disp;
    return this.addrsize32 ? o >>> 0 : o & 0xffff;
  }

  /** Sets the arithmetic flags from a result directly (MUL/DIV families), as QEMU computes them. */
  setResultFlags(r: number, size: number, cfof: boolean): void {
    this.setCc(CcOp.Logic, 0, 0, r, size);
    if (cfof) this.setFlagBits(CF | OF, 0);
  }

  /** F6/F7: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV (SDM vol. 2; #DE on divide by zero or quotient overflow). */
  group3(s: AccessSize): void {
    this.modrm();
    const bits = s * 8, mask = s === 4 ? 0xffffffff : (1 << bits) - 1;
    const v = this.readRM(s);
    switch (this.mrReg) {
      case 0: case 1: this.alu(4, v, this.fetchImm(s), s); return;
      case 2: this.writeRM(s, (~v & mask) >>> 0); return;
      case 3: { const r = this.alu(5, 0, v, s); this.writeRM(s, r); return; }
      case 4: case 5: {
        const signed = this.mrReg === 5;
        const a = signed ? (this.getR(EAX, s) << (32 - bits)) >> (32 - bits) : this.getR(EAX, s);
        const b = signed ? (v << (32 - bits)) >> (32 - bits) : v;
        if (s === 4) {
          const significant = mul32(a, b, signed);
          this.regs[EAX] = R[0]; this.regs[EDX] = R[1];
          this.setResultFlags(R[0] >>> 0, 4, significant);
          return;
        }
        const p = a * b; // exact: at most 32 bits
        if (s === 1) this.setR(EAX, 2, p);
        else { this.setR(EAX, 2, p); this.setR(EDX, 2, p >> 16); }
        const lo = p & mask;
        const fits = signed ? ((lo << (32 - bits)) >> (32 - bits)) === p : (p >>> bits) === 0;
        this.setResultFlags(lo, s, !fits);
        return;
      }
      default: {
        const signed = this.mrReg === 7;
        if (v === 0) return this.raise(DE);
        let q: number, r: number;
        if (s === 4) {
          if (!div32(this.regs[EDX], this.regs[EAX], v | 0, signed)) return this.raise(DE);
          q = R[0] >>> 0; r = R[1] >>> 0;
        } else {
          const n = s === 1 ? this.getR(EAX, 2) : ((this.getR(EDX, 2) << 16) | this.getR(EAX, 2)) >>> 0;
          const nn = signed ? (s === 1 ? (n << 16) >> 16 : n | 0) : n;
          const d = signed ? (v << (32 - bits)) >> (32 - bits) : v;
          const tq = Math.trunc(nn / d);
          if (signed ? tq !== ((tq << (32 - bits)) >> (32 - bits)) : tq > mask) return this.raise(DE);
          q = tq & mask; r = (nn % d) & mask;
        }
        if (s === 1) this.setR(EAX, 2, q | (r << 8));
        else { this.setR(EAX, s, q); this.setR(EDX, s, r); }
        return; // flags undefined; left as they were
      }
    }
  }

  /**
   * Group 2 shifts and rotates (count masked to 5 bits; a zero count changes nothing). Flags as QEMU
   * leaves them: OF is also set for counts above 1, AF = 0 after shifts; rotates change only CF and OF.
   */
  group2(s: AccessSize, count: number): void {
    const c = count & 31;
    if (c === 0) return;
    const bits = s * 8, mask = s === 4 ? 0xffffffff : (1 << bits) - 1, msb = bits - 1;
    const v = this.readRM(s);
    let r: number, cf: number, of: number;
    const kind = this.mrReg;
    if (kind >= 4) { // SHL SHR SAL SAR
      if (kind === 5) { r = v >>> c; cf = (v >>> (c - 1)) & 1; of = c === 1 ? v >>> msb : 0; }
      else if (kind === 7) { const sv = (v << (32 - bits)) >> (32 - bits); r = (sv >> c) & mask; cf = (sv >> (c - 1)) & 1; of = 0; }
      else { r = c >= 32 ? 0 : (v << c) & mask; cf = c <= bits ? (v >>> (bits - c)) & 1 : 0; of = ((r >>> msb) & 1) ^ cf; }
      r >>>= 0;
      this.writeRM(s, r);
      this.flagsRest = (this.eflags & ~ARITH) | (arithFlags(CcOp.Logic, 0, 0, r, bits, 0) & ~(CF | OF)) | cf | (of ? OF : 0);
      this.ccOp = CcOp.None;
      return;
    }
    let carry = this.carry();
    if (kind === 0 || kind === 1) {
      const n = c % bits;
      r = kind === 0 ? ((v << n) | (v >>> ((bits - n) % bits))) & mask : ((v >>> n) | (v << ((bits - n) % bits))) & mask;
      if (n === 0) r = v;
      r >>>= 0;
      if (kind === 0) { cf = r & 1; of = ((r >>> msb) & 1) ^ cf; }
      else { cf = (r >>> msb) & 1; of = cf ^ ((r >>> (msb - 1)) & 1); }
    } else { // RCL RCR through CF, bit by bit (count mod bits + 1)
      // A count that is a multiple of bits + 1 changes nothing, flags included (QEMU's rclb/rclw tables).
      const n = c % (bits + 1);
      if (n === 0) return;
      r = v;
      for (let i = 0; i < n; i++) {
        if (kind === 2) { const out = (r >>> msb) & 1; r = ((r << 1) | carry) & mask; carry = out; }
        else { const out = r & 1; r = (r >>> 1) | (carry << msb); carry = out; }
      }
      r >>>= 0; cf = carry;
      // OF = MSB(old ^ new): the SDM's definition for count 1; undefined above 1, where QEMU keeps this formula.
      of = ((v ^ r) >>> msb) & 1;
    }
    this.writeRM(s, r);
    this.flagsRest = (this.eflags & ~(CF | OF)) | cf | (of ? OF : 0);
    this.ccOp = CcOp.None;
  }

  /**
   * MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS with REP/REPE/REPNE: SI/DI and the count in CX or ECX by address
   * size, the source in DS (or the override), the destination always ES. A REP step runs at most
   * REP_CHUNK iterations and stops early for a pending interrupt; it then re-executes (EIP back to
   * the prefix), so interrupts and the run budget come between iterations (SDM vol. 2, REP).
   */
  stringOp(op: number, s: AccessSize): void {
    const as: AccessSize = this.addrsize32 ? 4 : 2;
    const amask = as === 4 ? 0xffffffff : 0xffff;
    const delta = this.flagsRest & DF ? -s : s; // DF is never lazy
    const src = this.segOverride === PREFIX_NONE ? DS : this.segOverride;
    const kind = op & 0xfe;
    const compare = kind === 0xa6 || kind === 0xae;
    const usesSi = kind === 0xa4 || kind === 0xa6 || kind === 0xac || kind === 0x6e;
    const usesDi = kind !== 0xac && kind !== 0x6e;
    if (kind === 0x6c || kind === 0x6e) ioPermission(this, this.regs[EDX] & 0xffff, s);
    for (let i = 0; ; i++) {
      if (this.rep) {
        if (this.getR(ECX, as) === 0) return;
        // Also after an iteration that hit a data breakpoint or a GDB watchpoint (SDM vol. 3, 17.3.1.2).
        if (i === REP_CHUNK || (i > 0 && (this.dataHits !== 0 || this.debug.hit || this.intrReady()))) {
          // Stopped between iterations: RF = 1 lets it resume past its instruction breakpoint (SDM 17.3.1.1),
          // set only while breakpoints are armed (QEMU 7.2 never sets it).
          this.eip = this.startEip;
          if ((this.breakpoints.exec | this.dataHits) !== 0) { this.flagsRest |= RF; this.debugBefore |= RF_PENDING; }
          return;
        }
      }
      // REP STOS and REP MOVS over plain RAM: the iterations up to a page's end at once (a BSS clear, a memset; a
      // memcpy, the i386 Linux decompressor's copies of itself and of the kernel it unpacks: 609 K iterations, one at a
      // time ~40 ms). STOS forward only, bytes and dwords (storeRun); MOVS either direction, any size (copyRun).
      if ((kind === 0xaa || kind === 0xa4) && this.rep !== 0 && as === 4 && !this.debugChecks && this.debugAfter === 0 && !this.intrReady()) {
        const n = kind === 0xa4 ? this.copyRun(s, delta < 0, src, REP_CHUNK - i) : delta > 0 && s !== 2 ? this.storeRun(s, REP_CHUNK - i) : 0;
        if (n > 0) { i += n - 1; continue; }
      }
      const si = this.getR(ESI, as), di = this.getR(EDI, as);
      switch (kind) {
        case 0xa4: this.write(ES, di, s, this.read(src, si, s)); break;
        case 0xa6: this.alu(7, this.read(src, si, s), this.read(ES, di, s), s); break;
        case 0xaa: this.write(ES, di, s, this.getR(EAX, s)); break;
        case 0xac: this.setR(EAX, s, this.read(src, si, s)); break;
        case 0x6c: { const v = this.io.read(this.regs[EDX] & 0xffff, s); this.write(ES, di, s, v); break; }
        case 0x6e: this.io.write(this.regs[EDX] & 0xffff, s, this.read(src, si, s)); break;
        default: this.alu(7, this.getR(EAX, s), this.read(ES, di, s), s); break;
      }
      if (usesSi) this.setR(ESI, as, (si + delta) & amask);
      if (usesDi) this.setR(EDI, as, (di + delta) & amask);
      if (!this.rep) return;
      this.setR(ECX, as, (this.getR(ECX, as) - 1) & amask);
      if (compare && ((this.eflags & ZF) !== 0) !== (this.rep === 0xf3)) return;
    }
  }

  /**
   * Up to `max` iterations of REP STOSB/STOSD (32-bit addresses, DF = 0) as one fill, when ES:EDI is
   * in the TLB with write permission, the page has no flags (code, watch) and a dword store is
   * aligned: EDI and ECX as after that many iterations, which could not have differed (no fault,
   * no device, no interrupt between them). Returns the iterations done: 0 leaves them to stringOp.
   */
  private storeRun(s: 1 | 4, max: number): number {
    const lin = (this.segBase[ES] + this.regs[EDI]) >>> 0, o = this.fastRamOffset(lin, this.cpl === 3 ? FAST_UW : FAST_SW);
    if (o < 0 || this.bus.pageFlags[o >>> 12] !== 0 || (s === 4 && (o & 3) !== 0)) return 0;
    const n = Math.min(this.regs[ECX] >>> 0, max, ((4096 - (lin & 0xfff)) / s) | 0);
    if (n <= 0) return 0;
    // A dword whose four bytes are one (Linux's clear_page: EAX 0) fills as bytes (Ram.fill: the fast path of shared RAM).
    const v = this.regs[EAX];
    if (s === 1 || v === Math.imul(v & 255, 0x01010101)) this.bus.ram.fill(o, v & 255, n * s);
    else this.bus.ram.i32.fill(v, o >> 2, (o >> 2) + n);
    this.regs[EDI] = (this.regs[EDI] + n * s) | 0;
    this.regs[ECX] = (this.regs[ECX] - n) | 0;
    return n;
  }

  /** The RAM offset of linear `lin` where the TLB holds its page with permission `bits` (FAST_*), else -1. */
  private fastRamOffset(lin: number, bits: number): number {
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    return m.tag[slot] === (lin & -4096) && (m.perm[slot] & bits) !== 0 ? m.ramOff[slot] + (lin & 0xfff) : -1;
  }

  /**
   * Up to `max` iterations of REP MOVSB/W/D (32-bit addresses; `back`: DF = 1) as one move, when the source
   * (`srcSeg`:ESI) and ES:EDI are in the TLB with read and write permission, the destination page has no flags (code,
   * watch), each element of the run lies inside its page, and the destination overlaps no source byte the
   * iterations would read after writing it (a forward copy onto the bytes just ahead, which repeats a pattern): ESI,
   * EDI and ECX as after that many iterations, which could not have differed (no fault, no device, no interrupt
   * between them). Returns the iterations done: 0 leaves them to stringOp.
   */
  private copyRun(s: AccessSize, back: boolean, srcSeg: number, max: number): number {
    const user = this.cpl === 3;
    const from = (this.segBase[srcSeg] + this.regs[ESI]) >>> 0, to = (this.segBase[ES] + this.regs[EDI]) >>> 0;
    const fo = this.fastRamOffset(from, user ? FAST_UR : FAST_SR), to0 = this.fastRamOffset(to, user ? FAST_UW : FAST_SW);
    if (fo < 0 || to0 < 0 || this.bus.pageFlags[to0 >>> 12] !== 0) return 0;
    // Elements from the first to either page's end (forward) or start (back), each whole in its page.
    const lo = Math.min(from & 0xfff, to & 0xfff), hi = Math.max(from & 0xfff, to & 0xfff);
    if (hi > 4096 - s) return 0;
    const n = Math.min(this.regs[ECX] >>> 0, max, back ? ((lo / s) | 0) + 1 : ((4096 - hi) / s) | 0);
    const bytes = n * s;
    // One move (memmove) does what the iterations do unless a write lands on source bytes not read yet.
    if (back ? to0 < fo && to0 + s > fo - bytes + s : to0 > fo && to0 < fo + bytes) return 0;
    if (back) this.bus.ram.copy(to0 - bytes + s, fo - bytes + s, bytes);
    else this.bus.ram.copy(to0, fo, bytes);
    const d = back ? -bytes : bytes;
    this.regs[ESI] = (this.regs[ESI] + d) | 0;
    this.regs[EDI] = (this.regs[EDI] + d) | 0;
    this.regs[ECX] = (this.regs[ECX] - n) | 0;
    return n;
  }

  // --- one instruction ------------------------------------------------------------------------

  /** One instruction at EIP; its callers set startEip and startEsp first (where a fault restarts it). */
  step(): void {
    if (this.fetchPtr >= this.fetchEnd || this.mmu.flushes !== this.windowFlushes || this.segBase[CS] !== this.windowCsBase || this.cpl !== this.windowCpl) this.openFetchWindow();
    const big = this.segBig[CS] !== 0;
    this.opsize32 = big; this.addrsize32 = big; this.segOverride = PREFIX_NONE; this.rep = 0;
    let op = this.fetch8();
    while (PREFIX[op] !== 0) {
      if (op === 0x66) this.opsize32 = !big;
      else if (op === 0x67) this.addrsize32 = !big;
      else if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) this.segOverride = (op >> 3) & 3;
      else if (op === 0x64 || op === 0x65) this.segOverride = op - 0x60;
      else if (op === 0xf2 || op === 0xf3) this.rep = op;
      // else F0, LOCK: accepted (one CPU, every access is atomic here)
      op = this.fetch8();
    }
    const vs: AccessSize = this.opsize32 ? 4 : 2;
    if (op < 0x40 && (op & 7) < 6) {
      const aluOp = op >> 3;
      switch (op & 7) {
        case 0: case 1: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); const r = this.alu(aluOp, this.readRM(s), this.getR(this.mrReg, s), s); if (aluOp !== 7) this.writeRM(s, r); return; }
        case 2: case 3: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); const r = this.alu(aluOp, this.getR(this.mrReg, s), this.readRM(s), s); if (aluOp !== 7) this.setR(this.mrReg, s, r); return; }
        case 4: { const r = this.alu(aluOp, this.getR(EAX, 1), this.fetch8(), 1); if (aluOp !== 7) this.setR(EAX, 1, r); return; }
        default: { const r = this.alu(aluOp, this.getR(EAX, vs), this.fetchImm(vs), vs); if (aluOp !== 7) this.setR(EAX, vs, r); return; }
      }
    }
    switch (op) {
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
        const r = op & 7, a = this.getR(r, vs), dec = op >= 0x48;
        const v = dec ? a - 1 : a + 1;
        this.setCc(dec ? CcOp.Dec : CcOp.Inc, a, 1, v, vs);
        this.setR(r, vs, v);
        return;
      }
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        this.push(vs, this.getR(op & 7, vs)); return; // PUSH ESP pushes the value before the decrement
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        { const v = this.pop(vs); this.setR(op & 7, vs, v); return; }
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        const d = (this.fetch8() << 24) >> 24;
        if (this.condition(op & 15)) this.jumpRel(d);
        return;
      }
      case 0x80: case 0x81: case 0x82: case 0x83: { // 82: an alias of 80 outside 64-bit mode
        const s: AccessSize = op === 0x80 || op === 0x82 ? 1 : vs;
        this.modrm();
        const imm = op === 0x81 ? this.fetchImm(s) : op === 0x83 ? ((this.fetch8() << 24) >> 24) & (s === 4 ? 0xffffffff : 0xffff) : this.fetch8();
        const r = this.alu(this.mrReg, this.readRM(s), imm >>> 0, s);
        if (this.mrReg !== 7) this.writeRM(s, r);
        return;
      }
      case 0x84: case 0x85: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.alu(4, this.readRM(s), this.getR(this.mrReg, s), s); return; }
      case 0x88: case 0x89: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.writeRM(s, this.getR(this.mrReg, s)); return; }
      case 0x8a: case 0x8b: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.setR(this.mrReg, s, this.readRM(s)); return; }
      case 0x8d: { this.modrm(); if (this.mrRm >= 0) return this.raise(UD); this.setR(this.mrReg, vs, this.eaOff); return; }
      case 0x90: return; // NOP (XCHG eAX, eAX)
      case 0xa8: this.alu(4, this.getR(EAX, 1), this.fetch8(), 1); return;
      case 0xa9: this.alu(4, this.getR(EAX, vs), this.fetchImm(vs), vs); return;
      case 0xc0: case 0xc1: { const sz: AccessSize = op & 1 ? vs : 1; this.modrm(); this.group2(sz, this.fetch8()); return; }
      case 0xd0: case 0xd1: this.modrm(); this.group2(op & 1 ? vs : 1, 1); return;
      case 0xd2: case 0xd3: this.modrm(); this.group2(op & 1 ? vs : 1, this.regs[ECX] & 0xff); return;
      case 0x68: this.push(vs, this.fetchImm(vs)); return;
      case 0x6a: this.push(vs, ((this.fetch8() << 24) >> 24) >>> 0); return;
      case 0xfe: case 0xff: { // INC/DEC r/m; FF also CALL/JMP near indirect, PUSH r/m (far forms come later)
        const sz: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        const k = this.mrReg;
        if (k <= 1) {
          const a = this.readRM(sz), v = k ? a - 1 : a + 1;
          this.setCc(k ? CcOp.Dec : CcOp.Inc, a, 1, v, sz);
          this.writeRM(sz, v);
          return;
        }
        if (op === 0xfe || k === 7) return this.raise(UD);
        if (k === 3 || k === 5) { // CALL/JMP far through m16:16 or m16:32
          if (this.mrRm >= 0) return this.raise(UD);
          const off = this.readMem(this.eaSeg, this.eaOff, vs), selector = this.readMem(this.eaSeg, (this.eaOff + vs) >>> 0, 2);
          farTransfer(this, selector, off, k === 3, vs);
          return;
        }
        const t = this.readRM(vs);
        if (k === 6) { this.push(vs, t); return; }
        if (k === 2) this.push(vs, this.eip);
        this.eip = t >>> 0; // readRM gives int32
        return;
      }
      case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
        this.stringOp(op, op & 1 ? vs : 1); return;
      case 0xf6: case 0xf7: this.group3(op & 1 ? vs : 1); return;
      case 0x0f: twoByte(this, vs); return;
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        this.setR(op & 7, 1, this.fetch8()); return;
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        this.setR(op & 7, vs, this.fetchImm(vs)); return;
      case 0xc3: { const t = this.pop(vs); this.eip = t; return; }
      case 0xc6: case 0xc7: {
        const s: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        if (this.mrReg !== 0) return this.raise(UD);
        this.writeRM(s, this.fetchImm(s));
        return;
      }
      case 0xe8: { const d = this.fetchImm(vs) | 0; this.push(vs, this.eip); this.jumpRel(vs === 2 ? (d << 16) >> 16 : d); return; }
      case 0xe9: { const d = this.fetchImm(vs) | 0; this.jumpRel(vs === 2 ? (d << 16) >> 16 : d); return; }
      case 0xeb: { const d = (this.fetch8() << 24) >> 24; this.jumpRel(d); return; }
      default: this.lessCommon(op, vs);
    }
  }

  /**
   * The one-byte opcodes compiled code uses less often (system, port I/O, far transfers, flag and
   * segment operations, XCHG, LOOP, x87), out of `step` to keep it small for V8's optimizing compiler:
   * with them inside (6.2 KB of bytecode) step's TurboFan compile took ~200 ms of a compiler thread
   * during the compute kernel's first run, while the run interpreted in the baseline tier and its
   * first wasm regions waited for their own tier-up on the same two cores; without them (3.3 KB),
   * 45-110 ms (test/unit/arch-i386/interp-size.test.ts). A call more for each of these: nothing
   * measurable next to what they do.
   */
  private lessCommon(op: number, vs: AccessSize): void {
    switch (op) {
      case 0x8c: { this.modrm(); if (this.mrReg > GS) return this.raise(UD); this.writeRM(this.mrRm >= 0 ? vs : 2, this.sel[this.mrReg]); return; }
      case 0x8e: {
        this.modrm();
        if (this.mrReg === CS || this.mrReg > GS) return this.raise(UD);
        this.loadSeg(this.mrReg, this.readRM(2));
        if (this.mrReg === SS) this.shadow = true;
        return;
      }
      case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
        const t = this.getR(EAX, vs); this.setR(EAX, vs, this.getR(op & 7, vs)); this.setR(op & 7, vs, t); return;
      }
      case 0x86: case 0x87: {
        const s: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        const t = this.readRM(s); this.writeRM(s, this.getR(this.mrReg, s)); this.setR(this.mrReg, s, t); return;
      }
      case 0x98: // CBW / CWDE
        if (vs === 4) this.regs[EAX] = (this.regs[EAX] << 16) >> 16; else this.setR(EAX, 2, (this.regs[EAX] << 24) >> 24);
        return;
      case 0x99: // CWD / CDQ
        if (vs === 4) this.regs[EDX] = this.regs[EAX] >> 31; else this.setR(EDX, 2, (this.regs[EAX] << 16) >> 31);
        return;
      case 0xe0: case 0xe1: case 0xe2: { // LOOPNE, LOOPE, LOOP: the count register is CX or ECX by address size
        const d = (this.fetch8() << 24) >> 24;
        const as: AccessSize = this.addrsize32 ? 4 : 2;
        const c = (this.getR(ECX, as) - 1) >>> 0;
        this.setR(ECX, as, c);
        const z = (this.eflags & ZF) !== 0;
        if ((as === 4 ? c : c & 0xffff) !== 0 && (op === 0xe2 || z === (op === 0xe1))) this.jumpRel(d);
        return;
      }
      case 0xe3: { const d = (this.fetch8() << 24) >> 24; if (this.getR(ECX, this.addrsize32 ? 4 : 2) === 0) this.jumpRel(d); return; } // JCXZ/JECXZ
      case 0xe4: case 0xe5: { const port = this.fetch8(); const sz: AccessSize = op & 1 ? vs : 1; this.setR(EAX, sz, portIn(this, port, sz)); return; }
      case 0xe6: case 0xe7: { const port = this.fetch8(); const sz: AccessSize = op & 1 ? vs : 1; portOut(this, port, sz, this.getR(EAX, sz)); return; }
      case 0xec: case 0xed: { const sz: AccessSize = op & 1 ? vs : 1; this.setR(EAX, sz, portIn(this, this.regs[EDX] & 0xffff, sz)); return; }
      case 0xee: case 0xef: { const sz: AccessSize = op & 1 ? vs : 1; portOut(this, this.regs[EDX] & 0xffff, sz, this.getR(EAX, sz)); return; }
      case 0x8f: { this.modrm(); if (this.mrReg !== 0) return this.raise(UD); const v = this.pop(vs); this.writeRM(vs, v); return; }
      case 0xcd: { const v = this.fetch8(); if (this.flagsRest & VM) softIntV86(this, v); else this.softInt(v); return; }
      case 0xcf: interruptReturn(this, vs); return;
      case 0x9c: // PUSHF: VM and RF read as 0
        if (this.flagsRest & VM && this.iopl < 3) { pushFlagsV86(this, vs); return; }
        this.push(vs, vs === 4 ? this.eflags & ~0x30000 : this.eflags & 0xffff); return;
      case 0x9d: {
        if (this.flagsRest & VM && this.iopl < 3) { popFlagsV86(this, vs); return; }
        writeFlags(this, this.pop(vs), vs === 4 ? ~(VM | 0x180000) : 0xffff, false); return;
      }
      case 0x9e: this.eflags = (this.eflags & ~0xd5) | ((this.regs[EAX] >>> 8) & 0xd5); return; // SAHF
      case 0x9f: this.setR(4, 1, this.eflags & 0xff); return; // LAHF (AH)
      case 0xea: { const off = this.fetchImm(vs), selector = this.fetch16(); farTransfer(this, selector, off, false, vs); return; }
      case 0xc2: { const n = this.fetch16(); const t = this.pop(vs); this.eip = t; this.addSp(n); return; }
      case 0xf4: this.checkCpl0(); this.halted = true; return; // HLT: privileged
      case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: this.x87(op); return;
      case 0xf8: this.setFlagBits(0, CF); return;
      case 0xf9: this.setFlagBits(CF, 0); return;
      case 0xf5: this.setFlagBits(this.carry() ? 0 : CF, this.carry()); return;
      case 0xfa: if (this.ioplFaults()) virtualInterruptFlag(this, false); else this.setFlagBits(0, IF); return;
      case 0xfb:
        if (this.ioplFaults()) { virtualInterruptFlag(this, true); return; }
        if (!(this.flagsRest & IF)) this.shadow = true;
        this.setFlagBits(IF, 0); return;
      case 0xfc: this.setFlagBits(0, DF); return;
      case 0xfd: this.setFlagBits(DF, 0); return;
      case 0x6c: case 0x6d: case 0x6e: case 0x6f: this.stringOp(op, op & 1 ? vs : 1); return; // INS, OUTS
      case 0xcb: farReturn(this, vs, 0); return;
      case 0xca: farReturn(this, vs, this.fetch16()); return;
      case 0x9a: { const off = this.fetchImm(vs), selector = this.fetch16(); farTransfer(this, selector, off, true, vs); return; }
      case 0xf1: this.softInt(1); return; // INT1 (ICEBP)
      case 0xce: if (this.eflags & OF) this.softInt(OVERFLOW); return; // INTO
      case 0xcc: this.softInt(BP); return; // INT3
      case 0x06: case 0x0e: case 0x16: case 0x1e: this.push(vs, this.sel[op >> 3]); return; // PUSH ES/CS/SS/DS
      case 0x07: case 0x17: case 0x1f: { // POP ES/SS/DS
        const v = this.pop(vs);
        this.loadSeg(op >> 3, v & 0xffff);
        if (op === 0x17) this.shadow = true;
        return;
      }
      case 0x27: case 0x2f: case 0x37: case 0x3f: case 0xd4: case 0xd5: bcdAdjust(this, op); return;
      case 0x60: pushAll(this, vs); return;
      case 0x61: popAll(this, vs); return;
      case 0x62: { // BOUND: #BR when the index is outside [lower, upper] (signed)
        this.modrm();
        if (this.mrRm >= 0) this.raise(UD);
        const sh = 32 - vs * 8;
        const idx = (this.getR(this.mrReg, vs) << sh) >> sh;
        const lo = (this.readMem(this.eaSeg, this.eaOff, vs) << sh) >> sh, hi = (this.readMem(this.eaSeg, (this.eaOff + vs) >>> 0, vs) << sh) >> sh;
        if (idx < lo || idx > hi) this.raise(BR);
        return;
      }
      case 0x63: { // ARPL: protected mode only
        if (!this.protectedMode) this.raise(UD);
        this.modrm();
        const d = this.readRM(2), src = this.getR(this.mrReg, 2);
        if ((d & 3) < (src & 3)) { this.writeRM(2, (d & ~3) | (src & 3)); this.setFlagBits(ZF, 0); } else this.setFlagBits(0, ZF);
        return;
      }
      case 0x69: case 0x6b: { // IMUL r, r/m, imm
        this.modrm();
        const a = this.readRM(vs);
        const b = op === 0x6b ? (this.fetch8() << 24) >> 24 : vs === 4 ? this.fetch32() | 0 : (this.fetch16() << 16) >> 16;
        this.setR(this.mrReg, vs, this.imulTrunc(a, b, vs));
        return;
      }
      case 0x9b: if ((this.cr0 & 0xa) === 0xa) this.raise(7); return; // WAIT: #NM when CR0.MP and TS
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: { // MOV AL/eAX <-> moffs
        const s: AccessSize = op & 1 ? vs : 1;
        const off = this.addrsize32 ? this.fetch32() : this.fetch16();
        const seg = this.segOverride === PREFIX_NONE ? DS : this.segOverride;
        if (this.strictSegments) this.checkAccess(seg, off, s);
        if (op < 0xa2) this.setR(EAX, s, this.readMem(seg, off, s)); else this.writeMem(seg, off, s, this.getR(EAX, s));
        return;
      }
      case 0xc4: this.loadFarPointer(ES, vs); return; // LES
      case 0xc5: this.loadFarPointer(DS, vs); return; // LDS
      case 0xc8: enter(this, vs, this.fetch16(), this.fetch8()); return;
      case 0xc9: { // LEAVE
        if (this.segBig[SS]) this.regs[ESP] = this.regs[EBP]; else this.setR(ESP, 2, this.regs[EBP]);
        this.setR(EBP, vs, this.pop(vs));
        return;
      }
      case 0xd6: this.setR(EAX, 1, this.carry() ? 0xff : 0); return; // SALC (undocumented, as QEMU)
      case 0xd7: { // XLAT
        const seg = this.segOverride === PREFIX_NONE ? DS : this.segOverride;
        const off = this.addrsize32 ? (this.regs[EBX] + (this.regs[EAX] & 0xff)) >>> 0 : (this.regs[EBX] + (this.regs[EAX] & 0xff)) & 0xffff;
        this.setR(EAX, 1, this.readMem(seg, off, 1));
        return;
      }
      default: this.raise(UD);
    }
  }

  /**
   * Direct kernel boot (multiboot, Linux's 32-bit boot protocol): 32-bit protected mode with
   * paging and interrupts off (CR0.PE = 1, PG = 0; EFLAGS = 2), GDTR = the loader's table, CS from
   * `codeSel` and DS/ES/FS/GS/SS from `dataSel` through the descriptor loads, EIP = `entry`.
   */
  enterFlat32(entry: number, gdtBase: number, gdtLimit: number, codeSel: number, dataSel: number): void {
    this.cr0 = (this.cr0 | 1) & 0x7fffffff;
    this.gdtBase = gdtBase; this.gdtLimit = gdtLimit;
    this.loadSegProtected(CS, codeSel);
    for (const s of [ES, SS, DS, FS, GS]) this.loadSegProtected(s, dataSel);
    this.eflags = EFLAGS_FIXED;
    this.eip = entry >>> 0; this.halted = false;
  }

  /** ESP += n (SP in a 16-bit stack segment): RET imm16, RETF imm16. */
  addSp(n: number): void {
    if (this.segBig[SS]) this.regs[ESP] += n; else this.setR(ESP, 2, this.regs[ESP] + n);
  }

  /** The truncated signed product of IMUL's two- and three-operand forms; CF = OF = the product did not fit. */
  imulTrunc(a: number, b: number, s: AccessSize): number {
    const sh = 32 - s * 8;
    const sa = (a << sh) >> sh, sb = (b << sh) >> sh;
    let lo: number, fits: boolean;
    if (s === 4) {
      mul32(sa, sb, true);
      lo = R[0] >>> 0;
      fits = R[1] === R[0] >> 31;
    } else {
      const p = sa * sb;
      lo = p & (s === 2 ? 0xffff : 0xff);
      fits = ((lo << sh) >> sh) === p;
    }
    this.setResultFlags(lo, s, !fits);
    return lo;
  }
}
