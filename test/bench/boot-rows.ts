/**
 * The rows of one boot measured to one line of its console, shared by the OS boot (boot.ts) and Linux boot
 * (linux-boot.ts) rows: on rvos per engine in this process (instructions, host seconds, best of at least 3, the
 * engines in turn), the cold row (the installed package's `rvos run` in a new process, wall time from its launch to
 * the line, best of 3) and QEMU's (wall time to the line: less its start-up for the in-process rows, with it for the
 * cold row), with their ratios. Prints a line per row as it completes.
 */
import type { QemuResult } from '../helpers/qemu.js';
import { ENGINES, type Engine } from './engine.js';
import { bestOf, bestOfEach, bootRuns, fillRow, qemuStartupMs, type GuestArch } from './guest-arch.js';
import type { MeasuredRun } from './measure.js';
import type { BenchRow } from './results.js';
import { buildInstalled } from './startup.js';

/** Runs of the cold row (fresh processes, a few seconds each at most). */
const COLD_RUNS = 3;

export interface BootRowsSpec {
  board: string;
  guest: GuestArch;
  workload: 'os boot' | 'linux boot';
  /** The console text that ends the boot, and what it is called in messages ("the prompt", "/init"). */
  line: string;
  lineName: string;
  /** One in-process rvos boot under `engine`, stopped at `line`. */
  rvos(engine: Engine): Promise<MeasuredRun>;
  /** One `rvos run` of the installed package, stopped at `line`. */
  cold(): Promise<QemuResult>;
  /** One QEMU boot, stopped at `line`. */
  qemu(): Promise<QemuResult>;
}

const exitOf = (r: QemuResult) => `exit ${r.exitCode}${r.timedOut ? ', timed out' : ''}`;

/** The rows of `spec`'s boot: per engine (`engines`, else the board's), with `cold` the cold row; QEMU's beside. */
export async function bootRows(spec: BootRowsSpec, opts: { runs: number; rvos: boolean; qemu: boolean; cold?: boolean; engines?: Engine[] }): Promise<BenchRow[]> {
  const { board, workload, line, lineName } = spec;
  const arch = spec.guest.arch;
  const rows: BenchRow[] = [];
  const engines = opts.rvos ? (opts.engines ?? ENGINES[board]!) : [];
  const bests = await bestOfEach(engines, bootRuns(opts.runs), async (engine) => {
    const r = await spec.rvos(engine);
    if (r.reason !== 'stopped') throw new Error(`did not reach ${lineName}: ${r.reason}; output:\n${r.output}`);
    return { ...r, ms: r.hostMs };
  });
  for (const engine of engines) {
    const row: BenchRow = { board, arch, engine, workload };
    rows.push(row);
    const best = bests.get(engine)!;
    if (best instanceof Error) row.error = best.message;
    else fillRow(row, best);
    console.log(`${board} ${engine} ${workload}: ${row.error ? `failed: ${row.error}` : `${row.instructions} instructions to ${lineName}, ${row.seconds!.toFixed(3)} s`}`);
  }
  let cold: BenchRow | undefined;
  if (opts.rvos && opts.cold) {
    cold = { board, arch, engine: ENGINES[board]![0]!, workload: `${workload} cold` };
    try {
      buildInstalled();
      const best = await bestOf(COLD_RUNS, async () => {
        const r = await spec.cold();
        if (!r.output.includes(line)) throw new Error(`rvos run did not reach ${lineName} (${exitOf(r)}):\n${r.output}\n${r.stderr}`);
        return { ms: r.wallMs };
      });
      cold.seconds = best.ms / 1000;
    } catch (err) {
      cold.error = (err as Error).message;
    }
    console.log(`${board} cold ${workload} (rvos run, new process): ${cold.error ? `failed: ${cold.error}` : `${cold.seconds!.toFixed(3)} s wall to ${lineName}`}`);
  }
  if (opts.qemu && spec.guest.qemuAvailable()) {
    try {
      const startup = await qemuStartupMs(spec.guest);
      const run = await bestOf(Math.max(3, opts.runs), async () => {
        const r = await spec.qemu();
        if (!r.output.includes(line)) throw new Error(`QEMU did not reach ${lineName} (${exitOf(r)}):\n${r.output}\n${r.stderr}`);
        return { ms: r.wallMs };
      });
      const qemuSeconds = Math.max(run.ms - startup, 1) / 1000;
      console.log(`${board} qemu ${workload}: ${(run.ms / 1000).toFixed(3)} s wall - ${(startup / 1000).toFixed(3)} s start-up = ${qemuSeconds.toFixed(3)} s`);
      if (rows.length === 0) rows.push({ board, arch, engine: ENGINES[board]![0]!, workload });
      for (const row of rows) {
        row.qemuSeconds = qemuSeconds;
        if (row.seconds !== undefined) row.ratio = row.seconds / qemuSeconds;
      }
      if (cold) {
        // QEMU's own fresh process: wall time from its launch to the line, its start-up included.
        cold.qemuSeconds = run.ms / 1000;
        if (cold.seconds !== undefined) cold.ratio = cold.seconds / cold.qemuSeconds;
      }
    } catch (err) {
      console.log(`${board} qemu ${workload}: failed: ${(err as Error).message}`);
      for (const row of cold ? [...rows, cold] : rows) row.qemuError = (err as Error).message;
    }
  }
  if (cold) rows.push(cold);
  return rows;
}
