import { PassThrough } from 'node:stream';
import blessed from 'blessed';
import type { Layout, Rect } from './layout.js';
import { HELP_TEXT } from './panes.js';

/**
 * The blessed widgets. blessed only draws: it gets a dummy input stream, and the TUI reads the
 * terminal itself (raw bytes must reach the guest unchanged, see keys.ts).
 */
export interface Widgets {
  screen: blessed.Widgets.Screen;
  console: blessed.Widgets.BoxElement;
  registers: blessed.Widgets.BoxElement;
  interrupts: blessed.Widgets.BoxElement;
  status: blessed.Widgets.BoxElement;
  help: blessed.Widgets.BoxElement;
  message: blessed.Widgets.BoxElement;
}

export type PaneName = 'console' | 'registers' | 'interrupts';

/** Mouse reporting for the wheel: button events (1000) in SGR encoding (1006). */
const MOUSE_ON = '\x1b[?1000h\x1b[?1006h';
const MOUSE_OFF = '\x1b[?1006l\x1b[?1000l';

export function createWidgets(output: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Widgets {
  const input = new PassThrough() as unknown as NodeJS.ReadStream;
  const screen = blessed.screen({
    input,
    output,
    smartCSR: true,
    fullUnicode: true,
    forceUnicode: true,
    warnings: false,
    autoPadding: false,
    // blessed cannot parse every modern terminfo entry (tmux-256color); say what we know.
    ...(/256color|truecolor/.test(`${env.TERM} ${env.COLORTERM}`) ? { terminal: 'xterm-256color' } : {}),
  } as blessed.Widgets.IScreenOptions);
  // Line drawing as Unicode, not the VT100 alternate charset (which some terminals and tmux's
  // capture-pane show as letters).
  (screen as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
  const pane = (label: string) =>
    blessed.box({ parent: screen, label: ` ${label} `, border: { type: 'line' }, tags: false, wrap: false, style: { border: { fg: 'gray' } } });
  const widgets: Widgets = {
    screen,
    console: pane('console'),
    registers: pane('registers'),
    interrupts: pane('interrupts'),
    status: blessed.box({ parent: screen, height: 1, tags: false, wrap: false, style: { fg: 'white', bg: 'blue' } }),
    help: blessed.box({
      parent: screen,
      label: ' help ',
      border: { type: 'line' },
      top: 'center',
      left: 'center',
      width: 70,
      height: HELP_TEXT.length + 2,
      tags: false,
      hidden: true,
      style: { border: { fg: 'cyan' } },
    }),
    message: blessed.box({
      parent: screen,
      border: { type: 'line' },
      width: 60,
      height: 6,
      tags: false,
      hidden: true,
      style: { border: { fg: 'yellow' } },
    }),
  };
  output.write(MOUSE_ON);
  return widgets;
}

function place(el: blessed.Widgets.BoxElement, r: Rect): void {
  el.left = r.left;
  el.top = r.top;
  el.width = r.width;
  el.height = r.height;
}

export function applyLayout(w: Widgets, layout: Layout): void {
  place(w.console, layout.console);
  place(w.registers, layout.registers);
  place(w.interrupts, layout.interrupts);
  place(w.status, layout.status);
}

export function showFocus(w: Widgets, focus: PaneName): void {
  for (const name of ['console', 'registers', 'interrupts'] as const) {
    const style = w[name].style as { border: { fg: string } };
    style.border.fg = name === focus ? 'cyan' : 'gray';
  }
}

export function destroyWidgets(w: Widgets, output: NodeJS.WriteStream): void {
  output.write(MOUSE_OFF);
  w.screen.destroy();
}
