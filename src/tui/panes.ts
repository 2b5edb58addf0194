import type { ConsoleModel } from './console-model.js';
import { fit, formatCount, formatRate, formatSeconds } from './format.js';
import { gridRows, groupRegisters, type RegCell } from './register-view.js';
import { sparkline } from './rates.js';
import { CYAN, GREEN, RED, SGR, YELLOW, renderRow } from './sgr.js';

/** Pane contents as text with SGR styling, built from plain data (no blessed here). */

export function consoleText(model: ConsoleModel, width: number, height: number, scroll: number, showCursor: boolean): string {
  const view = model.viewport(width, height, scroll);
  const lines = view.rows.map((row, i) => renderRow(row, showCursor && view.cursor?.row === i ? view.cursor.col : undefined));
  // Bottom-anchored like a terminal: blank rows above when there is less output than the pane.
  while (lines.length < height) lines.unshift('');
  return lines.join('\n');
}

export interface RegistersInfo {
  cpu: number;
  cpuCount: number;
  /** Privilege level name (`cpu.privilegeName()`). */
  mode: string;
  cells: RegCell[];
  /** `<symbol+0x10>` for the pc, or ''. */
  symbol: string;
  paused: boolean;
  width: number;
}

const changedStyle = (text: string) => `${SGR.bold}${SGR.fg(YELLOW)}${text}${SGR.reset}`;
const dimStyle = (text: string) => `${SGR.fg(CYAN)}${text}${SGR.reset}`;

function cellText(c: RegCell, nameWidth: number): string {
  return `${dimStyle(c.name.padEnd(nameWidth))} ${c.changed ? changedStyle(c.text) : c.text}`;
}

function gridText(cells: RegCell[], width: number): string[] {
  const { rows, nameWidth, columnWidth } = gridRows(cells, width);
  return rows.map((row) => row.map((c) => cellText(c, nameWidth) + ' '.repeat(columnWidth - nameWidth - 1 - c.text.length)).join('  '));
}

export function registersText(r: RegistersInfo): string[] {
  const { pc, general, control } = groupRegisters(r.cells);
  const cpuLabel = r.cpuCount > 1 ? `cpu${r.cpu} of ${r.cpuCount} (C-a c: next)` : `cpu${r.cpu}`;
  const out = [`${SGR.bold}${cpuLabel}${SGR.reset}  mode ${SGR.bold}${r.mode}${SGR.reset}${r.paused ? '' : '  (live)'}`];
  if (pc) out.push(`${dimStyle('pc')} ${pc.changed ? changedStyle(pc.text) : pc.text} ${r.symbol}`);
  out.push(...gridText(general, r.width));
  if (control.length > 0) out.push('', ...gridText(control, r.width));
  return out;
}

/** Rows the registers pane needs for `cells` at `width` (for the layout). */
export function registersHeight(cells: RegCell[], width: number): number {
  const { general, control } = groupRegisters(cells);
  return 2 + gridRows(general, width).rows.length + (control.length ? 1 + gridRows(control, width).rows.length : 0);
}

export interface LineStat {
  name: string;
  count: number;
  rate: number;
  history: number[];
}

/**
 * Interrupt lines (count, rate, sparkline), then the trap log, newest first. When the lines do
 * not fit in half the pane only the ones that ever fired are listed.
 */
export function interruptsText(lines: LineStat[], traps: string[], totalTraps: number, width: number, height: number): string[] {
  const budget = Math.max(1, Math.floor(height / 2) - 1);
  let shown = lines;
  // Short of room: the busiest lines (rate, then count), so a timer firing 100 times a second is
  // not hidden behind a line that fired once; board order among the ones shown.
  if (shown.length > budget) {
    const busiest = lines.filter((l) => l.count > 0).sort((a, b) => b.rate - a.rate || b.count - a.count).slice(0, budget);
    shown = lines.filter((l) => busiest.includes(l));
  }
  const idle = lines.filter((l) => l.count === 0 && !shown.includes(l)).length;
  const more = lines.length - shown.length - idle;
  const nameWidth = Math.min(24, Math.max(4, ...shown.map((l) => l.name.length)));
  const countWidth = 10;
  const rateWidth = 7;
  const sparkWidth = Math.max(0, width - nameWidth - countWidth - rateWidth - 3);
  const out = [`${SGR.bold}${fit('line', nameWidth)} ${'count'.padStart(countWidth)} ${'rate/s'.padStart(rateWidth)} history${SGR.reset}`];
  for (const l of shown) {
    const spark = sparkWidth > 0 ? ' ' + `${SGR.fg(GREEN)}${sparkline(l.history, sparkWidth)}${SGR.reset}` : '';
    out.push(`${fit(l.name, nameWidth)} ${formatCount(l.count).padStart(countWidth)} ${formatRate(l.rate).padStart(rateWidth)}${spark}`);
  }
  const notShown = [more > 0 && `${more} less busy`, idle > 0 && `${idle} idle`].filter(Boolean).join(', ');
  if (notShown) out.push(`${SGR.dim}(${notShown} lines not shown)${SGR.reset}`);
  out.push(`${SGR.bold}traps (${formatCount(totalTraps)} taken, newest first)${SGR.reset}`);
  const room = Math.max(0, height - out.length);
  for (const t of traps.slice(0, room)) out.push(fit(t, width).trimEnd());
  return out;
}

export interface StatusInfo {
  board: string;
  arch: string;
  state: 'running' | 'paused' | 'powered off' | 'stopped';
  mips: number;
  instructions: number;
  timeNs: number;
  focus: string;
  /** Devices' status words (`Device.status`: the last POST code), joined. */
  devices?: string;
  /** The debugger's word while `--gdb` serves: "gdb attached", "halted at 0x... <symbol>". */
  debug?: string;
}

export const KEY_HINTS = 'C-a h help  C-a p pause  C-a s step  C-a r reset  C-a x quit  C-a Tab pane';

export function statusText(s: StatusInfo, width: number): string {
  const color = s.state === 'running' ? GREEN : s.state === 'paused' ? YELLOW : RED;
  const state = `${SGR.bold}${SGR.fg(color)}${s.state.toUpperCase()}${SGR.reset}`;
  const left = ` ${s.board} (${s.arch}) | ${state} | ${s.mips.toFixed(1)} MIPS | ${formatCount(s.instructions)} insns | t=${formatSeconds(s.timeNs)}${s.devices ? ` | ${s.devices}` : ''}${s.debug ? ` | ${s.debug}` : ''} | [${s.focus}]`;
  const leftWidth = left.length - state.length + s.state.length;
  const room = width - leftWidth - 2;
  const hints = room >= 12 ? KEY_HINTS.slice(0, room).padStart(room) + ' ' : '';
  return `${left} ${hints}`;
}

export const HELP_TEXT = [
  'Keys typed in the console go to the guest: commands take Ctrl-A.',
  'In the other panes the plain keys work too.',
  '',
  '  C-a p    p      pause / resume',
  '  C-a s    s      single-step one instruction (pauses)',
  '  C-a r    r      reset the machine',
  '  C-a x    q      quit',
  '  C-a Tab  Tab    next pane (console, registers, interrupts)',
  '  C-a c    c      next CPU in the registers pane',
  '  C-a t    t      next console tab (UARTs that printed; a text screen, keys to its keyboard)',
  '  C-a g    g      save the framebuffer as rvos-screenshot-N.png (boards with a display)',
  '  C-a h    h ?    this help',
  '  C-a C-a         send a literal Ctrl-A to the guest',
  '  PgUp PgDn, mouse wheel   scroll the console (or the trap log)',
  '  Up Down, k j             scroll by a line outside the console',
  '',
  'Any key closes this help.',
];

export const RED_STYLE = (t: string) => `${SGR.bold}${SGR.fg(RED)}${t}${SGR.reset}`;
