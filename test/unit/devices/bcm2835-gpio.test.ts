import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-gpio/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const gpioType = loadDevicePlugin(register).get('bcm2835-gpio')!;

const FSEL = (n: number) => 4 * n,
  SET = (w: number) => 0x1c + 4 * w,
  CLR = (w: number) => 0x28 + 4 * w,
  LEV = (w: number) => 0x34 + 4 * w,
  EDS = (w: number) => 0x40 + 4 * w,
  REN = (w: number) => 0x4c + 4 * w,
  FEN = (w: number) => 0x58 + 4 * w,
  HEN = (w: number) => 0x64 + 4 * w,
  AFEN = (w: number) => 0x88 + 4 * w,
  PUD = 0x94,
  PUDCLK = (w: number) => 0x98 + 4 * w;

function gpio(): DeviceUnderTest {
  return instantiate(gpioType, { name: 'gpio', reg: [[0x3f200000, 0x1000]], irqs: ['intc:49', 'intc:50', 'intc:51', 'intc:52'] });
}
const bank = (d: DeviceUnderTest, i: number) => d.h.irqs[i];
/** The datasheet's pull sequence: control, clock the pins, then release both. */
function setPull(d: DeviceUnderTest, pins: number[], control: number): void {
  d.write(PUD, control);
  const words = [0, 0];
  for (const p of pins) words[p >> 5] |= 1 << (p & 31);
  d.write(PUDCLK(0), words[0] >>> 0);
  d.write(PUDCLK(1), words[1] >>> 0);
  d.write(PUD, 0);
  d.write(PUDCLK(0), 0);
  d.write(PUDCLK(1), 0);
}

describe('bcm2835-gpio plugin', () => {
  it('defines a gpio and interrupt controller node', () => {
    expect(gpioType.compatible).toEqual(['brcm,bcm2835-gpio']);
    const { node } = gpio().deviceTree();
    expect(node.cells('#gpio-cells')).toEqual([2]);
    expect(node.props.has('gpio-controller')).toBe(true);
    expect(node.cells('#interrupt-cells')).toEqual([2]);
  });

  it('starts with every pin an input reading its datasheet reset pull', () => {
    const d = gpio();
    for (let i = 0; i < 6; i++) expect(d.read(FSEL(i))).toBe(0);
    expect(d.read(LEV(0))).toBe(0x1ff); // 0-8 up, 9-27 and 30-31 down, 28-29 none
    expect(d.read(LEV(1))).toBe(0x3fc01c); // 34-36 and 46-53 up
  });

  it('stores function selects, 3 bits per pin, pins 50-53 in GPFSEL5', () => {
    const d = gpio();
    d.write(FSEL(1), (4 << 12) | (4 << 15)); // GPIO14/15 ALT0: the PL011
    expect(d.read(FSEL(1))).toBe((4 << 12) | (4 << 15));
    d.write(FSEL(5), 0xffffffff);
    expect(d.read(FSEL(5))).toBe(0xfff);
    expect(d.device.inspect!().fsel).toMatch(/^0{14}44/);
  });

  it('drives output pins from the set/clear latches, which read as 0', () => {
    const d = gpio();
    d.write(FSEL(4), 1 << 21); // GPIO47 output (the ACT LED on a Pi 2)
    d.write(SET(1), 1 << 15);
    expect(d.read(LEV(1)) & (1 << 15)).toBe(1 << 15);
    expect(d.read(SET(1))).toBe(0);
    d.write(CLR(1), 1 << 15);
    expect(d.read(LEV(1)) & (1 << 15)).toBe(0);
    d.write(SET(0), 1 << 20); // latch of an input: no effect on its level until it is an output
    expect(d.read(LEV(0)) & (1 << 20)).toBe(0);
    d.write(FSEL(2), 1);
    expect(d.read(LEV(0)) & (1 << 20)).toBe(1 << 20);
  });

  it('changes pulls only through GPPUD then GPPUDCLK', () => {
    const d = gpio();
    d.write(PUD, 2);
    expect(d.read(LEV(0)) & (1 << 14)).toBe(0); // control alone does nothing
    d.write(PUDCLK(0), 1 << 14);
    expect(d.read(LEV(0)) & (1 << 14)).toBe(1 << 14);
    setPull(d, [14, 0], 0); // off
    expect(d.read(LEV(0)) & ((1 << 14) | 1)).toBe(0);
    setPull(d, [53], 1);
    expect(d.read(LEV(1)) & (1 << 21)).toBe(0);
    expect(d.read(PUD)).toBe(0);
  });

  it('detects edges into GPEDS (write 1 to clear) and raises the bank outputs', () => {
    const d = gpio();
    d.write(FSEL(1), 1 << 3); // GPIO11 output
    d.write(REN(0), 1 << 11);
    d.write(SET(0), 1 << 11);
    expect(d.read(EDS(0))).toBe(1 << 11);
    expect(bank(d, 0).level).toBe(true);
    expect(bank(d, 3).level).toBe(true);
    expect(bank(d, 1).level).toBe(false);
    d.write(EDS(0), 1 << 11);
    expect(bank(d, 0).level).toBe(false);
    d.write(CLR(0), 1 << 11); // falling: not enabled
    expect(d.read(EDS(0))).toBe(0);
    d.write(AFEN(0), 1 << 11);
    d.write(SET(0), 1 << 11);
    d.write(CLR(0), 1 << 11);
    expect(d.read(EDS(0))).toBe(1 << 11);
  });

  it('keeps a level-detect event set while the level lasts', () => {
    const d = gpio();
    d.write(HEN(1), 1 << 2); // GPIO34: pulled up
    expect(d.read(EDS(1))).toBe(1 << 2);
    expect(bank(d, 1).level).toBe(true);
    d.write(EDS(1), 1 << 2);
    expect(d.read(EDS(1))).toBe(1 << 2); // still high
    setPull(d, [34], 1);
    d.write(EDS(1), 1 << 2);
    expect(d.read(EDS(1))).toBe(0);
    expect(bank(d, 1).level).toBe(false);
  });

  it('reports pins 46-53 on bank 2', () => {
    const d = gpio();
    d.write(FEN(1), 1 << 16); // GPIO48, pulled up
    setPull(d, [48], 1);
    expect(bank(d, 2).level).toBe(true);
    expect(bank(d, 1).level).toBe(false);
  });

  it('accepts aligned 32-bit accesses only and resets latches, pulls and selects', () => {
    const d = gpio();
    expect(d.faults(LEV(0), 2)).toBe(true);
    expect(d.faults(0xe4, 4)).toBe(false); // QEMU decodes 4 KiB: no register here, reads 0
    expect(d.read(0xe4)).toBe(0);
    d.write(FSEL(0), 1);
    d.write(SET(0), 1);
    setPull(d, [20], 2);
    d.device.reset!();
    expect(d.read(FSEL(0))).toBe(0);
    expect(d.read(LEV(0)) & (1 << 20)).toBe(0);
    expect(d.read(LEV(0)) & 1).toBe(1); // pin 0 pulled up again
  });
});

describe('bcm2835-gpio: SD card routing on pins 48-53 (QEMU gpfsel_set)', () => {
  /** A slot holding at most one model, as the SD controllers' slots do. */
  function slot(card?: string) {
    let model: unknown = card;
    return {
      interface: 'sd',
      get occupied() {
        return model !== undefined;
      },
      attach() {},
      take() {
        const m = model;
        model = undefined;
        return m;
      },
      put(m: unknown) {
        model = m;
      },
      get model() {
        return model;
      },
    };
  }

  it('moves the card to the SDHOST when all six pins select ALT0, back when all six are inputs, and back at reset', () => {
    const emmc = slot('card');
    const sdhost = slot();
    const d = instantiate(gpioType, { name: 'gpio', reg: [[0x3f200000, 0x1000]], props: { sdhci: 'emmc', sdhost: 'sdhost' }, slots: { emmc, sdhost } });
    d.write(FSEL(4), (4 << 24) | (4 << 27));
    expect(emmc.model).toBe('card'); // pins 50-53 still inputs
    d.write(FSEL(5), 4 | (4 << 3) | (4 << 6) | (4 << 9));
    expect([emmc.model, sdhost.model]).toEqual([undefined, 'card']);
    d.write(FSEL(5), 7 | (7 << 3) | (7 << 6) | (7 << 9)); // ALT3: QEMU leaves the card where it is
    expect(sdhost.model).toBe('card');
    d.write(FSEL(4), 0);
    d.write(FSEL(5), 0);
    expect([emmc.model, sdhost.model]).toEqual(['card', undefined]);
    d.write(FSEL(4), (4 << 24) | (4 << 27));
    d.write(FSEL(5), 4 | (4 << 3) | (4 << 6) | (4 << 9));
    expect(sdhost.model).toBe('card');
    d.device.reset!(); // a machine reset: back on the SDHCI, as QEMU's bcm2835_gpio_reset
    expect([emmc.model, sdhost.model]).toEqual(['card', undefined]);
  });
});
