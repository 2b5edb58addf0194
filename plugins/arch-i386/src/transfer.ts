/**
 * Protected-mode control transfers (SDM vol. 3, chapters 5 and 6): interrupt and exception
 * delivery through the IDT (interrupt and trap gates, the TSS ss0/esp0 stack switch), far
 * JMP/CALL (code segments, call gates with parameter copying), far RET and IRET (to outer rings).
 * Every check comes before the first register changes, so a fault leaves the state as it was.
 * Task switches are in task.ts. Not here: returns to V86 mode.
 */
import type { AccessSize } from '../../../src/core/api.js';
import { IF, TF } from './flags.js';
import { AC, CR0_PE, CS, EXTERNAL, ESP, GP, NP, NT, RF, SOFTWARE, SS, TS, VM, LIN, ES, DS, FS, GS } from './consts.js';
import {
  checkStackSegment, descBase, descDpl, descLimit, descPresent, descType, isCode, isConformingCode, loadCache, loadNull,
  nullInaccessibleSegments, readDescriptor, setAccessed, writeFlags,
} from './descriptors.js';
import type { I386Cpu } from './cpu.js';
import { interruptReturnV86 } from './vme.js';
import { TASK_CALL, TASK_INT, TASK_IRET, TASK_JMP, taskSwitch, throughTaskGate } from './task.js';

/** Writes `v` below `sp` on the stack at linear `base` (SP wraps at 64 KiB unless `big`); returns the new SP. */
function pushTo(cpu: I386Cpu, base: number, big: number, sp: number, size: AccessSize, v: number): number {
  const nsp = big ? (sp - size) >>> 0 : (sp - size) & 0xffff;
  cpu.writeMem(LIN, (base + nsp) >>> 0, size, v);
  return nsp;
}
function readAt(cpu: I386Cpu, base: number, big: number, sp: number, size: AccessSize): number {
  return cpu.readMem(LIN, (base + (big ? sp >>> 0 : sp & 0xffff)) >>> 0, size);
}
function setSp(cpu: I386Cpu, sp: number): void {
  if (cpu.segBig[SS]) cpu.regs[ESP] = sp; else cpu.regs[ESP] = (cpu.regs[ESP] & ~0xffff) | (sp & 0xffff);
}

/** The inner stack of ring `level` from the current TSS (32-bit: esp/ss at 4 + 8n; 16-bit: sp/ss at 2 + 4n). */
let tssSs = 0, tssEsp = 0;
function tssStack(cpu: I386Cpu, level: number, ext: number): void {
  const big = (cpu.trType & 8) !== 0;
  const off = big ? 4 + level * 8 : 2 + level * 4;
  if (off + (big ? 5 : 3) > cpu.trLimit) cpu.raise(TS, (cpu.trSel & 0xfffc) | ext);
  tssEsp = cpu.readMem(LIN, (cpu.trBase + off) >>> 0, big ? 4 : 2);
  tssSs = cpu.readMem(LIN, (cpu.trBase + off + (big ? 4 : 2)) >>> 0, 2);
}

/**
 * Delivers interrupt or exception `vector` (SDM vol. 3, 6.12): real mode through the IVT; protected
 * mode through an interrupt or trap gate, switching to the TSS stack for an inner ring. The return
 * address is cpu.eip (the faulting instruction for faults, the next one for traps and INTR).
 * `code` >= 0 is pushed as the error code. Software INT n checks the gate's DPL.
 */
export function deliverEvent(cpu: I386Cpu, vector: number, kind: number, code: number): void {
  if (!(cpu.cr0 & CR0_PE)) {
    if (vector * 4 + 3 > cpu.idtLimit) cpu.raise(GP, vector * 8 + 2);
    const ip = cpu.readMem(LIN, (cpu.idtBase + vector * 4) >>> 0, 2), cs = cpu.readMem(LIN, (cpu.idtBase + vector * 4 + 2) >>> 0, 2);
    cpu.push(2, cpu.eflags & 0xffff);
    cpu.push(2, cpu.sel[CS]);
    cpu.push(2, cpu.eip & 0xffff);
    cpu.setFlagBits(0, IF | TF | AC);
    cpu.loadSegReal(CS, cs);
    cpu.eip = ip;
    return;
  }
  const ext = kind === EXTERNAL ? 1 : 0;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > cpu.idtLimit) cpu.raise(GP, gateErr);
  const gate = (cpu.idtBase + vector * 8) >>> 0;
  const lo = cpu.readMem(LIN, gate, 4), hi = cpu.readMem(LIN, (gate + 4) >>> 0, 4);
  const type = descType(hi);
  if (type !== 0x0e && type !== 0x0f && type !== 0x06 && type !== 0x07 && type !== 0x05) cpu.raise(GP, gateErr);
  if (kind === SOFTWARE && descDpl(hi) < cpu.cpl) cpu.raise(GP, gateErr);
  if (!descPresent(hi)) cpu.raise(NP, gateErr);
  if (type === 0x05) { // a task gate: the handler is another task; the error code goes on its stack
    throughTaskGate(cpu, lo, TASK_INT, ext);
    if (code >= 0) cpu.push(cpu.trType & 8 ? 4 : 2, code); // a word on a 16-bit task's stack
    return;
  }
  const size: AccessSize = type & 8 ? 4 : 2;
  const selector = lo >>> 16, err = (selector & 0xfffc) | ext;
  const offset = size === 4 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
  if ((selector & 0xfffc) === 0) cpu.raise(GP, ext);
  readDescriptor(cpu, selector, GP, ext);
  const clo = cpu.descLo, chi = cpu.descHi;
  if (!isCode(chi) || descDpl(chi) > cpu.cpl) cpu.raise(GP, err);
  if (!descPresent(chi)) cpu.raise(NP, err);
  if (offset > descLimit(clo, chi)) cpu.raise(GP, ext);
  const oldCpl = cpu.cpl, eflags = cpu.eflags, v86 = (eflags & VM) !== 0;
  const newCpl = isConformingCode(chi) ? oldCpl : descDpl(chi);
  if (v86 && newCpl !== 0) cpu.raise(GP, err);
  let base = cpu.segBase[SS], big = cpu.segBig[SS], sp = cpu.regs[ESP];
  let newSs = -1, slo = 0, shi = 0;
  try {
    if (newCpl < oldCpl) {
      tssStack(cpu, newCpl, ext);
      newSs = tssSs;
      checkStackSegment(cpu, newSs, newCpl, TS, ext);
      slo = cpu.descLo; shi = cpu.descHi;
      base = descBase(slo, shi); big = (shi >>> 22) & 1; sp = big ? tssEsp : tssEsp & 0xffff;
      cpu.cpl = newCpl; // the new stack is written with the handler's privilege (paging U/S)
      if (v86) for (const seg of V86_SEGS) sp = pushTo(cpu, base, big, sp, size, cpu.sel[seg]);
      sp = pushTo(cpu, base, big, sp, size, cpu.sel[SS]);
      sp = pushTo(cpu, base, big, sp, size, cpu.regs[ESP]);
    } else if (v86) cpu.raise(GP, err);
    sp = pushTo(cpu, base, big, sp, size, eflags);
    sp = pushTo(cpu, base, big, sp, size, cpu.sel[CS]);
    sp = pushTo(cpu, base, big, sp, size, cpu.eip);
    if (code >= 0) sp = pushTo(cpu, base, big, sp, size, code);
  } catch (e) {
    cpu.cpl = oldCpl;
    throw e;
  }
  if (newSs >= 0) loadCache(cpu, SS, newSs, slo, shi);
  setSp(cpu, sp);
  if (v86) for (const seg of V86_SEGS) loadNull(cpu, seg, 0);
  loadCache(cpu, CS, (selector & 0xfffc) | newCpl, clo, chi);
  cpu.cpl = newCpl;
  cpu.eip = offset;
  // Interrupt gates also clear IF; both clear TF, NT, RF and VM (SDM vol. 3, 6.12.1.3).
  cpu.setFlagBits(0, TF | NT | RF | VM | (type & 1 ? 0 : IF));
}
const V86_SEGS = [GS, FS, DS, ES];

/**
 * Far JMP and CALL (SDM vol. 2, JMP/CALL): real mode and V86 load CS = selector; protected mode
 * goes to a code segment at the same privilege or through a call gate (a CALL to a more
 * privileged non-conforming segment switches to the TSS stack and copies the gate's parameters).
 */
export function farTransfer(cpu: I386Cpu, selector: number, offset: number, call: boolean, vs: AccessSize): void {
  if (!cpu.protectedMode) {
    if (call) { cpu.push(vs, cpu.sel[CS]); cpu.push(vs, cpu.eip); }
    if (cpu.flagsRest & VM) cpu.loadSegV86(CS, selector); else cpu.loadSegReal(CS, selector);
    cpu.eip = vs === 4 ? offset : offset & 0xffff;
    return;
  }
  const cpl = cpu.cpl, rpl = selector & 3, err = selector & 0xfffc;
  if (err === 0) cpu.raise(GP, 0);
  readDescriptor(cpu, selector);
  let lo = cpu.descLo, hi = cpu.descHi;
  const dpl = descDpl(hi);
  if (isCode(hi)) {
    if (isConformingCode(hi) ? dpl > cpl : rpl > cpl || dpl !== cpl) cpu.raise(GP, err);
    if (!descPresent(hi)) cpu.raise(NP, err);
    const target = vs === 4 ? offset : offset & 0xffff;
    if (target > descLimit(lo, hi)) cpu.raise(GP, 0);
    if (call) { cpu.push(vs, cpu.sel[CS]); cpu.push(vs, cpu.eip); }
    setAccessed(cpu);
    loadCache(cpu, CS, err | cpl, lo, hi);
    cpu.eip = target;
    return;
  }
  const type = descType(hi);
  if (type !== 0x04 && type !== 0x0c && type !== 0x05 && type !== 0x09 && type !== 0x01) cpu.raise(GP, err);
  if (dpl < cpl || dpl < rpl) cpu.raise(GP, err);
  if (!descPresent(hi)) cpu.raise(NP, err);
  if (type === 0x09 || type === 0x01) return taskSwitch(cpu, selector, call ? TASK_CALL : TASK_JMP, 0); // JMP/CALL to a TSS
  if (type === 0x05) return throughTaskGate(cpu, lo, call ? TASK_CALL : TASK_JMP, 0);
  const size: AccessSize = type === 0x0c ? 4 : 2;
  const tsel = lo >>> 16, terr = tsel & 0xfffc, params = hi & 0x1f;
  const target = size === 4 ? ((hi & 0xffff0000) | (lo & 0xffff)) >>> 0 : lo & 0xffff;
  if (terr === 0) cpu.raise(GP, 0);
  readDescriptor(cpu, tsel);
  lo = cpu.descLo; hi = cpu.descHi;
  const tdpl = descDpl(hi), conforming = isConformingCode(hi);
  if (!isCode(hi) || tdpl > cpl || (!call && !conforming && tdpl !== cpl)) cpu.raise(GP, terr);
  if (!descPresent(hi)) cpu.raise(NP, terr);
  if (target > descLimit(lo, hi)) cpu.raise(GP, 0);
  if (call && !conforming && tdpl < cpl) {
    callInner(cpu, tdpl, lo, hi, terr, target, size, params);
    return;
  }
  if (call) { cpu.push(size, cpu.sel[CS]); cpu.push(size, cpu.eip); }
  loadCache(cpu, CS, terr | cpl, lo, hi);
  cpu.eip = target;
}

/** CALL through a gate to an inner ring (SDM vol. 3, 5.8.5): TSS stack, old SS:ESP, parameters, CS:EIP. */
function callInner(cpu: I386Cpu, level: number, clo: number, chi: number, csel: number, target: number, size: AccessSize, params: number): void {
  tssStack(cpu, level, 0);
  const ss = tssSs;
  checkStackSegment(cpu, ss, level, TS, 0);
  const slo = cpu.descLo, shi = cpu.descHi, base = descBase(slo, shi), big = (shi >>> 22) & 1;
  const oldBase = cpu.segBase[SS], oldBig = cpu.segBig[SS], oldSp = cpu.regs[ESP], oldCpl = cpu.cpl;
  let sp = big ? tssEsp : tssEsp & 0xffff;
  cpu.cpl = level;
  try {
    sp = pushTo(cpu, base, big, sp, size, cpu.sel[SS]);
    sp = pushTo(cpu, base, big, sp, size, oldSp);
    for (let i = params - 1; i >= 0; i--) sp = pushTo(cpu, base, big, sp, size, readAt(cpu, oldBase, oldBig, oldSp + i * size, size));
    sp = pushTo(cpu, base, big, sp, size, cpu.sel[CS]);
    sp = pushTo(cpu, base, big, sp, size, cpu.eip);
  } catch (e) {
    cpu.cpl = oldCpl;
    throw e;
  }
  loadCache(cpu, SS, ss, slo, shi);
  setSp(cpu, sp);
  loadCache(cpu, CS, csel | level, clo, chi);
  cpu.eip = target;
}

/** The checks on the CS a far RET or IRET returns to (RPL >= CPL; DPL = RPL, or <= RPL if conforming). */
function checkReturnCs(cpu: I386Cpu, cs: number): void {
  const err = cs & 0xfffc;
  if (err === 0) cpu.raise(GP, 0);
  if ((cs & 3) < cpu.cpl) cpu.raise(GP, err);
  readDescriptor(cpu, cs);
  const hi = cpu.descHi, dpl = descDpl(hi);
  if (!isCode(hi) || (isConformingCode(hi) ? dpl > (cs & 3) : dpl !== (cs & 3))) cpu.raise(GP, err);
  if (!descPresent(hi)) cpu.raise(NP, err);
}

/** Far RET [imm16] (SDM vol. 2, RET): to the same ring, or to an outer ring popping SS:ESP. */
export function farReturn(cpu: I386Cpu, vs: AccessSize, n: number): void {
  if (!cpu.protectedMode) {
    const ip = cpu.pop(vs), cs = cpu.pop(vs) & 0xffff;
    if (cpu.flagsRest & VM) cpu.loadSegV86(CS, cs); else cpu.loadSegReal(CS, cs);
    cpu.eip = ip;
    cpu.addSp(n);
    return;
  }
  const base = cpu.segBase[SS], big = cpu.segBig[SS], sp = cpu.regs[ESP];
  const ip = readAt(cpu, base, big, sp, vs), cs = readAt(cpu, base, big, sp + vs, vs) & 0xffff;
  checkReturnCs(cpu, cs);
  const clo = cpu.descLo, chi = cpu.descHi, rpl = cs & 3;
  if (rpl === cpu.cpl) {
    loadCache(cpu, CS, cs, clo, chi);
    cpu.eip = ip;
    cpu.addSp(2 * vs + n);
    return;
  }
  const esp = readAt(cpu, base, big, sp + 2 * vs + n, vs), ss = readAt(cpu, base, big, sp + 3 * vs + n, vs) & 0xffff;
  checkStackSegment(cpu, ss, rpl, GP, 0);
  toOuterRing(cpu, cs, clo, chi, ip, ss, esp + n, vs);
}

function toOuterRing(cpu: I386Cpu, cs: number, clo: number, chi: number, ip: number, ss: number, esp: number, vs: AccessSize): void {
  const slo = cpu.descLo, shi = cpu.descHi;
  loadCache(cpu, CS, cs, clo, chi);
  cpu.cpl = cs & 3;
  cpu.eip = ip;
  loadCache(cpu, SS, ss, slo, shi);
  if (vs === 4) cpu.regs[ESP] = esp; else setSp(cpu, esp);
  nullInaccessibleSegments(cpu);
}

/**
 * IRET (SDM vol. 2, IRET): real mode pops IP, CS, FLAGS; protected mode returns to the same ring or
 * to an outer one (popping SS:ESP). EFLAGS are written with the privilege IRET runs at.
 */
export function interruptReturn(cpu: I386Cpu, vs: AccessSize): void {
  const flagMask = vs === 4 ? ~(VM | 0x180000) : 0xffff;
  if (!cpu.protectedMode) {
    if (cpu.flagsRest & VM && cpu.iopl < 3) return interruptReturnV86(cpu, vs);
    const ip = cpu.pop(vs), cs = cpu.pop(vs) & 0xffff, fl = cpu.pop(vs);
    if (cpu.flagsRest & VM) cpu.loadSegV86(CS, cs); else cpu.loadSegReal(CS, cs);
    cpu.eip = ip;
    writeFlags(cpu, fl, cpu.flagsRest & VM ? flagMask & ~0x3000 : flagMask, true);
    return;
  }
  if (cpu.flagsRest & NT) { // return to the previous task: the back link of this TSS
    const link = cpu.readMem(LIN, cpu.trBase, 2);
    if (link & 4 || (link & 0xfffc) === 0) cpu.raise(TS, link & 0xfffc);
    readDescriptor(cpu, link, TS);
    taskSwitch(cpu, link, TASK_IRET, 0);
    return;
  }
  const base = cpu.segBase[SS], big = cpu.segBig[SS], sp = cpu.regs[ESP];
  const ip = readAt(cpu, base, big, sp, vs), cs = readAt(cpu, base, big, sp + vs, vs) & 0xffff;
  const fl = readAt(cpu, base, big, sp + 2 * vs, vs);
  if (vs === 4 && fl & VM && cpu.cpl === 0) return returnToV86(cpu, base, big, sp, ip, cs, fl);
  checkReturnCs(cpu, cs);
  const clo = cpu.descLo, chi = cpu.descHi, rpl = cs & 3;
  if (rpl === cpu.cpl) {
    loadCache(cpu, CS, cs, clo, chi);
    cpu.eip = ip;
    writeFlags(cpu, fl, flagMask, true);
    cpu.addSp(3 * vs);
    return;
  }
  const esp = readAt(cpu, base, big, sp + 3 * vs, vs), ss = readAt(cpu, base, big, sp + 4 * vs, vs) & 0xffff;
  checkStackSegment(cpu, ss, rpl, GP, 0);
  writeFlags(cpu, fl, flagMask, true);
  toOuterRing(cpu, cs, clo, chi, ip, ss, esp, vs);
}

/** IRET from ring 0 to virtual-8086 mode (SDM vol. 2, IRET): EIP CS EFLAGS ESP SS ES DS FS GS from the stack. */
function returnToV86(cpu: I386Cpu, base: number, big: number, sp: number, ip: number, cs: number, fl: number): void {
  const esp = readAt(cpu, base, big, sp + 12, 4), ss = readAt(cpu, base, big, sp + 16, 4) & 0xffff;
  const es = readAt(cpu, base, big, sp + 20, 4) & 0xffff, ds = readAt(cpu, base, big, sp + 24, 4) & 0xffff;
  const fs = readAt(cpu, base, big, sp + 28, 4) & 0xffff, gs = readAt(cpu, base, big, sp + 32, 4) & 0xffff;
  cpu.eflags = fl;
  cpu.loadSegV86(CS, cs); cpu.loadSegV86(SS, ss); cpu.loadSegV86(ES, es); cpu.loadSegV86(DS, ds);
  cpu.loadSegV86(FS, fs); cpu.loadSegV86(GS, gs);
  cpu.cpl = 3;
  cpu.eip = ip & 0xffff;
  cpu.regs[ESP] = esp;
}
