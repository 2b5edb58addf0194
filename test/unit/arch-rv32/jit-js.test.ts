/**
 * The JavaScript regions (plugins/arch-rv32/src/jit.ts), which harts get where RAM is not a wasm memory (a process
 * started for huge pages, RVOS_JIT_WASM=0: bus.ts wasmRamWanted), under the regions' behavioural tests: random
 * instruction streams against the interpreter (jit-diff), calls and returns inside regions (jit-calls), stores to
 * code pages and paging (jit-pages), and the block compiler's exits and counts (jit). By default those files run
 * the wasm regions; the switch is read when RAM is made, so setting it here (this file's own process) turns the
 * JavaScript regions on for every machine below.
 */
import { describe, expect, it } from 'vitest';
import { makeMachine } from './machine.js';

process.env.RVOS_JIT_WASM = '0';

describe('rv32 JavaScript regions', () => {
  it('are on for a jit hart whose RAM is not a wasm memory', () => {
    const m = makeMachine({ jit: true });
    expect(m.cpu.wasm).toBeNull();
    expect(m.bus.ram.wasm).toBeUndefined();
  });
});

await import('./jit-diff.test.js');
await import('./jit-calls.test.js');
await import('./jit-pages.test.js');
await import('./jit.test.js');
