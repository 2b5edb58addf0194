import { describe, expect, it } from 'vitest';
import { CS, DS, EAX, EBX, ECX, ES, ESP, GP, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { IF } from '../../../plugins/arch-i386/src/flags.js';
import {
  CALL_GATE, GDT, KCODE, KSTACK, LDT_SEL, PCODE, protectedMachine, TSS_SEL, setGate, toRing3, UCODE, UDATA, USTACK, type TestMachine,
} from './machine.js';

const HANDLER = 0x20000;
function gpHalts(m: TestMachine): void { setGate(m, GP, HANDLER); m.ram.u8[HANDLER] = 0xf4; }
function ring3(code: number[], prepare?: (m: TestMachine) => void) {
  const m = protectedMachine(code, (mm) => { gpHalts(mm); prepare?.(mm); toRing3(mm); });
  m.cpu.run(50);
  return m;
}

describe('i386 privilege checks', () => {
  it('ring 3 cannot load a DPL 0 data segment into DS or SS (#GP(selector)); its own data loads', () => {
    let m = ring3([0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8]); // mov $0x10,%ax; mov %ax,%ds
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 4, errorCode: 0x10 });
    m = ring3([0x66, 0xb8, 0x23, 0x00, 0x8e, 0xd8, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd0]);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 10, errorCode: 0x10 });
    expect(m.cpu.sel[DS]).toBe(UDATA);
  });

  it('CLI at CPL 3 is #GP(0) with IOPL 0 and allowed with IOPL 3; MOV CR0 is #GP(0)', () => {
    let m = ring3([0xfa]);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE, errorCode: 0 });
    m = ring3([0xfa], (mm) => { mm.cpu.eflags = mm.cpu.eflags | 0x3000 | IF; });
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 1, errorCode: 0 }); // the HLT after it
    expect(m.cpu.eflags & IF).toBe(0);
    m = ring3([0x0f, 0x22, 0xc0]);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE, errorCode: 0 });
  });

  it('POPF at CPL 3 with IOPL 0 changes neither IOPL nor IF, without a fault', () => {
    const m = ring3([0x68, 0x00, 0x32, 0x00, 0x00, 0x9d, 0x9c, 0x5b]); // pushl $0x3200; popfl; pushfl; popl %ebx
    expect(m.cpu.getReg(EBX) & 0x3200).toBe(0);
    expect(m.cpu.lastException?.eip).toBe(PCODE + 8); // the HLT
  });

  it('IN/OUT at CPL 3 follow the TSS I/O permission bitmap (ports 0x80-0x87 open)', () => {
    // in $0x80,%al; mov $0x84,%dx; out %ax,%dx; in $0x60,%al
    const m = ring3([0xe4, 0x80, 0x66, 0xba, 0x84, 0x00, 0x66, 0xef, 0xe4, 0x60]);
    expect(m.ports.writes).toEqual([[0x84, 2, 0xff]]); // AL all ones from port 0x80, AH 0
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 8, errorCode: 0 });
  });

  it('CALL through a ring-3 call gate to ring 0 copies parameters; RETF imm pops them and returns to ring 3, nulling DS', () => {
    // user: pushl $0x1234; lcall $0x4b,$0; mov %eax,%ecx
    // ring 0: mov 8(%esp),%ebx; mov $0x10,%ax; mov %ax,%ds; mov $0x99,%eax; lret $4
    const m = protectedMachine([0x68, 0x34, 0x12, 0x00, 0x00, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x4b, 0x00, 0x89, 0xc1], (mm) => {
      gpHalts(mm);
      mm.bus.dmaWrite(0x20100, Uint8Array.of(0x8b, 0x5c, 0x24, 0x08, 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xb8, 0x99, 0x00, 0x00, 0x00, 0xca, 0x04, 0x00));
      toRing3(mm);
    }, 0x20100);
    m.cpu.run(2);
    expect(m.cpu.cpl).toBe(0);
    expect(m.cpu.sel[CS]).toBe(KCODE);
    expect(m.cpu.regs[ESP]).toBe(KSTACK - 20);
    const frame = [0, 1, 2, 3, 4].map((i) => m.ram.view.getUint32(KSTACK - 20 + 4 * i, true));
    expect(frame).toEqual([PCODE + 12, UCODE, 0x1234, USTACK - 4, UDATA]);
    m.cpu.run(6); // to the MOV after the LCALL
    expect(m.cpu.getReg(EBX)).toBe(0x1234);
    expect(m.cpu.getReg(ECX)).toBe(0x99);
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.sel[SS]).toBe(UDATA);
    expect(m.cpu.regs[ESP]).toBe(USTACK);
    expect(m.cpu.sel[DS]).toBe(0); // the ring-0 DS is not usable at CPL 3
    m.cpu.run(50);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 14, errorCode: 0 }); // HLT
    expect(CALL_GATE & 3).toBe(3);
  });

  it('a far JMP from ring 0 straight to ring-3 code is #GP(selector)', () => {
    const m = protectedMachine([0xea, 0x00, 0x00, 0x01, 0x00, 0x1b, 0x00], gpHalts);
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE, errorCode: 0x18 });
  });

  it('LTR marks the TSS busy (a second LTR faults), LLDT makes LDT selectors work, SLDT/STR read them', () => {
    const m = protectedMachine([
      0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8, // mov $0x28,%ax; ltr %ax
      0x66, 0xb8, 0x30, 0x00, 0x0f, 0x00, 0xd0, // mov $0x30,%ax; lldt %ax
      0x66, 0xb8, 0x0f, 0x00, 0x8e, 0xc0, // mov $0x0f,%ax; mov %ax,%es
      0x66, 0x0f, 0x00, 0xc3, 0x0f, 0x00, 0xc9, // sldt %bx; str %ecx
      0x66, 0xb8, 0x28, 0x00, 0x0f, 0x00, 0xd8, // mov $0x28,%ax; ltr %ax
    ], (mm) => { gpHalts(mm); mm.cpu.trSel = 0; });
    m.cpu.run(50);
    expect(m.cpu.sel[ES]).toBe(0x0f);
    expect(m.cpu.segBase[ES]).toBe(0x8000);
    expect(m.cpu.getReg(EBX) & 0xffff).toBe(LDT_SEL);
    expect(m.cpu.getReg(ECX)).toBe(TSS_SEL);
    expect((m.ram.view.getUint32(GDT + TSS_SEL + 4, true) >>> 8) & 0xf).toBe(0xb);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 31, errorCode: TSS_SEL });
  });

  it('LAR, LSL, VERR on the ring-3 data segment', () => {
    const m = ring3([0x0f, 0x02, 0xd8, 0x0f, 0x03, 0xc8, 0x0f, 0x00, 0xe0, 0x0f, 0x94, 0xc2], (mm) => { mm.cpu.regs[EAX] = UDATA; });
    expect(m.cpu.getReg(EBX)).toBe(0x00c0f200); // limit 19:16 masked out, as QEMU
    expect(m.cpu.getReg(ECX)).toBe(0xffffffff);
    expect(m.cpu.getReg(2) & 0xff).toBe(1);
  });
});

describe('i386 segment checks (strictSegments; QEMU makes none)', () => {
  it('an access past the limit is #GP(0); through a null segment too; off, both go through', () => {
    // mov $0x50,%ax; mov %ax,%es; mov %es:(0xffc),%ebx; mov %es:(0xffe),%eax
    const code = [0x66, 0xb8, 0x50, 0x00, 0x8e, 0xc0, 0x26, 0x8b, 0x1d, 0xfc, 0x0f, 0x00, 0x00, 0x26, 0xa1, 0xfe, 0x0f, 0x00, 0x00];
    let m = protectedMachine(code, (mm) => { gpHalts(mm); mm.cpu.strictSegments = true; mm.ram.view.setUint32(0x4ffc, 0x12345678, true); });
    m.cpu.run(20);
    expect(m.cpu.getReg(EBX)).toBe(0x12345678);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 13, errorCode: 0 });
    const nullFs = [0x31, 0xc0, 0x8e, 0xe0, 0x64, 0x8b, 0x1d, 0x00, 0x00, 0x00, 0x00]; // xor %eax,%eax; mov %ax,%fs; mov %fs:(0),%ebx
    m = protectedMachine(nullFs, (mm) => { gpHalts(mm); mm.cpu.strictSegments = true; });
    m.cpu.run(20);
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: PCODE + 4, errorCode: 0 });
    m = protectedMachine(code, gpHalts);
    m.cpu.run(20);
    expect(m.cpu.lastException).toBeNull();
  });
});
