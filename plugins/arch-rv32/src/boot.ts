/**
 * Boot protocol of QEMU 7.2's virt machine (hw/riscv/boot.c):
 *
 * - The DTB goes at the highest 2 MiB-aligned address where it fits below the end of RAM, or
 *   below 3 GiB when RAM starts below 3 GiB (`riscv_load_fdt`), so 32-bit code can reach it.
 * - A reset ROM at 0x1000 (`riscv_setup_rom_reset_vec`) that every hart starts in:
 *       auipc t0, 0            ; t0 = 0x1000
 *       addi  a2, t0, 40       ; a2 = &fw_dynamic_info
 *       csrr  a0, mhartid
 *       lw    a1, 32(t0)       ; a1 = DTB address
 *       lw    t0, 24(t0)       ; start address
 *       jr    t0
 *       .dword start, fdt
 *   followed by OpenSBI's fw_dynamic_info {magic, version 2, next_addr, next_mode = S,
 *   options, boot_hart}, 32-bit fields on RV32.
 * - With firmware: it is loaded as ELF or raw at the start of RAM, and the kernel as ELF or raw
 *   at the first 4 MiB boundary after the firmware (`riscv_calc_kernel_start_addr`); the
 *   firmware jumps to fw_dynamic_info.next_addr in S-mode. Without firmware (--bios none) the
 *   kernel runs in M-mode.
 * - Either way the ROM jumps to the start of RAM, whatever the ELF entry says: QEMU 7.2's
 *   `start_addr` is the DRAM base. The `kernel_entry` that fw_dynamic_info.next_addr and the
 *   initrd address take is an ELF's lowest loaded address, not its entry (riscv_load_kernel:
 *   "Use low address not ELF entry point", so that fw_dynamic matches fw_jump and BBL).
 * - An initrd (only with a kernel) goes at that kernel_entry + min(RAM / 2, 128 MiB)
 *   (`riscv_load_initrd`), and /chosen gets linux,initrd-start and -end as one 32-bit cell each
 *   (hw/riscv/virt.c, qemu_fdt_setprop_cell) before the DTB is placed: the grown tree may move.
 */
import type { BootContext, BootResult, ElfInfo } from '../../../src/core/api.js';

export const RESET_ROM_BASE = 0x1000;
/** Size of the mask-ROM window (QEMU's VIRT_MROM is 0xf000; one page is plenty for the stub). */
export const RESET_ROM_SIZE = 0x1000;
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f; // "OSBI"
export const FW_DYNAMIC_INFO_VERSION = 2;
export const FW_DYNAMIC_INFO_NEXT_MODE_S = 1;
/** Offset of fw_dynamic_info in the ROM: after the 10-word reset vector. */
export const FW_DYNAMIC_INFO_OFFSET = 40;

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const alignDown = (x: number, a: number) => Math.floor(x / a) * a;
const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;

/** DTB address like QEMU 7.2 `riscv_load_fdt`. */
export function fdtAddress(ramBase: number, ramSize: number, fdtSize: number): number {
  const end = ramBase + ramSize;
  const top = ramBase < 3 * GiB ? Math.min(end, 3 * GiB) : end;
  return alignDown(top - fdtSize, 2 * MiB);
}

/** First address a raw kernel may go to after a firmware ending at `firmwareEnd` (RV32: 4 MiB). */
export function kernelStartAddress(firmwareEnd: number): number {
  return alignUp(firmwareEnd, 4 * MiB);
}

/** QEMU 7.2 riscv_load_kernel's result: an ELF's lowest loaded address, a raw image's load address. */
function kernelLoadBase(kernel: ElfInfo): number {
  return kernel.elf ? kernel.low : kernel.entry;
}

/** The reset ROM contents: reset vector, start and DTB addresses, fw_dynamic_info. */
export function resetRom(start: number, fdt: number, kernelEntry: number, bootHart = 0): Uint8Array {
  const words = [
    0x00000297, // auipc t0, %pcrel_hi(fw_dyn)
    0x02828613, // addi  a2, t0, %pcrel_lo(1b)
    0xf1402573, // csrr  a0, mhartid
    0x0202a583, // lw    a1, 32(t0)
    0x0182a283, // lw    t0, 24(t0)
    0x00028067, // jr    t0
    start >>> 0,
    Math.floor(start / 2 ** 32) >>> 0,
    fdt >>> 0,
    Math.floor(fdt / 2 ** 32) >>> 0,
    // struct fw_dynamic_info (OpenSBI include/sbi/fw_dynamic.h), unsigned long = 32 bits
    FW_DYNAMIC_INFO_MAGIC,
    FW_DYNAMIC_INFO_VERSION,
    kernelEntry >>> 0,
    FW_DYNAMIC_INFO_NEXT_MODE_S,
    0, // options
    bootHart,
  ];
  const bytes = new Uint8Array(RESET_ROM_SIZE);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w, true));
  return bytes;
}

export function boot(ctx: BootContext): BootResult {
  const ram = ctx.bus.ram;
  const images: ElfInfo[] = [];
  const start = ram.base;
  let kernelEntry = 0;
  if (ctx.firmware) {
    const fw = ctx.loadImage(ctx.firmware, ram.base);
    images.push(fw);
    if (ctx.kernel) {
      const kernel = ctx.loadImage(ctx.kernel, ctx.kernelAddress ?? kernelStartAddress(fw.high));
      images.push(kernel);
      kernelEntry = kernelLoadBase(kernel);
    }
  } else if (ctx.kernel) {
    const kernel = ctx.loadImage(ctx.kernel, ram.base);
    images.push(kernel);
    kernelEntry = kernelLoadBase(kernel);
  }

  const initrd = ctx.initrd ? loadInitrd(ctx, ctx.initrd, kernelEntry, images) : undefined;
  const dtb = initrd ? ctx.editDtb({ chosen: { 'linux,initrd-start': [initrd.start], 'linux,initrd-end': [initrd.end] } }) : ctx.dtb;
  // A board without a device tree (`devicetree: { mode: none }`) gets a1 = 0.
  const dtbAddress = dtb.length === 0 ? 0 : fdtAddress(ram.base, ram.size, dtb.length);
  if (initrd && initrd.end > dtbAddress) {
    ctx.badInput(`--initrd ${ctx.initrd}: too big to fit into RAM after the kernel (${initrd.end - initrd.start} bytes at ${hex(initrd.start)}, the device tree is at ${hex(dtbAddress)})`);
  }
  // QEMU refuses such a machine ("Some ROM regions are overlapping"); the tree would overwrite the image.
  const under = dtb.length === 0 ? undefined : images.find((im) => dtbAddress < im.high && im.low < dtbAddress + dtb.length);
  if (under) {
    ctx.badInput(`${under.path}: the device tree (${dtb.length} bytes at ${hex(dtbAddress)}, near the top of RAM) would overwrite it (${hex(under.low)}..${hex(under.high)}): give the board more RAM (--memory)`);
  }
  if (dtb.length > 0 && (dtbAddress < ram.base || !ctx.bus.dmaWrite(dtbAddress, dtb))) {
    throw new Error(`rv32: the device tree (${dtb.length} bytes) does not fit in RAM`);
  }
  ctx.addRom('mrom', RESET_ROM_BASE, resetRom(start, dtbAddress, kernelEntry));
  for (const cpu of ctx.cpus) cpu.pc = RESET_ROM_BASE;
  return { images, dtbAddress };
}

/**
 * QEMU 7.2 riscv_load_initrd: far enough above the kernel that it does not clobber it when it
 * unpacks, low enough for a small RAM. Where QEMU's ROM loader would refuse (outside RAM, over the
 * kernel) it is bad input; the device tree is checked once placed.
 */
function loadInitrd(ctx: BootContext, path: string, kernelEntry: number, images: ElfInfo[]): { start: number; end: number } {
  const ram = ctx.bus.ram;
  if (ctx.dtb.length === 0) ctx.badInput(`--initrd ${path}: the board has no device tree to tell the kernel where the initrd is`);
  const file = ctx.openFile(path);
  const start = kernelEntry + Math.min(Math.floor(ctx.bootRamSize / 2), 128 * MiB);
  const end = start + file.size;
  const ramEnd = ram.base + ctx.bootRamSize;
  if (end > ramEnd) ctx.badInput(`--initrd ${path}: too big to fit into RAM after the kernel (${file.size} bytes at ${hex(start)}, RAM ends at ${hex(ramEnd)})`);
  const over = images.find((i) => start < i.high && end > i.low);
  if (over) ctx.badInput(`--initrd ${path}: would overlap ${over.path} (${hex(start)}..${hex(end)} over ${hex(over.low)}..${hex(over.high)})`);
  if (!file.loadAt(start)) ctx.badInput(`--initrd ${path}: ${hex(start)}..${hex(end)} is not RAM`);
  return { start, end };
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}
