/**
 * Segment descriptors (SDM vol. 3, 3.4-3.5 and 5.5-5.7): reading them from the GDT/LDT, the
 * privilege and type checks of segment-register loads, and privilege-aware EFLAGS writes.
 */
import { CF, DF, IF, OF, TF } from './flags.js';
import { AC, CS, ES, GP, GS, ID, IOPL, LIN, NP, NT, RF, SS, STACK_FAULT, VM } from './consts.js';
import type { I386Cpu } from './cpu.js';

/** Descriptor type field (bits 8..12 of the high word, S included). */
export const descType = (hi: number): number => (hi >>> 8) & 0x1f;
export const descDpl = (hi: number): number => (hi >>> 13) & 3;
export const descPresent = (hi: number): boolean => (hi & 0x8000) !== 0;
export const isCode = (hi: number): boolean => (hi & 0x1800) === 0x1800;
export const isConformingCode = (hi: number): boolean => (hi & 0x1c00) === 0x1c00;
export const isWritableData = (hi: number): boolean => (hi & 0x1a00) === 0x1200;
export const descBase = (lo: number, hi: number): number => ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
export function descLimit(lo: number, hi: number): number {
  const limit = (lo & 0xffff) | (hi & 0xf0000);
  return hi & 0x800000 ? ((limit << 12) | 0xfff) >>> 0 : limit;
}

/**
 * Reads the descriptor `selector` names (GDT, or the LDT when TI = 1) into cpu.descLo/descHi and
 * cpu.descAddr; #GP (or `vector`, #TS for task-state contexts) with the selector as error code
 * when it lies past the table's limit. `ext` is the EXT bit of the error code.
 */
export function readDescriptor(cpu: I386Cpu, selector: number, vector = GP, ext = 0): void {
  const index = selector & 0xfff8;
  const local = (selector & 4) !== 0;
  const limit = local ? cpu.ldtLimit : cpu.gdtLimit;
  if ((local && (cpu.ldtSel & 0xfffc) === 0) || index + 7 > limit) cpu.raise(vector, (selector & 0xfffc) | ext);
  const addr = ((local ? cpu.ldtBase : cpu.gdtBase) + index) >>> 0;
  cpu.descAddr = addr;
  cpu.descLo = cpu.readMem(LIN, addr, 4);
  cpu.descHi = cpu.readMem(LIN, (addr + 4) >>> 0, 4);
}

/** Like readDescriptor, for LAR/LSL/VERR/VERW: false instead of a fault when out of the table. */
export function probeDescriptor(cpu: I386Cpu, selector: number): boolean {
  const index = selector & 0xfff8;
  const local = (selector & 4) !== 0;
  if ((selector & 0xfffc) === 0 || (local && (cpu.ldtSel & 0xfffc) === 0)) return false;
  if (index + 7 > (local ? cpu.ldtLimit : cpu.gdtLimit)) return false;
  readDescriptor(cpu, selector);
  return true;
}

/** Sets the accessed bit of the descriptor just read (as the CPU and QEMU do on a load). */
export function setAccessed(cpu: I386Cpu): void {
  if (!(cpu.descHi & 0x100)) {
    cpu.descHi |= 0x100;
    cpu.writeMem(LIN, (cpu.descAddr + 4) >>> 0, 4, cpu.descHi);
  }
}

/** Fills segment register `seg`'s cache from the descriptor words. */
export function loadCache(cpu: I386Cpu, seg: number, selector: number, lo: number, hi: number): void {
  cpu.sel[seg] = selector;
  cpu.segBase[seg] = descBase(lo, hi);
  cpu.segLimit[seg] = descLimit(lo, hi);
  cpu.segBig[seg] = (hi >>> 22) & 1;
  cpu.segAttr[seg] = (hi >>> 8) & 0xf0ff;
}

/** A null selector in DS/ES/FS/GS: an unusable segment (not present). */
export function loadNull(cpu: I386Cpu, seg: number, selector: number): void {
  cpu.sel[seg] = selector; cpu.segBase[seg] = 0; cpu.segLimit[seg] = 0; cpu.segBig[seg] = 0; cpu.segAttr[seg] = 0;
}

/**
 * MOV/POP Sreg, LDS... in protected mode (SDM vol. 2, MOV; vol. 3, 5.6-5.7): SS takes a writable
 * data segment with RPL = DPL = CPL (#GP, or #SS when not present); DS/ES/FS/GS take data or
 * readable code with max(CPL, RPL) <= DPL unless conforming (#GP, #NP when not present).
 */
export function loadDataSegment(cpu: I386Cpu, seg: number, selector: number): void {
  const err = selector & 0xfffc, rpl = selector & 3;
  if (err === 0) {
    if (seg === SS) cpu.raise(GP, 0);
    loadNull(cpu, seg, selector);
    return;
  }
  readDescriptor(cpu, selector);
  const hi = cpu.descHi, dpl = descDpl(hi);
  if (seg === SS) {
    if (rpl !== cpu.cpl || dpl !== cpu.cpl || !isWritableData(hi)) cpu.raise(GP, err);
    if (!descPresent(hi)) cpu.raise(STACK_FAULT, err);
  } else {
    if (!(hi & 0x1000) || (hi & 0xa00) === 0x800) cpu.raise(GP, err); // system, or execute-only code
    if (!isConformingCode(hi) && (rpl > dpl || cpu.cpl > dpl)) cpu.raise(GP, err);
    if (!descPresent(hi)) cpu.raise(NP, err);
  }
  setAccessed(cpu);
  loadCache(cpu, seg, selector, cpu.descLo, cpu.descHi);
}

/**
 * Validates the stack segment `ss` an inter-privilege transfer switches to (TSS ss0..2 or the SS
 * popped by RET/IRET): RPL = DPL = `level`, a writable data segment, present. Leaves the
 * descriptor in cpu.descLo/descHi. `vector` is #TS for TSS stacks and #GP for popped ones.
 */
export function checkStackSegment(cpu: I386Cpu, ss: number, level: number, vector: number, ext: number): void {
  const err = (ss & 0xfffc) | ext;
  if ((ss & 0xfffc) === 0) cpu.raise(vector, ext);
  if ((ss & 3) !== level) cpu.raise(vector, err);
  readDescriptor(cpu, ss, vector, ext);
  const hi = cpu.descHi;
  if (descDpl(hi) !== level || !isWritableData(hi)) cpu.raise(vector, err);
  if (!descPresent(hi)) cpu.raise(STACK_FAULT, err);
}

/** After a return to an outer ring: data segments the new CPL may not use become null (SDM vol. 3, 5.8.6). */
export function nullInaccessibleSegments(cpu: I386Cpu): void {
  for (let seg = ES; seg <= GS; seg++) {
    if (seg === CS || seg === SS) continue;
    const attr = cpu.segAttr[seg];
    const conforming = (attr & 0x1c) === 0x1c;
    if (!conforming && ((attr >>> 5) & 3) < cpu.cpl) loadNull(cpu, seg, 0);
  }
}

/**
 * POPF/IRET's EFLAGS write (SDM vol. 2, POPF): IOPL only at CPL 0, IF only at CPL <= IOPL; VM, VIF,
 * VIP only through IRET at CPL 0 (`fromIret`). `mask` limits the write to 16 bits for 16-bit forms.
 */
export function writeFlags(cpu: I386Cpu, value: number, mask: number, fromIret: boolean): void {
  let changeable = CF | 0x4 | 0x10 | 0x40 | 0x80 | TF | DF | OF | NT | RF | AC | ID;
  const real = !(cpu.cr0 & 1);
  if (real || cpu.cpl === 0) changeable |= IOPL | IF | (fromIret && !real ? VM | 0x180000 : 0);
  else if (cpu.cpl <= cpu.iopl) changeable |= IF;
  changeable &= mask;
  if (!fromIret) changeable &= ~RF;
  cpu.eflags = (cpu.eflags & ~changeable) | (value & changeable);
}
