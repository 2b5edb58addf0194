/**
 * Linux's 32-bit boot protocol for a bzImage (Documentation/x86/boot.rst, "32-bit boot protocol"),
 * with QEMU 7.2's addresses (hw/i386/x86.c x86_load_linux) where the protocol leaves them open:
 *
 * - The setup header ("HdrS" at 0x202, protocol 2.04 or later, LOADED_HIGH) is copied into a zeroed
 *   boot_params (the "zero page") at 0x10000, where QEMU puts the real-mode setup; the command line
 *   (`--append`) at 0x20000, cmd_line_ptr pointing at it; type_of_loader 0xff (undefined loader;
 *   QEMU says 0xb0, its own ID).
 * - The e820 map (boot-common.ts, as SeaBIOS reports it), alt_mem_k/ext_mem_k, an 80x25 VGA text
 *   screen_info.
 * - The protected-mode kernel (the file after its (setup_sects + 1) sectors) at 0x100000.
 * - An initrd (`--initrd`) as high as QEMU puts it: below initrd_addr_max and below the end of RAM
 *   less QEMU's ACPI data (128 KiB), page-aligned; ramdisk_image/ramdisk_size say where.
 * - Entry at code32_start in flat protected mode, CS = 0x10 and DS/ES/SS = 0x18 from the loader's
 *   GDT, ESI = boot_params, EBP = EDI = EBX = 0, interrupts off.
 */
import type { BootContext, BootResult, ElfInfo } from '../../../src/core/api.js';
import { cString, hex, memoryKiB, PAGE, pcMemoryMap, place, startFlat32 } from './boot-common.js';

export const ZERO_PAGE = 0x10000;
export const CMDLINE_ADDR = 0x20000;
export const KERNEL_ADDR = 0x100000;
const LOADED_HIGH = 1;
/** boot_params offsets (arch/x86/include/uapi/asm/bootparam.h). */
const BP = { extMemK: 0x002, videoMode: 0x006, videoCols: 0x007, videoLines: 0x00e, isVga: 0x00f, points: 0x010, altMemK: 0x1e0, e820Entries: 0x1e8, setupHeader: 0x1f1, e820Table: 0x2d0 };
/** Setup header fields, at their boot_params (= file) offsets. */
const HDR = { setupSects: 0x1f1, jump: 0x200, magic: 0x202, version: 0x206, typeOfLoader: 0x210, loadflags: 0x211, code32Start: 0x214, ramdiskImage: 0x218, ramdiskSize: 0x21c, cmdLinePtr: 0x228, initrdAddrMax: 0x22c, cmdlineSize: 0x238 };
const E820_MAX = 128;
/** QEMU 7.2's pc keeps this much at the top of RAM for ACPI tables (acpi_data_size; measured, test/qemu/i386-boot.test.ts). */
const QEMU_ACPI_DATA_SIZE = 0x20000;

export function isBzImage(file: Uint8Array): boolean {
  return file.length >= 0x260 && file[0x202] === 0x48 && file[0x203] === 0x64 && file[0x204] === 0x72 && file[0x205] === 0x53; // "HdrS"
}

export function bootLinux(ctx: BootContext, path: string, file: Uint8Array): BootResult {
  const f = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = f.getUint16(HDR.version, true);
  const v = (n: number) => `${n >> 8}.${(n & 0xff).toString().padStart(2, '0')}`;
  if (version < 0x204) ctx.badInput(`${path}: Linux boot protocol ${v(version)}: rvos needs 2.04 or later (a kernel from 2.6.14 on)`);
  if (!(file[HDR.loadflags] & LOADED_HIGH)) ctx.badInput(`${path}: a zImage (loaded low): rvos boots bzImage kernels only`);
  const setupSects = file[HDR.setupSects] || 4;
  const kernelOffset = (setupSects + 1) * 512;
  if (kernelOffset >= file.length) ctx.badInput(`${path}: setup_sects ${setupSects}: the protected-mode kernel would start past the end of the file (${file.length} bytes)`);

  // The setup header ends where the jump at 0x200 lands (boot.rst: "0x0202 + byte at 0x0201").
  const hdrEnd = Math.min(0x202 + file[HDR.jump + 1], kernelOffset, PAGE);
  const bp = new Uint8Array(PAGE);
  const b = new DataView(bp.buffer);
  bp.set(file.subarray(BP.setupHeader, hdrEnd), BP.setupHeader);
  bp[HDR.typeOfLoader] = 0xff;

  const ramEnd = ctx.bus.ram.base + ctx.bootRamSize;
  const map = pcMemoryMap(ramEnd).slice(0, E820_MAX);
  map.forEach((r, i) => {
    const o = BP.e820Table + 20 * i;
    b.setBigUint64(o, BigInt(r.base), true);
    b.setBigUint64(o + 8, BigInt(r.length), true);
    b.setUint32(o + 16, r.type, true);
  });
  bp[BP.e820Entries] = map.length;
  const upperKiB = memoryKiB(ramEnd).upper;
  b.setUint32(BP.altMemK, upperKiB, true);
  b.setUint16(BP.extMemK, Math.min(upperKiB, 0xfc00), true);
  // screen_info: the VGA text mode 3 a BIOS leaves (80x25, 16-line font).
  bp[BP.videoMode] = 3;
  bp[BP.videoCols] = 80;
  bp[BP.videoLines] = 25;
  bp[BP.isVga] = 1;
  b.setUint16(BP.points, 16, true);

  const cmdline = cString(ctx.bootargs ?? '');
  const cmdlineMax = version >= 0x206 ? f.getUint32(HDR.cmdlineSize, true) : 255;
  if (cmdline.length - 1 > cmdlineMax) ctx.badInput(`--append: the kernel command line is ${cmdline.length - 1} bytes; ${path} takes at most ${cmdlineMax} (cmdline_size)`);
  place(ctx, CMDLINE_ADDR, cmdline, '--append: the kernel command line');
  b.setUint32(HDR.cmdLinePtr, CMDLINE_ADDR, true);

  const kernel = file.subarray(kernelOffset);
  place(ctx, KERNEL_ADDR, kernel, `${path}: the protected-mode kernel`);
  const kernelEnd = KERNEL_ADDR + kernel.length;

  if (ctx.initrd) {
    const initrd = ctx.openFile(ctx.initrd);
    // x86_load_linux: initrd_max = min(initrd_addr_max, RAM - acpi_data_size - 1), the last byte
    // the initrd may use; it goes at (initrd_max - size) rounded down to a page.
    const initrdMax = Math.min(f.getUint32(HDR.initrdAddrMax, true), ramEnd - QEMU_ACPI_DATA_SIZE - 1);
    const at = Math.floor((initrdMax - initrd.size) / PAGE) * PAGE;
    if (at < kernelEnd) ctx.badInput(`--initrd ${ctx.initrd}: ${initrd.size} bytes do not fit between the kernel's end ${hex(kernelEnd)} and ${hex(initrdMax + 1)} (initrd_addr_max or the end of RAM)`);
    place(ctx, at, initrd, `--initrd ${ctx.initrd}`);
    b.setUint32(HDR.ramdiskImage, at, true);
    b.setUint32(HDR.ramdiskSize, initrd.size, true);
  }
  place(ctx, ZERO_PAGE, bp, 'the Linux boot_params');

  const entry = f.getUint32(HDR.code32Start, true) || KERNEL_ADDR;
  startFlat32(ctx, entry, { esi: ZERO_PAGE });
  const image: ElfInfo = { entry, low: KERNEL_ADDR, high: kernelEnd, symbols: new Map(), path, elf: false };
  return { images: [image], dtbAddress: 0 };
}
