import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-systimer/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const timerType = loadDevicePlugin(register).get('bcm2835-systimer')!;

const CS = 0x00,
  CLO = 0x04,
  CHI = 0x08,
  C = (i: number) => 0x0c + 4 * i;

function systimer(): DeviceUnderTest {
  return instantiate(timerType, { name: 'systimer', reg: [[0x3f003000, 0x1000]], irqs: ['intc:0', 'intc:1', 'intc:2', 'intc:3'] });
}
const line = (d: DeviceUnderTest, i: number) => d.h.irqs[i];

describe('bcm2835-systimer plugin', () => {
  it('defines the type with its compatible and four outputs', () => {
    expect(timerType.compatible).toEqual(['brcm,bcm2835-system-timer']);
    expect(Object.keys(timerType.outputs!)).toEqual(['match0', 'match1', 'match2', 'match3']);
    expect(systimer().deviceTree().node.cells('clock-frequency')).toEqual([1_000_000]);
  });

  it('counts microseconds of virtual time in CLO/CHI', () => {
    const d = systimer();
    expect(d.read(CLO)).toBe(0);
    d.h.clock.advanceTo(1999);
    expect(d.read(CLO)).toBe(1);
    d.h.clock.advanceTo(2000);
    expect(d.read(CLO)).toBe(2);
    d.h.clock.advanceTo((2 ** 32 + 5) * 1000);
    expect(d.read(CHI)).toBe(1);
    expect(d.read(CLO)).toBe(5);
    d.write(CLO, 0);
    expect(d.read(CLO)).toBe(5); // read-only
  });

  it('raises matchN at the exact microsecond the counter reaches Cn and holds it until CS.Mn is cleared', () => {
    const d = systimer();
    d.h.clock.advanceTo(10_500); // counter 10
    d.write(C(1), 110);
    expect(d.read(C(1))).toBe(110);
    d.h.clock.advanceTo(109_999);
    expect(line(d, 1).level).toBe(false);
    expect(d.read(CS)).toBe(0);
    d.h.clock.advanceTo(110_000);
    expect(line(d, 1).level).toBe(true);
    expect(line(d, 1).history.at(-1)).toEqual({ level: true, at: 110_000 });
    expect(d.read(CS)).toBe(0x2);
    d.h.clock.advanceTo(500_000);
    expect(line(d, 1).level).toBe(true); // level until acknowledged
    d.write(CS, 0x1); // another bit: no effect
    expect(d.read(CS)).toBe(0x2);
    d.write(CS, 0x2);
    expect(d.read(CS)).toBe(0);
    expect(line(d, 1).level).toBe(false);
  });

  it('keeps the four compares independent', () => {
    const d = systimer();
    d.write(C(0), 30);
    d.write(C(3), 20);
    d.write(C(2), 40);
    d.h.clock.advanceTo(25_000);
    expect([0, 1, 2, 3].map((i) => line(d, i).level)).toEqual([false, false, false, true]);
    d.h.clock.advanceTo(30_000);
    expect(d.read(CS)).toBe(0x9);
    d.h.clock.advanceTo(40_000);
    expect(d.read(CS)).toBe(0xd);
    expect(line(d, 0).history.at(-1)!.at).toBe(30_000);
    expect(line(d, 2).history.at(-1)!.at).toBe(40_000);
  });

  it('matches at once for the current count and after the 32-bit wrap for one just behind it', () => {
    const d = systimer();
    d.h.clock.advanceTo(7_000);
    d.write(C(0), 7);
    d.h.clock.advanceTo(7_000);
    expect(line(d, 0).level).toBe(true);
    d.write(C(1), 6);
    d.h.clock.advanceTo(3_600_000_000_000);
    expect(line(d, 1).level).toBe(false);
    d.h.clock.advanceTo((2 ** 32 + 6) * 1000);
    expect(line(d, 1).level).toBe(true);
  });

  it('re-arms a compare when it is rewritten before matching', () => {
    const d = systimer();
    d.write(C(2), 100);
    d.write(C(2), 200);
    d.h.clock.advanceTo(150_000);
    expect(line(d, 2).level).toBe(false);
    d.h.clock.advanceTo(200_000);
    expect(line(d, 2).level).toBe(true);
  });

  it('accepts aligned accesses within 0x20 bytes only', () => {
    const d = systimer();
    expect(d.faults(CLO, 4)).toBe(false);
    expect(d.faults(CLO + 2, 4)).toBe(true);
    expect(d.faults(0x20, 4)).toBe(true);
  });

  it('reset clears CS and the compares and cancels pending matches', () => {
    const d = systimer();
    d.write(C(0), 5);
    d.write(C(1), 50);
    d.h.clock.advanceTo(10_000);
    d.device.reset!();
    expect(d.read(CS)).toBe(0);
    expect(d.read(C(1))).toBe(0);
    expect(line(d, 0).level).toBe(false);
    d.h.clock.advanceTo(100_000);
    expect(line(d, 1).level).toBe(false);
  });
});
