/**
 * The small i386 Linux of scripts/linux-i386 on QEMU's pc and on rvos' pc, with the same command line
 * (LINUX_I386_APPEND), the same RTC date (LINUX_I386_RTC) and the same CPU: QEMU's qemu32 less what rvos does not implement
 * (QEMU_CPU_AS_RVOS). The two console transcripts must be the same, line for line, but for the few
 * lines that measure the host (TSC calibration, sched_clock figures: see comparableLinuxTranscript).
 * Skipped without the build; the rvos boot takes a minute or two.
 */
import { describe, expect, it } from 'vitest';
import { comparableLinuxTranscript, linuxI386Build, LINUX_I386_APPEND, LINUX_I386_RTC, runLinuxI386Rvos } from '../helpers/linux-i386.js';
import { QEMU_CPU_AS_RVOS, qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';
import { qemuUntil, type QemuResult } from '../helpers/qemu.js';

const build = linuxI386Build();
const missing = [!qemuI386Available() && 'qemu-system-i386', !build && 'the i386 Linux build (run scripts/linux-i386/build.sh)'].filter(Boolean);

describe('i386 Linux 6.1 (scripts/linux-i386) on QEMU pc and rvos pc', () => {
  if (missing.length > 0) {
    it.skip(`skipped: needs ${missing.join(' and ')}`, () => {});
    return;
  }
  it('boots to /init on ttyS0 on both, with the same transcript', async () => {
    // One RTC date for both (runLinuxI386Rvos gives rvos the same --rtc).
    const args = ['-cpu', QEMU_CPU_AS_RVOS, '-rtc', LINUX_I386_RTC, '-initrd', build!.initrd, '-append', LINUX_I386_APPEND];
    // /init powers off right after its last write(): QEMU may not have sent the tty's last bytes (qemuUntil).
    const runQemu = () => runQemuPc({ kernel: build!.bzImage, args, timeoutMs: 120_000 });
    const complete = (q: QemuResult) => /^rvos-init: powering off\r?$/m.test(q.output);
    let q = await qemuUntil(runQemu, complete);
    const qemu = q.output.replace(/\r\n/g, '\n');
    expect(q.exitCode, qemu).toBe(1);
    for (const line of [
      /^Linux version 6\.1\.\d+ \(rvos@rvos\)/m,
      /^BIOS-e820: \[mem 0x0000000000100000-0x0000000007fdffff\] usable$/m,
      /^CPU: Intel QEMU Virtual CPU version 2\.5\+ \(family: 0x6, model: 0x6, stepping: 0x3\)$/m,
      /^serial8250: ttyS0 at I\/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A$/m,
      /^Run \/init as init process$/m,
      /^uname: Linux \(none\) 6\.1\.\d+ #1 Thu Jan  1 00:00:00 UTC 2026 i686$/m,
      /^rvos-init: powering off$/m,
    ]) expect(qemu).toMatch(line);
    const r = await runLinuxI386Rvos(build!);
    expect(r.reason, r.output).toBe('poweroff');
    const rvos = JSON.stringify(comparableLinuxTranscript(r.output));
    if (JSON.stringify(comparableLinuxTranscript(q.output)) !== rvos) q = await qemuUntil(runQemu, (q) => complete(q) && JSON.stringify(comparableLinuxTranscript(q.output)) === rvos);
    expect(comparableLinuxTranscript(r.output)).toEqual(comparableLinuxTranscript(q.output));
  }, 600_000);
});
