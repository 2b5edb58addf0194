import { describe, expect, it } from 'vitest';
import { CS, EAX, EBX, ECX, ESI, ESP, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { CODE_SEG, HLT, makeMachine, run16 } from './machine.js';
import { enterPaging, mapPage, P, pagedMachine, PT1, RW } from './paging-machine.js';

/** Runs the bytes placed at offsets of code segment `cs`, starting at `eip`, until HLT. */
function runAt(eip: number, bytes: Record<number, number[]>, cs = CODE_SEG) {
  const m = makeMachine();
  for (const [off, code] of Object.entries(bytes)) m.bus.dmaWrite((cs << 4) + Number(off), Uint8Array.from(code));
  m.cpu.loadSegReal(CS, cs);
  m.cpu.loadSegReal(SS, 0);
  m.cpu.regs[ESP] = 0x8000;
  m.cpu.eip = eip;
  m.cpu.run(100);
  return m;
}

// The fetch window (cpu.ts) reads instruction bytes from the code page's RAM: these pin the cases it hands to the TLB path.
describe('i386 instruction fetch', () => {
  it('runs code the previous instruction wrote (self-modifying code in the same page)', () => {
    // mov byte [cs:7], 0x42 ; mov al, 0 (its immediate is offset 7) ; hlt
    const m = run16([0x2e, 0xc6, 0x06, 0x07, 0x00, 0x42, 0xb0, 0x00]);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0x42);
  });

  it('fetches an instruction that crosses a page boundary', () => {
    // mov ax, 0x1234 at 0x0ffe (immediate's high byte in the next page); mov eax, 0x12345678 across it too
    let m = runAt(0x0ffd, { 0x0ffd: [0x90, 0xb8, 0x34, 0x12, HLT] }); // the NOP fills the TLB: the MOV starts in the window
    expect(m.cpu.getReg(EAX)).toBe(0x1234);
    expect(m.cpu.eip).toBe(0x1002);
    m = runAt(0x0ffb, { 0x0ffb: [0x90, 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, HLT] });
    expect(m.cpu.getReg(EAX)).toBe(0x12345678);
  });

  it('fetches the rest of a page-crossing instruction through the next linear page\'s mapping', () => {
    // Linear 0x400000 -> 0x200000 and 0x401000 -> 0x300000: the RAM after physical 0x200fff is not the next page.
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x400000, 0x200000 | P | RW);
    mapPage(m, 0x401000, 0x300000 | P | RW);
    m.bus.dmaWrite(0x200ffc, Uint8Array.of(0x90, 0x90, 0xb8, 0x78)); // nop; nop; mov $0x12345678, %eax from 0x400ffe
    m.bus.dmaWrite(0x201000, Uint8Array.of(0xaa, 0xbb, HLT));
    m.bus.dmaWrite(0x300000, Uint8Array.of(0x56, 0x34, 0x12, HLT));
    m.cpu.pc = 0x400ffc;
    m.cpu.run(10);
    expect(m.cpu.getReg(EAX)).toBe(0x12345678);
    expect(m.cpu.pc).toBe(0x401004);
  });

  // The window stays open from one instruction to the next while none jumps: these pin what closes it.
  it('fetches the instruction after an INVLPG of its own page through the new mapping', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x400000, 0x200000 | P | RW);
    // mov [ebx], ecx (the page's PTE -> frame 0x300000); invlpg [esi]; mov eax, 1; hlt. In the new frame: mov eax, 2; hlt.
    m.bus.dmaWrite(0x200000, Uint8Array.of(0x89, 0x0b, 0x0f, 0x01, 0x3e, 0xb8, 1, 0, 0, 0, HLT));
    m.bus.dmaWrite(0x300005, Uint8Array.of(0xb8, 2, 0, 0, 0, HLT));
    m.cpu.regs[EBX] = PT1; m.cpu.regs[ECX] = 0x300000 | P | RW; m.cpu.regs[ESI] = 0x400000;
    m.cpu.pc = 0x400000;
    m.cpu.run(10);
    expect(m.cpu.getReg(EAX)).toBe(2);
    expect(m.cpu.pc).toBe(0x40000b);
  });

  it('fetches at the new CS base when a debugger changes it between instructions (no jump)', () => {
    const m = pagedMachine();
    // At 0x3000: nop; nop; mov eax, 1; hlt. At 0x5002 (CS base 0x2000 higher): mov eax, 2; hlt. The first NOP fills
    // the TLB (a miss: fetched the slow way), the second runs in the window.
    m.bus.dmaWrite(0x3000, Uint8Array.of(0x90, 0x90, 0xb8, 1, 0, 0, 0, HLT));
    m.bus.dmaWrite(0x5002, Uint8Array.of(0xb8, 2, 0, 0, 0, HLT));
    m.cpu.eip = 0x3000;
    expect(m.cpu.run(2)).toBe(2);
    m.cpu.segBase[CS] = 0x2000;
    m.cpu.run(10);
    expect(m.cpu.getReg(EAX)).toBe(2);
  });

  it('wraps IP at 64 KiB inside an instruction in a 16-bit code segment', () => {
    // nop; mov ax, 0x1234 at CS:FFFE: the immediate's high byte is at CS:0000, then hlt at CS:0001. CS = 1080:
    // the wrap falls mid-page (linear 0x20800), where the RAM after CS:FFFF is not the next byte.
    const m = runAt(0xfffd, { 0xfffd: [0x90, 0xb8, 0x34, 0x99], 0: [0x12, HLT] }, 0x1080);
    expect(m.cpu.getReg(EAX)).toBe(0x1234);
    expect(m.cpu.eip).toBe(2);
  });
});
