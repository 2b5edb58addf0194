import { describe, expect, it } from 'vitest';
import type { RegisterValue } from '../../../src/core/api.js';
import { RegisterTracker, diffRegisters, formatRegister, gridRows, groupRegisters } from '../../../src/tui/register-view.js';

const r = (name: string, value: number): RegisterValue => ({ name, value, width: 32 });
const regs = (pc: number, a0: number, mstatus = 0) => [r('pc', pc), r('zero', 0), r('a0', a0), r('priv', 3), r('mstatus', mstatus)];

describe('register view', () => {
  it('formats 32- and 64-bit values as fixed-width hex', () => {
    expect(formatRegister(r('pc', 0x80000000))).toBe('80000000');
    expect(formatRegister(r('a0', 0x1f))).toBe('0000001f');
    expect(formatRegister({ name: 'x', value: 2, hi: 1, width: 64 })).toBe('0000000100000002');
  });

  it('marks only the values that changed; nothing on the first snapshot', () => {
    const first = diffRegisters(undefined, regs(0x80000000, 1));
    expect(first.some((c) => c.changed)).toBe(false);
    const before = new Map(first.map((c) => [c.name, c.text]));
    const next = diffRegisters(before, regs(0x80000004, 1, 0x88));
    expect(next.filter((c) => c.changed).map((c) => c.name)).toEqual(['pc', 'mstatus']);
  });

  it('the tracker moves its baseline only when the epoch changes', () => {
    const t = new RegisterTracker();
    t.update(0, 100, regs(0x80000000, 1));
    const stepped = t.update(0, 101, regs(0x80000004, 2));
    expect(stepped.filter((c) => c.changed).map((c) => c.name)).toEqual(['pc', 'a0']);
    // Redrawn without progress: the same highlights, even if inspect() is called again.
    expect(t.update(0, 101, regs(0x80000004, 2)).filter((c) => c.changed).map((c) => c.name)).toEqual(['pc', 'a0']);
    expect(t.update(0, 102, regs(0x80000004, 2)).some((c) => c.changed)).toBe(false);
    // CPUs are tracked separately.
    expect(t.update(1, 102, regs(0x80000010, 9)).some((c) => c.changed)).toBe(false);
  });

  it('groups pc, general registers (short names) and control registers', () => {
    const g = groupRegisters(diffRegisters(undefined, regs(0x80000000, 1)));
    expect(g.pc?.text).toBe('80000000');
    expect(g.general.map((c) => c.name)).toEqual(['zero', 'a0', 'priv']);
    expect(g.control.map((c) => c.name)).toEqual(['mstatus']);
  });

  it('lays cells out in as many columns as fit', () => {
    const cells = diffRegisters(undefined, Array.from({ length: 32 }, (_, i) => r(`x${i}`, i)));
    // name 3 + space + 8 digits = 12 per column, 2 between: 4 columns need 54.
    expect(gridRows(cells, 54).rows.length).toBe(8);
    expect(gridRows(cells, 53).rows.length).toBe(11);
    expect(gridRows(cells, 5).rows.length).toBe(32);
    expect(gridRows(cells, 200).rows.length).toBe(8); // four columns at most: x0-x3, x4-x7, ...
    expect(gridRows(cells, 200, 8).rows.length).toBe(4);
  });
});
