import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { HANDLER, installHandlers, makeMachine, openPmp, RAM_BASE, S_HANDLER, type TestMachine } from './machine.js';

const { a0, a1 } = A;
const MIE = 1 << 3;
const SIE = 1 << 1;
const INT = 0x80000000;

function idle(priv = 3, n = 8): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  openPmp(m);
  m.load(Array.from({ length: n }, () => A.addi(a0, a0, 1)));
  m.cpu.setPrivilege(priv);
  return m;
}

describe('rv32 interrupt enables', () => {
  it('M timer interrupt in M-mode needs mstatus.MIE and mie.MTIE', () => {
    const m = idle();
    m.cpu.mie = 1 << 7;
    m.cpu.irqInput('mtip')!.set(true);
    m.run(2);
    expect(m.traps).toEqual([]);
    m.cpu.mstatus |= MIE;
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe((INT | 7) >>> 0);
    expect(m.cpu.mepc).toBe(RAM_BASE + 8);
    expect(m.cpu.mtval).toBe(0);
    expect(m.traps[0]).toMatchObject({ interrupt: true, cause: 7, name: 'Machine timer interrupt', target: 'M' });
    expect((m.cpu.mstatus >>> 7) & 1).toBe(1); // MPIE
    expect(m.cpu.mstatus & MIE).toBe(0);
  });

  it('M-level interrupts are always enabled below M', () => {
    for (const priv of [0, 1]) {
      const m = idle(priv);
      m.cpu.mie = 1 << 3;
      m.cpu.irqInput('msip')!.set(true);
      m.run(1);
      expect(m.cpu.pc).toBe(HANDLER);
      expect(m.cpu.mcause).toBe((INT | 3) >>> 0);
      expect((m.cpu.mstatus >>> 11) & 3).toBe(priv);
    }
  });

  it('delegated S interrupts: taken in U always, in S only with SIE, never in M', () => {
    const setup = (priv: number, sie: boolean) => {
      const m = idle(priv);
      m.cpu.mideleg = 0x222;
      m.cpu.mie = 1 << 5;
      m.cpu.mipSoft = 1 << 5; // STIP written by M-mode software
      if (sie) m.cpu.mstatus |= SIE;
      m.run(1);
      return m;
    };
    expect(setup(0, false).cpu.pc).toBe(S_HANDLER);
    expect(setup(1, false).cpu.pc).toBe(RAM_BASE + 4);
    const s = setup(1, true);
    expect(s.cpu.pc).toBe(S_HANDLER);
    expect(s.cpu.scause).toBe((INT | 5) >>> 0);
    expect(s.cpu.sepc).toBe(RAM_BASE);
    const mm = setup(3, true);
    mm.cpu.mstatus |= MIE;
    mm.run(1);
    expect(mm.traps).toEqual([]);
  });

  it('an undelegated supervisor interrupt goes to M', () => {
    const m = idle(1);
    m.cpu.mie = 1 << 9;
    m.cpu.irqInput('seip')!.set(true);
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe((INT | 9) >>> 0);
  });

  it('vectored mtvec sends interrupts to base + 4 * cause', () => {
    const m = idle();
    m.cpu.mtvec = (RAM_BASE + 0x800) | 1;
    m.cpu.mie = 1 << 11;
    m.cpu.mstatus |= MIE;
    m.cpu.irqInput('meip')!.set(true);
    m.run(1); // takes the interrupt, then executes the (illegal, zero) word at the vector
    expect(m.traps[0].cause).toBe(11);
    expect(m.traps[1]).toMatchObject({ cause: 2, pc: RAM_BASE + 0x800 + 44 });
  });
});

describe('rv32 interrupt priority', () => {
  it('takes MEI > MSI > MTI > SEI > SSI > STI', () => {
    const m = idle(0, 64);
    m.cpu.mie = 0xaaa;
    m.cpu.mtvec = HANDLER;
    const order: number[] = [];
    m.cpu.irqInput('mtip')!.set(true);
    m.cpu.irqInput('msip')!.set(true);
    m.cpu.irqInput('meip')!.set(true);
    m.cpu.irqInput('seip')!.set(true);
    m.cpu.mipSoft = (1 << 1) | (1 << 5);
    for (let i = 0; i < 6; i++) {
      m.cpu.setPrivilege(0);
      m.cpu.pc = RAM_BASE;
      m.run(1);
      const cause = m.cpu.mcause & 0xff;
      order.push(cause);
      // acknowledge
      if (cause === 11) m.cpu.irqInput('meip')!.set(false);
      if (cause === 3) m.cpu.irqInput('msip')!.set(false);
      if (cause === 7) m.cpu.irqInput('mtip')!.set(false);
      if (cause === 9) m.cpu.irqInput('seip')!.set(false);
      if (cause === 1) m.cpu.mipSoft &= ~2;
      if (cause === 5) m.cpu.mipSoft &= ~0x20;
    }
    expect(order).toEqual([11, 3, 7, 9, 1, 5]);
  });

  it('a pending M-level interrupt wins over a delegated S-level one of higher rank', () => {
    const m = idle(1);
    m.cpu.mideleg = 1 << 9;
    m.cpu.mie = (1 << 9) | (1 << 5);
    m.cpu.mstatus |= SIE;
    m.cpu.irqInput('seip')!.set(true); // delegated to S
    m.cpu.mipSoft = 1 << 5; // STI not delegated: M-level
    m.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe((INT | 5) >>> 0);
  });
});

describe('rv32 interrupts raised during execution', () => {
  it('an interrupt raised by an MMIO store is taken right after that store', () => {
    const m = makeMachine();
    installHandlers(m);
    const msip = m.cpu.irqInput('msip')!;
    m.bus.map({ name: 'ipi', base: 0x20000000, size: 4, index: 0, device: { name: 'ipi', write: (_o, _s, v) => msip.set(v !== 0) } });
    m.cpu.mie = 1 << 3;
    m.cpu.mstatus = MIE;
    m.load([A.lui(a1, 0x20000), A.addi(a0, 0, 1), A.sw(a0, a1, 0), A.addi(a0, a0, 1), A.addi(a0, a0, 1)]);
    m.run(4);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mepc).toBe(RAM_BASE + 12);
    expect(m.reg(a0)).toBe(1);
  });

  it('software-set SSIP fires after the csr write', () => {
    const m = makeMachine();
    installHandlers(m);
    m.cpu.mie = 1 << 1;
    m.cpu.mstatus = MIE;
    m.load([A.csrrsi(0, CSR.mip, 2), A.nop(), A.nop()]);
    m.run(2);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe((INT | 1) >>> 0);
    expect(m.cpu.mepc).toBe(RAM_BASE + 4);
  });
});

describe('rv32 WFI', () => {
  it('waits until an enabled interrupt is pending, even with MIE = 0, then continues', () => {
    const m = makeMachine();
    installHandlers(m);
    m.cpu.mie = 1 << 7;
    m.load([A.wfi(), A.addi(a0, 0, 5)]);
    expect(m.cpu.run(100)).toBe(1);
    expect(m.cpu.waiting).toBe(true);
    expect(m.cpu.run(100)).toBe(0);
    m.cpu.irqInput('msip')!.set(true); // not enabled in mie: keeps waiting
    expect(m.cpu.waiting).toBe(true);
    m.cpu.irqInput('mtip')!.set(true);
    expect(m.cpu.waiting).toBe(false);
    m.cpu.run(1);
    expect(m.reg(a0)).toBe(5);
    expect(m.traps).toEqual([]);
  });

  it('does not wait when an interrupt is already pending', () => {
    const m = makeMachine();
    m.cpu.mie = 1 << 7;
    m.cpu.irqInput('mtip')!.set(true);
    m.load([A.wfi(), A.nop()]);
    m.cpu.run(1);
    expect(m.cpu.waiting).toBe(false);
  });

  it('WFI wakes into the trap handler when interrupts are enabled', () => {
    const m = makeMachine();
    installHandlers(m);
    m.cpu.mie = 1 << 7;
    m.cpu.mstatus = MIE;
    m.load([A.wfi(), A.nop()]);
    m.cpu.run(10);
    m.cpu.irqInput('mtip')!.set(true);
    m.cpu.run(1);
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mepc).toBe(RAM_BASE + 4);
  });

  it('is illegal in U-mode, and in S-mode when mstatus.TW = 1; allowed in M with TW', () => {
    let m = idle(0);
    m.load([A.wfi()]);
    m.cpu.setPrivilege(0);
    m.run(1);
    expect([m.cpu.mcause, m.cpu.mtval]).toEqual([2, A.wfi()]);
    m = idle(1);
    m.load([A.wfi()]);
    m.cpu.setPrivilege(1);
    m.cpu.mstatus |= 1 << 21;
    m.run(1);
    expect(m.cpu.mcause).toBe(2);
    m = idle(1);
    m.load([A.wfi()]);
    m.cpu.setPrivilege(1);
    m.cpu.run(1);
    expect(m.cpu.waiting).toBe(true);
    m = idle(3);
    m.load([A.wfi()]);
    m.cpu.mstatus |= 1 << 21;
    m.cpu.run(1);
    expect(m.cpu.waiting).toBe(true);
  });
});

describe('rv32 run control', () => {
  it('requestExit makes run return at the next boundary', () => {
    const m = makeMachine();
    m.bus.map({ name: 'stop', base: 0x20000000, size: 4, index: 0, device: { name: 'stop', write: () => m.cpu.requestExit() } });
    m.load([A.lui(a1, 0x20000), A.sw(0, a1, 0), A.jal(0, 0)]);
    for (let i = 0; i < 1000; i++) m.cpu.run(1); // past the warm-up
    m.cpu.pc = RAM_BASE;
    expect(m.cpu.run(1_000_000)).toBe(2);
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
  });

  it('run executes exactly the budget', () => {
    const m = makeMachine();
    m.load([A.addi(a0, a0, 1), A.jal(0, -4)]);
    let total = 0;
    for (let i = 0; i < 5; i++) total += m.cpu.run(10_001);
    expect(total).toBe(50_005);
    expect(m.cpu.retired).toBe(50_005);
  });
});

describe('rv32 interrupt enables within one interpreter call', () => {
  /** Past the run loop's one-instruction warm-up calls (cpu.ts WARMUP_CALLS). */
  function warm(m: TestMachine): void {
    m.load([A.addi(A.t1, A.t1, 1), A.jal(A.zero, -4)], RAM_BASE + 0x800);
    m.cpu.setPrivilege(3);
    m.run(1000);
  }

  it('a pending S interrupt is taken right after the CSR write that sets sstatus.SIE, not before', () => {
    const m = makeMachine();
    installHandlers(m);
    openPmp(m);
    warm(m);
    m.cpu.mideleg = 0x222;
    m.cpu.mie = 1 << 5;
    m.cpu.mipSoft = 1 << 5; // STIP, pending all along
    m.load([A.csrrci(a0, CSR.sstatus, SIE), A.csrrw(0, CSR.sscratch, a0), A.csrrsi(0, CSR.sstatus, SIE), A.nop(), A.nop()]);
    m.cpu.setPrivilege(1);
    m.run(5);
    expect(m.traps).toHaveLength(1);
    expect(m.cpu.scause).toBe((INT | 5) >>> 0);
    expect(m.cpu.sepc).toBe(RAM_BASE + 12);
  });

  it('a load after setting mstatus.MPRV uses the data TLBs of MPP', () => {
    const m = makeMachine();
    installHandlers(m);
    openPmp(m);
    warm(m);
    // MPP = U (reset value) with MPRV: an M-mode load of a word that U may not read (PMP entry 0,
    // NA4 without permissions; satp = 0 is Bare) faults as a U-mode access once MPRV is set.
    m.cpu.pmp.writeAddr(0, (RAM_BASE + 0x3000) >>> 2);
    m.cpu.pmp.writeCfg(0, 0x10);
    m.cpu.flushTlbAll();
    m.load([A.lw(a0, a1, 0), A.csrrs(0, CSR.mstatus, A.t2), A.lw(a0, a1, 0), A.nop()]);
    m.cpu.setReg(a1, RAM_BASE + 0x3000);
    m.cpu.setReg(A.t2, 1 << 17);
    m.run(3);
    expect(m.traps).toHaveLength(1);
    expect(m.cpu.mcause).toBe(5);
    expect(m.cpu.mepc).toBe(RAM_BASE + 8);
  });
});
