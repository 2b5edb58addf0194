import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { ACC_R, ACC_W } from '../../../plugins/arch-rv32/src/constants.js';
import { TLB_MASK } from '../../../plugins/arch-rv32/src/mmu.js';
import { HANDLER, installHandlers, makeMachine, openPmp, RAM_BASE, type TestMachine } from './machine.js';

const { a0, a1, a2 } = A;
const V = 1, R = 2, W = 4, X = 8, U = 16, AC = 64, D = 128;
const ROOT = RAM_BASE + 0x10000;
const L0 = RAM_BASE + 0x11000;
const PAGE = (i: number) => RAM_BASE + 0x20000 + i * 0x1000; // physical pages for 4K mappings
const VA4K = (i: number) => 0x00400000 + i * 0x1000;
const MEGA_VA = 0x40000000;

const pte = (pa: number, flags: number) => ((Math.floor(pa / 4096) << 10) | flags) >>> 0;

/** Sv32 tables: identity megapage over RAM for code (S only), a megapage alias, and 4K pages. */
function sv32(l0Flags: number[] = [], opts: { megaFlags?: number } = {}): TestMachine {
  const m = makeMachine();
  installHandlers(m);
  openPmp(m);
  m.w32(ROOT + (RAM_BASE >>> 22) * 4, pte(RAM_BASE, V | R | W | X | AC | D));
  m.w32(ROOT + (MEGA_VA >>> 22) * 4, pte(RAM_BASE, opts.megaFlags ?? V | R | W | AC | D));
  m.w32(ROOT + (VA4K(0) >>> 22) * 4, pte(L0, V));
  l0Flags.forEach((f, i) => m.w32(L0 + ((VA4K(i) >>> 12) & 0x3ff) * 4, pte(PAGE(i), f)));
  m.cpu.satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
  return m;
}

function runS(m: TestMachine, insns: Array<number | number[]>, regs: Record<number, number> = {}, priv = 1): void {
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
  m.cpu.setPrivilege(priv);
  m.run(insns.flat().length);
}

describe('rv32 Sv32 translation', () => {
  it('translates through a megapage and a 4 KiB page', () => {
    const m = sv32([V | R | W | AC | D]);
    m.w32(RAM_BASE + 0x1234, 0xaabbccdd);
    m.w32(PAGE(0) + 8, 0x11223344);
    runS(m, [A.lw(a0, a1, 0x234), A.lw(a2, a2, 8)], { [a1]: MEGA_VA + 0x1000, [a2]: VA4K(0) });
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(0xaabbccdd);
    expect(m.reg(a2)).toBe(0x11223344);
  });

  it('stores go to the translated physical address', () => {
    const m = sv32([V | R | W | AC | D]);
    runS(m, [A.sw(a0, a1, 4)], { [a0]: 0x5555, [a1]: VA4K(0) });
    expect(m.r32(PAGE(0) + 4)).toBe(0x5555);
  });

  it('the walker sets A on access and D on store', () => {
    const m = sv32([V | R | W, V | R | W]);
    runS(m, [A.lw(a0, a1, 0), A.sw(a0, a2, 0)], { [a1]: VA4K(0), [a2]: VA4K(1) });
    expect(m.traps).toEqual([]);
    expect(m.r32(L0) & (AC | D)).toBe(AC);
    expect(m.r32(L0 + 4) & (AC | D)).toBe(AC | D);
  });

  it('a store after a load of a clean page still sets D', () => {
    const m = sv32([V | R | W]);
    runS(m, [A.lw(a0, a1, 0), A.sw(a0, a1, 0)], { [a1]: VA4K(0) });
    expect(m.r32(L0) & (AC | D)).toBe(AC | D);
  });

  it('one walk fills both data TLBs when the PTE allows both without an update', () => {
    // Page 0 dirty and writable, page 1 writable but clean, page 2 read-only: load each, store to page 3.
    const m = sv32([V | R | W | AC | D, V | R | W | AC, V | R | AC, V | R | W]);
    runS(m, [A.lw(a0, a1, 0), A.lw(a0, a2, 0), A.lw(a0, A.t0, 0), A.sw(a0, A.t1, 0)], { [a1]: VA4K(0), [a2]: VA4K(1), [A.t0]: VA4K(2), [A.t1]: VA4K(3) });
    expect(m.traps).toEqual([]);
    const has = (kind: number, i: number) => m.cpu.tlb.tags[1][kind][(VA4K(i) >>> 12) & TLB_MASK] === VA4K(i) >>> 12;
    expect([0, 1, 2, 3].map((i) => has(ACC_W, i))).toEqual([true, false, false, true]);
    expect([0, 1, 2, 3].map((i) => has(ACC_R, i))).toEqual([true, true, true, true]);
    expect(m.r32(L0 + 12) & (AC | D)).toBe(AC | D);
  });

  it('M-mode ignores satp; bare mode in S does not translate', () => {
    const m = sv32();
    m.w32(RAM_BASE + 0x3000, 42);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: RAM_BASE + 0x3000 }, 3);
    expect(m.reg(a0)).toBe(42);
    const b = makeMachine();
    installHandlers(b);
    openPmp(b);
    b.w32(RAM_BASE + 0x3000, 43);
    runS(b, [A.lw(a0, a1, 0)], { [a1]: RAM_BASE + 0x3000 });
    expect(b.reg(a0)).toBe(43);
  });

  it('MPRV with MPP = S makes M-mode loads translate', () => {
    const m = sv32([V | R | AC]);
    m.w32(PAGE(0), 77);
    m.cpu.mstatus = (1 << 17) | (1 << 11);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) }, 3);
    expect(m.reg(a0)).toBe(77);
  });
});

describe('rv32 Sv32 faults', () => {
  const fault = (m: TestMachine, cause: number, tval: number) => {
    expect(m.cpu.pc).toBe(HANDLER);
    expect(m.cpu.mcause).toBe(cause);
    expect(m.cpu.mtval).toBe(tval >>> 0);
  };

  it('invalid PTE: load page fault with tval = virtual address', () => {
    const m = sv32([0]);
    runS(m, [A.lw(a0, a1, 12)], { [a1]: VA4K(0) });
    fault(m, 13, VA4K(0) + 12);
    expect(m.cpu.mepc).toBe(RAM_BASE);
  });

  it('unmapped first level: store page fault', () => {
    const m = sv32();
    runS(m, [A.sw(a0, a1, 0)], { [a1]: 0x12345678 & ~3 });
    fault(m, 15, 0x12345678 & ~3);
  });

  it('store to a read-only page is a store page fault, and D stays clear', () => {
    const m = sv32([V | R | AC]);
    runS(m, [A.sw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 15, VA4K(0));
    expect(m.r32(L0) & D).toBe(0);
  });

  it('W without R is reserved: page fault', () => {
    const m = sv32([V | W | AC | D]);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 13, VA4K(0));
  });

  it('execute-only pages are readable only with MXR', () => {
    let m = sv32([V | X | AC]);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 13, VA4K(0));
    m = sv32([V | X | AC]);
    m.cpu.mstatus |= 1 << 19;
    m.w32(PAGE(0), 9);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) });
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(9);
  });

  it('fetch from a non-executable page is an instruction page fault with tval = pc', () => {
    const m = sv32([V | R | W | AC | D]);
    runS(m, [A.jalr(0, a1, 0)], { [a1]: VA4K(0) });
    m.run(1);
    fault(m, 12, VA4K(0));
    expect(m.cpu.mepc).toBe(VA4K(0));
  });

  it('S-mode may touch user pages only with SUM, and never execute them', () => {
    let m = sv32([V | R | W | U | AC | D]);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 13, VA4K(0));
    m = sv32([V | R | W | U | AC | D]);
    m.cpu.mstatus |= 1 << 18;
    runS(m, [A.lw(a0, a1, 0), A.sw(a0, a1, 4)], { [a1]: VA4K(0) });
    expect(m.traps).toEqual([]);
    m = sv32([V | R | W | X | U | AC | D]);
    m.cpu.mstatus |= 1 << 18;
    runS(m, [A.jalr(0, a1, 0)], { [a1]: VA4K(0) });
    m.run(1);
    fault(m, 12, VA4K(0));
  });

  it('U-mode needs the U bit', () => {
    const m = sv32([V | R | W | U | AC | D]);
    // user code page: map VA4K(1) executable for U, containing a load
    m.w32(L0 + 4, pte(PAGE(1), V | R | X | U | AC));
    m.poke(PAGE(1), A.assemble([A.lw(a0, a1, 0), A.lw(a0, a2, 0)]));
    m.cpu.pc = VA4K(1);
    m.cpu.setReg(a1, VA4K(0));
    m.cpu.setReg(a2, MEGA_VA);
    m.cpu.setPrivilege(0);
    m.run(2);
    expect(m.traps.length).toBe(1);
    fault(m, 13, MEGA_VA);
    expect(m.cpu.mepc).toBe(VA4K(1) + 4);
  });

  it('a misaligned megapage (ppn[0] != 0) is a page fault', () => {
    const m = sv32([], { megaFlags: V | R | W | AC | D });
    m.w32(ROOT + (MEGA_VA >>> 22) * 4, pte(RAM_BASE + 0x1000, V | R | W | AC | D));
    runS(m, [A.lw(a0, a1, 0)], { [a1]: MEGA_VA });
    fault(m, 13, MEGA_VA);
  });

  it('a pointer PTE at level 0 is a page fault', () => {
    const m = sv32([V]);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 13, VA4K(0));
  });

  it('a page table outside memory gives an access fault of the access type', () => {
    const m = sv32();
    m.w32(ROOT + (VA4K(0) >>> 22) * 4, pte(0x40000000, V));
    runS(m, [A.sw(a0, a1, 0)], { [a1]: VA4K(0) });
    fault(m, 7, VA4K(0));
  });

  it('a physical address above 4 GiB (Sv32 has 34-bit PAs) is an access fault', () => {
    const m = sv32();
    m.w32(ROOT + (MEGA_VA >>> 22) * 4, ((0x400 << 20) | V | R | W | AC | D) >>> 0);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: MEGA_VA });
    fault(m, 5, MEGA_VA);
  });

  it('a misaligned load across into an unmapped page faults on the second page, tval = its address', () => {
    const m = sv32([V | R | W | AC | D, 0]);
    runS(m, [A.lw(a0, a1, 0)], { [a1]: VA4K(1) - 2 });
    fault(m, 13, VA4K(1));
  });

  it('an instruction crossing into an unmapped page faults with tval = second page, epc = instruction', () => {
    const m = sv32([V | R | X | AC, 0]);
    m.poke(PAGE(0) + 0xffe, A.assemble([A.addi(a0, 0, 1)]).subarray(0, 2));
    m.cpu.pc = VA4K(0) + 0xffe;
    m.cpu.setPrivilege(1);
    m.run(1);
    fault(m, 12, VA4K(1));
    expect(m.cpu.mepc).toBe(VA4K(0) + 0xffe);
  });
});

describe('rv32 SFENCE.VMA', () => {
  it('after changing a PTE, sfence.vma makes the new mapping visible', () => {
    const m = sv32([V | R | W | AC | D, V | R | W | AC | D]);
    m.w32(PAGE(0), 1);
    m.w32(PAGE(1), 2);
    // load, remap VA4K(0) to PAGE(1) from S-mode via the megapage alias of L0, sfence, load
    const l0Alias = MEGA_VA + (L0 - RAM_BASE);
    runS(m, [A.lw(a0, a1, 0), A.sw(a2, A.t0, 0), A.sfence_vma(), A.lw(A.t1, a1, 0)], {
      [a1]: VA4K(0),
      [a2]: pte(PAGE(1), V | R | W | AC | D),
      [A.t0]: l0Alias,
    });
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(1);
    expect(m.reg(A.t1)).toBe(2);
  });

  it('with an address, makes that page\'s new mapping visible and keeps the other pages\' TLB entries', () => {
    const m = sv32([V | R | W | AC | D, V | R | W | AC | D, V | R | W | AC | D]);
    m.w32(PAGE(0), 1);
    m.w32(PAGE(2), 3);
    m.w32(PAGE(1), 7);
    const l0Alias = MEGA_VA + (L0 - RAM_BASE);
    runS(m, [A.lw(a0, a1, 0), A.lw(A.t2, A.t3, 0), A.sw(a2, A.t0, 0), A.sfence_vma(a1), A.lw(A.t1, a1, 0)], {
      [a1]: VA4K(0),
      [A.t3]: VA4K(1),
      [a2]: pte(PAGE(2), V | R | W | AC | D),
      [A.t0]: l0Alias,
    });
    expect(m.traps).toEqual([]);
    expect([m.reg(a0), m.reg(A.t2), m.reg(A.t1)]).toEqual([1, 7, 3]);
    const vpn1 = VA4K(1) >>> 12;
    expect(m.cpu.tlb.tags[1][ACC_R][vpn1 & TLB_MASK]).toBe(vpn1);
  });

  it('with an address inside a cached megapage, drops every 4 KiB piece of that megapage', () => {
    const m = sv32();
    m.w32(RAM_BASE + 0x2000, 9);
    // Read through the megapage alias at +0x2000, unmap the megapage, fence its first page only.
    runS(m, [A.lw(a0, a1, 0), A.sw(A.zero, A.t0, 0), A.sfence_vma(a2), A.lw(A.t1, a1, 0)], {
      [a1]: MEGA_VA + 0x2000,
      [a2]: MEGA_VA,
      [A.t0]: ROOT + (MEGA_VA >>> 22) * 4,
    });
    expect(m.reg(a0)).toBe(9);
    expect(m.cpu.mcause).toBe(13);
    expect(m.cpu.mtval).toBe(MEGA_VA + 0x2000);
  });

  it('with the address of the page being executed, the next fetch uses the new mapping', () => {
    const m = sv32([V | R | W | X | AC | D, V | R | W | X | AC | D]);
    // Past the run loop's one-instruction warm-up calls (cpu.ts WARMUP_CALLS), so that the fence
    // and what follows run in one interpreter call.
    runS(m, [A.addi(A.t1, A.t1, 1), A.jal(A.zero, -4)], {}, 3);
    m.run(1000);
    const head = [A.sw(a2, A.t0, 0), A.sfence_vma(a1)];
    m.load([...head, A.addi(a0, A.zero, 1)], PAGE(0));
    m.load([...head, A.addi(a0, A.zero, 2)], PAGE(1));
    for (const [r, v] of [[a1, VA4K(0)], [a2, pte(PAGE(1), V | R | W | X | AC | D)], [A.t0, MEGA_VA + (L0 - RAM_BASE)]]) m.cpu.setReg(r, v);
    m.cpu.pc = VA4K(0);
    m.cpu.setPrivilege(1);
    m.run(3);
    expect(m.traps).toEqual([]);
    expect(m.reg(a0)).toBe(2);
  });

  it('a satp write switches address spaces', () => {
    const m = sv32([V | R | W | AC | D]);
    m.w32(PAGE(0), 5);
    runS(m, [A.lw(a0, a1, 0), A.csrw(CSR.satp, 0), A.lui(a1, 0x80020), A.lw(a2, a1, 0)], { [a1]: VA4K(0) });
    expect(m.reg(a0)).toBe(5);
    expect(m.reg(a2)).toBe(5);
  });

  it('a satp write empties every U and S entry (tags -1, in the translator\'s wasm area too) and keeps M\'s', () => {
    const m = sv32([V | R | W | AC | D]);
    m.w32(PAGE(0), 5);
    const tags = m.cpu.tlb.tags;
    expect(tags[0][0].buffer).toBeInstanceOf(SharedArrayBuffer); // the wasm area (Tlbs' emptyTags: WasmRam.fill)
    for (const set of [0, 1, 2]) for (const kind of [0, 1, 2]) tags[set][kind].fill(0x1234);
    runS(m, [A.lw(a0, a1, 0), A.csrw(CSR.satp, 0)], { [a1]: VA4K(0) });
    expect(m.reg(a0)).toBe(5);
    for (const set of [0, 1]) for (const kind of [0, 1, 2]) expect(tags[set][kind].every((t) => t === -1)).toBe(true);
    expect(tags[2].some((t) => t.includes(0x1234))).toBe(true);
  });

  it('is illegal in U-mode and in S-mode with TVM', () => {
    let m = sv32();
    m.w32(ROOT + (RAM_BASE >>> 22) * 4, pte(RAM_BASE, V | R | W | X | U | AC | D));
    runS(m, [A.sfence_vma(a1, a2)], {}, 0);
    expect(m.cpu.mcause).toBe(2);
    expect(m.cpu.mtval).toBe(A.sfence_vma(a1, a2));
    m = sv32();
    m.cpu.mstatus |= 1 << 20;
    runS(m, [A.sfence_vma()], {}, 1);
    expect(m.cpu.mcause).toBe(2);
  });
});
