/**
 * Exception entry (Arm ARM D1.10, AArch64.TakeException), exception return (D1.11, ERET) and
 * the routing and masking of the physical IRQ/FIQ inputs (D1.13.1, tables D1-14/D1-15 for EL3
 * and EL2 routing). Only AArch64 at every EL: a return to AArch32 is an illegal return.
 * All of this is the slow path, outside the interpreter loop.
 */
import type { A64Cpu } from './cpu.js';
import { VECTOR_CURRENT_SP0, VECTOR_CURRENT_SPX, VECTOR_LOWER_A64 } from './exceptions.js';
import { HCR_FMO, HCR_IMO, HCR_RW, HCR_TGE, SCR_FIQ, SCR_IRQ, SCR_NS, SCR_RW } from './sysregs.js';

/**
 * Takes an exception to `target` (>= 1, >= current EL): SPSR_ELx = PSTATE, ELR_ELx = the
 * preferred return address, ESR (and FAR when valid) for a synchronous exception, PSTATE.DAIF all set, IL = 0,
 * SP_ELx selected, pc = VBAR_ELx + vector offset + `kind` (VECTOR_SYNC, _IRQ, _FIQ).
 */
export function enterException(cpu: A64Cpu, target: number, kind: number, elrLo: number, elrHi: number, sync: boolean, esr: number, farLo: number, farHi: number, farValid: boolean): void {
  const from = cpu.el;
  const base = from === target ? (cpu.spSel ? VECTOR_CURRENT_SPX : VECTOR_CURRENT_SP0) : VECTOR_LOWER_A64;
  cpu.spsr[target] = cpu.nzcv | (cpu.il << 20) | cpu.daif | (from << 2) | cpu.spSel;
  cpu.elr[2 * target] = elrLo;
  cpu.elr[2 * target + 1] = elrHi;
  if (sync) {
    cpu.esr[target] = esr;
    if (farValid) {
      cpu.far[2 * target] = farLo;
      cpu.far[2 * target + 1] = farHi;
    }
  }
  cpu.daif = 0x3c0;
  cpu.il = 0;
  cpu.switchEl(target, 1);
  // VBAR_ELx bits [10:0] are RES0 (kept clear on write), so the offset never carries.
  cpu.pcLo = cpu.vbar[2 * target] | (base + kind);
  cpu.pcHi = cpu.vbar[2 * target + 1];
  cpu.attention = true;
}

/**
 * The EL a physical IRQ (`fiq` false) or FIQ would be taken to now, or -1 when it is not taken
 * (masked by PSTATE.I/F, or routed to an EL below the current one).
 */
export function interruptTarget(cpu: A64Cpu, fiq: boolean): number {
  const el = cpu.el;
  let target = 1;
  if ((cpu.scr & (fiq ? SCR_FIQ : SCR_IRQ)) !== 0) target = 3;
  // HCR_EL2.TGE = 1 makes IMO/FMO behave as 1 (D17.2.48).
  else if ((cpu.hcr[0] & (fiq ? HCR_FMO | HCR_TGE : HCR_IMO | HCR_TGE)) !== 0 && (cpu.scr & SCR_NS) !== 0 && el < 3) target = 2;
  if (target < el) return -1;
  // PSTATE.I/F mask an interrupt taken to the current EL, and to EL1 from EL0; one routed to a
  // higher EL (EL2 by HCR_EL2.IMO/FMO, EL3 by SCR_EL3.IRQ/FIQ) is not masked by them.
  const masked = (cpu.daif & (fiq ? 0x40 : 0x80)) !== 0;
  if (masked && (target === el || target === 1)) return -1;
  return target;
}

/** Whether an ERET to SPSR's mode would be an illegal return (D1.11.4). */
function illegalReturn(cpu: A64Cpu, spsr: number): boolean {
  const el = cpu.el;
  const target = (spsr >>> 2) & 3;
  // M[4] = 1 is AArch32: not implemented here, so every return to it is treated as illegal.
  if ((spsr & 0x10) !== 0) return true;
  // M[1] = 1 is reserved; EL0 has no SP_EL0/SP_ELx choice (M = 0b0001 is reserved).
  if ((spsr & 2) !== 0 || (target === 0 && (spsr & 1) !== 0)) return true;
  if (target > el) return true;
  const ns = (cpu.scr & SCR_NS) !== 0;
  // Armv8.0 has no Secure EL2.
  if (target === 2 && !ns) return true;
  // The register width of the target EL must be AArch64: SCR_EL3.RW for EL2 and below (when
  // returning from EL3), HCR_EL2.RW for Non-secure EL1 and EL0.
  if (target < 3 && el === 3 && (cpu.scr & SCR_RW) === 0) return true;
  if (target < 2 && ns && (cpu.hcr[0] & HCR_RW) === 0) return true;
  // With HCR_EL2.TGE = 1, Non-secure EL1 is not usable.
  if (target === 1 && ns && (cpu.hcr[0] & HCR_TGE) !== 0) return true;
  return false;
}

/**
 * ERET at EL1-EL3 (the caller checked EL0): PSTATE from SPSR_ELx, pc from ELR_ELx. An illegal
 * return keeps EL and SP, restores NZCV and DAIF, sets PSTATE.IL and still branches to ELR, so the
 * next instruction takes an Illegal Execution state exception (D1.11.4).
 */
export function exceptionReturn(cpu: A64Cpu): void {
  const el = cpu.el;
  const spsr = cpu.spsr[el];
  cpu.nzcv = spsr & 0xf0000000;
  cpu.daif = spsr & 0x3c0;
  if (illegalReturn(cpu, spsr)) cpu.il = 1;
  else {
    cpu.il = (spsr >>> 20) & 1;
    cpu.switchEl((spsr >>> 2) & 3, spsr & 1);
  }
  cpu.pcLo = cpu.elr[2 * el];
  cpu.pcHi = cpu.elr[2 * el + 1];
  // An exception return clears the local exclusive monitor (as QEMU 7.2's exception_return does).
  cpu.monitorValid = false;
  cpu.attention = true;
}
