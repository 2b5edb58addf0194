import type { ArchDebug, Cpu, MachineEventName } from '../api.js';
import type { Machine } from '../machine.js';
import { describeAddress } from '../symbolize.js';
import { attachTrace, parseTraceCategories } from '../trace.js';
import type { GdbTarget } from './target.js';

/** The GDB stub's view of a built machine. */
export class MachineTarget implements GdbTarget {
  readonly arch: ArchDebug;
  stopped: ((cpu: Cpu) => void) | undefined;
  private readonly traces = new Map<MachineEventName, () => void>();

  /** `traceLine` writes one `monitor trace` line (the --trace-file). */
  constructor(
    private readonly machine: Machine,
    private readonly traceLine: (line: string) => void,
  ) {
    this.arch = machine.arch.debug!;
    machine.onDebugStop = (cpu) => this.stopped?.(cpu);
  }

  get cpus(): readonly Cpu[] {
    return this.machine.cpus;
  }

  get halted(): boolean {
    return this.machine.halted;
  }

  halt(): void {
    this.machine.debugHalt();
  }

  resume(): void {
    this.machine.debugResume();
  }

  step(cpu: Cpu): void {
    this.machine.debugStep(cpu);
  }

  readPhysical(addr: number, dst: Uint8Array): boolean {
    const region = this.machine.bus.find(addr);
    if (!region?.bytes || addr + dst.length > region.base + region.size) return false;
    dst.set(region.bytes.subarray(addr - region.base, addr - region.base + dst.length));
    return true;
  }

  /** RAM only: stores go through the bus's RAM hooks, so compiled code over them is dropped. */
  writePhysical(addr: number, src: Uint8Array): boolean {
    const region = this.machine.bus.find(addr);
    if (!region?.ram || addr + src.length > region.base + region.size) return false;
    return this.machine.bus.dmaWrite(addr, src);
  }

  reset(): void {
    this.machine.reset('reset from gdb (monitor reset)');
    this.machine.applyPendingReset();
  }

  quit(reason: string): void {
    this.machine.stop(reason);
  }

  trace(on: boolean, categories: string): string {
    const list = parseTraceCategories(categories);
    for (const category of list) {
      this.traces.get(category)?.();
      this.traces.delete(category);
      if (on) {
        const [off] = attachTrace(this.machine.events, [category], () => this.machine.clock.now(), this.traceLine);
        this.traces.set(category, off);
      }
    }
    return `tracing ${[...this.traces.keys()].join(',') || 'nothing'}`;
  }

  symbolize(addr: bigint): string | undefined {
    if (addr > 0xffffffffn) return undefined;
    return describeAddress(this.machine.symbols, this.machine.images, Number(addr));
  }
}
