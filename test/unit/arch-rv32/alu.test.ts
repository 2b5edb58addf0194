import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { exec, RAM_BASE } from './machine.js';

const { a0, a1, a2 } = A;

describe('rv32 integer register-immediate', () => {
  it.each([
    ['addi', A.addi(a0, a1, -1), 5, 4],
    ['addi wraps', A.addi(a0, a1, 1), 0x7fffffff, 0x80000000],
    ['slti true', A.slti(a0, a1, -1), -5, 1],
    ['slti false', A.slti(a0, a1, -1), 3, 0],
    ['sltiu compares unsigned (imm -1 = max)', A.sltiu(a0, a1, -1), 0xfffffffe, 1],
    ['sltiu false', A.sltiu(a0, a1, 1), 0x80000000, 0],
    ['xori -1 is not', A.xori(a0, a1, -1), 0x12345678, 0xedcba987],
    ['ori', A.ori(a0, a1, 0x0f0), 0x1000, 0x10f0],
    ['andi sign-extends imm', A.andi(a0, a1, -16), 0x12345678, 0x12345670],
    ['slli', A.slli(a0, a1, 31), 3, 0x80000000],
    ['srli', A.srli(a0, a1, 4), 0x80000000, 0x08000000],
    ['srai', A.srai(a0, a1, 4), 0x80000000, 0xf8000000],
  ])('%s', (_name, insn, input, expected) => {
    expect(exec([insn], { [a1]: input }).reg(a0)).toBe(expected >>> 0);
  });

  it('writes to x0 are discarded', () => {
    const m = exec([A.addi(0, 0, 5), A.addi(a0, 0, 0)]);
    expect(m.reg(0)).toBe(0);
    expect(m.reg(a0)).toBe(0);
  });

  it('lui and auipc', () => {
    const m = exec([A.lui(a0, 0xfffff), A.auipc(a1, 0x1), A.auipc(a2, 0)]);
    expect(m.reg(a0)).toBe(0xfffff000);
    expect(m.reg(a1)).toBe((RAM_BASE + 4 + 0x1000) >>> 0);
    expect(m.reg(a2)).toBe((RAM_BASE + 8) >>> 0);
  });

  it('li (lui+addi) builds any constant', () => {
    for (const v of [0, 1, -1, 0x800, 0x7ff, 0xfffff800, 0x12345fff, 0x80000000]) {
      expect(exec([A.li(a0, v)]).reg(a0)).toBe(v >>> 0);
    }
  });
});

describe('rv32 integer register-register', () => {
  it.each([
    ['add', A.add(a0, a1, a2), 0x7fffffff, 1, 0x80000000],
    ['sub', A.sub(a0, a1, a2), 0, 1, 0xffffffff],
    ['sll uses rs2[4:0]', A.sll(a0, a1, a2), 1, 33, 2],
    ['slt', A.slt(a0, a1, a2), -1, 0, 1],
    ['sltu', A.sltu(a0, a1, a2), -1, 0, 0],
    ['xor', A.xor(a0, a1, a2), 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0],
    ['srl', A.srl(a0, a1, a2), 0x80000000, 63, 1],
    ['sra', A.sra(a0, a1, a2), 0x80000000, 31, 0xffffffff],
    ['or', A.or(a0, a1, a2), 0xf0, 0x0f, 0xff],
    ['and', A.and(a0, a1, a2), 0xf0f0, 0xff00, 0xf000],
  ])('%s', (_name, insn, x, y, expected) => {
    expect(exec([insn], { [a1]: x, [a2]: y }).reg(a0)).toBe(expected >>> 0);
  });

  it('rd may equal a source', () => {
    expect(exec([A.add(a1, a1, a1)], { [a1]: 21 }).reg(a1)).toBe(42);
  });
});
