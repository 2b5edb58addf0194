import { describe, expect, it } from 'vitest';
import { CS, DF, EAX, ECX, ESP, NP, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { NT } from '../../../plugins/arch-i386/src/consts.js';
import { descriptor, GDT, IDT, KCODE, KDATA, PCODE, protectedMachine, setGate, TSS, TSS_SEL, type TestMachine } from './machine.js';

const TSS2 = 0x3400, TSS2_SEL = 0x58, TASK_CODE = 0x20200;

/** A second 32-bit TSS (selector 0x58) whose task starts at TASK_CODE with ESP 0x6000; the current TSS marked busy. */
function secondTask(m: TestMachine, code: number[]): void {
  const v = m.ram.view;
  v.setBigUint64(GDT + TSS_SEL, descriptor(TSS, 0x68 + 0x20, 0x8b, 0), true);
  v.setBigUint64(GDT + TSS2_SEL, descriptor(TSS2, 0x67, 0x89, 0), true);
  m.cpu.gdtLimit = 0x5f;
  v.setUint32(TSS2 + 0x20, TASK_CODE, true);
  v.setUint32(TSS2 + 0x24, 2, true);
  v.setUint32(TSS2 + 0x38, 0x6000, true);
  for (let s = 0; s < 6; s++) v.setUint16(TSS2 + 0x48 + 4 * s, s === CS ? KCODE : KDATA, true);
  m.bus.dmaWrite(TASK_CODE, Uint8Array.from(code));
}

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
