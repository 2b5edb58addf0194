import type { VirtualClock } from './clock.js';

/**
 * What deterministic virtual time does while every CPU waits for an interrupt:
 * - `sleep`: it passes at the host's pace, like QEMU's `-icount sleep=on`: wait (T - now) of host
 *   time for the next timer at T, then fire it exactly at T (so timers keep their order and the
 *   instruction they interrupt); woken earlier (input, pause, stop), advance by the host time waited.
 * - `warp`: jump to T at once, so a run depends on nothing but its inputs (tests, scripts).
 */
export type IdleMode = 'sleep' | 'warp';

export const IDLE_MODES: readonly IdleMode[] = ['sleep', 'warp'];

/** Longest single host wait; the loop then looks again (an input source may have closed). */
export const IDLE_POLL_MS = 1000;
/** Host time slept past a deadline (timer granularity) that later idle periods may use up. */
const MAX_CREDIT_MS = 20;

/** Idle time at the host's pace (`sleep` mode) over the machine's deterministic clock. */
export class HostPacedIdle {
  /** Host milliseconds already slept that virtual time has not been given yet. */
  private credit = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Waits for the next timer `nextNs` (Infinity: none) or a wake-up, at most `untilHostMs`. */
  async wait(nextNs: number, untilHostMs: number): Promise<void> {
    const now = this.clock.sliceStart();
    const toSleep = (nextNs - now) / 1e6 - this.credit;
    if (toSleep <= 0) {
      this.credit = -toSleep;
      this.clock.advanceTo(nextNs);
      return;
    }
    const start = performance.now();
    await this.sleep(Math.min(toSleep, untilHostMs, IDLE_POLL_MS));
    const waited = performance.now() - start;
    if (waited >= toSleep) {
      this.credit = Math.min(MAX_CREDIT_MS, waited - toSleep);
      this.clock.advanceTo(nextNs);
    } else {
      // Woken before the deadline: no timer is due, time moves on by what the host waited.
      this.clock.advanceTo(Math.min(nextNs, now + Math.floor((this.credit + waited) * 1e6)));
      this.credit = 0;
    }
  }
}
