/**
 * The ATA channel (plugins/dev-ata) through its I/O ports, as a driver sees it: task-file
 * registers, IDENTIFY, PIO reads and writes (LBA28, LBA48, CHS, multiple), errors, interrupts,
 * nIEN, soft reset and the absent slave. Behaviour follows QEMU 7.2 hw/ide/core.c and ATA/ATAPI-6.
 */
import { describe, expect, it } from 'vitest';
import type { BackendType, BlockImage, PluginApi } from '../../../src/core/api.js';
import { guessGeometry, register } from '../../../plugins/dev-ata/src/index.js';
import { instantiate, type DeviceUnderTest } from '../../helpers/device-context.js';

let ataType!: Parameters<typeof instantiate>[0];
let diskType!: BackendType;
void register({
  apiVersion: 1,
  prop: {},
  defineDevice: (t: typeof ataType) => (ataType = t),
  defineBackend: (b: BackendType) => (diskType = b),
  defineArch: () => {},
  defineBoot: () => {},
} as unknown as PluginApi);

const DATA = 0, ERROR = 1, FEATURES = 1, COUNT = 2, LBA0 = 3, LBA1 = 4, LBA2 = 5, DEVICE = 6, STATUS = 7, COMMAND = 7;
const ERR = 0x01, DRQ = 0x08, DSC = 0x10, DRDY = 0x40, BSY = 0x80;
const ABRT = 0x04, IDNF = 0x10;

type MemImage = BlockImage & { data: Uint8Array; flushes: number };

function memImage(sectors: number, readOnly = false): MemImage {
  const data = new Uint8Array(sectors * 512);
  for (let i = 0; i < Math.min(data.length, 1 << 20); i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  const img: MemImage = {
    path: 'mem.img',
    size: data.length,
    readOnly,
    data,
    flushes: 0,
    read: (off, dst) => off + dst.length <= data.length && (dst.set(data.subarray(off, off + dst.length)), true),
    write: (off, src) => !readOnly && off + src.length <= data.length && (data.set(src, off), true),
    flush: () => (img.flushes++, true),
    close: () => {},
  };
  return img;
}

function channel(img?: MemImage, serial?: string): DeviceUnderTest {
  const d = instantiate(ataType, { name: 'ide0', io: [[0x1f0, 8], [0x3f6, 1]] });
  if (img) d.device.slot!.attach(diskType, { id: 'drive0', image: img, options: serial ? { serial } : {} });
  return d;
}

const rd = (d: DeviceUnderTest, reg: number) => d.read(reg, 1);
const wr = (d: DeviceUnderTest, reg: number, v: number) => d.write(reg, v, 1);
const irq = (d: DeviceUnderTest) => d.h.irqs[0].level;
const altStatus = (d: DeviceUnderTest) => d.read(0, 1, 1);
const control = (d: DeviceUnderTest, v: number) => d.write(0, v, 1, 1);

/** Sets up an LBA28 task file and issues `cmd`. */
function lba28(d: DeviceUnderTest, cmd: number, lba: number, count: number): void {
  wr(d, DEVICE, 0xe0 | ((lba >> 24) & 0x0f));
  wr(d, COUNT, count);
  wr(d, LBA0, lba & 0xff);
  wr(d, LBA1, (lba >> 8) & 0xff);
  wr(d, LBA2, (lba >> 16) & 0xff);
  wr(d, COMMAND, cmd);
}

/** Reads `n` bytes through the data port with `size`-byte accesses. */
function readBlock(d: DeviceUnderTest, n = 512, size: 2 | 4 = 2): Uint8Array {
  const out = new Uint8Array(n);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i += size) {
    const x = d.read(DATA, size);
    if (size === 2) v.setUint16(i, x, true);
    else v.setUint32(i, x, true);
  }
  return out;
}

function writeBlock(d: DeviceUnderTest, bytes: Uint8Array, size: 2 | 4 = 2): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < bytes.length; i += size) d.write(DATA, size === 2 ? v.getUint16(i, true) : v.getUint32(i, true), size);
}

function ataString(words: Uint8Array, from: number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i += 2) s += String.fromCharCode(words[from * 2 + i + 1], words[from * 2 + i]);
  return s;
}

describe('ata channel: registers', () => {
  it('powers on ready with the master selected; the task file reads back; HOB reads the previous writes', () => {
    const d = channel(memImage(64));
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect(altStatus(d)).toBe(DRDY | DSC);
    expect(rd(d, DEVICE)).toBe(0xa0);
    wr(d, COUNT, 0x12);
    wr(d, COUNT, 0x34);
    wr(d, LBA0, 0x56);
    wr(d, LBA0, 0x78);
    wr(d, FEATURES, 0x9a);
    wr(d, DEVICE, 0x4f);
    expect([rd(d, COUNT), rd(d, LBA0), rd(d, DEVICE)]).toEqual([0x34, 0x78, 0xef]);
    control(d, 0x80); // HOB
    expect([rd(d, COUNT), rd(d, LBA0), rd(d, FEATURES)]).toEqual([0x12, 0x56, 0]);
    wr(d, LBA1, 1); // any register write clears HOB
    expect(rd(d, COUNT)).toBe(0x34);
    expect(rd(d, DATA)).toBe(0); // a byte read of data takes a word (none here), as QEMU 7.2
  });

  it('the absent slave: status and error read 0, commands to it do nothing; the empty channel reads 0', () => {
    const d = channel(memImage(64));
    wr(d, DEVICE, 0xb0);
    expect(rd(d, STATUS)).toBe(0);
    expect(altStatus(d)).toBe(0);
    expect(rd(d, ERROR)).toBe(0);
    expect(rd(d, DEVICE)).toBe(0xb0);
    wr(d, COMMAND, 0xec);
    expect(irq(d)).toBe(false);
    expect(d.read(DATA, 2)).toBe(0);
    wr(d, DEVICE, 0xa0);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);

    const empty = channel();
    expect([rd(empty, STATUS), altStatus(empty), rd(empty, COUNT), rd(empty, DEVICE)]).toEqual([0, 0, 0, 0]);
    expect(empty.device.slot!.interface).toBe('ide');
    expect(empty.device.slot!.occupied).toBe(false);
  });
});

describe('ata channel: IDENTIFY DEVICE', () => {
  it('returns the model, the serial, the geometry QEMU guesses, the LBA28/LBA48 sizes and the multiple setting', () => {
    const d = channel(memImage(20000), 'ABC123');
    wr(d, COMMAND, 0xec);
    expect(irq(d)).toBe(true);
    expect(altStatus(d)).toBe(DRDY | DSC | DRQ);
    expect(irq(d)).toBe(true); // the alternate status does not acknowledge
    expect(rd(d, STATUS)).toBe(DRDY | DSC | DRQ);
    expect(irq(d)).toBe(false); // status does
    const id = readBlock(d);
    const w = (i: number) => id[2 * i] | (id[2 * i + 1] << 8);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect(w(0)).toBe(0x0040);
    expect([w(1), w(3), w(6)]).toEqual([19, 16, 63]); // 20000 / (16 * 63)
    expect(ataString(id, 10, 20)).toBe('ABC123'.padEnd(20));
    expect(ataString(id, 27, 40)).toBe('RVOS HARDDISK'.padEnd(40));
    expect(w(47)).toBe(0x8010);
    expect(w(49) & 0x200).toBe(0x200); // LBA
    expect(w(59)).toBe(0x110);
    expect(w(60) | (w(61) << 16)).toBe(20000);
    expect(w(83) & 0x400).toBe(0x400); // LBA48
    expect(w(100) | (w(101) << 16)).toBe(20000);
    expect(d.read(DATA, 2)).toBe(0); // nothing more to read
  });

  it('defaults the serial to QEMU style, reads in 32-bit words too, and aborts IDENTIFY PACKET and DEVICE RESET', () => {
    const d = channel(memImage(64));
    wr(d, COMMAND, 0xec);
    const id = readBlock(d, 512, 4);
    expect(ataString(id, 10, 20)).toBe('QM00001'.padEnd(20));
    expect([id[2], id[3]]).toEqual([2, 0]); // 64 sectors: the 2-cylinder minimum
    for (const cmd of [0xa1, 0x08, 0xa0, 0xc8, 0x00]) {
      wr(d, COMMAND, cmd);
      expect(rd(d, STATUS)).toBe(DRDY | ERR);
      expect(rd(d, ERROR)).toBe(ABRT);
    }
  });

  it('guesses the geometry from an MBR partition that ends on a cylinder boundary, as QEMU', () => {
    const mbr = new Uint8Array(512);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    mbr[0x1be + 5] = 7; // end head: 8 heads
    mbr[0x1be + 6] = 32; // end sector
    mbr[0x1be + 12] = 100; // nr_sects
    expect(guessGeometry(8 * 32 * 10, mbr)).toEqual({ cylinders: 10, heads: 8, sectors: 32 });
    mbr[0x1be + 5] = 254; // 255 heads: a BIOS translation, back to the size guess
    expect(guessGeometry(8 * 32 * 10, mbr)).toEqual({ cylinders: 2, heads: 16, sectors: 63 });
    expect(guessGeometry(16 * 63 * 20000, undefined).cylinders).toBe(16383);
  });
});

describe('ata channel: PIO reads and writes', () => {
  it('READ SECTORS: a block and an interrupt per sector, the task file following; count 0 is 256', () => {
    const img = memImage(300);
    const d = channel(img);
    lba28(d, 0x20, 5, 2);
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS)).toBe(DRDY | DSC | DRQ);
    expect(readBlock(d)).toEqual(img.data.subarray(5 * 512, 6 * 512));
    expect(irq(d)).toBe(true); // the second sector's interrupt
    expect(rd(d, STATUS)).toBe(DRDY | DSC | DRQ);
    expect(readBlock(d, 512, 4)).toEqual(img.data.subarray(6 * 512, 7 * 512));
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect(irq(d)).toBe(false);
    expect([rd(d, COUNT), rd(d, LBA0)]).toEqual([0, 7]);

    lba28(d, 0x20, 0, 0);
    let n = 0;
    while (rd(d, STATUS) & DRQ) {
      readBlock(d);
      n++;
    }
    expect(n).toBe(256);
  });

  it('WRITE SECTORS: DRQ without an interrupt first, the data in the image before the interrupt', () => {
    const img = memImage(64);
    const d = channel(img);
    lba28(d, 0x30, 10, 2);
    expect(irq(d)).toBe(false);
    expect(rd(d, STATUS)).toBe(DRDY | DSC | DRQ);
    const a = new Uint8Array(512).fill(0xaa), b = new Uint8Array(512).fill(0xbb);
    writeBlock(d, a);
    expect(img.data.subarray(10 * 512, 11 * 512)).toEqual(a);
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS)).toBe(DRDY | DSC | DRQ);
    writeBlock(d, b, 4);
    expect(img.data.subarray(11 * 512, 12 * 512)).toEqual(b);
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect(d.read(DATA, 2)).toBe(0);
    expect(img.flushes).toBe(0); // write-back cache, as QEMU's default
    wr(d, COMMAND, 0xe7); // FLUSH CACHE
    expect(img.flushes).toBe(1);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    wr(d, FEATURES, 0x82); // write cache off: flushes, and every later write is synced
    wr(d, COMMAND, 0xef);
    expect(img.flushes).toBe(2);
    lba28(d, 0x30, 1, 1);
    writeBlock(d, a);
    expect(img.flushes).toBe(3);
    wr(d, COMMAND, 0xec);
    const id = readBlock(d);
    expect(id[85 * 2] & 0x20).toBe(0);
  });

  it('READ/WRITE SECTORS EXT address 48 bits with 16-bit counts', () => {
    const img = memImage(0x20010);
    const d = channel(img);
    const task = (cmd: number, lba: number, count: number) => {
      wr(d, DEVICE, 0x40);
      wr(d, COUNT, count >> 8);
      wr(d, COUNT, count & 0xff);
      wr(d, LBA0, (lba >> 24) & 0xff);
      wr(d, LBA0, lba & 0xff);
      wr(d, LBA1, 0);
      wr(d, LBA1, (lba >> 8) & 0xff);
      wr(d, LBA2, 0);
      wr(d, LBA2, (lba >> 16) & 0xff);
      wr(d, COMMAND, cmd);
    };
    task(0x34, 0x20005, 1);
    writeBlock(d, new Uint8Array(512).fill(0x5a));
    expect(img.data[0x20005 * 512]).toBe(0x5a);
    task(0x24, 0x20004, 2);
    readBlock(d);
    expect(readBlock(d)[0]).toBe(0x5a);
    expect(rd(d, LBA0)).toBe(6);
    expect(rd(d, LBA2)).toBe(2);
  });

  it('CHS addressing with the guessed geometry, and after INITIALIZE DEVICE PARAMETERS', () => {
    const img = memImage(16 * 63 * 3);
    const d = channel(img);
    const chs = (cmd: number, c: number, h: number, s: number) => {
      wr(d, DEVICE, 0xa0 | h);
      wr(d, COUNT, 1);
      wr(d, LBA0, s);
      wr(d, LBA1, c & 0xff);
      wr(d, LBA2, c >> 8);
      wr(d, COMMAND, cmd);
    };
    chs(0x20, 1, 2, 3); // (1 * 16 + 2) * 63 + 2
    expect(readBlock(d)).toEqual(img.data.subarray(1136 * 512, 1137 * 512));
    wr(d, DEVICE, 0xa3); // 4 heads
    wr(d, COUNT, 17); // 17 sectors per track
    wr(d, COMMAND, 0x91);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    chs(0x20, 1, 2, 3); // (1 * 4 + 2) * 17 + 2
    expect(readBlock(d)).toEqual(img.data.subarray(104 * 512, 105 * 512));
    chs(0x20, 0, 0, 0); // sector 0 does not exist
    expect(rd(d, STATUS)).toBe(DRDY | ERR);
    expect(rd(d, ERROR)).toBe(IDNF);
  });

  it('READ/WRITE MULTIPLE move a block of the multiple setting per interrupt; SET MULTIPLE MODE checks it', () => {
    const img = memImage(64);
    const d = channel(img);
    wr(d, COUNT, 3);
    wr(d, COMMAND, 0xc6);
    expect(rd(d, ERROR)).toBe(ABRT);
    wr(d, COUNT, 4);
    wr(d, COMMAND, 0xc6);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    lba28(d, 0xc4, 8, 6);
    expect(rd(d, STATUS) & DRQ).toBe(DRQ);
    expect(readBlock(d, 4 * 512)).toEqual(img.data.subarray(8 * 512, 12 * 512));
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS) & DRQ).toBe(DRQ);
    expect(readBlock(d, 2 * 512)).toEqual(img.data.subarray(12 * 512, 14 * 512));
    expect(rd(d, STATUS)).toBe(DRDY | DSC);

    lba28(d, 0xc5, 20, 5);
    writeBlock(d, new Uint8Array(4 * 512).fill(1));
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS) & DRQ).toBe(DRQ);
    writeBlock(d, new Uint8Array(512).fill(2));
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect([img.data[23 * 512], img.data[24 * 512], img.data[25 * 512]]).toEqual([1, 2, img.data[25 * 512]]);

    wr(d, COUNT, 0); // 0 disables multiple mode: READ MULTIPLE aborts
    wr(d, COMMAND, 0xc6);
    lba28(d, 0xc4, 0, 1);
    expect(rd(d, ERROR)).toBe(ABRT);
  });

  it('past the end is IDNF with an interrupt; READ VERIFY and the no-data commands complete with DSC', () => {
    const d = channel(memImage(64));
    lba28(d, 0x20, 63, 2); // the first sector is there
    readBlock(d);
    expect(rd(d, STATUS)).toBe(DRDY | ERR);
    expect(rd(d, ERROR)).toBe(IDNF);
    lba28(d, 0x20, 64, 1);
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS)).toBe(DRDY | ERR);
    expect(rd(d, ERROR)).toBe(IDNF);
    for (const cmd of [0x40, 0x10, 0x70]) {
      lba28(d, cmd, 1, 1);
      expect(irq(d)).toBe(true);
      expect(rd(d, STATUS)).toBe(DRDY | DSC);
      expect(rd(d, ERROR)).toBe(0);
    }
    wr(d, COMMAND, 0xe0); // STANDBY IMMEDIATE: no DSC (QEMU's table)
    expect(rd(d, STATUS)).toBe(DRDY);
    lba28(d, 0xf8, 0, 0); // READ NATIVE MAX ADDRESS
    expect([rd(d, LBA0), rd(d, DEVICE) & 0x0f]).toEqual([63, 0]);
    wr(d, FEATURES, 0x77); // unknown SET FEATURES subcommand
    wr(d, COMMAND, 0xef);
    expect(rd(d, ERROR)).toBe(ABRT);
  });

  it('a read-only image aborts writes before any data', () => {
    const img = memImage(8, true);
    const d = channel(img);
    lba28(d, 0x30, 0, 1);
    expect(irq(d)).toBe(true);
    expect(rd(d, STATUS)).toBe(DRDY | ERR);
    expect(rd(d, ERROR)).toBe(ABRT);
    lba28(d, 0x20, 0, 1);
    expect(readBlock(d)).toEqual(img.data.subarray(0, 512));
  });

  it('register writes are ignored while DRQ is set, and so are new commands', () => {
    const img = memImage(64);
    const d = channel(img);
    lba28(d, 0x20, 3, 1);
    wr(d, LBA0, 9);
    wr(d, COMMAND, 0xec);
    expect(readBlock(d)).toEqual(img.data.subarray(3 * 512, 4 * 512));
    expect(rd(d, LBA0)).toBe(4);
  });
});

describe('ata channel: interrupts and reset', () => {
  it('nIEN keeps INTRQ low; reading status lowers it; a command write lowers it too', () => {
    const d = channel(memImage(64));
    control(d, 0x02);
    wr(d, COMMAND, 0xec);
    expect(irq(d)).toBe(false);
    readBlock(d);
    control(d, 0x00);
    wr(d, COMMAND, 0xe7);
    expect(irq(d)).toBe(true);
    wr(d, COMMAND, 0x10);
    expect(d.h.irqs[0].history.slice(-3).map((h) => h.level)).toEqual([true, false, true]);
  });

  it('SRST resets at once (QEMU): the task file, the signature, error 01h, an interrupt unless nIEN', () => {
    const d = channel(memImage(64));
    lba28(d, 0x20, 3, 1); // a transfer in progress is dropped
    rd(d, STATUS);
    control(d, 0x06);
    expect(irq(d)).toBe(false);
    control(d, 0x04);
    expect(altStatus(d) & BSY).toBe(0);
    expect(irq(d)).toBe(true);
    control(d, 0x00);
    expect(rd(d, STATUS)).toBe(DRDY | DSC);
    expect([rd(d, ERROR), rd(d, COUNT), rd(d, LBA0), rd(d, LBA1), rd(d, LBA2), rd(d, DEVICE)]).toEqual([1, 1, 1, 0, 0, 0xa0]);
    expect(d.read(DATA, 2)).toBe(0);
    wr(d, COMMAND, 0x90); // EXECUTE DEVICE DIAGNOSTIC: the same outcome
    expect(irq(d)).toBe(true);
    expect([rd(d, STATUS), rd(d, ERROR)]).toEqual([DRDY | DSC, 1]);
  });

  it('inspect names the disk and its geometry; a second drive in the same slot is refused', () => {
    const d = channel(memImage(2016));
    expect(d.device.inspect!()).toMatchObject({ disk: 'mem.img', sectors: 2016, chs: '2/16/63', status: '0x50' });
    expect(() => d.device.slot!.attach(diskType, { id: 'drive1', image: memImage(8), options: {} })).toThrow('ide0 already holds a disk');
  });
});
