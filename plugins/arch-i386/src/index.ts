/**
 * @rvos/arch-i386: an i386 core (first step: real mode, integer core; see README for what is next).
 */
import type { ArchType, PluginApi } from '../../../src/core/api.js';
import { boot } from './boot.js';
import { I386Cpu } from './cpu.js';

export const i386: ArchType = {
  type: 'i386',
  description: 'i386 (integer core, real and protected mode; paging and the x87 to come)',
  elfMachine: 3, // EM_386
  elfClass: 1,
  consoleAddressKeywords: ['EIP', 'eip'],
  memoryHoles: true, // every access goes through the bus (no RAM fast path yet)
  createCpu: (ctx) => new I386Cpu(ctx),
  deviceTreeCpus: () => [], // PCs have no device tree
  cpuInterruptCells: () => [],
  boot,
};

export function register(api: PluginApi): void {
  api.defineArch(i386);
}

export { I386Cpu };
