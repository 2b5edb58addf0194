/**
 * `npm run bench`'s rv32 rows: the compute kernel (build/bench.elf, ~500 M instructions) and its
 * code-write variant (build/bench-shared.elf: its data in its hot code's page, link-shared.ld) on
 * virt with `--bios none`, with the block compiler and with the interpreter alone, and on QEMU's
 * virt (test/helpers/qemu.ts); both power off through sifive_test with exit code 0.
 */
import { fileURLToPath } from 'node:url';
import { qemuAvailable, QEMU_BINARY, runQemu } from '../helpers/qemu.js';
import { engineOptions } from './engine.js';
import type { GuestArch } from './guest-arch.js';
import { runMeasured } from './measure.js';

const benchDir = fileURLToPath(new URL('../../kernels/bench/build/', import.meta.url));

export const rv32: GuestArch = {
  board: 'virt',
  arch: 'rv32',
  kernels: { compute: benchDir + 'bench.elf', 'compute code-write': benchDir + 'bench-shared.elf' },
  empty: benchDir + 'empty.elf',
  async runRvos(kernel, engine) {
    const r = await runMeasured({ kernel, bios: 'none', ...engineOptions('virt', engine) });
    return { ...r, ok: r.exitCode === 0, why: `exited with ${r.exitCode} (${r.reason})` };
  },
  cli: (kernel) => ['run', '--board', 'virt', '--bios', 'none', '--kernel', kernel, '--headless'],
  exitOk: 0,
  qemuAvailable,
  qemuBinary: QEMU_BINARY,
  async runQemu(kernel) {
    const r = await runQemu({ kernel, timeoutMs: 300_000 });
    return { output: r.output, ok: r.exitCode === 0, why: `exited with ${r.exitCode}\n${r.stderr}` };
  },
};
