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
import { ENGINES, engineOptions, type Engine } from './engine.js';
import { bestOf, bestOfEach, bootRuns, fillRow, qemuStartupMs, type GuestArch } from './guest-arch.js';
import { i386 } from './i386.js';
import { runMeasured, type MeasuredRun } from './measure.js';
import type { BenchRow } from './results.js';
import { rv32 } from './rv32.js';
import { bin, buildInstalled, installedEnv } from './startup.js';

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

/** Runs of the cold row (fresh processes, each a second or so). */
const COLD_RUNS = 3;

/**
 * `rvos run` of `board`'s boot with `disk` in a new process from an empty folder, stopped (SIGKILL) once the prompt
 * is on its stdout; wallMs is from launch to then. `env` defaults to the installed package's (dist/, built first).
 */
export function runCold(board: keyof typeof OS_BOOTS, disk: string, env = installedEnv()): Promise<QemuResult> {
  return runEmulator(process.execPath, [bin, ...OS_BOOTS[board].cli(disk)], { ...QEMU_TIMEOUT, env, cwd: userDir });
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
  const rows: BenchRow[] = [];
  try {
    const engines = opts.rvos ? ENGINES[board]! : [];
    const bests = await bestOfEach(engines, bootRuns(opts.runs), async (engine) => {
      const r = await os.rvos(engine, diskCopy());
      if (r.reason !== 'stopped') throw new Error(`no prompt: ${r.reason}; output:\n${r.output}`);
      return { ...r, ms: r.hostMs };
    });
    for (const engine of engines) {
      const row: BenchRow = { board, arch: os.guest.arch, engine, workload: 'os boot' };
      rows.push(row);
      const best = bests.get(engine)!;
      if (best instanceof Error) row.error = best.message;
      else fillRow(row, best);
      console.log(`${board} ${engine} os boot: ${row.error ? `failed: ${row.error}` : `${row.instructions} instructions to the prompt, ${row.seconds!.toFixed(3)} s`}`);
    }
    let cold: BenchRow | undefined;
    if (opts.rvos && opts.cold) {
      cold = { board, arch: os.guest.arch, engine: ENGINES[board]![0]!, workload: 'os boot cold' };
      try {
        buildInstalled();
        const best = await bestOf(COLD_RUNS, async () => {
          const r = await runCold(board, diskCopy());
          if (!r.output.includes(PROMPT)) throw new Error(`rvos run reached no prompt (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}):\n${r.output}\n${r.stderr}`);
          return { ms: r.wallMs };
        });
        cold.seconds = best.ms / 1000;
      } catch (err) {
        cold.error = (err as Error).message;
      }
      console.log(`${board} cold os boot (rvos run, new process): ${cold.error ? `failed: ${cold.error}` : `${cold.seconds!.toFixed(3)} s wall to the prompt`}`);
    }
    if (opts.qemu && os.guest.qemuAvailable()) {
      try {
        const startup = await qemuStartupMs(os.guest);
        const run = await bestOf(Math.max(3, opts.runs), async () => {
          const r = await os.qemu(diskCopy());
          if (!r.output.includes(PROMPT)) throw new Error(`QEMU reached no prompt (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}):\n${r.output}\n${r.stderr}`);
          return { ms: r.wallMs };
        });
        const qemuSeconds = Math.max(run.ms - startup, 1) / 1000;
        console.log(`${board} qemu os boot: ${(run.ms / 1000).toFixed(3)} s wall - ${(startup / 1000).toFixed(3)} s start-up = ${qemuSeconds.toFixed(3)} s`);
        if (rows.length === 0) rows.push({ board, arch: os.guest.arch, engine: ENGINES[board]![0]!, workload: 'os boot' });
        for (const row of rows) {
          row.qemuSeconds = qemuSeconds;
          if (row.seconds !== undefined) row.ratio = row.seconds / qemuSeconds;
        }
        if (cold) {
          // QEMU's own fresh process: wall time from its launch to the prompt, its start-up included.
          cold.qemuSeconds = run.ms / 1000;
          if (cold.seconds !== undefined) cold.ratio = cold.seconds / cold.qemuSeconds;
        }
      } catch (err) {
        console.log(`${board} qemu os boot: failed: ${(err as Error).message}`);
        for (const row of cold ? [...rows, cold] : rows) row.qemuError = (err as Error).message;
      }
    }
    if (cold) rows.push(cold);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
