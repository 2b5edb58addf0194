/**
 * The small rv32 Linux of scripts/linux-rv32 on QEMU 7.2's virt and on rvos' virt, with the same
 * firmware (rvos-sbi, -bios: Debian ships no rv32 OpenSBI), kernel, initramfs, command line
 * (LINUX_RV32_APPEND) and CPU (QEMU's rv32 less what rvos does not implement, QEMU_CPU). The two
 * console transcripts must be the same, line for line. Skipped without the build.
 */
import { describe, expect, it } from 'vitest';
import { comparableLinuxRv32Transcript, linuxRv32Build, linuxRv32QemuAvailable, runLinuxRv32Qemu, runLinuxRv32Rvos } from '../helpers/linux-rv32.js';
import { qemuUntil, type QemuResult } from '../helpers/qemu.js';

const build = linuxRv32Build();
const missing = [!linuxRv32QemuAvailable() && 'qemu-system-riscv32', !build && 'the rv32 Linux build (run scripts/linux-rv32/build.sh)'].filter(Boolean);

describe('rv32 Linux 6.1 (scripts/linux-rv32) on QEMU virt and rvos virt', () => {
  if (missing.length > 0) {
    it.skip(`skipped: needs ${missing.join(' and ')}`, () => {});
    return;
  }
  it('boots to /init on ttyS0 on both, with the same transcript', async () => {
    // /init powers off right after its last write(): QEMU may not have sent the tty's last bytes (qemuUntil).
    const runQemu = () => runLinuxRv32Qemu(build!);
    const complete = (q: QemuResult) => /^rvos-init: powering off\r?$/m.test(q.output);
    let q = await qemuUntil(runQemu, complete);
    const qemu = q.output.replace(/\r\n/g, '\n');
    expect(q.exitCode, qemu).toBe(0);
    for (const line of [/^Linux version 6\.1\.\d+ \(rvos@rvos\)/m, /^Run \/init as init process$/m, /^rvos-init: powering off$/m]) expect(qemu).toMatch(line);
    const r = await runLinuxRv32Rvos(build!);
    expect(r.reason, r.output).toBe('poweroff');
    const rvos = JSON.stringify(comparableLinuxRv32Transcript(r.output));
    if (JSON.stringify(comparableLinuxRv32Transcript(q.output)) !== rvos) q = await qemuUntil(runQemu, (q) => complete(q) && JSON.stringify(comparableLinuxRv32Transcript(q.output)) === rvos);
    expect(comparableLinuxRv32Transcript(r.output)).toEqual(comparableLinuxRv32Transcript(q.output));
  }, 600_000);
});
