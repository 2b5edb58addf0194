/**
 * The experimental wasm regions (RVOS_JIT_WASM=1, plugins/arch-rv32/src/jit-wasm.ts) under the
 * JavaScript regions' behavioural tests: random instruction streams against the interpreter
 * (jit-diff), calls and returns inside regions (jit-calls), stores to code pages and paging
 * (jit-pages), and the block compiler's exits and counts (jit). The switch is read when RAM is
 * made, so setting it here (this file's own process) turns it on for every machine below.
 */
import { describe, expect, it } from 'vitest';
import { makeMachine } from './machine.js';

process.env.RVOS_JIT_WASM = '1';

describe('rv32 wasm regions', () => {
  it('are on for a jit hart whose RAM is a wasm memory, and its registers and TLBs live there', () => {
    const m = makeMachine({ jit: true });
    const wasm = m.cpu.wasm!;
    expect(wasm).not.toBeNull();
    expect(m.cpu.x.buffer).toBe(wasm.memory.buffer);
    expect(m.cpu.rTag.buffer).toBe(wasm.memory.buffer);
    expect(m.cpu.pageFlags.buffer).toBe(wasm.memory.buffer);
  });

  it('are off under the interpreter', () => {
    expect(makeMachine({ jit: false }).cpu.wasm).toBeNull();
  });
});

await import('./jit-diff.test.js');
await import('./jit-calls.test.js');
await import('./jit-pages.test.js');
await import('./jit.test.js');
