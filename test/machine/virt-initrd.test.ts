/**
 * `--initrd` on virt, as QEMU 7.2 (hw/riscv/boot.c riscv_load_initrd, hw/riscv/virt.c): the
 * initrd goes at the kernel's load address + min(RAM / 2, 128 MiB) and the guest finds linux,initrd-start and
 * -end (32-bit cells) in the /chosen of the tree a1 points to. Bad input is one line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFdt } from '../../src/core/fdt-edit.js';
import type { Session } from '../../src/core/session.js';
import { bootGuest, writeGuest } from '../helpers/bare-guest.js';
import { makeElf } from '../helpers/elf.js';
import { rvos } from '../helpers/cli.js';
import * as A from '../helpers/rv32asm.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-initrd-'));
const file = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const initrdBytes = new Uint8Array(5000).map((_, i) => (i * 13 + 1) & 0xff);
/** Stores a1 (the DTB address the reset ROM passes) at 0x80001000, then spins. */
const guest = writeGuest([...A.li(A.t0, 0x80001000), A.sw(A.a1, A.t0, 0), A.jal(A.zero, 0)]);
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

/** Runs the guest; returns the tree it was given (read from guest RAM) and the machine's bus. */
async function bootWithInitrd(extra: Record<string, unknown>) {
  const s = await bootGuest(guest, { initrd: file('rootfs.cpio', initrdBytes), ...extra });
  sessions.push(s);
  await s.machine.run({ maxInsns: 100 });
  const bus = s.machine.bus;
  const a1 = bus.read(0x80001000, 4) >>> 0;
  const header = Buffer.alloc(8);
  bus.dmaRead(a1, header);
  const blob = Buffer.alloc(header.readUInt32BE(4));
  bus.dmaRead(a1, blob);
  const tree = decodeFdt(new Uint8Array(blob));
  if (typeof tree === 'string') throw new Error(tree);
  return { a1, chosen: tree.root.find('chosen')!, bus };
}

describe('virt: --initrd (QEMU 7.2 riscv_load_initrd)', () => {
  it('puts the initrd at kernel + RAM/2 (128 MiB RAM: 0x84000000) and tells the guest in /chosen', async () => {
    const { a1, chosen, bus } = await bootWithInitrd({});
    expect(a1).toBe(0x87e00000); // the tree stays 2 MiB below the end of RAM
    expect([...chosen.props.keys()].slice(0, 2)).toEqual(['linux,initrd-end', 'linux,initrd-start']);
    const [start] = chosen.cells('linux,initrd-start')!;
    const [end] = chosen.cells('linux,initrd-end')!;
    expect([start, end]).toEqual([0x84000000, 0x84000000 + 5000]); // QEMU's dumpdtb says the same
    const found = Buffer.alloc(end - start);
    bus.dmaRead(start, found);
    expect(found.equals(Buffer.from(initrdBytes))).toBe(true);
    expect(chosen.string('stdout-path')).toBe('/soc/serial@10000000');
  });

  it('caps the offset at 128 MiB with more RAM, and places it again after a reset', async () => {
    const { chosen, bus } = await bootWithInitrd({ memory: '512MiB' });
    expect(chosen.cells('linux,initrd-start')).toEqual([0x88000000]);
    bus.dmaWrite(0x88000000, new Uint8Array(16));
    const s = sessions[0];
    s.machine.boot(); // what a system reset runs
    const again = Buffer.alloc(5000);
    bus.dmaRead(0x88000000, again);
    expect(again.equals(Buffer.from(initrdBytes))).toBe(true);
  });

  it('bad input is one line: no kernel, no device tree, an initrd too big for RAM; raspi3b: an ELF kernel', async () => {
    const big = file('big.cpio', new Uint8Array(40 << 20));
    const noDt = join(dir, 'nodt.yaml');
    writeFileSync(noDt, 'extends: virt\nname: nodt\ndevicetree: { mode: none }\n');
    const cases: Array<[string[], RegExp]> = [
      [['--board', 'virt', '--kernel', 'none', '--initrd', big], /^rvos: --initrd \S+big\.cpio: only allowed with a kernel \(--kernel, or the board's boot\.kernel\)\n$/],
      [['--board', noDt, '--bios', 'none', '--kernel', guest, '--initrd', big], /^rvos: --initrd \S+big\.cpio: the board has no device tree to tell the kernel where the initrd is\n$/],
      [
        ['--board', 'virt', '--bios', 'none', '--kernel', guest, '--memory', '64MiB', '--initrd', big],
        /^rvos: --initrd \S+big\.cpio: too big to fit into RAM after the kernel \(41943040 bytes at 0x82000000, RAM ends at 0x84000000\)\n$/,
      ],
    ];
    const elf = join(dir, 'bare.elf');
    writeFileSync(elf, makeElf({ entry: 0x80000, machine: 183, elfClass: 2, segments: [{ paddr: 0x80000, data: new Uint8Array(8) }] }));
    cases.push([['--board', 'raspi3b', '--kernel', elf, '--initrd', big], /^rvos: --initrd \S+big\.cpio: \S+bare\.elf is an ELF, started as bare metal: only a Linux-style kernel \(kernel8\.img, arm64 Image\) gets an initrd\n$/]);
    for (const [args, message] of cases) {
      const r = await rvos(['run', '--headless', ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
  });
});
