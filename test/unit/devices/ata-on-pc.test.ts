/**
 * The pc board's ATA channels through the real session builder: `--drive` (with and without
 * `if=ide`, "ide" being the only slot interface of the board) fills ide0's master, then ide1's;
 * a sector read through ide0's ports raises IRQ 14 on the slave 8259 (pic2 IR6); a write is in
 * the image file when the machine is closed. No i386 program yet: the test drives the channel's
 * ports the way the CPU's IN/OUT would, through the device the board built.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../../src/core/api.js';
import { startMachine, type TestMachine } from '../../../src/testing/machine.js';
import { tempFile } from '../../helpers/raspi3b.js';

const bios = tempFile('hlt.bin', Uint8Array.of(0xf4));
type PortDevice = Device & Required<Pick<Device, 'read' | 'write' | 'inspect'>>;
const device = (m: TestMachine, name: string) => m.machine.devices.find((d) => d.entry.name === name)!.device as PortDevice;

function disk(sectors: number, fill: number): string {
  return tempFile('disk.img', new Uint8Array(sectors * 512).fill(fill));
}

describe('pc board: IDE disks', () => {
  it('attaches --drive without if= to ide0, reads a sector through its ports with IRQ 14, writes durably', async () => {
    const file = disk(64, 0x11);
    const m = await startMachine({ board: 'pc', bios, drives: [`file=${file},serial=PCDISK`] });
    try {
      const ide0 = device(m, 'ide0');
      const pic2 = device(m, 'pic2');
      expect(ide0.inspect()).toMatchObject({ disk: file, sectors: 64 });
      expect(device(m, 'ide1').inspect()).toMatchObject({ disk: 'none' });
      expect(device(m, 'ide1').read(7, 1, 0)).toBe(0); // an empty channel: no status
      // Initialise the slave 8259 (base 0x70, cascade on IR2, 8086 mode) so IR6 is requested.
      for (const [off, v] of [[0, 0x11], [1, 0x70], [1, 0x02], [1, 0x01], [1, 0x00]]) pic2.write(off, 1, v, 0);
      const out = (port: number, v: number) => ide0.write(port, 1, v, 0);
      out(6, 0xe0);
      out(2, 1);
      out(3, 2);
      out(4, 0);
      out(5, 0);
      out(7, 0x20); // READ SECTORS LBA 2
      expect(pic2.read(0, 1, 0) & 0x40).toBe(0x40); // IRR: IR6
      expect(ide0.read(7, 1, 0)).toBe(0x58);
      expect(ide0.read(0, 2, 0)).toBe(0x1111);
      for (let i = 1; i < 256; i++) ide0.read(0, 2, 0);
      out(2, 1);
      out(7, 0x30); // WRITE SECTORS at the next LBA
      for (let i = 0; i < 256; i++) ide0.write(0, 2, 0xabcd, 0);
      expect(ide0.read(7, 1, 0)).toBe(0x50);
    } finally {
      await m.close();
    }
    const bytes = readFileSync(file);
    expect([bytes[3 * 512], bytes[3 * 512 + 1], bytes[4 * 512]]).toEqual([0xcd, 0xab, 0x11]);
  });

  it('puts a second if=ide drive on ide1, refuses a third, and a read-only drive aborts writes', async () => {
    const a = disk(8, 1), b = disk(8, 2);
    const m = await startMachine({ board: 'pc', bios, drives: [`file=${a},if=ide`, `file=${b},if=ide,readonly=on`] });
    try {
      expect(device(m, 'ide0').inspect()).toMatchObject({ disk: a });
      expect(device(m, 'ide1').inspect()).toMatchObject({ disk: `${b} (read-only)` });
      const ide1 = device(m, 'ide1');
      ide1.write(6, 1, 0xe0, 0);
      ide1.write(2, 1, 1, 0);
      ide1.write(7, 1, 0x30, 0);
      expect([ide1.read(7, 1, 0), ide1.read(1, 1, 0)]).toEqual([0x41, 0x04]);
    } finally {
      await m.close();
    }
    await expect(startMachine({ board: 'pc', bios, drives: [`file=${disk(8, 0)}`, `file=${disk(8, 0)}`, `file=${disk(8, 0)}`] })).rejects.toThrow(
      /board pc has no free ide slot \(it has 2; 2 drive\(s\) attached before this one\)/,
    );
  });
});
