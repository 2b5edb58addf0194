import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';

const kernel = join(import.meta.dirname, '../fixtures/i386-boot/mb1-dump.bin');

/** `rvos run --board pc` boot input errors: one line naming the file or flag, exit 2. */
describe('rvos run --board pc: kernels and --module', () => {
  it('a missing module, a module without a kernel, an initrd for a multiboot kernel', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--kernel', kernel, '--module', '/nonexistent/mod.bin,arg'], /^rvos: \/nonexistent\/mod\.bin: cannot read/m],
      [['--kernel', 'none', '--module', kernel], /^rvos: --module \S+mb1-dump\.bin: only allowed with a kernel/m],
      [['--kernel', kernel, '--initrd', kernel], /^rvos: --initrd \S+: a multiboot kernel takes modules: use --module FILE\[,cmdline\]$/m],
    ];
    for (const [args, message] of cases) {
      const r = await rvos(['run', '--headless', '--board', 'pc', '--drive', 'none', ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.code).toBe(2);
    }
  });
});
