import { describe, expect, it } from 'vitest';
import type { BackendType, BlockImage, PluginApi } from '../../../src/core/api.js';
import { register as registerCard } from '../../../plugins/dev-sd-card/src/index.js';
import { register } from '../../../plugins/dev-bcm2835-sdhost/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const sdhostType = loadDevicePlugin(register).get('bcm2835-sdhost')!;
let cardType!: BackendType;
registerCard({ defineBackend: (b: BackendType) => (cardType = b), defineDevice: () => {}, defineArch: () => {}, apiVersion: 1, prop: {} } as unknown as PluginApi);

const SDCMD = 0x00,
  SDARG = 0x04,
  SDRSP0 = 0x10,
  SDRSP3 = 0x1c,
  SDHSTS = 0x20,
  SDEDM = 0x34,
  SDHCFG = 0x38,
  SDHBCT = 0x3c,
  SDDATA = 0x40,
  SDHBLC = 0x50;
const NEW = 0x8000,
  FAIL = 0x4000,
  NO_RESP = 0x400,
  LONG = 0x200,
  WRITE = 0x80,
  READ = 0x40;

function memImage(size: number): BlockImage & { data: Uint8Array } {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 5 + (i >> 9)) & 0xff;
  return { path: 'mem', size, readOnly: false, data, read: (o, d) => (d.set(data.subarray(o, o + d.length)), true), write: (o, s) => (data.set(s, o), true), flush: () => true, close: () => {} };
}

function sdhost(withCard: boolean) {
  const d = instantiate(sdhostType, { name: 'sdhost', reg: [[0x3f202000, 0x100]], irqs: ['intc:56'] });
  const img = memImage(1024 * 1024);
  if (withCard) d.device.slot!.attach(cardType, { id: 'drive1', image: img, options: {} });
  return { d, img };
}
function send(d: DeviceUnderTest, index: number, arg: number, flags = 0): number {
  d.write(SDARG, arg);
  d.write(SDCMD, NEW | flags | index);
  return d.read(SDCMD);
}

describe('bcm2835-sdhost plugin', () => {
  it('answers "no card": commands fail with a command timeout', () => {
    const { d } = sdhost(false);
    expect(sdhostType.compatible).toEqual(['brcm,bcm2835-sdhost']);
    expect(d.read(SDEDM)).toBe(0xc60f);
    const c = send(d, 8, 0x1aa);
    expect(c & (NEW | FAIL)).toBe(FAIL);
    expect(d.read(SDHSTS) & 0x40).toBe(0x40);
    d.write(SDHSTS, 0x40);
    expect(d.read(SDHSTS)).toBe(0);
    expect(send(d, 0, 0, NO_RESP) & FAIL).toBe(FAIL); // even CMD0: there is nobody there
  });

  it('talks to a card: identification, long responses in RSP3..RSP0', () => {
    const { d } = sdhost(true);
    expect(send(d, 0, 0, NO_RESP) & FAIL).toBe(0);
    send(d, 8, 0x1aa);
    expect(d.read(SDRSP0)).toBe(0x1aa);
    send(d, 55, 0);
    send(d, 41, 0x40ff8000);
    expect(send(d, 2, 0, LONG) & FAIL).toBe(0);
    expect(d.read(SDRSP3) >>> 24).toBe(0xaa); // CID manufacturer
    send(d, 3, 0);
    expect(d.read(SDRSP0) >>> 16).toBe(0x4567);
    expect(send(d, 7, 0x4567 << 16, 0x800) & FAIL).toBe(0);
    expect(send(d, 13, 0x4567 << 16, LONG) & FAIL).toBe(FAIL); // short answer to a long command
  });

  it('reads a block through the 16-word FIFO with the data flag and interrupt', () => {
    const { d, img } = sdhost(true);
    send(d, 0, 0, NO_RESP);
    send(d, 55, 0);
    send(d, 41, 0x40ff8000);
    send(d, 2, 0, LONG);
    send(d, 3, 0);
    send(d, 7, 0x4567 << 16);
    d.write(SDHCFG, 1 << 4); // data interrupt enable
    d.write(SDHBCT, 512);
    d.write(SDHBLC, 1);
    send(d, 17, 512, READ);
    expect(d.read(SDHSTS) & 0x101).toBe(0x101);
    expect(d.h.irqs[0].level).toBe(true);
    expect((d.read(SDEDM) >> 4) & 0x1f).toBe(16);
    const got: number[] = [];
    for (let i = 0; i < 128; i++) {
      const w = d.read(SDDATA);
      got.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
    }
    expect(Uint8Array.from(got)).toEqual(img.data.subarray(512, 1024));
    expect(d.read(SDEDM) & 0xf).toBe(1); // back in data mode
  });

  it('writes a block from the FIFO to the card', () => {
    const { d, img } = sdhost(true);
    send(d, 0, 0, NO_RESP);
    send(d, 55, 0);
    send(d, 41, 0x40ff8000);
    send(d, 2, 0, LONG);
    send(d, 3, 0);
    send(d, 7, 0x4567 << 16);
    d.write(SDHCFG, 1 << 8); // block interrupt enable
    d.write(SDHBCT, 512);
    d.write(SDHBLC, 1);
    send(d, 24, 1024, WRITE);
    for (let i = 0; i < 128; i++) d.write(SDDATA, 0x11223344);
    expect(img.data[1024]).toBe(0x44);
    expect(img.data[1535]).toBe(0x11);
    expect(d.read(SDHSTS) & 0x200).toBe(0x200);
  });
});
