import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { HANDLER, installHandlers, makeMachine, openPmp, RAM_BASE, S_HANDLER, type TestMachine } from './machine.js';

const { a0, a1 } = A;
const MPP = 3 << 11;

function machineAt(priv: number, insns: Array<number | number[]>): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  openPmp(m);
  m.load(insns);
  m.cpu.setPrivilege(priv);
  return m;
}

describe('rv32 synchronous exceptions', () => {
  it.each([
    [3, 11, 'Environment call from M-mode'],
    [1, 9, 'Environment call from S-mode'],
    [0, 8, 'Environment call from U-mode'],
  ])('ecall from priv %i has cause %i and tval 0', (priv, cause, name) => {
    const m = machineAt(priv, [A.nop(), A.ecall()]);
    m.cpu.mtval = 0x1234;
    m.run(2);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe(cause);
    expect(m.cpu.mepc).toBe(RAM_BASE + 4);
    expect(m.cpu.mtval).toBe(0);
    expect(m.cpu.priv).toBe(3);
    expect((m.cpu.mstatus & MPP) >>> 11).toBe(priv);
    expect(m.traps).toEqual([{ cpu: 0, interrupt: false, cause, name, pc: RAM_BASE + 4, tval: 0, target: 'M' }]);
  });

  it('ebreak raises a breakpoint with tval 0 (QEMU 7.2)', () => {
    const m = machineAt(3, [A.ebreak()]);
    m.run(1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.cpu.mtval).toBe(0);
  });

  it('illegal instructions report their bits in mtval', () => {
    for (const bits of [0xffffffff, 0x0000707f, 0x04005033 /* srl with funct7 = 2 */, 0x0000100b, 0x00002073 /* csrrs x0, 0x000 (no such CSR) */, 0x12345073]) {
      const m = machineAt(3, [bits]);
      m.run(1);
      expect(m.cpu.mcause, bits.toString(16)).toBe(2);
      expect(m.cpu.mtval).toBe(bits >>> 0);
    }
  });

  it('instructions that retire do not raise, and a trapped instruction does not retire', () => {
    const m = machineAt(3, [A.nop(), A.ecall()]);
    m.run(2);
    expect(m.cpu.retired).toBe(1);
  });

  it('a misaligned AMO to an unmapped address reports misalignment first (priority)', () => {
    const m = machineAt(3, [A.amoadd_w(a0, a1, a1)]);
    m.cpu.setReg(a1, 0x40000001);
    m.run(1);
    expect(m.cpu.mcause).toBe(6);
  });

  it('fetch from an unmapped address raises an instruction access fault with tval = pc', () => {
    const m = machineAt(3, [A.li(a1, 0x40000000), A.jalr(0, a1, 0)]);
    m.run(4);
    expect(m.cpu.mcause).toBe(1);
    expect(m.cpu.mepc).toBe(0x40000000);
    expect(m.cpu.mtval).toBe(0x40000000);
  });
});

describe('rv32 trap delegation', () => {
  it('delegated exceptions from U and S go to S with scause/sepc/stval, SPP and SPIE', () => {
    for (const priv of [0, 1]) {
      const m = machineAt(priv, [A.nop(), 0xffffffff]);
      m.cpu.medeleg = 1 << 2;
      m.cpu.mstatus |= 1 << 1; // SIE
      m.run(2);
      expect(m.cpu.pc).toBe(S_HANDLER);
      expect(m.cpu.priv).toBe(1);
      expect(m.cpu.scause).toBe(2);
      expect(m.cpu.sepc).toBe(RAM_BASE + 4);
      expect(m.cpu.stval).toBe(0xffffffff);
      expect(m.cpu.mcause).toBe(0);
      expect((m.cpu.mstatus >>> 8) & 1).toBe(priv); // SPP
      expect((m.cpu.mstatus >>> 5) & 1).toBe(1); // SPIE = old SIE
      expect((m.cpu.mstatus >>> 1) & 1).toBe(0); // SIE cleared
      expect(m.traps[0].target).toBe('S');
    }
  });

  it('traps taken in M-mode are never delegated', () => {
    const m = machineAt(3, [A.ecall()]);
    m.cpu.medeleg = 0xb3ff;
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.priv).toBe(3);
  });

  it('undelegated exceptions from S go to M and save MPP=S, MPIE=MIE, clear MIE', () => {
    const m = machineAt(1, [A.ecall()]);
    m.cpu.mstatus |= 1 << 3;
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect((m.cpu.mstatus & MPP) >>> 11).toBe(1);
    expect((m.cpu.mstatus >>> 7) & 1).toBe(1);
    expect((m.cpu.mstatus >>> 3) & 1).toBe(0);
  });

  it('mtvec in vectored mode sends exceptions to the base', () => {
    const m = machineAt(3, [A.ecall()]);
    m.cpu.mtvec = HANDLER | 1;
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
  });
});

describe('rv32 xRET', () => {
  it('mret restores MIE from MPIE, sets MPIE, drops to MPP and sets MPP to U', () => {
    const m = machineAt(3, [A.mret()]);
    m.cpu.mepc = RAM_BASE + 0x100;
    m.cpu.mstatus = (1 << 11) | (1 << 7); // MPP = S, MPIE
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 0x100);
    expect(m.cpu.priv).toBe(1);
    expect(m.cpu.mstatus & MPP).toBe(0);
    expect((m.cpu.mstatus >>> 3) & 1).toBe(1);
    expect((m.cpu.mstatus >>> 7) & 1).toBe(1);
  });

  it('mret below M clears MPRV; mret to M keeps it', () => {
    let m = machineAt(3, [A.mret()]);
    m.cpu.mstatus = (1 << 17) | (0 << 11);
    m.cpu.mepc = RAM_BASE;
    m.run(1);
    expect((m.cpu.mstatus >>> 17) & 1).toBe(0);
    m = machineAt(3, [A.mret()]);
    m.cpu.mstatus = (1 << 17) | MPP;
    m.cpu.mepc = RAM_BASE;
    m.run(1);
    expect((m.cpu.mstatus >>> 17) & 1).toBe(1);
    expect(m.cpu.priv).toBe(3);
  });

  it('mret to S with no PMP entry configured raises an instruction access fault (QEMU 7.2)', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.mret()]);
    m.cpu.mstatus = 1 << 11;
    m.cpu.mepc = RAM_BASE + 0x100;
    m.run(1);
    expect(m.cpu.mcause).toBe(1);
    expect(m.cpu.mepc).toBe(RAM_BASE);
    expect(m.cpu.priv).toBe(3);
  });

  it('sret restores SIE from SPIE and returns to SPP, clearing MPRV', () => {
    const m = machineAt(1, [A.sret()]);
    m.cpu.sepc = RAM_BASE + 0x40;
    m.cpu.mstatus = (1 << 5) | (1 << 17); // SPIE, SPP = U, MPRV
    m.run(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 0x40);
    expect(m.cpu.priv).toBe(0);
    expect((m.cpu.mstatus >>> 1) & 1).toBe(1);
    expect((m.cpu.mstatus >>> 5) & 1).toBe(1);
    expect((m.cpu.mstatus >>> 17) & 1).toBe(0);
  });

  it('sret in U-mode, sret in S-mode with TSR, and mret below M are illegal', () => {
    let m = machineAt(0, [A.sret()]);
    m.run(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([2, A.sret()]);
    m = machineAt(1, [A.sret()]);
    m.cpu.mstatus |= 1 << 22;
    m.run(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([2, A.sret()]);
    m = machineAt(1, [A.mret()]);
    m.run(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([2, A.mret()]);
  });

  it('sret from M-mode is allowed', () => {
    const m = machineAt(3, [A.sret()]);
    m.cpu.sepc = RAM_BASE + 8;
    m.cpu.mstatus = 1 << 8; // SPP = S
    m.run(1);
    expect(m.cpu.priv).toBe(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
  });
});

describe('rv32 MPRV', () => {
  it('M-mode loads use MPP privilege for PMP checks when MPRV = 1', () => {
    const m = makeMachine();
    installHandlers(m);
    // PMP entry 0: TOR [0, RAM_BASE + 0x4000) RWX; nothing else: S/U cannot touch RAM_BASE+0x4000.
    m.cpu.pmp.writeAddr(0, (RAM_BASE + 0x4000) / 4);
    m.cpu.pmp.writeCfg(0, 0x0f);
    m.load([A.li(a1, RAM_BASE + 0x4000), A.lw(a0, a1, 0), A.li(A.t0, 1 << 17), A.csrs(CSR.mstatus, A.t0), A.lw(a0, a1, 0)]);
    m.cpu.mstatus = 1 << 11; // MPP = S
    m.run(7);
    expect(m.traps.length).toBe(1);
    expect(m.cpu.mcause).toBe(5);
    expect(m.cpu.mepc).toBe(RAM_BASE + 24);
  });

  it('instruction fetch ignores MPRV', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.li(A.t0, 1 << 17), A.csrs(CSR.mstatus, A.t0), A.nop(), A.nop()]);
    m.cpu.mstatus = 0; // MPP = U, no PMP: U could not fetch
    m.run(5);
    expect(m.traps).toEqual([]);
  });
});
