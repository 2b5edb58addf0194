/**
 * The debugger's side of an AArch64 core (`Cpu.debug`, src/core/api.ts `CpuDebug`) and of the
 * architecture (`ArchType.debug`): registers in the target description's numbering
 * (gdb-target.ts), side-effect-free translation and `monitor info mmu`, breakpoints, watchpoints
 * and interrupt masking for single steps.
 *
 * How the run loop stays free when nothing is set: the setters compute `cpu.debugChecks`, which
 * `run()` reads once per call; only then does it run one instruction per execute() call and ask
 * `beforeStep` first. Watchpoints also set `cpu.ramFastLimit` to 0 so that the interpreter's
 * inline RAM accesses all take the slow path (memory.ts), which asks `watchHit` before any
 * access. AArch64's GDB convention is a stop *before* the access (QEMU's
 * gdb_stop_before_watchpoint): a hit aborts the instruction as a fault would (pc on it, not
 * retired, no exception taken), and what it had done already (the first half of an STP, the
 * registers an LD4 had filled, STXR's monitor) is undone from a snapshot taken before the step.
 */
import type { ArchDebug, CpuDebug, DebugStop, Watchpoint } from '../../../src/core/api.js';
import type { A64Cpu } from './cpu.js';
import { REG_SINK, REG_SP } from './execute.js';
import { FPCR_MASK, FPSR_MASK } from './fp-state.js';
import { CORE_REGISTERS, REG_CPSR_NUM, REG_FPCR_NUM, REG_FPSR_NUM, REG_PC_NUM, REG_SP_NUM, REG_SYSREG0_NUM, REG_V0_NUM, targetDocuments } from './gdb-target.js';
import { debugTranslate, debugWalk, updateTranslation } from './mmu.js';
import { sysreg } from './sysregs.js';
import { mrs, msr } from './system.js';

const TWO32 = 4294967296;

/** How the debugger reaches a system register: through MRS/MSR, or one of the special cases. */
const enum Via {
  /** MRS/MSR (system.ts) with all their side effects (a TTBR write updates translation ...). */
  MSR,
  /** MRS only: MSR to it is UNDEFINED. */
  MRS,
  /** SP_EL0-SP_EL2 (the bank, or the live SP when it is the current one). */
  SP,
  /** CurrentEL: PSTATE.EL in bits [3:2] (read only; cpsr writes change the EL). */
  CURRENT_EL,
}

/** The system registers the description lists (names as the Arm ARM spells them), in regnum order from 68. */
const SYSREGS: ReadonlyArray<readonly [string, number, Via]> = [
  ['CurrentEL', 0, Via.CURRENT_EL],
  ['SCTLR_EL1', sysreg(3, 0, 1, 0, 0), Via.MSR],
  ['SCTLR_EL2', sysreg(3, 4, 1, 0, 0), Via.MSR],
  ['SCTLR_EL3', sysreg(3, 6, 1, 0, 0), Via.MSR],
  ['CPACR_EL1', sysreg(3, 0, 1, 0, 2), Via.MSR],
  ['HCR_EL2', sysreg(3, 4, 1, 1, 0), Via.MSR],
  ['CPTR_EL2', sysreg(3, 4, 1, 1, 2), Via.MSR],
  ['SCR_EL3', sysreg(3, 6, 1, 1, 0), Via.MSR],
  ['CPTR_EL3', sysreg(3, 6, 1, 1, 2), Via.MSR],
  ['TTBR0_EL1', sysreg(3, 0, 2, 0, 0), Via.MSR],
  ['TTBR1_EL1', sysreg(3, 0, 2, 0, 1), Via.MSR],
  ['TCR_EL1', sysreg(3, 0, 2, 0, 2), Via.MSR],
  ['TTBR0_EL2', sysreg(3, 4, 2, 0, 0), Via.MSR],
  ['TCR_EL2', sysreg(3, 4, 2, 0, 2), Via.MSR],
  ['VTTBR_EL2', sysreg(3, 4, 2, 1, 0), Via.MSR],
  ['VTCR_EL2', sysreg(3, 4, 2, 1, 2), Via.MSR],
  ['TTBR0_EL3', sysreg(3, 6, 2, 0, 0), Via.MSR],
  ['TCR_EL3', sysreg(3, 6, 2, 0, 2), Via.MSR],
  ['MAIR_EL1', sysreg(3, 0, 10, 2, 0), Via.MSR],
  ['MAIR_EL2', sysreg(3, 4, 10, 2, 0), Via.MSR],
  ['MAIR_EL3', sysreg(3, 6, 10, 2, 0), Via.MSR],
  ['PAR_EL1', sysreg(3, 0, 7, 4, 0), Via.MSR],
  ['CONTEXTIDR_EL1', sysreg(3, 0, 13, 0, 1), Via.MSR],
  ['VBAR_EL1', sysreg(3, 0, 12, 0, 0), Via.MSR],
  ['VBAR_EL2', sysreg(3, 4, 12, 0, 0), Via.MSR],
  ['VBAR_EL3', sysreg(3, 6, 12, 0, 0), Via.MSR],
  ['ESR_EL1', sysreg(3, 0, 5, 2, 0), Via.MSR],
  ['ESR_EL2', sysreg(3, 4, 5, 2, 0), Via.MSR],
  ['ESR_EL3', sysreg(3, 6, 5, 2, 0), Via.MSR],
  ['FAR_EL1', sysreg(3, 0, 6, 0, 0), Via.MSR],
  ['FAR_EL2', sysreg(3, 4, 6, 0, 0), Via.MSR],
  ['FAR_EL3', sysreg(3, 6, 6, 0, 0), Via.MSR],
  ['ELR_EL1', sysreg(3, 0, 4, 0, 1), Via.MSR],
  ['ELR_EL2', sysreg(3, 4, 4, 0, 1), Via.MSR],
  ['ELR_EL3', sysreg(3, 6, 4, 0, 1), Via.MSR],
  ['SPSR_EL1', sysreg(3, 0, 4, 0, 0), Via.MSR],
  ['SPSR_EL2', sysreg(3, 4, 4, 0, 0), Via.MSR],
  ['SPSR_EL3', sysreg(3, 6, 4, 0, 0), Via.MSR],
  ['SP_EL0', 0, Via.SP],
  ['SP_EL1', 1, Via.SP],
  ['SP_EL2', 2, Via.SP],
  ['TPIDR_EL0', sysreg(3, 3, 13, 0, 2), Via.MSR],
  ['TPIDRRO_EL0', sysreg(3, 3, 13, 0, 3), Via.MSR],
  ['TPIDR_EL1', sysreg(3, 0, 13, 0, 4), Via.MSR],
  ['MIDR_EL1', sysreg(3, 0, 0, 0, 0), Via.MRS],
  ['MPIDR_EL1', sysreg(3, 0, 0, 0, 5), Via.MRS],
  ['CNTFRQ_EL0', sysreg(3, 3, 14, 0, 0), Via.MSR],
  ['CNTPCT_EL0', sysreg(3, 3, 14, 0, 1), Via.MRS],
  ['CNTVCT_EL0', sysreg(3, 3, 14, 0, 2), Via.MRS],
  ['CNTKCTL_EL1', sysreg(3, 0, 14, 1, 0), Via.MSR],
  ['CNTHCTL_EL2', sysreg(3, 4, 14, 1, 0), Via.MSR],
  ['CNTVOFF_EL2', sysreg(3, 4, 14, 0, 3), Via.MSR],
  ['CNTP_CTL_EL0', sysreg(3, 3, 14, 2, 1), Via.MSR],
  ['CNTP_CVAL_EL0', sysreg(3, 3, 14, 2, 2), Via.MSR],
  ['CNTV_CTL_EL0', sysreg(3, 3, 14, 3, 1), Via.MSR],
  ['CNTV_CVAL_EL0', sysreg(3, 3, 14, 3, 2), Via.MSR],
  ['CNTHP_CTL_EL2', sysreg(3, 4, 14, 2, 1), Via.MSR],
  ['CNTHP_CVAL_EL2', sysreg(3, 4, 14, 2, 2), Via.MSR],
  ['CNTPS_CTL_EL1', sysreg(3, 7, 14, 2, 1), Via.MSR],
  ['CNTPS_CVAL_EL1', sysreg(3, 7, 14, 2, 2), Via.MSR],
];

/** The architecture's part: the target description (`ArchType.debug`). */
export const aarch64Debug: ArchDebug = {
  targetXml: targetDocuments(SYSREGS.map((r) => r[0])),
  gRegisters: CORE_REGISTERS,
  // BRK #imm is one 4-byte instruction.
  breakpointKinds: [4],
};

/** Number of registers the description lists. */
export const REGISTER_COUNT = REG_SYSREG0_NUM + SYSREGS.length;

/** A 64-bit register as (lo, hi) words into little-endian bytes. */
function bytes64(lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setInt32(0, lo, true);
  view.setInt32(4, hi, true);
  return out;
}

/** An address as a signed 64-bit "edge number" (exact for canonical addresses, see ElfInfo). */
function edge(address: bigint): number {
  return Number(BigInt.asIntN(64, address));
}

const FSC_NAMES = ['address size fault', 'translation fault', 'access flag fault', 'permission fault', '', 'external abort on the walk'];

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function hex64(lo: number, hi: number): string {
  return `0x${((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16)}`;
}

export class A64Debug implements CpuDebug {
  stop: DebugStop | undefined = undefined;
  private readonly breakpoints = new Set<number>();
  /** Watchpoints as edge-number ranges [start, end) with their kind. */
  private watch: Array<{ start: number; end: number; watchpoint: Watchpoint }> = [];
  // The state a watchpoint hit restores (see the file comment): registers, V0-V31, the monitor,
  // and the RAM bytes the step stored (RAM offset, old bytes).
  private readonly savedXl = new Int32Array(34);
  private readonly savedXh = new Int32Array(34);
  private readonly savedV = new Int32Array(128);
  private savedMonitor = false;
  private readonly undoOffsets: number[] = [];
  private readonly undoBytes: number[] = [];

  constructor(private readonly cpu: A64Cpu) {}

  // ------------------------------------------------------------------ registers

  readRegister(regnum: number): Uint8Array | undefined {
    const cpu = this.cpu;
    if (regnum >= 0 && regnum <= 30) return bytes64(cpu.xl[regnum], cpu.xh[regnum]);
    if (regnum === REG_SP_NUM) return bytes64(cpu.xl[REG_SP], cpu.xh[REG_SP]);
    if (regnum === REG_PC_NUM) return bytes64(cpu.pcLo, cpu.pcHi);
    if (regnum === REG_CPSR_NUM) return bytes64(this.cpsr(), 0).subarray(0, 4);
    if (regnum >= REG_V0_NUM && regnum < REG_V0_NUM + 32) {
      const n = regnum - REG_V0_NUM;
      return cpu.fp.u8.slice(16 * n, 16 * n + 16);
    }
    if (regnum === REG_FPSR_NUM) return bytes64(cpu.fp.fpsr, 0).subarray(0, 4);
    if (regnum === REG_FPCR_NUM) return bytes64(cpu.fp.fpcr, 0).subarray(0, 4);
    const reg = SYSREGS[regnum - REG_SYSREG0_NUM];
    if (reg === undefined) return undefined;
    const value = this.readSysreg(reg[1], reg[2]);
    return value && bytes64(value[0], value[1]);
  }

  writeRegister(regnum: number, bytes: Uint8Array): boolean {
    const cpu = this.cpu;
    const size = regnum >= REG_V0_NUM && regnum < REG_V0_NUM + 32 ? 16 : regnum === REG_CPSR_NUM || regnum === REG_FPSR_NUM || regnum === REG_FPCR_NUM ? 4 : 8;
    if (bytes.length !== size || regnum < 0 || regnum >= REGISTER_COUNT) return false;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lo = view.getInt32(0, true);
    const hi = size === 8 ? view.getInt32(4, true) : 0;
    if (regnum <= 30 || regnum === REG_SP_NUM) {
      const r = regnum === REG_SP_NUM ? REG_SP : regnum;
      cpu.xl[r] = lo;
      cpu.xh[r] = hi;
    } else if (regnum === REG_PC_NUM) cpu.setPc64(lo, hi);
    else if (regnum === REG_CPSR_NUM) this.setCpsr(lo);
    else if (regnum < REG_FPSR_NUM) cpu.fp.u8.set(bytes, 16 * (regnum - REG_V0_NUM));
    else if (regnum === REG_FPSR_NUM) cpu.fp.fpsr = lo & FPSR_MASK;
    else if (regnum === REG_FPCR_NUM) cpu.fp.fpcr = lo & FPCR_MASK;
    else {
      const reg = SYSREGS[regnum - REG_SYSREG0_NUM];
      if (!this.writeSysreg(reg[1], reg[2], lo, hi)) return false;
    }
    cpu.attention = true;
    return true;
  }

  /** PSTATE as GDB's cpsr (SPSR layout, D1.7): NZCV, IL, DAIF, M[3:0] = EL:SP. */
  private cpsr(): number {
    const cpu = this.cpu;
    return (cpu.nzcv | cpu.daif | (cpu.il << 20) | (cpu.el << 2) | cpu.spSel) >>> 0;
  }

  /** A cpsr write: NZCV, DAIF, IL, and the EL and SP selection (EL0 has only SP_EL0). */
  private setCpsr(value: number): void {
    const cpu = this.cpu;
    cpu.nzcv = value & 0xf0000000;
    cpu.daif = value & 0x3c0;
    cpu.il = (value >>> 20) & 1;
    const el = (value >>> 2) & 3;
    const sp = el === 0 ? 0 : value & 1;
    if (el !== cpu.el || sp !== cpu.spSel) cpu.switchEl(el, sp);
  }

  /**
   * MRS as seen from EL3 (so that no register of a lower EL's view is refused), into (lo, hi);
   * undefined when the access still fails.
   */
  private readSysreg(key: number, via: Via): [number, number] | undefined {
    const cpu = this.cpu;
    if (via === Via.CURRENT_EL) return [cpu.el << 2, 0];
    if (via === Via.SP) return cpu.spOf(key);
    const el = cpu.el;
    cpu.el = 3;
    mrs(cpu, REG_SINK, key, cpu.pcLo, cpu.pcHi);
    cpu.el = el;
    if (this.failed()) return undefined;
    return [cpu.xl[REG_SINK], cpu.xh[REG_SINK]];
  }

  private writeSysreg(key: number, via: Via, lo: number, hi: number): boolean {
    const cpu = this.cpu;
    if (via === Via.SP) {
      cpu.setSpOf(key, lo, hi);
      return true;
    }
    if (via !== Via.MSR) return false;
    const el = cpu.el;
    cpu.el = 3;
    cpu.xl[REG_SINK] = lo;
    cpu.xh[REG_SINK] = hi;
    msr(cpu, REG_SINK, key, cpu.pcLo, cpu.pcHi);
    cpu.el = el;
    // A write that updated translation did it for EL3: redo it for the real EL.
    updateTranslation(cpu);
    return !this.failed();
  }

  /** True (and forgotten) when an MRS/MSR above recorded an exception instead of completing. */
  private failed(): boolean {
    if (!this.cpu.exc) return false;
    this.cpu.exc = false;
    return true;
  }

  get pc(): bigint {
    return (BigInt(this.cpu.pcHi >>> 0) << 32n) | BigInt(this.cpu.pcLo >>> 0);
  }

  // ------------------------------------------------------------------ translation

  /**
   * The current regime's stage 1 walk without the TLB, faults or events. Permissions are not
   * checked, for reads and writes alike: a debugger may patch read-only text (QEMU's
   * cpu_memory_rw_debug does the same).
   */
  translate(vaddr: bigint, _write: boolean): number {
    const v = BigInt.asUintN(64, vaddr);
    return debugTranslate(this.cpu, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
  }

  describeTranslation(vaddr: bigint): string[] {
    const cpu = this.cpu;
    const v = BigInt.asUintN(64, vaddr);
    const lo = Number(v & 0xffffffffn) | 0;
    const hi = Number(v >> 32n) | 0;
    const lines: string[] = [];
    const walk = debugWalk(cpu, lo, hi, (level, table, index, dlo, dhi, read) => {
      const at = `L${level} ${hex(table)}[${hex(index)}]`;
      if (!read) return lines.push(`${at}: not in RAM`);
      const kind = (dlo & 1) === 0 ? 'invalid' : (dlo & 2) !== 0 ? (level < 3 ? 'table' : 'page') : 'block';
      lines.push(`${at} = ${hex64(dlo, dhi)} -> ${kind}`);
    });
    const regime = walk.regime === 1 ? 'EL1&0' : `EL${walk.regime}`;
    const m = cpu.mmu;
    let head: string;
    if (!walk.stage1) head = `EL${cpu.el}: ${regime} stage 1 off, VA = PA`;
    else if (walk.regime === 1) {
      const upper = ((hi >>> 23) & 1) !== 0;
      const ttbr = upper ? hex64(m.ttbr1[0], m.ttbr1[1]) : hex64(m.ttbr0[2], m.ttbr0[3]);
      head = `EL${cpu.el}: ${regime} stage 1, TTBR${upper ? 1 : 0}_EL1 = ${ttbr}, TCR_EL1 = ${hex64(m.tcr[2], m.tcr[3])}`;
    } else {
      head = `EL${cpu.el}: ${regime} stage 1, TTBR0_EL${walk.regime} = ${hex64(m.ttbr0[2 * walk.regime], m.ttbr0[2 * walk.regime + 1])}, TCR_EL${walk.regime} = ${hex(m.tcr[2 * walk.regime] >>> 0)}`;
    }
    lines.unshift(head);
    if (walk.fsc >= 0) lines.push(`-> fault: ${FSC_NAMES[walk.fsc >>> 2] ?? 'fault'}${walk.stage1 ? ` at level ${walk.fsc & 3}` : ''} (FSC ${hex(walk.fsc)})`);
    else lines.push(`-> pa ${hex(walk.pa)}`);
    return lines;
  }

  // ------------------------------------------------------------------ breakpoints and watchpoints

  setBreakpoints(addresses: readonly bigint[]): void {
    this.breakpoints.clear();
    for (const a of addresses) this.breakpoints.add(edge(a));
    this.update();
  }

  setWatchpoints(watchpoints: readonly Watchpoint[]): void {
    this.watch = watchpoints.filter((w) => w.length > 0).map((w) => ({ start: edge(w.address), end: edge(w.address) + w.length, watchpoint: { ...w } }));
    this.update();
  }

  get maskInterrupts(): boolean {
    return this.cpu.irqMasked;
  }

  set maskInterrupts(value: boolean) {
    this.cpu.irqMasked = value;
  }

  /** The flags the run loop and the memory paths read (see the file comment). */
  private update(): void {
    const cpu = this.cpu;
    cpu.watching = this.watch.length > 0;
    cpu.debugChecks = cpu.watching || this.breakpoints.size > 0;
    cpu.ramFastLimit = cpu.watching ? 0 : cpu.ramSize;
    cpu.attention = true;
  }

  /**
   * Called by `run()` before each instruction while `debugChecks`: true (with `stop` set) when
   * the pc is at a breakpoint; otherwise takes the snapshot a watchpoint hit restores.
   */
  beforeStep(): boolean {
    const cpu = this.cpu;
    if (this.breakpoints.size > 0 && this.breakpoints.has(cpu.pc)) {
      this.stop = { kind: 'breakpoint', address: this.pc };
      return true;
    }
    if (cpu.watching) {
      this.savedXl.set(cpu.xl);
      this.savedXh.set(cpu.xh);
      this.savedV.set(cpu.fp.v.subarray(0, 128));
      this.savedMonitor = cpu.monitorValid;
      this.undoOffsets.length = 0;
      this.undoBytes.length = 0;
    }
    return false;
  }

  /**
   * Called by memory.ts before a data access of `bytes` bytes at (vl, vh) while `watching`:
   * on a hit, sets `stop`, undoes the instruction's earlier effects and aborts it like a fault
   * (`exc`, with `watchHit` telling run() not to take an exception).
   */
  watchHit(vl: number, vh: number, bytes: number, write: boolean): boolean {
    const start = vh * TWO32 + (vl >>> 0);
    const end = start + bytes;
    for (const w of this.watch) {
      const kind = w.watchpoint.kind;
      if (w.start >= end || start >= w.end || (kind === 'write' ? !write : kind === 'read' ? write : false)) continue;
      // The first watched byte of the access: GDB matches it against the watchpoint's range.
      this.stop = { kind, address: BigInt.asUintN(64, BigInt(Math.max(start, w.start))) };
      this.undo();
      const cpu = this.cpu;
      cpu.watchStop = true;
      cpu.exc = true;
      cpu.attention = true;
      return true;
    }
    return false;
  }

  /** memory.ts, before a store to RAM offset `off` while `watching`: remembers the old bytes. */
  logStore(off: number, bytes: number): void {
    const u8 = this.cpu.ramU8;
    for (let i = 0; i < bytes; i++) {
      this.undoOffsets.push(off + i);
      this.undoBytes.push(u8[off + i]);
    }
  }

  private undo(): void {
    const cpu = this.cpu;
    cpu.xl.set(this.savedXl);
    cpu.xh.set(this.savedXh);
    cpu.fp.v.set(this.savedV);
    cpu.monitorValid = this.savedMonitor;
    for (let i = this.undoOffsets.length - 1; i >= 0; i--) {
      const off = this.undoOffsets[i];
      cpu.ramU8[off] = this.undoBytes[i];
      if (cpu.pageFlags[off >>> 12] !== 0) cpu.ramWritten(off, 1);
    }
    this.undoOffsets.length = 0;
    this.undoBytes.length = 0;
  }
}
