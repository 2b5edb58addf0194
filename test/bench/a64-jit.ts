/**
 * Runs the AArch64 bench kernel on raspi3b under `--engine jit` (or `interp`), best of `runs`, and
 * prints instructions, host ms (wall, and this process's CPU time, less disturbed by other load),
 * MIPS and the code cache's counters. For working on the translator; not a test (host times vary).
 *
 *   node --import tsx test/bench/a64-jit.ts [kernel.elf] [runs] [jit|interp]
 */
import { fileURLToPath } from 'node:url';
import { startMachine } from '../../src/testing/machine.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { CodeCacheStats } from '../../src/core/jit/code-cache.js';

const kernel = process.argv[2] || fileURLToPath(new URL('../../kernels/bench/build/bench-a64.elf', import.meta.url));
const runs = Math.max(1, Number(process.argv[3]) || 1);
const engine = (process.argv[4] ?? 'jit') as 'jit' | 'interp';

let best = Infinity;
for (let i = 0; i < runs; i++) {
  let out = '';
  const m = await startMachine({ kernel, board: 'raspi3b', session: { engine, semihosting: true, semihostingOut: (b: Uint8Array) => (out += Buffer.from(b).toString('latin1')) } });
  (m.session.console as CaptureBackend).endInput();
  const c0 = process.cpuUsage();
  const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 900_000 });
  const cache = (m.machine.cpus[0] as { codeCache?: CodeCacheStats }).codeCache;
  const u = process.cpuUsage(c0);
  const cpuMs = (u.user + u.system) / 1000;
  best = Math.min(best, cpuMs);
  console.log(`${engine} ${r.reason} ${r.instructions} insns, ${r.hostMs.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms), ${(r.instructions / cpuMs / 1000).toFixed(1)} MIPS (cpu), cache ${JSON.stringify(cache)}`);
  if (i === 0) console.log(out.trim().split('\n').slice(-2).join(' | '));
  await m.close();
}
console.log(`best cpu ${best.toFixed(0)} ms`);
