/**
 * `npm run bench`'s i386 rows: the compute kernel built for i386 (build/bench-i386.elf, a Multiboot 1
 * kernel printing on COM1) on rvos' pc board and on QEMU's pc (-kernel), both ending through
 * isa-debug-exit at port 0xf4: main's 0 exits with status (0 << 1) | 1 = 1 (guest-arch.ts).
 */
import { fileURLToPath } from 'node:url';
import { qemuI386Available, QEMU_I386_BINARY, runQemuPc } from '../helpers/qemu-i386.js';
import { engineOptions } from './engine.js';
import type { GuestArch } from './guest-arch.js';
import { runMeasured } from './measure.js';

const benchDir = fileURLToPath(new URL('../../kernels/bench/build/', import.meta.url));

/** isa-debug-exit's status for a guest exit code of 0. */
export const PC_EXIT_OK = 1;

export const i386: GuestArch = {
  board: 'pc',
  arch: 'i386',
  kernels: { compute: benchDir + 'bench-i386.elf' },
  empty: benchDir + 'empty-i386.elf',
  async runRvos(kernel, engine) {
    const r = await runMeasured({ kernel, ...engineOptions('pc', engine) });
    return { ...r, ok: r.exitCode === PC_EXIT_OK, why: `exited with ${r.exitCode} (${r.reason})` };
  },
  cli: (kernel) => ['run', '--board', 'pc', '--kernel', kernel, '--headless'],
  exitOk: PC_EXIT_OK,
  qemuAvailable: qemuI386Available,
  qemuBinary: QEMU_I386_BINARY,
  async runQemu(kernel) {
    const r = await runQemuPc({ kernel, timeoutMs: 300_000 });
    return { output: r.output, ok: r.exitCode === PC_EXIT_OK, why: `exited with ${r.exitCode}\n${r.stderr}` };
  },
};
