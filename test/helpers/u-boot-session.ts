/**
 * The U-Boot console session shared by the reference peer (test/qemu/uboot.test.ts) and, later,
 * rvos: where Debian's U-Boot is cached (scripts/u-boot-rpi/fetch.sh), the SD card, the commands,
 * and how a transcript is compared with test/fixtures/u-boot-rpi3/session.expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FatSdImageOptions } from './fat-sd-image.js';

/** The cache folder fetch.sh fills (same rule as the script). */
export function ubootCacheDir(): string {
  return process.env.RVOS_UBOOT_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rvos/u-boot-rpi');
}

/** rpi_3/u-boot.bin from the cache ($RVOS_UBOOT_RPI3 overrides), or undefined when not fetched. */
export function ubootRpi3Binary(): string | undefined {
  const path = process.env.RVOS_UBOOT_RPI3 ?? join(ubootCacheDir(), 'rpi_3/u-boot.bin');
  return existsSync(path) ? path : undefined;
}

/** The Debian package version fetch.sh recorded next to the binary ('' if unknown). */
export function ubootVersion(binary: string): string {
  const file = join(dirname(binary), '../VERSION');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

export const UBOOT_PROMPT = 'U-Boot> ';
export const UBOOT_AUTOBOOT = 'Hit any key to stop autoboot';

/** Typed after the autoboot countdown is stopped, one per prompt; `reset` ends the run. */
export const UBOOT_COMMANDS = ['version', 'bdinfo', 'mmc info', 'fatls mmc 0:1', 'reset'];

/** The card: a few small files (one with a long name, one over a cluster) and a folder. */
export const UBOOT_SD_CARD: FatSdImageOptions = {
  dirs: ['docs'],
  files: {
    'hello.txt': 'hello from the SD card\n',
    'A long file name.txt': 'VFAT long file names\n',
    'docs/readme.txt': 'in a folder\n',
    'big.bin': new Uint8Array(5000).map((_, i) => i & 0xff),
  },
};

export const UBOOT_FIXTURES = join(import.meta.dirname, '../fixtures/u-boot-rpi3');

/** CR LF to LF, and the countdown ("  2 \b\b\b 0 ": the digit the key lands on is timing) to a fixed text. */
export function normalizeUBootTranscript(output: string): string {
  return output.replace(/\r\n/g, '\n').replace(/(Hit any key to stop autoboot:)[^\n]*\n/, '$1 <countdown>\n');
}

/** What another build of U-Boot changes: its version, toolchain and memory layout. */
export function maskUBootBuild(transcript: string): string {
  return transcript
    .replace(/U-Boot \d{4}\.\d\d\S* \([^)\n]*\)/g, 'U-Boot <version>')
    .replace(/\n(U-Boot> version\nU-Boot <version>\n\n)[^]*?\nU-Boot> /, '\n$1<toolchain>\nU-Boot> ')
    .replace(/0x[0-9a-f]+/g, '0x?')
    .replace(/Early malloc usage: \d+ \/ \d+/, 'Early malloc usage: ?');
}

/** The recorded transcript and the Debian version it was recorded with. */
export function expectedUBootTranscript(): { transcript: string; version: string } {
  return {
    transcript: readFileSync(join(UBOOT_FIXTURES, 'session.expected'), 'latin1'),
    version: readFileSync(join(UBOOT_FIXTURES, 'session.version'), 'utf8').trim(),
  };
}
