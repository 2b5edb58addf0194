/**
 * virtio-blk (virtio 1.x §5.2 "Block Device", and the legacy interface): one request queue over a
 * raw host image, as QEMU 7.2's hw/block/virtio-blk.c serves it.
 *
 * Requests are served synchronously when the driver notifies the queue: the data is in the host
 * file (write(2) done) before the used ring says the request completed, so nothing is lost
 * however rvos exits. With VIRTIO_BLK_F_FLUSH negotiated the device is write-back and FLUSH is an
 * fdatasync; without it the device is write-through (§5.2.6.2): every write is synced before it
 * completes.
 */
import type { Drive } from '../../../src/core/api.js';
import type { DescChain, VirtioBackend, VirtioTransport, VirtQueue } from '../../dev-virtio-mmio/src/index.js';

export const VIRTIO_ID_BLOCK = 2;

// Feature bits (§5.2.3).
export const VIRTIO_BLK_F_SIZE_MAX = 1;
export const VIRTIO_BLK_F_SEG_MAX = 2;
export const VIRTIO_BLK_F_RO = 5;
export const VIRTIO_BLK_F_BLK_SIZE = 6;
export const VIRTIO_BLK_F_FLUSH = 9;
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;

// Request types and status values (§5.2.6).
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
/** Legacy barrier flag; QEMU ignores it on IN/OUT, so do we. */
export const VIRTIO_BLK_T_BARRIER = 0x80000000;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

export const SECTOR_SIZE = 512;
export const VIRTIO_BLK_ID_BYTES = 20;
/** QEMU's default virtio-blk queue size; seg_max is queue size - 2 (QEMU's seg-max-adjust). */
export const QUEUE_SIZE = 256;
const HEADER_SIZE = 16;
/** Config space up to num_queues (struct virtio_blk_config, §5.2.4). */
const CONFIG_SIZE = 36;
/** Host I/O is done in chunks of at most this many bytes. */
const CHUNK = 64 * 1024;

export class VirtioBlk implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly features: readonly [number, number];
  readonly queueSizes = [QUEUE_SIZE];
  readonly config = new Uint8Array(CONFIG_SIZE);
  private readonly pristine: Uint8Array;
  private readonly serial: Uint8Array;
  private readonly buf = new Uint8Array(CHUNK);
  /** Counters for `inspect()`. */
  private stats = { reads: 0, writes: 0, flushes: 0, errors: 0 };

  constructor(
    private readonly t: VirtioTransport,
    private readonly drive: Drive,
  ) {
    const img = drive.image;
    let f = (1 << VIRTIO_BLK_F_SEG_MAX) | (1 << VIRTIO_BLK_F_BLK_SIZE) | (1 << VIRTIO_BLK_F_FLUSH) | (1 << VIRTIO_RING_F_INDIRECT_DESC) | (1 << VIRTIO_RING_F_EVENT_IDX);
    if (img.readOnly) f |= 1 << VIRTIO_BLK_F_RO;
    this.features = [f >>> 0, 0];

    const v = new DataView(this.config.buffer);
    const sectors = img.size / SECTOR_SIZE;
    v.setUint32(0, sectors >>> 0, true); // capacity (u64, in 512-byte sectors)
    v.setUint32(4, Math.floor(sectors / 2 ** 32), true);
    v.setUint32(12, QUEUE_SIZE - 2, true); // seg_max
    v.setUint32(20, SECTOR_SIZE, true); // blk_size
    v.setUint16(34, 1, true); // num_queues
    this.pristine = this.config.slice();

    this.serial = new Uint8Array(VIRTIO_BLK_ID_BYTES);
    this.serial.set(new TextEncoder().encode(drive.options.serial ?? '').subarray(0, VIRTIO_BLK_ID_BYTES));
  }

  notify(queue: VirtQueue): void {
    if (queue.index !== 0) return;
    this.t.process(0, (chain) => this.serve(chain));
  }

  /** Every config field is read-only (no VIRTIO_BLK_F_CONFIG_WCE): undo guest writes. */
  configWritten(): void {
    this.config.set(this.pristine);
  }

  reset(): void {}

  close(): void {
    this.drive.image.close();
  }

  inspect(): Record<string, number | string> {
    const img = this.drive.image;
    return {
      drive: `${img.path}${img.readOnly ? ' (read-only)' : ''}`,
      sectors: img.size / SECTOR_SIZE,
      ...this.stats,
    };
  }

  /** Serves one request; returns the used length (QEMU reports the whole writable size). */
  private serve(chain: DescChain): number {
    // §5.2.6: header (16 bytes, driver-written) ... status (1 byte, last device-writable byte).
    if (chain.readableLength < HEADER_SIZE || chain.writableLength < 1) {
      this.t.fail(`virtio-blk: request without a ${HEADER_SIZE}-byte header or a status byte (readable ${chain.readableLength}, writable ${chain.writableLength})`);
      return 0;
    }
    const hdr = new Uint8Array(HEADER_SIZE);
    chain.read(0, hdr);
    const h = new DataView(hdr.buffer);
    const type = h.getUint32(0, true);
    const sector = h.getUint32(8, true) + h.getUint32(12, true) * 2 ** 32;
    const dataIn = chain.writableLength - 1;

    let status: number;
    switch ((type & ~VIRTIO_BLK_T_BARRIER) >>> 0) {
      case VIRTIO_BLK_T_IN:
        status = this.read(chain, sector, dataIn);
        break;
      case VIRTIO_BLK_T_OUT:
        status = this.write(chain, sector, chain.readableLength - HEADER_SIZE);
        break;
      case VIRTIO_BLK_T_FLUSH:
        this.stats.flushes++;
        status = this.drive.image.flush() ? VIRTIO_BLK_S_OK : this.ioerr('flush: host fdatasync failed');
        break;
      case VIRTIO_BLK_T_GET_ID:
        chain.write(0, this.serial.subarray(0, Math.min(dataIn, VIRTIO_BLK_ID_BYTES)));
        status = VIRTIO_BLK_S_OK;
        break;
      default:
        status = VIRTIO_BLK_S_UNSUPP;
    }
    chain.write(dataIn, Uint8Array.of(status));
    return chain.writableLength;
  }

  private ioerr(why: string): number {
    this.stats.errors++;
    this.t.log(`virtio-blk ${this.drive.id}: ${why}: VIRTIO_BLK_S_IOERR`);
    return VIRTIO_BLK_S_IOERR;
  }

  /** Checks a transfer of `len` bytes at `sector`; returns the byte offset or an error text. */
  private range(sector: number, len: number): number | string {
    if (len % SECTOR_SIZE !== 0) return `length ${len} is not a multiple of ${SECTOR_SIZE}`;
    const size = this.drive.image.size;
    if (sector * SECTOR_SIZE + len > size) return `sectors ${sector}..${sector + len / SECTOR_SIZE} are past the end of the disk (${size / SECTOR_SIZE} sectors)`;
    return sector * SECTOR_SIZE;
  }

  private read(chain: DescChain, sector: number, len: number): number {
    const at = this.range(sector, len);
    if (typeof at === 'string') return this.ioerr(`read: ${at}`);
    this.stats.reads++;
    for (let done = 0; done < len; ) {
      const n = Math.min(CHUNK, len - done);
      const chunk = this.buf.subarray(0, n);
      if (!this.drive.image.read(at + done, chunk)) return this.ioerr(`read: host I/O error at byte ${at + done}`);
      chain.write(done, chunk);
      done += n;
    }
    return VIRTIO_BLK_S_OK;
  }

  private write(chain: DescChain, sector: number, len: number): number {
    const img = this.drive.image;
    if (img.readOnly) return this.ioerr('write to a read-only drive');
    const at = this.range(sector, len);
    if (typeof at === 'string') return this.ioerr(`write: ${at}`);
    this.stats.writes++;
    for (let done = 0; done < len; ) {
      const n = Math.min(CHUNK, len - done);
      const chunk = this.buf.subarray(0, n);
      chain.read(HEADER_SIZE + done, chunk);
      if (!img.write(at + done, chunk)) return this.ioerr(`write: host I/O error at byte ${at + done}`);
      done += n;
    }
    // Write-through unless the driver took responsibility for flushing (§5.2.6.2).
    if (!this.t.hasFeature(VIRTIO_BLK_F_FLUSH) && !img.flush()) return this.ioerr('write: host fdatasync failed');
    return VIRTIO_BLK_S_OK;
  }
}
