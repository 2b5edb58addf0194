import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { snapshotFramebuffer } from '../../../plugins/dev-bcm2835-mbox/src/framebuffer.js';
import { encodePng } from '../../../src/core/image/png.js';
import { defaultFramebuffer, type FramebufferConfig } from '../../../plugins/dev-bcm2835-mbox/src/property.js';
import { register } from '../../../plugins/dev-bcm2835-mbox/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const mboxType = loadDevicePlugin(register).get('bcm2835-mbox')!;
const RAM = 0x80000000;

function setup(fbPatch: Partial<FramebufferConfig>, pixels: number[]) {
  const d = instantiate(mboxType, { name: 'mbox', reg: [[0x3f00b880, 0x40]] });
  const fb: FramebufferConfig = { ...defaultFramebuffer(RAM), base: RAM + 0x1000, ...fbPatch };
  d.h.bus.dmaWrite(RAM + 0x1000, Uint8Array.from(pixels));
  return { bus: d.h.bus, fb };
}
const px = (rgba: Uint8Array, i: number) => Array.from(rgba.subarray(i * 4, i * 4 + 4));

describe('bcm2835 framebuffer picture', () => {
  it('decodes RGB565 (16 bpp) rows with the pitch of the virtual width', () => {
    const { bus, fb } = setup({ xres: 2, yres: 2, xresVirtual: 2, yresVirtual: 2, bpp: 16 }, [0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00, 0xff, 0xff]);
    const pic = snapshotFramebuffer(bus, fb, RAM, 0xffffffff)!;
    expect([pic.width, pic.height]).toEqual([2, 2]);
    expect(px(pic.rgba, 0)).toEqual([0xf8, 0, 0, 255]);
    expect(px(pic.rgba, 1)).toEqual([0, 0xfc, 0, 255]);
    expect(px(pic.rgba, 2)).toEqual([0, 0, 0xf8, 255]);
    expect(px(pic.rgba, 3)).toEqual([0xf8, 0xfc, 0xf8, 255]);
  });

  it('reads 32 bpp with red in the low byte, swapping for BGR order', () => {
    const { bus, fb } = setup({ xres: 1, yres: 1, xresVirtual: 1, yresVirtual: 1, bpp: 32, pixelOrder: 0 }, [0x11, 0x22, 0x33, 0x00]);
    expect(px(snapshotFramebuffer(bus, fb, RAM, 0xffffffff)!.rgba, 0)).toEqual([0x33, 0x22, 0x11, 255]);
  });

  it('uses the virtual offset only when the virtual screen is larger in both directions', () => {
    const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // 3x3 at 8 bpp: palette indices
    const { bus, fb } = setup({ xres: 1, yres: 1, xresVirtual: 3, yresVirtual: 3, xoffset: 1, yoffset: 2, bpp: 8 }, rows);
    const palette = new Uint8Array(1024);
    palette.set([10, 20, 30, 0], 8 * 4);
    bus.dmaWrite(RAM, palette);
    expect(px(snapshotFramebuffer(bus, fb, RAM, 0xffffffff)!.rgba, 0)).toEqual([10, 20, 30, 255]);
  });

  it('is undefined when the buffer is not in RAM', () => {
    const { bus, fb } = setup({ base: 0x1000 }, []);
    expect(snapshotFramebuffer(bus, fb, RAM, 0xffffffff)).toBeUndefined();
  });

  it('encodes a PNG whose IHDR and pixel data decode back', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 255]);
    const png = Buffer.from(encodePng(2, 2, rgba));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([2, 2, 8, 6]);
    const idatLen = png.readUInt32BE(33);
    expect(png.toString('latin1', 37, 41)).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(Array.from(raw)).toEqual([0, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 255, 255, 9, 9, 9, 255]);
    // Every PNG's IEND chunk has the same CRC: checks the CRC-32 implementation.
    expect(png.toString('latin1', png.length - 8, png.length - 4)).toBe('IEND');
    expect(png.readUInt32BE(png.length - 4)).toBe(0xae426082);
  });
});
