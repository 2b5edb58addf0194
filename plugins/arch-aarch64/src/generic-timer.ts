/**
 * The Arm generic timer of one core (Arm ARM D11, "The Generic Timer in AArch64 state"), as
 * QEMU's cortex-a53: a 62.5 MHz system counter derived from virtual time (one tick per 16 ns,
 * GTIMER_SCALE), CNTVOFF_EL2, CNTHCTL_EL2, CNTKCTL_EL1 and four timers: EL1 physical (CNTP),
 * virtual (CNTV), EL2 physical (CNTHP) and secure physical (CNTPS). Each timer has one clock
 * timer armed at the exact virtual time its condition becomes true, so the interrupt line rises
 * at a deterministic instruction. 64-bit values are int32 pairs (no BigInt in the CPU).
 */
import type { Clock, IrqLine, Timer } from '../../../src/core/api.js';
import type { A64Cpu } from './cpu.js';
import { EC_SYSREG, ESR_IL } from './exceptions.js';
import { EL_VALUE } from './el-registers.js';
import { SCR_NS, SYSREG_CNTFRQ_EL0, sysreg } from './sysregs.js';

/** Nanoseconds per counter tick at 62.5 MHz (QEMU's GTIMER_SCALE). */
export const TICK_NS = 16;
const TWO32 = 4294967296;

/** Timer indices, also the order of `TIMER_OUTPUTS`. */
export const GT_PHYS = 0;
export const GT_VIRT = 1;
export const GT_HYP = 2;
export const GT_SEC = 3;
/** Output names, as the BCM2836 local controller's inputs cntpnsirqN, cntvirqN, cnthpirqN, cntpsirqN. */
export const TIMER_OUTPUTS = ['cntpns', 'cntv', 'cnthp', 'cntps'] as const;

/** CNTx_CTL bits (D13.8): ENABLE, IMASK, ISTATUS (read-only). */
export const CTL_ENABLE = 1;
export const CTL_IMASK = 2;
export const CTL_ISTATUS = 4;
/** CNTHCTL_EL2 (Armv8.0, E2H = 0): EL1PCTEN, EL1PCEN. CNTKCTL_EL1: EL0PCTEN, EL0VCTEN, EL0VTEN, EL0PTEN. */
export const CNTHCTL_EL1PCTEN = 1;
export const CNTHCTL_EL1PCEN = 2;
export const CNTKCTL_EL0PCTEN = 1;
export const CNTKCTL_EL0VCTEN = 2;
export const CNTKCTL_EL0VTEN = 1 << 8;
export const CNTKCTL_EL0PTEN = 1 << 9;

export const SYSREG_CNTPCT_EL0 = sysreg(3, 3, 14, 0, 1);
export const SYSREG_CNTVCT_EL0 = sysreg(3, 3, 14, 0, 2);
export const SYSREG_CNTKCTL_EL1 = sysreg(3, 0, 14, 1, 0);
export const SYSREG_CNTVOFF_EL2 = sysreg(3, 4, 14, 0, 3);
export const SYSREG_CNTHCTL_EL2 = sysreg(3, 4, 14, 1, 0);
/** TVAL, CTL, CVAL of a timer: op2 0, 1, 2 after these bases. */
export const SYSREG_CNTP_TVAL_EL0 = sysreg(3, 3, 14, 2, 0);
export const SYSREG_CNTV_TVAL_EL0 = sysreg(3, 3, 14, 3, 0);
export const SYSREG_CNTHP_TVAL_EL2 = sysreg(3, 4, 14, 2, 0);
export const SYSREG_CNTPS_TVAL_EL1 = sysreg(3, 7, 14, 2, 0);

/** A line that goes nowhere but keeps its level (unit tests building a bare CpuContext). */
class InternalLine implements IrqLine {
  level = false;
  raised = 0;
  constructor(readonly name: string) {}
  set(level: boolean): void {
    if (level && !this.level) this.raised++;
    this.level = level;
  }
}

export class GenericTimer {
  /** CTL (ENABLE, IMASK) and CVAL (lo, hi) per timer. */
  readonly ctl = new Int32Array(4);
  readonly cval = new Int32Array(8);
  /** CNTVOFF_EL2 (lo, hi). */
  readonly voff = new Int32Array(2);
  cnthctl = 0;
  cntkctl = 0;
  readonly lines: IrqLine[];
  private readonly timers: Timer[];
  /** The counter just computed (lo, hi): module-free scratch so nothing is allocated. */
  private readonly count = new Int32Array(2);

  constructor(
    private readonly clock: Clock,
    output: ((name: string) => IrqLine) | undefined,
    cpuId: number,
  ) {
    this.lines = TIMER_OUTPUTS.map((n) => (output ? output(n) : new InternalLine(`cpu${cpuId} ${n}`)));
    this.timers = TIMER_OUTPUTS.map((n, i) => clock.createTimer(`cpu${cpuId} ${n}`, () => this.update(i)));
    this.reset();
  }

  reset(): void {
    this.ctl.fill(0);
    this.cval.fill(0);
    this.voff.fill(0);
    // UNKNOWN at reset (D13.9.x); both set so a kernel started at EL1 may use the physical timer.
    this.cnthctl = CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN;
    this.cntkctl = 0;
    for (let i = 0; i < 4; i++) {
      this.timers[i].cancel();
      if (this.lines[i].level) this.lines[i].set(false);
    }
  }

  /** The physical count in ticks (exact: below 2^53). */
  physicalTicks(): number {
    return Math.floor(this.clock.now() / TICK_NS);
  }

  /** The counter timer `t` compares against into `count`: physical, or physical - CNTVOFF. */
  private counterOf(t: number): void {
    const p = this.physicalTicks();
    const lo = (p % TWO32) | 0;
    const hi = Math.floor(p / TWO32) | 0;
    if (t !== GT_VIRT) {
      this.count[0] = lo;
      this.count[1] = hi;
      return;
    }
    const vlo = this.voff[0];
    const borrow = lo >>> 0 < vlo >>> 0 ? 1 : 0;
    this.count[0] = (lo - vlo) | 0;
    this.count[1] = (hi - this.voff[1] - borrow) | 0;
  }

  /** TimerConditionMet: counter - offset >= CVAL (unsigned 64-bit); leaves the counter in `count`. */
  private conditionMet(t: number): boolean {
    this.counterOf(t);
    const chi = this.count[1] >>> 0;
    const vhi = this.cval[2 * t + 1] >>> 0;
    return chi > vhi || (chi === vhi && this.count[0] >>> 0 >= this.cval[2 * t] >>> 0);
  }

  /** Drives timer t's line and re-arms its clock timer for the moment the condition becomes true. */
  update(t: number): void {
    const ctl = this.ctl[t];
    const met = this.conditionMet(t);
    const level = (ctl & CTL_ENABLE) !== 0 && (ctl & CTL_IMASK) === 0 && met;
    if (this.lines[t].level !== level) this.lines[t].set(level);
    const timer = this.timers[t];
    if ((ctl & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE || met) {
      if (timer.armed) timer.cancel();
      return;
    }
    // Physical count at which the condition holds: CVAL (+ CNTVOFF for the virtual timer).
    let lo = this.cval[2 * t] >>> 0;
    let hi = this.cval[2 * t + 1] >>> 0;
    if (t === GT_VIRT) {
      const sum = lo + (this.voff[0] >>> 0);
      lo = sum % TWO32;
      hi = (hi + (this.voff[1] >>> 0) + (sum >= TWO32 ? 1 : 0)) % TWO32;
    }
    const target = hi * TWO32 + lo;
    const atNs = target * TICK_NS;
    // Past targets only happen when the virtual count wrapped; beyond 2^53 ns is never reached.
    if (target <= this.physicalTicks() || atNs >= 2 ** 53) {
      if (timer.armed) timer.cancel();
      return;
    }
    // floor(atNs / 16) = target exactly at atNs: never early.
    timer.armAt(atNs);
  }

  readCtl(t: number): number {
    return this.ctl[t] | (this.conditionMet(t) ? CTL_ISTATUS : 0);
  }

  /** TVAL: the low 32 bits of CVAL - counter (RES0 above, as QEMU reads it). */
  readTval(t: number): number {
    this.counterOf(t);
    return (this.cval[2 * t] - this.count[0]) | 0;
  }

  writeCtl(t: number, v: number): void {
    this.ctl[t] = v & (CTL_ENABLE | CTL_IMASK);
    this.update(t);
  }

  writeCval(t: number, lo: number, hi: number): void {
    this.cval[2 * t] = lo;
    this.cval[2 * t + 1] = hi;
    this.update(t);
  }

  /** TVAL write: CVAL = counter + SignExtend(TVAL). */
  writeTval(t: number, v: number): void {
    this.counterOf(t);
    const sum = (this.count[0] >>> 0) + (v | 0);
    this.cval[2 * t] = sum | 0;
    this.cval[2 * t + 1] = (this.count[1] + Math.floor(sum / TWO32)) | 0;
    this.update(t);
  }

  writeVoff(lo: number, hi: number): void {
    this.voff[0] = lo;
    this.voff[1] = hi;
    this.update(GT_VIRT);
  }
}

/** Which timer a TVAL/CTL/CVAL key names (-1: none) and which of the three (op2 0-2). */
function timerOf(key: number): number {
  const base = key & ~7;
  if ((key & 7) > 2) return -1;
  if (base === SYSREG_CNTP_TVAL_EL0) return GT_PHYS;
  if (base === SYSREG_CNTV_TVAL_EL0) return GT_VIRT;
  if (base === SYSREG_CNTHP_TVAL_EL2) return GT_HYP;
  if (base === SYSREG_CNTPS_TVAL_EL1) return GT_SEC;
  return -1;
}

/** EC 0x18 trap with the ISS naming the access (D17.2.37). */
export function trap(cpu: A64Cpu, key: number, rt: number, read: boolean, pcLo: number, pcHi: number, targetEl: number): void {
  const op0 = (key >>> 14) & 3;
  const op1 = (key >>> 11) & 7;
  const crn = (key >>> 7) & 15;
  const crm = (key >>> 3) & 15;
  const op2 = key & 7;
  const iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((rt > 31 ? 31 : rt) << 5) | (crm << 1) | (read ? 1 : 0);
  if (targetEl < 0) cpu.raiseSync((EC_SYSREG << 26) | ESR_IL | iss, pcLo, pcHi, 0, 0, false);
  else cpu.raiseSync((EC_SYSREG << 26) | ESR_IL | iss, pcLo, pcHi, 0, 0, false, targetEl);
}

/**
 * Access rules (D11.2.3, D13.9): EL0 needs the CNTKCTL_EL1 enable bit (else trap to EL1, or EL2
 * with TGE through the usual routing); Non-secure EL0/EL1 need CNTHCTL_EL2.EL1PCTEN (physical
 * counter) / EL1PCEN (physical timer), else trap to EL2; CNTPS_* are UNDEFINED at EL2 and Non-secure
 * EL1 and trap to EL3 from Secure EL1 when SCR_EL3.ST = 0. Returns 0 (allowed), 1 (trapped),
 * 2 (UNDEFINED). The caller has checked the op1 minimum EL.
 */
function access(cpu: A64Cpu, key: number, rt: number, read: boolean, pcLo: number, pcHi: number, t: number, counter: boolean): number {
  const el = cpu.el;
  const nonSecure = (cpu.scr & SCR_NS) !== 0;
  if (t === GT_SEC) {
    if (el === 2) return 2;
    if (el === 1) {
      if (nonSecure) return 2;
      if ((cpu.scr & (1 << 11)) === 0) return trap(cpu, key, rt, read, pcLo, pcHi, 3), 1;
    }
    return 0;
  }
  if (t === GT_HYP) return 0;
  if (el === 0) {
    const bit = t === GT_VIRT ? (counter ? CNTKCTL_EL0VCTEN : CNTKCTL_EL0VTEN) : counter ? CNTKCTL_EL0PCTEN : CNTKCTL_EL0PTEN;
    if ((cpu.gtimer.cntkctl & bit) === 0) return trap(cpu, key, rt, read, pcLo, pcHi, -1), 1;
  }
  if (el < 2 && nonSecure && t === GT_PHYS) {
    const bit = counter ? CNTHCTL_EL1PCTEN : CNTHCTL_EL1PCEN;
    if ((cpu.gtimer.cnthctl & bit) === 0) return trap(cpu, key, rt, read, pcLo, pcHi, 2), 1;
  }
  return 0;
}

/**
 * MRS of a generic-timer register into EL_VALUE. Returns -1 when the key is not one, 0 when read,
 * 1 when the access was trapped, 2 when it is UNDEFINED.
 */
export function readTimerRegister(cpu: A64Cpu, key: number, rt: number, pcLo: number, pcHi: number): number {
  const gt = cpu.gtimer;
  let lo = 0;
  let hi = 0;
  switch (key) {
    case SYSREG_CNTFRQ_EL0:
      // EL0 reads need EL0PCTEN or EL0VCTEN (D13.8.9); the value itself is el-registers.ts's.
      if (cpu.el === 0 && (gt.cntkctl & (CNTKCTL_EL0PCTEN | CNTKCTL_EL0VCTEN)) === 0) return trap(cpu, key, rt, true, pcLo, pcHi, -1), 1;
      return -1;
    case SYSREG_CNTPCT_EL0:
    case SYSREG_CNTVCT_EL0: {
      const t = key === SYSREG_CNTPCT_EL0 ? GT_PHYS : GT_VIRT;
      const r = access(cpu, key, rt, true, pcLo, pcHi, t, true);
      if (r !== 0) return r;
      const p = gt.physicalTicks();
      lo = (p % TWO32) | 0;
      hi = Math.floor(p / TWO32) | 0;
      if (t === GT_VIRT) {
        const borrow = lo >>> 0 < gt.voff[0] >>> 0 ? 1 : 0;
        lo = (lo - gt.voff[0]) | 0;
        hi = (hi - gt.voff[1] - borrow) | 0;
      }
      break;
    }
    case SYSREG_CNTKCTL_EL1:
      lo = gt.cntkctl;
      break;
    case SYSREG_CNTHCTL_EL2:
      lo = gt.cnthctl;
      break;
    case SYSREG_CNTVOFF_EL2:
      lo = gt.voff[0];
      hi = gt.voff[1];
      break;
    default: {
      const t = timerOf(key);
      if (t < 0) return -1;
      const r = access(cpu, key, rt, true, pcLo, pcHi, t, false);
      if (r !== 0) return r;
      const op2 = key & 7;
      if (op2 === 0) lo = gt.readTval(t);
      else if (op2 === 1) lo = gt.readCtl(t);
      else {
        lo = gt.cval[2 * t];
        hi = gt.cval[2 * t + 1];
      }
    }
  }
  EL_VALUE[0] = lo;
  EL_VALUE[1] = hi;
  return 0;
}

/** MSR to a generic-timer register; results as `readTimerRegister` (the counters are read-only: 2). */
export function writeTimerRegister(cpu: A64Cpu, key: number, rt: number, lo: number, hi: number, pcLo: number, pcHi: number): number {
  const gt = cpu.gtimer;
  switch (key) {
    case SYSREG_CNTPCT_EL0:
    case SYSREG_CNTVCT_EL0:
      return 2;
    case SYSREG_CNTKCTL_EL1:
      // EL0PCTEN, EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN (bits 0-9)
      gt.cntkctl = lo & 0x3ff;
      return 0;
    case SYSREG_CNTHCTL_EL2:
      // EL1PCTEN, EL1PCEN, EVNTEN, EVNTDIR, EVNTI (bits 0-7)
      gt.cnthctl = lo & 0xff;
      return 0;
    case SYSREG_CNTVOFF_EL2:
      gt.writeVoff(lo, hi);
      return 0;
    default: {
      const t = timerOf(key);
      if (t < 0) return -1;
      const r = access(cpu, key, rt, false, pcLo, pcHi, t, false);
      if (r !== 0) return r;
      const op2 = key & 7;
      if (op2 === 0) gt.writeTval(t, lo);
      else if (op2 === 1) gt.writeCtl(t, lo);
      else gt.writeCval(t, lo, hi);
      return 0;
    }
  }
}
