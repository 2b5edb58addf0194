/**
 * The debugger's page walk (GDB memory packets, `monitor info mmu`): the same tables as mmu.ts's
 * walk (SDM vol. 3, 4.3 32-bit paging with PSE 4 MiB pages, 4.4 PAE with 2 MiB pages) under the
 * CPU's current CR0/CR3/CR4 and A20, but without side effects: no A/D bits, no TLB fill, no #PF.
 * Permissions are not checked (as QEMU's debug accesses: GDB may write to read-only text); a
 * missing page or reserved bits give -1. Physical addresses above 4 GiB are not modelled (mmu.ts).
 */
import type { I386Cpu } from './cpu.js';

const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_PS = 0x80;
/** The reserved-bit masks of mmu.ts (QEMU's 36 physical address bits; XD reserved without EFER.NXE). */
const PDE4M_RSVD = 0x200000;
const PAE_HI_RSVD = 0x000ffff0;
const PAE_XD = 0x80000000;
const PDPTE_HI_RSVD = 0xfffffff0;
const PDE2M_RSVD = 0x1fe000;

const hex = (v: number, digits = 8): string => `0x${(v >>> 0).toString(16).padStart(digits, '0')}`;
const hex64 = (hi: number, lo: number): string => `0x${(hi >>> 0).toString(16).padStart(8, '0')}_${(lo >>> 0).toString(16).padStart(8, '0')}`;
const rights = (rw: number, us: number): string => `${rw ? 'r/w' : 'read-only'}, ${us ? 'user' : 'supervisor'}`;

/**
 * Translates the linear address `linear`: the physical address, or -1 when unmapped. With `lines`,
 * appends one line per table level read and a last line with the result.
 */
export function debugWalk(cpu: I386Cpu, linear: number, lines?: string[]): number {
  const a20 = cpu.mmu.a20 ? -1 : ~(1 << 20);
  const mmu = cpu.mmu;
  linear >>>= 0;
  if ((cpu.cr0 & 0x80000000) === 0) {
    const pa = (linear & a20) >>> 0;
    lines?.push(`paging off${cpu.mmu.a20 ? '' : ' (A20 masked)'}: linear ${hex(linear)}`, `-> pa ${hex(pa)}`);
    return pa;
  }
  const fail = (why: string): number => { lines?.push(`-> ${why}`); return -1; };
  if ((cpu.cr4 & 0x20) === 0) {
    const pse = (cpu.cr4 & 0x10) !== 0;
    lines?.push(`32-bit paging${pse ? ' with PSE' : ''}, cr3 ${hex(cpu.cr3)}, linear ${hex(linear)}`);
    const table = cpu.cr3 & ~0xfff, index = linear >>> 22;
    const pde = mmu.readPhys(((table + index * 4) & a20) >>> 0, 4);
    const large = (pde & PTE_P) !== 0 && (pde & PTE_PS) !== 0 && pse;
    lines?.push(`PDE ${hex(table)}[${hex(index, 3)}] = ${hex(pde)} -> ${(pde & PTE_P) === 0 ? 'not present' : large ? '4 MiB page' : 'table'}`);
    if ((pde & PTE_P) === 0) return fail('not mapped');
    if (large) {
      if ((pde & PDE4M_RSVD) !== 0) return fail('reserved bit set');
      return done(((pde & 0xffc00000) | (linear & 0x3fffff)) & a20, pde & PTE_RW, pde & PTE_US, lines);
    }
    const ptTable = pde & ~0xfff, ptIndex = (linear >>> 12) & 0x3ff;
    const pte = mmu.readPhys(((ptTable + ptIndex * 4) & a20) >>> 0, 4);
    lines?.push(`PTE ${hex(ptTable)}[${hex(ptIndex, 3)}] = ${hex(pte)} -> ${(pte & PTE_P) === 0 ? 'not present' : 'page'}`);
    if ((pte & PTE_P) === 0) return fail('not mapped');
    return done(((pte & ~0xfff) | (linear & 0xfff)) & a20, pde & pte & PTE_RW, pde & pte & PTE_US, lines);
  }
  lines?.push(`PAE paging, cr3 ${hex(cpu.cr3)}, linear ${hex(linear)}`);
  const hiRsvd = mmu.nx ? PAE_HI_RSVD : PAE_HI_RSVD | PAE_XD;
  const pdptAddr = ((cpu.cr3 & ~0x1f) + ((linear >>> 27) & 0x18)) & a20;
  const pdpte = mmu.readPhys(pdptAddr >>> 0, 4), pdpteHi = mmu.readPhys((pdptAddr + 4) >>> 0, 4);
  lines?.push(`PDPTE ${hex(cpu.cr3 & ~0x1f)}[${linear >>> 30}] = ${hex64(pdpteHi, pdpte)} -> ${(pdpte & PTE_P) === 0 ? 'not present' : 'directory'}`);
  if ((pdpte & PTE_P) === 0) return fail('not mapped');
  if ((pdpteHi & PDPTE_HI_RSVD) !== 0) return fail('reserved bit set');
  const pd = pdpte & ~0xfff, pdIndex = (linear >>> 21) & 0x1ff;
  const pdeAddr = ((pd + pdIndex * 8) & a20) >>> 0;
  const pde = mmu.readPhys(pdeAddr, 4), pdeHi = mmu.readPhys(pdeAddr + 4, 4);
  const large = (pde & PTE_PS) !== 0;
  lines?.push(`PDE ${hex(pd)}[${hex(pdIndex, 3)}] = ${hex64(pdeHi, pde)} -> ${(pde & PTE_P) === 0 ? 'not present' : large ? '2 MiB page' : 'table'}`);
  if ((pde & PTE_P) === 0) return fail('not mapped');
  if ((pdeHi & hiRsvd) !== 0 || (large && (pde & PDE2M_RSVD) !== 0)) return fail('reserved bit set');
  if (large) return done(((pde & 0xffe00000) | (linear & 0x1fffff)) & a20, pde & PTE_RW, pde & PTE_US, lines);
  const pt = pde & ~0xfff, ptIndex = (linear >>> 12) & 0x1ff;
  const pteAddr = ((pt + ptIndex * 8) & a20) >>> 0;
  const pte = mmu.readPhys(pteAddr, 4), pteHi = mmu.readPhys(pteAddr + 4, 4);
  lines?.push(`PTE ${hex(pt)}[${hex(ptIndex, 3)}] = ${hex64(pteHi, pte)} -> ${(pte & PTE_P) === 0 ? 'not present' : 'page'}`);
  if ((pte & PTE_P) === 0) return fail('not mapped');
  if ((pteHi & hiRsvd) !== 0) return fail('reserved bit set');
  return done(((pte & ~0xfff) | (linear & 0xfff)) & a20, pde & pte & PTE_RW, pde & pte & PTE_US, lines);
}

function done(pa: number, rw: number, us: number, lines: string[] | undefined): number {
  lines?.push(`-> pa ${hex(pa)} (${rights(rw, us)})`);
  return pa >>> 0;
}
