/**
 * The small i386 Linux of scripts/linux-i386 (bzImage, initramfs with the shared tiny /init) on rvos'
 * pc board: `rvos run --board pc --kernel bzImage --initrd initramfs.cpio --append console=ttyS0`.
 * The build is never started from a test (it takes minutes): run scripts/linux-i386/build.sh first
 * (CI does); tests look for $RVOS_LINUX_I386 (a build folder) first, then the cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMachine, type TestMachineOptions, type TestRunResult } from '../../src/testing/machine.js';

export const LINUX_I386_SCRIPT = fileURLToPath(new URL('../../scripts/linux-i386/build.sh', import.meta.url));
/**
 * The command line of both boots. Beside the console, it takes two host-timing effects out of QEMU's
 * boot so the transcripts can be compared: the initramfs unpacks before init (not in the background,
 * where its "Freeing initrd memory" line lands wherever the host's timing puts it), and the TSC's
 * rate is given (QEMU's TCG TSC follows the host clock, and its PIT calibration fails or succeeds
 * with the host's load; rvos' runs at 1 GHz of virtual time).
 */
export const LINUX_I386_APPEND = 'console=ttyS0 initramfs_async=0 tsc_early_khz=1000000';

/**
 * The RTC's date at power-on, for rvos (`--rtc base=`) and QEMU (`-rtc base=`) alike. With the pc
 * board's default (`base=utc`, the host's time) the boot's instruction count changes from run to
 * run (Linux reads the CMOS clock), so the engines could not be compared; a fixed date makes every
 * boot the same.
 */
export const LINUX_I386_RTC = 'base=2026-01-01T00:00:00';

/**
 * Lines that measure the host rather than the guest, dropped before comparing QEMU's and rvos'
 * transcripts: the CPU clock calibrated against the PIT (QEMU's result depends on the host's load),
 * what follows from it, and sched_clock's boot-time figures.
 */
const HOST_TIMING = [/^tsc: Fast TSC calibration /, /^tsc: Detected [\d.]+ MHz (processor|TSC)$/, /^cpu MHz\t\t: /, /^sched_clock: Marking stable /];

/** A console transcript with CRLF folded, rvos' closing status line and the host-timing lines dropped. */
export function comparableLinuxTranscript(output: string): string[] {
  return output
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((line) => !HOST_TIMING.some((re) => re.test(line)) && !line.startsWith('rvos: '))
    .join('\n')
    .trimEnd()
    .split('\n');
}

export interface LinuxI386Build {
  dir: string;
  bzImage: string;
  initrd: string;
}

function buildIn(dir: string): LinuxI386Build | undefined {
  const b = { dir, bzImage: join(dir, 'bzImage'), initrd: join(dir, 'initramfs.cpio') };
  return existsSync(b.bzImage) && existsSync(b.initrd) ? b : undefined;
}

/** The build to test: $RVOS_LINUX_I386, else the cached build of the current inputs (build.sh --print). */
export function linuxI386Build(): LinuxI386Build | undefined {
  if (process.env.RVOS_LINUX_I386) return buildIn(process.env.RVOS_LINUX_I386);
  const r = spawnSync('bash', [LINUX_I386_SCRIPT, '--print'], { encoding: 'utf8', timeout: 30_000 });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir ? buildIn(dir) : undefined;
}

/** How rvos boots it: the pc board, the bzImage with its initramfs and command line, the fixed RTC date. */
export function linuxI386Machine(build: LinuxI386Build): TestMachineOptions {
  return { board: 'pc', kernel: build.bzImage, append: LINUX_I386_APPEND, session: { initrd: build.initrd, rtc: LINUX_I386_RTC } };
}

/** The boot on rvos (pc, headless, COM1 captured). */
export function runLinuxI386Rvos(build: LinuxI386Build, opts: { maxInsns?: number; timeoutMs?: number } = {}): Promise<TestRunResult> {
  return runMachine({ ...linuxI386Machine(build), maxInsns: opts.maxInsns ?? 5_000_000_000, timeoutMs: opts.timeoutMs ?? 600_000 });
}
