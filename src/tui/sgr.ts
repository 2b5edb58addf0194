import { ATTR_BOLD, ATTR_INVERSE, ATTR_UNDERLINE, COLOR_DEFAULT, DEFAULT_ATTR, attrBg, attrFg, type ViewRow } from './console-model.js';

/**
 * Styled text for the panes as SGR escape sequences (blessed renders them in element content).
 * Only the TUI's own widgets see these strings; guest output is re-encoded from the model.
 */
export const SGR = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  inverse: '\x1b[7m',
  dim: '\x1b[2m',
  fg: (c: number) => (c < 8 ? `\x1b[${30 + c}m` : c < 16 ? `\x1b[${90 + c - 8}m` : `\x1b[38;5;${c}m`),
  bg: (c: number) => (c < 8 ? `\x1b[${40 + c}m` : c < 16 ? `\x1b[${100 + c - 8}m` : `\x1b[48;5;${c}m`),
} as const;

export const RED = 1, GREEN = 2, YELLOW = 3, BLUE = 4, MAGENTA = 5, CYAN = 6, WHITE = 7;

/** The SGR sequence selecting `attr` from the default state. */
export function attrToSgr(attr: number): string {
  let s = SGR.reset;
  if (attr === DEFAULT_ATTR) return s;
  if (attr & ATTR_BOLD) s += SGR.bold;
  if (attr & ATTR_UNDERLINE) s += '\x1b[4m';
  if (attr & ATTR_INVERSE) s += SGR.inverse;
  const fg = attrFg(attr);
  const bg = attrBg(attr);
  if (fg !== COLOR_DEFAULT) s += SGR.fg(fg);
  if (bg !== COLOR_DEFAULT) s += SGR.bg(bg);
  return s;
}

/** One console row as text with SGR changes where the attribute changes; `cursorCol` is shown inverse. */
export function renderRow(row: ViewRow, cursorCol?: number): string {
  let out = '';
  let current = DEFAULT_ATTR;
  const n = cursorCol !== undefined ? Math.max(row.chars.length, cursorCol + 1) : row.chars.length;
  for (let i = 0; i < n; i++) {
    let attr = row.attrs[i] ?? DEFAULT_ATTR;
    if (i === cursorCol) attr ^= ATTR_INVERSE;
    if (attr !== current) {
      out += attrToSgr(attr);
      current = attr;
    }
    out += row.chars[i] ?? ' ';
  }
  if (current !== DEFAULT_ATTR) out += SGR.reset;
  return out;
}
