/**
 * How `npm run bench` picks an execution engine. rv32 and aarch64 have both (the translator is on
 * by default; the board prop `cpu.jit: false` of virt-/raspi3b-interpreter.yaml turns it off); i386
 * interprets. Once `rvos run --engine interp|jit` exists, only `engineOptions` changes.
 */
import { fileURLToPath } from 'node:url';
import type { TestMachineOptions } from '../../src/testing/machine.js';

export type Engine = 'jit' | 'interp';

/** virt with `cpu.jit: false`. */
const VIRT_INTERPRETER = fileURLToPath(new URL('./virt-interpreter.yaml', import.meta.url));
/** raspi3b with `cpu.jit: false`. */
const RASPI3B_INTERPRETER = fileURLToPath(new URL('./raspi3b-interpreter.yaml', import.meta.url));

/** The engines each board's CPU has. */
export const ENGINES: Record<string, Engine[]> = { virt: ['jit', 'interp'], raspi3b: ['jit', 'interp'], pc: ['interp'] };

/** The machine options that run `board` with `engine`. */
export function engineOptions(board: string, engine: Engine): Pick<TestMachineOptions, 'board'> {
  if (!ENGINES[board]?.includes(engine)) throw new Error(`bench: board ${board} has no ${engine} engine`);
  if (board === 'virt' && engine === 'interp') return { board: VIRT_INTERPRETER };
  if (board === 'raspi3b' && engine === 'interp') return { board: RASPI3B_INTERPRETER };
  return { board };
}
