import { describe, expect, it } from 'vitest';
import { CS, DS, EBX, ESP, GP, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { VM } from '../../../plugins/arch-i386/src/consts.js';
import { KSTACK, protectedMachine, setGate, type TestMachine } from './machine.js';

/** Ring 0 IRETs to V86 at 5000:0000 (SS:SP 0000:7000, data segments 0) with EFLAGS `flags`. */
function toV86(flags: number, prepare?: (m: TestMachine) => void) {
  const iret = [0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x68, 0x00, 0x70, 0x00, 0x00,
    0x68, flags & 0xff, (flags >> 8) & 0xff, (flags >> 16) & 0xff, 0x00, 0x68, 0x00, 0x50, 0x00, 0x00, 0x6a, 0x00, 0xcf];
  return protectedMachine(iret, (mm) => {
    mm.bus.dmaWrite(0x50000, Uint8Array.of(0xb0, 0x05, 0xcd, 0x21, 0x88, 0xc3, 0xf4)); // mov $5,%al; int $0x21; mov %al,%bl; hlt
    setGate(mm, GP, 0x20000); mm.ram.u8[0x20000] = 0xf4;
    setGate(mm, 0x21, 0x20100, 0xe, 3); mm.bus.dmaWrite(0x20100, Uint8Array.of(0xb0, 0x42, 0xcf)); // mov $0x42,%al; iret
    prepare?.(mm);
  });
}

describe('i386 virtual-8086 mode', () => {
  it('IRET with VM enters V86; INT n with IOPL 3 goes to the ring-0 IDT handler and IRET returns to V86', () => {
    const m = toV86(0x23002);
    m.cpu.run(10); // 9 pushes, IRET
    expect(m.cpu.eflags & VM).toBe(VM);
    expect(m.cpu.privilegeName()).toBe('V86');
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.pc).toBe(0x50000);
    expect(m.cpu.segLimit[CS]).toBe(0xffff);
    m.cpu.run(2); // MOV, INT
    expect(m.cpu.eflags & VM).toBe(0);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.sel[DS]).toBe(0);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 36); // GS FS DS ES SS ESP EFLAGS CS EIP
    expect(m.ram.view.getUint32(KSTACK - 36, true)).toBe(4);
    expect(m.ram.view.getUint32(KSTACK - 28, true) & VM).toBe(VM);
    m.cpu.run(20);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(0x42);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 6, errorCode: 0 }); // HLT in V86
    expect(m.cpu.sel[SS]).toBe(0x10);
  });

  it('INT n in V86 with IOPL < 3 is #GP(0)', () => {
    const m = toV86(0x20002);
    m.cpu.run(30);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 2, errorCode: 0 });
  });
});
