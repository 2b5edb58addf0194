/**
 * Runs the i386 bench kernel (or another pc kernel) on pc under `--engine jit` (or `interp`), best of
 * `runs`, and prints per run instructions, host ms (wall, process and main-thread CPU), MIPS, the code
 * cache's counters and the block calls, the kernel's checksum after the first run, and with `--stats` the
 * wasm translator's counters (jit-wasm.ts wasmRegionStats) at the end. The runs after the first are the
 * steady state (V8's code of the translator and glue warm; each run translates its regions again).
 * A/B: run two trees' copies alternately from the shell; one kernel of kernels/bench/bench.c at a
 * time: a build with each of main's kernels under `if (kmask & bit)`, kmask a volatile global.
 * For working on the translator; not a test (host times vary).
 *
 *   node --import tsx test/bench/i386-jit.ts [kernel.elf] [runs] [jit|interp] [--stats]
 */
import { fileURLToPath } from 'node:url';
import { wasmRegionStats } from '../../plugins/arch-i386/src/jit-wasm.js';
import { startMachine } from '../../src/testing/machine.js';
import { bestCpuRuns } from './cpu-runs.js';
import { engineOptions } from './engine.js';

const args = process.argv.slice(2).filter((a) => a !== '--stats');
const kernel = args[0] || fileURLToPath(new URL('../../kernels/bench/build/bench-i386.elf', import.meta.url));
const runs = Math.max(1, Number(args[1]) || 1);
const engine = (args[2] ?? 'jit') as 'jit' | 'interp';

await bestCpuRuns(runs, engine, () => startMachine({ kernel, ...engineOptions('pc', engine) }), (run, m) => {
  if (run === 0) console.log(/checksum 0x[0-9a-f]+/.exec(m.output)?.[0] ?? 'no checksum printed');
});
if (process.argv.includes('--stats')) console.log(JSON.stringify(wasmRegionStats));
