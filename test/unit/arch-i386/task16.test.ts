import { describe, expect, it } from 'vitest';
import { CS, EAX, EBX, ECX, ESP, GP, SS, TS } from '../../../plugins/arch-i386/src/cpu.js';
import { NT } from '../../../plugins/arch-i386/src/consts.js';
import {
  descriptor, gateDescriptor, GDT, IDT, KCODE16, KDATA, PCODE, protectedMachine, setGate, toRing3, TSS, TSS_SEL, UCODE, UDATA, USTACK,
  type TestMachine,
} from './machine.js';

// Encodings from `llvm-mc -triple=i386 -show-encoding` (.code16 for the 16-bit task).
const TSS16 = 0x3400, TSS16_SEL = 0x58, TASK_IP = 0xa000;

/** A 16-bit TSS (selector 0x58, type 1) whose task runs 16-bit code (KCODE16) at TASK_IP with SP 0x6000, AX 0x1234. */
function task16(m: TestMachine, code: number[], limit = 0x2b): void {
  const v = m.ram.view;
  v.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x68 + 0x20, 0x8b, 0), true); // the current task, busy
  v.setBigUint64(GDT + TSS16_SEL, descriptor(TSS16, limit, 0x81, 0), true);
  m.cpu.gdtLimit = 0x5f;
  v.setUint16(TSS16 + 0x0e, TASK_IP, true);
  v.setUint16(TSS16 + 0x10, 2, true);
  v.setUint16(TSS16 + 0x12, 0x1234, true); // AX
  v.setUint16(TSS16 + 0x1a, 0x6000, true); // SP
  for (let s = 0; s < 4; s++) v.setUint16(TSS16 + 0x22 + 2 * s, s === CS ? KCODE16 : KDATA, true);
  m.bus.dmaWrite(TASK_IP, Uint8Array.from(code));
}

describe('i386 16-bit TSS (SDM vol. 3, 7.6)', () => {
  it('CALL to a 16-bit TSS loads IP, FLAGS, zero-extended registers and ES CS SS DS; its IRET saves them and returns', () => {
    // caller: lcall $0x58,$0; mov %ebx,%ecx -- task (16-bit): mov $0x77,%bx; iret
    const m = protectedMachine([0x9a, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00, 0x89, 0xd9], (mm) => {
      task16(mm, [0xbb, 0x77, 0x00, 0xcf]);
      mm.cpu.regs[EAX] = -1; mm.cpu.regs[EBX] = 0x11112222;
    });
    m.cpu.run(1);
    const cpu = m.cpu;
    expect(cpu.trSel).toBe(TSS16_SEL);
    expect(cpu.trType).toBe(3);
    expect(cpu.eip).toBe(TASK_IP);
    expect(cpu.sel[CS]).toBe(KCODE16);
    expect(cpu.getReg(EAX)).toBe(0x1234);
    expect(cpu.getReg(ESP)).toBe(0x6000);
    expect(cpu.eflags & NT).toBe(NT);
    expect(m.ram.view.getUint16(TSS16, true)).toBe(TSS_SEL); // back link
    expect(m.ram.view.getUint8(GDT + TSS16_SEL + 5) & 0xf).toBe(3); // busy
    m.cpu.run(20);
    expect(cpu.trSel).toBe(TSS_SEL);
    expect(cpu.eip).toBe(PCODE + 10);
    expect(cpu.getReg(ECX)).toBe(0x11112222); // the caller's EBX came back
    expect(cpu.getReg(EAX)).toBe(0xffffffff);
    expect(m.ram.view.getUint16(TSS16 + 0x18, true)).toBe(0x77); // the task's BX, saved in 16 bits
    expect(m.ram.view.getUint16(TSS16 + 0x0e, true)).toBe(TASK_IP + 4); // its IP after the IRET
    expect(m.ram.view.getUint16(TSS16 + 0x22 + 2 * CS, true)).toBe(KCODE16);
    expect(m.ram.view.getUint8(GDT + TSS16_SEL + 5) & 0xf).toBe(1); // available again
  });

  it('a 16-bit TSS with a limit below 0x2b is #TS', () => {
    const m = protectedMachine([0xea, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00], (mm) => { // ljmp $0x58,$0
      task16(mm, [0xf4], 0x2a);
      setGate(mm, TS, 0x20000); mm.ram.u8[0x20000] = 0xf4;
    });
    m.cpu.run(5);
    expect(m.cpu.lastException).toMatchObject({ vector: TS, errorCode: TSS16_SEL, eip: PCODE });
  });

  it('an interrupt from ring 3 through a 16-bit gate switches to SS0:SP0 of the current 16-bit TSS', () => {
    const m = protectedMachine([0xcd, 0x40], (mm) => { // int $0x40
      const v = mm.ram.view;
      v.setBigUint64(GDT + TSS16_SEL, descriptor(TSS16, 0x2b, 0x83, 0), true);
      mm.cpu.gdtLimit = 0x5f;
      v.setUint16(TSS16 + 2, 0x8800, true); // SP0
      v.setUint16(TSS16 + 4, KDATA, true); // SS0
      v.setBigUint64(IDT + 0x40 * 8, gateDescriptor(KCODE16, 0xb000, 0x6, 3), true); // 16-bit interrupt gate, DPL 3
      mm.ram.u8[0xb000] = 0xf4;
      mm.cpu.trSel = TSS16_SEL; mm.cpu.trBase = TSS16; mm.cpu.trLimit = 0x2b; mm.cpu.trType = 3;
      toRing3(mm);
    });
    m.cpu.run(5);
    const cpu = m.cpu, v = m.ram.view;
    expect(cpu.lastException).toMatchObject({ vector: 0x40 });
    expect(cpu.cpl).toBe(0);
    expect(cpu.sel[SS]).toBe(KDATA);
    expect(cpu.sel[CS]).toBe(KCODE16);
    expect(cpu.getReg(ESP)).toBe(0x8800 - 10); // SS, SP, FLAGS, CS, IP as words
    expect(v.getUint16(0x8800 - 2, true)).toBe(UDATA);
    expect(v.getUint16(0x8800 - 4, true)).toBe(USTACK);
    expect(v.getUint16(0x8800 - 8, true)).toBe(UCODE);
    expect(v.getUint16(0x8800 - 10, true)).toBe((PCODE + 2) & 0xffff);
  });

  it('#GP through a task gate into a 16-bit task pushes its error code as a word', () => {
    const m = protectedMachine([0xea, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00], (mm) => { // ljmp $0x60,$0: past the GDT limit
      task16(mm, [0x58, 0xf4]); // pop %ax; hlt
      mm.ram.view.setBigUint64(IDT + GP * 8, (BigInt(TSS16_SEL) << 16n) | (0x85n << 40n), true); // task gate
    });
    m.cpu.run(10);
    expect(m.cpu.trSel).toBe(TSS16_SEL);
    expect(m.cpu.getReg(EAX)).toBe(0x60);
    expect(m.cpu.getReg(ESP)).toBe(0x6000);
    expect(m.ram.view.getUint32(TSS + 0x20, true)).toBe(PCODE); // the faulting EIP saved in the old (32-bit) task
  });
});

describe('i386 task switches to a virtual-8086 task (SDM vol. 3, 20.2.5)', () => {
  it('JMP to a 32-bit TSS whose EFLAGS has VM enters V86 with real-mode segments; its #GP goes to ring 0 through ESP0', () => {
    const TSS2 = 0x3400, TSS2_SEL = 0x58;
    const m = protectedMachine([0xea, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00], (mm) => { // ljmp $0x58,$0
      const v = mm.ram.view;
      v.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x68 + 0x20, 0x8b, 0), true);
      v.setBigUint64(GDT + TSS2_SEL, descriptor(TSS2, 0x67, 0x89, 0), true);
      mm.cpu.gdtLimit = 0x5f;
      v.setUint32(TSS2 + 4, 0x8800, true); v.setUint16(TSS2 + 8, KDATA, true); // ESP0, SS0
      v.setUint32(TSS2 + 0x20, 0, true); // EIP
      v.setUint32(TSS2 + 0x24, 0x20002, true); // EFLAGS: VM, IOPL 0
      v.setUint32(TSS2 + 0x38, 0x7000, true); // ESP
      for (let s = 0; s < 6; s++) v.setUint16(TSS2 + 0x48 + 4 * s, s === CS ? 0x5000 : 0, true);
      mm.bus.dmaWrite(0x50000, Uint8Array.of(0xb3, 0x07, 0xf4)); // mov $7,%bl; hlt
      setGate(mm, GP, 0x20000); mm.ram.u8[0x20000] = 0xf4;
    });
    m.cpu.run(1);
    expect(m.cpu.privilegeName()).toBe('V86');
    expect(m.cpu.cpl).toBe(3);
    expect(m.cpu.pc).toBe(0x50000);
    m.cpu.run(10);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(7);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 2 });
    expect(m.cpu.getReg(ESP)).toBe(0x8800 - 40); // GS FS DS ES SS ESP EFLAGS CS EIP and the error code
  });
});
