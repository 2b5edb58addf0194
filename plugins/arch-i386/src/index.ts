/**
 * @rvos/arch-i386: an i386 CPU (integer set, real/protected/V86 mode, paging, x87 basics) and the PC's
 * direct kernel boot (boot.ts); README says what is there and what is not.
 */
import type { ArchType, PluginApi } from '../../../src/core/api.js';
import { boot } from './boot.js';
import { I386Cpu } from './cpu.js';
import { i386WasmWanted } from './jit-wasm.js';
import { CORE_REGISTERS, I386_TARGET_XML } from './gdb-target.js';

export const i386: ArchType = {
  type: 'i386',
  description: 'i386 (integer core, real, protected and virtual-8086 mode, paging, x87 basics)',
  elfMachine: 3, // EM_386
  elfClass: 1,
  consoleAddressKeywords: ['EIP', 'eip'],
  memoryHoles: true, // hole pages take the bus path (mmu.ts never gives them fast TLB entries)
  // Regions compiled to WebAssembly (jit-wasm.ts) unless RVOS_JIT_WASM_I386=0 (bus.ts wasmRamWanted decides the RAM).
  get wasmRegions() {
    return i386WasmWanted();
  },
  createCpu: (ctx) => new I386Cpu(ctx),
  deviceTreeCpus: () => [], // PCs have no device tree
  cpuInterruptCells: () => [],
  boot,
  debug: { targetXml: I386_TARGET_XML, gRegisters: CORE_REGISTERS, breakpointKinds: [1] },
};

export function register(api: PluginApi): void {
  api.defineArch(i386);
}

export { I386Cpu };
