import { describe, expect, it } from 'vitest';
import { DB, EBX, ECX, EDI, GP, UD } from '../../../plugins/arch-i386/src/cpu.js';
import { TF } from '../../../plugins/arch-i386/src/flags.js';
import { PCODE, protectedMachine, secondTask, setGate, TASK_CODE, TSS, TSS2, TSS2_SEL, type TestMachine } from './machine.js';

// Encodings from `llvm-mc -triple=i386 -show-encoding` (.code32).
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const movEax = (v: number) => [0xb8, ...le32(v)];
const toDr = (n: number) => [0x0f, 0x23, 0xc0 | (n << 3)]; // mov %eax,%drN
const fromDr = (n: number) => [0x0f, 0x21, 0xc0 | (n << 3)]; // mov %drN,%eax
const setDr = (n: number, v: number) => [...movEax(v), ...toDr(n)];
const NOP = 0x90, INC_EBX = 0x43;
const STORE_6002 = [0xc7, 0x05, 0x02, 0x60, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00]; // movl $5,0x6002
const LOAD_6000 = [0xa1, 0x00, 0x60, 0x00, 0x00]; // mov 0x6000,%eax

/**
 * The #DB handler at 0x20000 (EAX and ECX preserved): counts in [0x700], stores DR6 at 0x704, the pushed EIP at 0x708 and
 * EFLAGS at 0x70c, sets RF and clears TF in the pushed EFLAGS (to resume past an instruction
 * breakpoint, and to stop single-stepping), IRET.
 */
const HANDLER = 0x20000;
const DB_HANDLER = [
  0x50, 0x51, 0xff, 0x05, 0x00, 0x07, 0x00, 0x00, 0x0f, 0x21, 0xf0, 0xa3, 0x04, 0x07, 0x00, 0x00, 0x8b, 0x4c, 0x24, 0x08,
  0x89, 0x0d, 0x08, 0x07, 0x00, 0x00, 0x8b, 0x4c, 0x24, 0x10, 0x89, 0x0d, 0x0c, 0x07, 0x00, 0x00, 0x81, 0x4c, 0x24, 0x10,
  0x00, 0x00, 0x01, 0x00, 0x81, 0x64, 0x24, 0x10, 0xff, 0xfe, 0xff, 0xff, 0x59, 0x58, 0xcf,
];

function debugMachine(code: number[], prepare?: (m: TestMachine) => void) {
  const m = protectedMachine(code, (mm) => {
    setGate(mm, DB, HANDLER);
    mm.bus.dmaWrite(HANDLER, Uint8Array.from(DB_HANDLER));
    setGate(mm, GP, HANDLER + 0x100); mm.ram.u8[HANDLER + 0x100] = 0xf4;
    setGate(mm, UD, HANDLER + 0x100);
    prepare?.(mm);
  });
  m.cpu.run(200);
  const v = m.ram.view;
  return { m, count: v.getUint32(0x700, true), dr6: v.getUint32(0x704, true), eip: v.getUint32(0x708, true), eflags: v.getUint32(0x70c, true) };
}

describe('i386 debug registers (SDM vol. 3, ch. 17)', () => {
  it('an instruction breakpoint faults before the instruction (B0); RF in the pushed EFLAGS resumes it once', () => {
    const target = PCODE + 16 + 2; // the INC after two setDr and two NOPs
    const code = [...setDr(0, target), ...setDr(7, 1), NOP, NOP, INC_EBX, NOP];
    const r = debugMachine(code);
    expect(r.count).toBe(1);
    expect(r.dr6 & 0xf).toBe(1);
    expect((r.dr6 & 0xffff0ff0) >>> 0).toBe(0xffff0ff0);
    expect(r.eip).toBe(target); // a fault: EIP at the instruction
    expect(r.eflags & 0x10000).toBe(0); // the pushed RF is the current one (0) for an instruction breakpoint
    expect(r.m.cpu.getReg(EBX)).toBe(1); // then it ran
    expect(r.m.cpu.eflags & 0x10000).toBe(0); // RF cleared after the resumed instruction
  });

  it('a breakpoint that DR7 does not enable never fires, and nothing is checked per instruction', () => {
    const r = debugMachine([...setDr(0, PCODE + 16), ...setDr(7, 0x300), NOP, NOP, INC_EBX, NOP]); // LE, GE only
    expect(r.count).toBe(0);
    expect(r.m.cpu.debugBefore).toBe(0);
    expect(r.m.cpu.debugAfter).toBe(0);
    expect(r.m.cpu.dr[7]).toBe(0x700); // bit 10 reads as 1
  });

  it('G0 enables as L0 does; a data write breakpoint (R/W 01, LEN 4) traps after the write, not on reads', () => {
    // DR0 = 0x6000, G0, R/W0 = 01, LEN0 = 11: movl $5,0x6002 overlaps; mov 0x6000,%eax does not trigger.
    const code = [...setDr(0, 0x6000), ...setDr(7, 0xd0002), ...LOAD_6000];
    const storeAt = PCODE + code.length;
    code.push(...STORE_6002, INC_EBX, ...LOAD_6000);
    const r = debugMachine(code);
    expect(r.count).toBe(1);
    expect(r.dr6 & 0xf).toBe(1);
    expect(r.eip).toBe(storeAt + STORE_6002.length); // a trap: after the instruction
    expect(r.m.ram.view.getUint32(0x6002, true)).toBe(5);
    expect(r.m.cpu.getReg(EBX)).toBe(1);
  });

  it('R/W 11 traps on reads too; LEN 1 at an address the access does not touch stays quiet', () => {
    let r = debugMachine([...setDr(1, 0x6001), ...setDr(7, 0xf00004), ...LOAD_6000, NOP]); // DR1, L1, R/W 11, LEN 4
    expect(r.count).toBe(1);
    expect(r.dr6 & 0xf).toBe(2);
    r = debugMachine([...setDr(0, 0x6008), ...setDr(7, 0x30001), ...LOAD_6000, ...STORE_6002, NOP]); // LEN 1 at 0x6008
    expect(r.count).toBe(0);
  });

  it('a REP STOSB that writes the watched byte stops after that iteration, traps with RF = 1 and finishes', () => {
    const code = [...setDr(0, 0x6008), ...setDr(7, 0x10001), ...movEax(0x5a), 0xbf, ...le32(0x6000), 0xb9, ...le32(16), 0xf3, 0xaa];
    const repAt = PCODE + code.length - 2;
    const r = debugMachine(code);
    expect(r.count).toBe(1);
    expect(r.eip).toBe(repAt); // between iterations: the REP resumes
    expect(r.eflags & 0x10000).toBe(0x10000);
    expect(r.m.cpu.getReg(ECX)).toBe(0);
    expect(r.m.cpu.getReg(EDI)).toBe(0x6010);
    for (let i = 0; i < 16; i++) expect(r.m.ram.u8[0x6000 + i]).toBe(0x5a);
  });

  it('a REP MOVSB that reads the watched byte stops after that iteration, traps with RF = 1 and finishes', () => {
    // DR0 0x6008, R/W 11 (reads too), LEN 1: the copy's source; ESI 0x6000, EDI 0x7000, ECX 16
    const code = [...setDr(0, 0x6008), ...setDr(7, 0x30001), 0xbe, ...le32(0x6000), 0xbf, ...le32(0x7000), 0xb9, ...le32(16), 0xf3, 0xa4];
    const repAt = PCODE + code.length - 2;
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
    const r = debugMachine(code, (m) => m.bus.dmaWrite(0x6000, bytes));
    expect(r.count).toBe(1);
    expect(r.eip).toBe(repAt); // between iterations: the REP resumes
    expect(r.eflags & 0x10000).toBe(0x10000);
    expect([r.m.cpu.getReg(ECX), r.m.cpu.getReg(EDI)]).toEqual([0, 0x7010]);
    expect([...r.m.ram.u8.subarray(0x7000, 0x7010)]).toEqual([...bytes]);
  });

  it('single-step and a data breakpoint in the same instruction make one #DB with BS and B0', () => {
    // pushf; orl $0x100,(%esp); popf (TF on, no trap after it); the store: BS + B0 together
    const code = [...setDr(0, 0x6000), ...setDr(7, 0xd0001), 0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, ...STORE_6002, INC_EBX];
    const r = debugMachine(code);
    expect(r.count).toBe(1);
    expect(r.dr6 & 0x400f).toBe(0x4001);
    expect(r.eip).toBe(PCODE + code.length - 1);
    expect(r.eflags & TF).toBe(TF);
    expect(r.m.cpu.eflags & TF).toBe(0);
    expect(r.m.cpu.getReg(EBX)).toBe(1);
  });

  it('GD: a MOV DR faults with DR6.BD, GD is cleared for the handler and the MOV then runs', () => {
    const code = [...setDr(0, 0x1234), ...setDr(7, 0x2400), ...fromDr(0), ...[0x89, 0xc3]]; // mov %dr0,%eax; mov %eax,%ebx
    const movAt = PCODE + 16;
    const r = debugMachine(code);
    expect(r.count).toBe(1);
    expect(r.dr6 & 0x2000).toBe(0x2000);
    expect(r.eip).toBe(movAt);
    expect(r.m.cpu.dr[7] & 0x2000).toBe(0);
    expect(r.m.cpu.getReg(EBX)).toBe(0x1234);
  });

  it('DR4/DR5 alias DR6/DR7 while CR4.DE = 0, and are #UD with CR4.DE = 1', () => {
    let r = debugMachine([...setDr(5, 0x1), ...fromDr(4), 0x89, 0xc3]); // mov %eax,%dr5; mov %dr4,%eax; mov %eax,%ebx
    expect(r.m.cpu.dr[7]).toBe(0x401);
    expect(r.m.cpu.getReg(EBX)).toBe(0xffff0ff0 >>> 0);
    // mov %cr4,%eax; or $8,%eax; mov %eax,%cr4; mov %dr5,%eax
    r = debugMachine([0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x08, 0x0f, 0x22, 0xe0, ...fromDr(5)]);
    expect(r.m.cpu.lastException).toMatchObject({ vector: UD, eip: PCODE + 9 });
  });

  it('an I/O breakpoint (R/W 10) needs CR4.DE: OUT to the port then traps after the OUT', () => {
    const out80 = [0xe6, 0x80];
    let r = debugMachine([...setDr(0, 0x80), ...setDr(7, 0x20001), ...out80, NOP]);
    expect(r.count).toBe(0);
    const cr4de = [0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x08, 0x0f, 0x22, 0xe0];
    const code = [...cr4de, ...setDr(0, 0x80), ...setDr(7, 0x20001), ...out80];
    const after = PCODE + code.length;
    r = debugMachine([...code, NOP]);
    expect(r.count).toBe(1);
    expect(r.dr6 & 0xf).toBe(1);
    expect(r.eip).toBe(after);
  });

  it('a fault pushes EFLAGS with RF = 1 while an instruction breakpoint is armed, else RF = 0 as QEMU 7.2', () => {
    let r = debugMachine([0x0f, 0x0b]); // ud2
    expect(r.m.cpu.lastException?.vector).toBe(UD);
    expect(r.m.ram.view.getUint32(0x8000 - 4, true) & 0x10000).toBe(0);
    r = debugMachine([...setDr(0, 0x30000), ...setDr(7, 1), 0x0f, 0x0b]);
    expect(r.m.cpu.lastException?.vector).toBe(UD);
    expect(r.m.ram.view.getUint32(0x8000 - 4, true) & 0x10000).toBe(0x10000);
  });

  it('an instruction with a breakpoint that faults: #DB first, then the fault, whose frame has RF = 1', () => {
    const code = [...setDr(0, PCODE + 16), ...setDr(7, 1), 0x0f, 0x0b];
    const r = debugMachine(code);
    expect(r.count).toBe(1); // the breakpoint, before the UD2
    expect(r.m.cpu.lastException).toMatchObject({ vector: UD, eip: PCODE + 16 });
    expect(r.m.ram.view.getUint32(0x8000 - 4, true) & 0x10000).toBe(0x10000);
  });

  it('a breakpoint on the #DB handler itself loops as on hardware, but each #DB counts against the run budget', () => {
    const m = protectedMachine([...setDr(0, HANDLER), ...setDr(7, 1), 0xf1], (mm) => { // int1
      setGate(mm, DB, HANDLER);
      mm.bus.dmaWrite(HANDLER, Uint8Array.from(DB_HANDLER));
    });
    expect(m.cpu.run(50)).toBe(50);
    expect(m.cpu.lastException?.vector).toBe(DB);
  });

  it("a task switch to a TSS with the T bit set: #DB with DR6.BT before the new task's first instruction", () => {
    const r = debugMachine([0x9a, 0x00, 0x00, 0x00, 0x00, 0x58, 0x00], (m) => { // lcall $0x58,$0
      secondTask(m, [INC_EBX, 0xf4]);
      m.ram.view.setUint16(TSS2 + 0x64, 1, true); // T
    });
    expect(r.count).toBe(1);
    expect(r.dr6 & 0x8000).toBe(0x8000);
    expect(r.eip).toBe(TASK_CODE);
    expect(r.m.cpu.trSel).toBe(TSS2_SEL);
    expect(r.m.cpu.getReg(EBX)).toBe(1);
  });
});
