/**
 * A real arm64 Linux on the reference peer: the small Linux 6.1 of scripts/linux-arm64 (Debian's
 * linux-source-6.1, tinyconfig + the Pi 3 console drivers, an initramfs whose /init prints a line,
 * uname and /proc/cpuinfo, then powers off) boots on QEMU 7.2's raspi3b with the Pi 3 device tree,
 * reaches /init and powers off (a PM watchdog reset, which -no-reboot turns into exit 0).
 *
 * The transcript (test/fixtures/linux-arm64/qemu.expected, recorded with the versions in
 * qemu.version) is what rvos must print for the same boot (test/helpers/linux-arm64.ts,
 * runLinuxArm64Rvos). With other package versions (Debian updates linux-source-6.1 and gcc) sizes
 * and addresses move, so only the lines checked one by one are compared. RVOS_RECORD_LINUX=1
 * records the transcript again.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LINUX_ARM64_FIXTURES,
  LINUX_INIT_LINE,
  LINUX_POWER_OFF_LINE,
  expectedLinuxTranscript,
  linuxArm64Build,
  normalizeLinuxTranscript,
  runLinuxArm64Qemu,
} from '../helpers/linux-arm64.js';
import { qemuAarch64Available } from '../helpers/qemu-aarch64.js';

const build = linuxArm64Build();
const missing = [!qemuAarch64Available() && 'qemu-system-aarch64', !build && 'the arm64 Linux build (run scripts/linux-arm64/build.sh)'].filter(Boolean);

describe('arm64 Linux 6.1 (scripts/linux-arm64) on QEMU raspi3b', () => {
  if (missing.length > 0) {
    it.skip(`skipped: needs ${missing.join(', ')}`, () => {});
    return;
  }

  it('boots to /init on ttyAMA0, prints uname and /proc/cpuinfo, and powers off', async () => {
    const r = await runLinuxArm64Qemu(build!);
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.exitCode, r.output).toBe(0);
    const got = normalizeLinuxTranscript(r.output);
    expect(got).toContain('Machine model: Raspberry Pi 3 Model B');
    expect(got).toContain(`${LINUX_INIT_LINE}\n`);
    expect(got).toMatch(/^uname: Linux \(none\) 6\.1\.\S+ #1 SMP .* aarch64$/m);
    expect(got).toMatch(/^processor\t: 3$/m); // all four cores came up (spin table)
    expect(got).toContain(`${LINUX_POWER_OFF_LINE}\n`);

    if (process.env.RVOS_RECORD_LINUX) {
      writeFileSync(join(LINUX_ARM64_FIXTURES, 'qemu.expected'), got, 'latin1');
      writeFileSync(join(LINUX_ARM64_FIXTURES, 'qemu.version'), `${build!.version}\n`);
    }
    const expected = expectedLinuxTranscript();
    if (build!.version === expected.version) expect(got).toBe(expected.transcript);
    else console.warn(`linux-arm64: built from ${build!.version}, the transcript from ${expected.version}: not compared whole`);
  });
});
