import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../src/core/board.js';
import { parseModuleSpec } from '../../../src/core/boot-module.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { bootPc, builtins, dir, elf32, file, mb1Header, mb2Header, STORE_REGS } from './boot-images.js';

const MiB = 0x100000;
const text = (s: string) => new Uint8Array(Buffer.from(s));

describe('i386 boot: modules (--module FILE[,cmdline], board boot.modules)', () => {
  it('FILE[,cmdline]: the command line is what follows the first comma; FILE relative to the base folder', () => {
    expect(parseModuleSpec('a.bin,x=1,y=2', '/base', '--module')).toEqual({ path: '/base/a.bin', cmdline: 'x=1,y=2' });
    expect(parseModuleSpec('/abs/b', '/base', '--module')).toEqual({ path: '/abs/b', cmdline: '' });
    expect(() => parseModuleSpec(',x', '/base', '--module')).toThrow(/--module ,x: expected FILE\[,cmdline\]/);
  });

  it('multiboot2: module tags in order, page-aligned after the kernel, with their command lines; the information in the first gap', async () => {
    const a = file(text('first module'));
    const b = file(new Uint8Array(5000).fill(7));
    const kernel = file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS, memsz: 0x1800 }], { prefix: mb2Header([[6, 0]]) }));
    const m = await bootPc(kernel, { modules: [{ path: a, cmdline: 'one' }, { path: b, cmdline: '' }] });
    const v = m.view;
    const mbi = m.cpu.getReg(3);
    const mods: Array<[number, number, string]> = [];
    for (let o = mbi + 8; v.getUint32(o, true) !== 0; o += Math.ceil(v.getUint32(o + 4, true) / 8) * 8) {
      if (v.getUint32(o, true) === 3) mods.push([v.getUint32(o + 8, true), v.getUint32(o + 12, true), m.cstr(o + 16)]);
    }
    expect(mods).toEqual([[MiB + 0x2000, MiB + 0x2000 + 12, 'one'], [MiB + 0x3000, MiB + 0x3000 + 5000, '']]);
    expect(Buffer.from(m.ram.u8.subarray(MiB + 0x2000, MiB + 0x2000 + 12)).toString()).toBe('first module');
    expect(mbi).toBe(MiB + 0x1800); // 8-aligned, the first free place: between the kernel and the modules (as GRUB)
  });

  it('multiboot 1: mods_count/mods_addr, each {start, end, cmdline, 0}', async () => {
    const a = file(text('abc'));
    const kernel = file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: mb1Header(1) }));
    const m = await bootPc(kernel, { modules: [{ path: a, cmdline: 'arg' }] });
    const v = m.view;
    expect(v.getUint32(0x9500 + 20, true)).toBe(1);
    const list = v.getUint32(0x9500 + 24, true);
    const start = v.getUint32(list, true);
    expect(start % 4096).toBe(0);
    expect(v.getUint32(list + 4, true)).toBe(start + 3);
    expect(m.cstr(v.getUint32(list + 8, true))).toBe('arg');
    expect(m.cstr(start)).toBe('abc');
  });

  it('a missing module file, modules for a non-multiboot kernel or without a kernel: one clear error', async () => {
    const kernel = file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: mb2Header([]) }));
    await expect(bootPc(kernel, { modules: [{ path: join(dir, 'nope.bin'), cmdline: '' }] })).rejects.toThrow(/nope\.bin: cannot read/);
    const plain = file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }]));
    await expect(bootPc(plain, { modules: [{ path: kernel, cmdline: '' }] })).rejects.toThrow(/is not a multiboot kernel, which alone takes modules/);
    await expect(bootPc('none', { modules: [{ path: kernel, cmdline: '' }] })).rejects.toThrow(/only allowed with a kernel/);
  });

  it('rvos run --module: FILE relative to the working folder; a missing file is bad input naming it', async () => {
    const { createSession } = await import('../../../src/core/session.js');
    const kernel = file(elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: mb2Header([]) }), 'mb2.elf');
    writeFileSync(join(dir, 'rel.txt'), 'relative');
    const s = await createSession({ board: 'pc', kernel, modules: ['rel.txt,r'], cwd: dir, serial: 'capture', config: '/dev/null', drives: ['none'] });
    expect(Buffer.from(s.machine.bus.ram.u8.subarray(MiB + 0x1000, MiB + 0x1008)).toString()).toBe('relative'); // the page after the kernel
    await s.close();
    await expect(createSession({ board: 'pc', kernel, modules: ['missing.txt'], cwd: dir, serial: 'capture', config: '/dev/null', drives: ['none'] })).rejects.toThrow(`${join(dir, 'missing.txt')}: cannot read`);
  });

  it("a board's boot.modules go with the board's kernel (paths relative to the board file)", async () => {
    writeFileSync(join(dir, 'mod.txt'), 'from the board');
    const kernel = elf32(MiB, [{ paddr: MiB, data: STORE_REGS }], { prefix: mb2Header([]) });
    writeFileSync(join(dir, 'k.elf'), kernel);
    const yaml = `extends: ${fileURLToPath(new URL('../../../boards/pc.yaml', import.meta.url))}\nname: pc-mods\nboot: { kernel: k.elf, modules: ["mod.txt,hello, board"] }\n`;
    const boardFile = join(dir, 'pc-mods.yaml');
    writeFileSync(boardFile, yaml);
    const board = loadBoard(boardFile);
    expect(board.boot.modules).toEqual([{ path: join(dir, 'mod.txt'), cmdline: 'hello, board' }]);
    const tagTypes = (machine: ReturnType<typeof buildMachine>) => {
      const u8 = machine.bus.ram.u8;
      const v = new DataView(u8.buffer, u8.byteOffset);
      const types: number[] = [];
      for (let o = machine.cpus[0].getReg(3) + 8; ; o += Math.ceil(v.getUint32(o + 4, true) / 8) * 8) { types.push(v.getUint32(o, true)); if (types.at(-1) === 0) break; }
      return types;
    };
    expect(tagTypes(buildMachine(await builtins(), board, { drives: [], console: new CaptureBackend() }))).toContain(3);
    // With a kernel of the user's own, the board's modules stay out.
    const types = tagTypes(buildMachine(await builtins(), board, { kernel: join(dir, 'k.elf'), drives: [], console: new CaptureBackend() }));
    expect(types).not.toContain(3);
  });
});
