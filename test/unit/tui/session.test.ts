import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureBackend, NullBackend, StdioBackend } from '../../../src/core/chardev.js';
import { createSession, type Session } from '../../../src/core/session.js';
import { serialPorts, tuiSessionOptions, wantsTui } from '../../../src/tui/session.js';

const tty = { isTTY: true };

describe('wantsTui', () => {
  it('needs a terminal on both ends', () => {
    expect(wantsTui({}, {}, tty, tty)).toBe(true);
    expect(wantsTui({}, {}, {}, tty)).toBe(false);
    expect(wantsTui({}, {}, tty, { isTTY: false })).toBe(false);
  });

  it('--headless, CI and a console sent elsewhere keep the plain console', () => {
    expect(wantsTui({ headless: true }, {}, tty, tty)).toBe(false);
    expect(wantsTui({}, { CI: 'true' }, tty, tty)).toBe(false);
    expect(wantsTui({}, { CI: '1' }, tty, tty)).toBe(false);
    expect(wantsTui({}, { CI: 'false' }, tty, tty)).toBe(true);
    expect(wantsTui({ serial: 'tcp:4444' }, {}, tty, tty)).toBe(false);
    expect(wantsTui({ serial: 'stdio' }, {}, tty, tty)).toBe(true);
  });
});

describe('tuiSessionOptions', () => {
  it('puts the console on a capture backend, leaves the rest', () => {
    expect(tuiSessionOptions({ kernel: 'k.elf' })).toEqual({ kernel: 'k.elf', serial: 'capture', otherSerial: 'capture' });
    expect(tuiSessionOptions({ serial: 'stdio', cpus: 2 })).toEqual({ serial: 'capture', otherSerial: 'capture', cpus: 2 });
    expect(tuiSessionOptions({ serial: 'file:x' }).serial).toBe('file:x');
  });
});

describe('serialPorts', () => {
  const session = (console: Session['console'], serial: Session['serial'] = {}) => ({ console, serial }) as unknown as Session;

  it('console first, then the other captured ports, each named after its device', () => {
    const c = new CaptureBackend();
    const u1 = new CaptureBackend();
    const ports = serialPorts(session(c, { uart2: new NullBackend(), uart1: u1 }), 'uart0');
    expect(ports.map((p) => [p.name, p.console])).toEqual([
      ['uart0', true],
      ['uart1', false],
    ]);
    expect(ports[1].backend).toBe(u1);
  });

  it('refuses a console it cannot show, and ports on stdio', () => {
    expect(() => serialPorts(session(new NullBackend()))).toThrow(/capture backend/);
    expect(() => serialPorts(session(new CaptureBackend(), { uart1: new StdioBackend() }))).toThrow(/uart1 on stdio/);
  });
});

describe('TUI sessions on a board with two UARTs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-two-uarts-'));
  const board = join(dir, 'two-uarts.yaml');
  writeFileSync(board, 'extends: virt\nname: two-uarts\ndevices:\n  - { type: ns16550a, name: uart1, reg: [0x10010000, 0x100], irq: plic:12 }\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = { board, bios: 'none', kernel: 'none', drives: ['none'], config: '/dev/null' };

  it('give the second UART a captured backend of its own, shown as a tab named after it', async () => {
    const session = await createSession(tuiSessionOptions(base));
    try {
      const ports = serialPorts(session, 'uart0');
      expect(ports.map((p) => p.name)).toEqual(['uart0', 'uart1']);
      // A byte written to uart1's THR reaches uart1's tab, not the console.
      session.machine.bus.write(0x10010000, 1, 0x41);
      expect((ports[1].backend as CaptureBackend).text).toBe('A');
      expect((ports[0].backend as CaptureBackend).text).toBe('');
    } finally {
      await session.close();
    }
  });

  it('leave the other UARTs on null backends outside the TUI', async () => {
    const session = await createSession({ ...base, serial: 'capture' });
    try {
      expect(session.serial).toEqual({});
      expect(serialPorts(session, 'uart0').map((p) => p.name)).toEqual(['uart0']);
    } finally {
      await session.close();
    }
  });
});
