import { describe, expect, it } from 'vitest';
import { BP, BR, CS, DF, EAX, EBX, ECX, EDX, ESP, GP, NP, OVERFLOW, SS, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { IF } from '../../../plugins/arch-i386/src/flags.js';
import { loadCache, readDescriptor } from '../../../plugins/arch-i386/src/descriptors.js';
import { GDT, IDT, KCODE, KCODE16, KSTACK, PCODE, protectedMachine, setGate, toRing3, UCODE, UDATA, USTACK, type TestMachine } from './machine.js';

const HANDLER = 0x20000;
/** Every vector's gate to `hlt` at HANDLER + vector (a 32-bit interrupt gate, DPL 0). */
function haltingGates(m: TestMachine): void {
  for (let v = 0; v < 32; v++) { setGate(m, v, HANDLER + v); m.ram.u8[HANDLER + v] = 0xf4; }
}
const stack = (m: TestMachine, i: number) => m.ram.view.getUint32((m.cpu.regs[ESP] >>> 0) + 4 * i, true);

describe('i386 IDT: exceptions in protected mode', () => {
  it('#NP(selector) for a not-present data segment: error code, EIP, CS, EFLAGS pushed', () => {
    const m = protectedMachine([0x66, 0xb8, 0x40, 0x00, 0x8e, 0xd8], haltingGates); // mov $0x40,%ax; mov %ax,%ds
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: NP, eip: PCODE + 4, errorCode: 0x40 });
    expect(m.cpu.eip).toBe(HANDLER + NP + 1);
    expect([stack(m, 0), stack(m, 1), stack(m, 2)]).toEqual([0x40, PCODE + 4, KCODE]);
    expect(m.cpu.regs[ESP]).toBe(0x8000 - 16);
  });

  it('#GP(selector) past the GDT limit, #GP(0) for a null SS, #UD without an error code', () => {
    let m = protectedMachine([0x66, 0xb8, 0x60, 0x00, 0x8e, 0xd8], haltingGates);
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 4, errorCode: 0x60 });
    m = protectedMachine([0x31, 0xc0, 0x8e, 0xd0], haltingGates); // xor %eax,%eax; mov %ax,%ss
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 2, errorCode: 0 });
    m = protectedMachine([0x0f, 0x0b], haltingGates); // ud2
    m.cpu.run(20);
    expect(m.cpu.lastException?.vector).toBe(UD);
    expect([stack(m, 0), stack(m, 1)]).toEqual([PCODE, KCODE]);
    expect(m.cpu.regs[ESP]).toBe(0x8000 - 12);
  });

  it('an exception while delivering one makes #DF (error code 0); a fault delivering #DF resets the machine', () => {
    const m = protectedMachine([0x0f, 0x0b], (mm) => {
      haltingGates(mm);
      mm.ram.u8[IDT + UD * 8 + 5] &= 0x7f; // #UD gate not present: #NP, a benign then a contributory one: serial
      mm.ram.u8[IDT + NP * 8 + 5] &= 0x7f; // #NP gate not present: #NP while delivering #NP -> #DF
    });
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: DF, eip: PCODE, errorCode: 0 });
    expect(m.cpu.eip).toBe(HANDLER + DF + 1);
    expect([stack(m, 0), stack(m, 1)]).toEqual([0, PCODE]);
    const t = protectedMachine([0x0f, 0x0b], (mm) => {
      haltingGates(mm);
      for (const v of [UD, NP, DF]) mm.ram.u8[IDT + v * 8 + 5] &= 0x7f;
    });
    t.cpu.run(20);
    expect(t.resets).toEqual(['triple fault']);
  });

  it('INT3, INTO and BOUND: traps return after the instruction, #BR points at BOUND', () => {
    let m = protectedMachine([0xcc, 0xb1, 0x01], haltingGates); // int3; mov $1,%cl
    m.cpu.run(20);
    expect(m.cpu.lastException?.vector).toBe(BP);
    expect(stack(m, 0)).toBe(PCODE + 1);
    m = protectedMachine([0xb0, 0x7f, 0x04, 0x01, 0xce], haltingGates); // mov $0x7f,%al; add $1,%al; into
    m.cpu.run(20);
    expect(m.cpu.lastException?.vector).toBe(OVERFLOW);
    expect(stack(m, 0)).toBe(PCODE + 5);
    m = protectedMachine([0xb8, 0x05, 0x00, 0x00, 0x00, 0x62, 0x05, 0x00, 0x06, 0x00, 0x00], (mm) => { // bound %eax,(0x600)
      haltingGates(mm);
      mm.ram.view.setInt32(0x600, -2, true);
      mm.ram.view.setInt32(0x604, 4, true);
    });
    m.cpu.run(20);
    expect(m.cpu.lastException?.vector).toBe(BR);
    expect(stack(m, 0)).toBe(PCODE + 5);
  });

  it('SGDT and SIDT store limit and base', () => {
    const m = protectedMachine([0x0f, 0x01, 0x05, 0x00, 0x06, 0x00, 0x00, 0x0f, 0x01, 0x0d, 0x06, 0x06, 0x00, 0x00]);
    m.cpu.run(20);
    expect(m.ram.view.getUint16(0x600, true)).toBe(0x57);
    expect(m.ram.view.getUint32(0x602, true)).toBe(GDT);
    expect(m.ram.view.getUint16(0x606, true)).toBe(0x7ff);
    expect(m.ram.view.getUint32(0x608, true)).toBe(IDT);
  });
});

describe('i386 IDT: INT n, INTR and IRET', () => {
  it('a trap gate keeps IF, an interrupt gate clears it; IRET returns after INT n', () => {
    for (const [type, ifInHandler] of [[0xf, IF], [0xe, 0]]) {
      // sti; int $0x30; mov $1,%cl -- handler: pushfl; popl %ebx; iret
      const m = protectedMachine([0xfb, 0xcd, 0x30, 0xb1, 0x01], (mm) => {
        setGate(mm, 0x30, HANDLER, type);
        mm.bus.dmaWrite(HANDLER, Uint8Array.of(0x9c, 0x5b, 0xcf));
      });
      m.cpu.run(20);
      expect(m.cpu.getReg(EBX) & IF).toBe(ifInHandler);
      expect(m.cpu.getReg(ECX) & 0xff).toBe(1);
      expect(m.cpu.eflags & IF).toBe(IF);
      expect(m.cpu.regs[ESP]).toBe(0x8000);
    }
  });

  it('INT 0x80 from ring 3 switches to the TSS ring-0 stack; IRET goes back to ring 3 with its SS:ESP', () => {
    // user: int $0x80; mov %eax,%ebx; hlt (-> #GP at CPL 3) -- handler: mov $0x42,%eax; iret
    const m = protectedMachine([0xcd, 0x80, 0x89, 0xc3, 0xf4], (mm) => {
      haltingGates(mm);
      setGate(mm, 0x80, HANDLER + 0x100, 0xe, 3);
      mm.bus.dmaWrite(HANDLER + 0x100, Uint8Array.of(0xb8, 0x42, 0x00, 0x00, 0x00, 0xcf));
      toRing3(mm);
    });
    m.cpu.run(3); // INT, MOV, IRET
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.sel[CS]).toBe(UCODE);
    expect(m.cpu.sel[SS]).toBe(UDATA);
    expect(m.cpu.regs[ESP]).toBe(USTACK);
    // The ring-0 frame: EIP, CS, EFLAGS, ESP, SS below esp0.
    const frame = [0, 1, 2, 3, 4].map((i) => m.ram.view.getUint32(KSTACK - 20 + 4 * i, true));
    expect(frame).toEqual([PCODE + 2, UCODE, frame[2], USTACK, UDATA]);
    m.cpu.run(20);
    expect(m.cpu.getReg(EBX)).toBe(0x42);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 4, errorCode: 0 }); // HLT at CPL 3
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 24);
  });

  it('INT n through a gate with DPL < CPL is #GP(vector * 8 + 2)', () => {
    const m = protectedMachine([0xcd, 0x80], (mm) => { haltingGates(mm); setGate(mm, 0x80, HANDLER + 0x100); toRing3(mm); });
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE, errorCode: 0x80 * 8 + 2 });
  });

  it('INTR in protected mode goes through the IDT without an error code', () => {
    const m = protectedMachine([0xfb, 0x90, 0x90, 0x90], (mm) => { // sti; nop; nop; nop
      setGate(mm, 0x21, HANDLER);
      mm.ram.u8[HANDLER] = 0xf4;
      mm.acks.vector = 0x21;
      mm.cpu.intr.set(true);
    });
    m.cpu.run(20);
    expect(m.cpu.eip).toBe(HANDLER + 1);
    expect([stack(m, 0), stack(m, 1)]).toEqual([PCODE + 2, KCODE]);
    expect(stack(m, 2) & IF).toBe(IF);
    expect(m.cpu.eflags & IF).toBe(0);
    expect(m.cpu.getReg(EAX)).toBe(0);
  });

  it('16-bit protected mode: a 16-bit interrupt gate pushes FLAGS, CS, IP as words; IRET pops them', () => {
    const m = protectedMachine([], (mm) => {
      mm.bus.dmaWrite(0x6000, Uint8Array.of(0xcd, 0x31, 0xb1, 0x01, 0xf4)); // int $0x31; mov $1,%cl; hlt
      mm.bus.dmaWrite(0x6100, Uint8Array.of(0xb3, 0x05, 0x89, 0xe2, 0xcf)); // mov $5,%bl; mov %sp,%dx; iret
      setGate(mm, 0x31, 0x6100, 0x6, 0, KCODE16);
      readDescriptor(mm.cpu, KCODE16);
      loadCache(mm.cpu, CS, KCODE16, mm.cpu.descLo, mm.cpu.descHi);
      mm.cpu.eip = 0x6000;
    });
    m.cpu.run(20);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(5);
    expect(m.cpu.getReg(EDX) & 0xffff).toBe(0x8000 - 6);
    expect(m.ram.view.getUint16(0x8000 - 6, true)).toBe(0x6002);
    expect(m.ram.view.getUint16(0x8000 - 4, true)).toBe(KCODE16);
    expect(m.cpu.getReg(ECX) & 0xff).toBe(1);
    expect(m.cpu.regs[ESP]).toBe(0x8000);
    expect(m.cpu.segBig[CS]).toBe(0);
  });

  it('INTR while in ring 3 goes to a DPL 0 gate (no DPL check for external interrupts) on the TSS stack', () => {
    const m = protectedMachine([0xeb, 0xfe], (mm) => { // jmp .
      setGate(mm, 0x20, HANDLER);
      mm.ram.u8[HANDLER] = 0xf4;
      toRing3(mm);
      mm.cpu.eflags = mm.cpu.eflags | IF;
      mm.acks.vector = 0x20;
    });
    m.cpu.run(5);
    expect(m.cpu.cpl).toBe(3);
    m.cpu.intr.set(true);
    m.cpu.run(5);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.eip).toBe(HANDLER + 1);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 20);
    expect(m.ram.view.getUint32(KSTACK - 20, true)).toBe(PCODE);
    expect(m.ram.view.getUint32(KSTACK - 16, true)).toBe(UCODE);
  });
});
