import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-i8042/src/index.js';
import { keyFor } from '../../../plugins/dev-i8042/src/scancodes.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('i8042')!;
const DATA = 0, CMD = 1;

function kbc(props: Record<string, unknown> = {}): DeviceUnderTest {
  return instantiate(type, { name: 'i8042', io: [[0x60, 1], [0x64, 1]], irqs: ['pic:ir1', 'pic2:ir4', 'cpu0:a20'], props });
}
const status = (d: DeviceUnderTest) => d.read(0, 1, CMD);
const command = (d: DeviceUnderTest, v: number) => d.write(0, v, 1, CMD);
const data = (d: DeviceUnderTest, v: number) => d.write(0, v, 1, DATA);
/** Every byte waiting in the output buffer, as a polling driver reads them. */
function drain(d: DeviceUnderTest): number[] {
  const out: number[] = [];
  while (status(d) & 1 && out.length < 64) out.push(d.read(0, 1, DATA));
  return out;
}
const [kbdIrq, auxIrq, a20] = [0, 1, 2].map((i) => (d: DeviceUnderTest) => d.h.irqs[i]);

describe('i8042 plugin', () => {
  it('starts as QEMU\'s: command byte 0x03, status 0x18, output port 0xcf, A20 on', () => {
    const d = kbc();
    expect(status(d)).toBe(0x18);
    command(d, 0x20);
    expect(status(d) & 1).toBe(1);
    expect(kbdIrq(d).level).toBe(true); // controller replies raise IRQ 1 when enabled
    expect(d.read(0, 1, DATA)).toBe(0x03);
    expect(kbdIrq(d).level).toBe(false);
    expect(d.read(0, 1, DATA)).toBe(0x03); // an empty buffer reads the last byte again
    command(d, 0xd0);
    expect(drain(d)).toEqual([0xcf]);
    expect(a20(d).level).toBe(true);
    expect(d.faults(0, 2, false, DATA)).toBe(true);
  });

  it('answers the controller tests and writes the command byte', () => {
    const d = kbc();
    command(d, 0xaa);
    expect(drain(d)).toEqual([0x55]);
    expect(status(d) & 0x04).toBe(0x04);
    for (const c of [0xab, 0xa9]) {
      command(d, c);
      expect(drain(d)).toEqual([0x00]);
    }
    command(d, 0xc0);
    expect(drain(d)).toEqual([0x80]);
    command(d, 0x60);
    data(d, 0x45);
    expect(status(d) & 0x08).toBe(0x08); // CMD stays set, as QEMU's
    command(d, 0x20);
    expect(drain(d)).toEqual([0x45]);
  });

  it('resets the keyboard (FA AA), identifies it, echoes, sets LEDs, rate and scan code set', () => {
    const d = kbc();
    data(d, 0xff);
    expect(drain(d)).toEqual([0xfa, 0xaa]);
    data(d, 0xf2);
    expect(drain(d)).toEqual([0xfa, 0xab, 0x83]);
    data(d, 0xee);
    expect(drain(d)).toEqual([0xee]);
    data(d, 0xed);
    data(d, 0x07);
    expect(drain(d)).toEqual([0xfa, 0xfa]);
    expect(d.device.inspect!().leds).toBe(7);
    data(d, 0xf3);
    data(d, 0x20);
    expect(drain(d)).toEqual([0xfa, 0xfa]);
    data(d, 0xf0);
    data(d, 0x00);
    expect(drain(d)).toEqual([0xfa, 0xfa, 0x02]);
    data(d, 0xf0);
    data(d, 0x01);
    data(d, 0xf0);
    data(d, 0x00);
    expect(drain(d)).toEqual([0xfa, 0xfa, 0xfa, 0xfa, 0x01]);
    data(d, 0xf0);
    data(d, 0x07);
    expect(drain(d)).toEqual([0xfa, 0xfe]);
    data(d, 0x99);
    expect(drain(d)).toEqual([0xfe]);
    // With translation on, identify and the set query read as QEMU's (0x41).
    command(d, 0x60);
    data(d, 0x41);
    data(d, 0xf2);
    expect(drain(d)).toEqual([0xfa, 0xab, 0x41]);
  });

  it('turns host bytes into make/break codes: set 2, translated set 1, shift and ctrl', () => {
    const d = kbc();
    d.h.chardev.input('aA');
    expect(drain(d)).toEqual([0x1c, 0xf0, 0x1c, 0x12, 0x1c, 0xf0, 0x1c, 0xf0, 0x12]);
    command(d, 0x60);
    data(d, 0x41); // translation (and the keyboard IRQ)
    d.h.chardev.input('1!\r\x7f\t\x1b \x03');
    expect(drain(d)).toEqual([
      0x02, 0x82, 0x2a, 0x02, 0x82, 0xaa, 0x1c, 0x9c, 0x0e, 0x8e, 0x0f, 0x8f, 0x01, 0x81, 0x39, 0xb9,
      0x1d, 0x2e, 0xae, 0x9d,
    ]);
    expect(keyFor(0x80)).toBeUndefined();
  });

  it('types what qemu-system-i386 -M pc reads after SeaBIOS for the same keys (monitor sendkey)', () => {
    const d = kbc({ afterBios: true });
    d.h.chardev.input("aA1!\r\x7f\t \x03-?`'\\\x1b");
    // a, shift-a, 1, shift-1, ret, backspace, tab, spc, ctrl-c, minus, shift-slash, grave_accent, apostrophe, backslash, esc
    const qemu = '1E 9E 2A 1E 9E AA 02 82 2A 02 82 AA 1C 9C 0E 8E 0F 8F 39 B9 1D 2E AE 9D 0C 8C 2A 35 B5 AA 29 A9 28 A8 2B AB 01 81';
    expect(drain(d).map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')).toBe(qemu);
  });

  it('raises IRQ 1 per byte when enabled, holds keys while scanning is off or the port disabled', () => {
    const d = kbc({ afterBios: true });
    expect(status(d)).toBe(0x1c); // as qemu-system-i386 -M pc after SeaBIOS
    data(d, 0xf5); // disable scanning
    expect(drain(d)).toEqual([0xfa]);
    d.h.chardev.input('q');
    expect(status(d) & 1).toBe(0);
    data(d, 0xf4);
    expect(drain(d)).toEqual([0xfa, 0x10, 0x90]);
    command(d, 0xad);
    d.h.chardev.input('w');
    expect(status(d) & 1).toBe(0);
    expect(kbdIrq(d).level).toBe(false);
    command(d, 0xae);
    expect(kbdIrq(d).level).toBe(true);
    const rises = () => kbdIrq(d).history.filter((e) => e.level).length;
    const before = rises();
    expect(d.read(0, 1, DATA)).toBe(0x11);
    expect(kbdIrq(d).level).toBe(true); // the break code follows, with a new edge
    expect(rises()).toBe(before + 1);
    expect(d.read(0, 1, DATA)).toBe(0x91);
    expect(kbdIrq(d).level).toBe(false);
    command(d, 0x60);
    data(d, 0x40); // IRQs off: the byte waits, no interrupt
    d.h.chardev.input('e');
    expect(status(d) & 1).toBe(1);
    expect(kbdIrq(d).level).toBe(false);
  });

  it('talks to the mouse through 0xD4, on IRQ 12 with the aux bit, and 0xD2/0xD3 fake input', () => {
    const d = kbc();
    command(d, 0xd4);
    data(d, 0xff);
    expect(status(d) & 0x21).toBe(0x21);
    expect(auxIrq(d).level).toBe(true);
    expect(kbdIrq(d).level).toBe(false);
    expect(drain(d)).toEqual([0xfa, 0xaa, 0x00]);
    command(d, 0xd4);
    data(d, 0xf2);
    expect(drain(d)).toEqual([0xfa, 0x00]);
    command(d, 0xa7);
    command(d, 0xd3);
    data(d, 0x42);
    expect(status(d) & 0x21).toBe(0x21);
    expect(drain(d)).toEqual([0x42]);
    command(d, 0xd2);
    data(d, 0x43);
    expect(status(d) & 0x21).toBe(0x01);
    expect(drain(d)).toEqual([0x43]);
  });

  it('drives A20 and reset through the output port, 0xDD/0xDF, and resets on 0xFE and pulses with bit 0 clear', () => {
    const d = kbc();
    command(d, 0xd1);
    data(d, 0xcd); // A20 off, reset line high
    expect(a20(d).level).toBe(false);
    command(d, 0xd0);
    expect(drain(d)).toEqual([0xcd]);
    command(d, 0xdf);
    expect(a20(d).level).toBe(true);
    command(d, 0xdd);
    expect(a20(d).level).toBe(false);
    expect(d.h.machine.resets).toEqual([]);
    command(d, 0xff); // pulses nothing
    expect(d.h.machine.resets).toEqual([]);
    command(d, 0xfe);
    command(d, 0xf0);
    command(d, 0xd1);
    data(d, 0xce);
    expect(d.h.machine.resets.length).toBe(3);
    d.device.reset!();
    expect(a20(d).level).toBe(true);
    expect(status(d)).toBe(0x18);
  });
});
