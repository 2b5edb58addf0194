import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-vga/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('vga')!;
const MEM = 0, IO = 1;
const TEXT = 0x18000; // 0xB8000 in the 0xA0000 window

function vga(): DeviceUnderTest {
  return instantiate(type, { name: 'vga', reg: [[0xa0000, 0x20000]], io: [[0x3b0, 0x30]] });
}
const outb = (d: DeviceUnderTest, port: number, v: number) => d.write(port - 0x3b0, v, 1, IO);
const inb = (d: DeviceUnderTest, port: number) => d.read(port - 0x3b0, 1, IO);
const crtc = (d: DeviceUnderTest, i: number, v: number) => {
  outb(d, 0x3d4, i);
  outb(d, 0x3d5, v);
};
const text = (d: DeviceUnderTest, row: number) =>
  String.fromCharCode(...Array.from(d.device.textScreen!()!.cells.subarray(row * 80, row * 80 + 80), (c) => c & 0xff)).trimEnd();

describe('vga plugin', () => {
  it('starts in 80x25 colour text mode with a cleared screen and the BIOS cursor', () => {
    const d = vga();
    const s = d.device.textScreen!()!;
    expect([s.cols, s.rows, s.cells.length]).toEqual([80, 25, 2000]);
    expect(s.cells[0]).toBe(0x0720);
    expect(s.cursor).toEqual({ row: 0, col: 0, visible: true });
    expect(inb(d, 0x3cc)).toBe(0x67);
    outb(d, 0x3d4, 0x0a);
    expect([inb(d, 0x3d5), inb(d, 0x3b5)]).toEqual([0x0d, 0xff]); // mono CRTC ports are off in colour mode
  });

  it('shows characters and attributes written at 0xB8000, byte, word and dword', () => {
    const d = vga();
    d.write(TEXT, 0x1f48, 2, MEM); // 'H', white on blue
    d.write(TEXT + 2, 0x1f, 1, MEM);
    d.write(TEXT + 3, 0x1f, 1, MEM);
    d.write(TEXT + 2, 0x69, 1, MEM); // 'i'
    d.write(TEXT + 160, 0x4f4b_4f4f, 4, MEM); // "OK" on row 1
    expect(text(d, 0)).toBe('Hi');
    expect(text(d, 1)).toBe('OK');
    expect(d.device.textScreen!()!.cells[0]).toBe(0x1f48);
    expect(d.read(TEXT, 4, MEM)).toBe(0x1f691f48);
    d.write(0, 0xab, 1, MEM); // the rest of the window is plain memory
    expect(d.read(0, 1, MEM)).toBe(0xab);
  });

  it('places and hides the cursor with CR0A/0B/0E/0F, also by 16-bit index/data writes; scrolls with CR0C/0D', () => {
    const d = vga();
    crtc(d, 0x0e, 0x00);
    crtc(d, 0x0f, 81);
    expect(d.device.textScreen!()!.cursor).toEqual({ row: 1, col: 1, visible: true });
    d.write(0x24, (((80 * 24 + 79) & 0xff) << 8) | 0x0f, 2, IO); // outw 0x3d4, (pos & 0xff) << 8 | 0x0f
    d.write(0x24, (((80 * 24 + 79) >> 8) << 8) | 0x0e, 2, IO);
    expect(d.device.textScreen!()!.cursor).toEqual({ row: 24, col: 79, visible: true });
    crtc(d, 0x0a, 0x20); // cursor off
    expect(d.device.textScreen!()!.cursor.visible).toBe(false);
    crtc(d, 0x0a, 0x0e);
    crtc(d, 0x0b, 0x0d); // start below end: not shown
    expect(d.device.textScreen!()!.cursor.visible).toBe(false);
    crtc(d, 0x0b, 0x0f);
    expect(d.device.textScreen!()!.cursor.visible).toBe(true);
    d.write(TEXT + 160, 0x0741, 2, MEM);
    crtc(d, 0x0c, 0);
    crtc(d, 0x0d, 80); // start at row 1
    expect(text(d, 0)).toBe('A');
    expect(d.device.textScreen!()!.cursor).toMatchObject({ row: 23, col: 79 });
    outb(d, 0x3d4, 0x0f);
    expect(inb(d, 0x3d5)).toBe((80 * 24 + 79) & 0xff);
  });

  it('moves the CRTC to 0x3B4 in mono mode (misc output bit 0) and protects CR00-07 with CR11 bit 7', () => {
    const d = vga();
    outb(d, 0x3c2, 0x66);
    expect(inb(d, 0x3cc)).toBe(0x66);
    outb(d, 0x3b4, 0x0f);
    outb(d, 0x3b5, 0x05);
    outb(d, 0x3d4, 0x0f);
    expect([inb(d, 0x3b5), inb(d, 0x3d5), inb(d, 0x3da)]).toEqual([0x05, 0xff, 0xff]);
    outb(d, 0x3c2, 0x67);
    crtc(d, 0x11, 0x8e);
    crtc(d, 0x01, 0x27);
    outb(d, 0x3d4, 0x01);
    expect(inb(d, 0x3d5)).toBe(0x4f);
    crtc(d, 0x11, 0x0e);
    crtc(d, 0x01, 0x27); // 40 columns
    expect(d.device.textScreen!()!.cols).toBe(40);
  });

  it('toggles retrace bits with virtual time, and reading 0x3DA resets the attribute flip-flop', () => {
    const d = vga();
    const frame = 1e9 / 70;
    const at = (line: number, part = 0.5) => {
      d.h.clock.advanceTo(Math.ceil(frame * 3 + ((line + part) * frame) / 449));
      return inb(d, 0x3da);
    };
    expect(at(10, 0.1)).toBe(0x00); // active display
    expect(at(10, 0.9) & 0x09).toBe(0x01); // horizontal blanking
    expect(at(405)).toBe(0x01); // vertical blanking
    expect(at(412)).toBe(0x09); // vertical retrace
    expect(at(440)).toBe(0x01);
    // Attribute controller: index, data; reading 0x3DA makes the next write an index again.
    inb(d, 0x3da);
    outb(d, 0x3c0, 0x01);
    outb(d, 0x3c0, 0x3a);
    expect(inb(d, 0x3c1)).toBe(0x3a);
    outb(d, 0x3c0, 0x02); // an index (the flip-flop toggled)
    inb(d, 0x3da);
    outb(d, 0x3c0, 0x20 | 0x10);
    expect(inb(d, 0x3c0)).toBe(0x30);
    expect(inb(d, 0x3c1)).toBe(0x0c);
    outb(d, 0x3c0, 0x01); // AR10 bit 0: graphics mode, no text screen
    expect(d.device.textScreen!()).toBeUndefined();
  });

  it('keeps sequencer, graphics controller and DAC registers; the DAC auto-increments', () => {
    const d = vga();
    outb(d, 0x3c4, 0x02);
    expect(inb(d, 0x3c5)).toBe(0x03);
    outb(d, 0x3c5, 0x0f);
    expect(inb(d, 0x3c5)).toBe(0x0f);
    outb(d, 0x3ce, 0x06);
    expect(inb(d, 0x3cf)).toBe(0x0e);
    outb(d, 0x3c7, 0x07); // default palette: entry 7 light grey (2a 2a 2a), entry 0x38 dark grey (15 15 15)
    expect([inb(d, 0x3c9), inb(d, 0x3c9), inb(d, 0x3c9)]).toEqual([0x2a, 0x2a, 0x2a]);
    expect(inb(d, 0x3c7)).toBe(3);
    outb(d, 0x3c8, 0x10);
    for (const v of [0x3f, 0x00, 0x11, 0x01, 0x02, 0x03]) outb(d, 0x3c9, v);
    expect(inb(d, 0x3c8)).toBe(0x12);
    outb(d, 0x3c7, 0x10);
    expect(Array.from({ length: 6 }, () => inb(d, 0x3c9))).toEqual([0x3f, 0x00, 0x11, 0x01, 0x02, 0x03]);
    expect(inb(d, 0x3c6)).toBe(0xff);
    outb(d, 0x3ce, 0x06);
    outb(d, 0x3cf, 0x0f); // graphics mode
    expect(d.device.textScreen!()).toBeUndefined();
    d.device.reset!();
    expect(d.device.textScreen!()!.cols).toBe(80);
  });
});
