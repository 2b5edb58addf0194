/**
 * Debian's U-Boot for the Pi 3 (rpi_3/u-boot.bin, fetched by scripts/u-boot-rpi/fetch.sh) on rvos'
 * raspi3b, the session test/qemu/uboot.test.ts runs on QEMU 7.2: `--serial null --serial <mini UART>`
 * and `--no-reboot`, autoboot stopped with a space, then version, bdinfo, mmc info, fatls mmc 0:1
 * and reset, with a FAT SD card on `if=sd`. The transcript must be QEMU's
 * (test/fixtures/u-boot-rpi3/session.expected).
 *
 * Skipped only when U-Boot (fetch.sh) or the FAT tools are missing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureBackend } from '../../src/core/chardev.js';
import { startMachine } from '../../src/testing/machine.js';
import { buildFatSdImage, missingFatTools } from '../helpers/fat-sd-image.js';
import {
  UBOOT_AUTOBOOT,
  UBOOT_COMMANDS,
  UBOOT_PROMPT,
  UBOOT_SD_CARD,
  expectedUBootTranscript,
  maskUBootBuild,
  normalizeUBootTranscript,
  ubootRpi3Binary,
  ubootVersion,
} from '../helpers/u-boot-session.js';

const uboot = ubootRpi3Binary();
const missing = [!uboot && 'U-Boot (run scripts/u-boot-rpi/fetch.sh)', ...missingFatTools()].filter(Boolean);

describe.skipIf(missing.length > 0)('Debian U-Boot (rpi_3) on rvos raspi3b', () => {
  const work = mkdtempSync(join(tmpdir(), 'rvos-uboot-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('stops autoboot and answers version, bdinfo, mmc info, fatls mmc 0:1 and reset as on QEMU', async () => {
    const sd = join(work, 'sd.img');
    buildFatSdImage(sd, UBOOT_SD_CARD);
    const m = await startMachine({
      board: 'raspi3b',
      kernel: uboot!,
      drives: [`file=${sd},if=sd,format=raw`],
      session: { moreSerial: ['capture'], noReboot: true },
    });
    const uart = m.session.serial.uart1 as CaptureBackend;
    const type = (text: string) => uart.input(new Uint8Array(Buffer.from(text, 'latin1')));
    // As the QEMU session: a space once the countdown shows, then one command per new prompt.
    let output = '';
    let interrupted = false;
    let scanFrom = 0;
    let prompts = 0;
    let sent = 0;
    uart.onOutput((bytes) => {
      output += Buffer.from(bytes).toString('latin1');
      if (!interrupted) {
        const at = output.indexOf(UBOOT_AUTOBOOT);
        if (at < 0) return;
        interrupted = true;
        scanFrom = at;
        type(' ');
      }
      for (let at = output.indexOf(UBOOT_PROMPT, scanFrom); at >= 0; at = output.indexOf(UBOOT_PROMPT, scanFrom)) {
        prompts++;
        scanFrom = at + UBOOT_PROMPT.length;
      }
      while (sent < prompts && sent < UBOOT_COMMANDS.length) type(`${UBOOT_COMMANDS[sent++]}\r`);
    });
    let result;
    try {
      result = await m.machine.run({ maxInsns: 20_000_000_000, timeoutMs: 300_000 });
    } finally {
      await m.close();
    }
    expect(result.reason, `stopped: ${result.message}; output so far:\n${output}`).toBe('poweroff');
    expect(result.exitCode).toBe(0); // reset with --no-reboot
    const got = normalizeUBootTranscript(output);
    const expected = expectedUBootTranscript();
    if (ubootVersion(uboot!) === expected.version) expect(got).toBe(expected.transcript);
    else expect(maskUBootBuild(got)).toBe(maskUBootBuild(expected.transcript));
  }, 320_000);
});
