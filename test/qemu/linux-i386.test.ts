/**
 * The small i386 Linux of scripts/linux-i386 on QEMU's pc (`-kernel bzImage -initrd ... -append
 * console=ttyS0`): the lines test/machine/linux-i386.test.ts checks on rvos appear on QEMU too, so the
 * two boots are the same boot (where the CPUs differ, the transcripts differ: QEMU's qemu32 has SSE,
 * FXSR and an APIC, and its TSC is not calibrated against the PIT). Skipped without the build.
 */
import { describe, expect, it } from 'vitest';
import { linuxI386Build, LINUX_I386_APPEND } from '../helpers/linux-i386.js';
import { qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';

const build = linuxI386Build();
const missing = [!qemuI386Available() && 'qemu-system-i386', !build && 'the i386 Linux build (run scripts/linux-i386/build.sh)'].filter(Boolean);

describe('i386 Linux 6.1 (scripts/linux-i386) on QEMU pc', () => {
  if (missing.length > 0) {
    it.skip(`skipped: needs ${missing.join(' and ')}`, () => {});
    return;
  }
  it('boots to /init on ttyS0, which exits through isa-debug-exit', async () => {
    const r = await runQemuPc({ kernel: build!.bzImage, args: ['-initrd', build!.initrd, '-append', LINUX_I386_APPEND], timeoutMs: 120_000 });
    const out = r.output.replace(/\r\n/g, '\n');
    expect(r.exitCode, out).toBe(1);
    for (const line of [
      /^Linux version 6\.1\.\d+ \(rvos@rvos\)/m,
      /^BIOS-e820: \[mem 0x0000000000100000-0x0000000007fdffff\] usable$/m,
      /^CPU: Intel QEMU Virtual CPU version 2\.5\+ \(family: 0x6, model: 0x6, stepping: 0x3\)$/m,
      /^serial8250: ttyS0 at I\/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A$/m,
      /^Run \/init as init process$/m,
      /^uname: Linux \(none\) 6\.1\.\d+ #1 Thu Jan  1 00:00:00 UTC 2026 i686$/m,
      /^rvos-init: powering off$/m,
    ]) expect(out).toMatch(line);
  });
});
