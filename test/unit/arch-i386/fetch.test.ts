import { describe, expect, it } from 'vitest';
import { CS, EAX, ESP, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { CODE_SEG, HLT, makeMachine, run16 } from './machine.js';
import { enterPaging, mapPage, P, pagedMachine, RW } from './paging-machine.js';

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

  it('wraps IP at 64 KiB inside an instruction in a 16-bit code segment', () => {
    // nop; mov ax, 0x1234 at CS:FFFE: the immediate's high byte is at CS:0000, then hlt at CS:0001. CS = 1080:
    // the wrap falls mid-page (linear 0x20800), where the RAM after CS:FFFF is not the next byte.
    const m = runAt(0xfffd, { 0xfffd: [0x90, 0xb8, 0x34, 0x99], 0: [0x12, HLT] }, 0x1080);
    expect(m.cpu.getReg(EAX)).toBe(0x1234);
    expect(m.cpu.eip).toBe(2);
  });
});
