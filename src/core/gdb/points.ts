import type { Cpu, DebugStop, Watchpoint, WatchKind } from '../api.js';
import { parseHexNumber } from './hex.js';

const WATCH_KINDS: Record<string, WatchKind> = { '2': 'write', '3': 'read', '4': 'access' };
const WATCH_STOP: Record<WatchKind, string> = { write: 'watch', read: 'rwatch', access: 'awatch' };

/**
 * GDB's breakpoints (Z0 software, Z1 hardware: both are `CpuDebug.setBreakpoints` addresses)
 * and watchpoints (Z2-Z4), the same on every CPU, as QEMU's gdbstub.
 */
export class DebugPoints {
  private readonly swBreaks = new Set<bigint>();
  private readonly hwBreaks = new Set<bigint>();
  private watches: Watchpoint[] = [];

  constructor(private readonly cpus: readonly Cpu[]) {}

  /** A Z (insert) or z (remove) packet's `TYPE,ADDR,KIND[;...]`; returns the reply ('' for an unsupported type). */
  change(insert: boolean, arg: string): string {
    const [type, a, k] = arg.split(';')[0].split(',');
    const addr = parseHexNumber(a ?? '');
    const kind = parseHexNumber(k ?? '');
    if (addr === undefined || kind === undefined) return 'E16';
    if (type === '0' || type === '1') {
      const set = type === '0' ? this.swBreaks : this.hwBreaks;
      if (insert) set.add(addr);
      else set.delete(addr);
      this.syncBreakpoints();
      return 'OK';
    }
    const watchKind = WATCH_KINDS[type];
    if (!watchKind) return '';
    if (kind === 0n || kind > 0x10000n) return 'E16';
    const length = Number(kind);
    if (insert) this.watches.push({ address: addr, length, kind: watchKind });
    else {
      const i = this.watches.findIndex((w) => w.address === addr && w.length === length && w.kind === watchKind);
      if (i >= 0) this.watches.splice(i, 1);
    }
    this.syncWatchpoints();
    return 'OK';
  }

  /** Removes everything (gdb detached). */
  clear(): void {
    this.swBreaks.clear();
    this.hwBreaks.clear();
    this.watches = [];
    this.syncBreakpoints();
    this.syncWatchpoints();
  }

  /** The stop reply's reason: `swbreak:;`, `hwbreak:;` or `watch:ADDR;` (rwatch, awatch); '' for none. */
  stopReason(stop: DebugStop | undefined): string {
    if (stop?.kind === 'breakpoint') return this.swBreaks.has(stop.address) || !this.hwBreaks.has(stop.address) ? 'swbreak:;' : 'hwbreak:;';
    return stop ? `${WATCH_STOP[stop.kind]}:${stop.address.toString(16)};` : '';
  }

  private syncBreakpoints(): void {
    const all = [...new Set([...this.swBreaks, ...this.hwBreaks])];
    for (const cpu of this.cpus) cpu.debug!.setBreakpoints(all);
  }

  private syncWatchpoints(): void {
    for (const cpu of this.cpus) cpu.debug!.setWatchpoints(this.watches);
  }
}
