import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { HANDLER, installHandlers, makeMachine, RAM_BASE, type TestMachine } from './machine.js';

const { a0, a1, a2, a3, t0 } = A;
const DATA = RAM_BASE + 0x4000;
const C_ADDI_A0_1 = 0x0505; // c.addi a0, 1

/** Runs until `run` returns 0 or `max` steps; returns the steps taken. */
function runUntilStop(m: TestMachine, max = 100_000): number {
  let done = 0;
  while (done < max && m.cpu.debug.stop === undefined) {
    const k = m.cpu.run(Math.min(1000, max - done));
    done += k;
    if (k === 0) break;
  }
  return done;
}

/** A hot loop: a0 counts iterations up to a2, a1 += 2, and each iteration stores a0 at DATA. */
function hotLoop(jit = true): TestMachine {
  const m = makeMachine({ jit });
  installHandlers(m);
  m.load([A.addi(a0, a0, 1), A.addi(a1, a1, 2), A.sw(a0, a3, 0), A.bne(a0, a2, -12), A.jal(0, 0)]);
  m.cpu.setReg(a2, 100_000);
  m.cpu.setReg(a3, DATA);
  return m;
}

describe('rv32 CpuDebug breakpoints', () => {
  it('stop before the instruction, without executing it; run(1) on one returns 0', () => {
    const m = makeMachine();
    m.load([A.addi(a0, 0, 1), A.addi(a0, a0, 1), A.addi(a0, a0, 1), A.jal(0, 0)]);
    const d = m.cpu.debug;
    d.setBreakpoints([BigInt(RAM_BASE + 8)]);
    expect(m.cpu.run(100)).toBe(2);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(RAM_BASE + 8) });
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
    expect(m.reg(a0)).toBe(2);
    d.stop = undefined;
    expect(m.cpu.run(1)).toBe(0);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(RAM_BASE + 8) });
    // GDB removes the breakpoint to step over it.
    d.stop = undefined;
    d.setBreakpoints([]);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.reg(a0)).toBe(3);
  });

  it('stop on compressed instructions (kind 2)', () => {
    const m = makeMachine();
    m.load([C_ADDI_A0_1, C_ADDI_A0_1, C_ADDI_A0_1, A.jal(0, 0)]);
    m.cpu.debug.setBreakpoints([BigInt(RAM_BASE + 4)]);
    expect(m.cpu.run(100)).toBe(2);
    expect(m.cpu.pc).toBe(RAM_BASE + 4);
  });

  it('are exact inside compiled blocks', () => {
    const m = hotLoop();
    m.run(1000);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    const iterations = m.reg(a0);
    m.cpu.debug.setBreakpoints([BigInt(RAM_BASE + 8)]); // the store, mid-block
    expect(runUntilStop(m)).toBe(2);
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
    expect(m.reg(a0)).toBe(iterations + 1);
    expect(m.r32(DATA)).toBe(iterations); // the store of this iteration has not run
  });

  it('compile no blocks while set (the checked loop steps the interpreter)', () => {
    const m = hotLoop();
    m.cpu.debug.setBreakpoints([BigInt(RAM_BASE + 0x100)]); // never reached
    m.run(5000);
    expect(m.cpu.blocksCompiled).toBe(0);
    expect(m.reg(a0)).toBe(1250);
    m.cpu.debug.setBreakpoints([]);
    m.run(5000);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('stop the same way with the block compiler off', () => {
    const m = hotLoop(false);
    m.cpu.debug.setBreakpoints([BigInt(RAM_BASE + 12)]);
    expect(runUntilStop(m)).toBe(3);
    expect(m.cpu.debug.stop).toEqual({ kind: 'breakpoint', address: BigInt(RAM_BASE + 12) });
  });

  it('cost nothing while none is set: run() picks the checked loop from a flag the setters compute', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    expect(m.cpu.checkedRun).toBe(false);
    d.setBreakpoints([0x80000000n]);
    expect(m.cpu.checkedRun).toBe(true);
    d.setBreakpoints([]);
    expect(m.cpu.checkedRun).toBe(false);
    d.setWatchpoints([{ address: 0x80000000n, length: 4, kind: 'write' }]);
    expect(m.cpu.checkedRun).toBe(true);
    d.setWatchpoints([]);
    expect(m.cpu.checkedRun).toBe(false);
    d.maskInterrupts = true;
    expect(m.cpu.checkedRun).toBe(true);
    d.maskInterrupts = false;
    expect(m.cpu.checkedRun).toBe(false);
  });
});

describe('rv32 CpuDebug watchpoints', () => {
  it('a write watchpoint stops before the store, nothing done, pc on it (GDB and QEMU 7.2 on RISC-V)', () => {
    const m = makeMachine();
    m.load([A.addi(a0, 0, 7), A.lw(a1, a3, 0), A.sw(a0, a3, 0), A.addi(a0, 0, 9), A.jal(0, 0)]);
    m.cpu.setReg(a3, DATA);
    m.w32(DATA, 5);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA), length: 4, kind: 'write' }]);
    const retired = m.cpu.retired;
    expect(runUntilStop(m)).toBe(2); // the load does not hit a write watchpoint
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA) });
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
    expect(m.cpu.retired).toBe(retired + 2);
    expect(m.r32(DATA)).toBe(5);
    // GDB then removes its watchpoints and steps the instruction.
    d.stop = undefined;
    d.setWatchpoints([]);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.r32(DATA)).toBe(7);
    expect(m.cpu.pc).toBe(RAM_BASE + 12);
  });

  it('read and access watchpoints; the reported address lies inside the watched range', () => {
    const m = makeMachine();
    m.load([A.sw(a0, a3, 0), A.lbu(a1, a3, 3), A.jal(0, 0)]);
    m.cpu.setReg(a3, DATA);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA + 2), length: 2, kind: 'read' }]);
    expect(runUntilStop(m)).toBe(1);
    expect(d.stop).toEqual({ kind: 'read', address: BigInt(DATA + 3) });
    expect(m.cpu.pc).toBe(RAM_BASE + 4);
    m.cpu.pc = RAM_BASE;
    d.stop = undefined;
    d.setWatchpoints([{ address: BigInt(DATA + 2), length: 1, kind: 'access' }]);
    expect(runUntilStop(m)).toBe(0);
    expect(d.stop).toEqual({ kind: 'access', address: BigInt(DATA + 2) });
    expect(m.cpu.pc).toBe(RAM_BASE);
  });

  it('are exact in hot loops that were compiled before the watchpoint was set', () => {
    const m = hotLoop();
    m.run(1000);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    const iterations = m.reg(a0);
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA), length: 4, kind: 'write' }]);
    const steps = runUntilStop(m);
    expect(m.cpu.debug.stop).toEqual({ kind: 'write', address: BigInt(DATA) });
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
    expect(m.reg(a0)).toBe(iterations + 1);
    expect(m.r32(DATA)).toBe(iterations);
    expect(steps).toBeLessThanOrEqual(3);
  });

  /** Steps over the instruction at a watchpoint stop the way GDB does: watchpoints removed, one step. */
  function stepOver(m: TestMachine, watches: Parameters<TestMachine['cpu']['debug']['setWatchpoints']>[0]): void {
    m.cpu.debug.stop = undefined;
    m.cpu.debug.setWatchpoints([]);
    expect(m.cpu.run(1)).toBe(1);
    m.cpu.debug.setWatchpoints(watches);
  }

  it('hit AMOs and misaligned accesses crossing into the range, leaving them undone; an access that faults is no hit', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.amoadd_w(a1, a0, a3), A.sw(a0, a2, 0), A.amoadd_w(a1, a0, t0), A.jal(0, 0)]);
    m.cpu.setReg(t0, 2);
    m.cpu.setReg(a0, 5);
    m.cpu.setReg(a1, 77);
    m.cpu.setReg(a3, DATA);
    m.cpu.setReg(a2, DATA + 0x102);
    m.w32(DATA, 1);
    const d = m.cpu.debug;
    const watches = [
      { address: BigInt(DATA), length: 4, kind: 'write' as const },
      { address: BigInt(DATA + 0x104), length: 1, kind: 'write' as const },
      { address: 0n, length: 4, kind: 'write' as const },
    ];
    d.setWatchpoints(watches);
    expect(runUntilStop(m)).toBe(0);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA) });
    expect([m.r32(DATA), m.reg(a1), m.cpu.pc]).toEqual([1, 77, RAM_BASE]);
    stepOver(m, watches);
    expect([m.r32(DATA), m.reg(a1)]).toEqual([6, 1]);
    expect(runUntilStop(m)).toBe(0);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA + 0x104) });
    expect(m.r32(DATA + 0x100)).toBe(0); // no byte of the misaligned store written
    stepOver(m, watches);
    expect(m.r32(DATA + 0x100)).toBe(0x50000);
    // The misaligned AMO at 2 faults before any access: the trap is taken, no watchpoint is reported.
    expect(m.cpu.run(1)).toBe(1);
    expect(d.stop).toBeUndefined();
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.traps.map((t) => t.cause)).toEqual([6]);
  });

  it('an LR/SC loop makes progress: the stop comes before SC consumes the reservation', () => {
    const m = makeMachine();
    // retry: lr.w a1, (a3); addi a1, a1, 1; sc.w a2, a1, (a3); bnez a2, retry
    m.load([A.lr_w(a1, a3), A.addi(a1, a1, 1), A.sc_w(a2, a1, a3), A.bne(a2, 0, -12), A.jal(0, 0)]);
    m.cpu.setReg(a3, DATA);
    m.cpu.setReg(a2, 99);
    const watches = [{ address: BigInt(DATA), length: 4, kind: 'write' as const }];
    m.cpu.debug.setWatchpoints(watches);
    expect(runUntilStop(m)).toBe(2);
    expect(m.cpu.debug.stop).toEqual({ kind: 'write', address: BigInt(DATA) });
    expect(m.cpu.pc).toBe(RAM_BASE + 8);
    stepOver(m, watches);
    expect(m.reg(a2)).toBe(0); // SC succeeded
    expect(m.r32(DATA)).toBe(1);
    expect(m.cpu.run(10)).toBe(10);
    expect(m.cpu.pc).toBe(RAM_BASE + 16);
  });

  it('keep watched pages out of the data TLBs only while set', () => {
    const m = makeMachine();
    m.load([A.lw(a1, a3, 0), A.lw(a1, a3, 0), A.jal(0, 0)]);
    m.cpu.setReg(a3, DATA);
    const e = (DATA >>> 12) & 511;
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA + 0x800), length: 8, kind: 'write' }]);
    m.run(1);
    expect(m.cpu.rTag[e]).toBe(-1);
    m.cpu.debug.setWatchpoints([]);
    m.run(1);
    expect(m.cpu.rTag[e]).toBe(DATA >>> 12);
    expect(m.cpu.debug.stop).toBeUndefined();
  });
});

describe('rv32 CpuDebug maskInterrupts', () => {
  function pendingTimer(): TestMachine {
    const m = makeMachine();
    installHandlers(m);
    m.load([A.addi(t0, 0, 1), A.ecall(), A.jal(0, 0)]);
    m.cpu.mie = 1 << 7; // MTIE
    m.cpu.mstatus = 1 << 3; // MIE
    m.cpu.irqInput('mtip')!.set(true);
    return m;
  }

  it('while true, a step takes no interrupt; synchronous exceptions are still taken', () => {
    const m = pendingTimer();
    m.cpu.debug.maskInterrupts = true;
    expect(m.cpu.run(1)).toBe(1);
    expect(m.cpu.pc).toBe(RAM_BASE + 4);
    expect(m.reg(t0)).toBe(1);
    expect(m.cpu.run(1)).toBe(1); // ecall
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.traps.map((t) => [t.interrupt, t.cause])).toEqual([[false, 11]]);
  });

  it('once false again, the pending interrupt is taken', () => {
    const m = pendingTimer();
    m.cpu.debug.maskInterrupts = true;
    m.cpu.run(1);
    m.cpu.debug.maskInterrupts = false;
    m.cpu.run(1);
    expect(m.traps.map((t) => [t.interrupt, t.cause])).toEqual([[true, 7]]);
  });
});
