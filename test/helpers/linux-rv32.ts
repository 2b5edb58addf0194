/**
 * The small rv32 Linux of scripts/linux-rv32 (Image, initramfs with the shared tiny /init) on rvos'
 * virt board under rvos' own SBI firmware (kernels/virt/build/firmware.elf, which enters the kernel
 * in S-mode at 0x80400000):
 *   rvos run --board virt --bios firmware.elf --kernel Image --initrd initramfs.cpio --append console=ttyS0
 * and on QEMU 7.2 with the same firmware (`-bios`), as Debian ships no rv32 OpenSBI.
 * The build is never started from a test (it takes minutes): run scripts/linux-rv32/build.sh first
 * (CI does); tests look for $RVOS_LINUX_RV32 (a build folder) first, then the cache.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../src/core/api.js';
import { runMachine, type TestRunResult } from '../../src/testing/machine.js';
import { QEMU_BINARY, QEMU_CPU, qemuAvailable, runEmulator, type EmulatorRunOptions, type QemuResult } from './qemu.js';
import { firmware } from './virt-os.js';

export const LINUX_RV32_SCRIPT = fileURLToPath(new URL('../../scripts/linux-rv32/build.sh', import.meta.url));
export { firmware as LINUX_RV32_FIRMWARE };
/**
 * The command line of both boots: the console, and the initramfs unpacked before init (not in the
 * background, where its "Freeing initrd memory" line lands wherever the host's timing puts it).
 */
export const LINUX_RV32_APPEND = 'console=ttyS0 initramfs_async=0';

/**
 * QEMU's CPU for this boot: test/helpers/qemu.ts's (rvos' ISA), less Zihintpause, which QEMU 7.2
 * lists in riscv,isa (Linux prints it in /proc/cpuinfo) and rvos does not (PAUSE runs as the FENCE
 * hint it is on both).
 */
export const LINUX_RV32_QEMU_CPU = `${QEMU_CPU},Zihintpause=false`;

/** Lines that differ by what QEMU is rather than by what the guest did. */
const QEMU_ONLY = [
  // QEMU 7.2's marchid and mimpid are its own version number (rvos': 0), read through SBI BASE.
  /^(marchid|mimpid)\t\t: /,
];

/**
 * A console transcript with CRLF folded, rvos' closing status line and QEMU_ONLY's lines dropped,
 * and the "Memory:" line's available/reserved figures blanked: the unflattened device tree is
 * reserved memory, and QEMU's virt has nodes for devices rvos' has not (PCI, flash, fw-cfg, RTC,
 * PMU, platform bus), 8 KiB more of them.
 */
export function comparableLinuxRv32Transcript(output: string): string[] {
  return output
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((line) => !line.startsWith('rvos: ') && !QEMU_ONLY.some((re) => re.test(line)))
    .map((line) => line.replace(/^Memory: \d+K\/(\d+K) available (.*), \d+K reserved,/, 'Memory: _K/$1 available $2, _K reserved,'))
    .join('\n')
    .trimEnd()
    .split('\n');
}

export interface LinuxRv32Build {
  dir: string;
  image: string;
  initrd: string;
}

function buildIn(dir: string): LinuxRv32Build | undefined {
  const b = { dir, image: join(dir, 'Image'), initrd: join(dir, 'initramfs.cpio') };
  return existsSync(b.image) && existsSync(b.initrd) && existsSync(firmware) ? b : undefined;
}

/** The build to test: $RVOS_LINUX_RV32, else the cached build of the current inputs (build.sh --print). */
export function linuxRv32Build(): LinuxRv32Build | undefined {
  if (process.env.RVOS_LINUX_RV32) return buildIn(process.env.RVOS_LINUX_RV32);
  const r = spawnSync('bash', [LINUX_RV32_SCRIPT, '--print'], { encoding: 'utf8', timeout: 30_000 });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir ? buildIn(dir) : undefined;
}

/** The boot on rvos (virt, one hart, headless, the UART captured). */
export function runLinuxRv32Rvos(build: LinuxRv32Build, opts: { engine?: Engine; maxInsns?: number; timeoutMs?: number } = {}): Promise<TestRunResult> {
  return runMachine({
    board: 'virt',
    bios: firmware,
    kernel: build.image,
    append: LINUX_RV32_APPEND,
    session: { initrd: build.initrd, ...(opts.engine ? { engine: opts.engine } : {}) },
    maxInsns: opts.maxInsns ?? 2_000_000_000,
    timeoutMs: opts.timeoutMs ?? 600_000,
  });
}

export const linuxRv32QemuAvailable = qemuAvailable;

/** QEMU 7.2's command line for the same boot (virt, LINUX_RV32_QEMU_CPU, the same firmware ELF). */
export function linuxRv32QemuArgs(build: LinuxRv32Build): string[] {
  return ['-M', 'virt', '-cpu', LINUX_RV32_QEMU_CPU, '-nographic', '-monitor', 'none', '-serial', 'stdio', '-bios', firmware]
    .concat(['-kernel', build.image, '-initrd', build.initrd, '-append', LINUX_RV32_APPEND]);
}

export function runLinuxRv32Qemu(build: LinuxRv32Build, opts: Partial<EmulatorRunOptions> = {}): Promise<QemuResult> {
  return runEmulator(QEMU_BINARY, linuxRv32QemuArgs(build), { timeoutMs: 120_000, ...opts });
}
