/**
 * The i386 build of the bench kernel (kernels/bench/build/bench-i386.elf, Multiboot 1) on QEMU's pc
 * with -kernel: it prints the rv32 build's checksum on COM1 and exits through isa-debug-exit with
 * status 1 (main's 0). `npm run bench` compares it with rvos' run.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';

const BENCH_I386 = fileURLToPath(new URL('../../kernels/bench/build/bench-i386.elf', import.meta.url));

describe('bench-i386.elf on QEMU pc', () => {
  if (!qemuI386Available()) {
    it.skip('skipped: needs qemu-system-i386', () => {});
    return;
  }
  it("prints the rv32 build's checksum on COM1 and exits through isa-debug-exit", async () => {
    const r = await runQemuPc({ kernel: BENCH_I386, timeoutMs: 60_000 });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('bench: 16 rounds of crc32/quicksort/sieve/matmul/fib/divhash\n');
    expect(r.output).toContain('checksum 0x37b19614\n');
  });
});
