import { describe, expect, it } from 'vitest';
import { ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, ECX, EDI, ESI } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';
import { BODY, HLT, pagedMachine } from './paging-machine.js';

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

describe('i386 REP STOS over plain RAM (stringOp storeRun: a page at a time)', () => {
  const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
  // rep stosb (EDI 0x30ffd, ECX 0x2010: unaligned, three pages, two REP chunks); rep stosd unaligned (the
  // slow path); rep stosd aligned over 5000 dwords (pages and the 4096-iteration chunk); hlt
  const code = [0xf3, 0xaa, 0xbf, ...le32(0x40002), 0xb9, ...le32(3), 0xb8, ...le32(0x11223344), 0xf3, 0xab,
    0xbf, ...le32(0x50000), 0xb9, ...le32(5000), 0xf3, 0xab, HLT];
  for (const budget of [1, 2, 1000]) {
    it(`stores what one iteration at a time would, with the same counts (budget ${budget})`, () => {
      const m = pagedMachine();
      m.bus.dmaWrite(BODY, Uint8Array.from(code));
      m.cpu.regs[EDI] = 0x30ffd; m.cpu.regs[ECX] = 0x2010; m.cpu.regs[EAX] = 0x5a;
      m.cpu.pc = BODY;
      let slices = 0;
      for (; slices < 100 && !m.cpu.waiting; slices++) m.cpu.run(budget);
      // 3 + 1 + 2 REP steps (4096 iterations each at most), 5 MOVs and the HLT.
      expect(m.cpu.retired).toBe(12);
      const u8 = m.ram.u8;
      expect([u8[0x30ffc], u8[0x30ffd], u8[0x30ffd + 0x200f], u8[0x30ffd + 0x2010]]).toEqual([0, 0x5a, 0x5a, 0]);
      expect(u8.subarray(0x30ffd, 0x30ffd + 0x2010).every((b) => b === 0x5a)).toBe(true);
      expect([...u8.subarray(0x40000, 0x40010)]).toEqual([0, 0, ...[0, 1, 2].flatMap(() => [0x44, 0x33, 0x22, 0x11]), 0, 0]);
      const dw = new Int32Array(u8.buffer, u8.byteOffset + 0x50000, 5001);
      expect(dw.subarray(0, 5000).every((v) => v === 0x11223344)).toBe(true);
      expect(dw[5000]).toBe(0);
      expect([m.cpu.regs[EDI], m.cpu.regs[ECX]]).toEqual([0x50000 + 20000, 0]);
    });
  }
});
