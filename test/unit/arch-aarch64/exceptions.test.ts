import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import { CODE, DATA, ERET, makeMachine, MMIO_BASE, VECTORS } from './machine.js';
import { jitKit } from '../../../src/core/jit/index.js';

const UNDEF = 0x02000000; // EC 0, IL 1
const S = A.sysreg;
const SPSR_EL1 = S(3, 0, 4, 0, 0);
const ELR_EL1 = S(3, 0, 4, 0, 1);
const SPSR_EL2 = S(3, 4, 4, 0, 0);
const ELR_EL2 = S(3, 4, 4, 0, 1);
const esr = (ec: number, iss = 0) => ((ec << 26) | (1 << 25) | iss) >>> 0;

/** A machine at `el` with `program` at CODE. */
function at(el: number, program: Array<number | number[]>) {
  const m = makeMachine();
  m.cpu.setEl(el);
  m.load(program);
  return m;
}

/** Program that returns with ERET to `elr` with SPSR = `spsr`, from EL `el` (1 or 2). */
const eretTo = (el: number, spsr: number, elr: number) => [
  ...A.mov64(1, spsr),
  A.msr(el === 1 ? SPSR_EL1 : SPSR_EL2, 1),
  ...A.mov64(2, elr),
  A.msr(el === 1 ? ELR_EL1 : ELR_EL2, 2),
  ERET,
];

describe('aarch64 exception entry (D1.10)', () => {
  it('SVC from EL0 goes to EL1 at VBAR_EL1 + 0x400 with SPSR, ELR, ESR, DAIF masked and SP_EL1', () => {
    const m = at(0, [A.svc(0x42)]);
    m.cpu.nzcv = 0x60000000;
    m.cpu.daif = 0;
    m.cpu.spBank[2] = 0x8000; // SP_EL1
    expect(m.run(1)).toBe(1);
    const c = m.cpu;
    expect(c.el).toBe(1);
    expect(c.pc).toBe(VECTORS + 0x400);
    expect(c.spsr[1] >>> 0).toBe(0x60000000); // EL0t, NZCV, DAIF clear
    expect(c.elr[2]).toBe(CODE + 4);
    expect(c.esr[1] >>> 0).toBe(esr(0x15, 0x42));
    expect(c.daif).toBe(0x3c0);
    expect(c.spSel).toBe(1);
    expect(m.x(31)).toBe(0x8000n);
    expect(m.traps).toEqual([expect.objectContaining({ interrupt: false, name: 'SVC', pc: CODE, target: 'EL1' })]);
  });

  it('an exception at EL1 stays at EL1: vector 0x200 with SP_EL1, 0x000 with SP_EL0', () => {
    const m = at(1, [A.svc(1)]);
    m.run(1);
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.spsr[1]).toBe(0x3c5); // EL1h, DAIF masked (reset)
    const m0 = at(1, [A.brk(3)]);
    m0.cpu.setSpSel(0);
    m0.run(1);
    expect(m0.cpu.pc).toBe(VECTORS + 0x000);
    expect(m0.cpu.spsr[1]).toBe(0x3c4);
    expect(m0.cpu.elr[2]).toBe(CODE); // BRK returns to itself
    expect(m0.cpu.esr[1] >>> 0).toBe(esr(0x3c, 3));
  });

  it('HVC goes to EL2, SMC to EL3, an exception at EL2 stays at EL2', () => {
    const h = at(1, [A.hvc(9)]);
    h.run(1);
    expect([h.cpu.el, h.cpu.pc, h.cpu.spsr[2], h.cpu.esr[2] >>> 0, h.cpu.elr[4]]).toEqual([2, VECTORS + 0x400, 0x3c5, esr(0x16, 9), CODE + 4]);
    const s = at(2, [A.smc(2)]);
    s.run(1);
    expect([s.cpu.el, s.cpu.pc, s.cpu.spsr[3], s.cpu.esr[3] >>> 0, s.cpu.elr[6]]).toEqual([3, VECTORS + 0x400, 0x3c9, esr(0x17, 2), CODE + 4]);
    const u = at(2, [0]);
    u.run(1);
    expect([u.cpu.el, u.cpu.pc, u.cpu.esr[2] >>> 0, u.cpu.elr[4]]).toEqual([2, VECTORS + 0x200, UNDEF, CODE]);
  });

  it('with HCR_EL2.TGE = 1, exceptions and IRQs from Non-secure EL0 go to EL2', () => {
    const m = at(0, [A.svc(3)]);
    m.cpu.hcr[0] |= 1 << 27;
    m.run(1);
    expect([m.cpu.el, m.cpu.pc, m.cpu.esr[2] >>> 0, m.cpu.elr[4]]).toEqual([2, VECTORS + 0x400, esr(0x15, 3), CODE + 4]);
    const i = at(0, [A.nop()]);
    i.cpu.hcr[0] |= 1 << 27;
    i.cpu.daif = 0x80;
    i.cpu.irqInput('irq')!.set(true);
    i.run(1);
    expect([i.cpu.el, i.cpu.pc]).toEqual([2, VECTORS + 0x480]);
  });

  it('HVC is Undefined with SCR_EL3.HCE = 0 (EL3 reset), SMC with SCR_EL3.SMD = 1', () => {
    const h = at(3, [A.hvc(0)]);
    h.run(1);
    expect(h.cpu.lastException!.esr).toBe(UNDEF);
    const s = at(1, [A.smc(0)]);
    s.cpu.scr |= 1 << 7;
    s.run(1);
    expect(s.cpu.lastException).toMatchObject({ esr: UNDEF, targetEl: 1 });
  });

  it('a data abort from EL0 is taken to EL1 with the lower-EL class and FAR_EL1', () => {
    const m = at(0, [A.nop(), A.str(0, 1)]);
    m.set(1, 0x40000008);
    m.run(2);
    expect(m.cpu.el).toBe(1);
    expect(m.cpu.esr[1] >>> 0).toBe(esr(0x24, (1 << 6) | 0x10));
    expect(m.cpu.far[2]).toBe(0x40000008);
    expect(m.cpu.elr[2]).toBe(CODE + 4);
    expect(m.cpu.pc).toBe(VECTORS + 0x400);
  });
});

describe('aarch64 exception return (D1.11)', () => {
  it('ERET restores EL, SP, NZCV, DAIF and the pc; an SVC from there comes back to EL1', () => {
    const m = at(1, eretTo(1, 0xa0000000, DATA));
    m.poke(DATA, A.assemble([A.svc(7)]));
    m.cpu.spBank[0] = 0x7000; // SP_EL0
    const steps = eretTo(1, 0, 0).length;
    m.run(steps);
    expect([m.cpu.el, m.cpu.pc, m.cpu.nzcv >>> 0, m.cpu.daif, m.cpu.il]).toEqual([0, DATA, 0xa0000000, 0, 0]);
    expect(m.x(31)).toBe(0x7000n);
    m.run(1);
    expect([m.cpu.el, m.cpu.pc, m.cpu.elr[2], m.cpu.spsr[1] >>> 0]).toEqual([1, VECTORS + 0x400, DATA + 4, 0xa0000000]);
  });

  it('ERET from EL2 to EL1h and from EL3 to EL2h', () => {
    const m = at(2, eretTo(2, 0x5, DATA));
    m.cpu.hcr[0] |= 1 << 31; // EL1 is AArch64
    m.run(eretTo(2, 0, 0).length);
    expect([m.cpu.el, m.cpu.spSel, m.cpu.il, m.cpu.pc]).toEqual([1, 1, 0, DATA]);
  });

  it('an illegal return (to a higher EL) sets PSTATE.IL; the next instruction takes EC 0x0E', () => {
    const m = at(1, eretTo(1, 0x3cd, DATA)); // EL3h from EL1
    m.poke(DATA, A.assemble([A.nop()]));
    const steps = eretTo(1, 0, 0).length;
    m.run(steps);
    expect([m.cpu.el, m.cpu.il, m.cpu.pc, m.cpu.daif]).toEqual([1, 1, DATA, 0x3c0]);
    m.run(1);
    expect(m.cpu.lastException).toMatchObject({ esr: esr(0x0e), elrLo: DATA, targetEl: 1 });
    expect(m.cpu.spsr[1]).toBe((1 << 20) | 0x3c5); // SPSR.IL = 1
    expect([m.cpu.il, m.cpu.pc]).toEqual([0, VECTORS + 0x200]);
  });

  it('returns to AArch32, to a reserved mode, or to an EL that is AArch32 by HCR_EL2.RW are illegal', () => {
    for (const [el, spsr, hcrRw] of [
      [1, 0x10, 1], // M[4] = 1: AArch32 (not implemented)
      [1, 0x01, 1], // EL0 with SP_ELx
      [1, 0x06, 1], // M[1] = 1
      [2, 0x05, 0], // EL1 with HCR_EL2.RW = 0 (AArch32)
    ]) {
      const m = at(el, eretTo(el, spsr, DATA));
      if (hcrRw) m.cpu.hcr[0] |= 1 << 31;
      m.run(eretTo(el, 0, 0).length);
      expect([m.cpu.el, m.cpu.il, m.cpu.pc], `EL${el} SPSR 0x${spsr.toString(16)}`).toEqual([el, 1, DATA]);
    }
  });

  it('ERET clears the local exclusive monitor', () => {
    const m = at(1, [A.movz(0, 0), ...eretTo(1, 0x5, DATA + 8)]);
    m.cpu.monitorValid = true;
    m.run(1 + eretTo(1, 0, 0).length);
    expect([m.cpu.pc, m.cpu.monitorValid]).toEqual([DATA + 8, false]);
  });

  it('ERET at EL0 is Undefined', () => {
    const m = at(0, [ERET]);
    m.run(1);
    expect(m.cpu.lastException).toMatchObject({ esr: UNDEF, elrLo: CODE, targetEl: 1 });
  });
});

describe('aarch64 interrupts', () => {
  it('an IRQ is taken at EL1 once PSTATE.I is cleared, with ELR = the next instruction', () => {
    const m = at(1, [A.daifclr(2), A.movz(0, 1), A.movz(0, 2)]);
    m.cpu.irqInput('irq')!.set(true);
    m.run(3);
    expect([m.cpu.el, m.cpu.pc, m.cpu.elr[2], m.cpu.spsr[1]]).toEqual([1, VECTORS + 0x280, CODE + 4, 0x345]);
    expect(m.x(0)).toBe(0n);
    expect(m.cpu.daif).toBe(0x3c0);
    expect(m.traps).toEqual([expect.objectContaining({ interrupt: true, name: 'IRQ', pc: CODE + 4, target: 'EL1' })]);
  });

  it('a masked IRQ is not taken; an FIQ uses offset 0x100; from EL0 the lower-EL vectors', () => {
    const m = at(1, [A.movz(0, 1), A.movz(0, 2)]);
    m.cpu.irqInput('irq')!.set(true);
    m.run(2);
    expect(m.x(0)).toBe(2n);
    expect(m.traps).toEqual([]);
    const f = at(0, [A.movz(0, 1)]);
    f.cpu.daif = 0;
    f.cpu.irqInput('fiq')!.set(true);
    f.run(1);
    expect([f.cpu.el, f.cpu.pc, f.cpu.elr[2]]).toEqual([1, VECTORS + 0x400 + 0x100, CODE]);
  });

  it('SCR_EL3.IRQ routes to EL3 whatever PSTATE.I below EL3; an IRQ for EL1 is not taken at EL2', () => {
    const m = at(1, [A.movz(0, 1)]);
    m.cpu.scr |= 2;
    m.cpu.irqInput('irq')!.set(true);
    m.run(1);
    expect([m.cpu.el, m.cpu.pc, m.cpu.spsr[3]]).toEqual([3, VECTORS + 0x480, 0x3c5]);
    const h = at(2, [A.movz(0, 1)]);
    h.cpu.daif = 0;
    h.cpu.irqInput('irq')!.set(true);
    h.run(1);
    expect([h.cpu.el, h.x(0)]).toEqual([2, 1n]);
  });

  it('HCR_EL2.IMO routes a Non-secure EL1 IRQ to EL2 whatever PSTATE.I; at EL3 an unrouted IRQ is not taken', () => {
    const m = at(1, [A.movz(0, 1)]);
    m.cpu.hcr[0] |= 1 << 4;
    m.cpu.irqInput('irq')!.set(true);
    m.run(1);
    expect([m.cpu.el, m.cpu.pc, m.cpu.elr[4]]).toEqual([2, VECTORS + 0x480, CODE]);
    const e = at(3, [A.movz(0, 1)]);
    e.cpu.daif = 0;
    e.cpu.irqInput('fiq')!.set(true);
    e.run(1);
    expect([e.cpu.el, e.x(0)]).toEqual([3, 1n]);
  });

  it('WFI waits, and the IRQ that wakes it is taken with ELR after the WFI', () => {
    const m = at(1, [A.daifclr(2), A.wfi(), A.movz(0, 1)]);
    m.run(5);
    expect(m.cpu.waiting).toBe(true);
    m.cpu.irqInput('irq')!.set(true);
    m.run(1);
    expect([m.cpu.waiting, m.cpu.pc, m.cpu.elr[2]]).toEqual([false, VECTORS + 0x280, CODE + 8]);
  });

  it('a device raising the line during the slice gets the IRQ taken right after that access', () => {
    const m = at(1, [A.daifclr(2), A.strw(0, 1), A.movz(0, 5), A.movz(0, 6)]);
    const line = m.cpu.irqInput('irq')!;
    m.bus.map({ name: 'irqdev', base: MMIO_BASE + 0x1000, size: 0x100, device: { name: 'irqdev', write: (_o, _s, v) => line.set(v !== 0) }, index: 0 });
    m.set(0, 1);
    m.set(1, MMIO_BASE + 0x1000);
    m.run(4);
    expect([m.cpu.pc, m.cpu.elr[2], m.x(0)]).toEqual([VECTORS + 0x280, CODE + 8, 1n]);
  });
});

describe('aarch64 WFI/WFE traps', () => {
  const wfx = (ti: number) => esr(0x01, (1 << 24) | (0xe << 20) | ti);

  it('WFI at EL0 traps to EL1 when SCTLR_EL1.nTWI = 0, not at reset (nTWI = 1)', () => {
    const m = at(0, [A.wfi()]);
    m.cpu.sctlr[1] &= ~(1 << 16);
    m.run(1);
    expect(m.cpu.lastException).toMatchObject({ esr: wfx(0), elrLo: CODE, targetEl: 1 });
    const r = at(0, [A.wfi()]);
    r.run(1);
    expect([r.cpu.lastException, r.cpu.waiting]).toEqual([null, true]);
  });

  it('WFE without an event traps to EL2 with HCR_EL2.TWE, to EL3 with SCR_EL3.TWE; with an event it does not', () => {
    const m = at(1, [A.wfe()]);
    m.cpu.hcr[0] |= 1 << 14;
    m.run(1);
    expect(m.cpu.lastException).toMatchObject({ esr: wfx(1), targetEl: 2 });
    const e = at(2, [A.wfe()]);
    e.cpu.scr |= 1 << 13;
    e.run(1);
    expect(e.cpu.lastException).toMatchObject({ esr: wfx(1), targetEl: 3 });
    const n = at(2, [A.sevl(), A.wfe(), A.movz(0, 1)]);
    n.cpu.scr |= 1 << 13;
    n.run(3);
    expect([n.cpu.lastException, n.x(0)]).toEqual([null, 1n]);
  });
});

describe('aarch64 SEV', () => {
  it('sets the event register of every core on the same bus, and of no other machine', () => {
    const m = makeMachine();
    const c = m.cpu;
    const other = new A64Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: c.clock, events: m.events, machine: c.machine, props: {} });
    const elsewhere = makeMachine().cpu;
    m.load([A.sev(), A.wfe(), A.movz(0, 1)]);
    m.run(1);
    expect([c.eventRegister, other.eventRegister, elsewhere.eventRegister]).toEqual([true, true, false]);
    m.run(2); // WFE consumes this core's event and goes on
    expect([c.eventRegister, m.x(0)]).toEqual([false, 1n]);
  });
});
