/**
 * Cold blocks stay out of regions (jit.ts COLD_RATIO): a block the interpreter reached far less
 * often than the region's entry is not compiled into the region; the edge to it leaves the region
 * and the interpreter runs it, with the interpreter's counts and state.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import type { JitKit } from '../../../src/core/api.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { COLD_RATIO, REGION_MIN_HEAT } from '../../../plugins/arch-rv32/src/jit.js';
import { installHandlers, makeMachine, type TestMachine } from './machine.js';

// JavaScript regions (jit.ts): RAM in an ArrayBuffer (bus.ts wasmRamWanted). This file's own process.
process.env.RVOS_JIT_WASM = '0';

const { s1, a0, a1, t1 } = A;
const ITERATIONS = 20_000;

/**
 * `loop: a0 += 1; t1 = s1 & mask; if (t1) goto skip; a1 += 1 (the rare block); skip: s1 -= 1;
 * bnez s1, loop`: the rare block runs once per mask + 1 iterations.
 */
function rarePathLoop(mask: number): number[] {
  return [
    ...A.li(s1, ITERATIONS),
    /* loop */ A.addi(a0, a0, 1),
    A.andi(t1, s1, mask),
    A.bne(t1, 0, 8), // to skip
    /* rare */ A.addi(a1, a1, 1),
    /* skip */ A.addi(s1, s1, -1),
    A.bne(s1, 0, -20), // to loop
    A.ebreak(),
  ].flat();
}

/** Records the name of every region function compiled from now on (`region_<entry>_<blocks>`). */
function recordRegions(m: TestMachine): string[] {
  const names: string[] = [];
  const factory = <F extends (...args: never[]) => unknown>(params: readonly string[], source: string): F => {
    names.push(/function (region_\w+)/.exec(source)![1]);
    return jitKit.factory<F>(params, source);
  };
  (m.cpu as unknown as { kit: JitKit }).kit = { ...jitKit, factory } as JitKit;
  return names;
}

/** A jit machine that waits ~4000 arrivals at the loop head (so the rare block is reached often enough to count), and its interpreter twin. */
function twins(mask: number): [TestMachine, TestMachine, string[]] {
  const [jit, ref] = [makeMachine({ jit: true }), makeMachine({ jit: false })];
  const names = recordRegions(jit);
  jit.cpu.compileWork = 24_000;
  for (const m of [jit, ref]) {
    installHandlers(m);
    m.load(rarePathLoop(mask));
  }
  return [jit, ref, names];
}

/** Runs both in the same uneven slices (budgets end inside blocks and at the cold exit), comparing state after each. */
function runTwin(jit: TestMachine, ref: TestMachine): void {
  for (let k = 7; ; k = (k * 5 + 3) % 997) {
    const a = jit.run(k + 1);
    expect(ref.run(k + 1)).toBe(a);
    for (let r = 0; r < 32; r++) expect(jit.reg(r), `x${r}`).toBe(ref.reg(r));
    expect(jit.cpu.pc).toBe(ref.cpu.pc);
    expect(jit.cpu.retired).toBe(ref.cpu.retired);
    if (jit.cpu.mcause === 3) break;
  }
  expect(ref.cpu.mcause).toBe(3);
}

describe('rv32 region compiler: cold blocks', () => {
  it('leaves out a block reached 1/64 as often as the loop head; the exit to it runs it in the interpreter exactly', () => {
    expect(ITERATIONS / 64 / 8).toBeGreaterThan(REGION_MIN_HEAT); // reached often enough in absolute terms
    expect(64).toBeGreaterThan(COLD_RATIO);
    const [jit, ref, names] = twins(63);
    runTwin(jit, ref);
    expect(jit.reg(a0)).toBe(ITERATIONS);
    expect(jit.reg(a1)).toBe(Math.floor(ITERATIONS / 64));
    // One region for the loop, entered at its head (0x8; every entry first waits for the largest
    // region's share of compileWork, and the head gets there first): the head and `skip`, not the
    // rare block (312 arrivals: not hot on its own either).
    expect(names).toEqual(['region_8_2']);
  });

  it('keeps a block reached every other iteration in the region', () => {
    const [jit, ref, names] = twins(1);
    runTwin(jit, ref);
    expect(jit.reg(a1)).toBe(ITERATIONS / 2);
    // (Entered at the loop head, 0x8: all three blocks.)
    expect(names).toEqual(['region_8_3']);
  });
});
