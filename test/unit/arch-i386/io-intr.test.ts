import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX, EDI, ESI, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { IF } from '../../../plugins/arch-i386/src/flags.js';
import { CODE_SEG, HLT, makeMachine, run16, type TestMachine } from './machine.js';
import { CS, SS } from '../../../plugins/arch-i386/src/consts.js';

/** IVT vector 0x20 -> 3000:0000 running `handler`. */
function handler(m: TestMachine, code: number[]): void {
  m.ram.view.setUint32(0x20 * 4, 0x30000000, true);
  m.bus.dmaWrite(0x30000, Uint8Array.from(code));
}

describe('i386 I/O ports', () => {
  it('IN/OUT imm8 and DX forms, byte/word/dword, go through ctx.io', () => {
    const m = run16([0xe4, 0x60, 0xba, 0xf8, 0x03, 0xef, 0x66, 0xed], { [EAX]: 0x1234 }, (mm) => {
      mm.ports.values.set(0x60, 0xab);
      mm.ports.values.set(0x3f8, 0xdeadbeef);
    }); // in $0x60,%al; mov $0x3f8,%dx; out %ax,%dx; inl %dx,%eax
    expect(m.ports.writes).toEqual([[0x3f8, 2, 0x12ab]]);
    expect(m.cpu.getReg(EAX)).toBe(0xdeadbeef);
  });

  it('REP INSB fills ES:DI from the port; REP OUTSW sends DS:SI', () => {
    let m = run16([0xbf, 0x00, 0x03, 0xb9, 0x03, 0x00, 0xba, 0x40, 0x00, 0xf3, 0x6c], {}, (mm) => mm.ports.values.set(0x40, 7));
    expect([...m.ram.u8.subarray(0x300, 0x304)]).toEqual([7, 7, 7, 0]);
    expect(m.cpu.getReg(EDI)).toBe(0x303);
    expect(m.cpu.getReg(ECX)).toBe(0);
    m = run16([0xbe, 0x00, 0x03, 0xb9, 0x02, 0x00, 0xba, 0xf8, 0x03, 0xf3, 0x6f], {}, (mm) => mm.ram.view.setUint32(0x300, 0x56781234, true));
    expect(m.ports.writes).toEqual([[0x3f8, 2, 0x1234], [0x3f8, 2, 0x5678]]);
    expect(m.cpu.getReg(ESI)).toBe(0x304);
  });

  it('without an I/O space, ports read all ones and writes vanish', () => {
    const m = makeMachine({ noPorts: true });
    m.bus.dmaWrite(CODE_SEG << 4, Uint8Array.of(0xe4, 0x60, 0xe6, 0x60, HLT));
    m.cpu.loadSegReal(CS, CODE_SEG);
    m.cpu.eip = 0;
    m.cpu.run(10);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0xff);
    expect(m.cpu.waiting).toBe(true);
  });
});

describe('i386 INTR', () => {
  it('is taken at a boundary with IF set, after the instruction following STI (the STI shadow)', () => {
    const m = run16([0xfb, 0xb0, 0x01, 0xb0, 0x02], {}, (mm) => { // sti; mov $1,%al; mov $2,%al
      handler(mm, [0x88, 0xc3, 0xcf]); // mov %al,%bl; iret
      mm.acks.vector = 0x20;
      mm.cpu.intr.set(true);
    });
    expect(m.acks.count).toBe(1);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(1);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(2);
    expect(m.cpu.getReg(ESP)).toBe(0x8000);
    expect(m.cpu.lastException).toBeNull(); // interrupts are not exceptions
  });

  it('is not taken with IF clear, and HLT stays halted though INTR is high', () => {
    const m = run16([0xfa, 0xb0, 0x01], {}, (mm) => { mm.acks.vector = 0x20; mm.cpu.intr.set(true); }); // cli; mov $1,%al
    expect(m.acks.count).toBe(0);
    expect(m.cpu.waiting).toBe(true);
    expect(m.cpu.run(10)).toBe(0);
  });

  it('wakes HLT: the handler runs and returns after the HLT', () => {
    const m = run16([0xfb, 0xf4, 0xb1, 0x07], {}, (mm) => handler(mm, [0xb3, 0x55, 0xcf])); // sti; hlt; mov $7,%cl
    expect(m.cpu.waiting).toBe(true);
    expect(m.cpu.run(10)).toBe(0);
    m.acks.vector = 0x20;
    m.cpu.intr.set(true);
    expect(m.cpu.waiting).toBe(false);
    m.cpu.run(100);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(0x55);
    expect(m.cpu.getReg(ECX) & 0xff).toBe(7);
    expect(m.cpu.waiting).toBe(true); // the final HLT
    expect(m.cpu.eflags & IF).toBe(IF);
  });

  it('an acknowledge without a vector (-1) takes nothing', () => {
    const m = run16([0xfb, 0xb0, 0x01, 0xb0, 0x02], {}, (mm) => { mm.acks.lower = false; mm.cpu.intr.set(true); });
    expect(m.acks.count).toBeGreaterThan(0);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(2);
    expect(m.cpu.sel[CS]).toBe(CODE_SEG);
    expect(m.cpu.sel[SS]).toBe(0);
  });

  it('interrupts a REP string instruction between iterations, which then resumes', () => {
    // sti; mov $5,%cx; mov $0x300,%si; mov $0x80,%dx; rep outsb -- the first OUT raises INTR
    const m = run16([0xfb, 0xb9, 0x05, 0x00, 0xbe, 0x00, 0x03, 0xba, 0x80, 0x00, 0xf3, 0x6e], {}, (mm) => {
      handler(mm, [0x89, 0xcb, 0xcf]); // mov %cx,%bx; iret
      mm.acks.vector = 0x20;
      mm.ports.onWrite = () => { if (mm.ports.writes.length === 1) mm.cpu.intr.set(true); };
    });
    expect(m.cpu.getReg(EBX) & 0xffff).toBe(4);
    expect(m.cpu.getReg(ECX) & 0xffff).toBe(0);
    expect(m.ports.writes.length).toBe(5);
    expect(m.cpu.getReg(ESI) & 0xffff).toBe(0x305);
  });
});
