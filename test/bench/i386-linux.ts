/**
 * The i386 Linux boot of test/machine/linux-i386.test.ts (scripts/linux-i386's build, to its power-off, `--idle warp`)
 * in this process under the translator: instructions, wall, main-thread and process CPU ms, block calls (I386Cpu.blockRuns), and
 * with `--interpreted` the instructions the interpreter ran (those blocks leave out, code not hot yet, the instruction
 * after a block's exit for a TLB miss) by opcode (prefixes and 0F's second byte included) and by 256-byte stretch of
 * linear address, most first: what to translate next (issue 11: the boot interpreted 8.18 M of its 245 M instructions,
 * 1.65 M after ROL/ROR, 16-bit shifts and straight code). With `--exits`, the block calls by the linear address each
 * returned to the dispatcher at: where the translation leaves its regions (it found half of the boot's 5.1 M returns
 * at 10 addresses of the kernel decompressor's XZ range decoder, whose bit loop jumped into the middle of its own
 * block: 2.96 M calls once jit-wasm.ts joinOf put a block there). With `--timeline`, every 50 ms of the run: the
 * instructions, their MIPS, block calls and wasm modules made, and whether paging is on: the boot's two phases apart
 * (session 38: the decompressor, paging off, 233 M instructions in ~0.9 s at 300-500 MIPS with 2.5 M block calls and
 * ~30 modules; the kernel to /init, paging on, 12 M instructions in ~0.95 s at 5-70 MIPS making ~360 modules, most of
 * the interpreter's and the translator's time; QEMU's first console line comes 0.27 s after its start-up and /init
 * 0.2 s later). RVOS_JIT_WASM=0: the JavaScript regions. Not a test.
 *
 *   node --import tsx test/bench/i386-linux.ts [--interpreted] [--exits] [--timeline] [--top N]
 */
import { CS, type I386Cpu } from '../../plugins/arch-i386/src/cpu.js';
import { wasmRegionStats } from '../../plugins/arch-i386/src/jit-wasm.js';
import { startMachine } from '../../src/testing/machine.js';
import { linuxI386Build, linuxI386Machine } from '../helpers/linux-i386.js';
import { threadMs } from './cpu-runs.js';

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 25;

const build = linuxI386Build();
if (!build) throw new Error('no i386 Linux build (scripts/linux-i386/build.sh --install)');
const options = linuxI386Machine(build);
const m = await startMachine({ ...options, session: { ...options.session, idle: 'warp' } });
const cpu = m.machine.cpus[0] as unknown as I386Cpu;

const byOpcode = new Map<string, number>();
const byStretch = new Map<number, number>();
let interpreted = 0;
if (process.argv.includes('--interpreted')) {
  const ram = cpu.bus.ram;
  /** The byte at linear `lin` (-1 where no RAM is mapped). */
  const byteAt = (lin: number): number => {
    const phys = cpu.debug.translate(BigInt(lin >>> 0), false) - ram.base;
    return phys >= 0 && phys < ram.size ? ram.u8[phys] : -1;
  };
  const step = cpu.step.bind(cpu);
  cpu.step = () => {
    interpreted++;
    const lin = (cpu.segBase[CS] + cpu.eip) >>> 0;
    let at = lin, b = byteAt(at), key = '';
    while (PREFIXES.has(b)) { key += `${b.toString(16)} `; b = byteAt(++at); }
    key += b === 0x0f ? `0f ${byteAt(at + 1).toString(16)}` : b.toString(16);
    byOpcode.set(key, (byOpcode.get(key) ?? 0) + 1);
    byStretch.set(lin >>> 8, (byStretch.get(lin >>> 8) ?? 0) + 1);
    step();
  };
}

// --exits: block calls by the linear address each returned to the dispatcher at (where chaining would go on).
const byExit = new Map<number, number>();
if (process.argv.includes('--exits')) {
  const self = cpu as unknown as { blockRunEnds(): boolean };
  const ends = self.blockRunEnds.bind(cpu);
  self.blockRunEnds = () => {
    const lin = (cpu.segBase[CS] + cpu.eip) >>> 0;
    byExit.set(lin, (byExit.get(lin) ?? 0) + 1);
    return ends();
  };
}

const t0 = performance.now();
const c0 = threadMs();
const u0 = process.cpuUsage();
// --timeline: the run sampled every 50 ms (it yields to the event loop every few ms).
const timeline: string[] = [];
let last = { ms: 0, insns: 0, calls: 0, hops: 0, modules: 0 };
const sample = (): void => {
  const now = { ms: performance.now() - t0, insns: m.machine.instructions, calls: cpu.blockRuns, hops: cpu.chainedRuns, modules: wasmRegionStats.translated };
  const mips = (now.insns - last.insns) / 1000 / Math.max(1, now.ms - last.ms);
  timeline.push(`${now.ms.toFixed(0).padStart(5)} ms ${(now.insns / 1e6).toFixed(1).padStart(6)} M, ${mips.toFixed(0).padStart(4)} MIPS, block calls +${now.calls - last.calls} (chained +${now.hops - last.hops}), modules +${now.modules - last.modules}, paging ${(cpu.cr0 & 0x80000000) !== 0 ? 'on' : 'off'}`);
  last = now;
};
const ticker = process.argv.includes('--timeline') ? setInterval(sample, 50) : undefined;
const run = await m.machine.run({ maxInsns: 5_000_000_000, timeoutMs: 600_000 });
if (ticker !== undefined) {
  clearInterval(ticker);
  sample();
  console.log(timeline.join('\n'));
}
const cpuMs = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(0);
console.log(`${run.instructions} instructions (${run.reason}), wall ${(performance.now() - t0).toFixed(0)} ms, main thread ${(threadMs() - c0).toFixed(0)} ms, process CPU ${cpuMs(process.cpuUsage(u0))} ms (V8's compile threads too), ${cpu.blockRuns} block calls (${cpu.chainedRuns} more chained), ${wasmRegionStats.translated} wasm modules`);
if (byExit.size > 0) {
  const sorted = [...byExit].sort((x, y) => y[1] - x[1]);
  const total = sorted.reduce((n, [, c]) => n + c, 0);
  /** How many of the most returned-to addresses take fraction `q` of the returns. */
  const addressesFor = (q: number) => {
    let acc = 0;
    return sorted.findIndex(([, c]) => (acc += c) >= q * total) + 1;
  };
  console.log(`dispatcher returns ${total} at ${sorted.length} addresses (half at ${addressesFor(0.5)}, 90 % at ${addressesFor(0.9)}); most: ${sorted.slice(0, top).map(([a, n]) => `${a.toString(16)} ${n}`).join(', ')}`);
}
if (interpreted > 0) {
  const most = <K>(map: Map<K, number>, name: (k: K) => string) => [...map].sort((x, y) => y[1] - x[1]).slice(0, top).map(([k, n]) => `${name(k)} ${n}`).join(', ');
  console.log(`interpreted ${interpreted}; by opcode: ${most(byOpcode, (k) => k)}`);
  console.log(`by 256-byte stretch: ${most(byStretch, (k) => (k * 256).toString(16).padStart(8, '0'))}`);
}
