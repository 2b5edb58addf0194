/**
 * The reference for test/machine/seabios.test.ts: qemu-system-i386 -M pc with the same SeaBIOS and
 * boot sector prints the same milestones on its debugcon at 0x402 and the same line on COM1, then exits
 * through isa-debug-exit with status 1.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryAvailable, runEmulator } from '../helpers/qemu.js';
import { QEMU_I386_BINARY } from '../helpers/qemu-i386.js';
import { MBR_LINE, mbrDisk, missingMilestones, SEABIOS, seabiosAvailable } from '../helpers/seabios.js';

describe.skipIf(!binaryAvailable(QEMU_I386_BINARY) || !seabiosAvailable())('SeaBIOS on qemu-system-i386 -M pc', () => {
  it("boots the IDE disk's boot sector: the milestones on the debugcon, the line on COM1, exit 1", async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'rvos-seabios-qemu-')), 'debugcon.txt');
    const args = ['-M', 'pc', '-bios', SEABIOS, '-drive', `file=${mbrDisk()},format=raw,if=ide`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'];
    args.push('-chardev', `file,id=dbg,path=${log}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dbg', '-serial', 'stdio', '-display', 'none', '-monitor', 'none');
    const r = await runEmulator(QEMU_I386_BINARY, args, { timeoutMs: 60_000 });
    expect(missingMilestones(readFileSync(log, 'latin1'))).toEqual([]);
    expect(r.output).toContain(MBR_LINE);
    expect(r.exitCode).toBe(1);
  });
});
