import type { ArchType, Cpu, Device, ElfInfo, MachineControl } from './api.js';
import type { Board } from './board.js';
import type { PhysicalBus } from './bus.js';
import type { VirtualClock } from './clock.js';
import { EXIT, PluginError } from './errors.js';
import type { EventStream } from './events.js';
import { HostPacedIdle, IDLE_POLL_MS, type IdleMode } from './idle.js';
import type { Line } from './irq.js';
import { describeAddress } from './symbolize.js';
import { Symbolizer } from './symbols.js';
import { encodePng } from './image/png.js';

/** Why `Machine.run` returned. */
export type StopReason = 'poweroff' | 'max-insns' | 'timeout' | 'stopped' | 'halted' | 'error' | 'plugin-error';

export interface RunResult {
  reason: StopReason;
  /** Guest exit code for 'poweroff'; otherwise undefined. */
  exitCode?: number;
  message: string;
  instructions: number;
  hostMs: number;
  /** The failure, for 'error' and 'plugin-error' (a PluginError: exit code 71). */
  error?: Error;
}

/** The process exit code for how the run ended (also gdb's W reply). */
export function exitCodeOf(result: RunResult): number {
  switch (result.reason) {
    case 'poweroff':
      return result.exitCode ?? 0;
    case 'max-insns':
    case 'timeout':
      return EXIT.timeout;
    case 'halted':
      return EXIT.halted;
    case 'stopped':
      return 0;
    case 'plugin-error':
      return EXIT.pluginError;
    default:
      return EXIT.hostError;
  }
}

export interface RunLimits {
  /** Stop after this many instructions (all CPUs together). */
  maxInsns?: number;
  /** Stop after this many host milliseconds. */
  timeoutMs?: number;
}

export interface MachineDevice {
  device: Device;
  entry: { type: string; name: string; reg: Array<[number, number]>; props: Record<string, unknown> };
  outputs: Line[];
}

export interface MachineParts {
  board: Board;
  arch: ArchType;
  bus: PhysicalBus;
  clock: VirtualClock;
  events: EventStream;
  cpus: Cpu[];
  devices: MachineDevice[];
  dtb: Uint8Array;
  /** Re-runs the boot protocol (load images, set entry state) after a reset. */
  boot: () => ElfInfo[];
  realtime: boolean;
  /** The arch plugin's package name, for failures inside `Cpu.run` (default: the arch type). */
  archPlugin?: string;
  /** What deterministic time does while every CPU waits (default `warp`; see idle.ts). */
  idle?: IdleMode;
  /** Whether host input can still arrive (a serial backend's source is open); default: none can. */
  inputOpen?: () => boolean;
}

/** Largest slice of instructions a CPU runs before devices and timers get a look, while several CPUs run. */
const MAX_SLICE = 65536;
/**
 * Largest slice of a round in which one CPU alone can run (the others stopped or waiting). Its length
 * cannot be told apart (time is continuous across slices, deadlines and wakes end it), and each slice
 * end costs a few microseconds; but host input and the TUI get a look only between rounds.
 */
export const SOLO_SLICE = 1 << 20;
/**
 * Instructions the machine runs before solo slices grow. A precaution for cold JavaScript: with OSR
 * off (jit/translate.ts) V8 optimizes a function only between calls, and a long slice could keep an
 * interpreter in baseline code for all of it. The OS boots to their prompts (4-33 M instructions)
 * keep the slices they had; the compute kernels (377-600 M) gain as much as without it.
 */
export const SOLO_AFTER = 1 << 26;
/** Host milliseconds between yields to Node's event loop (stdin, sockets, the TUI). */
const YIELD_MS = 8;

/**
 * A built machine and its execution loop. CPUs run in slices, round robin, deterministically;
 * clock events fire between slices, and slices end exactly at the next timer deadline so timer
 * interrupts arrive at the same instruction on every run.
 */
export class Machine implements MachineControl {
  readonly board: Board;
  readonly arch: ArchType;
  /** The arch plugin's package name (failures of its CPUs name it). */
  readonly archPlugin: string;
  readonly bus: PhysicalBus;
  readonly clock: VirtualClock;
  readonly events: EventStream;
  readonly cpus: Cpu[];
  readonly devices: MachineDevice[];
  readonly dtb: Uint8Array;
  readonly symbols = new Symbolizer();
  images: ElfInfo[] = [];
  /** Hooks run after each slice (HTIF polling). */
  readonly afterSlice: Array<() => void> = [];

  private readonly nsPerInsn: number;
  private readonly realtime: boolean;
  /** What deterministic time does while every CPU waits (idle.ts). */
  readonly idleMode: IdleMode;
  private readonly hostPaced: HostPacedIdle;
  private readonly inputOpen: () => boolean;
  private readonly bootFn: () => ElfInfo[];
  private stopRequest: { reason: StopReason; exitCode?: number; message: string; error?: Error } | undefined;
  /** Completes a plugin failure's pc once the failing CPU left its slice. */
  private afterFailure: (() => void) | undefined;
  private resetRequest = false;
  private totalInsns = 0;
  private hostStart = 0;
  private realtimeBase = 0;
  private paused = false;
  /** Halted by the debugger (the GDB stub): nothing runs and virtual time stands still. */
  private debugHalted = false;
  /** Host time when the machine last stopped (paused or halted): realtime clocks skip the gap. */
  private heldSince: number | undefined;
  /**
   * Called after a round in which a CPU's `debug.stop` halted the machine (all-stop: a
   * breakpoint or watchpoint hit); the GDB stub reports it.
   */
  onDebugStop: ((cpu: Cpu) => void) | undefined;
  /** Called when `run` ends (the GDB stub tells its client at once, before a TUI waits for a key). */
  onRunEnd: ((result: RunResult) => void) | undefined;
  /** One status word for the TUI while a debugger is attached ("gdb attached", "halted at ..."). */
  debugStatus: (() => string | undefined) | undefined;
  private wake: (() => void) | undefined;
  /** The CPU inside `run()` and its retired count when the slice began (for mid-slice time). */
  private runningCpu: Cpu | undefined;
  private runningFrom = 0;
  /** Budget of the current round; a timer armed inside the round lowers it (deadlineArmed). */
  private roundBudget = 0;
  /** The current round began with one runnable CPU: a CPU it wakes ends the round (cpuInputRaised). */
  private soloRound = false;
  /** Slice of a round with one runnable CPU (SOLO_SLICE; tests compare it with MAX_SLICE's). */
  soloSlice = SOLO_SLICE;
  /** Instructions run before rounds with one runnable CPU get `soloSlice` (SOLO_AFTER; tests lower it). */
  soloAfter = SOLO_AFTER;

  constructor(parts: MachineParts) {
    this.board = parts.board;
    this.arch = parts.arch;
    this.archPlugin = parts.archPlugin ?? parts.arch.type;
    this.bus = parts.bus;
    this.clock = parts.clock;
    this.events = parts.events;
    this.cpus = parts.cpus;
    this.devices = parts.devices;
    this.dtb = parts.dtb;
    this.nsPerInsn = parts.board.nsPerInstruction;
    this.realtime = parts.realtime;
    this.idleMode = parts.idle ?? 'warp';
    this.hostPaced = new HostPacedIdle(this.clock, (ms) => this.sleep(ms));
    this.inputOpen = parts.inputOpen ?? (() => false);
    this.bootFn = parts.boot;
    // Doubles from the start, as the clock's time: a run passes 2^30 instructions (V8's small
    // integers) within seconds, and the first such count changed the fields' representation, which
    // threw away the optimized machine loop (Machine.step) for another TurboFan compile.
    this.totalInsns = this.runningFrom = 0.5;
    this.totalInsns = this.runningFrom = 0;
    // A device read in the middle of a slice (mtime) sees time advanced by what the running CPU
    // has executed so far; deterministic, and never past the next deadline (slices end there).
    if (!this.realtime) {
      this.clock.setSliceProgress(() => (this.runningCpu ? (this.runningCpu.retired - this.runningFrom) * this.nsPerInsn : 0));
      this.clock.onArm = (atNs) => this.deadlineArmed(atNs);
    }
  }

  /**
   * A device armed a timer. When it falls due before the round would end, the running CPU leaves
   * its slice at the deadline's instruction and the CPUs after it in the round run no further, so
   * the timer fires (after the round) at its deadline, at the same instruction on every run.
   */
  private deadlineArmed(atNs: number): void {
    if (this.runningCpu === undefined) return; // between slices: step() bounds the next round
    const steps = Math.max(1, Math.ceil((atNs - this.clock.sliceStart()) / this.nsPerInsn));
    if (steps >= this.roundBudget) return;
    this.roundBudget = steps;
    this.runningCpu.limitRun(steps);
  }

  /**
   * An interrupt input of `cpu` went high (the builder watches every device line into a CPU). When
   * that woke it while another CPU runs a round alone, the runner's slice ends after the instruction
   * that woke it, and the woken CPU starts in the next round, at the wake: it does not wait out a long
   * solo slice. Deterministic: the wake happens at a fixed instruction.
   */
  cpuInputRaised(cpu: Cpu): void {
    const running = this.runningCpu;
    if (!this.soloRound || running === undefined || running === cpu || cpu.waiting || cpu.stopped) return;
    const steps = Math.max(1, running.retired - this.runningFrom + 1);
    if (steps >= this.roundBudget) return;
    this.roundBudget = steps;
    running.limitRun(steps);
  }

  /** The one CPU that can run now, or undefined when none or several can. */
  private onlyRunnable(): Cpu | undefined {
    const cpus = this.cpus;
    let only: Cpu | undefined;
    for (let i = 0; i < cpus.length; i++) {
      const cpu = cpus[i];
      if (cpu.stopped || cpu.waiting) continue;
      if (only !== undefined) return undefined;
      only = cpu;
    }
    return only;
  }

  get instructions(): number {
    return this.totalInsns;
  }

  /** Loads images and sets the CPUs' entry state (once after building, again after each reset). */
  boot(): void {
    this.images = this.bootFn();
    for (const img of this.images) this.symbols.add(img);
  }

  // --- MachineControl (called by devices, from inside a CPU slice) ---

  powerOff(code: number, reason: string): void {
    this.events.emit('power', { action: 'off', code, reason });
    this.requestStop({ reason: 'poweroff', exitCode: code, message: reason });
  }

  reset(reason: string): void {
    this.events.emit('power', { action: 'reset', code: 0, reason });
    this.resetRequest = true;
    for (const cpu of this.cpus) cpu.requestExit();
  }

  /**
   * A plugin failed (a device access or timer threw): the running CPU leaves its slice and the
   * run ends with 'plugin-error'. The guest pc is the accessing instruction's: the bus turned the
   * access into an access fault, whose trap event carries it; outside a slice, CPU 0's pc.
   */
  failPlugin(error: PluginError): void {
    if (this.stopRequest) return;
    const cpu = this.runningCpu;
    if (cpu) {
      const off = this.events.on('trap', (t) => {
        if (t.cpu === cpu.id) error.setPc(t.pc);
        off();
      });
      this.afterFailure = () => {
        off();
        error.setPc(cpu.pc);
      };
    } else if (this.cpus.length > 0) error.setPc(this.cpus[0].pc);
    this.requestStop({ reason: 'plugin-error', message: error.message, error });
  }

  /** Asks the run loop to stop at the next instruction boundary (Ctrl-A X, a test harness). */
  stop(message = 'stopped by the user'): void {
    this.requestStop({ reason: 'stopped', message });
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.holdChanged();
  }

  /** True while the debugger holds the machine halted. */
  get halted(): boolean {
    return this.debugHalted;
  }

  /** Halts the machine for the debugger (all CPUs), at the next instruction boundary. */
  debugHalt(): void {
    this.debugHalted = true;
    this.holdChanged();
  }

  /** Lets a machine halted by the debugger run again. */
  debugResume(): void {
    this.debugHalted = false;
    this.holdChanged();
  }

  /**
   * A pause or a debugger halt began or ended. Stopping makes the running CPU leave its slice;
   * on a realtime clock the time spent stopped is skipped, so the guest clock does not jump.
   */
  private holdChanged(): void {
    const held = this.paused || this.debugHalted;
    if (held) {
      for (const cpu of this.cpus) cpu.requestExit();
      this.heldSince ??= performance.now();
    } else if (this.heldSince !== undefined) {
      this.realtimeBase += performance.now() - this.heldSince;
      this.heldSince = undefined;
    }
    this.wake?.();
  }

  /** Wakes the loop when it sleeps waiting for input (all CPUs idle, no timers). */
  notifyInput(): void {
    this.wake?.();
  }

  private requestStop(req: { reason: StopReason; exitCode?: number; message: string; error?: Error }): void {
    if (!this.stopRequest) this.stopRequest = req;
    for (const cpu of this.cpus) cpu.requestExit();
    this.wake?.();
  }

  private doReset(): void {
    this.resetRequest = false;
    this.clock.reset();
    this.realtimeBase = performance.now();
    for (const d of this.devices) d.device.reset?.();
    for (const cpu of this.cpus) cpu.reset();
    // RAM survives a system reset, as on QEMU; boot() reloads the images and the device tree.
    this.boot();
  }

  /**
   * Runs one round: every runnable CPU executes up to one slice of at most `limit` instructions,
   * and the CPUs together at most `insnsLeft` (each gets what the ones before it left, so
   * --max-insns stops at exactly N with several CPUs); then time advances and due timers fire.
   * A round that begins with one runnable CPU runs that CPU alone, for up to `soloLimit`
   * instructions in deterministic time without after-slice hooks (whose polls would see it).
   * Returns false when every CPU is idle (WFI/stopped) and no instruction ran.
   */
  step(limit = MAX_SLICE, insnsLeft = Infinity, soloLimit = limit): boolean {
    const now = this.clock.sliceStart();
    const solo = this.onlyRunnable() !== undefined;
    this.soloRound = solo;
    let budget = solo && !this.realtime && this.afterSlice.length === 0 ? soloLimit : limit;
    if (!this.realtime && this.clock.nextDeadline !== Infinity) {
      const toDeadline = Math.ceil((this.clock.nextDeadline - now) / this.nsPerInsn);
      budget = Math.max(1, Math.min(budget, toDeadline));
    }
    this.roundBudget = budget;
    let most = 0;
    let left = insnsLeft;
    let debugStop: Cpu | undefined;
    // Indexed loops, here and for the hooks: a long guest's first thousands of rounds run in V8's
    // baseline code, where `for...of` calls the array iterator and allocates its results (~1 MB in
    // the rv32 compute kernel's 7,700 rounds).
    const cpus = this.cpus;
    for (let i = 0; i < cpus.length; i++) {
      const cpu = cpus[i];
      if (cpu.stopped || cpu.waiting) continue;
      if (left <= 0) break;
      this.runningCpu = cpu;
      this.runningFrom = cpu.retired;
      const n = cpu.run(Math.min(this.roundBudget, left));
      this.runningCpu = undefined;
      if (this.afterFailure) {
        this.afterFailure();
        this.afterFailure = undefined;
      }
      left -= n;
      this.totalInsns += n;
      if (n > most) most = n;
      if (this.stopRequest) break;
      // All-stop: a CPU that hit a breakpoint or watchpoint halts the whole machine.
      if (cpu.debug?.stop !== undefined) {
        debugStop = cpu;
        this.debugHalt();
        break;
      }
      // A CPU the lone runner woke waited until the wake, which ended the round: it starts in the next.
      if (solo) break;
    }
    this.soloRound = false;
    const hooks = this.afterSlice;
    for (let i = 0; i < hooks.length; i++) hooks[i]();
    if (this.realtime) this.clock.advanceTo((performance.now() - this.realtimeBase) * 1e6);
    else if (most > 0) this.clock.advanceTo(now + most * this.nsPerInsn);
    if (debugStop) this.onDebugStop?.(debugStop);
    return most > 0;
  }

  /** Runs until power-off, a limit, or `stop()`. Yields to the event loop regularly. */
  async run(limits: RunLimits = {}): Promise<RunResult> {
    this.hostStart = performance.now();
    this.realtimeBase = this.hostStart;
    if (this.heldSince !== undefined) this.heldSince = this.hostStart;
    const maxInsns = limits.maxInsns ?? Infinity;
    const deadline = limits.timeoutMs !== undefined ? this.hostStart + limits.timeoutMs : Infinity;
    try {
      for (;;) {
        const sliceStart = performance.now();
        while (!this.stopRequest && !this.paused && !this.debugHalted) {
          if (this.resetRequest) this.doReset();
          const left = maxInsns - this.totalInsns;
          if (left <= 0) {
            this.requestStop({ reason: 'max-insns', message: `stopped after ${this.totalInsns} instructions (--max-insns)` });
            break;
          }
          const ran = this.step(MAX_SLICE, left, this.totalInsns >= this.soloAfter ? this.soloSlice : MAX_SLICE);
          // A CPU that stopped for the debugger before its first instruction ran nothing: not idle.
          if (!ran && !this.resetRequest && !this.stopRequest && !this.debugHalted) await this.whileIdle(deadline);
          if (performance.now() - sliceStart >= YIELD_MS) break;
        }
        if (this.stopRequest) break;
        if (performance.now() >= deadline) {
          this.requestStop({ reason: 'timeout', message: `stopped after ${limits.timeoutMs} ms (--timeout)` });
          break;
        }
        if (this.paused || this.debugHalted) await this.sleep(Infinity);
        else await new Promise<void>((r) => setImmediate(r));
      }
    } catch (e) {
      if (e instanceof PluginError) {
        // A device call between slices (reset, a timer) failed.
        if (this.cpus.length > 0) e.setPc(this.cpus[0].pc);
        this.stopRequest = { reason: 'plugin-error', message: e.message, error: e };
      } else if (this.runningCpu) {
        // Devices are guarded (device-host.ts), so what escapes a slice came from the CPU model.
        const cpu = this.runningCpu;
        const err = PluginError.from(e, this.archPlugin, `arch ${this.arch.type}: cpu${cpu.id} run()`);
        err.setPc(cpu.pc);
        this.stopRequest = { reason: 'plugin-error', message: err.message, error: err };
      } else this.stopRequest = { reason: 'error', message: `internal error: ${(e as Error).message}`, error: e as Error };
    }
    const result = this.result();
    this.onRunEnd?.(result);
    return result;
  }

  private result(): RunResult {
    const req = this.stopRequest!;
    // A plugin failure's message gains the pc once the CPU left its slice.
    const message = req.error instanceof PluginError ? req.error.message : req.message;
    return { ...req, message, instructions: this.totalInsns, hostMs: performance.now() - this.hostStart };
  }

  /**
   * Every CPU waits for an interrupt and no instruction ran. With no timer armed and no input
   * source open nothing can ever wake one: stop ('halted'). Otherwise let time pass as the clock
   * and idle mode say (idle.ts), until the next timer, input, or the host deadline (--timeout).
   * Instructions are not counted meanwhile: --max-insns limits executed instructions only.
   */
  private async whileIdle(hostDeadline: number): Promise<void> {
    const next = this.clock.nextDeadline;
    if (next === Infinity && !this.inputOpen()) {
      this.requestStop({ reason: 'halted', message: this.haltedMessage() });
      return;
    }
    const untilHost = Math.max(0, hostDeadline - performance.now());
    if (this.realtime) {
      const waitMs = next === Infinity ? 50 : Math.max(0, next / 1e6 - (performance.now() - this.realtimeBase));
      await this.sleep(Math.min(waitMs, 50, untilHost));
      this.clock.advanceTo((performance.now() - this.realtimeBase) * 1e6);
    } else if (this.idleMode === 'sleep') await this.hostPaced.wait(next, untilHost);
    else if (next !== Infinity) this.clock.advanceTo(next);
    else await this.sleep(Math.min(untilHost, IDLE_POLL_MS));
  }

  private haltedMessage(): string {
    const where = this.cpus.map((cpu) => {
      const sym = describeAddress(this.symbols, this.images, cpu.pc >>> 0);
      const pc = `pc=0x${(cpu.pc >>> 0).toString(16).padStart(8, '0')}${sym ? ` <${sym}>` : ''}`;
      return this.cpus.length > 1 ? `cpu${cpu.id} ${cpu.stopped ? 'stopped' : pc}` : pc;
    });
    return `every CPU is waiting for an interrupt and nothing can wake it: no timer is armed and no input can arrive (${where.join(', ')})`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === Infinity ? undefined : setTimeout(done, ms);
      const self = this;
      function done() {
        if (timer) clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /** What the first display device shows, as PNG (`--screenshot`, C-a g); undefined when none shows anything. */
  screenshot(): { png: Uint8Array; device: string; width: number; height: number } | undefined {
    for (const d of this.devices) {
      const pic = d.device.framebuffer?.();
      if (pic && pic.width > 0 && pic.height > 0 && pic.rgba.length === pic.width * pic.height * 4) {
        return { png: encodePng(pic.width, pic.height, pic.rgba), device: d.entry.name, width: pic.width, height: pic.height };
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    for (const d of this.devices) await d.device.close?.();
  }

  // --- Interactive control (the TUI). Called from event-loop callbacks, never inside a slice. ---

  /**
   * Runs one instruction on every runnable CPU, for single-stepping a paused machine. A pending
   * reset is applied first; when every CPU waits for an interrupt, virtual time first jumps to
   * the next timer, as the run loop does. Returns the number of instructions executed.
   */
  singleStep(): number {
    if (this.stopRequest) return 0;
    if (this.resetRequest) this.doReset();
    const before = this.totalInsns;
    if (!this.step(1) && !this.realtime && this.clock.nextDeadline !== Infinity) {
      this.clock.advanceTo(this.clock.nextDeadline);
      this.step(1);
    }
    return this.totalInsns - before;
  }

  /**
   * The debugger's single step (QEMU's default): only `cpu` executes one instruction, with
   * asynchronous interrupts masked, while the other CPUs stay halted; a system call or fault is
   * still taken, so the step lands in its handler. Time advances by that instruction. Returns
   * the number executed (0 at a breakpoint, in WFI, or when the CPU is stopped).
   */
  debugStep(cpu: Cpu): number {
    if (this.stopRequest) return 0;
    if (this.resetRequest) this.doReset();
    if (cpu.debug) cpu.debug.maskInterrupts = true;
    if (cpu.stopped || cpu.waiting) return 0;
    const now = this.clock.sliceStart();
    this.roundBudget = 1;
    this.runningCpu = cpu;
    this.runningFrom = cpu.retired;
    let n = 0;
    try {
      n = cpu.run(1);
    } catch (e) {
      const err = e instanceof PluginError ? e : PluginError.from(e, this.archPlugin, `arch ${this.arch.type}: cpu${cpu.id} run()`);
      err.setPc(cpu.pc);
      this.requestStop({ reason: 'plugin-error', message: err.message, error: err });
    } finally {
      this.runningCpu = undefined;
    }
    if (this.afterFailure) {
      this.afterFailure();
      this.afterFailure = undefined;
    }
    this.totalInsns += n;
    for (const hook of this.afterSlice) hook();
    if (!this.realtime && n > 0) this.clock.advanceTo(now + n * this.nsPerInsn);
    return n;
  }

  /** Applies a requested `reset()` now, so a paused machine shows its reset state at once. */
  applyPendingReset(): void {
    if (this.resetRequest && !this.stopRequest) this.doReset();
  }
}
