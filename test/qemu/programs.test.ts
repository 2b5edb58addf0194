/**
 * The guest test programs on QEMU (the reference peer): each must print exactly its committed
 * transcript (kernels/tests/<name>.expected) and exit with the listed code. rvos runs the same
 * programs in test/machine/programs.test.ts against the same transcripts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { qemuAvailable, runQemu } from '../helpers/qemu.js';

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

describe.skipIf(!qemuAvailable())('guest programs on QEMU', () => {
  for (const p of programs.filter((p) => p.qemu)) {
    it(p.name, async () => {
      const expected = readFileSync(`${testsDir}${p.name}.expected`, 'latin1');
      const r = await runQemu({
        kernel: `${testsDir}build/${p.name}.elf`,
        input: p.input,
        cpus: p.cpus,
        timeoutMs: 60_000,
      });
      expect(r.timedOut, `${p.name} timed out; output so far:\n${r.output}`).toBe(false);
      expect(r.output).toBe(expected);
      expect(r.exitCode).toBe(p.exitCode);
    });
  }
});
