/**
 * `npm run bench`'s Linux boot rows, per board: the small Linux 6.1 of scripts/linux-rv32 (under rvos-sbi on virt),
 * scripts/linux-arm64 (raspi3b, four cores, its device tree) and scripts/linux-i386 (pc, bzImage) with the initramfs
 * of the shared tiny /init, from reset to the first line that /init writes:
 * - `linux boot`: on rvos per engine in this process (instructions, host seconds), and on QEMU 7.2 with the same
 *   firmware, kernel, initramfs and command line (wall time until that line, minus QEMU's start-up as for the other
 *   rows);
 * - `linux boot cold`: what a user waits for: the installed package's `rvos run` of the same boot (default engine and
 *   flags) started as a new process, wall seconds from its launch to the line (best of 3), beside QEMU's wall seconds
 *   from its launch (start-up included on both sides), as the `os boot cold` rows (boot.ts).
 * A board's rows are skipped, with a line saying so, when its kernel is not built.
 *
 *   node --import tsx test/bench/linux-boot.ts [runs] [virt|raspi3b|pc] [interp|jit]   (alone, e.g. under --cpu-prof)
 */
import type { TestMachineOptions } from '../../src/testing/machine.js';
import { userDir } from '../helpers/cli.js';
import { LINUX_ARM64_APPEND, linuxArm64Build, linuxArm64QemuArgs } from '../helpers/linux-arm64.js';
import { LINUX_I386_APPEND, LINUX_I386_RTC, linuxI386Build } from '../helpers/linux-i386.js';
import { LINUX_RV32_APPEND, LINUX_RV32_FIRMWARE, linuxRv32Build, runLinuxRv32Qemu, type LinuxRv32Build } from '../helpers/linux-rv32.js';
import { runEmulator, type QemuResult } from '../helpers/qemu.js';
import { QEMU_AARCH64_BINARY } from '../helpers/qemu-aarch64.js';
import { QEMU_CPU_AS_RVOS, runQemuPc } from '../helpers/qemu-i386.js';
import { aarch64 } from './aarch64.js';
import { bootRows } from './boot-rows.js';
import { engineOptions, type Engine } from './engine.js';
import type { GuestArch } from './guest-arch.js';
import { i386 } from './i386.js';
import { runMeasured } from './measure.js';
import type { BenchRow } from './results.js';
import { rv32 } from './rv32.js';
import { bin, installedEnv } from './startup.js';

/** Where "booted to init" is: the first line /init (scripts/linux/init.c) writes (the tty adds the CR). */
export const LINUX_INIT_LINE = 'rvos-init: hello from /init\r\n';

const QEMU_STOP = { stopWhen: LINUX_INIT_LINE, timeoutMs: 120_000 };

/** One board's Linux boot, once built. */
interface LinuxBootFiles {
  /** The machine of a `linux boot` row under `engine`. */
  machine(engine: Engine): TestMachineOptions;
  /** `rvos run`'s arguments for the same boot, as a user types them (the cold row). */
  cli: string[];
  qemu(): Promise<QemuResult>;
}

interface LinuxBoot {
  guest: GuestArch;
  /** What builds it (for the skip line). */
  script: string;
  /** The built files, or undefined. */
  find(): LinuxBootFiles | undefined;
}

/** The machine of a virt row: the engine goes with the other session options (a later `session` would drop it). */
export function linuxBootOptions(build: LinuxRv32Build, engine: Engine): TestMachineOptions {
  return { ...engineOptions('virt', engine, { initrd: build.initrd }), bios: LINUX_RV32_FIRMWARE, kernel: build.image, append: LINUX_RV32_APPEND };
}

const virt: LinuxBoot = {
  guest: rv32,
  script: 'scripts/linux-rv32/build.sh',
  find() {
    const b = linuxRv32Build();
    return (
      b && {
        machine: (engine) => linuxBootOptions(b, engine),
        cli: ['run', '--board', 'virt', '--headless', '--bios', LINUX_RV32_FIRMWARE, '--kernel', b.image, '--initrd', b.initrd, '--append', LINUX_RV32_APPEND],
        qemu: () => runLinuxRv32Qemu(b, QEMU_STOP),
      }
    );
  },
};

const raspi3b: LinuxBoot = {
  guest: aarch64,
  script: 'scripts/linux-arm64/build.sh',
  find() {
    const b = linuxArm64Build();
    return (
      b && {
        machine: (engine) => ({ ...engineOptions('raspi3b', engine, { dtb: b.dtb, initrd: b.initrd }), kernel: b.image, append: LINUX_ARM64_APPEND }),
        cli: ['run', '--board', 'raspi3b', '--headless', '--kernel', b.image, '--dtb', b.dtb, '--initrd', b.initrd, '--append', LINUX_ARM64_APPEND],
        qemu: () => runEmulator(QEMU_AARCH64_BINARY, linuxArm64QemuArgs(b), QEMU_STOP),
      }
    );
  },
};

const pc: LinuxBoot = {
  guest: i386,
  script: 'scripts/linux-i386/build.sh',
  find() {
    const b = linuxI386Build();
    return (
      b && {
        // The RTC's date fixed on both sides: the boot reads it, and every run then runs the same instructions.
        machine: (engine) => ({ ...engineOptions('pc', engine, { initrd: b.initrd, rtc: LINUX_I386_RTC }), kernel: b.bzImage, append: LINUX_I386_APPEND }),
        cli: ['run', '--board', 'pc', '--headless', '--kernel', b.bzImage, '--initrd', b.initrd, '--append', LINUX_I386_APPEND, '--rtc', LINUX_I386_RTC],
        qemu: () =>
          runQemuPc({ kernel: b.bzImage, args: ['-cpu', QEMU_CPU_AS_RVOS, '-rtc', LINUX_I386_RTC, '-initrd', b.initrd, '-append', LINUX_I386_APPEND], ...QEMU_STOP }),
      }
    );
  },
};

export const LINUX_BOOTS = { virt, raspi3b, pc };
export type LinuxBoard = keyof typeof LINUX_BOOTS;

/** One rvos boot of `files` to /init under `engine`, in this process. */
export function rvosBoot(files: LinuxBootFiles, engine: Engine) {
  return runMeasured({ ...files.machine(engine), stopWhen: LINUX_INIT_LINE });
}

/**
 * `rvos run` of `files`' boot in a new process from an empty folder, stopped (SIGKILL) once /init's line is on its
 * stdout; wallMs is from launch to then. `env` defaults to the installed package's (dist/, built first).
 */
export function runLinuxCold(files: LinuxBootFiles, env = installedEnv()): Promise<QemuResult> {
  return runEmulator(bin, files.cli, { ...QEMU_STOP, env, cwd: userDir });
}

/** The Linux boot rows of `board` (with `cold`, its cold row too); prints a line per row as it completes. */
export async function benchLinuxBoot(
  board: LinuxBoard,
  opts: { runs: number; rvos: boolean; qemu: boolean; cold?: boolean; engines?: Engine[] },
): Promise<BenchRow[]> {
  const linux = LINUX_BOOTS[board];
  const files = linux.find();
  if (!files) {
    console.log(`${board} linux boot: skipped (no ${linux.guest.arch} Linux build: run ${linux.script})`);
    return [];
  }
  const spec = {
    board,
    guest: linux.guest,
    workload: 'linux boot' as const,
    line: LINUX_INIT_LINE,
    lineName: '/init',
    rvos: (engine: Engine) => rvosBoot(files, engine),
    cold: () => runLinuxCold(files),
    qemu: () => files.qemu(),
  };
  return bootRows(spec, opts);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Math.max(1, Number(process.argv[2]) || 1);
  const board = (process.argv[3] ?? 'virt') as LinuxBoard;
  const engine = process.argv[4] as Engine | undefined;
  if (!LINUX_BOOTS[board]) throw new Error(`linux-boot.ts: no Linux boot on board ${board} (${Object.keys(LINUX_BOOTS).join(', ')})`);
  const rows = await benchLinuxBoot(board, { runs, rvos: true, qemu: !engine, cold: !engine, engines: engine ? [engine] : undefined });
  for (const r of rows) console.log(JSON.stringify(r));
}
