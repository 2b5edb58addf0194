import type { ArchDebug, Cpu } from '../api.js';

/**
 * What the GDB stub drives: the machine seen from the debugger. The real one is
 * `MachineTarget` (machine-target.ts); protocol tests use a fake. Every call comes from the
 * event loop while no CPU is inside `run()`.
 */
export interface GdbTarget {
  /** The CPUs (GDB threads cpu.id + 1); each has `debug`. */
  readonly cpus: readonly Cpu[];
  readonly arch: ArchDebug;
  /** True while the debugger holds the machine halted. */
  readonly halted: boolean;
  /** Halts every CPU (all-stop). */
  halt(): void;
  /** Lets every CPU run; `stopped` is called when a CPU's breakpoint or watchpoint halts them. */
  resume(): void;
  /** Runs one instruction of `cpu` only (interrupts masked); the others stay halted. */
  step(cpu: Cpu): void;
  /** Set by the stub: a CPU's `debug.stop` halted the machine. */
  stopped: ((cpu: Cpu) => void) | undefined;
  /** Debugger access to physical memory (RAM and ROM; never device registers). False when not all of it is there. */
  readPhysical(addr: number, dst: Uint8Array): boolean;
  writePhysical(addr: number, src: Uint8Array): boolean;
  /** The `monitor` commands that act on the machine. */
  reset(): void;
  /** Ends rvos (gdb's `kill`, `monitor quit`), as QEMU does. */
  quit(reason: string): void;
  /** `monitor trace on|off CATS`: returns what it did, or throws a UserError for bad categories. */
  trace(on: boolean, categories: string): string;
  /** `addr` as `<symbol+off>` when a loaded image has it. */
  symbolize(addr: bigint): string | undefined;
}
