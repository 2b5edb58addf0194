/**
 * Multiboot 1 on pc against QEMU 7.2's `-kernel` (hw/i386/multiboot.c + SeaBIOS): the fixture
 * kernel test/fixtures/i386-boot/mb1-dump.bin (source beside it) writes EAX, the info structure,
 * the memory map, the command line, the boot loader name and the module list to QEMU's 0xE9 debug
 * console. rvos must have put the same bytes at the same addresses (the boot loader name aside:
 * "rvos" for "qemu"). The module's command line is QEMU's whole -initrd word, given to rvos as
 * `--module FILE,FILE arg1` so the layouts match byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/session.js';
import { binaryAvailable } from '../helpers/qemu.js';

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
