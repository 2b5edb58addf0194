/**
 * `rvos run --screenshot FILE`: when the machine stops, the framebuffer a display device scans out
 * (Device.framebuffer) is saved as PNG. A tiny display plugin points at RAM the guest paints.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeGuest } from '../helpers/bare-guest.js';
import { rvos } from '../helpers/cli.js';
import { writeDevicePlugin } from '../helpers/plugin-folder.js';
import * as A from '../helpers/rv32asm.js';
import { crc32 } from '../../src/core/image/png.js';

const dir = mkdtempSync(join(tmpdir(), 'rvos-screenshot-'));
const FB = 0x80100000;
const plugin = writeDevicePlugin(
  dir,
  'rvos-dev-testdisplay',
  `export function register(api) {
  api.defineDevice({ type: 'testdisplay', description: 'a 2x2 xrgb8888 framebuffer at ${FB} (pitch 16)', access: { sizes: [4] },
    create: (ctx) => ({ name: ctx.entry.name, read: () => 0, write: () => {},
      framebuffer: () => {
        const rgba = new Uint8Array(16);
        for (let y = 0; y < 2; y++) for (let x = 0; x < 2; x++) {
          const px = new Uint8Array(4);
          ctx.bus.dmaRead(${FB} + y * 16 + x * 4, px); // B G R X in memory
          rgba.set([px[2], px[1], px[0], 255], (y * 2 + x) * 4);
        }
        return { width: 2, height: 2, rgba };
      } }) });
}
`,
);
const board = join(dir, 'fb.yaml');
writeFileSync(board, 'extends: virt\nname: fb\ndevices:\n  - { type: testdisplay, name: fb0, reg: [0x10200000, 0x1000] }\n');
// Red, green / blue, white (0xXXRRGGBB words; the second row 16 bytes on), then power off.
const pixels: Array<[number, number]> = [[0, 0xff0000], [4, 0x00ff00], [16, 0x0000ff], [20, 0xffffff]];
const guest = writeGuest([
  ...A.li(A.t0, FB),
  ...pixels.flatMap(([off, rgb]) => [...A.li(A.t1, rgb), A.sw(A.t1, A.t0, off)]),
  ...A.li(A.t0, 0x100000), ...A.li(A.t1, 0x5555), A.sw(A.t1, A.t0, 0),
]);

/** Splits a PNG into its chunks, checking the signature and every CRC. */
function chunks(png: Buffer): Map<string, Buffer> {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out = new Map<string, Buffer>();
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + len);
    expect(png.readUInt32BE(at + 8 + len), type).toBe(crc32(png.subarray(at + 4, at + 8 + len)));
    out.set(type, data);
    at += 12 + len;
  }
  return out;
}

describe('rvos run --screenshot', () => {
  it('saves the framebuffer a display device shows as PNG when the machine stops', async () => {
    const file = join(dir, 'shot.png');
    const r = await rvos(['run', '--board', board, '--plugin', plugin, '--bios', 'none', '--kernel', guest, '--screenshot', file]);
    expect(r.code, r.stderr).toBe(0);
    const c = chunks(readFileSync(file));
    expect([...c.get('IHDR')!]).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
    const rows = inflateSync(c.get('IDAT')!);
    expect([...rows]).toEqual([0, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
    expect(c.has('IEND')).toBe(true);
  });

  it('says so when no device shows a framebuffer, and names an unwritable path before running', async () => {
    const file = join(dir, 'none.png');
    const r = await rvos(['run', '--bios', 'none', '--kernel', guest, '--screenshot', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`rvos: --screenshot ${file}: no device shows a framebuffer (nothing saved)\n`);
    expect(existsSync(file)).toBe(false);
    const bad = await rvos(['run', '--bios', 'none', '--kernel', guest, '--screenshot', join(dir, 'no/such/dir/x.png')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rvos: --screenshot \S+x\.png: cannot open \S+x\.png: ENOENT\n$/);
  });
});
