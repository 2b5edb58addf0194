import { describe, expect, it } from 'vitest';
import { EAX, EBX, ECX, ESP, GP, PAGE_FAULT } from '../../../plugins/arch-i386/src/cpu.js';
import { ACCESS_READ, ACCESS_WRITE, FAST_EMPTY, FAST_KIND_SR, FAST_KIND_SW, FAST_KIND_UR, FAST_KIND_UW, TLB_BITS, TLB_MASK } from '../../../plugins/arch-i386/src/mmu.js';
import { A, BODY, D, enterPaging, G, KSTACK, mapPage, P, PD, pagedMachine, PS, pte, PT1, RW, runBody, toUser, US, type PagedMachine } from './paging-machine.js';

const LOAD = [0x8b, 0x03]; // mov (%ebx), %eax
const STORE_ECX = [0x89, 0x0b]; // mov %ecx, (%ebx)
const INVLPG = [0x0f, 0x01, 0x3b]; // invlpg (%ebx)
const MOV_EAX_CR3 = [0x0f, 0x22, 0xd8]; // mov %eax, %cr3

function expectPageFault(m: PagedMachine, linear: number, errorCode: number): void {
  expect(m.cpu.lastException?.vector).toBe(PAGE_FAULT);
  expect(m.cpu.cr2).toBe(linear);
  expect(m.cpu.lastException?.errorCode).toBe(errorCode);
}

const user = toUser;

describe('i386 paging (32-bit, SDM vol. 3 ch. 4)', () => {
  it('MOV CR0 with PG translates through CR3: 4 KiB page, A on the PDE, A and D on the PTE', () => {
    const m = pagedMachine();
    enterPaging(m);
    expect(m.cpu.lastException).toBeNull();
    mapPage(m, 0x400000, 0x200000 | P | RW);
    runBody(m, [...STORE_ECX, ...LOAD], { [EBX]: 0x400123, [ECX]: 0xcafe });
    expect(m.view.getUint32(0x200123, true)).toBe(0xcafe);
    expect(m.cpu.getReg(EAX)).toBe(0xcafe);
    expect(pte(m, 0x400000) & (A | D)).toBe(A | D);
    expect(m.view.getUint32(PD + 4, true) & A).toBe(A);
  });

  it('kernel-style high linear addresses (0xC0000000 and up) translate and hit the TLB', () => {
    const m = pagedMachine();
    m.view.setUint32(PD + 768 * 4, PT1 | P | RW, true);
    m.view.setUint32(PT1 + 1023 * 4, 0x201000 | P | RW, true); // 0xC03FF000 -> 0x201000
    enterPaging(m);
    runBody(m, [...STORE_ECX, ...LOAD, ...LOAD], { [EBX]: 0xc03ffffc, [ECX]: 0x600d });
    expect(m.view.getUint32(0x201ffc, true)).toBe(0x600d);
    expect(m.cpu.getReg(EAX)).toBe(0x600d);
    const walks = m.cpu.mmu.walks;
    runBody(m, LOAD, { [EBX]: 0xc03ffff0 });
    expect(m.cpu.mmu.walks).toBe(walks); // code page and data page both in the TLB
  });

  it('a read sets A only; the first write to the clean page walks again and sets D', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x401000, 0x201000 | P | RW);
    runBody(m, LOAD, { [EBX]: 0x401000 });
    expect(pte(m, 0x401000) & (A | D)).toBe(A);
    const walks = m.cpu.mmu.walks;
    runBody(m, STORE_ECX, { [EBX]: 0x401004, [ECX]: 1 });
    expect(pte(m, 0x401000) & (A | D)).toBe(A | D);
    expect(m.cpu.mmu.walks).toBe(walks + 1);
  });

  it('not present: #PF with CR2 and error code 0 (read) or 2 (write); the faulting PUSH leaves ESP as it was', () => {
    const m = pagedMachine();
    enterPaging(m);
    runBody(m, LOAD, { [EBX]: 0x402010 });
    expectPageFault(m, 0x402010, 0);
    expect(m.cpu.lastException?.eip).toBe(BODY);
    // At CPL 3 the handler runs on the TSS stack, whose frame holds the user ESP the fault kept.
    mapPage(m, 0x8000, 0); // the user stack page (the handler's frame left it in the TLB)
    m.cpu.flushTlb();
    toUser(m);
    runBody(m, [0x50], { [ESP]: 0x9000 }); // push %eax
    expectPageFault(m, 0x8ffc, 6);
    // KSTACK: SS, ESP, EFLAGS, CS, EIP, error code (SDM vol. 3, figure 6-4)
    expect(m.view.getUint32(KSTACK - 8, true)).toBe(0x9000);
    expect(m.view.getUint32(KSTACK - 20, true)).toBe(BODY);
    expect(m.view.getUint32(KSTACK - 24, true)).toBe(6);
  });

  it('a page-crossing store faulting on its second page writes nothing', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x403000, 0x203000 | P | RW);
    runBody(m, STORE_ECX, { [EBX]: 0x403ffe, [ECX]: 0x11223344 });
    expectPageFault(m, 0x404000, 2);
    expect(m.view.getUint16(0x203ffe, true)).toBe(0);
  });

  it('a fault in the middle of REP STOSB leaves ECX/EDI at the faulting iteration (restartable)', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x403000, 0x203000 | P | RW);
    runBody(m, [0xf3, 0xaa], { [EAX]: 0x5a, [ECX]: 0x20, [EDI_]: 0x403ff0 }); // rep stosb
    expectPageFault(m, 0x404000, 2);
    expect(m.cpu.getReg(ECX)).toBe(0x10);
    expect(m.cpu.getReg(EDI_)).toBe(0x404000);
    expect(m.ram.u8[0x203fff]).toBe(0x5a);
  });

  it('an instruction running into a not-present page faults at its start with CR2 = the page', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x403000, 0x203000 | P | RW);
    m.bus.dmaWrite(0x203ffe, Uint8Array.from([0xb8, 0x01])); // mov $imm32, %eax: the immediate is on the next page
    m.cpu.pc = 0x403ffe;
    m.cpu.run(5);
    expectPageFault(m, 0x404000, 0);
    expect(m.cpu.lastException?.eip).toBe(0x403ffe);
  });

  it('user accesses: supervisor page -> 5, read-only page write -> 7; user page read-only works for reads', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x405000, 0x205000 | P | RW); // supervisor
    mapPage(m, 0x406000, 0x206000 | P | US); // user, read-only
    m.view.setUint32(0x206000, 77, true);
    user(m);
    runBody(m, LOAD, { [EBX]: 0x405000 });
    expectPageFault(m, 0x405000, 5);
    user(m); // the fault went to the ring-0 handler
    runBody(m, LOAD, { [EBX]: 0x406000 });
    expect(m.cpu.getReg(EAX)).toBe(77);
    user(m); // HLT at CPL 3 was #GP
    runBody(m, STORE_ECX, { [EBX]: 0x406000, [ECX]: 1 });
    expectPageFault(m, 0x406000, 7);
  });

  it('a supervisor page once used by the kernel is not reachable from CPL 3 through the TLB', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x405000, 0x205000 | P | RW);
    runBody(m, [...STORE_ECX, ...LOAD], { [EBX]: 0x405000, [ECX]: 5 }); // fills the TLB at CPL 0
    user(m);
    runBody(m, LOAD, { [EBX]: 0x405000, [EAX]: 0 });
    expectPageFault(m, 0x405000, 5);
    expect(m.cpu.getReg(EAX)).toBe(0);
  });

  it('supervisor write to a read-only page: allowed with CR0.WP = 0, #PF 3 with WP = 1', () => {
    const m = pagedMachine();
    mapPage(m, 0x407000, 0x207000 | P | US);
    enterPaging(m);
    runBody(m, STORE_ECX, { [EBX]: 0x407000, [ECX]: 9 });
    expect(m.cpu.lastException).toBeNull();
    expect(m.view.getUint32(0x207000, true)).toBe(9);
    const w = pagedMachine();
    mapPage(w, 0x407000, 0x207000 | P | US);
    enterPaging(w, { wp: true });
    runBody(w, STORE_ECX, { [EBX]: 0x407000, [ECX]: 9 });
    expectPageFault(w, 0x407000, 3);
  });

  it('4 MiB pages with CR4.PSE; bit 21 set is a reserved-bit fault (P | RSVD)', () => {
    const m = pagedMachine();
    m.view.setUint32(PD + 8, 0x400000 | PS | P | RW, true); // linear 8 MiB -> physical 4 MiB
    enterPaging(m, { cr4: 0x10 });
    runBody(m, STORE_ECX, { [EBX]: 0x8abcde, [ECX]: 0x55 });
    expect(m.view.getUint32(0x4abcde, true)).toBe(0x55);
    expect(m.view.getUint32(PD + 8, true) & (A | D)).toBe(A | D);
    m.view.setUint32(PD + 12, 0x400000 | 0x200000 | PS | P | RW, true);
    runBody(m, LOAD, { [EBX]: 0xc00000 });
    expectPageFault(m, 0xc00000, 9);
  });

  it('the TLB keeps a stale translation until INVLPG (as the CPU may)', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x408000, 0x208000 | P | RW);
    mapPage(m, 0x409000, 0x209000 | P | RW);
    m.view.setUint32(0x208000, 1, true);
    m.view.setUint32(0x209000, 2, true);
    runBody(m, LOAD, { [EBX]: 0x408000 });
    expect(m.cpu.getReg(EAX)).toBe(1);
    mapPage(m, 0x408000, 0x209000 | P | RW | A | D);
    runBody(m, LOAD, { [EBX]: 0x408000 });
    expect(m.cpu.getReg(EAX)).toBe(1);
    runBody(m, [...INVLPG, ...LOAD], { [EBX]: 0x408000 });
    expect(m.cpu.getReg(EAX)).toBe(2);
  });

  it('a CR3 load drops non-global entries; global ones (CR4.PGE) stay until INVLPG', () => {
    const m = pagedMachine();
    enterPaging(m, { cr4: 0x80 });
    mapPage(m, 0x40a000, 0x20a000 | P | RW | G);
    mapPage(m, 0x40b000, 0x20b000 | P | RW);
    m.view.setUint32(0x20a000, 1, true);
    m.view.setUint32(0x20b000, 2, true);
    m.view.setUint32(0x20c000, 3, true);
    runBody(m, [...LOAD, 0x8b, 0x0a], { [EBX]: 0x40a000, [EDX_]: 0x40b000 }); // mov (%edx), %ecx
    mapPage(m, 0x40a000, 0x20c000 | P | RW | G | A);
    mapPage(m, 0x40b000, 0x20c000 | P | RW | A);
    runBody(m, [...MOV_EAX_CR3, ...LOAD, 0x8b, 0x0a], { [EAX]: PD, [EBX]: 0x40a000, [EDX_]: 0x40b000 });
    expect(m.cpu.getReg(EAX)).toBe(1); // global: still the old page
    expect(m.cpu.getReg(ECX)).toBe(3); // not global: walked again
    runBody(m, [...INVLPG, ...LOAD], { [EBX]: 0x40a000 });
    expect(m.cpu.getReg(EAX)).toBe(3);
  });

  it('INVLPG anywhere in a 4 MiB page drops every 4 KiB entry it gave', () => {
    const m = pagedMachine();
    m.view.setUint32(PD + 8, 0x400000 | PS | P | RW, true);
    enterPaging(m, { cr4: 0x10 });
    m.view.setUint32(0x500000, 1, true);
    runBody(m, LOAD, { [EBX]: 0x900000 });
    expect(m.cpu.getReg(EAX)).toBe(1);
    m.view.setUint32(PD + 8, PT1 | P | RW, true); // now 4 KiB pages: 0x900000 -> PT1[256]
    m.view.setUint32(PT1 + 256 * 4, 0x300000 | P | RW, true);
    m.view.setUint32(0x300000, 2, true);
    runBody(m, [...INVLPG, ...LOAD], { [EBX]: 0x812345, [EAX]: 0 }); // INVLPG elsewhere in the 4 MiB page
    runBody(m, LOAD, { [EBX]: 0x900000 });
    expect(m.cpu.getReg(EAX)).toBe(2);
  });

  it('fastTlb holds an entry\'s tag for each data access its fast bits grant (the translator\'s one compare) and its RAM offset less the tag, FAST_EMPTY for the rest and after INVLPG', () => {
    const m = pagedMachine();
    enterPaging(m);
    mapPage(m, 0x40c000, 0x20c000 | P | US); // user, read-only, clean
    mapPage(m, 0x40d000, 0x20d000 | P | RW); // supervisor, writable
    const mmu = m.cpu.mmu;
    const at = (linear: number, kind: number) => (kind << (TLB_BITS + 1)) | (((linear >>> 12) & TLB_MASK) << 1);
    const fast = (linear: number, kind: number) => mmu.fastTlb[at(linear, kind)];
    mmu.translate(0x40c000, ACCESS_READ, true);
    expect(0x40c123 + mmu.fastTlb[at(0x40c000, FAST_KIND_UR) + 1]).toBe(0x20c123); // RAM offset (RAM at 0)
    expect([FAST_KIND_SR, FAST_KIND_SW, FAST_KIND_UR, FAST_KIND_UW].map((k) => fast(0x40c000, k))).toEqual([0x40c000, FAST_EMPTY, 0x40c000, FAST_EMPTY]);
    mmu.translate(0x40d000, ACCESS_WRITE, false); // sets D: writable from now on
    expect([FAST_KIND_SR, FAST_KIND_SW, FAST_KIND_UR, FAST_KIND_UW].map((k) => fast(0x40d000, k))).toEqual([0x40d000, 0x40d000, FAST_EMPTY, FAST_EMPTY]);
    mmu.invalidate(0x40d000);
    expect([FAST_KIND_SR, FAST_KIND_SW].map((k) => fast(0x40d000, k))).toEqual([FAST_EMPTY, FAST_EMPTY]);
    expect(fast(0x40c000, FAST_KIND_UR)).toBe(0x40c000);
    mmu.loadCr3(PD);
    expect(fast(0x40c000, FAST_KIND_UR)).toBe(FAST_EMPTY);
    // A misaligned 32-bit access (the translator compares linear & ~0xffc) never matches an empty entry.
    for (const linear of [1, 2, 3, 0x1001]) expect(linear & ~0xffc).not.toBe(FAST_EMPTY);
  });

  it('INVLPG at CPL 3 is #GP; MOV CR0 with PG and without PE is #GP', () => {
    const m = pagedMachine();
    enterPaging(m);
    user(m);
    runBody(m, INVLPG, { [EBX]: 0 });
    expect(m.cpu.lastException?.vector).toBe(GP);
    const r = pagedMachine();
    runBody(r, [0x0f, 0x22, 0xc1], { [ECX]: 0x80000000 });
    expect(r.cpu.lastException?.vector).toBe(GP);
    expect(r.cpu.cr0 >>> 31).toBe(0);
  });
});

const EDX_ = 2, EDI_ = 7;
