/**
 * A device's text screen (the PC's VGA text mode) as the console pane shows it: each cell's
 * character from code page 437 and its attribute as terminal colours, the cursor in inverse.
 */
import type { TextScreen } from '../core/api.js';
import { SGR } from './sgr.js';

/** VGA colour numbers (blue = 1, red = 4) to the terminal's ANSI order (red = 1, blue = 4). */
const VGA_TO_ANSI = [0, 4, 2, 6, 1, 5, 3, 7];

/** Code page 437's upper half (and the glyphs of 0x01-0x1f), for what kernels draw boxes and bars with. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ';
const CP437_LOW = ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼';

export function cp437(code: number): string {
  if (code >= 0x20 && code < 0x7f) return String.fromCharCode(code);
  if (code >= 0x80) return CP437_HIGH[code - 0x80];
  if (code === 0x7f) return '⌂';
  return CP437_LOW[code];
}

function colours(attr: number): string {
  const fg = VGA_TO_ANSI[attr & 7] + (attr & 8);
  const bg = VGA_TO_ANSI[(attr >> 4) & 7];
  return SGR.fg(fg) + SGR.bg(bg);
}

/** The screen clipped to `width` x `height`, one line of SGR-coloured text per row. */
export function screenText(screen: TextScreen, width: number, height: number): string {
  const lines: string[] = [];
  for (let r = 0; r < Math.min(screen.rows, height); r++) {
    let line = '';
    let last = -1;
    for (let c = 0; c < Math.min(screen.cols, width); c++) {
      const cell = screen.cells[r * screen.cols + c];
      const attr = cell >> 8;
      const cursor = screen.cursor.visible && screen.cursor.row === r && screen.cursor.col === c;
      const key = cursor ? -2 : attr;
      if (key !== last) line += SGR.reset + colours(attr) + (cursor ? SGR.inverse : '');
      last = key;
      line += cp437(cell & 0xff);
    }
    lines.push(line + SGR.reset);
  }
  return lines.join('\n');
}
