/**
 * The i386 ALU/flags differential test (kernels/tests-i386/alu.c) on rvos' pc board: every instruction
 * class at 8/16/32 bits over edge operands and flag inputs must give QEMU 7.2's checksum lines
 * (alu.expected, checked on QEMU by test/qemu/i386-alu.test.ts), defined flags and undefined ones alike.
 * On a mismatch, `make -C kernels/tests-i386 verbose` builds alu-verbose.elf, whose per-case lines on
 * both emulators diff to the failing operands.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine } from '../../src/testing/machine.js';

const dir = join(import.meta.dirname, '../../kernels/tests-i386');

describe('pc: the i386 ALU/flags test', () => {
  it("alu.elf prints QEMU's checksum lines and exits through isa-debug-exit with 1", async () => {
    const r = await runMachine({ board: 'pc', kernel: join(dir, 'build/alu.elf'), maxInsns: 2_000_000_000, timeoutMs: 120_000 });
    expect(r.output).toBe(readFileSync(join(dir, 'alu.expected'), 'latin1'));
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
  }, 130_000);
});
