/**
 * The guest test programs (kernels/tests) on rvos: each must print exactly the transcript that
 * QEMU prints (kernels/tests/<name>.expected, checked by test/qemu/programs.test.ts) and exit with
 * the listed code. htif/htif_fail end through the HTIF tohost mailbox instead of sifive_test.
 */
import { describe, expect, it } from 'vitest';
import { runRvos } from '../helpers/rvos.js';
import { expectedTranscript, programElf, programs } from '../helpers/programs.js';

describe('guest programs on rvos (same transcripts as QEMU)', () => {
  for (const p of programs) {
    it(p.name, async () => {
      const expected = expectedTranscript(p.name);
      const r = await runRvos({
        kernel: programElf(p.name),
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
