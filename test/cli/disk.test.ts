import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RvfsImage } from '../../src/core/disk/rvfs.js';
import { rvos } from '../helpers/cli.js';
import { makeElf } from '../helpers/elf.js';
import { programElf } from '../helpers/programs.js';
import { assemble, jal, li, sb, sw, t0, t1, zero } from '../helpers/rv32asm.js';

let dir: string;
const savedDataDir = process.env.RVOS_DATA_DIR;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rvos-cli-disk-'));
  // Children inherit the environment: keep default-disk copies out of the user's home.
  process.env.RVOS_DATA_DIR = join(dir, 'data');
});
afterAll(() => {
  if (savedDataDir === undefined) delete process.env.RVOS_DATA_DIR;
  else process.env.RVOS_DATA_DIR = savedDataDir;
});

describe('rvos disk', () => {
  it('creates an image from a folder and lists it', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'motd'), 'hello from the host\n');
    writeFileSync(join(root, 'data.bin'), Buffer.alloc(20000, 1));
    const image = join(dir, 'disk.img');
    const c = await rvos(['disk', 'create', '--from', root, image, '--size', '1MiB']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/^wrote .*disk\.img: 1048576 bytes, 2 files, 2 folders, \d+ blocks used, \d+ free\n$/);
    expect(readFileSync(image).length).toBe(1 << 20);
    expect(Buffer.from(new RvfsImage(new Uint8Array(readFileSync(image))).readFile('/etc/motd')).toString()).toBe('hello from the host\n');

    const l = await rvos(['disk', 'list', image]);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout.split('\n').map((r) => r.split(/\s+/).join(' '))).toEqual(['TYPE SIZE PATH', 'dir 128 /', 'file 20000 /data.bin', 'dir 96 /etc', 'file 20 /etc/motd', '']);
    expect(l.stderr).toMatch(/^rvfs v1: 1024 blocks of 1024 bytes \(\d+ used, \d+ free\), 4 of 255 inodes used\n$/);
  });

  it('defaults to 4 MiB', async () => {
    const root = join(dir, 'empty');
    mkdirSync(root);
    const r = await rvos(['disk', 'create', '--from', root, join(dir, 'd4.img')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'd4.img')).length).toBe(4 << 20);
  });

  it('explains what does not fit the format, with exit 2', async () => {
    const long = join(dir, 'long');
    mkdirSync(long);
    writeFileSync(join(long, 'a-file-name-that-is-too-long.txt'), 'x');
    const r1 = await rvos(['disk', 'create', '--from', long, join(dir, 'x.img')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/^rvos: .*a-file-name-that-is-too-long\.txt: name "a-file-name-that-is-too-long\.txt" is 32 bytes; rvfs names are 1\.\.27 bytes\n$/);

    const big = join(dir, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'huge'), Buffer.alloc(300 * 1024));
    const r2 = await rvos(['disk', 'create', '--from', big, join(dir, 'x.img')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/huge: 307200 bytes is larger than the largest rvfs file \(274432 bytes = 268 KiB\)/);
    expect(existsSync(join(dir, 'x.img'))).toBe(false);

    const r3 = await rvos(['disk', 'create', '--from', big, join(dir, 'x.img'), '--size', 'lots']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--size lots: expected a size like 4MiB/);

    const r4 = await rvos(['disk', 'create', '--from', join(dir, 'nope'), join(dir, 'x.img')]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/nope: cannot read: ENOENT/);
  });

  it('says when a file is not an rvfs image', async () => {
    writeFileSync(join(dir, 'junk.img'), Buffer.alloc(8192, 0x33));
    const r = await rvos(['disk', 'list', join(dir, 'junk.img')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rvos: .*junk\.img: not an rvfs image \(magic 0x33333333, expected 0x53465652 "RVFS"\)\n$/);
    const missing = await rvos(['disk', 'list', join(dir, 'missing.img')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.img: cannot read: ENOENT/);
  });
});

describe('rvos addr2line', () => {
  it('prints function+offset for each address, ?? outside the image', async () => {
    const elf = join(dir, 'k.elf');
    writeFileSync(elf, makeElf({ entry: 0x80200000, segments: [{ paddr: 0x80200000, data: new Uint8Array(0x2000) }], symbols: { _start: 0x80200000, panic: 0x80200a20, main: 0x80201000 } }));
    const r = await rvos(['addr2line', '--kernel', elf, '0x80200a3c', '80201000', '0x80200000', '0x90000000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('0x80200a3c: panic+0x1c\n0x80201000: main+0x0\n0x80200000: _start+0x0\n0x90000000: ??\n');
    const bad = await rvos(['addr2line', '--kernel', elf, 'main']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/main: expected a hexadecimal address/);
    const missing = await rvos(['addr2line', '--kernel', join(dir, 'nope.elf'), '0x1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.elf: cannot read: ENOENT/);
  });
});

describe('rvos run with drives', () => {
  it('names a missing image and exits 2', async () => {
    const r = await rvos(['run', '--bios', 'none', '--kernel', programElf('hello'), '--drive', `file=${join(dir, 'absent.img')}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`rvos: drive ${join(dir, 'absent.img')}: cannot open: no such file\n`);
    const bad = await rvos(['run', '--bios', 'none', '--kernel', programElf('hello'), '--drive', 'file=x.img,cache=none']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rvos: --drive file=x\.img,cache=none: unknown option "cache"/);
  });

  it('runs with a drive attached', async () => {
    writeFileSync(join(dir, 'ok.img'), Buffer.alloc(4096));
    const r = await rvos(['run', '--bios', 'none', '--kernel', programElf('hello'), '--drive', `file=${join(dir, 'ok.img')}`, '--virtio-version', 'modern']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hello: PASS/);
  });

  it('copies a board default disk on the first run only, saying where on stderr', async () => {
    writeFileSync(join(dir, 'committed.img'), Buffer.alloc(4096, 7));
    const board = join(dir, 'disk-board.yaml');
    writeFileSync(board, `extends: virt\nname: diskboard\nboot:\n  firmware: none\n  kernel: ${programElf('hello')}\n  drive: committed.img\n`);
    const first = await rvos(['run', '--board', board]);
    expect(first.code, first.stderr).toBe(0);
    const copy = join(dir, 'data', 'diskboard-disk.img');
    expect(first.stderr).toBe(`rvos: board diskboard: the default disk is a copy of ${join(dir, 'committed.img')} at ${copy} (delete it to start afresh)\n`);
    expect(readFileSync(copy).equals(Buffer.alloc(4096, 7))).toBe(true);
    const second = await rvos(['run', '--board', board]);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    // A kernel of the user's own gets no default disk (so bare-metal runs side by side never share it).
    rmSync(copy);
    const own = await rvos(['run', '--board', board, '--kernel', programElf('hello')]);
    expect(own.code, own.stderr).toBe(0);
    expect(existsSync(copy)).toBe(false);
  });
});

describe('rvos run console symbols', () => {
  /** A guest that prints `text` on the UART and powers off; `handler` is a symbol at 0x80000010. */
  function printer(text: string): string {
    const code = assemble([
      li(t0, 0x10000000),
      ...[...text].map((c) => [...li(t1, c.charCodeAt(0)), sb(t1, t0, 0)]),
      li(t0, 0x100000),
      li(t1, 0x5555),
      sw(t1, t0, 0),
      jal(zero, 0),
    ]);
    const path = join(dir, 'printer.elf');
    writeFileSync(path, makeElf({ entry: 0x80000000, segments: [{ paddr: 0x80000000, data: code }], symbols: { _start: 0x80000000, handler: 0x80000010 } }));
    return path;
  }

  it('appends <function+offset> to sepc=/ra= values inside the kernel, and --no-symbolize turns it off', async () => {
    const elf = printer('trap: sepc=0x80000014 ra=0x80000000 pc=0x00001000\n');
    const on = await rvos(['run', '--bios', 'none', '--kernel', elf, '--drive', 'none']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toBe('trap: sepc=0x80000014 <handler+0x4> ra=0x80000000 <_start+0x0> pc=0x00001000\n');
    const off = await rvos(['run', '--bios', 'none', '--kernel', elf, '--no-symbolize']);
    expect(off.code).toBe(0);
    expect(off.stdout).toBe('trap: sepc=0x80000014 ra=0x80000000 pc=0x00001000\n');
  });
});
