/** Hex helpers for the GDB remote protocol (registers, memory and monitor text travel as hex). */

const DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += DIGITS[b >> 4] + DIGITS[b & 15];
  return s;
}

/** Hex pairs to bytes; undefined when the text is not an even run of hex digits. */
export function fromHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function textToHex(text: string): string {
  return toHex(new TextEncoder().encode(text));
}

export function hexToText(hex: string): string | undefined {
  const bytes = fromHex(hex);
  return bytes && new TextDecoder().decode(bytes);
}

/** A hex number of at most 16 digits (a 64-bit address or length); undefined otherwise. */
export function parseHexNumber(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) return undefined;
  return BigInt('0x' + text);
}
