import type { TrapEvent } from '../core/api.js';
import { formatSeconds, hex } from './format.js';
import { formatAddress } from '../core/address.js';

/** A bounded ring buffer: keeps the newest `capacity` items, counts everything pushed. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  private head = 0;
  /** Items ever pushed. */
  total = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new Error('ring buffer capacity must be at least 1');
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.total++;
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** The newest `n` items, newest first. */
  latest(n = this.capacity): T[] {
    const out: T[] = [];
    const len = this.items.length;
    // Until the buffer is full `head` stays 0, so the newest item is always just before it.
    for (let k = 0; k < Math.min(n, len); k++) out.push(this.items[(this.head - 1 - k + 2 * len) % len]);
    return out;
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
  }
}

/** A trap as logged by the TUI: the event plus the virtual time it was taken at. */
export interface LoggedTrap extends TrapEvent {
  timeNs: number;
}

/** 8 hex digits for a 32-bit pc, all 16 for a 64-bit one (an edge number: negative in the upper half). */
function formatPc(pc: number): string {
  return pc < 0 || pc > 0xffffffff ? formatAddress(pc).padStart(16, '0') : hex(pc);
}

/** One log line: `0.012345s cpu0 irq Machine timer interrupt -> M 80000124 <main+0x10>`. */
export function formatTrap(e: LoggedTrap, symbolize: (pc: number) => string = () => ''): string {
  const kind = e.interrupt ? 'irq' : 'exc';
  const sym = symbolize(e.pc);
  return `${formatSeconds(e.timeNs)} cpu${e.cpu} ${kind} ${e.name} -> ${e.target} ${formatPc(e.pc)}${sym ? ' ' + sym : ''}`;
}
