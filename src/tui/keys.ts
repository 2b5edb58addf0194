/**
 * Keyboard (and mouse wheel) input of the TUI. Raw terminal bytes are split into keys; with the
 * console focused every key goes to the guest except Ctrl-A commands, PgUp/PgDn and the wheel
 * (console scrollback). Other panes take plain command keys.
 *
 *   Ctrl-A P pause/resume   Ctrl-A S step     Ctrl-A R reset   Ctrl-A X quit
 *   Ctrl-A Tab next pane    Ctrl-A C next CPU Ctrl-A T next console tab
 *   Ctrl-A H help           Ctrl-A G screenshot (PNG of the framebuffer)
 *   Ctrl-A Ctrl-A           a literal Ctrl-A for the guest
 */

export const CTRL_A = 0x01;

export type Action =
  | 'pause'
  | 'step'
  | 'reset'
  | 'quit'
  | 'focus-next'
  | 'focus-prev'
  | 'next-cpu'
  | 'next-tab'
  | 'help'
  | 'screenshot'
  | 'scroll-up'
  | 'scroll-down'
  | 'page-up'
  | 'page-down';

export interface KeyResult {
  /** Bytes for the guest's console, in order. */
  guest: Uint8Array;
  actions: Action[];
  /** Keys that did nothing (lets an overlay close on "any key"). */
  ignored: number;
}

/** A key as it arrived: its bytes and, for escape sequences we know, a name. */
interface Key {
  bytes: number[];
  name?: 'pageup' | 'pagedown' | 'up' | 'down' | 'backtab' | 'wheel-up' | 'wheel-down' | 'mouse';
}

/** Command keys after Ctrl-A, and the plain keys of panes other than the console. */
const COMMANDS: Record<string, Action> = {
  p: 'pause',
  s: 'step',
  r: 'reset',
  x: 'quit',
  '\t': 'focus-next',
  c: 'next-cpu',
  t: 'next-tab',
  h: 'help',
  '?': 'help',
  g: 'screenshot',
};

const PANE_KEYS: Record<string, Action> = { ...COMMANDS, q: 'quit', k: 'scroll-up', j: 'scroll-down' };
delete PANE_KEYS.x; // a stray x outside the console should not end the session: q quits there

const NAMED: Partial<Record<NonNullable<Key['name']>, Action>> = {
  pageup: 'page-up',
  pagedown: 'page-down',
  'wheel-up': 'scroll-up',
  'wheel-down': 'scroll-down',
};

export class KeyDecoder {
  private prefix = false;
  private partial: number[] = [];

  feed(data: Uint8Array, consoleFocused: boolean): KeyResult {
    const guest: number[] = [];
    const actions: Action[] = [];
    let ignored = 0;
    for (const key of this.split(data)) {
      const ch = key.bytes.length === 1 ? String.fromCharCode(key.bytes[0]).toLowerCase() : '';
      if (this.prefix) {
        this.prefix = false;
        if (key.bytes.length === 1 && key.bytes[0] === CTRL_A) {
          if (consoleFocused) guest.push(CTRL_A);
          else ignored++;
        } else if (COMMANDS[ch]) actions.push(COMMANDS[ch]);
        else ignored++;
        continue;
      }
      if (key.bytes.length === 1 && key.bytes[0] === CTRL_A) {
        this.prefix = true;
        continue;
      }
      const named = key.name ? NAMED[key.name] : undefined;
      if (named) actions.push(named);
      else if (key.name === 'mouse') ignored++;
      else if (consoleFocused) guest.push(...key.bytes);
      else if (key.name === 'up') actions.push('scroll-up');
      else if (key.name === 'down') actions.push('scroll-down');
      else if (key.name === 'backtab') actions.push('focus-prev');
      else if (PANE_KEYS[ch]) actions.push(PANE_KEYS[ch]);
      else ignored++;
    }
    return { guest: Uint8Array.from(guest), actions, ignored };
  }

  /** Splits input into keys; an escape sequence cut at the end of `data` waits for the rest. */
  private split(data: Uint8Array): Key[] {
    const b = [...this.partial, ...data];
    this.partial = [];
    const keys: Key[] = [];
    let i = 0;
    while (i < b.length) {
      if (b[i] !== 0x1b) {
        keys.push({ bytes: [b[i]] });
        i++;
        continue;
      }
      const len = escapeLength(b, i);
      if (len === 0) {
        // Incomplete: keep it for the next chunk, except a lone ESC (the Esc key itself).
        if (i + 1 === b.length) keys.push({ bytes: [0x1b] });
        else this.partial = b.slice(i);
        break;
      }
      const bytes = b.slice(i, i + len);
      keys.push({ bytes, name: nameOf(bytes) });
      i += len;
    }
    return keys;
  }
}

/** Length of the escape sequence at `i`, or 0 when `b` ends before it does. */
function escapeLength(b: number[], i: number): number {
  if (i + 1 >= b.length) return 0;
  const second = b[i + 1];
  if (second === 0x4f) return i + 2 < b.length ? 3 : 0; // SS3: ESC O x
  if (second !== 0x5b) return 2; // ESC x (Alt+x)
  if (b[i + 2] === 0x4d) return i + 5 < b.length ? 6 : 0; // X10 mouse: ESC [ M b x y
  for (let j = i + 2; j < b.length; j++) {
    if (b[j] >= 0x40 && b[j] <= 0x7e) return j - i + 1; // parameters and intermediates are below 0x40
  }
  return 0;
}

function nameOf(bytes: number[]): Key['name'] {
  const s = String.fromCharCode(...bytes);
  if (/^\x1b\[5(;\d+)?~$/.test(s)) return 'pageup';
  if (/^\x1b\[6(;\d+)?~$/.test(s)) return 'pagedown';
  if (s === '\x1b[A' || s === '\x1bOA') return 'up';
  if (s === '\x1b[B' || s === '\x1bOB') return 'down';
  if (s === '\x1b[Z') return 'backtab';
  const sgr = /^\x1b\[<(\d+);\d+;\d+[Mm]$/.exec(s);
  if (sgr || s.startsWith('\x1b[M')) {
    const button = sgr ? Number(sgr[1]) : bytes[3] - 32;
    if ((button & ~0x1c) === 64) return 'wheel-up';
    if ((button & ~0x1c) === 65) return 'wheel-down';
    return 'mouse';
  }
  return undefined;
}
