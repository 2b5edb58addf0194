/**
 * `npm run bench`'s compute rows: the compute kernel (kernels/bench/bench.c, built for rv32,
 * AArch64 and i386) on rvos with each engine of the board (instructions, host time, MIPS, code
 * cache, RSS), on QEMU (wall time minus the start-up time of the matching empty guest) and the
 * rvos/QEMU time ratio. QEMU's MIPS would use rvos' instruction count; the table shows its seconds.
 */
import { ENGINES, type Engine } from './engine.js';
import type { MeasuredRun } from './measure.js';
import type { BenchRow, Workload } from './results.js';
import { installedSeconds, pairedSeconds, runInstalled, type PairedRound } from './installed.js';
import { buildInstalled } from './startup.js';

export interface GuestRun {
  /** The guest's output (where its printf went). */
  output: string;
  /** Whether it ended as the bench kernel ends (its own exit convention). */
  ok: boolean;
  /** What to show when it did not. */
  why: string;
}

export interface GuestArch {
  /** The board both rvos and QEMU run it on, and its architecture. */
  board: string;
  arch: string;
  /** The kernel of each compute workload this architecture has. */
  kernels: Partial<Record<Workload, string>>;
  /** An empty guest with the same start-up and exit, to time QEMU's start-up. */
  empty: string;
  runRvos(kernel: string, engine: Engine): Promise<GuestRun & MeasuredRun>;
  /** `rvos run`'s arguments for `kernel`, as a user types them (the compute installed row, installed.ts). */
  cli(kernel: string): string[];
  /** rvos' (and QEMU's) exit code when the kernel ends well. */
  exitOk: number;
  qemuAvailable(): boolean;
  /** The QEMU binary, for the "not installed" line. */
  qemuBinary: string;
  runQemu(kernel: string): Promise<GuestRun>;
}

export const checksumOf = (out: string) => /checksum (0x[0-9a-f]{8})/.exec(out)?.[1];

export interface BenchOptions {
  runs: number;
  rvos: boolean;
  qemu: boolean;
  /** Workloads to run (those the architecture has). */
  workloads: Workload[];
  /** With the compute workload, its `compute installed` row too (installed.ts). */
  installed?: boolean;
}

/** Best of `n` host times (ms) of `fn`; the output of the last run. */
export async function bestOf<T extends { ms: number }>(n: number, fn: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < n; i++) {
    const r = await fn();
    if (!best || r.ms < best.ms) best = r;
  }
  return best!;
}

/**
 * Best of `n` host times (ms) of `fn` for each key, the keys' runs taken in turn (k1, k2, k1, k2, ...), so that
 * every key's runs see the process as warm as the others' (V8 still compiling the machine's shared code in its
 * first runs). A key whose run throws is left out from then on, its error as its result.
 */
export async function bestOfEach<K, T extends { ms: number }>(keys: K[], n: number, fn: (key: K) => Promise<T>): Promise<Map<K, T | Error>> {
  const best = new Map<K, T | Error>();
  for (let i = 0; i < n; i++) {
    for (const key of keys) {
      const b = best.get(key);
      if (b instanceof Error) continue;
      try {
        const r = await fn(key);
        if (!b || r.ms < b.ms) best.set(key, r);
      } catch (err) {
        best.set(key, err as Error);
      }
    }
  }
  return best;
}

/**
 * Runs of an rvos boot row (os boot, linux boot): at least 3, as QEMU's boot rows, the engines in turn
 * (bestOfEach). A single run charged the first engine with V8 compiling the machine's shared code (devices,
 * disk, loaders) for both, and with the engines one after the other the first one's later runs still paid
 * part of it (measured in the bench's order, main-thread CPU of the virt OS boot: jit best of 3 after 3
 * interp runs 84-158 ms, before them 112-252; interp 78-95 either way); the fresh-process figure is the
 * os boot cold row.
 */
export const bootRuns = (runs: number) => Math.max(3, runs);

/** Writes a measured rvos run's figures into its bench row. */
export function fillRow(row: BenchRow, best: MeasuredRun): void {
  row.instructions = best.instructions;
  row.seconds = best.hostMs / 1000;
  row.mips = best.instructions / row.seconds / 1e6;
  row.codeCache = best.codeCache;
  row.rssMiB = best.rssBytes / 2 ** 20;
}

/** QEMU's wall time of `kernel` on `arch` (best of n), in ms, and its output. */
export async function qemuWall(arch: GuestArch, kernel: string, n: number): Promise<{ ms: number; output: string }> {
  return bestOf(n, async () => {
    const started = performance.now();
    const r = await arch.runQemu(kernel);
    const ms = performance.now() - started;
    if (!r.ok) throw new Error(`QEMU: ${kernel} ${r.why}`);
    return { ms, output: r.output };
  });
}

const startupCache = new Map<GuestArch, number>();
/** QEMU's start-up time on `arch` (its empty guest, best of 5), measured once per bench. */
export async function qemuStartupMs(arch: GuestArch): Promise<number> {
  if (!startupCache.has(arch)) startupCache.set(arch, (await qemuWall(arch, arch.empty, 5)).ms);
  return startupCache.get(arch)!;
}

const errorText = (err: unknown) => (err as Error).message;

/**
 * Fills an installed-package row: its `seconds` and the checksum in `output`, the instruction count (and so MIPS) of
 * `measured` (the same kernel in process), whose checksum must match.
 */
function fromInstalled(row: BenchRow, seconds: number, output: string, measured: BenchRow | undefined): void {
  row.seconds = seconds;
  row.checksum = checksumOf(output);
  if (measured?.instructions) {
    row.instructions = measured.instructions;
    row.mips = row.instructions / seconds / 1e6;
  }
  if (measured?.checksum && row.checksum !== measured.checksum) throw new Error(`checksum ${row.checksum} differs from ${measured.checksum}`);
}

/** The `compute installed` row of `kernel` (installed.ts); its instruction count is `measured`'s (the same run). */
async function installedRow(arch: GuestArch, kernel: string, runs: number, measured: BenchRow | undefined): Promise<BenchRow> {
  const row: BenchRow = { board: arch.board, arch: arch.arch, engine: ENGINES[arch.board]![0]!, workload: 'compute installed' };
  try {
    buildInstalled();
    const r = await installedSeconds(arch, kernel, runs);
    fromInstalled(row, r.seconds, r.output, measured);
  } catch (err) {
    row.error = errorText(err);
  }
  console.log(`${row.board} ${row.engine} compute installed: ${row.error ? `failed: ${row.error}` : `${row.seconds!.toFixed(3)} s (rvos run less its empty guest's), checksum ${row.checksum ?? '?'}`}`);
  return row;
}

/**
 * The `compute paired` row of `kernel`: `rounds` (at least 5) rounds, each running the installed rvos' empty guest and
 * kernel, then QEMU's, in turn (pairedSeconds); `measured` gives the instruction count and the checksum to match.
 */
async function pairedRow(arch: GuestArch, kernel: string, rounds: number, measured: BenchRow | undefined): Promise<BenchRow> {
  const row: BenchRow = { board: arch.board, arch: arch.arch, engine: ENGINES[arch.board]![0]!, workload: 'compute paired' };
  try {
    buildInstalled();
    const done: PairedRound[] = [];
    let output = '';
    for (let i = 0; i < Math.max(5, rounds); i++) {
      const rvosEmpty = (await runInstalled(arch, arch.empty)).wallMs;
      const run = await runInstalled(arch, kernel);
      output = run.output + run.stderr;
      const qemuEmpty = (await qemuWall(arch, arch.empty, 1)).ms;
      const qemuKernel = await qemuWall(arch, kernel, 1);
      if (checksumOf(qemuKernel.output) !== checksumOf(output)) throw new Error(`checksum mismatch: rvos ${checksumOf(output)}, QEMU ${checksumOf(qemuKernel.output)}`);
      done.push({ rvosEmpty, rvosKernel: run.wallMs, qemuEmpty, qemuKernel: qemuKernel.ms });
    }
    const s = pairedSeconds(done);
    fromInstalled(row, s.rvos, output, measured);
    Object.assign(row, { qemuSeconds: s.qemu, ratio: s.rvos / s.qemu });
  } catch (err) {
    row.error = errorText(err);
  }
  console.log(`${row.board} ${row.engine} compute paired: ${row.error ? `failed: ${row.error}` : `${row.seconds!.toFixed(3)} s vs QEMU ${row.qemuSeconds!.toFixed(3)} s (medians of each round's kernel less empty guest)`}`);
  return row;
}

/** The rows of one architecture; prints a line per row as it completes. */
export async function benchGuestArch(arch: GuestArch, opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const workload of opts.workloads) {
    const kernel = arch.kernels[workload];
    if (!kernel) continue;
    const here: BenchRow[] = [];
    let checksum: string | undefined;
    if (opts.rvos) {
      for (const engine of ENGINES[arch.board]!) {
        const row: BenchRow = { board: arch.board, arch: arch.arch, engine, workload };
        here.push(row);
        try {
          const best = await bestOf(opts.runs, async () => {
            const r = await arch.runRvos(kernel, engine);
            if (!r.ok) throw new Error(`${kernel} ${r.why}; output:\n${r.output}`);
            return { ...r, ms: r.hostMs };
          });
          fillRow(row, best);
          row.checksum = checksumOf(best.output);
          if (checksum !== undefined && row.checksum !== checksum) throw new Error(`checksum ${row.checksum} differs from ${checksum}`);
          checksum ??= row.checksum;
        } catch (err) {
          row.error = errorText(err);
        }
        console.log(`${row.board} ${row.engine} ${workload}: ${row.error ? `failed: ${row.error}` : `${row.instructions} instructions, ${row.seconds!.toFixed(3)} s, ${row.mips!.toFixed(1)} MIPS, checksum ${row.checksum ?? '?'}`}`);
      }
      if (opts.installed && workload === 'compute') here.push(await installedRow(arch, kernel, opts.runs, here[0]));
    }
    if (opts.qemu) {
      if (!arch.qemuAvailable()) {
        console.log(`${arch.board} qemu ${workload}: ${arch.qemuBinary} not installed, no comparison`);
      } else {
        try {
          const startup = await qemuStartupMs(arch);
          const run = await qemuWall(arch, kernel, Math.max(3, opts.runs));
          const qemuSeconds = Math.max(run.ms - startup, 1) / 1000;
          const qemuChecksum = checksumOf(run.output);
          console.log(`${arch.board} qemu ${workload}: ${(run.ms / 1000).toFixed(3)} s wall - ${(startup / 1000).toFixed(3)} s start-up = ${qemuSeconds.toFixed(3)} s (checksum ${qemuChecksum ?? '?'})`);
          if (here.length === 0) here.push({ board: arch.board, arch: arch.arch, engine: ENGINES[arch.board]![0]!, workload });
          for (const row of here) {
            row.qemuSeconds = qemuSeconds;
            if (row.seconds !== undefined) row.ratio = row.seconds / qemuSeconds;
            if (row.checksum && qemuChecksum !== row.checksum) row.error ??= `checksum mismatch: rvos ${row.checksum}, QEMU ${qemuChecksum}`;
          }
        } catch (err) {
          console.log(`${arch.board} qemu ${workload}: failed: ${errorText(err)}`);
          for (const row of here) row.qemuError = errorText(err);
        }
      }
    }
    rows.push(...here);
    // After QEMU's row figures: this row carries its own QEMU figure.
    if (opts.installed && opts.qemu && workload === 'compute' && arch.qemuAvailable()) rows.push(await pairedRow(arch, kernel, opts.runs, here[0]));
  }
  return rows;
}
