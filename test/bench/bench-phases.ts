/**
 * Builds of the compute kernel (kernels/bench/bench.c) that run some of its kernels only (its PHASES bits), for timing
 * them apart (phases.ts). Built for rv32, aarch64 or i386 through kernels/bench's Makefile (its flags, its start-up
 * objects) into a folder of the caller's: the Makefile's B, with `-DPHASES=bits` as EXTRA_CFLAGS. Needs clang and
 * ld.lld.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('../../kernels/bench/', import.meta.url));

/** bench.c's kernels and their PHASES bits, in the order each round runs them. */
export const PHASES: readonly (readonly [string, number])[] = [
  ['crc32', 1],
  ['quicksort', 2],
  ['sieve', 4],
  ['matmul', 8],
  ['fib', 16],
  ['divhash', 32],
];

/** The Makefile's bench kernel of each architecture. */
const ELF: Record<string, string> = { rv32: 'bench.elf', aarch64: 'bench-a64.elf', i386: 'bench-i386.elf' };

/** The `arch` bench kernel (rv32's by default) built with PHASES = `bits` in `dir` (made if missing); its path. */
export function buildPhases(bits: number, dir: string, arch = 'rv32'): string {
  const elf = join(dir, ELF[arch]);
  const r = spawnSync('make', ['-C', benchDir, '-s', `B=${dir}`, `EXTRA_CFLAGS=-DPHASES=${bits}`, elf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building bench.c for ${arch} with PHASES=${bits}: ${r.stderr || r.error}`);
  return elf;
}

/** Whether buildPhases can run here (clang and ld.lld on the PATH). */
export function canBuildPhases(): boolean {
  return ['clang', 'ld.lld'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
}
