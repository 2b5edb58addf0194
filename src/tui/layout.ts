/** Where the panes go for a terminal of `cols` x `rows`; recomputed on resize. */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Layout {
  console: Rect;
  registers: Rect;
  interrupts: Rect;
  status: Rect;
  /** Side by side (console left, registers and interrupts right) or stacked. */
  wide: boolean;
}

/**
 * Width of the right-hand column on wide terminals: at least four register columns plus borders,
 * more on big terminals so that trap log lines fit.
 */
export function sideWidth(cols: number): number {
  return Math.min(80, Math.max(64, Math.floor(cols * 0.48)));
}
/** Narrower than this, the panes stack: console on top, registers and interrupts below. */
export const WIDE_MIN_COLS = 120;

/**
 * `registerRows` is the content height the registers pane wants (it gets that plus borders
 * when the terminal is tall enough, leaving the interrupts pane at least 8 rows).
 */
export function computeLayout(cols: number, rows: number, registerRows = 16): Layout {
  cols = Math.max(20, cols);
  rows = Math.max(10, rows);
  const body = rows - 1;
  const status = { left: 0, top: rows - 1, width: cols, height: 1 };
  if (cols >= WIDE_MIN_COLS) {
    const side = sideWidth(cols);
    const regHeight = Math.max(3, Math.min(registerRows + 2, body - 8));
    return {
      wide: true,
      console: { left: 0, top: 0, width: cols - side, height: body },
      registers: { left: cols - side, top: 0, width: side, height: regHeight },
      interrupts: { left: cols - side, top: regHeight, width: side, height: body - regHeight },
      status,
    };
  }
  const consoleHeight = Math.max(5, Math.floor(body * 0.5));
  const lower = body - consoleHeight;
  const half = Math.floor(cols / 2);
  return {
    wide: false,
    console: { left: 0, top: 0, width: cols, height: consoleHeight },
    registers: { left: 0, top: consoleHeight, width: half, height: lower },
    interrupts: { left: half, top: consoleHeight, width: cols - half, height: lower },
    status,
  };
}
