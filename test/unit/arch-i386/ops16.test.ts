import { describe, expect, it } from 'vitest';
import { DS, EAX, EBX, ECX, ESI, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { CF } from '../../../plugins/arch-i386/src/flags.js';
import { CODE_SEG, run16 } from './machine.js';

const ax = (m: ReturnType<typeof run16>) => m.cpu.getReg(EAX) & 0xffff;

describe('i386 instructions in 16-bit real mode', () => {
  it('DAS, AAS, SALC', () => {
    expect(ax(run16([0xb0, 0x42, 0x2c, 0x15, 0x2f])) & 0xff).toBe(0x27);
    expect(ax(run16([0xb8, 0x05, 0x02, 0x2c, 0x08, 0x3f]))).toBe(0x0107);
    expect(ax(run16([0xf9, 0xd6])) & 0xff).toBe(0xff);
  });

  it('SHLD/SHRD on words, IMUL imm16 overflow, CMPXCHG on a byte', () => {
    expect(ax(run16([0x0f, 0xa4, 0xd8, 0x04], { [EAX]: 0x1234, [EBX]: 0xabcd }))).toBe(0x234a);
    expect(ax(run16([0x0f, 0xac, 0xd8, 0x04], { [EAX]: 0x1234, [EBX]: 0xabcd }))).toBe(0xd123);
    const m = run16([0x69, 0xc3, 0x2c, 0x01], { [EBX]: 300 });
    expect(ax(m)).toBe(90000 & 0xffff);
    expect(m.cpu.eflags & CF).toBe(CF);
    const c = run16([0x0f, 0xb0, 0x0e, 0x00, 0x03], { [EAX]: 7, [ECX]: 9 }, (mm) => { mm.ram.u8[0x300] = 7; });
    expect(c.ram.u8[0x300]).toBe(9);
  });

  it('LDS loads a far pointer; PUSH CS / POP DS; ARPL is #UD in real mode', () => {
    let m = run16([0xc5, 0x36, 0x00, 0x03], {}, (mm) => { mm.ram.view.setUint16(0x300, 0x1234, true); mm.ram.view.setUint16(0x302, 0x2000, true); });
    expect(m.cpu.getReg(ESI)).toBe(0x1234);
    expect(m.cpu.sel[DS]).toBe(0x2000);
    expect(m.cpu.segBase[DS]).toBe(0x20000);
    m = run16([0x0e, 0x1f]);
    expect(m.cpu.sel[DS]).toBe(CODE_SEG);
    m = run16([0x63, 0xc3]);
    expect(m.cpu.lastException?.vector).toBe(UD);
  });
});
