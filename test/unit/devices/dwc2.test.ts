import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-dwc2/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const dwc2Type = loadDevicePlugin(register).get('dwc2')!;

const GAHBCFG = 0x008,
  GRSTCTL = 0x010,
  GINTSTS = 0x014,
  GINTMSK = 0x018,
  GSNPSID = 0x040,
  GHWCFG2 = 0x048,
  GHWCFG3 = 0x04c,
  HAINTMSK = 0x418,
  HPRT0 = 0x440,
  HCCHAR0 = 0x500,
  HCINT0 = 0x508,
  HCINTMSK0 = 0x50c;

function dwc2(): DeviceUnderTest {
  return instantiate(dwc2Type, { name: 'usb', reg: [[0x3f980000, 0x10000]], irqs: ['intc:9'] });
}

describe('dwc2 plugin', () => {
  it('identifies as QEMU 7.2 does: core 2.94a, host mode, internal DMA, 8 channels', () => {
    const d = dwc2();
    expect(dwc2Type.compatible).toEqual(['brcm,bcm2835-usb']);
    expect(d.read(GSNPSID)).toBe(0x4f54294a);
    const hw2 = d.read(GHWCFG2);
    expect((hw2 >> 14) & 0xf).toBe(7); // NUM_HOST_CHAN - 1
    expect((hw2 >> 3) & 3).toBe(2); // internal DMA
    expect(hw2 & (1 << 19)).toBe(1 << 19); // dynamic FIFO
    expect(d.read(GHWCFG3) >>> 16).toBe(4096);
    expect(d.read(GINTSTS)).toBe(0x14000021);
  });

  it('finishes a core soft reset and FIFO flushes at once with the AHB idle', () => {
    const d = dwc2();
    d.write(GRSTCTL, 1);
    expect(d.read(GRSTCTL)).toBe(0x80000000);
    d.write(GRSTCTL, (0x10 << 6) | 0x20);
    expect(d.read(GRSTCTL)).toBe((0x80000000 | (0x10 << 6)) >>> 0);
  });

  it('never shows a connection on the root port, keeps power and reset as written', () => {
    const d = dwc2();
    d.write(HPRT0, (1 << 12) | (1 << 8) | 0xf);
    expect(d.read(HPRT0)).toBe((1 << 12) | (1 << 8));
    d.write(HPRT0, 1 << 12);
    expect(d.read(HPRT0) & 1).toBe(0);
  });

  it('clears event bits of GINTSTS on a written 1 but not the mode and FIFO-empty status', () => {
    const d = dwc2();
    d.write(GINTSTS, 0xffffffff);
    expect(d.read(GINTSTS)).toBe(0x04000021);
  });

  it('halts an enabled channel with a transaction error and interrupts through HAINT', () => {
    const d = dwc2();
    d.write(GAHBCFG, 1);
    d.write(GINTMSK, 1 << 25);
    d.write(HCINTMSK0, 0x2);
    d.write(HCCHAR0, 0x80000040);
    expect(d.h.irqs[0].level).toBe(false); // HAINTMSK gates the channel
    d.write(HAINTMSK, 1);
    expect(d.read(HCCHAR0) >>> 31).toBe(0);
    expect(d.read(HCINT0)).toBe(0x82);
    expect(d.read(GINTSTS) & (1 << 25)).toBe(1 << 25);
    expect(d.h.irqs[0].level).toBe(true);
    d.write(HCINT0, 0x82);
    expect(d.read(GINTSTS) & (1 << 25)).toBe(0);
    expect(d.h.irqs[0].level).toBe(false);
  });
});
