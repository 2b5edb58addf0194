/**
 * `npm run bench`'s "linux boot" rows: the small rv32 Linux 6.1 of scripts/linux-rv32 under rvos-sbi
 * on virt (test/helpers/linux-rv32.ts), from reset to the first line its /init writes, on rvos per
 * engine (instructions, host seconds) and on QEMU 7.2 with the same firmware, kernel, initramfs and
 * command line (wall time until that line, minus QEMU's start-up as for the other rows). Skipped,
 * with a line saying so, when the kernel is not built (scripts/linux-rv32/build.sh).
 *
 *   node --import tsx test/bench/linux-boot.ts [runs] [interp|jit]   (alone, e.g. under --cpu-prof)
 */
import { LINUX_RV32_APPEND, LINUX_RV32_FIRMWARE, linuxRv32Build, linuxRv32QemuAvailable, runLinuxRv32Qemu, type LinuxRv32Build } from '../helpers/linux-rv32.js';
import { ENGINES, engineOptions, type Engine } from './engine.js';
import { bestOf, bestOfEach, bootRuns, fillRow, qemuStartupMs } from './guest-arch.js';
import { runMeasured } from './measure.js';
import type { BenchRow } from './results.js';
import { rv32 } from './rv32.js';

/** Where "booted to init" is: the first line /init (scripts/linux/init.c) writes (the tty adds the CR). */
export const LINUX_INIT_LINE = 'rvos-init: hello from /init\r\n';

/** The machine of a row: the engine goes with the other session options (a later `session` would drop it). */
export function linuxBootOptions(build: LinuxRv32Build, engine: Engine) {
  return {
    ...engineOptions('virt', engine, { initrd: build.initrd }),
    bios: LINUX_RV32_FIRMWARE,
    kernel: build.image,
    append: LINUX_RV32_APPEND,
    stopWhen: LINUX_INIT_LINE,
  };
}

/** One rvos boot to /init under `engine`. */
export function rvosBoot(build: LinuxRv32Build, engine: Engine) {
  return runMeasured(linuxBootOptions(build, engine));
}

/** The rows (one per virt engine); prints a line per row as it completes. */
export async function benchLinuxBoot(opts: { runs: number; rvos: boolean; qemu: boolean; engines?: Engine[] }): Promise<BenchRow[]> {
  const build = linuxRv32Build();
  if (!build) {
    console.log('virt linux boot: skipped (no rv32 Linux build: run scripts/linux-rv32/build.sh)');
    return [];
  }
  const rows: BenchRow[] = [];
  const engines = opts.rvos ? (opts.engines ?? ENGINES.virt!) : [];
  const bests = await bestOfEach(engines, bootRuns(opts.runs), async (engine) => {
    const r = await rvosBoot(build, engine);
    if (r.reason !== 'stopped') throw new Error(`/init did not start: ${r.reason}; output:\n${r.output}`);
    return { ...r, ms: r.hostMs };
  });
  for (const engine of engines) {
    const row: BenchRow = { board: 'virt', arch: 'rv32', engine, workload: 'linux boot' };
    rows.push(row);
    const best = bests.get(engine)!;
    if (best instanceof Error) row.error = best.message;
    else fillRow(row, best);
    console.log(`virt ${engine} linux boot: ${row.error ? `failed: ${row.error}` : `${row.instructions} instructions to /init, ${row.seconds!.toFixed(3)} s`}`);
  }
  if (opts.qemu && linuxRv32QemuAvailable()) {
    try {
      const startup = await qemuStartupMs(rv32);
      const run = await bestOf(Math.max(3, opts.runs), async () => {
        const r = await runLinuxRv32Qemu(build, { stopWhen: LINUX_INIT_LINE });
        if (!r.output.includes(LINUX_INIT_LINE)) throw new Error(`QEMU did not reach /init (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}):\n${r.output}\n${r.stderr}`);
        return { ms: r.wallMs };
      });
      const qemuSeconds = Math.max(run.ms - startup, 1) / 1000;
      console.log(`virt qemu linux boot: ${(run.ms / 1000).toFixed(3)} s wall - ${(startup / 1000).toFixed(3)} s start-up = ${qemuSeconds.toFixed(3)} s`);
      if (rows.length === 0) rows.push({ board: 'virt', arch: 'rv32', engine: 'jit', workload: 'linux boot' });
      for (const row of rows) {
        row.qemuSeconds = qemuSeconds;
        if (row.seconds !== undefined) row.ratio = row.seconds / qemuSeconds;
      }
    } catch (err) {
      console.log(`virt qemu linux boot: failed: ${(err as Error).message}`);
      for (const row of rows) row.qemuError = (err as Error).message;
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Math.max(1, Number(process.argv[2]) || 1);
  const engine = process.argv[3] as Engine | undefined;
  const rows = await benchLinuxBoot({ runs, rvos: true, qemu: !engine, engines: engine ? [engine] : undefined });
  for (const r of rows) console.log(JSON.stringify(r));
}
