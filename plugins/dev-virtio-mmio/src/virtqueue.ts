/**
 * Split virtqueues from the device side (virtio 1.x §2.7 "Split Virtqueues"; the legacy layout of
 * §2.7.2 / virtio 0.9.5 is the same structure at addresses the transport computes from QueuePFN).
 *
 * Every guest access goes through `bus.dmaRead/dmaWrite`. Nothing the driver puts in the rings is
 * trusted: indices, descriptor addresses and chain lengths are checked, and a malformed ring
 * raises `VirtqueueError`, which the transport turns into DEVICE_NEEDS_RESET (§2.1.2) instead of a
 * host exception.
 */
import type { Bus } from '../../../src/core/api.js';

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
export const VIRTQ_USED_F_NO_NOTIFY = 1;
/** Feature bits implemented by the rings (§6). */
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;
/** Indirect tables longer than this are refused (QEMU's VIRTQUEUE_MAX_SIZE). */
export const MAX_INDIRECT = 1024;

const DESC_SIZE = 16;

/** A malformed ring: the device must stop and ask for a reset. */
export class VirtqueueError extends Error {}

/** One guest buffer of a chain. */
export interface Segment {
  addr: number;
  len: number;
}

/**
 * A popped descriptor chain (§2.7.5): driver-written ("readable") buffers first, then
 * device-writable ones. `read`/`write` address the concatenation of each group by byte offset.
 */
export class DescChain {
  readonly readable: Segment[] = [];
  readonly writable: Segment[] = [];
  readableLength = 0;
  writableLength = 0;

  constructor(
    private readonly bus: Bus,
    /** Head descriptor index: the id written to the used ring. */
    readonly head: number,
  ) {}

  /** Copies driver bytes at `offset` of the readable part into `dst`. False if past its end. */
  read(offset: number, dst: Uint8Array): boolean {
    return this.copy(this.readable, offset, dst.length, (addr, from, len) => this.bus.dmaRead(addr, dst.subarray(from, from + len)));
  }

  /** Copies `src` to `offset` of the writable part. False if past its end. */
  write(offset: number, src: Uint8Array): boolean {
    return this.copy(this.writable, offset, src.length, (addr, from, len) => this.bus.dmaWrite(addr, src.subarray(from, from + len)));
  }

  private copy(segs: Segment[], offset: number, length: number, io: (addr: number, from: number, len: number) => boolean): boolean {
    let skip = offset;
    let done = 0;
    for (const s of segs) {
      if (done === length) break;
      if (skip >= s.len) {
        skip -= s.len;
        continue;
      }
      const n = Math.min(s.len - skip, length - done);
      if (!io(s.addr + skip, done, n)) return false;
      done += n;
      skip = 0;
    }
    return done === length;
  }
}

/** Ring features the driver accepted. */
export interface RingFeatures {
  indirect: boolean;
  eventIdx: boolean;
}

/**
 * The device's view of one split virtqueue: pops available chains, pushes used elements, and
 * decides whether the driver wants an interrupt. `lastAvail` / `usedIdx` persist between
 * notifications and are cleared on device reset.
 */
export class SplitRing {
  /** Next avail ring entry the device will consume (free-running 16-bit). */
  lastAvail = 0;
  /** The device's used index (free-running 16-bit), mirrored in guest memory by `push`. */
  usedIdx = 0;
  /** Used index at the last interrupt decision, for EVENT_IDX (§2.7.10); invalid after reset. */
  private signalledUsed = 0;
  private signalledValid = false;
  private readonly scratch = new Uint8Array(DESC_SIZE);
  private readonly scratchView = new DataView(this.scratch.buffer);

  constructor(private readonly bus: Bus) {}

  reset(): void {
    this.lastAvail = 0;
    this.usedIdx = 0;
    this.signalledUsed = 0;
    this.signalledValid = false;
  }

  private readBytes(addr: number, len: number, what: string): DataView {
    const dst = this.scratch.subarray(0, len);
    if (!this.bus.dmaRead(addr, dst)) throw new VirtqueueError(`${what} at 0x${addr.toString(16)} is outside guest RAM`);
    return this.scratchView;
  }

  private read16(addr: number, what: string): number {
    return this.readBytes(addr, 2, what).getUint16(0, true);
  }

  private write16(addr: number, value: number, what: string): void {
    const b = Uint8Array.of(value & 0xff, (value >>> 8) & 0xff);
    if (!this.bus.dmaWrite(addr, b)) throw new VirtqueueError(`${what} at 0x${addr.toString(16)} is outside guest RAM`);
  }

  private inRam(addr: number, len: number): boolean {
    const ram = this.bus.ram;
    return addr >= ram.base && len >= 0 && addr + len <= ram.base + ram.size;
  }

  /** Number of chains the driver made available and the device has not consumed. Throws on a bad index. */
  pending(q: QueueAddresses): number {
    const availIdx = this.read16(q.driver + 2, 'avail.idx');
    const n = (availIdx - this.lastAvail) & 0xffff;
    if (n > q.size) throw new VirtqueueError(`avail.idx ${availIdx} is ${n} entries ahead of the device (${this.lastAvail}), more than the queue size ${q.size}`);
    return n;
  }

  /** Takes the next available chain, or undefined when there is none. Throws VirtqueueError on a malformed one. */
  pop(q: QueueAddresses, features: RingFeatures): DescChain | undefined {
    if (this.pending(q) === 0) return undefined;
    const slot = this.lastAvail % q.size;
    const head = this.read16(q.driver + 4 + 2 * slot, `avail.ring[${slot}]`);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    if (head >= q.size) throw new VirtqueueError(`avail.ring[${slot}] = ${head} is not a descriptor index (queue size ${q.size})`);
    return this.walk(q, head, features);
  }

  /** Follows a chain from `head` through the descriptor table and at most one indirect table. */
  private walk(q: QueueAddresses, head: number, features: RingFeatures): DescChain {
    const chain = new DescChain(this.bus, head);
    let table = q.desc;
    let tableSize = q.size;
    let where = 'descriptor';
    let index = head;
    let seen = 0;
    let indirect = false;
    for (;;) {
      // A chain longer than its table must revisit a descriptor: a loop (§2.7.5.3.1 / §2.7.4.2).
      if (++seen > tableSize) throw new VirtqueueError(`${where} chain from head ${head} is longer than its table (${tableSize} entries): a loop`);
      const d = this.readBytes(table + DESC_SIZE * index, DESC_SIZE, `${where} ${index}`);
      const addr = d.getUint32(0, true) + d.getUint32(4, true) * 2 ** 32;
      const len = d.getUint32(8, true);
      const flags = d.getUint16(12, true);
      const next = d.getUint16(14, true);

      if (flags & VIRTQ_DESC_F_INDIRECT) {
        // §2.7.5.3: an indirect descriptor ends the direct chain and points at a table of descriptors.
        if (!features.indirect) throw new VirtqueueError(`descriptor ${index} is indirect but VIRTIO_RING_F_INDIRECT_DESC was not negotiated`);
        if (indirect) throw new VirtqueueError(`indirect descriptor ${index} inside an indirect table`);
        if (flags & VIRTQ_DESC_F_NEXT) throw new VirtqueueError(`indirect descriptor ${index} also has F_NEXT`);
        if (len === 0 || len % DESC_SIZE !== 0 || len / DESC_SIZE > MAX_INDIRECT) {
          throw new VirtqueueError(`indirect descriptor ${index}: table length ${len} is not a multiple of 16 bytes up to ${MAX_INDIRECT} entries`);
        }
        if (!this.inRam(addr, len)) throw new VirtqueueError(`indirect table at 0x${addr.toString(16)} (+${len}) is outside guest RAM`);
        indirect = true;
        table = addr;
        tableSize = len / DESC_SIZE;
        where = 'indirect descriptor';
        index = 0;
        seen = 0;
        continue;
      }

      if (len > 0 && !this.inRam(addr, len)) throw new VirtqueueError(`${where} ${index}: buffer 0x${addr.toString(16)} (+${len}) is outside guest RAM`);
      if (flags & VIRTQ_DESC_F_WRITE) {
        chain.writable.push({ addr, len });
        chain.writableLength += len;
      } else {
        // §2.7.4.2: device-writable buffers come after every device-readable one.
        if (chain.writable.length > 0) throw new VirtqueueError(`${where} ${index}: a device-readable buffer after a device-writable one`);
        chain.readable.push({ addr, len });
        chain.readableLength += len;
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) return chain;
      if (next >= tableSize) throw new VirtqueueError(`${where} ${index}: next ${next} is past the table (${tableSize} entries)`);
      index = next;
    }
  }

  /** Returns a chain to the driver with `written` bytes written into its writable buffers (§2.7.8). */
  push(q: QueueAddresses, chain: DescChain, written: number): void {
    const slot = this.usedIdx % q.size;
    const elem = new Uint8Array(8);
    const v = new DataView(elem.buffer);
    v.setUint32(0, chain.head, true);
    v.setUint32(4, written >>> 0, true);
    if (!this.bus.dmaWrite(q.device + 4 + 8 * slot, elem)) throw new VirtqueueError(`used.ring[${slot}] at 0x${(q.device + 4 + 8 * slot).toString(16)} is outside guest RAM`);
    // The element is visible before the index moves (JS executes in order; no barrier needed).
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    this.write16(q.device + 2, this.usedIdx, 'used.idx');
  }

  /** EVENT_IDX (§2.7.10): writes avail_event after the used ring, "notify me once avail.idx passes this". */
  publishAvailEvent(q: QueueAddresses): void {
    this.write16(q.device + 4 + 8 * q.size, this.lastAvail, 'used.avail_event');
  }

  /**
   * After a batch of pushes: whether the driver wants an interrupt, from avail.flags
   * NO_INTERRUPT (§2.7.7) or, with EVENT_IDX, from used_event (§2.7.10).
   */
  needsInterrupt(q: QueueAddresses, features: RingFeatures): boolean {
    if (features.eventIdx) {
      const usedEvent = this.read16(q.driver + 4 + 2 * q.size, 'avail.used_event');
      const old = this.signalledUsed;
      const now = this.usedIdx;
      const valid = this.signalledValid;
      this.signalledUsed = now;
      this.signalledValid = true;
      if (!valid) return true; // first decision after reset: nothing to compare with (as QEMU)
      // vring_need_event(): the driver's event index lies in (old, now].
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    const flags = this.read16(q.driver, 'avail.flags');
    return (flags & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }
}

/** The guest addresses and size of a queue (the transport's `VirtQueue`). */
export interface QueueAddresses {
  size: number;
  desc: number;
  driver: number;
  device: number;
}
