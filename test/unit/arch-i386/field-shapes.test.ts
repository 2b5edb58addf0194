/**
 * The CPU's word-valued fields are doubles, and the fields the run loop rewrites mutable, from the
 * start (cpu.ts widenFields): an int32 flag operand or a kernel address past V8's small integers
 * (2^30) must not change the CPU's hidden class, which would throw away the optimized code that
 * reads it (the interpreter's and every translated block's; with a looping translation, V8 kept
 * re-entering and leaving its stale optimized code). Under the jit engine only: the interpreter alone
 * runs faster with small-integer fields.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { pagedMachine } from './paging-machine.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

describe('i386 CPU field representations', () => {
  it('keeps its hidden class when fields receive words past the small integers and small fields change', () => {
    const before = pagedMachine().cpu, after = pagedMachine().cpu;
    expect(haveSameMap(before, after)).toBe(true);
    const wide = 0xc0001000;
    after.eip = wide; after.startEip = wide; after.eaOff = wide; after.cr3 = wide; after.cr2 = wide;
    after.ccA = -0x7fffffff; after.ccB = 0x7fffffff; after.ccR = -0x40000001;
    after.cr0 = 0x80000011; after.gdtBase = wide; after.idtBase = wide; after.trBase = wide; after.ldtBase = wide;
    after.descLo = -1; after.descHi = 0x7fffffff; after.descAddr = wide;
    after.ran = 0x3fffffff; after.retiredCount = 2 ** 40; // ran: at most the budget (MAX_BLOCK_STEPS), a small integer
    after.ccOp = 3; after.ccBits = 8; after.ccKeptCf = 1; after.cpl = 3; after.eaSeg = 2; after.flagsRest = 0x246;
    expect(haveSameMap(before, after)).toBe(true);
  });
});

describe('i386 CPU run budget fields', () => {
  it('are small integers from the start (the run loop compares the budget at each instruction: a double made it a float compare)', () => {
    const before = pagedMachine().cpu, after = pagedMachine().cpu;
    const fields = after as unknown as Record<'budgetLimit' | 'sliceBudget', number>;
    fields.budgetLimit = 1000; fields.sliceBudget = 1000;
    expect(haveSameMap(before, after)).toBe(true);
    // A field holding a double from its first value would have kept its map here too.
    fields.budgetLimit = 0.5;
    expect(haveSameMap(before, after)).toBe(false);
  });
});
