import { describe, expect, it } from 'vitest';
import { EBX, ECX, GP } from '../../../plugins/arch-i386/src/cpu.js';
import { VM } from '../../../plugins/arch-i386/src/consts.js';
import { IF } from '../../../plugins/arch-i386/src/flags.js';
import { VIF, VIP } from '../../../plugins/arch-i386/src/vme.js';
import { KSTACK, protectedMachine, setGate, toRing3, TSS, type TestMachine } from './machine.js';

// Encodings from `llvm-mc -triple=i386 -show-encoding` (.code16 for the V86 code).
const STI = 0xfb, CLI = 0xfa, PUSHF = 0x9c, POP_BX = 0x5b, POP_CX = 0x59, HLT = 0xf4;

/**
 * Ring 0 IRETs to V86 at 5000:0000 (SS:SP 0000:7000) with EFLAGS `flags` and CR4 = `cr4`, running
 * `code`; a HLT there (or any #GP) ends in the ring-0 #GP handler, which halts. The protected-mode
 * INT 0x21 handler sets AL = 0x42.
 */
function v86(flags: number, cr4: number, code: number[], prepare?: (m: TestMachine) => void) {
  const iret = [0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x6a, 0x00, 0x68, 0x00, 0x70, 0x00, 0x00,
    0x68, flags & 0xff, (flags >> 8) & 0xff, (flags >> 16) & 0xff, 0x00, 0x68, 0x00, 0x50, 0x00, 0x00, 0x6a, 0x00, 0xcf];
  const m = protectedMachine(iret, (mm) => {
    mm.bus.dmaWrite(0x50000, Uint8Array.from([...code, HLT]));
    setGate(mm, GP, 0x20000); mm.ram.u8[0x20000] = 0xf4;
    setGate(mm, 0x21, 0x20100, 0xe, 3); mm.bus.dmaWrite(0x20100, Uint8Array.of(0xb0, 0x42, 0xcf)); // mov $0x42,%al; iret
    mm.cpu.cr4 = cr4;
    prepare?.(mm);
  });
  m.cpu.run(100);
  return m;
}
/** The EFLAGS the #GP handler's frame holds (V86 frame: EIP CS EFLAGS ESP SS ES DS FS GS, error code below). */
const frameFlags = (m: TestMachine) => m.ram.view.getUint32(KSTACK - 28, true);
const frameEip = (m: TestMachine) => m.ram.view.getUint32(KSTACK - 36, true);

describe('i386 virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts (CR4.PVI)', () => {
  it('VME at IOPL 0: STI/CLI change VIF, not IF, and PUSHF shows VIF as IF with IOPL 3', () => {
    const m = v86(0x20002, 1, [STI, PUSHF, POP_BX, CLI, PUSHF, POP_CX]);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 6 }); // only the HLT faults
    expect(m.cpu.getReg(EBX) & 0xffff).toBe(0x3202);
    expect(m.cpu.getReg(ECX) & 0xffff).toBe(0x3002);
    expect(frameFlags(m) & (IF | VIF | 0x3000)).toBe(0);
  });

  it('without VME the same STI is #GP(0); with VIP pending STI is #GP(0); PUSHFD is #GP(0)', () => {
    let m = v86(0x20002, 0, [STI]);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 0, errorCode: 0 });
    m = v86(0x20002 | VIP, 1, [STI]);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 0, errorCode: 0 });
    m = v86(0x20002, 1, [0x66, PUSHF]);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 0 });
  });

  it('POPF takes IF into VIF, keeps IF and IOPL; a popped TF is #GP(0)', () => {
    const m = v86(0x20002, 1, [0x68, 0x00, 0x02, 0x9d, PUSHF, POP_BX]); // push $0x200; popf; pushf; pop %bx
    expect(m.cpu.getReg(EBX) & 0xffff).toBe(0x3202);
    expect(frameFlags(m) & (IF | VIF | 0x3000)).toBe(VIF);
    const t = v86(0x20002, 1, [0x68, 0x00, 0x01, 0x9d]); // push $0x100; popf
    expect(t.cpu.lastException).toMatchObject({ vector: GP, eip: 3 });
  });

  it('INT n with its redirection bit clear goes through the V86 IVT with IF = VIF pushed; IRET restores VIF', () => {
    // V86: mov $5,%al; int $0x21; mov %al,%bl -- its handler at 6000:0000: mov $0x99,%al; pushf; pop %cx; iret
    const m = v86(0x20002 | VIF, 1, [0xb0, 0x05, 0xcd, 0x21, 0x88, 0xc3], (mm) => {
      mm.ram.view.setUint32(0x21 * 4, 0x60000000, true);
      mm.bus.dmaWrite(0x60000, Uint8Array.of(0xb0, 0x99, PUSHF, POP_CX, 0xcf));
    });
    expect(m.cpu.getReg(EBX) & 0xff).toBe(0x99); // not the protected-mode handler's 0x42
    expect(m.cpu.getReg(ECX) & 0x200).toBe(0); // VIF cleared in the handler
    expect(m.ram.view.getUint16(0x7000 - 2, true) & 0x3200).toBe(0x3200); // FLAGS pushed with IF = VIF, IOPL 3
    expect(frameFlags(m) & VIF).toBe(VIF);
    expect(frameEip(m)).toBe(6);
  });

  it('INT n with its redirection bit set: #GP(0) at IOPL < 3, the protected-mode handler at IOPL 3', () => {
    const setBit = (mm: TestMachine) => { mm.ram.u8[TSS + 0x68 - 32 + (0x21 >> 3)] |= 1 << (0x21 & 7); };
    const code = [0xb0, 0x05, 0xcd, 0x21, 0x88, 0xc3];
    let m = v86(0x20002, 1, code, setBit);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 2, errorCode: 0 });
    m = v86(0x23002, 1, code, setBit);
    expect(m.cpu.getReg(EBX) & 0xff).toBe(0x42);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, eip: 6 });
    m = v86(0x23202, 1, code, (mm) => { // bit clear at IOPL 3: the V86 IVT, with the real IF cleared
      mm.ram.view.setUint32(0x21 * 4, 0x60000000, true);
      mm.bus.dmaWrite(0x60000, Uint8Array.of(0xb0, 0x99, PUSHF, POP_CX, 0xcf)); // mov $0x99,%al; pushf; pop %cx; iret
    });
    expect(m.cpu.getReg(EBX) & 0xff).toBe(0x99);
    expect(m.cpu.getReg(ECX) & 0x200).toBe(0);
    expect(frameFlags(m) & IF).toBe(IF); // back after the IRET
  });

  it('PVI: CLI/STI at CPL 3 with IOPL 0 change VIF; without PVI they are #GP(0)', () => {
    const ring3 = (cr4: number, code: number[]) => {
      const m = protectedMachine(code, (mm) => {
        setGate(mm, GP, 0x20000); mm.ram.u8[0x20000] = 0xf4;
        mm.cpu.cr4 = cr4;
        toRing3(mm);
        mm.cpu.eflags = 0x2 | VIF;
      });
      return m;
    };
    let m = ring3(2, [CLI, STI]);
    m.cpu.run(1);
    expect(m.cpu.eflags & (VIF | IF)).toBe(0);
    m.cpu.run(1);
    expect(m.cpu.eflags & (VIF | IF)).toBe(VIF);
    expect(m.cpu.lastException).toBeNull();
    m = ring3(0, [CLI]);
    m.cpu.run(1);
    expect(m.cpu.lastException).toMatchObject({ vector: GP, errorCode: 0 });
  });
});
