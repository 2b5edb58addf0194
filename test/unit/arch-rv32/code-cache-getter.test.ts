/** Rv32Cpu.codeCache: the read-only size of the decoded-code cache that `npm run bench` reports. */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { makeMachine } from './machine.js';

const { a0, a2 } = A;

describe('rv32 codeCache getter', () => {
  it('counts the decoded pages and the blocks compiled in them, and is empty after reset', () => {
    const m = makeMachine({ jit: true });
    expect(m.cpu.codeCache).toEqual({ pages: 0, translations: 0, aliases: 0, freePages: 0, made: 0, flushes: 0 });
    m.load([A.addi(a0, a0, 1), A.bne(a0, a2, -4), A.jal(0, 0)]);
    m.cpu.setReg(a2, 100_000);
    m.run(50_000);
    const cache = m.cpu.codeCache;
    expect(cache.pages).toBe(1);
    expect(cache.translations).toBeGreaterThan(0);
    expect(cache.translations).toBeLessThanOrEqual(m.cpu.blocksCompiled);
    m.cpu.reset();
    expect(m.cpu.codeCache.pages).toBe(0);
    expect(m.cpu.codeCache.translations).toBe(0);
  });

  it('has pages but no blocks with the block compiler off', () => {
    const m = makeMachine({ jit: false });
    m.load([A.addi(a0, a0, 1), A.bne(a0, a2, -4), A.jal(0, 0)]);
    m.cpu.setReg(a2, 100_000);
    m.run(50_000);
    expect(m.cpu.codeCache).toMatchObject({ pages: 1, translations: 0 });
  });
});
