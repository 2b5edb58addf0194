import { describe, expect, it } from 'vitest';
import { ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, ECX, EDI, ESI } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';

describe('i386 string operations', () => {
  it('REP MOVSB copies CX bytes DS:SI -> ES:DI and leaves CX = 0', () => {
    const m = run16([0xf3, 0xa4], { [ESI]: 0x300, [EDI]: 0x400, [ECX]: 5 }, (mm) => mm.bus.dmaWrite(0x300, Uint8Array.of(1, 2, 3, 4, 5, 6)));
    expect([...m.ram.u8.subarray(0x400, 0x406)]).toEqual([1, 2, 3, 4, 5, 0]);
    expect(m.cpu.getReg(ECX)).toBe(0);
    expect(m.cpu.getReg(ESI)).toBe(0x305);
    expect(m.cpu.getReg(EDI)).toBe(0x405);
  });

  it('REP STOSW with DF set walks down; LODSB reads and advances SI', () => {
    let m = run16([0xfd, 0xf3, 0xab], { [EAX]: 0xabcd, [EDI]: 0x404, [ECX]: 3 }); // std; rep stosw
    expect(m.ram.view.getUint16(0x400, true)).toBe(0xabcd);
    expect(m.ram.view.getUint16(0x404, true)).toBe(0xabcd);
    expect(m.cpu.getReg(EDI)).toBe(0x3fe);
    m = run16([0xac], { [ESI]: 0x300 }, (mm) => mm.bus.dmaWrite(0x300, Uint8Array.of(0x7e)));
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0x7e);
    expect(m.cpu.getReg(ESI)).toBe(0x301);
  });

  it('REPNE SCASB stops at the match; REPE CMPSB stops at the first difference', () => {
    let m = run16([0xf2, 0xae], { [EAX]: 0x33, [EDI]: 0x400, [ECX]: 10 }, (mm) => mm.bus.dmaWrite(0x400, Uint8Array.of(0x11, 0x22, 0x33, 0x44)));
    expect(m.cpu.getReg(EDI)).toBe(0x403);
    expect(m.cpu.getReg(ECX)).toBe(7);
    expect(m.cpu.eflags & ZF).toBe(ZF);
    m = run16([0xf3, 0xa6], { [ESI]: 0x300, [EDI]: 0x400, [ECX]: 4 }, (mm) => {
      mm.bus.dmaWrite(0x300, Uint8Array.of(1, 2, 9, 4));
      mm.bus.dmaWrite(0x400, Uint8Array.of(1, 2, 3, 4));
    });
    expect(m.cpu.getReg(ECX)).toBe(1);
    expect(m.cpu.getReg(ESI)).toBe(0x303);
    expect(m.cpu.eflags & ZF).toBe(0);
  });
});
