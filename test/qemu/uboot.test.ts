/**
 * Real firmware on the reference peer: Debian's U-Boot for the Pi 3 (u-boot-rpi, rpi_3/u-boot.bin,
 * fetched into a cache by scripts/u-boot-rpi/fetch.sh) on QEMU 7.2's raspi3b boots to its prompt on
 * the mini UART, stops autoboot, and answers version, bdinfo, mmc info, fatls mmc 0:1 and reset
 * with an SD image holding a FAT partition. The transcript (test/fixtures/u-boot-rpi3) is what rvos
 * must print for the same session.
 *
 * Only the autoboot countdown is masked. The transcript was recorded with the Debian version in
 * session.version; with another one (Debian updates the package) the banner, toolchain and
 * addresses are masked too. RVOS_RECORD_UBOOT=1 records the transcript again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFatSdImage, missingFatTools } from '../helpers/fat-sd-image.js';
import { qemuAarch64Available } from '../helpers/qemu-aarch64.js';
import { runUBootSession } from '../helpers/qemu-uboot.js';
import {
  UBOOT_COMMANDS,
  UBOOT_FIXTURES,
  UBOOT_SD_CARD,
  expectedUBootTranscript,
  maskUBootBuild,
  normalizeUBootTranscript,
  ubootRpi3Binary,
  ubootVersion,
} from '../helpers/u-boot-session.js';

const uboot = ubootRpi3Binary();
const missing = [
  !qemuAarch64Available() && 'qemu-system-aarch64',
  !uboot && 'U-Boot (run scripts/u-boot-rpi/fetch.sh)',
  ...missingFatTools(),
].filter(Boolean);

describe('Debian U-Boot (rpi_3) on QEMU raspi3b', () => {
  if (missing.length > 0) {
    it.skip(`skipped: needs ${missing.join(', ')}`, () => {});
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'rvos-uboot-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('stops autoboot and answers version, bdinfo, mmc info, fatls mmc 0:1 and reset', async () => {
    const sd = join(work, 'sd.img');
    buildFatSdImage(sd, UBOOT_SD_CARD);
    const r = await runUBootSession(uboot!, sd, UBOOT_COMMANDS);
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.exitCode).toBe(0); // reset with -no-reboot
    expect(r.output.replace(/\r\n/g, ''), 'every line ends in CR LF').not.toContain('\n');

    const got = normalizeUBootTranscript(r.output);
    if (process.env.RVOS_RECORD_UBOOT) {
      writeFileSync(join(UBOOT_FIXTURES, 'session.expected'), got, 'latin1');
      writeFileSync(join(UBOOT_FIXTURES, 'session.version'), `${ubootVersion(uboot!)}\n`);
    }
    const expected = expectedUBootTranscript();
    if (ubootVersion(uboot!) === expected.version) expect(got).toBe(expected.transcript);
    else expect(maskUBootBuild(got)).toBe(maskUBootBuild(expected.transcript));
  });
});
