/**
 * The i386 translator's steady state (not part of `npm run bench`): runs a pc kernel (the compute
 * kernel unless `--kernel FILE`) `--runs N` times in this process and prints each run's instructions,
 * wall and main-thread CPU (without V8's compiler threads), then the best and median of the runs after
 * the first (V8's code of the translator and glue warm; each run translates its regions again);
 * `--stats`: the wasm translator's counters (jit-wasm.ts wasmRegionStats) at the end. A/B: run two
 * trees' copies alternately from the shell. One kernel of kernels/bench/bench.c at a time: a build with
 * each of main's kernels under `if (kmask & bit)`, kmask a volatile global (the code the same in each).
 *   node --import tsx scripts/i386-steady.ts [--kernel FILE] [--runs N] [--interp] [--stats]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wasmRegionStats } from '../plugins/arch-i386/src/jit-wasm.js';
import { engineOptions } from '../test/bench/engine.js';
import { runMeasured } from '../test/bench/measure.js';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const kernel = arg('--kernel') ?? fileURLToPath(new URL('../kernels/bench/build/bench-i386.elf', import.meta.url));
const runs = Number(arg('--runs') ?? 4);
const engine = process.argv.includes('--interp') ? 'interp' : 'jit';
/** This (the main) thread's CPU time in ms (Linux). */
const threadMs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;

const steady: number[] = [];
for (let run = 0; run < runs; run++) {
  const t0 = threadMs();
  const r = await runMeasured({ kernel, ...engineOptions('pc', engine) });
  const ms = threadMs() - t0;
  if (run > 0) steady.push(ms);
  const sum = /checksum (0x[0-9a-f]+)/.exec(r.output)?.[1] ?? '-';
  console.log(`run ${run}: ${r.instructions} instructions, wall ${r.hostMs.toFixed(0)} ms, main thread ${ms.toFixed(1)} ms, ${r.blockRuns} block calls, checksum ${sum}`);
}
steady.sort((a, b) => a - b);
if (steady.length > 0) console.log(`steady (runs 1-${runs - 1}): best ${steady[0].toFixed(1)} ms, median ${steady[steady.length >> 1].toFixed(1)} ms`);
if (process.argv.includes('--stats')) console.log(JSON.stringify(wasmRegionStats));
