import { describe, expect, it } from 'vitest';
import type { BlockImage, DeviceType, PluginApi } from '../../../src/core/api.js';
import { CardState, crc7, ILLEGAL_COMMAND, OUT_OF_RANGE, SdCard } from '../../../plugins/dev-sd-card/src/card.js';
import { register } from '../../../plugins/dev-sd-card/src/index.js';

/** An in-memory BlockImage. */
function image(size: number, readOnly = false): BlockImage & { data: Uint8Array } {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
  return {
    path: 'mem',
    size,
    readOnly,
    data,
    read: (off, dst) => (off + dst.length <= size ? (dst.set(data.subarray(off, off + dst.length)), true) : false),
    write: (off, src) => (!readOnly && off + src.length <= size ? (data.set(src, off), true) : false),
    flush: () => true,
    close: () => {},
  };
}

/** The initialisation U-Boot and Linux do: CMD0, CMD8, ACMD41 until ready, CMD2, CMD3, CMD9, CMD7. */
function initCard(card: SdCard): number {
  expect(card.command(0, 0)).toBeUndefined();
  expect(card.command(8, 0x1aa)).toEqual({ kind: 'r7', value: 0x1aa });
  card.command(55, 0);
  const ocr = card.command(41, 0x40ff8000)!;
  expect(ocr.kind).toBe('r3');
  expect(card.command(2, 0)!.kind).toBe('r2');
  const r6 = card.command(3, 0)!;
  const rca = r6.value >>> 16;
  expect(card.command(9, rca << 16)!.kind).toBe('r2');
  expect(card.command(7, rca << 16)!.kind).toBe('r1b');
  expect(card.state).toBe(CardState.Transfer);
  return rca;
}
const readBytes = (card: SdCard, n: number) => Uint8Array.from({ length: n }, () => card.readByte());

describe('sd-card plugin', () => {
  it('registers an sd-card backend for the "sd" slot interface', () => {
    const backends: unknown[] = [];
    const api = { apiVersion: 1, prop: {}, defineDevice: (_t: DeviceType) => {}, defineArch: () => {}, defineBackend: (b: unknown) => backends.push(b) } as unknown as PluginApi;
    register(api);
    expect(backends).toHaveLength(1);
    expect(backends[0]).toMatchObject({ type: 'sd-card', interface: 'sd', media: 'disk' });
  });

  it('computes CRC7 as the spec example (CMD0: 0x4A)', () => {
    expect(crc7(Uint8Array.from([0x40, 0, 0, 0, 0]))).toBe(0x4a);
    expect(crc7(Uint8Array.from([0x51, 0, 0, 0, 0]))).toBe(0x2a); // CMD17 arg 0
  });

  it('goes through identification to the transfer state with QEMU-like answers', () => {
    const card = new SdCard(image(64 * 1024 * 1024));
    const rca = initCard(card);
    expect(rca).toBe(0x4567);
    expect(card.command(13, rca << 16)!.value >>> 9 & 0xf).toBe(CardState.Transfer);
  });

  it('does not power up for an inquiry ACMD41 (no voltage window) and sets CCS only above 2 GiB', () => {
    const small = new SdCard(image(1024 * 1024));
    small.command(55, 0);
    expect(small.command(41, 0)!.value).toBe(0x00ff8000);
    expect(small.state).toBe(CardState.Idle);
    small.command(55, 0);
    expect(small.command(41, 0x40ff8000)!.value).toBe(0x80ff8000);
    const big = new SdCard({ ...image(512), size: 4 * 1024 * 1024 * 1024 });
    big.command(55, 0);
    expect(big.command(41, 0x40ff8000)!.value).toBe(0xc0ff8000);
  });

  it('describes its capacity in the CSD: 1.0 (C_SIZE, C_SIZE_MULT) or 2.0 (C_SIZE in 512 KiB)', () => {
    const sc = new SdCard(image(64 * 1024 * 1024)).csd;
    expect(sc[0] >> 6).toBe(0);
    const cSize = ((sc[6] & 3) << 10) | (sc[7] << 2) | (sc[8] >> 6);
    const mult = ((sc[9] & 3) << 1) | (sc[10] >> 7);
    const readBl = sc[5] & 0xf;
    expect((cSize + 1) * 2 ** (mult + 2) * 2 ** readBl).toBe(64 * 1024 * 1024);
    expect(sc[15] & 1).toBe(1);
    expect(sc[15] >> 1).toBe(crc7(sc.subarray(0, 15)));
    const hc = new SdCard({ ...image(512), size: 8 * 1024 * 1024 * 1024 }).csd;
    expect(hc[0] >> 6).toBe(1);
    const cSize2 = ((hc[7] & 0x3f) << 16) | (hc[8] << 8) | hc[9];
    expect((cSize2 + 1) * 512 * 1024).toBe(8 * 1024 * 1024 * 1024);
  });

  it('reads a block at a byte address (SDSC) and returns to transfer', () => {
    const img = image(1024 * 1024);
    const card = new SdCard(img);
    initCard(card);
    const r = card.command(17, 1024)!;
    expect(r.value & (OUT_OF_RANGE | ILLEGAL_COMMAND)).toBe(0);
    expect(card.dataReady()).toBe(true);
    expect(readBytes(card, 512)).toEqual(img.data.subarray(1024, 1536));
    expect(card.dataReady()).toBe(false);
    expect(card.state).toBe(CardState.Transfer);
  });

  it('reads blocks at block addresses on SDHC', () => {
    const img = image(4096);
    const card = new SdCard({ ...img, size: 4 * 1024 * 1024 * 1024, read: (o, d) => img.read(o, d) });
    initCard(card);
    card.command(17, 3);
    expect(readBytes(card, 512)).toEqual(img.data.subarray(1536, 2048));
  });

  it('streams blocks with CMD18 until CMD12', () => {
    const img = image(1024 * 1024);
    const card = new SdCard(img);
    initCard(card);
    card.command(18, 0);
    expect(readBytes(card, 1536)).toEqual(img.data.subarray(0, 1536));
    expect(card.dataReady()).toBe(true);
    expect(card.command(12, 0)!.kind).toBe('r1b');
    expect(card.state).toBe(CardState.Transfer);
  });

  it('writes one block with CMD24 and several with CMD25 into the image', () => {
    const img = image(1024 * 1024);
    const card = new SdCard(img);
    initCard(card);
    card.command(24, 512);
    for (let i = 0; i < 512; i++) card.writeByte(0xa5);
    expect(card.state).toBe(CardState.Transfer);
    expect(img.data.subarray(512, 1024).every((b) => b === 0xa5)).toBe(true);
    card.command(25, 4096);
    for (let i = 0; i < 1024; i++) card.writeByte(i >> 2);
    card.command(12, 0);
    expect(img.data[4096 + 1023]).toBe(255);
    expect(img.data[4096 + 4]).toBe(1);
  });

  it('reports OUT_OF_RANGE past the end and ILLEGAL_COMMAND out of state', () => {
    const card = new SdCard(image(1024 * 1024));
    expect(card.command(17, 0)).toBeUndefined(); // not in transfer
    const rca = initCard(card);
    expect(card.command(2, 0)).toBeUndefined(); // CMD2 outside the ready state
    expect(card.command(13, rca << 16)!.value & ILLEGAL_COMMAND).toBe(ILLEGAL_COMMAND);
    expect(card.command(13, rca << 16)!.value & ILLEGAL_COMMAND).toBe(0); // clear on read
    expect(card.command(17, 1024 * 1024)!.value & OUT_OF_RANGE).toBe(OUT_OF_RANGE);
    expect(card.state).toBe(CardState.Transfer);
  });

  it('answers ACMD6 (bus width), ACMD51 (SCR), ACMD13 and CMD6 (high speed) as a 2.00 card', () => {
    const card = new SdCard(image(1024 * 1024));
    const rca = initCard(card);
    card.command(55, rca << 16);
    expect(card.command(6, 2)!.value & (1 << 5)).toBe(1 << 5); // APP_CMD in the status
    expect(card.width).toBe(4);
    card.command(55, rca << 16);
    card.command(51, 0);
    expect(readBytes(card, 8)).toEqual(Uint8Array.from([0x02, 0x25, 0, 0, 0, 0, 0, 0]));
    card.command(55, rca << 16);
    card.command(13, 0);
    expect(readBytes(card, 64)[0]).toBe(0x80);
    card.command(6, 0x80fffff1); // switch group 1 to high speed
    const status = readBytes(card, 64);
    expect((status[12] << 8) | status[13]).toBe(0x8003); // group 1 supports 0, 1 (and 15)
    expect(status[16] & 0xf).toBe(1); // group 1 switched to function 1
    expect(card.state).toBe(CardState.Transfer);
  });

  it('selects and deselects with CMD7 and ignores other addresses', () => {
    const card = new SdCard(image(1024 * 1024));
    const rca = initCard(card);
    expect(card.command(7, 0)).toBeUndefined();
    expect(card.state).toBe(CardState.Standby);
    expect(card.command(13, 0x1234 << 16)).toBeUndefined();
    expect(card.command(7, rca << 16)!.kind).toBe('r1b');
    expect(card.state).toBe(CardState.Transfer);
  });
});
