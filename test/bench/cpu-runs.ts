/**
 * The loop of the translator-work scripts (rv32-jit.ts, a64-jit.ts, i386-jit.ts): runs a machine to its end
 * `runs` times and prints, per run, instructions, host ms (wall, this process's CPU time, less
 * disturbed by other load, and on Linux the main thread's alone, without V8's compiler threads), MIPS,
 * the host page faults (each costs microseconds on a VM: a first run takes several times a later one's),
 * the code cache's counters and the CPU's block calls (where it counts them); then the best CPU time.
 */
import { readFileSync } from 'node:fs';
import type { startMachine } from '../../src/testing/machine.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { CodeCacheStats } from '../../src/core/jit/code-cache.js';

type Started = Awaited<ReturnType<typeof startMachine>>;

/** This (the main) thread's CPU time in ms, or NaN where Linux's schedstat is not there. */
export function threadMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** One run of a started machine to its end (its console input closed): the result, the main thread's and the process' CPU ms. */
export async function timedRun(m: Started) {
  (m.session.console as CaptureBackend).endInput();
  const c0 = process.cpuUsage();
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = threadMs();
  const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 900_000 });
  const mainMs = threadMs() - t0;
  const u = process.cpuUsage(c0);
  return { r, mainMs, cpuMs: (u.user + u.system) / 1000, faults: process.resourceUsage().minorPageFault - f0 };
}

export async function bestCpuRuns(runs: number, engine: string, start: () => Promise<Started>, afterRun?: (run: number, m: Started) => void): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const m = await start();
    const { r, mainMs, cpuMs, faults } = await timedRun(m);
    const cpu0 = m.machine.cpus[0] as { codeCache?: CodeCacheStats; blockRuns?: number };
    best = Math.min(best, cpuMs);
    const main = Number.isNaN(mainMs) ? '' : `, main thread ${mainMs.toFixed(0)} ms`;
    const calls = cpu0.blockRuns === undefined ? '' : `, ${cpu0.blockRuns} block calls`;
    console.log(`${engine} ${r.reason} ${r.instructions} insns, ${r.hostMs.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms${main}), ${(r.instructions / cpuMs / 1000).toFixed(1)} MIPS (cpu), ${faults} page faults, cache ${JSON.stringify(cpu0.codeCache)}${calls}`);
    afterRun?.(i, m);
    await m.close();
  }
  console.log(`best cpu ${best.toFixed(0)} ms`);
  return best;
}
