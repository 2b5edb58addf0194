/**
 * How `npm run bench` picks an execution engine. Today only rv32 has both (its block compiler is on
 * by default; the board prop `cpu.jit: false` of virt-interpreter.yaml turns it off); the other
 * architectures interpret. Once `rvos run --engine interp|jit` exists, only `engineOptions` changes.
 */
import { fileURLToPath } from 'node:url';
import type { TestMachineOptions } from '../../src/testing/machine.js';

export type Engine = 'jit' | 'interp';

/** virt with `cpu.jit: false`. */
const VIRT_INTERPRETER = fileURLToPath(new URL('./virt-interpreter.yaml', import.meta.url));

/** The engines each board's CPU has. */
export const ENGINES: Record<string, Engine[]> = { virt: ['jit', 'interp'], raspi3b: ['interp'], pc: ['interp'] };

/** The machine options that run `board` with `engine`. */
export function engineOptions(board: string, engine: Engine): Pick<TestMachineOptions, 'board'> {
  if (!ENGINES[board]?.includes(engine)) throw new Error(`bench: board ${board} has no ${engine} engine`);
  if (board === 'virt' && engine === 'interp') return { board: VIRT_INTERPRETER };
  return { board };
}
