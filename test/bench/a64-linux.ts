/**
 * The arm64 Linux boot of test/machine/linux-arm64 (scripts/linux-arm64's build, four cores, to /init and
 * its power-off) under the translator with each `compileWork` given (aarch64 cpu.ts compileBlockAt), one
 * fresh process per boot (V8's compiled code is not shared between configurations), the configurations
 * in turn round by round so that each sees the same machine load. Prints per configuration the main
 * thread's CPU time (Linux /proc; V8's background compiles excluded) as minimum / median / maximum, the
 * process CPU median and the regions translated. For tuning the translator's compile-work wait, which the
 * compute kernel's first run wants short and this boot long (see aarch64 jit.ts COMPILE_WORK); not a test.
 *
 *   node --import tsx test/bench/a64-linux.ts [rounds] [65536,32768,...]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { A64Cpu } from '../../plugins/arch-aarch64/src/cpu.js';
import { COMPILE_WORK } from '../../plugins/arch-aarch64/src/jit.js';
import { startMachine } from '../../src/testing/machine.js';
import { LINUX_ARM64_APPEND, linuxArm64Build } from '../helpers/linux-arm64.js';
import { threadMs } from './cpu-runs.js';


/** One boot in this process with `work` as every core's compileWork: prints [main ms, process CPU ms, regions]. */
async function bootOnce(work: number): Promise<void> {
  const build = linuxArm64Build();
  if (!build) throw new Error('no arm64 Linux build (scripts/linux-arm64/build.sh)');
  const m = await startMachine({ board: 'raspi3b', kernel: build.image, append: LINUX_ARM64_APPEND, session: { dtb: build.dtb, initrd: build.initrd } });
  const cpus = m.machine.cpus as unknown as A64Cpu[];
  for (const cpu of cpus) cpu.compileWork = work;
  const c0 = process.cpuUsage();
  const t0 = threadMs();
  const run = await m.machine.run({ maxInsns: 20_000_000_000, timeoutMs: 600_000 });
  const main = threadMs() - t0;
  const u = process.cpuUsage(c0);
  await m.close();
  if (run.reason !== 'poweroff') throw new Error(`compileWork ${work}: ${run.reason}`);
  console.log(JSON.stringify([main, (u.user + u.system) / 1000, cpus.reduce((n, cpu) => n + cpu.blocksCompiled, 0)]));
}

if (process.argv[2] === '--one') await bootOnce(Number(process.argv[3]));
else {
  const rounds = Math.max(1, Number(process.argv[2]) || 4);
  const configs = (process.argv[3] ?? `${COMPILE_WORK},${COMPILE_WORK / 2}`).split(',');
  const self = fileURLToPath(import.meta.url);
  const results = new Map<string, number[][]>(configs.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    for (const config of configs) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--one', config], { encoding: 'utf8' });
      results.get(config)!.push(JSON.parse(out.trim().split('\n').pop()!));
    }
  }
  const sorted = (rows: number[][], i: number) => rows.map((row) => row[i]).sort((x, y) => x - y);
  for (const [config, rows] of results) {
    const main = sorted(rows, 0);
    const at = (q: number) => main[Math.floor(main.length * q)].toFixed(0);
    console.log(`${config.padEnd(8)} main thread ${at(0)} / ${at(0.5)} / ${main[main.length - 1].toFixed(0)} ms (min / median / max), process CPU median ${sorted(rows, 1)[rows.length >> 1].toFixed(0)} ms, regions ${[...new Set(sorted(rows, 2))].join('/')}`);
  }
}
