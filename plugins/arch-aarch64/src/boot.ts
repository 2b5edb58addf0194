/**
 * The architecture's own boot, for boards that name no protocol (a scratch board with RAM at 0):
 * the kernel goes at 0x80000 (raw image) or its ELF physical addresses; CPU 0 starts at the
 * image's entry, the others stay held. As QEMU 7.2's Arm boot, a raw image starts at EL2 and an
 * ELF at EL3. The Raspberry Pi's start (spin table, arm64 Image, DTB) is the `raspi` protocol
 * (boot-raspi.ts).
 */
import type { BootContext, BootResult, ElfInfo } from '../../../src/core/api.js';
import { KERNEL_LOAD_ADDRESS } from './boot-image.js';
import { A64Cpu } from './cpu.js';

export { KERNEL_LOAD_ADDRESS };

export function boot(ctx: BootContext): BootResult {
  if (ctx.initrd) ctx.badInput(`--initrd ${ctx.initrd}: this board's boot (aarch64 without a boot protocol) cannot pass an initrd; boards with the raspi protocol can`);
  const images: ElfInfo[] = [];
  const path = ctx.kernel ?? ctx.firmware;
  let entry = KERNEL_LOAD_ADDRESS;
  let isElf = false;
  if (path) {
    const image = ctx.loadImage(path, ctx.kernelAddress ?? KERNEL_LOAD_ADDRESS);
    images.push(image);
    entry = image.entry;
    isElf = image.elf;
  }
  ctx.cpus.forEach((cpu, i) => {
    if (!(cpu instanceof A64Cpu)) throw new Error('aarch64: boot needs aarch64 CPUs');
    if (i === 0) {
      cpu.pc = entry;
      cpu.setEl(isElf ? 3 : 2);
    } else cpu.hold();
  });
  return { images, dtbAddress: 0 };
}
