/**
 * One AArch64 core: architectural state, the run loop around the interpreter (execute.ts), the
 * per-physical-page cache of decoded instructions, taking exceptions and interrupts (entry.ts),
 * and the Cpu interface the core sees.
 *
 * 64-bit state without BigInt: every 64-bit register is a pair of int32 words (`xl`/`xh` for the
 * general registers, `pcLo`/`pcHi` for the pc, Int32Array pairs for the others); see README.md.
 */
import type { Bus, Clock, Cpu, CpuContext, EventSink, FirstCalls, IrqLine, JitKit, MachineControl, RegisterValue } from '../../../src/core/api.js';
import type { CodeCache, CodeCacheStats, CodePage } from '../../../src/core/jit/code-cache.js';
import { A64Debug } from './debug.js';
import { decodeInto } from './decode.js';
import { enterException, interruptTarget } from './entry.js';
import { FpState } from './fp-state.js';
import { GenericTimer } from './generic-timer.js';
import { EC_HVC64, EC_IABORT_LOWER, EC_IABORT_SAME, EC_ILLEGAL_STATE, EC_NAMES, EC_PC_ALIGN, EC_SMC64, EC_SVC64, EC_UNKNOWN, ESR_IL, FSC_ADDRESS_SIZE_L0, FSC_SYNC_EXTERNAL, VECTOR_FIQ, VECTOR_IRQ, VECTOR_SYNC, type TakenException } from './exceptions.js';
import { execute, Op, REG_COUNT, REG_SP } from './execute.js';
import { PA_BITS } from './memory.js';
import { ACC_EXEC, debugTranslate, MmuRegs, translate, updateTranslation, XLATE } from './mmu.js';
import { a64WasmWanted, AREA, claimWasmArea, CODE_LINE_SHIFT, PAGE_CODE, compileWasmRegion, MAX_WASM_REGION, scanWasmRegion, wasmTranslatable, type WasmCore } from './jit-wasm.js';
import { CrossPageLinks, joinAcrossPage } from './cross-page.js';
import { BARE_EARLY_WORK, type Block, COMPILE_WORK, EARLY_LOOK_SPAN, type Insn, LONG_LOOP, compileRegion, EARLY_COMPILE_WORK, EARLY_WINDOW, fallThroughExits, coverage, FIRST_WORK_FACTOR, headsLoop, HOT_THRESHOLD, JIT_THRESHOLD, loopsOnItself, MAX_BLOCK, NO_BLOCK, retranslated, runsOffPage, scanBlock, scanRegion, scanSegments } from './jit.js';
import { passesLeft, type RegValue } from './loop-trips.js';
import { Tlb, TLB_WORDS } from './tlb.js';
import { warmUpInterpreter } from './warmup.js';
import { CNTFRQ_RESET, HCR_RW, HCR_TGE, SCR_HCE, SCR_NS, SCR_RW, SCTLR_EL1_RESET, SCTLR_EL23_RESET } from './sysregs.js';

/**
 * Arrivals between looks at the next page's start for a region that runs on into it (compileBlockAt):
 * each look scans the region again.
 */
const OFF_PAGE_RECHECK = 1024;

/**
 * `warm` of a slot where a translated region runs on into untranslated code (fallThroughExits):
 * the most waits a slot can have had (code-cache.ts), so it waits no more and is translated at
 * its next arrival.
 */
const RUN_ON = 255;

const TWO32 = 4294967296;
/** Words per decoded page: 1024 instructions of 4 words. */
const CODE_WORDS = 4096;
const WARMUP_CALLS = 1000;
/**
 * Retired instructions after which the interpreter warm-up runs (warmup.ts), rather than when the
 * first core is made (as arch-rv32's cpu.ts WARM_UP_AT): a short run (the empty guest's 121
 * instructions) skips it, with its ~25 ms and the TurboFan compile of interpret() it starts, which
 * Node waits for at exit; a long one gets it before V8 marks interpret() for optimization (without
 * a warm-up: after 2,100-2,300 instructions of the compute kernel and the raspi3b OS boot, later in
 * the arm64 Linux boot).
 */
export const WARM_UP_AT = 1500;

/** Reset value of DAIF: all four masked (D1.9.1). */
export const DAIF_RESET = 0x3c0;

/**
 * The cores of each machine, for SEV (D1.16.1: it signals an event to every PE of the shared
 * domain). The plugin API has no machine object, so cores meet through the bus they share.
 */
const coresOfBus = new WeakMap<Bus, A64Cpu[]>();

class CpuIrqLine implements IrqLine {
  level = false;
  raised = 0;
  constructor(
    readonly name: string,
    private readonly cpu: A64Cpu,
  ) {}
  set(level: boolean): void {
    if (level && !this.level) this.raised++;
    this.level = level;
    if (this.name.endsWith('fiq')) this.cpu.fiqLevel = level;
    else this.cpu.irqLevel = level;
    // Wakes WFI, and makes the interpreter stop at the next instruction boundary it checks
    // (after the current slow path, e.g. the MMIO store that raised the line) so run() takes it.
    if (level) this.cpu.wake();
  }
}

/**
 * The warm-up as one function for every core (the kit is the process's): run() inlines the first-calls gate that calls
 * it, and with a function per core V8 deoptimized run() when a second core reached WARM_UP_AT ("wrong call target": the
 * arm64 Linux boot's secondary cores).
 */
let sharedWarmUp: (() => void) | undefined;

export class A64Cpu implements Cpu {
  readonly id: number;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly machine: MachineControl;
  /** HLT #0xF000 performs semihosting calls (`rvos run --semihosting`; otherwise HLT is UNDEFINED). */
  semihosting: boolean;
  /** Where semihosting console output goes: the host's semihosting console (stderr, as QEMU's). */
  semihostingOutput: (byte: number) => void;

  // RAM, viewed at every width the interpreter needs.
  readonly ramBase: number;
  readonly ramSize: number;
  readonly ramI32: Int32Array;
  readonly ramU16: Uint16Array;
  readonly ramU8: Uint8Array;
  readonly ramView: DataView;
  readonly pageFlags: Uint8Array;

  // Architectural state.
  /** X0-X30, XZR (31, always 0), the current SP (32), the XZR write sink (33): low words (in the wasm area with wasm regions). */
  readonly xl: Int32Array;
  /** ... and high words. */
  readonly xh: Int32Array;
  /** The area in the wasm memory of a core with wasm regions (jit-wasm.ts), else null. */
  readonly wasmCore: WasmCore | null;
  pcLo = 0;
  pcHi = 0;
  /** NZCV in bits 31:28. */
  nzcv = 0;
  /** DAIF in bits 9:6. */
  daif = DAIF_RESET;
  /** Current exception level, 0-3. */
  el = 3;
  /** PSTATE.SP: 0 = SP_EL0, 1 = SP_ELx. */
  spSel = 1;
  /** SP_EL0-SP_EL3 (lo, hi pairs); the one in use lives in xl/xh[32] and is saved here on a switch. */
  readonly spBank = new Int32Array(8);
  private spIndex = 3;
  /** TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1 (lo, hi pairs). */
  readonly tpidr = new Int32Array(6);
  /** Local exclusive monitor: address (lo, hi), then the value(s) LDXR saw (lo, hi, lo2, hi2). */
  readonly monitor = new Int32Array(6);
  monitorValid = false;
  monitorSize = 0;
  eventRegister = false;
  /** Stage 1 translation of the current regime disabled (SCTLR_ELx.M = 0; mmu.ts updateTranslation). */
  mmuOff = true;
  /** Translation registers (TTBR, TCR, MAIR, PAR...) and the software TLB (mmu.ts, tlb.ts). */
  readonly mmu = new MmuRegs();
  readonly tlb: Tlb;
  /** PSTATE.IL: set by an illegal exception return (D1.11.4). */
  il = 0;
  /** SPSR_EL1-3 and ESR_EL1-3 by EL (index 0 unused). */
  readonly spsr = new Int32Array(4);
  readonly esr = new Int32Array(4);
  /** ELR, FAR, VBAR of EL1-3 as (lo, hi) pairs at 2 * EL. */
  readonly elr = new Int32Array(8);
  readonly far = new Int32Array(8);
  readonly vbar = new Int32Array(8);
  /** SCTLR_EL1-3 by EL (M, A, WXN honoured; the rest stored). */
  readonly sctlr = new Int32Array(4);
  /** SCR_EL3 (NS, IRQ, FIQ, SMD, HCE, RW are honoured). */
  scr = 0;
  /** HCR_EL2 (lo, hi): RW, TGE, IMO, FMO are honoured, the rest is stored. */
  readonly hcr = new Int32Array(2);
  /** CPACR_EL1: FPEN (bits 21:20) traps FP/SIMD (fp-access.ts); reset 0 traps, as a Cortex-A53. */
  cpacr = 0;
  /** V0-V31, FPCR, FPSR, CPTR_EL2/EL3 (fp-state.ts). */
  readonly fp = new FpState();
  cntfrq = CNTFRQ_RESET;
  /** The generic timer: counter, CNTVOFF/CNTHCTL/CNTKCTL and the four timers with their output lines. */
  readonly gtimer: GenericTimer;
  /** Levels of the irq and fiq inputs. */
  irqLevel = false;
  fiqLevel = false;
  /** The last synchronous exception taken (tests, debuggers); null until there is one. */
  lastException: TakenException | null = null;
  /** The one record lastException points to, rewritten in place: taking exceptions allocates nothing. */
  private readonly exceptionRecord: TakenException = { targetEl: 0, esr: 0, elrLo: 0, elrHi: 0, farLo: 0, farHi: 0, farValid: false };

  /** Decoded instructions (and translated blocks), per physical RAM page: the core's code cache. */
  private readonly codePages: CodeCache<Block>;
  /** The core's translation engine. */
  readonly kit: JitKit;
  /** Whether hot blocks are translated (jit.ts): `--engine` (`ctx.engine`), else board `cpu.jit` (default true). */
  readonly jit: boolean;
  /** The code-cache page of the last resolveFetch in RAM (null after a slow fetch). */
  private fetchPage: CodePage<Block> | null = null;
  /** Blocks and heat of the current fetch page (dummies that never translate after a slow fetch). */
  fetchBlocks: Array<Block | undefined>;
  fetchHeat: Int16Array;
  private readonly noBlocks = new Array<Block | undefined>(1024).fill(undefined); // as CodePage.entries
  private readonly noHeat = new Int16Array(1024);
  /** Arrivals before a block that does not loop on itself is translated (jit.ts; tests lower it). */
  hotThreshold = HOT_THRESHOLD;
  /** Interpreted instructions from a region's entry before it is translated (compileBlockAt; tests set 0). */
  compileWork = COMPILE_WORK;
  /**
   * Instructions a loop at the entry is about to run (loop-trips.ts passesLeft) from which it is
   * translated at once, without the compile-work waits (jit.ts LONG_LOOP; tests set Infinity).
   */
  longLoop = LONG_LOOP;
  /** Whether a long loop's closing branch makes its head looked at at the next arrival (loopClosed; tests set false). */
  earlyLook = true;
  /** The shorter wait of a wasm region in the CPU's first `earlyWindow` instructions (jit.ts EARLY_COMPILE_WORK; tests set the window 0). */
  earlyCompileWork = EARLY_COMPILE_WORK;
  /** earlyCompileWork with the MMU off (jit.ts BARE_EARLY_WORK). */
  bareEarlyWork = BARE_EARLY_WORK;
  earlyWindow = EARLY_WINDOW;
  /** Whether this CPU has translated a region (the first waits the full compileWork: jit.ts EARLY_COMPILE_WORK). */
  private translatedOnce = false;
  /**
   * Entries (RAM offsets) made to wait the early wait (compileBlockAt): they keep it past the early
   * window, until translated. A loop entered a few passes at a time got hot in the window but
   * reached its early wait only after it, when the full wait (4x) was out of reach for the rest of
   * the compute kernel's run (quicksort's second scan and the sieve's outer loop: 24 K passes interpreted).
   */
  private readonly earlyWaits = new Set<number>();
  /** Wasm regions whose loop crosses into the next page, by that page (cross-page.ts). */
  private readonly crossLinks = new CrossPageLinks<Block>();
  /** Next pc after a translated block returns. */
  npcLo = 0;
  npcHi = 0;
  /** Decoding target for instructions fetched outside RAM (ROM, MMIO). */
  readonly scratch = new Int32Array(CODE_WORDS);
  /** Page (pc >>> 12) of the code array returned by the last resolveFetch (-1 = slow fetch). */
  fetchVpn = -1;
  private fetchRamOff = 0;
  private selfStore = false;
  /**
   * The wasm memory's code-line map (core api.ts WasmRam.codeLines; null when RAM is no wasm memory):
   * decodeAt marks the line of each instruction it decodes, so that a wasm region's store to a page
   * flagged as code goes ahead where no core has decoded code (jit-wasm.ts fastOffset).
   */
  private readonly codeLines: Uint8Array | null;

  // Run state.
  waiting = false;
  private halted = false;
  attention = false;
  /** Set when an instruction raised an exception, until the run loop has seen it. */
  exc = false;
  private exitRequested = false;
  private budget = 0;
  private retiredBase = 0;
  /** Instructions retired in the running execute() call before the current slow path. */
  inflight = 0;
  /** The single-instruction first calls and the stop for the warm-up (JitKit.firstCalls). */
  private readonly firstCalls: FirstCalls;
  private readonly lines = new Map<string, CpuIrqLine>();

  // Debugger (debug.ts): the flags its setters compute, read by run() once per call and by memory.ts.
  readonly debug: A64Debug;
  /** Breakpoints or watchpoints are set: run() steps one instruction per execute() call and checks each. */
  debugChecks = false;
  /** Watchpoints are set: memory.ts checks every data access (all take the slow path). */
  watching = false;
  /** The interpreter's inline RAM accesses reach offsets below this: the RAM size, or 0 while watching. */
  ramFastLimit: number;
  /** Set with `exc` by a watchpoint hit: the instruction was aborted, no exception is taken. */
  watchStop = false;
  /** CpuDebug.maskInterrupts: no IRQ/FIQ is taken while set (single steps). */
  irqMasked = false;
  /** Every core on this bus, this one included (SEV, broadcast TLBI). */
  readonly cores: A64Cpu[];

  constructor(ctx: CpuContext) {
    this.id = ctx.id;
    this.bus = ctx.bus;
    this.clock = ctx.clock;
    this.events = ctx.events;
    this.machine = ctx.machine;
    const host = ctx.semihosting;
    this.semihosting = host !== undefined;
    this.semihostingOutput = host ? (byte) => host.write(Uint8Array.of(byte)) : () => {};
    const ram = ctx.bus.ram;
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    this.ramI32 = ram.i32;
    this.ramU16 = ram.u16;
    this.ramU8 = ram.u8;
    this.ramView = ram.view;
    this.ramFastLimit = ram.size;
    this.debug = new A64Debug(this);
    this.pageFlags = ctx.bus.pageFlags;
    this.codeLines = ram.wasm ? new Uint8Array(ram.wasm.memory.buffer, ram.wasm.codeLines, Math.ceil(ram.size / (1 << CODE_LINE_SHIFT))) : null;
    if (ctx.props.jit !== undefined && typeof ctx.props.jit !== 'boolean') throw new Error(`aarch64: cpu.jit must be true or false, got ${JSON.stringify(ctx.props.jit)}`);
    this.jit = ctx.engine !== undefined ? ctx.engine === 'jit' : ctx.props.jit !== false;
    this.kit = ctx.jit;
    this.firstCalls = ctx.jit.firstCalls(WARMUP_CALLS, WARM_UP_AT, (sharedWarmUp ??= () => warmUpInterpreter((c) => new A64Cpu(c), ctx.jit)));
    // Wasm regions (jit-wasm.ts): RAM in a wasm memory and a free area for this core.
    this.wasmCore = this.jit && ram.wasm !== undefined && a64WasmWanted() ? claimWasmArea(ram.wasm) : null;
    const regs = this.wasmCore?.area32;
    this.xl = regs ? regs.subarray(AREA.xl >> 2, (AREA.xl >> 2) + REG_COUNT) : new Int32Array(REG_COUNT);
    this.xh = regs ? regs.subarray(AREA.xh >> 2, (AREA.xh >> 2) + REG_COUNT) : new Int32Array(REG_COUNT);
    this.tlb = new Tlb(regs?.subarray(AREA.tlb >> 2, (AREA.tlb >> 2) + TLB_WORDS));
    this.fetchBlocks = this.noBlocks;
    this.fetchHeat = this.noHeat;
    // 1024 instruction slots of 4 words per 4 KiB page (execute.ts).
    this.codePages = ctx.jit.codeCache<Block>({ ramSize: ram.size, codeWords: CODE_WORDS, slots: 1024, markCode: (page) => this.bus.markCode(page) });
    ctx.bus.onCodeWrite((page) => this.codeWritten(page));
    // The machine's CPUs (CpuContext.cpus: all of this arch, so all A64Cpu); a bare unit-test
    // context meets the other cores through the bus they share.
    if (ctx.cpus) this.cores = ctx.cpus as unknown as A64Cpu[];
    else {
      let cores = coresOfBus.get(ctx.bus);
      if (!cores) coresOfBus.set(ctx.bus, (cores = []));
      cores.push(this);
      this.cores = cores;
    }
    this.gtimer = new GenericTimer(ctx.clock, ctx.output ? (n) => ctx.output!(n) : undefined, ctx.id);
    this.reset();
    // A translating core turns OSR off now rather than at its first translation: the guest's first
    // instructions are interpreted (FIRST_WORK_FACTOR; 512 Ki when measured) in long execute() calls, for which V8
    // compiled interpret() a second time (OSR, ~100 ms on a background thread beside the first
    // regions' compiles). Compute kernel, installed, 12 interleaved pairs at load ~5: main-thread
    // CPU median 1140 -> 1115 ms, other threads 595 -> 535 ms, wall 3565 -> 3275 ms.
    if (this.jit) ctx.jit.noOsr();
  }

  // ------------------------------------------------------------------ Cpu interface

  /**
   * The pc as an edge number (src/core/address.ts): the signed 64-bit value, exact for every
   * canonical address (0xffff... kernels are negative numbers).
   */
  get pc(): number {
    return this.pcHi * TWO32 + (this.pcLo >>> 0);
  }

  /** Sets the pc from an edge number (negative for the upper half of the address space). */
  set pc(value: number) {
    this.pcLo = (((value % TWO32) + TWO32) % TWO32) | 0;
    this.pcHi = Math.floor(value / TWO32) | 0;
  }

  setPc64(lo: number, hi: number): void {
    this.pcLo = lo | 0;
    this.pcHi = hi | 0;
  }

  get stopped(): boolean {
    return this.halted;
  }

  run(budget: number): number {
    if (this.halted) return 0;
    this.exitRequested = false;
    this.budget = budget;
    // With breakpoints or watchpoints, one instruction per execute() call, each checked first.
    const checked = this.debugChecks;
    let done = 0;
    while (done < this.budget) {
      this.attention = false;
      // Interrupts are taken at instruction boundaries: between execute() calls, which stop
      // after the instruction that raised a line (attention).
      if ((this.irqLevel || this.fiqLevel) && !this.irqMasked && this.takeInterrupt()) this.waiting = false;
      if (this.waiting) break;
      if (this.exitRequested) break;
      if (checked && this.debug.beforeStep()) break;
      if (this.il) {
        // PSTATE.IL after an illegal return: the next instruction takes EC 0x0E (D1.11.4).
        this.raiseSync((EC_ILLEGAL_STATE << 26) | ESR_IL, this.pcLo, this.pcHi, 0, 0, false);
        this.exc = false;
        this.takePending();
        done++;
        continue;
      }
      // The first calls are short (JitKit.firstCalls: type feedback before V8 compiles the loop
      // on-stack, and the interpreter warm-up once a run is long enough to want it).
      const steps = this.budget - done;
      done += execute(this, checked ? 1 : this.firstCalls.done ? steps : this.firstCalls.steps(this.retired, steps));
      if (this.exc) {
        this.exc = false;
        if (this.watchStop) {
          // A watchpoint hit before the access: the instruction was not executed.
          this.watchStop = false;
          done--;
          break;
        }
        this.takePending();
      }
      if (this.waiting || this.exitRequested) break;
    }
    return done;
  }

  requestExit(): void {
    this.exitRequested = true;
    this.attention = true;
  }

  limitRun(steps: number): void {
    if (steps < this.budget) {
      this.budget = steps;
      this.attention = true;
    }
  }

  /**
   * Runs whole budgets from the first execute() call on, without the one-instruction calls of a
   * new core (WARMUP_CALLS) nor the stop at WARM_UP_AT: the interpreter warm-up's scratch core (warmup.ts).
   */
  skipSingleSteps(): void {
    this.firstCalls.skip();
  }

  /** Cold reset into EL3 with SP_EL3 selected, DAIF masked and the MMU off (D1.9.1). */
  reset(): void {
    this.xl.fill(0);
    this.xh.fill(0);
    this.spBank.fill(0);
    this.tpidr.fill(0);
    this.pcLo = this.pcHi = 0;
    this.nzcv = 0;
    this.daif = DAIF_RESET;
    this.el = 3;
    this.spSel = 1;
    this.spIndex = 3;
    this.monitorValid = false;
    this.eventRegister = false;
    this.mmuOff = true;
    this.lastException = null;
    this.il = 0;
    this.spsr.fill(0);
    this.esr.fill(0);
    this.elr.fill(0);
    this.far.fill(0);
    this.vbar.fill(0);
    this.sctlr[1] = SCTLR_EL1_RESET;
    this.sctlr[2] = this.sctlr[3] = SCTLR_EL23_RESET;
    this.scr = 0;
    this.hcr.fill(0);
    this.cpacr = 0;
    this.fp.reset();
    this.cntfrq = CNTFRQ_RESET;
    this.gtimer.reset();
    this.mmu.reset();
    this.tlb.flushAll();
    updateTranslation(this);
    this.waiting = false;
    this.halted = false;
    this.exc = false;
    this.retiredBase = 0;
    this.inflight = 0;
    this.codePages.dropAll();
    this.codePages.resetCounters();
    this.earlyWaits.clear();
    this.setFetchPage(null);
    this.fetchVpn = -1;
  }

  /** X0-X30 by index (low 32 bits); 31 is SP. */
  getReg(index: number): number {
    return index === 31 ? this.xl[REG_SP] >>> 0 : this.xl[index & 31] >>> 0;
  }

  /** Sets X0-X30 (31 = SP) to a 32-bit value, zero-extended. */
  setReg(index: number, value: number): void {
    const r = index === 31 ? REG_SP : index & 31;
    this.xl[r] = value;
    this.xh[r] = 0;
  }

  /** Sets X0-X30 (31 = SP) to a 64-bit value given as words. */
  setReg64(index: number, lo: number, hi: number): void {
    const r = index === 31 ? REG_SP : index & 31;
    this.xl[r] = lo;
    this.xh[r] = hi;
  }

  /** A register (31 = SP) as an exact bigint, for tests and debuggers (never the hot path). */
  getReg64(index: number): bigint {
    const r = index === 31 ? REG_SP : index & 31;
    return (BigInt(this.xh[r] >>> 0) << 32n) | BigInt(this.xl[r] >>> 0);
  }

  get retired(): number {
    return this.retiredBase + this.inflight;
  }

  retireBatch(n: number): void {
    this.retiredBase += n;
    this.inflight = 0;
  }

  irqInput(input: string): IrqLine | undefined {
    if (input !== 'irq' && input !== 'fiq') return undefined;
    let line = this.lines.get(input);
    if (!line) {
      line = new CpuIrqLine(`cpu${this.id} ${input}`, this);
      this.lines.set(input, line);
    }
    return line;
  }

  inspect(): RegisterValue[] {
    const r64 = (name: string, lo: number, hi: number): RegisterValue => ({ name, value: lo >>> 0, hi: hi >>> 0, width: 64 });
    const r32 = (name: string, value: number): RegisterValue => ({ name, value: value >>> 0, width: 32 });
    this.saveSp();
    const out = [r64('pc', this.pcLo, this.pcHi)];
    for (let i = 0; i < 31; i++) out.push(r64(`x${i}`, this.xl[i], this.xh[i]));
    out.push(r64('sp', this.xl[REG_SP], this.xh[REG_SP]));
    out.push(r32('nzcv', this.nzcv), r32('daif', this.daif), r32('CurrentEL', this.el << 2), r32('SPSel', this.spSel));
    for (let el = 0; el < 4; el++) out.push(r64(`SP_EL${el}`, this.spBank[2 * el], this.spBank[2 * el + 1]));
    for (let el = 1; el < 4; el++) {
      out.push(r32(`SPSR_EL${el}`, this.spsr[el]), r64(`ELR_EL${el}`, this.elr[2 * el], this.elr[2 * el + 1]), r32(`ESR_EL${el}`, this.esr[el]));
      out.push(r64(`FAR_EL${el}`, this.far[2 * el], this.far[2 * el + 1]), r64(`VBAR_EL${el}`, this.vbar[2 * el], this.vbar[2 * el + 1]), r32(`SCTLR_EL${el}`, this.sctlr[el]));
    }
    out.push(r32('SCR_EL3', this.scr), r64('HCR_EL2', this.hcr[0], this.hcr[1]));
    const m = this.mmu;
    out.push(r64('TTBR0_EL1', m.ttbr0[2], m.ttbr0[3]), r64('TTBR1_EL1', m.ttbr1[0], m.ttbr1[1]), r64('TCR_EL1', m.tcr[2], m.tcr[3]));
    out.push(r64('MAIR_EL1', m.mair[2], m.mair[3]), r64('PAR_EL1', m.par[0], m.par[1]));
    for (let el = 2; el < 4; el++) out.push(r64(`TTBR0_EL${el}`, m.ttbr0[2 * el], m.ttbr0[2 * el + 1]), r32(`TCR_EL${el}`, m.tcr[2 * el]));
    out.push(r32('FPCR', this.fp.fpcr), r32('FPSR', this.fp.fpsr));
    return out;
  }

  /**
   * The physical address of a virtual address (an edge number, as `pc`) in the current
   * translation regime, or null: for tests (debuggers use `debug.translate`, the same walk).
   */
  virtToPhys(va: number): number | null {
    const lo = (((va % TWO32) + TWO32) % TWO32) | 0;
    const pa = debugTranslate(this, lo, Math.floor(va / TWO32) | 0);
    return pa < 0 ? null : pa;
  }

  privilegeName(): string {
    return `EL${this.el}`;
  }

  /** Keeps a secondary core off until a later step's spin-table release. */
  hold(): void {
    this.halted = true;
  }

  // ------------------------------------------------------------------ PSTATE

  /** Copies the live SP into its bank. */
  private saveSp(): void {
    this.spBank[2 * this.spIndex] = this.xl[REG_SP];
    this.spBank[2 * this.spIndex + 1] = this.xh[REG_SP];
  }

  private selectSp(): void {
    this.saveSp();
    this.spIndex = this.spSel ? this.el : 0;
    this.xl[REG_SP] = this.spBank[2 * this.spIndex];
    this.xh[REG_SP] = this.spBank[2 * this.spIndex + 1];
  }

  /** Sets SP_ELn (a debugger's write; the live register when it is the one selected). */
  setSpOf(el: number, lo: number, hi: number): void {
    this.saveSp();
    this.spBank[2 * el] = lo;
    this.spBank[2 * el + 1] = hi;
    this.xl[REG_SP] = this.spBank[2 * this.spIndex];
    this.xh[REG_SP] = this.spBank[2 * this.spIndex + 1];
  }

  setSpSel(sel: number): void {
    this.spSel = sel & 1;
    this.selectSp();
  }

  /**
   * Starts at `el` as QEMU's boot does for a kernel below EL3: the higher ELs are set up for
   * AArch64 Non-secure execution below them (SCR_EL3.NS, RW, HCE; HCR_EL2.RW).
   */
  setEl(el: number): void {
    this.el = el & 3;
    // EL0 has only SP_EL0 (its SPSR mode is EL0t).
    if (this.el === 0) this.spSel = 0;
    if (this.el < 3) this.scr |= SCR_NS | SCR_RW | SCR_HCE;
    if (this.el < 2) this.hcr[0] |= HCR_RW;
    this.selectSp();
    updateTranslation(this);
  }

  /** PSTATE.EL and PSTATE.SP change together (exception entry and return). */
  switchEl(el: number, spSel: number): void {
    this.el = el;
    this.spSel = spSel;
    this.selectSp();
    updateTranslation(this);
  }

  /** SP_ELn as words (the live register when it is the one selected). */
  spOf(el: number): [number, number] {
    this.saveSp();
    return [this.spBank[2 * el], this.spBank[2 * el + 1]];
  }

  // ------------------------------------------------------------------ exceptions and waiting

  /**
   * Records a synchronous exception raised by the instruction at hand (`exc`): the interpreter
   * stops and run() takes it (`takePending`) once execute() has stored the pc. Emits `trap`.
   */
  raiseSync(esr: number, elrLo: number, elrHi: number, farLo: number, farHi: number, farValid: boolean, targetEl = this.syncTarget()): void {
    const r = this.exceptionRecord;
    r.targetEl = targetEl;
    r.esr = esr >>> 0;
    r.elrLo = elrLo | 0;
    r.elrHi = elrHi | 0;
    r.farLo = farLo | 0;
    r.farHi = farHi | 0;
    r.farValid = farValid;
    this.lastException = r;
    this.exc = true;
    this.attention = true;
    if (this.events.wants('trap')) {
      const ec = esr >>> 26;
      // The instruction's own address (an edge number, as Cpu.pc): ELR is the next one for SVC,
      // HVC and SMC (D1.10.2).
      const back = ec === EC_SVC64 || ec === EC_HVC64 || ec === EC_SMC64 ? 4 : 0;
      const pc = elrHi * TWO32 + (elrLo >>> 0) - back;
      this.events.emit('trap', {
        cpu: this.id,
        interrupt: false,
        cause: ec,
        name: EC_NAMES[ec] ?? `EC 0x${ec.toString(16)}`,
        pc,
        tval: farHi * TWO32 + (farLo >>> 0),
        target: `EL${targetEl}`,
      });
    }
  }

  /**
   * Where a synchronous exception of the current EL goes: that EL, or EL1 from EL0, or EL2 from
   * Non-secure EL0 when HCR_EL2.TGE = 1 (D1.10.1).
   */
  syncTarget(): number {
    if (this.el !== 0) return this.el;
    return (this.hcr[0] & HCR_TGE) !== 0 && (this.scr & SCR_NS) !== 0 ? 2 : 1;
  }

  /** Exception entry for the synchronous exception `raiseSync` recorded. */
  private takePending(): void {
    const p = this.lastException;
    if (p === null) return;
    enterException(this, p.targetEl, VECTOR_SYNC, p.elrLo, p.elrHi, true, p.esr | 0, p.farLo, p.farHi, p.farValid);
  }

  /** Takes an unmasked pending FIQ or IRQ (FIQ first, as QEMU); true when one was taken. */
  private takeInterrupt(): boolean {
    let fiq = this.fiqLevel;
    let target = fiq ? interruptTarget(this, true) : -1;
    if (target < 0 && this.irqLevel) {
      fiq = false;
      target = interruptTarget(this, false);
    }
    if (target < 0) return false;
    if (this.events.wants('trap')) {
      this.events.emit('trap', { cpu: this.id, interrupt: true, cause: fiq ? 2 : 1, name: fiq ? 'FIQ' : 'IRQ', pc: this.pc, tval: 0, target: `EL${target}` });
    }
    // The preferred return address of an interrupt is the next instruction to execute.
    enterException(this, target, fiq ? VECTOR_FIQ : VECTOR_IRQ, this.pcLo, this.pcHi, false, 0, 0, 0, false);
    return true;
  }

  /** The Undefined exception (EC 0x0, ISS 0) for the instruction at pc. */
  undefined(pcLo: number, pcHi: number): void {
    this.raiseSync((EC_UNKNOWN << 26) | ESR_IL, pcLo, pcHi, 0, 0, false);
  }

  /** SEV: sets the event register of every core of the machine, this one included. */
  sendEvent(): void {
    const cores = this.cores;
    for (let i = 0; i < cores.length; i++) cores[i].eventRegister = true;
  }

  wfi(): void {
    // A pending interrupt (an input line high) makes WFI complete at once (D1.16.2).
    for (const line of this.lines.values()) if (line.level) return;
    this.waiting = true;
    this.attention = true;
  }

  /** An interrupt line went high: leave WFI. */
  wake(): void {
    this.waiting = false;
    this.attention = true;
  }

  // ------------------------------------------------------------------ decoded-code cache

  /**
   * Returns the code array holding the slot of pc: the decoded RAM page, or the scratch array
   * with this one instruction decoded (then fetchVpn = -1). On a fetch fault the exception is
   * recorded and `exc` set.
   */
  resolveFetch(pcLo: number, pcHi: number): Int32Array {
    if ((pcLo & 3) !== 0) {
      this.raiseSync((EC_PC_ALIGN << 26) | ESR_IL, pcLo, pcHi, pcLo, pcHi, true);
      return this.scratch;
    }
    const abortEc = this.el === 0 ? EC_IABORT_LOWER : EC_IABORT_SAME;
    let pa: number;
    if (!this.mmuOff) {
      // Once per page change: the interpreter keeps using the page until pc leaves it.
      pa = translate(this, pcLo, pcHi, ACC_EXEC, false);
      if (pa < 0) {
        this.raiseSync((abortEc << 26) | ESR_IL | XLATE[0], pcLo, pcHi, pcLo, pcHi, true);
        return this.scratch;
      }
    } else if (pcHi >>> (PA_BITS - 32) !== 0) {
      this.raiseSync((abortEc << 26) | ESR_IL | FSC_ADDRESS_SIZE_L0, pcLo, pcHi, pcLo, pcHi, true);
      return this.scratch;
    } else pa = pcHi * TWO32 + (pcLo >>> 0);
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      const page = this.codePages.page(Math.floor(off / 4096));
      this.fetchVpn = pcLo >>> 12;
      this.fetchRamOff = off - (off % 4096);
      this.setFetchPage(page);
      return page.code;
    }
    // Outside RAM (ROM, MMIO): fetch this one instruction through the bus.
    this.fetchVpn = -1;
    this.setFetchPage(null);
    const bus = this.bus;
    bus.fault = pa + 4 > TWO32;
    const bits = bus.fault ? 0 : bus.read(pa, 4);
    if (bus.fault) {
      bus.fault = false;
      this.raiseSync((abortEc << 26) | ESR_IL | FSC_SYNC_EXTERNAL, pcLo, pcHi, pcLo, pcHi, true);
      return this.scratch;
    }
    decodeInto(this.scratch, pcLo & 0xffc, bits);
    return this.scratch;
  }

  /** Decodes the instruction at slot `idx` of the current fetch page (lazily, on first use). */
  decodeAt(code: Int32Array, idx: number): number {
    const off = this.fetchRamOff + idx;
    if (this.codeLines !== null) this.codeLines[off >>> CODE_LINE_SHIFT] = 1;
    return decodeInto(code, idx, this.ramI32[off >>> 2]);
  }

  /** The code-cache page of the current fetch page (null after a slow fetch) and its RAM offset (dispatch()). */
  get currentFetchPage(): CodePage<Block> | null {
    return this.fetchPage;
  }
  get currentFetchRamOff(): number {
    return this.fetchRamOff;
  }

  /**
   * Makes RAM page `page` (at `ramOff`, virtual page `vpn`, as a resolveFetch made it) the fetch page again, without
   * translating the pc: dispatch()'s page before the current one, valid while that call runs. Returns its code.
   */
  refetch(page: CodePage<Block>, vpn: number, ramOff: number): Int32Array {
    this.fetchVpn = vpn;
    this.fetchRamOff = ramOff;
    this.setFetchPage(page);
    return page.code;
  }

  private setFetchPage(page: CodePage<Block> | null): void {
    this.fetchPage = page;
    this.fetchBlocks = page === null ? this.noBlocks : page.entries;
    this.fetchHeat = page === null ? this.noHeat : page.heat;
  }

  /**
   * Called when slot `idx` of the current fetch page reaches JIT_THRESHOLD, and again after each
   * wait it asks for: translates the region there (jit.ts), or returns undefined to wait. A region
   * is translated once control has arrived at its entry JIT_THRESHOLD times when it loops on
   * itself, heads a longer loop (headsLoop), starts the page or runs straight past MAX_BLOCK (HOT_THRESHOLD otherwise) and enough times to have run about `compileWork`
   * instructions in the interpreter (arrivals x its instructions): V8's compiles of a
   * new function cost milliseconds that code run a few thousand times (an OS booting) never repays.
   * No entry is scanned before compileWork / MAX_BLOCK arrivals (a region of MAX_BLOCK
   * instructions' share): most entries a boot reaches JIT_THRESHOLD times never get there, and a
   * scan allocates (the raspi3b OS boot scanned about a hundred entries for the one it translated).
   * No region is translated before the CPU has retired FIRST_WORK_FACTOR x compileWork instructions.
   * A wasm region after the CPU's first waits `earlyCompileWork` instead in its first `earlyWindow` instructions
   * (`bareEarlyWork` with the MMU off).
   * A wasm region that runs on into the next page, where a translation starts, is as hot as it (runsOffPage).
   * The waits are counted exactly (code-cache.ts waitForArrivals; `warm` counts them, RUN_ON: none).
   * NO_BLOCK where no block can start.
   */
  compileBlockAt(code: Int32Array, idx: number): Block | undefined {
    const page = this.fetchPage;
    if (page === null || this.fetchVpn === -1 || !this.jit) return NO_BLOCK;
    const slot = idx >>> 2;
    const entry = this.fetchRamOff + idx;
    const shortWait = this.wasmCore !== null && this.translatedOnce && (this.retired < this.earlyWindow || this.earlyWaits.has(entry));
    const work = shortWait ? Math.min(this.compileWork, this.mmuOff ? this.bareEarlyWork : this.earlyCompileWork) : this.compileWork;
    // A loop head at its first arrival here, early in the run (V8 still interprets slowly): a loop
    // about to run long is translated now, not interpreted until the first scan below (the compute
    // kernel's random fill, 354 instructions a pass: 128 passes).
    if (page.warm[slot] === 0 && this.retired < this.earlyWindow && headsLoop(code, idx)) {
      const loop = this.wasmCore !== null ? scanWasmRegion(this, code, idx, MAX_WASM_REGION) : scanSegments(this, code, idx);
      if (this.runsLong(loop)) return this.translateRegion(page, code, idx, slot);
    }
    if (this.waits(page, slot, Math.ceil(work / MAX_BLOCK), shortWait, entry)) return undefined;
    const segments = scanSegments(this, code, idx);
    this.earlyWaits.delete(entry);
    if (segments.length === 0) return NO_BLOCK;
    // All the instructions, copied only for several segments (this runs at each wait).
    const all = segments.length === 1 ? segments[0] : segments.flat();
    const size = all.length;
    if (this.runsLong(segments)) return this.translateRegion(page, code, idx, slot);
    // A page's first instruction is mostly reached running on from the page before (a loop or an
    // unrolled loop across the boundary): as hot as the code there. Straight code past the scan's
    // bound runs at least MAX_BLOCK instructions an arrival, not the few HOT_THRESHOLD is for: the
    // compile-work wait alone (the arm64 Linux boot's blake2s_compress, ~1,200 instructions without a
    // branch, was interpreted at each of its 2,422 calls: 2.8 M instructions).
    const straight = segments[0].length >= MAX_BLOCK;
    const threshold = loopsOnItself(all) || headsLoop(code, idx) || idx === 0 || straight ? JIT_THRESHOLD : this.hotThreshold;
    // The instructions the interpreter runs per arrival here leave out inner loops translated
    // already (`fresh` of `size`); the wait grows with size / fresh as well, since the region
    // translates those loops again and runs them in V8's unoptimized tiers until V8 has compiled
    // it (compute kernel: the matrix multiply's 85-instruction inner loop was translated three
    // times, with its middle and outer loops, each time running slower for a while).
    const fresh = Math.max(1, size - retranslated(segments[0], (off) => page.entries[off >>> 2]?.fn != null));
    let needed = Math.max(threshold, Math.ceil((work * size) / (fresh * fresh)));
    // A region that runs on into the next page may be the first piece of a loop across the boundary
    // (the compute kernel's random fill): once the next page's start is translated (as hot as the code
    // before it, idx === 0 above, and having waited its compile work), as hot as that; until then it
    // looks again every OFF_PAGE_RECHECK arrivals rather than after one long wait. Wasm regions only:
    // with JavaScript regions (2 more V8 functions) the compute kernel's first run leaned slower.
    if (this.wasmCore !== null && runsOffPage(all)) {
      if (this.codePages.peek(this.fetchRamOff / 4096 + 1)?.entries[0]?.fn != null) needed = JIT_THRESHOLD;
      else needed = Math.min(needed, page.arrivals(slot) + OFF_PAGE_RECHECK);
    }
    // Before the CPU's first FIRST_WORK_FACTOR x compileWork instructions, wait (at least) until
    // this entry alone could have run the rest (dispatch() sets `inflight`: `retired` is exact).
    const early = this.compileWork * FIRST_WORK_FACTOR - this.retired;
    if (early > 0) needed = Math.max(needed, page.arrivals(slot) + Math.ceil(early / size));
    if (this.waits(page, slot, needed, shortWait, entry)) return undefined;
    return this.translateRegion(page, code, idx, slot);
  }

  /**
   * compileBlockAt at slot `idx` of the fetch page (execute.ts dispatch, the slot hot), its result kept there: the
   * block it stored, NO_BLOCK where none starts, nothing while it waits.
   */
  heatReached(code: Int32Array, idx: number): void {
    this.setFetchEntry(idx >>> 2, this.compileBlockAt(code, idx));
  }

  /**
   * Sets entry `slot` of the fetch page (of a slow fetch's dummies without one) and reads fetchBlocks again: a page
   * gets its own entries at its first (code-cache.ts CodePage.set), until then shared by the pages without.
   */
  setFetchEntry(slot: number, made: Block | undefined): void {
    if (this.fetchPage !== null) this.fetchBlocks = this.fetchPage.set(slot, made);
    else if (made !== undefined) this.noBlocks[slot] = made;
  }

  /**
   * The interpreter under dispatch() has just decoded `info` at `idx` of the fetch page (its first
   * run there). A conditional branch back at least EARLY_LOOK_SPAN bytes within the page, in the
   * CPU's early window, closes a loop whose head compileBlockAt would first look at after
   * JIT_THRESHOLD arrivals, each pass a long body interpreted: its head's heat is set so that the
   * next arrival looks at it (compileBlockAt: translated when about to run long, else its waits, as
   * from JIT_THRESHOLD arrivals). With the MMU off only (a bare-metal program's loops; an OS kernel
   * runs many such loops a few times, each look a scan: the arm64 Linux boot has 202, none long).
   * Inlined into interpret(): every compare here runs in the warm-up (warmup.ts), the wasm core's
   * test last, and the store is made either way, so that V8 has feedback for all of it.
   */
  loopClosed(code: Int32Array, idx: number, info: number): void {
    const op = info & 0xff;
    const back = code[idx + 1];
    // `| 0`: not an instruction's immediate beyond V8's small integers (any op's `a` reaches here) to deoptimize on.
    const head = (idx + back) | 0;
    const page = this.fetchPage;
    if (op < Op.BCOND || op > Op.TBNZ || back > -EARLY_LOOK_SPAN || head < 0 || page === null) return;
    const slot = head >>> 2;
    const heat = page.heat[slot];
    const look = this.retired < this.earlyWindow && page.warm[slot] === 0 && heat < JIT_THRESHOLD - 1 && page.entries[slot] === undefined && this.earlyLook && this.mmuOff && this.wasmCore !== null;
    page.heat[slot] = look ? JIT_THRESHOLD - 1 : heat;
  }

  /**
   * Whether the region (its segments) is a loop about to run past `longLoop` instructions (its
   * counter against its bound: loop-trips.ts): it pays its translation back, translated at once.
   */
  private runsLong(segments: Insn[][]): boolean {
    return segments.length === 1 && loopsOnItself(segments[0]) && passesLeft(segments[0], this.regValue) * segments[0].length >= this.longLoop;
  }

  /** A register's value (loop-trips.ts): 64 bits as a signed number (exact to 2^53), 32 unsigned. */
  private readonly regValue: RegValue = (reg, sf) => (sf ? this.xh[reg] * TWO32 + (this.xl[reg] >>> 0) : this.xl[reg] >>> 0);

  /** Translates the region at slot `idx` of the fetch page and stores it (compileBlockAt). */
  private translateRegion(page: CodePage<Block>, code: Int32Array, idx: number, slot: number): Block {
    this.earlyWaits.delete(this.fetchRamOff + idx);
    // A wasm region where its translator takes the entry (its segments), else a JavaScript one.
    let wasm = this.wasmCore !== null ? scanWasmRegion(this, code, idx, MAX_WASM_REGION) : [];
    const joined = wasm.length === 1 && this.mmuOff ? this.loopAcrossPage(wasm[0]) : null;
    if (joined !== null) wasm = [joined];
    const region = wasm.length > 0 ? { insns: wasm[0], all: wasm.flat(), entries: wasm.map((sg) => sg[0].off), source: '' } : scanRegion(this, code, idx);
    const { all } = region;
    const blocks = wasm.length > 0 ? compileWasmRegion(this, this.kit, this.wasmCore!, wasm, joined !== null) : compileRegion(this, this.kit, region);
    const block = blocks[0];
    const cover = coverage(joined === null ? all : all.filter((i) => i.off < 0x1000));
    if (joined !== null) {
      const tail = all.filter((i) => i.off >= 0x1000);
      const pageIndex = this.fetchRamOff / 4096;
      this.crossLinks.add(pageIndex + 1, pageIndex, slot, block, (tail[0].off - 0x1000) >>> 2, ((tail[tail.length - 1].off - 0x1000) >>> 2) + 1);
    }
    // The other segments' entries become entries too where nothing is translated yet (aliases).
    // The entry is stored last, here and not by execute(), so that the cache counts it even when
    // storing flushes the cache (execute() stores it again).
    for (let j = 1; j < blocks.length; j++) {
      const s = region.entries[j] >>> 2;
      if (page.entries[s] === undefined) this.codePages.store(page, s, blocks[j], cover, true);
    }
    this.codePages.store(page, slot, block, cover);
    this.translatedOnce = true;
    // Where the region stops in straight-line code (its size bound, an instruction it does not
    // translate) the code goes on as hot as the region: translate there at the next arrival
    // instead of waiting for HOT_THRESHOLD (unrolled loops longer than one region).
    for (const next of fallThroughExits(region.insns)) {
      const s = next >>> 2;
      if (page.entries[s] === undefined && page.warm[s] === 0) {
        page.warm[s] = RUN_ON;
        page.heat[s] = JIT_THRESHOLD - 1;
      }
    }
    return block;
  }

  /**
   * The wasm region `head`, which runs off its page's end, and its loop's rest on the next page as
   * one region (cross-page.ts), or null. Only with the MMU off (the caller checks): the next page
   * of code is the next RAM page.
   */
  private loopAcrossPage(head: Insn[]): Insn[] | null {
    const here = this.fetchRamOff;
    if (!runsOffPage(head) || here + 8192 > this.ramSize) return null;
    const next = this.codePages.page(here / 4096 + 1);
    // scanBlock decodes through decodeAt, which reads (and marks in the code-line map) the fetch page's words.
    this.fetchRamOff = here + 4096;
    const tail = scanBlock(this, next.code, 0, MAX_WASM_REGION - head.length, undefined, 0x1000, wasmTranslatable);
    this.fetchRamOff = here;
    return joinAcrossPage(head, tail);
  }

  /** Drops a region crossing pages (cross-page.ts) if it is still stored where it was, making a running one leave. */
  private readonly dropCrossing = (pageIndex: number, slot: number, block: Block): void => {
    const page = this.codePages.peek(pageIndex);
    if (page !== null && page.entries[slot] === block && this.codePages.invalidate(page, slot, slot)) this.attention = true;
  };

  /**
   * A region crossing pages was called with the MMU on, where the next virtual page may map
   * elsewhere: drops every such region (translated again, within their pages, when hot) and
   * returns no steps, with the next pc where it was, for the interpreter to run (execute.ts dispatch()).
   */
  crossingUnderMmu(pcLo: number, pcHi: number): number {
    this.crossLinks.dropAll(this.dropCrossing);
    this.npcLo = pcLo;
    this.npcHi = pcHi;
    return 0;
  }

  /** Makes `slot` wait until `needed` arrivals (code-cache.ts waitForArrivals): true when it waits; an early wait is remembered (`earlyWaits`). */
  private waits(page: CodePage<Block>, slot: number, needed: number, early: boolean, entry: number): boolean {
    if (!this.codePages.waitForArrivals(page, slot, JIT_THRESHOLD, needed)) return false;
    if (early) this.earlyWaits.add(entry);
    return true;
  }

  /** Blocks translated since reset (tests, engine-diff). */
  get blocksCompiled(): number {
    return this.codePages.stats.made;
  }

  /** The code cache now (read-only; npm run bench's memory figure). */
  get codeCache(): CodeCacheStats {
    return this.codePages.stats;
  }

  private dropCodePage(index: number): void {
    if (!this.crossLinks.empty) this.crossLinks.written(index, -1, this.dropCrossing);
    if (this.codePages.drop(index) === this.fetchPage) this.setFetchPage(null);
  }

  /** Bus callback: code in a RAM page may have changed (another core, DMA). */
  private codeWritten(page: number): void {
    if (this.selfStore) return;
    this.dropCodePage(page);
    this.fetchVpn = -1;
    this.attention = true;
  }

  /**
   * After a store by this core to RAM offset `off` of a page with flags: forget the decoded slots
   * the bytes cover, tell the bus (watchers, other cores), keep the page marked. The interpreter
   * re-decodes a cleared slot when it reaches it, so a store into the running page is seen by
   * the next instruction, as the Arm ARM allows (B2.2.5: without an ISB it is not required).
   */
  ramWritten(off: number, size: number): void {
    for (let o = off & ~3; o < off + size; o += 4) {
      if (!this.crossLinks.empty) this.crossLinks.written(o >>> 12, (o & 0xffc) >>> 2, this.dropCrossing);
      const page = this.codePages.peek(o >>> 12);
      if (page === null) continue;
      page.code[o & 0xffc] = 0;
      // Drop the regions made from the changed instruction (data beside code keeps them), and
      // make the interpreter leave so that no stale region keeps running.
      const slot = (o & 0xffc) >>> 2;
      if (page.translated > 0 && this.codePages.invalidate(page, slot, slot)) this.attention = true;
    }
    this.selfStore = true;
    this.bus.ramStoreHook(this.ramBase + off, size);
    this.selfStore = false;
    const index = off >>> 12;
    if (this.codePages.peek(index) !== null && (this.pageFlags[index] & PAGE_CODE) === 0) this.bus.markCode(index);
  }
}
