/** The AArch64 debugger's run control: breakpoints, watchpoints (stop before the access), masked interrupts. */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, DATA, makeMachine, MMIO_BASE, VECTORS, type A64Machine } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, PageTables } from './mmu-tables.js';

const at = (i: number) => BigInt(CODE + 4 * i);

/** x1 = DATA, x2 = a value, then a run of loads and stores around DATA. */
function program(m: A64Machine): void {
  m.load([
    A.movz(1, DATA >>> 16, 1), // 0
    ...A.mov64(2, 0x1122334455667788n), // 1-4
    A.str(2, 1, 8), // 5
    A.ldr(3, 1, 8), // 6
    A.stp(2, 2, 1, 16, 'pre'), // 7: DATA+16, DATA+24, x1 += 16
    A.ldp(4, 5, 1, 0), // 8
    A.strb(2, 1, 0x20), // 9
    A.nop(), // 10
  ]);
}

describe('aarch64 breakpoints', () => {
  it('run stops before the instruction at a breakpoint, with stop set; run(1) on it returns 0', () => {
    const m = makeMachine();
    program(m);
    const d = m.cpu.debug;
    d.setBreakpoints([at(5), at(9)]);
    expect(m.cpu.run(100)).toBe(5);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: at(5) });
    expect(m.cpu.pc).toBe(CODE + 20);
    expect(m.r64(DATA + 8)).toBe(0n); // the store did not run
    d.stop = undefined;
    expect(m.cpu.run(1)).toBe(0);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: at(5) });
    // GDB steps off a breakpoint with it removed, then puts it back.
    d.stop = undefined;
    d.setBreakpoints([at(9)]);
    expect(m.cpu.run(1)).toBe(1);
    d.setBreakpoints([at(5), at(9)]);
    expect(m.cpu.run(100)).toBe(3);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: at(9) });
    d.setBreakpoints([]);
    d.stop = undefined;
    expect(m.cpu.run(2)).toBe(2);
    expect(d.stop).toBeUndefined();
  });

  it('is exact within a decoded page the interpreter already runs (no per-page cache escape)', () => {
    const m = makeMachine();
    program(m);
    m.set(9, 0);
    expect(m.cpu.run(11)).toBe(11); // everything decoded and cached
    program(m);
    m.cpu.debug.setBreakpoints([at(9)]);
    expect(m.cpu.run(100)).toBe(9);
    expect(m.cpu.pc).toBe(CODE + 36);
  });

  it('a breakpoint at an exception vector stops after the entry, before the handler runs', () => {
    const m = makeMachine();
    m.load([A.svc(1)]);
    m.cpu.setEl(1);
    m.cpu.debug.setBreakpoints([BigInt(VECTORS + 0x200)]);
    expect(m.cpu.run(10)).toBe(1);
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.debug.stop).toEqual({ kind: 'breakpoint', address: BigInt(VECTORS + 0x200) });
  });
});

describe('aarch64 watchpoints (GDB AArch64 convention: stop before the access)', () => {
  it('write: the store is not done, pc stays on it, it does not retire; after removal it runs', () => {
    const m = makeMachine();
    program(m);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA + 12), length: 4, kind: 'write' }]);
    expect(m.cpu.run(100)).toBe(5);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA + 12) });
    expect(m.cpu.pc).toBe(CODE + 20);
    expect(m.cpu.retired).toBe(5);
    expect(m.r64(DATA + 8)).toBe(0n);
    expect(m.cpu.lastException).toBeNull();
    expect(m.traps).toEqual([]);
    // GDB (have_nonsteppable_watchpoint) steps over it without the watchpoint, then puts it back.
    d.stop = undefined;
    d.setWatchpoints([]);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.r64(DATA + 8)).toBe(0x1122334455667788n);
    d.setWatchpoints([{ address: BigInt(DATA + 12), length: 4, kind: 'write' }]);
    expect(m.cpu.run(5)).toBe(5); // the read of it (LDR) does not stop a write watchpoint
    expect(d.stop).toBeUndefined();
  });

  it('read and access watchpoints; a read watchpoint ignores stores', () => {
    const m = makeMachine();
    program(m);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA + 8), length: 1, kind: 'read' }]);
    expect(m.cpu.run(100)).toBe(6);
    expect(d.stop).toEqual({ kind: 'read', address: BigInt(DATA + 8) });
    expect(m.x(3)).toBe(0n);
    expect(m.cpu.pc).toBe(CODE + 24);
    d.stop = undefined;
    d.setWatchpoints([{ address: BigInt(DATA + 0x30), length: 1, kind: 'access' }]);
    expect(m.cpu.run(100)).toBe(3); // LDR (6), STP (7), LDP (8), then STRB at x1 + 0x20 = DATA + 0x30
    expect(d.stop).toEqual({ kind: 'access', address: BigInt(DATA + 0x30) });
    expect(m.cpu.pc).toBe(CODE + 36);
  });

  it('a hit on the second half of an STP undoes the first half and the base writeback', () => {
    const m = makeMachine();
    program(m);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA + 24), length: 8, kind: 'write' }]);
    expect(m.cpu.run(100)).toBe(7);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA + 24) });
    expect(m.r64(DATA + 16)).toBe(0n);
    expect(m.x(1)).toBe(BigInt(DATA));
    expect(m.cpu.pc).toBe(CODE + 28);
  });

  it('reports the first watched byte of a wider access', () => {
    const m = makeMachine();
    program(m);
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA + 13), length: 2, kind: 'access' }]);
    m.cpu.run(100);
    expect(m.cpu.debug.stop).toEqual({ kind: 'access', address: BigInt(DATA + 13) });
  });

  it('is exact with the MMU on and the page already in the TLB fast path, and for DC ZVA', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt.map(0x40000000n, BigInt(DATA), AF);
    m.load([...A.mov64(1, 0x40000000n), A.str(1, 1, 0x40), A.str(1, 1, 0x48), A.b(-8)]);
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.IPS(2) | T.EPD1, BigInt(pt.root));
    expect(m.cpu.run(6)).toBe(6); // the stores filled the TLB
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: 0x40000048n, length: 8, kind: 'write' }]);
    m.w64(DATA + 0x48, 0n);
    expect(m.cpu.run(100)).toBe(2); // b, str +0x40, then str +0x48 stops
    expect(d.stop).toEqual({ kind: 'write', address: 0x40000048n });
    expect(m.r64(DATA + 0x48)).toBe(0n);
    // DC ZVA zeroes a 64-byte block: a write to every byte of it
    const z = makeMachine();
    z.load([...A.mov64(1, DATA + 0x40), 0xd50b7421 /* dc zva, x1 */]);
    z.w64(DATA + 0x70, 0x55n);
    z.cpu.debug.setWatchpoints([{ address: BigInt(DATA + 0x70), length: 8, kind: 'write' }]);
    expect(z.cpu.run(10)).toBe(4); // the four MOVs, then DC ZVA stops
    expect(z.cpu.debug.stop).toEqual({ kind: 'write', address: BigInt(DATA + 0x70) });
    expect(z.r64(DATA + 0x70)).toBe(0x55n);
  });

  it('undoes the registers an LD1 of four registers had filled, and the first half of an ST1', () => {
    const m = makeMachine();
    for (let i = 0; i < 64; i += 8) m.w64(DATA + i, 0x0101010101010101n * BigInt(i + 1));
    m.load([0x4cdf2820]); // ld1 {v0.4s-v3.4s}, [x1], #64
    m.set(1, DATA);
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA + 56), length: 8, kind: 'read' }]);
    expect(m.cpu.run(1)).toBe(0);
    expect(m.cpu.debug.stop).toEqual({ kind: 'read', address: BigInt(DATA + 56) });
    expect([0, 1, 2, 3].map((n) => m.cpu.fp.getQ(n))).toEqual([0n, 0n, 0n, 0n]);
    expect(m.x(1)).toBe(BigInt(DATA));
    const s = makeMachine();
    s.load([0x4c82ac20]); // st1 {v0.2d, v1.2d}, [x1], x2
    s.set(1, DATA + 256);
    s.set(2, 100);
    s.cpu.fp.setQ(0, -1n & ((1n << 128n) - 1n));
    s.cpu.fp.setQ(1, 5n);
    s.cpu.debug.setWatchpoints([{ address: BigInt(DATA + 256 + 24), length: 1, kind: 'write' }]);
    expect(s.cpu.run(1)).toBe(0);
    expect(s.cpu.debug.stop).toEqual({ kind: 'write', address: BigInt(DATA + 256 + 24) });
    expect([s.r64(DATA + 256), s.r64(DATA + 264), s.r64(DATA + 272)]).toEqual([0n, 0n, 0n]);
    expect(s.x(1)).toBe(BigInt(DATA + 256));
  });

  it('STXR is a store: a write watchpoint stops it (monitor kept), a read watchpoint does not', () => {
    const m = makeMachine();
    m.load([A.ldxr(3, 2, 1), A.addi(2, 2, 1), A.stxr(3, 4, 2, 1), A.nop()]);
    m.set(1, DATA);
    m.set(4, 9);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA), length: 8, kind: 'read' }]);
    expect(m.cpu.run(4)).toBe(0); // LDXR reads it
    expect(d.stop?.kind).toBe('read');
    d.stop = undefined;
    d.setWatchpoints([]);
    expect(m.cpu.run(2)).toBe(2);
    d.setWatchpoints([{ address: BigInt(DATA), length: 8, kind: 'write' }]);
    expect(m.cpu.run(2)).toBe(0);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(DATA) });
    expect(m.x(4)).toBe(9n);
    d.stop = undefined;
    d.setWatchpoints([{ address: BigInt(DATA), length: 8, kind: 'read' }]);
    expect(m.cpu.run(2)).toBe(2);
    expect(d.stop).toBeUndefined();
    expect(m.x(4)).toBe(0n); // the exclusive store succeeded: the monitor survived the stop
    expect(m.r64(DATA)).toBe(1n);
  });

  it('upper-half (TTBR1) addresses: a breakpoint and a watchpoint at 0xffffff80...', () => {
    const m = makeMachine();
    const lo = new PageTables(m, 12, 39);
    lo.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    const hi = new PageTables(m, 12, 39, 0x1c0000);
    const KCODE = 0xffffff8000080000n;
    const KDATA = 0xffffff8000100000n;
    hi.map(KCODE, BigInt(CODE), AF);
    hi.map(KDATA, BigInt(DATA), AF);
    m.load([...A.mov64(1, KDATA), A.movz(2, 7), A.nop(), A.str(2, 1, 0x18), A.nop()]);
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.TG1_4K | T.T1SZ(25) | T.IPS(2), BigInt(lo.root), BigInt(hi.root));
    m.cpu.pc = Number(BigInt.asIntN(64, KCODE));
    const d = m.cpu.debug;
    d.setBreakpoints([KCODE + 20n]);
    d.setWatchpoints([{ address: KDATA + 0x18n, length: 8, kind: 'write' }]);
    expect(m.cpu.run(100)).toBe(5);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: KCODE + 20n });
    expect(d.pc).toBe(KCODE + 20n);
    d.stop = undefined;
    d.setBreakpoints([]);
    expect(m.cpu.run(100)).toBe(1);
    expect(d.stop).toEqual({ kind: 'write', address: KDATA + 0x18n });
    expect(d.pc).toBe(KCODE + 24n);
    expect(m.r64(DATA + 0x18)).toBe(0n);
    expect(d.translate(KDATA + 0x18n, true)).toBe(DATA + 0x18);
  });

  it('faults come first: a store to an unmapped watched address takes its data abort (as QEMU)', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    m.load([...A.mov64(1, 0x50000000n), A.str(1, 1, 0)]);
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.IPS(2) | T.EPD1, BigInt(pt.root));
    m.cpu.debug.setWatchpoints([{ address: 0x50000000n, length: 8, kind: 'write' }]);
    expect(m.cpu.run(5)).toBe(5);
    expect(m.cpu.debug.stop).toBeUndefined();
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.esr[1] >>> 26).toBe(0x25);
  });

  it('cost nothing when cleared: the inline RAM paths are back', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(DATA), length: 4, kind: 'write' }]);
    expect([m.cpu.watching, m.cpu.debugChecks, m.cpu.ramFastLimit]).toEqual([true, true, 0]);
    d.setWatchpoints([]);
    expect([m.cpu.watching, m.cpu.debugChecks, m.cpu.ramFastLimit]).toEqual([false, false, m.cpu.ramSize]);
  });
});

describe('aarch64 maskInterrupts', () => {
  it('no IRQ is taken while set (a step lands on the next instruction); synchronous exceptions still are', () => {
    const m = makeMachine();
    m.load([A.nop(), A.svc(5), A.nop()]);
    m.cpu.setEl(1);
    m.cpu.daif = 0;
    m.cpu.irqInput('irq')!.set(true);
    const d = m.cpu.debug;
    d.maskInterrupts = true;
    expect(m.cpu.run(1)).toBe(1);
    expect(m.cpu.pc).toBe(CODE + 4);
    expect(m.cpu.run(1)).toBe(1); // SVC: to the EL1 vector (current EL, SPx, synchronous)
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.esr[1] >>> 26).toBe(0x15);
    d.maskInterrupts = false;
    m.cpu.daif = 0;
    m.cpu.run(1);
    expect(m.cpu.pc).toBe(VECTORS + 0x280); // the IRQ, once unmasked
    expect(m.traps.map((t) => t.name)).toEqual(['SVC', 'IRQ']);
  });

  it('MMIO accesses still work with watchpoints set elsewhere', () => {
    const m = makeMachine();
    m.load([...A.mov64(1, MMIO_BASE), A.strw(1, 1, 0), A.ldrw(2, 1, 0)]);
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA), length: 4, kind: 'access' }]);
    expect(m.cpu.run(6)).toBe(6);
    expect(m.cpu.debug.stop).toBeUndefined();
    expect(m.cpu.lastException).toBeNull();
  });
});
