import { describe, expect, it } from 'vitest';
import { CaptureBackend, NullBackend, StdioBackend } from '../../../src/core/chardev.js';
import type { Session } from '../../../src/core/session.js';
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
    expect(tuiSessionOptions({ kernel: 'k.elf' })).toEqual({ kernel: 'k.elf', serial: 'capture' });
    expect(tuiSessionOptions({ serial: 'stdio', cpus: 2 })).toEqual({ serial: 'capture', cpus: 2 });
    expect(tuiSessionOptions({ serial: 'file:x' }).serial).toBe('file:x');
  });
});

describe('serialPorts', () => {
  const session = (console: Session['console'], others: Session['backends'] = []) =>
    ({ console, backends: [console!, ...others] }) as unknown as Session;

  it('console first (named after its device), then other captured ports', () => {
    const c = new CaptureBackend();
    const u1 = new CaptureBackend();
    const ports = serialPorts(session(c, [new NullBackend(), u1]), 'uart0');
    expect(ports.map((p) => [p.name, p.console])).toEqual([
      ['uart0', true],
      ['serial1', false],
    ]);
    expect(ports[1].backend).toBe(u1);
  });

  it('refuses a console it cannot show, and ports on stdio', () => {
    expect(() => serialPorts(session(new NullBackend()))).toThrow(/capture backend/);
    expect(() => serialPorts(session(new CaptureBackend(), [new StdioBackend()]))).toThrow(/stdio/);
  });
});
