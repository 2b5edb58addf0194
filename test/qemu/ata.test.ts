/**
 * The ATA port probe (test/helpers/ata-probe.ts) as a boot sector on qemu-system-i386 -M pc with
 * the probe disk on the primary IDE channel: its debug-console transcript must be the committed
 * test/fixtures/ata-qemu/probe.expected, which test/unit/devices/ata-qemu.test.ts compares rvos'
 * channel with. Needs nasm. `RVOS_RECORD=1` rewrites the fixture.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskImage, probeAsm } from '../helpers/ata-probe.js';
import { run } from '../helpers/cli.js';

const fixture = new URL('../fixtures/ata-qemu/probe.expected', import.meta.url);
const have = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * The alternate status read while SRST is set races QEMU's reset (done in a bottom half): BSY|DSC
 * (D0) on some runs, DRDY|DSC (50) on others. Everything else is the same on every run.
 */
const racy = (t: string) => t.replace(/(@soft reset\n50 )(?:50|D0) /, '$1?? ');

describe.skipIf(!have('qemu-system-i386') || !have('nasm'))('ATA channel on QEMU', () => {
  it('the probe transcript is the committed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-ata-'));
    writeFileSync(join(dir, 'probe.asm'), probeAsm());
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'probe.bin'), join(dir, 'probe.asm')]);
    const disk = diskImage();
    disk.set(readFileSync(join(dir, 'probe.bin')));
    writeFileSync(join(dir, 'disk.img'), disk);
    const out = join(dir, 'out.txt');
    const r = await run('qemu-system-i386', [
      '-M', 'pc', '-nodefaults', '-display', 'none',
      '-drive', `file=${join(dir, 'disk.img')},if=ide,format=raw`,
      '-debugcon', `file:${out}`,
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=4',
    ], { timeoutMs: 60_000 });
    expect(r.code).toBe(1); // isa-debug-exit: (0 << 1) | 1
    const text = readFileSync(out, 'latin1');
    if (process.env.RVOS_RECORD) writeFileSync(fixture, text);
    expect(racy(text)).toBe(racy(readFileSync(fixture, 'latin1')));
  });
});
