/**
 * The two-byte (0F) opcode map: Jcc/SETcc/CMOVcc, MOVZX/MOVSX, system instructions (descriptor
 * tables, LDT/TR, control and debug registers, MSRs, CPUID, RDTSC), bit operations, double shifts,
 * and the i486/Pentium additions (CMPXCHG, CMPXCHG8B, XADD, BSWAP).
 */
import type { AccessSize } from '../../../src/core/api.js';
import { arithFlags, ARITH, CcOp, CF, OF, ZF } from './flags.js';
import { CR0_EM, CR0_PE, CR0_PG, CR0_TS, EAX, EBX, ECX, EDX, FS, GP, GS, LIN, NM, NP, SS, UD } from './consts.js';
import { descDpl, descLimit, descPresent, descType, isCode, isConformingCode, probeDescriptor, readDescriptor, descBase } from './descriptors.js';
import type { I386Cpu } from './cpu.js';
import { cpuid } from './cpuid.js';
import { armBreakpoints, moveDebug } from './debugregs.js';
import { sysenter, sysexit } from './sysenter.js';

/** CR4 bits a guest may set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR (others #GP; OSXMMEXCPT needs SSE). */
const CR4_WRITABLE = 0x3ff;

export function twoByte(cpu: I386Cpu, vs: AccessSize): void {
  const op = cpu.imm(1);
  if (op >= 0x80 && op <= 0x8f) { // Jcc rel16/32
    const d = vs === 4 ? cpu.imm(4) | 0 : (cpu.imm(2) << 16) >> 16;
    if (cpu.condition(op & 15)) cpu.jumpRel(d);
    return;
  }
  if (op >= 0x90 && op <= 0x9f) { cpu.modrm(); cpu.writeRM(1, cpu.condition(op & 15) ? 1 : 0); return; } // SETcc
  if (op >= 0x40 && op <= 0x4f) { cpu.modrm(); const v = cpu.readRM(vs); if (cpu.condition(op & 15)) cpu.setR(cpu.mrReg, vs, v); return; } // CMOVcc
  if (op >= 0xc8) { const v = cpu.regs[op & 7]; cpu.regs[op & 7] = (v << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24); return; } // BSWAP
  switch (op) {
    case 0x00: return group6(cpu, vs);
    case 0x01: return group7(cpu, vs);
    case 0x02: case 0x03: return loadAccessOrLimit(cpu, op === 0x02, vs);
    case 0x06: cpu.checkCpl0(); cpu.cr0 = (cpu.cr0 & ~CR0_TS) >>> 0; return; // CLTS
    case 0x08: case 0x09: cpu.checkCpl0(); return; // INVD, WBINVD: no caches to write back
    case 0x0b: return cpu.raise(UD); // UD2
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f: cpu.modrm(); return; // hint NOPs
    case 0x20: case 0x22: return moveControl(cpu, op === 0x22);
    case 0x21: case 0x23: return moveDebug(cpu, op === 0x23);
    case 0x30: return writeMsr(cpu);
    case 0x31: { // RDTSC: 1 GHz from the virtual clock (the retired count mid-slice); CR4.TSD keeps it in ring 0
      if (cpu.cr4 & 4 && cpu.cpl !== 0) cpu.raise(GP, 0);
      const t = tsc(cpu);
      cpu.regs[EAX] = t >>> 0 | 0; cpu.regs[EDX] = Math.floor(t / 0x100000000) | 0;
      return;
    }
    case 0x32: return readMsr(cpu);
    case 0x34: return sysenter(cpu);
    case 0x35: return sysexit(cpu);
    case 0xa0: case 0xa8: cpu.push(vs, cpu.sel[op === 0xa0 ? FS : GS]); return;
    case 0xa1: case 0xa9: cpu.loadSeg(op === 0xa1 ? FS : GS, cpu.pop(vs) & 0xffff); return;
    case 0xa2: return cpuid(cpu.regs);
    case 0xae: return group15(cpu);
    case 0xa3: case 0xab: case 0xb3: case 0xbb: cpu.modrm(); return bitOp(cpu, (op >> 3) & 3, cpu.getR(cpu.mrReg, vs), vs, true);
    case 0xba: { cpu.modrm(); if (cpu.mrReg < 4) cpu.raise(UD); return bitOp(cpu, cpu.mrReg & 3, cpu.imm(1), vs, false); }
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
      cpu.modrm();
      const count = op & 1 ? cpu.regs[ECX] : cpu.imm(1);
      return doubleShift(cpu, op < 0xac, count & 31, vs);
    }
    case 0xaf: { cpu.modrm(); cpu.setR(cpu.mrReg, vs, cpu.imulTrunc(cpu.getR(cpu.mrReg, vs), cpu.readRM(vs), vs)); return; }
    case 0xb0: case 0xb1: { // CMPXCHG: the destination is written either way (SDM vol. 2)
      const s: AccessSize = op & 1 ? vs : 1;
      cpu.modrm();
      const d = cpu.readRM(s);
      cpu.alu(7, cpu.getR(EAX, s), d, s);
      if (cpu.eflags & ZF) cpu.writeRM(s, cpu.getR(cpu.mrReg, s));
      else { cpu.writeRM(s, d); cpu.setR(EAX, s, d); }
      return;
    }
    case 0xb2: cpu.loadFarPointer(SS, vs); cpu.shadow = true; return; // LSS
    case 0xb4: cpu.loadFarPointer(FS, vs); return;
    case 0xb5: cpu.loadFarPointer(GS, vs); return;
    case 0xb6: case 0xb7: case 0xbe: case 0xbf: { // MOVZX, MOVSX
      const from: AccessSize = op & 1 ? 2 : 1;
      cpu.modrm();
      const v = cpu.readRM(from), sh = 32 - from * 8;
      cpu.setR(cpu.mrReg, vs, op >= 0xbe ? (v << sh) >> sh : v);
      return;
    }
    case 0xbc: case 0xbd: { // BSF, BSR: ZF and an unchanged destination for a zero source
      cpu.modrm();
      const v = cpu.readRM(vs);
      // Only ZF is defined; QEMU sets the others as a logic op on the source (CF = OF = AF = 0, SF, PF of it).
      cpu.eflags = (cpu.eflags & ~ARITH) | arithFlags(CcOp.Logic, 0, 0, v, vs * 8, 0);
      if (v !== 0) cpu.setR(cpu.mrReg, vs, op === 0xbc ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v));
      return;
    }
    case 0xc0: case 0xc1: { // XADD
      const s: AccessSize = op & 1 ? vs : 1;
      cpu.modrm();
      const d = cpu.readRM(s), r = cpu.getR(cpu.mrReg, s);
      const sum = cpu.alu(0, d, r, s);
      cpu.writeRM(s, sum);
      cpu.setR(cpu.mrReg, s, d);
      return;
    }
    case 0xc7: { // CMPXCHG8B m64
      cpu.modrm();
      if (cpu.mrReg !== 1 || cpu.mrRm >= 0) cpu.raise(UD);
      const lo = cpu.readMem(cpu.eaSeg, cpu.eaOff, 4), hi = cpu.readMem(cpu.eaSeg, (cpu.eaOff + 4) >>> 0, 4);
      const equal = lo === cpu.regs[EAX] >>> 0 && hi === cpu.regs[EDX] >>> 0;
      cpu.writeMem(cpu.eaSeg, cpu.eaOff, 4, equal ? cpu.regs[EBX] : lo);
      cpu.writeMem(cpu.eaSeg, (cpu.eaOff + 4) >>> 0, 4, equal ? cpu.regs[ECX] : hi);
      if (!equal) { cpu.regs[EAX] = lo; cpu.regs[EDX] = hi; }
      cpu.setFlagBits(equal ? ZF : 0, equal ? 0 : ZF);
      return;
    }
    default: cpu.raise(UD);
  }
}

/** BT/BTS/BTR/BTC (kind 0..3): a register bit offset reaches beyond a memory operand (signed). */
function bitOp(cpu: I386Cpu, kind: number, offset: number, s: AccessSize, fromRegister: boolean): void {
  const bits = s * 8;
  let bit: number;
  if (cpu.mrRm < 0 && fromRegister) {
    const signed = s === 4 ? offset | 0 : (offset << 16) >> 16;
    const word = Math.floor(signed / bits);
    cpu.eaOff = cpu.addrsize32 ? (cpu.eaOff + word * s) >>> 0 : (cpu.eaOff + word * s) & 0xffff;
    bit = signed - word * bits;
  } else bit = offset & (bits - 1);
  const v = cpu.readRM(s);
  const cf = (v >>> bit) & 1;
  if (kind !== 0) {
    const m = 1 << bit;
    cpu.writeRM(s, (kind === 1 ? v | m : kind === 2 ? v & ~m : v ^ m) >>> 0);
  }
  cpu.setFlagBits(cf ? CF : 0, cf ? 0 : CF);
}

/**
 * SHLD/SHRD: a zero count changes nothing. As QEMU 7.2 (gen_shiftd_rm_T1) computes it: 16-bit operands
 * shift the 32-bit dst:src:dst chain ("Intel behaviour" for counts above 16, whose result the SDM leaves
 * undefined); CF is the last bit out; OF = MSB(partial ^ result), partial being the chain shifted by count - 1
 * (the SDM defines OF for count 1 only, where this is "MSB changed"); SF/ZF/PF from the result, AF = 0.
 */
function doubleShift(cpu: I386Cpu, left: boolean, c: number, s: AccessSize): void {
  if (c === 0) return;
  const d = cpu.readRM(s), src = cpu.getR(cpu.mrReg, s);
  let r: number, partial: number;
  if (left) {
    const low = s === 4 ? src : ((src << 16) | d) >>> 0; // the bits shifted in below dst
    partial = (d << (c - 1)) | (s === 2 && c > 1 ? low >>> (33 - c) : 0);
    r = (d << c) | (low >>> (32 - c));
  } else {
    const hi = s === 4 ? d : ((src << 16) | d) >>> 0; // the chain shifted right
    const fill = s === 4 ? src : d; // the bits shifted in above it
    partial = hi >>> (c - 1);
    r = (hi >>> c) | (fill << (32 - c));
  }
  const msb = s * 8 - 1;
  const cf = left ? (partial >>> msb) & 1 : partial & 1;
  const of = ((partial ^ r) >>> msb) & 1;
  r = s === 4 ? r >>> 0 : r & 0xffff;
  cpu.writeRM(s, r);
  cpu.eflags = (cpu.eflags & ~ARITH) | (arithFlags(CcOp.Logic, 0, 0, r, s * 8, 0) & ~(CF | OF)) | cf | (of ? OF : 0);
}

/** 0F 00: SLDT, STR, LLDT, LTR, VERR, VERW (protected mode only). */
function group6(cpu: I386Cpu, vs: AccessSize): void {
  if (!cpu.protectedMode) cpu.raise(UD);
  cpu.modrm();
  switch (cpu.mrReg) {
    case 0: case 1: cpu.writeRM(cpu.mrRm >= 0 ? vs : 2, cpu.mrReg === 0 ? cpu.ldtSel : cpu.trSel); return;
    case 2: case 3: {
      cpu.checkCpl0();
      const selector = cpu.readRM(2), err = selector & 0xfffc;
      const ldt = cpu.mrReg === 2;
      if (err === 0) {
        if (!ldt) cpu.raise(GP, 0);
        cpu.ldtSel = selector; cpu.ldtBase = 0; cpu.ldtLimit = 0;
        return;
      }
      if (selector & 4) cpu.raise(GP, err);
      readDescriptor(cpu, selector);
      const lo = cpu.descLo, hi = cpu.descHi, type = descType(hi);
      if (ldt ? type !== 0x02 : type !== 0x01 && type !== 0x09) cpu.raise(GP, err); // LDT; available 16/32-bit TSS
      if (!descPresent(hi)) cpu.raise(NP, err);
      if (ldt) { cpu.ldtSel = selector; cpu.ldtBase = descBase(lo, hi); cpu.ldtLimit = descLimit(lo, hi); return; }
      cpu.descHi = hi | 0x200; // busy
      cpu.writeMem(LIN, (cpu.descAddr + 4) >>> 0, 4, cpu.descHi);
      cpu.trSel = selector; cpu.trBase = descBase(lo, hi); cpu.trLimit = descLimit(lo, hi); cpu.trType = type | 2;
      return;
    }
    case 4: case 5: { // VERR, VERW: ZF = 1 when readable / writable at CPL and RPL
      const selector = cpu.readRM(2);
      let ok = probeDescriptor(cpu, selector);
      if (ok) {
        const hi = cpu.descHi, dpl = descDpl(hi);
        const privileged = isConformingCode(hi) && cpu.mrReg === 4 ? true : dpl >= cpu.cpl && dpl >= (selector & 3);
        ok = (hi & 0x1000) !== 0 && privileged &&
          (cpu.mrReg === 4 ? !isCode(hi) || (hi & 0x200) !== 0 : !isCode(hi) && (hi & 0x200) !== 0);
      }
      cpu.setFlagBits(ok ? ZF : 0, ok ? 0 : ZF);
      return;
    }
    default: cpu.raise(UD);
  }
}

/** System descriptor types LAR accepts (TSS, LDT, gates) and LSL accepts (TSS, LDT), as bit masks. */
const LAR_SYSTEM_TYPES = 0x1a3e, LSL_SYSTEM_TYPES = 0x0a0e;

/** LAR (access rights) and LSL (limit): ZF = 1 and the result when the descriptor is visible at CPL/RPL. */
function loadAccessOrLimit(cpu: I386Cpu, lar: boolean, vs: AccessSize): void {
  if (!cpu.protectedMode) cpu.raise(UD);
  cpu.modrm();
  const selector = cpu.readRM(2);
  let ok = probeDescriptor(cpu, selector);
  const lo = cpu.descLo, hi = cpu.descHi;
  if (ok) {
    if (!(hi & 0x1000)) {
      const type = descType(hi);
      ok = ((lar ? LAR_SYSTEM_TYPES : LSL_SYSTEM_TYPES) >> type & 1) !== 0;
    }
    if (ok && !isConformingCode(hi)) ok = descDpl(hi) >= cpu.cpl && descDpl(hi) >= (selector & 3);
  }
  if (ok) cpu.setR(cpu.mrReg, vs, lar ? hi & 0x00f0ff00 : descLimit(lo, hi));
  cpu.setFlagBits(ok ? ZF : 0, ok ? 0 : ZF);
}

/** 0F 01: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG. */
function group7(cpu: I386Cpu, vs: AccessSize): void {
  cpu.modrm();
  const k = cpu.mrReg, mem = cpu.mrRm < 0;
  if (k <= 3 && !mem) cpu.raise(UD);
  const seg = cpu.eaSeg, off = cpu.eaOff, next = (off + 2) >>> 0;
  switch (k) {
    case 0: case 1: { // a 16-bit operand stores a 24-bit base (as QEMU: the top byte 0)
      const base = k === 0 ? cpu.gdtBase : cpu.idtBase;
      cpu.writeMem(seg, off, 2, k === 0 ? cpu.gdtLimit : cpu.idtLimit);
      cpu.writeMem(seg, next, 4, vs === 4 ? base : base & 0xffffff);
      return;
    }
    case 2: case 3: {
      cpu.checkCpl0();
      const limit = cpu.readMem(seg, off, 2), raw = cpu.readMem(seg, next, 4);
      const base = vs === 4 ? raw >>> 0 : raw & 0xffffff;
      if (k === 2) { cpu.gdtLimit = limit; cpu.gdtBase = base; } else { cpu.idtLimit = limit; cpu.idtBase = base; }
      return;
    }
    case 4: cpu.writeRM(mem ? 2 : vs, mem ? cpu.cr0 & 0xffff : cpu.cr0); return; // SMSW
    case 6: { // LMSW: PE, MP, EM, TS; PE cannot be cleared
      cpu.checkCpl0();
      const v = cpu.readRM(2);
      cpu.cr0 = ((cpu.cr0 & ~0xe) | (v & 0xf) | (cpu.cr0 & CR0_PE)) >>> 0;
      return;
    }
    case 7: if (!mem) cpu.raise(UD); cpu.checkCpl0(); cpu.flushTlbPage((cpu.segBase[seg] + off) >>> 0); return; // INVLPG
    default: cpu.raise(UD);
  }
}

/**
 * Group 15 (0F AE): FXSAVE/FXRSTOR (the x87 part of the 512-byte image; #NM under CR0.EM/TS, #GP
 * when not 16-byte aligned), LFENCE/MFENCE/SFENCE (one CPU, in order) and CLFLUSH (no caches) as
 * no-ops; the SSE forms (LDMXCSR, STMXCSR, XSAVE...) are #UD: no SSE.
 */
function group15(cpu: I386Cpu): void {
  cpu.modrm();
  if (cpu.mrRm >= 0) { if (cpu.mrReg < 5) cpu.raise(UD); return; }
  if (cpu.mrReg === 7) return;
  if (cpu.mrReg > 1) cpu.raise(UD);
  if (cpu.cr0 & (CR0_EM | CR0_TS)) cpu.raise(NM);
  if (((cpu.segBase[cpu.eaSeg] + cpu.eaOff) & 15) !== 0) cpu.raise(GP, 0);
  if (cpu.mrReg === 0) cpu.fpu.fxsave(); else cpu.fpu.fxrstor();
}

/** MOV to/from CR0, CR2, CR3, CR4 (ring 0; the r/m field always names a register). */
function moveControl(cpu: I386Cpu, write: boolean): void {
  cpu.modrm();
  cpu.checkCpl0();
  const r = cpu.mrRm >= 0 ? cpu.mrRm : 0, n = cpu.mrReg;
  if (n === 1 || n > 4) cpu.raise(UD);
  if (!write) { cpu.regs[r] = n === 0 ? cpu.cr0 : n === 2 ? cpu.cr2 : n === 3 ? cpu.cr3 : cpu.cr4; return; }
  const v = cpu.regs[r] >>> 0;
  if (n === 0) {
    if (v & CR0_PG && !(v & CR0_PE)) cpu.raise(GP, 0);
    const changed = (cpu.cr0 ^ v) & (CR0_PG | 0x10000 | CR0_PE);
    cpu.cr0 = (v | 0x10) >>> 0; // ET is fixed on 486+ (and QEMU)
    if (changed) cpu.flushTlb();
  } else if (n === 2) cpu.cr2 = v;
  else if (n === 3) { cpu.cr3 = v; cpu.flushTlb(); } else {
    if (v & ~CR4_WRITABLE) cpu.raise(GP, 0);
    cpu.cr4 = v;
    cpu.flushTlb();
    armBreakpoints(cpu); // CR4.DE arms I/O breakpoints
  }
}

function tsc(cpu: I386Cpu): number { return Math.max(0, Math.floor(cpu.clock.now()) + cpu.tscOffset); }

/**
 * MSR index -> slot in cpu.msr (lo, hi pairs): APIC base, SYSENTER CS/ESP/EIP, MISC_ENABLE, PAT (storage:
 * memory types mean nothing without caches). -1: the TSC;
 * -2: the microcode revision (BIOS_SIGN_ID), which Linux writes and reads unguarded on family 6: as QEMU,
 * writes are ignored and it reads 0x1_00000000. -3: any other MSR, which reads 0 and ignores writes as in
 * QEMU's TCG (helper_rdmsr/helper_wrmsr default arms), not #GP: kernels probe MSRs unguarded there.
 */
function msrSlot(index: number): number {
  switch (index) {
    case 0x10: return -1;
    case 0x8b: return -2;
    case 0x1a0: return 8;
    case 0x1b: return 0;
    case 0x174: return 2;
    case 0x175: return 4;
    case 0x176: return 6;
    case 0x277: return 10;
    default: return -3;
  }
}

function readMsr(cpu: I386Cpu): void {
  cpu.checkCpl0();
  const slot = msrSlot(cpu.regs[ECX] >>> 0);
  if (slot === -3) { cpu.regs[EAX] = 0; cpu.regs[EDX] = 0; return; }
  if (slot === -2) { cpu.regs[EAX] = 0; cpu.regs[EDX] = 1; return; }
  if (slot < 0) { const t = tsc(cpu); cpu.regs[EAX] = t >>> 0 | 0; cpu.regs[EDX] = Math.floor(t / 0x100000000) | 0; return; }
  cpu.regs[EAX] = cpu.msr[slot]; cpu.regs[EDX] = cpu.msr[slot + 1];
}

function writeMsr(cpu: I386Cpu): void {
  cpu.checkCpl0();
  const slot = msrSlot(cpu.regs[ECX] >>> 0);
  if (slot === -2 || slot === -3) return;
  if (slot < 0) { cpu.tscOffset = (cpu.regs[EDX] >>> 0) * 0x100000000 + (cpu.regs[EAX] >>> 0) - Math.floor(cpu.clock.now()); return; }
  cpu.msr[slot] = cpu.regs[EAX]; cpu.msr[slot + 1] = cpu.regs[EDX];
}

