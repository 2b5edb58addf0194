import { describe, expect, it } from 'vitest';
import type { BackendType, BlockImage, PluginApi } from '../../../src/core/api.js';
import { register as registerCard } from '../../../plugins/dev-sd-card/src/index.js';
import { register } from '../../../plugins/dev-sdhci/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const sdhciType = loadDevicePlugin(register).get('sdhci')!;
let cardType!: BackendType;
registerCard({ defineBackend: (b: BackendType) => (cardType = b), defineDevice: () => {}, defineArch: () => {}, apiVersion: 1, prop: {} } as unknown as PluginApi);

const BLKSIZE = 0x04,
  BLKCNT = 0x06,
  ARG = 0x08,
  XFER = 0x0c,
  RESP = 0x10,
  DATA = 0x20,
  PRESENT = 0x24,
  CLOCK = 0x2c,
  RESET = 0x2f,
  NSTAT = 0x30,
  ESTAT = 0x32,
  NEN = 0x34,
  EEN = 0x36,
  NSIG = 0x38,
  CAPS = 0x40,
  VERSION = 0xfe;

function memImage(size: number): BlockImage & { data: Uint8Array } {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 13 + (i >> 9)) & 0xff;
  return {
    path: 'mem',
    size,
    readOnly: false,
    data,
    read: (off, dst) => (dst.set(data.subarray(off, off + dst.length)), true),
    write: (off, src) => (data.set(src, off), true),
    flush: () => true,
    close: () => {},
  };
}

function host(withCard = true): { d: DeviceUnderTest; img: ReturnType<typeof memImage> } {
  const d = instantiate(sdhciType, { name: 'emmc', reg: [[0x3f300000, 0x100]], irqs: ['intc:62'] });
  const img = memImage(1024 * 1024);
  if (withCard) d.device.slot!.attach(cardType, { id: 'drive0', image: img, options: {} });
  d.write(NEN, 0xffff, 2);
  d.write(EEN, 0xffff, 2);
  return { d, img };
}

/** Response type bits: 0 none, 1 136-bit, 2 48-bit, 3 48-bit busy; bit 5 data present. */
function cmd(d: DeviceUnderTest, index: number, arg: number, resp: number, mode = 0, data = false): number {
  d.write(ARG, arg);
  d.write(XFER, (mode & 0xffff) | (((index << 8) | (data ? 0x20 : 0) | resp) << 16)); // one 32-bit write, as U-Boot's bcm2835 driver
  const status = d.read(NSTAT, 2);
  d.write(NSTAT, 0x1, 2); // acknowledge command complete
  return status;
}

function initCard(d: DeviceUnderTest): number {
  cmd(d, 0, 0, 0);
  cmd(d, 8, 0x1aa, 2);
  expect(d.read(RESP)).toBe(0x1aa);
  cmd(d, 55, 0, 2);
  cmd(d, 41, 0x40ff8000, 2);
  expect(d.read(RESP) >>> 31).toBe(1);
  cmd(d, 2, 0, 1);
  cmd(d, 3, 0, 2);
  const rca = d.read(RESP) >>> 16;
  cmd(d, 9, rca << 16, 1);
  cmd(d, 7, rca << 16, 3);
  return rca;
}

describe('sdhci plugin', () => {
  it('defines a slot of interface "sd" and QEMU raspi capabilities', () => {
    const { d } = host(false);
    expect(sdhciType.compatible).toEqual(['brcm,bcm2835-sdhci']);
    expect(d.device.slot!.interface).toBe('sd');
    expect(d.device.slot!.occupied).toBe(false);
    expect(d.read(CAPS)).toBe(0x052134b4);
    expect(d.read(VERSION, 2)).toBe(0x2402);
    expect(d.read(PRESENT) & (1 << 16)).toBe(0); // no card
  });

  it('reports the card present and writable, and a stable internal clock once enabled', () => {
    const { d } = host();
    expect(d.read(PRESENT) & 0x000f0000).toBe(0x000f0000); // inserted, stable, detected, writable
    d.write(CLOCK, 0x0001, 2);
    expect(d.read(CLOCK, 2) & 2).toBe(2);
  });

  it('ends a command with no answer (no card) in a command-timeout error and interrupts', () => {
    const { d } = host(false);
    d.write(NSIG, 0x8000, 2);
    const st = cmd(d, 8, 0x1aa, 2);
    expect(st & 0x8000).toBe(0x8000);
    expect(d.read(ESTAT, 2) & 1).toBe(1);
    expect(d.h.irqs[0].level).toBe(true);
    d.write(ESTAT, 1, 2);
    expect(d.read(NSTAT, 2) & 0x8000).toBe(0);
    expect(d.h.irqs[0].level).toBe(false);
  });

  it('initialises a card and stores R2 without its CRC byte', () => {
    const { d } = host();
    cmd(d, 0, 0, 0);
    cmd(d, 8, 0x1aa, 2);
    cmd(d, 55, 0, 2);
    cmd(d, 41, 0x40ff8000, 2);
    cmd(d, 2, 0, 1);
    // CID byte 0 (manufacturer 0xAA, bits 127:120) lands in RESP bits 119:112.
    expect((d.read(RESP + 12) >>> 16) & 0xff).toBe(0xaa);
    cmd(d, 3, 0, 2);
    expect(d.read(RESP) >>> 16).toBe(0x4567);
  });

  it('reads a block through the data port with buffer-read-ready and transfer-complete', () => {
    const { d, img } = host();
    initCard(d);
    d.write(BLKSIZE, 512, 2);
    const st = cmd(d, 17, 2048, 2, 0x10, true);
    expect(st & 0x20).toBe(0x20);
    expect(d.read(PRESENT) & (1 << 11)).toBe(1 << 11);
    const got = new Uint8Array(512);
    const v = new DataView(got.buffer);
    for (let i = 0; i < 128; i++) v.setUint32(i * 4, d.read(DATA), true);
    expect(got).toEqual(img.data.subarray(2048, 2560));
    expect(d.read(NSTAT, 2) & 0x2).toBe(0x2);
    expect(d.read(PRESENT) & ((1 << 11) | (1 << 1))).toBe(0);
  });

  it('reads several blocks with a block count and auto CMD12', () => {
    const { d, img } = host();
    initCard(d);
    d.write(BLKSIZE, 512, 2);
    d.write(BLKCNT, 3, 2);
    cmd(d, 18, 0, 2, 0x10 | 0x20 | 0x2 | 0x4, true);
    const got: number[] = [];
    for (let i = 0; i < 3 * 128; i++) {
      const w = d.read(DATA);
      got.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
    }
    expect(Uint8Array.from(got)).toEqual(img.data.subarray(0, 1536));
    expect(d.read(NSTAT, 2) & 0x2).toBe(0x2);
    expect(d.read(BLKCNT, 2)).toBe(0);
    cmd(d, 13, 0x4567 << 16, 2);
    expect((d.read(RESP) >>> 9) & 0xf).toBe(4); // back in transfer: auto CMD12 stopped it
  });

  it('writes blocks through the data port with buffer-write-ready', () => {
    const { d, img } = host();
    initCard(d);
    d.write(BLKSIZE, 512, 2);
    d.write(BLKCNT, 2, 2);
    const st = cmd(d, 25, 4096, 2, 0x20 | 0x2 | 0x4, true);
    expect(st & 0x10).toBe(0x10);
    for (let i = 0; i < 256; i++) d.write(DATA, 0x01020304 + i);
    expect(img.data[4096]).toBe(0x04);
    expect(img.data[4096 + 1023]).toBe(0x01);
    expect(d.read(NSTAT, 2) & 0x2).toBe(0x2);
  });

  it('keeps disabled interrupts out of the status and resets on SOFTWARE_RESET.ALL', () => {
    const { d } = host();
    d.write(NEN, 0, 2);
    cmd(d, 0, 0, 0);
    expect(d.read(NSTAT, 2)).toBe(0);
    d.write(BLKSIZE, 512, 2);
    d.write(RESET, 1, 1);
    expect(d.read(BLKSIZE, 2)).toBe(0);
    expect(d.read(RESET, 1)).toBe(0);
    expect(d.read(CAPS)).toBe(0x052134b4);
  });
});
