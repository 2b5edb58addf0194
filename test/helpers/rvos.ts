import type { SessionOptions } from '../../src/core/session.js';
import { runMachine } from '../../src/testing/machine.js';

export interface RvosRun {
  output: string;
  exitCode: number;
  reason: string;
  instructions: number;
  hostMs: number;
}

/**
 * Boots a machine headless with the console captured, feeds `input` to the console, and runs
 * until the guest powers off (or a limit). exitCode is the guest's code, or -1 when it did not
 * power off. (The `rvos/testing` harness, with the defaults rvos' tests use.)
 */
export async function runRvos(opts: {
  kernel?: string;
  bios?: string;
  board?: string;
  input?: string;
  cpus?: number;
  maxInsns?: number;
  timeoutMs?: number;
  extra?: Partial<SessionOptions>;
}): Promise<RvosRun> {
  return runMachine({ ...opts, drives: opts.extra?.drives, session: opts.extra });
}
