/**
 * Where the guest's device tree comes from: generated from the board (default), a board's
 * `devicetree.file` or `--dtb FILE` given as it is (QEMU's -dtb), or none (`mode: none`: the arch
 * passes no tree; RV32's a1 is 0). A file that is not a DTB is bad input naming it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../src/core/session.js';
import * as A from '../helpers/rv32asm.js';
import { bootGuest, writeGuest } from '../helpers/bare-guest.js';
import { rvos } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-dt-modes-'));
const board = (name: string, devicetree: string) => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `extends: virt\nname: ${name}\ndevicetree: ${devicetree}\n`);
  return path;
};
/** Stores a1 (the DTB address the boot ROM passes) where the test reads it, then spins. */
const guest = writeGuest([...A.li(A.t0, 0x80001000), A.sw(A.a1, A.t0, 0), A.jal(A.zero, 0)]);
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

async function boot(boardFile: string, dtb?: string) {
  const s = await bootGuest(guest, { board: boardFile, dtb });
  sessions.push(s);
  await s.machine.run({ maxInsns: 100 });
  return { dtb: s.machine.dtb, a1: s.machine.bus.read(0x80001000, 4) >>> 0, s };
}

describe('device-tree modes', () => {
  it('generates the tree by default, and mode: none gives the guest none (a1 = 0)', async () => {
    const generated = await boot('virt');
    expect(generated.dtb.length).toBeGreaterThan(1000);
    expect(generated.a1).not.toBe(0);
    const none = await boot(board('nodt', '{ mode: none }'));
    expect(none.dtb.length).toBe(0);
    expect(none.a1).toBe(0);
  });

  it("gives the board's devicetree.file, or --dtb, to the guest as it is", async () => {
    const generated = (await boot('virt')).dtb;
    const file = join(dir, 'given.dtb');
    writeFileSync(file, generated.subarray(0, generated.length)); // any valid DTB
    const fromBoard = await boot(board('filedt', '{ file: given.dtb }'));
    expect(Buffer.from(fromBoard.dtb).equals(Buffer.from(generated))).toBe(true);
    const readBack = Buffer.alloc(generated.length);
    fromBoard.s.machine.bus.dmaRead(fromBoard.a1, readBack);
    expect(readBack.equals(Buffer.from(generated))).toBe(true);
    const fromFlag = await boot(board('nodt2', '{ mode: none }'), file);
    expect(fromFlag.dtb.length).toBe(generated.length);
  });

  it('names a file that is not a DTB, and rvos dtb says a board has none', async () => {
    writeFileSync(join(dir, 'junk.dtb'), Buffer.alloc(64, 1));
    await expect(bootGuest(guest, { board: board('junkdt', '{ file: junk.dtb }') })).rejects.toThrow(/junkdt\.yaml:3: devicetree\.file: \S+junk\.dtb: not a flattened device tree/);
    await expect(bootGuest(guest, { dtb: join(dir, 'junk.dtb') })).rejects.toThrow(/^--dtb: \S+junk\.dtb: not a flattened device tree/);
    const r = await rvos(['dtb', '--board', board('nodt3', '{ mode: none }'), '-o', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rvos: board nodt3 has no device tree \(\S+nodt3\.yaml:3: devicetree\.mode: none\)\n$/);
  });
});
