/**
 * @rvos/arch-rv32: the RV32IMAC (+ Zicsr, Zifencei) architecture with M/S/U modes and Sv32.
 */
import type { ArchType, BootProtocol, PluginApi } from '../../../src/core/api.js';
import { boot } from './boot.js';
import { Rv32Cpu } from './cpu.js';
import { cpuInterruptCells, deviceTreeCpus } from './device-tree.js';
import { attachHtif } from './htif.js';
import { rv32ArchDebug } from './target-xml.js';

export const rv32: ArchType = {
  type: 'rv32',
  description: 'RISC-V RV32IMAC + Zicsr + Zifencei, M/S/U modes, Sv32 MMU, PMP',
  elfMachine: 243, // EM_RISCV
  elfClass: 1,
  // What kernels print in trap dumps and panics (the console symbolizes them).
  consoleAddressKeywords: ['sepc', 'mepc', 'pc', 'ra'],
  // The GDB stub's target description (target-xml.ts); each hart's `debug` is debug.ts.
  debug: rv32ArchDebug,
  // Its regions compile to WebAssembly where RAM is a wasm memory (jit-wasm.ts), else to JavaScript (jit.ts).
  wasmRegions: true,
  createCpu: (ctx) => new Rv32Cpu(ctx),
  deviceTreeCpus,
  cpuInterruptCells,
  boot,
  // Spike-style programs (the RISC-V ISA tests) talk to the host through HTIF's `tohost`.
  attach: (ctx, images) => {
    for (const image of images) attachHtif(ctx, image);
  },
};

/** QEMU's `virt` start: the reset ROM at 0x1000, fw_dynamic_info, the DTB near the top of RAM (boot.ts). */
export const riscvVirtRom: BootProtocol = {
  name: 'riscv-virt-rom',
  description: "QEMU virt's RISC-V start: reset ROM at 0x1000 jumping to RAM with a0 = hart id, a1 = DTB, fw_dynamic_info for the firmware",
  archs: ['rv32'],
  boot,
};

export function register(api: PluginApi): void {
  api.defineArch(rv32);
  api.defineBoot(riscvVirtRom);
}

export { Rv32Cpu };
