/**
 * The debugger's side of an i386 CPU (`Cpu.debug`, for the GDB stub): registers in the numbering
 * of gdb-target.ts, the side-effect-free page walk (debug-walk.ts), breakpoints, data watchpoints
 * and interrupt masking for single steps.
 *
 * Cost: cpu.ts runs its checked loop (`debugLoop`) only while `cpu.debugChecks` is true, which
 * the setters here compute; watched pages get no fast TLB bits (mmu.ts `watcher`), so their
 * accesses take the slow path, which calls `access`. With nothing set, both paths are as before.
 *
 * Addresses are linear (CS.base + EIP for the pc, as GDB sees a flat kernel). Watchpoints follow
 * GDB's x86 convention (as x86 data breakpoints, SDM vol. 3, 17.3.1.2): the stop comes after the
 * instruction that made the access completed; a REP string instruction stops after the iteration.
 */
import type { CpuDebug, DebugStop, Watchpoint, WatchKind } from '../../../src/core/api.js';
import { CR0_PE, CS, DS, ES, FS, GS, SS, VM } from './consts.js';
import type { I386Cpu } from './cpu.js';
import { debugWalk } from './debug-walk.js';
import { loadCache } from './descriptors.js';
import { fromExtended, toExtended } from './fpu.js';
import type { AccessWatcher } from './mmu.js';
import { CORE_REGISTERS, REG_CS, REG_EFLAGS, REG_EIP, REG_FCTRL, REG_ST0, SYSTEM_REGISTERS, type SystemRegister } from './gdb-target.js';

/** GDB's segment register order (cs ss ds es fs gs) to the CPU's segment indices. */
const GDB_SEGMENTS = [CS, SS, DS, ES, FS, GS];
const LINEAR_LIMIT = 1n << 32n;

interface WatchRange { start: number; end: number; kind: WatchKind }

export class I386Debug implements CpuDebug, AccessWatcher {
  stop: DebugStop | undefined = undefined;
  /** A watchpoint access in the instruction running now: reported when it completes (cpu.ts). */
  hit = false;
  private hitAddress = 0;
  private hitKind: WatchKind = 'write';
  private readonly breakpoints = new Set<number>();
  private watches: WatchRange[] = [];
  private masked = false;
  private readonly ext = new Uint32Array(3);

  constructor(private readonly cpu: I386Cpu) {}

  get pc(): bigint { return BigInt(this.cpu.pc); }

  get maskInterrupts(): boolean { return this.masked; }
  set maskInterrupts(v: boolean) { this.masked = v; this.update(); }

  // --- breakpoints and watchpoints ----------------------------------------------------------

  setBreakpoints(addresses: readonly bigint[]): void {
    this.breakpoints.clear();
    for (const a of addresses) if (a >= 0n && a < LINEAR_LIMIT) this.breakpoints.add(Number(a));
    this.update();
  }

  setWatchpoints(watchpoints: readonly Watchpoint[]): void {
    this.watches = watchpoints
      .filter((w) => w.address >= 0n && w.address < LINEAR_LIMIT && w.length > 0)
      .map((w) => ({ start: Number(w.address), end: Number(w.address) + w.length, kind: w.kind }));
    this.hit = false;
    this.cpu.mmu.watcher = this.watches.length > 0 ? this : null;
    this.cpu.mmu.flushAll(); // drop the fast entries of pages watched now (and slow ones no longer watched)
    this.update();
  }

  /** The slow loop is needed while anything is set. */
  private update(): void {
    this.cpu.debugChecks = this.masked || this.breakpoints.size > 0 || this.watches.length > 0;
  }

  /** Before an instruction at linear `pc`: true, with `stop` set, when it is a breakpoint. */
  breakAt(pc: number): boolean {
    if (this.breakpoints.size === 0 || !this.breakpoints.has(pc)) return false;
    this.stop = { kind: 'breakpoint', address: BigInt(pc) };
    return true;
  }

  /** After an instruction (or an event delivery) that hit a watchpoint: sets `stop`. */
  reportHit(): void {
    this.hit = false;
    this.stop = { kind: this.hitKind, address: BigInt(this.hitAddress) };
  }

  watchesPage(linear: number): boolean {
    const page = (linear & ~0xfff) >>> 0;
    for (const w of this.watches) if (w.start < page + 4096 && w.end > page) return true;
    return false;
  }

  access(linear: number, size: number, write: boolean): void {
    if (this.hit) return; // the first hit of the instruction is the one reported
    const lin = linear >>> 0;
    for (const w of this.watches) {
      if (w.kind === (write ? 'read' : 'write') || lin >= w.end || lin + size <= w.start) continue;
      this.hit = true; this.hitKind = w.kind; this.hitAddress = Math.max(lin, w.start);
      return;
    }
  }

  // --- translation --------------------------------------------------------------------------

  translate(vaddr: bigint, _write: boolean): number {
    if (vaddr < 0n || vaddr >= LINEAR_LIMIT) return -1;
    return debugWalk(this.cpu, Number(vaddr));
  }

  describeTranslation(vaddr: bigint): string[] {
    if (vaddr < 0n || vaddr >= LINEAR_LIMIT) return [`0x${vaddr.toString(16)}: beyond the 32-bit linear address space`];
    const lines: string[] = [];
    debugWalk(this.cpu, Number(vaddr), lines);
    return lines;
  }

  // --- registers ----------------------------------------------------------------------------

  readRegister(regnum: number): Uint8Array | undefined {
    const cpu = this.cpu;
    if (regnum >= REG_ST0 && regnum < REG_ST0 + 8) {
      toExtended(cpu.fpu.st(regnum - REG_ST0), this.ext);
      const out = new Uint8Array(10), view = new DataView(out.buffer);
      view.setUint32(0, this.ext[0], true); view.setUint32(4, this.ext[1], true); view.setUint16(8, this.ext[2], true);
      return out;
    }
    const v = this.read32(regnum);
    if (v === undefined) return undefined;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, v >>> 0, true);
    return out;
  }

  writeRegister(regnum: number, bytes: Uint8Array): boolean {
    const cpu = this.cpu;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (regnum >= REG_ST0 && regnum < REG_ST0 + 8) {
      if (bytes.length !== 10) return false;
      const fpu = cpu.fpu, r = (fpu.top + regnum - REG_ST0) & 7;
      fpu.regs[r] = fromExtended(view.getUint32(0, true), view.getUint32(4, true), view.getUint16(8, true));
      return true;
    }
    if (bytes.length !== 4 || regnum < 0) return false;
    const v = view.getUint32(0, true);
    if (regnum < REG_EIP) { cpu.regs[regnum] = v; return true; }
    if (regnum === REG_EIP) { cpu.eip = v; return true; }
    if (regnum === REG_EFLAGS) { cpu.eflags = v; return true; }
    if (regnum < REG_ST0) return this.writeSelector(GDB_SEGMENTS[regnum - REG_CS], v & 0xffff);
    if (regnum < CORE_REGISTERS) return this.writeFpuControl(regnum - REG_FCTRL, v);
    const name = SYSTEM_REGISTERS[regnum - CORE_REGISTERS];
    return name !== undefined && this.writeSystem(name, v);
  }

  private read32(regnum: number): number | undefined {
    const cpu = this.cpu;
    if (regnum < 0) return undefined;
    if (regnum < REG_EIP) return cpu.regs[regnum];
    if (regnum === REG_EIP) return cpu.eip;
    if (regnum === REG_EFLAGS) return cpu.eflags;
    if (regnum < REG_ST0) return cpu.sel[GDB_SEGMENTS[regnum - REG_CS]];
    if (regnum < CORE_REGISTERS) {
      // fiseg fioff foseg fooff fop: the FPU does not track its last instruction and operand (fpu.ts)
      const i = regnum - REG_FCTRL;
      return i === 0 ? cpu.fpu.cw : i === 1 ? cpu.fpu.sw : i === 2 ? cpu.fpu.tagWord : 0;
    }
    const name = SYSTEM_REGISTERS[regnum - CORE_REGISTERS];
    return name === undefined ? undefined : this.readSystem(name);
  }

  private readSystem(name: SystemRegister): number {
    const cpu = this.cpu;
    switch (name) {
      case 'cr0': return cpu.cr0;
      case 'cr2': return cpu.cr2;
      case 'cr3': return cpu.cr3;
      case 'cr4': return cpu.cr4;
      case 'gdtr_base': return cpu.gdtBase;
      case 'gdtr_limit': return cpu.gdtLimit;
      case 'idtr_base': return cpu.idtBase;
      case 'idtr_limit': return cpu.idtLimit;
      case 'tr': return cpu.trSel;
      case 'tr_base': return cpu.trBase;
      case 'tr_limit': return cpu.trLimit;
      case 'ldtr': return cpu.ldtSel;
      case 'ldtr_base': return cpu.ldtBase;
      case 'ldtr_limit': return cpu.ldtLimit;
      default: {
        const seg = GDB_SEGMENTS[SYSTEM_REGISTERS.indexOf(name) % 6];
        return name.endsWith('_base') ? cpu.segBase[seg] : cpu.segLimit[seg];
      }
    }
  }

  /** Control registers go through the MMU's mode change (flushTlb); tr and ldtr need a task/LDT load: refused. */
  private writeSystem(name: SystemRegister, v: number): boolean {
    const cpu = this.cpu;
    switch (name) {
      case 'cr0': cpu.cr0 = v | 0x10; cpu.flushTlb(); return true; // ET is hard-wired to 1
      case 'cr2': cpu.cr2 = v; return true;
      case 'cr3': cpu.cr3 = v; cpu.flushTlb(); return true;
      case 'cr4': cpu.cr4 = v; cpu.flushTlb(); return true;
      case 'gdtr_base': cpu.gdtBase = v; return true;
      case 'gdtr_limit': cpu.gdtLimit = v & 0xffff; return true;
      case 'idtr_base': cpu.idtBase = v; return true;
      case 'idtr_limit': cpu.idtLimit = v & 0xffff; return true;
      case 'tr': case 'tr_base': case 'tr_limit': case 'ldtr': case 'ldtr_base': case 'ldtr_limit': return false;
      default: {
        const seg = GDB_SEGMENTS[SYSTEM_REGISTERS.indexOf(name) % 6];
        if (name.endsWith('_base')) cpu.segBase[seg] = v; else cpu.segLimit[seg] = v;
        return true;
      }
    }
  }

  /**
   * A selector written by the debugger (as QEMU's gdbstub): unchanged is a no-op; in real and V86
   * mode base = selector * 16; in protected mode the descriptor is read without side effects
   * (no accessed bit, no fault) and loaded into the cache; false when it cannot be read.
   */
  private writeSelector(seg: number, selector: number): boolean {
    const cpu = this.cpu;
    if (cpu.sel[seg] === selector) return true;
    if ((cpu.cr0 & CR0_PE) === 0 || (cpu.eflags & VM) !== 0) { cpu.loadSegReal(seg, selector); return true; }
    const local = (selector & 4) !== 0, index = selector & 0xfff8;
    if ((selector & 0xfffc) === 0 || index + 7 > (local ? cpu.ldtLimit : cpu.gdtLimit)) return false;
    const at = ((local ? cpu.ldtBase : cpu.gdtBase) + index) >>> 0;
    const pa = debugWalk(cpu, at), pa2 = debugWalk(cpu, (at + 4) >>> 0);
    if (pa < 0 || pa2 < 0) return false;
    const lo = cpu.mmu.readPhys(pa, 4), hi = cpu.mmu.readPhys(pa2, 4);
    if ((hi & 0x8000) === 0) return false; // not present
    loadCache(cpu, seg, selector, lo, hi);
    if (seg === CS) cpu.cpl = selector & 3;
    return true;
  }

  /** fctrl, fstat, ftag (the full tag word: 11 = empty) are written; the untracked pointers only as 0. */
  private writeFpuControl(i: number, v: number): boolean {
    const fpu = this.cpu.fpu;
    if (i === 0) { fpu.cw = v & 0xffff; return true; }
    if (i === 1) { fpu.sw = v & 0xffff; return true; }
    if (i === 2) { for (let r = 0; r < 8; r++) fpu.empty[r] = ((v >> (2 * r)) & 3) === 3 ? 1 : 0; return true; }
    return v === 0;
  }
}
