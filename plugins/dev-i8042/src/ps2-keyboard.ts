/**
 * A PS/2 (MF2 AT) keyboard behind the i8042, as QEMU 7.2's hw/input/ps2.c: its command set (reset,
 * enable/disable scanning, identify, LEDs, scan code set, typematic rate, echo) and a 16-byte output
 * queue of responses and scan codes. Keys come from host bytes (`type()`), as make and break codes
 * in the set the keyboard uses; with the controller's translation on, set 2 comes out as set 1.
 */
import { keyFor, LCTRL, LSHIFT } from './scancodes.js';

const ACK = 0xfa, RESEND = 0xfe, POR = 0xaa, ID = 0xab;
const QUEUE_SIZE = 16;
/** What translation makes of the set number the keyboard reports (QEMU's translate_table[0..3]). */
const TRANSLATED_SET = [0xff, 0x43, 0x41, 0x3f];

export class Ps2Keyboard {
  readonly queue: number[] = [];
  scanEnabled = true;
  scancodeSet = 2;
  translate = false;
  leds = 0;
  /** The command waiting for its argument byte (-1: none). */
  private pendingCommand = -1;

  reset(): void {
    this.scanEnabled = true;
    this.scancodeSet = 2;
    this.queue.length = 0;
    this.leds = 0;
  }

  private put(...bytes: number[]): void {
    for (const b of bytes) if (this.queue.length < QUEUE_SIZE) this.queue.push(b);
  }

  /** A byte from the host CPU (port 0x60 with no controller command pending). */
  write(value: number): void {
    const command = this.pendingCommand;
    this.pendingCommand = -1;
    switch (command) {
      case 0xf0: // scan code set: 0 asks, 1-3 select
        if (value === 0) this.put(ACK, this.translate ? TRANSLATED_SET[this.scancodeSet] : this.scancodeSet);
        else if (value >= 1 && value <= 3) {
          this.scancodeSet = value;
          this.put(ACK);
        } else this.put(RESEND);
        return;
      case 0xed: // LEDs
        this.leds = value & 7;
        this.put(ACK);
        return;
      case 0xf3: // typematic rate and delay: accepted, no autorepeat here
      case 0xfc:
        this.put(ACK);
        return;
    }
    switch (value) {
      case 0x00:
        this.put(ACK);
        return;
      case 0xf2: // identify: an MF2 keyboard (0x41 when the controller translates, as QEMU)
        this.put(ACK, ID, this.translate ? 0x41 : 0x83);
        return;
      case 0xee:
        this.put(0xee);
        return;
      case 0xf4:
        this.scanEnabled = true;
        this.put(ACK);
        return;
      case 0xf5:
        this.reset();
        this.scanEnabled = false;
        this.put(ACK);
        return;
      case 0xf6:
        this.reset();
        this.put(ACK);
        return;
      case 0xff:
        this.reset();
        this.put(ACK, POR);
        return;
      case 0xed:
      case 0xf0:
      case 0xf3:
      case 0xfc:
        this.pendingCommand = value;
        this.put(ACK);
        return;
      case 0xf7:
        this.put(ACK);
        return;
      default:
        this.put(RESEND);
    }
  }

  /** Room for the longest key sequence (Shift make, key make and break, Shift break in set 2: 6 bytes). */
  canType(): boolean {
    return this.scanEnabled && this.queue.length <= QUEUE_SIZE - 6;
  }

  /** Presses and releases the key that types host byte `byte` (ignored when no key types it). */
  type(byte: number): void {
    const key = keyFor(byte);
    if (!key) return;
    const modifier = key.shift ? LSHIFT : key.ctrl ? LCTRL : undefined;
    if (modifier) this.press(modifier, true);
    this.press(key, true);
    this.press(key, false);
    if (modifier) this.press(modifier, false);
  }

  private press(key: { set1: number; set2: number }, down: boolean): void {
    // Set 1 natively, or set 2 through the controller's translation: set 1 codes, break = make | 0x80.
    if (this.scancodeSet === 1 || this.translate) this.put(down ? key.set1 : key.set1 | 0x80);
    // Sets 2 and 3 agree on these keys: break = F0 make.
    else if (down) this.put(key.set2);
    else this.put(0xf0, key.set2);
  }
}
