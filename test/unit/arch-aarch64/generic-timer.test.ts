import { describe, expect, it } from 'vitest';
import type { IrqLine } from '../../../src/core/api.js';
import * as A from '../../helpers/a64asm.js';
import { makeMachine, type A64Machine } from './machine.js';

const S = A.sysreg;
const CNTPCT = S(3, 3, 14, 0, 1);
const CNTVCT = S(3, 3, 14, 0, 2);
const CNTKCTL = S(3, 0, 14, 1, 0);
const CNTVOFF = S(3, 4, 14, 0, 3);
const CNTHCTL = S(3, 4, 14, 1, 0);
const CNTP_TVAL = S(3, 3, 14, 2, 0);
const CNTP_CTL = S(3, 3, 14, 2, 1);
const CNTP_CVAL = S(3, 3, 14, 2, 2);
const CNTV_CTL = S(3, 3, 14, 3, 1);
const CNTV_CVAL = S(3, 3, 14, 3, 2);
const CNTHP_CTL = S(3, 4, 14, 2, 1);
const CNTPS_CTL = S(3, 7, 14, 2, 1);
const UNDEF = 0x02000000;
const SYSREG_TRAP = (0x18 << 26) | (1 << 25);

/** A recording line per output name. */
function recordingOutput(): { output: (name: string) => IrqLine; log: string[]; lines: Map<string, IrqLine> } {
  const log: string[] = [];
  const lines = new Map<string, IrqLine>();
  const output = (name: string): IrqLine => {
    const line = {
      name,
      level: false,
      raised: 0,
      set(level: boolean) {
        if (level && !line.level) line.raised++;
        line.level = level;
        log.push(`${name}=${level ? 1 : 0}`);
      },
    };
    lines.set(name, line);
    return line;
  };
  return { output, log, lines };
}

/** Runs one MRS into x0 and returns it. */
function read(m: A64Machine, key: number): bigint {
  m.load([A.mrs(0, key)]);
  m.run(1);
  return m.x(0);
}

function write(m: A64Machine, key: number, v: bigint | number): void {
  m.set(1, v);
  m.load([A.msr(key, 1)]);
  m.run(1);
}

describe('AArch64 generic timer', () => {
  it('counts at 62.5 MHz of virtual time (16 ns a tick); CNTVCT = CNTPCT - CNTVOFF', () => {
    const m = makeMachine();
    expect(read(m, CNTPCT)).toBe(0n);
    m.clock.advanceTo(1_000_000_015);
    expect(read(m, CNTPCT)).toBe(62_500_000n);
    m.clock.advanceTo(1_000_000_016);
    expect(read(m, CNTPCT)).toBe(62_500_001n);
    write(m, CNTVOFF, 1);
    expect(read(m, CNTVOFF)).toBe(1n);
    expect(read(m, CNTVCT)).toBe(62_500_000n);
    write(m, CNTVOFF, 62_500_002n);
    expect(read(m, CNTVCT)).toBe(0xffffffffffffffffn);
    // the counters are read-only
    m.load([A.msr(CNTPCT, 1)]);
    m.run(1);
    expect(m.cpu.esr[3]).toBe(UNDEF);
  });

  it('TVAL is CVAL - counter (signed 32-bit); TVAL writes set CVAL = counter + TVAL', () => {
    const m = makeMachine();
    m.clock.advanceTo(1600); // count 100
    write(m, CNTP_CVAL, 150);
    expect(read(m, CNTP_TVAL)).toBe(50n);
    write(m, CNTP_CVAL, 40);
    expect(read(m, CNTP_TVAL)).toBe(0xffffffc4n); // -60, RES0 above bit 31
    write(m, CNTP_TVAL, -10);
    expect(read(m, CNTP_CVAL)).toBe(90n);
    write(m, CNTP_TVAL, 0x7fffffff);
    expect(read(m, CNTP_CVAL)).toBe(100n + 0x7fffffffn);
  });

  it('ISTATUS shows the condition; the line is ENABLE && ISTATUS && !IMASK, raised at the exact deadline', () => {
    const rec = recordingOutput();
    const m = makeMachine({}, undefined, rec.output);
    expect([...rec.lines.keys()].sort()).toEqual(['cnthp', 'cntpns', 'cntps', 'cntv']);
    write(m, CNTP_CVAL, 1000); // deadline 16000 ns
    expect(read(m, CNTP_CTL)).toBe(0n);
    write(m, CNTP_CTL, 1);
    expect(read(m, CNTP_CTL)).toBe(1n);
    m.clock.advanceTo(15_999);
    expect(rec.lines.get('cntpns')!.level).toBe(false);
    expect(m.clock.nextDeadline).toBe(16_000);
    m.clock.advanceTo(16_000);
    expect(rec.lines.get('cntpns')!.level).toBe(true);
    expect(read(m, CNTP_CTL)).toBe(5n);
    write(m, CNTP_CTL, 3); // IMASK
    expect(rec.lines.get('cntpns')!.level).toBe(false);
    expect(read(m, CNTP_CTL)).toBe(7n);
    write(m, CNTP_CTL, 1);
    expect(rec.lines.get('cntpns')!.level).toBe(true);
    write(m, CNTP_TVAL, 100); // condition no longer met
    expect(rec.lines.get('cntpns')!.level).toBe(false);
    expect(m.clock.nextDeadline).toBe(16_000 + 1600);
    write(m, CNTP_CTL, 0);
    expect(m.clock.nextDeadline).toBe(Infinity);
    expect(rec.log).toEqual(['cntpns=1', 'cntpns=0', 'cntpns=1', 'cntpns=0']);
  });

  it('the virtual timer compares against CNTPCT - CNTVOFF; CNTVOFF writes re-arm it', () => {
    const rec = recordingOutput();
    const m = makeMachine({}, undefined, rec.output);
    // at count 0 the virtual count 0 - 10 wraps to 2^64 - 10, which meets any CVAL: start at count 40
    m.clock.advanceTo(40 * 16);
    write(m, CNTVOFF, 10);
    write(m, CNTV_CVAL, 90);
    write(m, CNTV_CTL, 1);
    expect(m.clock.nextDeadline).toBe(100 * 16);
    write(m, CNTVOFF, 20);
    expect(m.clock.nextDeadline).toBe(110 * 16);
    m.clock.advanceTo(110 * 16 - 1);
    expect(rec.lines.get('cntv')!.level).toBe(false);
    m.clock.advanceTo(110 * 16);
    expect(rec.lines.get('cntv')!.level).toBe(true);
    expect(rec.lines.get('cntpns')!.level).toBe(false);
    write(m, CNTVOFF, 30); // virtual count 80 < 90 again
    expect(rec.lines.get('cntv')!.level).toBe(false);
  });

  it('without ctx.output the lines stay internal', () => {
    const m = makeMachine();
    write(m, CNTHP_CTL, 1); // CVAL 0: met at once
    expect(m.cpu.gtimer.lines[2].level).toBe(true);
    expect(read(m, CNTHP_CTL)).toBe(5n);
  });

  it('access rules: CNTKCTL_EL1 at EL0, CNTHCTL_EL2 at EL1, CNTPS_* below EL3', () => {
    // EL0 with CNTKCTL_EL1 = 0: counter reads trap to EL1 (EC 0x18, ISS names the MRS)
    const m = makeMachine();
    m.cpu.setEl(0);
    read(m, CNTVCT);
    expect(m.cpu.el).toBe(1);
    expect(m.cpu.esr[1] >>> 0).toBe((SYSREG_TRAP | (3 << 20) | (2 << 17) | (3 << 14) | (14 << 10) | (0 << 1) | 1) >>> 0);
    const mf = makeMachine();
    mf.cpu.setEl(0);
    read(mf, S(3, 3, 14, 0, 0)); // CNTFRQ_EL0
    expect(mf.cpu.el).toBe(1);
    const m0 = makeMachine();
    m0.cpu.gtimer.cntkctl = 3;
    m0.cpu.setEl(0);
    expect(read(m0, S(3, 3, 14, 0, 0))).toBe(62_500_000n);
    m0.cpu.setEl(0);
    m0.clock.advanceTo(160);
    expect(read(m0, CNTVCT)).toBe(10n);
    expect(m0.cpu.el).toBe(0);
    // Non-secure EL1 with CNTHCTL_EL2.EL1PCEN = 0: the physical timer traps to EL2, the virtual one does not
    const m1 = makeMachine();
    write(m1, CNTHCTL, 1);
    expect(read(m1, CNTHCTL)).toBe(1n);
    m1.cpu.setEl(1);
    expect(read(m1, CNTPCT)).toBe(0n);
    read(m1, CNTV_CTL);
    expect(m1.cpu.el).toBe(1);
    read(m1, CNTP_CTL);
    expect(m1.cpu.el).toBe(2);
    expect((m1.cpu.esr[2] >>> 26) & 0x3f).toBe(0x18);
    // CNTVOFF_EL2/CNTHCTL_EL2 are UNDEFINED at EL1, CNTPS_* at Non-secure EL1; CNTKCTL_EL1 is stored
    const m2 = makeMachine();
    m2.cpu.setEl(1);
    write(m2, CNTKCTL, 0x303);
    expect(read(m2, CNTKCTL)).toBe(0x303n);
    read(m2, CNTVOFF);
    expect(m2.cpu.esr[1]).toBe(UNDEF);
    m2.cpu.esr[1] = 0;
    m2.cpu.switchEl(1, 1);
    read(m2, CNTPS_CTL);
    expect(m2.cpu.esr[1]).toBe(UNDEF);
    // at EL3 CNTPS_* work
    const m3 = makeMachine();
    write(m3, CNTPS_CTL, 1);
    expect(read(m3, CNTPS_CTL)).toBe(5n);
  });
});

describe('AArch64 generic timer interrupt', () => {
  it('wired to the core IRQ input, is taken before the first instruction at or after the deadline', () => {
    const NOP = 0xd503201f;
    let m: A64Machine | undefined;
    // cntpns drives this core's own irq input (the BCM2836 local controller's job on a real board)
    const m0 = makeMachine({}, undefined, (name) => {
      const line = { name, level: false, raised: 0, set: (level: boolean) => ((line.level = level), m?.cpu.irqInput('irq')!.set(level)) };
      return line;
    });
    m = m0;
    m0.cpu.setEl(1);
    m0.cpu.daif = 0;
    m0.set(1, 5);
    m0.set(2, 1);
    m0.load([A.msr(CNTP_TVAL, 1), A.msr(CNTP_CTL, 2), NOP, NOP, NOP, NOP, NOP, NOP, NOP, NOP]);
    // one instruction every 16 ns (one counter tick), as the machine loop would advance time
    for (let i = 0; i < 7; i++) {
      m0.run(1);
      m0.clock.advanceTo(m0.clock.now() + 16);
    }
    // CVAL = 5 (deadline 80 ns, after the 5th instruction): the 6th is interrupted (IRQ, current EL, SPx)
    expect(m0.cpu.el).toBe(1);
    expect(m0.cpu.elr[2] >>> 0).toBe(0x80000 + 5 * 4);
    expect(m0.cpu.pcLo >>> 0).toBeGreaterThanOrEqual(0x40280);
    expect(m0.cpu.pcLo >>> 0).toBeLessThan(0x40300);
  });
});
