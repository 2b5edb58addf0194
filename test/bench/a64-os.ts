/**
 * The raspi3b OS boot of `npm run bench` (kernels/raspi3b to its shell prompt) under both engines,
 * alternating, `runs` times each: instructions, host ms, this process's CPU ms and the regions
 * translated. For tuning the translator's thresholds; not a test (host times vary).
 *
 *   node --import tsx test/bench/a64-os.ts [runs]
 *
 * A64ENGINES=jit (or interp) runs only that engine (e.g. under `node --cpu-prof`).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OS_BOOTS } from './boot.js';

const runs = Math.max(1, Number(process.argv[2]) || 1);
const os = OS_BOOTS.raspi3b;
const work = mkdtempSync(join(tmpdir(), 'rvos-a64-os-'));
const best: Record<string, number> = {};
try {
  for (let i = 0; i < runs; i++) {
    for (const engine of (process.env.A64ENGINES ?? 'jit,interp').split(',') as Array<'jit' | 'interp'>) {
      const disk = join(work, `disk-${i}-${engine}.img`);
      copyFileSync(os.disk, disk);
      const c0 = process.cpuUsage();
      const r = await os.rvos(engine, disk);
      const u = process.cpuUsage(c0);
      const cpuMs = (u.user + u.system) / 1000;
      best[engine] = Math.min(best[engine] ?? Infinity, cpuMs);
      console.log(`${engine} ${r.reason} ${r.instructions} insns, ${r.hostMs.toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms), cache ${JSON.stringify(r.codeCache)}`);
    }
  }
  console.log(`best cpu ms: ${JSON.stringify(best)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
