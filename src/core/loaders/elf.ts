import { UserError } from '../errors.js';
import type { ElfInfo } from '../api.js';
import { bytesSource, formatBytes, type ByteSource } from '../input-file.js';

/** A loadable segment of an ELF file (PT_LOAD), with the bytes present in the file. */
export interface ElfSegment {
  paddr: number;
  vaddr: number;
  /** Its bytes in the file (empty when parsed without `segmentData`: fileOffset and fileSize say where they are). */
  data: Uint8Array;
  fileOffset: number;
  fileSize: number;
  memsz: number;
}

export interface ElfImage {
  machine: number;
  elfClass: 1 | 2;
  entry: number;
  segments: ElfSegment[];
  symbols: Map<string, number>;
}

const EM_NAMES: Record<number, string> = { 3: 'i386 (EM_386)', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 40: 'ARM' };
const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Symbol and string tables larger than this are refused (a Linux vmlinux has a few MiB). */
const MAX_SYMBOL_TABLE_BYTES = 256 << 20;

export interface ParseElfOptions {
  /**
   * Loadable bytes must fit in this (the RAM the image goes to): segments are refused before
   * their data is read, so a hostile file cannot make rvos read or allocate more.
   */
  loadLimit?: { bytes: number; why: string };
  /** Read the segments' bytes (default true; addr2line needs only the symbols, loadImage reads them into RAM itself). */
  segmentData?: boolean;
}

/**
 * Parses an ELF32/ELF64 little-endian executable (System V ABI, "ELF-64 Object File Format").
 * Every offset, count and entry size is checked before it is used, so a truncated or hostile
 * file becomes a UserError naming it; only what is needed is read from `input`.
 */
export function parseElf(input: Uint8Array | ByteSource, path: string, opts: ParseElfOptions = {}): ElfImage {
  const src = input instanceof Uint8Array ? bytesSource(input, path) : input;
  const fail = (what: string) => new UserError(`${path}: ${what}`);
  const size = src.size;
  /** Reads `len` bytes at `off` after checking they are inside the file. */
  const inFile = (off: number, len: number, what: string) => {
    if (!(off >= 0 && len >= 0 && off + len <= size)) throw fail(`truncated file: ${what} at offset ${off} (+${len}) is past its end (${size} bytes)`);
  };
  const fetch = (off: number, len: number, what: string): DataView => {
    inFile(off, len, what);
    const b = src.read(off, len);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  };
  const ident = src.read(0, Math.min(size, 64));
  if (!isElf(ident)) throw fail('not an ELF file');
  if (size < 52) throw fail('truncated ELF header');
  const elfClass = ident[4];
  if (elfClass !== 1 && elfClass !== 2) throw fail(`bad ELF class ${elfClass}`);
  if (ident[5] !== 1) throw fail('big-endian ELF files are not supported');
  const is64 = elfClass === 2;
  if (is64 && size < 64) throw fail('truncated ELF header');
  const v = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
  const word = (d: DataView, off: number): number => (is64 ? Number(d.getBigUint64(off, true)) : d.getUint32(off, true));
  // Virtual addresses (entry, p_vaddr, symbols) of a 64-bit file are read signed (src/core/address.ts).
  const vaddrAt = (d: DataView, off: number): number => (is64 ? Number(d.getBigInt64(off, true)) : d.getUint32(off, true));

  const type = v.getUint16(16, true);
  if (type !== 2) throw fail(`ELF type ${type} is not an executable (ET_EXEC)`);
  const machine = v.getUint16(18, true);
  const entry = vaddrAt(v, 24);
  const phoff = word(v, is64 ? 32 : 28);
  const shoff = word(v, is64 ? 40 : 32);
  const phentsize = v.getUint16(is64 ? 54 : 42, true);
  const phnum = v.getUint16(is64 ? 56 : 44, true);
  const shentsize = v.getUint16(is64 ? 58 : 46, true);
  const shnum = v.getUint16(is64 ? 60 : 48, true);

  // The entry sizes may exceed the structures (later ABI versions may append fields), never be smaller.
  const phdrSize = is64 ? 56 : 32;
  if (phnum > 0 && phentsize < phdrSize) throw fail(`e_phentsize ${phentsize} is smaller than a program header (${phdrSize} bytes)`);
  inFile(phoff, phnum * phentsize, 'program headers');
  const segments: ElfSegment[] = [];
  const ranges: Array<{ i: number; offset: number; filesz: number; paddr: number; vaddr: number; memsz: number }> = [];
  for (let i = 0; i < phnum; i++) {
    const p = fetch(phoff + i * phentsize, phdrSize, `program header ${i}`);
    if (p.getUint32(0, true) !== PT_LOAD) continue;
    const offset = word(p, is64 ? 8 : 4);
    const vaddr = vaddrAt(p, is64 ? 16 : 8);
    const paddr = word(p, is64 ? 24 : 12);
    const filesz = word(p, is64 ? 32 : 16);
    const memsz = word(p, is64 ? 40 : 20);
    if (filesz > memsz) throw fail(`segment ${i}: file size ${filesz} larger than memory size ${memsz}`);
    inFile(offset, filesz, `segment ${i}`);
    ranges.push({ i, offset, filesz, paddr, vaddr, memsz });
  }
  if (ranges.length === 0) throw fail('no loadable (PT_LOAD) segments');
  checkSegments(ranges, fail, opts.loadLimit);
  for (const r of ranges) {
    const data = opts.segmentData === false ? new Uint8Array(0) : src.read(r.offset, r.filesz);
    segments.push({ paddr: r.paddr, vaddr: r.vaddr, memsz: r.memsz, data, fileOffset: r.offset, fileSize: r.filesz });
  }

  const symbols = new Map<string, number>();
  if (shoff !== 0 && shnum > 0) {
    const shdrSize = is64 ? 64 : 40;
    if (shentsize < shdrSize) throw fail(`e_shentsize ${shentsize} is smaller than a section header (${shdrSize} bytes)`);
    inFile(shoff, shnum * shentsize, 'section headers');
    const section = (i: number) => {
      const s = fetch(shoff + i * shentsize, shdrSize, `section header ${i}`);
      return {
        type: s.getUint32(4, true),
        offset: word(s, is64 ? 24 : 16),
        size: word(s, is64 ? 32 : 20),
        link: s.getUint32(is64 ? 40 : 24, true),
        entsize: word(s, is64 ? 56 : 36),
      };
    };
    // The gABI allows one SHT_SYMTAB per file: read the first.
    for (let i = 0; i < shnum; i++) {
      const sh = section(i);
      if (sh.type !== SHT_SYMTAB || sh.link >= shnum) continue;
      readSymbols(sh, section(sh.link), fetch, fail, is64, symbols);
      break;
    }
  }
  return { machine, elfClass, entry, segments, symbols };
}

/**
 * Loadable segments must not overlap each other (QEMU refuses such images too: "rom: requested
 * regions overlap") and, together, must fit in the RAM they go to.
 */
function checkSegments(
  ranges: Array<{ i: number; paddr: number; memsz: number }>,
  fail: (what: string) => UserError,
  limit: ParseElfOptions['loadLimit'],
): void {
  let total = 0;
  for (const r of ranges) total += r.memsz;
  if (limit && total > limit.bytes) throw fail(`loadable segments of ${total} bytes, larger than ${limit.why}`);
  const sorted = ranges.filter((r) => r.memsz > 0).sort((a, b) => a.paddr - b.paddr);
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1];
    const b = sorted[k];
    if (b.paddr < a.paddr + a.memsz) {
      throw fail(`segments ${a.i} and ${b.i} overlap (physical 0x${a.paddr.toString(16)}+0x${a.memsz.toString(16)} and 0x${b.paddr.toString(16)}+0x${b.memsz.toString(16)})`);
    }
  }
}

interface SectionHeader {
  offset: number;
  size: number;
  entsize: number;
}

function readSymbols(
  sh: SectionHeader,
  strtab: SectionHeader,
  fetch: (off: number, len: number, what: string) => DataView,
  fail: (what: string) => UserError,
  is64: boolean,
  symbols: Map<string, number>,
): void {
  const symSize = is64 ? 24 : 16;
  const entsize = sh.entsize || symSize;
  if (entsize < symSize) throw fail(`symbol table entry size ${entsize} is smaller than a symbol (${symSize} bytes)`);
  for (const [t, what] of [[sh, 'symbol table'], [strtab, 'string table']] as const) {
    if (t.size > MAX_SYMBOL_TABLE_BYTES) throw fail(`${what} of ${t.size} bytes, larger than ${formatBytes(MAX_SYMBOL_TABLE_BYTES)}`);
  }
  const syms = fetch(sh.offset, sh.size, 'symbol table');
  const strs = fetch(strtab.offset, strtab.size, 'string table');
  // One Buffer over the string table (no copy): a name is found with indexOf and decoded in place, where a loop over
  // its bytes and a Buffer copy per name cost a kernel's first load ~10 ms (a run's ELF code runs once, unoptimized).
  const strBytes = Buffer.from(strs.buffer, strs.byteOffset, Math.min(strs.byteLength, strtab.size));
  for (let off = 0; off + entsize <= sh.size; off += entsize) {
    const nameOff = syms.getUint32(off, true);
    const value = is64 ? Number(syms.getBigInt64(off + 8, true)) : syms.getUint32(off + 4, true); // signed: address.ts
    const symType = syms.getUint8(is64 ? off + 4 : off + 12) & 0xf;
    if (nameOff === 0 || nameOff >= strtab.size || symType > 2) continue; // NOTYPE, OBJECT, FUNC
    const nul = strBytes.indexOf(0, nameOff);
    const name = strBytes.toString('utf8', nameOff, nul < 0 ? strBytes.length : nul);
    if (!symbols.has(name)) symbols.set(name, value);
  }
}

export function describeMachine(machine: number): string {
  return EM_NAMES[machine] ?? `e_machine ${machine}`;
}

/** Checks that an ELF fits the board's architecture. */
export function checkElfArch(image: ElfImage, path: string, machine: number, elfClass: 1 | 2, arch: string): void {
  if (image.machine !== machine || image.elfClass !== elfClass) {
    throw new UserError(
      `${path}: ELF is for ${describeMachine(image.machine)} ${image.elfClass === 1 ? '32' : '64'}-bit, but the board's architecture is ${arch} (${describeMachine(machine)} ${elfClass === 1 ? '32' : '64'}-bit)`,
    );
  }
}

export function elfInfo(image: ElfImage, path: string): ElfInfo {
  let low = Infinity;
  let high = 0;
  let vlow = Infinity;
  let vhigh = -Infinity;
  for (const s of image.segments) {
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
    vlow = Math.min(vlow, s.vaddr);
    vhigh = Math.max(vhigh, s.vaddr + s.memsz);
  }
  return { entry: image.entry, low, high, vlow, vhigh, symbols: image.symbols, path, elf: true };
}
