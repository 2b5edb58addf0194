import { describe, expect, it } from 'vitest';
import { CS, DS } from '../../../plugins/arch-i386/src/cpu.js';
import { bootPc, elf32, file, mb2Header, STORE_REGS } from './boot-images.js';

const MiB = 0x100000;

/** The information tags at `addr`: [type, offset of the tag]. */
function tags(view: DataView, addr: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const total = view.getUint32(addr, true);
  for (let o = addr + 8; o < addr + total; o += Math.ceil(view.getUint32(o + 4, true) / 8) * 8) {
    out.push([view.getUint32(o, true), o]);
    if (view.getUint32(o, true) === 0 || view.getUint32(o + 4, true) < 8) break;
  }
  return out;
}

describe('i386 boot: multiboot2 (as GRUB 2)', () => {
  it('an ELF kernel: EAX magic, EBX = information after the kernel, tags in GRUB order', async () => {
    const code = new Uint8Array(0x40);
    code.set(STORE_REGS, 0x20);
    const header = mb2Header([[1, 0, 1, 2, 6, 8], [4, 0, 3], [6, 0]]);
    const symtab = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const kernel = file(elf32(MiB + 0x20, [{ paddr: MiB, data: code, memsz: 0x2000 }], { prefix: header, sections: [{ name: '.text', type: 1, addr: MiB, data: code }, { name: '.symtab', type: 2, addr: 0, data: symtab }] }));
    const m = await bootPc(kernel, { bootargs: 'hello world' });
    expect(m.cpu.eip).toBe(MiB + 0x20);
    expect(m.cpu.sel[CS]).toBe(0x10);
    expect(m.cpu.sel[DS]).toBe(0x18);
    expect(m.cpu.cr0 & 0x80000001).toBe(1);
    const mbi = m.cpu.getReg(3);
    expect(m.cpu.getReg(0)).toBe(0x36d76289);
    expect(mbi % 8).toBe(0);
    expect(mbi).toBeGreaterThanOrEqual(MiB + 0x2000);
    const v = m.view;
    const list = tags(v, mbi);
    expect(list.map(([t]) => t)).toEqual([21, 1, 2, 6, 9, 4, 8, 0]);
    const at = (t: number) => list.find(([x]) => x === t)![1];
    expect(v.getUint32(at(21) + 8, true)).toBe(MiB);
    expect(m.cstr(at(1) + 8)).toBe('hello world');
    expect(m.cstr(at(2) + 8)).toBe('rvos');
    expect(v.getUint32(at(6) + 8, true)).toBe(24);
    const mmap: number[][] = [];
    for (let o = at(6) + 16; o < at(6) + v.getUint32(at(6) + 4, true); o += 24) mmap.push([Number(v.getBigUint64(o, true)), Number(v.getBigUint64(o + 8, true)), v.getUint32(o + 16, true)]);
    expect(mmap).toEqual([[0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [MiB, 127 * MiB - 0x20000, 1], [128 * MiB - 0x20000, 0x20000, 2], [0xfffc0000, 0x40000, 2]]);
    expect([v.getUint32(at(4) + 8, true), v.getUint32(at(4) + 12, true)]).toEqual([639, 127 * 1024 - 128]);
    // Framebuffer: EGA text 80x25 at 0xB8000, pitch 160, 16 bpp, type 2.
    const fb = at(8);
    expect(Number(v.getBigUint64(fb + 8, true))).toBe(0xb8000);
    expect([v.getUint32(fb + 16, true), v.getUint32(fb + 20, true), v.getUint32(fb + 24, true), v.getUint8(fb + 28), v.getUint8(fb + 29)]).toEqual([160, 80, 25, 16, 2]);
    // ELF sections: num, entsize, shndx; the unloaded .symtab got a copy in RAM.
    const es = at(9);
    expect([v.getUint32(es + 8, true), v.getUint32(es + 12, true), v.getUint32(es + 16, true)]).toEqual([4, 40, 3]);
    const symAddr = v.getUint32(es + 20 + 2 * 40 + 12, true);
    expect(symAddr).toBeGreaterThan(MiB);
    expect([...m.ram.u8.subarray(symAddr, symAddr + 8)]).toEqual([...symtab]);

    await m.machine.run({ maxInsns: 10, timeoutMs: 5000 });
    expect(v.getUint32(0x7000, true)).toBe(0x36d76289);
    expect(v.getUint32(0x7004, true)).toBe(mbi);
  });

  it('address and entry tags (a.out kludge) load a flat binary; load_addr -1 means the file start', async () => {
    const img = new Uint8Array(0x100);
    const header = mb2Header([[2, 0, 0x300000, 0xffffffff, 0, 0x302000], [3, 0, 0x300080]]);
    img.set(header);
    img.set(STORE_REGS, 0x80);
    const m = await bootPc(file(img), {}, 10);
    expect(m.view.getUint32(0x7000, true)).toBe(0x36d76289);
    expect(m.ram.u8[0x300080]).toBe(0x89);
    expect(tags(m.view, m.view.getUint32(0x7004, true)).map(([t]) => t)).toEqual([21, 1, 2, 6, 9, 4, 8, 0]);
  });

  it('a relocatable kernel loads at its preferred address; optional unknown tags are ignored', async () => {
    const code = new Uint8Array(0x40);
    code.set(STORE_REGS, 0);
    const header = mb2Header([[10, 0, 0x100000, 0x10000000, 4096, 0], [42, 1]]);
    const m = await bootPc(file(elf32(0x400000, [{ paddr: 0x400000, data: code }], { prefix: header })), {}, 10);
    expect(m.view.getUint32(0x7000, true)).toBe(0x36d76289);
  });

  it('a higher-half ELF enters at the physical address of the segment holding its entry; an entry in no segment is refused, as GRUB', async () => {
    const low = new Uint8Array(0x40);
    const high = new Uint8Array(0x40);
    high.set(STORE_REGS, 0x10);
    const segments = [{ paddr: MiB, vaddr: 0xc0100000, data: low }, { paddr: 0x300000, vaddr: 0xc0200000, data: high }];
    const m = await bootPc(file(elf32(0xc0200010, segments, { prefix: mb2Header([]) })), {}, 10);
    expect(m.view.getUint32(0x7000, true)).toBe(0x36d76289);
    expect(m.cpu.eip).toBe(0x300010 + STORE_REGS.length - 2);
    await expect(bootPc(file(elf32(0x500000, segments, { prefix: mb2Header([]) })))).rejects.toThrow(/the ELF entry point 0x500000 is in no loadable segment/);
  });

  it('required information the loader lacks, unknown required tags, EFI i386 entry: one clear error each', async () => {
    const elf = (header: Uint8Array) => file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: header }));
    await expect(bootPc(elf(mb2Header([[1, 0, 1, 5, 14]])))).rejects.toThrow(/requires information tags rvos does not give: 5, 14/);
    await expect(bootPc(elf(mb2Header([[1, 1, 5, 14]])))).resolves.toBeDefined(); // optional request
    await expect(bootPc(elf(mb2Header([[42, 0]])))).rejects.toThrow(/unsupported tag 42/);
    await expect(bootPc(elf(mb2Header([[8, 0, MiB]])))).rejects.toThrow(/EFI i386 entry address/);
    await expect(bootPc(elf(mb2Header([[7, 0], [9, 0, MiB]])))).resolves.toBeDefined(); // EFI tags ignored on a BIOS PC
  });
});
