import { describe, expect, it } from 'vitest';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { IdleMode } from '../../src/core/idle.js';
import * as A from '../helpers/rv32asm.js';
import { bootGuest, periodicTimerSetup, powerOff, RAM_BASE, writeGuest } from '../helpers/bare-guest.js';

/** Waits in WFI with every interrupt disabled: nothing can ever wake the hart. */
const stuck = writeGuest([A.wfi(), A.jal(A.zero, -4)]);

/**
 * A guest that idles: every PERIOD ticks of mtime a timer interrupt (the handler moves mtimecmp
 * on, counts, and powers off after TICKS), and WFI in between.
 */
const PERIOD = 20_000; // 2 ms at 10 MHz
const TICKS = 15;
const setup = periodicTimerSetup(PERIOD);
const handler = setup.length + 2;
const ticking = writeGuest([
  ...A.li(A.t0, RAM_BASE + handler * 4),
  ...setup.slice(2),
  A.wfi(),
  A.jal(A.zero, -4),
  // handler
  ...A.li(A.t0, PERIOD),
  A.add(A.s3, A.s3, A.t0),
  A.sw(A.s3, A.s2, 0),
  A.addi(A.s4, A.s4, 1),
  ...A.li(A.t0, TICKS),
  A.beq(A.s4, A.t0, 8),
  A.mret(),
  ...powerOff(),
]);

async function run(kernel: string, opts: { idle?: IdleMode; cpus?: number; endInput?: boolean } = {}) {
  const session = await bootGuest(kernel, { idle: opts.idle, cpus: opts.cpus });
  if (opts.endInput) (session.console as CaptureBackend).endInput();
  const cpu = session.machine.cpus[0];
  const traps: number[] = [];
  session.machine.events.on('trap', () => traps.push(cpu.retired));
  const result = await session.machine.run({ timeoutMs: 20_000 });
  await session.close();
  return { result, traps, now: session.machine.clock.now() };
}

describe('a guest waiting for an interrupt', () => {
  it('is stopped as halted when no timer is armed and no input can arrive', async () => {
    const one = await run(stuck, { endInput: true });
    expect(one.result.reason).toBe('halted');
    expect(one.result.message).toBe(
      'every CPU is waiting for an interrupt and nothing can wake it: no timer is armed and no input can arrive (pc=0x80000004)',
    );
    const two = await run(stuck, { endInput: true, cpus: 2 });
    expect(two.result.reason).toBe('halted');
    expect(two.result.message).toMatch(/\(cpu0 pc=0x80000004, cpu1 pc=0x80000004\)$/);
  });

  it('idle warp and idle sleep take every timer interrupt at the same instruction', async () => {
    const warp = await run(ticking, { idle: 'warp', endInput: true });
    expect(warp.result.reason).toBe('poweroff');
    expect(warp.traps).toHaveLength(TICKS);
    const sleep = await run(ticking, { idle: 'sleep', endInput: true });
    expect(sleep.result.reason).toBe('poweroff');
    expect(sleep.traps).toEqual(warp.traps);
    expect(sleep.now).toBe(warp.now);
    // Idle time passed at the host's pace: the guest's 30 ms did not run ahead of the host's clock.
    expect(sleep.now / 1e6).toBeLessThanOrEqual(sleep.result.hostMs + 1);
  });
});
