import { describe, expect, it } from 'vitest';
import {
  register,
  type DescChain,
  type VirtioBackend,
  type VirtioMmioTransport,
  type VirtioTransport,
  type VirtQueue,
} from '../../../plugins/dev-virtio-mmio/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';
import { F_INDIRECT, F_NEXT, F_WRITE, GuestDriver, NEEDS_RESET, REG, type DriverOptions } from './guest-driver.js';

const virtioType = loadDevicePlugin(register).get('virtio-mmio')!;
const F_INDIRECT_DESC = 28;
const F_EVENT_IDX = 29;
const RAM = 0x80000000;
const BUF = RAM + 0x8000;

/** A device model that reverses what the driver wrote into the writable buffers. */
class EchoBackend implements VirtioBackend {
  readonly deviceId = 0x1f;
  readonly features: [number, number] = [(1 << F_INDIRECT_DESC) | (1 << F_EVENT_IDX), 0];
  readonly queueSizes = [16];
  readonly config = new Uint8Array(4);
  readonly seen: Array<{ head: number; readable: number; writable: number; segments: number; data: number[] }> = [];
  throwNext = false;
  constructor(readonly t: VirtioTransport) {}
  notify(q: VirtQueue): void {
    this.t.process(q.index, (c) => this.handle(c));
  }
  private handle(c: DescChain): number {
    if (this.throwNext) throw new Error('backend bug');
    const data = new Uint8Array(c.readableLength);
    expect(c.read(0, data)).toBe(true);
    this.seen.push({ head: c.head, readable: c.readableLength, writable: c.writableLength, segments: c.readable.length + c.writable.length, data: [...data] });
    const out = data.slice(0, c.writableLength).reverse();
    expect(c.write(0, out)).toBe(true);
    expect(c.write(c.writableLength, Uint8Array.of(1))).toBe(false); // past the end
    return out.length;
  }
  reset(): void {}
}

function setup(version: 1 | 2, opts: DriverOptions = {}) {
  const d: DeviceUnderTest = instantiate(virtioType, { name: 'virtio7', reg: [[0x10008000, 0x1000]], irqs: ['plic:8'], props: { version } });
  const transport = (d.device as unknown as { transport: VirtioMmioTransport }).transport;
  const backend = transport.attach((t) => new EchoBackend(t)) as EchoBackend;
  const logs: string[] = [];
  d.h.events.on('log', (e) => logs.push(`${e.source}: ${e.message}`));
  const g = new GuestDriver({ read: (o) => d.read(o), write: (o, v) => d.write(o, v) }, d.h.bus, { features: [F_INDIRECT_DESC, F_EVENT_IDX], ...opts });
  return { d, g, backend, transport, logs, irq: d.h.irqs[0] };
}

describe.each([
  ['legacy', 1 as const],
  ['modern', 2 as const],
])('virtqueue (%s layout)', (_name, version) => {
  it('serves a chain: readable buffers, then writable ones; used ring; interrupt until acknowledged', () => {
    const { g, backend, irq } = setup(version);
    g.put(BUF, [1, 2, 3]);
    g.put(BUF + 0x100, [4, 5]);
    const head = g.chain([
      { addr: BUF, len: 3, flags: 0 },
      { addr: BUF + 0x100, len: 2, flags: 0 },
      { addr: BUF + 0x200, len: 4, flags: F_WRITE },
    ]);
    g.submit(head);
    expect(backend.seen).toEqual([{ head: 0, readable: 5, writable: 4, segments: 3, data: [1, 2, 3, 4, 5] }]);
    expect([...g.bytes(BUF + 0x200, 4)]).toEqual([4, 3, 2, 1]);
    expect(g.takeUsed()).toEqual([{ id: 0, len: 4 }]);
    expect(g.interruptStatus()).toBe(1);
    expect(irq.level).toBe(true);
    g.ack(1);
    expect(g.interruptStatus()).toBe(0);
    expect(irq.level).toBe(false);
  });

  it('places the rings where the transport layout says (legacy: QueuePFN; modern: three addresses)', () => {
    const { g, transport } = setup(version);
    expect(transport.inspect().queue0).toContain(`desc 0x${g.desc.toString(16)}`);
    if (version === 1) expect(g.deviceArea % 4096).toBe(0);
    else expect(g.deviceArea % 4096).not.toBe(0);
    g.put(BUF, [9]);
    g.submit(g.chain([{ addr: BUF, len: 1, flags: 0 }]));
    expect(g.usedIdx()).toBe(1);
  });

  it('serves every chain made available before the notification, across ring wrap-around', () => {
    const { g, backend } = setup(version);
    for (let round = 0; round < 5; round++) {
      for (let k = 0; k < 8; k++) {
        g.put(BUF + k * 16, [round, k]);
        g.offer(g.chain([{ addr: BUF + k * 16, len: 2, flags: 0 }, { addr: BUF + 0x400 + k * 16, len: 2, flags: F_WRITE }], k * 2));
      }
      g.notify();
      const used = g.takeUsed();
      expect(used.map((u) => u.id)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
      expect(used.every((u) => u.len === 2)).toBe(true);
      for (let k = 0; k < 8; k++) expect([...g.bytes(BUF + 0x400 + k * 16, 2)]).toEqual([k, round]);
    }
    expect(backend.seen.length).toBe(40);
    expect(g.usedIdx()).toBe(40);
  });

  it('follows indirect descriptor tables (VIRTIO_RING_F_INDIRECT_DESC)', () => {
    const { g, backend } = setup(version);
    const table = RAM + 0x6000;
    g.put(BUF, [7, 8]);
    g.put(BUF + 0x10, [9]);
    g.chain([{ addr: BUF, len: 2, flags: 0 }, { addr: BUF + 0x10, len: 1, flags: 0 }, { addr: BUF + 0x20, len: 3, flags: F_WRITE }], 0, table);
    g.setDesc(5, { addr: table, len: 3 * 16, flags: F_INDIRECT });
    g.submit(5);
    expect(backend.seen[0]).toMatchObject({ head: 5, readable: 3, writable: 3, segments: 3, data: [7, 8, 9] });
    expect(g.takeUsed()).toEqual([{ id: 5, len: 3 }]);
    expect([...g.bytes(BUF + 0x20, 3)]).toEqual([9, 8, 7]);
  });

  it('does not interrupt when the driver sets VIRTQ_AVAIL_F_NO_INTERRUPT, but still fills the used ring', () => {
    const { g, irq } = setup(version, { features: [] });
    g.setAvailFlags(1);
    g.put(BUF, [1]);
    g.submit(g.chain([{ addr: BUF, len: 1, flags: 0 }]));
    expect(g.usedIdx()).toBe(1);
    expect(g.interruptStatus()).toBe(0);
    expect(irq.raised).toBe(0);
    g.setAvailFlags(0);
    g.submit(g.chain([{ addr: BUF, len: 1, flags: 0 }]));
    expect(g.interruptStatus()).toBe(1);
  });

  it('with EVENT_IDX, interrupts when the used index passes used_event and publishes avail_event', () => {
    const { g, irq } = setup(version);
    const one = () => g.chain([{ addr: BUF, len: 1, flags: 0 }]);
    g.setUsedEvent(2); // "interrupt me once used.idx passes 2", i.e. after the third buffer
    g.submit(one()); // first decision after a reset always interrupts
    expect(irq.raised).toBe(1);
    g.ack();
    g.submit(one());
    expect(g.interruptStatus()).toBe(0);
    g.submit(one());
    expect(g.interruptStatus()).toBe(1);
    expect(g.availEvent()).toBe(3);
    g.ack();
    g.submit(one());
    expect(g.interruptStatus()).toBe(0);
    expect(g.usedIdx()).toBe(4);
    expect(g.availEvent()).toBe(4);
  });

  describe('malformed rings never reach the host: the device stops and asks for a reset', () => {
    const cases: Array<[string, (g: GuestDriver) => void, RegExp]> = [
      [
        'a loop in a chain',
        (g) => {
          g.setDesc(0, { addr: BUF, len: 1, flags: F_NEXT, next: 1 });
          g.setDesc(1, { addr: BUF, len: 1, flags: F_NEXT, next: 0 });
          g.submit(0);
        },
        /loop/,
      ],
      [
        'a chain longer than the queue',
        (g) => {
          for (let i = 0; i < 16; i++) g.setDesc(i, { addr: BUF, len: 1, flags: F_NEXT, next: (i + 1) % 16 });
          g.submit(3);
        },
        /longer than its table/,
      ],
      ['a buffer outside RAM', (g) => g.submit(g.chain([{ addr: 0x1000, len: 4, flags: 0 }])), /outside guest RAM/],
      ['a buffer running past the end of RAM', (g) => g.submit(g.chain([{ addr: RAM + 0xfff0, len: 0x20, flags: F_WRITE }])), /outside guest RAM/],
      ['a 64-bit buffer address', (g) => g.submit(g.chain([{ addr: 2 ** 32 + RAM, len: 4, flags: 0 }])), /outside guest RAM/],
      [
        'a head index past the queue',
        (g) => {
          g.submit(40);
        },
        /not a descriptor index/,
      ],
      [
        'a next index past the queue',
        (g) => {
          g.setDesc(0, { addr: BUF, len: 1, flags: F_NEXT, next: 99 });
          g.submit(0);
        },
        /next 99 is past the table/,
      ],
      [
        'avail.idx jumping more than the queue size ahead',
        (g) => {
          g.setAvailIdx(1000);
          g.notify();
        },
        /avail\.idx 1000/,
      ],
      [
        'a readable buffer after a writable one',
        (g) => g.submit(g.chain([{ addr: BUF, len: 1, flags: F_WRITE }, { addr: BUF, len: 1, flags: 0 }])),
        /readable buffer after a device-writable/,
      ],
      [
        'an indirect table that loops',
        (g) => {
          const table = RAM + 0x6000;
          g.setDesc(0, { addr: BUF, len: 1, flags: F_NEXT, next: 1 }, table);
          g.setDesc(1, { addr: BUF, len: 1, flags: F_NEXT, next: 0 }, table);
          g.setDesc(0, { addr: table, len: 32, flags: F_INDIRECT });
          g.submit(0);
        },
        /indirect descriptor chain .* a loop/,
      ],
      [
        'an indirect table inside an indirect table',
        (g) => {
          const table = RAM + 0x6000;
          g.setDesc(0, { addr: table, len: 16, flags: F_INDIRECT }, table);
          g.setDesc(0, { addr: table, len: 16, flags: F_INDIRECT });
          g.submit(0);
        },
        /inside an indirect table/,
      ],
      ['an indirect table of odd length', (g) => g.submit(g.chain([{ addr: RAM + 0x6000, len: 24, flags: F_INDIRECT }])), /not a multiple of 16/],
      ['an indirect table outside RAM', (g) => g.submit(g.chain([{ addr: 0x2000, len: 32, flags: F_INDIRECT }])), /indirect table .* outside guest RAM/],
      [
        'an indirect descriptor with F_NEXT',
        (g) => {
          g.setDesc(0, { addr: RAM + 0x6000, len: 16, flags: F_INDIRECT | F_NEXT, next: 1 });
          g.submit(0);
        },
        /also has F_NEXT/,
      ],
      [
        'a descriptor table outside RAM',
        (g) => {
          if (g.modern) {
            g.mmio.write(REG.QueueReady, 0);
            g.mmio.write(REG.QueueDescLow, 0x4000);
            g.mmio.write(REG.QueueReady, 1);
          } else g.mmio.write(REG.QueuePFN, 0x40);
          g.submit(0);
        },
        /outside guest RAM/,
      ],
      [
        'a queue size that is not a power of 2',
        (g) => {
          g.mmio.write(REG.QueueNum, 12);
          if (!g.modern) g.mmio.write(REG.QueuePFN, g.desc / 4096);
          g.submit(0);
        },
        /size 12 is not a power of 2/,
      ],
    ];

    it.each(cases)('%s', (_what, act, message) => {
      const { g, backend, logs, irq } = setup(version);
      expect(() => act(g)).not.toThrow();
      expect(logs.join('\n')).toMatch(message);
      expect(logs.join('\n')).toMatch(/^virtio7: queue 0: .*device needs reset/);
      expect(backend.seen).toEqual([]);
      if (version === 2) {
        expect(g.status() & NEEDS_RESET).toBe(NEEDS_RESET);
        expect(g.interruptStatus() & 2).toBe(2); // configuration change notification (§2.1.2)
        expect(irq.level).toBe(true);
      } else {
        expect(g.status() & NEEDS_RESET).toBe(0); // no such bit in the legacy interface
      }
      // A broken device ignores further notifications, even for good chains...
      g.put(BUF, [1]);
      const before = g.usedIdx();
      g.submit(g.chain([{ addr: BUF, len: 1, flags: 0 }], 2));
      expect(g.usedIdx()).toBe(before);
      // ...until the driver resets it and sets it up again.
      const fresh = new GuestDriver(g.mmio, g.bus, { features: [F_INDIRECT_DESC] });
      expect(fresh.status() & NEEDS_RESET).toBe(0);
      fresh.put(BUF, [5]);
      fresh.submit(fresh.chain([{ addr: BUF, len: 1, flags: 0 }]));
      expect(backend.seen.length).toBe(1);
      expect(fresh.takeUsed()).toEqual([{ id: 0, len: 0 }]);
    });
  });

  it('refuses indirect descriptors the driver did not negotiate', () => {
    const { g, logs, backend } = setup(version, { features: [] });
    g.submit(g.chain([{ addr: RAM + 0x6000, len: 16, flags: F_INDIRECT }]));
    expect(backend.seen).toEqual([]);
    expect(logs.join()).toMatch(/VIRTIO_RING_F_INDIRECT_DESC was not negotiated/);
  });

  it('turns a failing backend into a broken device, not a host exception', () => {
    const { g, logs, backend } = setup(version);
    backend.throwNext = true;
    g.put(BUF, [1]);
    expect(() => g.submit(g.chain([{ addr: BUF, len: 1, flags: 0 }]))).not.toThrow();
    expect(logs.join()).toMatch(/internal error: Error: backend bug/);
    expect(g.usedIdx()).toBe(0);
  });

  it('fails the device when the used ring lies outside RAM', () => {
    const { g, logs } = setup(version);
    if (version === 2) {
      g.mmio.write(REG.QueueDeviceLow, 0x3000);
    } else {
      // Legacy: a queue at the end of RAM puts its used ring past it.
      g.mmio.write(REG.QueuePFN, (RAM + 0xf000) / 4096);
    }
    g.put(BUF, [1]);
    const table = version === 2 ? g.desc : RAM + 0xf000;
    g.setDesc(0, { addr: BUF, len: 1, flags: 0 }, table);
    g.w16((version === 2 ? g.driverArea : RAM + 0xf000 + 16 * 16) + 4, 0);
    g.w16((version === 2 ? g.driverArea : RAM + 0xf000 + 16 * 16) + 2, 1);
    expect(() => g.notify()).not.toThrow();
    expect(logs.join()).toMatch(/used\.ring\[0\] .* outside guest RAM/);
  });
});

describe('virtio transport feature negotiation', () => {
  it('reports negotiated features to the backend (hasFeature) and adds VERSION_1 on modern', () => {
    const modern = setup(2, { features: [F_INDIRECT_DESC, 32] });
    expect(modern.transport.hasFeature(F_INDIRECT_DESC)).toBe(true);
    expect(modern.transport.hasFeature(F_EVENT_IDX)).toBe(false);
    expect(modern.transport.hasFeature(32)).toBe(true);
    const legacy = setup(1, { features: [F_EVENT_IDX, 32] });
    expect(legacy.transport.hasFeature(F_EVENT_IDX)).toBe(true);
    expect(legacy.transport.hasFeature(32)).toBe(false);
  });

  it('leaves FEATURES_OK clear when the driver accepts features the device never offered (modern)', () => {
    const { g, logs } = setup(2, { features: [F_INDIRECT_DESC, 3], force: true });
    expect(g.status() & 8).toBe(0);
    expect(logs.join()).toMatch(/FEATURES_OK refused/);
  });
});
