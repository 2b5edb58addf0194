/**
 * `npm run bench`'s AArch64 rows: the same compute kernel as the RISC-V bench (kernels/bench/bench.c)
 * built for AArch64 (build/bench-a64.elf, ~380 M instructions), on rvos and on QEMU's raspi3b, and
 * the rvos/QEMU time ratio (guest-arch.ts). The kernel prints and exits through Arm semihosting, so it
 * needs no devices beyond the board's; both run it on raspi3b (`rvos run --board raspi3b
 * --semihosting`, QEMU `-M raspi3b -semihosting`): an ELF starts all four cores at EL3 there, and
 * cores 1-3 park in WFI.
 */
import { fileURLToPath } from 'node:url';
import { qemuAarch64Available, QEMU_AARCH64_BINARY, runQemuRaspi3b } from '../helpers/qemu-aarch64.js';
import { engineOptions, type Engine } from './engine.js';
import type { GuestArch } from './guest-arch.js';
import { runMeasured } from './measure.js';

const benchDir = fileURLToPath(new URL('../../kernels/bench/build/', import.meta.url));
export const BENCH_A64 = benchDir + 'bench-a64.elf';

/** One run of the AArch64 bench kernel on rvos, its semihosting output collected. */
export async function runRvosAarch64(kernel: string, engine: Engine = 'interp') {
  let semihosted = '';
  const r = await runMeasured({
    kernel,
    ...engineOptions('raspi3b', engine, { semihosting: true, semihostingOut: (bytes) => (semihosted += Buffer.from(bytes).toString('latin1')) }),
    maxInsns: 2_000_000_000,
  });
  return { ...r, semihosted };
}

export const aarch64: GuestArch = {
  board: 'raspi3b',
  arch: 'aarch64',
  kernels: { compute: BENCH_A64 },
  empty: benchDir + 'empty-a64.elf',
  async runRvos(kernel, engine) {
    const r = await runRvosAarch64(kernel, engine);
    return { ...r, output: r.semihosted, ok: r.exitCode === 0, why: `exited with ${r.exitCode} (${r.reason})` };
  },
  cli: (kernel) => ['run', '--board', 'raspi3b', '--semihosting', '--kernel', kernel, '--headless'],
  exitOk: 0,
  qemuAvailable: qemuAarch64Available,
  qemuBinary: QEMU_AARCH64_BINARY,
  async runQemu(kernel) {
    const r = await runQemuRaspi3b({ kernel, timeoutMs: 300_000 });
    // QEMU's semihosting console is its stderr.
    return { output: r.stderr, ok: r.exitCode === 0, why: `exited with ${r.exitCode}\n${r.stderr}` };
  },
};
