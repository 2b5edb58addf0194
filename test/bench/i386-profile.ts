/**
 * Profiling aid for the i386 engines (not part of `npm run bench`): runs the pc compute kernel (or
 * the pc os boot with `--boot`) under the translator (or `--interp`), at most `--insns N`
 * instructions, and prints instructions, wall and process CPU time (less sensitive than wall time
 * to the other processes of a loaded machine; it includes V8's compiler threads), the main thread's
 * CPU time (without them), and the translated-
 * block calls (dispatches from the run loop, I386Cpu.blockRuns). Run it under
 * `node [--cpu-prof | --trace-deopt] --import tsx test/bench/i386-profile.ts [--interp] [--boot] [--insns N] [--runs N]`.
 * With wasm regions (RVOS_JIT_WASM=1 in this process) it prints the region modules compiled and the wall and
 * process CPU ms of their compiles (the first run's share of V8's synchronous compile) and instantiations. `--dump=DIR`: every
 * region module written to DIR/<k>.wasm, for test/bench/wasm-compile-cpu.ts or `node --print-wasm-code`. `--entries`:
 * per module (in the order made: its bytes, the instructions retired when it was made) the dispatcher's calls of it by
 * the page offset it was entered at, e.g. to see an older region still entered where a newer one covers its code
 * (the calls wrapped: not for timing).
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jitKit } from '../../src/core/jit/index.js';
import { engineOptions } from './engine.js';
import { runMeasured } from './measure.js';
import { threadMs } from './cpu-runs.js';

const kernels = fileURLToPath(new URL('../../kernels/', import.meta.url));
const engine = process.argv.includes('--interp') ? 'interp' : 'jit';
const boot = process.argv.includes('--boot');
/** --insns N: stop after N instructions (a shorter profile). */
const insnsAt = process.argv.indexOf('--insns');
const maxInsns = insnsAt > 0 ? Number(process.argv[insnsAt + 1]) : undefined;
const disk = join(tmpdir(), `i386-profile-${process.pid}.img`);
if (boot) copyFileSync(join(kernels, 'pc/build/disk.img'), disk); // the guest may write its disk
/** This (the main) thread's CPU time in ms: the emulation without V8's compiler threads (Linux). */
/** --runs N: run N times in this process and print each (the bench's compute row is a best of runs, V8's code warm). */
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 1;
const dump = process.argv.find((a) => a.startsWith('--dump='))?.slice('--dump='.length);
if (dump !== undefined) mkdirSync(dump, { recursive: true });
const compiles = { n: 0, wallMs: 0, cpuMs: 0 };
/** --entries: each module's bytes, the retired count at its compile, and its calls by entry offset (instanceFor's wrapper). */
const entries = process.argv.includes('--entries');
const modules = new Map<WebAssembly.Module, { k: number; bytes: number; at: number; calls: Map<number, number> }>();
/** The CPU whose retired count --entries reads (the last one a module was instantiated for). */
let owner: { retired?: number } | null = null;
const instances = { wallMs: 0, cpuMs: 0 };
/** Process CPU ms (all threads; getrusage is exact where the main thread's schedstat moves by scheduler ticks). */
const processMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const compile = jitKit.wasm.compile;
const instanceFor = jitKit.wasm.instanceFor;
jitKit.wasm.instanceFor = (module, cpu, make) =>
  instanceFor(module, cpu, () => {
    const t0 = performance.now(), c0 = processMs();
    const made = make();
    instances.wallMs += performance.now() - t0; instances.cpuMs += processMs() - c0;
    const m = modules.get(module);
    if (m === undefined || typeof made !== 'function') return made;
    owner = cpu as { retired?: number };
    const fn = made as unknown as (eip: number, maxSteps: number, at: number) => number;
    return ((eip: number, maxSteps: number, at: number) => {
      m.calls.set(at, (m.calls.get(at) ?? 0) + 1);
      return fn(eip, maxSteps, at);
    }) as typeof made;
  });
jitKit.wasm.compile = (bytes) => {
  if (dump !== undefined) writeFileSync(join(dump, `${compiles.n}.wasm`), bytes);
  const t0 = performance.now(), c0 = processMs();
  const module = compile(bytes);
  if (entries) modules.set(module, { k: compiles.n, bytes: bytes.length, at: owner?.retired ?? 0, calls: new Map() });
  compiles.n++; compiles.wallMs += performance.now() - t0; compiles.cpuMs += processMs() - c0;
  return module;
};
for (let run = 0; run < runs; run++) {
  const cpu0 = process.cpuUsage(), thread0 = threadMs();
  const r = boot
    ? await runMeasured({ ...engineOptions('pc', engine), drives: [`file=${disk},if=ide,format=raw`], stopWhen: '\n$ ', maxInsns })
    : await runMeasured({ kernel: join(kernels, 'bench/build/bench-i386.elf'), ...engineOptions('pc', engine), maxInsns });
  const cpu = process.cpuUsage(cpu0), cpuS = (cpu.user + cpu.system) / 1e6, threadS = (threadMs() - thread0) / 1000;
  console.log(`${boot ? 'os boot' : 'compute'} ${engine}: ${r.instructions} instructions, ${(r.hostMs / 1000).toFixed(3)} s (process CPU ${cpuS.toFixed(3)} s, main thread ${threadS.toFixed(3)} s), ${(r.instructions / r.hostMs / 1000).toFixed(1)} MIPS, ${r.reason}, cache ${JSON.stringify(r.codeCache)}, ${r.blockRuns} block calls`);
}
if (compiles.n > 0) {
  console.log(`${compiles.n} wasm region modules compiled in ${compiles.wallMs.toFixed(1)} ms (process CPU ${compiles.cpuMs.toFixed(1)} ms), instantiated in ${instances.wallMs.toFixed(1)} ms (${instances.cpuMs.toFixed(1)} ms)`);
}
if (entries) {
  for (const m of modules.values()) {
    const calls = [...m.calls].sort((x, y) => x[0] - y[0]).map(([at, n]) => `${at.toString(16)}:${n}`).join(' ');
    console.log(`module ${m.k}: ${m.bytes} bytes, made at ${m.at} instructions; calls by entry: ${calls}`);
  }
}
if (boot) rmSync(disk);
