import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { formatBytes, openRegularFile } from '../input-file.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * rvfs, the reference kernels' file system (docs/disk-format.md): create an image from a host
 * folder (or an in-memory tree), and read one back (list every path, read a file by path, check
 * the metadata). Little-endian; 1024-byte blocks numbered from the start of the disk.
 */

export const RVFS_MAGIC = 0x53465652; // "RVFS"
export const RVFS_VERSION = 1;
export const BLOCK_SIZE = 1024;
export const INODE_SIZE = 64;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const DIRENT_SIZE = 32;
export const NAME_MAX = 27;
export const DIRECT_BLOCKS = 12;
export const INDIRECT_ENTRIES = BLOCK_SIZE / 4;
/** Largest file: (12 + 256) × 1024 bytes = 268 KiB. */
export const MAX_FILE_SIZE = (DIRECT_BLOCKS + INDIRECT_ENTRIES) * BLOCK_SIZE;
export const ROOT_INODE = 1;
export const TYPE_FREE = 0;
export const TYPE_FILE = 1;
export const TYPE_DIR = 2;
export const DEFAULT_IMAGE_SIZE = 4 * 1024 * 1024;
export const DEFAULT_INODE_COUNT = 256;

export interface Superblock {
  magic: number;
  version: number;
  blockSize: number;
  totalBlocks: number;
  inodeCount: number;
  bitmapStart: number;
  bitmapBlocks: number;
  inodeStart: number;
  inodeBlocks: number;
  dataStart: number;
  rootInode: number;
}

/** An in-memory folder: names map to file contents or sub-folders. */
export interface RvfsTree {
  [name: string]: Uint8Array | string | RvfsTree;
}

export interface CreateOptions {
  /** Image size in bytes, a multiple of 1024 (default 4 MiB). */
  size?: number;
  /** Number of inodes, a multiple of 16 (default 256). */
  inodes?: number;
}

/** The metadata layout for an image of `totalBlocks` blocks with `inodeCount` inodes. */
export function layout(totalBlocks: number, inodeCount: number): Superblock {
  const bitmapBlocks = Math.ceil(totalBlocks / (BLOCK_SIZE * 8));
  const inodeBlocks = inodeCount / INODES_PER_BLOCK;
  const inodeStart = 1 + bitmapBlocks;
  return {
    magic: RVFS_MAGIC,
    version: RVFS_VERSION,
    blockSize: BLOCK_SIZE,
    totalBlocks,
    inodeCount,
    bitmapStart: 1,
    bitmapBlocks,
    inodeStart,
    inodeBlocks,
    dataStart: inodeStart + inodeBlocks,
    rootInode: ROOT_INODE,
  };
}

// ---------------------------------------------------------------------------------------------
// Creating
// ---------------------------------------------------------------------------------------------

interface PlannedNode {
  /** Path inside the image, for messages ("/etc/motd"). */
  path: string;
  /** Where it came from, for messages (host path, or the image path for in-memory trees). */
  origin: string;
  inode: number;
  dir: boolean;
  data: Uint8Array;
  children: Array<{ name: string; node: PlannedNode }>;
}

function checkName(name: string, origin: string): void {
  const bytes = Buffer.byteLength(name);
  if (bytes === 0 || bytes > NAME_MAX) throw new UserError(`${origin}: name "${name}" is ${bytes} bytes; rvfs names are 1..${NAME_MAX} bytes`);
  if (name.includes('/') || name.includes('\0')) throw new UserError(`${origin}: name "${name}" holds "/" or NUL`);
  if (name === '.' || name === '..') throw new UserError(`${origin}: "${name}" is reserved`);
}

function checkFileSize(size: number, origin: string): void {
  if (size > MAX_FILE_SIZE) throw new UserError(`${origin}: ${size} bytes is larger than the largest rvfs file (${MAX_FILE_SIZE} bytes = 268 KiB)`);
}

/** Builds an image from an in-memory tree. */
export function createRvfs(tree: RvfsTree, opts: CreateOptions = {}): Uint8Array {
  const plan = (t: RvfsTree, path: string): PlannedNode => {
    const node: PlannedNode = { path: path || '/', origin: path || '/', inode: 0, dir: true, data: new Uint8Array(0), children: [] };
    for (const name of Object.keys(t).sort()) {
      const child = `${path}/${name}`;
      checkName(name, child);
      const v = t[name];
      if (typeof v === 'string' || v instanceof Uint8Array) {
        const data = typeof v === 'string' ? new TextEncoder().encode(v) : v;
        checkFileSize(data.length, child);
        node.children.push({ name, node: { path: child, origin: child, inode: 0, dir: false, data, children: [] } });
      } else node.children.push({ name, node: plan(v, child) });
    }
    return node;
  };
  return build(plan(tree, ''), opts);
}

/** Builds an image from a host folder: regular files and folders only. */
export function createRvfsFromDir(dir: string, opts: CreateOptions = {}): Uint8Array {
  let st;
  try {
    st = lstatSync(dir);
  } catch (e) {
    throw new UserError(`${dir}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!st.isDirectory()) throw new UserError(`${dir}: not a folder`);
  const plan = (host: string, path: string): PlannedNode => {
    const node: PlannedNode = { path: path || '/', origin: host, inode: 0, dir: true, data: new Uint8Array(0), children: [] };
    for (const name of readdirSync(host).sort()) {
      const hostChild = join(host, name);
      checkName(name, hostChild);
      const s = lstatSync(hostChild);
      if (s.isDirectory()) node.children.push({ name, node: plan(hostChild, `${path}/${name}`) });
      else if (s.isFile()) {
        checkFileSize(s.size, hostChild);
        node.children.push({ name, node: { path: `${path}/${name}`, origin: hostChild, inode: 0, dir: false, data: new Uint8Array(readFileSync(hostChild)), children: [] } });
      } else throw new UserError(`${hostChild}: not a regular file or folder (rvfs holds only those; symbolic links are not followed)`);
    }
    return node;
  };
  return build(plan(dir, ''), opts);
}

/** Writes an image built from host folder `dir` to `image`. */
export function writeRvfsImage(dir: string, image: string, opts: CreateOptions = {}): Uint8Array {
  const bytes = createRvfsFromDir(dir, opts);
  try {
    writeFileSync(image, bytes);
  } catch (e) {
    throw new UserError(`${image}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return bytes;
}

function build(root: PlannedNode, opts: CreateOptions): Uint8Array {
  const size = opts.size ?? DEFAULT_IMAGE_SIZE;
  const inodeCount = opts.inodes ?? DEFAULT_INODE_COUNT;
  if (!Number.isSafeInteger(size) || size <= 0 || size % BLOCK_SIZE !== 0) throw new UserError(`image size ${size}: must be a positive multiple of ${BLOCK_SIZE} bytes`);
  if (size > 2 ** 31) throw new UserError(`image size ${size}: at most 2 GiB`);
  if (!Number.isInteger(inodeCount) || inodeCount < 16 || inodeCount % INODES_PER_BLOCK !== 0) throw new UserError(`inode count ${inodeCount}: must be a positive multiple of ${INODES_PER_BLOCK}`);
  const sb = layout(size / BLOCK_SIZE, inodeCount);
  if (sb.dataStart >= sb.totalBlocks) throw new UserError(`image size ${size}: too small for the metadata (${sb.dataStart} blocks) and a root folder`);

  // Inode numbers in depth-first order, root = 1.
  const all: PlannedNode[] = [];
  const number = (n: PlannedNode) => {
    all.push(n);
    n.inode = all.length;
    for (const c of n.children) number(c.node);
  };
  number(root);
  if (all.length > inodeCount - 1) throw new UserError(`${all.length} files and folders need more than the image's ${inodeCount - 1} inodes (use more inodes)`);

  const img = new Uint8Array(size);
  const view = new DataView(img.buffer);
  let next = sb.dataStart;
  const alloc = (what: string): number => {
    if (next >= sb.totalBlocks) {
      throw new UserError(`${what}: the files do not fit in an image of ${size} bytes (${sb.totalBlocks - sb.dataStart} data blocks of ${BLOCK_SIZE}); give a larger --size`);
    }
    return next++;
  };

  const parents = new Map<PlannedNode, PlannedNode>();
  for (const n of all) for (const c of n.children) parents.set(c.node, n);
  for (const n of all) {
    if (!n.dir) continue;
    const entries = [
      { inode: n.inode, name: '.' },
      { inode: (parents.get(n) ?? n).inode, name: '..' },
      ...n.children.map((c) => ({ inode: c.node.inode, name: c.name })),
    ];
    n.data = new Uint8Array(entries.length * DIRENT_SIZE);
    const dv = new DataView(n.data.buffer);
    entries.forEach((e, i) => {
      dv.setUint32(i * DIRENT_SIZE, e.inode, true);
      n.data.set(new TextEncoder().encode(e.name), i * DIRENT_SIZE + 4);
    });
    checkFileSize(n.data.length, n.origin);
  }

  for (const n of all) {
    const at = inodeOffset(sb, n.inode);
    const subdirs = n.children.filter((c) => c.node.dir).length;
    view.setUint16(at, n.dir ? TYPE_DIR : TYPE_FILE, true);
    view.setUint16(at + 2, n.dir ? 2 + subdirs : 1, true);
    view.setUint32(at + 4, n.data.length, true);
    const nblocks = Math.ceil(n.data.length / BLOCK_SIZE);
    let indirect = 0;
    for (let b = 0; b < nblocks; b++) {
      if (b === DIRECT_BLOCKS) {
        indirect = alloc(n.origin);
        view.setUint32(at + 56, indirect, true);
      }
      const blk = alloc(n.origin);
      img.set(n.data.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE), blk * BLOCK_SIZE);
      if (b < DIRECT_BLOCKS) view.setUint32(at + 8 + 4 * b, blk, true);
      else view.setUint32(indirect * BLOCK_SIZE + 4 * (b - DIRECT_BLOCKS), blk, true);
    }
  }

  // Bitmap: metadata and every allocated block are in use.
  for (let b = 0; b < next; b++) img[sb.bitmapStart * BLOCK_SIZE + (b >>> 3)] |= 1 << (b & 7);
  writeSuperblock(view, sb);
  return img;
}

function writeSuperblock(view: DataView, sb: Superblock): void {
  const fields = [sb.magic, sb.version, sb.blockSize, sb.totalBlocks, sb.inodeCount, sb.bitmapStart, sb.bitmapBlocks, sb.inodeStart, sb.inodeBlocks, sb.dataStart, sb.rootInode];
  fields.forEach((v, i) => view.setUint32(4 * i, v, true));
}

function inodeOffset(sb: Superblock, inode: number): number {
  return sb.inodeStart * BLOCK_SIZE + inode * INODE_SIZE;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export interface RvfsEntry {
  /** Absolute path inside the image; the root is "/". */
  path: string;
  type: 'file' | 'dir';
  size: number;
  inode: number;
}

export interface Inode {
  type: number;
  nlink: number;
  size: number;
  direct: number[];
  indirect: number;
}

/** A parsed rvfs image (a copy of its bytes). Every read is checked; a damaged image is a UserError naming `name`. */
/** `rvos disk list` and the tests read an image whole; rvfs images are a few MiB. */
const MAX_LISTED_IMAGE_BYTES = 2 ** 31 - 1;

export class RvfsImage {
  readonly sb: Superblock;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly name = 'image',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.sb = this.readSuperblock();
  }

  /**
   * Reads an image file, to its size on disk: like a drive, an image is a regular file (a FIFO
   * or `/dev/zero` is refused, not read until the host runs out of memory).
   */
  static open(path: string): RvfsImage {
    const src = openRegularFile(path, 'a disk image');
    try {
      if (src.size > MAX_LISTED_IMAGE_BYTES) throw new UserError(`${path}: ${src.size} bytes, larger than the largest image rvos reads whole (${formatBytes(MAX_LISTED_IMAGE_BYTES)})`);
      return new RvfsImage(src.read(0, src.size), path);
    } finally {
      src.close();
    }
  }

  private fail(what: string): UserError {
    return new UserError(`${this.name}: ${what}`);
  }

  private readSuperblock(): Superblock {
    if (this.bytes.length < BLOCK_SIZE) throw this.fail(`not an rvfs image (${this.bytes.length} bytes, smaller than a superblock)`);
    const u32 = (i: number) => this.view.getUint32(4 * i, true);
    const sb: Superblock = {
      magic: u32(0),
      version: u32(1),
      blockSize: u32(2),
      totalBlocks: u32(3),
      inodeCount: u32(4),
      bitmapStart: u32(5),
      bitmapBlocks: u32(6),
      inodeStart: u32(7),
      inodeBlocks: u32(8),
      dataStart: u32(9),
      rootInode: u32(10),
    };
    if (sb.magic !== RVFS_MAGIC) throw this.fail(`not an rvfs image (magic 0x${sb.magic.toString(16).padStart(8, '0')}, expected 0x${RVFS_MAGIC.toString(16)} "RVFS")`);
    const bad = (what: string) => this.fail(`bad superblock: ${what}`);
    if (sb.version !== RVFS_VERSION) throw bad(`version ${sb.version} (this rvos reads version ${RVFS_VERSION})`);
    if (sb.blockSize !== BLOCK_SIZE) throw bad(`block_size ${sb.blockSize}, expected ${BLOCK_SIZE}`);
    if (sb.totalBlocks * BLOCK_SIZE > this.bytes.length) throw bad(`total_blocks ${sb.totalBlocks} (${sb.totalBlocks * BLOCK_SIZE} bytes) is larger than the image (${this.bytes.length} bytes)`);
    if (sb.inodeCount === 0 || sb.inodeCount % INODES_PER_BLOCK !== 0) throw bad(`inode_count ${sb.inodeCount} is not a positive multiple of ${INODES_PER_BLOCK}`);
    if (sb.bitmapStart !== 1) throw bad(`bitmap_start ${sb.bitmapStart}, expected 1`);
    if (sb.bitmapBlocks * BLOCK_SIZE * 8 < sb.totalBlocks) throw bad(`bitmap_blocks ${sb.bitmapBlocks} cannot map ${sb.totalBlocks} blocks`);
    if (sb.inodeStart !== sb.bitmapStart + sb.bitmapBlocks) throw bad(`inode_start ${sb.inodeStart}, expected ${sb.bitmapStart + sb.bitmapBlocks} (after the bitmap)`);
    if (sb.inodeBlocks !== sb.inodeCount / INODES_PER_BLOCK) throw bad(`inode_blocks ${sb.inodeBlocks}, expected inode_count / 16 = ${sb.inodeCount / INODES_PER_BLOCK}`);
    if (sb.dataStart !== sb.inodeStart + sb.inodeBlocks) throw bad(`data_start ${sb.dataStart}, expected ${sb.inodeStart + sb.inodeBlocks} (after the inode table)`);
    if (sb.dataStart >= sb.totalBlocks) throw bad(`data_start ${sb.dataStart} is not below total_blocks ${sb.totalBlocks}`);
    if (sb.rootInode !== ROOT_INODE) throw bad(`root_inode ${sb.rootInode}, expected ${ROOT_INODE}`);
    return sb;
  }

  /** Inode `n` (1..inode_count-1). */
  inode(n: number): Inode {
    if (n <= 0 || n >= this.sb.inodeCount) throw this.fail(`inode ${n} is out of range (1..${this.sb.inodeCount - 1})`);
    const at = inodeOffset(this.sb, n);
    const v = this.view;
    const direct: number[] = [];
    for (let i = 0; i < DIRECT_BLOCKS; i++) direct.push(v.getUint32(at + 8 + 4 * i, true));
    return { type: v.getUint16(at, true), nlink: v.getUint16(at + 2, true), size: v.getUint32(at + 4, true), direct, indirect: v.getUint32(at + 56, true) };
  }

  private checkBlock(b: number, what: string): void {
    if (b < this.sb.dataStart || b >= this.sb.totalBlocks) throw this.fail(`${what}: block ${b} is outside the data area (${this.sb.dataStart}..${this.sb.totalBlocks - 1})`);
  }

  /** The block numbers holding inode `n`'s data, in order (0 = hole), plus its indirect block (0 = none). */
  blocksOf(n: number, what = `inode ${n}`): { blocks: number[]; indirect: number } {
    const ino = this.inode(n);
    if (ino.size > MAX_FILE_SIZE) throw this.fail(`${what}: size ${ino.size} is larger than an rvfs file can be (${MAX_FILE_SIZE})`);
    const count = Math.ceil(ino.size / BLOCK_SIZE);
    const blocks: number[] = [];
    for (let i = 0; i < Math.min(count, DIRECT_BLOCKS); i++) blocks.push(ino.direct[i]);
    if (count > DIRECT_BLOCKS) {
      if (ino.indirect !== 0) {
        this.checkBlock(ino.indirect, `${what} (indirect block)`);
        for (let i = 0; i < count - DIRECT_BLOCKS; i++) blocks.push(this.view.getUint32(ino.indirect * BLOCK_SIZE + 4 * i, true));
      } else for (let i = DIRECT_BLOCKS; i < count; i++) blocks.push(0);
    }
    for (const b of blocks) if (b !== 0) this.checkBlock(b, what);
    return { blocks, indirect: count > DIRECT_BLOCKS ? ino.indirect : 0 };
  }

  /** Inode `n`'s contents (holes read as zeros). */
  readInode(n: number, what = `inode ${n}`): Uint8Array {
    const ino = this.inode(n);
    const { blocks } = this.blocksOf(n, what);
    const out = new Uint8Array(ino.size);
    blocks.forEach((b, i) => {
      if (b === 0) return;
      const len = Math.min(BLOCK_SIZE, ino.size - i * BLOCK_SIZE);
      out.set(this.bytes.subarray(b * BLOCK_SIZE, b * BLOCK_SIZE + len), i * BLOCK_SIZE);
    });
    return out;
  }

  /** A directory's entries other than "." and "..". */
  readDir(n: number, what = `inode ${n}`): Array<{ name: string; inode: number }> {
    const ino = this.inode(n);
    if (ino.type !== TYPE_DIR) throw this.fail(`${what}: not a directory`);
    const data = this.readInode(n, what);
    const out: Array<{ name: string; inode: number }> = [];
    const dv = new DataView(data.buffer);
    for (let off = 0; off + DIRENT_SIZE <= data.length; off += DIRENT_SIZE) {
      const child = dv.getUint32(off, true);
      if (child === 0) continue;
      const raw = data.subarray(off + 4, off + DIRENT_SIZE);
      const end = raw.indexOf(0);
      const name = Buffer.from(end < 0 ? raw : raw.subarray(0, end)).toString('utf8');
      if (name === '.' || name === '..') continue;
      out.push({ name, inode: child });
    }
    return out;
  }

  /** Every path, depth first in directory order, starting with "/". */
  list(): RvfsEntry[] {
    const out: RvfsEntry[] = [];
    const visiting = new Set<number>();
    const walk = (n: number, path: string) => {
      const ino = this.inode(n);
      if (ino.type !== TYPE_FILE && ino.type !== TYPE_DIR) throw this.fail(`${path}: inode ${n} has type ${ino.type} (free or unknown)`);
      out.push({ path, type: ino.type === TYPE_DIR ? 'dir' : 'file', size: ino.size, inode: n });
      if (ino.type !== TYPE_DIR) return;
      if (visiting.has(n)) throw this.fail(`${path}: directory loop (inode ${n} contains itself)`);
      visiting.add(n);
      for (const e of this.readDir(n, path)) walk(e.inode, path === '/' ? `/${e.name}` : `${path}/${e.name}`);
      visiting.delete(n);
    };
    walk(this.sb.rootInode, '/');
    return out;
  }

  /** Looks a path up ("/a/b" or "a/b"); undefined when it does not exist. */
  lookup(path: string): RvfsEntry | undefined {
    let n = this.sb.rootInode;
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    let at = '';
    for (const part of parts) {
      if (this.inode(n).type !== TYPE_DIR) return undefined;
      const e = this.readDir(n, at || '/').find((d) => d.name === part);
      if (!e) return undefined;
      n = e.inode;
      at += `/${part}`;
    }
    const ino = this.inode(n);
    return { path: at || '/', type: ino.type === TYPE_DIR ? 'dir' : 'file', size: ino.size, inode: n };
  }

  /** A regular file's contents; a UserError when the path is missing or a folder. */
  readFile(path: string): Uint8Array {
    const e = this.lookup(path);
    if (!e) throw this.fail(`${path}: no such file`);
    if (e.type !== 'file') throw this.fail(`${path}: is a folder`);
    return this.readInode(e.inode, e.path);
  }

  /** Whether block `b` is marked in use in the bitmap. */
  inUse(b: number): boolean {
    return (this.bytes[this.sb.bitmapStart * BLOCK_SIZE + (b >>> 3)] & (1 << (b & 7))) !== 0;
  }

  /** Consistency problems beyond the superblock (blocks shared, in use but free in the bitmap, leaked). */
  check(): string[] {
    const problems: string[] = [];
    const owner = new Map<number, string>();
    for (const e of this.list()) {
      const { blocks, indirect } = this.blocksOf(e.inode, e.path);
      for (const b of indirect ? [...blocks, indirect] : blocks) {
        if (b === 0) continue;
        const prev = owner.get(b);
        if (prev !== undefined && prev !== e.path) problems.push(`block ${b} is used by both ${prev} and ${e.path}`);
        owner.set(b, e.path);
        if (!this.inUse(b)) problems.push(`${e.path}: block ${b} is in use but free in the bitmap`);
      }
    }
    for (let b = 0; b < this.sb.dataStart; b++) if (!this.inUse(b)) problems.push(`metadata block ${b} is not marked in use in the bitmap`);
    let leaked = 0;
    for (let b = this.sb.dataStart; b < this.sb.totalBlocks; b++) if (this.inUse(b) && !owner.has(b)) leaked++;
    if (leaked > 0) problems.push(`${leaked} block(s) marked in use but owned by no file or folder`);
    return problems;
  }

  /** Counts for a summary line. */
  usage(): { usedBlocks: number; freeBlocks: number; usedInodes: number } {
    let usedBlocks = 0;
    for (let b = 0; b < this.sb.totalBlocks; b++) if (this.inUse(b)) usedBlocks++;
    let usedInodes = 0;
    for (let n = 1; n < this.sb.inodeCount; n++) if (this.inode(n).type !== TYPE_FREE) usedInodes++;
    return { usedBlocks, freeBlocks: this.sb.totalBlocks - usedBlocks, usedInodes };
  }
}

/** Convenience for tests: lists an image file. */
export function listRvfs(path: string): RvfsEntry[] {
  return RvfsImage.open(path).list();
}

/** Convenience for tests: reads a file from an image file. */
export function readRvfsFile(imagePath: string, path: string): Uint8Array {
  return RvfsImage.open(imagePath).readFile(path);
}
