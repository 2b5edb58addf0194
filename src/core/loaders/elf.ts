import { UserError } from '../errors.js';
import type { ElfInfo } from '../api.js';

/** A loadable segment of an ELF file (PT_LOAD), with the bytes present in the file. */
export interface ElfSegment {
  paddr: number;
  vaddr: number;
  data: Uint8Array;
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

/**
 * Parses an ELF32/ELF64 little-endian executable (System V ABI, "ELF-64 Object File Format").
 * Every offset is range-checked so a truncated or hostile file becomes a UserError naming it.
 */
export function parseElf(bytes: Uint8Array, path: string): ElfImage {
  const fail = (what: string) => new UserError(`${path}: ${what}`);
  if (!isElf(bytes)) throw fail('not an ELF file');
  if (bytes.length < 52) throw fail('truncated ELF header');
  const elfClass = bytes[4];
  if (elfClass !== 1 && elfClass !== 2) throw fail(`bad ELF class ${elfClass}`);
  if (bytes[5] !== 1) throw fail('big-endian ELF files are not supported');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const is64 = elfClass === 2;
  if (is64 && bytes.length < 64) throw fail('truncated ELF header');
  const addr = (off: number): number => (is64 ? Number(v.getBigUint64(off, true)) : v.getUint32(off, true));
  const check = (off: number, len: number, what: string) => {
    if (off < 0 || len < 0 || off + len > bytes.length) throw fail(`truncated file: ${what} at offset ${off} (+${len}) is past its end (${bytes.length} bytes)`);
  };

  const type = v.getUint16(16, true);
  if (type !== 2) throw fail(`ELF type ${type} is not an executable (ET_EXEC)`);
  const machine = v.getUint16(18, true);
  const entry = addr(24);
  const phoff = addr(is64 ? 32 : 28);
  const shoff = addr(is64 ? 40 : 32);
  const phentsize = v.getUint16(is64 ? 54 : 42, true);
  const phnum = v.getUint16(is64 ? 56 : 44, true);
  const shentsize = v.getUint16(is64 ? 58 : 46, true);
  const shnum = v.getUint16(is64 ? 60 : 48, true);

  const segments: ElfSegment[] = [];
  check(phoff, phnum * phentsize, 'program headers');
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (v.getUint32(p, true) !== PT_LOAD) continue;
    const offset = addr(p + (is64 ? 8 : 4));
    const vaddr = addr(p + (is64 ? 16 : 8));
    const paddr = addr(p + (is64 ? 24 : 12));
    const filesz = addr(p + (is64 ? 32 : 16));
    const memsz = addr(p + (is64 ? 40 : 20));
    if (filesz > memsz) throw fail(`segment ${i}: file size ${filesz} larger than memory size ${memsz}`);
    check(offset, filesz, `segment ${i}`);
    segments.push({ paddr, vaddr, memsz, data: bytes.subarray(offset, offset + filesz) });
  }
  if (segments.length === 0) throw fail('no loadable (PT_LOAD) segments');

  const symbols = new Map<string, number>();
  if (shoff !== 0 && shnum > 0) {
    check(shoff, shnum * shentsize, 'section headers');
    const section = (i: number) => {
      const s = shoff + i * shentsize;
      return {
        type: v.getUint32(s + 4, true),
        offset: addr(s + (is64 ? 24 : 16)),
        size: addr(s + (is64 ? 32 : 20)),
        link: v.getUint32(s + (is64 ? 40 : 24), true),
        entsize: addr(s + (is64 ? 56 : 36)),
      };
    };
    for (let i = 0; i < shnum; i++) {
      const sh = section(i);
      if (sh.type !== SHT_SYMTAB || sh.link >= shnum) continue;
      const strtab = section(sh.link);
      check(sh.offset, sh.size, 'symbol table');
      check(strtab.offset, strtab.size, 'string table');
      const entsize = sh.entsize || (is64 ? 24 : 16);
      for (let off = sh.offset; off + entsize <= sh.offset + sh.size; off += entsize) {
        const nameOff = v.getUint32(off, true);
        const value = is64 ? Number(v.getBigUint64(off + 8, true)) : v.getUint32(off + 4, true);
        const info = bytes[is64 ? off + 4 : off + 12];
        const symType = info & 0xf;
        if (nameOff === 0 || nameOff >= strtab.size || symType > 2) continue; // NOTYPE, OBJECT, FUNC
        let end = strtab.offset + nameOff;
        while (end < strtab.offset + strtab.size && bytes[end] !== 0) end++;
        const name = Buffer.from(bytes.subarray(strtab.offset + nameOff, end)).toString('utf8');
        if (!symbols.has(name)) symbols.set(name, value);
      }
    }
  }
  return { machine, elfClass, entry, segments, symbols };
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
  for (const s of image.segments) {
    low = Math.min(low, s.paddr);
    high = Math.max(high, s.paddr + s.memsz);
  }
  return { entry: image.entry, low, high, symbols: image.symbols, path };
}
