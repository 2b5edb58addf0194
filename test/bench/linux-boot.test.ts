/** npm run bench's linux boot measurement (linux-boot.ts): each row runs under its own engine. */
import { describe, expect, it } from 'vitest';
import { LINUX_BOOTS, LINUX_INIT_LINE, runLinuxCold, rvosBoot } from './linux-boot.js';

const virt = LINUX_BOOTS.virt.find();

describe.skipIf(!virt)('bench linux boot', () => {
  it('the interp row runs the interpreter (the initrd option keeps the engine)', async () => {
    const r = await rvosBoot(virt!, 'interp');
    expect(r.reason).toBe('stopped');
    expect(r.output.endsWith(LINUX_INIT_LINE)).toBe(true);
    expect(r.codeCache?.pages).toBeGreaterThan(0);
    expect(r.codeCache?.blocks).toBe(0);
  }, 120_000);

  it('cold: the command line of the linux boot cold row reaches /init in a new rvos process', async () => {
    // The checkout's rvos (the bench runs the installed package's, dist/, which a test run need not have built).
    const r = await runLinuxCold(virt!, { ...process.env, RVOS_COMPILED: '0' });
    expect(r.timedOut).toBe(false);
    expect(r.output).toContain(LINUX_INIT_LINE); // and what came in the same chunk of stdout
    expect(r.wallMs).toBeGreaterThan(0);
  }, 120_000);
});

describe('bench linux boots', () => {
  it("each board's cold row types what its in-process row runs (kernel, initrd, command line)", () => {
    for (const [board, linux] of Object.entries(LINUX_BOOTS)) {
      const files = linux.find();
      if (!files) continue;
      const m = files.machine('jit');
      expect(m.board).toBe(board);
      expect(files.cli.slice(0, 3)).toEqual(['run', '--board', board]);
      const flag = (name: string) => files.cli[files.cli.indexOf(name) + 1];
      expect(flag('--kernel')).toBe(m.kernel);
      expect(flag('--initrd')).toBe(m.session?.initrd);
      expect(flag('--append')).toBe(m.append);
    }
  });
});
