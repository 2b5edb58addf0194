/**
 * System instructions (hints, PSTATE and system-register moves), exception-generating
 * instructions and Undefined encodings, called from the interpreter. An instruction that ends
 * the slice (WFI, a PSTATE change, a semihosting exit) sets `cpu.attention`.
 */
import type { A64Cpu } from './cpu.js';
import { Hint } from './decode.js';
import { EC_BRK64, EC_HVC64, EC_SMC64, EC_SVC64, EC_SYSREG, EC_UNKNOWN, EC_WFX, ESR_IL } from './exceptions.js';
import { Op } from './execute.js';
import { semihostingCall, SEMIHOSTING_HLT } from './semihosting.js';
import { EL_VALUE, readElRegister, writeElRegister } from './el-registers.js';
import { readTimerRegister, writeTimerRegister } from './generic-timer.js';
import { readMmuRegister, writeMmuRegister } from './mmu-sys.js';
import { fpSysreg } from './fp-access.js';
import { readIdRegister, writeIdRegister } from './id-registers.js';
import {
  sysreg,
  SCR_HCE,
  SCR_NS,
  SCR_SMD,
  SCTLR_UMA,
  SCTLR_NTWE,
  SCTLR_NTWI,
  SCR_TWE,
  SCR_TWI,
  HCR_TWE,
  HCR_TWI,
  MIDR_CORTEX_A53,
  PSTATE_DAIFCLR,
  PSTATE_DAIFSET,
  PSTATE_SPSEL,
  SYSREG_CURRENTEL,
  SYSREG_DAIF,
  SYSREG_MIDR_EL1,
  SYSREG_MPIDR_EL1,
  SYSREG_NZCV,
  SYSREG_SPSEL,
  SYSREG_TPIDR_EL0,
  SYSREG_TPIDR_EL1,
  SYSREG_TPIDRRO_EL0,
} from './sysregs.js';

export function executeSystem(cpu: A64Cpu, info: number, a: number, c: number, pcLo: number, pcHi: number): void {
  switch (info & 0xff) {
    case Op.UNDEF:
      cpu.undefined(pcLo, pcHi);
      return;
    case Op.HINT:
      hint(cpu, c, pcLo, pcHi);
      return;
    case Op.MSR_IMM:
      msrImmediate(cpu, c, a, pcLo, pcHi);
      return;
    case Op.MRS:
      mrs(cpu, (info >>> 8) & 63, c, pcLo, pcHi);
      return;
    case Op.MSR:
      msr(cpu, (info >>> 14) & 63, c, pcLo, pcHi);
      return;
    case Op.EXC:
      exceptionGenerating(cpu, c, a, pcLo, pcHi);
      return;
    case Op.HLT:
      if (a === SEMIHOSTING_HLT && cpu.semihosting) {
        semihostingCall(cpu, pcLo, pcHi);
        return;
      }
      // Halting debug is never enabled here, so HLT is UNDEFINED (C6.2.94).
      cpu.undefined(pcLo, pcHi);
      return;
  }
}

/**
 * WFI waits for an interrupt; WFE consumes the event register or, when it is clear, ends the
 * slice like YIELD, so that run() returns and other cores run (as QEMU 7.2, which never sleeps
 * on WFE); SEVL sets this core's event register, SEV every core's of the machine (D1.16.1).
 */
function hint(cpu: A64Cpu, kind: number, pcLo: number, pcHi: number): void {
  switch (kind) {
    case Hint.WFI:
      if (!cpu.irqLevel && !cpu.fiqLevel && wfxTrap(cpu, false, pcLo, pcHi)) return;
      cpu.wfi();
      return;
    case Hint.WFE:
      if (cpu.eventRegister) cpu.eventRegister = false;
      else if (!wfxTrap(cpu, true, pcLo, pcHi)) cpu.requestExit();
      return;
    case Hint.SEV:
      cpu.sendEvent();
      return;
    case Hint.SEVL:
      cpu.eventRegister = true;
      return;
    case Hint.YIELD:
      cpu.requestExit();
      return;
  }
}

/**
 * A WFI or WFE that would wait is trapped (EC 0x01; ISS CV = 1, COND = 0xE, TI = WFE; ELR = the
 * instruction): to EL1 from EL0 when SCTLR_EL1.nTWI/nTWE = 0, else to EL2 from Non-secure EL0/EL1
 * when HCR_EL2.TWI/TWE = 1, else to EL3 when SCR_EL3.TWI/TWE = 1 (D1.15.2). True when trapped.
 */
function wfxTrap(cpu: A64Cpu, wfe: boolean, pcLo: number, pcHi: number): boolean {
  const el = cpu.el;
  let target = 0;
  if (el === 0 && (cpu.sctlr[1] & (wfe ? SCTLR_NTWE : SCTLR_NTWI)) === 0) target = 1;
  else if (el < 2 && (cpu.scr & SCR_NS) !== 0 && (cpu.hcr[0] & (wfe ? HCR_TWE : HCR_TWI)) !== 0) target = 2;
  else if (el < 3 && (cpu.scr & (wfe ? SCR_TWE : SCR_TWI)) !== 0) target = 3;
  if (target === 0) return false;
  cpu.raiseSync((EC_WFX << 26) | ESR_IL | (1 << 24) | (0xe << 20) | (wfe ? 1 : 0), pcLo, pcHi, 0, 0, false, target);
  return true;
}

/** MSR (immediate) to SPSel, DAIFSet, DAIFClr (C5.2.4-C5.2.6). Others are UNDEFINED on an A53. */
function msrImmediate(cpu: A64Cpu, field: number, imm: number, pcLo: number, pcHi: number): void {
  if (cpu.el === 0 && field !== PSTATE_DAIFSET && field !== PSTATE_DAIFCLR) {
    cpu.undefined(pcLo, pcHi);
    return;
  }
  if (field === PSTATE_SPSEL) cpu.setSpSel(imm & 1);
  else if (field === PSTATE_DAIFSET || field === PSTATE_DAIFCLR) {
    if (cpu.el === 0 && daifTrapAtEl0(cpu, sysreg(0, field >>> 3, 4, imm & 15, field & 7), 31, false, pcLo, pcHi)) return;
    if (field === PSTATE_DAIFSET) cpu.daif |= (imm & 15) << 6;
    else cpu.daif &= ~((imm & 15) << 6);
  } else {
    cpu.undefined(pcLo, pcHi);
    return;
  }
  cpu.attention = true;
}

/**
 * EL0 access to DAIF (MRS, MSR, MSR DAIFSet/DAIFClr) with SCTLR_EL1.UMA = 0 is trapped to EL1 as
 * EC 0x18 with ISS = Op0:Op2:Op1:CRn:Rt:CRm:Direction (D17.2.37); true when it was trapped.
 */
function daifTrapAtEl0(cpu: A64Cpu, key: number, rt: number, read: boolean, pcLo: number, pcHi: number): boolean {
  if ((cpu.sctlr[1] & SCTLR_UMA) !== 0) return false;
  const op0 = (key >>> 14) & 3;
  const op1 = (key >>> 11) & 7;
  const crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15;
  const op2 = key & 7;
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((rt > 31 ? 31 : rt) << 5) | (crm << 1) | (read ? 1 : 0);
  cpu.raiseSync((EC_SYSREG << 26) | ESR_IL | iss, pcLo, pcHi, 0, 0, false);
  return true;
}

/** Minimum EL that may access a system register, from op1 (C5.3, "op1" encodes the EL). */
function minEl(key: number): number {
  const op1 = (key >>> 11) & 7;
  if (op1 === 3) return 0;
  if (op1 === 4) return 2;
  if (op1 === 6) return 3;
  return 1;
}

/** MRS into X[rt] (also the debugger's system-register reads, debug.ts, with rt the sink 33). */
export function mrs(cpu: A64Cpu, rt: number, key: number, pcLo: number, pcHi: number): void {
  let lo = 0;
  let hi = 0;
  const el = cpu.el;
  if (el < minEl(key)) {
    cpu.undefined(pcLo, pcHi);
    return;
  }
  switch (key) {
    case SYSREG_NZCV:
      lo = cpu.nzcv;
      break;
    case SYSREG_DAIF:
      if (el === 0 && daifTrapAtEl0(cpu, key, rt, true, pcLo, pcHi)) return;
      lo = cpu.daif;
      break;
    case SYSREG_SPSEL:
      lo = cpu.spSel;
      break;
    case SYSREG_CURRENTEL:
      lo = el << 2;
      break;
    case SYSREG_TPIDR_EL0:
      lo = cpu.tpidr[0];
      hi = cpu.tpidr[1];
      break;
    case SYSREG_TPIDRRO_EL0:
      lo = cpu.tpidr[2];
      hi = cpu.tpidr[3];
      break;
    case SYSREG_TPIDR_EL1:
      lo = cpu.tpidr[4];
      hi = cpu.tpidr[5];
      break;
    case SYSREG_MIDR_EL1:
      lo = MIDR_CORTEX_A53;
      break;
    case SYSREG_MPIDR_EL1:
      // U = 0 (multiprocessor), MT = 0, Aff0 = core number; bit 31 is RES1
      lo = 0x80000000 | cpu.id;
      break;
    default: {
      if (fpSysreg(cpu, key, rt, false, pcLo, pcHi) > 0) return;
      const timer = readTimerRegister(cpu, key, rt, pcLo, pcHi);
      if (timer === 1) return;
      if (timer === 2) return cpu.undefined(pcLo, pcHi);
      if (timer < 0 && readIdRegister(cpu, key, rt)) return;
      // The exception-level registers (SPSR, ELR, ESR, FAR, VBAR, SCTLR, SCR, HCR, SP_ELx...).
      if (timer < 0 && !readElRegister(cpu, key) && !readMmuRegister(cpu, key, rt, pcLo, pcHi)) {
        cpu.undefined(pcLo, pcHi);
        return;
      }
      // A trapped read (CTR_EL0 at EL0) leaves Rt alone.
      if (cpu.exc) return;
      lo = EL_VALUE[0];
      hi = EL_VALUE[1];
    }
  }
  cpu.xl[rt] = lo;
  cpu.xh[rt] = hi;
}

/** MSR from X[rt] (also the debugger's writes, debug.ts). */
export function msr(cpu: A64Cpu, rt: number, key: number, pcLo: number, pcHi: number): void {
  const lo = cpu.xl[rt];
  const hi = cpu.xh[rt];
  const el = cpu.el;
  if (el < minEl(key)) {
    cpu.undefined(pcLo, pcHi);
    return;
  }
  switch (key) {
    case SYSREG_NZCV:
      cpu.nzcv = lo & 0xf0000000;
      return;
    case SYSREG_DAIF:
      if (el === 0 && daifTrapAtEl0(cpu, key, rt, false, pcLo, pcHi)) return;
      cpu.daif = lo & 0x3c0;
      cpu.attention = true;
      return;
    case SYSREG_SPSEL:
      cpu.setSpSel(lo & 1);
      cpu.attention = true;
      return;
    case SYSREG_TPIDR_EL0:
      cpu.tpidr[0] = lo;
      cpu.tpidr[1] = hi;
      return;
    case SYSREG_TPIDRRO_EL0:
      // read-only at EL0 (C5.2.20): writable from EL1 up
      if (el === 0) return cpu.undefined(pcLo, pcHi);
      cpu.tpidr[2] = lo;
      cpu.tpidr[3] = hi;
      return;
    case SYSREG_TPIDR_EL1:
      cpu.tpidr[4] = lo;
      cpu.tpidr[5] = hi;
      return;
    default: {
      if (fpSysreg(cpu, key, rt, true, pcLo, pcHi) > 0) return;
      const timer = writeTimerRegister(cpu, key, rt, lo, hi, pcLo, pcHi);
      if (timer === 1) return;
      if (timer === 2) return cpu.undefined(pcLo, pcHi);
      // CurrentEL, MIDR_EL1, MPIDR_EL1 are read-only: MSR to them is UNDEFINED, as to unknown registers
      // (and the MMU's registers, and SYS: TLBI, AT, DC, IC, whose keys have op0 = 1)
      if (timer < 0 && !writeElRegister(cpu, key, lo, hi) && !writeMmuRegister(cpu, key, rt, lo, hi, pcLo, pcHi) && !writeIdRegister(cpu, key, lo)) cpu.undefined(pcLo, pcHi);
    }
  }
}

/**
 * SVC (ll 1), HVC (2), SMC (3), BRK (0) with their syndromes (ISS = imm16; D17.2.37): SVC to
 * EL1 (or the current EL), HVC to EL2 (or EL3), SMC to EL3. HVC and SMC are UNDEFINED at EL0; HVC
 * also when SCR_EL3.HCE = 0 or from Secure EL1 (no Secure EL2 in Armv8.0), SMC when
 * SCR_EL3.SMD = 1 (C6.2.98, C6.2.283; HCR_EL2.TSC is not honoured). The preferred return address
 * is the next instruction for SVC/HVC/SMC and the BRK itself (D1.10.2).
 */
function exceptionGenerating(cpu: A64Cpu, ll: number, imm16: number, pcLo: number, pcHi: number): void {
  const el = cpu.el;
  const nextLo = (pcLo + 4) | 0;
  const nextHi = nextLo === 0 ? (pcHi + 1) | 0 : pcHi;
  if (ll === 0) {
    cpu.raiseSync((EC_BRK64 << 26) | ESR_IL | imm16, pcLo, pcHi, 0, 0, false);
  } else if (ll === 1) {
    cpu.raiseSync((EC_SVC64 << 26) | ESR_IL | imm16, nextLo, nextHi, 0, 0, false);
  } else if (el === 0) {
    cpu.undefined(pcLo, pcHi);
  } else if (ll === 2) {
    if ((cpu.scr & SCR_HCE) === 0 || (el === 1 && (cpu.scr & SCR_NS) === 0)) return cpu.undefined(pcLo, pcHi);
    cpu.raiseSync((EC_HVC64 << 26) | ESR_IL | imm16, nextLo, nextHi, 0, 0, false, Math.max(2, el));
  } else {
    if ((cpu.scr & SCR_SMD) !== 0) return cpu.undefined(pcLo, pcHi);
    cpu.raiseSync((EC_SMC64 << 26) | ESR_IL | imm16, nextLo, nextHi, 0, 0, false, 3);
  }
}

export { EC_UNKNOWN };
