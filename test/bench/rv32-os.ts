/**
 * Measures two virt workloads with the block compiler on and off, best of `runs`: the teaching OS
 * (kernels/virt: firmware, S-mode kernel, the scripted shell session on a copy of the disk) and
 * the compute kernel (kernels/bench). Prints guest instructions, host ms, MIPS and blocks compiled.
 * Not a test: host times vary (the OS session's instruction count also varies slightly, with when
 * the typed input arrives).
 *
 *   node --import tsx test/bench/rv32-os.ts [runs]
 *
 * RVOS_BENCH_MODE=interp (or jit) runs only that engine, RVOS_BENCH_WORKLOAD=os (or compute) only
 * that workload (e.g. under `node --cpu-prof`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PROMPT, firmware, imageCopies, kernel, sessionLines, virt } from '../helpers/virt-os.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import { createSession } from '../../src/core/session.js';
import { runMachine } from '../../src/testing/machine.js';
import type { Rv32Cpu } from '../../plugins/arch-rv32/src/cpu.js';

const runs = Math.max(1, Number(process.argv[2]) || 1);
const mode = process.env.RVOS_BENCH_MODE;
const workload = process.env.RVOS_BENCH_WORKLOAD;
const BENCH = fileURLToPath(new URL('../../kernels/bench/build/bench.elf', import.meta.url));
const images = imageCopies('rvos-bench-os-');
const lines = sessionLines(readFileSync(join(virt, 'session.in'), 'latin1'));

/** A board that extends virt with `cpu.jit` set (written once per mode to a temporary file). */
function board(jit: boolean): string {
  const path = join(tmpdir(), `rvos-bench-os-virt-${jit ? 'jit' : 'interp'}.yaml`);
  writeFileSync(path, `extends: virt\nname: virt-${jit ? 'jit' : 'interp'}\ncpu: { isa: rv32imac, mmu: sv32, timebaseFrequency: 10000000, jit: ${jit} }\n`);
  return path;
}

interface Figures {
  ms: number;
  /** Host CPU ms of this process (less disturbed than wall time by other load). */
  cpuMs: number;
  insns: number;
  reason: string;
  blocks: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

async function compute(jit: boolean): Promise<Figures> {
  const c0 = process.cpuUsage();
  const r = await runMachine({ kernel: BENCH, bios: 'none', board: board(jit), maxInsns: 2_000_000_000, timeoutMs: 900_000 });
  if (r.exitCode !== 0) throw new Error(`bench exited with ${r.exitCode}`);
  return { ms: r.hostMs, cpuMs: cpuMsSince(c0), insns: r.instructions, reason: r.reason, blocks: 0 };
}

async function os(jit: boolean): Promise<Figures> {
  const session = await createSession({ board: board(jit), bios: firmware, kernel, drives: [`file=${images.copy()}`], serial: 'capture', config: '/dev/null' });
  const serial = session.console as CaptureBackend;
  let output = '';
  let prompts = 0;
  let sent = 0;
  serial.onOutput((bytes) => {
    output += Buffer.from(bytes).toString('latin1');
    if (!output.endsWith(PROMPT)) return;
    const seen = output.split(PROMPT).length - 1;
    if (seen > prompts) {
      prompts = seen;
      if (sent < lines.length) serial.input(new Uint8Array(Buffer.from(lines[sent++] + '\n', 'latin1')));
    }
  });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = await session.machine.run({ maxInsns: 2_000_000_000, timeoutMs: 300_000 });
  const ms = performance.now() - t0;
  const cpuMs = cpuMsSince(c0);
  const cpu = session.machine.cpus[0] as unknown as Rv32Cpu;
  const insns = session.machine.cpus.reduce((s, c) => s + (c as unknown as Rv32Cpu).retired, 0);
  await session.close();
  if (result.error) throw result.error;
  return { ms, cpuMs, insns, reason: result.reason, blocks: cpu.blocksCompiled };
}

try {
  for (const [name, fn] of [['os', os], ['compute', compute]] as const) {
    if (workload && workload !== name) continue;
    for (const jit of [true, false]) {
      if (mode && mode !== (jit ? 'jit' : 'interp')) continue;
      let best: Figures | undefined;
      for (let i = 0; i < runs; i++) {
        const r = await fn(jit);
        if (!best || r.cpuMs < best.cpuMs) best = r;
      }
      const b = best!;
      const blocks = name === 'os' ? `, ${b.blocks} blocks compiled` : '';
      console.log(`${name.padEnd(7)} ${jit ? 'jit   ' : 'interp'}: ${b.insns} insns in ${b.ms.toFixed(0)} ms (${b.cpuMs.toFixed(0)} ms CPU) = ${(b.insns / b.ms / 1000).toFixed(1)} MIPS (${(b.insns / b.cpuMs / 1000).toFixed(1)} per CPU s)${blocks}, ${b.reason}`);
    }
  }
} finally {
  images.cleanup();
}
