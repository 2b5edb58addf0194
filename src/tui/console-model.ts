/**
 * A small terminal-output model for the console pane: what a guest prints on its UART, as lines
 * of character cells with colour attributes and a bounded scrollback.
 *
 * Handled: printable characters (UTF-8), `\r`, `\n` (as CR LF, like a tty with onlcr), `\b`, `\t`,
 * SGR colour sequences (16, 256 and 24-bit colours, bold, underline, inverse), and the line-editing
 * CSI sequences a shell uses (`K` erase in line, `C`/`D` cursor right/left, `G` column). Every other
 * escape sequence (CSI, OSC, charset selection) is consumed without effect.
 */

/** Cell attributes packed in one number: fg (bits 0-8, 256 = default), bg (bits 9-17), flags. */
export const COLOR_DEFAULT = 256;
export const ATTR_BOLD = 1 << 18;
export const ATTR_UNDERLINE = 1 << 19;
export const ATTR_INVERSE = 1 << 20;
export const DEFAULT_ATTR = COLOR_DEFAULT | (COLOR_DEFAULT << 9);

export const attrFg = (attr: number) => attr & 0x1ff;
export const attrBg = (attr: number) => (attr >> 9) & 0x1ff;
const withFg = (attr: number, fg: number) => (attr & ~0x1ff) | fg;
const withBg = (attr: number, bg: number) => (attr & ~(0x1ff << 9)) | (bg << 9);

export interface ConsoleLine {
  chars: string[];
  attrs: number[];
}

/** A row of the viewport: a slice of a line, wrapped at the pane width. */
export interface ViewRow {
  chars: string[];
  attrs: number[];
}

export interface Viewport {
  rows: ViewRow[];
  /** Where the guest's cursor is in `rows`, when it is visible (not scrolled away). */
  cursor?: { row: number; col: number };
  /** The largest useful scroll offset (rows above the bottom). */
  maxScroll: number;
}

const enum State {
  Normal,
  Escape,
  Csi,
  Osc,
  OscEscape,
  Charset,
}

/** Nearest xterm-256 palette entry for a 24-bit colour. */
function rgbTo256(r: number, g: number, b: number): number {
  const c = (v: number) => Math.round((Math.max(0, Math.min(255, v)) / 255) * 5);
  return 16 + 36 * c(r) + 6 * c(g) + c(b);
}

export class ConsoleModel {
  private lines: ConsoleLine[] = [{ chars: [], attrs: [] }];
  private col = 0;
  private attr = DEFAULT_ATTR;
  private state = State.Normal;
  private params = '';
  private readonly decoder = new TextDecoder('utf-8');
  /** Lines ever started (monotonic; the pane keeps a scrolled view anchored with it). */
  linesStarted = 1;

  /**
   * `maxLines` bounds the scrollback; `maxColumns` bounds one line (a guest printing forever
   * without a newline wraps there, as a terminal would at its width).
   */
  constructor(
    readonly maxLines = 5000,
    readonly maxColumns = 4096,
  ) {}

  get lineCount(): number {
    return this.lines.length;
  }

  /** The lines as plain text (tests, the text dump). */
  text(): string[] {
    return this.lines.map((l) => l.chars.join(''));
  }

  line(i: number): ConsoleLine {
    return this.lines[i];
  }

  /** The current attribute (the style the next printed character gets). */
  get currentAttr(): number {
    return this.attr;
  }

  write(bytes: Uint8Array): void {
    this.writeText(this.decoder.decode(bytes, { stream: true }));
  }

  writeText(text: string): void {
    for (const ch of text) this.put(ch);
    const excess = this.lines.length - this.maxLines;
    if (excess > 0) this.lines.splice(0, excess);
  }

  /** A line of the TUI's own (e.g. "machine reset") in `attr`, on a line of its own. */
  note(text: string, attr = DEFAULT_ATTR): void {
    if (this.current.chars.length > 0 || this.col > 0) this.newLine();
    const saved = this.attr;
    this.attr = attr;
    for (const ch of text) this.print(ch);
    this.attr = saved;
    this.newLine();
  }

  private put(ch: string): void {
    const code = ch.codePointAt(0)!;
    switch (this.state) {
      case State.Normal:
        break;
      case State.Escape:
        if (ch === '[') {
          this.state = State.Csi;
          this.params = '';
        } else if (ch === ']') this.state = State.Osc;
        else if (ch === '(' || ch === ')' || ch === '*' || ch === '+') this.state = State.Charset;
        else this.state = State.Normal; // two-character escapes (ESC 7, ESC c, ...): ignored
        return;
      case State.Charset:
        this.state = State.Normal;
        return;
      case State.Csi:
        if (code >= 0x40 && code <= 0x7e) {
          this.state = State.Normal;
          this.csi(ch, this.params);
        } else if (this.params.length < 64) this.params += ch;
        return;
      case State.Osc:
        if (code === 0x07) this.state = State.Normal;
        else if (code === 0x1b) this.state = State.OscEscape;
        return;
      case State.OscEscape:
        this.state = ch === '\\' ? State.Normal : State.Osc;
        return;
    }
    if (code === 0x1b) this.state = State.Escape;
    else if (code === 0x0a) this.newLine();
    else if (code === 0x0d) this.col = 0;
    else if (code === 0x08) this.col = Math.max(0, this.col - 1);
    else if (code === 0x09) this.col = (Math.floor(this.col / 8) + 1) * 8;
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      // other controls (BEL, NUL, C1) are not shown
    } else this.print(ch);
  }

  private get current(): ConsoleLine {
    return this.lines[this.lines.length - 1];
  }

  private newLine(): void {
    this.lines.push({ chars: [], attrs: [] });
    this.linesStarted++;
    this.col = 0;
  }

  private print(ch: string): void {
    if (this.col >= this.maxColumns) this.newLine();
    const line = this.current;
    while (line.chars.length < this.col) {
      line.chars.push(' ');
      line.attrs.push(DEFAULT_ATTR);
    }
    line.chars[this.col] = ch;
    line.attrs[this.col] = this.attr;
    this.col++;
  }

  private csi(final: string, raw: string): void {
    if (raw.startsWith('?') || raw.startsWith('>') || raw.startsWith('=')) return; // private modes
    const params = raw === '' ? [] : raw.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p) || 0));
    const n = Math.max(1, params[0] ?? 1);
    const line = this.current;
    switch (final) {
      case 'm':
        this.sgr(params);
        break;
      case 'K': {
        const mode = params[0] ?? 0;
        if (mode === 0) {
          line.chars.length = Math.min(line.chars.length, this.col);
          line.attrs.length = line.chars.length;
        } else if (mode === 1) {
          for (let i = 0; i <= this.col && i < line.chars.length; i++) {
            line.chars[i] = ' ';
            line.attrs[i] = DEFAULT_ATTR;
          }
        } else {
          line.chars.length = 0;
          line.attrs.length = 0;
        }
        break;
      }
      case 'C':
        this.col += n;
        break;
      case 'D':
        this.col = Math.max(0, this.col - n);
        break;
      case 'G':
        this.col = n - 1;
        break;
      default:
      // cursor addressing, screen clearing, scrolling regions: not modelled
    }
  }

  private sgr(params: number[]): void {
    if (params.length === 0) params = [0];
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p === 0) this.attr = DEFAULT_ATTR;
      else if (p === 1) this.attr |= ATTR_BOLD;
      else if (p === 4) this.attr |= ATTR_UNDERLINE;
      else if (p === 7) this.attr |= ATTR_INVERSE;
      else if (p === 22) this.attr &= ~ATTR_BOLD;
      else if (p === 24) this.attr &= ~ATTR_UNDERLINE;
      else if (p === 27) this.attr &= ~ATTR_INVERSE;
      else if (p >= 30 && p <= 37) this.attr = withFg(this.attr, p - 30);
      else if (p >= 90 && p <= 97) this.attr = withFg(this.attr, p - 90 + 8);
      else if (p === 39) this.attr = withFg(this.attr, COLOR_DEFAULT);
      else if (p >= 40 && p <= 47) this.attr = withBg(this.attr, p - 40);
      else if (p >= 100 && p <= 107) this.attr = withBg(this.attr, p - 100 + 8);
      else if (p === 49) this.attr = withBg(this.attr, COLOR_DEFAULT);
      else if (p === 38 || p === 48) {
        let color: number | undefined;
        if (params[i + 1] === 5) {
          color = (params[i + 2] ?? 0) & 0xff;
          i += 2;
        } else if (params[i + 1] === 2) {
          color = rgbTo256(params[i + 2] ?? 0, params[i + 3] ?? 0, params[i + 4] ?? 0);
          i += 4;
        }
        if (color !== undefined) this.attr = p === 38 ? withFg(this.attr, color) : withBg(this.attr, color);
      }
    }
  }

  /** Number of rows `line` takes when wrapped at `width` (an empty line takes one). */
  private static rowsOf(line: ConsoleLine, width: number): number {
    return Math.max(1, Math.ceil(line.chars.length / width));
  }

  /** Total rows when every line is wrapped at `width`. */
  totalRows(width: number): number {
    let rows = 0;
    for (const l of this.lines) rows += ConsoleModel.rowsOf(l, width);
    return rows;
  }

  /**
   * The `height` rows ending `scroll` rows above the bottom, lines wrapped at `width`. The
   * cursor is reported when its row is visible.
   */
  viewport(width: number, height: number, scroll = 0): Viewport {
    width = Math.max(1, width);
    const maxScroll = Math.max(0, this.totalRows(width) - height);
    scroll = Math.max(0, Math.min(scroll, maxScroll));
    const want = height + scroll;
    const collected: ViewRow[] = []; // bottom-up
    let cursor: { row: number; col: number } | undefined;
    for (let li = this.lines.length - 1; li >= 0 && collected.length < want; li--) {
      const line = this.lines[li];
      const n = ConsoleModel.rowsOf(line, width);
      for (let r = n - 1; r >= 0 && collected.length < want; r--) {
        collected.push({ chars: line.chars.slice(r * width, (r + 1) * width), attrs: line.attrs.slice(r * width, (r + 1) * width) });
      }
    }
    const rows = collected.slice(scroll).reverse();
    if (scroll === 0) {
      const last = this.current;
      const lastRows = ConsoleModel.rowsOf(last, width);
      const col = Math.min(this.col, lastRows * width - 1);
      const rowInLine = Math.floor(col / width);
      const row = rows.length - lastRows + rowInLine;
      if (row >= 0 && row < rows.length) cursor = { row, col: col % width };
    }
    return { rows, cursor, maxScroll };
  }
}
