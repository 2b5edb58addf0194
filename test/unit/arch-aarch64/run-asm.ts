/** Runs FP/SIMD test programs given as assembly text (encodings from fp-enc.ts). */
import { expect } from 'vitest';
import { makeMachine, type A64Machine } from './machine.js';
import { enc } from './fp-enc.js';

/** Runs the instructions at EL3 after `setup`, one step each, and expects no exception. */
export function runAsm(asm: string[], setup: (m: A64Machine) => void = () => {}): A64Machine {
  const m = makeMachine();
  m.load(asm.map(enc));
  setup(m);
  m.run(asm.length);
  expect(m.cpu.lastException).toBeNull();
  return m;
}
