import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-pm/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const pmType = loadDevicePlugin(register).get('bcm2835-pm')!;

const RSTC = 0x1c,
  RSTS = 0x20,
  WDOG = 0x24;
const PW = 0x5a000000;
const TICK_NS = 1e9 / 65536;

function pm(): DeviceUnderTest {
  return instantiate(pmType, { name: 'pm', reg: [[0x3f100000, 0x1000]] });
}

describe('bcm2835-pm plugin', () => {
  it('defines the watchdog with the compatibles Linux binds to', () => {
    expect(pmType.compatible).toEqual(['brcm,bcm2835-pm', 'brcm,bcm2835-pm-wdt']);
  });

  it('has the reset values QEMU takes from elinux', () => {
    const d = pm();
    expect(d.read(RSTC)).toBe(0x102);
    expect(d.read(RSTS)).toBe(0x1000);
    expect(d.read(WDOG)).toBe(0);
  });

  it('ignores writes without the 0x5a password or narrower than 32 bits', () => {
    const d = pm();
    d.write(RSTS, 0x555);
    d.write(RSTC, 0x20);
    d.write(RSTS + 3, 0x5a, 1);
    expect(d.read(RSTS)).toBe(0x1000);
    d.h.clock.advanceTo(1e9);
    expect(d.h.machine.resets).toEqual([]);
    d.write(RSTS, PW | 0x5);
    expect(d.read(RSTS)).toBe(0x5);
  });

  it('resets the machine when the watchdog time runs out after a full-reset RSTC write (U-Boot reset)', () => {
    const d = pm();
    d.write(WDOG, PW | 10);
    d.write(RSTC, PW | (0x102 & ~0x30) | 0x20);
    expect(d.h.machine.resets).toEqual([]);
    expect(d.read(WDOG)).toBe(10);
    d.h.clock.advanceTo(Math.ceil(10 * TICK_NS) - 1);
    expect(d.h.machine.resets).toEqual([]);
    d.h.clock.advanceTo(Math.ceil(10 * TICK_NS));
    expect(d.h.machine.resets).toHaveLength(1);
    expect(d.h.machine.powerOffs).toEqual([]);
  });

  it('powers off with code 0 when RSTS holds partition 63 (Linux poweroff)', () => {
    const d = pm();
    d.write(RSTS, PW | 0x1000 | 0x555);
    d.write(WDOG, PW | 10);
    d.write(RSTC, PW | 0x20);
    d.h.clock.advanceTo(1e6);
    expect(d.h.machine.powerOffs).toEqual([{ code: 0, reason: 'guest power-off (PM_RSTS partition 63)' }]);
    expect(d.h.machine.resets).toEqual([]);
  });

  it('acts at once for a zero time, and a stop or a feed holds the reset back', () => {
    const d = pm();
    d.write(RSTC, PW | 0x20);
    d.h.clock.advanceTo(0);
    expect(d.h.machine.resets).toHaveLength(1);
    const e = pm();
    e.write(WDOG, PW | 65536); // 1 s
    e.write(RSTC, PW | 0x20);
    e.h.clock.advanceTo(0.5e9);
    expect(e.read(WDOG)).toBe(32768);
    e.write(WDOG, PW | 65536); // fed: another second from now
    e.h.clock.advanceTo(1.2e9);
    expect(e.h.machine.resets).toEqual([]);
    e.write(RSTC, PW | 0x102); // stopped (Linux's bcm2835_wdt_stop)
    e.h.clock.advanceTo(5e9);
    expect(e.h.machine.resets).toEqual([]);
  });

  it('reset restores the registers and stops the watchdog', () => {
    const d = pm();
    d.write(WDOG, PW | 100);
    d.write(RSTC, PW | 0x20);
    d.device.reset!();
    d.h.clock.advanceTo(1e9);
    expect(d.h.machine.resets).toEqual([]);
    expect(d.read(RSTC)).toBe(0x102);
  });
});

describe('bcm2835-pm resetAtWrite (QEMU 7.2)', () => {
  it('resets or powers off at the full-reset RSTC write, whatever PM_WDOG holds', () => {
    const d = instantiate(pmType, { name: 'pm', reg: [[0x3f100000, 0x1000]], props: { resetAtWrite: true } });
    d.write(WDOG, PW | 0xfffff);
    d.write(RSTC, PW | 0x20);
    expect(d.h.machine.resets.length).toBe(1);
    d.write(RSTS, PW | 0x555);
    d.write(RSTC, PW | 0x20);
    expect(d.h.machine.powerOffs.length).toBe(1);
  });
});
