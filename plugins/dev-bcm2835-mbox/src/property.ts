/**
 * The VideoCore firmware's mailbox property interface (channel 8), as QEMU 7.2 answers it
 * (hw/misc/bcm2835_property.c; tags from the Raspberry Pi firmware wiki "Mailbox property
 * interface").
 *
 * A request is a buffer in guest memory: u32 total size, u32 request/response code, then tags
 * (u32 tag id, u32 value buffer size, u32 request/response indicator, value buffer), ending with
 * tag 0. Every known tag gets its values written back and its indicator set to bit 31 | response
 * length; unknown tags are skipped untouched (QEMU logs them); the buffer code becomes 0x80000000.
 *
 * The buffer address is a VideoCore bus address; its top two bits pick a cache alias of the same
 * SDRAM (0x00000000, 0x40000000, 0x80000000, 0xC0000000), so they are masked off for the access
 * (`busAddressMask`).
 */
import type { Bus } from '../../../src/core/api.js';

/** Framebuffer geometry as the firmware reports it (QEMU BCM2835FBConfig). */
export interface FramebufferConfig {
  xres: number;
  yres: number;
  xresVirtual: number;
  yresVirtual: number;
  xoffset: number;
  yoffset: number;
  bpp: number;
  /** 0 BGR, 1 RGB. */
  pixelOrder: number;
  /** 0 enabled, 1 reversed, 2 ignored. */
  alphaMode: number;
  /** Physical address of the pixels (VC memory + 1 MiB, as QEMU). */
  base: number;
}

export interface PropertyConfig {
  boardRevision: number;
  serial: number;
  mac: readonly number[];
  /** VC memory: the top of RAM the firmware keeps; ARM memory is everything below it. */
  vcBase: number;
  vcSize: number;
  /** Applied to bus addresses before DMA: 0x3FFFFFFF drops the VideoCore alias bits. */
  busAddressMask: number;
}

/** Clock ids of the firmware (raspberrypi-firmware.h). */
const CLOCK_EMMC = 1;
const CLOCK_UART = 2;
const CLOCK_CORE = 4;
/** Largest framebuffer QEMU accepts (bcm2835_fb.c XRES_MAX/YRES_MAX). */
const XRES_MAX = 3840;
const YRES_MAX = 2560;
const MAX_BUFFER = 1 << 20;

export const defaultFramebuffer = (vcBase: number): FramebufferConfig => ({
  xres: 640,
  yres: 480,
  xresVirtual: 640,
  yresVirtual: 480,
  xoffset: 0,
  yoffset: 0,
  bpp: 16,
  pixelOrder: 1,
  alphaMode: 2,
  base: vcBase + 0x100000,
});

export const fbPitch = (fb: FramebufferConfig) => fb.xresVirtual * (fb.bpp >> 3);
export const fbSize = (fb: FramebufferConfig) => fb.yresVirtual * fbPitch(fb);

export function clockRate(id: number): number {
  switch (id) {
    case CLOCK_EMMC:
      return 50_000_000;
    case CLOCK_UART:
      return 3_000_000;
    case CLOCK_CORE:
      return 350_000_000;
    default:
      return 700_000_000;
  }
}

/** A geometry change is taken only if it stays within QEMU's limits and VC memory (else ignored). */
function acceptable(fb: FramebufferConfig, vcSize: number): boolean {
  if (fb.xres > XRES_MAX || fb.yres > YRES_MAX || fb.xresVirtual > XRES_MAX || fb.yresVirtual > YRES_MAX) return false;
  if (![8, 16, 24, 32].includes(fb.bpp)) return false;
  return fb.base + fbSize(fb) <= fb.base - 0x100000 + vcSize;
}

/**
 * Answers the property request at bus address `busAddress` (channel bits already cleared).
 * Returns false when the buffer is not in RAM (nothing is written then).
 */
export function answerProperty(bus: Bus, busAddress: number, cfg: PropertyConfig, fb: FramebufferConfig): boolean {
  const base = (busAddress & cfg.busAddressMask) >>> 0;
  const word = new Uint8Array(4);
  const view = new DataView(word.buffer);
  let ok = true;
  const rd = (addr: number): number => {
    if (!bus.dmaRead(addr, word)) {
      ok = false;
      return 0;
    }
    return view.getUint32(0, true);
  };
  const wr = (addr: number, value: number): void => {
    view.setUint32(0, value >>> 0, true);
    if (!bus.dmaWrite(addr, word)) ok = false;
  };

  const total = Math.min(rd(base), MAX_BUFFER);
  if (!ok) return false;
  const next: FramebufferConfig = { ...fb };
  let fbChanged = false;
  let tagAt = base + 8;
  while (ok && tagAt + 8 <= base + total) {
    const tag = rd(tagAt);
    const bufSize = rd(tagAt + 4);
    const v = tagAt + 12; // the value buffer
    let resp = -1; // response length; -1: unknown tag, left untouched
    switch (tag) {
      case 0x00000000: // end
        break;
      case 0x00000001: // firmware revision
        wr(v, 346337);
        resp = 4;
        break;
      case 0x00010001: // board model: QEMU leaves the value as it was
        resp = 4;
        break;
      case 0x00010002: // board revision
        wr(v, cfg.boardRevision);
        resp = 4;
        break;
      case 0x00010003: // MAC address, 6 bytes
        bus.dmaWrite(v, Uint8Array.from(cfg.mac));
        resp = 6;
        break;
      case 0x00010004: // board serial, 64 bits
        wr(v, cfg.serial % 0x1_0000_0000);
        wr(v + 4, Math.floor(cfg.serial / 0x1_0000_0000));
        resp = 8;
        break;
      case 0x00010005: // ARM memory: base, size
        wr(v, 0);
        wr(v + 4, cfg.vcBase);
        resp = 8;
        break;
      case 0x00010006: // VC memory: base, size
        wr(v, cfg.vcBase);
        wr(v + 4, cfg.vcSize);
        resp = 8;
        break;
      case 0x00020001: // get power state: every device exists and is on
        wr(v + 4, 1);
        resp = 8;
        break;
      case 0x00020002: // get timing: no wait
        wr(v + 4, 0);
        resp = 8;
        break;
      case 0x00028001: // set power state: "done", to the state asked (bit 0), device exists
        wr(v + 4, rd(v + 4) & 1);
        resp = 8;
        break;
      case 0x00030001: // get clock state: on
        wr(v + 4, 1);
        resp = 8;
        break;
      case 0x00038001: // set clock state: accepted as asked (QEMU)
        resp = 8;
        break;
      case 0x00030002: // get clock rate
      case 0x00030004: // get max clock rate
      case 0x00030007: // get min clock rate
        wr(v + 4, clockRate(rd(v)));
        resp = 8;
        break;
      case 0x00038002: // set clock rate: the requested rate stays in the buffer (QEMU)
      case 0x00038004:
      case 0x00038007:
        resp = 8;
        break;
      case 0x00030006: // temperature, millidegrees C
        wr(v + 4, 25000);
        resp = 8;
        break;
      case 0x0003000a: // max temperature
        wr(v + 4, 99000);
        resp = 8;
        break;
      case 0x00040001: // allocate framebuffer: base, size
        wr(v, next.base);
        wr(v + 4, fbSize(next));
        resp = 8;
        break;
      case 0x00048001: // release framebuffer
        resp = 0;
        break;
      case 0x00040002: // blank screen
        resp = 4;
        break;
      case 0x00048003: // set physical width/height, then answered as a get
      case 0x00048004: // set virtual width/height
      case 0x00048009: // set virtual offset
      case 0x00048005: // set depth
      case 0x00048006: // set pixel order
      case 0x00048007: {
        // set alpha mode
        const trial: FramebufferConfig = { ...next };
        const a = rd(v);
        const b = rd(v + 4);
        if (tag === 0x00048003) [trial.xres, trial.yres] = [a, b];
        else if (tag === 0x00048004) [trial.xresVirtual, trial.yresVirtual] = [a, b];
        else if (tag === 0x00048009) [trial.xoffset, trial.yoffset] = [a, b];
        else if (tag === 0x00048005) trial.bpp = a;
        else if (tag === 0x00048006) trial.pixelOrder = a;
        else trial.alphaMode = a;
        if (acceptable(trial, cfg.vcSize)) {
          Object.assign(next, trial);
          fbChanged = true;
        }
        resp = answerFbGet(tag & ~0x8000, v, next, wr);
        break;
      }
      case 0x00040003: // get physical width/height
      case 0x00040004: // virtual width/height
      case 0x00040005: // depth
      case 0x00040006: // pixel order
      case 0x00040007: // alpha mode
      case 0x00040008: // pitch
      case 0x00040009: // virtual offset
        resp = answerFbGet(tag, v, next, wr);
        break;
      case 0x00044003: // test tags: the values stay as asked
      case 0x00044004:
      case 0x00044009:
        resp = 8;
        break;
      case 0x00044005:
      case 0x00044006:
      case 0x00044007:
        resp = 4;
        break;
      case 0x0004000a: // overscan get/test/set: none
      case 0x0004400a:
      case 0x0004800a:
        wr(v, 0);
        wr(v + 4, 0);
        wr(v + 8, 0);
        wr(v + 12, 0);
        resp = 16;
        break;
      case 0x00060001: // DMA channels usable by the ARM: 2-5
        wr(v, 0x003c);
        resp = 4;
        break;
      case 0x00050001: // command line: empty
        resp = 0;
        break;
      default:
        break;
    }
    if (tag === 0) break;
    if (resp >= 0) wr(tagAt + 8, (0x80000000 | resp) >>> 0);
    tagAt += 12 + bufSize;
  }
  if (fbChanged) Object.assign(fb, next);
  wr(base + 4, 0x80000000);
  return ok;
}

/** Writes the answer of a framebuffer get tag; returns the response length. */
function answerFbGet(tag: number, v: number, fb: FramebufferConfig, wr: (addr: number, value: number) => void): number {
  switch (tag) {
    case 0x00040003:
      wr(v, fb.xres);
      wr(v + 4, fb.yres);
      return 8;
    case 0x00040004:
      wr(v, fb.xresVirtual);
      wr(v + 4, fb.yresVirtual);
      return 8;
    case 0x00040009:
      wr(v, fb.xoffset);
      wr(v + 4, fb.yoffset);
      return 8;
    case 0x00040005:
      wr(v, fb.bpp);
      return 4;
    case 0x00040006:
      wr(v, fb.pixelOrder);
      return 4;
    case 0x00040007:
      wr(v, fb.alphaMode);
      return 4;
    default: // 0x00040008 pitch
      wr(v, fbPitch(fb));
      return 4;
  }
}

/**
 * The legacy framebuffer channel (1), as QEMU's bcm2835_fb answers it: the mail points at
 * { xres, yres, xres_virtual, yres_virtual, pitch (out), depth, x offset, y offset, base (out),
 * size (out) }. The geometry is taken when QEMU's limits allow it (else the previous one stays);
 * the base keeps the mail's alias bits (31:30), as QEMU. Returns false when the buffer is not in RAM.
 */
export function answerFramebufferChannel(bus: Bus, busAddress: number, cfg: PropertyConfig, fb: FramebufferConfig): boolean {
  const at = (busAddress & cfg.busAddressMask) >>> 0;
  const raw = new Uint8Array(40);
  if (!bus.dmaRead(at, raw)) return false;
  const view = new DataView(raw.buffer);
  const word = (i: number) => view.getUint32(i * 4, true);
  const trial: FramebufferConfig = {
    ...fb,
    xres: word(0),
    yres: word(1),
    xresVirtual: word(2),
    yresVirtual: word(3),
    bpp: word(5),
    xoffset: word(6),
    yoffset: word(7),
    base: ((cfg.vcBase | (busAddress & 0xc0000000)) + 0x100000) >>> 0,
  };
  if (acceptable({ ...trial, base: cfg.vcBase + 0x100000 }, cfg.vcSize)) Object.assign(fb, trial);
  view.setUint32(16, fbPitch(fb), true);
  view.setUint32(32, fb.base, true);
  view.setUint32(36, fbSize(fb), true);
  return bus.dmaWrite(at + 16, raw.subarray(16, 20)) && bus.dmaWrite(at + 32, raw.subarray(32, 40));
}
