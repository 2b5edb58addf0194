import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, EBX, ECX } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';

const ARITH = CF | PF | AF | ZF | SF | OF;

describe('i386 shifts and rotates', () => {
  it('SHL by 31 (32-bit) moves bit 0 to the sign; CF is the last bit out', () => {
    const m = run16([0x66, 0xc1, 0xe0, 0x1f], { [EAX]: 3 }); // shll $31, %eax
    expect(m.cpu.getReg(EAX)).toBe(0x80000000);
    expect(m.cpu.eflags & ARITH).toBe(CF | SF | PF); // OF = MSB ^ CF = 0; low byte 0 has even parity
  });

  it('SHL by 1 sets OF when the sign changes; SHR by 1 sets OF to the old sign', () => {
    let m = run16([0xd1, 0xe0], { [EAX]: 0x4000 }); // shl %ax
    expect(m.cpu.getReg(EAX)).toBe(0x8000);
    expect(m.cpu.eflags & (CF | OF | SF)).toBe(OF | SF);
    m = run16([0xd1, 0xe8], { [EAX]: 0x8001 }); // shr %ax
    expect(m.cpu.getReg(EAX)).toBe(0x4000);
    expect(m.cpu.eflags & (CF | OF | SF | ZF)).toBe(CF | OF);
  });

  it('a count of 0 changes neither operand nor flags; counts are masked to 5 bits', () => {
    let m = run16([0xf9, 0xd2, 0xf8], { [EAX]: 0x81, [ECX]: 0 }); // stc; sar %cl, %al
    expect(m.cpu.getReg(EAX)).toBe(0x81);
    expect(m.cpu.eflags & ARITH).toBe(CF);
    m = run16([0xd2, 0xf8], { [EAX]: 0x81, [ECX]: 33 }); // sar by 33 & 31 = 1
    expect(m.cpu.getReg(EAX)).toBe(0xc0);
    expect(m.cpu.eflags & (CF | OF | SF)).toBe(CF | SF);
  });

  it('ROL/ROR change only CF and OF; RCL/RCR rotate through CF', () => {
    let m = run16([0xf8, 0xd0, 0xc0], { [EAX]: 0x80 }); // clc; rol %al
    expect(m.cpu.getReg(EAX)).toBe(0x01);
    expect(m.cpu.eflags & ARITH).toBe(CF | OF);
    m = run16([0xd3, 0xcb], { [EBX]: 0x0001, [ECX]: 4 }); // ror $4, %bx
    expect(m.cpu.getReg(EBX)).toBe(0x1000);
    expect(m.cpu.eflags & CF).toBe(0);
    m = run16([0xf9, 0xd0, 0xd0], { [EAX]: 0x80 }); // stc; rcl %al
    expect(m.cpu.getReg(EAX)).toBe(0x01);
    expect(m.cpu.eflags & CF).toBe(CF);
    m = run16([0xf9, 0xd1, 0xd8], { [EAX]: 0x0001 }); // stc; rcr %ax
    expect(m.cpu.getReg(EAX)).toBe(0x8000);
    expect(m.cpu.eflags & (CF | OF)).toBe(CF | OF);
  });
});
