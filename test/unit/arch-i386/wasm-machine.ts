/**
 * The i386 wasm regions' test machine (jit-wasm.test.ts, jit-links.test.ts): code at CODE on paging-machine.ts's
 * machine, and `agree`, which runs it under the interpreter and the translator slice by slice and compares them.
 * Importing it turns the wasm regions on (RVOS_JIT_WASM, RVOS_JIT_WASM_I386) for the importer's machines.
 */
import { expect } from 'vitest';
import { HLT, pagedMachine } from './paging-machine.js';

// Before any machine of the importing file (and of the files it imports) is built.
process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

export const CODE = 0x20000;
export const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** A flat test machine (paging-machine.ts) with `body` and a HLT at CODE, EIP there, the registers `regs`, under `engine`. */
export function machine(body: number[], engine: 'interp' | 'jit', regs: Record<number, number>) {
  const m = pagedMachine([], engine);
  m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  m.cpu.pc = CODE;
  return m;
}

/** Runs `body` under both engines in (at most `slices`) slices of `budget` and compares after each; returns the translator's machine. */
export function agree(body: number[], regs: Record<number, number>, budget: number, setup: (m: ReturnType<typeof machine>) => void = () => {}, slices = 20_000) {
  const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
  setup(a); setup(b);
  expect(b.cpu.wasmCore).not.toBeNull();
  const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs, m.cpu.lastException?.vector, m.cpu.lastException?.eip];
  for (let slice = 0; slice < slices && !a.cpu.waiting; slice++) {
    expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
    expect(state(b), `slice ${slice}`).toEqual(state(a));
  }
  expect(Buffer.from(b.ram.u8.subarray(0x8000, 0x9000))).toEqual(Buffer.from(a.ram.u8.subarray(0x8000, 0x9000)));
  return b;
}
