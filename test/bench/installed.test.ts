/** npm run bench's compute installed row (installed.ts): each architecture's `rvos run` command line runs its guest. */
import { describe, expect, it } from 'vitest';
import { aarch64 } from './aarch64.js';
import { i386 } from './i386.js';
import { median, pairedSeconds, runInstalled } from './installed.js';
import { rv32 } from './rv32.js';

describe('bench compute installed', () => {
  // The checkout's rvos (the bench runs the installed package's, dist/, which a test run need not have built).
  const checkout = { ...process.env, RVOS_COMPILED: '0' };
  for (const arch of [rv32, aarch64, i386]) {
    it(`${arch.arch}: the empty guest ends with the exit code the row expects in a new rvos process`, async () => {
      const r = await runInstalled(arch, arch.empty, checkout);
      expect(r.exitCode).toBe(arch.exitOk);
      expect(r.wallMs).toBeGreaterThan(0);
    }, 60_000);
  }

  it('a guest ending otherwise fails the row, naming the command line', async () => {
    await expect(runInstalled({ ...rv32, exitOk: 7 }, rv32.empty, checkout)).rejects.toThrow(/rvos run --board virt --bios none --kernel .*empty\.elf --headless exited with 0/);
  }, 60_000);
});

describe('bench compute paired', () => {
  it('takes the median of each round\'s own kernel-less-empty time, not a difference of bests or of medians', () => {
    // Round 2 ran under load: its rvos kernel slow, and its QEMU empty guest.
    const rounds = [
      { rvosEmpty: 250, rvosKernel: 540, qemuEmpty: 190, qemuKernel: 480 },
      { rvosEmpty: 240, rvosKernel: 700, qemuEmpty: 400, qemuKernel: 490 },
      { rvosEmpty: 260, rvosKernel: 560, qemuEmpty: 200, qemuKernel: 500 },
      { rvosEmpty: 200, rvosKernel: 530, qemuEmpty: 180, qemuKernel: 470 },
    ];
    // rvos: 290, 460, 300, 330 -> 315 (best kernel less best empty: 330; median less median: 305). QEMU: 290, 90, 300,
    // 290 -> 290.
    expect(pairedSeconds(rounds)).toEqual({ rvos: 0.315, qemu: 0.29 });
  });

  it('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
