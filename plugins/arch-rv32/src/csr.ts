/**
 * Control and status registers (privileged spec chapter 2 for numbering and access rules, 3 and 4
 * for the machine and supervisor registers) and the Zicsr instructions (unprivileged spec 9.1).
 *
 * Which CSRs exist follows QEMU 7.2's rv32 with priv spec 1.12: menvcfg/senvcfg/mconfigptr and
 * mcountinhibit exist; 16 PMP entries; mhpmcounter3..18 exist (pmu-num = 16) and read back what
 * was written (they count no events); the rest of the hpm counters raise illegal instruction;
 * the trigger CSRs exist but describe zero triggers; hypervisor, Debug Mode and F/V CSRs do not exist.
 */
import type { Rv32Cpu } from './cpu.js';
import {
  DELEGABLE_EXCEPTIONS,
  EXC_ILLEGAL,
  HPM_COUNTERS,
  MIP_SEIP,
  MIP_SSIP,
  MISA,
  MSTATUS_MIE,
  MSTATUS_MPP,
  MSTATUS_MPRV,
  MSTATUS_MXR,
  MSTATUS_SIE,
  MSTATUS_SUM,
  MSTATUS_TVM,
  MSTATUS_WRITABLE,
  M_INTERRUPTS,
  PRV_M,
  PRV_S,
  PRV_U,
  SSTATUS_MASK,
  S_INTERRUPTS,
} from './constants.js';

export const CSR = {
  // Unprivileged counters
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  hpmcounter3: 0xc03,
  cycleh: 0xc80,
  timeh: 0xc81,
  instreth: 0xc82,
  hpmcounter3h: 0xc83,
  // Supervisor
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  satp: 0x180,
  // Machine
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mstatush: 0x310,
  menvcfgh: 0x31a,
  mcountinhibit: 0x320,
  mhpmevent3: 0x323,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  // Trigger module (Sdtrig, debug spec 5.7)
  tselect: 0x7a0,
  tdata1: 0x7a1,
  tdata2: 0x7a2,
  tdata3: 0x7a3,
  mcycle: 0xb00,
  minstret: 0xb02,
  mhpmcounter3: 0xb03,
  mcycleh: 0xb80,
  minstreth: 0xb82,
  mhpmcounter3h: 0xb83,
} as const;

const ENVCFG_FIOM = 1;
/** mcountinhibit: CY, IR and HPM3..31; bit 1 (TM) is read-only zero. */
const MCOUNTINHIBIT_MASK = 0xfffffffd;
/** Interrupt-enable bits that exist (M and S levels). */
const ALL_INTERRUPTS = M_INTERRUPTS | S_INTERRUPTS;
const TWO32 = 4294967296;

/** Fixed-function CSRs that exist (counters, PMP and hpm ranges are checked separately). */
const SIMPLE = new Set<number>([
  CSR.sstatus, CSR.sie, CSR.stvec, CSR.scounteren, CSR.senvcfg, CSR.sscratch, CSR.sepc, CSR.scause, CSR.stval, CSR.sip, CSR.satp,
  CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.mhartid, CSR.mconfigptr,
  CSR.mstatus, CSR.misa, CSR.medeleg, CSR.mideleg, CSR.mie, CSR.mtvec, CSR.mcounteren, CSR.menvcfg, CSR.mstatush, CSR.menvcfgh,
  CSR.mcountinhibit, CSR.mscratch, CSR.mepc, CSR.mcause, CSR.mtval, CSR.mip,
  CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3,
]);

/** Counter index 0..31 of an unprivileged counter CSR (cycle..hpmcounter31[h]), or -1. */
function userCounterIndex(csr: number): number {
  if (csr >= 0xc00 && csr <= 0xc1f) return csr - 0xc00;
  if (csr >= 0xc80 && csr <= 0xc9f) return csr - 0xc80;
  return -1;
}

/** Counter index of a machine counter CSR (mcycle, minstret, mhpmcounterN[h]), or -1; index 1 does not exist. */
function machineCounterIndex(csr: number): number {
  if (csr >= 0xb00 && csr <= 0xb1f) return csr - 0xb00;
  if (csr >= 0xb80 && csr <= 0xb9f) return csr - 0xb80;
  return -1;
}

/**
 * Whether the CSR exists at all, whatever the privilege (the accessible set at M-mode; also the
 * debugger's register list, debug.ts).
 */
export function csrExists(csr: number): boolean {
  const uc = userCounterIndex(csr);
  if (uc >= 0) return uc < 3 + HPM_COUNTERS;
  const mc = machineCounterIndex(csr);
  if (mc >= 0) return mc !== 1 && mc < 3 + HPM_COUNTERS;
  if (csr >= CSR.mhpmevent3 && csr <= 0x33f) return true;
  if (csr >= CSR.pmpcfg0 && csr <= 0x3a3) return true;
  if (csr >= CSR.pmpaddr0 && csr <= 0x3bf) return true;
  return SIMPLE.has(csr);
}

/**
 * Whether the CSR exists and the current privilege may access it (priv spec 2.1: bits 9:8 give
 * the lowest privilege, bits 11:10 = 3 mean read-only), plus the counter-enable and TVM rules.
 */
export function csrPermitted(cpu: Rv32Cpu, csr: number, write: boolean): boolean {
  if (write && csr >>> 10 === 3) return false;
  if (cpu.priv < ((csr >>> 8) & 3)) return false;
  if (!csrExists(csr)) return false;
  const uc = userCounterIndex(csr);
  if (uc >= 0) {
    // Counter enables (priv spec 3.1.11 / 4.1.5): S needs mcounteren, U needs both.
    const bit = 1 << uc;
    if (cpu.priv < PRV_M && (cpu.mcounteren & bit) === 0) return false;
    if (cpu.priv === PRV_U && (cpu.scounteren & bit) === 0) return false;
    return true;
  }
  // satp in S-mode traps when mstatus.TVM = 1 (priv spec 3.1.6.5).
  return !(csr === CSR.satp && cpu.priv === PRV_S && (cpu.mstatus & MSTATUS_TVM) !== 0);
}

/** `time` in timebase ticks, computed like the CLINT's mtime: floor(ns * freq / 1e9). */
export function timeTicks(cpu: Rv32Cpu): number {
  return Math.floor((cpu.clock.now() * cpu.timebase) / 1e9);
}

/** Reads a CSR known to exist and be accessible. Returns an unsigned 32-bit value. */
export function csrRead(cpu: Rv32Cpu, csr: number): number {
  const uc = userCounterIndex(csr);
  const counter = uc >= 0 ? uc : machineCounterIndex(csr);
  if (counter >= 0) {
    const high = (csr & 0x80) !== 0;
    const src = cpu.instretNow();
    if (counter === 0) return high ? cpu.mcycle.hi(src) : cpu.mcycle.lo(src);
    if (counter === 2) return high ? cpu.minstret.hi(src) : cpu.minstret.lo(src);
    if (counter === 1) {
      const t = timeTicks(cpu);
      return high ? Math.floor(t / TWO32) % TWO32 : t % TWO32;
    }
    return cpu.hpmCounters[(counter - 3) * 2 + (high ? 1 : 0)];
  }
  if (csr >= CSR.mhpmevent3 && csr <= 0x33f) return cpu.hpmEvents[csr - CSR.mhpmevent3];
  if (csr >= CSR.pmpcfg0 && csr <= 0x3a3) return cpu.pmp.readCfg(csr - CSR.pmpcfg0);
  if (csr >= CSR.pmpaddr0 && csr <= 0x3bf) return cpu.pmp.readAddr(csr - CSR.pmpaddr0);
  switch (csr) {
    case CSR.sstatus:
      return (cpu.mstatus & SSTATUS_MASK) >>> 0;
    case CSR.sie:
      return (cpu.mie & cpu.mideleg) >>> 0;
    case CSR.stvec:
      return cpu.stvec;
    case CSR.scounteren:
      return cpu.scounteren;
    case CSR.senvcfg:
      return cpu.senvcfg;
    case CSR.sscratch:
      return cpu.sscratch;
    case CSR.sepc:
      return cpu.sepc;
    case CSR.scause:
      return cpu.scause;
    case CSR.stval:
      return cpu.stval;
    case CSR.sip:
      return (cpu.mipValue() & cpu.mideleg) >>> 0;
    case CSR.satp:
      return cpu.satp;
    case CSR.mhartid:
      return cpu.id >>> 0;
    case CSR.mstatus:
      return cpu.mstatus >>> 0;
    case CSR.misa:
      return MISA;
    case CSR.medeleg:
      return cpu.medeleg;
    case CSR.mideleg:
      return cpu.mideleg;
    case CSR.mie:
      return cpu.mie;
    case CSR.mtvec:
      return cpu.mtvec;
    case CSR.mcounteren:
      return cpu.mcounteren;
    case CSR.menvcfg:
      return cpu.menvcfg;
    case CSR.mcountinhibit:
      return cpu.mcountinhibit;
    case CSR.mscratch:
      return cpu.mscratch;
    case CSR.mepc:
      return cpu.mepc;
    case CSR.mcause:
      return cpu.mcause;
    case CSR.mtval:
      return cpu.mtval;
    case CSR.mip:
      return cpu.mipValue() >>> 0;
    default:
      // mvendorid, marchid, mimpid, mconfigptr, mstatush, menvcfgh: read-only zero here.
      // tselect/tdata1-3: a trigger module with no triggers (debug spec 5.7: tselect keeps only
      // 0, and tdata1 type 0 says "no trigger here"), so that software probing for triggers the
      // way the spec describes (riscv-tests' breakpoint test, OpenSBI, Linux) finds none.
      return 0;
  }
}

/**
 * Writes a CSR known to exist and be writable at the current privilege (WARL rules applied).
 * Sets `cpu.attention` (back to the run loop after the instruction) only where the write can
 * matter there: it may let a pending interrupt in (mstatus.MIE/SIE set, mie/sie, mip/sip,
 * mideleg), it changes what the interpreter holds (data TLB choice, TLB contents), or it touches
 * the counters. Linux saves and clears sstatus.SIE around every spinlock: those writes need none.
 */
export function csrWrite(cpu: Rv32Cpu, csr: number, value: number): void {
  value >>>= 0;
  const mc = machineCounterIndex(csr);
  if (mc >= 0) {
    cpu.attention = true;
    const high = (csr & 0x80) !== 0;
    // The written value is what the next instruction reads (the writing one does not count).
    const now = cpu.instretNow();
    if (mc === 0) high ? cpu.mcycle.writeHi(now, value) : cpu.mcycle.writeLo(now, value);
    else if (mc === 2) high ? cpu.minstret.writeHi(now, value) : cpu.minstret.writeLo(now, value);
    else cpu.hpmCounters[(mc - 3) * 2 + (high ? 1 : 0)] = value;
    return;
  }
  if (csr >= CSR.mhpmevent3 && csr <= 0x33f) {
    cpu.attention = true;
    cpu.hpmEvents[csr - CSR.mhpmevent3] = value;
    return;
  }
  if (csr >= CSR.pmpcfg0 && csr <= 0x3a3) {
    cpu.pmp.writeCfg(csr - CSR.pmpcfg0, value);
    cpu.flushTlbAll();
    return;
  }
  if (csr >= CSR.pmpaddr0 && csr <= 0x3bf) {
    cpu.pmp.writeAddr(csr - CSR.pmpaddr0, value);
    cpu.flushTlbAll();
    return;
  }
  switch (csr) {
    case CSR.sstatus:
      writeMstatus(cpu, (cpu.mstatus & ~SSTATUS_MASK) | (value & SSTATUS_MASK));
      return;
    case CSR.sie:
      cpu.mie = ((cpu.mie & ~cpu.mideleg) | (value & cpu.mideleg)) >>> 0;
      cpu.attention = true;
      return;
    case CSR.stvec:
      if ((value & 3) < 2) cpu.stvec = value; // MODE >= 2 is reserved: keep the old value (QEMU)
      return;
    case CSR.scounteren:
      cpu.scounteren = value;
      return;
    case CSR.senvcfg:
      cpu.senvcfg = value & ENVCFG_FIOM;
      return;
    case CSR.sscratch:
      cpu.sscratch = value;
      return;
    case CSR.sepc:
      cpu.sepc = (value & ~1) >>> 0; // IALIGN = 16: bit 0 is always zero
      return;
    case CSR.scause:
      cpu.scause = value;
      return;
    case CSR.stval:
      cpu.stval = value;
      return;
    case CSR.sip: {
      // Only SSIP is writable through sip, and only when delegated (priv spec 4.1.3).
      const mask = cpu.mideleg & MIP_SSIP;
      cpu.mipSoft = ((cpu.mipSoft & ~mask) | (value & mask)) >>> 0;
      cpu.attention = true;
      return;
    }
    case CSR.satp:
      // Sv32: MODE (1 bit), ASID (9 bits, all implemented), PPN (22 bits). Any change of the
      // translation context drops cached translations (software still has to SFENCE.VMA).
      cpu.satp = value;
      cpu.flushTlbTranslated();
      return;
    case CSR.mstatus:
      writeMstatus(cpu, value);
      return;
    case CSR.medeleg:
      cpu.medeleg = (value & DELEGABLE_EXCEPTIONS) >>> 0;
      return;
    case CSR.mideleg:
      // Only supervisor interrupts can be delegated (priv spec 3.1.8).
      cpu.mideleg = (value & S_INTERRUPTS) >>> 0;
      cpu.attention = true;
      return;
    case CSR.mie:
      cpu.mie = (value & ALL_INTERRUPTS) >>> 0;
      cpu.attention = true;
      return;
    case CSR.mtvec:
      if ((value & 3) < 2) cpu.mtvec = value;
      return;
    case CSR.mcounteren:
      cpu.mcounteren = value;
      return;
    case CSR.menvcfg:
      cpu.menvcfg = value & ENVCFG_FIOM;
      return;
    case CSR.mcountinhibit: {
      cpu.attention = true;
      cpu.mcountinhibit = (value & MCOUNTINHIBIT_MASK) >>> 0;
      const src = cpu.instretNow() + 1;
      cpu.mcycle.inhibit(src, (value & 1) !== 0);
      cpu.minstret.inhibit(src, (value & 4) !== 0);
      return;
    }
    case CSR.mscratch:
      cpu.mscratch = value;
      return;
    case CSR.mepc:
      cpu.mepc = (value & ~1) >>> 0;
      return;
    case CSR.mcause:
      cpu.mcause = value;
      return;
    case CSR.mtval:
      cpu.mtval = value;
      return;
    case CSR.mip: {
      // M-mode may write SSIP, STIP and the software-writable SEIP bit (priv spec 3.1.9).
      cpu.mipSoft = ((cpu.mipSoft & ~S_INTERRUPTS) | (value & S_INTERRUPTS)) >>> 0;
      cpu.attention = true;
      return;
    }
    default:
      // misa (not writable: QEMU 7.2 misa_w = false), mstatush, menvcfgh, and the trigger CSRs
      // (no trigger exists to select or configure): writes ignored
      return;
  }
}

/**
 * mstatus write with WARL legalisation; flushes translations when SUM/MXR change, picks the data
 * TLBs again when MPRV/MPP change (3.1.6.3), and returns to the run loop when MIE or SIE is set
 * (a pending interrupt may now be taken, 3.1.6.1).
 */
export function writeMstatus(cpu: Rv32Cpu, value: number): void {
  const old = cpu.mstatus;
  let next = (old & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
  // MPP is WARL over {U, S, M}: the reserved value 2 keeps the previous MPP (QEMU legalize_mpp).
  if ((next & MSTATUS_MPP) >>> 11 === 2) next = (next & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
  cpu.mstatus = next >>> 0;
  const changed = old ^ next;
  if (changed & (MSTATUS_SUM | MSTATUS_MXR)) cpu.flushTlbTranslated();
  if (changed & (MSTATUS_MPRV | MSTATUS_MPP)) cpu.selectDataTlb();
  if (next & ~old & (MSTATUS_MIE | MSTATUS_SIE)) cpu.attention = true;
}

/**
 * Executes a Zicsr instruction given its funct3 (1/2/3 = CSRRW/S/C, 5/6/7 = the uimm forms). CSRRW[I] with rd = x0 does not read the CSR; CSRRS/CSRRC[I] with
 * rs1 = x0 (or uimm = 0) do not write it, so they are legal on read-only CSRs (unpriv spec 9.1).
 * Returns the old value for rd; on an illegal access raises the exception (cpu.exc).
 */
export function executeCsr(cpu: Rv32Cpu, funct3: number, csr: number, rd: number, rs1: number, src: number, pc: number): number {
  const isWrite = (funct3 & 3) === 1;
  const writes = isWrite || rs1 !== 0;
  const reads = !isWrite || rd !== 0;
  if (!csrPermitted(cpu, csr, writes)) {
    cpu.raise(EXC_ILLEGAL, ((csr << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x73) >>> 0, pc);
    return 0;
  }
  const old = reads ? csrRead(cpu, csr) : 0;
  if (writes) {
    // For CSRRS/CSRRC on mip/sip the read-modify-write uses the software-writable SEIP bit,
    // not the external interrupt line (priv spec 3.1.9).
    let base = old;
    if ((csr === CSR.mip || csr === CSR.sip) && !isWrite) base = ((old & ~MIP_SEIP) | (cpu.mipSoft & MIP_SEIP)) >>> 0;
    let value: number;
    if (isWrite) value = src;
    else if ((funct3 & 3) === 2) value = base | src;
    else value = base & ~src;
    csrWrite(cpu, csr, value);
  }
  return old | 0;
}

/** Names for the TUI and traces. */
export const CSR_NAMES: Record<number, string> = Object.fromEntries(Object.entries(CSR).map(([k, v]) => [v, k]));

