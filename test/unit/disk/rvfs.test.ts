import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BLOCK_SIZE,
  createRvfs,
  createRvfsFromDir,
  listRvfs,
  MAX_FILE_SIZE,
  readRvfsFile,
  RVFS_MAGIC,
  RvfsImage,
  writeRvfsImage,
} from '../../../src/core/disk/rvfs.js';

const pattern = (n: number, seed = 1) => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed + (i >> 10)) & 0xff;
  return b;
};
/** Byte equality without vitest's element-by-element diffing (slow on large arrays). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('rvfs', () => {
  it('lays out the superblock as docs/disk-format.md says', () => {
    const img = createRvfs({});
    expect(img.length).toBe(4 * 1024 * 1024);
    const v = new DataView(img.buffer);
    const u32 = (i: number) => v.getUint32(4 * i, true);
    // magic, version, block_size, total_blocks, inode_count, bitmap_start, bitmap_blocks, inode_start, inode_blocks, data_start, root
    expect([...Array(11).keys()].map(u32)).toEqual([RVFS_MAGIC, 1, 1024, 4096, 256, 1, 1, 2, 16, 18, 1]);
    expect(Buffer.from(img.subarray(0, 4)).toString('latin1')).toBe('RVFS');
    // Metadata blocks 0..17 and the root folder's block 18 are in use; nothing else.
    const bitmap = img.subarray(BLOCK_SIZE, 2 * BLOCK_SIZE);
    expect([...bitmap.subarray(0, 4)]).toEqual([0xff, 0xff, 0x07, 0x00]);
    expect(bitmap.subarray(3).every((b) => b === 0)).toBe(true);
    // Root inode: directory, nlink 2, two entries ("." and ".."), both inode 1.
    const root = 2 * BLOCK_SIZE + 64;
    expect(v.getUint16(root, true)).toBe(2);
    expect(v.getUint16(root + 2, true)).toBe(2);
    expect(v.getUint32(root + 4, true)).toBe(64);
    expect(v.getUint32(root + 8, true)).toBe(18);
    expect(v.getUint32(18 * 1024, true)).toBe(1);
    expect(Buffer.from(img.subarray(18 * 1024 + 4, 18 * 1024 + 6)).toString()).toBe('.\0');
    expect(v.getUint32(18 * 1024 + 32, true)).toBe(1);
    expect(Buffer.from(img.subarray(18 * 1024 + 36, 18 * 1024 + 39)).toString()).toBe('..\0');
    // Inode 0 is never used.
    expect(img.subarray(2 * BLOCK_SIZE, 2 * BLOCK_SIZE + 64).every((b) => b === 0)).toBe(true);
  });

  it('round-trips a tree: list every path with type and size, read files back', () => {
    const big = pattern(200 * 1024); // 200 blocks: direct + single-indirect
    const img = new RvfsImage(
      createRvfs({
        'hello.txt': 'hello, rvfs\n',
        empty: '',
        etc: { motd: 'welcome\n', deep: { er: { 'file.bin': pattern(3000) } } },
        bin: { big },
        'a-name-of-27-bytes-long.txt': 'x',
      }),
    );
    expect(img.list().map(({ path, type, size }) => `${type} ${size} ${path}`)).toEqual([
      'dir 224 /',
      'file 1 /a-name-of-27-bytes-long.txt',
      'dir 96 /bin',
      `file ${big.length} /bin/big`,
      'file 0 /empty',
      'dir 128 /etc',
      'dir 96 /etc/deep',
      'dir 96 /etc/deep/er',
      'file 3000 /etc/deep/er/file.bin',
      'file 8 /etc/motd',
      'file 12 /hello.txt',
    ]);
    expect(Buffer.from(img.readFile('/hello.txt')).toString()).toBe('hello, rvfs\n');
    expect(Buffer.from(img.readFile('etc/motd')).toString()).toBe('welcome\n');
    expect(same(img.readFile('/bin/big'), big)).toBe(true);
    expect(img.readFile('/etc/deep/er/file.bin')).toEqual(pattern(3000));
    expect(img.readFile('/empty').length).toBe(0);
    expect(img.lookup('/etc/deep')).toMatchObject({ type: 'dir', path: '/etc/deep' });
    expect(img.lookup('/nope')).toBeUndefined();
    expect(() => img.readFile('/etc')).toThrow(/is a folder/);
    expect(() => img.readFile('/etc/nope')).toThrow(/no such file/);
    expect(img.check()).toEqual([]);
    // nlink: files 1, folders 2 + sub-folders.
    expect(img.inode(img.lookup('/')!.inode).nlink).toBe(4);
    expect(img.inode(img.lookup('/etc')!.inode).nlink).toBe(3);
    expect(img.inode(img.lookup('/hello.txt')!.inode).nlink).toBe(1);
  });

  it('holds the largest file the format allows (268 KiB) and refuses a byte more', () => {
    const max = pattern(MAX_FILE_SIZE, 7);
    expect(MAX_FILE_SIZE).toBe(268 * 1024);
    expect(same(new RvfsImage(createRvfs({ max })).readFile('/max'), max)).toBe(true);
    expect(() => createRvfs({ huge: new Uint8Array(MAX_FILE_SIZE + 1) })).toThrow(/\/huge: 274433 bytes is larger than the largest rvfs file \(274432 bytes = 268 KiB\)/);
  });

  it('refuses names that do not fit a directory entry', () => {
    expect(() => createRvfs({ ['n'.repeat(28)]: 'x' })).toThrow(/name "n{28}" is 28 bytes; rvfs names are 1..27 bytes/);
    expect(() => createRvfs({ ['é'.repeat(14)]: 'x' })).toThrow(/is 28 bytes/);
    expect(new RvfsImage(createRvfs({ ['n'.repeat(27)]: 'x' })).list()[1].path).toBe('/' + 'n'.repeat(27));
  });

  it('reports images too small, inodes exhausted and disks full', () => {
    expect(() => createRvfs({}, { size: 1000 })).toThrow(/multiple of 1024/);
    expect(() => createRvfs({}, { size: 16 * 1024 })).toThrow(/too small/);
    const many: Record<string, string> = {};
    for (let i = 0; i < 20; i++) many[`f${i}`] = 'x';
    expect(() => createRvfs(many, { inodes: 16 })).toThrow(/21 files and folders need more than the image's 15 inodes/);
    expect(() => createRvfs({ a: pattern(200 * 1024), b: pattern(200 * 1024) }, { size: 256 * 1024 })).toThrow(/do not fit in an image of 262144 bytes.*--size/);
    expect(new RvfsImage(createRvfs(many, { size: 64 * 1024, inodes: 32 })).list().length).toBe(21);
  });

  it('grows directories past one block', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 100; i++) many[`file-${String(i).padStart(3, '0')}`] = `#${i}`;
    const img = new RvfsImage(createRvfs({ d: many }));
    expect(img.lookup('/d')!.size).toBe(102 * 32);
    expect(img.readDir(img.lookup('/d')!.inode).length).toBe(100);
    expect(Buffer.from(img.readFile('/d/file-099')).toString()).toBe('#99');
    expect(img.check()).toEqual([]);
  });

  it('reads holes as zeros and finds what a kernel got wrong', () => {
    const bytes = createRvfs({ f: pattern(3 * 1024) });
    const img = new RvfsImage(bytes);
    const ino = img.lookup('/f')!.inode;
    const at = 2 * 1024 + ino * 64;
    const v = new DataView(bytes.buffer);
    const second = v.getUint32(at + 12, true);
    v.setUint32(at + 12, 0, true); // punch a hole
    const data = img.readFile('/f');
    expect(data.subarray(1024, 2048).every((b) => b === 0)).toBe(true);
    expect(data.subarray(0, 1024)).toEqual(pattern(3 * 1024).subarray(0, 1024));
    expect(img.check()).toEqual(['1 block(s) marked in use but owned by no file or folder']);
    v.setUint32(at + 12, second, true);
    bytes[1024 + (second >>> 3)] &= ~(1 << (second & 7)); // clear its bitmap bit
    expect(img.check()).toEqual([`/f: block ${second} is in use but free in the bitmap`]);
    v.setUint32(at + 12, 5, true); // a metadata block
    expect(() => img.readFile('/f')).toThrow(/block 5 is outside the data area/);
  });

  it('says clearly when a file is not an rvfs image', () => {
    expect(() => new RvfsImage(new Uint8Array(4096), 'zero.img')).toThrow(/^zero\.img: not an rvfs image \(magic 0x00000000, expected 0x53465652 "RVFS"\)/);
    expect(() => new RvfsImage(new Uint8Array(100), 'tiny.img')).toThrow(/tiny\.img: not an rvfs image \(100 bytes/);
    const bad = createRvfs({});
    new DataView(bad.buffer).setUint32(36, 99, true);
    expect(() => new RvfsImage(bad, 'bad.img')).toThrow(/bad\.img: bad superblock: data_start 99, expected 18/);
    const short = createRvfs({}).subarray(0, 2 * 1024 * 1024);
    expect(() => new RvfsImage(short, 'short.img')).toThrow(/total_blocks 4096 .* larger than the image/);
  });

  it('builds an image from a host folder and reads it back from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvfs-'));
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc', 'sub'), { recursive: true });
    mkdirSync(join(root, 'empty-dir'));
    writeFileSync(join(root, 'etc', 'motd'), 'hi\n');
    writeFileSync(join(root, 'etc', 'sub', 'data'), pattern(5000));
    writeFileSync(join(root, 'README'), 'rvfs\n');
    const image = join(dir, 'disk.img');
    writeRvfsImage(root, image, { size: 1024 * 1024 });
    expect(listRvfs(image).map((e) => `${e.type} ${e.path}`)).toEqual(['dir /', 'file /README', 'dir /empty-dir', 'dir /etc', 'file /etc/motd', 'dir /etc/sub', 'file /etc/sub/data']);
    expect(Buffer.from(readRvfsFile(image, '/etc/motd')).toString()).toBe('hi\n');
    expect(same(readRvfsFile(image, '/etc/sub/data'), pattern(5000))).toBe(true);
    // Deterministic: the same folder gives the same bytes.
    expect(same(createRvfsFromDir(root, { size: 1024 * 1024 }), createRvfsFromDir(root, { size: 1024 * 1024 }))).toBe(true);

    symlinkSync('README', join(root, 'link'));
    expect(() => createRvfsFromDir(root)).toThrow(/link: not a regular file or folder/);
    expect(() => createRvfsFromDir(join(dir, 'missing'))).toThrow(/missing: cannot read: ENOENT/);
  });
});
