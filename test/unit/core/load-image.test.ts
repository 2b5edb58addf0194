/**
 * loadImage (src/core/builder.ts): an ELF's segments land at their physical addresses, each file part followed by
 * zeros up to its memory size (.bss), written in place, also over RAM a run already wrote (boot() again after a
 * reset), and a segment that does not fit is refused as bad input naming it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImage } from '../../../src/core/builder.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { UserError } from '../../../src/core/errors.js';
import { EventStream } from '../../../src/core/events.js';
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
});
