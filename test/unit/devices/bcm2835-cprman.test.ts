import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-cprman/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('bcm2835-cprman')!;
const PW = 0x5a000000;
const cprman = () => instantiate(type, { name: 'cprman', reg: [[0x3f101000, 0x2000]] });

describe('bcm2835-cprman (QEMU 7.2 registers)', () => {
  it('resets to QEMU\'s Pi 3 values: PLLC 2.4 GHz with CORE0 / 2, the VPU mux on it / 3 (400 MHz), every PLL but B locked', () => {
    const d = cprman();
    expect([d.read(0x1120), d.read(0x1034), d.read(0x1220), d.read(0x1620)]).toEqual([0x2103e, 0x144000, 0x80000, 2]);
    expect([d.read(0x008), d.read(0x00c), d.read(0x0f0), d.read(0x0f4)]).toEqual([0x245, 0x3000, 0x296, 0xa6ab]);
    // PLLB's registers are 0 (unknown) so it counts as powered up too, as in QEMU.
    expect(d.read(0x114)).toBe(0x1f00);
  });

  it('stores password writes without the password, ignores others; PWRDN or ANARST unlock a PLL; CTL.BUSY follows ENABLE', () => {
    const d = cprman();
    d.write(0x1120, 0x0003103e); // no password: ignored
    expect(d.read(0x1120)).toBe(0x2103e);
    d.write(0x1120, PW | 0x0003103e); // PLLC PWRDN
    expect(d.read(0x1120)).toBe(0x3103e);
    expect(d.read(0x114)).toBe(0x1f00 & ~(1 << 10));
    d.write(0x104, PW | 0x100); // PLLA ANARST
    expect(d.read(0x114)).toBe(0x1f00 & ~(1 << 10) & ~(1 << 8));
    d.write(0x0f0, PW | 0x286); // UART: ENABLE off -> BUSY off
    expect(d.read(0x0f0)).toBe(0x206);
    d.write(0x0f0, PW | 0x216); // ENABLE on -> BUSY on
    expect(d.read(0x0f0)).toBe(0x296);
    d.device.reset!();
    expect([d.read(0x1120), d.read(0x114)]).toEqual([0x2103e, 0x1f00]);
  });
});
