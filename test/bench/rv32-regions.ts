/**
 * Which compiled rv32 regions the compute kernel spends its calls in: runs a kernel under the jit
 * with every region function wrapped in a counter, then prints the regions that ran the most guest
 * steps (calls from execute(), steps per call, host ms inside the region and its MIPS, the most
 * frequent exit pcs) and, with `--source`, their generated JavaScript. Wasm regions (the default
 * where RAM is a wasm memory: RVOS_JIT_WASM) are counted the same way, through the kit's instanceFor,
 * with the host time spent generating, compiling and instantiating their modules (the first run's
 * costs besides Liftoff code). The wrapper slows the run down; the counts are exact, the times a
 * guide. For working on the block compiler; not a test. `os` or `linux` instead of a kernel: the boot rows of `npm run bench`
 * (the virt OS to its prompt, the rv32 Linux to /init), with the instructions retired when each region
 * was compiled (`at`): what the hotness policy (cpu.ts compileBlockAt) decided for a boot.
 * `--dump=DIR`: the top regions' wasm modules written to DIR/<entry pc>.wasm (for `node --print-wasm-code`).
 * `--turbofan`: each wasm region's module compiled again by TurboFan alone in a child process (one thread,
 * no Liftoff, median CPU ms of 7 compiles): how long the first run waits for a region's optimized code,
 * measured by CPU time, so that it is comparable on a loaded machine where the wall figures are not.
 *
 *   node --import tsx test/bench/rv32-regions.ts [kernel.elf|os|linux] [top] [--source] [--turbofan] [--dump=DIR]
 *   RVOS_JIT_WASM=1 node --import tsx test/bench/rv32-regions.ts          (wasm regions in this process)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMachine, type TestMachine } from '../../src/testing/machine.js';
import { LINUX_RV32_APPEND, LINUX_RV32_FIRMWARE, linuxRv32Build } from '../helpers/linux-rv32.js';
import { OS_BOOTS, PROMPT } from './boot.js';
import { stopAtOutput } from './measure.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { JitKit } from '../../src/core/api.js';
import type { Rv32Cpu } from '../../plugins/arch-rv32/src/cpu.js';
import type { BlockFn } from '../../plugins/arch-rv32/src/jit.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const kernel = args[0] ?? fileURLToPath(new URL('../../kernels/bench/build/bench.elf', import.meta.url));
const top = Number(args[1]) || 15;
const showSource = process.argv.includes('--source');
const turbofan = process.argv.includes('--turbofan');
const dump = process.argv.find((a) => a.startsWith('--dump='))?.slice('--dump='.length);

interface Stat {
  /** Virtual pc of the region's entry. */
  pc: number;
  calls: number;
  steps: number;
  /** Host ms inside the region's function (the wrapper's performance.now() calls included). */
  ms: number;
  exits: Map<number, number>;
  source: string;
  /** Instructions retired when the region was compiled (as of the running slice's start). */
  at: number;
  /** A wasm region's module. */
  module?: Uint8Array;
}
const stats: Stat[] = [];

const work = mkdtempSync(join(tmpdir(), 'rvos-regions-'));
async function start(): Promise<TestMachine> {
  if (kernel === 'os') {
    const disk = join(work, 'disk.img');
    copyFileSync(OS_BOOTS.virt.disk, disk);
    const kernels = fileURLToPath(new URL('../../kernels/virt/build/', import.meta.url));
    const os = await startMachine({ board: 'virt', session: { engine: 'jit' }, bios: join(kernels, 'firmware.elf'), kernel: join(kernels, 'kernel.elf'), drives: [`file=${disk}`] });
    stopAtOutput(os, PROMPT);
    return os;
  }
  if (kernel === 'linux') {
    const build = linuxRv32Build();
    if (!build) throw new Error('no rv32 Linux build: scripts/linux-rv32/build.sh');
    const linux = await startMachine({ board: 'virt', session: { initrd: build.initrd, engine: 'jit' }, bios: LINUX_RV32_FIRMWARE, kernel: build.image, append: LINUX_RV32_APPEND });
    stopAtOutput(linux, 'rvos-init: hello from /init\r\n');
    return linux;
  }
  const bare = await startMachine({ kernel, bios: 'none', session: { engine: 'jit' } });
  (bare.session.console as CaptureBackend).endInput();
  return bare;
}
const m = await start();
const cpu = m.machine.cpus[0] as unknown as Rv32Cpu;
const kit = cpu.kit;
const factory = <F extends (...a: never[]) => unknown>(params: readonly string[], source: string): F => {
  const make = kit.factory<(...a: unknown[]) => BlockFn>(params, source);
  return ((...a: unknown[]) => {
    return counted(make(...a), source);
  }) as unknown as F;
};

/** `fn` counting its calls, steps, host time and exits into a new Stat. */
function counted(fn: BlockFn, source: string): BlockFn {
  const stat: Stat = { pc: -1, calls: 0, steps: 0, ms: 0, exits: new Map(), source, at: cpu.retired };
  stats.push(stat);
  return (pc0: number, n0: number, max: number, blk0: number) => {
    const t0 = performance.now();
    const r = fn(pc0, n0, max, blk0);
    stat.ms += performance.now() - t0;
    if (stat.pc === -1) stat.pc = pc0 >>> 0;
    stat.calls++;
    stat.steps += r;
    const npc = cpu.npc >>> 0;
    stat.exits.set(npc, (stat.exits.get(npc) ?? 0) + 1);
    return r;
  };
}

/** Host ms of the wasm regions' making: generating (code() to compile()), compiling, instantiating. */
const making = { generate: 0, compile: 0, instantiate: 0, bytes: 0 };
let generating = 0;
/** The module compiled last (the one instantiated next). */
let moduleBytes: Uint8Array = new Uint8Array(0);
const wasm: JitKit['wasm'] = {
  ...kit.wasm,
  code: (params, results) => {
    generating = performance.now();
    return kit.wasm.code(params, results);
  },
  compile: (bytes) => {
    const t0 = performance.now();
    making.generate += t0 - generating;
    making.bytes += bytes.length;
    moduleBytes = bytes;
    const module = kit.wasm.compile(bytes);
    making.compile += performance.now() - t0;
    return module;
  },
  instanceFor: <T>(module: WebAssembly.Module, owner: object, make: () => T): T =>
    kit.wasm.instanceFor(module, owner, () => {
      const t0 = performance.now();
      const fn = make() as unknown as BlockFn;
      making.instantiate += performance.now() - t0;
      const counter = counted(fn, `(a wasm module of ${moduleBytes.length} bytes)`);
      stats[stats.length - 1].module = moduleBytes;
      return counter as unknown as T;
    }),
};
(cpu as { kit: JitKit }).kit = { ...kit, factory, wasm };

const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 900_000 });
let calls = 0;
let steps = 0;
let size = 0;
for (const s of stats) {
  calls += s.calls;
  steps += s.steps;
  size += s.source.length;
}
let ms = 0;
for (const s of stats) ms += s.ms;
const wasmRegions = cpu.wasm !== null;
const made = wasmRegions ? `${(making.bytes / 1024).toFixed(0)} KiB of wasm` : `${(size / 1024).toFixed(0)} KiB of source`;
console.log(`${r.reason} ${r.instructions} insns; ${stats.length} regions (${made}), ${calls} calls, ${steps} steps in regions (${((100 * steps) / r.instructions).toFixed(1)} %), ${(steps / calls).toFixed(1)} steps/call, ${ms.toFixed(0)} ms in them`);
if (wasmRegions) console.log(`wasm modules made in ${(making.generate + making.compile + making.instantiate).toFixed(1)} ms: generate ${making.generate.toFixed(1)}, compile ${making.compile.toFixed(1)}, instantiate ${making.instantiate.toFixed(1)}`);
stats.sort((a, b) => b.steps - a.steps);
const tfMs = turbofan ? turbofanMs(stats.map((s) => s.module ?? new Uint8Array(0))) : [];
if (turbofan) console.log(`TurboFan alone: ${tfMs.reduce((a, b) => a + b, 0).toFixed(1)} ms CPU for all ${stats.length} modules`);
stats.forEach((s, k) => {
  if (k >= top) return;
  const exits = [...s.exits].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([pc, n]) => `${pc.toString(16)}x${n}`).join(' ');
  const mips = (s.steps / Math.max(s.ms, 1e-3) / 1000).toFixed(0);
  const tf = turbofan ? ` TurboFan ${tfMs[k].toFixed(1)} ms` : '';
  console.log(`${s.pc.toString(16).padStart(8)} steps ${String(s.steps).padStart(10)} calls ${String(s.calls).padStart(8)} steps/call ${(s.steps / Math.max(1, s.calls)).toFixed(1).padStart(7)} ms ${s.ms.toFixed(1).padStart(6)} (${mips.padStart(4)} MIPS)${tf} at ${s.at} exits ${exits}`);
  if (showSource) console.log(s.source, '\n');
  if (dump !== undefined && s.module !== undefined) writeFileSync(join(dump, `${s.pc.toString(16)}.wasm`), s.module);
});
await m.close();
rmSync(work, { recursive: true, force: true });

/**
 * CPU ms of TurboFan compiling each module (median of 7), in a child process with one thread and no Liftoff.
 * A custom section that differs per compile keeps V8 from reusing the code of an equal module.
 */
function turbofanMs(modules: Uint8Array[]): number[] {
  const child = `
    const modules = JSON.parse(require('fs').readFileSync(0, 'utf8')).map((b) => Buffer.from(b, 'base64'));
    let salt = 0;
    const out = modules.map((bytes) => {
      if (bytes.length === 0) return 0;
      const ms = [];
      for (let i = 0; i < 7; i++) {
        const b = new Uint8Array(bytes.length + 7);
        b.set(bytes);
        salt++;
        b.set([0, 5, 1, 115, salt & 0x7f, (salt >> 7) & 0x7f, (salt >> 14) & 0x7f], bytes.length);
        const c0 = process.cpuUsage();
        new WebAssembly.Module(b);
        const u = process.cpuUsage(c0);
        ms.push((u.user + u.system) / 1000);
      }
      return ms.sort((p, q) => p - q)[3];
    });
    process.stdout.write(JSON.stringify(out));`;
  const flags = ['--experimental-wasm-branch-hinting', '--no-liftoff', '--no-wasm-lazy-compilation', '--single-threaded', '-e', child];
  const r = spawnSync(process.execPath, flags, { input: JSON.stringify(modules.map((b) => Buffer.from(b).toString('base64'))), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`TurboFan child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}
