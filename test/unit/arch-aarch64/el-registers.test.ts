import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { makeMachine, VECTORS } from './machine.js';

const UNDEF = 0x02000000; // EC 0, IL 1
const S = A.sysreg;
const SPSR_EL1 = S(3, 0, 4, 0, 0);
const ELR_EL1 = S(3, 0, 4, 0, 1);
const SP_EL0 = S(3, 0, 4, 1, 0);
const ELR_EL2 = S(3, 4, 4, 0, 1);
const SP_EL1 = S(3, 4, 4, 1, 0);
const ESR_EL3 = S(3, 6, 5, 2, 0);
const FAR_EL2 = S(3, 4, 6, 0, 0);
const VBAR_EL1 = S(3, 0, 12, 0, 0);
const SCTLR_EL1 = S(3, 0, 1, 0, 0);
const SCTLR_EL3 = S(3, 6, 1, 0, 0);
const CPACR_EL1 = S(3, 0, 1, 0, 2);
const HCR_EL2 = S(3, 4, 1, 1, 0);
const SCR_EL3 = S(3, 6, 1, 1, 0);
const CNTFRQ_EL0 = S(3, 3, 14, 0, 0);

/** Runs `program` at `el` with registers set; returns the machine. */
function at(el: number, program: number[], regs: Record<number, bigint | number> = {}) {
  const m = makeMachine();
  m.cpu.setEl(el);
  m.load(program);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  m.run(program.length);
  return m;
}

describe('aarch64 exception-level system registers', () => {
  it('reset values: SCTLR_EL1 as QEMU cortex-a53, SCTLR_EL3 RES1 bits, CNTFRQ_EL0 62.5 MHz, SCR/HCR/CPACR 0', () => {
    const m = at(3, [A.mrs(0, SCTLR_EL1), A.mrs(1, SCTLR_EL3), A.mrs(2, CNTFRQ_EL0), A.mrs(3, SCR_EL3), A.mrs(4, HCR_EL2), A.mrs(5, CPACR_EL1)]);
    expect(m.cpu.lastException).toBe(null);
    expect([0, 1, 2, 3, 4, 5].map((i) => m.x(i))).toEqual([0x00c50838n, 0x30c50830n, 62500000n, 0n, 0n, 0n]);
  });

  it('MSR/MRS round-trip 64-bit ELR, FAR, SP_EL1; VBAR drops bits [10:0]; SPSR keeps only defined bits', () => {
    const m = at(3, [A.msr(ELR_EL1, 1), A.mrs(2, ELR_EL1), A.msr(FAR_EL2, 1), A.mrs(3, FAR_EL2), A.msr(VBAR_EL1, 1), A.mrs(4, VBAR_EL1), A.msr(SPSR_EL1, 5), A.mrs(6, SPSR_EL1), A.msr(SP_EL1, 1), A.mrs(7, SP_EL1)], {
      1: 0x123456789abcdef7n,
      5: 0xffffffffffffffffn,
    });
    expect(m.cpu.lastException).toBe(null);
    expect(m.x(2)).toBe(0x123456789abcdef7n);
    expect(m.x(3)).toBe(0x123456789abcdef7n);
    expect(m.x(4)).toBe(0x123456789abcd800n);
    expect(m.x(6)).toBe(0xf03003dfn);
    expect(m.x(7)).toBe(0x123456789abcdef7n);
    expect(m.cpu.spBank[2]).toBe(0x9abcdef7 | 0);
  });

  it('registers of a higher EL are Undefined from a lower one', () => {
    for (const [el, insn] of [
      [0, A.mrs(0, ELR_EL1)],
      [0, A.msr(SPSR_EL1, 0)],
      [1, A.mrs(0, ELR_EL2)],
      [1, A.mrs(0, HCR_EL2)],
      [2, A.mrs(0, ESR_EL3)],
      [2, A.msr(SCR_EL3, 0)],
      [1, A.msr(CNTFRQ_EL0, 0)], // CNTFRQ_EL0 is writable only at EL3
      [2, A.msr(CNTFRQ_EL0, 0)],
    ] as Array<[number, number]>) {
      const m = at(el, [insn]);
      expect(m.cpu.lastException?.esr, `EL${el} 0x${insn.toString(16)}`).toBe(UNDEF);
    }
    // EL0 reads need CNTKCTL_EL1.EL0PCTEN or EL0VCTEN (generic-timer.test.ts has the trap)
    const ok = makeMachine();
    ok.cpu.gtimer.cntkctl = 1;
    ok.cpu.setEl(0);
    ok.load([A.mrs(0, CNTFRQ_EL0)]);
    ok.run(1);
    expect(ok.x(0)).toBe(62500000n);
    const w = at(3, [A.msr(CNTFRQ_EL0, 1), A.mrs(0, CNTFRQ_EL0)], { 1: 19200000 });
    expect(w.x(0)).toBe(19200000n);
  });

  it('SP_EL0 is accessible with SPSel = 1 and Undefined while it is the current stack pointer', () => {
    const m = at(1, [A.msr(SP_EL0, 1), A.mrs(2, SP_EL0)], { 1: 0x4000 });
    expect(m.x(2)).toBe(0x4000n);
    expect(m.cpu.spOf(0)[0]).toBe(0x4000);
    const m0 = makeMachine();
    m0.cpu.setEl(1);
    m0.cpu.setSpSel(0);
    m0.load([A.mrs(2, SP_EL0)]);
    m0.run(1);
    expect(m0.cpu.lastException?.esr).toBe(UNDEF);
    expect(m0.cpu.pc).toBe(VECTORS + 0x000); // current EL with SP0
  });

  it('DAIF at EL0 traps to EL1 (EC 0x18, ISS naming the access) unless SCTLR_EL1.UMA = 1', () => {
    const iss = (op0: number, op2: number, op1: number, crn: number, rt: number, crm: number, read: number) =>
      ((0x18 << 26) | (1 << 25) | (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read) >>> 0;
    for (const [insn, want] of [
      [A.mrs(3, A.DAIF), iss(3, 1, 3, 4, 3, 2, 1)],
      [A.msr(A.DAIF, 4), iss(3, 1, 3, 4, 4, 2, 0)],
      [A.daifclr(2), iss(0, 7, 3, 4, 31, 2, 0)],
    ]) {
      const m = at(0, [insn]);
      expect(m.cpu.lastException, `0x${insn.toString(16)}`).toMatchObject({ esr: want, elrLo: 0x80000, targetEl: 1 });
      expect(m.cpu.pc).toBe(VECTORS + 0x400);
    }
    const u = makeMachine();
    u.cpu.setEl(0);
    u.cpu.sctlr[1] |= 1 << 9;
    u.load([A.daifclr(15), A.mrs(0, A.DAIF), A.daifset(8)]);
    u.run(3);
    expect(u.cpu.lastException).toBe(null);
    expect([u.x(0), u.cpu.daif]).toEqual([0n, 0x200]);
  });

  it('booting below EL3 sets SCR_EL3 NS, RW, HCE (and HCR_EL2.RW at EL1), as QEMU does', () => {
    const m = makeMachine();
    m.cpu.setEl(1);
    expect(m.cpu.scr).toBe(0x501);
    expect(m.cpu.hcr[0] >>> 0).toBe(0x80000000);
  });
});
