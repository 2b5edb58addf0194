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
import type { BootContext, BootResult } from '../../../src/core/api.js';
import { alignUp, BOOT_LOADER_NAME, cString, hex, memoryKiB, PAGE, pcMemoryMap, place, placeModules, startFlat32 } from './boot-common.js';
import { isElfFile, loadAddressFields, loadElfKernel, type LoadedKernel } from './boot-load.js';

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
