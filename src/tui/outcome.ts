import { EXIT } from '../core/errors.js';
import type { RunResult } from '../core/machine.js';

/** What the TUI does when the machine stops: the exit code, what it shows, what it prints after. */
export interface Outcome {
  code: number;
  /** Status bar state. */
  state: 'powered off' | 'stopped';
  /** Shown in the TUI while it waits for a key; undefined: leave at once (the user quit). */
  title?: string;
  detail?: string;
  /** A line for stderr once the terminal is restored (non-zero exits), like the headless console. */
  report?: string;
}

export function outcomeOf(r: RunResult): Outcome {
  switch (r.reason) {
    case 'poweroff': {
      const code = r.exitCode ?? 0;
      return {
        code,
        state: 'powered off',
        title: `Guest powered off with exit code ${code}`,
        detail: r.message,
        report: code !== 0 ? `guest powered off with code ${code} (${r.message})` : undefined,
      };
    }
    case 'max-insns':
    case 'timeout':
      return { code: EXIT.timeout, state: 'stopped', title: 'Machine stopped', detail: r.message, report: r.message };
    case 'halted':
      return { code: EXIT.halted, state: 'stopped', title: 'Guest halted', detail: r.message, report: r.message };
    case 'stopped':
      return { code: EXIT.ok, state: 'stopped' };
    case 'plugin-error':
      return { code: EXIT.pluginError, state: 'stopped', title: 'A plugin failed', detail: r.message, report: r.message };
    default:
      return {
        code: EXIT.hostError,
        state: 'stopped',
        title: 'Internal error',
        detail: r.message,
        report: `${r.message}\n${r.error?.stack ?? ''}`,
      };
  }
}
