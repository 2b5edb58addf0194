/**
 * Minimal boot for this step: the kernel goes at 0x80000 (raw image) or its ELF physical
 * addresses; CPU 0 starts at the image's entry, the others stay held (the Raspberry Pi spin table
 * that releases them, the firmware stub and the arm64 Linux protocol come with the raspi3b board).
 * As QEMU 7.2's raspi3b does, a raw image starts at EL2 and an ELF at EL3.
 */
import type { BootContext, BootResult, ElfInfo } from '../../../src/core/api.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { A64Cpu } from './cpu.js';

/** Where raspi firmware puts a 64-bit kernel8.img (and QEMU's raspi3b -kernel). */
export const KERNEL_LOAD_ADDRESS = 0x80000;

export function boot(ctx: BootContext): BootResult {
  const images: ElfInfo[] = [];
  const path = ctx.kernel ?? ctx.firmware;
  let entry = KERNEL_LOAD_ADDRESS;
  let isElf = false;
  if (path) {
    const image = ctx.loadImage(path, ctx.kernelAddress ?? KERNEL_LOAD_ADDRESS);
    images.push(image);
    entry = image.entry;
    isElf = startsWithElfMagic(path);
  }
  ctx.cpus.forEach((cpu, i) => {
    if (!(cpu instanceof A64Cpu)) throw new Error('aarch64: boot needs aarch64 CPUs');
    if (i === 0) {
      cpu.pc = entry;
      cpu.setEl(isElf ? 3 : 2);
    } else cpu.hold();
  });
  // No device tree is passed yet: the arm64 Linux boot protocol (DTB address in x0) is a later step.
  return { images, dtbAddress: 0 };
}

/** ElfInfo does not say whether the image was an ELF (an API gap noted in the README): look. */
function startsWithElfMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const magic = new Uint8Array(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic[0] === 0x7f && magic[1] === 0x45 && magic[2] === 0x4c && magic[3] === 0x46;
  } finally {
    closeSync(fd);
  }
}
