/**
 * `npm run bench`'s results: one row per board, engine and workload; the table it prints; the JSON
 * file `--json FILE` writes (with the commit, Node version, date and machine, for comparison across
 * commits) and the comparison `--compare OLD.json` prints (new/old time ratio per row).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Engine } from './engine.js';
import type { CodeCacheSize } from './measure.js';

/**
 * `os boot cold` (`linux boot cold`): `rvos run` of the installed package in a new process, wall time from launch to
 * the prompt (to /init; no instruction count), beside QEMU's wall time from launch to the same line (boot.ts,
 * linux-boot.ts).
 */
export type Workload =
  | 'compute'
  | 'compute code-write'
  | 'compute installed'
  | 'compute paired'
  | 'os boot'
  | 'os boot cold'
  | 'linux boot'
  | 'linux boot cold';

export interface BenchRow {
  board: string;
  arch: string;
  engine: Engine;
  workload: Workload;
  /** Guest instructions (deterministic) and host seconds (best of --runs) on rvos. */
  instructions?: number;
  seconds?: number;
  mips?: number;
  /** QEMU's seconds for the same workload (wall time minus its start-up; the cold rows: with it), and rvos/QEMU. */
  qemuSeconds?: number;
  ratio?: number;
  /** Why QEMU's figure is missing (the rvos figures stand). */
  qemuError?: string;
  checksum?: string;
  codeCache?: CodeCacheSize;
  /** The bench process's resident set at the end of the run (all runs share the process). */
  rssMiB?: number;
  error?: string;
}

export interface StartupFigures {
  versionSeconds: number;
  helloSeconds: number;
  /** The same round trip from the checkout (its cached bundle of the sources, bin/rvos.js). */
  checkoutHelloSeconds?: number;
  qemuHelloSeconds?: number;
}

export interface BenchResults {
  commit: string;
  dirty: boolean;
  node: string;
  date: string;
  /** `load`: the host's 1-minute load average as the bench started (absent in JSON from before it was recorded). */
  machine: { cpu: string; cpus: number; memoryGiB: number; os: string; load?: number };
  runs: number;
  startup?: StartupFigures;
  rows: BenchRow[];
}

export function environment(runs: number): Omit<BenchResults, 'rows' | 'startup'> {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const cpus = os.cpus();
  return {
    commit: git('rev-parse', 'HEAD') || 'unknown',
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    node: process.version,
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cpus: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.platform()} ${os.release()} ${os.arch()}`,
      load: Math.round(os.loadavg()[0] * 100) / 100,
    },
    runs,
  };
}

const rowKey = (r: BenchRow) => `${r.board} ${r.engine} ${r.workload}`;
const num = (n: number | undefined, digits: number) => (n === undefined ? '-' : n.toFixed(digits));

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

/**
 * The first line of the report: commit, Node, machine, runs and the load the bench started under. On a small
 * machine whose cores other work holds, wall times read up to half again higher (rows' main threads wait for a CPU):
 * the line says so when the load passed half the CPUs, so that nobody compares such a run with a quiet one.
 */
export function formatHeader(r: Omit<BenchResults, 'rows' | 'startup'>): string {
  const load = r.machine.load;
  const busy = load !== undefined && load > r.machine.cpus / 2;
  return `rvos ${r.commit.slice(0, 12)}${r.dirty ? ' (dirty)' : ''}, node ${r.node}, ${r.machine.cpus} x ${r.machine.cpu}, best of ${r.runs}` +
    (load === undefined ? '' : `, load ${load.toFixed(2)} at start`) +
    (busy ? `\nbusy machine: other work held the CPUs as the bench started; its figures read high, compare only with runs made on a quiet machine` : '');
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['board', 'arch', 'engine', 'workload', 'instructions', 'rvos s', 'MIPS', 'QEMU s', 'rvos/QEMU', 'cache pages/blocks', 'RSS MiB'];
  const lines = rows.map((r) =>
    r.error
      ? [r.board, r.arch, r.engine, r.workload, `failed: ${r.error.split('\n')[0]}`, '', '', '', '', '', '']
      : [
          r.board,
          r.arch,
          r.engine,
          r.workload,
          r.instructions === undefined ? '-' : String(r.instructions),
          num(r.seconds, 3),
          num(r.mips, 1),
          r.qemuError ? 'failed' : num(r.qemuSeconds, 3),
          r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`,
          r.codeCache ? `${r.codeCache.pages}/${r.codeCache.blocks}` : '-',
          num(r.rssMiB, 0),
        ],
  );
  return table(header, lines);
}

export function formatStartup(s: StartupFigures): string {
  const verdict = (sec: number, target: number) => `${sec.toFixed(3)} s (target ${target} s: ${sec <= target ? 'met' : 'missed'})`;
  return (
    `start-up: rvos --version ${verdict(s.versionSeconds, 0.3)}\n` +
    `start-up: hello round trip ${verdict(s.helloSeconds, 0.5)}` +
    (s.checkoutHelloSeconds === undefined ? '' : `; from the checkout ${s.checkoutHelloSeconds.toFixed(3)} s`) +
    (s.qemuHelloSeconds === undefined ? '' : `; QEMU ${s.qemuHelloSeconds.toFixed(3)} s (rvos/QEMU ${(s.helloSeconds / s.qemuHelloSeconds).toFixed(1)}x)`)
  );
}

export function writeResults(file: string, results: BenchResults): void {
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

/** The new/old ratio of each row's host time and the instruction counts that changed. */
export function formatComparison(file: string, current: BenchResults): string {
  const old = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  const oldRows = new Map(old.rows.map((r) => [rowKey(r), r]));
  const lines: string[][] = [];
  for (const r of current.rows) {
    const o = oldRows.get(rowKey(r));
    const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);
    const insns =
      o?.instructions === undefined || r.instructions === undefined
        ? '-'
        : r.instructions === o.instructions
          ? 'same'
          : `${r.instructions - o.instructions > 0 ? '+' : ''}${r.instructions - o.instructions}`;
    lines.push([r.board, r.arch, r.engine, r.workload, num(o?.seconds, 3), num(r.seconds, 3), ratio(r.seconds, o?.seconds), ratio(r.ratio, o?.ratio), insns]);
  }
  const s = current.startup;
  const os_ = old.startup;
  const head = `compared with ${file}: commit ${old.commit.slice(0, 12)}${old.dirty ? ' (dirty)' : ''}, ${old.date}, node ${old.node}, ${old.machine.cpus} x ${old.machine.cpu}${old.machine.load === undefined ? '' : `, load ${old.machine.load.toFixed(2)} at start`}`;
  const startup =
    s && os_
      ? `\nstart-up new/old: --version ${(s.versionSeconds / os_.versionSeconds).toFixed(2)}x, hello round trip ${(s.helloSeconds / os_.helloSeconds).toFixed(2)}x`
      : '';
  return `${head}\n${table(['board', 'arch', 'engine', 'workload', 'old s', 'new s', 'new/old', 'ratio new/old', 'instructions'], lines)}${startup}`;
}
