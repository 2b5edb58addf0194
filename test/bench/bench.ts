/**
 * npm run bench: runs the compute-bound guest (kernels/bench/build/bench.elf, ~500 M instructions)
 * on rvos (with the block compiler, then the interpreter alone) and prints guest instructions, host
 * seconds and MIPS. When qemu-system-riscv32 is installed, runs the same guest on QEMU (wall time
 * minus QEMU's start-up time, measured with kernels/bench/build/empty.elf) and prints the
 * rvos/QEMU time ratio (rvos with the block compiler). First, the start-up figures (startup.ts):
 * `rvos --version` and a bare-metal hello round trip, as the installed package runs. Last, the
 * same compute kernel built for AArch64 on rvos and QEMU's raspi3b (aarch64.ts), and for i386 on
 * the pc boards (i386.ts).
 *
 *   node --import tsx test/bench/bench.ts [--runs N] [--no-qemu] [--no-rvos] [--no-startup]
 *                                         [--no-rv32] [--no-aarch64] [--no-i386]
 */
import { fileURLToPath } from 'node:url';
import { qemuAvailable, runQemu } from '../helpers/qemu.js';
import { runRvos } from '../helpers/rvos.js';
import { aarch64 } from './aarch64.js';
import { benchGuestArch, checksumOf } from './guest-arch.js';
import { i386 } from './i386.js';
import { benchStartup } from './startup.js';

const benchDir = fileURLToPath(new URL('../../kernels/bench/build/', import.meta.url));
const BENCH = benchDir + 'bench.elf';
const EMPTY = benchDir + 'empty.elf';
/** virt with `cpu.jit: false`. */
const INTERPRETER_BOARD = fileURLToPath(new URL('./virt-interpreter.yaml', import.meta.url));

const argv = process.argv.slice(2);
const runsArg = argv.indexOf('--runs');
const runs = runsArg >= 0 ? Math.max(1, Number(argv[runsArg + 1]) || 1) : 1;
const skipQemu = argv.includes('--no-qemu');
const skipRvos = argv.includes('--no-rvos');
const skipRv32 = argv.includes('--no-rv32');

const fmt = (n: number, digits = 2) => n.toFixed(digits);

let failed = false;

if (!argv.includes('--no-startup')) {
  try {
    await benchStartup();
  } catch (err) {
    failed = true;
    console.log(`start-up: failed: ${(err as Error).message}`);
  }
}
let rvosSeconds: number | undefined;
let rvosInsns: number | undefined;
let rvosChecksum: string | undefined;

/** Best of `runs` runs of the bench kernel on `board`; prints one line labelled `label`. */
async function benchRvos(label: string, board: string) {
  let best: Awaited<ReturnType<typeof runRvos>> | undefined;
  for (let i = 0; i < runs; i++) {
    const r = await runRvos({ kernel: BENCH, bios: 'none', board, maxInsns: 2_000_000_000, timeoutMs: 900_000 });
    if (r.exitCode !== 0) throw new Error(`bench exited with ${r.exitCode}; output:\n${r.output}`);
    if (!best || r.hostMs < best.hostMs) best = r;
  }
  const seconds = best!.hostMs / 1000;
  const checksum = checksumOf(best!.output);
  console.log(`${label} ${best!.instructions} guest instructions in ${fmt(seconds, 3)} s host time = ${fmt(best!.instructions / seconds / 1e6, 1)} MIPS (checksum ${checksum ?? '?'})`);
  return { seconds, instructions: best!.instructions, checksum };
}

if (!skipRvos && !skipRv32) {
  try {
    const r = await benchRvos('rvos: ', 'virt');
    rvosSeconds = r.seconds;
    rvosInsns = r.instructions;
    rvosChecksum = r.checksum;
    // The same board with the block compiler off: what the interpreter alone does.
    const interp = await benchRvos('rvos (interpreter only):', INTERPRETER_BOARD);
    if (interp.checksum !== rvosChecksum) throw new Error(`interpreter checksum ${interp.checksum} differs from ${rvosChecksum}`);
  } catch (err) {
    failed = true;
    console.log(`rvos:  failed: ${(err as Error).message}`);
  }
}

if (skipQemu || skipRv32) {
  // nothing
} else if (!qemuAvailable()) {
  console.log('qemu:  qemu-system-riscv32 not installed, no comparison');
} else {
  const minWall = async (kernel: string, n: number) => {
    let best = Infinity;
    let output = '';
    for (let i = 0; i < n; i++) {
      const r = await runQemu({ kernel, timeoutMs: 300_000 });
      if (r.exitCode !== 0) throw new Error(`QEMU: ${kernel} exited with ${r.exitCode}\n${r.stderr}`);
      if (r.wallMs < best) best = r.wallMs;
      output = r.output;
    }
    return { ms: best, output };
  };
  try {
    const startup = await minWall(EMPTY, 5);
    const bench = await minWall(BENCH, Math.max(3, runs));
    const qemuSeconds = Math.max(bench.ms - startup.ms, 1) / 1000;
    const qemuChecksum = checksumOf(bench.output);
    const insns = rvosInsns;
    console.log(
      `qemu:  ${fmt(bench.ms / 1000, 3)} s wall - ${fmt(startup.ms / 1000, 3)} s start-up = ${fmt(qemuSeconds, 3)} s` +
        (insns ? ` = ${fmt(insns / qemuSeconds / 1e6, 1)} MIPS` : '') +
        ` (checksum ${qemuChecksum ?? '?'})`,
    );
    if (rvosChecksum && qemuChecksum && rvosChecksum !== qemuChecksum) {
      failed = true;
      console.log(`checksum mismatch: rvos ${rvosChecksum}, QEMU ${qemuChecksum}`);
    }
    if (rvosSeconds !== undefined) console.log(`ratio: rvos/QEMU time = ${fmt(rvosSeconds / qemuSeconds, 1)}x`);
  } catch (err) {
    failed = true;
    console.log(`qemu:  failed: ${(err as Error).message}`);
  }
}

for (const arch of [aarch64, i386]) {
  if (!argv.includes(`--no-${arch.name}`) && !(await benchGuestArch(arch, { runs, rvos: !skipRvos, qemu: !skipQemu }))) failed = true;
}

process.exitCode = failed ? 1 : 0;
