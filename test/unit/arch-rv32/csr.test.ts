import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { exec, HANDLER, installHandlers, makeMachine, openPmp, RAM_BASE, S_HANDLER, type TestMachine } from './machine.js';

const { a0, a1, a2 } = A;

/** Runs `insns` at privilege `priv` (with PMP open for S/U) and returns the machine. */
function at(priv: number, insns: Array<number | number[]>, regs: Record<number, number> = {}): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  openPmp(m);
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
  m.cpu.setPrivilege(priv);
  m.run(insns.flat().length);
  return m;
}

function expectIllegal(m: TestMachine, insn: number) {
  expect(m.cpu.mcause).toBe(2);
  expect(m.cpu.mtval).toBe(insn >>> 0);
  expect(m.cpu.pc).toBe(HANDLER);
}

describe('rv32 Zicsr instructions', () => {
  it('csrrw swaps, csrrs sets, csrrc clears, returning the old value', () => {
    const m = exec(
      [A.csrrw(a0, CSR.mscratch, a1), A.csrrs(a2, CSR.mscratch, a1), A.csrrc(A.t0, CSR.mscratch, A.t1), A.csrr(A.t2, CSR.mscratch)],
      { [a1]: 0xf0, [A.t1]: 0x30 },
    );
    m.cpu.mscratch = m.cpu.mscratch; // no-op, keeps the type checker quiet about unused m
    expect(m.reg(a0)).toBe(0);
    expect(m.reg(a2)).toBe(0xf0);
    expect(m.reg(A.t0)).toBe(0xf0);
    expect(m.reg(A.t2)).toBe(0xc0);
  });

  it('immediate forms use a zero-extended 5-bit uimm', () => {
    const m = exec([A.csrrwi(a0, CSR.mscratch, 31), A.csrrsi(a1, CSR.mscratch, 0), A.csrrci(a2, CSR.mscratch, 1), A.csrr(A.t0, CSR.mscratch)]);
    expect(m.reg(a1)).toBe(31);
    expect(m.reg(a2)).toBe(31);
    expect(m.reg(A.t0)).toBe(30);
  });

  it('csrrs/csrrc with rs1 = x0 read read-only CSRs without trapping', () => {
    const m = exec([A.csrr(a0, CSR.mhartid), A.csrrc(a1, CSR.misa, 0), A.csrrsi(a2, CSR.mvendorid, 0)]);
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(0);
    expect(m.reg(a1)).toBe(0x40141105);
    expect(m.reg(a2)).toBe(0);
  });

  it('misa reports MXL=1 and exactly I M A C S U', () => {
    const misa = exec([A.csrr(a0, CSR.misa)]).reg(a0);
    const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((_, i) => misa & (1 << i)).join('');
    expect(letters).toBe('ACIMSU');
    expect(misa >>> 30).toBe(1);
  });

  it('writing a read-only CSR is illegal, even with rd = x0; tval holds the instruction', () => {
    for (const insn of [A.csrw(CSR.mhartid, a1), A.csrrs(a0, CSR.cycle, a1), A.csrrwi(0, CSR.mvendorid, 0)]) {
      const m = makeMachine();
      installHandlers(m);
      m.load([insn]);
      m.cpu.setReg(a1, 1);
      m.run(1);
      expectIllegal(m, insn);
    }
  });

  it('CSRs that do not exist are illegal (Debug Mode, hypervisor, F, PMP beyond 16, mtinst)', () => {
    for (const csr of [0x7b0, 0x600, 0x34a, 0x3a4, 0x3c0, 0x001, 0x003, 0x5a8, 0xc20, 0xb01]) {
      const insn = A.csrr(a0, csr);
      const m = makeMachine();
      installHandlers(m);
      m.load([insn]);
      m.run(1);
      expectIllegal(m, insn);
    }
  });

  it('CSRs of QEMU 7.2 priv 1.12 exist: menvcfg(h), senvcfg, mconfigptr, mstatush, mcountinhibit', () => {
    const m = exec([
      A.csrr(a0, CSR.menvcfg),
      A.csrr(a0, CSR.menvcfgh),
      A.csrr(a0, CSR.senvcfg),
      A.csrr(a0, CSR.mconfigptr),
      A.csrr(a0, CSR.mstatush),
      A.csrr(a0, CSR.mcountinhibit),
    ]);
    expect(m.traps).toEqual([]);
  });

  it('the trigger module has no triggers: tselect keeps 0, tdata1 reads type 0, writes are ignored; M-mode only', () => {
    const m = exec(
      [
        A.csrw(CSR.tselect, a1),
        A.csrr(a0, CSR.tselect),
        A.csrw(CSR.tdata1, a1),
        A.csrr(a2, CSR.tdata1),
        A.csrw(CSR.tdata2, a1),
        A.csrr(A.t0, CSR.tdata2),
        A.csrr(A.t1, CSR.tdata3),
      ],
      { [a1]: 0x2000005c, [a0]: 7, [a2]: 7, [A.t0]: 7, [A.t1]: 7 },
    );
    expect(m.traps).toEqual([]);
    expect([m.reg(a0), m.reg(a2), m.reg(A.t0), m.reg(A.t1)]).toEqual([0, 0, 0, 0]);
    const insn = A.csrr(a0, CSR.tselect);
    expectIllegal(at(1, [insn]), insn);
  });

  it('S-mode cannot access M-mode CSRs; U-mode cannot access S-mode CSRs', () => {
    let insn = A.csrr(a0, CSR.mstatus);
    expectIllegal(at(1, [insn]), insn);
    insn = A.csrr(a0, CSR.sstatus);
    expectIllegal(at(0, [insn]), insn);
    const ok = at(1, [A.csrr(a0, CSR.sstatus)]);
    expect(ok.traps).toEqual([]);
  });
});

describe('rv32 CSR write rules', () => {
  it('mstatus: only existing fields are writable; MPP=2 keeps the previous value', () => {
    const m = makeMachine();
    m.load([A.li(a1, -1), A.csrw(CSR.mstatus, a1), A.csrr(a0, CSR.mstatus), A.li(a1, 0x1000), A.csrw(CSR.mstatus, a1), A.csrr(a2, CSR.mstatus)]);
    m.run(8);
    expect(m.reg(a0)).toBe(0x007e19aa); // SIE MIE SPIE MPIE SPP MPP MPRV SUM MXR TVM TW TSR
    expect((m.reg(a2) >>> 11) & 3).toBe(3); // MPP=2 rejected, stays M
  });

  it('sstatus is a masked view of mstatus', () => {
    const m = makeMachine();
    m.load([A.li(a1, -1), A.csrw(CSR.sstatus, a1), A.csrr(a0, CSR.sstatus), A.csrr(a2, CSR.mstatus)]);
    m.run(5);
    expect(m.reg(a0)).toBe(0x000c0122); // SIE SPIE SPP SUM MXR
    expect(m.reg(a2)).toBe(0x000c0122);
  });

  it('mtvec/stvec keep their value when MODE >= 2 is written', () => {
    const m = makeMachine();
    m.load([A.li(a1, 0x80001001), A.csrw(CSR.mtvec, a1), A.li(a1, 0x80002002), A.csrw(CSR.mtvec, a1), A.csrr(a0, CSR.mtvec)]);
    m.run(7);
    expect(m.reg(a0)).toBe(0x80001001);
  });

  it('medeleg cannot delegate ecall from M; mideleg only supervisor interrupts; mie only existing bits', () => {
    const m = makeMachine();
    m.load([A.li(a1, -1), A.csrw(CSR.medeleg, a1), A.csrw(CSR.mideleg, a1), A.csrw(CSR.mie, a1), A.csrr(a0, CSR.medeleg), A.csrr(a2, CSR.mideleg), A.csrr(A.t0, CSR.mie)]);
    m.run(8);
    expect(m.reg(a0)).toBe(0xb3ff);
    expect(m.reg(a2)).toBe(0x222);
    expect(m.reg(A.t0)).toBe(0xaaa);
  });

  it('sie/sip see only delegated bits; sip can only set SSIP', () => {
    const m = makeMachine();
    m.load([
      A.li(a1, 0x22), // delegate SSI and STI only
      A.csrw(CSR.mideleg, a1),
      A.li(a1, -1),
      A.csrw(CSR.sie, a1),
      A.csrr(a0, CSR.mie),
      A.csrw(CSR.sip, a1),
      A.csrr(a2, CSR.mip),
    ]);
    m.run(9);
    expect(m.reg(a0)).toBe(0x22);
    expect(m.reg(a2)).toBe(0x2);
  });

  it('mip: M-mode can write SSIP, STIP and SEIP but not the M bits', () => {
    const m = makeMachine();
    m.load([A.li(a1, -1), A.csrw(CSR.mip, a1), A.csrr(a0, CSR.mip)]);
    m.run(4);
    expect(m.reg(a0)).toBe(0x222);
  });

  it('mip.SEIP reads as software bit OR external line; csrrs/csrrc modify only the software bit', () => {
    const m = makeMachine();
    m.cpu.irqInput('seip')!.set(true);
    m.load([A.csrr(a0, CSR.mip), A.csrrci(a1, CSR.mip, 2), A.csrr(a2, CSR.mip)]);
    m.run(3);
    expect(m.reg(a0)).toBe(0x200);
    expect(m.cpu.mipSoft & 0x200).toBe(0); // the external level was not latched into the soft bit
    m.cpu.irqInput('seip')!.set(false);
    expect(m.cpu.mipValue()).toBe(0);
  });

  it('satp: all Sv32 bits writable in M; S-mode access traps when mstatus.TVM = 1', () => {
    const m = exec([A.li(a1, -1), A.csrw(CSR.satp, a1), A.csrr(a0, CSR.satp)]);
    expect(m.reg(a0)).toBe(0xffffffff);
    const insn = A.csrr(a0, CSR.satp);
    const s = makeMachine();
    installHandlers(s);
    openPmp(s);
    s.load([insn]);
    s.cpu.mstatus = 1 << 20;
    s.cpu.setPrivilege(1);
    s.run(1);
    expectIllegal(s, insn);
    expect(at(1, [insn]).traps).toEqual([]);
  });

  it('mepc/sepc bit 0 is always zero', () => {
    const m = exec([A.li(a1, 0x80000003), A.csrw(CSR.mepc, a1), A.csrr(a0, CSR.mepc), A.csrw(CSR.sepc, a1), A.csrr(a2, CSR.sepc)]);
    expect(m.reg(a0)).toBe(0x80000002);
    expect(m.reg(a2)).toBe(0x80000002);
  });

  it('mhartid is the hart id', () => {
    expect(exec([A.csrr(a0, CSR.mhartid)]).reg(a0)).toBe(0);
  });

  it('ignores the S-level handler address on an M-level trap', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.csrr(a0, 0x7b0)]); // dcsr: Debug Mode only, so illegal here
    m.run(1);
    expect(m.cpu.pc).not.toBe(S_HANDLER);
    expect(m.cpu.mepc).toBe(RAM_BASE);
  });
});
