/**
 * Host bytes (ASCII) to PC keys: scan code set 1 and set 2 make codes of the keys a terminal can type
 * (letters, digits, punctuation, Enter, Backspace, Tab, Esc, space), and whether Shift or Ctrl is held.
 */

/** [characters typed without Shift, set 1 make, set 2 make] per key. */
const KEYS: Array<[string, number, number]> = [
  ['1', 0x02, 0x16], ['2', 0x03, 0x1e], ['3', 0x04, 0x26], ['4', 0x05, 0x25], ['5', 0x06, 0x2e],
  ['6', 0x07, 0x36], ['7', 0x08, 0x3d], ['8', 0x09, 0x3e], ['9', 0x0a, 0x46], ['0', 0x0b, 0x45],
  ['-', 0x0c, 0x4e], ['=', 0x0d, 0x55],
  ['q', 0x10, 0x15], ['w', 0x11, 0x1d], ['e', 0x12, 0x24], ['r', 0x13, 0x2d], ['t', 0x14, 0x2c],
  ['y', 0x15, 0x35], ['u', 0x16, 0x3c], ['i', 0x17, 0x43], ['o', 0x18, 0x44], ['p', 0x19, 0x4d],
  ['[', 0x1a, 0x54], [']', 0x1b, 0x5b],
  ['a', 0x1e, 0x1c], ['s', 0x1f, 0x1b], ['d', 0x20, 0x23], ['f', 0x21, 0x2b], ['g', 0x22, 0x34],
  ['h', 0x23, 0x33], ['j', 0x24, 0x3b], ['k', 0x25, 0x42], ['l', 0x26, 0x4b], [';', 0x27, 0x4c],
  ["'", 0x28, 0x52], ['`', 0x29, 0x0e], ['\\', 0x2b, 0x5d],
  ['z', 0x2c, 0x1a], ['x', 0x2d, 0x22], ['c', 0x2e, 0x21], ['v', 0x2f, 0x2a], ['b', 0x30, 0x32],
  ['n', 0x31, 0x31], ['m', 0x32, 0x3a], [',', 0x33, 0x41], ['.', 0x34, 0x49], ['/', 0x35, 0x4a],
  [' ', 0x39, 0x29],
  ['\x1b', 0x01, 0x76], ['\b', 0x0e, 0x66], ['\t', 0x0f, 0x0d], ['\r', 0x1c, 0x5a],
];
const SHIFTED = '!@#$%^&*()_+{}:"~|<>?';
const UNSHIFTED = "1234567890-=[];'`\\,./";

export const LSHIFT = { set1: 0x2a, set2: 0x12 };
export const LCTRL = { set1: 0x1d, set2: 0x14 };

export interface Key {
  set1: number;
  set2: number;
  shift: boolean;
  ctrl: boolean;
}

const byChar = new Map<string, { set1: number; set2: number }>(KEYS.map(([c, set1, set2]) => [c, { set1, set2 }]));

/** The key (with Shift/Ctrl) that types host byte `byte`, or undefined for bytes no key types. */
export function keyFor(byte: number): Key | undefined {
  let c = String.fromCharCode(byte);
  let shift = false;
  let ctrl = false;
  if (byte === 0x7f) c = '\b'; // terminals send DEL for Backspace
  else if (byte === 0x0a) c = '\r';
  else if (byte >= 0x41 && byte <= 0x5a) [c, shift] = [c.toLowerCase(), true];
  else if (SHIFTED.includes(c)) [c, shift] = [UNSHIFTED[SHIFTED.indexOf(c)], true];
  else if (byte >= 1 && byte <= 0x1a && !byChar.has(c)) [c, ctrl] = [String.fromCharCode(byte + 0x60), true];
  const k = byChar.get(c);
  return k && { ...k, shift, ctrl };
}
