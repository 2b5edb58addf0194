/**
 * The i386 CPUID test (kernels/tests-i386/cpuid.c) on rvos' pc board: every leaf must be what QEMU 7.2's
 * qemu32 reports with the features rvos lacks switched off (cpuid.expected, checked on QEMU by
 * test/qemu/i386-cpuid.test.ts): vendor, family/model, feature bits, cache leaves, brand string, the
 * hypervisor leaf and the answers past each range's maximum.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine } from '../../src/testing/machine.js';

const dir = join(import.meta.dirname, '../../kernels/tests-i386');

describe('pc: the i386 CPUID test', () => {
  it("cpuid.elf prints QEMU's leaves and exits through isa-debug-exit with 1", async () => {
    const r = await runMachine({ board: 'pc', kernel: join(dir, 'build/cpuid.elf'), maxInsns: 50_000_000, timeoutMs: 60_000 });
    expect(r.output).toBe(readFileSync(join(dir, 'cpuid.expected'), 'latin1'));
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
  }, 70_000);
});
