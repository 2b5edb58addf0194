/**
 * kernels/tests-i386/build/alu.elf (the i386 ALU/flags differential test, Multiboot 1) on QEMU's pc with
 * -kernel: its COM1 output must be the committed kernels/tests-i386/alu.expected, which
 * test/machine/i386-alu.test.ts compares rvos' output with. `RVOS_RECORD=1` rewrites the file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';

const dir = fileURLToPath(new URL('../../kernels/tests-i386/', import.meta.url));

describe('i386 ALU/flags test on QEMU pc', () => {
  if (!qemuI386Available()) {
    it.skip('skipped: needs qemu-system-i386', () => {});
    return;
  }
  it('prints the committed checksum lines on COM1 and exits through isa-debug-exit', async () => {
    const r = await runQemuPc({ kernel: `${dir}build/alu.elf`, timeoutMs: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    if (process.env.RVOS_RECORD) writeFileSync(`${dir}alu.expected`, r.output);
    expect(r.output).toBe(readFileSync(`${dir}alu.expected`, 'latin1'));
  });
});
