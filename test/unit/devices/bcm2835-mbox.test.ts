import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-bcm2835-mbox/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const mboxType = loadDevicePlugin(register).get('bcm2835-mbox')!;

const READ = 0x00,
  PEEK = 0x10,
  STATUS = 0x18,
  CONFIG = 0x1c,
  WRITE = 0x20,
  STATUS1 = 0x38;
const EMPTY = 0x40000000,
  FULL = 0x80000000;
/** The harness RAM is at 0x80000000; the guest's buffer sits 4 KiB in. */
const BUF = 0x80001000;

function mbox(props: Record<string, unknown> = {}): DeviceUnderTest {
  return instantiate(mboxType, { name: 'mbox', reg: [[0x3f00b880, 0x40]], irqs: ['intc:arm1'], props: { busAddressMask: 0xffffffff, ...props } });
}
const irq = (d: DeviceUnderTest) => d.h.irqs[0];

/** Writes a property request (tags as [id, valueWords...], each value buffer `size` bytes) and returns its words. */
function request(d: DeviceUnderTest, tags: Array<{ id: number; size: number; values?: number[] }>): void {
  const words: number[] = [0, 0];
  for (const t of tags) {
    words.push(t.id, t.size, 0);
    const v = t.values ?? [];
    for (let i = 0; i < t.size / 4; i++) words.push(v[i] ?? 0);
  }
  words.push(0);
  words[0] = words.length * 4;
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  d.h.bus.dmaWrite(BUF, bytes);
}
function words(d: DeviceUnderTest, count: number): number[] {
  const bytes = new Uint8Array(count * 4);
  d.h.bus.dmaRead(BUF, bytes);
  const view = new DataView(bytes.buffer);
  return Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
}
/** Sends the buffer on channel 8 and returns the mail that comes back. */
function call(d: DeviceUnderTest): number {
  d.write(WRITE, BUF | 8);
  return d.read(READ);
}

describe('bcm2835-mbox plugin', () => {
  it('defines the mailbox with its compatible and #mbox-cells', () => {
    expect(mboxType.compatible).toEqual(['brcm,bcm2835-mbox']);
    expect(mbox().deviceTree().node.cells('#mbox-cells')).toEqual([0]);
  });

  it('starts empty: status empty, reads give 0xffffffff', () => {
    const d = mbox();
    expect(d.read(STATUS)).toBe(EMPTY);
    expect(d.read(STATUS1)).toBe(EMPTY);
    expect(d.read(READ)).toBe(0xffffffff);
    expect(d.read(CONFIG)).toBe(0);
  });

  it('answers a property request on channel 8 with the buffer address and the board revision', () => {
    const d = mbox();
    request(d, [{ id: 0x00010002, size: 4 }]);
    d.write(WRITE, BUF | 8);
    expect(d.read(STATUS)).toBe(0);
    expect(d.read(PEEK)).toBe((BUF | 8) >>> 0);
    expect(d.read(READ)).toBe((BUF | 8) >>> 0);
    expect(d.read(STATUS)).toBe(EMPTY);
    const w = words(d, 7);
    expect(w[1]).toBe(0x80000000); // buffer response: success
    expect(w[2]).toBe(0x00010002);
    expect(w[4]).toBe(0x80000004); // response, 4 bytes
    expect(w[5]).toBe(0xa02082);
  });

  it('answers memory, MAC, serial and firmware tags as QEMU raspi3b', () => {
    const d = mbox({ serial: 0x1_0000_0002 });
    request(d, [
      { id: 0x00010005, size: 8 },
      { id: 0x00010006, size: 8 },
      { id: 0x00010003, size: 8 },
      { id: 0x00010004, size: 8 },
      { id: 0x00000001, size: 4 },
    ]);
    call(d);
    const w = words(d, 30);
    expect(w.slice(5, 7)).toEqual([0, 0x3c000000]); // ARM memory below VC memory
    expect(w.slice(10, 12)).toEqual([0x3c000000, 0x4000000]);
    expect(w[14]).toBe(0x80000006);
    expect(w[15]).toBe(0x12005452); // 52:54:00:12 little-endian
    expect(w[16] & 0xffff).toBe(0x5634);
    expect(w.slice(20, 22)).toEqual([2, 1]);
    expect(w[25]).toBe(346337);
  });

  it('answers clocks, power and temperature', () => {
    const d = mbox();
    request(d, [
      { id: 0x00030002, size: 8, values: [2] }, // UART clock
      { id: 0x00030002, size: 8, values: [4] }, // core
      { id: 0x00030004, size: 8, values: [3] }, // ARM max
      { id: 0x00038002, size: 12, values: [3, 1_200_000_000, 0] }, // set clock: echoed
      { id: 0x00028001, size: 8, values: [0, 3] }, // power on SD with wait
      { id: 0x00020001, size: 8, values: [1] },
      { id: 0x00030006, size: 8, values: [0] },
      { id: 0x0003000a, size: 8, values: [0] },
    ]);
    call(d);
    const w = words(d, 60);
    const value = (tagIndex: number, word: number) => {
      let at = 2;
      for (let i = 0; i < tagIndex; i++) at += 3 + w[at + 1] / 4;
      return w[at + 3 + word];
    };
    expect(value(0, 1)).toBe(3_000_000);
    expect(value(1, 1)).toBe(350_000_000);
    expect(value(2, 1)).toBe(700_000_000);
    expect(value(3, 1)).toBe(1_200_000_000);
    expect(value(4, 1)).toBe(1);
    expect(value(5, 1)).toBe(1);
    expect(value(6, 1)).toBe(25000);
    expect(value(7, 1)).toBe(99000);
  });

  it('allocates a framebuffer in VC memory and reports its geometry, depth, pitch and offset', () => {
    const d = mbox();
    request(d, [
      { id: 0x00048003, size: 8, values: [1024, 768] },
      { id: 0x00048004, size: 8, values: [1024, 1536] },
      { id: 0x00048009, size: 8, values: [0, 768] },
      { id: 0x00048005, size: 4, values: [32] },
      { id: 0x00040001, size: 8, values: [16, 0] },
      { id: 0x00040008, size: 4 },
    ]);
    call(d);
    const w = words(d, 40);
    expect(w.slice(5, 7)).toEqual([1024, 768]);
    expect(w.slice(10, 12)).toEqual([1024, 1536]);
    expect(w.slice(15, 17)).toEqual([0, 768]);
    expect(w[20]).toBe(32);
    expect(w.slice(24, 26)).toEqual([0x3c100000, 1024 * 4 * 1536]);
    expect(w[29]).toBe(4096);
    expect(d.device.inspect!().framebuffer).toMatch(/^1024x768 \(virtual 1024x1536 \+0\+768\) 32 bpp at 0x3c100000/);
  });

  it('keeps the framebuffer as it was for a geometry QEMU refuses', () => {
    const d = mbox();
    request(d, [{ id: 0x00048003, size: 8, values: [10000, 10] }, { id: 0x00048005, size: 4, values: [12] }]);
    call(d);
    const w = words(d, 12);
    expect(w.slice(5, 7)).toEqual([640, 480]);
    expect(w[10]).toBe(16);
  });

  it('leaves unknown tags untouched and walks past them', () => {
    const d = mbox();
    request(d, [{ id: 0x00099999, size: 4, values: [7] }, { id: 0x00010002, size: 4 }]);
    call(d);
    const w = words(d, 12);
    expect(w[4]).toBe(0);
    expect(w[5]).toBe(7);
    expect(w[9]).toBe(0xa02082);
  });

  it('drops the alias bits of the bus address (busAddressMask) but answers with the address as sent', () => {
    // The harness RAM is at 0x80000000, so this mask keeps bit 31 and drops bit 30 only.
    const d = instantiate(mboxType, { name: 'mbox', reg: [[0x3f00b880, 0x40]], props: { busAddressMask: 0xbfffffff } });
    request(d, [{ id: 0x00010002, size: 4 }]);
    d.write(WRITE, (BUF | 0x40000000 | 8) >>> 0);
    expect(d.read(READ)).toBe((BUF | 0x40000000 | 8) >>> 0);
    expect(words(d, 6)[5]).toBe(0xa02082);
  });

  it('raises irq while mailbox 0 holds data and the data interrupt is enabled', () => {
    const d = mbox();
    request(d, [{ id: 0x00010002, size: 4 }]);
    d.write(WRITE, BUF | 8);
    expect(irq(d).level).toBe(false);
    expect(d.read(CONFIG)).toBe(0x10);
    d.write(CONFIG, 0x1);
    expect(irq(d).level).toBe(true);
    expect(d.read(CONFIG)).toBe(0x11);
    d.read(READ);
    expect(irq(d).level).toBe(false);
    expect(d.read(CONFIG)).toBe(0x1);
  });

  it('holds 8 answers, the rest waiting until mailbox 0 is read', () => {
    const d = mbox();
    request(d, [{ id: 0x00010002, size: 4 }]);
    for (let i = 0; i < 9; i++) d.write(WRITE, BUF | 8);
    expect(d.read(STATUS)).toBe(FULL);
    for (let i = 0; i < 9; i++) expect(d.read(READ)).toBe((BUF | 8) >>> 0);
    expect(d.read(STATUS)).toBe(EMPTY);
  });

  it('answers the legacy framebuffer channel 1 with pitch, base and size', () => {
    const d = mbox();
    const req = new Uint8Array(40);
    const view = new DataView(req.buffer);
    [800, 600, 800, 1200, 0, 32, 0, 0, 0, 0].forEach((w, i) => view.setUint32(i * 4, w, true));
    d.h.bus.dmaWrite(BUF, req);
    d.write(WRITE, BUF | 1);
    expect(d.read(READ)).toBe(1);
    const w = words(d, 10);
    expect(w[4]).toBe(3200);
    expect(w[8]).toBe((0x3c100000 | (BUF & 0xc0000000)) >>> 0); // QEMU keeps the alias bits
    expect(w[9]).toBe(3200 * 1200);
    expect(d.device.inspect!().framebuffer).toMatch(/^800x600 \(virtual 800x1200/);
  });

  it('does not answer other channels or buffers outside RAM', () => {
    const d = mbox();
    d.write(WRITE, BUF | 2);
    d.write(WRITE, 0x10 | 8);
    expect(d.read(STATUS)).toBe(EMPTY);
  });

  it('accepts aligned 32-bit accesses within 0x40 bytes only', () => {
    const d = mbox();
    expect(d.faults(STATUS, 4)).toBe(false);
    expect(d.faults(STATUS, 1)).toBe(true);
    expect(d.faults(0x40, 4)).toBe(true);
  });
});
