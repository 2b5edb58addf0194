import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, exec, makeMachine, VECTORS } from './machine.js';

describe('aarch64 branches', () => {
  it('B skips forward and backward; BL links the next instruction', () => {
    const m = makeMachine();
    m.load([A.b(8), A.movz(0, 1), A.movz(0, 2), A.bl(-8)]);
    m.run(3); // b, movz x0 #2, bl back to CODE+4
    expect(m.x(30)).toBe(BigInt(CODE + 16));
    expect(m.cpu.pc).toBe(CODE + 4);
    expect(m.x(0)).toBe(2n);
  });

  it('B.cond taken and not taken', () => {
    const m = exec([A.cmpi(1, 5), A.bcond('gt', 8), A.movz(0, 1), A.movz(2, 7)], { 1: 6 });
    expect(m.x(0)).toBe(0n);
    expect(m.x(2)).toBe(7n);
    // the fourth step is the zero word after the program (Undefined)
    expect(m.cpu.lastException!.elrLo).toBe(CODE + 16);
    const m2 = exec([A.cmpi(1, 5), A.bcond('gt', 8), A.movz(0, 1)], { 1: 5 });
    expect(m2.x(0)).toBe(1n);
  });

  it('CBZ/CBNZ test 64 bits, or 32 bits in the W form', () => {
    let m = exec([A.cbz(1, 8), A.movz(0, 1)], { 1: 0x100000000n });
    expect(m.x(0)).toBe(1n);
    m = exec([A.cbz(1, 8, 0), A.movz(0, 1)], { 1: 0x100000000n });
    expect(m.x(0)).toBe(0n);
    m = exec([A.cbnz(1, 8), A.movz(0, 1)], { 1: 0x100000000n });
    expect(m.x(0)).toBe(0n);
    m = exec([A.cbnz(1, 8, 0), A.movz(0, 1)], { 1: 0x100000000n });
    expect(m.x(0)).toBe(1n);
  });

  it('TBZ/TBNZ test bits 0, 31, 32 and 63', () => {
    for (const bit of [0, 31, 32, 63]) {
      const v = 1n << BigInt(bit);
      expect(exec([A.tbnz(1, bit, 8), A.movz(0, 1)], { 1: v }).x(0)).toBe(0n);
      expect(exec([A.tbz(1, bit, 8), A.movz(0, 1)], { 1: v }).x(0)).toBe(1n);
      expect(exec([A.tbz(1, bit, 8), A.movz(0, 1)], { 1: ~v & 0xffffffffffffffffn }).x(0)).toBe(0n);
    }
  });

  it('BR, BLR, RET; BLR X30 branches to the old X30', () => {
    const m = makeMachine();
    m.load([A.blr(30)]);
    m.set(30, CODE + 0x40);
    m.run(1);
    expect(m.cpu.pc).toBe(CODE + 0x40);
    expect(m.x(30)).toBe(BigInt(CODE + 4));
    m.load([A.br(3)]);
    m.set(3, CODE + 0x80);
    m.run(1);
    expect(m.cpu.pc).toBe(CODE + 0x80);
    m.load([A.ret()]);
    m.run(1);
    expect(m.cpu.pc).toBe(CODE + 4);
    m.load([A.ret(5)]);
    m.set(5, CODE + 0x100);
    m.run(1);
    expect(m.cpu.pc).toBe(CODE + 0x100);
  });

  it('a counted loop runs to completion across instruction slices', () => {
    const m = exec([]);
    m.load([A.movz(0, 0), A.movz(1, 1000), A.addi(0, 0, 3), A.subsi(1, 1, 1), A.bcond('ne', -8), A.nop()]);
    expect(m.run(2 + 3 * 1000 + 1)).toBe(3003);
    expect(m.x(0)).toBe(3000n);
    expect(m.cpu.pc).toBe(CODE + 24);
    expect(m.cpu.retired).toBe(3003);
  });

  it('a branch to a misaligned address takes a PC alignment fault there (EC 0x22)', () => {
    const m = exec([A.br(1), A.nop()], { 1: CODE + 0x102 });
    const p = m.cpu.lastException!;
    expect(p.esr >>> 26).toBe(0x22);
    expect(p.elrLo).toBe(CODE + 0x102);
    expect(p.farLo).toBe(CODE + 0x102);
    expect(m.cpu.pc).toBe(VECTORS + 0x200); // taken at EL3, SP_EL3: current EL with SPx
    expect(m.cpu.stopped).toBe(false);
  });

  it('BLR/RET to a misaligned address on the same page fault there too (not the aligned word below)', () => {
    for (const insn of [A.blr(1), A.ret(1)]) {
      // Past the core's warm-up (its first 1000 calls run one instruction each), in one run:
      // CODE+16 holds a valid instruction, and executing it instead of faulting was the bug.
      const m = makeMachine();
      m.load([A.movz(3, 1000), A.subsi(3, 3, 1), A.bcond('ne', -4), insn, A.movz(2, 9), A.nop()]);
      m.set(1, CODE + 18);
      m.run(2100);
      expect(m.x(2)).toBe(0n);
      // the first trap (the vectors hold zeros, so Undefined ones follow)
      expect(m.traps[0]).toMatchObject({ cause: 0x22, pc: CODE + 18, tval: CODE + 18 });
    }
  });

  it('executes at 64-bit addresses: fetch from beyond the PA size is an address size fault', () => {
    const m = makeMachine();
    m.load([A.br(1)]);
    m.set(1, 0xffff000000080000n);
    m.run(2);
    const p = m.cpu.lastException!;
    expect(p.esr).toBe(((0x21 << 26) | (1 << 25) | 0) >>> 0); // instruction abort, same EL, address size L0
    expect(p.elrHi >>> 0).toBe(0xffff0000);
    expect(p.elrLo).toBe(0x80000);
    // trap events carry addresses as edge numbers (signed 64-bit), as Cpu.pc
    expect(m.traps[0]).toMatchObject({ pc: Number(BigInt.asIntN(64, 0xffff000000080000n)), tval: Number(BigInt.asIntN(64, 0xffff000000080000n)) });
  });

  it('fetch from unmapped physical space is a synchronous external abort', () => {
    const m = exec([A.br(1)], { 1: 0x40000000 });
    m.run(1);
    expect(m.cpu.lastException!.esr).toBe(((0x21 << 26) | (1 << 25) | 0x10) >>> 0);
  });
});
