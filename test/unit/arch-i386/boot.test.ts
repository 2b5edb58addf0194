import { describe, expect, it } from 'vitest';
import { EAX, EBX } from '../../../plugins/arch-i386/src/cpu.js';
import { bootPc, elf32, file, STORE_REGS } from './boot-images.js';

describe('i386 boot: format detection, plain ELF, BIOS', () => {
  it('a plain ELF (no multiboot header) is entered flat at its entry, EAX = EBX = 0', async () => {
    const m = await bootPc(file(elf32(0x200000, [{ paddr: 0x200000, data: STORE_REGS }])), {}, 10);
    expect(m.cpu.cr0 & 1).toBe(1);
    expect(m.cpu.getReg(EAX)).toBe(0);
    expect(m.cpu.getReg(EBX)).toBe(0);
    expect(m.cpu.eip).toBe(0x200000 + STORE_REGS.length - 2);
  });

  it('a file that is no kernel rvos knows is one clear error', async () => {
    await expect(bootPc(file(new Uint8Array(1024).fill(0x90)))).rejects.toThrow(/no multiboot or multiboot2 header, not a Linux bzImage, not an ELF/);
  });

  it('--bios: mapped at the top of 4 GiB and its last 128 KiB at 0xE0000 (isa-bios); the CPU starts at reset', async () => {
    const rom = new Uint8Array(256 * 1024);
    for (let i = 0; i < rom.length; i += 4096) rom[i] = i >>> 12;
    rom[rom.length - 16] = 0xea;
    const m = await bootPc('none', { bios: file(rom) });
    const bus = m.machine.bus;
    expect(bus.read(0xfffc0000, 1)).toBe(0);
    expect(bus.read(0xfffffff0, 1)).toBe(0xea);
    expect(bus.read(0xe0000, 1)).toBe(0x20); // page 32 of 64: the last 128 KiB start there
    expect(bus.read(0xffff0, 1)).toBe(0xea);
    expect(m.cpu.pc).toBe(0xfffffff0);
    expect(m.cpu.cr0 & 1).toBe(0);
  });

  it('a 64 KiB BIOS is aliased whole at 0xF0000', async () => {
    const rom = new Uint8Array(64 * 1024).fill(0x11);
    const m = await bootPc('none', { bios: file(rom) });
    expect(m.machine.bus.read(0xf0000, 1)).toBe(0x11);
  });
});
