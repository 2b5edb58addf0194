import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, makeMachine } from './machine.js';

/** Runs a fixture (fixtures/README.md) to its final BRK #0; returns the machine and the instruction count. */
function runFixture(name: string) {
  const m = makeMachine();
  m.cpu.fp.fpcr = 0;
  m.poke(CODE, new Uint8Array(readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url))));
  m.cpu.pc = CODE;
  // The final BRK is taken (to VBAR_EL3 = 0); stop the slice there.
  m.events.on('trap', () => m.cpu.requestExit());
  let total = 0;
  for (let i = 0; i < 100 && !m.cpu.lastException; i++) total += m.cpu.run(1 << 20);
  expect(m.cpu.lastException?.esr).toBe(0xf2000000); // BRK #0 at the end of _start
  return { m, total };
}

describe('aarch64 runs compiler output', () => {
  it.each(['O2', 'O0'])('integer-mix.c built with clang -%s gives the host result', (level) => {
    const { m, total } = runFixture(`integer-mix-${level}`);
    expect(m.x(0)).toBe(0x1446d4829e0ad87cn);
    expect(m.x(1)).toBe(6765n);
    expect(total).toBeGreaterThan(1_000_000);
  });

  it.each(['O2', 'O0'])('structs-strings.c built with clang -%s gives the host result', (level) => {
    const { m } = runFixture(`structs-strings-${level}`);
    expect(m.x(0)).toBe(0xef7502190078ff1cn);
  });

  it.each(['O2', 'O0', 'gcc-O2', 'gcc-O3'])('fp-simd.c (doubles, floats, half storage, vectorised loops) built with %s gives the host result', (level) => {
    const { m } = runFixture(`fp-simd-${level}`);
    expect(m.x(0).toString(16)).toBe('e81fb489e4a65111');
    expect(m.x(1).toString(16)).toBe('a7b7ae252b42da88');
  });
});
