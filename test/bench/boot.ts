/**
 * `npm run bench`'s OS boot rows: each board's reference kernel from reset to its shell's first
 * prompt ("\n$ ", as the machine tests type at it), on rvos (instructions and host seconds of the
 * run, per engine) and on QEMU booting the same kernel (wall time until the prompt appears, minus
 * its start-up as for the compute rows):
 * - virt: rvos-sbi firmware + the teaching kernel, rvfs disk on virtio-blk (kernels/virt);
 * - raspi3b: kernel8.img with its SD card (kernels/raspi3b);
 * - pc: the board's default multiboot2 kernel and modules on rvos, QEMU's multiboot 1 loader with
 *   the same files (-kernel/-initrd), IDE disk (kernels/pc).
 * Disks are copies (the guest may write); QEMU gets snapshot copies too.
 *
 * Beside them, per board, the `os boot cold` row: what a user waits for, `rvos run --board B --headless` of the
 * installed package (dist/, bin/rvos.js) started as a new process with the default engine and flags, wall time from
 * launch to the prompt on its stdout (best of 3; a command line whose run touched much guest RAM, virt's, runs again
 * with huge pages once recorded: bin/huge-pages.js), against QEMU's wall time to the same prompt from its launch (the
 * os boot row's QEMU runs, start-up included), and their ratio.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { userDir } from '../helpers/cli.js';
import { QEMU_BINARY, QEMU_CPU, runEmulator, type QemuResult } from '../helpers/qemu.js';
import { QEMU_AARCH64_BINARY, raspi3bArgs } from '../helpers/qemu-aarch64.js';
import { pcArgs, QEMU_I386_BINARY } from '../helpers/qemu-i386.js';
import { aarch64 } from './aarch64.js';
import { bootRows } from './boot-rows.js';
import { engineOptions, type Engine } from './engine.js';
import type { GuestArch } from './guest-arch.js';
import { i386 } from './i386.js';
import { runMeasured, type MeasuredRun } from './measure.js';
import type { BenchRow } from './results.js';
import { rv32 } from './rv32.js';
import { bin, installedEnv } from './startup.js';

const kernels = fileURLToPath(new URL('../../kernels/', import.meta.url));
export const PROMPT = '\n$ ';

interface OsBoot {
  guest: GuestArch;
  rvos(engine: Engine, disk: string): Promise<MeasuredRun>;
  qemu(disk: string): Promise<QemuResult>;
  /** The committed disk image the boot reads. */
  disk: string;
  /** `rvos run`'s arguments for the same boot with this disk, as a user types them (the cold row). */
  cli(disk: string): string[];
}

const QEMU_TIMEOUT = { stopWhen: PROMPT, timeoutMs: 120_000 };

const virt: OsBoot = {
  guest: rv32,
  disk: join(kernels, 'virt/build/disk.img'),
  cli: (disk) => ['run', '--board', 'virt', '--headless', '--drive', `file=${disk}`],
  rvos: (engine, disk) =>
    runMeasured({
      ...engineOptions('virt', engine),
      bios: join(kernels, 'virt/build/firmware.elf'),
      kernel: join(kernels, 'virt/build/kernel.elf'),
      drives: [`file=${disk}`],
      stopWhen: PROMPT,
    }),
  qemu: (disk) =>
    runEmulator(
      QEMU_BINARY,
      ['-M', 'virt', '-cpu', QEMU_CPU, '-nographic', '-monitor', 'none', '-serial', 'stdio']
        .concat(['-bios', join(kernels, 'virt/build/firmware.elf'), '-kernel', join(kernels, 'virt/build/kernel.elf')])
        .concat(['-drive', `file=${disk},format=raw,if=none,id=hd0`, '-device', 'virtio-blk-device,drive=hd0']),
      QEMU_TIMEOUT,
    ),
};

const raspi3b: OsBoot = {
  guest: aarch64,
  disk: join(kernels, 'raspi3b/build/sd.img'),
  cli: (disk) => ['run', '--board', 'raspi3b', '--headless', '--drive', `file=${disk},if=sd,format=raw`],
  rvos: (engine, disk) =>
    runMeasured({
      ...engineOptions('raspi3b', engine, { semihosting: true, semihostingOut: () => {} }),
      kernel: join(kernels, 'raspi3b/build/kernel8.img'),
      drives: [`file=${disk},if=sd,format=raw`],
      stopWhen: PROMPT,
    }),
  qemu: (disk) =>
    runEmulator(
      QEMU_AARCH64_BINARY,
      raspi3bArgs({ kernel: join(kernels, 'raspi3b/build/kernel8.img'), args: ['-drive', `if=sd,format=raw,file=${disk}`] }),
      QEMU_TIMEOUT,
    ),
};

const pc: OsBoot = {
  guest: i386,
  disk: join(kernels, 'pc/build/disk.img'),
  cli: (disk) => ['run', '--board', 'pc', '--headless', '--drive', `file=${disk},if=ide,format=raw`],
  rvos: (engine, disk) => runMeasured({ ...engineOptions('pc', engine), drives: [`file=${disk},if=ide,format=raw`], stopWhen: PROMPT }),
  qemu: (disk) => runEmulator(QEMU_I386_BINARY, pcArgs({ direct: true, disk }), QEMU_TIMEOUT),
};

export const OS_BOOTS = { virt, raspi3b, pc };

/**
 * `rvos run` of `board`'s boot with `disk` in a new process from an empty folder, stopped (SIGKILL) once the prompt
 * is on its stdout; wallMs is from launch to then. `env` defaults to the installed package's (dist/, built first).
 */
export function runCold(board: keyof typeof OS_BOOTS, disk: string, env = installedEnv()): Promise<QemuResult> {
  return runEmulator(bin, OS_BOOTS[board].cli(disk), { ...QEMU_TIMEOUT, env, cwd: userDir });
}

/**
 * The boot rows of `board` (with `cold`, its os boot cold row too); prints a line per row as it completes.
 */
export async function benchBoot(board: keyof typeof OS_BOOTS, opts: { runs: number; rvos: boolean; qemu: boolean; cold?: boolean }): Promise<BenchRow[]> {
  const os = OS_BOOTS[board];
  const work = mkdtempSync(join(tmpdir(), 'rvos-bench-boot-'));
  let copies = 0;
  const diskCopy = () => {
    const path = join(work, `disk-${copies++}.img`);
    copyFileSync(os.disk, path);
    return path;
  };
  try {
    return await bootRows(
      {
        board,
        guest: os.guest,
        workload: 'os boot',
        line: PROMPT,
        lineName: 'the prompt',
        rvos: (engine) => os.rvos(engine, diskCopy()),
        cold: () => runCold(board, diskCopy()),
        qemu: () => os.qemu(diskCopy()),
      },
      opts,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
