import type { Clock, Timer } from './api.js';

class ClockTimer implements Timer {
  deadline = Infinity;
  constructor(
    readonly name: string,
    readonly callback: () => void,
    private readonly clock: VirtualClock,
  ) {}
  get armed(): boolean {
    return this.deadline !== Infinity;
  }
  armAt(atNs: number): void {
    this.deadline = atNs;
    this.clock.rescan();
    this.clock.onArm?.(atNs);
  }
  cancel(): void {
    this.deadline = Infinity;
    this.clock.rescan();
  }
}

/** See `advanceTo`. */
const MAX_FIRING_PASSES = 64;

/**
 * Machine time. In deterministic mode (the default) time is derived from executed instructions
 * only, like QEMU's -icount, so every run of a program is identical. In realtime mode the machine
 * loop advances it from the host's monotonic clock instead. Timers are few (one per timer
 * device and hart), so a linear scan for the earliest deadline is cheaper than a heap.
 */
export class VirtualClock implements Clock {
  private timeNs = 0;

  constructor() {
    // A double from the start: time passes 2^30 ns (V8's small integers) about a second into a guest's
    // run (10 ns per instruction), and the first such value changed the field's representation, which
    // threw away the optimized code of the machine loop (Machine.step, twice per run: an overflow and the
    // new field map) for another TurboFan compile each.
    this.timeNs = 0.5;
    this.timeNs = 0;
  }
  private readonly timers: ClockTimer[] = [];
  /** Earliest armed deadline (Infinity if none). */
  nextDeadline = Infinity;
  /** Time the running CPU has spent inside the current slice (set by the machine loop). */
  private inSlice: () => number = () => 0;
  /**
   * Called after every `armAt`, so the machine loop can end the running CPU's slice at a deadline
   * armed in the middle of it (a guest writing mtimecmp).
   */
  onArm: ((atNs: number) => void) | undefined;

  /** Virtual time, including the part of the current slice the running CPU has executed. */
  now(): number {
    return this.timeNs + this.inSlice();
  }

  /** Time at the start of the current slice. */
  sliceStart(): number {
    return this.timeNs;
  }

  setSliceProgress(fn: () => number): void {
    this.inSlice = fn;
  }

  createTimer(name: string, callback: () => void): Timer {
    const t = new ClockTimer(name, callback, this);
    this.timers.push(t);
    return t;
  }

  rescan(): void {
    // Indexed loops here and in advanceTo: every timer set and every round's due timers come here, in V8's
    // baseline tier for a while, where `for...of` allocates an iterator per call.
    let next = Infinity;
    const timers = this.timers;
    for (let i = 0; i < timers.length; i++) if (timers[i].deadline < next) next = timers[i].deadline;
    this.nextDeadline = next;
  }

  /** Moves time forward to `ns` (never backwards) and fires every timer that became due. */
  advanceTo(ns: number): void {
    if (ns > this.timeNs) this.timeNs = ns;
    // Callbacks may arm timers that are due at once; a timer that keeps re-arming itself in the
    // past would loop here forever, so after a few passes the rest waits for the next round (one
    // instruction later: slices end at the earliest deadline).
    for (let pass = 0; pass < MAX_FIRING_PASSES && this.nextDeadline <= this.timeNs; pass++) {
      const timers = this.timers;
      for (let i = 0; i < timers.length; i++) {
        const t = timers[i];
        if (t.deadline <= this.timeNs) {
          t.deadline = Infinity;
          t.callback();
        }
      }
      this.rescan();
    }
  }

  reset(): void {
    this.timeNs = 0;
    for (const t of this.timers) t.deadline = Infinity;
    this.nextDeadline = Infinity;
  }
}
