/**
 * rvos-sbi (kernels/virt/firmware) on QEMU 7.2, the reference peer: `-bios firmware.elf -kernel
 * sbi-test.elf` must print exactly kernels/virt/firmware/test/sbi-test.expected (rvos prints the
 * same in test/machine/firmware.test.ts); other hart counts must give the same output on both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QEMU_BINARY, QEMU_CPU, qemuAvailable, runQemu } from '../helpers/qemu.js';
import { run } from '../helpers/cli.js';
import { runRvos } from '../helpers/rvos.js';

const virt = fileURLToPath(new URL('../../kernels/virt/', import.meta.url));
const bios = `${virt}build/firmware.elf`;
const kernel = `${virt}build/sbi-test.elf`;
const expected = readFileSync(`${virt}firmware/test/sbi-test.expected`, 'latin1');

describe.skipIf(!qemuAvailable())('rvos-sbi firmware on QEMU', () => {
  it('sbi-test on 2 harts prints the committed transcript and exits 0', async () => {
    const r = await runQemu({ bios, kernel, cpus: 2, timeoutMs: 60_000 });
    expect(r.timedOut, `timed out; output so far:\n${r.output}`).toBe(false);
    expect(r.output).toBe(expected);
    expect(r.exitCode).toBe(0);
  });

  it('sbi-test on 1, 3 and 4 harts: every check passes, same output as rvos', async () => {
    for (const cpus of [1, 3, 4]) {
      const q = await runQemu({ bios, kernel, cpus, timeoutMs: 60_000 });
      expect(q.timedOut).toBe(false);
      expect(q.output).not.toContain('FAIL');
      expect(q.output).toMatch(/^sbi-test: \d+ checks passed\nsrst: shutdown\n$/m);
      expect(q.exitCode).toBe(0);
      const r = await runRvos({ bios, kernel, cpus, maxInsns: 400_000_000 });
      expect(r.output).toBe(q.output);
      expect(r.exitCode).toBe(0);
    }
  });

  it('SRST shutdown with reason "system failure" exits with code 1', async () => {
    const r = await runQemu({ bios, kernel, cpus: 2, args: ['-append', 'sysfail'], timeoutMs: 60_000 });
    expect(r.output).toMatch(/checks passed\nsrst: shutdown, reason system failure\n$/);
    expect(r.exitCode).toBe(1);
  });

  it('SRST warm reboot resets the machine: the firmware and the kernel boot again', async () => {
    // The guest reboots forever; stop QEMU after a few seconds.
    const r = await runQemu({ bios, kernel, cpus: 2, args: ['-append', 'reboot'], timeoutMs: 3_000 });
    expect(r.timedOut).toBe(true);
    const boots = r.output.split('srst: warm reboot\n');
    expect(boots.length).toBeGreaterThanOrEqual(3);
    expect(boots[1]).toBe(boots[0]);
    expect(boots[0]).toMatch(/^rvos-sbi v0\.1 .*\n.*\nsbi-test: hart 0 in S-mode, DTB magic 0xd00dfeed\n$/);
  });

  it('without -kernel (next_addr 0) it says so and powers off with code 4', async () => {
    const args = ['-M', 'virt', '-cpu', QEMU_CPU, '-bios', bios, '-nographic', '-monitor', 'none', '-serial', 'stdio'];
    const r = await run(QEMU_BINARY, args, { timeoutMs: 30_000 });
    expect(r.stdout).toContain('rvos-sbi: no kernel to boot: next address 0x00000000 is not RAM outside the firmware\n');
    expect(r.code).toBe(4);
  });
});
