/**
 * Where a board's compute kernel time goes, kernel by kernel of its rounds (kernels/bench/bench.c PHASES: crc32,
 * quicksort, sieve, matmul, fib, divhash): builds bench.c for the architecture once per kernel (bench-phases.ts, into
 * a temporary folder) and once with none (the rounds' loop, the start and the prints alone), runs each build in this
 * process `runs` times under the jit, and prints per kernel the steady state (the best main-thread CPU ms of the runs
 * after the first, machine set-up included, V8's compiler threads left out) less the loop-alone build's; with
 * `--qemu`, QEMU's wall ms for the same builds beside it (best of `runs`, guest-arch.ts qemuWall, less the loop-alone
 * build's: its start-up drops out). Needs clang and ld.lld (kernels/common.mk). For working on the translators; not a test (host times
 * vary). rv32 on the loaded 2-core development VM (session 35, two runs at load 7-8; each build runs its kernel's
 * rounds alone, so a sort's data differ from the full kernel's): crc32 14-15 ms, quicksort with its fill and check
 * 105-118, sieve 31-32, matmul 1-2, fib and divhash within the noise (0-1); QEMU's CPU 22, 165, 51, 8, 1 and 2 ms.
 * The whole kernel's steady state is ~175 ms: the sort is two thirds of it. QEMU's side is only as good as the builds'
 * layout: each build places its data differently, and where the first variables share the code's page (i386's link.ld
 * puts .bss right after .text) QEMU pays for its code-write handling: i386's sieve alone took QEMU 178 ms where rvos'
 * steady state was 54 (session 38), while the six together take QEMU about 300.
 *
 *   node --import tsx test/bench/phases.ts [rv32|aarch64|i386] [runs] [--qemu]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aarch64 } from './aarch64.js';
import { buildPhases, PHASES } from './bench-phases.js';
import { threadMs } from './cpu-runs.js';
import { type GuestArch, qemuWall } from './guest-arch.js';
import { i386 } from './i386.js';
import { rv32 } from './rv32.js';

const ARCHES: Record<string, GuestArch> = { rv32, aarch64, i386 };
const arch = ARCHES[process.argv.find((a) => a in ARCHES) ?? 'rv32'];
const runs = Math.max(2, Number(process.argv.find((a) => /^\d+$/.test(a))) || 8);
const qemu = process.argv.includes('--qemu');
const work = mkdtempSync(join(tmpdir(), 'rvos-phases-'));
const build = (bits: number) => buildPhases(bits, join(work, `phases-${bits}`), arch.arch);

/** The best main-thread CPU ms of the runs after the first (in this process, under the jit). */
async function steadyMs(kernel: string): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = threadMs();
    const r = await arch.runRvos(kernel, 'jit');
    const ms = threadMs() - t0;
    if (!r.ok) throw new Error(`${kernel}: ${r.why}`);
    if (i > 0) best = Math.min(best, ms);
  }
  return best;
}

/** QEMU's wall ms, best of `runs`. */
const qemuMs = async (kernel: string): Promise<number> => (await qemuWall(arch, kernel, runs)).ms;

try {
  const alone = build(0);
  const base = await steadyMs(alone);
  const qemuBase = qemu ? await qemuMs(alone) : 0;
  console.log(`${arch.arch} rounds' loop alone: steady ${base.toFixed(1)} ms${qemu ? `, QEMU ${qemuBase.toFixed(0)} ms wall` : ''} (subtracted below)`);
  for (const [name, bit] of PHASES) {
    const elf = build(bit);
    const ms = (await steadyMs(elf)) - base;
    const q = qemu ? (await qemuMs(elf)) - qemuBase : NaN;
    const vs = qemu ? `, QEMU ${q.toFixed(0)} ms (rvos/QEMU ${(ms / Math.max(q, 1)).toFixed(2)})` : '';
    console.log(`${name.padEnd(10)} steady ${ms.toFixed(1).padStart(6)} ms${vs}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
