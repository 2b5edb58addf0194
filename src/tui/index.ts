/**
 * The full-screen terminal UI of `rvos run`: console tabs, registers, interrupt counters and
 * a trap log, a status bar, and Ctrl-A commands. `rvos run` opens it when `wantsTui()` says so,
 * on a session created with `tuiSessionOptions()`.
 */
import { consoleDeviceName } from '../core/builder.js';
import type { RunLimits } from '../core/machine.js';
import type { Session } from '../core/session.js';
import { TuiApp, type TuiIo } from './app.js';
import { serialPorts } from './session.js';

export { serialPorts, tuiSessionOptions, wantsTui, type SerialPort } from './session.js';

/**
 * Runs the machine under the TUI until it stops; returns the process exit code (the guest's
 * power-off code, 124 for --timeout/--max-insns, 0 when the user quit, 70 on an internal
 * error). After leaving the full screen it prints a one-line report on stderr for non-zero
 * codes, like the headless console. The caller closes the session afterwards.
 */
export async function runTui(session: Session, opts: RunLimits & { symbolize?: boolean } = {}, io?: TuiIo): Promise<number> {
  const ports = serialPorts(session, consoleDeviceName(session.machine.board) ?? 'console');
  const app = new TuiApp(session.machine, ports, io ?? { input: process.stdin, output: process.stdout }, opts.symbolize ?? true);
  return app.run(opts);
}
