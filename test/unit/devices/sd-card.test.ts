import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-sd-card/src/index.js';
import { crc7, SdMemoryCard, ST_APP_CMD, ST_ILLEGAL_COMMAND, ST_OUT_OF_RANGE, ST_WP_VIOLATION } from '../../../plugins/dev-sd-card/src/index.js';
import type { BackendType, PluginApi } from '../../../src/core/api.js';
import { createPropKit } from '../../../src/core/props.js';
import { memoryDrive, MemoryImage } from './sd-test-image.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function backend(): BackendType {
  let t: BackendType | undefined;
  const api: PluginApi = { apiVersion: 1, prop: createPropKit(), defineDevice: () => {}, defineArch: () => {}, defineBackend: (b) => (t = b), defineBoot: () => {} };
  register(api);
  return t!;
}

function card(size: number, opts: { readOnly?: boolean; options?: Record<string, string> } = {}) {
  const { drive, image } = memoryDrive(size, opts);
  const logs: string[] = [];
  const clock = { ns: 0 };
  const c = backend().create({ log: (m: string) => logs.push(m), now: () => clock.ns }, drive) as SdMemoryCard;
  const resp = new Uint32Array(4);
  const cmd = (index: number, arg = 0) => {
    resp.fill(0);
    const len = c.command(index, arg, resp);
    return { len, r: resp[0], resp: Array.from(resp) };
  };
  const acmd = (index: number, arg = 0, rca = 0) => {
    expect(cmd(55, rca << 16).len).toBe(4);
    return cmd(index, arg);
  };
  /** The usual init: CMD0, CMD8, ACMD41, CMD2, CMD3, CMD7; returns the RCA. */
  const init = () => {
    cmd(0);
    cmd(8, 0x1aa);
    acmd(41, 0x40ff8000);
    cmd(2);
    const rca = cmd(3).r >>> 16;
    expect(cmd(7, rca << 16).len).toBe(4);
    return rca;
  };
  return { c, image, cmd, acmd, init, logs, clock };
}

const state = (r1: number) => (r1 >>> 9) & 0xf;

describe('sd-card backend', () => {
  it('registers an "sd" disk backend', () => {
    const t = backend();
    expect([t.type, t.interface, t.media]).toEqual(['sd-card', 'sd', 'disk']);
  });

  it('CMD8 echoes VHS and the check pattern (R7); an unsupported voltage gets no response', () => {
    const { cmd } = card(64 * MiB);
    expect(cmd(8, 0x1aa)).toMatchObject({ len: 4, r: 0x1aa });
    expect(cmd(8, 0x2aa).len).toBe(0);
  });

  it('ACMD41: an enquiry answers busy; with a voltage window the card powers up (CCS only on SDHC)', () => {
    const sdsc = card(64 * MiB);
    expect(sdsc.acmd(41, 0).r >>> 0).toBe(0x00ffff00);
    const ready = sdsc.acmd(41, 0x40ff8000).r >>> 0;
    expect(ready).toBe(0x80ffff00);
    // ACMD41 again (card is ready now) is illegal: no response, ILLEGAL_COMMAND in the next R1.
    sdsc.cmd(55);
    expect(sdsc.cmd(41, 0x40ff8000).len).toBe(0);
    const sdhc = card(4 * GiB);
    expect(sdhc.acmd(41, 0x40ff8000).r >>> 0).toBe(0xc0ffff00);
    expect(card(64 * MiB, { options: { sd: 'sdhc' } }).acmd(41, 0x40ff8000).r >>> 0).toBe(0xc0ffff00);
  });

  it('ACMD41 enquiries alone power the card up 0.5 ms (virtual) after the first one, as QEMU', () => {
    const { acmd, clock } = card(64 * MiB);
    clock.ns = 1000;
    expect(acmd(41, 0).r >>> 31).toBe(0);
    clock.ns = 1000 + 499_999;
    expect(acmd(41, 0).r >>> 31).toBe(0);
    clock.ns = 1000 + 500_000;
    expect(acmd(41, 0).r >>> 0).toBe(0x80ffff00);
  });

  it('CMD55 sets APP_CMD in its R1 and the ACMD response', () => {
    const { cmd, init } = card(64 * MiB);
    const rca = init();
    expect(cmd(55, rca << 16).r & ST_APP_CMD).toBeTruthy();
    expect(cmd(6, 2).r & ST_APP_CMD).toBeTruthy(); // ACMD6
    expect(cmd(13, rca << 16).r & ST_APP_CMD).toBe(0);
  });

  it('CMD2 sends the CID (R2) with a valid CRC7; CMD3 publishes RCA 0x4567 (R6, state ident)', () => {
    const { cmd, acmd } = card(64 * MiB);
    cmd(0);
    acmd(41, 0x00ff8000);
    const cid = cmd(2);
    expect(cid.len).toBe(16);
    const bytes = Uint8Array.from([3, 2, 1, 0].flatMap((w) => [24, 16, 8, 0].map((s) => (cid.resp[w] >>> s) & 0xff)));
    expect(bytes[0]).toBe(0xaa);
    expect(new TextDecoder().decode(bytes.subarray(3, 8))).toBe('QEMU!');
    expect(bytes[15]).toBe((crc7(bytes.subarray(0, 15)) << 1) | 1);
    const r6 = cmd(3).r;
    expect(r6 >>> 16).toBe(0x4567);
    expect(state(r6)).toBe(2);
  });

  it('CRC7 matches the spec example (CMD0 argument 0: 0x4a)', () => {
    expect(crc7(Uint8Array.of(0x40, 0, 0, 0, 0))).toBe(0x4a);
  });

  it('CMD9: CSD v2 on SDHC gives the image size; CSD v1 on SDSC too', () => {
    const csdOf = (size: number) => {
      const { cmd, acmd } = card(size);
      cmd(0);
      acmd(41, 0x40ff8000);
      cmd(2);
      const rca = cmd(3).r >>> 16;
      const r = cmd(9, rca << 16);
      expect(r.len).toBe(16);
      // bit n of the 128-bit register
      return (hi: number, lo: number) => {
        let v = 0;
        for (let b = hi; b >= lo; b--) v = v * 2 + ((r.resp[b >> 5] >>> (b & 31)) & 1);
        return v;
      };
    };
    const v2 = csdOf(4 * GiB);
    expect(v2(127, 126)).toBe(1);
    expect((v2(69, 48) + 1) * 512 * 1024).toBe(4 * GiB);
    const v1 = csdOf(64 * MiB);
    expect(v1(127, 126)).toBe(0);
    expect((v1(73, 62) + 1) * 2 ** (v1(49, 47) + 2) * 2 ** v1(83, 80)).toBe(64 * MiB);
  });

  it('the SDHC CSD has the byte layout of QEMU 7.2\'s card', () => {
    const { cmd, acmd } = card(4 * GiB);
    cmd(0);
    acmd(41, 0x40ff8000);
    cmd(2);
    const r = cmd(9, (cmd(3).r >>> 16) << 16);
    const bytes = [3, 2, 1, 0].flatMap((w) => [24, 16, 8, 0].map((s) => (r.resp[w] >>> s) & 0xff));
    expect(bytes.slice(0, 15)).toEqual([0x40, 0x0e, 0x00, 0x32, 0x5b, 0x59, 0x00, 0x00, 0x1f, 0xff, 0x7f, 0x80, 0x0a, 0x40, 0x00]);
  });

  it('CMD7 selects (tran), CMD13 reports the state, another RCA gets no answer', () => {
    const { cmd, init } = card(64 * MiB);
    const rca = init();
    expect(state(cmd(13, rca << 16).r)).toBe(4);
    expect(cmd(13, (rca + 1) << 16).len).toBe(0);
    expect(cmd(7, 0).len).toBe(0); // deselect
    expect(state(cmd(13, rca << 16).r)).toBe(3);
  });

  it('an illegal command is not answered and flagged in the next response', () => {
    const { cmd, init } = card(64 * MiB);
    const rca = init();
    expect(cmd(2).len).toBe(0);
    expect(cmd(13, rca << 16).r & ST_ILLEGAL_COMMAND).toBeTruthy();
    expect(cmd(13, rca << 16).r & ST_ILLEGAL_COMMAND).toBe(0); // clear on read
  });

  it('CMD17 reads one block at a byte address on SDSC; CMD16 sets a shorter block', () => {
    const { c, cmd, init } = card(64 * MiB);
    init();
    expect(cmd(17, 3 * 512).len).toBe(4);
    expect(c.sending).toBe(true);
    const buf = new Uint8Array(600);
    expect(c.read(buf)).toBe(512);
    expect(Array.from(buf.subarray(0, 512))).toEqual(Array.from({ length: 512 }, (_, i) => MemoryImage.pattern(3 * 512 + i)));
    expect(c.sending).toBe(false);
    cmd(16, 8);
    cmd(17, 100);
    expect(c.read(buf)).toBe(8);
    expect(Array.from(buf.subarray(0, 8))).toEqual(Array.from({ length: 8 }, (_, i) => MemoryImage.pattern(100 + i)));
  });

  it('CMD18 on SDHC reads consecutive blocks by block number until CMD12', () => {
    const { c, cmd, init } = card(4 * GiB);
    const rca = init();
    const lba = 7_000_000; // 3.3 GiB in: the byte address does not fit 32 bits
    cmd(18, lba);
    const buf = new Uint8Array(512 * 3);
    expect(c.read(buf)).toBe(buf.length);
    for (const i of [0, 511, 512, 1535]) expect(buf[i]).toBe(MemoryImage.pattern(lba * 512 + i));
    expect(c.sending).toBe(true);
    const stop = cmd(12);
    expect(state(stop.r)).toBe(5);
    expect(state(cmd(13, rca << 16).r)).toBe(4);
  });

  it('a read past the end answers OUT_OF_RANGE and stays in tran', () => {
    const { c, cmd, init } = card(1 * MiB);
    init();
    // Reported in the command's own R1 (type ERX, §4.10.1), then cleared.
    expect(cmd(17, 1 * MiB).r & ST_OUT_OF_RANGE).toBeTruthy();
    expect(c.sending).toBe(false);
    expect(cmd(13, 0x4567 << 16).r & ST_OUT_OF_RANGE).toBe(0);
  });

  it('CMD24 writes one block and flushes it before the write returns', () => {
    const { c, image, cmd, init } = card(4 * GiB);
    init();
    cmd(24, 5);
    expect(c.receiving).toBe(true);
    expect(c.write(new Uint8Array(512).fill(0x5a))).toBe(512);
    expect(c.receiving).toBe(false);
    expect(image.unflushed).toBe(0);
    expect(image.flushes).toBe(1);
    const back = new Uint8Array(512);
    image.read(5 * 512, back);
    expect(back.every((b) => b === 0x5a)).toBe(true);
  });

  it('CMD25 writes blocks until CMD12, which makes them durable', () => {
    const { c, image, cmd, init } = card(64 * MiB);
    init();
    cmd(25, 1024);
    const data = Uint8Array.from({ length: 1536 }, (_, i) => (i * 3) & 0xff);
    expect(c.write(data)).toBe(1536);
    expect(image.writes).toBe(3);
    expect(image.unflushed).toBe(3);
    expect(c.receiving).toBe(true);
    expect(cmd(12).len).toBe(4);
    expect(image.unflushed).toBe(0);
    const back = new Uint8Array(1536);
    image.read(1024, back);
    expect(back).toEqual(data);
  });

  it('a write to a read-only card answers WP_VIOLATION', () => {
    const { c, cmd, init } = card(64 * MiB, { readOnly: true });
    init();
    expect(c.readOnly).toBe(true);
    const r = cmd(24, 0);
    expect(r.len).toBe(4);
    expect(r.r & ST_WP_VIOLATION).toBeTruthy();
    expect(c.receiving).toBe(false);
  });

  it('ACMD51 sends the SCR; ACMD6 sets the bus width that ACMD13 reports', () => {
    const { c, acmd, init } = card(64 * MiB);
    const rca = init();
    acmd(51, 0, rca);
    const scr = new Uint8Array(8);
    expect(c.read(scr)).toBe(8);
    expect(Array.from(scr)).toEqual([0x02, 0x25, 0, 0, 0, 0, 0, 0]);
    expect(c.sending).toBe(false);
    acmd(6, 2, rca);
    acmd(13, 0, rca);
    const ssr = new Uint8Array(64);
    expect(c.read(ssr)).toBe(64);
    expect(ssr[0] >> 6).toBe(2);
  });

  it('CMD6 mode 0 reports high speed supported in group 1', () => {
    const { c, cmd, init } = card(64 * MiB);
    init();
    cmd(6, 0x00fffff1);
    const st = new Uint8Array(64);
    expect(c.read(st)).toBe(64);
    expect(st[13] & 0x02).toBeTruthy();
    expect(st[16] & 0xf).toBe(1);
  });

  it('rejects a bad sd= option and an SDSC card over 2 GiB', () => {
    expect(() => card(64 * MiB, { options: { sd: 'mmc' } })).toThrow(/sd=mmc/);
    expect(() => card(4 * GiB, { options: { sd: 'sdsc' } })).toThrow(/2 GiB/);
  });
});
