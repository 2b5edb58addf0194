/**
 * The guest test programs (kernels/tests) on rvos: each must print exactly the transcript that
 * QEMU prints (kernels/tests/<name>.expected, checked by test/qemu/programs.test.ts) and exit with
 * the listed code. htif/htif_fail end through the HTIF tohost mailbox instead of sifive_test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRvos } from '../helpers/rvos.js';

const testsDir = fileURLToPath(new URL('../../kernels/tests/', import.meta.url));

interface Program {
  name: string;
  exitCode: number;
  qemu: boolean;
  input?: string;
  /** Number of harts (default 1). */
  cpus?: number;
}
const { programs } = JSON.parse(readFileSync(testsDir + 'programs.json', 'utf8')) as { programs: Program[] };

describe('guest programs on rvos (same transcripts as QEMU)', () => {
  for (const p of programs) {
    it(p.name, async () => {
      const expected = readFileSync(`${testsDir}${p.name}.expected`, 'latin1');
      const r = await runRvos({
        kernel: `${testsDir}build/${p.name}.elf`,
        bios: 'none',
        board: 'virt',
        input: p.input,
        cpus: p.cpus,
        maxInsns: 200_000_000,
      });
      expect(r.output).toBe(expected);
      expect(r.exitCode).toBe(p.exitCode);
    });
  }
});
