/**
 * The virtio-mmio transport (virtio 1.x spec §4.2.2 "MMIO Device Register Layout", and §4.2.4
 * "Legacy interface" for Version 1), as QEMU 7.2 implements it in hw/virtio/virtio-mmio.c.
 *
 * The transport knows registers, feature/queue selection, status and the interrupt line; a
 * `VirtioBackend` (virtio-blk, ...) supplies the device ID, features, queue sizes and config space
 * and processes queue notifications. Without a backend the slot behaves like QEMU's empty virt
 * slots: MagicValue, Version and VendorID answer, DeviceID and everything else read 0, writes are
 * ignored and the interrupt never rises, so Linux probes the slot and finds no device.
 *
 * Register accesses must be aligned 32-bit (other sizes read 0 and are ignored, as QEMU logs
 * "wrong size access": the device's choice, not a bus refusal); config space at 0x100 accepts any
 * size. QEMU decodes 0x200 bytes; the bus refuses the rest of the board's window (access fault).
 *
 * The transport also runs the split virtqueues for its backend (`process`): the backend sees
 * descriptor chains, never ring memory. A malformed ring or request makes the device "broken"
 * (QEMU's virtio_error): it ignores notifications until reset and, on the modern interface, sets
 * DEVICE_NEEDS_RESET and raises a configuration-change interrupt (§2.1.2); the reason goes to the
 * machine's `log` events.
 */
import type { AccessSize, Bus, DeviceContext, IrqLine } from '../../../src/core/api.js';
import type { RegisterMap, RegisterSpec } from '../../../src/core/regmap.js';
import { SplitRing, VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC, VirtqueueError, type DescChain, type RingFeatures } from './virtqueue.js';

export const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"
export const VIRTIO_MMIO_VENDOR_QEMU = 0x554d4551; // "QEMU"
const CONFIG_BASE = 0x100;
const WINDOW = 0x200;
/** QEMU's VIRTIO_QUEUE_MAX: QueueSel values at or above it are ignored. */
const QUEUE_SEL_MAX = 1024;
/** Legacy default vring alignment (VIRTIO_PCI_VRING_ALIGN). */
const LEGACY_ALIGN = 4096;
/** VIRTIO_F_VERSION_1 is feature bit 32: bit 0 of the high word. */
const F_VERSION_1_HI = 1;

export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_NEEDS_RESET = 0x40;
export const STATUS_FAILED = 0x80;

export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

/** Guest-physical addresses of one virtqueue (split ring), as the driver set them up. */
export interface VirtQueue {
  readonly index: number;
  /** Queue size chosen by the driver (QueueNum). */
  size: number;
  ready: boolean;
  /** Descriptor table, driver (available) ring and device (used) ring addresses. */
  desc: number;
  driver: number;
  device: number;
}

/** What a virtio device model gives the transport. */
export interface VirtioBackend {
  /** Virtio device ID (§5: 1 net, 2 block, 4 entropy, ...). */
  readonly deviceId: number;
  /** Device feature bits as [bits 0..31, bits 32..63]; the transport adds VERSION_1 for Version 2. */
  readonly features: readonly [number, number];
  /** Maximum size of each virtqueue (QueueNumMax); its length is the number of queues. */
  readonly queueSizes: readonly number[];
  /** Device configuration space, read and written by the guest at 0x100. */
  readonly config: Uint8Array;
  /** The driver notified queue `queue.index` (QueueNotify). */
  notify(queue: VirtQueue): void;
  /** The guest wrote `size` bytes of config space at `offset` (already stored in `config`). */
  configWritten?(offset: number, size: number): void;
  /** The driver set FEATURES_OK (modern) or DRIVER_OK with these negotiated features. */
  featuresAccepted?(features: readonly [number, number]): void;
  /** Device reset (driver wrote status 0, or machine reset). */
  reset(): void;
  /** The machine is shutting down: flush and close host resources. */
  close?(): void | Promise<void>;
  /** Key/value state for the TUI, merged into the slot's. */
  inspect?(): Record<string, number | string>;
}

/** What the transport offers a backend. */
export interface VirtioTransport {
  /** Guest memory for DMA (bus.dmaRead/dmaWrite). */
  readonly bus: Bus;
  /** Sets InterruptStatus bits (INT_USED_BUFFER, INT_CONFIG_CHANGE) and raises the line. */
  interrupt(bits: number): void;
  /** Signals a config space change: bumps ConfigGeneration and raises a config interrupt. */
  configChanged(): void;
  /** True on the modern (Version 2) interface. */
  readonly modern: boolean;
  /** Whether feature `bit` (0..63) was offered and accepted by the driver (VERSION_1 included on modern). */
  hasFeature(bit: number): boolean;
  /**
   * Consumes the chains the driver made available on queue `index`: `handle` serves each and
   * returns the number of bytes it wrote into the chain's writable buffers (the used length);
   * then the used ring is updated and the interrupt raised unless the driver suppressed it
   * (§2.7.7, §2.7.10). A malformed ring, or `handle` calling `fail` or throwing, stops processing.
   */
  process(index: number, handle: (chain: DescChain) => number): void;
  /** The driver broke the protocol: log `message`, stop serving queues until reset, DEVICE_NEEDS_RESET on modern. */
  fail(message: string): void;
  /** A `log` event from this slot (unsupported guest use and the like). */
  log(message: string): void;
}

/** Transport-side queue state: the backend's view plus the raw register halves and legacy fields. */
interface QueueState {
  readonly view: VirtQueue;
  pfn: number;
  align: number;
  /** desc lo/hi, driver lo/hi, device lo/hi as the driver wrote them (modern). */
  readonly halves: Uint32Array;
  readonly ring: SplitRing;
}

export class VirtioMmioTransport implements VirtioTransport {
  readonly bus: Bus;
  private regMap!: RegisterMap;
  private ver: 1 | 2;
  private backend: VirtioBackend | undefined;
  /** A protocol error happened: queues are not served until the next device reset. */
  private broken = false;
  private readonly irq: IrqLine;

  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private readonly driverFeatures: [number, number] = [0, 0];
  private guestPageShift = 0;
  private queueSel = 0;
  private queues: QueueState[] = [];
  private interruptStatus = 0;
  private status = 0;
  private configGeneration = 0;

  constructor(
    private readonly ctx: DeviceContext,
    version: 1 | 2,
  ) {
    this.bus = ctx.bus;
    this.ver = version;
    this.irq = ctx.output('irq');
    this.setVersion(version);
  }

  get version(): 1 | 2 {
    return this.ver;
  }

  get regs(): RegisterMap {
    return this.regMap;
  }

  get name(): string {
    return this.ctx.entry.name;
  }

  /** Chooses the legacy (1) or modern (2) register layout; only before the machine runs (a drive's `transport=`). */
  setVersion(version: 1 | 2): void {
    this.ver = version;
    this.regMap = this.ctx.registers({ extent: WINDOW, registers: this.registerSpecs() });
  }

  /** Plugs a device model into this slot (at machine construction time). */
  attach(makeBackend: (transport: VirtioTransport) => VirtioBackend): VirtioBackend {
    this.backend = makeBackend(this);
    this.resetDevice();
    return this.backend;
  }

  get hasBackend(): boolean {
    return this.backend !== undefined;
  }

  /** True after a protocol error, until the driver resets the device. */
  get isBroken(): boolean {
    return this.broken;
  }

  hasFeature(bit: number): boolean {
    const b = this.backend;
    if (!b || bit < 0 || bit > 63) return false;
    const word = bit >>> 5;
    const offered = word === 0 ? b.features[0] : b.features[1] | (this.modern ? F_VERSION_1_HI : 0);
    return (this.driverFeatures[word] & offered & (1 << (bit & 31))) !== 0;
  }

  process(index: number, handle: (chain: DescChain) => number): void {
    const q = this.queues[index];
    const max = this.backend?.queueSizes[index] ?? 0;
    if (!q || this.broken || !q.view.ready) return;
    const v = q.view;
    if (v.size === 0 || v.size > max || (v.size & (v.size - 1)) !== 0) {
      this.fail(`queue ${index}: size ${v.size} is not a power of 2 between 1 and QueueNumMax ${max}`);
      return;
    }
    const features: RingFeatures = { indirect: this.hasFeature(VIRTIO_RING_F_INDIRECT_DESC), eventIdx: this.hasFeature(VIRTIO_RING_F_EVENT_IDX) };
    let pushed = false;
    try {
      // Serve what was available at the notification: a request whose data lands on the avail
      // ring itself cannot keep the device busy forever.
      for (let n = q.ring.pending(v); n > 0; n--) {
        const chain = q.ring.pop(v, features);
        if (!chain) break;
        const written = handle(chain);
        if (this.broken) return;
        q.ring.push(v, chain, written);
        pushed = true;
      }
      if (features.eventIdx) q.ring.publishAvailEvent(v);
      if (pushed && q.ring.needsInterrupt(v, features)) this.interrupt(INT_USED_BUFFER);
    } catch (e) {
      const why = e instanceof VirtqueueError ? e.message : `internal error: ${(e as Error).stack ?? e}`;
      this.fail(`queue ${index}: ${why}`);
    }
  }

  fail(message: string): void {
    this.log(`${message}; device needs reset`);
    if (this.broken) return;
    this.broken = true;
    // §2.1.2: DEVICE_NEEDS_RESET and a configuration change notification (modern only: the
    // legacy interface has no such status bit, QEMU just stops the device).
    if (this.modern) {
      this.status |= STATUS_NEEDS_RESET;
      if (this.status & STATUS_DRIVER_OK) this.configChanged();
    }
  }

  log(message: string): void {
    if (this.ctx.events.wants('log')) this.ctx.events.emit('log', { source: this.ctx.entry.name, message });
  }

  /** Machine teardown: the backend closes its host resources. */
  close(): void | Promise<void> {
    return this.backend?.close?.();
  }

  interrupt(bits: number): void {
    this.interruptStatus |= bits & 3;
    this.updateInterrupts();
  }

  configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    this.interrupt(INT_CONFIG_CHANGE);
  }

  /** The one place computing the interrupt output. */
  private updateInterrupts(): void {
    this.irq.set(this.backend !== undefined && this.interruptStatus !== 0);
  }

  get modern(): boolean {
    return this.ver === 2;
  }

  private currentQueue() {
    return this.queues[this.queueSel];
  }

  private registerSpecs(): RegisterSpec[] {
    const ro = (name: string, offset: number, read: () => number): RegisterSpec => ({ name, offset, access: 'ro', read: () => read() >>> 0 });
    const wo = (name: string, offset: number, write: (v: number) => void): RegisterSpec => ({
      name,
      offset,
      access: 'wo',
      write: (v) => {
        if (this.backend) write(v);
      },
    });
    const rw = (name: string, offset: number, read: () => number, write: (v: number) => void): RegisterSpec => ({
      name,
      offset,
      read: () => (this.backend ? read() >>> 0 : 0),
      write: (v) => {
        if (this.backend) write(v);
      },
    });
    const modernOnly = (spec: RegisterSpec): RegisterSpec[] => (this.modern ? [spec] : []);
    const legacyOnly = (spec: RegisterSpec): RegisterSpec[] => (this.modern ? [] : [spec]);
    const queueAddr = (name: string, offset: number, field: 'desc' | 'driver' | 'device', half: 0 | 1): RegisterSpec =>
      wo(name, offset, (v) => {
        const q = this.currentQueue();
        if (!q) return;
        const slot = (field === 'desc' ? 0 : field === 'driver' ? 2 : 4) + half;
        q.halves[slot] = v;
        q.view[field] = q.halves[slot & ~1] + q.halves[slot | 1] * 2 ** 32;
      });

    return [
      ro('MagicValue', 0x000, () => VIRTIO_MMIO_MAGIC),
      ro('Version', 0x004, () => this.ver),
      ro('DeviceID', 0x008, () => this.backend?.deviceId ?? 0),
      ro('VendorID', 0x00c, () => VIRTIO_MMIO_VENDOR_QEMU),
      ro('DeviceFeatures', 0x010, () => this.deviceFeatures()),
      wo('DeviceFeaturesSel', 0x014, (v) => (this.deviceFeaturesSel = v)),
      wo('DriverFeatures', 0x020, (v) => {
        if (this.driverFeaturesSel < (this.modern ? 2 : 1)) this.driverFeatures[this.driverFeaturesSel] = v;
      }),
      wo('DriverFeaturesSel', 0x024, (v) => (this.driverFeaturesSel = v)),
      ...legacyOnly(
        wo('GuestPageSize', 0x028, (v) => {
          const shift = v === 0 ? 0 : 31 - Math.clz32(v & -v);
          this.guestPageShift = shift;
        }),
      ),
      wo('QueueSel', 0x030, (v) => {
        if (v < QUEUE_SEL_MAX) this.queueSel = v;
      }),
      ro('QueueNumMax', 0x034, () => (this.backend?.queueSizes[this.queueSel] ?? 0)),
      wo('QueueNum', 0x038, (v) => {
        const q = this.currentQueue();
        if (q) {
          q.view.size = v;
          if (!this.modern) this.legacyAddresses(q);
        }
      }),
      ...legacyOnly(
        wo('QueueAlign', 0x03c, (v) => {
          const q = this.currentQueue();
          if (q) {
            q.align = v;
            this.legacyAddresses(q);
          }
        }),
      ),
      ...legacyOnly(
        rw(
          'QueuePFN',
          0x040,
          () => this.currentQueue()?.pfn ?? 0,
          (v) => {
            if (v === 0) return this.resetDevice();
            const q = this.currentQueue();
            if (q) {
              q.pfn = v;
              q.view.ready = true;
              this.legacyAddresses(q);
            }
          },
        ),
      ),
      ...modernOnly(
        rw(
          'QueueReady',
          0x044,
          () => (this.currentQueue()?.view.ready ? 1 : 0),
          (v) => {
            const q = this.currentQueue();
            if (q) q.view.ready = (v & 1) !== 0;
          },
        ),
      ),
      wo('QueueNotify', 0x050, (v) => {
        const q = this.queues[v];
        if (q && !this.broken) this.backend!.notify(q.view);
      }),
      ro('InterruptStatus', 0x060, () => (this.backend ? this.interruptStatus : 0)),
      wo('InterruptACK', 0x064, (v) => {
        this.interruptStatus &= ~v;
        this.updateInterrupts();
      }),
      rw(
        'Status',
        0x070,
        () => this.status,
        (v) => this.writeStatus(v & 0xff),
      ),
      ...modernOnly(queueAddr('QueueDescLow', 0x080, 'desc', 0)),
      ...modernOnly(queueAddr('QueueDescHigh', 0x084, 'desc', 1)),
      ...modernOnly(queueAddr('QueueDriverLow', 0x090, 'driver', 0)),
      ...modernOnly(queueAddr('QueueDriverHigh', 0x094, 'driver', 1)),
      ...modernOnly(queueAddr('QueueDeviceLow', 0x0a0, 'device', 0)),
      ...modernOnly(queueAddr('QueueDeviceHigh', 0x0a4, 'device', 1)),
      ...modernOnly(ro('ConfigGeneration', 0x0fc, () => (this.backend ? this.configGeneration : 0))),
      { name: 'Config', offset: CONFIG_BASE, count: (WINDOW - CONFIG_BASE) / 4, stride: 4 },
    ];
  }

  private deviceFeatures(): number {
    const b = this.backend;
    if (!b) return 0;
    const sel = this.deviceFeaturesSel;
    if (!this.modern) return sel === 0 ? b.features[0] : 0;
    if (sel === 0) return b.features[0];
    if (sel === 1) return b.features[1] | F_VERSION_1_HI;
    return 0;
  }

  /** Legacy layout (§4.2.4 / virtio 0.9.5 §2.3): one contiguous area at QueuePFN << page shift. */
  private legacyAddresses(q: QueueState): void {
    const base = q.pfn * 2 ** this.guestPageShift;
    const align = q.align || LEGACY_ALIGN;
    const v = q.view;
    v.desc = base;
    v.driver = base + 16 * v.size;
    v.device = Math.ceil((v.driver + 6 + 2 * v.size) / align) * align;
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.resetDevice();
      return;
    }
    const was = this.status;
    // NEEDS_RESET is the device's to set; the driver cannot clear it but by a reset.
    this.status = value | (was & STATUS_NEEDS_RESET);
    if (this.modern && value & STATUS_FEATURES_OK && !(was & STATUS_FEATURES_OK)) {
      // §3.1.1: the device leaves FEATURES_OK clear when the driver accepted bits it never offered.
      const b = this.backend!;
      const extra = [this.driverFeatures[0] & ~b.features[0], this.driverFeatures[1] & ~(b.features[1] | F_VERSION_1_HI)];
      if (extra[0] !== 0 || extra[1] !== 0) {
        this.status &= ~STATUS_FEATURES_OK;
        this.log(`driver accepted features it was not offered (0x${(extra[1] >>> 0).toString(16)}_${(extra[0] >>> 0).toString(16).padStart(8, '0')}); FEATURES_OK refused`);
        return;
      }
    }
    const accepted = this.modern ? STATUS_FEATURES_OK : STATUS_DRIVER_OK;
    if (value & accepted && !(was & accepted)) this.backend!.featuresAccepted?.([this.driverFeatures[0], this.driverFeatures[1]]);
  }

  /** Device reset (§2.4): status, features, queues and interrupts back to their initial state. */
  resetDevice(): void {
    this.status = 0;
    this.interruptStatus = 0;
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.driverFeatures[0] = 0;
    this.driverFeatures[1] = 0;
    this.queueSel = 0;
    this.broken = false;
    const sizes = this.backend?.queueSizes ?? [];
    this.queues = sizes.map((_, index) => ({
      view: { index, size: 0, ready: false, desc: 0, driver: 0, device: 0 },
      pfn: 0,
      align: LEGACY_ALIGN,
      halves: new Uint32Array(6),
      ring: new SplitRing(this.bus),
    }));
    this.backend?.reset();
    this.updateInterrupts();
  }

  /** Machine reset: the transport's own state too (QEMU virtio_mmio_reset). */
  reset(): void {
    this.regMap.reset();
    this.guestPageShift = 0;
    this.configGeneration = 0;
    this.resetDevice();
  }

  read(offset: number, size: AccessSize): number {
    if (offset >= CONFIG_BASE) return this.readConfig(offset - CONFIG_BASE, size);
    if (size !== 4 || (offset & 3) !== 0) return 0;
    return this.regMap.read(offset, 4);
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset >= CONFIG_BASE) return this.writeConfig(offset - CONFIG_BASE, size, value);
    if (size !== 4 || (offset & 3) !== 0) return;
    this.regMap.write(offset, 4, value);
  }

  private readConfig(offset: number, size: number): number {
    const cfg = this.backend?.config;
    if (!cfg) return 0;
    let v = 0;
    for (let k = 0; k < size; k++) v |= (offset + k < cfg.length ? cfg[offset + k] : 0) << (8 * k);
    return v >>> 0;
  }

  private writeConfig(offset: number, size: number, value: number): void {
    const b = this.backend;
    if (!b) return;
    for (let k = 0; k < size; k++) if (offset + k < b.config.length) b.config[offset + k] = value >>> (8 * k);
    b.configWritten?.(offset, size);
  }

  inspect(): Record<string, number | string> {
    const out: Record<string, number | string> = {
      version: this.ver,
      deviceId: this.backend?.deviceId ?? 0,
      status: '0x' + this.status.toString(16),
      interruptStatus: this.interruptStatus,
      queueSel: this.queueSel,
    };
    if (this.broken) out.broken = 'needs reset';
    for (const { view: q, ring } of this.queues) {
      out[`queue${q.index}`] = q.ready ? `size ${q.size} desc 0x${q.desc.toString(16)} avail ${ring.lastAvail} used ${ring.usedIdx}` : 'off';
    }
    return { ...out, ...(this.backend?.inspect?.() ?? {}) };
  }
}
