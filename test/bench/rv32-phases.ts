/**
 * Where the rv32 compute kernel's time goes, kernel by kernel of its rounds (kernels/bench/bench.c PHASES: crc32,
 * quicksort, sieve, matmul, fib, divhash): builds bench.c once per kernel (bench-phases.ts, into a temporary
 * folder) and once with none (the rounds' loop, the start and the prints alone), runs each build in this process `runs` times under the jit, and prints per kernel the steady state (the best main-thread CPU
 * ms of the runs after the first, V8's compiler threads left out) less the loop-alone build's; with `--qemu`, QEMU's
 * process CPU ms for the same builds beside it (median of `runs`, less the loop-alone build's; `perf stat`'s
 * task-clock, whose figure is exact where /usr/bin/time's are 10 ms ticks). Needs clang and ld.lld
 * (kernels/common.mk). For working on the translator; not a test (host times vary). On the loaded 2-core development
 * VM (session 35, two runs at load 7-8; each build runs its kernel's rounds alone, so a sort's data differ from the
 * full kernel's): crc32 14-15 ms, quicksort with its fill and check 105-118, sieve 31-32, matmul 1-2, fib and
 * divhash within the noise (0-1); QEMU's CPU (the perf run) 22, 165, 51, 8, 1 and 2 ms. The whole kernel's steady
 * state is ~175 ms: the sort is two thirds of it.
 *
 *   node --import tsx test/bench/rv32-phases.ts [runs] [--qemu]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMachine } from '../../src/testing/machine.js';
import { qemuArgs, QEMU_BINARY } from '../helpers/qemu.js';
import { buildPhases, PHASES } from './bench-phases.js';
import { timedRun } from './cpu-runs.js';
import { median } from './installed.js';

const runs = Math.max(2, Number(process.argv.find((a) => /^\d+$/.test(a))) || 8);
const qemu = process.argv.includes('--qemu');
const work = mkdtempSync(join(tmpdir(), 'rvos-phases-'));
const build = (bits: number) => buildPhases(bits, join(work, `phases-${bits}`));

/** The best main-thread CPU ms of the runs after the first (in this process, under the jit). */
async function steadyMs(kernel: string): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const m = await startMachine({ kernel, bios: 'none', session: { engine: 'jit' } });
    const { r, mainMs } = await timedRun(m);
    await m.close();
    if (r.reason !== 'poweroff') throw new Error(`${kernel}: ${r.reason}`);
    if (i > 0) best = Math.min(best, mainMs);
  }
  return best;
}

/** QEMU's process CPU ms (perf stat's task-clock: all its threads), median of `runs`. */
function qemuMs(kernel: string): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', QEMU_BINARY, ...qemuArgs({ kernel })], { input: '', encoding: 'utf8' });
    const clock = Number(/^([\d.]+),msec,task-clock/m.exec(r.stderr)?.[1]);
    if (r.status !== 0 || Number.isNaN(clock)) throw new Error(`QEMU ${kernel}: ${r.stderr || r.error}`);
    ms.push(clock);
  }
  return median(ms);
}

try {
  const alone = build(0);
  const base = await steadyMs(alone);
  const qemuBase = qemu ? qemuMs(alone) : 0;
  console.log(`rounds' loop alone: steady ${base.toFixed(1)} ms${qemu ? `, QEMU ${qemuBase.toFixed(0)} ms CPU` : ''} (subtracted below)`);
  for (const [name, bit] of PHASES) {
    const elf = build(bit);
    const ms = (await steadyMs(elf)) - base;
    const q = qemu ? qemuMs(elf) - qemuBase : NaN;
    const vs = qemu ? `, QEMU ${q.toFixed(0)} ms CPU (rvos/QEMU ${(ms / Math.max(q, 1)).toFixed(2)})` : '';
    console.log(`${name.padEnd(10)} steady ${ms.toFixed(1).padStart(6)} ms${vs}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
