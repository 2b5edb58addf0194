import { describe, expect, it } from 'vitest';
import { CS, DS, EAX, EBX, GP } from '../../../plugins/arch-i386/src/cpu.js';
import { run16 } from './machine.js';

/** Flat GDT at 0x500 (null, code 0x08, data 0x10, 4 GiB, D = 1) and its GDTR image at 0x600. */
function flatGdt(view: DataView): void {
  view.setBigUint64(0x508, 0x00cf9a000000ffffn, true);
  view.setBigUint64(0x510, 0x00cf92000000ffffn, true);
  view.setUint16(0x600, 23, true);
  view.setUint32(0x602, 0x500, true);
}

const TO_PROTECTED = [
  0x66, 0x0f, 0x01, 0x17, // lgdtl (%bx)
  0x0f, 0x20, 0xc0, // mov %cr0, %eax
  0x66, 0x83, 0xc8, 0x01, // orl $1, %eax
  0x0f, 0x22, 0xc0, // mov %eax, %cr0
];

describe('i386 protected mode (flat, GDT)', () => {
  it('LGDT, CR0.PE, far JMP reloads CS from the GDT; 32-bit code runs flat', () => {
    const m = run16([...TO_PROTECTED, 0x66, 0xea, 0x00, 0x01, 0x01, 0x00, 0x08, 0x00], { [EBX]: 0x600 }, (mm) => {
      flatGdt(mm.ram.view);
      mm.bus.dmaWrite(0x10100, Uint8Array.from([
        0x66, 0xb8, 0x10, 0x00, // .code32: movw $0x10, %ax
        0x8e, 0xd8, // mov %eax, %ds
        0xbb, 0x78, 0x56, 0x34, 0x12, // mov $0x12345678, %ebx
        0x89, 0x1d, 0x00, 0x00, 0x08, 0x00, // mov %ebx, 0x80000
        0xf4,
      ]));
    });
    expect(m.cpu.lastException).toBeNull();
    expect(m.cpu.cr0 & 1).toBe(1);
    expect(m.cpu.privilegeName()).toBe('PM0');
    expect(m.cpu.gdtBase).toBe(0x500);
    expect(m.cpu.sel[CS]).toBe(8);
    expect(m.cpu.segBase[CS]).toBe(0);
    expect(m.cpu.segLimit[CS]).toBe(0xffffffff);
    expect(m.cpu.segBig[CS]).toBe(1);
    expect(m.cpu.sel[DS]).toBe(0x10);
    expect(m.ram.view.getUint32(0x80000, true)).toBe(0x12345678);
    expect(m.cpu.pc).toBe(0x10112);
  });

  it('a selector past the GDT limit raises #GP(selector) through the IDT', () => {
    const lidt = [0x66, 0x0f, 0x01, 0x5f, 0x06]; // lidtl 6(%bx)
    const m = run16([...lidt, ...TO_PROTECTED, 0x66, 0xea, 0x00, 0x01, 0x01, 0x00, 0x20, 0x00], { [EBX]: 0x600 }, (mm) => {
      flatGdt(mm.ram.view);
      mm.ram.view.setUint16(0x606, 0x7ff, true); // LIDT image at 0x606: the IDT at 0x1000
      mm.ram.view.setUint32(0x608, 0x1000, true);
      mm.ram.view.setBigUint64(0x1000 + GP * 8, 0x00008e0000080000n | 0x2000n, true); // 32-bit interrupt gate -> 08:2000
      mm.bus.dmaWrite(0x2000, Uint8Array.of(0xf4));
    });
    expect(m.cpu.lastException).toEqual({ vector: GP, eip: TO_PROTECTED.length + 5, errorCode: 0x20 });
    expect(m.cpu.eip).toBe(0x2001);
    expect(m.ram.view.getUint32(0x8000 - 16, true)).toBe(0x20); // the error code below EIP, CS, EFLAGS
    expect(m.ram.view.getUint32(0x8000 - 12, true)).toBe(TO_PROTECTED.length + 5); // EIP of the far JMP
    expect(m.cpu.waiting).toBe(true);
  });

  it('OUT/IN go to the I/O port space (ctx.io), not to memory', () => {
    const m = run16([0xb0, 0x42, 0xe6, 0x80, 0xb0, 0x00, 0xe4, 0x80]); // mov $0x42,%al; out %al,$0x80; mov $0,%al; in $0x80,%al
    expect(m.ram.view.getUint8(0x80)).toBe(0);
    expect(m.ports.writes).toEqual([[0x80, 1, 0x42]]);
    expect(m.cpu.getReg(EAX) & 0xff).toBe(0xff); // nobody decodes port 0x80 here: all ones
  });
});
