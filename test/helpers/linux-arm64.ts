/**
 * The small arm64 Linux of scripts/linux-arm64 (Image, Pi 3 device tree, initramfs with a tiny
 * /init) on QEMU's raspi3b, and the same boot on rvos (`rvos run --board raspi3b --kernel Image
 * --dtb ... --initrd ... --append ...`) for when the raspi3b board, the MMU and FP/SIMD are there.
 *
 * The build is never started from a test (it takes minutes): run scripts/linux-arm64/build.sh
 * first (CI does); tests look for $RVOS_LINUX_ARM64 (a build folder) first, then the cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionOptions } from '../../src/core/session.js';
import { runMachine, type TestRunResult } from '../../src/testing/machine.js';
import { QEMU_AARCH64_BINARY, type Raspi3bResult } from './qemu-aarch64.js';
import { runEmulator } from './qemu.js';

export const LINUX_ARM64_SCRIPT = fileURLToPath(new URL('../../scripts/linux-arm64/build.sh', import.meta.url));
export const LINUX_ARM64_FIXTURES = fileURLToPath(new URL('../fixtures/linux-arm64/', import.meta.url));

/**
 * Console on the PL011 (ttyAMA0, QEMU's first -serial), from the first line on (earlycon). The
 * initramfs is unpacked synchronously: asynchronously its "Unpacking initramfs..." line races with
 * other initcalls' lines on QEMU's four threads, and the transcript would not be the same twice.
 */
export const LINUX_ARM64_APPEND = 'console=ttyAMA0 earlycon=pl011,mmio32,0x3f201000 initramfs_async=0';

/** What /init prints first, and what the kernel prints when init powers off. */
export const LINUX_INIT_LINE = 'rvos-init: hello from /init';
export const LINUX_POWER_OFF_LINE = 'reboot: Power down';

export interface LinuxArm64Build {
  dir: string;
  image: string;
  dtb: string;
  initrd: string;
  /** linux-source package and gcc versions (VERSION). */
  version: string;
}

function buildIn(dir: string): LinuxArm64Build | undefined {
  const b = { dir, image: join(dir, 'Image'), dtb: join(dir, 'bcm2837-rpi-3-b.dtb'), initrd: join(dir, 'initramfs.cpio') };
  if (![b.image, b.dtb, b.initrd].every((f) => existsSync(f))) return undefined;
  const versionFile = join(dir, 'VERSION');
  return { ...b, version: existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim() : '' };
}

/** The build to test: $RVOS_LINUX_ARM64, else the cached build of the current inputs (build.sh --print). */
export function linuxArm64Build(): LinuxArm64Build | undefined {
  if (process.env.RVOS_LINUX_ARM64) return buildIn(process.env.RVOS_LINUX_ARM64);
  const r = spawnSync('bash', [LINUX_ARM64_SCRIPT, '--print'], { encoding: 'utf8', timeout: 30_000 });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir ? buildIn(dir) : undefined;
}

export function linuxArm64QemuArgs(build: LinuxArm64Build, append = LINUX_ARM64_APPEND): string[] {
  return [
    '-M', 'raspi3b', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot',
    '-kernel', build.image, '-dtb', build.dtb, '-initrd', build.initrd, '-append', append,
  ];
}

/** Boots it on QEMU; init's power-off is a watchdog reset there, which -no-reboot turns into exit 0. */
export function runLinuxArm64Qemu(build: LinuxArm64Build, timeoutMs = 120_000): Promise<Raspi3bResult> {
  return runEmulator(QEMU_AARCH64_BINARY, linuxArm64QemuArgs(build), { timeoutMs });
}

/** The `rvos run` command line of the same boot (for the README and messages). */
export function linuxArm64RvosArgs(build: LinuxArm64Build, append = LINUX_ARM64_APPEND): string[] {
  return ['run', '--board', 'raspi3b', '--kernel', build.image, '--dtb', build.dtb, '--initrd', build.initrd, '--append', append];
}

/** The same boot on rvos (raspi3b, headless, the console captured). */
export function runLinuxArm64Rvos(build: LinuxArm64Build, opts: { maxInsns?: number; timeoutMs?: number } = {}): Promise<TestRunResult> {
  const session: Partial<SessionOptions> = { dtb: build.dtb, initrd: build.initrd };
  return runMachine({
    board: 'raspi3b',
    kernel: build.image,
    append: LINUX_ARM64_APPEND,
    session,
    maxInsns: opts.maxInsns ?? 20_000_000_000,
    timeoutMs: opts.timeoutMs ?? 600_000,
  });
}

/** The console transcript as compared: LF line ends. */
export function normalizeLinuxTranscript(output: string): string {
  return output.replace(/\r\n/g, '\n');
}

export function expectedLinuxTranscript(): { transcript: string; version: string } {
  return {
    transcript: readFileSync(join(LINUX_ARM64_FIXTURES, 'qemu.expected'), 'latin1'),
    version: readFileSync(join(LINUX_ARM64_FIXTURES, 'qemu.version'), 'utf8').trim(),
  };
}
