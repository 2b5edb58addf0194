/**
 * How `npm run bench` picks an execution engine: every board's CPU has both (a translator under `jit`,
 * the default, and its interpreter), chosen as `rvos run --engine` does (the session's `engine`).
 */
import type { TestMachineOptions } from '../../src/testing/machine.js';

export type Engine = 'jit' | 'interp';

/** The engines each board's CPU has. */
export const ENGINES: Record<string, Engine[]> = { virt: ['jit', 'interp'], raspi3b: ['jit', 'interp'], pc: ['jit', 'interp'] };

/** The machine options that run `board` with `engine`, plus the other session options `session`. */
export function engineOptions(board: string, engine: Engine, session: TestMachineOptions['session'] = {}): Pick<TestMachineOptions, 'board' | 'session'> {
  if (!ENGINES[board]?.includes(engine)) throw new Error(`bench: board ${board} has no ${engine} engine`);
  return { board, session: { ...session, engine } }; // --engine
}
