/**
 * `npm run bench`'s AArch64 set-up on rvos: raspi3b runs an ELF from kernels/bench on four cores at
 * EL3 with semihosting (cores 1-3 park in WFI), and its SYS_EXIT ends the run. empty-a64.elf
 * (the bench's start-up and exit path, the same start.S and semihost.c as bench-a64.elf) stands in
 * for the bench itself, which takes seconds.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runRvosAarch64 } from '../bench/aarch64.js';

const EMPTY_A64 = fileURLToPath(new URL('../../kernels/bench/build/empty-a64.elf', import.meta.url));

describe('AArch64 bench on raspi3b', () => {
  it('runs empty-a64.elf to its semihosting exit with code 0', async () => {
    const r = await runRvosAarch64(EMPTY_A64);
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(0);
    expect(r.semihosted).toBe('');
    expect(r.instructions).toBeGreaterThan(50);
    expect(r.instructions).toBeLessThan(1000);
  });
});
