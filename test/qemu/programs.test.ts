/**
 * The guest test programs on QEMU (the reference peer): each must print exactly its committed
 * transcript (kernels/tests/<name>.expected) and exit with the listed code. rvos runs the same
 * programs in test/machine/programs.test.ts against the same transcripts.
 */
import { describe, expect, it } from 'vitest';
import { qemuAvailable, runQemu } from '../helpers/qemu.js';
import { expectedTranscript, programElf, programs } from '../helpers/programs.js';

describe.skipIf(!qemuAvailable())('guest programs on QEMU', () => {
  for (const p of programs.filter((p) => p.qemu)) {
    it(p.name, async () => {
      const expected = expectedTranscript(p.name);
      const r = await runQemu({
        kernel: programElf(p.name),
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
