/**
 * The virt device tree against QEMU 7.2's own (`-M virt,dumpdtb=FILE`), node by node where rvos
 * claims to match it. Needs qemu-system-riscv32 and dtc.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { QEMU_BINARY, qemuAvailable } from '../helpers/qemu.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const hasDtc = spawnSync('dtc', ['--version']).status === 0;

/** The property lines of node `name` in a decompiled tree, sorted; phandles differ by design. */
function nodeProps(dts: string, name: string): string[] {
  const m = new RegExp(`\\n\\s*${name} \\{\\n([\\s\\S]*?)\\n\\s*\\};`).exec(dts);
  if (!m) throw new Error(`no node ${name}`);
  return m[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('phandle'))
    .sort();
}

describe.skipIf(!qemuAvailable() || !hasDtc)('virt device tree against QEMU', () => {
  it('has the PLIC node QEMU 7.2 gives (riscv,ndev = <0x60>)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-dtb-'));
    await run(QEMU_BINARY, ['-M', `virt,dumpdtb=${join(dir, 'qemu.dtb')}`, '-nographic', '-bios', 'none']);
    await run(process.execPath, [join(root, 'bin', 'rvos.js'), 'dtb', '--board', 'virt', '-o', join(dir, 'rvos.dtb')], { cwd: root });
    const dts = async (f: string) => (await run('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, f)])).stdout;
    const qemu = nodeProps(await dts('qemu.dtb'), 'plic@c000000');
    expect(qemu).toContain('riscv,ndev = <0x60>;');
    expect(nodeProps(await dts('rvos.dtb'), 'plic@c000000')).toEqual(qemu);
  });
});
