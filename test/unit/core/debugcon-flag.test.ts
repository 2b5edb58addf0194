import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaptureBackend } from '../../../src/core/chardev.js';
import * as A from '../../helpers/rv32asm.js';
import { bootGuest, powerOff, writeGuest } from '../../helpers/bare-guest.js';

/** virt plus an isa-debugcon on a memory window (the RV32 guest has no port space), for `--debugcon`. */
const dir = mkdtempSync(join(tmpdir(), 'rvos-debugcon-'));
const DEBUGCON = 0x10010000;
const board = join(dir, 'virt-debugcon.yaml');
writeFileSync(board, `extends: virt\ndevices:\n  - { type: isa-debugcon, name: debugcon, reg: [${DEBUGCON}, 1] }\n`);
const kernel = writeGuest([
  ...A.li(A.t0, DEBUGCON),
  ...[...'dbg\n'].flatMap((c) => [A.addi(A.t1, A.zero, c.charCodeAt(0)), A.sb(A.t1, A.t0, 0)]),
  ...powerOff(),
]);

async function run(opts: Parameters<typeof bootGuest>[1]) {
  const s = await bootGuest(kernel, { board, ...opts });
  try {
    const result = await s.machine.run({ maxInsns: 1000 });
    return { s, result };
  } finally {
    await s.close();
  }
}

describe('--debugcon', () => {
  it('sends the guest\'s writes to the chosen backend (file:PATH)', async () => {
    const out = join(dir, 'debugcon.txt');
    const { result } = await run({ debugcon: `file:${out}` });
    expect(result.reason).toBe('poweroff');
    expect(readFileSync(out, 'latin1')).toBe('dbg\n');
  });

  it('capture (the TUI\'s) shows the bytes; the console gets none of them', async () => {
    const { s } = await run({ debugcon: 'capture' });
    expect((s.serial.debugcon as CaptureBackend).text).toBe('dbg\n');
    expect((s.console as CaptureBackend).text).toBe('');
  });

  it('defaults to null, and does not take a --serial meant for a serial port', async () => {
    const { s } = await run({});
    expect(s.serial.debugcon.name).toBe('null');
    // virt has one UART (the console): a second --serial finds no port, the debugcon is not one.
    await expect(bootGuest(kernel, { board, moreSerial: ['null'] })).rejects.toThrow(/has no serial port left/);
  });

  it('is bad input on a board without an isa-debugcon', async () => {
    await expect(bootGuest(kernel, { debugcon: 'null' })).rejects.toThrow(/^--debugcon null: board virt has no isa-debugcon device$/);
  });
});
