/**
 * The debug registers' breakpoints (SDM vol. 3, ch. 17): DR0-DR3 addresses, DR7 enables (L0-3/G0-3),
 * R/W (00 execute, 01 write, 10 I/O with CR4.DE, 11 read/write) and LEN (1, 2, 8, 4 bytes), DR6
 * status, GD (general detect) and EFLAGS.RF.
 *
 * Nothing here runs per instruction unless DR7 arms something: a DR7 (or CR4) write computes
 * `cpu.debugBefore` (instruction breakpoints armed, or RF to clear) and `cpu.debugAfter` (data or
 * I/O breakpoints armed), the two fields the run loop tests. Data breakpoints make the MMU leave
 * their linear pages out of the TLB's RAM fast path, so only accesses to those pages meet the check.
 */
import type { I386Cpu } from './cpu.js';
import { DB, RF, UD } from './consts.js';

/** `debugBefore` bit: EFLAGS.RF is set and must be cleared once the next instruction starts. */
export const RF_PENDING = 0x10;
/** `debugBefore` bit: a task switch loaded a TSS with the T bit: #DB (DR6.BT) before the task's first instruction. */
export const TASK_TRAP = 0x20;
/** DR6 bits: B0-B3, BD (a MOV DR with GD set), BS (single step), BT (task switch with the TSS T bit). */
export const DR6_BD = 0x2000, DR6_BS = 0x4000, DR6_BT = 0x8000;
/** DR7 bits: GD; the local enables L0-L3 and LE, which a task switch clears (SDM 17.2.4). */
export const DR7_GD = 0x2000;
const DR7_LOCAL = 0x155;
/** Reserved bits that read as 1 (as QEMU: DR6_FIXED_1, DR7_FIXED_1). */
const DR6_FIXED = 0xffff0ff0, DR7_FIXED = 0x400;
const CR4_DE = 8;

const LENGTHS = [1, 2, 8, 4];

/** Breakpoint n's linear (or port) range [start, start + len) and kind, as the last DR7 write armed them. */
export class Breakpoints {
  readonly start = new Uint32Array(4);
  readonly len = new Uint8Array(4);
  /** DR7 R/W of each breakpoint. */
  readonly rw = new Uint8Array(4);
  /** Bit n: breakpoint n is enabled for instructions / data / I/O. */
  exec = 0; data = 0; io = 0;
}

/** Recomputes what DR0-DR3, DR7 and CR4.DE arm; called after any write to them (and at reset). */
export function armBreakpoints(cpu: I386Cpu): void {
  const b = cpu.breakpoints, dr7 = cpu.dr[7];
  b.exec = 0; b.data = 0; b.io = 0;
  const pages: number[] = [];
  for (let n = 0; n < 4; n++) {
    if (((dr7 >>> (2 * n)) & 3) === 0) continue;
    const rw = (dr7 >>> (16 + 4 * n)) & 3, len = LENGTHS[(dr7 >>> (18 + 4 * n)) & 3];
    b.rw[n] = rw; b.len[n] = len;
    b.start[n] = (cpu.dr[n] & ~(len - 1)) >>> 0; // the low address bits LEN covers are ignored (SDM 17.2.5)
    if (rw === 0) b.exec |= 1 << n;
    else if (rw === 2) { if (cpu.cr4 & CR4_DE) b.io |= 1 << n; } // undefined without CR4.DE: never fires
    else { b.data |= 1 << n; pages.push(b.start[n] & -4096); }
  }
  cpu.debugBefore = b.exec | (cpu.debugBefore & (RF_PENDING | TASK_TRAP));
  cpu.debugAfter = b.data | b.io;
  cpu.mmu.watchPages(pages);
}

/** MOV to DR6/DR7 keep the bits that read as 1. */
export function writeDebugRegister(cpu: I386Cpu, n: number, v: number): void {
  if (n === 6) cpu.dr[6] = (v | DR6_FIXED) & ~0x1000;
  else if (n === 7) cpu.dr[7] = ((v | DR7_FIXED) & ~0xd800) >>> 0;
  else cpu.dr[n] = v;
  if (n !== 6) armBreakpoints(cpu);
}

/** A task switch clears the local enables (SDM 17.2.4). */
export function clearLocalEnables(cpu: I386Cpu): void {
  if ((cpu.dr[7] & DR7_LOCAL) === 0) return;
  cpu.dr[7] &= ~DR7_LOCAL;
  armBreakpoints(cpu);
}

/**
 * Before an instruction while `debugBefore` is set: an instruction breakpoint on its first byte is
 * a fault (#DB, EIP at the instruction, DR6 B0-B3) unless EFLAGS.RF suppresses it; then RF is
 * cleared (SDM 17.3.1.1). True when #DB was delivered instead of running the instruction.
 */
export function instructionBreakpoint(cpu: I386Cpu): boolean {
  const b = cpu.breakpoints;
  if (cpu.debugBefore & TASK_TRAP) { // SDM 17.3.1.5: a trap, taken before the new task's first instruction
    cpu.debugBefore &= ~TASK_TRAP;
    cpu.dr[6] |= DR6_BT;
    cpu.debugException();
    return true;
  }
  if (cpu.flagsRest & RF) {
    cpu.flagsRest &= ~RF;
  } else if (b.exec !== 0) {
    const pc = cpu.pc;
    let hit = 0;
    for (let n = 0; n < 4; n++) if ((b.exec >> n) & 1 && b.start[n] === pc) hit |= 1 << n;
    if (hit !== 0) {
      cpu.dr[6] = (cpu.dr[6] & ~0xf) | hit;
      cpu.debugException(); // the pushed RF is the current one (0): the handler sets it to resume
      return true;
    }
  }
  cpu.debugBefore = b.exec;
  return false;
}

/** Whether [addr, addr + size) overlaps breakpoint n's range. */
function overlaps(b: Breakpoints, n: number, addr: number, size: number): boolean {
  return addr < b.start[n] + b.len[n] && addr + size > b.start[n];
}

/** A data access to a watched page (mmu.ts's slow path): records the data breakpoints it hits. */
export function dataAccess(cpu: I386Cpu, linear: number, size: number, write: boolean): void {
  const b = cpu.breakpoints;
  for (let n = 0; n < 4; n++) {
    if (((b.data >> n) & 1) === 0 || (b.rw[n] === 1 && !write)) continue;
    if (overlaps(b, n, linear >>> 0, size)) cpu.dataHits |= 1 << n;
  }
}

/** IN/OUT/INS/OUTS with I/O breakpoints armed (CR4.DE, R/W = 10): records the hits. */
export function ioAccess(cpu: I386Cpu, port: number, size: number): void {
  const b = cpu.breakpoints;
  for (let n = 0; n < 4; n++) if ((b.io >> n) & 1 && overlaps(b, n, port, size)) cpu.dataHits |= 1 << n;
}

/**
 * MOV DRn (SDM vol. 2, MOV—Move to/from Debug Registers): ring 0; DR4/DR5 alias DR6/DR7 unless
 * CR4.DE (then #UD); with DR7.GD set, #DB (a fault) with DR6.BD, GD cleared for the handler.
 */
export function moveDebug(cpu: I386Cpu, write: boolean): void {
  cpu.modrm();
  cpu.checkCpl0();
  let n = cpu.mrReg;
  const r = cpu.mrRm >= 0 ? cpu.mrRm : 0;
  if (n === 4 || n === 5) { if (cpu.cr4 & CR4_DE) cpu.raise(UD); n += 2; }
  if (cpu.dr[7] & DR7_GD) {
    cpu.dr[6] |= DR6_BD;
    cpu.dr[7] &= ~DR7_GD;
    cpu.raise(DB);
  }
  if (write) writeDebugRegister(cpu, n, cpu.regs[r]); else cpu.regs[r] = cpu.dr[n];
}
