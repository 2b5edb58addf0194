import type { Backend } from '../core/chardev.js';
import { UserError } from '../core/errors.js';
import type { Session, SessionOptions } from '../core/session.js';

/** A backend the TUI can show: it reports output (CaptureBackend) and takes input. */
export type ShowableBackend = Backend & { onOutput(fn: (bytes: Uint8Array) => void): void };

export interface SerialPort {
  /** Tab title: the serial device's name ("uart0"). */
  name: string;
  backend: ShowableBackend;
  console: boolean;
}

/**
 * Whether `rvos run` should open the TUI: a terminal on both ends, no `--headless`, not under CI,
 * and the console not sent elsewhere by `--serial`.
 */
export function wantsTui(
  flags: { headless?: boolean; serial?: string },
  env: NodeJS.ProcessEnv = process.env,
  stdin: { isTTY?: boolean } = process.stdin,
  stdout: { isTTY?: boolean } = process.stdout,
): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  const serialElsewhere = flags.serial !== undefined && flags.serial !== 'stdio';
  return !flags.headless && !ci && stdin.isTTY === true && stdout.isTTY === true && !serialElsewhere;
}

/**
 * Session options for TUI mode: the console on a `capture` backend (the TUI shows its output and
 * feeds it keys) instead of stdio, and every other serial device the config leaves out on one
 * too, so that each gets a tab; everything else unchanged.
 */
export function tuiSessionOptions(o: SessionOptions): SessionOptions {
  return { ...o, serial: o.serial === undefined || o.serial === 'stdio' ? 'capture' : o.serial, otherSerial: o.otherSerial ?? 'capture' };
}

function showable(b: Backend | undefined): b is ShowableBackend {
  return b !== undefined && typeof (b as Partial<ShowableBackend>).onOutput === 'function';
}

/**
 * The console tabs of a session: the console first, then every other serial device whose backend
 * reports output (with tuiSessionOptions(), all of them), each named after its device. A backend
 * on stdio would write over the screen, so it is refused.
 */
export function serialPorts(session: Session, consoleName = 'console'): SerialPort[] {
  if (!showable(session.console)) {
    throw new Error(`the TUI needs the console on a capture backend (create the session with tuiSessionOptions()), not ${session.console?.name ?? 'none'}`);
  }
  const ports: SerialPort[] = [{ name: consoleName, backend: session.console, console: true }];
  for (const [device, b] of Object.entries(session.serial)) {
    if (b === session.console) continue;
    if (b.name === 'stdio') throw new UserError(`serial port ${device} on stdio cannot share the terminal with the TUI (use --headless)`);
    if (showable(b)) ports.push({ name: device, backend: b, console: false });
  }
  return ports;
}
