/**
 * A real rv32 Linux on rvos: the small Linux 6.1 of scripts/linux-rv32 (Debian's linux-source-6.1,
 * RV32IMAC without FPU or SMP, an initramfs whose /init prints a line, uname and /proc/cpuinfo, then
 * powers off through SBI SRST) boots on rvos' virt under rvos-sbi (kernels/virt/firmware) to its init.
 * The lines that say what a boot did are checked here; test/qemu/linux-rv32.test.ts compares the whole
 * transcript with QEMU's, test/machine/engine-diff.test.ts the two engines' runs. Skipped when the
 * build is not there (CI builds it before npm test).
 */
import { describe, expect, it } from 'vitest';
import { linuxRv32Build, runLinuxRv32Rvos } from '../helpers/linux-rv32.js';

const build = linuxRv32Build();

describe('rv32 Linux 6.1 (scripts/linux-rv32) on rvos virt', () => {
  if (!build) {
    it.skip('skipped: needs the rv32 Linux build (run scripts/linux-rv32/build.sh)', () => {});
    return;
  }

  it('boots an Image with --initrd under rvos-sbi to /init on ttyS0, which powers off through SBI SRST', async () => {
    const r = await runLinuxRv32Rvos(build);
    const out = r.output.replace(/\r\n/g, '\n');
    expect(r.reason, `stopped: ${r.reason}; output:\n${out}`).toBe('poweroff');
    expect(r.exitCode).toBe(0);
    for (const line of LINES) expect(out).toMatch(line);
  }, 600_000);
});

const LINES = [
  /^rvos-sbi v0\.1 \(SBI v2\.0\): 1 hart, boot hart 0, next 0x80400000 \(S-mode\)$/m,
  /^Linux version 6\.1\.\d+ \(rvos@rvos\)/m,
  /^SBI specification v2\.0 detected$/m,
  /^SBI implementation ID=0x52564f53 Version=0x1$/m,
  /^SBI SRST extension detected$/m,
  /^Kernel command line: console=ttyS0 initramfs_async=0$/m,
  /^riscv-intc: 32 local interrupts mapped$/m,
  /^plic: plic@c000000: mapped 96 interrupts with 1 handlers for 2 contexts\.$/m,
  /^10000000\.serial: ttyS0 at MMIO 0x10000000 \(irq = 1, base_baud = 230400\) is a 16550A$/m,
  /^Run \/init as init process$/m,
  /^rvos-init: hello from \/init$/m,
  /^uname: Linux \(none\) 6\.1\.\d+ #1 Thu Jan  1 00:00:00 UTC 2026 riscv32$/m,
  /^isa\t\t: rv32imac$/m,
  /^mmu\t\t: sv32$/m,
  /^rvos-init: powering off$/m,
  /^reboot: Power down$/m,
];
