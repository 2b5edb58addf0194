import { describe, expect, it } from 'vitest';
import { WIDE_MIN_COLS, computeLayout, sideWidth, type Rect } from '../../../src/tui/layout.js';

const overlaps = (a: Rect, b: Rect) =>
  a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

describe('computeLayout', () => {
  for (const [cols, rows] of [[160, 50], [120, 30], [100, 40], [80, 24], [20, 10]]) {
    it(`${cols}x${rows}: panes tile the screen without overlapping`, () => {
      const l = computeLayout(cols, rows);
      const panes = [l.console, l.registers, l.interrupts, l.status];
      for (let i = 0; i < panes.length; i++) for (let j = i + 1; j < panes.length; j++) expect(overlaps(panes[i], panes[j])).toBe(false);
      expect(panes.reduce((s, p) => s + p.width * p.height, 0)).toBe(cols * rows);
      expect(l.status).toEqual({ left: 0, top: rows - 1, width: cols, height: 1 });
    });
  }

  it('wide terminals: console left, registers over interrupts on the right', () => {
    const l = computeLayout(160, 50, 16);
    expect(l.wide).toBe(true);
    expect(l.console).toEqual({ left: 0, top: 0, width: 84, height: 49 });
    expect(l.registers).toEqual({ left: 84, top: 0, width: 76, height: 18 });
    expect(l.interrupts.top).toBe(18);
  });

  it('the right-hand column grows with the terminal, within limits', () => {
    expect(sideWidth(120)).toBe(64);
    expect(sideWidth(160)).toBe(76);
    expect(sideWidth(300)).toBe(80);
  });

  it('the registers pane gives way so interrupts keep 8 rows', () => {
    const l = computeLayout(WIDE_MIN_COLS, 20, 30);
    expect(l.interrupts.height).toBe(8);
  });

  it('narrow terminals stack the console over the other two', () => {
    const l = computeLayout(WIDE_MIN_COLS - 1, 40);
    expect(l.wide).toBe(false);
    expect(l.console.width).toBe(WIDE_MIN_COLS - 1);
    expect(l.registers.top).toBe(l.console.height);
    expect(l.interrupts.left).toBe(l.registers.width);
  });
});
