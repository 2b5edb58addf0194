import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { HANDLER, installHandlers, makeMachine, MMIO_BASE, RAM_BASE } from './machine.js';
import { Op } from '../../../plugins/arch-rv32/src/execute.js';
import { SLOW_OPS } from '../../../plugins/arch-rv32/src/memory.js';

const { a0, a1, a2, a3 } = A;
const DATA = RAM_BASE + 0x4000;

function withData(bytes: number[]) {
  const m = makeMachine();
  installHandlers(m);
  m.poke(DATA, new Uint8Array(bytes));
  m.cpu.setReg(a1, DATA);
  return m;
}

describe('rv32 loads', () => {
  it.each([
    ['lb sign-extends', A.lb(a0, a1, 1), 0xffffff80],
    ['lbu zero-extends', A.lbu(a0, a1, 1), 0x80],
    ['lh sign-extends', A.lh(a0, a1, 2), 0xffff8281],
    ['lhu zero-extends', A.lhu(a0, a1, 2), 0x8281],
    ['lw', A.lw(a0, a1, 4), 0x87868584],
    ['negative offset', A.lw(a0, a1, -4), 0x44332211],
  ])('%s', (_name, insn, expected) => {
    const m = withData([0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0x86, 0x87]);
    m.poke(DATA - 4, new Uint8Array([0x11, 0x22, 0x33, 0x44]));
    m.load([insn]);
    m.run(1);
    expect(m.reg(a0)).toBe(expected);
  });

  it('misaligned loads from RAM succeed (as in QEMU)', () => {
    const m = withData([0, 1, 2, 3, 4, 5, 6, 7]);
    m.load([A.lw(a0, a1, 1), A.lh(a2, a1, 3), A.lhu(a3, a1, 7)]);
    m.poke(DATA + 8, new Uint8Array([0xff]));
    m.run(3);
    expect(m.reg(a0)).toBe(0x04030201);
    expect(m.reg(a2)).toBe(0x0403);
    expect(m.reg(a3)).toBe(0xff07);
    expect(m.traps).toEqual([]);
  });

  it('a misaligned load may straddle two pages', () => {
    const m = makeMachine();
    m.poke(RAM_BASE + 0x4ffe, new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]));
    m.load([A.lw(a0, a1, 0)]);
    m.cpu.setReg(a1, RAM_BASE + 0x4ffe);
    m.run(1);
    expect(m.reg(a0)).toBe(0xddccbbaa);
  });
});

describe('rv32 stores', () => {
  it('sb/sh/sw write only their width, little-endian', () => {
    const m = withData([0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
    m.cpu.setReg(a0, 0x12345678);
    m.load([A.sb(a0, a1, 0), A.sh(a0, a1, 2), A.sw(a0, a1, 4)]);
    m.run(3);
    expect(m.r32(DATA)).toBe(0x5678ee78);
    expect(m.r32(DATA + 4)).toBe(0x12345678);
  });

  it('misaligned stores to RAM succeed, also across a page boundary', () => {
    const m = makeMachine();
    m.cpu.setReg(a0, 0x11223344);
    m.cpu.setReg(a1, RAM_BASE + 0x4ffd);
    m.load([A.sw(a0, a1, 0), A.sh(a0, a1, 4)]);
    m.run(2);
    expect(m.r32(RAM_BASE + 0x4ffc) >>> 8).toBe(0x223344);
    expect(m.r32(RAM_BASE + 0x5000) & 0xffffff).toBe(0x334411);
    expect(m.traps).toEqual([]);
  });

  it('stores reach watchers of watched pages (HTIF)', () => {
    const m = makeMachine();
    const seen: number[] = [];
    m.bus.watch(DATA + 8, 8, (addr) => seen.push(addr));
    m.cpu.setReg(a1, DATA);
    m.cpu.setReg(a0, 1);
    m.load([A.sw(a0, a1, 0), A.sw(a0, a1, 8), A.sb(a0, a1, 12)]);
    m.run(3);
    expect(seen).toEqual([DATA + 8, DATA + 12]);
  });
});

describe('rv32 MMIO and access faults', () => {
  it('loads and stores of every width reach the device through the bus', () => {
    const m = makeMachine();
    m.dev.regs[1] = 0x80818283;
    m.cpu.setReg(a1, MMIO_BASE);
    m.cpu.setReg(a0, 0xcafef00d);
    m.load([A.lw(a2, a1, 4), A.lb(a3, a1, 4), A.sw(a0, a1, 8), A.sh(a0, a1, 12), A.sb(a0, a1, 16), A.lhu(a0, a1, 6)]);
    m.run(6);
    expect(m.reg(a2)).toBe(0x80818283);
    expect(m.reg(a3)).toBe(0xffffff83);
    expect(m.dev.regs[2]).toBe(0xcafef00d);
    expect(m.dev.regs[3]).toBe(0xf00d);
    expect(m.dev.regs[4]).toBe(0x0d);
    expect(m.reg(a0)).toBe(0x8081);
    expect(m.dev.log.map((l) => [l.write, l.offset, l.size])).toEqual([
      [false, 4, 4],
      [false, 4, 1],
      [true, 8, 4],
      [true, 12, 2],
      [true, 16, 1],
      [false, 6, 2],
    ]);
  });

  it('a load from an unmapped address raises a load access fault with tval = address', () => {
    const m = makeMachine();
    installHandlers(m);
    m.cpu.setReg(a1, 0x40000000);
    m.load([A.lw(a0, a1, 8)]);
    m.cpu.setReg(a0, 77);
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe(5);
    expect(m.cpu.mtval).toBe(0x40000008);
    expect(m.cpu.mepc).toBe(RAM_BASE);
    expect(m.reg(a0)).toBe(77); // rd untouched
    expect(m.traps[0].name).toBe('Load access fault');
  });

  it('a store to an unmapped address raises a store/AMO access fault', () => {
    const m = makeMachine();
    installHandlers(m);
    m.cpu.setReg(a1, 0x40000000);
    m.load([A.sh(a0, a1, 2)]);
    m.run(1);
    expect(m.cpu.mcause).toBe(7);
    expect(m.cpu.mtval).toBe(0x40000002);
  });

  it('stores to ROM fault, loads from ROM work', () => {
    const m = makeMachine();
    installHandlers(m);
    m.bus.map({ name: 'rom', base: 0x1000, size: 0x100, bytes: new Uint8Array(0x100).fill(0x5a), readOnly: true, index: 0 });
    m.cpu.setReg(a1, 0x1000);
    m.load([A.lw(a0, a1, 0), A.sw(a0, a1, 0)]);
    m.run(2);
    expect(m.reg(a0)).toBe(0x5a5a5a5a);
    expect(m.cpu.mcause).toBe(7);
    expect(m.cpu.mtval).toBe(0x1000);
  });

  it('a misaligned store running off RAM faults at the first unmapped byte (bytes go in order, as in QEMU)', () => {
    const m = makeMachine();
    installHandlers(m);
    const last = RAM_BASE + (1 << 20) - 2; // last halfword of RAM; the next page is unmapped
    m.cpu.setReg(a1, last);
    m.cpu.setReg(a0, -1);
    m.load([A.sw(a0, a1, 0)]);
    m.run(1);
    expect(m.cpu.mcause).toBe(7);
    expect(m.cpu.mtval).toBe((last + 2) >>> 0);
    expect(m.r32(last - 2)).toBe(0xffff0000);
  });
});

describe('rv32 load/store slow path', () => {
  it("numbers the operations as execute.ts's Op does", () => {
    expect(SLOW_OPS).toEqual({ LB: Op.LB, LH: Op.LH, LW: Op.LW, LBU: Op.LBU, SB: Op.SB, SH: Op.SH, SW: Op.SW });
  });
});
