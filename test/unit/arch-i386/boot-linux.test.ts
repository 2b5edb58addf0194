import { describe, expect, it } from 'vitest';
import { CS, DS, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { bootPc, bzImage, file, STORE_REGS } from './boot-images.js';

const MiB = 0x100000;
const ZP = 0x10000;

describe('i386 boot: Linux bzImage (32-bit boot protocol)', () => {
  it('boot_params with the setup header, e820, command line, loader type; kernel at 1 MiB; ESI = boot_params', async () => {
    const m = await bootPc(file(bzImage(STORE_REGS)), { bootargs: 'console=ttyS0 root=/dev/sda' });
    const v = m.view;
    expect(m.cpu.eip).toBe(MiB);
    expect(m.cpu.sel[CS]).toBe(0x10);
    expect(m.cpu.sel[DS]).toBe(0x18);
    expect(m.cpu.sel[SS]).toBe(0x18);
    expect(m.cpu.cr0 & 0x80000001).toBe(1);
    expect(m.cpu.eflags & 0x200).toBe(0);
    expect([...m.ram.u8.subarray(MiB, MiB + STORE_REGS.length)]).toEqual([...STORE_REGS]);
    expect(v.getUint32(ZP + 0x202, true)).toBe(0x53726448); // "HdrS" copied
    expect(v.getUint16(ZP + 0x206, true)).toBe(0x20f);
    expect(m.ram.u8[ZP + 0x260]).toBe(0x5a);
    expect(m.ram.u8[ZP + 0x270]).toBe(0);
    expect(m.ram.u8[ZP + 0x210]).toBe(0xff); // type_of_loader
    expect(m.cstr(v.getUint32(ZP + 0x228, true))).toBe('console=ttyS0 root=/dev/sda');
    expect(v.getUint32(ZP + 0x1e0, true)).toBe(127 * 1024 - 128); // alt_mem_k
    const n = m.ram.u8[ZP + 0x1e8];
    const e820: number[][] = [];
    for (let i = 0; i < n; i++) {
      const o = ZP + 0x2d0 + 20 * i;
      e820.push([Number(v.getBigUint64(o, true)), Number(v.getBigUint64(o + 8, true)), v.getUint32(o + 16, true)]);
    }
    expect(e820).toEqual([[0, 0x9fc00, 1], [0x9fc00, 0x400, 2], [0xf0000, 0x10000, 2], [MiB, 127 * MiB - 0x20000, 1], [128 * MiB - 0x20000, 0x20000, 2], [0xfffc0000, 0x40000, 2]]);
    expect(v.getUint32(ZP + 0x218, true)).toBe(0); // no initrd
    await m.machine.run({ maxInsns: 10, timeoutMs: 5000 });
    expect(v.getUint32(0x7000, true)).toBe(0);
    expect(v.getUint32(0x7004, true)).toBe(0);
    expect(v.getUint32(0x7008, true)).toBe(ZP);
  });

  it('--initrd: as QEMU, at (min(initrd_addr_max, RAM - 0x20000 - 1) - size) rounded down to a page', async () => {
    const rd = new Uint8Array(10000).fill(0xab);
    const m = await bootPc(file(bzImage(STORE_REGS)), { initrd: file(rd) });
    const at = m.view.getUint32(ZP + 0x218, true);
    expect(at).toBe(Math.floor((128 * MiB - 0x20000 - 1 - 10000) / 4096) * 4096);
    expect(m.view.getUint32(ZP + 0x21c, true)).toBe(10000);
    expect(m.ram.u8[at + 9999]).toBe(0xab);
    const small = await bootPc(file(bzImage(STORE_REGS, { initrdAddrMax: 0x1fffff })), { initrd: file(rd) });
    expect(small.view.getUint32(ZP + 0x218, true)).toBe(Math.floor((0x1fffff - 10000) / 4096) * 4096);
  });

  it('an old protocol, a zImage, a command line over cmdline_size, an initrd that does not fit: one clear error each', async () => {
    await expect(bootPc(file(bzImage(STORE_REGS, { version: 0x202 })))).rejects.toThrow(/boot protocol 2\.02: rvos needs 2\.04 or later/);
    await expect(bootPc(file(bzImage(STORE_REGS, { loadflags: 0 })))).rejects.toThrow(/a zImage/);
    await expect(bootPc(file(bzImage(STORE_REGS, { cmdlineSize: 4 })), { bootargs: 'quiet splash' })).rejects.toThrow(/command line is 12 bytes; .* takes at most 4/);
    await expect(bootPc(file(bzImage(STORE_REGS, { initrdAddrMax: 0x100fff })), { initrd: file(new Uint8Array(8192)) })).rejects.toThrow(/--initrd .* do not fit/);
  });

  it('--initrd with a multiboot or plain ELF kernel is refused', async () => {
    const { elf32, mb2Header } = await import('./boot-images.js');
    const rd = file(new Uint8Array(16));
    await expect(bootPc(file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: mb2Header([]) })), { initrd: rd })).rejects.toThrow(/use --module/);
    await expect(bootPc(file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }])), { initrd: rd })).rejects.toThrow(/only a Linux bzImage takes an initrd/);
  });
});
