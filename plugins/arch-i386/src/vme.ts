/**
 * The virtual-8086 mode extensions and protected-mode virtual interrupts (SDM vol. 3, 20.3-20.4):
 * with CR4.VME, V86 code at IOPL < 3 runs CLI/STI/PUSHF/POPF/IRET (16-bit forms) on EFLAGS.VIF
 * instead of faulting, and INT n goes straight to the V86 program's own IVT when its bit in the TSS
 * interrupt redirection bitmap is clear; with CR4.PVI, CLI/STI at CPL 3 (IOPL < 3) change VIF.
 * STI, POPF and IRET that would set a virtual IF while VIP is pending are #GP(0), so the monitor
 * can deliver the pending virtual interrupt.
 */
import type { AccessSize } from '../../../src/core/api.js';
import { CS, GP, IOPL, LIN, VM } from './consts.js';
import { IF, TF } from './flags.js';
import type { I386Cpu } from './cpu.js';

export const VIF = 0x80000, VIP = 0x100000;
const CR4_VME = 1, CR4_PVI = 2;

/** CLI (`set` false) / STI at CPL > IOPL: VIF under VME (V86) or PVI (CPL 3), else #GP(0). */
export function virtualInterruptFlag(cpu: I386Cpu, set: boolean): void {
  const enabled = cpu.flagsRest & VM ? cpu.cr4 & CR4_VME : cpu.cpl === 3 && cpu.cr4 & CR4_PVI;
  if (!enabled) cpu.raise(GP, 0);
  if (set && cpu.flagsRest & VIP) cpu.raise(GP, 0);
  cpu.setFlagBits(set ? VIF : 0, set ? 0 : VIF);
}

/** V86 at IOPL < 3 without VME, or a 32-bit form: #GP(0) for the monitor. */
function requireVme(cpu: I386Cpu, vs: AccessSize): void {
  if (!(cpu.cr4 & CR4_VME) || vs === 4) cpu.raise(GP, 0);
}

/** FLAGS as V86 code sees them under VME at IOPL < 3: IF is VIF, IOPL reads 3 (SDM vol. 2, PUSHF). */
function virtualFlags(cpu: I386Cpu): number {
  const f = cpu.eflags & 0xffff & ~IF;
  return f | (cpu.flagsRest & VIF ? IF : 0) | IOPL;
}

/** Loads a 16-bit FLAGS image: #GP(0) if it sets TF, or IF while VIP; VIF takes its IF; IF and IOPL stay. */
function loadVirtualFlags(cpu: I386Cpu, f: number): void {
  const keep = IF | IOPL;
  const e = cpu.eflags;
  cpu.eflags = (e & ~0xffff & ~VIF) | (e & keep) | (f & 0xffff & ~keep) | (f & IF ? VIF : 0);
}
function checkVirtualFlags(cpu: I386Cpu, f: number): void {
  if (f & TF || (f & IF && cpu.flagsRest & VIP)) cpu.raise(GP, 0);
}

/** PUSHF in V86 mode at IOPL < 3. */
export function pushFlagsV86(cpu: I386Cpu, vs: AccessSize): void {
  requireVme(cpu, vs);
  cpu.push(2, virtualFlags(cpu));
}

/** POPF in V86 mode at IOPL < 3. */
export function popFlagsV86(cpu: I386Cpu, vs: AccessSize): void {
  requireVme(cpu, vs);
  const f = cpu.pop(2);
  checkVirtualFlags(cpu, f);
  loadVirtualFlags(cpu, f);
}

/** IRET in V86 mode at IOPL < 3: IP, CS, FLAGS, with FLAGS.IF going to VIF. */
export function interruptReturnV86(cpu: I386Cpu, vs: AccessSize): void {
  requireVme(cpu, vs);
  const ip = cpu.pop(2), cs = cpu.pop(2), f = cpu.pop(2);
  checkVirtualFlags(cpu, f);
  cpu.loadSegV86(CS, cs);
  cpu.eip = ip;
  loadVirtualFlags(cpu, f);
}

/**
 * INT n in V86 mode (SDM vol. 3, 20.3.3.5, table 20-2): with VME and the vector's redirection bit
 * clear, through the V86 program's IVT at linear 0 (methods 5 and 6); otherwise the protected-mode
 * IDT handler at IOPL 3 (methods 1 and 4), or #GP(0) at IOPL < 3 (methods 2 and 3).
 */
export function softIntV86(cpu: I386Cpu, vector: number): void {
  const iopl3 = cpu.iopl === 3;
  if (cpu.cr4 & CR4_VME && !redirectionBit(cpu, vector)) { redirect(cpu, vector, iopl3); return; }
  if (!iopl3) cpu.raise(GP, 0);
  cpu.softInt(vector);
}

/** The vector's bit in the 32-byte bitmap just below the TSS's I/O map base (past the limit: #GP(0), as Bochs). */
function redirectionBit(cpu: I386Cpu, vector: number): number {
  if ((cpu.trType & 9) !== 9 || cpu.trLimit < 0x67) cpu.raise(GP, 0); // only a 32-bit TSS has one
  const at = cpu.readMem(LIN, (cpu.trBase + 0x66) >>> 0, 2) - 32 + (vector >> 3);
  if (at < 0 || at > cpu.trLimit) cpu.raise(GP, 0);
  return (cpu.readMem(LIN, (cpu.trBase + at) >>> 0, 1) >> (vector & 7)) & 1;
}

/** The 8086 way: FLAGS, CS, IP on the V86 stack, CS:IP from the IVT; TF and IF (VIF at IOPL < 3) cleared. */
function redirect(cpu: I386Cpu, vector: number, iopl3: boolean): void {
  const ip = cpu.readMem(LIN, vector * 4, 2), cs = cpu.readMem(LIN, vector * 4 + 2, 2);
  cpu.push(2, iopl3 ? cpu.eflags & 0xffff : virtualFlags(cpu));
  cpu.push(2, cpu.sel[CS]);
  cpu.push(2, cpu.eip);
  cpu.loadSegV86(CS, cs);
  cpu.eip = ip;
  cpu.setFlagBits(0, TF | (iopl3 ? IF : VIF));
}
