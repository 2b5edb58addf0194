/**
 * A real i386 Linux on rvos: the small Linux 6.1 of scripts/linux-i386 (Debian's linux-source-6.1,
 * M686 without SMP/APIC/ACPI/PCI, an initramfs whose /init prints a line, uname and /proc/cpuinfo,
 * then leaves through isa-debug-exit) boots on rvos' pc as a bzImage through the Linux 32-bit boot
 * protocol to its init. The lines that say what a boot did are checked here; test/qemu/linux-i386.test.ts
 * compares the whole transcript with QEMU's. Skipped when the build is not there (CI builds it before
 * npm test).
 */
import { describe, expect, it } from 'vitest';
import { linuxI386Build, runLinuxI386Rvos } from '../helpers/linux-i386.js';

const build = linuxI386Build();

describe('i386 Linux 6.1 (scripts/linux-i386) on rvos pc', () => {
  if (!build) {
    it.skip('skipped: needs the i386 Linux build (run scripts/linux-i386/build.sh)', () => {});
    return;
  }

  it('boots a bzImage with --initrd to /init on ttyS0, which runs in ring 3 and exits through isa-debug-exit', async () => {
    const r = await runLinuxI386Rvos(build);
    const out = r.output.replace(/\r\n/g, '\n');
    expect(r.reason, `stopped: ${r.reason}; output:\n${out}`).toBe('poweroff');
    expect(r.exitCode).toBe(1);
    for (const line of [
      /^Linux version 6\.1\.\d+ \(rvos@rvos\)/m,
      /^BIOS-e820: \[mem 0x0000000000100000-0x0000000007fdffff\] usable$/m,
      /^Kernel command line: console=ttyS0 initramfs_async=0 tsc_early_khz=1000000$/m,
      /^Checking if this processor honours the WP bit even in supervisor mode\.\.\.Ok\.$/m,
      /^CPU: Intel QEMU Virtual CPU version 2\.5\+ \(family: 0x6, model: 0x6, stepping: 0x3\)$/m,
      /^serial8250: ttyS0 at I\/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A$/m,
      /^Freeing initrd memory: 12K$/m,
      /^Run \/init as init process$/m,
      /^rvos-init: hello from \/init$/m,
      /^uname: Linux \(none\) 6\.1\.\d+ #1 Thu Jan  1 00:00:00 UTC 2026 i686$/m,
      /^flags\t\t: fpu de pse tsc msr pae mce cx8 sep pge cmov fxsr cpuid hypervisor$/m,
      /^x86\/fpu: x87 FPU will use FXSAVE$/m,
      /^rvos-init: powering off$/m,
    ]) expect(out).toMatch(line);
  }, 600_000);
});
