/**
 * pc direct boot against the reference loaders on qemu-system-i386 (7.2, SeaBIOS):
 *
 * - Multiboot 1 against QEMU's `-kernel` (hw/i386/multiboot.c): the fixture kernel
 *   test/fixtures/i386-boot/mb1-dump.bin (source beside it) writes EAX, the info structure, the
 *   memory map, the command line, the boot loader name and the module list to QEMU's 0xE9 debug
 *   console. rvos must have put the same bytes at the same addresses (the boot loader name aside:
 *   "rvos" for "qemu"). The module's command line is QEMU's whole -initrd word, given to rvos as
 *   `--module FILE,FILE arg1` so the layouts match byte for byte.
 * - Multiboot2 against GRUB 2 (an ISO from grub-mkrescue booted from CD): mb2-dump.elf writes EAX, EBX
 *   and the boot information; rvos must put it at the same address and give the same tags in the
 *   same order with the same contents (module addresses included),
 *   less what only a BIOS has (APM 10, boot device 5, ACPI 14) and the boot loader's name and the
 *   addresses GRUB chose for sections no segment loads.
 * - Linux's boot protocol against QEMU's bzImage loading (hw/i386/x86.c): a synthetic bzImage whose
 *   real-mode setup writes the setup header QEMU filled in to 0xE9; rvos's boot_params must give the
 *   same initrd address and size and the same command line address.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session.js';
import { binaryAvailable } from '../helpers/qemu.js';
import { bzImage } from '../unit/arch-i386/boot-images.js';

const run = promisify(execFile);
const QEMU_I386 = 'qemu-system-i386';
const kernel = fileURLToPath(new URL('../fixtures/i386-boot/mb1-dump.bin', import.meta.url));

describe.skipIf(!binaryAvailable(QEMU_I386))('pc multiboot 1 against QEMU -kernel', () => {
  it('the same info structure, memory map, command line and module list (128 MiB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-mb1-qemu-'));
    const mod = join(dir, 'mod.txt');
    writeFileSync(mod, 'module text');
    const out = join(dir, 'debugcon.bin');
    const args = ['-display', 'none', '-m', '128M', '-kernel', kernel, '-append', 'hello world', '-initrd', `${mod} arg1`];
    await run(QEMU_I386, [...args, '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-serial', 'none', '-monitor', 'none']).catch((e) => {
      if (e.code !== 1) throw e; // isa-debug-exit: (0 << 1) | 1
    });
    const qemu = new Uint8Array(readFileSync(out));

    const s = await createSession({ board: 'pc', kernel, append: 'hello world', modules: [`${mod},${mod} arg1`], memory: '128MiB', serial: 'capture', config: '/dev/null', drives: ['none'] });
    try {
      const cpu = s.machine.cpus[0];
      const mem = (addr: number, len: number) => {
        const b = new Uint8Array(len);
        expect(s.machine.bus.dmaRead(addr, b)).toBe(true);
        return b;
      };
      const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer).getUint32(o, true);
      const str = (addr: number) => { const u8 = s.machine.bus.ram.u8; let e = addr; while (u8[e]) e++; return mem(addr, e - addr + 1); };
      const info = mem(cpu.getReg(3), 88);
      const parts = [
        Uint8Array.from(Buffer.from(new Uint32Array([cpu.getReg(0)]).buffer)),
        info,
        mem(u32(info, 48), u32(info, 44)),
        str(u32(info, 16)),
        Uint8Array.from(Buffer.from('qemu\0')), // QEMU's name at rvos's place (same length)
        mem(u32(info, 24), 16 * u32(info, 20)),
      ];
      expect(Buffer.from(mem(u32(info, 64), 5)).toString('latin1')).toBe('rvos\0');
      expect(cpu.getReg(3)).toBe(0x9500);
      expect(Buffer.from(parts.flatMap((p) => [...p])).toString('hex')).toBe(Buffer.from(qemu).toString('hex'));
      const module = u32(mem(u32(info, 24), 4), 0);
      expect(Buffer.from(mem(module, 11)).toString()).toBe('module text');
    } finally {
      await s.close();
    }
  });
});

const mb2Kernel = fileURLToPath(new URL('../fixtures/i386-boot/mb2-dump.elf', import.meta.url));

/** The tags of a multiboot2 boot information: [type, body after type and size]. */
function mb2Tags(info: Uint8Array): Array<[number, Uint8Array]> {
  const v = new DataView(info.buffer, info.byteOffset, info.byteLength);
  const out: Array<[number, Uint8Array]> = [];
  for (let o = 8; o + 8 <= v.getUint32(0, true); o += Math.ceil(v.getUint32(o + 4, true) / 8) * 8) {
    out.push([v.getUint32(o, true), info.slice(o + 8, o + v.getUint32(o + 4, true))]);
    if (v.getUint32(o, true) === 0) break;
  }
  return out;
}

describe.skipIf(!binaryAvailable(QEMU_I386) || !binaryAvailable('grub-mkrescue'))('pc multiboot2 against GRUB 2 on QEMU', () => {
  it('the same tags, in the same order, with the same contents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-mb2-grub-'));
    const iso = join(dir, 'iso');
    mkdirSync(join(iso, 'boot/grub'), { recursive: true });
    copyFileSync(mb2Kernel, join(iso, 'boot/k.elf'));
    writeFileSync(join(iso, 'boot/mod.txt'), 'module text');
    writeFileSync(join(iso, 'boot/mod2.bin'), new Uint8Array(5000).fill(0x78));
    writeFileSync(join(iso, 'boot/grub/grub.cfg'), 'set timeout=0\nset default=0\nmenuentry "rvos" {\n  multiboot2 /boot/k.elf hello world\n  module2 /boot/mod.txt arg1\n  module2 /boot/mod2.bin\n  boot\n}\n');
    await run('grub-mkrescue', ['-o', join(dir, 'boot.iso'), iso]);
    const out = join(dir, 'debugcon.bin');
    await run(QEMU_I386, ['-display', 'none', '-m', '128M', '-cdrom', join(dir, 'boot.iso'), '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-serial', 'none', '-monitor', 'none'], { timeout: 60_000 }).catch((e) => {
      if (e.code !== 1) throw e;
    });
    const dump = new Uint8Array(readFileSync(out));
    expect(new DataView(dump.buffer).getUint32(0, true)).toBe(0x36d76289);
    const grub = mb2Tags(dump.subarray(8)).filter(([t]) => t !== 10 && t !== 5 && t !== 14);

    const s = await createSession({ board: 'pc', kernel: mb2Kernel, append: 'hello world', modules: [`${join(iso, 'boot/mod.txt')},arg1`, join(iso, 'boot/mod2.bin')], memory: '128MiB', serial: 'capture', config: '/dev/null', drives: ['none'] });
    try {
      const cpu = s.machine.cpus[0];
      expect(cpu.getReg(0)).toBe(0x36d76289);
      expect(cpu.getReg(3)).toBe(new DataView(dump.buffer).getUint32(4, true)); // the information where GRUB put it
      const head = new Uint8Array(8);
      s.machine.bus.dmaRead(cpu.getReg(3), head);
      const info = new Uint8Array(new DataView(head.buffer).getUint32(0, true));
      s.machine.bus.dmaRead(cpu.getReg(3), info);
      const rvos = mb2Tags(info);
      expect(rvos.map(([t]) => t)).toEqual(grub.map(([t]) => t));
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      for (let i = 0; i < rvos.length; i++) {
        const [type, body] = rvos[i];
        if (type === 2) expect(Buffer.from(body).toString()).toBe('rvos\0');
        else if (type === 9) expect(hex(body.subarray(0, 12))).toBe(hex(grub[i][1].subarray(0, 12))); // num, entsize, shndx
        else expect([type, hex(body)]).toEqual([type, hex(grub[i][1])]);
      }
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!binaryAvailable(QEMU_I386))('pc Linux bzImage against QEMU -kernel -initrd', () => {
  it('the initrd and the command line where QEMU puts them (128 MiB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-bz-qemu-'));
    const image = bzImage(new Uint8Array(64));
    // The setup code QEMU's linuxboot ROM jumps to (CS = 0x1020, DS = 0x1000, via the jump at 0x200):
    // mov si,0x1f1; mov cx,0x77; mov dx,0xe9; rep outsb; mov al,0; out 0xf4,al; hlt.
    image.set([0xbe, 0xf1, 0x01, 0xb9, 0x77, 0x00, 0xba, 0xe9, 0x00, 0xf3, 0x6e, 0xb0, 0x00, 0xe6, 0xf4, 0xf4], 0x268);
    const kernel = join(dir, 'bzImage');
    const initrd = join(dir, 'initrd');
    writeFileSync(kernel, image);
    writeFileSync(initrd, new Uint8Array(10000).fill(0xab));
    const out = join(dir, 'debugcon.bin');
    await run(QEMU_I386, ['-display', 'none', '-m', '128M', '-kernel', kernel, '-initrd', initrd, '-append', 'console=ttyS0', '-debugcon', `file:${out}`, '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-serial', 'none', '-monitor', 'none']).catch((e) => {
      if (e.code !== 1) throw e;
    });
    const header = new DataView(new Uint8Array(readFileSync(out)).buffer);
    const field = (off: number) => header.getUint32(off - 0x1f1, true);
    const s = await createSession({ board: 'pc', kernel, initrd, append: 'console=ttyS0', memory: '128MiB', serial: 'capture', config: '/dev/null', drives: ['none'] });
    try {
      const zp = new Uint8Array(0x1000);
      s.machine.bus.dmaRead(s.machine.cpus[0].getReg(6), zp);
      const ours = new DataView(zp.buffer);
      for (const off of [0x218, 0x21c, 0x228]) expect([off, ours.getUint32(off, true)]).toEqual([off, field(off)]); // ramdisk_image, ramdisk_size, cmd_line_ptr
    } finally {
      await s.close();
    }
  });
});
