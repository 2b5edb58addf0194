import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { HANDLER, installHandlers, makeMachine, MMIO_BASE, RAM_BASE } from './machine.js';

const { a0, a1, a2, a3, t0 } = A;
const DATA = RAM_BASE + 0x4000;

function amoMachine(initial: number) {
  const m = makeMachine();
  installHandlers(m);
  m.w32(DATA, initial);
  m.cpu.setReg(a1, DATA);
  return m;
}

describe('rv32 A extension: AMOs', () => {
  it.each([
    ['amoswap', A.amoswap_w, 5, 9, 9],
    ['amoadd', A.amoadd_w, 5, -6, 0xffffffff],
    ['amoxor', A.amoxor_w, 0xff, 0x0f, 0xf0],
    ['amoand', A.amoand_w, 0xff, 0x0f, 0x0f],
    ['amoor', A.amoor_w, 0xf0, 0x0f, 0xff],
    ['amomin signed', A.amomin_w, -1, 1, 0xffffffff],
    ['amomax signed', A.amomax_w, -1, 1, 1],
    ['amominu', A.amominu_w, -1, 1, 1],
    ['amomaxu', A.amomaxu_w, -1, 1, 0xffffffff],
  ])('%s returns the old value and stores the result', (_n, enc, mem, src, expected) => {
    const m = amoMachine(mem);
    m.cpu.setReg(a2, src);
    m.load([enc(a0, a2, a1, true, true)]);
    m.run(1);
    expect(m.reg(a0)).toBe(mem >>> 0);
    expect(m.r32(DATA)).toBe(expected >>> 0);
  });

  it('AMOs with rd = x0 still update memory', () => {
    const m = amoMachine(1);
    m.cpu.setReg(a2, 2);
    m.load([A.amoadd_w(0, a2, a1)]);
    m.run(1);
    expect(m.r32(DATA)).toBe(3);
  });

  it('misaligned AMO raises store/AMO address misaligned, memory untouched', () => {
    const m = amoMachine(0x11111111);
    m.cpu.setReg(a1, DATA + 2);
    m.load([A.amoswap_w(a0, a2, a1)]);
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe(6);
    expect(m.cpu.mtval).toBe(DATA + 2);
    expect(m.r32(DATA)).toBe(0x11111111);
  });

  it('AMO to an unmapped address is a store/AMO access fault', () => {
    const m = amoMachine(0);
    m.cpu.setReg(a1, 0x40000000);
    m.load([A.amoadd_w(a0, a2, a1)]);
    m.run(1);
    expect(m.cpu.mcause).toBe(7);
  });

  it('AMOs work on MMIO as a read then a write', () => {
    const m = amoMachine(0);
    m.dev.regs[0] = 40;
    m.cpu.setReg(a1, MMIO_BASE);
    m.cpu.setReg(a2, 2);
    m.load([A.amoadd_w(a0, a2, a1)]);
    m.run(1);
    expect(m.reg(a0)).toBe(40);
    expect(m.dev.regs[0]).toBe(42);
  });
});

describe('rv32 A extension: LR/SC', () => {
  it('sc succeeds after lr to the same address and writes', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.load([A.lr_w(a0, a1), A.sc_w(a3, a2, a1)]);
    m.run(2);
    expect(m.reg(a0)).toBe(7);
    expect(m.reg(a3)).toBe(0);
    expect(m.r32(DATA)).toBe(99);
  });

  it('a second sc fails: the reservation is consumed', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.load([A.lr_w(a0, a1), A.sc_w(a3, a2, a1), A.addi(a2, 0, 5), A.sc_w(t0, a2, a1)]);
    m.run(4);
    expect(m.reg(t0)).toBe(1);
    expect(m.r32(DATA)).toBe(99);
  });

  it('sc without lr fails and does not write', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.load([A.sc_w(a3, a2, a1)]);
    m.run(1);
    expect(m.reg(a3)).toBe(1);
    expect(m.r32(DATA)).toBe(7);
  });

  it('sc to another address than the reservation fails', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.load([A.lr_w(a0, a1), A.addi(a1, a1, 4), A.sc_w(a3, a2, a1)]);
    m.run(3);
    expect(m.reg(a3)).toBe(1);
    expect(m.r32(DATA + 4)).toBe(0);
  });

  it('sc fails when memory changed since lr (value compare, like QEMU)', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.cpu.setReg(t0, 8);
    m.load([A.lr_w(a0, a1), A.sw(t0, a1, 0), A.sc_w(a3, a2, a1)]);
    m.run(3);
    expect(m.reg(a3)).toBe(1);
    expect(m.r32(DATA)).toBe(8);
  });

  it('sc succeeds when memory was rewritten with the same value', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.cpu.setReg(t0, 7);
    m.load([A.lr_w(a0, a1), A.sw(t0, a1, 0), A.sc_w(a3, a2, a1)]);
    m.run(3);
    expect(m.reg(a3)).toBe(0);
  });

  it('a trap between lr and sc clears the reservation', () => {
    const m = amoMachine(7);
    m.cpu.setReg(a2, 99);
    m.load([A.lr_w(a0, a1), A.ecall()]);
    // handler: sc then loop
    m.poke(HANDLER, A.assemble([A.sc_w(a3, a2, a1), A.jal(0, 0)]));
    m.run(3);
    expect(m.reg(a3)).toBe(1);
    expect(m.r32(DATA)).toBe(7);
  });

  it('misaligned lr raises load address misaligned', () => {
    const m = amoMachine(0);
    m.cpu.setReg(a1, DATA + 1);
    m.load([A.lr_w(a0, a1)]);
    m.run(1);
    expect(m.cpu.mcause).toBe(4);
    expect(m.cpu.mtval).toBe(DATA + 1);
  });

  it('misaligned sc (never reserved) fails without a trap, as in QEMU 7.2', () => {
    const m = amoMachine(0x55);
    m.cpu.setReg(a1, DATA + 2);
    m.cpu.setReg(a2, -1);
    m.load([A.sc_w(a0, a2, a1)]);
    m.run(1);
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(1);
    expect(m.r32(DATA)).toBe(0x55);
  });
});
