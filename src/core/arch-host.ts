import type { ArchType } from './api.js';
import { PluginError, UserError } from './errors.js';

/**
 * The architecture plugin as the builder uses it: every call outside the hot loop turns what the
 * plugin throws into a `PluginError` naming it (a UserError, e.g. a bad image, passes through).
 * `Cpu.run` is not wrapped (no try in the hot loop): the machine attributes a throw from inside a
 * slice to the arch plugin itself.
 */
export function guardArch(arch: ArchType, plugin: string): ArchType {
  const guard = <T>(what: string, call: () => T): T => {
    try {
      return call();
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw PluginError.from(e, plugin, what);
    }
  };
  return {
    type: arch.type,
    description: arch.description,
    elfMachine: arch.elfMachine,
    elfClass: arch.elfClass,
    consoleAddressKeywords: arch.consoleAddressKeywords,
    cpuOutputs: arch.cpuOutputs,
    memoryHoles: arch.memoryHoles,
    // Read when a machine is built (an arch may decide by the environment then).
    get wasmRegions() {
      return arch.wasmRegions;
    },
    debug: arch.debug,
    createCpu: (ctx) => guard(`arch ${arch.type}: createCpu()`, () => arch.createCpu(ctx)),
    deviceTreeCpus: (root, cpus, props, alloc) => guard(`arch ${arch.type}: deviceTreeCpus()`, () => arch.deviceTreeCpus(root, cpus, props, alloc)),
    cpuInterruptCells: (input) => guard(`arch ${arch.type}: cpuInterruptCells()`, () => arch.cpuInterruptCells(input)),
    boot: (ctx) => guard(`arch ${arch.type}: boot()`, () => arch.boot(ctx)),
    attach: arch.attach && ((ctx, images) => guard(`arch ${arch.type}: attach()`, () => arch.attach!(ctx, images))),
  };
}
