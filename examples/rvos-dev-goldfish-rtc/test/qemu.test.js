// @ts-check
/**
 * The reference peer: the same guest on QEMU's own virt board (which has this RTC built in) must
 * see what it sees on rvos, except for the times themselves. Skipped where qemu-system-riscv32 is
 * not installed (Debian: qemu-system-misc).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runMachine } from 'rvos/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGuest, parseReport } from '../guest/build.js';

const QEMU = 'qemu-system-riscv32';
const haveQemu = (() => {
  try {
    execFileSync(QEMU, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'goldfish-rtc-qemu-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Observations that do not depend on when the guest ran. */
const TIMELESS = [
  'latched-high', 'after-high', 'armed-status', 'irq-enabled', 'mcause', 'claim', 'fired-status', 'pending-cleared',
  'far-status', 'cleared-status', 'past-status', 'pending-masked', 'pending-unmasked', 'claim2', 'pending-final',
];

describe.skipIf(!haveQemu)('goldfish-rtc against QEMU', () => {
  it('the guest sees on rvos what it sees on qemu-system-riscv32 -M virt', async () => {
    const kernel = join(work, 'rtc-guest.bin');
    writeFileSync(kernel, buildGuest());
    const qemu = await promisify(execFile)(QEMU, ['-M', 'virt', '-bios', 'none', '-kernel', kernel, '-nographic', '-monitor', 'none'], { timeout: 30_000 });
    const onQemu = parseReport(qemu.stdout);
    const onRvos = parseReport((await runMachine({ board: 'board.yaml', kernel, plugins: [root], cwd: root })).output);
    expect(onQemu.size, qemu.stdout).toBe(20);
    for (const name of TIMELESS) expect([name, onRvos.get(name)]).toEqual([name, onQemu.get(name)]);
    const qemuTime = /** @type {bigint} */ (onQemu.get('time'));
    expect(Math.abs(Number(qemuTime / 1_000_000n) - Date.now())).toBeLessThan(60_000);
    expect(/** @type {bigint} */ (onQemu.get('fired-time'))).toBeGreaterThanOrEqual(/** @type {bigint} */ (onQemu.get('alarm')));
  });
});
