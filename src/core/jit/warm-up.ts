/**
 * What the CPU types' interpreter warm-ups (plugins/arch-*\/src/warmup.ts) share: a warm-up runs
 * once per process (FirstCallGate starts it), keeps its scratch CPUs alive (V8's feedback refers to
 * what they reach weakly), and runs them on a scratch machine of their own (JitKit.scratch) with a
 * device page that reads as 0 and ignores writes, for the bus's MMIO path. Nothing of a real machine.
 */
import type { CpuContext, JitKit, ScratchMachine, WarmUpGate } from '../api.js';

export class WarmUpOnce implements WarmUpGate {
  private ran = false;
  private readonly keep: unknown[] = [];

  /** Runs `warmUp` unless this process has (even if it threw); keeps the scratch CPUs it returns. */
  run(warmUp: () => readonly unknown[]): void {
    if (this.ran) return;
    this.ran = true;
    this.keep.push(...warmUp());
  }

  /** Whether this process has run the warm-up (tests). */
  get done(): boolean {
    return this.ran;
  }
}

/** A scratch machine: `size` bytes of RAM at `base` and the warm-up device's page at `deviceBase`. */
export function scratchMachine(kit: JitKit, base: number, size: number, deviceBase: number): ScratchMachine {
  const device = { name: 'warm-up device', accesses: 0, read: () => (device.accesses++, 0), write: () => void device.accesses++ };
  const { bus, clock, events } = kit.scratch(base, size, { base: deviceBase, size: 0x1000, device });
  const machine = { powerOff() {}, reset() {} };
  /** The context of a scratch CPU under `engine` on this machine. */
  const context = (engine: 'interp' | 'jit'): CpuContext => ({ jit: kit, id: 0, engine, bus, clock, events, machine, props: {} });
  return { device, bus, context };
}
