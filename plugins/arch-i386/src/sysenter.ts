/**
 * SYSENTER and SYSEXIT (SDM vol. 2, SYSENTER/SYSEXIT; vol. 3, 5.8.7): fast calls to ring 0 and back
 * with flat segments derived from IA32_SYSENTER_CS (MSR 0x174), the ring-0 stack and entry point
 * from IA32_SYSENTER_ESP/EIP (0x175/0x176). The descriptor caches are loaded with fixed values,
 * not from the GDT (the OS must keep its GDT consistent with them).
 */
import { CS, ECX, EDX, ESP, GP, RF, SS, VM } from './consts.js';
import { IF } from './flags.js';
import { loadCache } from './descriptors.js';
import type { I386Cpu } from './cpu.js';

/** cpu.msr slots of IA32_SYSENTER_CS/ESP/EIP (ops0f.ts's msrSlot). */
const MSR_CS = 2, MSR_ESP = 4, MSR_EIP = 6;
/** Flat 4 GiB descriptors (lo, hi): 32-bit execute/read accessed code and read/write accessed data. */
const FLAT_LO = 0x0000ffff, CODE_HI = 0x00cf9b00, DATA_HI = 0x00cf9300;
const dpl = (level: number) => level << 13;

/** SYSENTER: #GP(0) in real mode or with a null IA32_SYSENTER_CS; CPL 0 with VM, IF and RF cleared. */
export function sysenter(cpu: I386Cpu): void {
  const cs = cpu.msr[MSR_CS] & 0xffff;
  if (!(cpu.cr0 & 1) || (cs & 0xfffc) === 0) cpu.raise(GP, 0);
  cpu.setFlagBits(0, VM | IF | RF);
  loadCache(cpu, CS, cs & 0xfffc, FLAT_LO, CODE_HI);
  loadCache(cpu, SS, (cs + 8) & 0xfffc, FLAT_LO, DATA_HI);
  cpu.cpl = 0;
  cpu.regs[ESP] = cpu.msr[MSR_ESP];
  cpu.eip = cpu.msr[MSR_EIP] >>> 0;
}

/** SYSEXIT: #GP(0) in real mode, at CPL > 0 or with a null IA32_SYSENTER_CS; to CPL 3 at EDX with ESP = ECX. */
export function sysexit(cpu: I386Cpu): void {
  const cs = cpu.msr[MSR_CS] & 0xffff;
  if (!(cpu.cr0 & 1) || cpu.flagsRest & VM || cpu.cpl !== 0 || (cs & 0xfffc) === 0) cpu.raise(GP, 0);
  loadCache(cpu, CS, ((cs + 16) & 0xfffc) | 3, FLAT_LO, CODE_HI | dpl(3));
  loadCache(cpu, SS, ((cs + 24) & 0xfffc) | 3, FLAT_LO, DATA_HI | dpl(3));
  cpu.cpl = 3;
  cpu.regs[ESP] = cpu.regs[ECX];
  cpu.eip = cpu.regs[EDX] >>> 0;
}
