/**
 * The aarch64 wasm regions experiment (jit-wasm.ts, on with RVOS_JIT_WASM_A64=1): a hot loop runs in a
 * wasm region and ends with the interpreter's registers and flags. The loop keeps flags recorded
 * lazily across a non-flag-setting ADD/SUB (CMP; ADD; CSET), which once clobbered the recorded operand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { makeMachine } from './machine.js';

const loop = [
  A.cmp(7, 20, 0),
  A.add(5, 19, 5, 'lsl', 0, 0),
  A.cset(26, 'hi', 0),
  A.add(27, 27, 26),
  A.subs(6, 7, 20, 'lsl', 0, 1),
  A.sub(8, 8, 5, 'lsl', 3),
  A.cset(28, 'lt'),
  A.add(29, 29, 28),
  A.addi(7, 7, 0x321, 0),
  A.addi(20, 20, 0x123, 0),
  A.subsi(2, 2, 1),
  A.bcond('ne', -11 * 4),
  A.b(0),
];

function run(jit: boolean) {
  const m = makeMachine({ jit });
  m.load(loop);
  m.set(2, 5000);
  m.set(7, 0x7fff0000);
  m.set(20, 0x80001000);
  m.set(19, 3);
  const n = m.run(loop.length * 5000);
  return { m, n, regs: [2, 5, 6, 7, 8, 20, 26, 27, 28, 29].map((r) => m.x(r)), flags: m.flags(), pc: m.cpu.pc };
}

describe('aarch64 wasm regions (RVOS_JIT_WASM_A64=1)', () => {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env.RVOS_JIT_WASM_A64;
    process.env.RVOS_JIT_WASM_A64 = '1';
  });
  afterAll(() => {
    if (before === undefined) delete process.env.RVOS_JIT_WASM_A64;
    else process.env.RVOS_JIT_WASM_A64 = before;
  });

  it('runs a loop in a wasm region with the interpreter\'s results, flags kept lazily across an ADD', () => {
    const interp = run(false);
    const jit = run(true);
    expect(jit.m.cpu.wasmCore, 'the core has a wasm area (RAM in a wasm memory)').not.toBeNull();
    expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect({ n: jit.n, regs: jit.regs, flags: jit.flags, pc: jit.pc }).toEqual({ n: interp.n, regs: interp.regs, flags: interp.flags, pc: interp.pc });
    expect(interp.regs[7]).toBeGreaterThan(0n); // the CSETs counted both ways
  });
});
