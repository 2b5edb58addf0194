// @ts-check
/**
 * The whole machine: board.yaml (virt + the RTC at QEMU's address and interrupt) boots a guest,
 * assembled here with `rvos/testing`'s encoder, that reads the time, sets it, arms alarms and takes
 * the alarm's interrupt through the PLIC; it prints what it saw, and the test checks it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMachine } from 'rvos/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_DELAY_NS, RTC_IRQ, SET_HIGH, SET_LOW, buildGuest, parseReport } from '../guest/build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'goldfish-rtc-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** @type {import('rvos/testing').TestRunResult} */
let result;
/** @type {Map<string, bigint>} */
let seen;
/** The observation `name` the guest printed. */
const value = (/** @type {string} */ name) => {
  const v = seen.get(name);
  if (v === undefined) throw new Error(`the guest printed no ${name}= line:\n${result.output}`);
  return v;
};
const plicBit = (/** @type {string} */ name) => (value(name) >> BigInt(RTC_IRQ)) & 1n;

beforeAll(async () => {
  const kernel = join(work, 'rtc-guest.bin');
  writeFileSync(kernel, buildGuest());
  result = await runMachine({ board: 'board.yaml', kernel, bios: 'none', plugins: [root], cwd: root });
  seen = parseReport(result.output);
});

describe('goldfish-rtc, driven by a guest on board.yaml', () => {
  it('runs the guest to its power-off', () => {
    expect(result.reason, result.message).toBe('poweroff');
    expect(result.exitCode).toBe(0);
    expect(seen.size).toBe(20);
  });

  it('tells the time in nanoseconds since the epoch, from the host clock', () => {
    const ms = Number(value('time') / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });

  it('runs on from a time the guest writes, and TIME_HIGH is the half latched by the last TIME_LOW read', () => {
    expect(value('set-low')).toBeGreaterThanOrEqual(BigInt(SET_LOW));
    expect(value('set-low')).toBeLessThan(0x1_0000_0000n);
    // The low half has wrapped since, but TIME_HIGH still answers for the earlier TIME_LOW read.
    expect(value('latched-high')).toBe(BigInt(SET_HIGH));
    expect(value('after-high')).toBe(BigInt(SET_HIGH + 1));
    expect(value('after-low')).toBeLessThan(0x10_0000n);
  });

  it('raises its interrupt through the PLIC when the alarm time comes, not before', () => {
    expect(value('armed-status')).toBe(1n);
    expect(value('irq-enabled')).toBe(1n);
    expect(value('mcause')).toBe(0x8000000bn); // machine external interrupt
    expect(value('claim')).toBe(BigInt(RTC_IRQ));
    expect(value('fired-status')).toBe(0n);
    const late = value('fired-time') - value('alarm');
    expect(late).toBeGreaterThanOrEqual(0n);
    expect(late).toBeLessThan(BigInt(ALARM_DELAY_NS) / 10n); // a few instructions after the deadline
    expect(plicBit('pending-cleared')).toBe(0n); // CLEAR_INTERRUPT lowered it before completion
  });

  it('keeps ALARM_STATUS while armed, until CLEAR_ALARM', () => {
    expect(value('far-status')).toBe(1n);
    expect(value('cleared-status')).toBe(0n);
  });

  it('fires an alarm in the past at once, with the output gated by IRQ_ENABLED', () => {
    expect(value('past-status')).toBe(0n);
    expect(plicBit('pending-masked')).toBe(0n);
    expect(plicBit('pending-unmasked')).toBe(1n);
    expect(value('claim2')).toBe(BigInt(RTC_IRQ));
    expect(plicBit('pending-final')).toBe(0n);
  });
});
