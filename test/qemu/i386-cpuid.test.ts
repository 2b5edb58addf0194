/**
 * kernels/tests-i386/build/cpuid.elf (every CPUID leaf a kernel reads) on QEMU's pc with `-cpu
 * qemu32` less the features rvos lacks (QEMU_CPU_AS_RVOS): its COM1 output must be the committed
 * kernels/tests-i386/cpuid.expected, which test/machine/i386-cpuid.test.ts compares rvos' with.
 * `RVOS_RECORD=1` rewrites the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { QEMU_CPU_AS_RVOS, qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';

const dir = fileURLToPath(new URL('../../kernels/tests-i386/', import.meta.url));

describe('i386 CPUID test on QEMU pc', () => {
  if (!qemuI386Available()) {
    it.skip('skipped: needs qemu-system-i386', () => {});
    return;
  }
  it(`prints the committed leaves with -cpu ${QEMU_CPU_AS_RVOS}`, async () => {
    const r = await runQemuPc({ kernel: `${dir}build/cpuid.elf`, args: ['-cpu', QEMU_CPU_AS_RVOS], timeoutMs: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    if (process.env.RVOS_RECORD) writeFileSync(`${dir}cpuid.expected`, r.output);
    expect(r.output).toBe(readFileSync(`${dir}cpuid.expected`, 'latin1'));
  });
});
