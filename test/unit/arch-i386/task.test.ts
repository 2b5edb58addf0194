import { describe, expect, it } from 'vitest';
import { CS, DF, EAX, ECX, ESP, NP, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { NT } from '../../../plugins/arch-i386/src/consts.js';
import { GDT, IDT, PCODE, protectedMachine, secondTask, setGate, TASK_CODE, TSS, TSS2, TSS2_SEL, TSS_SEL } from './machine.js';

describe('i386 task switches', () => {
  it('CALL to a TSS runs the task with NT and a back link; its IRET returns to the caller', () => {
    // caller: lcall $0x58,$0; mov %ebx,%ecx -- task: mov $0x77,%ebx; iret
    const m = protectedMachine([0x9a, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00, 0x89, 0xd9], (mm) => secondTask(mm, [0xbb, 0x77, 0x00, 0x00, 0x00, 0xcf]));
    m.cpu.run(1);
    expect(m.cpu.trSel).toBe(TSS2_SEL);
    expect(m.cpu.eip).toBe(TASK_CODE);
    expect(m.cpu.regs[ESP]).toBe(0x6000);
    expect(m.cpu.eflags & NT).toBe(NT);
    expect(m.ram.view.getUint16(TSS2, true)).toBe(TSS_SEL);
    expect(m.ram.view.getUint32(TSS + 0x20, true)).toBe(PCODE + 7); // the caller's EIP saved
    expect(m.cpu.cr0 & 8).toBe(8); // CR0.TS
    m.cpu.run(20);
    expect(m.cpu.trSel).toBe(TSS_SEL);
    expect(m.ram.view.getUint32(TSS2 + 0x34, true)).toBe(0x77); // the task's EBX, saved by its IRET
    expect(m.cpu.getReg(ECX)).toBe(0); // the caller's registers are back
    expect(m.cpu.eip).toBe(PCODE + 10);
    expect(m.cpu.regs[ESP]).toBe(0x8000);
    expect((m.ram.view.getUint8(GDT + TSS2_SEL + 5) & 0xf)).toBe(0x9); // no longer busy
  });

  it('#DF through a task gate switches to the double-fault task with the error code on its stack', () => {
    const m = protectedMachine([0x0f, 0x0b], (mm) => {
      secondTask(mm, [0x58, 0xf4]); // pop %eax; hlt
      for (const v of [UD, NP]) setGate(mm, v, 0x20000, 0xe);
      for (const v of [UD, NP]) mm.ram.u8[IDT + v * 8 + 5] &= 0x7f;
      mm.ram.view.setBigUint64(IDT + DF * 8, (BigInt(TSS2_SEL) << 16n) | (0x85n << 40n), true); // task gate
      mm.cpu.regs[EAX] = 0x1234;
    });
    m.cpu.run(20);
    expect(m.cpu.trSel).toBe(TSS2_SEL);
    expect(m.cpu.getReg(EAX)).toBe(0);
    expect(m.cpu.eip).toBe(TASK_CODE + 2);
    expect(m.ram.view.getUint32(TSS + 0x20, true)).toBe(PCODE); // the faulting EIP saved in the old task
  });
});
