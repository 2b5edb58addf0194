import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { exec, HANDLER, installHandlers, makeMachine, openPmp, type TestMachine } from './machine.js';

const { a0, a1, a2, a3, t0 } = A;

function at(priv: number, insns: Array<number | number[]>, setup: (m: TestMachine) => void = () => {}): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  openPmp(m);
  m.load(insns);
  setup(m);
  m.cpu.setPrivilege(priv);
  m.run(insns.flat().length);
  return m;
}

describe('rv32 counters', () => {
  it('instret and cycle count retired instructions', () => {
    const m = exec([A.nop(), A.nop(), A.csrr(a0, CSR.instret), A.nop(), A.csrr(a1, CSR.cycle), A.csrr(a2, CSR.minstret), A.csrr(a3, CSR.instreth)]);
    expect(m.reg(a0)).toBe(2);
    expect(m.reg(a1)).toBe(4);
    expect(m.reg(a2)).toBe(5);
    expect(m.reg(a3)).toBe(0);
  });

  it('writing minstret sets the value the next instruction reads; high half too', () => {
    const m = exec([A.li(a1, -2), A.csrw(CSR.minstret, a1), A.csrr(a0, CSR.minstret), A.csrw(CSR.minstreth, a1), A.csrr(a2, CSR.minstreth), A.csrr(a3, CSR.minstret)]);
    expect(m.reg(a0)).toBe(0xfffffffe);
    expect(m.reg(a2)).toBe(0xfffffffe);
    // The minstreth write replaced the increment of the whole counter: the low half kept the
    // 0xffffffff it had before the write, and the read after it wrapped to 0xffffffff_00000000.
    expect(m.reg(a3)).toBe(0);
  });

  // riscv-tests isa/rv64mi/instret_overflow.S, built for RV32 (rv32mi-p-instret_overflow).
  it('riscv-tests instret_overflow: a csrw minstret suppresses the increment', () => {
    const m = exec([A.csrwi(CSR.minstret, 0), A.csrr(a0, CSR.minstret)]);
    expect(m.reg(a0)).toBe(0);
  });

  it('riscv-tests instret_overflow: a csrw minstreth suppresses the increment of the whole 64-bit counter', () => {
    const m = exec([A.li(t0, -1), A.csrw(CSR.minstret, t0), A.csrw(CSR.minstreth, t0), A.nop(), A.csrr(a0, CSR.minstret), A.csrr(a1, CSR.minstreth)]);
    expect(m.reg(a0)).toBe(0);
    expect(m.reg(a1)).toBe(0);
  });

  it.each([
    ['minstret', CSR.minstret, CSR.minstreth, CSR.instret, CSR.instreth],
    ['mcycle', CSR.mcycle, CSR.mcycleh, CSR.cycle, CSR.cycleh],
  ] as const)('%s: the low half carries into the high half on a normal increment', (_n, lo, hi, uLo, uHi) => {
    const m = exec([A.csrw(hi, 0), A.li(t0, -1), A.csrw(lo, t0), A.nop(), A.csrr(a0, lo), A.csrr(a1, hi), A.csrr(a2, uLo), A.csrr(a3, uHi)]);
    expect([m.reg(a0), m.reg(a1), m.reg(a2), m.reg(a3)]).toEqual([0, 1, 2, 1]);
  });

  it.each([
    ['minstret', CSR.minstret, CSR.minstreth],
    ['mcycle', CSR.mcycle, CSR.mcycleh],
  ] as const)('%s: a low-half write over 0xffffffff does not carry into the high half', (_n, lo, hi) => {
    const m = exec([A.li(t0, 7), A.csrw(hi, t0), A.li(t0, -1), A.csrw(lo, t0), A.csrwi(lo, 5), A.csrr(a0, lo), A.csrr(a1, hi)]);
    expect([m.reg(a0), m.reg(a1)]).toEqual([5, 7]);
  });

  it.each([
    ['minstret', CSR.minstret, CSR.minstreth],
    ['mcycle', CSR.mcycle, CSR.mcycleh],
  ] as const)('%s: high then low write (the usual RV32 sequence) gives the 64-bit value', (_n, lo, hi) => {
    const m = exec([A.li(t0, 0xabcde), A.csrw(hi, t0), A.li(t0, 17), A.csrw(lo, t0), A.csrr(a0, lo), A.csrr(a1, hi), A.csrr(a2, lo)]);
    expect([m.reg(a0), m.reg(a1), m.reg(a2)]).toEqual([17, 0xabcde, 19]);
  });

  it('mcountinhibit.IR stops minstret', () => {
    const m = exec([A.csrwi(CSR.mcountinhibit, 4), A.csrr(a0, CSR.minstret), A.nop(), A.nop(), A.csrr(a1, CSR.minstret), A.csrr(a2, CSR.mcountinhibit)]);
    expect(m.reg(a1)).toBe(m.reg(a0));
    expect(m.reg(a2)).toBe(4);
  });

  it('time follows the virtual clock at the timebase frequency (like the CLINT mtime)', () => {
    const m = makeMachine({ timebaseFrequency: 1_000_000 });
    m.clock.advanceTo(2_500_000_123); // 2.5 s
    m.load([A.csrr(a0, CSR.time), A.csrr(a1, CSR.timeh)]);
    m.run(2);
    expect(m.reg(a0)).toBe(2_500_000);
    expect(m.reg(a1)).toBe(0);
    const d = makeMachine();
    d.clock.advanceTo(1e9);
    d.load([A.csrr(a0, CSR.time)]);
    d.run(1);
    expect(d.reg(a0)).toBe(10_000_000); // default 10 MHz
  });

  it('timeh carries the high 32 bits', () => {
    const m = makeMachine({ timebaseFrequency: 1e9 });
    m.clock.advanceTo(2 ** 32 * 3 + 5);
    m.load([A.csrr(a0, CSR.time), A.csrr(a1, CSR.timeh)]);
    m.run(2);
    expect(m.reg(a0)).toBe(5);
    expect(m.reg(a1)).toBe(3);
  });

  it('mhpmcounter3..18 hold written values; 19..31 do not exist; mhpmevents are writable', () => {
    const m = exec([A.li(a1, 1234), A.csrw(0xb03, a1), A.csrr(a0, 0xb03), A.csrw(0x323, a1), A.csrr(a2, 0x323), A.csrr(a3, 0xb92)]);
    expect(m.reg(a0)).toBe(1234);
    expect(m.reg(a2)).toBe(1234);
    expect(m.traps).toEqual([]);
    const bad = exec([A.csrr(a0, 0xb13)]);
    expect(bad.cpu.mcause).toBe(2);
  });
});

describe('rv32 counter enables', () => {
  const readers = [
    ['cycle', CSR.cycle, 0],
    ['time', CSR.time, 1],
    ['instret', CSR.instret, 2],
    ['hpmcounter3', CSR.hpmcounter3, 3],
    ['cycleh', CSR.cycleh, 0],
    ['timeh', CSR.timeh, 1],
  ] as const;

  it.each(readers)('%s in S-mode needs mcounteren', (_n, csr, bit) => {
    const insn = A.csrr(a0, csr);
    const denied = at(1, [insn]);
    expect([denied.cpu.mcause, denied.cpu.mtval, denied.cpu.pc]).toEqual([2, insn, HANDLER]);
    const allowed = at(1, [insn], (m) => (m.cpu.mcounteren = 1 << bit));
    expect(allowed.traps).toEqual([]);
  });

  it.each(readers)('%s in U-mode needs mcounteren and scounteren', (_n, csr, bit) => {
    const insn = A.csrr(a0, csr);
    expect(at(0, [insn], (m) => (m.cpu.mcounteren = 1 << bit)).cpu.mcause).toBe(2);
    expect(at(0, [insn], (m) => (m.cpu.scounteren = 1 << bit)).cpu.mcause).toBe(2);
    const ok = at(0, [insn], (m) => {
      m.cpu.mcounteren = 1 << bit;
      m.cpu.scounteren = 1 << bit;
    });
    expect(ok.traps).toEqual([]);
  });

  it('hpmcounter beyond the implemented ones is illegal even when enabled', () => {
    const insn = A.csrr(a0, 0xc13);
    expect(at(1, [insn], (m) => (m.cpu.mcounteren = -1)).cpu.mcause).toBe(2);
  });

  it('M-mode reads counters regardless of the enables', () => {
    expect(exec([A.csrr(a0, CSR.cycle)]).traps).toEqual([]);
  });

  it('scounteren is an S-mode CSR: illegal from U', () => {
    expect(at(0, [A.csrr(a0, CSR.scounteren)]).cpu.mcause).toBe(2);
    expect(at(1, [A.csrr(a0, CSR.scounteren)]).traps).toEqual([]);
  });
});
