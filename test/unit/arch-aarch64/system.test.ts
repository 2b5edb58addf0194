import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, DATA, exec, makeMachine, VECTORS } from './machine.js';

const UNDEF = 0x02000000; // EC 0, IL 1

describe('aarch64 hints and barriers', () => {
  it('NOP, YIELD, SEV, SEVL, barriers, DC/IC and unallocated hints just go on', () => {
    const m = exec([A.nop(), A.dsb(), A.dmb(11), A.isb(), A.sys(3, 7, 14, 1, 1), A.sys(0, 7, 5, 0), 0xd50320ff /* hint #7 */, A.movz(0, 1)]);
    expect(m.x(0)).toBe(1n);
    expect(m.cpu.lastException).toBe(null);
  });

  it('WFI stops the CPU until an interrupt line is raised', () => {
    const m = makeMachine();
    m.load([A.wfi(), A.movz(0, 1)]);
    expect(m.run(5)).toBe(1);
    expect(m.cpu.waiting).toBe(true);
    expect(m.run(5)).toBe(0);
    m.cpu.irqInput('irq')!.set(true);
    expect(m.cpu.waiting).toBe(false);
    m.run(1);
    expect(m.x(0)).toBe(1n);
  });

  it('WFE consumes the event register set by SEVL; without an event it only ends the slice', () => {
    const m = makeMachine();
    m.load([A.sevl(), A.wfe(), A.wfe(), A.movz(0, 1)]);
    expect(m.cpu.run(10)).toBe(3); // SEVL, WFE (event consumed), WFE (yields: run returns)
    expect(m.cpu.eventRegister).toBe(false);
    expect(m.cpu.waiting).toBe(false);
    m.run(1);
    expect(m.x(0)).toBe(1n);
  });
});

describe('aarch64 PSTATE and system registers', () => {
  it('resets at EL3 with SP_EL3, DAIF masked; reads CurrentEL, DAIF, SPSel, NZCV', () => {
    const m = exec([A.mrs(0, A.CURRENTEL), A.mrs(1, A.DAIF), A.mrs(2, A.SPSEL), A.cmp(31, 31), A.mrs(3, A.NZCV)]);
    expect(m.x(0)).toBe(0xcn);
    expect(m.x(1)).toBe(0x3c0n);
    expect(m.x(2)).toBe(1n);
    expect(m.x(3)).toBe(0x60000000n);
  });

  it('MSR NZCV sets the flags (only bits 31:28)', () => {
    const m = exec([A.msr(A.NZCV, 1), A.mrs(2, A.NZCV)], { 1: 0xffffffffffffffffn });
    expect(m.x(2)).toBe(0xf0000000n);
    expect(m.flags()).toBe(15);
  });

  it('DAIFSet/DAIFClr and MSR DAIF', () => {
    const m = exec([A.daifclr(0xf), A.mrs(0, A.DAIF), A.daifset(0x2), A.mrs(1, A.DAIF), A.msr(A.DAIF, 2), A.mrs(3, A.DAIF)], { 2: 0xffffffffn });
    expect(m.x(0)).toBe(0n);
    expect(m.x(1)).toBe(0x80n);
    expect(m.x(3)).toBe(0x3c0n);
  });

  it('SPSel switches between SP_EL0 and SP_ELx', () => {
    const m = makeMachine();
    m.load([A.movz(0, 0x1000), A.movsp(31, 0), A.spsel(0), A.movz(0, 0x2000), A.movsp(31, 0), A.mrs(1, A.SPSEL), A.spsel(1), A.movsp(2, 31), A.msr(A.SPSEL, 31), A.movsp(3, 31)]);
    m.run(10);
    expect(m.x(1)).toBe(0n);
    expect(m.x(2)).toBe(0x1000n);
    expect(m.x(3)).toBe(0x2000n);
    expect(m.cpu.spOf(0)).toEqual([0x2000, 0]);
    expect(m.cpu.spOf(3)).toEqual([0x1000, 0]);
  });

  it('SP is banked per EL', () => {
    const m = makeMachine();
    m.load([A.movz(0, 0x3000), A.movsp(31, 0)]);
    m.run(2);
    m.cpu.setEl(1);
    expect(m.x(31)).toBe(0n);
    m.set(31, 0x1111);
    m.cpu.setEl(3);
    expect(m.x(31)).toBe(0x3000n);
    expect(m.cpu.spOf(1)).toEqual([0x1111, 0]);
  });

  it('TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1 hold 64-bit values; MIDR and MPIDR read as a Cortex-A53 core', () => {
    const m = exec([A.msr(A.TPIDR_EL0, 1), A.msr(A.TPIDRRO_EL0, 2), A.msr(A.TPIDR_EL1, 3), A.mrs(4, A.TPIDR_EL0), A.mrs(5, A.TPIDRRO_EL0), A.mrs(6, A.TPIDR_EL1), A.mrs(7, A.MIDR_EL1), A.mrs(8, A.MPIDR_EL1)], {
      1: 0x1111222233334444n,
      2: 0x5555666677778888n,
      3: 0x9999aaaabbbbccccn,
    });
    expect([m.x(4), m.x(5), m.x(6)]).toEqual([0x1111222233334444n, 0x5555666677778888n, 0x9999aaaabbbbccccn]);
    expect(m.x(7)).toBe(0x410fd034n);
    expect(m.x(8)).toBe(0x80000000n);
  });

  it('at EL0: TPIDR_EL0 works, EL1 registers and TPIDRRO_EL0 writes are Undefined', () => {
    for (const [insn, undef] of [
      [A.mrs(0, A.TPIDR_EL0), false],
      [A.mrs(0, A.TPIDRRO_EL0), false],
      [A.mrs(0, A.NZCV), false],
      [A.mrs(0, A.TPIDR_EL1), true],
      [A.msr(A.TPIDRRO_EL0, 0), true],
      [A.mrs(0, A.CURRENTEL), true],
      [A.spsel(0), true],
    ] as Array<[number, boolean]>) {
      const m = makeMachine();
      m.cpu.setEl(0);
      m.load([insn]);
      m.run(1);
      expect(m.cpu.lastException?.esr ?? 0, `0x${insn.toString(16)}`).toBe(undef ? UNDEF : 0);
    }
  });

  it('writes to read-only and unknown registers and reads of unknown ones are Undefined', () => {
    for (const insn of [A.msr(A.CURRENTEL, 0), A.msr(A.MIDR_EL1, 0), A.mrs(0, A.sysreg(3, 0, 11, 0, 0)), A.sysreg(3, 7, 15, 15, 7)]) {
      const m = exec([insn]);
      expect(m.cpu.lastException?.esr, `0x${insn.toString(16)}`).toBe(UNDEF);
    }
  });
});

describe('aarch64 synchronous exceptions', () => {
  it('an unallocated encoding raises Undefined (EC 0) at its own pc and is taken', () => {
    const m = exec([A.movz(0, 1), 0x00000000, A.movz(0, 2)]);
    const p = m.cpu.lastException!;
    expect(p).toMatchObject({ esr: UNDEF, elrLo: CODE + 4, elrHi: 0, targetEl: 3 });
    expect(m.x(0)).toBe(1n);
    expect(m.cpu.stopped).toBe(false);
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.retired).toBe(2); // MOVZ and the handler's `b .`: the Undefined one does not retire
    expect(m.traps).toEqual([expect.objectContaining({ cause: 0, name: 'Undefined instruction', pc: CODE + 4, target: 'EL3' })]);
    expect(m.cpu.inspect().map((r) => r.name)).toContain('ESR_EL3');
  });

  it('FP/SIMD instructions are Undefined in this step', () => {
    expect(exec([0x1e221020 /* fmov s0, #2.0 */ >>> 0]).cpu.lastException?.esr).toBe(UNDEF);
  });

  it('SVC, HVC, SMC and BRK carry their immediate; ELR is the next instruction except for BRK', () => {
    const m0 = makeMachine();
    m0.cpu.setEl(0);
    m0.load([A.svc(0x1234)]);
    m0.run(1);
    expect(m0.cpu.lastException).toMatchObject({ esr: ((0x15 << 26) | (1 << 25) | 0x1234) >>> 0, elrLo: CODE + 4, targetEl: 1 });
    expect(m0.traps).toEqual([expect.objectContaining({ cause: 0x15, name: 'SVC', pc: CODE, target: 'EL1' })]);
    const m1 = makeMachine();
    m1.cpu.setEl(1);
    m1.load([A.hvc(7)]);
    m1.run(1);
    expect(m1.cpu.lastException).toMatchObject({ esr: ((0x16 << 26) | (1 << 25) | 7) >>> 0, elrLo: CODE + 4, targetEl: 2 });
    const m2 = exec([A.smc(1)]);
    expect(m2.cpu.lastException).toMatchObject({ esr: ((0x17 << 26) | (1 << 25) | 1) >>> 0, targetEl: 3 });
    const m3 = exec([A.brk(0x3e8)]);
    expect(m3.cpu.lastException).toMatchObject({ esr: ((0x3c << 26) | (1 << 25) | 0x3e8) >>> 0, elrLo: CODE });
    const m4 = makeMachine();
    m4.cpu.setEl(0);
    m4.load([A.hvc(0)]);
    m4.run(1);
    expect(m4.cpu.lastException?.esr).toBe(UNDEF);
  });

  it('HLT is Undefined without semihosting', () => {
    expect(exec([A.hlt(0xf000)]).cpu.lastException?.esr).toBe(UNDEF);
  });
});

describe('aarch64 semihosting (HLT #0xF000)', () => {
  function semi(program: Array<number | number[]>, data: Uint8Array = new Uint8Array()) {
    const out: number[] = [];
    const m = makeMachine({}, { write: (bytes) => out.push(...bytes), exit: () => {} });
    m.poke(DATA, data.length ? data : new Uint8Array(1));
    m.load(program);
    m.run(program.flat().length);
    return { m, text: () => String.fromCharCode(...out) };
  }
  const text = new TextEncoder();

  it('SYS_WRITEC and SYS_WRITE0 print to the console', () => {
    const str = text.encode('hi\0');
    const { m, text: t } = semi([A.movz(0, 4), ...A.mov64(1, DATA), A.hlt(0xf000), A.movz(0, 3), A.addi(1, 1, 1), A.hlt(0xf000)], str);
    expect(t()).toBe('hii');
    expect(m.cpu.lastException).toBe(null);
  });

  it('SYS_WRITE writes a buffer and returns 0', () => {
    const block = new Uint8Array(32);
    const v = new DataView(block.buffer);
    v.setBigUint64(0, 1n, true);
    v.setBigUint64(8, BigInt(DATA + 32), true);
    v.setBigUint64(16, 5n, true);
    const data = new Uint8Array(64);
    data.set(block);
    data.set(text.encode('hello world'), 32);
    const { m, text: t } = semi([A.movz(0, 5), ...A.mov64(1, DATA), A.hlt(0xf000)], data);
    expect(t()).toBe('hello');
    expect(m.x(0)).toBe(0n);
  });

  it.each([
    [0x18, 0x20026n, 3n, 3],
    [0x20, 0x20026n, 0n, 0],
    [0x18, 0x20023n, 0n, 1],
  ])('SYS_EXIT/SYS_EXIT_EXTENDED (op 0x%s, reason 0x%s, subcode %s) powers off with %i', (op, reason, subcode, code) => {
    const block = new Uint8Array(16);
    const v = new DataView(block.buffer);
    v.setBigUint64(0, reason, true);
    v.setBigUint64(8, subcode, true);
    const { m } = semi([A.movz(0, op), ...A.mov64(1, DATA), A.hlt(0xf000)], block);
    expect(m.powerOffs).toEqual([{ code, reason: 'semihosting SYS_EXIT' }]);
    expect(m.cpu.pc).toBe(CODE + 24);
  });

  it('unknown operations return -1', () => {
    const { m } = semi([A.movz(0, 0x99), A.hlt(0xf000)]);
    expect(m.x(0)).toBe(0xffffffffffffffffn);
  });
});

describe('aarch64 run loop', () => {
  it('limitRun from a device access inside run() ends the slice after that instruction', () => {
    const m = makeMachine();
    m.load([A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop(), A.nop()]);
    // skip the interpreter warm-up (one instruction per call) so one execute() call runs them all
    for (let i = 0; i < 1000; i++) {
      m.cpu.pc = CODE;
      m.cpu.run(1);
    }
    m.load([A.strw(0, 1), A.nop(), A.nop(), A.nop(), A.nop(), A.nop()]);
    m.set(1, 0x3f000000);
    const orig = m.dev.write.bind(m.dev);
    m.dev.write = (o, s, v) => {
      orig(o, s, v);
      m.cpu.limitRun(2);
    };
    expect(m.cpu.run(6)).toBe(2);
  });
});
