import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rvos } from '../helpers/cli.js';
import { writeDevicePlugin } from '../helpers/plugin-folder.js';
import { assemble, jal, li, lw, t0, t1, zero } from '../helpers/rv32asm.js';

describe('rvos run with a failing plugin', () => {
  it('stops with one line naming the plugin, the device, the access and the pc, exit 71', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-cli-plugin-'));
    const plugin = writeDevicePlugin(
      dir,
      'rvos-dev-boom',
      `export function register(api) {
        api.defineDevice({
          type: 'boom',
          description: 'throws on every read',
          create: (ctx) => ({ name: ctx.entry.name, read() { throw new Error('kaboom'); } }),
        });
      }\n`,
    );
    writeFileSync(join(dir, 'board.yaml'), 'extends: virt\ndevices:\n  - { type: boom, name: boom0, reg: [0x10100000, 0x1000] }\n');
    const program = [...li(t0, 0x10100000), lw(t1, t0, 4), jal(zero, 0)];
    writeFileSync(join(dir, 'prog.bin'), assemble(program));
    const pc = 0x80000000 + 4 * li(t0, 0x10100000).length;

    const r = await rvos(['run', '--plugin', plugin, '--board', join(dir, 'board.yaml'), '--bios', 'none', '--kernel', join(dir, 'prog.bin'), '--drive', 'none', '--headless']);
    expect(r.stderr.trim()).toBe(`rvos: plugin rvos-dev-boom: device boom0: read of 4 bytes at 0x10100004 (+0x4) failed at pc=0x${pc.toString(16)}: kaboom`);
    expect(r.code).toBe(71);
  });
});
