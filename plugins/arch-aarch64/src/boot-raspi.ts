/**
 * The `raspi` boot protocol: how QEMU 7.2's raspi3b (hw/arm/raspi.c setup_boot, hw/arm/boot.c
 * arm_setup_direct_kernel_boot and do_cpu_reset) starts a `-kernel`, which is also what the Pi's
 * own firmware (start.elf + armstub8) does for kernel8.img:
 *
 * - an ELF is loaded at its physical addresses and every core starts at its entry in EL3;
 * - anything else is a Linux-style kernel (boot-image.ts): a bare kernel8.img at 0x80000, an arm64
 *   `Image` where its header asks; every core starts in EL2 (Non-secure, AArch64 below), core 0 in
 *   the primary loader at 0 (x0 = the device tree, or the ATAGS at 0x100 without one; x1-x3 = 0),
 *   cores 1-3 in the secondary loader at 0x300, waiting with WFE on the spin table (boot-stubs.ts);
 * - `--initrd` goes at max(RAM base + min(RAM / 2, 128 MiB), kernel end), page-aligned, and a
 *   device tree (`--dtb`) after it at the next 2 MiB boundary, fixed up as QEMU does (`BootContext.editDtb`).
 *
 * The RAM the kernel is told about is the board's less its `boot.reservedTop` (QEMU: RAM less the
 * VideoCore's 64 MiB). Everything is written into RAM again at every reset, as QEMU's ROM blobs.
 */
import type { BootContext, BootFile, BootProtocol, BootResult, ElfInfo } from '../../../src/core/api.js';
import type { DtbEdits } from '../../../src/core/fdt-edit.js';
import { IMAGE_HEADER_BYTES, KERNEL_LOAD_ADDRESS, parseKernelImage } from './boot-image.js';
import { ATAGS_ADDRESS, SMPBOOT_ADDRESS, SPIN_TABLE_ADDRESS, atags, primaryLoader, secondaryLoader, spinTable } from './boot-stubs.js';
import { A64Cpu } from './cpu.js';
import { HCR_RW } from './sysregs.js';

const MIB = 1024 * 1024;
const PAGE = 4096;

export const raspiBoot: BootProtocol = {
  name: 'raspi',
  description: 'Raspberry Pi firmware start as QEMU 7.2 raspi3b: ELF at EL3 on every core; kernel8.img at 0x80000 or an arm64 Image in EL2 with the spin table, ATAGS or --dtb in x0, --initrd',
  archs: ['aarch64'],
  boot: bootRaspi,
};

export function bootRaspi(ctx: BootContext): BootResult {
  const cpus = ctx.cpus.map((cpu) => {
    if (!(cpu instanceof A64Cpu)) throw new Error('raspi boot needs aarch64 CPUs');
    return cpu;
  });
  const path = ctx.kernel ?? ctx.firmware;
  // Without a kernel every core starts from its reset state (EL3 at 0), as QEMU without -kernel.
  if (!path) return { images: [], dtbAddress: 0 };
  const file = ctx.openFile(path);
  const head = file.read(0, Math.min(file.size, IMAGE_HEADER_BYTES));
  if (isElfFile(head)) return bootElf(ctx, cpus, path);
  return bootLinuxStyle(ctx, cpus, path, file, head);
}

/** hw/arm/boot.c: "Assume that raw images are linux kernels, and ELF images are not." */
function bootElf(ctx: BootContext, cpus: A64Cpu[], path: string): BootResult {
  // QEMU loads an initrd for Linux-style kernels only; rvos says so rather than drop it.
  if (ctx.initrd) ctx.badInput(`--initrd ${ctx.initrd}: ${path} is an ELF, started as bare metal: only a Linux-style kernel (kernel8.img, arm64 Image) gets an initrd`);
  const image = ctx.loadImage(path, KERNEL_LOAD_ADDRESS);
  const base = ctx.bus.ram.base;
  let dtbAddress = 0;
  // A device tree goes below the image when there is room there (and is dropped otherwise).
  if (ctx.dtb.length > 0 && (image.low > base || image.high < base)) {
    const dtb = fixedDtb(ctx, undefined);
    const limit = image.low < base ? Infinity : image.low;
    if (base + dtb.length <= limit) dtbAddress = place(ctx, base, dtb, 'device tree');
  }
  for (const cpu of cpus) cpu.pc = image.entry; // EL3, from reset
  return { images: [image], dtbAddress };
}

function bootLinuxStyle(ctx: BootContext, cpus: A64Cpu[], path: string, file: BootFile, head: Uint8Array): BootResult {
  const base = ctx.bus.ram.base;
  const ramEnd = base + ctx.bootRamSize;
  const kernel = parseKernelImage(head, file.size, path, () => file.read(0, file.size));
  if (typeof kernel === 'string') ctx.badInput(kernel);
  const entry = base + kernel.offset;
  place(ctx, entry, kernel.unpacked ?? file, 'kernel');
  const image: ElfInfo = { entry, low: entry, high: entry + kernel.size, symbols: new Map(), path, elf: false };

  let initrdStart = Math.max(base + Math.min(ctx.bootRamSize / 2, 128 * MIB), image.high);
  initrdStart = Math.ceil(initrdStart / PAGE) * PAGE;
  let initrd: { start: number; size: number } | undefined;
  if (ctx.initrd) {
    if (initrdStart >= ramEnd) ctx.badInput(`--initrd ${ctx.initrd}: not enough space after the kernel to load the initrd (it would start at ${hex(initrdStart)}, RAM for the kernel ends at ${hex(ramEnd)})`);
    const initrdFile = ctx.openFile(ctx.initrd);
    if (initrdStart + initrdFile.size > ramEnd) {
      ctx.badInput(`--initrd ${ctx.initrd}: too big to fit into RAM after the kernel (${initrdFile.size} bytes at ${hex(initrdStart)}, RAM for the kernel ends at ${hex(ramEnd)})`);
    }
    place(ctx, initrdStart, initrdFile, 'initrd');
    initrd = { start: initrdStart, size: initrdFile.size };
  }

  let arg: number;
  let dtbAddress = 0;
  if (ctx.dtb.length > 0) {
    // Some arm64 kernels map the tree's 2 MiB block early: QEMU aligns it to 2 MiB.
    dtbAddress = Math.ceil((initrdStart + (initrd?.size ?? 0)) / (2 * MIB)) * 2 * MIB;
    if (dtbAddress >= ramEnd) ctx.badInput(`--dtb: not enough space for the device tree after the kernel/initrd (it would start at ${hex(dtbAddress)})`);
    const dtb = fixedDtb(ctx, initrd);
    if (dtbAddress + dtb.length > ramEnd) ctx.badInput(`--dtb: the device tree (${dtb.length} bytes) does not fit in RAM at ${hex(dtbAddress)}`);
    place(ctx, dtbAddress, dtb, 'device tree');
    arg = dtbAddress;
  } else {
    arg = base + ATAGS_ADDRESS;
    place(ctx, arg, atags(base, ctx.bootRamSize, initrd, ctx.bootargs), 'ATAGS');
  }

  place(ctx, base, primaryLoader(arg, entry), 'boot loader');
  if (cpus.length > 1) {
    place(ctx, base + SPIN_TABLE_ADDRESS, spinTable(), 'spin table');
    place(ctx, base + SMPBOOT_ADDRESS, secondaryLoader(), 'secondary boot loader');
  }
  cpus.forEach((cpu, i) => {
    // do_cpu_reset: "If we have EL2 then Linux expects us to boot there", Non-secure, AArch64.
    cpu.setEl(2);
    cpu.hcr[0] |= HCR_RW;
    cpu.pc = base + (i === 0 ? 0 : SMPBOOT_ADDRESS);
  });
  return { images: [image], dtbAddress };
}

/**
 * QEMU 7.2 arm_load_dtb (hw/arm/boot.c): one /memory@BASE for the boot RAM, /chosen bootargs and
 * linux,initrd-start/-end in #address-cells cells; the blob keeps the size load_device_tree gives
 * it, (file size + 10000) x 2, with the free space at its end: a kernel reserves the tree's
 * totalsize, so Linux's "Memory: ... reserved" line matches QEMU's.
 */
function fixedDtb(ctx: BootContext, initrd: { start: number; size: number } | undefined): Uint8Array {
  const chosen: DtbEdits['chosen'] = {};
  if (ctx.bootargs) chosen.bootargs = ctx.bootargs;
  if (initrd && initrd.size > 0) {
    chosen['linux,initrd-start'] = { address: initrd.start };
    chosen['linux,initrd-end'] = { address: initrd.start + initrd.size };
  }
  return ctx.editDtb({ memory: { base: ctx.bus.ram.base, size: ctx.bootRamSize }, chosen, minSize: (ctx.dtb.length + 10000) * 2 });
}

/** Writes `data` (bytes, or an opened file read in place) to RAM at `address`, or stops the boot with one line naming `what`. */
function place(ctx: BootContext, address: number, data: Uint8Array | BootFile, what: string): number {
  const size = data instanceof Uint8Array ? data.length : data.size;
  if (!(data instanceof Uint8Array ? ctx.bus.dmaWrite(address, data) : data.loadAt(address))) {
    const ram = ctx.bus.ram;
    ctx.badInput(`${ctx.kernel ?? ctx.firmware}: the ${what} at ${hex(address)}..${hex(address + size)} does not fit in RAM (${hex(ram.base)}..${hex(ram.base + ram.size)})`);
  }
  return address;
}

function isElfFile(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}
