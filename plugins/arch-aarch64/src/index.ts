/**
 * @rvos/arch-aarch64: AArch64 (A64 integer instruction set) cores, Cortex-A53 flavoured.
 */
import type { ArchType, PluginApi } from '../../../src/core/api.js';
import { boot } from './boot.js';
import { raspiBoot } from './boot-raspi.js';
import { A64Cpu } from './cpu.js';
import { a64WasmWanted } from './jit-wasm.js';
import { aarch64Debug } from './debug.js';
import { cpuInterruptCells, deviceTreeCpus } from './device-tree.js';

export const aarch64: ArchType = {
  type: 'aarch64',
  description: 'AArch64 (A64 integer ISA, EL0-EL3 with exceptions and IRQ/FIQ; MMU and FP/SIMD to come), Cortex-A53',
  elfMachine: 183, // EM_AARCH64
  elfClass: 2,
  // What Arm kernels print in exception dumps (the console symbolizes them).
  consoleAddressKeywords: ['ELR_EL1', 'ELR_EL2', 'ELR_EL3', 'pc', 'lr'],
  // The generic timer's lines, one per CPU each (the BCM2836 local controller's cntpnsirqN ... inputs).
  cpuOutputs: {
    cntpns: { description: 'EL1 physical timer (CNTP) interrupt' },
    cntps: { description: 'Secure physical timer (CNTPS) interrupt' },
    cnthp: { description: 'EL2 physical timer (CNTHP) interrupt' },
    cntv: { description: 'virtual timer (CNTV) interrupt' },
  },
  // The GDB target description (`rvos run --gdb`); each CPU gives its own `Cpu.debug`.
  // Regions compiled to WebAssembly (jit-wasm.ts) unless RVOS_JIT_WASM_A64=0 (or RVOS_JIT_WASM=0: bus.ts).
  get wasmRegions() {
    return a64WasmWanted();
  },
  debug: aarch64Debug,
  createCpu: (ctx) => new A64Cpu(ctx),
  deviceTreeCpus,
  cpuInterruptCells,
  boot,
};

export function register(api: PluginApi): void {
  api.defineArch(aarch64);
  api.defineBoot(raspiBoot);
}

export { A64Cpu };
