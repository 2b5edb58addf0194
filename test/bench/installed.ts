/**
 * `npm run bench`'s `compute installed` row: the compute kernel run as a user runs it, `rvos run` of the installed
 * package (dist/, bin/rvos.js) in a new process from an empty folder, timed as QEMU is (guest-arch.ts): best wall
 * time of the kernel minus best wall time of the architecture's empty guest (rvos' start-up, machine set-up and
 * exit). The in-process compute rows run rvos' source under tsx, whose module loader detaches ArrayBuffers, which
 * makes V8 check every typed-array access of the process for a detached buffer; the installed package does not.
 */
import { userDir } from '../helpers/cli.js';
import { runEmulator, type QemuResult } from '../helpers/qemu.js';
import type { GuestArch } from './guest-arch.js';
import { bin, installedEnv } from './startup.js';

const TIMEOUT_MS = 300_000;

/** One `rvos run` of `kernel` on `arch`'s board in a new process (`env`: the installed package's by default). */
export async function runInstalled(arch: GuestArch, kernel: string, env = installedEnv()): Promise<QemuResult> {
  const r = await runEmulator(bin, arch.cli(kernel), { env, cwd: userDir, timeoutMs: TIMEOUT_MS });
  if (r.timedOut || r.exitCode !== arch.exitOk) {
    throw new Error(`rvos ${arch.cli(kernel).join(' ')} exited with ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}:\n${r.stderr}`);
  }
  return r;
}

async function bestWall(arch: GuestArch, kernel: string, runs: number): Promise<{ ms: number; output: string }> {
  let best = { ms: Infinity, output: '' };
  for (let i = 0; i < runs; i++) {
    const r = await runInstalled(arch, kernel);
    if (r.wallMs < best.ms) best = { ms: r.wallMs, output: r.output + r.stderr };
  }
  return best;
}

/** Seconds of `kernel` in the installed rvos less its start-up (best of `runs`, at least 3, each), and its output. */
export async function installedSeconds(arch: GuestArch, kernel: string, runs: number): Promise<{ seconds: number; output: string }> {
  const n = Math.max(3, runs);
  const empty = await bestWall(arch, arch.empty, n);
  const run = await bestWall(arch, kernel, n);
  return { seconds: Math.max(run.ms - empty.ms, 1) / 1000, output: run.output };
}

/** The middle value of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One round of the `compute paired` row: wall ms of rvos' empty guest and kernel, then QEMU's. */
export interface PairedRound {
  rvosEmpty: number;
  rvosKernel: number;
  qemuEmpty: number;
  qemuKernel: number;
}

/**
 * Seconds of the kernel less the empty guest, as medians over the rounds of each round's own difference, for rvos and
 * QEMU: a round's four runs share the host's load of that moment, where best-of-N runs taken a minute apart on a
 * busy host do not (the development VM's `compute installed` row read i386 0.93x-1.19x over four runs of one build).
 */
export function pairedSeconds(rounds: readonly PairedRound[]): { rvos: number; qemu: number } {
  const ms = (xs: number[]) => Math.max(median(xs), 1) / 1000;
  return { rvos: ms(rounds.map((r) => r.rvosKernel - r.rvosEmpty)), qemu: ms(rounds.map((r) => r.qemuKernel - r.qemuEmpty)) };
}
