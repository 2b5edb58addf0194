/**
 * The pc reference kernel (kernels/pc) on qemu-system-i386 booted by real GRUB 2 (an ISO from
 * grub-mkrescue and kernels/pc/grub.cfg): the COM1 transcript must equal session.expected while
 * session.in is typed into the shell (after the `ready` line) with a copy of build/disk.img as the
 * IDE primary master, and the kernel powers off through isa-debug-exit
 * (value 0: QEMU exits with 1). Skips when QEMU, grub-mkrescue, xorriso or mtools are absent.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPcIso, grubIsoAvailable, PC_KERNEL_DIR, runQemuPc } from '../helpers/qemu-i386.js';

const read = (name: string) => readFileSync(join(PC_KERNEL_DIR, name), 'latin1');

describe.skipIf(!grubIsoAvailable())('pc reference kernel on QEMU, booted by GRUB 2 (multiboot2)', () => {
  let tmp = '';
  let iso = '';
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rvos-pc-iso-'));
    iso = buildPcIso(tmp);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints every checkpoint of session.expected and exits through isa-debug-exit', async () => {
    const disk = join(tmp, 'disk.img');
    copyFileSync(join(PC_KERNEL_DIR, 'build/disk.img'), disk);
    const r = await runQemuPc({ iso, disk, input: read('session.in') });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toBe(read('session.expected'));
    expect(r.exitCode).toBe(1);
  });
});
