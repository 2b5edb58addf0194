/**
 * @rvos/arch-rv32: the RV32IMAC (+ Zicsr, Zifencei) architecture with M/S/U modes and Sv32.
 */
import type { ArchType, PluginApi } from '../../../src/core/api.js';
import { boot } from './boot.js';
import { Rv32Cpu } from './cpu.js';
import { cpuInterruptCells, deviceTreeCpus } from './device-tree.js';
import { attachHtif } from './htif.js';

export const rv32: ArchType = {
  type: 'rv32',
  description: 'RISC-V RV32IMAC + Zicsr + Zifencei, M/S/U modes, Sv32 MMU, PMP',
  elfMachine: 243, // EM_RISCV
  elfClass: 1,
  // What kernels print in trap dumps and panics (the console symbolizes them).
  consoleAddressKeywords: ['sepc', 'mepc', 'pc', 'ra'],
  createCpu: (ctx) => new Rv32Cpu(ctx),
  deviceTreeCpus,
  cpuInterruptCells,
  boot,
  // Spike-style programs (the RISC-V ISA tests) talk to the host through HTIF's `tohost`.
  attach: (ctx, images) => {
    for (const image of images) attachHtif(ctx, image);
  },
};

export function register(api: PluginApi): void {
  api.defineArch(rv32);
}

export { Rv32Cpu };
