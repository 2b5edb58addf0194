/** npm run bench's compute installed row (installed.ts): each architecture's `rvos run` command line runs its guest. */
import { describe, expect, it } from 'vitest';
import { aarch64 } from './aarch64.js';
import { i386 } from './i386.js';
import { runInstalled } from './installed.js';
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
