import { describe, expect, it } from 'vitest';
import { ConsoleModel } from '../../../src/tui/console-model.js';
import { consoleText, interruptsText, registersText, statusText } from '../../../src/tui/panes.js';
import { diffRegisters } from '../../../src/tui/register-view.js';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('pane text', () => {
  it('console: bottom-anchored rows with the guest colours', () => {
    const m = new ConsoleModel();
    m.writeText('\x1b[32mok\x1b[0m\n$ ');
    const text = consoleText(m, 20, 4, 0, false);
    expect(text.split('\n').map(plain)).toEqual(['', '', 'ok', '$ ']);
    expect(text).toContain('\x1b[32mok');
  });

  it('registers: cpu, mode, symbolized pc, changed values highlighted', () => {
    const before = new Map([['pc', '80000000'], ['a0', '00000000']]);
    const cells = diffRegisters(before, [
      { name: 'pc', value: 0x80000004, width: 32 },
      { name: 'a0', value: 0, width: 32 },
      { name: 'a1', value: 5, width: 32 },
    ]);
    const lines = registersText({ cpu: 1, cpuCount: 2, mode: 'S', cells, symbol: '<main+0x4>', paused: true, width: 40 });
    expect(plain(lines[0])).toBe('cpu1 of 2 (C-a c: next)  mode S');
    expect(plain(lines[1])).toBe('pc 80000004 <main+0x4>');
    expect(lines[1]).toContain('\x1b[1m\x1b[33m80000004');
    expect(plain(lines[2])).toBe('a0 00000000  a1 00000005');
  });

  it('interrupts: count, rate and sparkline per line; idle lines hidden when short of room', () => {
    const lines = [
      { name: 'cpu0:mtip clint', count: 1234, rate: 1000, history: [1, 2] },
      ...Array.from({ length: 10 }, (_, i) => ({ name: `plic:${i + 1} virtio${i}`, count: 0, rate: 0, history: [] })),
    ];
    const out = interruptsText(lines, ['t1', 't2'], 2, 60, 12).map(plain);
    expect(out[1]).toMatch(/^cpu0:mtip clint\s+1,234\s+1\.0k\s+▄█$/);
    expect(out).toContain('(10 idle lines not shown)');
    expect(out.slice(-3)).toEqual(['traps (2 taken, newest first)', 't1', 't2']);
    expect(interruptsText(lines, [], 0, 60, 40).length).toBe(1 + 11 + 1);
  });

  it('interrupts: short of room, the busiest lines are shown, not the first active ones', () => {
    const lines = [
      { name: 'intc:57 uart0', count: 3, rate: 0, history: [] },
      { name: 'local:gpu-irq intc', count: 3, rate: 0, history: [] },
      { name: 'cpu0:irq local', count: 820, rate: 100, history: [] },
      { name: 'intc:62 emmc', count: 0, rate: 0, history: [] },
    ];
    const out = interruptsText(lines, [], 0, 60, 6).map(plain);
    // board order among the two shown
    expect(out[1]).toMatch(/^intc:57 uart0\s+3/);
    expect(out[2]).toMatch(/^cpu0:irq local\s+820\s+100/);
    expect(out[3]).toBe('(1 less busy, 1 idle lines not shown)');
  });

  it('status: board, arch, state, MIPS, instructions, virtual time and the key help', () => {
    const s = plain(
      statusText({ board: 'virt', arch: 'rv32', state: 'paused', mips: 123.45, instructions: 1234567, timeNs: 1.5e9, focus: 'console' }, 160),
    );
    expect(s).toMatch(/^ virt \(rv32\) \| PAUSED \| 123\.5 MIPS \| 1,234,567 insns \| t=1\.500000s \| \[console\] +C-a h help .*C-a x quit/);
    expect(s.length).toBe(160);
  });

  it('status: the debugger\'s word while --gdb serves', () => {
    const s = plain(statusText({ board: 'virt', arch: 'rv32', state: 'paused', mips: 0, instructions: 5, timeNs: 0, focus: 'console', debug: 'halted at 0x80000000 <_start>' }, 160));
    expect(s).toMatch(/\| t=0\.000000s \| halted at 0x80000000 <_start> \| \[console\]/);
  });
});

describe('the text screen tab', () => {
  it('draws code page 437 cells in VGA colours with the cursor inverse, clipped to the pane', async () => {
    const { screenText, cp437 } = await import('../../../src/tui/screen-view.js');
    const cells = new Uint16Array(4 * 2);
    cells.set([0x1e48, 0x1e69, 0x07c4, 0x07db, 0x4f21, 0x0720, 0x0720, 0x0720]); // "Hi" yellow on blue, box chars, "!" white on red
    const text = screenText({ cols: 4, rows: 2, cells, cursor: { row: 1, col: 1, visible: true } }, 3, 1);
    expect(text).toBe('\x1b[0m\x1b[93m\x1b[44mHi\x1b[0m\x1b[37m\x1b[40m─\x1b[0m');
    const second = screenText({ cols: 4, rows: 2, cells, cursor: { row: 1, col: 1, visible: true } }, 4, 2).split('\n')[1];
    expect(second).toBe('\x1b[0m\x1b[97m\x1b[41m!\x1b[0m\x1b[37m\x1b[40m\x1b[7m \x1b[0m\x1b[37m\x1b[40m  \x1b[0m');
    expect([cp437(0x01), cp437(0xb0), cp437(0xff), cp437(0x41)]).toEqual(['☺', '░', ' ', 'A']);
  });
});
