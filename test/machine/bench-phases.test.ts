/**
 * The compute kernel's builds of one kernel each (kernels/bench/bench.c PHASES, test/bench/bench-phases.ts, which
 * test/bench/phases.ts times): the sieve alone computes the full kernel's sieve checksum (it uses no random
 * numbers) and the skipped kernels print 0; the default build is all six (bench.elf's checksum, QEMU's too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine } from '../../src/testing/machine.js';
import { buildPhases, canBuildPhases, PHASES } from '../bench/bench-phases.js';

describe('kernels/bench PHASES builds', () => {
  it('are the six kernels by bit, in the order of the rounds', () => {
    expect(PHASES.map(([, bit]) => bit)).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it.skipIf(!canBuildPhases())('the sieve alone prints the full kernel\'s sieve line and 0 for the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-bench-phases-'));
    try {
      const r = await runMachine({ kernel: buildPhases(4, dir), bios: 'none', session: { engine: 'jit' }, maxInsns: 400_000_000, timeoutMs: 60_000 });
      expect(r.exitCode).toBe(0);
      const out = r.output.replaceAll('\r', '');
      expect(out).toContain('sieve   0x733afe1f\n'); // as kernels/bench/build/bench.elf prints it, here and on QEMU
      for (const other of ['crc32  ', 'sort   ', 'matmul ', 'fib    ', 'divhash']) expect(out).toContain(`${other} 0x00000000\n`);
      expect(out).toContain('checksum 0x733afe1f\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
