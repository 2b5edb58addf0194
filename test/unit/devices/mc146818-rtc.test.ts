import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-mc146818-rtc/src/index.js';
import { parseBase } from '../../../plugins/dev-mc146818-rtc/src/calendar.js';
import { pcCmosBytes } from '../../../plugins/dev-mc146818-rtc/src/pc-cmos.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const rtcType = loadDevicePlugin(register).get('mc146818-rtc')!;
const MS = 1_000_000;
const S = 1_000_000_000;

/** 2006-06-17 was a Saturday (weekday register 7). */
function rtc(base = '2006-06-17T16:01:21'): DeviceUnderTest {
  return instantiate(rtcType, { name: 'rtc', io: [[0x70, 2]], irqs: ['pic2:ir0'], props: { base } });
}
const get = (d: DeviceUnderTest, reg: number) => {
  d.write(0, reg, 1);
  return d.read(1, 1);
};
const set = (d: DeviceUnderTest, reg: number, v: number) => {
  d.write(0, reg, 1);
  d.write(1, v, 1);
};
/** Moves virtual time to `ns` in 100 µs steps, firing timers on the way. */
function runTo(d: DeviceUnderTest, ns: number): void {
  for (let t = d.h.clock.now(); t < ns; ) d.h.clock.advanceTo((t = Math.min(ns, t + 100_000)));
}
const irq = (d: DeviceUnderTest) => d.h.irqs[0];
const time = (d: DeviceUnderTest) => [4, 2, 0].map((r) => get(d, r));
const date = (d: DeviceUnderTest) => [0x32, 9, 8, 7, 6].map((r) => get(d, r));

describe('mc146818-rtc plugin', () => {
  it('starts at the base date in BCD, 24-hour mode, with QEMU\'s register A-D values', () => {
    const d = rtc();
    expect(time(d)).toEqual([0x16, 0x01, 0x21]);
    expect(date(d)).toEqual([0x20, 0x06, 0x06, 0x17, 7]);
    expect(get(d, 0x37)).toBe(0x20); // the IBM PS/2 century alias
    expect([0x0a, 0x0b, 0x0c, 0x0d].map((r) => get(d, r))).toEqual([0x26, 0x02, 0x00, 0x80]);
    expect(d.read(0, 1)).toBe(0xff); // the index port reads all ones, as QEMU's
    d.write(0, 0x80 | 0x04, 1); // NMI mask bit: not part of the index
    expect(d.read(1, 1)).toBe(0x16);
    expect(d.device.inspect!().nmi).toBe('masked');
    expect(d.faults(0, 2)).toBe(true);
  });

  it('shows binary and 12-hour formats, as register B selects them', () => {
    const d = rtc();
    set(d, 0x0b, 0x04); // binary, 12-hour
    expect(time(d)).toEqual([0x80 | 4, 1, 21]);
    expect(date(d)).toEqual([20, 6, 6, 17, 7]);
    set(d, 0x0b, 0x00); // BCD, 12-hour
    expect(get(d, 4)).toBe(0x84);
  });

  it('advances with virtual time, across midnight, month, year and century', () => {
    const d = rtc('1999-12-31T23:59:58');
    expect(time(d)).toEqual([0x23, 0x59, 0x58]);
    runTo(d, 1.5 * S);
    expect(time(d)).toEqual([0x23, 0x59, 0x59]);
    runTo(d, 2 * S);
    expect(time(d)).toEqual([0x00, 0x00, 0x00]);
    expect(date(d)).toEqual([0x20, 0x00, 0x01, 0x01, 7]); // 2000-01-01, a Saturday
    expect(() => rtc('2006-13-01')).toThrow(/^device rtc: base: expected utc, localtime or a date like/); // the prop's check
    expect(() => parseBase('2006-13-01')).toThrow(/^base: expected utc, localtime or a date like/);
    expect(parseBase('utc', Date.UTC(2026, 11, 3, 13, 0, 0))).toBe(Date.UTC(2026, 11, 3, 13, 0, 0) / 1000);
  });

  it('is the board\'s RTC for --rtc base=, and checks a base before the machine is built', () => {
    expect(rtcType.rtcBaseProp).toBe('base');
    const check = rtcType.props!.base.check!;
    for (const ok of ['utc', 'localtime', '2006-06-17', '2006-6-7T1:02:03']) expect(check(ok)).toBeUndefined();
    for (const bad of ['UTC', '2006-13-01', '2006-06-17 16:01:21', '2006-06-17T24:00:00', '']) {
      expect(check(bad)).toBe(`expected utc, localtime or a date like 2006-06-17T16:01:21, got "${bad}"`);
    }
  });

  it('sets UIP for the last 244 µs of each second', () => {
    const d = rtc();
    runTo(d, 0.5 * S);
    expect(get(d, 0x0a)).toBe(0x26);
    runTo(d, S - 200_000);
    expect(get(d, 0x0a)).toBe(0xa6);
    expect(get(d, 0)).toBe(0x21); // the update has not happened yet
    runTo(d, S + 1);
    expect(get(d, 0x0a)).toBe(0x26);
    expect(get(d, 0)).toBe(0x22);
  });

  it('holds the time while SET, takes the written time when SET clears; a running write keeps the phase', () => {
    const d = rtc();
    set(d, 0x0b, 0x82);
    set(d, 4, 0x09);
    set(d, 2, 0x30);
    set(d, 0, 0x45);
    runTo(d, 5 * S);
    expect(time(d)).toEqual([0x09, 0x30, 0x45]);
    expect(get(d, 0x0a)).toBe(0x26); // no UIP while stopped
    set(d, 0x0b, 0x02);
    get(d, 0x0c);
    runTo(d, 6 * S + MS);
    expect(time(d)).toEqual([0x09, 0x30, 0x46]);
    runTo(d, 6.5 * S);
    set(d, 0, 0x00); // seconds written while running
    expect(time(d)).toEqual([0x09, 0x30, 0x00]);
    expect(get(d, 0x0c)).toBe(0x10); // the update at 6 s still counts
    runTo(d, 7 * S + MS);
    expect(get(d, 0)).toBe(0x01);
  });

  it('matches qemu-system-i386 on a boot sector\'s probes: SET clears UIE, AF without AIE, no PF without PIE', () => {
    const d = rtc();
    get(d, 0x0c);
    set(d, 0x0a, 0x2f);
    runTo(d, 2 * S + MS);
    expect(get(d, 0x0c)).toBe(0x10);
    set(d, 0x0b, 0x92);
    expect(get(d, 0x0b)).toBe(0x82);
    set(d, 0x0b, 0x02);
    set(d, 1, 0xff);
    set(d, 3, 0xff);
    set(d, 5, 0xff);
    runTo(d, 3 * S + MS);
    expect(get(d, 0x0c)).toBe(0x30);
  });

  it('stops in divider reset and starts the first update half a second after leaving it', () => {
    const d = rtc();
    set(d, 0x0a, 0x66);
    runTo(d, 3 * S);
    expect(get(d, 0)).toBe(0x21);
    set(d, 0x0a, 0x26);
    runTo(d, 3.5 * S - MS);
    expect(get(d, 0)).toBe(0x21);
    runTo(d, 3.5 * S + MS);
    expect(get(d, 0)).toBe(0x22);
  });

  it('raises the update-ended interrupt every second while UIE is set; reading C clears it', () => {
    const d = rtc();
    set(d, 0x0b, 0x12);
    expect(irq(d).level).toBe(false);
    runTo(d, S - MS);
    expect(irq(d).level).toBe(false);
    runTo(d, S);
    expect(irq(d).level).toBe(true);
    expect(irq(d).history[0].at).toBe(S);
    expect(get(d, 0x0c)).toBe(0x90);
    expect(irq(d).level).toBe(false);
    expect(get(d, 0x0c)).toBe(0x00);
    runTo(d, 2 * S);
    expect(irq(d).level).toBe(true);
  });

  it('sets UF without an interrupt when UIE is clear, and raises at once when UIE is then enabled', () => {
    const d = rtc();
    runTo(d, 3 * S);
    expect(irq(d).level).toBe(false);
    expect(get(d, 0x0c)).toBe(0x10);
    runTo(d, 4 * S);
    set(d, 0x0b, 0x12); // UF already pending
    expect(irq(d).level).toBe(true);
  });

  it('raises the alarm interrupt at the alarm time, with 0xC0-0xFF as "any"', () => {
    const d = rtc();
    set(d, 1, 0x25);
    set(d, 3, 0x01);
    set(d, 5, 0x16);
    set(d, 0x0b, 0x22); // AIE
    runTo(d, 3.5 * S);
    expect(irq(d).level).toBe(false);
    runTo(d, 4 * S + MS);
    expect(irq(d).level).toBe(true);
    expect(get(d, 0x0c)).toBe(0xb0); // IRQF, AF, and UF (set but not enabled)
    runTo(d, 10 * S);
    expect(irq(d).level).toBe(false); // the next match is a day later
    set(d, 1, 0xff);
    set(d, 3, 0xc0);
    set(d, 5, 0xc0);
    expect(get(d, 0x0c) & 0x20).toBe(0); // no alarm for seconds that went by before the change
    runTo(d, 11 * S + MS);
    expect(irq(d).level).toBe(true);
  });

  it('raises the periodic interrupt at the register A rate while PIE is set, on the 32.768 kHz grid', () => {
    const d = rtc();
    set(d, 0x0a, 0x2f); // rate 15: 2 Hz
    runTo(d, 2 * S);
    expect(get(d, 0x0c) & 0x40).toBe(0); // no PF without PIE (QEMU's behaviour)
    set(d, 0x0b, 0x42);
    runTo(d, 2.5 * S - MS);
    expect(irq(d).level).toBe(false);
    runTo(d, 2.5 * S);
    expect(irq(d).level).toBe(true);
    expect(get(d, 0x0c)).toBe(0xc0); // IRQF, PF (no second went by since C was read)
    set(d, 0x0a, 0x26); // 1024 Hz
    runTo(d, 3 * S);
    get(d, 0x0c);
    let edges = 0;
    for (let t = 3 * S; t < 3 * S + 100 * MS; t += 100_000) {
      runTo(d, t);
      if (irq(d).level) {
        edges++;
        get(d, 0x0c);
      }
    }
    expect(edges).toBe(102); // 1024 Hz ticks k/1024 s in (3.0 s, 3.1 s)
    set(d, 0x0b, 0x02);
    expect(irq(d).level).toBe(false);
  });

  it('keeps CMOS RAM bytes 0x0e-0x7f; C and D are read only; holds the memory size bytes', () => {
    const d = rtc();
    set(d, 0x40, 0x5a);
    set(d, 0x7f, 0xa5);
    set(d, 0x0d, 0x00);
    set(d, 0x0c, 0xff);
    expect([get(d, 0x40), get(d, 0x7f), get(d, 0x0d), get(d, 0x0c)]).toEqual([0x5a, 0xa5, 0x80, 0x00]);
    // The harness RAM is 64 KiB: all of it below 640 KiB.
    expect([get(d, 0x15), get(d, 0x16), get(d, 0x17), get(d, 0x30), get(d, 0x34)]).toEqual([64, 0, 0, 0, 0]);
    expect([get(d, 0x14), get(d, 0x10), get(d, 0x5f), get(d, 0x3d), get(d, 0x38)]).toEqual([0x07, 0x50, 0, 0x12, 0x30]);
  });

  it('fills the memory bytes as QEMU\'s pc_cmos_init for 128 MiB and 4 GiB', () => {
    const bytes = (ram: number) => Object.fromEntries(pcCmosBytes(ram, 2));
    const mb128 = bytes(128 * 1024 * 1024);
    expect([mb128[0x15], mb128[0x16], mb128[0x17], mb128[0x18], mb128[0x30], mb128[0x31]]).toEqual([0x80, 0x02, 0xff, 0xff, 0xff, 0xff]);
    expect([mb128[0x34], mb128[0x35], mb128[0x5b], mb128[0x5f]]).toEqual([0x00, 0x07, 0, 1]); // 112 MiB / 64 KiB = 0x700
    const mb15 = bytes(15 * 1024 * 1024);
    expect([mb15[0x17], mb15[0x18], mb15[0x34]]).toEqual([0x00, 0x38, 0]); // 14 MiB = 0x3800 KiB
    const gb4 = bytes(4 * 1024 * 1024 * 1024);
    // As qemu-system-i386 -m 4G: 3 GiB low, 1 GiB high.
    expect([gb4[0x34], gb4[0x35], gb4[0x5b], gb4[0x5c], gb4[0x5d]]).toEqual([0x00, 0xbf, 0x00, 0x40, 0x00]);
    const gb3 = bytes(0xd0000000);
    expect([gb3[0x34], gb3[0x35], gb3[0x5c]]).toEqual([0x00, 0xcf, 0x00]);
  });

  it('on reset clears PIE/AIE and the flags, restarts from base, keeps the RAM', () => {
    const d = rtc();
    set(d, 0x40, 0x11);
    set(d, 0x0b, 0x72);
    runTo(d, 2 * S);
    expect(irq(d).level).toBe(true);
    d.h.clock.reset();
    d.device.reset!();
    expect(irq(d).level).toBe(false);
    expect([get(d, 0x0b), get(d, 0x40), get(d, 0)]).toEqual([0x12, 0x11, 0x21]);
  });
});
