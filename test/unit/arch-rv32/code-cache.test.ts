import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { makeMachine, RAM_BASE } from './machine.js';
import { jitKit } from '../../../src/core/jit/index.js';

const { a0, a1, a2 } = A;

describe('rv32 decoded-code cache', () => {
  it('a store over an instruction that already ran is seen when it runs again', () => {
    const m = makeMachine();
    // loop body at +8 is executed, then patched from `addi a0,a0,1` into `addi a0,a0,100`
    m.load([A.li(a1, RAM_BASE + 8), A.addi(a0, a0, 1), A.lw(a2, A.t0, 0), A.sw(a2, a1, 0), A.jal(0, -12)]);
    m.poke(RAM_BASE + 0x400, A.assemble([A.addi(a0, a0, 100)]));
    m.cpu.setReg(A.t0, RAM_BASE + 0x400);
    m.run(2 + 4 + 4); // li, first pass, second pass (patched)
    expect(m.reg(a0)).toBe(101);
  });

  it('a store to the next instruction takes effect immediately', () => {
    const m = makeMachine();
    m.poke(RAM_BASE + 0x400, A.assemble([A.addi(a0, 0, 42)]));
    m.load([A.lw(a2, A.t0, 0), A.sw(a2, a1, 0), A.addi(a0, 0, 1)]);
    m.cpu.setReg(A.t0, RAM_BASE + 0x400);
    m.cpu.setReg(a1, RAM_BASE + 8);
    m.run(3);
    expect(m.reg(a0)).toBe(42);
  });

  it('a byte store into the upper half of a 32-bit instruction invalidates it', () => {
    const m = makeMachine();
    m.load([A.addi(a0, 0, 1), A.jal(0, 8), A.nop(), A.sb(a2, a1, 3), A.jal(0, -16)]);
    m.cpu.setReg(a1, RAM_BASE);
    m.cpu.setReg(a2, 0x10); // new bits 31:24 = imm[11:4]: imm 0x001 becomes 0x101
    m.run(1 + 1 + 2 + 1); // addi, jal, sb, jal, patched addi
    expect(m.reg(a0)).toBe(0x101);
  });

  it('DMA (device) writes invalidate decoded code', () => {
    const m = makeMachine();
    m.load([A.addi(a0, 0, 1), A.jal(0, -4)]);
    m.run(2);
    m.bus.dmaWrite(RAM_BASE, A.assemble([A.addi(a0, 0, 7)]));
    m.run(2);
    expect(m.reg(a0)).toBe(7);
  });

  it('a store by another hart invalidates this hart’s decoded page', () => {
    const m = makeMachine();
    const other = new Rv32Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: m.clock, events: m.events, machine: { powerOff() {}, reset() {} }, props: {} });
    m.load([A.addi(a0, 0, 1), A.jal(0, -4)]);
    m.run(2);
    m.poke(RAM_BASE + 0x400, A.assemble([A.addi(a0, 0, 9), A.lw(a2, A.t0, 0), A.sw(a2, a1, 0), A.jal(0, 0)]));
    other.pc = RAM_BASE + 0x404;
    other.setReg(A.t0, RAM_BASE + 0x400);
    other.setReg(a1, RAM_BASE);
    other.run(2);
    m.run(2);
    expect(m.reg(a0)).toBe(9);
    expect(other.getReg(a0)).toBe(0);
  });

  it('fetches and executes from ROM (the reset vector lives there)', () => {
    const m = makeMachine();
    m.bus.map({ name: 'mrom', base: 0x1000, size: 0x100, bytes: A.assemble([A.addi(a0, 0, 3), A.c_addi(a0, 2), A.li(a1, RAM_BASE), A.jalr(0, a1, 0)]).slice(), readOnly: true, index: 0 });
    m.load([A.addi(a2, 0, 11)]);
    m.cpu.pc = 0x1000;
    m.run(6);
    expect(m.reg(a0)).toBe(5);
    expect(m.reg(a2)).toBe(11);
  });

  it('executes a 32-bit instruction that straddles two RAM pages', () => {
    const m = makeMachine();
    const bytes = A.assemble([A.c_nop(), A.addi(a0, 0, 77), A.addi(a1, 0, 5)]);
    m.poke(RAM_BASE + 0xffc, bytes);
    m.cpu.pc = RAM_BASE + 0xffc;
    m.run(3);
    expect(m.reg(a0)).toBe(77);
    expect(m.reg(a1)).toBe(5);
    // and again from a branch into the same page
    m.cpu.pc = RAM_BASE + 0xffe;
    m.cpu.setReg(a0, 0);
    m.run(1);
    expect(m.reg(a0)).toBe(77);
  });

  it('reset forgets decoded code', () => {
    const m = makeMachine();
    m.load([A.addi(a0, 0, 1)]);
    m.run(1);
    m.bus.ram.u8.set(A.assemble([A.addi(a0, 0, 2)]), 0); // behind the bus's back, like a reload
    m.cpu.reset();
    m.cpu.pc = RAM_BASE;
    m.run(1);
    expect(m.reg(a0)).toBe(2);
  });
});
