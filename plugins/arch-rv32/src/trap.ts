/**
 * Trap entry and return (privileged spec 3.1.6.1, 3.1.7, 3.1.8, 3.3.2, 4.1.1).
 */
import type { Rv32Cpu } from './cpu.js';
import {
  EXCEPTION_NAMES,
  INTERRUPT_NAMES,
  MSTATUS_MIE,
  MSTATUS_MPIE,
  MSTATUS_MPP,
  MSTATUS_MPP_SHIFT,
  MSTATUS_MPRV,
  MSTATUS_SIE,
  MSTATUS_SPIE,
  MSTATUS_SPP,
  PRV_M,
  PRV_S,
  PRV_U,
} from './constants.js';

const PRIV_NAMES = ['U', 'S', '?', 'M'];

/** Human name of a cause, for traces and the TUI. */
export function causeName(interrupt: boolean, cause: number): string {
  return (interrupt ? INTERRUPT_NAMES[cause] : EXCEPTION_NAMES[cause]) ?? `${interrupt ? 'Interrupt' : 'Exception'} ${cause}`;
}

/**
 * Takes a trap: picks M or S by delegation (a trap never goes to a lower privilege, so traps
 * from M are never delegated), saves epc/cause/tval, stacks the interrupt enable and privilege,
 * and jumps to the vector (vectored mode: base + 4*cause for interrupts only).
 */
export function takeTrap(cpu: Rv32Cpu, cause: number, interrupt: boolean, tval: number, epc: number): void {
  const from = cpu.priv;
  const deleg = interrupt ? cpu.mideleg : cpu.medeleg;
  const causeReg = (interrupt ? 0x80000000 | cause : cause) >>> 0;
  let st = cpu.mstatus;
  let target: number;
  let tvec: number;
  if (from <= PRV_S && ((deleg >>> cause) & 1) !== 0) {
    target = PRV_S;
    cpu.scause = causeReg;
    cpu.sepc = (epc & ~1) >>> 0;
    cpu.stval = tval >>> 0;
    st &= ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
    if (cpu.mstatus & MSTATUS_SIE) st |= MSTATUS_SPIE;
    if (from === PRV_S) st |= MSTATUS_SPP;
    tvec = cpu.stvec;
  } else {
    target = PRV_M;
    cpu.mcause = causeReg;
    cpu.mepc = (epc & ~1) >>> 0;
    cpu.mtval = tval >>> 0;
    st &= ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
    if (cpu.mstatus & MSTATUS_MIE) st |= MSTATUS_MPIE;
    st |= from << MSTATUS_MPP_SHIFT;
    tvec = cpu.mtvec;
  }
  cpu.mstatus = st >>> 0;
  const base = tvec & ~3;
  cpu.pc = ((tvec & 3) === 1 && interrupt ? base + 4 * cause : base) >>> 0;
  cpu.reservation = -1;
  cpu.setPrivilege(target);
  if (cpu.events.wants('trap')) {
    cpu.events.emit('trap', {
      cpu: cpu.id,
      interrupt,
      cause,
      name: causeName(interrupt, cause),
      pc: epc >>> 0,
      tval: tval >>> 0,
      target: PRIV_NAMES[target],
    });
  }
}

/** MRET (privileged spec 3.3.2): the caller has checked that the hart is in M-mode. */
export function mret(cpu: Rv32Cpu): void {
  const st = cpu.mstatus;
  const mpp = (st & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
  let next = st & ~(MSTATUS_MIE | MSTATUS_MPP);
  if (st & MSTATUS_MPIE) next |= MSTATUS_MIE;
  next |= MSTATUS_MPIE; // MPP is set to U, the least-privileged supported mode
  if (mpp !== PRV_M) next &= ~MSTATUS_MPRV;
  cpu.mstatus = next >>> 0;
  cpu.pc = cpu.mepc;
  cpu.reservation = -1;
  cpu.setPrivilege(mpp);
}

/** SRET: the caller has checked privilege and mstatus.TSR. */
export function sret(cpu: Rv32Cpu): void {
  const st = cpu.mstatus;
  const spp = st & MSTATUS_SPP ? PRV_S : PRV_U;
  let next = st & ~(MSTATUS_SIE | MSTATUS_SPP);
  if (st & MSTATUS_SPIE) next |= MSTATUS_SIE;
  next |= MSTATUS_SPIE;
  next &= ~MSTATUS_MPRV; // the new privilege is below M (priv spec 1.12, 3.1.6.3)
  cpu.mstatus = next >>> 0;
  cpu.pc = cpu.sepc;
  cpu.reservation = -1;
  cpu.setPrivilege(spp);
}
