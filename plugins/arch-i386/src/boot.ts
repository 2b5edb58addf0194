/**
 * The i386 arch's boot (boards that name no protocol, the pc board among them):
 *
 * - With a kernel (`--kernel`), the first format that matches: a Multiboot2 header (first 32 KiB,
 *   8-aligned; boot-multiboot2.ts), a Multiboot 1 header (first 8 KiB, 4-aligned;
 *   boot-multiboot1.ts), a Linux bzImage ("HdrS" setup header; boot-linux.ts), else a plain ELF
 *   entered at its entry in flat 32-bit protected mode (EAX = EBX = 0). Anything else is bad input.
 * - The firmware (`--bios`), when given, is mapped at the top of 4 GiB, where the reset vector
 *   FFFFFFF0 reads it, and its last 128 KiB also at 0xE0000-0xFFFFF (QEMU's isa-bios alias; on a
 *   board whose chipset decodes the BIOS area, its PAM shows them there, boot-shadow.ts). Without
 *   a kernel the CPU starts there from reset (F000:FFF0, real mode).
 */
import type { BootContext, BootResult } from '../../../src/core/api.js';
import { startFlat32 } from './boot-common.js';
import { findMb2Header, bootMultiboot2 } from './boot-multiboot2.js';
import { isElfFile, loadElfKernel } from './boot-load.js';
import { bootMultiboot1, findMb1Header } from './boot-multiboot1.js';
import { bootLinux, isBzImage } from './boot-linux.js';
import { chipsetDecodesBiosArea } from './boot-shadow.js';

const ISA_BIOS_SIZE = 128 * 1024;

export function mapBios(ctx: BootContext, path: string): void {
  const rom = ctx.readFile(path);
  if (rom.length === 0) ctx.badInput(`${path}: an empty firmware image`);
  ctx.addRom('bios', 0x100000000 - rom.length, rom);
  if (chipsetDecodesBiosArea(ctx.bus)) return; // the chipset's PAM shows the ROM there (boot-shadow.ts)
  const alias = rom.subarray(Math.max(0, rom.length - ISA_BIOS_SIZE));
  ctx.addRom('isa-bios', 0x100000 - alias.length, alias);
}

export function boot(ctx: BootContext): BootResult {
  if (ctx.firmware) mapBios(ctx, ctx.firmware);
  const path = ctx.kernel;
  if (!path) {
    if (ctx.modules?.length) ctx.badInput(`--module ${ctx.modules[0].path}: modules need a multiboot kernel (--kernel)`);
    return { images: [], dtbAddress: 0 };
  }
  const file = ctx.readFile(path);
  const mb2 = findMb2Header(file);
  if (mb2) return bootMultiboot2(ctx, path, file, mb2);
  const mb1 = findMb1Header(file);
  if (mb1) return bootMultiboot1(ctx, path, file, mb1);
  if (ctx.modules?.length) ctx.badInput(`--module ${ctx.modules[0].path}: ${path} is not a multiboot kernel, which alone takes modules`);
  if (isBzImage(file)) return bootLinux(ctx, path, file);
  if (!isElfFile(file)) ctx.badInput(`${path}: not a kernel rvos can boot on i386: no multiboot or multiboot2 header, not a Linux bzImage, not an ELF`);
  if (ctx.initrd) ctx.badInput(`--initrd ${ctx.initrd}: only a Linux bzImage takes an initrd; ${path} is a plain ELF`);
  const kernel = loadElfKernel(ctx, path, file);
  startFlat32(ctx, kernel.entry);
  return { images: [kernel.image], dtbAddress: 0 };
}
