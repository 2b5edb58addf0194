/** The translation engine the core lends CPUs (`CpuContext.jit`). */
import type { JitKit } from '../api.js';
import { createRam, PhysicalBus } from '../bus.js';
import { VirtualClock } from '../clock.js';
import { EventStream } from '../events.js';
import { CodeCache } from './code-cache.js';
import { FirstCallGate } from './first-calls.js';
import { noOsr, translatorFactory } from './translate.js';
import { scratchMachine, WarmUpOnce } from './warm-up.js';
import { compileWasm, hostFunction, hostIndirect, hostTable, I32, I64, indirectType, instanceFor, WasmCode, WasmOp, wasmModule } from './wasm-module.js';

export const jitKit: JitKit = {
  codeCache: (options) => new CodeCache(options),
  factory: translatorFactory,
  noOsr,
  firstCalls: (singleCalls, warmUpAt, warmUp) => new FirstCallGate(singleCalls, warmUpAt, warmUp),
  scratch(base, size, device) {
    const events = new EventStream();
    const bus = new PhysicalBus(createRam(base, size), events);
    if (device) bus.map({ name: device.device.name, base: device.base, size: device.size, index: 0, device: device.device });
    return { bus, clock: new VirtualClock(), events };
  },
  warmUpOnce: () => new WarmUpOnce(),
  scratchMachine: (base, size, deviceBase) => scratchMachine(jitKit, base, size, deviceBase),
  wasm: {
    op: WasmOp,
    I32,
    I64,
    code: (params, results, dry) => new WasmCode(params, results, dry),
    module: wasmModule,
    indirectType,
    compile: compileWasm,
    instanceFor,
    hostFunction,
    hostIndirect,
    hostTable,
  },
};
