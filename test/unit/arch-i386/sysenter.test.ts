import { describe, expect, it } from 'vitest';
import { CS, EBX, ESP, GP, SS } from '../../../plugins/arch-i386/src/cpu.js';
import { IF } from '../../../plugins/arch-i386/src/flags.js';
import { KCODE, KDATA, PCODE, protectedMachine, run16, setGate, toRing3, UCODE, UDATA, USTACK } from './machine.js';

// Encodings from `llvm-mc -triple=i386 -show-encoding`: wrmsr 0f 30, sysenter 0f 34, sysexit 0f 35.
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const wrmsr = (index: number, v: number) => [0xb9, ...le32(index), 0xb8, ...le32(v), 0x31, 0xd2, 0x0f, 0x30];
const SYSENTER = [0x0f, 0x34], SYSEXIT = [0x0f, 0x35];
const ENTRY = 0x11000, USER = 0x12000, GP_HANDLER = 0x13000;

function machine(code: number[], sysenterCs = KCODE, ring3 = false) {
  const m = protectedMachine([...wrmsr(0x174, sysenterCs), ...wrmsr(0x175, 0x9000), ...wrmsr(0x176, ENTRY), ...code], (mm) => {
    mm.ram.u8[ENTRY] = 0xf4; // hlt
    mm.bus.dmaWrite(USER, Uint8Array.from([0xbb, 0x01, 0x00, 0x00, 0x00, ...SYSENTER])); // mov $1,%ebx; sysenter
    setGate(mm, GP, GP_HANDLER); mm.ram.u8[GP_HANDLER] = 0xf4;
  });
  if (ring3) { m.cpu.run(12); toRing3(m); } // after the three WRMSRs
  m.cpu.run(100);
  return m;
}

describe('i386 SYSENTER/SYSEXIT (SDM vol. 3, 5.8.7)', () => {
  it('SYSEXIT goes to ring 3 at EDX with ESP = ECX; SYSENTER back to ring 0 with the MSR stack and entry, IF cleared', () => {
    // mov $USTACK,%ecx; mov $USER,%edx; sti; sysexit
    const m = machine([0xb9, ...le32(USTACK), 0xba, ...le32(USER), 0xfb, ...SYSEXIT]);
    const cpu = m.cpu;
    expect(cpu.getReg(EBX)).toBe(1); // ran in ring 3
    expect(cpu.lastException).toBeNull();
    expect(cpu.eip).toBe(ENTRY + 1); // halted in the entry
    expect(cpu.cpl).toBe(0);
    expect(cpu.sel[CS]).toBe(KCODE);
    expect(cpu.sel[SS]).toBe(KDATA);
    expect(cpu.segBig[CS]).toBe(1);
    expect(cpu.segLimit[SS]).toBe(0xffffffff);
    expect(cpu.getReg(ESP)).toBe(0x9000);
    expect(cpu.eflags & IF).toBe(0);
  });

  it('SYSEXIT loads CS = SYSENTER_CS + 16 and SS = + 24 with RPL 3', () => {
    const n = protectedMachine([...wrmsr(0x174, KCODE), 0xb9, ...le32(USTACK), 0xba, ...le32(USER), ...SYSEXIT]);
    n.cpu.run(7); // stops right after the SYSEXIT
    expect(n.cpu.cpl).toBe(3);
    expect(n.cpu.sel[CS]).toBe(UCODE);
    expect(n.cpu.sel[SS]).toBe(UDATA);
    expect(n.cpu.segAttr[CS] & 0x60).toBe(0x60); // DPL 3
    expect(n.cpu.getReg(ESP)).toBe(USTACK);
    expect(n.cpu.eip).toBe(USER);
  });

  it('#GP(0): SYSENTER with a null SYSENTER_CS, SYSEXIT at CPL 3, SYSENTER in real mode', () => {
    let m = machine(SYSENTER, 0);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, errorCode: 0 });
    m = machine(SYSEXIT, KCODE, true);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, errorCode: 0, eip: PCODE + 42 });
    const r = run16(SYSENTER);
    expect(r.cpu.lastException).toMatchObject({ vector: GP, eip: 0 });
  });
});
