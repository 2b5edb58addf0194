/**
 * The raspi3b OS boot of `npm run bench` (kernels/raspi3b to its shell prompt) under the interpreter and
 * the translator with each `compileWork` given (cpu.ts compileBlockAt; COMPILE_WORK by default), the
 * configurations in turn round by round so that every one sees the same machine load and V8 state. Prints
 * per configuration, of the run alone (not the machine's set-up): host ms and main-thread CPU ms (Linux
 * /proc; V8's background compiles excluded) as first quartile and median, process CPU ms (all threads)
 * median, and the regions translated per run. For tuning the translator's policy; not a test (host times vary).
 * Configurations that translate the same regions share V8's compiled code in one process (rv32-compile-work.ts):
 * compare those in separate processes; the interpreter against a configuration that translates nothing is fair.
 *
 *   node --import tsx test/bench/a64-os.ts [rounds] [interp,65536,...]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { A64Cpu } from '../../plugins/arch-aarch64/src/cpu.js';
import { COMPILE_WORK } from '../../plugins/arch-aarch64/src/jit.js';
import { startMachine } from '../../src/testing/machine.js';
import { OS_BOOTS, PROMPT } from './boot.js';
import { engineOptions } from './engine.js';
import { stopAtOutput } from './measure.js';
import { threadMs } from './cpu-runs.js';

const rounds = Math.max(1, Number(process.argv[2]) || 8);
const configs = (process.argv[3] ?? `interp,${COMPILE_WORK}`).split(',');
const kernel = join(OS_BOOTS.raspi3b.disk, '../kernel8.img');
const work = mkdtempSync(join(tmpdir(), 'rvos-a64-os-'));
/** Per configuration, per run: host ms, process CPU ms, main-thread CPU ms, regions translated. */
const results = new Map<string, number[][]>();
try {
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    for (const config of configs) {
      const engine = config === 'interp' ? 'interp' : 'jit';
      const disk = join(work, `sd-${k++}.img`);
      copyFileSync(OS_BOOTS.raspi3b.disk, disk);
      const m = await startMachine({ ...engineOptions('raspi3b', engine, { semihosting: true, semihostingOut: () => {} }), kernel, drives: [`file=${disk},if=sd,format=raw`] });
      const cpus = m.machine.cpus as unknown as A64Cpu[];
      if (engine === 'jit') for (const cpu of cpus) cpu.compileWork = Number(config);
      stopAtOutput(m, PROMPT);
      const c0 = process.cpuUsage();
      const t0 = threadMs();
      const run = await m.machine.run({ maxInsns: 3e9, timeoutMs: 900_000 });
      const main = threadMs() - t0;
      const u = process.cpuUsage(c0);
      if (run.reason !== 'stopped') throw new Error(`${config}: ${run.reason}`);
      if (!results.has(config)) results.set(config, []);
      results.get(config)!.push([run.hostMs, (u.user + u.system) / 1000, main, cpus[0].blocksCompiled]);
      await m.close();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const at = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.floor(a.length * q)];
for (const [config, rows] of results) {
  const col = (i: number) => rows.map((row) => row[i]);
  const f = (i: number) => `${at(col(i), 0.25).toFixed(1)} / ${at(col(i), 0.5).toFixed(1)}`;
  console.log(`${config.padEnd(8)} host ${f(0)} ms, main thread ${f(2)} ms (q1 / median), process CPU median ${at(col(1), 0.5).toFixed(1)} ms, regions ${[...new Set(col(3))].join('/')}`);
}
