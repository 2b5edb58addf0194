/** Small text formatters shared by the TUI panes. */

/** `0x80000000`-style hex without the prefix, zero-padded to `digits`. */
export function hex(value: number, digits = 8): string {
  return (value >>> 0).toString(16).padStart(digits, '0');
}

/** Virtual time in seconds with microseconds: `12.345678s`. */
export function formatSeconds(ns: number): string {
  return `${(ns / 1e9).toFixed(6)}s`;
}

/** Counts with thin grouping for readability: 1234567 -> `1,234,567`. */
export function formatCount(n: number): string {
  const digits = String(Math.floor(Math.max(0, n)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** Rates: `0`, `12`, `1.2k`, `3.4M`. */
export function formatRate(perSecond: number): string {
  if (perSecond < 1000) return perSecond < 10 && perSecond > 0 ? perSecond.toFixed(1) : String(Math.round(perSecond));
  if (perSecond < 1e6) return `${(perSecond / 1e3).toFixed(1)}k`;
  return `${(perSecond / 1e6).toFixed(1)}M`;
}

/** Cuts or pads `text` to exactly `width` columns. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? text.slice(0, width) : text.padEnd(width);
}
