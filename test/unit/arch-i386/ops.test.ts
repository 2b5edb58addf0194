import { describe, expect, it } from 'vitest';
import { EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GP, GS } from '../../../plugins/arch-i386/src/cpu.js';
import { AF, CF, OF, ZF } from '../../../plugins/arch-i386/src/flags.js';
import { protectedMachine, setGate, toRing3, type TestMachine } from './machine.js';

/** Runs 32-bit flat ring-0 code until HLT; `regs` preset by index. */
function run32(code: number[], regs: Record<number, number> = {}, prepare?: (m: TestMachine) => void) {
  const m = protectedMachine(code, (mm) => {
    setGate(mm, GP, 0x20000);
    mm.ram.u8[0x20000] = 0xf4;
    for (const [i, v] of Object.entries(regs)) mm.cpu.regs[Number(i)] = v;
    prepare?.(mm);
  });
  m.cpu.run(500);
  return m;
}
const r = (m: TestMachine, i: number) => m.cpu.getReg(i);

describe('i386 stack frame instructions', () => {
  it('PUSHAD/POPAD restore every register but ESP', () => {
    const m = run32([0x60, 0xb8, 0, 0, 0, 0, 0xbb, 0, 0, 0, 0, 0x61], { [EAX]: 1, [EBX]: 2, [EDI]: 3 });
    expect([r(m, EAX), r(m, EBX), r(m, EDI), r(m, ESP)]).toEqual([1, 2, 3, 0x8000]);
  });

  it('ENTER/LEAVE, ENTER with a nesting level copies the enclosing frame pointer', () => {
    let m = run32([0xc8, 0x08, 0x00, 0x00, 0x89, 0xe1, 0xc9], { [EBP]: 0x1234 });
    expect([r(m, ECX), r(m, ESP), r(m, EBP)]).toEqual([0x7ff4, 0x8000, 0x1234]);
    m = run32([0xc8, 0x04, 0x00, 0x02], { [EBP]: 0x7000 }, (mm) => mm.ram.view.setUint32(0x6ffc, 0xaaaa, true));
    expect([r(m, EBP), r(m, ESP)]).toEqual([0x7ffc, 0x7ff0]);
    expect([0x7ff4, 0x7ff8, 0x7ffc].map((a) => m.ram.view.getUint32(a, true))).toEqual([0x7ffc, 0xaaaa, 0x7000]);
  });

  it('RET imm16 pops the arguments; PUSH/POP FS/GS/DS/ES; LES/LFS load a far pointer', () => {
    let m = run32([0x6a, 0x07, 0xe8, 0x01, 0x00, 0x00, 0x00, 0xf4, 0xc2, 0x04, 0x00]);
    expect(r(m, ESP)).toBe(0x8000);
    m = run32([0x0f, 0xa0, 0x0f, 0xa9, 0x1e, 0x07, 0xc4, 0x05, 0x00, 0x06, 0x00, 0x00, 0x0f, 0xb4, 0x1d, 0x00, 0x06, 0x00, 0x00], {}, (mm) => {
      mm.ram.view.setUint32(0x600, 0x1234, true);
      mm.ram.view.setUint16(0x604, 0x10, true);
    });
    expect([m.cpu.sel[GS], m.cpu.sel[ES], m.cpu.sel[FS]]).toEqual([0x10, 0x10, 0x10]);
    expect([r(m, EAX), r(m, EBX), r(m, ESP)]).toEqual([0x1234, 0x1234, 0x8000]);
  });
});

describe('i386 multiply, bit and shift instructions', () => {
  it('JMP/CALL through a register or memory to an address above 2^31 leave EIP unsigned (the interpreter reads operands as int32)', () => {
    const m = protectedMachine([0xff, 0xe0], (mm) => { mm.cpu.regs[EAX] = 0x80001000 | 0; }); // jmp eax
    m.cpu.run(1);
    expect(m.cpu.eip).toBe(0x80001000);
    const c = protectedMachine([0xff, 0x15, 0x00, 0x06, 0x00, 0x00], (mm) => mm.ram.view.setUint32(0x600, 0xc0000010, true)); // call [0x600]
    c.cpu.run(1);
    expect(c.cpu.eip).toBe(0xc0000010);
  });

  it('IMUL three- and two-operand forms truncate and set CF/OF on overflow', () => {
    let m = run32([0x6b, 0xc3, 0xfd, 0x0f, 0xaf, 0xd1], { [EBX]: 5, [ECX]: 6, [EDX]: 7 });
    expect([r(m, EAX), r(m, EDX)]).toEqual([0xfffffff1, 42]);
    expect(m.cpu.eflags & (CF | OF)).toBe(0);
    m = run32([0x69, 0xc3, 0x00, 0x00, 0x00, 0x40], { [EBX]: 4 });
    expect(r(m, EAX)).toBe(0);
    expect(m.cpu.eflags & (CF | OF)).toBe(CF | OF);
  });

  it('SHLD/SHRD by imm and CL', () => {
    const m = run32([0x0f, 0xa4, 0xd8, 0x04, 0x0f, 0xad, 0xda], { [EAX]: 0x12345678, [EBX]: 0x9abcdef0, [ECX]: 8, [EDX]: 0x11223344 });
    expect([r(m, EAX), r(m, EDX)]).toEqual([0x23456789, 0xf0112233]);
    expect(m.cpu.eflags & CF).toBe(0);
  });

  it('BT/BTS/BTR/BTC: immediate, register, and a register offset reaching past a memory operand', () => {
    const m = run32([0x0f, 0xba, 0xe0, 0x03, 0x0f, 0x92, 0xc3, 0x0f, 0xab, 0x0d, 0x00, 0x06, 0x00, 0x00, 0x0f, 0xba, 0xf2, 0x00, 0x0f, 0xbb, 0xce],
      { [EAX]: 8, [ECX]: 35, [EDX]: 3, [ESI]: 0 });
    expect(r(m, EBX) & 0xff).toBe(1);
    expect(m.ram.view.getUint32(0x604, true)).toBe(8);
    expect([r(m, EDX), r(m, ESI)]).toEqual([2, 8]);
    const n = run32([0x0f, 0xab, 0x0d, 0x00, 0x06, 0x00, 0x00], { [ECX]: -1 }); // bts %ecx,(0x600) with a negative offset
    expect(n.ram.view.getUint32(0x5fc, true)).toBe(0x80000000);
  });

  it('BSF/BSR; a zero source sets ZF and leaves the destination', () => {
    const m = run32([0x0f, 0xbc, 0xd8, 0x0f, 0xbd, 0xc8, 0x0f, 0xbc, 0xf2], { [EAX]: 0xf0, [EDX]: 0, [ESI]: 0x55 });
    expect([r(m, EBX), r(m, ECX), r(m, ESI)]).toEqual([4, 7, 0x55]);
    expect(m.cpu.eflags & ZF).toBe(ZF);
  });
});

describe('i386 BCD, XLAT, moffs', () => {
  it('DAA, AAA, AAM, AAD', () => {
    let m = run32([0xb0, 0x15, 0x04, 0x27, 0x27]);
    expect(r(m, EAX) & 0xff).toBe(0x42);
    m = run32([0xb0, 0x0f, 0x37], { [EAX]: 0 });
    expect(r(m, EAX) & 0xffff).toBe(0x0105);
    expect(m.cpu.eflags & (CF | AF)).toBe(CF | AF);
    m = run32([0xb0, 0x4d, 0xd4, 0x0a], { [EAX]: 0 });
    expect(r(m, EAX) & 0xffff).toBe(0x0707);
    m = run32([0xb0, 0x4d, 0xd4, 0x0a, 0xd5, 0x0a], { [EAX]: 0 });
    expect(r(m, EAX) & 0xffff).toBe(77);
  });

  it('XLAT reads [EBX + AL]; MOV moffs loads and stores the accumulator', () => {
    let m = run32([0xbb, 0x00, 0x06, 0x00, 0x00, 0xb0, 0x03, 0xd7], {}, (mm) => { mm.ram.u8[0x603] = 0x77; });
    expect(r(m, EAX) & 0xff).toBe(0x77);
    m = run32([0xa1, 0x00, 0x06, 0x00, 0x00, 0xa2, 0x04, 0x06, 0x00, 0x00], {}, (mm) => mm.ram.view.setUint32(0x600, 0xdeadbeef, true));
    expect(r(m, EAX)).toBe(0xdeadbeef);
    expect(m.ram.u8[0x604]).toBe(0xef);
  });
});

describe('i386 i486/Pentium additions', () => {
  it('CPUID: GenuineIntel, family 6 model 6 stepping 3, FPU DE PSE TSC MSR PAE MCE CX8 SEP PGE CMOV PAT FXSR, hypervisor', () => {
    let m = run32([0x0f, 0xa2], { [EAX]: 0 });
    const vendor = [EBX, EDX, ECX].map((i) => String.fromCharCode(...new Uint8Array(Uint32Array.of(r(m, i)).buffer))).join('');
    expect(vendor).toBe('GenuineIntel');
    m = run32([0x0f, 0xa2], { [EAX]: 1 });
    expect(r(m, EAX)).toBe(0x663);
    for (const bit of [0, 2, 3, 4, 5, 6, 7, 8, 11, 13, 15, 16, 24]) expect((r(m, EDX) >>> bit) & 1).toBe(1);
    expect(r(m, EDX) & ((1 << 1) | (1 << 9) | (1 << 23) | (1 << 25) | (1 << 26))).toBe(0); // no VME (as QEMU), APIC, MMX, SSE, SSE2
    expect(r(m, ECX) >>> 0).toBe(0x80000000); // the hypervisor bit only (no SSE3)
  });

  it('RDTSC after WRMSR to the TSC; RDMSR of the APIC base; SYSENTER MSRs store; other MSRs read 0; #GP(0) at CPL 3', () => {
    let m = run32([0x0f, 0x30, 0x0f, 0x31], { [ECX]: 0x10, [EDX]: 1, [EAX]: 5 });
    expect(r(m, EDX)).toBe(1);
    expect(r(m, EAX) - 5).toBeLessThan(1000);
    m = run32([0x0f, 0x32], { [ECX]: 0x1b });
    expect([r(m, EAX), r(m, EDX)]).toEqual([0xfee00900, 0]);
    m = run32([0x0f, 0x30, 0xb8, 0, 0, 0, 0, 0x0f, 0x32], { [ECX]: 0x176, [EAX]: 0xc0101234 });
    expect(r(m, EAX)).toBe(0xc0101234);
    m = run32([0x0f, 0x30, 0x0f, 0x32], { [ECX]: 0x8b, [EAX]: 5, [EDX]: 0 }); // microcode revision, as QEMU
    expect([r(m, EAX), r(m, EDX)]).toEqual([0, 1]);
    m = run32([0x0f, 0x32], { [ECX]: 0x1a0 });
    expect(r(m, EAX)).toBe(1);
    m = run32([0x0f, 0x30, 0x0f, 0x32], { [ECX]: 0x123, [EAX]: 7, [EDX]: 7 }); // unknown: writes vanish, reads 0 (QEMU TCG)
    expect([r(m, EAX), r(m, EDX)]).toEqual([0, 0]);
    expect(m.cpu.lastException).toBeNull();
    m = run32([0x0f, 0x32], { [ECX]: 0x10 }, (mm) => toRing3(mm)); // RDMSR at CPL 3
    expect(m.cpu.lastException).toMatchObject({ vector: GP, errorCode: 0 });
  });

  it('CMPXCHG (equal and not), CMPXCHG8B, XADD, BSWAP, CMOVcc', () => {
    let m = run32([0x0f, 0xb1, 0x0d, 0x00, 0x06, 0x00, 0x00, 0x0f, 0xb1, 0x15, 0x00, 0x06, 0x00, 0x00], { [EAX]: 10, [ECX]: 20, [EDX]: 30 },
      (mm) => mm.ram.view.setUint32(0x600, 10, true));
    expect(m.ram.view.getUint32(0x600, true)).toBe(20);
    expect(r(m, EAX)).toBe(20);
    expect(m.cpu.eflags & ZF).toBe(0);
    m = run32([0x0f, 0xc7, 0x0d, 0x00, 0x06, 0x00, 0x00], { [EAX]: 1, [EDX]: 2, [EBX]: 3, [ECX]: 4 }, (mm) => {
      mm.ram.view.setUint32(0x600, 1, true); mm.ram.view.setUint32(0x604, 2, true);
    });
    expect([m.ram.view.getUint32(0x600, true), m.ram.view.getUint32(0x604, true)]).toEqual([3, 4]);
    expect(m.cpu.eflags & ZF).toBe(ZF);
    m = run32([0x0f, 0xc1, 0xc3, 0x0f, 0xc9], { [EAX]: 1, [EBX]: 2, [ECX]: 0x11223344 });
    expect([r(m, EAX), r(m, EBX), r(m, ECX)]).toEqual([2, 3, 0x44332211]);
    m = run32([0x39, 0xc0, 0x0f, 0x44, 0xc3, 0x0f, 0x45, 0xd1], { [EAX]: 1, [EBX]: 2, [ECX]: 3, [EDX]: 4 });
    expect([r(m, EAX), r(m, EDX)]).toEqual([2, 4]);
  });

  it('SMSW/LMSW/CLTS, WBINVD, INVLPG, hint NOP, MOV DR7/DR6', () => {
    let m = run32([0x0f, 0x01, 0xe0, 0x83, 0xc8, 0x08, 0x0f, 0x01, 0xf0], {}); // smsw %eax; or $8,%eax; lmsw %ax
    expect(m.cpu.cr0 & 8).toBe(8);
    m = run32([0x0f, 0x01, 0xe0, 0x83, 0xc8, 0x08, 0x0f, 0x01, 0xf0, 0x0f, 0x06]);
    expect(m.cpu.cr0 & 8).toBe(0);
    m = run32([0x0f, 0x09, 0x0f, 0x01, 0x3d, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x1f, 0x00, 0x0f, 0x23, 0xf8, 0x0f, 0x21, 0xfb, 0x0f, 0x21, 0xf1], { [EAX]: 0x401 });
    expect(m.cpu.lastException).toBeNull();
    expect([r(m, EBX), r(m, ECX)]).toEqual([0x401, 0xffff0ff0]);
  });

  it('opcode 82 is group 1 on bytes (as 80); MFENCE/LFENCE are no-ops', () => {
    const m = run32([0x82, 0xc0, 0x05, 0x0f, 0xae, 0xf0, 0x0f, 0xae, 0xe8], { [EAX]: 1 }); // addb $5,%al; mfence; lfence
    expect(r(m, EAX)).toBe(6);
    expect(m.cpu.lastException).toBeNull();
  });
});
