import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The guest test programs listed in kernels/tests/programs.json, shared by the rvos and QEMU runs. */
export const testsDir = fileURLToPath(new URL('../../kernels/tests/', import.meta.url));

export interface Program {
  name: string;
  exitCode: number;
  qemu: boolean;
  input?: string;
  /** Number of harts (default 1). */
  cpus?: number;
}

export const programs = (JSON.parse(readFileSync(testsDir + 'programs.json', 'utf8')) as { programs: Program[] }).programs;

export const programElf = (name: string) => `${testsDir}build/${name}.elf`;
export const expectedTranscript = (name: string) => readFileSync(`${testsDir}${name}.expected`, 'latin1');
