import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { register as registerBlk } from '../../../plugins/dev-virtio-blk/src/index.js';
import { register as registerMmio } from '../../../plugins/dev-virtio-mmio/src/index.js';
import type { BackendType, BlockImage, PluginApi } from '../../../src/core/api.js';
import { FileBlockImage } from '../../../src/core/disk/image.js';
import { createPropKit } from '../../../src/core/props.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';
import { F_INDIRECT, F_WRITE, GuestDriver, NEEDS_RESET, REG, type Desc } from './guest-driver.js';

const virtioType = loadDevicePlugin(registerMmio).get('virtio-mmio')!;
function backendTypes(): Map<string, BackendType> {
  const types = new Map<string, BackendType>();
  const api: PluginApi = { apiVersion: 1, prop: createPropKit(), defineDevice: () => {}, defineArch: () => {}, defineBackend: (t) => types.set(t.type, t), defineBoot: () => {} };
  registerBlk(api);
  return types;
}
const blkType = backendTypes().get('virtio-blk')!;

const RAM = 0x80000000;
const HDR = RAM + 0x7000;
const STATUS = RAM + 0x7100;
const DATA = RAM + 0x8000;
const SECTORS = 64;
const T_IN = 0;
const T_OUT = 1;
const T_FLUSH = 4;
const T_GET_ID = 8;
const S_OK = 0;
const S_IOERR = 1;
const S_UNSUPP = 2;
const F_SEG_MAX = 2;
const F_RO = 5;
const F_BLK_SIZE = 6;
const F_FLUSH = 9;
const F_INDIRECT_DESC = 28;
const F_EVENT_IDX = 29;

/** Counts host syncs and closes around the real file image. */
class CountingImage implements BlockImage {
  flushes = 0;
  closes = 0;
  constructor(readonly inner: FileBlockImage) {}
  get path() {
    return this.inner.path;
  }
  get size() {
    return this.inner.size;
  }
  get readOnly() {
    return this.inner.readOnly;
  }
  read(offset: number, dst: Uint8Array) {
    return this.inner.read(offset, dst);
  }
  write(offset: number, src: Uint8Array) {
    return this.inner.write(offset, src);
  }
  flush() {
    this.flushes++;
    return this.inner.flush();
  }
  close() {
    this.closes++;
    this.inner.close();
  }
}

const opened: CountingImage[] = [];
afterEach(() => {
  for (const i of opened.splice(0)) i.close();
});

/** A disk image whose byte i is (i * 7 + (i >> 9)) & 0xff, so every sector differs. */
function makeImage(sectors = SECTORS): { path: string; bytes: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-blk-'));
  const path = join(dir, 'disk.img');
  const bytes = Buffer.alloc(sectors * 512);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 9)) & 0xff;
  writeFileSync(path, bytes);
  return { path, bytes };
}

interface Setup {
  d: DeviceUnderTest;
  g: GuestDriver;
  image: CountingImage;
  path: string;
  bytes: Buffer;
  logs: string[];
}

function setup(version: 1 | 2, opts: { readonly?: boolean; serial?: string; features?: number[] } = {}): Setup {
  const { path, bytes } = makeImage();
  const image = new CountingImage(FileBlockImage.open(path, opts.readonly ?? false));
  opened.push(image);
  const d = instantiate(virtioType, { name: 'virtio7', reg: [[0x10008000, 0x1000]], irqs: ['plic:8'], props: { version } });
  d.device.slot!.attach(blkType, { id: 'drive0', image, options: opts.serial ? { serial: opts.serial } : {} });
  const logs: string[] = [];
  d.h.events.on('log', (e) => logs.push(e.message));
  const g = new GuestDriver({ read: (o) => d.read(o), write: (o, v) => d.write(o, v) }, d.h.bus, {
    features: opts.features ?? [F_SEG_MAX, F_BLK_SIZE, F_FLUSH, F_RO, F_INDIRECT_DESC, F_EVENT_IDX, 32],
  });
  return { d, g, image, path, bytes, logs };
}

/**
 * Sends one request: header, optional driver data (`out`), `inLen` bytes of device-writable
 * data split in `split` pieces, status byte. Returns the status and the used element.
 */
function request(
  g: GuestDriver,
  type: number,
  sector: number,
  opts: { out?: Uint8Array; inLen?: number; split?: number[]; indirect?: boolean } = {},
): { status: number; used: { id: number; len: number } | undefined } {
  g.w32(HDR, type);
  g.w32(HDR + 4, 0);
  g.w32(HDR + 8, sector % 2 ** 32);
  g.w32(HDR + 12, Math.floor(sector / 2 ** 32));
  g.w8(STATUS, 0xee);
  const descs: Desc[] = [{ addr: HDR, len: 16, flags: 0 }];
  const dataLen = opts.out?.length ?? opts.inLen ?? 0;
  if (opts.out) g.put(DATA, opts.out);
  const pieces = opts.split ?? (dataLen > 0 ? [dataLen] : []);
  let at = DATA;
  for (const len of pieces) {
    descs.push({ addr: at, len, flags: opts.out ? 0 : F_WRITE });
    at += len;
  }
  descs.push({ addr: STATUS, len: 1, flags: F_WRITE });
  if (opts.indirect) {
    const table = RAM + 0x6000;
    g.chain(descs, 0, table);
    g.setDesc(0, { addr: table, len: 16 * descs.length, flags: F_INDIRECT });
    g.submit(0);
  } else g.submit(g.chain(descs));
  const used = g.takeUsed();
  return { status: g.bytes(STATUS, 1)[0], used: used[0] };
}

describe.each([
  ['legacy', 1 as const],
  ['modern', 2 as const],
])('virtio-blk (%s)', (_name, version) => {
  it('identifies as a block device with its features, queue and config space', () => {
    const { d } = setup(version);
    expect(d.read(REG.DeviceID)).toBe(2);
    d.write(REG.DeviceFeaturesSel, 0);
    const f = d.read(REG.DeviceFeatures);
    for (const bit of [F_SEG_MAX, F_BLK_SIZE, F_FLUSH, F_INDIRECT_DESC, F_EVENT_IDX]) expect((f >>> bit) & 1, `bit ${bit}`).toBe(1);
    expect((f >>> F_RO) & 1).toBe(0);
    d.write(REG.DeviceFeaturesSel, 1);
    expect(d.read(REG.DeviceFeatures)).toBe(version === 2 ? 1 : 0); // VIRTIO_F_VERSION_1
    d.write(REG.QueueSel, 0);
    expect(d.read(REG.QueueNumMax)).toBe(256);
    expect(d.read(REG.Config + 0)).toBe(SECTORS); // capacity, low word
    expect(d.read(REG.Config + 4)).toBe(0);
    expect(d.read(REG.Config + 12)).toBe(254); // seg_max
    expect(d.read(REG.Config + 20)).toBe(512); // blk_size
    expect(d.read(REG.Config + 34, 2)).toBe(1); // num_queues
    d.write(REG.Config, 0x1234); // read-only: ignored
    expect(d.read(REG.Config)).toBe(SECTORS);
    expect(d.device.inspect!().drive).toMatch(/disk\.img$/);
  });

  it('offers VIRTIO_BLK_F_RO for a read-only drive', () => {
    const { d } = setup(version, { readonly: true });
    d.write(REG.DeviceFeaturesSel, 0);
    expect((d.read(REG.DeviceFeatures) >>> F_RO) & 1).toBe(1);
  });

  it('reads sectors into a scatter-gather list (IN)', () => {
    const { g, bytes } = setup(version);
    const r = request(g, T_IN, 3, { inLen: 1024, split: [100, 700, 224] });
    expect(r.status).toBe(S_OK);
    expect(r.used).toEqual({ id: 0, len: 1025 });
    expect(Buffer.from(g.bytes(DATA, 1024)).equals(bytes.subarray(3 * 512, 5 * 512))).toBe(true);
  });

  it('writes sectors that are in the host file as soon as the request completes (OUT), before close', () => {
    const { g, path, bytes } = setup(version);
    const data = Buffer.alloc(1024, 0x5a);
    data.write('written by the guest', 0);
    const r = request(g, T_OUT, 10, { out: data, split: [16, 1000, 8] });
    expect(r.status).toBe(S_OK);
    expect(r.used).toEqual({ id: 0, len: 1 });
    const now = readFileSync(path);
    expect(now.subarray(10 * 512, 12 * 512).equals(data)).toBe(true);
    expect(now.subarray(0, 10 * 512).equals(bytes.subarray(0, 10 * 512))).toBe(true);
    expect(now.subarray(12 * 512).equals(bytes.subarray(12 * 512))).toBe(true);
    // And reads see it.
    expect(request(g, T_IN, 10, { inLen: 1024 }).status).toBe(S_OK);
    expect(Buffer.from(g.bytes(DATA, 1024)).equals(data)).toBe(true);
  });

  it('serves requests given through an indirect table', () => {
    const { g, path } = setup(version);
    const data = Buffer.alloc(512, 0xa5);
    expect(request(g, T_OUT, 0, { out: data, split: [256, 256], indirect: true }).status).toBe(S_OK);
    expect(readFileSync(path).subarray(0, 512).equals(data)).toBe(true);
    const r = request(g, T_IN, 0, { inLen: 512, indirect: true });
    expect(r).toEqual({ status: S_OK, used: { id: 0, len: 513 } });
  });

  it('syncs the host file on FLUSH; write-back when F_FLUSH is negotiated', () => {
    const { g, image } = setup(version);
    expect(request(g, T_OUT, 1, { out: new Uint8Array(512) }).status).toBe(S_OK);
    expect(image.flushes).toBe(0);
    expect(request(g, T_FLUSH, 0).status).toBe(S_OK);
    expect(image.flushes).toBe(1);
  });

  it('is write-through when the driver did not negotiate F_FLUSH', () => {
    const { g, image } = setup(version, { features: [F_BLK_SIZE] });
    expect(request(g, T_OUT, 1, { out: new Uint8Array(512) }).status).toBe(S_OK);
    expect(image.flushes).toBe(1);
    expect(request(g, T_IN, 1, { inLen: 512 }).status).toBe(S_OK);
    expect(image.flushes).toBe(1);
  });

  it('answers GET_ID with the serial, NUL-padded to 20 bytes', () => {
    const { g } = setup(version, { serial: 'rvos-disk-1' });
    g.put(DATA, new Uint8Array(20).fill(0xff));
    const r = request(g, T_GET_ID, 0, { inLen: 20 });
    expect(r.status).toBe(S_OK);
    expect(Buffer.from(g.bytes(DATA, 20)).toString('latin1')).toBe('rvos-disk-1'.padEnd(20, '\0'));
    const none = setup(version);
    none.g.put(DATA, new Uint8Array(20).fill(0xff));
    expect(request(none.g, T_GET_ID, 0, { inLen: 20 }).status).toBe(S_OK);
    expect([...none.g.bytes(DATA, 20)]).toEqual(new Array(20).fill(0));
  });

  it('answers UNSUPP to request types it does not implement', () => {
    const { g } = setup(version);
    for (const type of [2, 5, 11, 13, 0x1234]) expect(request(g, type, 0, { inLen: 512 }).status, `type ${type}`).toBe(S_UNSUPP);
  });

  it('answers IOERR for sectors past the end and partial sectors, and logs why', () => {
    const { g, logs, path, bytes } = setup(version);
    expect(request(g, T_IN, SECTORS - 1, { inLen: 1024 }).status).toBe(S_IOERR);
    expect(request(g, T_IN, SECTORS, { inLen: 512 }).status).toBe(S_IOERR);
    expect(request(g, T_IN, 2 ** 40, { inLen: 512 }).status).toBe(S_IOERR);
    expect(request(g, T_OUT, SECTORS - 1, { out: new Uint8Array(1024) }).status).toBe(S_IOERR);
    expect(request(g, T_IN, 0, { inLen: 100 }).status).toBe(S_IOERR);
    expect(request(g, T_IN, SECTORS - 1, { inLen: 512 }).status).toBe(S_OK);
    expect(logs.join('\n')).toMatch(/past the end of the disk \(64 sectors\)/);
    expect(logs.join('\n')).toMatch(/length 100 is not a multiple of 512/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('answers IOERR to writes on a read-only drive and leaves the file alone', () => {
    const { g, path, bytes, logs } = setup(version, { readonly: true });
    expect(request(g, T_OUT, 0, { out: new Uint8Array(512).fill(1) }).status).toBe(S_IOERR);
    expect(request(g, T_IN, 0, { inLen: 512 }).status).toBe(S_OK);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(logs.join()).toMatch(/read-only/);
  });

  it('puts the device in NEEDS_RESET for a request without header or status byte', () => {
    for (const descs of [
      [{ addr: HDR, len: 8, flags: 0 }, { addr: STATUS, len: 1, flags: F_WRITE }],
      [{ addr: HDR, len: 16, flags: 0 }],
    ]) {
      const { g, logs } = setup(version);
      expect(() => g.submit(g.chain(descs))).not.toThrow();
      expect(logs.join()).toMatch(/without a 16-byte header or a status byte/);
      expect(g.usedIdx()).toBe(0);
      if (version === 2) expect(g.status() & NEEDS_RESET).toBe(NEEDS_RESET);
    }
  });

  it('closes the image when the machine closes the device', async () => {
    const { d, image } = setup(version);
    await d.device.close!();
    expect(image.closes).toBe(1);
    expect(image.read(0, new Uint8Array(512))).toBe(false);
  });
});

describe('virtio-blk slot attachment', () => {
  it('switches the slot to the transport the drive asks for', () => {
    const { path } = makeImage();
    for (const [transport, version] of [
      ['modern', 2],
      ['legacy', 1],
    ] as const) {
      const image = new CountingImage(FileBlockImage.open(path, false, { locking: false }));
      opened.push(image);
      const d = instantiate(virtioType, { name: 'virtio0', reg: [[0x10001000, 0x1000]], irqs: ['plic:1'], props: { version: version === 2 ? 1 : 2 } });
      d.device.slot!.attach(blkType, { id: 'drive0', image, options: { transport } });
      expect(d.read(REG.Version)).toBe(version);
      expect(d.device.slot!.occupied).toBe(true);
      expect(d.regs().nameAt(REG.QueueReady)).toBe(version === 2 ? 'QueueReady' : undefined);
      expect(() => d.device.slot!.attach(blkType, { id: 'drive1', image, options: {} })).toThrow(/already holds/);
    }
  });
});
