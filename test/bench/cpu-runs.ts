/**
 * The loop of the translator-work scripts (rv32-jit.ts, a64-jit.ts): runs a machine to its end
 * `runs` times and prints, per run, instructions, host ms (wall, and this process's CPU time, less
 * disturbed by other load), MIPS and the code cache's counters; then the best CPU time.
 */
import type { startMachine } from '../../src/testing/machine.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { CodeCacheStats } from '../../src/core/jit/code-cache.js';

export async function bestCpuRuns(runs: number, engine: string, start: () => ReturnType<typeof startMachine>, afterRun?: (run: number) => void): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const m = await start();
    (m.session.console as CaptureBackend).endInput();
    const c0 = process.cpuUsage();
    const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 900_000 });
    const cache = (m.machine.cpus[0] as { codeCache?: CodeCacheStats }).codeCache;
    const u = process.cpuUsage(c0);
    const cpuMs = (u.user + u.system) / 1000;
    best = Math.min(best, cpuMs);
    console.log(`${engine} ${r.reason} ${r.instructions} insns, ${r.hostMs.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms), ${(r.instructions / cpuMs / 1000).toFixed(1)} MIPS (cpu), cache ${JSON.stringify(cache)}`);
    afterRun?.(i);
    await m.close();
  }
  console.log(`best cpu ${best.toFixed(0)} ms`);
  return best;
}
