/**
 * `--initrd` on virt against QEMU 7.2 (`-M virt,dumpdtb=FILE -initrd`): the same
 * linux,initrd-start/-end in /chosen for the same kernel, initrd and RAM size.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeFdt } from '../../src/core/fdt-edit.js';
import { createSession } from '../../src/core/session.js';
import { makeElf } from '../helpers/elf.js';
import { QEMU_BINARY, qemuAvailable } from '../helpers/qemu.js';

const run = promisify(execFile);

function chosenOf(blob: Uint8Array) {
  const tree = decodeFdt(blob);
  if (typeof tree === 'string') throw new Error(tree);
  const chosen = tree.root.find('chosen')!;
  return { start: chosen.cells('linux,initrd-start'), end: chosen.cells('linux,initrd-end') };
}

describe.skipIf(!qemuAvailable())('virt --initrd against QEMU', () => {
  it('places the initrd where QEMU 7.2 does (128 and 512 MiB of RAM, a raw image and an ELF, --bios none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-initrd-qemu-'));
    const raw = join(dir, 'kernel.bin');
    const initrd = join(dir, 'rootfs.cpio');
    writeFileSync(raw, new Uint8Array([0x6f, 0, 0, 0])); // j .
    writeFileSync(initrd, new Uint8Array(12345).fill(0x5a));
    // An ELF whose entry is not its lowest address: QEMU 7.2 counts from the lowest (riscv_load_kernel).
    const elf = join(dir, 'kernel.elf');
    writeFileSync(elf, makeElf({ machine: 243, entry: 0x80001000, segments: [{ paddr: 0x80000000, data: new Uint8Array(0x2000).fill(0x13) }] }));
    for (const [memory, kernel] of [['128M', raw], ['512M', raw], ['256M', elf]]) {
      const dumped = join(dir, `qemu-${memory}-${kernel.endsWith('elf')}.dtb`);
      await run(QEMU_BINARY, ['-M', `virt,dumpdtb=${dumped}`, '-m', memory, '-nographic', '-bios', 'none', '-kernel', kernel, '-initrd', initrd]);
      const qemu = chosenOf(new Uint8Array(readFileSync(dumped)));
      expect(qemu.start).toHaveLength(1);
      const s = await createSession({ board: 'virt', bios: 'none', kernel, initrd, memory: `${memory}iB`, serial: 'capture', config: '/dev/null', drives: ['none'] });
      try {
        await s.machine.run({ maxInsns: 20 });
        const a1 = s.machine.cpus[0].getReg(11) >>> 0;
        const header = Buffer.alloc(8);
        s.machine.bus.dmaRead(a1, header);
        const blob = Buffer.alloc(header.readUInt32BE(4));
        s.machine.bus.dmaRead(a1, blob);
        expect(chosenOf(new Uint8Array(blob))).toEqual(qemu);
      } finally {
        await s.close();
      }
    }
  });
});
