/**
 * Multiboot2 (Multiboot2 Specification 2.0), loaded as GRUB 2's BIOS build does it
 * (grub-core/loader/multiboot_mbi2.c), which QEMU lacks:
 *
 * - The header: magic 0xE85250D6, architecture 0 (i386), header_length, checksum, 8-aligned in
 *   the first 32 KiB; then 8-aligned tags up to the end tag. Honoured: information request (a
 *   required request for an information tag rvos does not give is one clear error), address (the
 *   a.out kludge, as multiboot 1's), entry address, console flags, framebuffer (the answer is the
 *   EGA text screen all the same), module alignment (modules are always page-aligned),
 *   relocatable (the kernel is loaded at its preferred, linked address). EFI boot services (7)
 *   and the EFI amd64 entry (9) are ignored as on a BIOS PC; any other tag not marked optional
 *   is an error, as GRUB says.
 * - Section copies, modules (page-aligned) and the information (8-aligned) where GRUB's relocator
 *   puts them (boot-first-fit.ts: the lowest free place from 1 MiB). The information in GRUB's order: load base
 *   address (21), command line (1: `--append` alone, GRUB drops the file name), boot loader name
 *   (2), modules (3), memory map (6), ELF sections (9), basic memory information (4), EGA text
 *   framebuffer 80x25 at 0xB8000 (8), end.
 * - EAX = 0x36D76289, EBX = the information, flat 32-bit protected mode (boot-common.ts).
 */
import type { BootContext, BootResult } from '../../../src/core/api.js';
import { alignUp, BOOT_LOADER_NAME, cString, hex, memoryKiB, PAGE, pcMemoryMap, physicalEntry, place, startFlat32, upperEnd } from './boot-common.js';
import { FirstFit } from './boot-first-fit.js';
import { isElfFile, loadAddressFields, loadElfKernel } from './boot-load.js';

export const MB2_HEADER_MAGIC = 0xe85250d6;
export const MB2_BOOT_MAGIC = 0x36d76289;
const SEARCH_BYTES = 32768;
const TAG_OPTIONAL = 1;

/** Header tag types (spec 3.1.3 ff.). */
const H_END = 0, H_INFO_REQUEST = 1, H_ADDRESS = 2, H_ENTRY = 3, H_CONSOLE = 4, H_FRAMEBUFFER = 5, H_MODULE_ALIGN = 6;
const H_EFI_BS = 7, H_EFI_AMD64_ENTRY = 9, H_RELOCATABLE = 10;
/** Information tag types (spec 3.6). */
export const T_END = 0, T_CMDLINE = 1, T_LOADER_NAME = 2, T_MODULE = 3, T_MEMINFO = 4, T_MMAP = 6, T_FRAMEBUFFER = 8, T_ELF_SECTIONS = 9, T_LOAD_BASE = 21;
const GIVEN = new Set([T_END, T_CMDLINE, T_LOADER_NAME, T_MODULE, T_MEMINFO, T_MMAP, T_FRAMEBUFFER, T_ELF_SECTIONS, T_LOAD_BASE]);

export interface Mb2Header {
  offset: number;
  length: number;
}

/** Finds a multiboot2 header for i386 (magic, architecture 0, length and checksum summing to 0). */
export function findMb2Header(file: Uint8Array): Mb2Header | undefined {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const last = Math.min(SEARCH_BYTES, file.length) - 16;
  for (let i = 0; i <= last; i += 8) {
    if (v.getUint32(i, true) !== MB2_HEADER_MAGIC) continue;
    const arch = v.getUint32(i + 4, true), length = v.getUint32(i + 8, true);
    if (((MB2_HEADER_MAGIC + arch + length + v.getUint32(i + 12, true)) >>> 0) === 0 && arch === 0) return { offset: i, length };
  }
  return undefined;
}

interface HeaderTags {
  address?: number;
  entry?: number;
}

function readHeaderTags(ctx: BootContext, file: Uint8Array, header: Mb2Header, path: string): HeaderTags {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const end = Math.min(header.offset + header.length, file.length);
  const out: HeaderTags = {};
  const fail = (what: string) => ctx.badInput(`${path}: multiboot2 header: ${what}`);
  for (let at = header.offset + 16; ; ) {
    if (at + 8 > end) fail('no end tag within header_length');
    const type = v.getUint16(at, true), flags = v.getUint16(at + 2, true), size = v.getUint32(at + 4, true);
    if (type === H_END) break;
    if (size < 8 || at + size > end) fail(`tag ${type} at offset ${hex(at)}: size ${size} runs past header_length`);
    const optional = (flags & TAG_OPTIONAL) !== 0;
    switch (type) {
      case H_INFO_REQUEST: {
        if (optional) break;
        const missing: number[] = [];
        for (let o = 8; o + 4 <= size; o += 4) {
          const t = v.getUint32(at + o, true);
          if (!GIVEN.has(t)) missing.push(t);
        }
        if (missing.length) fail(`the kernel requires information tags rvos does not give: ${missing.join(', ')} (rvos gives ${[...GIVEN].filter((t) => t).join(', ')})`);
        break;
      }
      case H_ADDRESS: out.address = at + 8; break;
      case H_ENTRY: out.entry = v.getUint32(at + 8, true); break;
      case H_CONSOLE: {
        const cf = v.getUint32(at + 8, true);
        if (cf & 1 && !(cf & 2)) fail('console flags require a console but not EGA text, the only one rvos has');
        break;
      }
      case H_FRAMEBUFFER: case H_MODULE_ALIGN: case H_RELOCATABLE: case H_EFI_BS: case H_EFI_AMD64_ENTRY: break;
      default:
        if (!optional) fail(`unsupported tag ${type}${type === 8 ? ' (EFI i386 entry address: rvos boots as GRUB on a BIOS PC)' : ''}`);
    }
    at += alignUp(size, 8);
  }
  return out;
}

/** ELF section headers for tag 9, with the sections no segment loads (symbols, strings) copied to RAM. */
function elfSections(ctx: BootContext, file: Uint8Array, alloc: FirstFit): Uint8Array {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = v.getUint32(32, true), entsize = v.getUint16(46, true), num = v.getUint16(48, true), shstrndx = v.getUint16(50, true);
  let table = new Uint8Array(0);
  if (num > 0 && entsize >= 40 && shoff + num * entsize <= file.length) {
    table = file.slice(shoff, shoff + num * entsize);
    const t = new DataView(table.buffer);
    for (let i = 0; i < num; i++) {
      const h = i * entsize;
      const type = t.getUint32(h + 4, true), addr = t.getUint32(h + 12, true), offset = t.getUint32(h + 16, true), size = t.getUint32(h + 20, true);
      // As GRUB: a section not loaded by a segment (address 0) with bytes in the file gets a copy.
      if (addr !== 0 || size === 0 || type === 0 || type === 8 /* NOBITS */ || offset + size > file.length) continue;
      const at = alloc.take(size, Math.max(1, t.getUint32(h + 32, true)), `section ${i} of the kernel`);
      place(ctx, at, file.subarray(offset, offset + size), `section ${i} of the kernel`);
      t.setUint32(h + 12, at, true);
    }
  }
  const tag = new Uint8Array(20 + table.length);
  const tv = new DataView(tag.buffer);
  tv.setUint32(0, T_ELF_SECTIONS, true);
  tv.setUint32(4, tag.length, true);
  tv.setUint32(8, table.length ? num : 0, true);
  tv.setUint32(12, table.length ? entsize : 0, true);
  tv.setUint32(16, table.length ? shstrndx : 0, true);
  tag.set(table, 20);
  return tag;
}

/** Builds the boot information: total_size, reserved, then each tag 8-aligned. */
class InfoWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 8;
  tag(type: number, body: Uint8Array): void {
    const t = new Uint8Array(alignUp(8 + body.length, 8));
    const v = new DataView(t.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, 8 + body.length, true);
    t.set(body, 8);
    this.parts.push(t);
    this.size += t.length;
  }
  raw(tag: Uint8Array): void {
    const t = new Uint8Array(alignUp(tag.length, 8));
    t.set(tag);
    this.parts.push(t);
    this.size += t.length;
  }
  bytes(): Uint8Array {
    this.tag(T_END, new Uint8Array(0));
    const out = new Uint8Array(this.size);
    new DataView(out.buffer).setUint32(0, this.size, true);
    let o = 8;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

const u32s = (...w: number[]) => {
  const b = new Uint8Array(4 * w.length);
  w.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x, true));
  return b;
};

export function bootMultiboot2(ctx: BootContext, path: string, file: Uint8Array, header: Mb2Header): BootResult {
  if (ctx.initrd) ctx.badInput(`--initrd ${ctx.initrd}: a multiboot2 kernel takes modules: use --module FILE[,cmdline]`);
  const tags = readHeaderTags(ctx, file, header, path);
  const elf = tags.address === undefined && isElfFile(file);
  if (tags.address !== undefined && tags.entry === undefined) ctx.badInput(`${path}: multiboot2 header: an address tag without an entry address tag`);
  if (tags.address === undefined && !elf) ctx.badInput(`${path}: multiboot2 header without an address tag, and the file is not an ELF`);
  const kernel = tags.address !== undefined ? loadAddressFields(ctx, file, header.offset, tags.address, path, 'multiboot2 address tag') : loadElfKernel(ctx, path, file);
  // GRUB refuses an ELF whose entry no segment holds, even with an entry address tag.
  if (elf && physicalEntry(kernel.image.entry, kernel.segments) === undefined) ctx.badInput(`${path}: multiboot2: the ELF entry point ${hex(kernel.image.entry)} is in no loadable segment`);
  const entry = tags.entry ?? kernel.entry;
  if (tags.entry !== undefined) kernel.image.entry = entry;

  // GRUB's order: the kernel's segments, its section copies, the modules, the information.
  const ramEnd = ctx.bus.ram.base + ctx.bootRamSize;
  const alloc = new FirstFit(upperEnd(ramEnd), (message) => ctx.badInput(`${path}: multiboot2: ${message}`));
  if (elf) for (const s of kernel.segments) alloc.reserve(s.paddr, s.paddr + s.memsz);
  else alloc.reserve(kernel.load, kernel.end);
  const sections = elf ? elfSections(ctx, file, alloc) : u32s(T_ELF_SECTIONS, 20, 0, 0, 0);
  const modules = (ctx.modules ?? []).map((m) => {
    const file = ctx.openFile(m.path);
    const start = alloc.take(file.size, PAGE, `module ${m.path}`);
    place(ctx, start, file, `module ${m.path}`);
    return { start, end: start + file.size, cmdline: m.cmdline };
  });

  const w = new InfoWriter();
  w.tag(T_LOAD_BASE, u32s(kernel.load));
  w.tag(T_CMDLINE, cString(ctx.bootargs ?? ''));
  w.tag(T_LOADER_NAME, cString(BOOT_LOADER_NAME));
  for (const m of modules) {
    const s = cString(m.cmdline);
    const body = new Uint8Array(8 + s.length);
    body.set(u32s(m.start, m.end));
    body.set(s, 8);
    w.tag(T_MODULE, body);
  }
  const map = pcMemoryMap(ramEnd);
  const mmap = new Uint8Array(8 + 24 * map.length);
  const mv = new DataView(mmap.buffer);
  mv.setUint32(0, 24, true); // entry_size
  mv.setUint32(4, 0, true); // entry_version
  map.forEach((r, i) => {
    mv.setBigUint64(8 + i * 24, BigInt(r.base), true);
    mv.setBigUint64(8 + i * 24 + 8, BigInt(r.length), true);
    mv.setUint32(8 + i * 24 + 16, r.type, true);
  });
  w.tag(T_MMAP, mmap);
  w.raw(sections);
  const mem = memoryKiB(ramEnd);
  w.tag(T_MEMINFO, u32s(mem.lower, mem.upper));
  // EGA text: address (u64), pitch, width, height, bpp (u8), type 2 (u8), reserved (u16).
  const fb = new Uint8Array(24);
  const fv = new DataView(fb.buffer);
  fv.setUint32(0, 0xb8000, true);
  fv.setUint32(8, 160, true);
  fv.setUint32(12, 80, true);
  fv.setUint32(16, 25, true);
  fb[20] = 16;
  fb[21] = 2;
  w.tag(T_FRAMEBUFFER, fb);
  const info = w.bytes();
  const infoAddr = alloc.take(info.length, 8, 'the multiboot2 information');
  place(ctx, infoAddr, info, `${path}: the multiboot2 information`);

  startFlat32(ctx, entry, { eax: MB2_BOOT_MAGIC, ebx: infoAddr });
  return { images: [kernel.image], dtbAddress: 0 };
}
