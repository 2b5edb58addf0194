/**
 * Flags the SDM leaves undefined, as QEMU 7.2 sets them (the reference peer; kernels/tests-i386/alu.c
 * checks every case against it). Each case is a line of that program's verbose output on QEMU.
 */
import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, EBX, ECX, EDX } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';

const ARITH = CF | PF | AF | ZF | SF | OF;
const flagsIn = (f: number) => (m: ReturnType<typeof run16>) => { m.cpu.eflags = f; };

describe('i386 undefined flags as QEMU', () => {
  it('RCL/RCR: a count that is a multiple of width + 1 changes no flag; OF = MSB(old ^ new) for any count', () => {
    let m = run16([0xd2, 0xd0], { [EAX]: 0, [ECX]: 9 }, flagsIn(0x8c6)); // rcl %cl, %al by 9 (= 0 mod 9)
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0);
    expect(m.cpu.eflags & ARITH).toBe(0x8c4);
    m = run16([0xd2, 0xd0], { [EAX]: 1, [ECX]: 8 }, flagsIn(0x3)); // rcl by 8 with CF: 1 -> 0x80, CF out 0
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0x80);
    expect(m.cpu.eflags & ARITH).toBe(CF | OF);
    m = run16([0x66, 0xd3, 0xd8], { [EAX]: 1, [ECX]: 2 }, flagsIn(0x3)); // rcr %cl, %eax by 2
    expect(m.cpu.getReg(EAX)).toBe(0xc0000000);
    expect(m.cpu.eflags & ARITH).toBe(OF);
  });

  it('SHLD/SHRD: OF from the value shifted by count - 1; 16-bit counts above 16 shift dst:src:dst', () => {
    let m = run16([0x0f, 0xa5, 0xd0], { [EAX]: 2, [EDX]: 0xdcf7, [ECX]: 31 }, flagsIn(0x2)); // shld %cl, %dx, %ax
    expect(m.cpu.getReg(EAX) & 0xffff).toBe(0x8001);
    expect(m.cpu.eflags & ARITH).toBe(SF | CF);
    m = run16([0x66, 0x0f, 0xa5, 0xd0], { [EAX]: 2, [EDX]: 0x9840dcf7, [ECX]: 31 }, flagsIn(0x2)); // 32-bit
    expect(m.cpu.getReg(EAX)).toBe(0x4c206e7b);
    expect(m.cpu.eflags & ARITH).toBe(OF | PF | CF);
    m = run16([0x0f, 0xad, 0xd0], { [EAX]: 0, [EDX]: 0xe995, [ECX]: 2 }, flagsIn(0x2)); // shrd %cl, %dx, %ax
    expect(m.cpu.getReg(EAX) & 0xffff).toBe(0x4000);
    expect(m.cpu.eflags & ARITH).toBe(OF | PF);
    m = run16([0x0f, 0xad, 0xd0], { [EAX]: 0x5678, [EDX]: 0x6a8d, [ECX]: 17 }, flagsIn(0x2));
    expect(m.cpu.getReg(EAX) & 0xffff).toBe(0x3546);
    expect(m.cpu.eflags & ARITH).toBe(CF);
  });

  it('BSF/BSR: flags as a logic op on the source (ZF, SF, PF of it; CF = OF = AF = 0)', () => {
    let m = run16([0x0f, 0xbc, 0xc3], { [EAX]: 0, [EBX]: 0xff }, flagsIn(0x8d7)); // bsf %bx, %ax
    expect(m.cpu.getReg(EAX) & 0xffff).toBe(0);
    expect(m.cpu.eflags & ARITH).toBe(PF);
    m = run16([0x66, 0x0f, 0xbd, 0xc3], { [EAX]: 0, [EBX]: 0x80000000 }, flagsIn(0x3)); // bsr %ebx, %eax
    expect(m.cpu.getReg(EAX)).toBe(31);
    expect(m.cpu.eflags & ARITH).toBe(SF | PF);
    m = run16([0x66, 0x0f, 0xbc, 0xc3], { [EAX]: 0x12345678, [EBX]: 0 }, flagsIn(0x8d7)); // zero source
    expect(m.cpu.getReg(EAX)).toBe(0x12345678);
    expect(m.cpu.eflags & ARITH).toBe(ZF | PF);
  });
});
