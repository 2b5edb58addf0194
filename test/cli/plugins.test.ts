/**
 * The plugin kit from the command line: `rvos plugins new` writes a package whose board, device
 * and guest work together (run from the plugin's own folder, the project is the plugin), whose
 * guest source assembles to the shipped binary, and `rvos plugins inspect` describes types.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, rvos } from '../helpers/cli.js';

const hasClang = spawnSync('clang', ['--version']).status === 0 && spawnSync('ld.lld', ['--version']).status === 0;

describe('rvos plugins new', () => {
  const work = mkdtempSync(join(tmpdir(), 'rvos-scaffold-'));
  const dir = join(work, 'rvos-dev-countdown');

  it('writes a device plugin package', async () => {
    const r = await rvos(['plugins', 'new', 'rvos-dev-countdown'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Created rvos-dev-countdown \(device type "countdown"\)/);
    for (const f of ['package.json', 'src/index.ts', 'board.yaml', 'guest/demo.S', 'guest/demo.bin', 'guest/Makefile', 'test/device.test.ts', 'test/registers.test.ts', 'README.md']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.rvos).toEqual({ apiVersion: 1, kind: 'device', entry: 'src/index.ts', provides: ['countdown'] });
    expect(readFileSync(join(dir, 'board.yaml'), 'utf8')).toMatch(/extends: virt/);
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).toMatch(/from 'rvos\/plugin-api'/);
  });

  it('boots its guest from the plugin folder: registers, the interrupt and power-off work', async () => {
    const r = await rvos(['run', '--board', 'board.yaml', '--bios', 'none', '--kernel', 'guest/demo.bin', '--headless', '--drive', 'none'], { cwd: dir });
    expect(r.stdout).toBe('countdown: interrupt after 100 us\n');
    expect(r.code, r.stderr).toBe(0);
  });

  it('describes the new type with plugins inspect', async () => {
    const r = await rvos(['plugins', 'inspect', 'countdown'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rvos-dev-countdown 0\.1\.0\n {2}kind {7}device\n {2}found {6}project \(/);
    expect(r.stdout).toMatch(/props\n {4}maxLoadUs +int 1\.\.4294967295, default 1000000: /);
    expect(r.stdout).toMatch(/outputs\n {4}irq +\(required\) high while/);
  });

  it.skipIf(!hasClang)('ships a guest binary that its assembly source rebuilds byte for byte', async () => {
    const shipped = readFileSync(join(dir, 'guest/demo.bin'));
    const r = await run('make', ['-B', '-s', '-C', join(dir, 'guest')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'guest/demo.bin')).equals(shipped)).toBe(true);
  });

  it('refuses a bad name and a folder that is not empty, in one line', async () => {
    const bad = await rvos(['plugins', 'new', 'Bad Name'], { cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('rvos: plugins new Bad Name: not a valid npm package name (lower case letters, digits, - . _, optionally @scope/)\n');
    writeFileSync(join(work, 'x'), '');
    const busy = await rvos(['plugins', 'new', 'rvos-dev-y', '--dir', work], { cwd: work });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/^rvos: plugins new: .* exists and is not empty\n$/);
  });
});

describe('rvos plugins inspect', () => {
  it('shows a built-in device by type or package name, and names the plugins for an unknown one', async () => {
    const byType = await rvos(['plugins', 'inspect', 'plic']);
    expect(byType.stdout).toMatch(/^@rvos\/dev-plic /);
    expect(byType.stdout).toMatch(/sources +int 2\.\.1024, default 96/);
    expect(byType.stdout).toMatch(/meip +\(one per CPU, required\)/);
    const byName = await rvos(['plugins', 'inspect', '@rvos/arch-rv32']);
    expect(byName.stdout).toMatch(/arch rv32: .*\n {2}ELF +class 32, e_machine 243/);
    const none = await rvos(['plugins', 'inspect', 'nope']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^rvos: plugins inspect nope: no plugin or type of that name \(plugins: @rvos\/arch-aarch64, @rvos\/arch-i386, @rvos\/arch-rv32, /);
  });
});
