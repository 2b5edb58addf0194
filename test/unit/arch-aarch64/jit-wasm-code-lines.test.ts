/**
 * Stores beside code in the aarch64 wasm regions (jit-wasm.ts fastOffset, the core's code-line map
 * WasmRam.codeLines): a store to a page flagged as code stays in wasm where its bytes' 64-byte lines
 * hold no decoded instruction (data sharing a page with code, as the compute kernel's BSS), and leaves
 * for the interpreter where they do, which drops exactly the translations it overwrites.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { useEnv } from '../../helpers/env.js';
import { CODE, makeMachine } from './machine.js';
import type { Block } from '../../../plugins/arch-aarch64/src/jit.js';
import type { CodePage } from '../../../src/core/jit/code-cache.js';
import { PAGE_CODE } from '../../../src/core/api.js';

/** The ADD at CODE + 24 that the loop's one code write replaces with ADD #2. */
const PATCHED = CODE + 24;
const program = [
  A.strw(5, 1), // beside code (x1)
  A.stp(5, 6, 2), // beside code, across two lines (x2)
  A.strb(5, 3), // the page's last byte (x3)
  A.subsi(9, 9, 1), // countdown to the code write
  A.bcond('ne', 8),
  A.strw(7, 4), // x4 = PATCHED: into the running region's code, once
  A.addi(5, 5, 1),
  A.add(6, 6, 5),
  A.subsi(20, 20, 1),
  A.bcond('ne', -36),
  A.b(0),
];
const PASS = 9; // instructions per pass without the code write
const DATA_AT = [CODE + 0x800, CODE + 0x838, CODE + 0xfff];

function machine(jit: boolean, writeAt: number, passes: number, into = PATCHED) {
  const m = makeMachine({ jit });
  m.load(program);
  DATA_AT.forEach((a, k) => m.set(1 + k, a));
  m.set(4, into);
  m.set(7, A.addi(5, 5, 2));
  m.set(9, writeAt);
  m.set(20, passes);
  return m;
}

function state(m: ReturnType<typeof makeMachine>, steps: number) {
  return { steps, regs: [5, 6, 9, 20].map((r) => m.x(r)), pc: m.cpu.pc, data: [m.r64(CODE + 0x800), m.r64(CODE + 0x838), m.r64(CODE + 0x840), m.r32(CODE + 0xffc), m.r32(PATCHED)] };
}

describe('aarch64 wasm regions: stores beside code', () => {
  useEnv('RVOS_JIT_WASM_A64', undefined);

  it('stores to the lines of a code page that hold no decoded code in wasm, without leaving the region', () => {
    const m = machine(true, 1 << 30, 3000);
    m.run(PASS * 1000);
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2];
    expect(block?.fn?.name, 'the loop is a wasm region').toBe('wasmRegion');
    expect(m.bus.pageFlags[CODE >>> 12] & PAGE_CODE, 'the page is flagged as code').toBe(PAGE_CODE);
    m.set(20, 10);
    m.cpu.pc = CODE;
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0), 'ten passes in one call').toBe(10 * PASS);
    expect(m.r32(CODE + 0x800), 'stored before the pass\'s ADD').toBe(Number((m.x(5) - 1n) & 0xffffffffn));
    // A store to a line holding code (the `b .` after the loop: decoded, not in the region) leaves before it.
    m.set(1, CODE + 44);
    m.set(20, 10);
    m.cpu.pc = CODE;
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0), 'leaves before the store into a code line').toBe(0);
    // A pair from a page without flags into the code page's first line (its first instructions,
    // rewritten with the same bytes): its last byte is looked at too, so it leaves before the pair.
    m.set(1, CODE + 0x800);
    m.set(2, CODE - 8);
    m.set(6, (BigInt(m.r32(CODE + 4)) << 32n) | BigInt(m.r32(CODE)));
    m.set(20, 10);
    m.cpu.pc = CODE;
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0), 'leaves before a pair ending in a code line').toBe(1);
  });

  it('leaves for a store into the running region\'s code, which then runs the new instruction as the interpreter', () => {
    // The code write comes at pass 1000, after the region is translated; budgets stop around it.
    const budgets = [PASS * 999 + 4, PASS * 999 + 5, PASS * 999 + 6, PASS * 999 + 7, PASS * 999 + 8, PASS * 1000 + 3, PASS * 1003, 20_000];
    for (const n of budgets) {
      const interp = machine(false, 1000, 3000);
      const jit = machine(true, 1000, 3000);
      const expected = state(interp, interp.run(n));
      expect(state(jit, jit.run(n)), `budget ${n}`).toEqual(expected);
      expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    }
    const m = machine(true, 1000, 3000);
    m.run(PASS * 3000 + 1);
    expect(m.r32(PATCHED)).toBe(A.addi(5, 5, 2));
    expect(m.x(5), 'ADD #1 for 999 passes, ADD #2 for the rest').toBe(BigInt(999 + 2 * 2001));
  });

  it('stores into code lines through the interpreter at several budgets, beside them in wasm', () => {
    // The code write goes to the line of the `b .` instead (code, not in the region): same results.
    for (const n of [PASS * 999 + 5, PASS * 999 + 6, PASS * 2000]) {
      const interp = machine(false, 1000, 3000, CODE + 44);
      const jit = machine(true, 1000, 3000, CODE + 44);
      const expected = state(interp, interp.run(n));
      expect(state(jit, jit.run(n)), `budget ${n}`).toEqual(expected);
    }
  });
});
