/**
 * The framebuffer's pixels as a picture: what the TUI or `--screenshot` will show. Pixel formats
 * as QEMU's bcm2835_fb draws them: 8 bpp through the palette at the start of VC memory (32-bit
 * entries, red in the low byte), 16 bpp RGB565, 24/32 bpp with red in the lowest byte; pixel
 * order 0 (BGR) swaps red and blue. The virtual offset applies only when the virtual size exceeds
 * the physical one in both directions (QEMU: "experimentally, the hardware seems to do this");
 * the x offset counts pixels (QEMU adds it as bytes, which only differs for x offsets other than 0).
 */
import type { Bus, Picture } from '../../../src/core/api.js';
import { fbPitch, type FramebufferConfig } from './property.js';

/** Reads the visible screen from guest memory; undefined when it is not (all) in RAM or empty. */
export function snapshotFramebuffer(bus: Bus, fb: FramebufferConfig, vcBase: number, busMask: number): Picture | undefined {
  const width = fb.xres;
  const height = fb.yres;
  const bytesPerPixel = fb.bpp >> 3;
  if (width === 0 || height === 0 || width > 4096 || height > 4096 || ![1, 2, 3, 4].includes(bytesPerPixel)) return undefined;
  const pitch = fbPitch(fb);
  const offsets = fb.xresVirtual > fb.xres && fb.yresVirtual > fb.yres;
  const base = ((fb.base & busMask) >>> 0) + (offsets ? fb.yoffset * pitch + fb.xoffset * bytesPerPixel : 0);
  const row = new Uint8Array(width * bytesPerPixel);
  let palette: Uint8Array | undefined;
  if (bytesPerPixel === 1) {
    palette = new Uint8Array(1024);
    if (!bus.dmaRead(vcBase, palette)) return undefined;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    if (!bus.dmaRead(base + y * pitch, row)) return undefined;
    for (let x = 0; x < width; x++) {
      let r: number, g: number, b: number;
      const p = x * bytesPerPixel;
      if (bytesPerPixel === 1) {
        const e = row[p] * 4;
        [r, g, b] = [palette![e], palette![e + 1], palette![e + 2]];
      } else if (bytesPerPixel === 2) {
        const v = row[p] | (row[p + 1] << 8);
        [r, g, b] = [((v >> 11) & 0x1f) << 3, ((v >> 5) & 0x3f) << 2, (v & 0x1f) << 3];
      } else [r, g, b] = [row[p], row[p + 1], row[p + 2]];
      if (fb.pixelOrder === 0) [r, b] = [b, r];
      const o = (y * width + x) * 4;
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = 255;
    }
  }
  return { width, height, rgba };
}
