import { describe, expect, it } from 'vitest';
import { CF, OF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, EBX, ESI, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';

describe('i386 PUSH imm, POP r/m, group FE/FF', () => {
  it('PUSH imm16 and sign-extended imm8; POP to memory; PUSH r/m', () => {
    const m = run16([0x68, 0x34, 0x12, 0x6a, 0xfe, 0x8f, 0x04, 0xff, 0x34], { [ESI]: 0x300 });
    expect(m.ram.view.getUint16(0x300, true)).toBe(0xfffe);
    expect(m.ram.view.getUint16(0x7ffc, true)).toBe(0xfffe); // pushed again from (%si)
    expect(m.ram.view.getUint16(0x7ffe, true)).toBe(0x1234);
    expect(m.cpu.getReg(ESP)).toBe(0x7ffc);
  });

  it('INC byte in memory wraps to 0 with ZF and keeps CF', () => {
    const m = run16([0xf9, 0xfe, 0x04], { [ESI]: 0x300 }, (mm) => mm.bus.dmaWrite(0x300, Uint8Array.of(0xff)));
    expect(m.ram.view.getUint8(0x300)).toBe(0);
    expect(m.cpu.eflags & (CF | ZF | OF)).toBe(CF | ZF);
  });

  it('CALL near indirect through a register pushes the return IP; JMP near indirect through memory', () => {
    // call *%bx -> 0x0005: mov $7,%al ; jmp *(%si) -> 0x000a: hlt
    const m = run16([0xff, 0xd3, 0xf4, 0x90, 0x90, 0xb0, 0x07, 0xff, 0x24, 0x90, 0xf4], { [EBX]: 5, [ESI]: 0x300 },
      (mm) => mm.ram.view.setUint16(0x300, 0x000a, true));
    expect(m.cpu.getReg(EAX) & 0xff).toBe(7);
    expect(m.ram.view.getUint16(0x7ffe, true)).toBe(2);
    expect(m.cpu.eip).toBe(0x0b);
  });
});
