/**
 * The code and data QEMU 7.2 writes into low RAM when it starts a Linux-style (non-ELF) AArch64
 * kernel on a Raspberry Pi 3 (hw/arm/boot.c bootloader_aarch64, set_kernel_args; hw/arm/raspi.c
 * write_smpboot64). They are real instructions in ordinary RAM, so a guest that reads or
 * overwrites them sees what it would see on QEMU:
 *
 *   0x000  primary loader: x0 = the DTB (or ATAGS) address, x1-x3 = 0, branch to the kernel
 *   0x0d8  spin table: one 64-bit release address per core (0xd8, 0xe0, 0xe8, 0xf0), zeroed
 *   0x100  ATAGS (when no device tree is passed): CORE, MEM, INITRD2, CMDLINE, NONE
 *   0x300  secondary loader: WFE until the core's spin-table entry is non-zero, x0-x3 = 0, branch
 */

/** Where QEMU's raspi machines start secondary cores (SMPBOOT_ADDR). */
export const SMPBOOT_ADDRESS = 0x300;
/** The Pi firmware's spin table (and QEMU's SPINTABLE_ADDR): core n's release address at 0xd8 + 8n. */
export const SPIN_TABLE_ADDRESS = 0xd8;
/** hw/arm/boot.c KERNEL_ARGS_ADDR: ATAGS when there is no device tree. */
export const ATAGS_ADDRESS = 0x100;

/**
 * The primary loader: `ldr x0, arg; mov x1-x3, xzr; ldr x4, entry; br x4`, then the two 64-bit
 * literals (`arg`: the DTB address; `entry`: the kernel's).
 */
export function primaryLoader(argAddress: number, entry: number): Uint8Array {
  const words = [
    0x580000c0, // ldr x0, #24 (arg)
    0xaa1f03e1, // mov x1, xzr
    0xaa1f03e2, // mov x2, xzr
    0xaa1f03e3, // mov x3, xzr
    0x58000084, // ldr x4, #16 (entry)
    0xd61f0080, // br x4
    argAddress >>> 0,
    Math.floor(argAddress / 2 ** 32) >>> 0,
    entry >>> 0,
    Math.floor(entry / 2 ** 32) >>> 0,
  ];
  return wordsToBytes(words);
}

/**
 * The secondary loader every core but 0 starts in (raspi.c smpboot): the core's spin-table slot is
 * at 0xd8 + 8 * MPIDR_EL1.Aff0[1:0]; a non-zero value releases it there with x0-x3 = 0.
 */
export function secondaryLoader(): Uint8Array {
  return wordsToBytes([
    0xd2801b05, // mov x5, #0xd8
    0xd53800a6, // mrs x6, mpidr_el1
    0x924004c6, // and x6, x6, #0x3
    0xd503205f, // spin: wfe
    0xf86678a4, // ldr x4, [x5, x6, lsl #3]
    0xb4ffffc4, // cbz x4, spin
    0xd2800000, // mov x0, #0
    0xd2800001, // mov x1, #0
    0xd2800002, // mov x2, #0
    0xd2800003, // mov x3, #0
    0xd61f0080, // br x4
  ]);
}

/** Four zeroed 64-bit release addresses. */
export function spinTable(): Uint8Array {
  return new Uint8Array(32);
}

/**
 * The ATAGS list QEMU writes for a kernel without a device tree (boot.c set_kernel_args): the
 * AArch64 kernels of a Pi ignore it, but x0 points here and firmware such as U-Boot looks.
 */
export function atags(ramBase: number, ramSize: number, initrd: { start: number; size: number } | undefined, cmdline: string | undefined): Uint8Array {
  const words = [5, 0x54410001, 1, 0x1000, 0]; // ATAG_CORE: flags, page size, root device
  words.push(4, 0x54410002, ramSize >>> 0, ramBase >>> 0); // ATAG_MEM
  if (initrd && initrd.size > 0) words.push(4, 0x54420005, initrd.start >>> 0, initrd.size >>> 0); // ATAG_INITRD2
  if (cmdline) {
    const text = new TextEncoder().encode(cmdline);
    const padded = new Uint8Array((text.length + 4) & ~3); // NUL-terminated, word-padded
    padded.set(text);
    const view = new DataView(padded.buffer);
    words.push(2 + padded.length / 4, 0x54410009); // ATAG_CMDLINE
    for (let i = 0; i < padded.length; i += 4) words.push(view.getUint32(i, true));
  }
  words.push(0, 0); // ATAG_NONE
  return wordsToBytes(words);
}

function wordsToBytes(words: number[]): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return bytes;
}
