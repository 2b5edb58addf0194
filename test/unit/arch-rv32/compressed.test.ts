import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { exec, HANDLER, installHandlers, makeMachine, RAM_BASE } from './machine.js';

const { ra, sp, s0, s1, a0, a1, a5 } = A;

describe('rv32 C extension: encodings match the GNU assembler', () => {
  // Encodings as printed by riscv32-objdump for these instructions.
  it.each([
    ['c.addi a0,1', A.c_addi(a0, 1), 0x0505],
    ['c.li a0,0', A.c_li(a0, 0), 0x4501],
    ['c.mv a0,a1', A.c_mv(a0, a1), 0x852e],
    ['c.jr ra (ret)', A.c_jr(ra), 0x8082],
    ['c.addi16sp sp,-48', A.c_addi16sp(-48), 0x7179],
    ['c.addi sp,-16', A.c_addi(sp, -16), 0x1141],
    ['c.swsp ra,12(sp)', A.c_swsp(ra, 12), 0xc606],
    ['c.lwsp ra,12(sp)', A.c_lwsp(ra, 12), 0x40b2],
    ['c.addi4spn s0,sp,16', A.c_addi4spn(s0, 16), 0x0800],
    ['c.lw a0,0(a0)', A.c_lw(a0, a0, 0), 0x4108],
    ['c.j 0', A.c_j(0), 0xa001],
    ['c.nop', A.c_nop(), 0x0001],
    ['c.ebreak', A.c_ebreak(), 0x9002],
    ['c.slli a0,2', A.c_slli(a0, 2), 0x050a],
    ['c.srli a0,1', A.c_srli(a0, 1), 0x8105],
    ['c.andi a0,1', A.c_andi(a0, 1), 0x8905],
    ['c.sub a0,a1', A.c_sub(a0, a1), 0x8d0d],
    ['c.lui a0,0x1', A.c_lui(a0, 1), 0x6505],
  ])('%s', (_name, got, expected) => {
    expect(got).toBe(expected);
  });
});

describe('rv32 C extension: execution', () => {
  it('quadrant 0: c.addi4spn, c.lw, c.sw', () => {
    const m = makeMachine();
    m.cpu.setReg(sp, RAM_BASE + 0x4000);
    m.w32(RAM_BASE + 0x4000 + 124, 0xabcd1234);
    m.load([A.c_addi4spn(s0, 64), A.c_lw(a0, s0, 60), A.c_sw(a0, s0, 4)]);
    m.run(3);
    expect(m.reg(s0)).toBe(RAM_BASE + 0x4040);
    expect(m.reg(a0)).toBe(0xabcd1234);
    expect(m.r32(RAM_BASE + 0x4044)).toBe(0xabcd1234);
    expect(m.cpu.pc).toBe(RAM_BASE + 6);
  });

  it('quadrant 1: c.addi/c.li/c.lui/c.addi16sp and the ALU group', () => {
    const m = exec(
      [A.c_li(a0, -3), A.c_addi(a0, 31), A.c_lui(a1, -1), A.c_addi16sp(-496), A.c_li(a5, 12), A.c_srli(a5, 2), A.c_li(s1, -8), A.c_srai(s1, 1), A.c_andi(s1, 0x1e)],
      { [sp]: 0x1000 },
    );
    expect(m.reg(a0)).toBe(28);
    expect(m.reg(a1)).toBe(0xfffff000);
    expect(m.reg(sp)).toBe(0x1000 - 496);
    expect(m.reg(a5)).toBe(3);
    expect(m.reg(s1)).toBe(0x1c);
  });

  it('quadrant 1: c.sub/c.xor/c.or/c.and', () => {
    const regs = { [s0]: 0b1100, [s1]: 0b1010 };
    expect(exec([A.c_sub(s0, s1)], regs).reg(s0)).toBe(2);
    expect(exec([A.c_xor(s0, s1)], regs).reg(s0)).toBe(0b0110);
    expect(exec([A.c_or(s0, s1)], regs).reg(s0)).toBe(0b1110);
    expect(exec([A.c_and(s0, s1)], regs).reg(s0)).toBe(0b1000);
  });

  it('quadrant 1: c.j, c.jal links pc+2, c.beqz/c.bnez', () => {
    let m = exec([A.c_jal(0x10)]);
    expect(m.cpu.pc).toBe(RAM_BASE + 0x10);
    expect(m.reg(ra)).toBe(RAM_BASE + 2);
    m = exec([A.c_j(-2)]);
    expect(m.cpu.pc).toBe(RAM_BASE - 2 >>> 0);
    m = makeMachine();
    m.load([A.c_beqz(s0, 6), A.c_nop(), A.c_nop(), A.c_bnez(s0, -6)]);
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 6);
    m.cpu.setReg(s0, 1);
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE);
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 2);
  });

  it('quadrant 2: c.slli, c.lwsp, c.swsp, c.mv, c.add, c.jr, c.jalr', () => {
    const m = makeMachine();
    m.cpu.setReg(sp, RAM_BASE + 0x4000);
    m.cpu.setReg(a1, 5);
    m.load([
      A.c_slli(a1, 4), // 80
      A.c_swsp(a1, 252),
      A.c_lwsp(a0, 252),
      A.c_add(a0, a1), // 160
      A.c_mv(s0, a0),
      A.li(a5, RAM_BASE + 0x100),
      A.c_jalr(a5),
    ]);
    m.run(8);
    expect(m.reg(a1)).toBe(80);
    expect(m.r32(RAM_BASE + 0x4000 + 252)).toBe(80);
    expect(m.reg(s0)).toBe(160);
    expect(m.cpu.pc).toBe(RAM_BASE + 0x100);
    expect(m.reg(ra)).toBe(RAM_BASE + 20);
    m.load([A.c_jr(ra)], RAM_BASE + 0x100);
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 20);
  });

  it('mixes 16- and 32-bit instructions with correct pc steps', () => {
    const m = exec([A.c_li(a0, 1), A.addi(a0, a0, 1), A.c_addi(a0, 1), A.addi(a0, a0, 1)]);
    expect(m.reg(a0)).toBe(4);
    expect(m.cpu.pc).toBe(RAM_BASE + 12);
  });

  it('c.ebreak raises a breakpoint', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.c_ebreak()]);
    m.run(1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.cpu.mepc).toBe(RAM_BASE);
  });

  it.each([
    ['all-zero halfword', 0x0000],
    ['c.addi4spn with zero immediate', 0x0004],
    ['c.fld (no D)', 0x2000],
    ['c.flw (no F)', 0x6000],
    ['reserved quadrant 0 funct3=100', 0x8000],
    ['c.addi16sp with zero immediate', 0x6101],
    ['c.lui with zero immediate', 0x6501],
    ['c.srli with shamt[5] = 1 (RV32)', 0x9105],
    ['c.subw (RV64 only)', 0x9d0d],
    ['c.lwsp with rd = 0', 0x4002],
    ['c.jr with rs1 = 0', 0x8002],
    ['c.slli with shamt[5] = 1', 0x1506],
    ['c.fswsp', 0xe002],
  ])('%s is illegal with tval = the 16 instruction bits', (_name, bits) => {
    const m = makeMachine();
    installHandlers(m);
    m.load([bits]);
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe(2);
    expect(m.cpu.mtval).toBe(bits);
  });
});
