import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX } from '../../../plugins/arch-i386/src/cpu.js';
import { pagedMachine, runBody } from './paging-machine.js';

const STORE_LOAD = [0x89, 0x0b, 0x8b, 0x03]; // mov %ecx, (%ebx); mov (%ebx), %eax

describe('i386 A20 gate (irqInput a20)', () => {
  it('is enabled at reset (as QEMU pc): 1 MiB + x is its own memory', () => {
    const m = pagedMachine();
    expect(m.cpu.irqInput('a20')?.level).toBe(true);
    runBody(m, STORE_LOAD, { [EBX]: 0x100010, [ECX]: 0x1234 });
    expect(m.view.getUint32(0x100010, true)).toBe(0x1234);
    expect(m.view.getUint32(0x10, true)).toBe(0);
  });

  it('low forces physical bit 20 to 0 (1 MiB + x aliases x), high again undoes it, TLB entries included', () => {
    const m = pagedMachine();
    runBody(m, STORE_LOAD, { [EBX]: 0x100010, [ECX]: 0x1111 }); // fills the TLB with A20 on
    m.cpu.irqInput('a20')!.set(false);
    runBody(m, STORE_LOAD, { [EBX]: 0x100010, [ECX]: 0x2222 });
    expect(m.view.getUint32(0x10, true)).toBe(0x2222);
    expect(m.view.getUint32(0x100010, true)).toBe(0x1111);
    runBody(m, STORE_LOAD, { [EBX]: 0x300020, [ECX]: 0x3333 }); // bit 20 only: 3 MiB + x -> 2 MiB + x
    expect(m.view.getUint32(0x200020, true)).toBe(0x3333);
    m.cpu.irqInput('a20')!.set(true);
    runBody(m, [0x8b, 0x03], { [EBX]: 0x100010 });
    expect(m.cpu.getReg(EAX)).toBe(0x1111);
  });

  it('applies to the page walk and to the translated page with paging on', () => {
    const m = pagedMachine();
    m.cpu.irqInput('a20')!.set(false);
    m.view.setUint32(0x11000 + 0x100 * 4, 0x101000 | 7, true); // linear 1 MiB -> physical 1 MiB + 4 KiB (-> 4 KiB)
    runBody(m, [0x0f, 0x22, 0xdb, 0x0f, 0x22, 0xc1], { [EBX]: 0x10000, [ECX]: 0xe0000011 }); // mov %ebx,%cr3; mov %ecx,%cr0
    expect(m.cpu.lastException).toBeNull();
    runBody(m, [0x89, 0x0b], { [EBX]: 0x100008, [ECX]: 0x4444 });
    expect(m.view.getUint32(0x1008, true)).toBe(0x4444);
  });
});
