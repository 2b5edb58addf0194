/**
 * @rvos/arch-i386: an i386 core (first step: real mode, integer core; see README for what is next).
 */
import type { ArchType, BootContext, BootResult, PluginApi } from '../../../src/core/api.js';
import { I386Cpu } from './cpu.js';

/**
 * Maps the firmware given as `--bios`/firmware at the top of 4 GiB, where the reset vector
 * FFFFFFF0 reads it, as a PC does (the 0xF0000/0xE0000 alias comes with the pc board).
 */
function boot(ctx: BootContext): BootResult {
  if (ctx.firmware) {
    const rom = ctx.readFile(ctx.firmware);
    ctx.addRom('bios', 0x100000000 - rom.length, rom);
  }
  return { images: [], dtbAddress: 0 };
}

export const i386: ArchType = {
  type: 'i386',
  description: 'i386 (real mode integer core, paging, x87 basics; protected mode to come)',
  elfMachine: 3, // EM_386
  elfClass: 1,
  consoleAddressKeywords: ['EIP', 'eip'],
  memoryHoles: true, // hole pages take the bus path (mmu.ts never gives them fast TLB entries)
  createCpu: (ctx) => new I386Cpu(ctx),
  deviceTreeCpus: () => [], // PCs have no device tree
  cpuInterruptCells: () => [],
  boot,
};

export function register(api: PluginApi): void {
  api.defineArch(i386);
}

export { I386Cpu };
