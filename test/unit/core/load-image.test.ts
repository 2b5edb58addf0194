/**
 * loadImage (src/core/builder.ts): an ELF's segments land at their physical addresses, each file part followed by
 * zeros up to its memory size (.bss), written in place, also over RAM a run already wrote (boot() again after a
 * reset), and a segment that does not fit is refused as bad input naming it. Files are read straight into RAM (no
 * copy of them made first: a big image's host pages are touched once), as BootContext.openFile's loadAt does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage, openBootFile } from '../../../src/core/builder.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { UserError } from '../../../src/core/errors.js';
import { EventStream } from '../../../src/core/events.js';
import type { ByteSource } from '../../../src/core/input-file.js';
import { makeElf } from '../../helpers/elf.js';

const EM_RISCV = 243;
const BASE = 0x80000000;
const dir = mkdtempSync(join(tmpdir(), 'rvos-load-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function elfFile(name: string, segments: Array<{ paddr: number; data: Uint8Array; memsz?: number }>): string {
  const path = join(dir, name);
  writeFileSync(path, makeElf({ machine: EM_RISCV, entry: segments[0]!.paddr, segments }));
  return path;
}

describe('loadImage', () => {
  it('writes each segment\'s bytes then zeros up to its memory size, over whatever RAM held, and nothing past it', () => {
    const bus = new PhysicalBus(createRam(BASE, 0x10000), new EventStream());
    bus.ram.u8.fill(0xaa); // a reset's boot(): RAM keeps what the guest wrote
    const code = Uint8Array.from({ length: 10 }, (_, i) => i + 1);
    const path = elfFile('bss.elf', [
      { paddr: BASE + 0x100, data: code, memsz: 0x3000 },
      { paddr: BASE + 0x8000, data: new Uint8Array(0), memsz: 0x20 },
    ]);
    const info = loadImage(bus, path, BASE, EM_RISCV, 1, 'rv32');
    expect(info.entry).toBe(BASE + 0x100);
    const ram = bus.ram.u8;
    expect(ram[0xff]).toBe(0xaa);
    expect([...ram.subarray(0x100, 0x10a)]).toEqual([...code]);
    expect(ram.subarray(0x10a, 0x3100).every((b) => b === 0)).toBe(true);
    expect(ram[0x3100]).toBe(0xaa);
    expect(ram[0x7fff]).toBe(0xaa);
    expect(ram.subarray(0x8000, 0x8020).every((b) => b === 0)).toBe(true);
    expect(ram[0x8020]).toBe(0xaa);
  });

  it('refuses a segment whose zeros run past RAM, naming it and its whole range', () => {
    const bus = new PhysicalBus(createRam(BASE, 0x10000), new EventStream());
    const path = elfFile('big-bss.elf', [{ paddr: BASE + 0xf000, data: new Uint8Array(16), memsz: 0x2000 }]);
    expect(() => loadImage(bus, path, BASE, EM_RISCV, 1, 'rv32')).toThrow(UserError);
    expect(() => loadImage(bus, path, BASE, EM_RISCV, 1, 'rv32')).toThrow(/big-bss\.elf: segment 0 at 0x8000f000\.\.0x80011000 does not fit in RAM \(0x80000000\.\.0x80010000\)$/);
  });

  it('reads a raw image and an ELF\'s segments from the file straight into RAM, telling the code watchers', () => {
    const bus = new PhysicalBus(createRam(BASE, 0x10000), new EventStream());
    const copies: number[] = [];
    bus.dmaWrite = (addr, src) => (copies.push(src.length), PhysicalBus.prototype.dmaWrite.call(bus, addr, src));
    const codeWrites: number[] = [];
    bus.onCodeWrite((page) => codeWrites.push(page));
    bus.markCode(2);
    const raw = join(dir, 'raw.bin');
    writeFileSync(raw, Uint8Array.from({ length: 0x1800 }, (_, i) => i & 0xff));
    expect(loadImage(bus, raw, BASE + 0x1000, EM_RISCV, 1, 'rv32').high).toBe(BASE + 0x2800);
    expect(bus.ram.u8[0x1000 + 0x17ff]).toBe(0xff);
    expect(codeWrites).toEqual([2]);
    loadImage(bus, elfFile('in-place.elf', [{ paddr: BASE + 0x4000, data: new Uint8Array(8).fill(7), memsz: 0x10 }]), BASE, EM_RISCV, 1, 'rv32');
    expect([...bus.ram.u8.subarray(0x4000, 0x4010)]).toEqual([...new Array(8).fill(7), ...new Array(8).fill(0)]);
    expect(copies).toEqual([]);
  });
});

describe('BootContext.openFile (openBootFile)', () => {
  it('gives the size and header bytes, loads the file (or its tail) into RAM in place, and refuses what is not RAM', () => {
    const bus = new PhysicalBus(createRam(BASE, 0x10000), new EventStream());
    const path = join(dir, 'initrd.bin');
    writeFileSync(path, Uint8Array.from({ length: 0x300 }, (_, i) => (i * 7) & 0xff));
    const opened: ByteSource[] = [];
    const file = openBootFile(bus, path, opened);
    expect(opened).toHaveLength(1); // the builder closes them once the boot is done
    expect(file.size).toBe(0x300);
    expect([...file.read(1, 2)]).toEqual([7, 14]);
    expect(file.loadAt(BASE + 0x100)).toBe(true);
    expect(bus.ram.u8[0x100 + 0x2ff]).toBe((0x2ff * 7) & 0xff);
    expect(file.loadAt(BASE + 0x1000, 0x200)).toBe(true);
    expect([bus.ram.u8[0x1000], bus.ram.u8[0x10ff], bus.ram.u8[0x1100]]).toEqual([(0x200 * 7) & 0xff, (0x2ff * 7) & 0xff, 0]);
    bus.ram.u8.fill(0x55, 0xff00);
    expect(file.loadAt(BASE + 0xff00)).toBe(false); // runs past RAM's end: nothing written
    expect(bus.ram.u8.subarray(0xff00).every((b) => b === 0x55)).toBe(true);
    opened.forEach((src) => src.close());
    const big = join(dir, 'big.bin');
    writeFileSync(big, new Uint8Array(0x10001));
    expect(() => openBootFile(bus, big, opened)).toThrow(`${big}: 65537 bytes, larger than the RAM (64 KiB)`);
  });
});
