import { describe, expect, it } from 'vitest';
import { nsFor, REFRESH_NS, register, ticksIn, type I8254 } from '../../../plugins/dev-i8254/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const pitType = loadDevicePlugin(register).get('i8254')!;
const CTRL = 3;

function pit(): DeviceUnderTest {
  return instantiate(pitType, { name: 'pit', reg: [[0x10000040, 4]], irqs: ['pic0:ir0'] });
}
const w = (d: DeviceUnderTest, off: number, v: number) => d.write(off, v, 1);
const r = (d: DeviceUnderTest, off: number) => d.read(off, 1);
const irq = (d: DeviceUnderTest) => d.h.irqs[0];
/** Moves virtual time to `ticks` PIT clocks, firing timers on the way (one step per 100 us). */
function runTo(d: DeviceUnderTest, ticks: number): void {
  const end = nsFor(ticks);
  for (let t = d.h.clock.now(); t < end; t = Math.min(end, t + 100_000)) d.h.clock.advanceTo(Math.min(end, t + 100_000));
}
const risingEdges = (d: DeviceUnderTest) => irq(d).history.filter((e, i, a) => e.level && (i === 0 || !a[i - 1].level)).length;

describe('i8254 plugin', () => {
  it('converts between ns and 1.193182 MHz clocks exactly, even after hours', () => {
    for (const n of [0, 1, 1193, 1193182, 1193182 * 3600 * 5 + 7]) expect(ticksIn(nsFor(n))).toBe(n);
    expect(ticksIn(1e9)).toBe(1193182);
  });

  it('resets like QEMU: channel 0 mode 3, count 65536, irq high for the first half period', () => {
    const d = pit();
    expect(irq(d).level).toBe(true);
    runTo(d, 32768);
    expect(irq(d).level).toBe(false);
    runTo(d, 65536);
    expect(irq(d).level).toBe(true);
  });

  it('mode 2 rate generator on channel 0 gives one IRQ per period (1 kHz for 1193)', () => {
    const d = pit();
    w(d, CTRL, 0x34); // ch0, lobyte/hibyte, mode 2
    w(d, 0, 1193 & 0xff);
    w(d, 0, 1193 >> 8);
    const before = risingEdges(d);
    runTo(d, 1193 * 10 + 5);
    expect(risingEdges(d) - before).toBe(10);
  });

  it('mode 0 counts down from the load and raises OUT at terminal count; reads lo/hi', () => {
    const d = pit();
    w(d, CTRL, 0x30);
    w(d, 0, 0xe8);
    w(d, 0, 0x03); // 1000
    expect(irq(d).level).toBe(false);
    runTo(d, 100);
    expect(r(d, 0) | (r(d, 0) << 8)).toBe(900);
    runTo(d, 1000);
    expect(irq(d).level).toBe(true);
    runTo(d, 5000);
    expect(irq(d).level).toBe(true);
  });

  it('latch command freezes the count until both bytes are read', () => {
    const d = pit();
    w(d, CTRL, 0x70); // ch1, lo/hi, mode 0
    w(d, 1, 0x10);
    w(d, 1, 0x27); // 10000
    runTo(d, 250);
    w(d, CTRL, 0x40); // latch ch1
    runTo(d, 400);
    w(d, CTRL, 0x40); // a second latch before reading is ignored
    expect(r(d, 1)).toBe((9750 & 0xff));
    expect(r(d, 1)).toBe(9750 >> 8);
    expect(r(d, 1) | (r(d, 1) << 8)).toBe(9600); // live again
  });

  it('lobyte-only and hibyte-only access modes', () => {
    const d = pit();
    w(d, CTRL, 0x90); // ch2, lobyte, mode 0
    w(d, 2, 0x80);
    expect(r(d, 2)).toBe(0x80);
    w(d, CTRL, 0xa0); // ch2, hibyte, mode 0
    w(d, 2, 0x02);
    expect(r(d, 2)).toBe(0x02);
    runTo(d, 1);
    expect(r(d, 2)).toBe(0x01); // 0x200 - 1 = 0x1ff
  });

  it('read-back command latches status (OUT, RW, mode, BCD) and count; mode 6 is mode 2', () => {
    const d = pit();
    w(d, CTRL, 0x3d); // ch0 lo/hi mode 6 (= 2) BCD
    w(d, 0, 0x00);
    w(d, 0, 0x01); // BCD 100
    w(d, CTRL, 0xc2); // read-back ch0: count and status
    expect(r(d, 0)).toBe((0 << 7) | (3 << 4) | (2 << 1) | 1);
    expect(r(d, 0)).toBe(0x00);
    expect(r(d, 0)).toBe(0x01);
  });

  it('BCD counts in decimal', () => {
    const d = pit();
    w(d, CTRL, 0xb1); // ch2 lo/hi mode 0 BCD
    w(d, 2, 0x00);
    w(d, 2, 0x01); // 100
    runTo(d, 1);
    expect(r(d, 2)).toBe(0x99);
    expect(r(d, 2)).toBe(0x00);
  });

  it('channel 2 gate (input gate2) restarts modes 2/3 on a rising edge; out(2) is the speaker bit', () => {
    const d = pit();
    const dev = d.device as I8254;
    w(d, CTRL, 0xb6); // ch2 lo/hi mode 3
    w(d, 2, 100);
    w(d, 2, 0);
    runTo(d, 60);
    expect(dev.out(2)).toBe(false); // second half of the square wave
    d.device.irqInput!('gate2')!.set(true);
    expect(dev.out(2)).toBe(true);
    expect(r(d, 2) | (r(d, 2) << 8)).toBe(100);
    expect(d.device.irqInput!('gate0')).toBeUndefined();
  });

  it('mode 4 strobes OUT for one clock at terminal count; mode 3 gives a square wave on irq', () => {
    const d = pit();
    w(d, CTRL, 0x38); // ch0 lo/hi mode 4
    w(d, 0, 50);
    w(d, 0, 0);
    const before = risingEdges(d);
    runTo(d, 500);
    expect(risingEdges(d) - before).toBe(1);
    expect(irq(d).level).toBe(false);
    w(d, CTRL, 0x36); // ch0 lo/hi mode 3
    w(d, 0, 100);
    w(d, 0, 0);
    const start = risingEdges(d);
    runTo(d, 500 + 100 * 20 + 10);
    expect(risingEdges(d) - start).toBe(20);
  });

  it('modes 1 and 5 on channel 2 are triggered by the gate', () => {
    const d = pit();
    const dev = d.device as I8254;
    w(d, CTRL, 0xba); // ch2 lo/hi mode 5
    w(d, 2, 10);
    w(d, 2, 0);
    runTo(d, 30);
    dev.setGate(2, true); // trigger: count again from the load
    runTo(d, 39);
    expect(dev.out(2)).toBe(false);
    runTo(d, 40);
    expect(dev.out(2)).toBe(true); // strobe at terminal count
    w(d, CTRL, 0xb2); // ch2 lo/hi mode 1
    w(d, 2, 10);
    w(d, 2, 0);
    dev.setGate(2, false);
    dev.setGate(2, true);
    expect(r(d, 2) | (r(d, 2) << 8)).toBe(10);
  });

  it('the control port reads 0 and only byte accesses are accepted', () => {
    const d = pit();
    expect(r(d, CTRL)).toBe(0);
    expect(d.faults(0, 2)).toBe(true);
  });

  describe('port B (0x61) as a second window', () => {
    const pc = () => instantiate(pitType, { name: 'pit', io: [[0x40, 4], [0x61, 1]], irqs: ['pic:ir0'] });
    const portB = (d: DeviceUnderTest) => d.read(0, 1, 1);
    const setPortB = (d: DeviceUnderTest, v: number) => d.write(0, v, 1, 1);

    it('bit 0 gates channel 2 (a rising edge restarts mode 3), bit 5 reads its OUT, bits 0-1 read back (QEMU)', () => {
      const d = pc();
      expect(portB(d)).toBe(0x20); // gate low, OUT2 high after reset (mode 3, first half)
      w(d, CTRL, 0xb6); // ch2 lo/hi mode 3, count 100
      w(d, 2, 100);
      w(d, 2, 0);
      runTo(d, 60);
      expect(portB(d) & 0x20).toBe(0); // second half of the square wave
      setPortB(d, 0xff); // gate up: restart; only bits 0-1 are kept
      expect(portB(d) & 0xef).toBe(0x23);
      expect((d.device as I8254).out(2)).toBe(true);
      runTo(d, 60 + 50);
      expect(portB(d) & 0x20).toBe(0);
      setPortB(d, 0x02); // gate down, speaker data on
      expect(portB(d) & 0x0f).toBe(0x02);
      expect(d.faults(0, 2, false, 1)).toBe(true); // byte accesses only
    });

    it('bit 4 flips every 15.085 us of virtual time, whatever the reads', () => {
      const d = pc();
      const refresh = () => (portB(d) >> 4) & 1;
      expect([refresh(), refresh()]).toEqual([0, 0]);
      d.h.clock.advanceTo(REFRESH_NS - 1);
      expect(refresh()).toBe(0);
      d.h.clock.advanceTo(REFRESH_NS);
      expect(refresh()).toBe(1);
      d.h.clock.advanceTo(2 * REFRESH_NS + 10);
      expect(refresh()).toBe(0);
    });

    it('reset clears port B and lowers the gate', () => {
      const d = pc();
      setPortB(d, 0x03);
      d.device.reset!();
      expect(portB(d) & 0x0f).toBe(0);
    });
  });
});
