/**
 * Compares rv32 compile policies in one process, runs interleaved round by round so that every
 * configuration sees the same machine load: the interpreter, and the jit with each `compileWork`
 * (cpu.ts compileBlockAt; COMPILE_WORK by default). Prints per configuration the host ms of each run,
 * the medians of host ms, process CPU ms (all threads: V8 compiles on background threads) and
 * main-thread CPU ms (Linux /proc), and the regions compiled. Not a test (host times vary).
 * Compare compile policies in separate processes (one configuration each): in one process a configuration
 * benefits from regions another one compiled (V8 keeps what it made for the closures of one memoized
 * factory), which once made dropping jit.ts regionKnown look like a gain that it was not.
 *
 *   node --import tsx test/bench/rv32-compile-work.ts os|linux|compute [rounds] [interp,0,524288,...]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaptureBackend } from '../../src/core/chardev.js';
import { startMachine } from '../../src/testing/machine.js';
import { LINUX_RV32_APPEND, LINUX_RV32_FIRMWARE, linuxRv32Build } from '../helpers/linux-rv32.js';
import type { Rv32Cpu } from '../../plugins/arch-rv32/src/cpu.js';
import { stopAtOutput } from './measure.js';
import { threadMs } from './cpu-runs.js';

const kernels = fileURLToPath(new URL('../../kernels/', import.meta.url));
const workload = process.argv[2] ?? 'os';
const rounds = Math.max(1, Number(process.argv[3]) || 4);
const configs = (process.argv[4] ?? 'interp,0,524288').split(',');
const dir = mkdtempSync(join(tmpdir(), 'rvos-compile-work-'));

async function start(engine: 'interp' | 'jit', k: number) {
  if (workload === 'linux') {
    const build = linuxRv32Build();
    if (!build) throw new Error('no rv32 Linux build: scripts/linux-rv32/build.sh');
    const m = await startMachine({ board: 'virt', session: { initrd: build.initrd, engine }, bios: LINUX_RV32_FIRMWARE, kernel: build.image, append: LINUX_RV32_APPEND });
    return { m, stopWhen: 'rvos-init: hello from /init\r\n' };
  }
  if (workload === 'compute') {
    const m = await startMachine({ kernel: join(kernels, 'bench/build/bench.elf'), bios: 'none', session: { engine } });
    (m.session.console as CaptureBackend).endInput();
    return { m, stopWhen: undefined };
  }
  const disk = join(dir, `disk${k}.img`);
  copyFileSync(join(kernels, 'virt/build/disk.img'), disk);
  const m = await startMachine({ board: 'virt', session: { engine }, bios: join(kernels, 'virt/build/firmware.elf'), kernel: join(kernels, 'virt/build/kernel.elf'), drives: [`file=${disk}`] });
  return { m, stopWhen: '\n$ ' };
}

const results = new Map<string, number[][]>();
let k = 0;
try {
  for (let r = 0; r < rounds; r++) {
    for (const config of configs) {
      const engine = config === 'interp' ? 'interp' : 'jit';
      const { m, stopWhen } = await start(engine, k++);
      const cpu = m.machine.cpus[0] as unknown as Rv32Cpu;
      if (engine === 'jit') cpu.compileWork = Number(config);
      if (stopWhen) stopAtOutput(m, stopWhen);
      const c0 = process.cpuUsage();
      const t0 = threadMs();
      const run = await m.machine.run({ maxInsns: 3e9, timeoutMs: 900_000 });
      const u = process.cpuUsage(c0);
      if (!results.has(config)) results.set(config, []);
      results.get(config)!.push([run.hostMs, (u.user + u.system) / 1000, threadMs() - t0, cpu.codeCache.made]);
      await m.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [config, rows] of results) {
  const col = (i: number) => rows.map((row) => row[i]);
  console.log(`${config.padEnd(8)} host ${col(0).map((v) => v.toFixed(0)).join(' ')} | median host ${median(col(0)).toFixed(0)} cpu ${median(col(1)).toFixed(0)} main thread ${median(col(2)).toFixed(0)} ms | regions ${rows[0][3]}`);
}
