import { describe, expect, it } from 'vitest';
import { AF, CF, PF, SF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { CS, EAX, EBX, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { CODE_SEG, run16 } from './machine.js';

describe('i386 INT n, IRET, PUSHF/POPF, SAHF/LAHF (real mode)', () => {
  it('INT 10h goes through the IVT with the next IP pushed; IRET returns and restores FLAGS', () => {
    const m = run16([0xfb, 0xcd, 0x10, 0xb0, 0x01], {}, (mm) => { // sti; int $0x10; mov $1,%al
      mm.ram.view.setUint32(0x10 * 4, 0x30000100, true);
      mm.bus.dmaWrite(0x30100, Uint8Array.of(0xb3, 0x55, 0xcf)); // mov $0x55,%bl; iret
    });
    expect(m.cpu.getReg(EBX)).toBe(0x55);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(1);
    expect(m.cpu.sel[CS]).toBe(CODE_SEG);
    expect(m.cpu.getReg(ESP)).toBe(0x8000);
    expect(m.cpu.eflags & 0x200).toBe(0x200); // IF back after IRET
    expect(m.ram.view.getUint16(0x7ffa, true)).toBe(3); // return IP: after the INT
  });

  it('PUSHF/POPF round-trip CF; SAHF loads SF ZF AF PF CF from AH; LAHF stores them', () => {
    let m = run16([0xf9, 0x9c, 0xf8, 0x9d]); // stc; pushf; clc; popf
    expect(m.cpu.eflags & CF).toBe(CF);
    m = run16([0x9e], { [EAX]: 0xff00 }); // sahf
    expect(m.cpu.eflags & 0xff).toBe(SF | ZF | AF | PF | CF | 2);
    m = run16([0x04, 0xff, 0x9f], { [EAX]: 1 }); // add $0xff,%al -> 0 with CF ZF AF PF; lahf
    expect((m.cpu.getReg(EAX) >>> 8) & 0xff).toBe(CF | ZF | AF | PF | 2);
  });
});
