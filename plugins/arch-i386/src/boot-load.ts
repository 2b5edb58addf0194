/**
 * Loading a multiboot kernel's image: an ELF at its physical addresses, or a flat file from the
 * address fields (multiboot 1's a.out kludge, multiboot2's address tag).
 */
import type { BootContext, ElfInfo } from '../../../src/core/api.js';
import { parseElf, type ElfSegment } from '../../../src/core/loaders/elf.js';
import { hex, physicalEntry, place } from './boot-common.js';

export interface LoadedKernel {
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
