/**
 * Which compiled rv32 regions the compute kernel spends its calls in: runs a kernel under the jit
 * with every region function wrapped in a counter, then prints the hottest regions (calls, guest
 * steps per call, distinct exit pcs) and, with `--source`, their generated JavaScript. The wrapper
 * slows the run down; the counts are exact. For working on the block compiler; not a test.
 *
 *   node --import tsx test/bench/rv32-regions.ts [kernel.elf] [top] [--source]
 */
import { fileURLToPath } from 'node:url';
import { startMachine } from '../../src/testing/machine.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import { Rv32Cpu } from '../../plugins/arch-rv32/src/cpu.js';
import { Block, generateRegion, scanRegion } from '../../plugins/arch-rv32/src/jit.js';

const args = process.argv.slice(2).filter((a) => a !== '--source');
const kernel = args[0] ?? fileURLToPath(new URL('../../kernels/bench/build/bench.elf', import.meta.url));
const top = Number(args[1]) || 15;
const showSource = process.argv.includes('--source');

interface Stat {
  pc: number;
  calls: number;
  steps: number;
  exits: Map<number, number>;
  source: string;
}
const stats: Stat[] = [];

const original = Rv32Cpu.prototype.compileBlockAt;
Rv32Cpu.prototype.compileBlockAt = function (this: Rv32Cpu, code: Int32Array, idx: number) {
  const heat = Int16Array.from((this as unknown as { fetchHeat: Int16Array }).fetchHeat);
  const block = original.call(this, code, idx);
  if (block === undefined || block.fn === null) return block;
  const fn = block.fn;
  const cpu = this;
  const stat: Stat = { pc: ((this.fetchVpn << 12) | idx) >>> 0, calls: 0, steps: 0, exits: new Map(), source: '' };
  const blocks = scanRegion(this, code, idx, heat);
  stat.source = generateRegion(block.len === blocks[0].insns.length && blocks.length > 1 && !showSource ? blocks : blocks);
  stats.push(stat);
  const wrapped = new Block((pc0, n0, max) => {
    const r = fn(pc0, n0, max);
    stat.calls++;
    stat.steps += r;
    stat.exits.set(cpu.npc >>> 0, (stat.exits.get(cpu.npc >>> 0) ?? 0) + 1);
    return r;
  }, block.len);
  return wrapped;
};

const m = await startMachine({ kernel, bios: 'none', session: { engine: 'jit' } });
(m.session.console as CaptureBackend).endInput();
const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 900_000 });
let calls = 0;
let steps = 0;
for (const s of stats) {
  calls += s.calls;
  steps += s.steps;
}
console.log(`${r.reason} ${r.instructions} insns; ${stats.length} regions, ${calls} calls, ${steps} steps in regions (${((100 * steps) / r.instructions).toFixed(1)} %), ${(steps / calls).toFixed(1)} steps/call`);
stats.sort((a, b) => b.steps - a.steps);
for (const s of stats.slice(0, top)) {
  const exits = [...s.exits].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([pc, n]) => `${pc.toString(16)}x${n}`).join(' ');
  console.log(`${s.pc.toString(16).padStart(8)} steps ${String(s.steps).padStart(10)} calls ${String(s.calls).padStart(10)} steps/call ${(s.steps / Math.max(1, s.calls)).toFixed(1).padStart(7)} exits ${exits}`);
  if (showSource) console.log(s.source, '\n');
}
await m.close();
