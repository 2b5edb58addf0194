/**
 * Multiboot 1 (Multiboot Specification 0.6.96), loaded as QEMU 7.2's `-kernel` does
 * (hw/i386/multiboot.c and its option ROM pc-bios/optionrom/multiboot.S):
 *
 * - The header: magic 0x1BADB002, flags, checksum, 4-aligned in the first 8 KiB. Flag 16 (the
 *   "a.out kludge") loads the file from header/load/load_end/bss_end addresses and enters at
 *   entry_addr; without it the file must be an ELF, loaded at its physical addresses. Flags 0
 *   (page-aligned modules) and 1 (memory information) are always honoured; flag 2 (video mode)
 *   is ignored, as QEMU does ("multiboot knows VBE. we don't.").
 * - After the kernel, page-aligned from its load address: the module list, the command lines
 *   (the kernel's is its path, a space and `--append`, as QEMU's), the boot loader name; then the
 *   modules, each page-aligned. The info structure is at 0x9500 and the memory map at 0x9000.
 * - EAX = 0x2BADB002, EBX = the info structure, flat 32-bit protected mode (boot-common.ts).
 */
import type { BootContext, BootResult, ElfInfo } from '../../../src/core/api.js';
import { parseElf, type ElfSegment } from '../../../src/core/loaders/elf.js';
import { alignUp, cString, hex, memoryKiB, PAGE, pcMemoryMap, physicalEntry, place, placeModules, startFlat32 } from './boot-common.js';

export const MB1_HEADER_MAGIC = 0x1badb002;
export const MB1_BOOT_MAGIC = 0x2badb002;
/** The header must be inside the first 8 KiB of the file, 4-aligned (spec 3.1.1). */
const SEARCH_BYTES = 8192;
const FLAG_AOUT_KLUDGE = 1 << 16;

/** QEMU's multiboot.c: the E820 map and the info structure in low memory. */
export const MB1_MMAP_ADDR = 0x9000;
export const MB1_INFO_ADDR = 0x9500;
const INFO_SIZE = 88; // up to the VBE fields, as QEMU's MBI_SIZE

/** Info flags QEMU sets: memory, boot device, cmdline, modules, mmap, boot loader name. */
export const MB1_INFO_FLAGS = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x200;
export const BOOT_LOADER_NAME = 'rvos';

export interface Mb1Header {
  offset: number;
  flags: number;
}

/** Finds a multiboot 1 header (magic + flags + checksum summing to 0). */
export function findMb1Header(file: Uint8Array): Mb1Header | undefined {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const last = Math.min(SEARCH_BYTES, file.length) - 12; // the first three fields must be there
  for (let i = 0; i <= last; i += 4) {
    if (v.getUint32(i, true) !== MB1_HEADER_MAGIC) continue;
    const flags = v.getUint32(i + 4, true);
    if (((MB1_HEADER_MAGIC + flags + v.getUint32(i + 8, true)) >>> 0) === 0) return { offset: i, flags };
  }
  return undefined;
}

interface LoadedKernel {
  load: number;
  end: number;
  entry: number;
  image: ElfInfo;
  /** The ELF's loadable segments (none for the a.out kludge). */
  segments: ElfSegment[];
}

/**
 * The a.out kludge (spec 3.1.3 address fields; multiboot2's address tag has the same four), with
 * QEMU's checks: the header at file offset `headerOffset` is at header_addr, the fields at `at`.
 */
export function loadAddressFields(ctx: BootContext, file: Uint8Array, headerOffset: number, at: number, path: string, what: string): LoadedKernel {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (at + 20 > file.length) ctx.badInput(`${path}: ${what}: the address fields are past the end of the file`);
  const [headerAddr, loadAddrField, loadEndAddr, bssEndAddr] = [0, 4, 8, 12].map((o) => v.getUint32(at + o, true));
  // Multiboot2 3.1.5: load_addr 0xFFFFFFFF loads from the start of the file (GRUB does so for both).
  const loadAddr = loadAddrField === 0xffffffff ? headerAddr - headerOffset : loadAddrField;
  if (headerAddr < loadAddr) ctx.badInput(`${path}: ${what}: header_addr ${hex(headerAddr)} is below load_addr ${hex(loadAddr)}`);
  if (headerAddr - loadAddr > headerOffset) ctx.badInput(`${path}: ${what}: header_addr ${hex(headerAddr)} - load_addr ${hex(loadAddr)} is past the start of the file`);
  const textOffset = headerOffset - (headerAddr - loadAddr);
  let loadSize: number;
  if (loadEndAddr !== 0) {
    if (loadEndAddr < loadAddr) ctx.badInput(`${path}: ${what}: load_end_addr ${hex(loadEndAddr)} is below load_addr ${hex(loadAddr)}`);
    loadSize = loadEndAddr - loadAddr;
    if (textOffset + loadSize > file.length) ctx.badInput(`${path}: ${what}: load_end_addr ${hex(loadEndAddr)} is past the end of the file`);
  } else loadSize = file.length - textOffset;
  let size = loadSize;
  if (bssEndAddr !== 0) {
    if (bssEndAddr < loadAddr + loadSize) ctx.badInput(`${path}: ${what}: bss_end_addr ${hex(bssEndAddr)} is below the end of the loaded image ${hex(loadAddr + loadSize)}`);
    size = bssEndAddr - loadAddr;
  }
  const bytes = new Uint8Array(size);
  bytes.set(file.subarray(textOffset, textOffset + loadSize));
  place(ctx, loadAddr, bytes, `${path}: the kernel (${what})`);
  const image: ElfInfo = { entry: 0, low: loadAddr, high: loadAddr + size, symbols: new Map(), path, elf: false };
  return { load: loadAddr, end: loadAddr + size, entry: 0, image, segments: [] };
}

/**
 * Loads an ELF kernel at its physical addresses. The entry is made physical where a segment's
 * virtual range holds it (boot-common.ts; QEMU would jump to a virtual e_entry as it is).
 */
export function loadElfKernel(ctx: BootContext, path: string, file: Uint8Array): LoadedKernel {
  const image = ctx.loadImage(path, 0);
  const { segments } = parseElf(file, path, { segmentData: false });
  return { load: image.low, end: image.high, entry: physicalEntry(image.entry, segments) ?? image.entry, image, segments };
}

export function isElfFile(file: Uint8Array): boolean {
  return file.length >= 4 && file[0] === 0x7f && file[1] === 0x45 && file[2] === 0x4c && file[3] === 0x46;
}

export function bootMultiboot1(ctx: BootContext, path: string, file: Uint8Array, header: Mb1Header): BootResult {
  if (ctx.initrd) ctx.badInput(`--initrd ${ctx.initrd}: a multiboot kernel takes modules: use --module FILE[,cmdline]`);
  let kernel: LoadedKernel;
  if (header.flags & FLAG_AOUT_KLUDGE) {
    kernel = loadAddressFields(ctx, file, header.offset, header.offset + 12, path, 'multiboot header');
    kernel.entry = new DataView(file.buffer, file.byteOffset).getUint32(header.offset + 28, true);
    kernel.image.entry = kernel.entry;
  } else {
    if (!isElfFile(file)) ctx.badInput(`${path}: multiboot header without the address fields (flag 16), and the file is not an ELF`);
    kernel = loadElfKernel(ctx, path, file);
  }
  if (kernel.load < MB1_INFO_ADDR + INFO_SIZE && kernel.end > MB1_MMAP_ADDR) {
    ctx.badInput(`${path}: the kernel (${hex(kernel.load)}..${hex(kernel.end)}) overlaps the multiboot information at ${hex(MB1_MMAP_ADDR)}..${hex(MB1_INFO_ADDR + INFO_SIZE)}`);
  }

  // Module list and strings right after the kernel (page-aligned size), as QEMU's mb_buf.
  const mods = ctx.modules ?? [];
  const listAddr = kernel.load + alignUp(kernel.end - kernel.load, PAGE);
  const strings: Uint8Array[] = [];
  let stringAt = listAddr + 16 * mods.length;
  const addString = (s: string) => {
    const b = cString(s);
    strings.push(b);
    const at = stringAt;
    stringAt += b.length;
    return at;
  };
  const modCmdlines = mods.map((m) => addString(m.cmdline));
  const cmdline = addString(`${path} ${ctx.bootargs ?? ''}`);
  const loaderName = addString(BOOT_LOADER_NAME);
  const placed = placeModules(ctx, stringAt);

  const list = new Uint8Array(16 * mods.length);
  const lv = new DataView(list.buffer);
  placed.modules.forEach((m, i) => {
    lv.setUint32(i * 16, m.start, true);
    lv.setUint32(i * 16 + 4, m.end, true);
    lv.setUint32(i * 16 + 8, modCmdlines[i], true);
  });
  const tail = new Uint8Array(stringAt - listAddr);
  tail.set(list);
  let o = list.length;
  for (const s of strings) { tail.set(s, o); o += s.length; }
  place(ctx, listAddr, tail, `${path}: the multiboot module list and command lines`);

  const ramEnd = ctx.bus.ram.base + ctx.bootRamSize;
  const map = pcMemoryMap(ramEnd);
  const mmap = new Uint8Array(24 * map.length);
  const mv = new DataView(mmap.buffer);
  map.forEach((r, i) => {
    mv.setUint32(i * 24, 20, true); // size of the entry after this field
    mv.setBigUint64(i * 24 + 4, BigInt(r.base), true);
    mv.setBigUint64(i * 24 + 12, BigInt(r.length), true);
    mv.setUint32(i * 24 + 20, r.type, true);
  });
  place(ctx, MB1_MMAP_ADDR, mmap, 'the multiboot memory map');

  const info = new Uint8Array(INFO_SIZE);
  const iv = new DataView(info.buffer);
  const mem = memoryKiB(ramEnd);
  iv.setUint32(0, MB1_INFO_FLAGS, true);
  iv.setUint32(4, mem.lower, true);
  iv.setUint32(8, mem.upper, true);
  iv.setUint32(12, 0x8000ffff, true); // boot device: none (QEMU's value)
  iv.setUint32(16, cmdline, true);
  iv.setUint32(20, mods.length, true);
  iv.setUint32(24, listAddr, true);
  iv.setUint32(44, mmap.length, true);
  iv.setUint32(48, MB1_MMAP_ADDR, true);
  iv.setUint32(64, loaderName, true);
  place(ctx, MB1_INFO_ADDR, info, 'the multiboot information');

  startFlat32(ctx, kernel.entry, { eax: MB1_BOOT_MAGIC, ebx: MB1_INFO_ADDR });
  return { images: [kernel.image], dtbAddress: 0 };
}
