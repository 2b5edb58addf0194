import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { exec, makeMachine, RAM_BASE } from './machine.js';

const { a0, a1, a2, ra, t0 } = A;

describe('rv32 branches', () => {
  // Each case: branch +8 over `addi a0, a0, 1`; a0 ends 0 when taken, 1 when not.
  it.each([
    ['beq taken', A.beq(a1, a2, 8), 5, 5, true],
    ['beq not taken', A.beq(a1, a2, 8), 5, 6, false],
    ['bne taken', A.bne(a1, a2, 8), 5, 6, true],
    ['bne not taken', A.bne(a1, a2, 8), 5, 5, false],
    ['blt signed taken', A.blt(a1, a2, 8), -1, 0, true],
    ['blt not taken on equal', A.blt(a1, a2, 8), 3, 3, false],
    ['bge taken on equal', A.bge(a1, a2, 8), 3, 3, true],
    ['bge signed not taken', A.bge(a1, a2, 8), -1, 0, false],
    ['bltu unsigned not taken', A.bltu(a1, a2, 8), -1, 0, false],
    ['bltu taken', A.bltu(a1, a2, 8), 0, -1, true],
    ['bgeu unsigned taken', A.bgeu(a1, a2, 8), -1, 0, true],
    ['bgeu not taken', A.bgeu(a1, a2, 8), 0, 1, false],
  ])('%s', (_name, insn, x, y, taken) => {
    const m = makeMachine();
    m.load([insn, A.addi(a0, a0, 1), A.nop()]);
    m.cpu.setReg(a1, x);
    m.cpu.setReg(a2, y);
    m.run(1);
    expect(m.cpu.pc).toBe((RAM_BASE + (taken ? 8 : 4)) >>> 0);
  });

  it('backward branch loops', () => {
    // a0 = 10; loop: a1 += 2; a0 -= 1; bnez a0, loop
    const m = makeMachine();
    m.load([A.addi(a0, 0, 10), A.addi(a1, a1, 2), A.addi(a0, a0, -1), A.bne(a0, 0, -8), A.nop()]);
    m.run(1 + 3 * 10);
    expect(m.reg(a1)).toBe(20);
    expect(m.cpu.pc).toBe((RAM_BASE + 16) >>> 0);
  });
});

describe('rv32 jumps', () => {
  it('jal links pc+4 and jumps pc-relative (also backwards)', () => {
    const m = makeMachine();
    m.load([A.nop(), A.jal(ra, 0x100)]);
    m.run(2);
    expect(m.reg(ra)).toBe((RAM_BASE + 8) >>> 0);
    expect(m.cpu.pc).toBe((RAM_BASE + 4 + 0x100) >>> 0);
    m.load([A.jal(t0, -4)], RAM_BASE + 0x200);
    m.run(1);
    expect(m.cpu.pc).toBe((RAM_BASE + 0x1fc) >>> 0);
  });

  it('jalr clears bit 0 of the target and links before reading rs1 == rd', () => {
    const m = exec([A.jalr(a0, a0, 5)], { [a0]: RAM_BASE + 0x100 });
    expect(m.cpu.pc).toBe((RAM_BASE + 0x104) >>> 0);
    expect(m.reg(a0)).toBe((RAM_BASE + 4) >>> 0);
  });

  it('jal x0 does not link', () => {
    const m = exec([A.jal(0, 8)]);
    expect(m.reg(0)).toBe(0);
    expect(m.cpu.pc).toBe((RAM_BASE + 8) >>> 0);
  });

  it('jumps across pages continue at the target', () => {
    const m = makeMachine();
    m.load([A.jal(0, 0x2000)]);
    m.load([A.addi(a2, 0, 7)], RAM_BASE + 0x2000);
    m.cpu.pc = RAM_BASE;
    m.run(2);
    expect(m.reg(a2)).toBe(7);
  });
});
