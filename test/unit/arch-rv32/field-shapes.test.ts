/**
 * The hart's word-valued fields are doubles from the start (cpu.ts widenWordFields): a guest that
 * writes an unsigned value past 2^31 (outside V8's small integers) (a kernel's stvec, satp's MODE bit) must not
 * change the hart's hidden class, which would throw away the interpreter's optimized code.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { Block, NO_BLOCK } from '../../../plugins/arch-rv32/src/jit.js';
import { runWarmUp } from '../../../plugins/arch-rv32/src/warmup.js';
import { jitKit } from '../../../src/core/jit/index.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('rv32 hart field representations', () => {
  it('keeps its hidden class when a Linux boot writes kernel addresses to CSRs, pc and the reservation', () => {
    const before = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    const after = runWarmUp((ctx) => new Rv32Cpu(ctx), jitKit);
    expect(haveSameMap(before, after)).toBe(true);
    // The fields a Linux 6.1 boot first wrote with such values (node --trace-generalization).
    // Values as the CSR and trap code store them (unsigned: past V8's small integers).
    const wide = 0xc0001000;
    after.pc = after.npc = wide;
    after.mtvec = after.stvec = after.mepc = after.sepc = after.mtval = after.stval = wide;
    after.mcause = after.scause = 0x80000005;
    after.mscratch = after.sscratch = after.satp = 0x80080000;
    after.reservation = after.reservationValue = after.splitPa = 0x80400000;
    expect(haveSameMap(before, after)).toBe(true);
  });

  it('keeps the numbers of a Block small integers when they arrive as heap numbers (here -0)', () => {
    const block = new Block(null, -0, -0, -0);
    expect(Object.is(block.delta, 0)).toBe(true);
    expect(haveSameMap(NO_BLOCK, block)).toBe(true);
  });
});
