/**
 * A minimal virtio driver playing the guest in unit tests: sets up a virtio-mmio slot (legacy or
 * modern) and one split virtqueue in guest RAM, builds descriptor chains, submits them and reads
 * the used ring back. Everything goes through MMIO register accesses and the bus, as a guest's
 * loads and stores would.
 */
import type { Bus } from '../../../src/core/api.js';

export interface Mmio {
  read(offset: number): number;
  write(offset: number, value: number): void;
}

export const REG = {
  Magic: 0x000,
  Version: 0x004,
  DeviceID: 0x008,
  DeviceFeatures: 0x010,
  DeviceFeaturesSel: 0x014,
  DriverFeatures: 0x020,
  DriverFeaturesSel: 0x024,
  GuestPageSize: 0x028,
  QueueSel: 0x030,
  QueueNumMax: 0x034,
  QueueNum: 0x038,
  QueueAlign: 0x03c,
  QueuePFN: 0x040,
  QueueReady: 0x044,
  QueueNotify: 0x050,
  InterruptStatus: 0x060,
  InterruptACK: 0x064,
  Status: 0x070,
  QueueDescLow: 0x080,
  QueueDescHigh: 0x084,
  QueueDriverLow: 0x090,
  QueueDriverHigh: 0x094,
  QueueDeviceLow: 0x0a0,
  QueueDeviceHigh: 0x0a4,
  Config: 0x100,
} as const;

export const F_NEXT = 1;
export const F_WRITE = 2;
export const F_INDIRECT = 4;
export const NEEDS_RESET = 0x40;

export interface Desc {
  addr: number;
  len: number;
  flags: number;
  next?: number;
}

export interface DriverOptions {
  /** Queue size chosen by the driver (QueueNum). */
  size?: number;
  /** Feature bits (0..63) the driver accepts (only those the device offers are written, unless `force`). */
  features?: number[];
  /** Writes exactly `features`, offered or not. */
  force?: boolean;
  /** Where the queue lives: legacy uses one 4 KiB-aligned area; modern three separate addresses. */
  base?: number;
}

export class GuestDriver {
  readonly size: number;
  readonly desc: number;
  readonly driverArea: number;
  readonly deviceArea: number;
  readonly modern: boolean;
  private availIdx = 0;
  private usedSeen = 0;

  constructor(
    readonly mmio: Mmio,
    readonly bus: Bus,
    opts: DriverOptions = {},
  ) {
    this.size = opts.size ?? 16;
    this.modern = mmio.read(REG.Version) === 2;
    const base = opts.base ?? bus.ram.base + 0x1000;
    // Legacy layout (virtio 0.9.5 §2.3): desc, avail right after, used at the next 4 KiB boundary.
    this.desc = base;
    this.driverArea = base + 16 * this.size;
    const availEnd = this.driverArea + 6 + 2 * this.size;
    // Modern: anywhere (4-byte aligned); a gap shows the device follows QueueDevice, not a formula.
    this.deviceArea = this.modern ? Math.ceil(availEnd / 4) * 4 + 0x40 : Math.ceil(availEnd / 4096) * 4096;
    this.init(opts);
  }

  private init(opts: DriverOptions): void {
    const m = this.mmio;
    m.write(REG.Status, 0);
    m.write(REG.Status, 1);
    m.write(REG.Status, 1 | 2);
    const words = [0, 0];
    for (const bit of opts.features ?? []) words[bit >>> 5] |= 1 << (bit & 31);
    for (let sel = 0; sel < (this.modern ? 2 : 1); sel++) {
      m.write(REG.DeviceFeaturesSel, sel);
      const offered = m.read(REG.DeviceFeatures);
      m.write(REG.DriverFeaturesSel, sel);
      m.write(REG.DriverFeatures, opts.force ? words[sel] : words[sel] & offered);
    }
    if (this.modern) m.write(REG.Status, 1 | 2 | 8);
    m.write(REG.QueueSel, 0);
    m.write(REG.QueueNum, this.size);
    if (this.modern) {
      m.write(REG.QueueDescLow, this.desc);
      m.write(REG.QueueDescHigh, 0);
      m.write(REG.QueueDriverLow, this.driverArea);
      m.write(REG.QueueDriverHigh, 0);
      m.write(REG.QueueDeviceLow, this.deviceArea);
      m.write(REG.QueueDeviceHigh, 0);
      m.write(REG.QueueReady, 1);
    } else {
      m.write(REG.GuestPageSize, 4096);
      m.write(REG.QueueAlign, 4096);
      m.write(REG.QueuePFN, this.desc / 4096);
    }
    m.write(REG.Status, this.modern ? 1 | 2 | 8 | 4 : 1 | 2 | 4);
  }

  // --- guest memory ---
  w8(addr: number, v: number): void {
    this.bus.dmaWrite(addr, Uint8Array.of(v));
  }
  w16(addr: number, v: number): void {
    this.bus.dmaWrite(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }
  w32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.bus.dmaWrite(addr, b);
  }
  r16(addr: number): number {
    const b = new Uint8Array(2);
    this.bus.dmaRead(addr, b);
    return b[0] | (b[1] << 8);
  }
  r32(addr: number): number {
    const b = new Uint8Array(4);
    this.bus.dmaRead(addr, b);
    return new DataView(b.buffer).getUint32(0, true);
  }
  bytes(addr: number, len: number): Uint8Array {
    const b = new Uint8Array(len);
    this.bus.dmaRead(addr, b);
    return b;
  }
  put(addr: number, data: Uint8Array | number[]): void {
    this.bus.dmaWrite(addr, Uint8Array.from(data));
  }

  /** Writes descriptor `i` of the table at `table` (default: the queue's own). */
  setDesc(i: number, d: Desc, table = this.desc): void {
    const at = table + 16 * i;
    this.w32(at, d.addr % 2 ** 32);
    this.w32(at + 4, Math.floor(d.addr / 2 ** 32));
    this.w32(at + 8, d.len);
    this.w16(at + 12, d.flags);
    this.w16(at + 14, d.next ?? 0);
  }

  /** Lays `descs` out as one chain starting at descriptor `first` (NEXT flags added) and returns the head. */
  chain(descs: Desc[], first = 0, table = this.desc): number {
    descs.forEach((d, k) => {
      const last = k === descs.length - 1;
      this.setDesc(first + k, { ...d, flags: d.flags | (last ? 0 : F_NEXT), next: last ? 0 : first + k + 1 }, table);
    });
    return first;
  }

  /** Puts `head` on the avail ring (without notifying). */
  offer(head: number): void {
    this.w16(this.driverArea + 4 + 2 * (this.availIdx % this.size), head);
    this.availIdx = (this.availIdx + 1) & 0xffff;
    this.w16(this.driverArea + 2, this.availIdx);
  }

  /** Overwrites avail.idx directly (for malformed-ring tests). */
  setAvailIdx(idx: number): void {
    this.availIdx = idx & 0xffff;
    this.w16(this.driverArea + 2, this.availIdx);
  }

  setAvailFlags(flags: number): void {
    this.w16(this.driverArea, flags);
  }

  /** used_event (EVENT_IDX), after the avail ring. */
  setUsedEvent(idx: number): void {
    this.w16(this.driverArea + 4 + 2 * this.size, idx);
  }

  /** avail_event (EVENT_IDX), after the used ring. */
  availEvent(): number {
    return this.r16(this.deviceArea + 4 + 8 * this.size);
  }

  notify(queue = 0): void {
    this.mmio.write(REG.QueueNotify, queue);
  }

  submit(head: number): void {
    this.offer(head);
    this.notify();
  }

  usedIdx(): number {
    return this.r16(this.deviceArea + 2);
  }

  /** Used elements the driver has not looked at yet. */
  takeUsed(): Array<{ id: number; len: number }> {
    const out: Array<{ id: number; len: number }> = [];
    const idx = this.usedIdx();
    while (this.usedSeen !== idx) {
      const at = this.deviceArea + 4 + 8 * (this.usedSeen % this.size);
      out.push({ id: this.r32(at), len: this.r32(at + 4) });
      this.usedSeen = (this.usedSeen + 1) & 0xffff;
    }
    return out;
  }

  interruptStatus(): number {
    return this.mmio.read(REG.InterruptStatus);
  }

  ack(bits = 3): void {
    this.mmio.write(REG.InterruptACK, bits);
  }

  status(): number {
    return this.mmio.read(REG.Status);
  }
}
