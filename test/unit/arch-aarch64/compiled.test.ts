import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, makeMachine } from './machine.js';

describe('aarch64 runs compiler output', () => {
  it.each(['O2', 'O0'])('integer-mix.c built with clang -%s gives the host result', (level) => {
    const m = makeMachine();
    m.poke(CODE, new Uint8Array(readFileSync(new URL(`./fixtures/integer-mix-${level}.bin`, import.meta.url))));
    m.cpu.pc = CODE;
    let total = 0;
    for (let i = 0; i < 100 && !m.cpu.stopped; i++) total += m.cpu.run(1 << 20);
    expect(m.cpu.pending?.esr).toBe(0xf2000000); // BRK #0 at the end of _start
    expect(m.x(0)).toBe(0x1446d4829e0ad87cn);
    expect(m.x(1)).toBe(6765n);
    expect(total).toBeGreaterThan(1_000_000);
  });
});
