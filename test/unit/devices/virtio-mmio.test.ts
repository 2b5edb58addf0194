import { describe, expect, it } from 'vitest';
import { register, type VirtioBackend, type VirtioTransport, type VirtQueue, type VirtioMmioTransport } from '../../../plugins/dev-virtio-mmio/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const virtioType = loadDevicePlugin(register).get('virtio-mmio')!;

function slot(props: Record<string, unknown> = {}): DeviceUnderTest {
  return instantiate(virtioType, { name: 'virtio0', reg: [[0x10001000, 0x1000]], irqs: ['plic:1'], props });
}
const transport = (d: DeviceUnderTest) => (d.device as unknown as { transport: VirtioMmioTransport }).transport;

/** Every register offset of both layouts. */
const REGISTERS = [
  0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x020, 0x024, 0x028, 0x030, 0x034, 0x038, 0x03c, 0x040, 0x044, 0x050, 0x060, 0x064, 0x070, 0x080,
  0x084, 0x090, 0x094, 0x0a0, 0x0a4, 0x0fc,
];

class FakeBackend implements VirtioBackend {
  readonly deviceId = 2;
  readonly features: [number, number] = [0x0000_0246, 0x0000_0010];
  readonly queueSizes = [256, 128];
  readonly config = Uint8Array.from([0x00, 0x10, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb]);
  notified: VirtQueue[] = [];
  accepted: Array<readonly [number, number]> = [];
  configWrites: Array<[number, number]> = [];
  resets = 0;
  constructor(readonly t: VirtioTransport) {}
  notify(q: VirtQueue): void {
    this.notified.push({ ...q });
  }
  configWritten(offset: number, size: number): void {
    this.configWrites.push([offset, size]);
  }
  featuresAccepted(f: readonly [number, number]): void {
    this.accepted.push([...f]);
  }
  reset(): void {
    this.resets++;
  }
}
function withBackend(version: 1 | 2): { d: DeviceUnderTest; b: FakeBackend } {
  const d = slot({ version });
  const b = transport(d).attach((t) => new FakeBackend(t)) as FakeBackend;
  return { d, b };
}

describe('virtio-mmio plugin', () => {
  it('defines the virtio-mmio type', () => {
    expect(virtioType.compatible).toEqual(['virtio,mmio']);
    expect(virtioType.nodeName).toBe('virtio_mmio');
  });

  describe('empty slot (no backend), like QEMU virt', () => {
    it('answers magic, legacy version 1 by default, device 0 and the QEMU vendor', () => {
      const d = slot();
      expect(d.read(0x000)).toBe(0x74726976);
      expect(d.read(0x004)).toBe(1);
      expect(d.read(0x008)).toBe(0);
      expect(d.read(0x00c)).toBe(0x554d4551);
    });

    it('reports version 2 when props.version is 2', () => {
      expect(slot({ version: 2 }).read(0x004)).toBe(2);
      expect(() => slot({ version: 3 })).toThrow(/version/);
    });

    it('reads 0 everywhere else and ignores writes', () => {
      for (const version of [1, 2]) {
        const d = slot({ version });
        for (const off of REGISTERS.slice(4)) expect(d.read(off), `offset ${off.toString(16)}`).toBe(0);
        for (const off of REGISTERS) d.write(off, 0xffffffff);
        d.write(0x070, 0x0f); // Status
        expect(d.read(0x070)).toBe(0);
        expect(d.read(0x000)).toBe(0x74726976);
        for (const off of REGISTERS.slice(4)) expect(d.read(off)).toBe(0);
        for (let off = 0x100; off < 0x200; off += 4) expect(d.read(off)).toBe(0);
        expect(d.h.irqs[0].raised).toBe(0);
      }
    });

    it('decodes 0x200 bytes (QEMU) and faults above', () => {
      const d = slot();
      expect(d.faults(0x1fc, 4)).toBe(false);
      expect(d.faults(0x200, 4)).toBe(true);
      expect(d.faults(0xffc, 4, true)).toBe(true);
    });

    it('adds no device-specific DT properties and names its registers', () => {
      const d = slot();
      expect(d.device.deviceTree).toBeUndefined();
      expect(d.regs().nameAt(0x070)).toBe('Status');
      expect(d.regs().nameAt(0x040)).toBe('QueuePFN');
      expect(slot({ version: 2 }).regs().nameAt(0x044)).toBe('QueueReady');
      expect(d.regs().nameAt(0x104)).toBe('Config[1]');
    });

    it('reads sub-word register accesses as 0', () => {
      expect(slot().read(0x000, 1)).toBe(0);
    });
  });

  describe('with a backend (modern)', () => {
    it('exposes device ID, features (with VERSION_1) and queue sizes', () => {
      const { d } = withBackend(2);
      expect(d.read(0x008)).toBe(2);
      expect(d.read(0x010)).toBe(0x246);
      d.write(0x014, 1);
      expect(d.read(0x010)).toBe(0x11);
      d.write(0x014, 2);
      expect(d.read(0x010)).toBe(0);
      expect(d.read(0x034)).toBe(256);
      d.write(0x030, 1);
      expect(d.read(0x034)).toBe(128);
      d.write(0x030, 2);
      expect(d.read(0x034)).toBe(0);
    });

    it('negotiates features and sets up queues', () => {
      const { d, b } = withBackend(2);
      d.write(0x070, 1 | 2);
      d.write(0x024, 0);
      d.write(0x020, 0x42);
      d.write(0x024, 1);
      d.write(0x020, 0x1);
      d.write(0x070, 1 | 2 | 8);
      expect(b.accepted).toEqual([[0x42, 0x1]]);
      expect(d.read(0x070)).toBe(11);
      d.write(0x030, 1);
      d.write(0x038, 64);
      d.write(0x080, 0x8000_1000);
      d.write(0x084, 0x1);
      d.write(0x090, 0x8000_2000);
      d.write(0x0a0, 0x8000_3000);
      d.write(0x044, 1);
      expect(d.read(0x044)).toBe(1);
      d.write(0x050, 1);
      expect(b.notified).toEqual([{ index: 1, size: 64, ready: true, desc: 0x1_8000_1000, driver: 0x8000_2000, device: 0x8000_3000 }]);
      d.write(0x050, 7); // no such queue
      expect(b.notified.length).toBe(1);
    });

    it('raises the interrupt from InterruptStatus until acknowledged', () => {
      const { d, b } = withBackend(2);
      b.t.interrupt(1);
      expect(d.h.irqs[0].level).toBe(true);
      expect(d.read(0x060)).toBe(1);
      d.write(0x064, 1);
      expect(d.read(0x060)).toBe(0);
      expect(d.h.irqs[0].level).toBe(false);
    });

    it('reads and writes config space at any size and tracks ConfigGeneration', () => {
      const { d, b } = withBackend(2);
      expect(d.read(0x100, 4)).toBe(0x1000);
      expect(d.read(0x108, 2)).toBe(0xbbaa);
      expect(d.read(0x109, 1)).toBe(0xbb);
      expect(d.read(0x1f0, 4)).toBe(0);
      d.write(0x108, 0x77, 1);
      expect(b.config[8]).toBe(0x77);
      expect(b.configWrites).toEqual([[8, 1]]);
      expect(d.read(0x0fc)).toBe(0);
      b.t.configChanged();
      expect(d.read(0x0fc)).toBe(1);
      expect(d.read(0x060)).toBe(2);
    });

    it('resets the device when the driver writes status 0', () => {
      const { d, b } = withBackend(2);
      d.write(0x070, 0x0f);
      d.write(0x044, 1);
      b.t.interrupt(1);
      const before = b.resets;
      d.write(0x070, 0);
      expect(b.resets).toBe(before + 1);
      expect(d.read(0x070)).toBe(0);
      expect(d.read(0x044)).toBe(0);
      expect(d.h.irqs[0].level).toBe(false);
    });
  });

  describe('with a backend (legacy)', () => {
    it('computes the vring layout from QueuePFN and GuestPageSize', () => {
      const { d, b } = withBackend(1);
      d.write(0x014, 1);
      expect(d.read(0x010)).toBe(0); // legacy: only 32 feature bits
      d.write(0x028, 4096);
      d.write(0x030, 0);
      d.write(0x038, 256);
      d.write(0x03c, 4096);
      d.write(0x040, 0x80010);
      expect(d.read(0x040)).toBe(0x80010);
      d.write(0x050, 0);
      expect(b.notified[0]).toEqual({ index: 0, size: 256, ready: true, desc: 0x8001_0000, driver: 0x8001_1000, device: 0x8001_2000 });
      d.write(0x070, 1 | 2 | 4);
      expect(b.accepted.length).toBe(1);
      d.write(0x040, 0); // PFN 0 resets the device (QEMU)
      expect(d.read(0x040)).toBe(0);
      expect(d.read(0x070)).toBe(0);
    });
  });

  it('machine reset clears the transport', () => {
    const { d, b } = withBackend(2);
    d.write(0x070, 7);
    b.t.interrupt(1);
    d.device.reset!();
    expect(d.read(0x070)).toBe(0);
    expect(d.read(0x060)).toBe(0);
    expect(d.h.irqs[0].level).toBe(false);
    expect(d.device.inspect!().status).toBe('0x0');
  });
});
