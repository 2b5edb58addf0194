/**
 * One RV32IMAC hart: architectural state, the run loop around the interpreter (execute.ts),
 * interrupt delivery, the per-physical-page cache of decoded instructions, and the Cpu
 * interface the core sees.
 */
import type { Bus, Clock, CodeCache, CodeCacheStats, CodePage as EnginePage, Cpu, CpuContext, EventSink, FirstCalls, IrqLine, JitKit, MachineControl, RegisterValue } from '../../../src/core/api.js';
import { Counter64 } from './counters.js';
import { Rv32Debug, runChecked } from './debug.js';
import {
  ABI_NAMES,
  ACC_R,
  ACC_W,
  ACC_X,
  EXC_ILLEGAL,
  HPM_COUNTERS,
  MSTATUS_MPP,
  MSTATUS_MPRV,
  MSTATUS_TW,
  PAGE_CODE,
  PRV_M,
  PRV_S,
  PRV_U,
  SATP_MODE,
  SSTATUS_MASK,
} from './constants.js';
import { CrossPageLinks, joinNextPage, tailSlots } from './cross-page.js';
import { decodeInto } from './decode.js';
import { Op, execute, packInfo } from './execute.js';
import { CPU_INPUTS, CpuIrqLine, pendingInterrupt } from './interrupts.js';
import { fetchSlow } from './fetch.js';
import { type Block, COMPILE_WORK, type RegionBlock, compileRegion, cutAtMaxBlock, HOT_THRESHOLD, JIT_THRESHOLD, LONG_STRAIGHT, MAX_REGION_INSNS, MAX_STRAIGHT_INSNS, NO_BLOCK, REGION_THRESHOLD, regionCover, regionKnown, regionLoops, scanBlock, scanRegion, STRAIGHT_WORK_FACTOR } from './jit.js';
import { AREA, claimWasmArea, compileWasmRegion, tellWasmLoadLimit, tellWasmTlbs, WASM_COMPILE_WORK, type WasmHart } from './jit-wasm.js';
import { TLB_ENTRIES, TLB_MASK, Tlbs, tlbSet, translate } from './mmu.js';
import { Pmp } from './pmp.js';
import { takeTrap } from './trap.js';
import { warmUpInterpreter } from './warmup.js';

/** The decoded state of a RAM page: 2048 slots of [info, imm] (execute.ts describes the layout),
 * compiled blocks by slot, and block-start heat (negative while a block waits to be compiled;
 * `warm` counts its waits, compileBlockAt; at least JIT_THRESHOLD where a block is stored, the
 * only slots where execute() looks for one). */
type CodePage = EnginePage<Block>;

export const DEFAULT_TIMEBASE = 10_000_000;
export const DEFAULT_RESET_VECTOR = 0x1000;
const PRIV_NAMES = ['U', 'S', '?', 'M'];
const WARMUP_CALLS = 1000;
/**
 * Retired instructions after which the interpreter warm-up runs (warmup.ts), rather than when the
 * first hart is made: a short run (the hello kernel's 2,308 instructions) skips it, with the ~20 ms
 * it takes and the TurboFan compile of execute() it starts, which Node waits for at exit; a long
 * one gets it before V8 marks execute() for optimization (the virt OS boot's firmware: ~3,200).
 */
export const WARM_UP_AT = 2500;

/**
 * The hart's fields that can hold any 32-bit value (addresses, trap values, CSR words). V8 gives a
 * field first written with a small integer the "Smi" representation; the first value outside it
 * (the CSR and trap code store unsigned words: a kernel's stvec = 0xc0000000, satp's MODE bit)
 * changes the field to a double, which deprecates the hart's map and throws away the optimized
 * code that touches the hart (execute, executeSystem, the MMU walk...): a dozen deopts in a
 * Linux boot. Widening them once, in the constructor, gives every hart its final map at once.
 */
const WORD_FIELDS = [
  'pc', 'npc', 'mtvec', 'stvec', 'mepc', 'sepc', 'mcause', 'scause', 'mtval', 'stval',
  'mscratch', 'sscratch', 'satp', 'reservation', 'reservationValue', 'splitPa',
] as const;

/** Gives each WORD_FIELDS field the double representation (values unchanged). */
export function widenWordFields(cpu: Rv32Cpu): void {
  const fields = cpu as unknown as Record<string, number>;
  for (const name of WORD_FIELDS) {
    const value = fields[name];
    fields[name] = 2 ** 31; // not a Smi
    fields[name] = value;
  }
}

/** The warm-up as one function for every hart, as aarch64's (cpu.ts sharedWarmUp): a function per hart deoptimizes run(). */
let sharedWarmUp: (() => void) | undefined;

export class Rv32Cpu implements Cpu {
  readonly id: number;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly machine: MachineControl;
  /** Timer frequency in Hz for the `time` CSR (board `cpu.timebaseFrequency`). */
  readonly timebase: number;
  readonly resetVector: number;
  /** Whether hot blocks are compiled: `--engine` (`ctx.engine`), else board `cpu.jit` (default true; false = interpreter only). */
  readonly jit: boolean;

  // RAM, viewed at every width the interpreter needs.
  readonly ramBase: number;
  readonly ramSize: number;
  readonly ramI32: Int32Array;
  readonly ramI16: Int16Array;
  readonly ramU16: Uint16Array;
  readonly ramI8: Int8Array;
  readonly ramU8: Uint8Array;
  readonly pageFlags: Uint8Array;

  // Architectural state.
  /** x0..x31, plus x[32]: the sink that instructions with rd = x0 write to (in the wasm memory with wasm regions). */
  readonly x: Int32Array;
  pc = 0;
  priv = PRV_M;
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable pending bits: SSIP, STIP and the software SEIP. */
  mipSoft = 0;
  /** Pending bits driven by input lines: MSIP, MTIP, MEIP and the external SEIP. */
  mipHw = 0;
  mtvec = 0;
  stvec = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  mscratch = 0;
  sscratch = 0;
  satp = 0;
  mcounteren = 0;
  scounteren = 0;
  menvcfg = 0;
  senvcfg = 0;
  mcountinhibit = 0;
  readonly mcycle = new Counter64();
  readonly minstret = new Counter64();
  /** mhpmcounter3..18 as lo/hi pairs; they hold what software wrote (no events are counted). */
  readonly hpmCounters = new Uint32Array(HPM_COUNTERS * 2);
  readonly hpmEvents = new Uint32Array(29);
  readonly pmp = new Pmp();
  /** LR reservation: virtual address (-1 = none) and the value LR read. */
  reservation = -1;
  reservationValue = 0;

  // Translation.
  readonly tlb: Tlbs;
  /** Where the wasm regions find this hart (jit-wasm.ts), when RAM is a wasm memory and this hart took its area; else null. */
  readonly wasm: WasmHart | null;
  /** Effective privilege of loads and stores (MPP when MPRV = 1 in M-mode). */
  dataPriv = PRV_M;
  rTag: Int32Array;
  rOff: Int32Array;
  wTag: Int32Array;
  wOff: Int32Array;
  private xTag: Int32Array;
  private xOff: Int32Array;
  /** Exception code of the last failed translation. */
  faultCause = 0;
  /** Access fault of a failed page-table read during a walk (-1 = none). */
  walkFault = -1;
  /** Second page's physical base (minus the first part's length) of a split misaligned access. */
  splitPa = -1;

  /** Decoded instructions and compiled blocks, per physical RAM page (the core's code cache). */
  private readonly codePages: CodeCache<Block>;
  /** Wasm regions whose loop crosses into the next page, by that page (cross-page.ts). */
  private readonly crossLinks = new CrossPageLinks<Block>();
  /** The core's translation engine (the block compiler's `new Function`). */
  readonly kit: JitKit;
  /** Decoding target for instructions fetched the slow way (ROM, MMIO, page-crossing). */
  readonly scratch = new Int32Array(4096);
  /** Virtual page of the code array returned by the last resolveFetch (-1 = slow fetch). */
  fetchVpn = -1;
  fetchRamOff = 0;
  /** Blocks and heat of the current fetch page (dummies that never compile for slow fetches). */
  fetchBlocks: Array<Block | undefined>;
  fetchHeat: Int16Array;
  private fetchPage: CodePage | null = null;
  /**
   * Filled as a code page's entries are (code-cache.ts: elements that hold objects): with its own elements kind, V8's
   * execute() deoptimized ("wrong map") at the rv32 Linux boot's first instruction across a page.
   */
  private readonly noBlocks = new Array<Block | undefined>(2048).fill(undefined);
  private readonly noHeat = new Int16Array(2048);
  /** Next pc after a compiled block returns. */
  npc = 0;
  /** Blocks compiled since reset (statistics for tests and the TUI). */
  get blocksCompiled(): number {
    return this.codePages.stats.made;
  }
  /** The code cache now (read-only; npm run bench's memory figure). */
  get codeCache(): CodeCacheStats {
    return this.codePages.stats;
  }
  private selfStore = false;
  /**
   * Interpreted instructions a region's entry must have seen before it is compiled (compileBlockAt;
   * default COMPILE_WORK; 0 = its kind's arrival threshold alone, as the unit tests use).
   */
  compileWork = COMPILE_WORK;
  /**
   * compileWork while fetches are translated (satp on, below M-mode: an OS kernel's and its programs' code);
   * COMPILE_WORK for wasm harts too, whose compileWork is 0. A kernel runs most of its code a few thousand
   * times, where a region's Liftoff compile, instantiation and TurboFan tier-up cost more than interpreting
   * it: the rv32 Linux boot's guest run (built CLI, to poweroff, 10 interleaved runs, medians) took 383 ms
   * with 0, 296 with COMPILE_WORK, 275 in the interpreter alone; 128 Ki and 1 Mi were within noise of it.
   * A user program's hot loop still compiles after about a millisecond of interpreting.
   */
  pagedCompileWork = COMPILE_WORK;

  // Run state.
  waiting = false;
  stopped = false;
  /** Set when the interpreter must return to the run loop at the next check. */
  attention = false;
  /** Set by `raise` until the interpreter has seen it. */
  exc = false;
  exitRequested = false;
  /** Step budget of the run() call in progress (lowered by limitRun). */
  budget = 0;
  /** The debugger's view (debug.ts). */
  readonly debug: Rv32Debug = new Rv32Debug(this);
  /** Breakpoints, watchpoints or masked interrupts are set: run() takes debug.ts's checked loop. */
  checkedRun = false;
  /** Instructions retired before the running execute() call (minus trapped ones). */
  private retiredBase = 0;
  /**
   * Instructions retired in the running execute() call before the current one. The interpreter
   * sets it before every slow path, so that anything observing the hart mid-slice (a CSR read,
   * a device computing mtime from `retired`) sees the exact count.
   */
  inflight = 0;

  private readonly lines = new Map<string, CpuIrqLine>();
  /** The single-instruction first calls and the stop for the warm-up (JitKit.firstCalls). */
  private readonly firstCalls: FirstCalls;

  constructor(ctx: CpuContext) {
    this.id = ctx.id;
    this.bus = ctx.bus;
    this.clock = ctx.clock;
    this.events = ctx.events;
    this.machine = ctx.machine;
    this.timebase = positiveNumber(ctx.props.timebaseFrequency, DEFAULT_TIMEBASE, 'timebaseFrequency');
    this.resetVector = positiveNumber(ctx.props.resetVector, DEFAULT_RESET_VECTOR, 'resetVector');
    if (ctx.props.jit !== undefined && typeof ctx.props.jit !== 'boolean') throw new Error(`rv32: cpu.jit must be true or false, got ${JSON.stringify(ctx.props.jit)}`);
    this.jit = ctx.engine !== undefined ? ctx.engine === 'jit' : ctx.props.jit !== false;
    const ram = ctx.bus.ram;
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    const buf = ram.u8.buffer;
    this.ramI32 = ram.i32;
    this.ramU16 = ram.u16;
    this.ramU8 = ram.u8;
    this.ramI16 = new Int16Array(buf, ram.u8.byteOffset, ram.size >>> 1);
    this.ramI8 = new Int8Array(buf, ram.u8.byteOffset, ram.size);
    this.pageFlags = ctx.bus.pageFlags;
    this.wasm = ram.wasm !== undefined && this.jit ? claimWasmArea(ram.wasm) : null;
    if (this.wasm !== null) {
      const { memory, area } = this.wasm;
      this.x = new Int32Array(memory.buffer, area + AREA.x, 33);
      const tags = area + AREA.tlbTags, wasmRam = ram.wasm!;
      this.tlb = new Tlbs(new Int32Array(memory.buffer, tags, TLB_ENTRIES), new Int32Array(memory.buffer, area + AREA.tlbOffs, TLB_ENTRIES), (from, to) => wasmRam.fill(tags + 4 * from, 0xff, 4 * (to - from)));
      this.compileWork = WASM_COMPILE_WORK;
    } else {
      this.x = new Int32Array(33);
      this.tlb = new Tlbs();
    }
    this.kit = ctx.jit;
    // The first hart's kit for the warm-up's scratch harts (a test may swap `kit`; the warm-up runs once a process).
    this.firstCalls = ctx.jit.firstCalls(WARMUP_CALLS, WARM_UP_AT, (sharedWarmUp ??= () => warmUpInterpreter((c) => new Rv32Cpu(c), ctx.jit)));
    this.codePages = ctx.jit.codeCache<Block>({ ramSize: ram.size, codeWords: 4096, slots: 2048, markCode: (page) => this.bus.markCode(page) });
    this.fetchBlocks = this.noBlocks;
    this.fetchHeat = this.noHeat;
    this.rTag = this.wTag = this.xTag = this.tlb.tags[2][0];
    this.rOff = this.wOff = this.xOff = this.tlb.offs[2][0];
    if (this.wasm !== null) tellWasmTlbs(this.wasm, this.rTag, this.rOff, this.wTag, this.wOff);
    ctx.bus.onCodeWrite((page) => this.codeWritten(page));
    widenWordFields(this);
    this.reset();
  }

  // ------------------------------------------------------------------ Cpu interface

  run(budget: number): number {
    if (this.stopped) return 0;
    this.exitRequested = false;
    this.budget = budget;
    // Chosen once per call, so that the loop below never pays for the debugger.
    if (this.checkedRun) return runChecked(this, this.debug);
    let done = 0;
    // `this.budget` rather than the argument: limitRun may lower it while execute() runs.
    while (done < this.budget) {
      if (!this.beforeSlice(true)) break;
      // The first calls are short (JitKit.firstCalls: type feedback before V8 compiles the loop
      // on-stack, and the interpreter warm-up once a run is long enough to want it).
      const steps = this.budget - done;
      done += execute(this, this.firstCalls.done ? steps : this.firstCalls.steps(this.retired, steps));
      if (this.waiting || this.exitRequested) break;
    }
    return done;
  }

  /**
   * What the run loop does before each interpreter call: wakes from WFI, takes a pending
   * interrupt (unless `interrupts` is false: the debugger masks them). False when run() must return.
   */
  beforeSlice(interrupts: boolean): boolean {
    this.attention = false;
    if (this.waiting) {
      // WFI wakes on any locally enabled pending interrupt, whatever MIE/SIE say (3.3.3).
      if ((this.mipValue() & this.mie) === 0) return false;
      this.waiting = false;
    }
    if (interrupts) {
      const irq = pendingInterrupt(this);
      if (irq >= 0) takeTrap(this, irq, true, 0, this.pc);
    }
    return !this.exitRequested;
  }

  requestExit(): void {
    this.exitRequested = true;
    this.attention = true;
  }

  /**
   * `attention` makes the interpreter and compiled blocks leave after the current instruction
   * (they check it after every slow path, which is where a device can arm a timer); run() then
   * sees the lowered budget.
   */
  limitRun(steps: number): void {
    if (steps < this.budget) {
      this.budget = steps;
      this.attention = true;
    }
  }

  reset(): void {
    this.x.fill(0);
    this.pc = this.resetVector >>> 0;
    this.mstatus = 0;
    this.medeleg = this.mideleg = this.mie = this.mipSoft = 0;
    this.mtvec = this.stvec = this.mepc = this.sepc = 0;
    this.mcause = this.scause = this.mtval = this.stval = 0;
    this.mscratch = this.sscratch = this.satp = 0;
    this.mcounteren = this.scounteren = this.menvcfg = this.senvcfg = this.mcountinhibit = 0;
    this.mcycle.reset();
    this.minstret.reset();
    this.hpmCounters.fill(0);
    this.hpmEvents.fill(0);
    this.pmp.reset();
    this.reservation = -1;
    this.waiting = false;
    this.exc = false;
    this.retiredBase = 0;
    this.inflight = 0;
    this.tlb.flushAll();
    this.codePages.dropAll();
    this.crossLinks.dropAll(() => {});
    this.codePages.resetCounters();
    this.fetchPage = null;
    this.fetchVpn = -1;
    this.fetchBlocks = this.noBlocks;
    this.fetchHeat = this.noHeat;
    this.setPrivilege(PRV_M);
  }

  getReg(index: number): number {
    return index === 0 ? 0 : this.x[index & 31];
  }

  setReg(index: number, value: number): void {
    if (index !== 0) this.x[index & 31] = value;
  }

  irqInput(input: string): IrqLine | undefined {
    const bit = CPU_INPUTS[input];
    if (bit === undefined) return undefined;
    let line = this.lines.get(input);
    if (!line) {
      line = new CpuIrqLine(`cpu${this.id} ${input}`, this, bit);
      this.lines.set(input, line);
    }
    return line;
  }

  inspect(): RegisterValue[] {
    const r = (name: string, value: number): RegisterValue => ({ name, value: value >>> 0, width: 32 });
    const out = [r('pc', this.pc)];
    for (let i = 0; i < 32; i++) out.push(r(ABI_NAMES[i], this.getReg(i)));
    out.push(
      r('priv', this.priv),
      r('mstatus', this.mstatus),
      r('mie', this.mie),
      r('mip', this.mipValue()),
      r('mcause', this.mcause),
      r('mepc', this.mepc),
      r('mtval', this.mtval),
      r('mtvec', this.mtvec),
      r('satp', this.satp),
      r('sstatus', this.mstatus & SSTATUS_MASK),
      r('scause', this.scause),
      r('sepc', this.sepc),
      r('stval', this.stval),
      r('stvec', this.stvec),
    );
    return out;
  }

  privilegeName(): string {
    return PRIV_NAMES[this.priv];
  }

  // ------------------------------------------------------------------ interrupts and traps

  mipValue(): number {
    return this.mipSoft | this.mipHw;
  }

  /** Called by an input line: updates mip, wakes WFI, and makes the interpreter re-check. */
  setExternalPending(bit: number, level: boolean): void {
    const mask = 1 << bit;
    this.mipHw = level ? this.mipHw | mask : this.mipHw & ~mask;
    this.attention = true;
    if (this.waiting && (this.mipValue() & this.mie) !== 0) this.waiting = false;
  }

  /** Instructions retired since reset (including the running execute() call's). */
  get retired(): number {
    return this.retiredBase + this.inflight;
  }

  /** Called by execute() on return: `n` instructions were stepped (trapped ones already subtracted). */
  retireBatch(n: number): void {
    this.retiredBase += n;
    this.inflight = 0;
  }

  /** Raises a synchronous exception for the instruction at `pc` (it does not retire). */
  raise(cause: number, tval: number, pc: number): void {
    takeTrap(this, cause, false, tval, pc);
    this.retiredBase -= 1;
    this.exc = true;
    this.attention = true;
  }

  /**
   * Abandons the instruction in progress with nothing done, like a trap that goes nowhere: the
   * interpreter leaves with pc on it (a debugger watchpoint stops before the access, debug.ts).
   */
  abandon(): void {
    this.retiredBase -= 1;
    this.exc = true;
    this.attention = true;
  }

  /** WFI (priv spec 3.3.3): illegal in U-mode, and in S-mode when mstatus.TW = 1. */
  wfi(pc: number): void {
    if (this.priv === PRV_U || (this.priv === PRV_S && (this.mstatus & MSTATUS_TW) !== 0)) {
      this.raise(EXC_ILLEGAL, 0x10500073, pc);
      return;
    }
    if ((this.mipValue() & this.mie) === 0) this.waiting = true;
    this.attention = true;
  }

  setPrivilege(priv: number): void {
    this.priv = priv;
    const set = tlbSet(priv);
    this.xTag = this.tlb.tags[set][ACC_X];
    this.xOff = this.tlb.offs[set][ACC_X];
    this.selectDataTlb();
  }

  /** Picks the data TLBs of the effective load/store privilege (mstatus.MPRV, 3.1.6.3). */
  selectDataTlb(): void {
    const dp = this.priv === PRV_M && (this.mstatus & MSTATUS_MPRV) !== 0 ? (this.mstatus & MSTATUS_MPP) >>> 11 : this.priv;
    this.dataPriv = dp;
    const set = tlbSet(dp);
    this.rTag = this.tlb.tags[set][ACC_R];
    this.rOff = this.tlb.offs[set][ACC_R];
    this.wTag = this.tlb.tags[set][ACC_W];
    this.wOff = this.tlb.offs[set][ACC_W];
    if (this.wasm !== null) {
      tellWasmTlbs(this.wasm, this.rTag, this.rOff, this.wTag, this.wOff);
      this.tellWasmLoadWindow();
    }
    this.attention = true;
  }

  /**
   * The wasm regions' direct loads (jit-wasm.ts AREA.loadLimit): all of RAM while loads are untranslated M-mode
   * ones that no PMP rule (a partial match fails even in M-mode) nor watchpoint can stop, else none. Kept by
   * selectDataTlb and flushTlbAll (every PMP write and watchpoint change flushes the TLBs).
   */
  private tellWasmLoadWindow(): void {
    const direct = this.dataPriv === PRV_M && this.pmp.activeRules === 0 && !this.debug.watching;
    tellWasmLoadLimit(this.wasm!, direct ? this.ramSize : 0);
  }

  flushTlbTranslated(): void {
    this.tlb.flushTranslated();
    this.attention = true;
  }

  flushTlbAll(): void {
    this.tlb.flushAll();
    if (this.wasm !== null) this.tellWasmLoadWindow();
    this.attention = true;
  }

  /** Instructions retired so far, including those of the running execute() call. */
  instretNow(): number {
    return this.retiredBase + this.inflight;
  }

  // ------------------------------------------------------------------ decoded-code cache

  /**
   * Returns the code array holding `pc`'s slot: the decoded page when `pc` is in a RAM page that
   * may be executed as a whole, otherwise the scratch array with this one instruction decoded
   * (then fetchVpn = -1 so the next instruction resolves again). On a fetch fault the trap is
   * taken and `exc` is set.
   */
  resolveFetch(pc: number): Int32Array {
    const vpn = pc >>> 12;
    const e = vpn & TLB_MASK;
    const tags = this.xTag;
    if (tags[e] !== vpn) {
      const pa = translate(this, pc, ACC_X, 2, this.priv);
      if (pa < 0) {
        this.raise(this.faultCause, pc >>> 0, pc);
        return this.scratch;
      }
      if (tags[e] !== vpn) return this.fetchOne(pc);
    }
    const pageOff = ((vpn << 12) + this.xOff[e]) | 0;
    // A 32-bit instruction in the last halfword continues on another page.
    if ((pc & 0xffe) === 0xffe && (this.ramU16[(pageOff + 0xffe) >>> 1] & 3) === 3) return this.fetchOne(pc);
    const page = this.codePages.page(pageOff >>> 12);
    this.fetchVpn = vpn;
    this.fetchRamOff = pageOff;
    this.fetchPage = page;
    this.fetchBlocks = page.entries;
    this.fetchHeat = page.heat;
    return page.code;
  }

  private fetchOne(pc: number): Int32Array {
    this.fetchVpn = -1;
    this.fetchPage = null;
    this.fetchBlocks = this.noBlocks;
    this.fetchHeat = this.noHeat;
    fetchSlow(this, pc, this.scratch);
    return this.scratch;
  }

  /**
   * Called when slot `idx` of the current fetch page reaches JIT_THRESHOLD, and again after each
   * wait it asks for: compiles the region entered there (jit.ts), or returns undefined to wait.
   * A region is compiled once control has arrived at its entry both its kind's threshold
   * (JIT_THRESHOLD for a block looping on itself, REGION_THRESHOLD for a loop of several blocks,
   * HOT_THRESHOLD otherwise) and enough times to have run about `compileWork` (`pagedCompileWork`
   * while fetches are translated) instructions in
   * the interpreter (arrivals x the region's instructions; STRAIGHT_WORK_FACTOR times that for a
   * block that does not loop): V8 spends milliseconds on each new
   * function (bytecode, then an optimizing compile on a background thread), which code run
   * only a few thousand times (an OS booting) never repays. A region of the same shape compiled
   * earlier in the process (jit.ts regionKnown: a reboot runs the same kernel code again) needs
   * only its kind's threshold: V8 has its source and bytecode already. (Not its optimized code
   * once the closures of the earlier compile are garbage: V8 holds that code weakly, so a new
   * machine's region is optimized again on a background thread; the rv32 Linux boot's two main
   * regions took 50-110 ms of TurboFan each, every boot of one process, on the loaded VM.)
   * No entry is scanned before compileWork / MAX_REGION_INSNS arrivals, nor, unless its first block loops on
   * itself (the only region compiled sooner), before REGION_THRESHOLD. `warm` counts the waits.
   */
  compileBlockAt(code: Int32Array, idx: number): Block | undefined {
    const page = this.fetchPage;
    if (page === null || this.fetchVpn === -1 || !this.jit) return NO_BLOCK;
    const slot = idx >> 1;
    const translated = this.fetchesTranslated();
    const compileWork = translated ? this.pagedCompileWork : this.compileWork;
    // Straight code cut at MAX_BLOCK (an unrolled loop body, a hash's rounds): a wasm hart takes up to a page of it.
    const long = this.wasm !== null && cutAtMaxBlock(this, code, idx);
    const maxInsns = long ? MAX_STRAIGHT_INSNS : MAX_REGION_INSNS;
    // No region is compiled before compileWork / maxInsns arrivals (the largest region's share):
    // wait that long before scanning. Most entries an OS boot reaches JIT_THRESHOLD times never get
    // there (the virt OS boot: about 270 scans, each allocating, became a handful).
    if (this.codePages.waitForArrivals(page, slot, JIT_THRESHOLD, Math.ceil(compileWork / maxInsns))) return undefined;
    // Below REGION_THRESHOLD arrivals only a block looping on itself can be compiled: an entry whose first block
    // does not loop waits for that many before its region is scanned (cold code that allocates, and most entries
    // that get hot never arrive so often: region scans in the rv32 Linux boot 2,915 -> 550, the virt OS boot's
    // 292 -> 55, the compute kernel's 158 -> 39). Scanned then, a loop whose other blocks were not hot yet at
    // JIT_THRESHOLD is no longer taken for straight code left waiting for HOT_THRESHOLD.
    const first = scanBlock(this, code, idx);
    if (first.length === 0) return NO_BLOCK;
    if (!regionLoops([{ start: idx, insns: first }]) && this.codePages.waitForArrivals(page, slot, JIT_THRESHOLD, REGION_THRESHOLD)) return undefined;
    let blocks = scanRegion(this, code, idx, page, maxInsns);
    if (blocks.length === 0) return NO_BLOCK;
    const joined = this.wasm !== null && !translated ? this.loopAcrossPage(blocks, idx) : null;
    if (joined !== null) blocks = joined;
    const loops = regionLoops(blocks);
    let size = 0;
    for (const b of blocks) size += b.insns.length;
    // Long straight code is compiled whole, as a loop is (jit.ts LONG_STRAIGHT).
    const straight = !loops && long && size >= LONG_STRAIGHT;
    if (!loops && !straight) {
      // Without a loop inside, the entry block alone: the rest would only add V8 compile time
      // (measured on the virt OS boot).
      blocks = blocks.slice(0, 1);
      size = blocks[0].insns.length;
    }
    const threshold = loops ? (blocks.length > 1 ? REGION_THRESHOLD : JIT_THRESHOLD) : straight ? REGION_THRESHOLD : HOT_THRESHOLD;
    // A region V8 compiled earlier in this process (a reboot: the same kernel code again) needs
    // no parse nor bytecode: its kind's threshold is enough.
    const work = loops || straight ? compileWork : compileWork * STRAIGHT_WORK_FACTOR;
    const bar = regionKnown(blocks) ? threshold : Math.max(threshold, Math.ceil(work / size));
    if (this.codePages.waitForArrivals(page, slot, JIT_THRESHOLD, bar)) return undefined;
    const entries = this.wasm !== null ? compileWasmRegion(this, this.kit, this.wasm, blocks, joined !== null) : compileRegion(this, this.kit, blocks);
    // The region's other blocks become entries too where nothing is compiled yet. The entry is
    // stored last, here and not by execute(), so that the cache records it even when storing
    // flushes the cache (execute() stores it again).
    // Each slot with a block gets a heat of at least JIT_THRESHOLD: execute() looks for a block
    // only there (its heat stays put from then on).
    // A joined region's blocks on the next page are no entries: the links below cover them.
    const cover = regionCover(joined === null ? blocks : blocks.filter((b) => b.start < 0x1000));
    if (joined !== null) {
      const [first, end] = tailSlots(blocks);
      const index = this.fetchRamOff / 4096;
      this.crossLinks.add(index + 1, index, slot, entries[0], first, end);
    }
    for (let k = 1; k < blocks.length; k++) {
      if (blocks[k].start >= 0x1000) continue;
      const s = blocks[k].start >> 1;
      if (page.entries[s] !== undefined) continue;
      this.codePages.store(page, s, entries[k], cover, true);
      if (page.heat[s] < JIT_THRESHOLD) page.heat[s] = JIT_THRESHOLD;
    }
    this.codePages.store(page, slot, entries[0], cover);
    if (page.heat[slot] < JIT_THRESHOLD) page.heat[slot] = JIT_THRESHOLD;
    return entries[0];
  }

  /**
   * compileBlockAt at slot `idx` of the fetch page (execute.ts dispatch, the slot hot), its result kept there: the
   * block it stored, NO_BLOCK where none starts, nothing while it waits.
   */
  heatReached(code: Int32Array, idx: number): void {
    this.setFetchEntry(idx >> 1, this.compileBlockAt(code, idx));
  }

  /**
   * Sets entry `slot` of the fetch page (of a slow fetch's dummies without one) and reads fetchBlocks again: a page
   * gets its own entries at its first (code-cache.ts CodePage.set), until then shared by the pages without.
   */
  setFetchEntry(slot: number, made: Block | undefined): void {
    if (this.fetchPage !== null) this.fetchBlocks = this.fetchPage.set(slot, made);
    else if (made !== undefined) this.noBlocks[slot] = made;
  }

  /** Whether instruction fetches go through the MMU (satp on, below M-mode). */
  private fetchesTranslated(): boolean {
    return this.priv !== PRV_M && (this.satp & SATP_MODE) !== 0;
  }

  /**
   * The region `head` (scanned at slot `idx` of the fetch page) and its loop's rest on the next page as one
   * region (cross-page.ts), or null. Only where fetches are untranslated (the caller checks) and the fetch
   * TLB holds the next page as the next RAM page (PMP lets it be fetched).
   */
  private loopAcrossPage(head: RegionBlock[], idx: number): RegionBlock[] | null {
    const here = this.fetchRamOff;
    if (here + 8192 > this.ramSize || !this.nextPageFollows((this.fetchVpn << 12) + idx)) return null;
    let next: Int32Array | null = null;
    return joinNextPage(head, (off) => {
      next ??= this.codePages.page(here / 4096 + 1).code;
      // scanBlock decodes through decodeAt, which reads the fetch page's RAM.
      this.fetchRamOff = here + 4096;
      const insns = scanBlock(this, next, off);
      this.fetchRamOff = here;
      return insns;
    });
  }

  /**
   * Whether the fetch TLB maps the virtual page after `pc`'s to the RAM page after `pc`'s (a region
   * crossing pages may run: jit-wasm.ts). Without paging the next page is always the next, but the TLB
   * entry tells too that PMP lets it be fetched; with paging the next virtual page may map elsewhere.
   */
  nextPageFollows(pc: number): boolean {
    const vpn = pc >>> 12;
    const e = vpn & TLB_MASK;
    const e1 = (vpn + 1) & TLB_MASK;
    return this.xTag[e] === vpn && this.xTag[e1] === vpn + 1 && this.xOff[e1] === this.xOff[e];
  }

  /**
   * A region crossing pages was called where the next page does not follow (nextPageFollows): no
   * steps, the interpreter runs on from `pc0` (odd next pc, execute.ts). Where the TLB maps the next
   * page elsewhere, every crossing region is dropped (translated again within their page when hot);
   * where it does not hold it yet, the interpreter's pass fetches it.
   */
  crossingRefused(pc0: number): number {
    const vpn1 = (pc0 >>> 12) + 1;
    if (this.xTag[vpn1 & TLB_MASK] === vpn1) this.crossLinks.dropAll(this.dropCrossing);
    this.npc = pc0 | 1;
    return 0;
  }

  /** Drops a region crossing pages if it is still stored where it was, making a running one leave. */
  private readonly dropCrossing = (index: number, slot: number, block: Block): void => {
    const page = this.codePages.peek(index);
    if (page !== null && page.entries[slot] === block && this.codePages.invalidate(page, slot, slot)) this.attention = true;
  };

  /** Decodes the instruction at slot `idx` of the current fetch page (lazily, on first use). */
  decodeAt(code: Int32Array, idx: number): number {
    const half = (this.fetchRamOff + idx) >>> 1;
    const lo = this.ramU16[half];
    if ((lo & 3) !== 3) return decodeInto(code, idx, lo);
    if (idx === 0xffe) {
      code[idx + 1] = 0;
      return (code[idx] = packInfo(Op.CROSS, 0, 0, 0, false));
    }
    return decodeInto(code, idx, lo | (this.ramU16[half + 1] << 16));
  }

  private dropCodePage(index: number): void {
    if (!this.crossLinks.empty) this.crossLinks.written(index, -1, this.dropCrossing);
    if (this.codePages.drop(index) === this.fetchPage) this.fetchPage = null;
  }

  /** Bus callback: code in a RAM page may have changed (another hart, DMA, a page-table update). */
  private codeWritten(page: number): void {
    if (this.selfStore) return;
    this.dropCodePage(page);
    this.attention = true;
  }

  /**
   * After a store by this hart to RAM offset `off` of a page with flags (code or watched): forget
   * just the decoded slots the bytes belong to, tell the bus (watchers, other harts' caches),
   * and keep the page marked so later stores are seen too.
   */
  ramWritten(off: number, size: number): void {
    if (!this.crossLinks.empty) for (let o = off & ~1; o < off + size; o += 2) this.crossLinks.written(o >>> 12, (o & 0xfff) >>> 1, this.dropCrossing);
    const index = off >>> 12;
    const page = this.codePages.peek(index);
    if (page !== null) {
      // A 32-bit instruction starting up to 3 bytes before the store overlaps it.
      const code = page.code;
      const start = Math.max(0, ((off & 0xfff) - 3) & ~1);
      const end = Math.min(0xffe, (off & 0xfff) + size - 1);
      for (let i = start; i <= end; i += 2) code[i] = 0;
      // Drop the compiled blocks whose instructions the bytes belong to (data beside code keeps
      // them), and make the interpreter leave so that nothing keeps running a stale block.
      const o = off & 0xfff;
      if (this.codePages.invalidate(page, o >>> 1, (o + size - 1) >>> 1)) this.attention = true;
    }
    this.selfStore = true;
    this.bus.ramStoreHook(this.ramBase + off, size);
    this.selfStore = false;
    if (page !== null && (this.pageFlags[index] & PAGE_CODE) === 0) this.bus.markCode(index);
  }
}

function positiveNumber(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`rv32: cpu.${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}
