/**
 * Runs one rv32 bare-metal kernel on virt under `--engine jit` (or `interp`), best of `runs`, and
 * prints instructions, host ms (wall, and this process's CPU time, less disturbed by other load),
 * MIPS and the code cache's counters (translations made, flushes). For working on the block
 * compiler; not a test (host times vary).
 *
 *   node --import tsx test/bench/rv32-jit.ts [kernel.elf] [runs] [jit|interp]
 */
import { fileURLToPath } from 'node:url';
import { startMachine } from '../../src/testing/machine.js';
import { bestCpuRuns } from './cpu-runs.js';

const kernel = process.argv[2] ?? fileURLToPath(new URL('../../kernels/bench/build/bench.elf', import.meta.url));
const runs = Math.max(1, Number(process.argv[3]) || 1);
const engine = (process.argv[4] ?? 'jit') as 'jit' | 'interp';

await bestCpuRuns(runs, engine, () => startMachine({ kernel, bios: 'none', session: { engine } }));
