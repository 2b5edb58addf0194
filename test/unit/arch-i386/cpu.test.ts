import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { CS, DE, EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, SS, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { CODE_SEG, HLT, makeMachine, run16 } from './machine.js';

const ARITH = CF | PF | AF | ZF | SF | OF;
const flags = (m: ReturnType<typeof makeMachine>) => m.cpu.eflags & ARITH;

describe('i386 reset', () => {
  it('starts at F000:FFF0 with CS base FFFF0000 (linear FFFFFFF0), real mode', () => {
    const { cpu } = makeMachine();
    expect(cpu.sel[CS]).toBe(0xf000);
    expect(cpu.segBase[CS]).toBe(0xffff0000);
    expect(cpu.eip).toBe(0xfff0);
    expect(cpu.pc).toBe(0xfffffff0);
    expect(cpu.eflags).toBe(2);
    expect(cpu.cr0 & 1).toBe(0);
    expect(cpu.privilegeName()).toBe('real');
    expect(cpu.getReg(EDX)).toBe(0x663);
  });
});

describe('i386 MOV and addressing', () => {
  it('MOV imm16, reg to [SI], [BP+DI+4] through SS', () => {
    const m = run16([
      0xb8, 0x34, 0x12, // mov $0x1234, %ax
      0x89, 0x1c, // mov %bx, (%si)
      0x8b, 0x4b, 0x04, // mov 4(%bp,%di), %cx
    ], { [EBX]: 0xbeef, [ESI]: 0x200, [EBP]: 0x300, [EDI]: 0x10 }, (mm) => mm.bus.dmaWrite(0x314, Uint8Array.of(0x78, 0x56)));
    expect(m.cpu.getReg(EAX)).toBe(0x1234);
    expect(m.ram.view.getUint16(0x200, true)).toBe(0xbeef); // DS = 0
    expect(m.cpu.getReg(ECX)).toBe(0x5678);
  });

  it('0x66 and 0x67 prefixes: 32-bit operand and SIB addressing in 16-bit code', () => {
    const m = run16([
      0x66, 0xb8, 0xff, 0xff, 0xff, 0x7f, // movl $0x7fffffff, %eax
      0x67, 0x66, 0x8b, 0x54, 0xb3, 0x08, // movl 8(%ebx,%esi,4), %edx
    ], { [EBX]: 0x100, [ESI]: 2 }, (mm) => mm.ram.view.setUint32(0x110, 0xcafef00d, true));
    expect(m.cpu.getReg(EAX)).toBe(0x7fffffff);
    expect(m.cpu.getReg(EDX)).toBe(0xcafef00d);
  });

  it('LEA computes the 16-bit offset; segment override ES', () => {
    const m = run16([
      0x8d, 0x50, 0x03, // lea 3(%bx,%si), %dx
      0xb8, 0x00, 0x20, 0x8e, 0xc0, // mov $0x2000, %ax; mov %ax, %es
      0x26, 0x8a, 0x07, // mov %es:(%bx), %al
    ], { [EBX]: 0xfff0, [ESI]: 0x20 }, (mm) => mm.bus.dmaWrite(0x2fff0, Uint8Array.of(0x5a)));
    expect(m.cpu.getReg(EDX)).toBe(0x13); // wraps at 64 KiB
    expect(m.cpu.getReg(EAX)).toBe(0x205a);
  });

  it('AH..BH are the high bytes of AX..BX', () => {
    const m = run16([0xb4, 0x12, 0xb7, 0x34], { [EAX]: 0xffff, [EBX]: 0 }); // mov $0x12,%ah; mov $0x34,%bh
    expect(m.cpu.getReg(EAX)).toBe(0x12ff);
    expect(m.cpu.getReg(EBX)).toBe(0x3400);
  });
});

describe('i386 ALU flags', () => {
  it('ADD 0x7fffffff + 1 sets OF, SF, AF, PF; not CF, ZF', () => {
    const m = run16([0x66, 0x83, 0xc0, 0x01], { [EAX]: 0x7fffffff }); // addl $1, %eax
    expect(m.cpu.getReg(EAX)).toBe(0x80000000);
    expect(flags(m)).toBe(OF | SF | AF | PF);
  });

  it('ADD AL 0xff + 1 wraps with CF, ZF, AF, PF', () => {
    const m = run16([0x04, 0x01], { [EAX]: 0xff }); // addb $1, %al
    expect(m.cpu.getReg(EAX)).toBe(0);
    expect(flags(m)).toBe(CF | ZF | AF | PF);
  });

  it('SUB 0 - 1 borrows: CF, SF, AF, PF; CMP leaves the operand', () => {
    let m = run16([0x28, 0xc0, 0x2c, 0x01], { [EAX]: 0x55 }); // sub %al,%al; sub $1,%al
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0xff);
    expect(flags(m)).toBe(CF | SF | AF | PF);
    m = run16([0x83, 0xf8, 0x05], { [EAX]: 5 }); // cmp $5, %ax
    expect(m.cpu.getReg(EAX)).toBe(5);
    expect(flags(m)).toBe(ZF | PF);
    m = run16([0x66, 0x3d, 0x00, 0x00, 0x00, 0x80], { [EAX]: 0x7fffffff }); // cmp $0x80000000, %eax
    expect(flags(m)).toBe(CF | OF | SF | PF);
  });

  it('INC/DEC keep CF; INC 0x7fff sets OF; DEC 0 gives 0xffff', () => {
    let m = run16([0xf9, 0x40], { [EAX]: 0x7fff }); // stc; inc %ax
    expect(m.cpu.getReg(EAX)).toBe(0x8000);
    expect(flags(m)).toBe(CF | OF | SF | AF | PF);
    m = run16([0xf8, 0x49], { [ECX]: 0 }); // clc; dec %cx
    expect(m.cpu.getReg(ECX)).toBe(0xffff);
    expect(flags(m)).toBe(SF | AF | PF);
  });

  it('ADC and SBB use the carry; logic ops clear CF and OF', () => {
    let m = run16([0xf9, 0x83, 0xd0, 0x00], { [EAX]: 0xffff }); // stc; adc $0, %ax
    expect(m.cpu.getReg(EAX)).toBe(0);
    expect(flags(m)).toBe(CF | ZF | AF | PF);
    m = run16([0xf9, 0x19, 0xc9], { [ECX]: 0x1234 }); // stc; sbb %cx, %cx
    expect(m.cpu.getReg(ECX)).toBe(0xffff);
    expect(flags(m) & (CF | SF | ZF)).toBe(CF | SF);
    m = run16([0xf9, 0x31, 0xc0], { [EAX]: 0x1234 }); // stc; xor %ax, %ax
    expect(flags(m)).toBe(ZF | PF);
  });
});

describe('i386 control transfer and stack', () => {
  it('Jcc taken and not taken, JMP short', () => {
    // cmp $5,%ax; je +2; mov $1,%bl ... ; mov $2,%cl
    const m = run16([0x83, 0xf8, 0x05, 0x74, 0x02, 0xb3, 0x01, 0xb1, 0x02], { [EAX]: 5 });
    expect(m.cpu.getReg(EBX)).toBe(0);
    expect(m.cpu.getReg(ECX)).toBe(2);
    const n = run16([0x83, 0xf8, 0x05, 0x74, 0x02, 0xb3, 0x01, 0xb1, 0x02], { [EAX]: 4 });
    expect(n.cpu.getReg(EBX)).toBe(1);
  });

  it('CALL pushes the return IP; RET pops it; PUSH/POP', () => {
    // call +1 (over the hlt); hlt; push %ax; pop %dx; ret -> back to the hlt
    const m = run16([0xe8, 0x01, 0x00, 0xf4, 0x50, 0x5a, 0xc3], { [EAX]: 0xabcd });
    expect(m.cpu.getReg(EDX)).toBe(0xabcd);
    expect(m.cpu.eip).toBe(4); // halted after the HLT at offset 3
    expect(m.cpu.getReg(ESP)).toBe(0x8000);
    expect(m.ram.view.getUint16(0x7ffe, true)).toBe(3);
  });

  it('far JMP reloads CS with selector * 16 in real mode', () => {
    const m = run16([0xea, 0x20, 0x00, 0x00, 0x20], {}, (mm) => mm.bus.dmaWrite(0x20020, Uint8Array.of(0xb0, 0x77, 0xf4)));
    expect(m.cpu.sel[CS]).toBe(0x2000);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0x77);
    expect(m.cpu.pc).toBe(0x20023);
  });
});

describe('i386 exceptions', () => {
  it('an unknown opcode raises #UD through the real-mode IVT, pushing FLAGS, CS, IP of the fault', () => {
    const m = run16([0x90, 0x0f, 0x0b], {}, (mm) => {
      mm.ram.view.setUint16(UD * 4, 0x0100, true);
      mm.ram.view.setUint16(UD * 4 + 2, 0x3000, true);
      mm.bus.dmaWrite(0x30100, Uint8Array.of(0xf4));
      mm.cpu.eflags = 0x202; // IF set
    });
    expect(m.cpu.lastException).toEqual({ vector: UD, eip: 1, errorCode: -1 });
    expect(m.cpu.sel[CS]).toBe(0x3000);
    expect(m.cpu.eip).toBe(0x101);
    expect(m.cpu.getReg(ESP)).toBe(0x8000 - 6);
    expect(m.ram.view.getUint16(0x7ffa, true)).toBe(1); // IP of the faulting instruction
    expect(m.ram.view.getUint16(0x7ffc, true)).toBe(CODE_SEG);
    expect(m.ram.view.getUint16(0x7ffe, true)).toBe(0x202);
    expect(m.cpu.eflags & 0x200).toBe(0); // IF cleared
    expect(DE).toBe(0);
  });
});

describe('i386 run loop', () => {
  it('counts retired instructions and stops at HLT (waiting)', () => {
    const m = run16([0x90, 0x90]);
    expect(m.cpu.retired).toBe(3); // two NOPs and the HLT
    expect(m.cpu.waiting).toBe(true);
    expect(m.cpu.run(10)).toBe(0);
  });

  it('keeps the retired count across run slices, a fault taken mid-slice and a reset', () => {
    // Four NOPs, UD2 (#UD through the IVT to 3000:0100: two NOPs and HLT).
    const m = makeMachine();
    m.bus.dmaWrite(CODE_SEG << 4, Uint8Array.of(0x90, 0x90, 0x90, 0x90, 0x0f, 0x0b));
    m.ram.view.setUint16(UD * 4, 0x0100, true);
    m.ram.view.setUint16(UD * 4 + 2, 0x3000, true);
    m.bus.dmaWrite(0x30100, Uint8Array.of(0x90, 0x90, HLT));
    m.cpu.loadSegReal(CS, CODE_SEG); m.cpu.loadSegReal(SS, 0);
    m.cpu.eip = 0; m.cpu.regs[ESP] = 0x8000;
    const slices: number[] = [];
    for (let i = 0; i < 3; i++) { slices.push(m.cpu.run(2)); expect(m.cpu.retired).toBe(slices.reduce((a, b) => a + b)); }
    // The fault counts as an instruction (as QEMU's icount), then the handler's three.
    expect(slices).toEqual([2, 2, 2]);
    expect(m.cpu.run(10)).toBe(2);
    expect(m.cpu.retired).toBe(8);
    expect(m.cpu.waiting).toBe(true);
    m.cpu.reset();
    expect(m.cpu.retired).toBe(0);
    m.cpu.run(1);
    expect(m.cpu.retired).toBe(1);
  });
});
