import { describe, expect, it } from 'vitest';
import { ATTR_BOLD, ATTR_INVERSE, COLOR_DEFAULT, ConsoleModel, DEFAULT_ATTR, attrBg, attrFg } from '../../../src/tui/console-model.js';
import { renderRow } from '../../../src/tui/sgr.js';

const model = (text: string, maxLines?: number) => {
  const m = new ConsoleModel(maxLines);
  m.writeText(text);
  return m;
};

describe('ConsoleModel', () => {
  it('prints lines; \\n starts a new line at column 0', () => {
    expect(model('hello\nworld').text()).toEqual(['hello', 'world']);
    expect(model('a\r\nb\n').text()).toEqual(['a', 'b', '']);
  });

  it('\\r returns to column 0 and overwrites', () => {
    expect(model('progress 10%\rprogress 99%').text()).toEqual(['progress 99%']);
    expect(model('abcdef\rXY').text()).toEqual(['XYcdef']);
  });

  it('\\b moves back one column (not before 0)', () => {
    expect(model('abc\b\bX').text()).toEqual(['aXc']);
    expect(model('\b\bZ').text()).toEqual(['Z']);
    expect(model('ab\b \b').text()).toEqual(['a ']); // a shell's rubout
  });

  it('\\t advances to the next multiple of 8', () => {
    expect(model('a\tb').text()).toEqual(['a       b']);
    expect(model('12345678\tx').text()[0]).toBe('12345678        x');
  });

  it('keeps SGR colours per cell: 16, bright, 256 and 24-bit colours, bold, inverse, reset', () => {
    const m = model('\x1b[31mR\x1b[1;42mB\x1b[0mN\x1b[38;5;208mO\x1b[95mP\x1b[38;2;255;0;0mT\x1b[7mI\x1b[39;49;27;22mD');
    const line = m.line(0);
    expect(line.chars.join('')).toBe('RBNOPTID');
    expect(attrFg(line.attrs[0])).toBe(1);
    expect(attrFg(line.attrs[1])).toBe(1);
    expect(attrBg(line.attrs[1])).toBe(2);
    expect(line.attrs[1] & ATTR_BOLD).toBeTruthy();
    expect(line.attrs[2]).toBe(DEFAULT_ATTR);
    expect(attrFg(line.attrs[3])).toBe(208);
    expect(attrFg(line.attrs[4])).toBe(13);
    expect(attrFg(line.attrs[5])).toBe(196); // pure red in the 6x6x6 cube
    expect(line.attrs[6] & ATTR_INVERSE).toBeTruthy();
    expect(line.attrs[7]).toBe(DEFAULT_ATTR);
    expect(attrBg(line.attrs[7])).toBe(COLOR_DEFAULT);
  });

  it('consumes other escape sequences without printing them', () => {
    const m = model('\x1b[2J\x1b[H\x1b[?25la\x1b]0;title\x07b\x1b]2;t\x1b\\c\x1b(Bd\x1b7e\x1b[1;1Hf');
    expect(m.text()).toEqual(['abcdef']);
  });

  it('line editing: CSI K erases, CSI C/D move, CSI G sets the column', () => {
    expect(model('hello world\x1b[6D\x1b[K').text()).toEqual(['hello']);
    expect(model('abc\x1b[2Ky').text()).toEqual(['   y']);
    expect(model('ab\x1b[3Cc').text()).toEqual(['ab   c']);
    expect(model('abcdef\x1b[2GX').text()).toEqual(['aXcdef']);
  });

  it('decodes UTF-8 split across writes', () => {
    const m = new ConsoleModel();
    const bytes = Buffer.from('é→x', 'utf8');
    m.write(bytes.subarray(0, 1));
    m.write(bytes.subarray(1, 4));
    m.write(bytes.subarray(4));
    expect(m.text()).toEqual(['é→x']);
  });

  it('an escape sequence split across writes is still consumed', () => {
    const m = new ConsoleModel();
    m.writeText('a\x1b[3');
    m.writeText('1mb');
    expect(m.text()).toEqual(['ab']);
    expect(attrFg(m.line(0).attrs[1])).toBe(1);
  });

  it('bounds the scrollback to maxLines, dropping the oldest', () => {
    const m = model(Array.from({ length: 250 }, (_, i) => `line ${i}`).join('\n'), 100);
    expect(m.lineCount).toBe(100);
    expect(m.text()[0]).toBe('line 150');
    expect(m.text()[99]).toBe('line 249');
    expect(m.linesStarted).toBe(250);
  });

  it('wraps a line that never ends at maxColumns', () => {
    const m = new ConsoleModel(100, 8);
    m.writeText('.'.repeat(20));
    expect(m.text()).toEqual(['........', '........', '....']);
    m.writeText('\x1b[20C!'); // cursor movement cannot grow a line past the limit either
    expect(m.text().at(-1)).toBe('!');
  });

  it('viewport: bottom rows, lines wrapped at the width, scrolled back, with the cursor', () => {
    const m = model('one\ntwo\nabcdefghij\nlast');
    const v = m.viewport(4, 3);
    expect(v.rows.map((r) => r.chars.join(''))).toEqual(['efgh', 'ij', 'last']);
    expect(v.cursor).toEqual({ row: 2, col: 3 }); // clamped to the last cell of the full row
    expect(v.maxScroll).toBe(3); // one, two, abcd, efgh, ij, last = 6 rows
    const back = m.viewport(4, 3, 2);
    expect(back.rows.map((r) => r.chars.join(''))).toEqual(['two', 'abcd', 'efgh']);
    expect(back.cursor).toBeUndefined();
    expect(m.viewport(4, 3, 99).rows.map((r) => r.chars.join(''))).toEqual(['one', 'two', 'abcd']);
  });

  it('notes start on a line of their own', () => {
    const m = model('partial');
    m.note('[reset]');
    m.writeText('next');
    expect(m.text()).toEqual(['partial', '[reset]', 'next']);
  });
});

describe('renderRow', () => {
  it('emits SGR only where the attribute changes and resets at the end', () => {
    const m = model('a\x1b[31mbc\x1b[0md');
    const s = renderRow(m.viewport(80, 1).rows[0]);
    expect(s).toBe('a\x1b[0m\x1b[31mbc\x1b[0md');
    expect(renderRow(model('\x1b[1mx').viewport(80, 1).rows[0])).toBe('\x1b[0m\x1b[1mx\x1b[0m');
  });

  it('shows the cursor as an inverse cell, past the end of the text too', () => {
    const m = model('ab');
    const v = m.viewport(10, 1);
    expect(renderRow(v.rows[0], v.cursor!.col)).toBe('ab\x1b[0m\x1b[7m \x1b[0m');
  });
});
