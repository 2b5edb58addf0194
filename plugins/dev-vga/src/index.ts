/**
 * A VGA adapter in text mode (IBM VGA register reference; QEMU 7.2 hw/display/vga.c as the peer).
 * Window 0 is the memory window 0xA0000-0xBFFFF, plain memory (no planes, no latches, no write
 * modes: enough for text mode, whose buffer is at 0xB8000, 0xB0000 or 0xA0000 as GC6 maps it).
 * Window 1 is the ports 0x3B0-0x3DF: CRTC index/data at 0x3D4/5 (0x3B4/5 while misc output bit 0
 * selects mono), input status 1 at 0x3DA/0x3BA (retrace bits from virtual time; reading it resets
 * the attribute flip-flop), attribute controller 0x3C0/1, misc output 0x3C2 (read at 0x3CC),
 * sequencer 0x3C4/5, DAC 0x3C6-0x3C9, graphics controller 0x3CE/F. 16-bit port writes are an
 * index and a data byte, as on a PC. `textScreen()` gives the cells and cursor to the TUI.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf, TextScreen } from '../../../src/core/api.js';
import { egaPalette, MODE3 } from './mode3.js';

const VRAM_SIZE = 0x20000;
/** 720x400 at 70 Hz: 449 lines of 31.778 µs; 400 shown, vertical retrace on lines 412-413. */
const LINE_NS = 1e9 / 70 / 449;
const FRAME_LINES = 449;
const ST01_DISP_ENABLE = 0x01, ST01_V_RETRACE = 0x08;

const props = (prop: PropKit) => ({
  keyboard: prop.string({ description: "the board device that takes keys typed at this screen in the TUI (the pc board's i8042)" }),
});
type Props = PropsOf<ReturnType<typeof props>>;

export function createVga(ctx: DeviceContext<Props>): Device {
  const name = ctx.entry.name;
  const vram = new Uint8Array(VRAM_SIZE);
  const crtc = new Uint8Array(0x19);
  const seq = new Uint8Array(5);
  const gc = new Uint8Array(9);
  const ar = new Uint8Array(0x15);
  let dac = egaPalette();
  let misc = 0, crtcIndex = 0, seqIndex = 0, gcIndex = 0, arIndex = 0, arFlipFlop = false, featureControl = 0;
  let dacMask = 0xff, dacReadIndex = 0, dacWriteIndex = 0, dacSub = 0, dacState = 0;
  const dacLatch = new Uint8Array(3);

  function powerOn(): void {
    misc = MODE3.misc;
    seq.set(MODE3.sequencer);
    crtc.set(MODE3.crtc);
    gc.set(MODE3.graphics);
    ar.set(MODE3.attribute);
    dac = egaPalette();
    crtcIndex = seqIndex = gcIndex = 0;
    arIndex = 0x20; // palette address source set: the screen is on
    arFlipFlop = false;
    dacMask = 0xff;
    dacReadIndex = dacWriteIndex = dacSub = dacState = 0;
    // A cleared text screen: spaces, light grey on black.
    vram.fill(0);
    for (let i = 0x18000; i < 0x18000 + 80 * 25 * 2; i += 2) vram[i] = 0x20, (vram[i + 1] = 0x07);
  }

  const mono = () => (misc & 1) === 0;

  /** Input status 1: display enable off in blanking, vertical retrace on its lines (from virtual time). */
  function inputStatus1(): number {
    const t = ctx.clock.now() / LINE_NS;
    const line = Math.floor(t) % FRAME_LINES;
    const inLine = t - Math.floor(t);
    const blank = line >= 400 || inLine >= 0.8;
    return (blank ? ST01_DISP_ENABLE : 0) | (line >= 412 && line < 414 ? ST01_V_RETRACE : 0);
  }

  /** One port byte (`port` is the offset from 0x3B0). */
  function readPort(port: number): number {
    // Mono-only ports answer only in mono mode, colour-only ones only in colour mode (vga_ioport_invalid).
    if ((port >= 0x04 && port <= 0x0a && !mono()) || (port >= 0x24 && port <= 0x2a && mono())) return 0xff;
    switch (port) {
      case 0x04: case 0x24: return crtcIndex;
      case 0x05: case 0x25: return crtcIndex < crtc.length ? crtc[crtcIndex] : 0;
      case 0x0a: case 0x2a:
        arFlipFlop = false;
        return inputStatus1();
      case 0x10: return arIndex;
      case 0x11: return (arIndex & 0x1f) < ar.length ? ar[arIndex & 0x1f] : 0;
      case 0x12: return 0; // input status 0
      case 0x14: return seqIndex;
      case 0x15: return seqIndex < seq.length ? seq[seqIndex] : 0;
      case 0x16: return dacMask;
      case 0x17: return dacState;
      case 0x18: return dacWriteIndex;
      case 0x19: {
        const v = dac[dacReadIndex * 3 + dacSub];
        if (++dacSub === 3) [dacSub, dacReadIndex] = [0, (dacReadIndex + 1) & 0xff];
        return v;
      }
      case 0x1a: return featureControl;
      case 0x1c: return misc;
      case 0x1e: return gcIndex;
      case 0x1f: return gcIndex < gc.length ? gc[gcIndex] : 0;
      default: return 0;
    }
  }

  function writePort(port: number, v: number): void {
    if ((port >= 0x04 && port <= 0x0a && !mono()) || (port >= 0x24 && port <= 0x2a && mono())) return;
    switch (port) {
      case 0x04: case 0x24: crtcIndex = v; return;
      case 0x05: case 0x25:
        // CR11 bit 7 write-protects CR00-CR07, except CR07 bit 4 (line compare bit 8).
        if (crtcIndex <= 7 && crtc[0x11] & 0x80) {
          if (crtcIndex === 7) crtc[7] = (crtc[7] & ~0x10) | (v & 0x10);
          return;
        }
        if (crtcIndex < crtc.length) crtc[crtcIndex] = v;
        return;
      case 0x0a: case 0x2a: featureControl = v & 3; return;
      case 0x10:
        if (!arFlipFlop) arIndex = v & 0x3f;
        else if ((arIndex & 0x1f) < ar.length) ar[arIndex & 0x1f] = v;
        arFlipFlop = !arFlipFlop;
        return;
      case 0x12: misc = v; return;
      case 0x14: seqIndex = v & 7; return;
      case 0x15: if (seqIndex < seq.length) seq[seqIndex] = v; return;
      case 0x16: dacMask = v; return;
      case 0x17: [dacReadIndex, dacSub, dacState] = [v, 0, 3]; return;
      case 0x18: [dacWriteIndex, dacSub, dacState] = [v, 0, 0]; return;
      case 0x19:
        dacLatch[dacSub] = v & 0x3f;
        if (++dacSub === 3) {
          dac.set(dacLatch, dacWriteIndex * 3);
          [dacSub, dacWriteIndex] = [0, (dacWriteIndex + 1) & 0xff];
        }
        return;
      case 0x1e: gcIndex = v & 0x0f; return;
      case 0x1f: if (gcIndex < gc.length) gc[gcIndex] = v; return;
    }
  }

  function readMemory(offset: number, size: AccessSize): number {
    if (size === 1) return vram[offset];
    if (size === 2) return vram[offset] | (vram[offset + 1] << 8);
    return (vram[offset] | (vram[offset + 1] << 8) | (vram[offset + 2] << 16) | (vram[offset + 3] << 24)) >>> 0;
  }
  function writeMemory(offset: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) vram[offset + i] = (value >>> (8 * i)) & 0xff;
  }

  let cells = new Uint16Array(80 * 25);
  const screen: TextScreen = { cols: 80, rows: 25, cells, cursor: { row: 0, col: 0, visible: true }, keyboard: ctx.props.keyboard };
  /** The text screen as the CRTC scans it out, or undefined in a graphics mode. */
  function textScreen(): TextScreen | undefined {
    if (gc[6] & 1 || ar[0x10] & 1) return undefined;
    const cols = crtc[0x01] + 1;
    const lines = (crtc[0x12] | ((crtc[0x07] & 0x02) << 7) | ((crtc[0x07] & 0x40) << 3)) + 1;
    const rows = Math.max(1, Math.floor(lines / ((crtc[0x09] & 0x1f) + 1)));
    if (cells.length !== cols * rows) cells = new Uint16Array(cols * rows);
    // GC6 bits 3-2: where the buffer sits in the window (0/1: 0xA0000, 2: 0xB0000, 3: 0xB8000), 32 KiB of text.
    const base = [0, 0, 0x10000, 0x18000][(gc[6] >> 2) & 3];
    const start = (crtc[0x0c] << 8) | crtc[0x0d];
    for (let i = 0; i < cells.length; i++) {
      const at = base + (((start + i) * 2) & 0x7fff);
      cells[i] = vram[at] | (vram[at + 1] << 8);
    }
    const cursor = ((crtc[0x0e] << 8) | crtc[0x0f]) - start;
    const shown = cursor >= 0 && cursor < cols * rows;
    Object.assign(screen, { cols, rows, cells });
    screen.cursor.row = shown ? Math.floor(cursor / cols) : 0;
    screen.cursor.col = shown ? cursor % cols : 0;
    // CR0A bit 5 turns the cursor off; so does a start line below the end line.
    screen.cursor.visible = shown && !(crtc[0x0a] & 0x20) && (crtc[0x0a] & 0x1f) <= (crtc[0x0b] & 0x1f);
    return screen;
  }

  powerOn();
  return {
    name,
    read(offset: number, size: AccessSize, region: number): number {
      if (region === 0) return readMemory(offset, size);
      let v = 0;
      for (let i = 0; i < size; i++) v |= readPort(offset + i) << (8 * i);
      return v >>> 0;
    },
    write(offset: number, size: AccessSize, value: number, region: number): void {
      if (region === 0) return writeMemory(offset, size, value);
      for (let i = 0; i < size; i++) writePort(offset + i, (value >>> (8 * i)) & 0xff);
    },
    reset: powerOn,
    textScreen,
    inspect: () => ({
      misc,
      'start address': (crtc[0x0c] << 8) | crtc[0x0d],
      cursor: (crtc[0x0e] << 8) | crtc[0x0f],
      'cursor shape': `${crtc[0x0a] & 0x1f}-${crtc[0x0b] & 0x1f}${crtc[0x0a] & 0x20 ? ' (off)' : ''}`,
      mode: gc[6] & 1 ? 'graphics' : 'text',
    }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'vga',
    description: 'VGA in 80x25 text mode: memory at 0xA0000-0xBFFFF (text at 0xB8000), CRTC, sequencer, graphics and attribute controllers, DAC',
    // Memory: any size and alignment (a CPU's string moves); ports: bytes and 16-bit index/data pairs.
    access: { sizes: [1, 2, 4] },
    props: props(api.prop),
    create: createVga,
  });
}
