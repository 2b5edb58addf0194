/**
 * The rv32 boot rows of `npm run bench` repeated in one process: the virt OS to its prompt
 * (boot.ts, a fresh disk copy each) and the rv32 Linux to /init (linux-boot.ts), `boots` times
 * each, under one engine. The first boot is what `rvos run` pays (a fresh process: V8 has compiled
 * nothing yet); the later ones show the warm figure. Prints host wall ms and this process's CPU ms
 * per boot: of the main thread, and of all threads (V8's background compiles included); the machine
 * set-up (disk copy, loading) is inside both CPU figures, not in the wall figure. Not a test: host times vary.
 *
 *   node --import tsx test/bench/rv32-boots.ts [jit|interp] [boots] [os|linux|both]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OS_BOOTS } from './boot.js';
import type { Engine } from './engine.js';
import { LINUX_BOOTS, rvosBoot } from './linux-boot.js';
import type { MeasuredRun } from './measure.js';
import { threadMs } from './cpu-runs.js';

const engine = (process.argv[2] ?? 'jit') as Engine;
const boots = Math.max(1, Number(process.argv[3]) || 3);
const which = process.argv[4] ?? 'both';

/** This thread's CPU ms so far (Linux: V8's background compiles excluded). */
const work = mkdtempSync(join(tmpdir(), 'rvos-bench-boots-'));
let copies = 0;

async function measure(name: string, run: () => Promise<MeasuredRun>, stop: string): Promise<void> {
  const figures: string[] = [];
  for (let k = 0; k < boots; k++) {
    const c0 = process.cpuUsage();
    const t0 = threadMs();
    const r = await run();
    const t = threadMs() - t0;
    const c = process.cpuUsage(c0);
    if (r.reason !== stop) throw new Error(`${name}: ${r.reason}\n${r.output}`);
    figures.push(`${r.hostMs.toFixed(0)} (${t.toFixed(0)} main, ${((c.user + c.system) / 1000).toFixed(0)} all)`);
    if (k === boots - 1) console.log(`${name} ${engine}: ${r.instructions} insns; ms per boot: ${figures.join(' / ')}; cache ${r.codeCache?.pages}/${r.codeCache?.blocks}`);
  }
}

try {
  if (which !== 'linux') {
    await measure(
      'virt os boot',
      () => {
        const disk = join(work, `disk-${copies++}.img`);
        copyFileSync(OS_BOOTS.virt.disk, disk);
        return OS_BOOTS.virt.rvos(engine, disk);
      },
      'stopped',
    );
  }
  const linux = which === 'os' ? undefined : LINUX_BOOTS.virt.find();
  if (linux) await measure('linux boot  ', () => rvosBoot(linux, engine), 'stopped');
} finally {
  rmSync(work, { recursive: true, force: true });
}
