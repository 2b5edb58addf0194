/**
 * The interpreter's branch-free forms (execute.ts: ORRI/EORI, LOGIC_SH, CSEL, CBZ/TBZ, LDP/STP run
 * the same operations for every width and variant, so that a variant first seen after V8 optimized
 * interpret() needs no deopt): the values of each variant, 32-bit forms clearing the high word.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { DATA, makeMachine } from './machine.js';

const M64 = (1n << 64n) - 1n;
/** Runs `steps` instructions (default: the program's length, no branch taken) from `regs`. */
const run = (prog: number[], regs: Record<number, bigint | number>, steps = prog.length) => {
  const m = makeMachine({ jit: false });
  m.load(prog);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  m.run(steps);
  return m;
};

describe('aarch64 interpreter branch-free variants', () => {
  it('ORR/EOR immediate and shifted-register logic (inverted forms) in both widths', () => {
    const a = 0x8000_0001_ffff_0000n;
    const b = 0x0f0f_0f0f_0000_ffffn;
    const m = run(
      [A.orri(2, 0, 0xffn), A.orri(3, 0, 0xffn, 0), A.eori(4, 0, 0xff00n), A.eori(5, 0, 0xff00n, 0), A.orn(6, 0, 1), A.eon(7, 0, 1), A.bic(8, 0, 1), A.orn(9, 0, 1, 'lsl', 0, 0), A.eor(10, 0, 1, 'lsl', 4)],
      { 0: a, 1: b },
    );
    const w = (v: bigint) => v & 0xffff_ffffn;
    expect(m.x(2)).toBe(a | 0xffn);
    expect(m.x(3)).toBe(w(a | 0xffn));
    expect(m.x(4)).toBe(a ^ 0xff00n);
    expect(m.x(5)).toBe(w(a ^ 0xff00n));
    expect(m.x(6)).toBe((a | ~b) & M64);
    expect(m.x(7)).toBe((a ^ ~b) & M64);
    expect(m.x(8)).toBe(a & ~b & M64);
    expect(m.x(9)).toBe(w(a | ~b));
    expect(m.x(10)).toBe((a ^ (b << 4n)) & M64);
  });

  it('CSEL, CSINC, CSINV, CSNEG: the carry into the high word, and 32-bit forms', () => {
    // cmp x0, x0 (eq holds): 'ne' selects Rm's variant.
    const m = run(
      [A.cmp(0, 0), A.csel(2, 0, 1, 'eq'), A.csinc(3, 0, 1, 'ne'), A.csinv(4, 0, 1, 'ne'), A.csneg(5, 0, 1, 'ne'), A.csinc(6, 0, 1, 'ne', 0), A.csneg(7, 0, 8, 'ne'), A.csel(9, 0, 1, 'eq', 0)],
      { 0: 0x1234_5678_9abc_def0n, 1: 0x0000_0001_ffff_ffffn, 8: 0 },
    );
    expect(m.x(2)).toBe(0x1234_5678_9abc_def0n);
    expect(m.x(3)).toBe(0x0000_0002_0000_0000n);
    expect(m.x(4)).toBe(~0x0000_0001_ffff_ffffn & M64);
    expect(m.x(5)).toBe(-0x0000_0001_ffff_ffffn & M64);
    expect(m.x(6)).toBe(0n); // w: 0xffffffff + 1
    expect(m.x(7)).toBe(0n); // -0: the carry into the high word
    expect(m.x(9)).toBe(0x9abc_def0n);
  });

  it('CBZ on the high word (64-bit) and not (32-bit), TBZ/TBNZ on bits of both words', () => {
    // Each taken branch skips an add of 1 to x9; x9 counts the branches not taken.
    const prog = [A.cbz(0, 8), A.addi(9, 9, 1), A.cbz(0, 8, 0), A.addi(9, 9, 1), A.tbnz(0, 40, 8), A.addi(9, 9, 1), A.tbz(0, 39, 8), A.addi(9, 9, 1), A.tbnz(0, 3, 8), A.addi(9, 9, 1)];
    const m = run(prog, { 0: 0x0000_0100_0000_0000n, 9: 0 }, 7);
    // cbz x0: not taken (+1); cbz w0: taken; tbnz #40: taken; tbz #39: taken; tbnz #3: not taken (+1).
    expect(m.x(9)).toBe(2n);
  });

  it('LDP/STP of both widths and LDPSW: the words, the sign extension and the pair order', () => {
    const prog = [A.stp(0, 1, 2, 0), A.stp(0, 1, 2, 16, 'offset', 0), A.ldp(3, 4, 2, 0), A.ldp(5, 6, 2, 16, 'offset', 0), A.ldpsw(7, 8, 2, 16), A.ldp(10, 11, 2, 8)];
    const m = run(prog, { 0: 0x8000_0001_8765_4321n, 1: 0x7fff_fffe_1234_5678n, 2: DATA });
    expect([m.x(3), m.x(4)]).toEqual([0x8000_0001_8765_4321n, 0x7fff_fffe_1234_5678n]);
    expect([m.x(5), m.x(6)]).toEqual([0x8765_4321n, 0x1234_5678n]);
    expect([m.x(7), m.x(8)]).toEqual([0xffff_ffff_8765_4321n, 0x1234_5678n]);
    // The 32-bit pair wrote 8 bytes: w0, then w1.
    expect(m.r64(DATA + 16)).toBe(0x1234_5678_8765_4321n);
    expect([m.x(10), m.x(11)]).toEqual([0x7fff_fffe_1234_5678n, 0x1234_5678_8765_4321n]);
  });
});
