/**
 * A real arm64 Linux on rvos: the small Linux 6.1 of scripts/linux-arm64 (Debian's linux-source-6.1,
 * the Pi 3 device tree, an initramfs whose /init prints a line, uname and /proc/cpuinfo, then powers
 * off) boots on rvos' raspi3b as `rvos run --board raspi3b --kernel Image --dtb ... --initrd ...
 * --append ...` and prints QEMU 7.2's transcript (test/fixtures/linux-arm64/qemu.expected), but for
 * one line: QEMU's cortex-a53 runs AArch32 at EL0 and Linux says "32-bit EL0 Support"; this core is
 * AArch64 only, and its ID_AA64PFR0_EL1 says so. Skipped when the build is not there (CI builds it
 * before npm test).
 */
import { describe, expect, it } from 'vitest';
import { expectedLinuxTranscript, linuxArm64Build, normalizeLinuxTranscript, runLinuxArm64Rvos } from '../helpers/linux-arm64.js';

const build = linuxArm64Build();

/** QEMU's transcript less what an AArch64-only core cannot truthfully print. */
function expectedOnRvos(qemu: string): string {
  return qemu.replace('CPU features: detected: 32-bit EL0 Support\n', '');
}

describe('arm64 Linux 6.1 (scripts/linux-arm64) on rvos raspi3b', () => {
  if (!build) {
    it.skip('skipped: needs the arm64 Linux build (run scripts/linux-arm64/build.sh)', () => {});
    return;
  }

  it('boots on four cores to /init on ttyAMA0 and powers off with QEMU 7.2 transcript', async () => {
    const r = await runLinuxArm64Rvos(build);
    const got = normalizeLinuxTranscript(r.output);
    expect(r.reason, `stopped: ${r.reason}; output:\n${got}`).toBe('poweroff');
    expect(r.exitCode).toBe(0);
    const expected = expectedLinuxTranscript();
    if (build.version === expected.version) expect(got).toBe(expectedOnRvos(expected.transcript));
    else {
      console.warn(`linux-arm64: built from ${build.version}, the transcript from ${expected.version}: not compared whole`);
      expect(got).toMatch(/^processor\t: 3$/m);
      expect(got).toContain('reboot: Power down\n');
    }
  }, 300_000);
});
