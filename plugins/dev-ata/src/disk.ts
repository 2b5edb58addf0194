/**
 * The ATA hard disk model (backend `ide-hd`, slot interface "ide"): the drive's image, its CHS
 * geometry, and its IDENTIFY DEVICE data (ATA/ATAPI-6 §8.15, words as QEMU 7.2 hw/ide/core.c
 * ide_identify fills them). The task-file protocol lives in the channel (`channel.ts`), as QEMU's
 * IDEState logic lives in its bus; this object is what stays with the disk.
 */
import type { BlockImage, Drive } from '../../../src/core/api.js';

export const SECTOR_SIZE = 512;
/** QEMU's MAX_MULT_SECTORS: the largest READ/WRITE MULTIPLE block (IDENTIFY word 47). */
export const MAX_MULT_SECTORS = 16;
const MODEL = 'RVOS HARDDISK';
/** QEMU's firmware revision string (qemu_hw_version()). */
const FIRMWARE = '2.5+';

export interface Geometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/** QEMU guess_chs_for_size: 16 heads, 63 sectors, cylinders from the size (2..16383). */
function chsForSize(total: number): Geometry {
  return { cylinders: Math.min(16383, Math.max(2, Math.floor(total / (16 * 63)))), heads: 16, sectors: 63 };
}

/**
 * QEMU 7.2 hd_geometry_guess (hw/block/hd-geometry.c): a geometry from the first MBR partition
 * that ends on a head > 0 (its end head and sector), used as is when it has at most 16 heads;
 * otherwise (no MBR, or a BIOS LBA translation with more heads) the size-based guess.
 */
export function guessGeometry(total: number, mbr: Uint8Array | undefined): Geometry {
  if (mbr && mbr.length >= SECTOR_SIZE && mbr[510] === 0x55 && mbr[511] === 0xaa) {
    const v = new DataView(mbr.buffer, mbr.byteOffset, SECTOR_SIZE);
    for (let i = 0; i < 4; i++) {
      const p = 0x1be + 16 * i;
      const endHead = mbr[p + 5];
      if (v.getUint32(p + 12, true) === 0 || endHead === 0) continue;
      const heads = endHead + 1;
      const sectors = mbr[p + 6] & 63;
      if (sectors === 0) continue;
      const cylinders = Math.floor(total / (heads * sectors));
      if (cylinders < 1 || cylinders > 16383) continue;
      return heads > 16 ? chsForSize(total) : { cylinders, heads, sectors };
    }
  }
  return chsForSize(total);
}

/** ATA strings: space padded, the two bytes of each word swapped (QEMU padstr). */
function putString(words: Uint16Array, at: number, text: string, bytes: number): void {
  const src = new TextEncoder().encode(text);
  for (let i = 0; i < bytes; i += 2) {
    const hi = i < src.length ? src[i] : 0x20;
    const lo = i + 1 < src.length ? src[i + 1] : 0x20;
    words[at + i / 2] = (hi << 8) | lo;
  }
}

export class AtaDisk {
  readonly image: BlockImage;
  /** Sectors on the disk. */
  readonly total: number;
  /** The default (power-on) geometry, IDENTIFY words 1, 3, 6. */
  readonly geometry: Geometry;
  /** IDENTIFY DEVICE data; SET FEATURES and SET MULTIPLE MODE update it. */
  readonly identify = new Uint16Array(256);
  /** Write cache enabled (SET FEATURES 02h/82h): when off, every write is synced before it completes. */
  writeCache = true;
  /** Sectors per READ/WRITE MULTIPLE block (SET MULTIPLE MODE; 0: those commands abort). */
  multiple = MAX_MULT_SECTORS;
  /** The current logical geometry (INITIALIZE DEVICE PARAMETERS changes heads and sectors). */
  heads: number;
  sectors: number;
  readonly stats = { reads: 0, writes: 0, flushes: 0, errors: 0 };

  constructor(
    readonly drive: Drive,
    serial: string,
  ) {
    this.image = drive.image;
    this.total = this.image.size / SECTOR_SIZE;
    const mbr = new Uint8Array(SECTOR_SIZE);
    this.geometry = guessGeometry(this.total, this.total > 0 && this.image.read(0, mbr) ? mbr : undefined);
    this.heads = this.geometry.heads;
    this.sectors = this.geometry.sectors;
    this.buildIdentify(serial);
  }

  /** SET MULTIPLE MODE and reset: IDENTIFY word 59 follows (QEMU fills it only at the first IDENTIFY). */
  setMultiple(n: number): void {
    this.multiple = n;
    this.identify[59] = n ? 0x100 | n : 0;
  }

  /** INITIALIZE DEVICE PARAMETERS: the current CHS translation, IDENTIFY words 54-58 (§8.16). */
  setTranslation(heads: number, sectors: number): void {
    this.heads = heads;
    this.sectors = sectors;
    const cylinders = Math.min(65535, Math.floor(Math.min(this.total, 16514064) / (heads * sectors)));
    const chs = cylinders * heads * sectors;
    this.identify.set([cylinders, heads, sectors, chs & 0xffff, chs >>> 16], 54);
  }

  /** ATA/ATAPI-6 table 26 (IDENTIFY DEVICE); the values are QEMU's ide_identify. */
  private buildIdentify(serial: string): void {
    const p = this.identify;
    const { cylinders, heads, sectors } = this.geometry;
    p[0] = 0x0040; // fixed device
    p[1] = cylinders;
    p[3] = heads;
    p[4] = (512 * sectors) & 0xffff; // retired: bytes per track
    p[5] = 512; // retired: bytes per sector
    p[6] = sectors;
    putString(p, 10, serial, 20);
    p[20] = 3; // retired: buffer type
    p[21] = 512; // retired: buffer size
    p[22] = 4; // ECC bytes
    putString(p, 23, FIRMWARE, 8);
    putString(p, 27, MODEL, 40);
    p[47] = 0x8000 | MAX_MULT_SECTORS;
    p[48] = 1; // 32-bit PIO
    p[49] = (1 << 11) | (1 << 9) | (1 << 8); // IORDY, LBA, DMA
    p[51] = 0x200;
    p[52] = 0x200;
    p[53] = 7; // words 54-58, 64-70 and 88 valid
    p[54] = cylinders;
    p[55] = heads;
    p[56] = sectors;
    const chs = cylinders * heads * sectors;
    p[57] = chs & 0xffff;
    p[58] = chs >>> 16;
    p[59] = 0x100 | MAX_MULT_SECTORS; // multiple sector setting valid
    const lba28 = Math.min(this.total, 0x0fffffff);
    p[60] = lba28 & 0xffff;
    p[61] = lba28 >>> 16;
    p[62] = 0x07;
    p[63] = 0x07;
    p[64] = 0x03; // PIO 3 and 4
    p[65] = p[66] = p[67] = p[68] = 120;
    p[80] = 0xf0; // ATA-4 to ATA-7
    p[81] = 0x16;
    p[82] = (1 << 14) | (1 << 5) | 1; // NOP, write cache, SMART supported
    p[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10); // FLUSH CACHE EXT, FLUSH CACHE, LBA48
    p[84] = 1 << 14;
    p[85] = (1 << 14) | (1 << 5) | 1; // write cache enabled (QEMU's default, cache=writeback)
    p[86] = (1 << 13) | (1 << 12) | (1 << 10);
    p[87] = 1 << 14;
    p[88] = 0x3f | (1 << 13); // UDMA 0-5 supported, 5 selected
    p[93] = 1 | (1 << 14) | 0x2000;
    for (let i = 0; i < 4; i++) p[100 + i] = Math.floor(this.total / 2 ** (16 * i)) & 0xffff;
    p[106] = 0x6000; // one logical sector per physical sector
    // Not words 69 and 169 (TRIM): there is no DATA SET MANAGEMENT here.
  }

  setWriteCache(on: boolean): void {
    this.writeCache = on;
    this.identify[85] = on ? (1 << 14) | (1 << 5) | 1 : (1 << 14) | 1;
  }

  /** True when `count` sectors from `lba` are on the disk (QEMU ide_sect_range_ok). */
  inRange(lba: number, count: number): boolean {
    return lba >= 0 && lba <= this.total && count <= this.total - lba;
  }

  read(lba: number, dst: Uint8Array): boolean {
    this.stats.reads++;
    return this.image.read(lba * SECTOR_SIZE, dst) || this.failed();
  }

  /** Into the host file before it returns; synced too when the write cache is off. */
  write(lba: number, src: Uint8Array): boolean {
    this.stats.writes++;
    if (this.image.readOnly) return this.failed();
    if (!this.image.write(lba * SECTOR_SIZE, src)) return this.failed();
    return this.writeCache || this.image.flush() || this.failed();
  }

  flush(): boolean {
    this.stats.flushes++;
    return this.image.flush() || this.failed();
  }

  private failed(): false {
    this.stats.errors++;
    return false;
  }

  close(): void {
    this.image.close();
  }
}
