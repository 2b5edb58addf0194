/**
 * npm run bench: one table of rvos' speed per board (virt rv32, raspi3b aarch64, pc i386), engine
 * (jit and interp where the CPU has both, engine.ts) and workload:
 * - compute: kernels/bench's compute kernel built for each architecture (guest-arch.ts);
 * - compute code-write: the rv32 kernel with its data in its hot code's page (rv32.ts);
 * - compute installed: the compute kernel in the installed package's `rvos run` (a new process), its wall time less
 *   that of the architecture's empty guest, as QEMU's is taken (installed.ts);
 * - compute paired: the same, rvos and QEMU run in turn in rounds, medians of each round's own differences
 *   (installed.ts pairedSeconds: both under the same load);
 * - os boot: each board's reference kernel from reset to its shell prompt (boot.ts);
 * - os boot cold: the installed package's `rvos run` of that boot in a new process, wall time from launch to the
 *   prompt, against QEMU's from its launch (boot.ts);
 * - linux boot: each board's small Linux 6.1 (scripts/linux-rv32, linux-arm64, linux-i386) from reset to its /init;
 * - linux boot cold: the installed package's `rvos run` of that boot in a new process, wall time from launch to /init,
 *   against QEMU's from its launch (linux-boot.ts);
 * each with guest instructions, host seconds (best of --runs), MIPS, QEMU's seconds for the same
 * workload (where installed; its start-up subtracted) and the rvos/QEMU time ratio, the rv32
 * code cache's size (decoded pages / compiled blocks, Rv32Cpu.codeCache) and the bench process's
 * RSS at the end of the run. First the start-up figures (startup.ts).
 *
 *   npm run bench -- [--runs N] [--json FILE] [--compare OLD.json] [--no-qemu] [--no-rvos]
 *                    [--no-startup] [--no-compute] [--no-code-write] [--no-installed] [--no-boot] [--no-cold] [--no-linux]
 *                    [--no-rv32] [--no-aarch64] [--no-i386]
 *
 * --json FILE writes every figure with the commit, Node version, date and machine; --compare
 * OLD.json prints each row's new/old host-time ratio against such a file. Exit code 1 when a run
 * failed or a checksum differed.
 *
 * Each architecture's rows run in a process of their own (arch-process.ts): V8's type feedback from one
 * architecture's run would otherwise slow the next one's shared code (an interpreted i386 row read 40 s after the
 * rv32 and aarch64 rows, 24 s alone).
 */
import { aarch64 } from './aarch64.js';
import { ARCH_ROWS_FLAG, benchArchInChild, writeArchRows } from './arch-process.js';
import { benchBoot, OS_BOOTS } from './boot.js';
import { benchGuestArch } from './guest-arch.js';
import { i386 } from './i386.js';
import { benchLinuxBoot } from './linux-boot.js';
import { environment, formatComparison, formatHeader, formatStartup, formatTable, writeResults, type BenchResults, type Workload } from './results.js';
import { rv32 } from './rv32.js';
import { benchStartup } from './startup.js';

const argv = process.argv.slice(2);
const valueOf = (flag: string) => {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) {
    console.error(`bench: ${flag} needs a value`);
    process.exit(2);
  }
  return v;
};
const has = (flag: string) => argv.includes(flag);
const runs = Math.max(1, Number(valueOf('--runs') ?? 1) || 1);
const jsonFile = valueOf('--json');
const compareFile = valueOf('--compare');
const rvos = !has('--no-rvos');
const qemu = !has('--no-qemu');

const results: BenchResults = { ...environment(runs), rows: [] };
let failed = false;

// A child run for one architecture (arch-process.ts) writes its rows there and prints no summary.
const rowsFile = valueOf(ARCH_ROWS_FLAG);
if (!has('--no-startup') && !rowsFile) {
  try {
    results.startup = await benchStartup();
    console.log(formatStartup(results.startup));
  } catch (err) {
    failed = true;
    console.log(`start-up: failed: ${(err as Error).message}`);
  }
}

const workloads: Workload[] = [];
if (!has('--no-compute')) workloads.push('compute');
if (!has('--no-code-write')) workloads.push('compute code-write');
const archs = [rv32, aarch64, i386].filter((arch) => !has(`--no-${arch.arch}`));
for (const arch of archs) {
  if (archs.length > 1) {
    const rows = await benchArchInChild(arch.arch, archs.map((a) => a.arch), argv);
    if (rows) results.rows.push(...rows);
    else failed = true;
    continue;
  }
  results.rows.push(...(await benchGuestArch(arch, { runs, rvos, qemu, workloads, installed: rvos && !has('--no-installed') })));
  const board = arch.board as keyof typeof OS_BOOTS;
  if (!has('--no-boot')) results.rows.push(...(await benchBoot(board, { runs, rvos, qemu, cold: !has('--no-cold') })));
  if (!has('--no-linux')) results.rows.push(...(await benchLinuxBoot(board, { runs, rvos, qemu, cold: !has('--no-cold') })));
}

if (rowsFile) {
  writeArchRows(rowsFile, results.rows);
  process.exit(0);
}

console.log(`\n${formatHeader(results)}`);
if (results.startup) console.log(formatStartup(results.startup));
console.log(formatTable(results.rows));
if (results.rows.some((r) => r.error)) failed = true;
if (jsonFile) {
  writeResults(jsonFile, results);
  console.log(`results written to ${jsonFile}`);
}
if (compareFile) {
  try {
    console.log('\n' + formatComparison(compareFile, results));
  } catch (err) {
    failed = true;
    console.log(`compare: cannot read ${compareFile}: ${(err as Error).message}`);
  }
}
process.exitCode = failed ? 1 : 0;
