import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/core/machine.js';
import { outcomeOf } from '../../../src/tui/outcome.js';

const result = (r: Partial<RunResult>): RunResult => ({ reason: 'poweroff', message: '', instructions: 0, hostMs: 0, ...r });

describe('outcomeOf', () => {
  it("power-off: the guest's code, a message to wait on, a report only when non-zero", () => {
    const ok = outcomeOf(result({ exitCode: 0, message: 'test: pass' }));
    expect(ok).toMatchObject({ code: 0, state: 'powered off', title: 'Guest powered off with exit code 0', report: undefined });
    const fail = outcomeOf(result({ exitCode: 3, message: 'test: fail' }));
    expect(fail.code).toBe(3);
    expect(fail.report).toBe('guest powered off with code 3 (test: fail)');
  });

  it('limits exit 124, the user quitting exits 0 at once, errors 70', () => {
    expect(outcomeOf(result({ reason: 'timeout', message: 'stopped after 1000 ms (--timeout)' }))).toMatchObject({ code: 124, title: 'Machine stopped' });
    expect(outcomeOf(result({ reason: 'max-insns', message: 'x' })).code).toBe(124);
    expect(outcomeOf(result({ reason: 'stopped' }))).toEqual({ code: 0, state: 'stopped' });
    expect(outcomeOf(result({ reason: 'error', message: 'internal error: boom' }))).toMatchObject({ code: 70, title: 'Internal error' });
  });
});
