/**
 * Runs the AArch64 bench kernel on raspi3b under `--engine jit` (or `interp`), best of `runs`, and
 * prints instructions, host ms (wall, and this process's CPU time, less disturbed by other load),
 * MIPS and the code cache's counters. For working on the translator; not a test (host times vary).
 *
 *   node --import tsx test/bench/a64-jit.ts [kernel.elf] [runs] [jit|interp]
 */
import { fileURLToPath } from 'node:url';
import { startMachine } from '../../src/testing/machine.js';
import { bestCpuRuns } from './cpu-runs.js';

const kernel = process.argv[2] || fileURLToPath(new URL('../../kernels/bench/build/bench-a64.elf', import.meta.url));
const runs = Math.max(1, Number(process.argv[3]) || 1);
const engine = (process.argv[4] ?? 'jit') as 'jit' | 'interp';

let out = '';
const start = () => {
  out = '';
  return startMachine({ kernel, board: 'raspi3b', session: { engine, semihosting: true, semihostingOut: (b: Uint8Array) => (out += Buffer.from(b).toString('latin1')) } });
};
await bestCpuRuns(runs, engine, start, (run) => {
  if (run === 0) console.log(out.trim().split('\n').slice(-2).join(' | '));
});
