import { describe, expect, it, vi } from 'vitest';
import { ZF } from '../../../plugins/arch-i386/src/flags.js';
import { EAX, ECX, EDI, ESI, PAGE_FAULT } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';
import { BODY, enterPaging, HLT, mapPage, P, pagedMachine, runBody, RW, toUser } from './paging-machine.js';

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

describe('i386 REP STOSD of a dword whose four bytes are one (storeRun fills bytes: Ram.fill)', () => {
  const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
  for (const eax of [0, 0x7f7f7f7f, -1, 0x7f7f7f7e]) {
    it(`stores 5000 dwords of ${(eax >>> 0).toString(16)} over pages, EDI and ECX after them`, () => {
      const m = pagedMachine();
      m.bus.dmaWrite(BODY, Uint8Array.from([0xbf, ...le32(0x50004), 0xb9, ...le32(5000), 0xb8, ...le32(eax), 0xf3, 0xab, HLT]));
      m.ram.u8.fill(0x99, 0x50000, 0x50000 + 20016);
      m.cpu.pc = BODY;
      for (let slices = 0; slices < 100 && !m.cpu.waiting; slices++) m.cpu.run(1000);
      const dw = new Int32Array(m.ram.u8.buffer, m.ram.u8.byteOffset + 0x50000, 5003);
      expect([dw[0], dw[5001]]).toEqual([0x99999999 | 0, 0x99999999 | 0]);
      expect(dw.subarray(1, 5001).every((v) => v === eax)).toBe(true);
      expect([m.cpu.regs[EDI], m.cpu.regs[ECX]]).toEqual([0x50004 + 20000, 0]);
    });
  }
});

describe('i386 REP MOVS over plain RAM (stringOp copyRun: a page at a time, either direction)', () => {
  const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
  /** The bytes the iterations write one at a time: `count` elements of `size` from `from` to `to`. */
  function reference(u8: Uint8Array, from: number, to: number, count: number, size: number, back: boolean): void {
    const d = back ? -size : size;
    for (let i = 0; i < count; i++, from += d, to += d) u8.copyWithin(to, from, from + size);
  }
  const cases = [
    { name: 'dwords forward across pages and REP chunks', size: 4, back: false, from: 0x30ffe, to: 0x45003, count: 5000 },
    { name: 'dwords back (std), as the Linux decompressor moves itself up', size: 4, back: true, from: 0x31ffc, to: 0x33ff8, count: 3000 },
    { name: 'bytes forward onto the bytes just behind the source (overlap, one move does the same)', size: 1, back: false, from: 0x30100, to: 0x300fd, count: 9000 },
    { name: 'bytes forward onto the bytes just ahead (a repeated pattern: element by element)', size: 1, back: false, from: 0x30100, to: 0x30103, count: 9000 },
    { name: 'words back onto the bytes just below the source (a repeated pattern)', size: 2, back: true, from: 0x32000, to: 0x31ffa, count: 3000 },
    { name: 'words back onto the bytes just above (overlap, one move does the same)', size: 2, back: true, from: 0x32000, to: 0x32006, count: 3000 },
  ];
  for (const c of cases) {
    for (const budget of [1, 1000]) {
      it(`${c.name}: the bytes, registers and counts of one iteration at a time (budget ${budget})`, () => {
        const m = pagedMachine();
        const u8 = m.ram.u8;
        for (let a = 0x2f000; a < 0x50000; a++) u8[a] = (a * 7 + (a >>> 8)) & 255;
        const want = u8.slice();
        reference(want, c.from, c.to, c.count, c.size, c.back);
        // cld/std; rep movsb/movsw/movsd; hlt
        const code = [c.back ? 0xfd : 0xfc, ...(c.size === 2 ? [0x66] : []), 0xf3, c.size === 1 ? 0xa4 : 0xa5, HLT];
        m.bus.dmaWrite(BODY, Uint8Array.from(code));
        m.cpu.regs[ESI] = c.from; m.cpu.regs[EDI] = c.to; m.cpu.regs[ECX] = c.count;
        const runs = vi.spyOn(m.cpu as unknown as { copyRun(): number }, 'copyRun');
        m.cpu.pc = BODY;
        for (let slices = 0; slices < 200 && !m.cpu.waiting; slices++) m.cpu.run(budget);
        expect(m.cpu.waiting).toBe(true);
        // CLD/STD, a REP step per 4096 iterations at most, the HLT.
        expect(m.cpu.retired).toBe(1 + Math.ceil(c.count / 4096) + 1);
        const d = (c.back ? -1 : 1) * c.size * c.count;
        expect([m.cpu.regs[ESI], m.cpu.regs[EDI], m.cpu.regs[ECX]]).toEqual([c.from + d, c.to + d, 0]);
        expect(Buffer.compare(u8.subarray(0x2f000, 0x50000), want.subarray(0x2f000, 0x50000))).toBe(0);
        // Moves of many elements where one move does what the iterations do; none where it would not.
        const moved = runs.mock.results.map((r) => r.value as number);
        const pattern = c.name.includes('pattern');
        expect(moved.some((n) => n > 64)).toBe(!pattern);
      });
    }
  }
});

describe('i386 REP MOVS and the TLB', () => {
  it('at CPL 3 from a supervisor page whose entry the TLB holds (and the destination\'s), faults at the first element as one at a time does', () => {
    const m = pagedMachine();
    mapPage(m, 0x30000, 0x30000 | P | RW); // supervisor only
    m.ram.u8.fill(0x77, 0x30000, 0x30100);
    enterPaging(m);
    // mov 0x30000,%eax; movl $0,0x31000 at CPL 0: the TLB holds both pages
    runBody(m, [0xa1, 0x00, 0x00, 0x03, 0x00, 0xc7, 0x05, 0x00, 0x10, 0x03, 0x00, 0, 0, 0, 0]);
    expect(m.cpu.lastException).toBeNull();
    toUser(m);
    runBody(m, [0xf3, 0xa4], { [ESI]: 0x30000, [EDI]: 0x31000, [ECX]: 64 }); // rep movsb
    expect(m.cpu.lastException?.vector).toBe(PAGE_FAULT);
    expect(m.cpu.lastException?.eip).toBe(BODY);
    expect([m.cpu.regs[ESI], m.cpu.regs[EDI], m.cpu.regs[ECX]]).toEqual([0x30000, 0x31000, 64]);
    expect(m.ram.u8.subarray(0x31000, 0x31040).every((b) => b === 0)).toBe(true);
  });
});

describe('i386 REP MOVS onto translated code', () => {
  it('drops the translation it overwrites, as a store one element at a time does (the new code runs)', () => {
    const m = pagedMachine([], 'jit');
    const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
    const F = 0x5000; // mov $1,%eax; ret
    m.bus.dmaWrite(F, Uint8Array.of(0xb8, 1, 0, 0, 0, 0xc3));
    m.bus.dmaWrite(0x6000, Uint8Array.of(0x90, 0x90, 0x90, 0x90, 0xb8, 2, 0, 0, 0, 0xc3)); // what the copy puts at 0x4ffc
    const call = (at: number) => [0xe8, ...le32(F - (at + 5))];
    // mov $200,%ecx; L: call F; loop L; movl %eax,0x5800 (the TLB holds F's page for writes);
    // mov $0x6000,%esi; mov $0x4ffc,%edi; mov $10,%ecx; rep movsb (4 bytes before F's page, 6 over F); call F; hlt
    const code: number[] = [0xb9, ...le32(200)];
    code.push(...call(BODY + code.length), 0xe2, 0xf9);
    code.push(0xa3, ...le32(0x5800), 0xbe, ...le32(0x6000), 0xbf, ...le32(0x4ffc), 0xb9, ...le32(10), 0xf3, 0xa4);
    code.push(...call(BODY + code.length), HLT);
    m.bus.dmaWrite(BODY, Uint8Array.from(code));
    m.cpu.pc = BODY;
    for (let slices = 0; slices < 100 && !m.cpu.waiting; slices++) m.cpu.run(10_000);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(m.cpu.getReg(EAX)).toBe(2);
    expect([...m.ram.u8.subarray(F, F + 6)]).toEqual([0xb8, 2, 0, 0, 0, 0xc3]);
  });
});
