import type { RegisterValue } from '../core/api.js';
import { hex } from './format.js';

/**
 * The registers pane's view model: a CPU's `inspect()` list turned into cells that know whether
 * their value changed, laid out in a grid. Architecture-neutral: names and order come from the
 * arch plugin.
 */

export interface RegCell {
  name: string;
  text: string;
  changed: boolean;
}

export interface RegisterSnapshot {
  pc: RegCell | undefined;
  /** General registers: the leading run of short names after the pc (x0..x31 by ABI name, ...). */
  general: RegCell[];
  /** Everything after: privilege and control registers. */
  control: RegCell[];
}

export function formatRegister(r: RegisterValue): string {
  if (r.width === 64) return hex(r.hi ?? 0) + hex(r.value);
  return hex(r.value);
}

/** Cells for `regs`, marking values that differ from `previous` (name -> text). */
export function diffRegisters(previous: ReadonlyMap<string, string> | undefined, regs: RegisterValue[]): RegCell[] {
  return regs.map((r) => {
    const text = formatRegister(r);
    const before = previous?.get(r.name);
    return { name: r.name, text, changed: before !== undefined && before !== text };
  });
}

/** Longest name of a general register; longer names (mstatus, ...) start the control group. */
const GENERAL_NAME_MAX = 4;

export function groupRegisters(cells: RegCell[]): RegisterSnapshot {
  const pcIndex = cells.findIndex((c) => c.name === 'pc');
  const pc = pcIndex >= 0 ? cells[pcIndex] : undefined;
  const rest = cells.filter((_, i) => i !== pcIndex);
  let split = rest.findIndex((c) => c.name.length > GENERAL_NAME_MAX);
  if (split < 0) split = rest.length;
  return { pc, general: rest.slice(0, split), control: rest.slice(split) };
}

/** Lays cells out row-major in as many columns of equal width as fit in `width`, up to `maxColumns`. */
export function gridRows(cells: RegCell[], width: number, maxColumns = 4): { rows: RegCell[][]; nameWidth: number; columnWidth: number } {
  const nameWidth = Math.max(0, ...cells.map((c) => c.name.length));
  const valueWidth = Math.max(0, ...cells.map((c) => c.text.length));
  const columnWidth = nameWidth + 1 + valueWidth;
  const gap = 2;
  const columns = Math.max(1, Math.min(maxColumns, Math.floor((width + gap) / (columnWidth + gap))));
  const rows: RegCell[][] = [];
  for (let i = 0; i < cells.length; i += columns) rows.push(cells.slice(i, i + columns));
  return { rows, nameWidth, columnWidth };
}

/**
 * Keeps each CPU's previous values. The baseline moves only when the machine made progress
 * (`epoch`, e.g. the instruction count), so after a single step the highlights stay until the
 * next one, however often the screen is redrawn.
 */
export class RegisterTracker {
  private readonly state = new Map<number, { epoch: number | string; values: Map<string, string>; cells: RegCell[] }>();

  update(cpu: number, epoch: number | string, regs: RegisterValue[]): RegCell[] {
    const s = this.state.get(cpu);
    if (s && s.epoch === epoch) return s.cells;
    const cells = diffRegisters(s?.values, regs);
    this.state.set(cpu, { epoch, values: new Map(cells.map((c) => [c.name, c.text])), cells });
    return cells;
  }
}
