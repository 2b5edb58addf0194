import type { Bus, FramebufferInfo } from '../api.js';

/** Bytes per pixel of each framebuffer format. */
const BYTES: Record<FramebufferInfo['format'], number> = { rgb565: 2, rgb888: 3, bgr888: 3, xrgb8888: 4, xbgr8888: 4 };

/**
 * Reads a framebuffer from guest memory as 8-bit RGB (little-endian pixels, as the Pi's VC and
 * most framebuffers store them). Undefined when it does not lie in RAM.
 */
export function framebufferRgb(bus: Bus, fb: FramebufferInfo): Uint8Array | undefined {
  const bpp = BYTES[fb.format];
  if (fb.width <= 0 || fb.height <= 0 || fb.pitch < fb.width * bpp) return undefined;
  const rows = new Uint8Array(fb.pitch * fb.height);
  if (!bus.dmaRead(fb.address, rows)) return undefined;
  const rgb = new Uint8Array(fb.width * fb.height * 3);
  for (let y = 0; y < fb.height; y++) {
    for (let x = 0; x < fb.width; x++) {
      const p = y * fb.pitch + x * bpp;
      const o = (y * fb.width + x) * 3;
      switch (fb.format) {
        case 'rgb565': {
          const w = rows[p] | (rows[p + 1] << 8);
          rgb[o] = ((w >> 11) & 0x1f) * 255 / 31;
          rgb[o + 1] = ((w >> 5) & 0x3f) * 255 / 63;
          rgb[o + 2] = (w & 0x1f) * 255 / 31;
          break;
        }
        case 'rgb888': // bytes in memory R, G, B
          rgb.set(rows.subarray(p, p + 3), o);
          break;
        case 'bgr888':
          rgb[o] = rows[p + 2];
          rgb[o + 1] = rows[p + 1];
          rgb[o + 2] = rows[p];
          break;
        case 'xrgb8888': // a little-endian 0xXXRRGGBB word: bytes B, G, R, X
          rgb[o] = rows[p + 2];
          rgb[o + 1] = rows[p + 1];
          rgb[o + 2] = rows[p];
          break;
        case 'xbgr8888': // 0xXXBBGGRR: bytes R, G, B, X
          rgb[o] = rows[p];
          rgb[o + 1] = rows[p + 1];
          rgb[o + 2] = rows[p + 2];
          break;
      }
    }
  }
  return rgb;
}
