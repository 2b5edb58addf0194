/**
 * How `npm run bench` picks an execution engine. rv32 and i386 have both: rv32's block compiler is on
 * by default and the board prop `cpu.jit: false` of virt-interpreter.yaml turns it off; i386 takes
 * `--engine` (the session's `engine`). aarch64 interprets.
 */
import { fileURLToPath } from 'node:url';
import type { TestMachineOptions } from '../../src/testing/machine.js';

export type Engine = 'jit' | 'interp';

/** virt with `cpu.jit: false`. */
const VIRT_INTERPRETER = fileURLToPath(new URL('./virt-interpreter.yaml', import.meta.url));

/** The engines each board's CPU has. */
export const ENGINES: Record<string, Engine[]> = { virt: ['jit', 'interp'], raspi3b: ['interp'], pc: ['jit', 'interp'] };

/** The machine options that run `board` with `engine`. */
export function engineOptions(board: string, engine: Engine): Pick<TestMachineOptions, 'board' | 'session'> {
  if (!ENGINES[board]?.includes(engine)) throw new Error(`bench: board ${board} has no ${engine} engine`);
  if (board === 'virt' && engine === 'interp') return { board: VIRT_INTERPRETER };
  if (board === 'pc') return { board, session: { engine } }; // --engine
  return { board };
}
