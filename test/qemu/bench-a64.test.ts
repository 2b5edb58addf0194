/**
 * The AArch64 build of the bench kernel (kernels/bench/build/bench-a64.elf) on QEMU raspi3b with
 * semihosting: it prints the same checksum as the rv32 build (bench.elf on virt) and exits 0.
 * `npm run bench` compares it with rvos' run.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuAarch64Available, runQemuRaspi3b } from '../helpers/qemu-aarch64.js';

const BENCH_A64 = fileURLToPath(new URL('../../kernels/bench/build/bench-a64.elf', import.meta.url));

describe('bench-a64.elf on QEMU raspi3b', () => {
  if (!qemuAarch64Available()) {
    it.skip('skipped: needs qemu-system-aarch64', () => {});
    return;
  }
  it('prints the rv32 build\'s checksum through semihosting and exits 0', async () => {
    const r = await runQemuRaspi3b({ kernel: BENCH_A64, timeoutMs: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('bench: 16 rounds of crc32/quicksort/sieve/matmul/fib/divhash\n');
    expect(r.stderr).toContain('checksum 0x37b19614\n');
  });
});
