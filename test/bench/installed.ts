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
  const r = await runEmulator(process.execPath, [bin, ...arch.cli(kernel)], { env, cwd: userDir, timeoutMs: TIMEOUT_MS });
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
