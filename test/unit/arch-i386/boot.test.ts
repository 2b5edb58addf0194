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

  it("pc's i440FX PAM: a PAM write is seen by the next fetch (the BIOS runs on from shadow RAM)", async () => {
    const rom = new Uint8Array(128 * 1024);
    // F000:FFF0: jmp f000:ffc0. F000:FFC0 (nasm): PAM0 = 0x30 through 0xCF8/0xCFD, then mov bx, 0x5678; hlt.
    rom.set([0xea, 0xc0, 0xff, 0x00, 0xf0], rom.length - 16);
    const code = [0x66, 0xb8, 0x58, 0x00, 0x00, 0x80, 0xba, 0xf8, 0x0c, 0x66, 0xef, 0xba, 0xfd, 0x0c, 0xb0, 0x30, 0xee, 0xbb, 0x78, 0x56, 0xf4];
    rom.set(code, rom.length - 0x40);
    const m = await bootPc('none', { bios: file(rom) });
    expect(m.machine.bus.read(0xe0000, 1)).toBe(0); // the PAM window reads the ROM at reset
    expect(m.machine.bus.read(0xffff0, 1)).toBe(0xea);
    m.ram.u8.set([0xbb, 0x34, 0x12, 0xf4], 0xfffd1); // shadow RAM after the OUT: mov bx, 0x1234; hlt
    await m.machine.run({ maxInsns: 20, timeoutMs: 5000 });
    expect(m.cpu.getReg(EBX) & 0xffff).toBe(0x1234);
    expect(m.machine.bus.read(0xffff0, 1)).toBe(0); // shadow RAM, not the ROM
    expect(m.machine.bus.read(0xfffffff0, 1)).toBe(0xea); // the ROM below 4 GiB is still there
  });

  it("a direct boot on pc leaves PAM as SeaBIOS does: the loader's GDT in shadow RAM at 0xDF000, 0xF0000 read-only", async () => {
    const m = await bootPc(file(elf32(0x200000, [{ paddr: 0x200000, data: STORE_REGS }])), {}, 10);
    const bus = m.machine.bus;
    expect(bus.read(0xdf010, 4)).toBe(0x0000ffff);
    expect(bus.read(0xdf014, 4)).toBe(0x00cf9a00);
    expect(m.ram.u8[0xdf015]).toBe(0x9a); // in the RAM under the hole
    bus.write(0xf0000, 1, 0x5a);
    expect(bus.read(0xf0000, 1)).toBe(0);
    bus.write(0xe0000, 1, 0x5a);
    expect(bus.read(0xe0000, 1)).toBe(0x5a);
    bus.fault = false;
  });
});
