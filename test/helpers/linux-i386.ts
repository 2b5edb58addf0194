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
import { runMachine, type TestRunResult } from '../../src/testing/machine.js';

export const LINUX_I386_SCRIPT = fileURLToPath(new URL('../../scripts/linux-i386/build.sh', import.meta.url));
export const LINUX_I386_APPEND = 'console=ttyS0';

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

/** The boot on rvos (pc, headless, COM1 captured). */
export function runLinuxI386Rvos(build: LinuxI386Build, opts: { maxInsns?: number; timeoutMs?: number } = {}): Promise<TestRunResult> {
  return runMachine({
    board: 'pc',
    kernel: build.bzImage,
    append: LINUX_I386_APPEND,
    session: { initrd: build.initrd },
    maxInsns: opts.maxInsns ?? 5_000_000_000,
    timeoutMs: opts.timeoutMs ?? 600_000,
  });
}
