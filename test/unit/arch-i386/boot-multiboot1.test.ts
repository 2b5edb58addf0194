import { describe, expect, it } from 'vitest';
import { CS, DS, ES, FS, GS, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { bootPc, elf32, file, mb1Header, STORE_REGS } from './boot-images.js';

const MiB = 0x100000;

describe('i386 boot: multiboot 1 (as QEMU -kernel)', () => {
  it('an ELF kernel: loaded at its physical addresses, entered flat with EAX magic and EBX = info at 0x9500', async () => {
    const code = new Uint8Array(0x40);
    code.set(STORE_REGS, 0x20);
    const kernel = file(elf32(MiB + 0x20, [{ paddr: MiB, data: code, memsz: 0x3000 }], { prefix: mb1Header(3) }));
    const m = await bootPc(kernel, { bootargs: 'console=ttyS0' });
    expect(m.cpu.eip).toBe(MiB + 0x20);
    expect(m.cpu.cr0 & 0x80000001).toBe(1);
    expect(m.cpu.eflags).toBe(2);
    expect(m.cpu.sel[CS]).toBe(0x10);
    for (const s of [DS, ES, FS, GS, SS]) {
      expect(m.cpu.sel[s]).toBe(0x18);
      expect(m.cpu.segBase[s]).toBe(0);
      expect(m.cpu.segLimit[s]).toBe(0xffffffff);
    }
    expect(m.cpu.segBig[CS]).toBe(1);

    const info = 0x9500;
    const v = m.view;
    expect(v.getUint32(info, true)).toBe(0x24f); // memory, boot device, cmdline, mods, mmap, loader name
    expect(v.getUint32(info + 4, true)).toBe(639);
    expect(v.getUint32(info + 8, true)).toBe(127 * 1024 - 128);
    expect(v.getUint32(info + 12, true)).toBe(0x8000ffff);
    expect(m.cstr(v.getUint32(info + 16, true))).toBe(`${kernel} console=ttyS0`);
    expect(v.getUint32(info + 20, true)).toBe(0);
    expect(v.getUint32(info + 24, true)).toBe(MiB + 0x3000); // after the page-aligned kernel
    expect(m.cstr(v.getUint32(info + 64, true))).toBe('rvos');
    // The memory map: size-prefixed E820 entries at 0x9000.
    expect(v.getUint32(info + 48, true)).toBe(0x9000);
    const len = v.getUint32(info + 44, true);
    const entries: Array<[number, number, number]> = [];
    for (let o = 0x9000; o < 0x9000 + len; o += v.getUint32(o, true) + 4) {
      entries.push([Number(v.getBigUint64(o + 4, true)), Number(v.getBigUint64(o + 12, true)), v.getUint32(o + 20, true)]);
    }
    expect(entries).toEqual([[0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [MiB, 127 * MiB - 0x20000, 1], [128 * MiB - 0x20000, 0x20000, 2], [0xfffc0000, 0x40000, 2]]);

    await m.machine.run({ maxInsns: 10, timeoutMs: 5000 });
    expect(m.view.getUint32(0x7000, true)).toBe(0x2badb002);
    expect(m.view.getUint32(0x7004, true)).toBe(0x9500);
  });

  it('a higher-half ELF starts at the physical address of its entry', async () => {
    const code = new Uint8Array(0x40);
    code.set(STORE_REGS, 0x10);
    const kernel = file(elf32(0xc0100010, [{ paddr: MiB, vaddr: 0xc0100000, data: code }], { prefix: mb1Header(0) }));
    const m = await bootPc(kernel);
    expect(m.cpu.eip).toBe(MiB + 0x10);
  });

  it('the a.out kludge (flag 16): header/load/load_end/bss_end/entry; the bss is zeroed', async () => {
    // File: header at 0, code at 0x20; loaded at 0x200000 so the header is at 0x200000.
    const img = new Uint8Array(0x60).fill(0xcc);
    img.set(mb1Header(2, { header: 0x200000, load: 0x200000, loadEnd: 0x200040, bssEnd: 0x201000, entry: 0x200020 }));
    img.set(STORE_REGS, 0x20);
    const m = await bootPc(file(img));
    expect(m.cpu.eip).toBe(0x200020);
    expect(m.ram.u8[0x20003f]).toBe(0xcc);
    expect(m.ram.u8[0x200040]).toBe(0); // past load_end: bss
    expect(m.view.getUint32(0x9500 + 24, true)).toBe(0x201000);
    await m.machine.run({ maxInsns: 10, timeoutMs: 5000 });
    expect(m.view.getUint32(0x7000, true)).toBe(0x2badb002);
  });

  it('bad a.out kludge fields and a non-ELF without them are one clear error', async () => {
    const img = new Uint8Array(0x60);
    img.set(mb1Header(0, { header: 0x1000, load: 0x2000, loadEnd: 0, bssEnd: 0, entry: 0x2000 }));
    await expect(bootPc(file(img))).rejects.toThrow(/header_addr 0x1000 is below load_addr 0x2000/);
    const raw = new Uint8Array(0x60);
    raw.set(mb1Header(0), 8);
    await expect(bootPc(file(raw))).rejects.toThrow(/without the address fields \(flag 16\), and the file is not an ELF/);
  });

  it('a kernel over the information at 0x9000 is refused', async () => {
    const img = new Uint8Array(0x60);
    img.set(mb1Header(0, { header: 0x8000, load: 0x8000, loadEnd: 0, bssEnd: 0x9800, entry: 0x8020 }));
    await expect(bootPc(file(img))).rejects.toThrow(/overlaps the multiboot information/);
  });
});
