import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { exec, HANDLER, installHandlers, makeMachine, RAM_BASE, type TestMachine } from './machine.js';

const { a0, a1, a2 } = A;
const R = 1, W = 2, X = 4, TOR = 8, NA4 = 16, NAPOT = 24, L = 0x80;
const ALL = 0xffffffff; // pmpaddr of a NAPOT entry covering the whole 34-bit space

function pmpMachine(entries: Array<[number, number]>): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  entries.forEach(([addr, cfg], i) => {
    m.cpu.pmp.writeAddr(i, addr);
    const reg = i >> 2;
    m.cpu.pmp.writeCfg(reg, (m.cpu.pmp.readCfg(reg) & ~(0xff << ((i & 3) * 8))) | (cfg << ((i & 3) * 8)));
  });
  m.cpu.flushTlbAll();
  return m;
}

function runAt(m: TestMachine, priv: number, insns: Array<number | number[]>, regs: Record<number, number> = {}): void {
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
  m.cpu.setPrivilege(priv);
  m.run(insns.flat().length);
}

describe('rv32 PMP CSRs', () => {
  it('pmpcfg/pmpaddr read back; reserved bits read zero; R=0,W=1 is not kept', () => {
    const m = exec([
      A.li(a1, 0x7f6f0f02),
      A.csrw(CSR.pmpcfg0, a1),
      A.csrr(a0, CSR.pmpcfg0),
      A.li(a1, 0x12345678),
      A.csrw(CSR.pmpaddr0 + 15, a1),
      A.csrr(a2, CSR.pmpaddr0 + 15),
    ]);
    expect(m.reg(a0)).toBe(0x1f0f0f00);
    expect(m.reg(a2)).toBe(0x12345678);
  });

  it('locked entries ignore writes; a locked TOR entry also locks the previous address', () => {
    const m = makeMachine();
    m.cpu.pmp.writeAddr(0, 0x100);
    m.cpu.pmp.writeAddr(1, 0x200);
    m.cpu.pmp.writeCfg(0, (L | TOR | R) << 8);
    m.cpu.pmp.writeCfg(0, 0x0f0f);
    m.cpu.pmp.writeAddr(0, 0x999);
    m.cpu.pmp.writeAddr(1, 0x999);
    expect(m.cpu.pmp.readCfg(0)).toBe(((L | TOR | R) << 8) | 0x0f);
    expect(m.cpu.pmp.readAddr(0)).toBe(0x100);
    expect(m.cpu.pmp.readAddr(1)).toBe(0x200);
    m.cpu.reset();
    expect(m.cpu.pmp.readCfg(0)).toBe(0);
  });

  it('16 entries exist (pmpcfg0..3, pmpaddr0..15)', () => {
    const m = exec([A.csrr(a0, CSR.pmpcfg0 + 3), A.csrr(a0, CSR.pmpaddr0 + 15)]);
    expect(m.traps).toEqual([]);
  });
});

describe('rv32 PMP enforcement', () => {
  it('S/U accesses that match no entry fail, even with no entry configured (QEMU 7.2)', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.nop()]);
    m.cpu.setPrivilege(1);
    m.run(1);
    expect(m.cpu.mcause).toBe(1);
    expect(m.cpu.mtval).toBe(RAM_BASE);
  });

  it('M-mode is unrestricted unless the entry is locked', () => {
    let m = pmpMachine([[(RAM_BASE + 0x4000) >>> 2, NA4]]);
    runAt(m, 3, [A.lw(a0, a1, 0)], { [a1]: RAM_BASE + 0x4000 });
    expect(m.traps).toEqual([]);
    m = pmpMachine([[(RAM_BASE + 0x4000) >>> 2, NA4 | L]]);
    runAt(m, 3, [A.lw(a0, a1, 0)], { [a1]: RAM_BASE + 0x4000 });
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([5, RAM_BASE + 0x4000]);
  });

  it('the lowest-numbered matching entry decides', () => {
    // entry 0: NA4 at DATA with R only; entry 1: everything RWX
    const DATA = RAM_BASE + 0x4000;
    const m = pmpMachine([
      [DATA >>> 2, NA4 | R],
      [ALL, NAPOT | R | W | X],
    ]);
    runAt(m, 1, [A.lw(a0, a1, 0), A.sw(a0, a1, 4), A.sw(a0, a1, 0)], { [a1]: DATA });
    expect(m.traps.length).toBe(1);
    expect([m.cpu.mcause, m.cpu.mtval, m.cpu.mepc]).toEqual([7, DATA, RAM_BASE + 8]);
  });

  it('permissions below page granularity are not cached in the TLB', () => {
    const DATA = RAM_BASE + 0x4000;
    const m = pmpMachine([
      [(DATA + 8) >>> 2, NA4],
      [ALL, NAPOT | R | W | X],
    ]);
    runAt(m, 1, [A.lw(a0, a1, 0), A.lw(a0, a1, 4), A.lw(a0, a1, 8)], { [a1]: DATA });
    expect(m.traps.length).toBe(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([5, DATA + 8]);
  });

  it('TOR ranges and NAPOT ranges match the right bytes', () => {
    const BASE = RAM_BASE + 0x10000;
    const m = pmpMachine([
      [BASE >>> 2, 0], // TOR bottom
      [(BASE + 0x100) >>> 2, TOR | R], // [BASE, BASE+0x100) read-only
      [((RAM_BASE >>> 2) | ((1 << 17) - 1)) >>> 0, NAPOT | R | W | X], // 1 MiB NAPOT over RAM
    ]);
    runAt(m, 1, [A.lw(a0, a1, 0xfc), A.sw(a0, a1, 0x100), A.sw(a0, a1, 0xfc)], { [a1]: BASE });
    expect(m.traps.length).toBe(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([7, BASE + 0xfc]);
  });

  it('an access matching an entry only partly fails', () => {
    const BASE = RAM_BASE + 0x10000;
    const m = pmpMachine([
      [BASE >>> 2, 0],
      [(BASE + 0x100) >>> 2, TOR | R | W],
      [ALL, NAPOT | R | W | X],
    ]);
    runAt(m, 1, [A.lw(a0, a1, 0xfe)], { [a1]: BASE });
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([5, BASE + 0xfe]);
  });

  it('execute permission gates instruction fetch', () => {
    const m = pmpMachine([[ALL, NAPOT | R | W]]);
    runAt(m, 1, [A.nop()]);
    expect([m.cpu.mcause, m.cpu.mtval, m.cpu.pc]).toEqual([1, RAM_BASE, HANDLER]);
  });

  it('changing PMP with CSR writes takes effect immediately (cached translations are dropped)', () => {
    const DATA = RAM_BASE + 0x4000;
    const m = pmpMachine([
      [0, 0],
      [ALL, NAPOT | R | W | X],
    ]);
    runAt(m, 1, [A.lw(a0, a1, 0)], { [a1]: DATA });
    expect(m.traps).toEqual([]);
    runAt(m, 3, [A.li(a2, DATA >>> 2), A.csrw(CSR.pmpaddr0, a2), A.li(a2, ((NAPOT | R | W | X) << 8) | NA4), A.csrw(CSR.pmpcfg0, a2)]);
    runAt(m, 1, [A.lw(a0, a1, 0)], { [a1]: DATA });
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([5, DATA]);
  });
});
