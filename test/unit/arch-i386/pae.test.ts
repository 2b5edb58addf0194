import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX, PAGE_FAULT } from '../../../plugins/arch-i386/src/cpu.js';
import { A, D, enterPaging, P, pagedMachine, PS, RW, runBody, toUser, US, type PagedMachine } from './paging-machine.js';

const PDPT = 0x13000, PAE_PD = 0x14000, PAE_PT0 = 0x15000, PAE_PT2 = 0x16000;
const LOAD = [0x8b, 0x03]; // mov (%ebx), %eax
const STORE_ECX = [0x89, 0x0b]; // mov %ecx, (%ebx)

/** PAE tables: 0-2 MiB identity (4 KiB pages), 2-4 MiB a 2 MiB page at 4 MiB, 4-6 MiB through PAE_PT2 (empty). */
function paeMachine(): PagedMachine {
  const m = pagedMachine();
  const v = m.view;
  v.setUint32(PDPT, PAE_PD | P, true);
  v.setUint32(PAE_PD, PAE_PT0 | P | RW | US, true);
  v.setUint32(PAE_PD + 8, 0x400000 | PS | P | RW | US, true);
  v.setUint32(PAE_PD + 16, PAE_PT2 | P | RW | US, true);
  for (let i = 0; i < 512; i++) v.setUint32(PAE_PT0 + i * 8, (i << 12) | P | RW | US, true);
  enterPaging(m, { cr4: 0x20, cr3: PDPT });
  expect(m.cpu.lastException).toBeNull();
  return m;
}
function setPte(m: PagedMachine, linear: number, lo: number, hi = 0): void {
  const at = PAE_PT2 + ((linear >>> 12) & 511) * 8;
  m.view.setUint32(at, lo >>> 0, true); m.view.setUint32(at + 4, hi >>> 0, true);
}

describe('i386 PAE paging (CR4.PAE, SDM vol. 3, 4.4)', () => {
  it('translates 4 KiB pages through PDPTE, PDE and PTE (A/D set) and 2 MiB pages', () => {
    const m = paeMachine();
    setPte(m, 0x401000, 0x301000 | P | RW);
    runBody(m, [...STORE_ECX, ...LOAD], { [EBX]: 0x401010, [ECX]: 0xabcd });
    expect(m.view.getUint32(0x301010, true)).toBe(0xabcd);
    expect(m.view.getUint32(PAE_PT2 + 8, true) & (A | D)).toBe(A | D);
    expect(m.view.getUint32(PAE_PD + 16, true) & A).toBe(A);
    runBody(m, STORE_ECX, { [EBX]: 0x2abcd0, [ECX]: 0x77 });
    expect(m.view.getUint32(0x4abcd0, true)).toBe(0x77);
  });

  it('not-present PDPTE and PTE fault with code 0/2; reserved bits (address bits above 36, XD without NXE) are P | RSVD', () => {
    const m = paeMachine();
    runBody(m, LOAD, { [EBX]: 0x40000000 }); // PDPTE 1 not present
    expect([m.cpu.lastException?.vector, m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([PAGE_FAULT, 0x40000000, 0]);
    runBody(m, STORE_ECX, { [EBX]: 0x402000 });
    expect([m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([0x402000, 2]);
    setPte(m, 0x403000, 0x303000 | P | RW, 0x100); // bit 40
    runBody(m, STORE_ECX, { [EBX]: 0x403000 });
    expect([m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([0x403000, 0xb]);
    setPte(m, 0x404000, 0x304000 | P | RW, 0x80000000); // XD, EFER.NXE = 0
    runBody(m, LOAD, { [EBX]: 0x404000 });
    expect([m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([0x404000, 0x9]);
  });

  it('with EFER.NXE, XD pages are readable but a fetch from them is #PF with I/D (0x11)', () => {
    const m = paeMachine();
    m.cpu.mmu.setNxe(true);
    setPte(m, 0x405000, 0x305000 | P | RW, 0x80000000);
    m.view.setUint8(0x305000, 0xf4);
    runBody(m, [...LOAD, 0xff, 0xe3], { [EBX]: 0x405000 }); // mov (%ebx), %eax; jmp *%ebx
    expect(m.cpu.getReg(EAX)).toBe(0xf4);
    expect([m.cpu.lastException?.vector, m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([PAGE_FAULT, 0x405000, 0x11]);
    expect(m.cpu.lastException?.eip).toBe(0x405000);
    setPte(m, 0x405000, 0x305000 | P | RW, 0); // executable now (INVLPG first)
    runBody(m, [0x0f, 0x01, 0x3b, 0xff, 0xe3], { [EBX]: 0x405000 }); // invlpg (%ebx); jmp *%ebx
    expect(m.cpu.pc).toBe(0x405001);
    expect(m.cpu.waiting).toBe(true);
  });

  it('user accesses combine U/S and R/W of the PDE and the PTE', () => {
    const m = paeMachine();
    m.view.setUint32(PAE_PD + 16, PAE_PT2 | P | RW, true); // the PDE is supervisor-only
    setPte(m, 0x406000, 0x306000 | P | RW | US);
    toUser(m);
    runBody(m, LOAD, { [EBX]: 0x406000 });
    expect([m.cpu.cr2, m.cpu.lastException?.errorCode]).toEqual([0x406000, 5]);
  });
});
