/**
 * An i386 core, first step: state, reset, real-mode segmentation, the integer ALU/MOV/branch core
 * with 16- and 32-bit operand and address sizes, lazy flags, and exceptions delivered through the
 * real-mode IVT. Interprets straight from memory (no decoded-block cache yet; see README).
 */
import type { AccessSize, Cpu, CpuContext, IrqLine, RegisterValue } from '../../../src/core/api.js';
import { Line } from '../../../src/core/irq.js';
import { AF, arithFlags, ARITH, CcOp, CF, DF, IF, OF, PF as FLAG_PF, SF, TF, ZF } from './flags.js';
import { X87 } from './fpu.js';
import { div32, mul32, R } from './muldiv32.js';
import { FAST_SR, FAST_SW, FAST_SX, FAST_UR, FAST_UW, FAST_UX, I386Mmu, TLB_MASK } from './mmu.js';

export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
/** Exception vectors (SDM vol. 3, 6.3.1). */
export const DE = 0, UD = 6, NM = 7, GP = 13, PF = 14;
/** CR0 bits the x87 traps look at (SDM vol. 3, 2.5, table 2-2). */
const CR0_MP = 2, CR0_EM = 4, CR0_TS = 8;
/** EFLAGS.VM (virtual-8086 mode). */
const VM = 1 << 17;
/**
 * Thrown (one preallocated object, never a new Error) by a faulting memory access to abandon the
 * instruction; run() catches it and delivers the pending exception. Never leaves the CPU.
 */
const ACCESS_ABORT = { abort: 'access' };

/** A pending exception: taken at the next instruction boundary, never a host exception. */
export interface PendingException { vector: number; eip: number }

const EFLAGS_FIXED = 0x2; // bit 1 always reads 1
const PREFIX_NONE = -1;

export class I386Cpu implements Cpu {
  readonly id: number;
  readonly regs = new Int32Array(8);
  eip = 0;
  /** Non-arithmetic EFLAGS bits (and the arithmetic ones while ccOp is None). */
  private flagsRest = EFLAGS_FIXED;
  private ccOp = CcOp.None;
  private ccA = 0; private ccB = 0; private ccR = 0; private ccBits = 32; private ccKeptCf = 0;
  /** Segment selectors and their descriptor caches (base, limit, D/B bit of code/stack). */
  readonly sel = new Uint16Array(6);
  readonly segBase = new Uint32Array(6);
  readonly segLimit = new Uint32Array(6);
  readonly segBig = new Uint8Array(6);
  cr0 = 0; cr2 = 0; cr3 = 0; cr4 = 0;
  gdtBase = 0; gdtLimit = 0xffff;
  /** The last exception taken (for tests and the trace); null when none. */
  lastException: PendingException | null = null;
  /** The one record `lastException` points at, rewritten in place (no allocation per exception). */
  private readonly exceptionRecord: PendingException = { vector: 0, eip: 0 };
  private pending = -1;
  /** Error code of the pending exception (#PF for now), for the protected-mode delivery. */
  errorCode = 0;
  /** The x87 FPU (fpu.ts). */
  readonly fpu: X87;
  /** Paging, A20 and the software TLB (mmu.ts). */
  readonly mmu: I386Mmu;
  /** ESP at the start of the instruction: restored when an access aborts it (pushes decrement first). */
  private startEsp = 0;
  /** True when the pending event is INT n: it returns after the instruction, not to it. */
  private pendingIsSoftware = false;
  private halted = false;
  private exitRequested = false;
  private budgetLimit = Infinity;
  private retiredCount = 0;
  // Per-instruction decode state (fields, not allocations).
  private opsize32 = false; private addrsize32 = false; private segOverride = PREFIX_NONE; private rep = 0;
  private startEip = 0;
  private mrReg = 0; private mrRm = -1; private eaSeg = DS; private eaOff = 0;
  private readonly bus: CpuContext['bus'];

  constructor(ctx: CpuContext) {
    this.id = ctx.id;
    this.bus = ctx.bus;
    this.mmu = new I386Mmu(ctx.bus, (linear, code) => this.pageFault(linear, code));
    this.a20Line.level = true; // A20 enabled at reset, as QEMU's pc
    this.fpu = new X87({
      loadEa: (disp, size) => this.read(this.eaSeg, this.eaPlus(disp), size),
      storeEa: (disp, size, v) => this.write(this.eaSeg, this.eaPlus(disp), size, v),
      setAx: (v) => this.setR(EAX, 2, v),
      setCompareFlags: (zf, pf, cf) => {
        this.setFlagBits(0, ZF | FLAG_PF | CF | OF | SF | AF);
        this.setFlagBits((zf ? ZF : 0) | (pf ? FLAG_PF : 0) | (cf ? CF : 0), 0);
      },
    });
    this.reset();
  }

  reset(): void {
    this.regs.fill(0);
    this.regs[EDX] = 0x663; // family 6 model 6 stepping 3, QEMU's qemu32 reset signature
    this.flagsRest = EFLAGS_FIXED; this.ccOp = CcOp.None;
    for (let s = 0; s < 6; s++) { this.sel[s] = 0; this.segBase[s] = 0; this.segLimit[s] = 0xffff; this.segBig[s] = 0; }
    // SDM vol. 3, 9.1.4: CS = F000 with base FFFF0000 until the first far jump, EIP = FFF0.
    this.sel[CS] = 0xf000; this.segBase[CS] = 0xffff0000;
    this.eip = 0xfff0;
    this.cr0 = 0x60000010; this.cr2 = 0; this.cr3 = 0; this.cr4 = 0; // CD, NW, ET as QEMU
    this.pending = -1; this.lastException = null; this.halted = false; this.retiredCount = 0;
    this.mmu.reset();
    this.fpu.init();
  }

  get pc(): number { return (this.segBase[CS] + this.eip) >>> 0; }
  /** Sets the linear pc: the offset from the current CS base. */
  set pc(v: number) { this.eip = (v - this.segBase[CS]) >>> 0; this.halted = false; }
  get waiting(): boolean { return this.halted; }
  get stopped(): boolean { return false; }
  get retired(): number { return this.retiredCount; }
  requestExit(): void { this.exitRequested = true; }
  limitRun(steps: number): void { if (steps < this.budgetLimit) this.budgetLimit = steps; }
  /** INTR from the 8259A (delivery comes with the IDT); its level for now. */
  private readonly intr = new Line('cpu intr');
  /** The A20 gate (i8042 output port, port 0x92): level high = enabled; low forces physical bit 20 to 0. */
  private readonly a20Line = new Line('cpu a20', (level) => this.mmu.setA20(level));
  irqInput(input: string): IrqLine | undefined { return input === 'intr' ? this.intr : input === 'a20' ? this.a20Line : undefined; }
  getReg(i: number): number { return this.regs[i] >>> 0; }
  setReg(i: number, v: number): void { this.regs[i] = v; }
  privilegeName(): string { return this.cr0 & 1 ? 'PM' : 'real'; }

  get eflags(): number {
    if (this.ccOp === CcOp.None) return this.flagsRest >>> 0;
    return ((this.flagsRest & ~ARITH) | arithFlags(this.ccOp, this.ccA, this.ccB, this.ccR, this.ccBits, this.ccKeptCf)) >>> 0;
  }
  set eflags(v: number) { this.flagsRest = (v & 0x3f7fd7) | EFLAGS_FIXED; this.ccOp = CcOp.None; }

  inspect(): RegisterValue[] {
    const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
    const out: RegisterValue[] = names.map((name, i) => ({ name, value: this.regs[i] >>> 0, width: 32 as const }));
    out.push({ name: 'eip', value: this.eip >>> 0, width: 32 }, { name: 'eflags', value: this.eflags, width: 32 });
    const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
    for (let s = 0; s < 6; s++) out.push({ name: segs[s], value: this.sel[s], width: 32 });
    out.push({ name: 'cr0', value: this.cr0 >>> 0, width: 32 });
    return out;
  }

  run(budget: number): number {
    this.exitRequested = false;
    this.budgetLimit = budget;
    let n = 0;
    while (n < this.budgetLimit && !this.exitRequested && !this.halted) {
      this.startEsp = this.regs[ESP];
      try {
        this.step();
        if (this.pending >= 0) this.deliver();
      } catch (e) {
        if (e !== ACCESS_ABORT) throw e;
        this.regs[ESP] = this.startEsp;
        if (this.pending >= 0) this.deliver(); // a fault while delivering: double fault comes with the IDT
      }
      n++;
      this.retiredCount++; // current at every device access, as the clock reads it mid-slice
    }
    return n;
  }

  // --- memory -------------------------------------------------------------------------------

  /**
   * Segment-relative accesses. A hit in the software TLB (mmu.ts) whose page is RAM and which
   * stays inside the page goes straight to the RAM arrays; the rest (misses, permission checks
   * that need a walk, holes/ROM/MMIO, page-crossing accesses) takes the MMU's slow path.
   */
  private read(seg: number, off: number, size: AccessSize): number {
    return this.readLinear((this.segBase[seg] + off) >>> 0, size, this.userAccess());
  }
  private write(seg: number, off: number, size: AccessSize, v: number): void {
    this.writeLinear((this.segBase[seg] + off) >>> 0, size, v, this.userAccess());
  }
  /** Linear accesses; `user` false for implicit supervisor accesses (GDT, IDT, TSS: SDM 4.6). */
  private readLinear(lin: number, size: AccessSize, user: boolean): number {
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    if (m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UR : FAST_SR)) !== 0 && (lin & 0xfff) <= 4096 - size) {
      return m.ramLoad(m.ramOff[slot] + (lin & 0xfff), size);
    }
    return m.readSlow(lin, size, user);
  }
  private writeLinear(lin: number, size: AccessSize, v: number, user: boolean): void {
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    if (m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UW : FAST_SW)) !== 0 && (lin & 0xfff) <= 4096 - size) {
      m.ramStore(m.ramOff[slot] + (lin & 0xfff), size, v);
      return;
    }
    m.writeSlow(lin, size, v, user);
  }
  /**
   * True when accesses are user-mode for paging: CPL 3 (CS.RPL in protected mode) or virtual-8086
   * mode. With paging off every page allows both, so real mode's CS low bits do not matter.
   * (The lead may replace this with the CPL field of the protected-mode work.)
   */
  private userAccess(): boolean { return (this.sel[CS] & 3) === 3 || (this.flagsRest & VM) !== 0; }
  /**
   * #PF (SDM vol. 3, 6.15): CR2 = the linear address, the error code kept for delivery, and the
   * instruction abandoned (ACCESS_ABORT, caught in run()) so that it has no effect.
   * TODO(lead): deliver through the protected-mode raise(vector, errorCode) when merging.
   */
  private pageFault(linear: number, errorCode: number): void {
    this.cr2 = linear >>> 0;
    this.errorCode = errorCode;
    this.raise(PF);
    throw ACCESS_ABORT;
  }
  /** One instruction byte: execute permission (differs from read only with PAE's XD). */
  private fetch8(): number {
    const lin = (this.segBase[CS] + this.eip) >>> 0, user = this.userAccess();
    const m = this.mmu, slot = (lin >>> 12) & TLB_MASK;
    const b = m.tag[slot] === (lin & -4096) && (m.perm[slot] & (user ? FAST_UX : FAST_SX)) !== 0
      ? m.u8[m.ramOff[slot] + (lin & 0xfff)] : m.fetchSlow(lin, user);
    this.eip = this.segBig[CS] ? (this.eip + 1) >>> 0 : (this.eip + 1) & 0xffff;
    return b;
  }
  private fetch16(): number { return this.fetch8() | (this.fetch8() << 8); }
  private fetch32(): number { return (this.fetch16() | (this.fetch16() << 16)) >>> 0; }
  private fetchImm(size: number): number { return size === 1 ? this.fetch8() : size === 2 ? this.fetch16() : this.fetch32(); }

  // --- registers ------------------------------------------------------------------------------

  private getR(r: number, size: number): number {
    if (size === 4) return this.regs[r] >>> 0;
    if (size === 2) return this.regs[r] & 0xffff;
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >>> 8) & 0xff; // AH..BH
  }
  private setR(r: number, size: number, v: number): void {
    if (size === 4) this.regs[r] = v;
    else if (size === 2) this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
    else if (r < 4) this.regs[r] = (this.regs[r] & ~0xff) | (v & 0xff);
    else this.regs[r - 4] = (this.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  // --- ModRM / SIB (SDM vol. 2, tables 2-1 to 2-3) ------------------------------------------------

  private modrm(): void {
    const m = this.fetch8();
    const mod = m >> 6, rm = m & 7;
    this.mrReg = (m >> 3) & 7;
    if (mod === 3) { this.mrRm = rm; return; }
    this.mrRm = -1;
    let seg = DS, off = 0;
    if (!this.addrsize32) {
      if (mod === 0 && rm === 6) off = this.fetch16();
      else {
        switch (rm) {
          case 0: off = this.regs[EBX] + this.regs[ESI]; break;
          case 1: off = this.regs[EBX] + this.regs[EDI]; break;
          case 2: off = this.regs[EBP] + this.regs[ESI]; seg = SS; break;
          case 3: off = this.regs[EBP] + this.regs[EDI]; seg = SS; break;
          case 4: off = this.regs[ESI]; break;
          case 5: off = this.regs[EDI]; break;
          case 6: off = this.regs[EBP]; seg = SS; break;
          default: off = this.regs[EBX];
        }
        if (mod === 1) off += (this.fetch8() << 24) >> 24;
        else if (mod === 2) off += this.fetch16();
      }
      off &= 0xffff;
    } else {
      let base = rm;
      if (rm === 4) {
        const sib = this.fetch8();
        const idx = (sib >> 3) & 7;
        base = sib & 7;
        if (idx !== 4) off = this.regs[idx] << (sib >> 6);
        if (base === 5 && mod === 0) { off += this.fetch32(); base = -1; }
      } else if (rm === 5 && mod === 0) { off = this.fetch32(); base = -1; }
      if (base >= 0) { off += this.regs[base]; if (base === ESP || base === EBP) seg = SS; }
      if (mod === 1) off += (this.fetch8() << 24) >> 24;
      else if (mod === 2) off += this.fetch32() | 0;
      off >>>= 0;
    }
    this.eaSeg = this.segOverride === PREFIX_NONE ? seg : this.segOverride;
    this.eaOff = off;
  }
  private readRM(size: AccessSize): number {
    return this.mrRm >= 0 ? this.getR(this.mrRm, size) : this.read(this.eaSeg, this.eaOff, size);
  }
  private writeRM(size: AccessSize, v: number): void {
    if (this.mrRm >= 0) this.setR(this.mrRm, size, v);
    else this.write(this.eaSeg, this.eaOff, size, v);
  }

  // --- flags ----------------------------------------------------------------------------------

  private carry(): number { return this.eflags & CF; }
  private setCc(op: CcOp, a: number, b: number, r: number, size: number): void {
    if (op === CcOp.Inc || op === CcOp.Dec) this.ccKeptCf = this.carry();
    if (this.ccOp !== CcOp.None) this.flagsRest = this.eflags;
    this.ccOp = op; this.ccA = a; this.ccB = b; this.ccR = r; this.ccBits = size * 8;
  }
  private setFlagBits(set: number, clear: number): void { this.flagsRest = (this.eflags | set) & ~clear; this.ccOp = CcOp.None; }

  /** The eight ALU operations of opcodes 00-3F and group 1 (ADD OR ADC SBB AND SUB XOR CMP). */
  private alu(op: number, a: number, b: number, size: number): number {
    const mask = size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    let r: number;
    switch (op) {
      case 0: r = a + b; this.setCc(CcOp.Add, a, b, r, size); break;
      case 1: r = a | b; this.setCc(CcOp.Logic, a, b, r, size); break;
      case 2: { const c = this.carry(); r = a + b + c; this.setCc(CcOp.Add, a, b, r, size); break; }
      case 3: { const c = this.carry(); r = a - b - c; this.setCc(CcOp.Sub, a, b, r, size); break; }
      case 4: r = a & b; this.setCc(CcOp.Logic, a, b, r, size); break;
      case 5: case 7: r = a - b; this.setCc(CcOp.Sub, a, b, r, size); break;
      default: r = a ^ b; this.setCc(CcOp.Logic, a, b, r, size); break;
    }
    return (r & mask) >>> 0;
  }

  private condition(cc: number): boolean {
    const f = this.eflags;
    let t: boolean;
    switch (cc >> 1) {
      case 0: t = (f & 0x800) !== 0; break; // O
      case 1: t = (f & 0x1) !== 0; break; // B
      case 2: t = (f & 0x40) !== 0; break; // Z
      case 3: t = (f & 0x41) !== 0; break; // BE
      case 4: t = (f & 0x80) !== 0; break; // S
      case 5: t = (f & 0x4) !== 0; break; // P
      case 6: t = ((f >> 7) & 1) !== ((f >> 11) & 1); break; // L
      default: t = (f & 0x40) !== 0 || ((f >> 7) & 1) !== ((f >> 11) & 1); // LE
    }
    return (cc & 1) ? !t : t;
  }

  // --- stack and control transfer -----------------------------------------------------------

  private push(size: AccessSize, v: number): void {
    if (this.segBig[SS]) { this.regs[ESP] = this.regs[ESP] - size; this.write(SS, this.regs[ESP] >>> 0, size, v); }
    else { const sp = (this.regs[ESP] - size) & 0xffff; this.setR(ESP, 2, sp); this.write(SS, sp, size, v); }
  }
  private pop(size: AccessSize): number {
    if (this.segBig[SS]) { const v = this.read(SS, this.regs[ESP] >>> 0, size); this.regs[ESP] += size; return v; }
    const sp = this.regs[ESP] & 0xffff;
    const v = this.read(SS, sp, size);
    this.setR(ESP, 2, sp + size);
    return v;
  }
  private jumpRel(disp: number): void {
    const t = this.eip + disp;
    this.eip = this.opsize32 ? t >>> 0 : t & 0xffff;
  }
  /** Loads a segment register in real mode: base = selector * 16 (SDM vol. 3, 20.1.1). */
  loadSegReal(seg: number, selector: number): void {
    this.sel[seg] = selector; this.segBase[seg] = selector << 4;
  }

  /**
   * Loads a segment register from the GDT in protected mode (SDM vol. 3, 3.4.5): base, limit (scaled
   * by G) and D/B into the cache. Not yet: the LDT, CPL/DPL/RPL and type checks, #NP/#SS and error codes.
   * A null selector in a data segment register loads an unusable segment; elsewhere it is #GP.
   */
  loadSegProtected(seg: number, selector: number): boolean {
    const index = selector & ~7;
    if (index === 0 && seg !== CS && seg !== SS && (selector & 4) === 0) {
      this.sel[seg] = selector; this.segBase[seg] = 0; this.segLimit[seg] = 0; this.segBig[seg] = 0;
      return true;
    }
    if (index === 0 || selector & 4 || index + 7 > this.gdtLimit) { this.raise(GP); return false; }
    const lo = this.readLinear((this.gdtBase + index) >>> 0, 4, false), hi = this.readLinear((this.gdtBase + index + 4) >>> 0, 4, false);
    if (!(hi & 0x8000)) { this.raise(GP); return false; } // not present: #NP/#SS in the full version
    let limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & 0x800000) limit = ((limit << 12) | 0xfff) >>> 0;
    this.sel[seg] = selector;
    this.segBase[seg] = (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
    this.segLimit[seg] = limit;
    this.segBig[seg] = (hi >>> 22) & 1;
    return true;
  }

  private raise(vector: number): void { this.pending = vector; }

  /** Takes the pending exception: faults restart at the faulting instruction. Real mode: the IVT at 0. */
  private deliver(): void {
    const vector = this.pending;
    this.pending = -1;
    if (!this.pendingIsSoftware) this.eip = this.startEip;
    this.pendingIsSoftware = false;
    this.exceptionRecord.vector = vector;
    this.exceptionRecord.eip = this.startEip;
    this.lastException = this.exceptionRecord;
    if (this.cr0 & 1) { this.halted = true; return; } // the IDT is the next step: stop there for now
    this.push(2, this.eflags & 0xffff);
    this.push(2, this.sel[CS]);
    this.push(2, this.eip & 0xffff);
    this.setFlagBits(0, IF | TF);
    const ip = this.readLinear(vector * 4, 2, false), cs = this.readLinear(vector * 4 + 2, 2, false);
    this.loadSegReal(CS, cs);
    this.eip = ip;
  }

  /**
   * Control register writes (MOV CRn; LMSW, CLTS and task switches should come through here too):
   * the MMU sees every change of paging mode and flushes its TLB as the SDM requires (4.10.4.1).
   */
  writeCr0(v: number): void {
    if ((v & 0x80000000) && !(v & 1)) return this.raise(GP); // PG without PE (SDM vol. 2, MOV CRn)
    this.cr0 = (v | 0x10) >>> 0; // ET is fixed on 486+ (and QEMU)
    this.mmu.setControl(this.cr0, this.cr4);
  }
  /** MOV to CR3: a new address space; non-global TLB entries go. */
  writeCr3(v: number): void { this.cr3 = v >>> 0; this.mmu.loadCr3(this.cr3); }
  writeCr4(v: number): void { this.cr4 = v >>> 0; this.mmu.setControl(this.cr0, this.cr4); }

  /** ESC D8-DF: #NM when CR0.EM or CR0.TS is set (no FPU / lazy FPU switch), else the FPU runs it. */
  private x87(op: number): void {
    if (this.cr0 & (CR0_EM | CR0_TS)) return this.raise(NM);
    this.modrm();
    this.fpu.execute(op, this.mrReg, this.mrRm, this.opsize32);
  }
  /** The ModRM effective offset + `disp`, wrapped to the address size (multi-part x87 operands). */
  private eaPlus(disp: number): number {
    const o = this.eaOff + disp;
    return this.addrsize32 ? o >>> 0 : o & 0xffff;
  }

  /** Sets the arithmetic flags from a result directly (MUL/DIV families), as QEMU computes them. */
  private setResultFlags(r: number, size: number, cfof: boolean): void {
    this.setCc(CcOp.Logic, 0, 0, r, size);
    if (cfof) this.setFlagBits(CF | OF, 0);
  }

  /** F6/F7: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV (SDM vol. 2; #DE on divide by zero or quotient overflow). */
  private group3(s: AccessSize): void {
    this.modrm();
    const bits = s * 8, mask = s === 4 ? 0xffffffff : (1 << bits) - 1;
    const v = this.readRM(s);
    switch (this.mrReg) {
      case 0: case 1: this.alu(4, v, this.fetchImm(s), s); return;
      case 2: this.writeRM(s, (~v & mask) >>> 0); return;
      case 3: { const r = this.alu(5, 0, v, s); this.writeRM(s, r); return; }
      case 4: case 5: {
        const signed = this.mrReg === 5;
        const a = signed ? (this.getR(EAX, s) << (32 - bits)) >> (32 - bits) : this.getR(EAX, s);
        const b = signed ? (v << (32 - bits)) >> (32 - bits) : v;
        if (s === 4) {
          const significant = mul32(a, b, signed);
          this.regs[EAX] = R[0]; this.regs[EDX] = R[1];
          this.setResultFlags(R[0] >>> 0, 4, significant);
          return;
        }
        const p = a * b; // exact: at most 32 bits
        if (s === 1) this.setR(EAX, 2, p);
        else { this.setR(EAX, 2, p); this.setR(EDX, 2, p >> 16); }
        const lo = p & mask;
        const fits = signed ? ((lo << (32 - bits)) >> (32 - bits)) === p : (p >>> bits) === 0;
        this.setResultFlags(lo, s, !fits);
        return;
      }
      default: {
        const signed = this.mrReg === 7;
        if (v === 0) return this.raise(DE);
        let q: number, r: number;
        if (s === 4) {
          if (!div32(this.regs[EDX], this.regs[EAX], v | 0, signed)) return this.raise(DE);
          q = R[0] >>> 0; r = R[1] >>> 0;
        } else {
          const n = s === 1 ? this.getR(EAX, 2) : ((this.getR(EDX, 2) << 16) | this.getR(EAX, 2)) >>> 0;
          const nn = signed ? (s === 1 ? (n << 16) >> 16 : n | 0) : n;
          const d = signed ? (v << (32 - bits)) >> (32 - bits) : v;
          const tq = Math.trunc(nn / d);
          if (signed ? tq !== ((tq << (32 - bits)) >> (32 - bits)) : tq > mask) return this.raise(DE);
          q = tq & mask; r = (nn % d) & mask;
        }
        if (s === 1) this.setR(EAX, 2, q | (r << 8));
        else { this.setR(EAX, s, q); this.setR(EDX, s, r); }
        return; // flags undefined; left as they were
      }
    }
  }

  /**
   * Group 2 shifts and rotates (count masked to 5 bits; a zero count changes nothing). Flags as QEMU
   * leaves them: OF is also set for counts above 1, AF = 0 after shifts; rotates change only CF and OF.
   */
  private group2(s: AccessSize, count: number): void {
    const c = count & 31;
    if (c === 0) return;
    const bits = s * 8, mask = s === 4 ? 0xffffffff : (1 << bits) - 1, msb = bits - 1;
    const v = this.readRM(s);
    let r: number, cf: number, of: number;
    const kind = this.mrReg;
    if (kind >= 4) { // SHL SHR SAL SAR
      if (kind === 5) { r = v >>> c; cf = (v >>> (c - 1)) & 1; of = c === 1 ? v >>> msb : 0; }
      else if (kind === 7) { const sv = (v << (32 - bits)) >> (32 - bits); r = (sv >> c) & mask; cf = (sv >> (c - 1)) & 1; of = 0; }
      else { r = c >= 32 ? 0 : (v << c) & mask; cf = c <= bits ? (v >>> (bits - c)) & 1 : 0; of = ((r >>> msb) & 1) ^ cf; }
      r >>>= 0;
      this.writeRM(s, r);
      this.flagsRest = (this.eflags & ~ARITH) | (arithFlags(CcOp.Logic, 0, 0, r, bits, 0) & ~(CF | OF)) | cf | (of ? OF : 0);
      this.ccOp = CcOp.None;
      return;
    }
    let carry = this.carry();
    if (kind === 0 || kind === 1) {
      const n = c % bits;
      r = kind === 0 ? ((v << n) | (v >>> ((bits - n) % bits))) & mask : ((v >>> n) | (v << ((bits - n) % bits))) & mask;
      if (n === 0) r = v;
      r >>>= 0;
      if (kind === 0) { cf = r & 1; of = ((r >>> msb) & 1) ^ cf; }
      else { cf = (r >>> msb) & 1; of = cf ^ ((r >>> (msb - 1)) & 1); }
    } else { // RCL RCR through CF, bit by bit (count mod bits + 1)
      r = v;
      const n = c % (bits + 1);
      for (let i = 0; i < n; i++) {
        if (kind === 2) { const out = (r >>> msb) & 1; r = ((r << 1) | carry) & mask; carry = out; }
        else { const out = r & 1; r = (r >>> 1) | (carry << msb); carry = out; }
      }
      r >>>= 0; cf = carry;
      of = kind === 2 ? ((r >>> msb) & 1) ^ cf : ((r >>> msb) ^ (r >>> (msb - 1))) & 1;
    }
    this.writeRM(s, r);
    this.flagsRest = (this.eflags & ~(CF | OF)) | cf | (of ? OF : 0);
    this.ccOp = CcOp.None;
  }

  /**
   * MOVS/CMPS/STOS/LODS/SCAS with REP/REPE/REPNE: SI/DI and the count in CX or ECX by address size,
   * the source in DS (or the override), the destination always ES. A REP runs to completion in one step.
   */
  private stringOp(op: number, s: AccessSize): void {
    const as: AccessSize = this.addrsize32 ? 4 : 2;
    const amask = as === 4 ? 0xffffffff : 0xffff;
    const delta = this.eflags & DF ? -s : s;
    const src = this.segOverride === PREFIX_NONE ? DS : this.segOverride;
    const compare = op === 0xa6 || op === 0xa7 || op === 0xae || op === 0xaf;
    for (;;) {
      if (this.rep && this.getR(ECX, as) === 0) return;
      const si = this.getR(ESI, as), di = this.getR(EDI, as);
      switch (op & 0xfe) {
        case 0xa4: this.write(ES, di, s, this.read(src, si, s)); break;
        case 0xa6: this.alu(7, this.read(src, si, s), this.read(ES, di, s), s); break;
        case 0xaa: this.write(ES, di, s, this.getR(EAX, s)); break;
        case 0xac: this.setR(EAX, s, this.read(src, si, s)); break;
        default: this.alu(7, this.getR(EAX, s), this.read(ES, di, s), s); break;
      }
      if (op < 0xa8 || op >= 0xac && op < 0xae) this.setR(ESI, as, (si + delta) & amask);
      if (op < 0xa8 || op >= 0xaa && op < 0xac || op >= 0xae) this.setR(EDI, as, (di + delta) & amask);
      if (!this.rep) return;
      this.setR(ECX, as, (this.getR(ECX, as) - 1) & amask);
      if (compare && ((this.eflags & ZF) !== 0) !== (this.rep === 0xf3)) return;
    }
  }

  /** The 0F map: Jcc rel16/32, MOVZX/MOVSX. */
  private twoByte(vs: AccessSize): void {
    const op = this.fetch8();
    if (op >= 0x90 && op <= 0x9f) { this.modrm(); this.writeRM(1, this.condition(op & 15) ? 1 : 0); return; } // SETcc
    if (op >= 0x80 && op <= 0x8f) {
      const d = vs === 4 ? this.fetch32() | 0 : (this.fetch16() << 16) >> 16;
      if (this.condition(op & 15)) this.jumpRel(d);
      return;
    }
    if (op === 0xb6 || op === 0xb7 || op === 0xbe || op === 0xbf) {
      const from: AccessSize = op & 1 ? 2 : 1;
      this.modrm();
      const v = this.readRM(from), sh = 32 - from * 8;
      this.setR(this.mrReg, vs, op >= 0xbe ? (v << sh) >> sh : v);
      return;
    }
    if (op === 0x01) { // group 7: LGDT, INVLPG (the IDT and the rest come next)
      this.modrm();
      if (this.mrReg === 7 && this.mrRm < 0) { // INVLPG m: CPL 0 only
        if ((this.cr0 & 1) && ((this.sel[CS] & 3) !== 0 || (this.flagsRest & VM) !== 0)) return this.raise(GP);
        this.mmu.invalidate((this.segBase[this.eaSeg] + this.eaOff) >>> 0);
        return;
      }
      if (this.mrReg !== 2 || this.mrRm >= 0) return this.raise(UD);
      const limit = this.read(this.eaSeg, this.eaOff, 2), base = this.read(this.eaSeg, (this.eaOff + 2) >>> 0, 4);
      this.gdtLimit = limit; this.gdtBase = vs === 4 ? base : base & 0xffffff;
      return;
    }
    if (op === 0xae) { // group 15: FXSAVE/FXRSTOR (x87 part), LFENCE/MFENCE/SFENCE and CLFLUSH as no-ops
      this.modrm();
      if (this.mrRm >= 0) { if (this.mrReg < 5) this.raise(UD); return; }
      if (this.mrReg === 7) return; // CLFLUSH: no caches to flush
      if (this.mrReg > 1) return this.raise(UD); // LDMXCSR/STMXCSR/XSAVE...: no SSE
      if (this.cr0 & (CR0_EM | CR0_TS)) return this.raise(NM);
      if (((this.segBase[this.eaSeg] + this.eaOff) & 15) !== 0) return this.raise(GP);
      if (this.mrReg === 0) this.fpu.fxsave(); else this.fpu.fxrstor();
      return;
    }
    if (op === 0x20 || op === 0x22) { // MOV from/to CRn: the r/m field is always a register
      this.modrm();
      const r = this.mrRm >= 0 ? this.mrRm : 0;
      if (this.mrReg === 1 || this.mrReg > 4) return this.raise(UD);
      if (op === 0x20) {
        this.regs[r] = this.mrReg === 0 ? this.cr0 : this.mrReg === 2 ? this.cr2 : this.mrReg === 3 ? this.cr3 : this.cr4;
        return;
      }
      const v = this.regs[r] >>> 0;
      if (this.mrReg === 0) this.writeCr0(v);
      else if (this.mrReg === 2) this.cr2 = v;
      else if (this.mrReg === 3) this.writeCr3(v);
      else this.writeCr4(v);
      return;
    }
    this.raise(UD);
  }

  // --- one instruction ------------------------------------------------------------------------

  private step(): void {
    this.startEip = this.eip;
    const big = this.segBig[CS] !== 0;
    this.opsize32 = big; this.addrsize32 = big; this.segOverride = PREFIX_NONE; this.rep = 0;
    let op = this.fetch8();
    for (;;) {
      if (op === 0x66) this.opsize32 = !big;
      else if (op === 0x67) this.addrsize32 = !big;
      else if (op === 0x26 || op === 0x2e || op === 0x36 || op === 0x3e) this.segOverride = (op >> 3) & 3;
      else if (op === 0x64 || op === 0x65) this.segOverride = op - 0x60;
      else if (op === 0xf2 || op === 0xf3) this.rep = op;
      else if (op !== 0xf0) break; // LOCK: accepted (one CPU, every access is atomic here)
      op = this.fetch8();
    }
    const vs: AccessSize = this.opsize32 ? 4 : 2;
    if (op < 0x40 && (op & 7) < 6) {
      const aluOp = op >> 3;
      switch (op & 7) {
        case 0: case 1: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); const r = this.alu(aluOp, this.readRM(s), this.getR(this.mrReg, s), s); if (aluOp !== 7) this.writeRM(s, r); return; }
        case 2: case 3: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); const r = this.alu(aluOp, this.getR(this.mrReg, s), this.readRM(s), s); if (aluOp !== 7) this.setR(this.mrReg, s, r); return; }
        case 4: { const r = this.alu(aluOp, this.getR(EAX, 1), this.fetch8(), 1); if (aluOp !== 7) this.setR(EAX, 1, r); return; }
        default: { const r = this.alu(aluOp, this.getR(EAX, vs), this.fetchImm(vs), vs); if (aluOp !== 7) this.setR(EAX, vs, r); return; }
      }
    }
    switch (op) {
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
        const r = op & 7, a = this.getR(r, vs), dec = op >= 0x48;
        const v = dec ? a - 1 : a + 1;
        this.setCc(dec ? CcOp.Dec : CcOp.Inc, a, 1, v, vs);
        this.setR(r, vs, v);
        return;
      }
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
        this.push(vs, this.getR(op & 7, vs)); return; // PUSH ESP pushes the value before the decrement
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        { const v = this.pop(vs); this.setR(op & 7, vs, v); return; }
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        const d = (this.fetch8() << 24) >> 24;
        if (this.condition(op & 15)) this.jumpRel(d);
        return;
      }
      case 0x80: case 0x81: case 0x83: {
        const s: AccessSize = op === 0x80 ? 1 : vs;
        this.modrm();
        const imm = op === 0x81 ? this.fetchImm(s) : op === 0x83 ? ((this.fetch8() << 24) >> 24) & (s === 4 ? 0xffffffff : 0xffff) : this.fetch8();
        const r = this.alu(this.mrReg, this.readRM(s), imm >>> 0, s);
        if (this.mrReg !== 7) this.writeRM(s, r);
        return;
      }
      case 0x84: case 0x85: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.alu(4, this.readRM(s), this.getR(this.mrReg, s), s); return; }
      case 0x88: case 0x89: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.writeRM(s, this.getR(this.mrReg, s)); return; }
      case 0x8a: case 0x8b: { const s: AccessSize = op & 1 ? vs : 1; this.modrm(); this.setR(this.mrReg, s, this.readRM(s)); return; }
      case 0x8c: { this.modrm(); if (this.mrReg > GS) return this.raise(UD); this.writeRM(this.mrRm >= 0 ? vs : 2, this.sel[this.mrReg]); return; }
      case 0x8d: { this.modrm(); if (this.mrRm >= 0) return this.raise(UD); this.setR(this.mrReg, vs, this.eaOff); return; }
      case 0x8e: {
        this.modrm();
        if (this.mrReg === CS || this.mrReg > GS) return this.raise(UD);
        if (this.cr0 & 1) this.loadSegProtected(this.mrReg, this.readRM(2));
        else this.loadSegReal(this.mrReg, this.readRM(2));
        return;
      }
      case 0x90: return; // NOP (XCHG eAX, eAX)
      case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
        const t = this.getR(EAX, vs); this.setR(EAX, vs, this.getR(op & 7, vs)); this.setR(op & 7, vs, t); return;
      }
      case 0x86: case 0x87: {
        const s: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        const t = this.readRM(s); this.writeRM(s, this.getR(this.mrReg, s)); this.setR(this.mrReg, s, t); return;
      }
      case 0x98: // CBW / CWDE
        if (vs === 4) this.regs[EAX] = (this.regs[EAX] << 16) >> 16; else this.setR(EAX, 2, (this.regs[EAX] << 24) >> 24);
        return;
      case 0x99: // CWD / CDQ
        if (vs === 4) this.regs[EDX] = this.regs[EAX] >> 31; else this.setR(EDX, 2, (this.regs[EAX] << 16) >> 31);
        return;
      case 0xe0: case 0xe1: case 0xe2: { // LOOPNE, LOOPE, LOOP: the count register is CX or ECX by address size
        const d = (this.fetch8() << 24) >> 24;
        const as: AccessSize = this.addrsize32 ? 4 : 2;
        const c = (this.getR(ECX, as) - 1) >>> 0;
        this.setR(ECX, as, c);
        const z = (this.eflags & ZF) !== 0;
        if ((as === 4 ? c : c & 0xffff) !== 0 && (op === 0xe2 || z === (op === 0xe1))) this.jumpRel(d);
        return;
      }
      case 0xe3: { const d = (this.fetch8() << 24) >> 24; if (this.getR(ECX, this.addrsize32 ? 4 : 2) === 0) this.jumpRel(d); return; } // JCXZ/JECXZ
      case 0xa8: this.alu(4, this.getR(EAX, 1), this.fetch8(), 1); return;
      case 0xa9: this.alu(4, this.getR(EAX, vs), this.fetchImm(vs), vs); return;
      case 0xc0: case 0xc1: { const sz: AccessSize = op & 1 ? vs : 1; this.modrm(); this.group2(sz, this.fetch8()); return; }
      case 0xd0: case 0xd1: this.modrm(); this.group2(op & 1 ? vs : 1, 1); return;
      case 0xd2: case 0xd3: this.modrm(); this.group2(op & 1 ? vs : 1, this.regs[ECX] & 0xff); return;
      // IN/OUT: the core has no I/O port space yet, so ports are bus addresses for now (see README).
      case 0xe4: case 0xe5: { const port = this.fetch8(); this.setR(EAX, op & 1 ? vs : 1, this.bus.read(port, op & 1 ? vs : 1)); return; }
      case 0xe6: case 0xe7: { const port = this.fetch8(); const sz: AccessSize = op & 1 ? vs : 1; this.bus.write(port, sz, this.getR(EAX, sz)); return; }
      case 0xec: case 0xed: { const sz: AccessSize = op & 1 ? vs : 1; this.setR(EAX, sz, this.bus.read(this.regs[EDX] & 0xffff, sz)); return; }
      case 0xee: case 0xef: { const sz: AccessSize = op & 1 ? vs : 1; this.bus.write(this.regs[EDX] & 0xffff, sz, this.getR(EAX, sz)); return; }
      case 0x68: this.push(vs, this.fetchImm(vs)); return;
      case 0x6a: this.push(vs, ((this.fetch8() << 24) >> 24) >>> 0); return;
      case 0x8f: { this.modrm(); if (this.mrReg !== 0) return this.raise(UD); const v = this.pop(vs); this.writeRM(vs, v); return; }
      case 0xfe: case 0xff: { // INC/DEC r/m; FF also CALL/JMP near indirect, PUSH r/m (far forms come later)
        const sz: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        const k = this.mrReg;
        if (k <= 1) {
          const a = this.readRM(sz), v = k ? a - 1 : a + 1;
          this.setCc(k ? CcOp.Dec : CcOp.Inc, a, 1, v, sz);
          this.writeRM(sz, v);
          return;
        }
        if (op === 0xfe || k === 3 || k === 5 || k === 7) return this.raise(UD);
        const t = this.readRM(vs);
        if (k === 6) { this.push(vs, t); return; }
        if (k === 2) this.push(vs, this.eip);
        this.eip = t;
        return;
      }
      case 0xcd: this.pending = this.fetch8(); this.pendingIsSoftware = true; return; // INT n (IVT in real mode)
      case 0xcf: { // IRET, same privilege (the protected-mode checks and stack switch come with the IDT)
        const ip = this.pop(vs), cs = this.pop(vs) & 0xffff, fl = this.pop(vs);
        if (this.cr0 & 1) { if (!this.loadSegProtected(CS, cs)) return; } else this.loadSegReal(CS, cs);
        this.eip = ip;
        this.eflags = vs === 4 ? (fl & ~0x30000) | (this.eflags & 0x30000) : (this.eflags & ~0xffff) | fl;
        return;
      }
      case 0x9c: this.push(vs, vs === 4 ? this.eflags & ~0x30000 : this.eflags & 0xffff); return; // PUSHF: VM, RF read as 0
      case 0x9d: { const fl = this.pop(vs); this.eflags = vs === 4 ? (fl & ~0x30000) | (this.eflags & 0x30000) : (this.eflags & ~0xffff) | fl; return; }
      case 0x9e: this.eflags = (this.eflags & ~0xd5) | ((this.regs[EAX] >>> 8) & 0xd5); return; // SAHF
      case 0x9f: this.setR(4, 1, this.eflags & 0xff); return; // LAHF (AH)
      case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
        this.stringOp(op, op & 1 ? vs : 1); return;
      case 0xf6: case 0xf7: this.group3(op & 1 ? vs : 1); return;
      case 0x0f: this.twoByte(vs); return;
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        this.setR(op & 7, 1, this.fetch8()); return;
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        this.setR(op & 7, vs, this.fetchImm(vs)); return;
      case 0xc3: { const t = this.pop(vs); this.eip = t; return; }
      case 0xc6: case 0xc7: {
        const s: AccessSize = op & 1 ? vs : 1;
        this.modrm();
        if (this.mrReg !== 0) return this.raise(UD);
        this.writeRM(s, this.fetchImm(s));
        return;
      }
      case 0xe8: { const d = this.fetchImm(vs) | 0; this.push(vs, this.eip); this.jumpRel(vs === 2 ? (d << 16) >> 16 : d); return; }
      case 0xe9: { const d = this.fetchImm(vs) | 0; this.jumpRel(vs === 2 ? (d << 16) >> 16 : d); return; }
      case 0xea: {
        const off = this.fetchImm(vs), selector = this.fetch16();
        if (this.cr0 & 1) { if (!this.loadSegProtected(CS, selector)) return; }
        else this.loadSegReal(CS, selector);
        this.eip = off;
        return;
      }
      case 0xeb: { const d = (this.fetch8() << 24) >> 24; this.jumpRel(d); return; }
      case 0x9b: if ((this.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) this.raise(NM); return; // WAIT/FWAIT
      case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf: this.x87(op); return;
      case 0xf4: this.halted = true; return; // HLT (CPL checks come with protected mode)
      case 0xf8: this.setFlagBits(0, CF); return;
      case 0xf9: this.setFlagBits(CF, 0); return;
      case 0xf5: this.setFlagBits(this.carry() ? 0 : CF, this.carry()); return;
      case 0xfa: this.setFlagBits(0, IF); return;
      case 0xfb: this.setFlagBits(IF, 0); return;
      case 0xfc: this.setFlagBits(0, DF); return;
      case 0xfd: this.setFlagBits(DF, 0); return;
      default: this.raise(UD);
    }
  }
}
