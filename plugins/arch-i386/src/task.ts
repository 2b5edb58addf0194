/**
 * Hardware task switches (SDM vol. 3, 7.3) between 32-bit and 16-bit TSSs: JMP/CALL to a TSS or a
 * task gate, an interrupt or exception through a task gate, and IRET with NT set (back to the
 * previous task); a 32-bit TSS with EFLAGS.VM set resumes a virtual-8086 task. A 16-bit TSS (types 1/3, SDM 7.6) holds IP, FLAGS, the 16-bit registers, ES CS SS
 * DS and the LDT; switching to one loads no CR3, zero-extends the registers, nulls FS/GS and
 * changes only the low 16 bits of EFLAGS (as QEMU 7.2's switch_tss).
 */
import { CR0_PG, CR0_TS, CS, DS, ES, FS, GP, GS, LIN, NP, NT, SS, TS, VM } from './consts.js';
import { descBase, descLimit, descPresent, descType, isCode, isConformingCode, descDpl, loadCache, loadDataSegment, loadNull, readDescriptor } from './descriptors.js';
import type { I386Cpu } from './cpu.js';
import { clearLocalEnables, TASK_TRAP } from './debugregs.js';

export const TASK_JMP = 0, TASK_CALL = 1, TASK_IRET = 2, TASK_INT = 3;

/** Where a TSS keeps the state a switch saves and loads (SDM 7.2.1, figure 7-2; 7.6, figure 7-11). */
interface TssLayout { eip: number; eflags: number; regs: number; segs: number; segCount: number; ldt: number; width: 2 | 4; minLimit: number }
const TSS32: TssLayout = { eip: 0x20, eflags: 0x24, regs: 0x28, segs: 0x48, segCount: 6, ldt: 0x60, width: 4, minLimit: 0x67 };
const TSS16: TssLayout = { eip: 0x0e, eflags: 0x10, regs: 0x12, segs: 0x22, segCount: 4, ldt: 0x2a, width: 2, minLimit: 0x2b };
const layoutOf = (type: number): TssLayout => (type & 8 ? TSS32 : TSS16);

/**
 * Switches to the task whose TSS descriptor is in cpu.descLo/descHi (read from `selector`).
 * `how` decides the busy bits, the back link and NT. `ext` is the EXT bit of error codes.
 */
export function taskSwitch(cpu: I386Cpu, selector: number, how: number, ext: number): void {
  const lo = cpu.descLo, hi = cpu.descHi, descAddr = cpu.descAddr, err = (selector & 0xfffc) | ext;
  const type = descType(hi);
  if (selector & 4) cpu.raise(TS, err);
  // An available TSS (16- or 32-bit) for JMP/CALL/INT, a busy one for IRET.
  if ((type & 0x15) !== 0x01 || (type & 2) !== (how === TASK_IRET ? 2 : 0)) cpu.raise(GP, err);
  if (!descPresent(hi)) cpu.raise(NP, err);
  const base = descBase(lo, hi), limit = descLimit(lo, hi), to = layoutOf(type), w = to.width;
  if (limit < to.minLimit) cpu.raise(TS, err);
  const rd = (off: number) => cpu.readMem(LIN, (base + off) >>> 0, w);
  // Read the new task's state before anything changes (faults here leave the old task untouched).
  const cr3 = w === 4 ? rd(0x1c) : 0, eip = rd(to.eip), eflags = rd(to.eflags), ldt = cpu.readMem(LIN, (base + to.ldt) >>> 0, 2);
  const regs = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => rd(to.regs + w * i));
  const sels = [0, 1, 2, 3, 4, 5].map((i) => (i < to.segCount ? rd(to.segs + w * i) & 0xffff : 0));
  const debugTrap = w === 4 && (cpu.readMem(LIN, (base + 0x64) >>> 0, 2) & 1) !== 0; // the T bit
  // Save the old task in its own TSS's layout.
  const old = cpu.trBase, from = layoutOf(cpu.trType), ow = from.width;
  const wr = (off: number, v: number) => cpu.writeMem(LIN, (old + off) >>> 0, ow, v);
  let oldFlags = cpu.eflags;
  if (how === TASK_IRET) oldFlags &= ~NT;
  wr(from.eip, cpu.eip);
  wr(from.eflags, oldFlags);
  for (let i = 0; i < 8; i++) wr(from.regs + ow * i, cpu.regs[i]);
  for (let s = 0; s < from.segCount; s++) cpu.writeMem(LIN, (old + from.segs + ow * s) >>> 0, 2, cpu.sel[s]);
  if (how === TASK_JMP || how === TASK_IRET) setBusy(cpu, cpu.trSel, false);
  if (how !== TASK_IRET) {
    cpu.writeMem(LIN, (descAddr + 4) >>> 0, 4, hi | 0x200);
  }
  if (how === TASK_CALL || how === TASK_INT) cpu.writeMem(LIN, base, 2, cpu.trSel);
  // Load the new task.
  cpu.trSel = selector; cpu.trBase = base; cpu.trLimit = limit; cpu.trType = type | 2;
  cpu.cr0 = (cpu.cr0 | CR0_TS) >>> 0;
  clearLocalEnables(cpu);
  if (w === 4 && cpu.cr0 & CR0_PG) { cpu.cr3 = cr3 >>> 0; cpu.flushTlb(); }
  for (let i = 0; i < 8; i++) cpu.regs[i] = regs[i];
  const flags = w === 4 ? eflags : (cpu.eflags & ~0xffff) | eflags;
  // A 32-bit TSS whose EFLAGS has VM resumes a virtual-8086 task (SDM 20.2.5); a 16-bit one cannot.
  const v86 = w === 4 && (eflags & VM) !== 0;
  cpu.eflags = (how === TASK_CALL || how === TASK_INT ? flags | NT : flags) & (v86 ? ~0 : ~VM);
  cpu.eip = eip;
  for (let s = ES; s <= GS; s++) { cpu.sel[s] = sels[s]; }
  loadLdt(cpu, ldt);
  if (v86) {
    for (let s = ES; s <= GS; s++) cpu.loadSegV86(s, sels[s]);
    cpu.cpl = 3;
  } else loadTaskSegments(cpu, sels, ext);
  if (debugTrap) cpu.debugBefore |= TASK_TRAP;
}

/** After the LDT: CS (its RPL is the new CPL), then the data segments, with the usual checks (#TS). */
function loadTaskSegments(cpu: I386Cpu, sels: number[], ext: number): void {
  const cs = sels[CS];
  if ((cs & 0xfffc) === 0) cpu.raise(TS, ext);
  readDescriptor(cpu, cs, TS, ext);
  if (!isCode(cpu.descHi) || (isConformingCode(cpu.descHi) ? descDpl(cpu.descHi) > (cs & 3) : descDpl(cpu.descHi) !== (cs & 3))) {
    cpu.raise(TS, (cs & 0xfffc) | ext);
  }
  if (!descPresent(cpu.descHi)) cpu.raise(NP, (cs & 0xfffc) | ext);
  loadCache(cpu, CS, cs, cpu.descLo, cpu.descHi);
  cpu.cpl = cs & 3;
  for (const s of DATA_SEGS) {
    if (s !== SS && (sels[s] & 0xfffc) === 0) { loadNull(cpu, s, sels[s]); continue; }
    loadDataSegment(cpu, s, sels[s]);
  }
}

const DATA_SEGS = [SS, DS, ES, FS, GS];

function setBusy(cpu: I386Cpu, selector: number, busy: boolean): void {
  readDescriptor(cpu, selector);
  cpu.writeMem(LIN, (cpu.descAddr + 4) >>> 0, 4, busy ? cpu.descHi | 0x200 : cpu.descHi & ~0x200);
}

function loadLdt(cpu: I386Cpu, selector: number): void {
  if ((selector & 0xfffc) === 0) { cpu.ldtSel = 0; cpu.ldtBase = 0; cpu.ldtLimit = 0; return; }
  if (selector & 4) cpu.raise(TS, selector & 0xfffc);
  readDescriptor(cpu, selector, TS);
  if (descType(cpu.descHi) !== 0x02 || !descPresent(cpu.descHi)) cpu.raise(TS, selector & 0xfffc);
  cpu.ldtSel = selector; cpu.ldtBase = descBase(cpu.descLo, cpu.descHi); cpu.ldtLimit = descLimit(cpu.descLo, cpu.descHi);
}

/** A task gate (IDT, or GDT/LDT for JMP/CALL): the TSS selector it names, read into cpu.descLo/descHi. */
export function throughTaskGate(cpu: I386Cpu, gateLo: number, how: number, ext: number): void {
  const tss = gateLo >>> 16;
  if ((tss & 0xfffc) === 0 || tss & 4) cpu.raise(GP, (tss & 0xfffc) | ext);
  readDescriptor(cpu, tss, GP, ext);
  taskSwitch(cpu, tss, how, ext);
}
