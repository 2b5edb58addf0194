/**
 * SeaBIOS boots on the pc board as on QEMU -M pc (the i440FX, its PAM shadow RAM, fw_cfg, the PIIX
 * functions): from reset to the IDE disk's boot sector, which prints its line on COM1 and powers off
 * through isa-debug-exit. QEMU's run of the same: test/qemu/seabios.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMachine } from '../../src/testing/machine.js';
import { MBR_LINE, mbrDisk, missingMilestones, SEABIOS, seabiosAvailable } from '../helpers/seabios.js';

describe.skipIf(!seabiosAvailable())('pc: SeaBIOS boots the IDE disk', () => {
  it("prints SeaBIOS's milestones on the debugcon at 0x402 and the boot sector's line on COM1", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-seabios-'));
    // The pc board with its debugcon moved to SeaBIOS's debug port (QEMU's isa-debugcon,iobase=0x402).
    const board = join(dir, 'pc-debug402.yaml');
    writeFileSync(board, `extends: ${join(import.meta.dirname, '../../boards/pc.yaml')}\nname: pc-debug402\ndevices:\n  - { name: debugcon, io: [0x402, 1] }\n`);
    const log = join(dir, 'debugcon.txt');
    const r = await runMachine({ board, bios: SEABIOS, drives: [`file=${mbrDisk()},if=ide,format=raw`], maxInsns: 2_000_000_000, timeoutMs: 120_000, session: { debugcon: `file:${log}` } });
    const debug = readFileSync(log, 'latin1');
    expect(missingMilestones(debug)).toEqual([]);
    expect(r.output).toContain(MBR_LINE);
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
  }, 130_000);
});
