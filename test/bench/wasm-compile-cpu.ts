/**
 * CPU time V8 spends compiling wasm modules as the CLI does (the synchronous `new WebAssembly.Module` with the
 * branch hints flag and no stack checks, V8's defaults otherwise), each directory's modules in a fresh process, the directories alternated round by round so that every one sees the same machine load; prints
 * each directory's median process CPU ms (all threads: the compile joins helper threads) over the rounds.
 * For A/B of module shapes (e.g. a host function imported or called through a table, which decides whether V8
 * compiles an import wrapper per module); dump the modules with i386-profile.ts --dump=DIR or
 * rv32-regions.ts --dump=DIR. Not a test.
 *
 *   node --import tsx test/bench/wasm-compile-cpu.ts [--rounds N] DIR...
 */
import { spawnSync } from 'node:child_process';

const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 5;
const dirs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--rounds');

const child = `
  const { readdirSync, readFileSync } = require('node:fs');
  const dir = process.argv[1];
  const modules = readdirSync(dir).filter((f) => f.endsWith('.wasm')).map((f) => readFileSync(dir + '/' + f));
  const c0 = process.cpuUsage();
  for (const bytes of modules) new WebAssembly.Module(bytes);
  const u = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ n: modules.length, ms: (u.user + u.system) / 1000 }));`;

const ms = new Map<string, number[]>(dirs.map((d) => [d, []]));
const count = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const dir of dirs) {
    const out = spawnSync(process.execPath, ['--experimental-wasm-branch-hinting', '--no-wasm-stack-checks', '-e', child, dir], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`compile child failed: ${out.stderr}`);
    const { n, ms: m } = JSON.parse(out.stdout) as { n: number; ms: number };
    ms.get(dir)!.push(m);
    count.set(dir, n);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const dir of dirs) {
  const v = ms.get(dir)!;
  console.log(`${dir}: ${count.get(dir)} modules, median ${median(v).toFixed(1)} ms CPU (${v.map((x) => x.toFixed(1)).join(' ')})`);
}
