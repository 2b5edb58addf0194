import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX, EDI, ESI } from '../../../plugins/arch-i386/src/cpu.js';
import { FAST_SR, TLB_MASK } from '../../../plugins/arch-i386/src/mmu.js';
import { PCODE, protectedMachine, setGate } from './machine.js';

// Encodings checked with `llvm-mc -triple=i386 -show-encoding` (.code32).
const NOP = 0x90;
const INC_EAX = 0x40;
const MOV_EBX_TO_MEM = (a: number) => [0x89, 0x1d, a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >>> 24]; // mov %ebx,a
const MOV_MEM_TO_ECX = (a: number) => [0x8b, 0x0d, a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >>> 24]; // mov a,%ecx
const REP_STOSB = [0xf3, 0xaa];
const INT_80 = [0xcd, 0x80];
const VAR = 0x20000;

describe('i386 CpuDebug breakpoints', () => {
  it('stops before the instruction at a breakpoint without executing it; run(1) there returns 0; none set is the plain loop', () => {
    const m = protectedMachine([INC_EAX, INC_EAX, INC_EAX, INC_EAX]);
    const d = m.cpu.debug;
    expect(m.cpu.debugChecks).toBe(false);
    d.setBreakpoints([BigInt(PCODE + 2)]);
    expect(m.cpu.debugChecks).toBe(true);
    expect(m.cpu.run(100)).toBe(2);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(PCODE + 2) });
    expect(m.cpu.getReg(EAX)).toBe(2);
    d.stop = undefined;
    expect(m.cpu.run(1)).toBe(0);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(PCODE + 2) });
    d.stop = undefined;
    d.setBreakpoints([]); // GDB steps over the breakpoint with it removed
    expect(m.cpu.debugChecks).toBe(false);
    expect(m.cpu.run(1)).toBe(1);
    expect(d.stop).toBeUndefined();
    expect(m.cpu.getReg(EAX)).toBe(3);
  });

  it('a step (run(1)) that ends on a breakpoint completes; the next run reports it', () => {
    const m = protectedMachine([NOP, NOP, NOP]);
    const d = m.cpu.debug;
    d.setBreakpoints([BigInt(PCODE + 1)]);
    expect(m.cpu.run(1)).toBe(1);
    expect(d.stop).toBeUndefined();
    expect(m.cpu.run(10)).toBe(0);
    expect(d.stop?.kind).toBe('breakpoint');
  });

  it('a breakpoint at an interrupt handler stops after the delivery, before the handler\'s first instruction', () => {
    const m = protectedMachine([NOP, NOP, NOP, NOP]);
    const d = m.cpu.debug;
    const handler = 0x30000;
    m.bus.dmaWrite(handler, Uint8Array.from([0xcf])); // iret
    setGate(m, 0x20, handler);
    m.cpu.eflags |= 0x200;
    m.acks.vector = 0x20;
    m.cpu.intr.set(true);
    d.setBreakpoints([BigInt(handler)]);
    expect(m.cpu.run(10)).toBe(0);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(handler) });
    expect(m.cpu.pc).toBe(handler);
  });
});

describe('i386 CpuDebug breakpoints and interrupts', () => {
  function withIrq(code: number[]) {
    const m = protectedMachine(code);
    m.bus.dmaWrite(0x30000, Uint8Array.from([0xff, 0x05, 0x00, 0x00, 0x02, 0x00, 0xcf])); // incl 0x20000; iret
    setGate(m, 0x20, 0x30000);
    m.acks.vector = 0x20;
    return m;
  }

  it('a breakpoint after STI keeps the interrupt shadow: the stepped instruction runs before the INTR', () => {
    const m = withIrq([0xfb, NOP, NOP, NOP]); // sti; nop
    const d = m.cpu.debug;
    m.cpu.intr.set(true);
    d.setBreakpoints([BigInt(PCODE + 1)]);
    expect(m.cpu.run(10)).toBe(1);
    expect(d.stop?.kind).toBe('breakpoint');
    d.stop = undefined;
    d.setBreakpoints([]);
    expect(m.cpu.run(1)).toBe(1);
    expect([m.cpu.pc, m.acks.count]).toEqual([PCODE + 2, 0]);
    m.cpu.run(1);
    expect(m.acks.count).toBe(1);
  });

  it('HLT woken by INTR: the handler runs before a breakpoint on the instruction after HLT stops', () => {
    const m = withIrq([0xfb, 0xf4, NOP, NOP]); // sti; hlt; nop
    const d = m.cpu.debug;
    d.setBreakpoints([BigInt(PCODE + 2)]);
    expect(m.cpu.run(10)).toBe(2);
    expect(m.cpu.waiting).toBe(true);
    m.cpu.intr.set(true);
    expect(m.cpu.run(10)).toBe(2); // incl, iret
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(PCODE + 2) });
    expect(m.ram.view.getUint32(VAR, true)).toBe(1);
  });
});

describe('i386 CpuDebug watchpoints (stop after the access, as GDB expects on x86)', () => {
  it('write: stops after the storing instruction, pc at the next one; pages whose TLB entries were fast become slow', () => {
    const code = [...MOV_MEM_TO_ECX(VAR), NOP, ...MOV_EBX_TO_MEM(VAR + 2), NOP, NOP];
    const m = protectedMachine(code);
    const d = m.cpu.debug;
    m.cpu.regs[EBX] = 0x1234;
    m.cpu.run(1); // fills a fast TLB entry for VAR's page
    const slot = (VAR >>> 12) & TLB_MASK;
    expect(m.cpu.mmu.perm[slot] & FAST_SR).not.toBe(0);
    d.setWatchpoints([{ address: BigInt(VAR + 4), length: 2, kind: 'write' }]);
    expect(m.cpu.run(100)).toBe(2);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(VAR + 4) });
    expect(m.cpu.pc).toBe(PCODE + 13);
    expect(m.ram.view.getUint32(VAR + 2, true)).toBe(0x1234);
    expect(m.cpu.mmu.perm[slot] & FAST_SR).toBe(0);
    d.stop = undefined;
    d.setWatchpoints([]);
    expect([m.cpu.debugChecks, m.cpu.mmu.watcher]).toEqual([false, null]);
    m.cpu.pc = PCODE;
    expect(m.cpu.run(1)).toBe(1); // the load refills VAR's entry, fast again
    expect(d.stop).toBeUndefined();
    expect(m.cpu.mmu.perm[slot] & FAST_SR).not.toBe(0);
  });

  it('read and access kinds; a write does not hit a read watchpoint; a length-1 watch hits a 4-byte access overlapping it', () => {
    const code = [...MOV_EBX_TO_MEM(VAR), ...MOV_MEM_TO_ECX(VAR), NOP];
    const m = protectedMachine(code);
    const d = m.cpu.debug;
    d.setWatchpoints([{ address: BigInt(VAR + 3), length: 1, kind: 'read' }]);
    expect(m.cpu.run(100)).toBe(2);
    expect(d.stop).toEqual({ kind: 'read', address: BigInt(VAR + 3) });
    const n = protectedMachine(code);
    n.cpu.debug.setWatchpoints([{ address: BigInt(VAR), length: 4, kind: 'access' }]);
    expect(n.cpu.run(100)).toBe(1);
    expect(n.cpu.debug.stop).toEqual({ kind: 'access', address: BigInt(VAR) });
  });

  it('REP STOSB stops after the iteration that wrote the watched byte, at the REP instruction, ECX counting the rest', () => {
    const m = protectedMachine([...REP_STOSB, NOP]);
    const d = m.cpu.debug;
    m.cpu.regs[EDI] = VAR; m.cpu.regs[ECX] = 16; m.cpu.regs[EAX] = 0x55;
    d.setWatchpoints([{ address: BigInt(VAR + 5), length: 1, kind: 'write' }]);
    expect(m.cpu.run(100)).toBe(1);
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(VAR + 5) });
    expect(m.cpu.pc).toBe(PCODE);
    expect(m.cpu.getReg(ECX)).toBe(10);
    expect(m.ram.u8[VAR + 5]).toBe(0x55);
    expect(m.ram.u8[VAR + 6]).toBe(0);
    d.stop = undefined;
    d.setWatchpoints([]);
    m.cpu.run(1);
    expect([m.cpu.getReg(ECX), m.cpu.pc]).toEqual([0, PCODE + 2]);
  });

  it('an instruction that faults after a watched access is not reported (it did not complete)', () => {
    const m = protectedMachine([0x8e, 0x1e]); // mov (%esi),%ds: reads the selector, then #GP (past the GDT limit)
    const d = m.cpu.debug;
    const handler = 0x30000;
    m.bus.dmaWrite(handler, Uint8Array.from([NOP, NOP]));
    setGate(m, 13, handler);
    m.cpu.regs[ESI] = VAR;
    m.ram.view.setUint16(VAR, 0x1000, true);
    d.setWatchpoints([{ address: BigInt(VAR), length: 2, kind: 'read' }]);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.cpu.lastException?.vector).toBe(13);
    expect(m.cpu.pc).toBe(handler);
    expect(d.stop).toBeUndefined();
  });

  it('an event delivery that writes a watched stack slot stops at the handler', () => {
    const m = protectedMachine([...INT_80, NOP]);
    const d = m.cpu.debug;
    const handler = 0x31000;
    m.bus.dmaWrite(handler, Uint8Array.from([NOP]));
    setGate(m, 0x80, handler);
    d.setWatchpoints([{ address: 0x8000n - 4n, length: 4, kind: 'write' }]); // the EFLAGS slot
    expect(m.cpu.run(10)).toBe(1);
    expect(d.stop).toEqual({ kind: 'write', address: 0x8000n - 4n });
    expect(m.cpu.pc).toBe(handler);
  });
});

describe('i386 CpuDebug maskInterrupts', () => {
  it('no INTR while set (a step lands on the next instruction); INT 0x80 is still taken', () => {
    const m = protectedMachine([NOP, ...INT_80, NOP]);
    const d = m.cpu.debug;
    const irqHandler = 0x30000, sysHandler = 0x31000;
    m.bus.dmaWrite(irqHandler, Uint8Array.from([0xcf]));
    m.bus.dmaWrite(sysHandler, Uint8Array.from([0xcf]));
    setGate(m, 0x20, irqHandler);
    setGate(m, 0x80, sysHandler);
    m.cpu.eflags |= 0x200;
    m.acks.vector = 0x20;
    m.cpu.intr.set(true);
    d.maskInterrupts = true;
    expect(m.cpu.debugChecks).toBe(true);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.cpu.pc).toBe(PCODE + 1);
    expect(m.acks.count).toBe(0);
    expect(m.cpu.run(1)).toBe(1);
    expect(m.cpu.pc).toBe(sysHandler);
    expect(m.acks.count).toBe(0);
    d.maskInterrupts = false;
    expect(m.cpu.debugChecks).toBe(false);
    m.cpu.run(2); // the IRET back (the gate cleared IF), then the INTR
    expect(m.acks.count).toBe(1);
  });
});
