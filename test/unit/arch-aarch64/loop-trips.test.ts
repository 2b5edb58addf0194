/**
 * loop-trips.ts passesLeft: the passes a counted loop is about to run, from its compare and the
 * registers at its head; and cpu.ts compileBlockAt translating a loop about to run LONG_LOOP
 * instructions at its first scan rather than after the compile-work waits, with the interpreter's
 * counts and state either way.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { COMPILE_WORK, EARLY_LOOK_SPAN, EARLY_WINDOW, FIRST_WORK_FACTOR, JIT_THRESHOLD, LONG_LOOP, MAX_BLOCK, scanSegments } from '../../../plugins/arch-aarch64/src/jit.js';
import { MAX_PASSES, passesLeft } from '../../../plugins/arch-aarch64/src/loop-trips.js';
import { CODE, DATA, makeMachine, wasmMachine } from './machine.js';

/** passesLeft of the loop `program` starts with, registers set as `regs` give. */
function passes(program: number[], regs: Record<number, number | bigint>): number {
  const m = makeMachine();
  m.load(program);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  const page = m.cpu.resolveFetch(CODE | 0, 0);
  const [loop] = scanSegments(m.cpu, page, CODE & 0xfff);
  return passesLeft(loop, (reg, sf) => (sf ? m.cpu.xh[reg] * 2 ** 32 + (m.cpu.xl[reg] >>> 0) : m.cpu.xl[reg] >>> 0));
}

/** A BSS-clearing loop (the compute kernel's start): while x0 < x1, store zero at x0, x0 += 8. */
const clearLoop = [A.cmp(0, 1), A.bcond('hs', 12), A.ldstImm9(3, 0, 31, 0, 8, 'post'), A.b(-12), A.b(0)];

describe('aarch64 loop trips (loop-trips.ts)', () => {
  it('reads a compare of two registers, one stepped by a store\'s post-index writeback', () => {
    expect(passes(clearLoop, { 0: DATA, 1: DATA + 8 * 1000 })).toBe(1000);
    // Kernel addresses (0xffffff80...) are exact in the 64-bit signed reading.
    expect(passes(clearLoop, { 0: 0xffffff8000100000n, 1: 0xffffff8000100000n + 8n * 70_000n })).toBe(70_000);
    // Moving away from the bound: it cannot tell.
    expect(passes(clearLoop, { 0: DATA + 8 * 1000, 1: DATA })).toBe(0);
  });

  it('reads a count-down SUBS, a compare with an immediate away from its branch, and CBNZ', () => {
    expect(passes([A.addi(1, 1, 1), A.subsi(2, 2, 1), A.bcond('ne', -8), A.b(0)], { 2: 500 })).toBe(499);
    // The compare (CMP x8, #4, LSL #12) reaches the branch past instructions that set no flags (EOR: the compute kernel's random fill).
    expect(passes([A.addi(8, 8, 0x80), A.subsi(31, 8, 4, 1, 1), A.eor(3, 3, 4), A.bcond('ne', -12), A.b(0)], { 8: 0 })).toBe(128);
    expect(passes([A.subi(2, 2, 1), A.cbnz(2, -4), A.b(0)], { 2: 300 })).toBe(300);
  });

  it('takes a bound past MAX_PASSES for a limit (a loop that leaves another way), and a 32-bit gap modulo 2^32', () => {
    // Up to x6 or a zero byte (the Linux boot's string_nocheck).
    const limited = [A.cmp(2, 6), A.bcond('eq', 20), A.ldrb(7, 2), A.cbz(7, 12), A.addi(2, 2, 1), A.b(-20), A.b(0)];
    expect(passes(limited, { 2: DATA, 6: DATA + MAX_PASSES })).toBe(MAX_PASSES);
    expect(passes(limited, { 2: DATA, 6: DATA + MAX_PASSES + 1 })).toBe(0);
    // The compare's 32-bit difference: w2 = 0 less w6 = 2^32 - 1 wraps to 1 (moving away), not -(2^32 - 1).
    const count32 = [A.addi(2, 2, 1, 0), A.cmp(2, 6, 0), A.bcond('ne', -8), A.b(0)];
    expect(passes(count32, { 2: 0, 6: 0xffffffff })).toBe(0);
    expect(passes(count32, { 2: 0, 6: 1000 })).toBe(1000);
  });

  it('cannot tell when the counter changes otherwise than by a constant, or a flag setter it does not read comes between', () => {
    expect(passes([A.addi(8, 8, 1), A.lsli(8, 8, 1), A.cmp(8, 9), A.bcond('lo', -12), A.b(0)], { 9: 1000 })).toBe(0);
    expect(passes([A.addi(8, 8, 1), A.cmp(8, 9), A.tsti(3, 1), A.bcond('lo', -12), A.b(0)], { 9: 1000 })).toBe(0);
    expect(passes([A.addi(8, 8, 1), A.cmp(8, 9), A.ands(3, 3, 4), A.bcond('lo', -12), A.b(0)], { 9: 1000 })).toBe(0);
  });
});

describe('aarch64 translator: a loop about to run long', () => {
  function run(n: number, steps: number) {
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    jit.cpu.compileWork = COMPILE_WORK;
    for (const m of [jit, interp]) {
      m.load([...A.mov64(0, DATA), ...A.mov64(1, DATA + 8 * n), ...clearLoop]);
      m.run(8);
    }
    expect(jit.run(steps)).toBe(interp.run(steps));
    expect([jit.cpu.retired, jit.cpu.pc, jit.x(0)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(0)]);
    return jit.cpu.blocksCompiled;
  }

  it('is translated at its first scan (compileWork / MAX_BLOCK arrivals), before the CPU\'s first wait is over', () => {
    const firstScan = COMPILE_WORK / MAX_BLOCK;
    expect(firstScan * 4).toBeLessThan(FIRST_WORK_FACTOR * COMPILE_WORK);
    // 50 K passes of 4 instructions run past LONG_LOOP; 40 K do not.
    expect(LONG_LOOP).toBe(196_608);
    expect(run(50_000, 4 * (firstScan + 10))).toBe(1);
    expect(run(40_000, 4 * (firstScan + 10))).toBe(0);
    expect(run(40_000, 4 * 40_000 + 2)).toBe(0);
  });

  it('early in the run, a loop head longer than MAX_BLOCK (a wasm region) about to run long is translated at its first arrival', () => {
    // 200 instructions a pass (x8 counts up to x9): the first scan would come after
    // compileWork / MAX_BLOCK arrivals; the loop is translated at JIT_THRESHOLD when its passes
    // left (from the 32nd on) run past LONG_LOOP, and not within the early window's first scan otherwise.
    const loop = (n: number) => [...A.mov64(9, n), A.addi(8, 8, 1), A.cmp(8, 9), ...Array.from({ length: 197 }, () => A.addi(3, 3, 1)), A.bcond('ne', -199 * 4), A.b(0)];
    for (const [n, early] of [
      [1100, true],
      [900, false],
    ] as const) {
      const jit = wasmMachine();
      const interp = makeMachine({ jit: false });
      Object.assign(jit.cpu, { compileWork: COMPILE_WORK, earlyWindow: EARLY_WINDOW });
      for (const m of [jit, interp]) m.load(loop(n));
      const steps = 4 + 200 * (JIT_THRESHOLD + 2);
      expect(jit.run(steps)).toBe(interp.run(steps));
      expect(jit.cpu.blocksCompiled, `${n} passes`).toBe(early ? 1 : 0);
      const rest = 200 * n;
      expect(jit.run(rest)).toBe(interp.run(rest));
      expect([jit.cpu.retired, jit.cpu.pc, jit.x(3), jit.x(8)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(3), interp.x(8)]);
    }
  });

  it('early in the run, a long body\'s loop about to run long is translated at its second arrival: its closing branch, first run, has its head looked at (cpu.ts loopClosed)', () => {
    // `body` instructions a pass (x8 counts up to x9); a branch back EARLY_LOOK_SPAN bytes or more.
    const loop = (n: number, body: number) => [...A.mov64(9, n), A.addi(8, 8, 1), A.cmp(8, 9), ...Array.from({ length: body - 3 }, () => A.addi(3, 3, 1)), A.bcond('ne', -(body - 1) * 4), A.b(0)];
    const translatedAfter = (n: number, body: number, look: boolean, passes: number) => {
      const jit = wasmMachine();
      const interp = makeMachine({ jit: false });
      Object.assign(jit.cpu, { compileWork: COMPILE_WORK, earlyWindow: EARLY_WINDOW, earlyLook: look });
      for (const m of [jit, interp]) m.load(loop(n, body));
      const steps = 4 + body * passes;
      expect(jit.run(steps)).toBe(interp.run(steps));
      const made = jit.cpu.blocksCompiled;
      const rest = body * n;
      expect(jit.run(rest)).toBe(interp.run(rest));
      expect([jit.cpu.retired, jit.cpu.pc, jit.x(3), jit.x(8)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(3), interp.x(8)]);
      return made;
    };
    expect(EARLY_LOOK_SPAN).toBe(256);
    // 200 instructions a pass, 1100 passes (past LONG_LOOP): translated after 2 passes, or after JIT_THRESHOLD without the look.
    expect(translatedAfter(1100, 200, true, 2)).toBe(1);
    expect(translatedAfter(1100, 200, false, 2)).toBe(0);
    expect(translatedAfter(1100, 200, false, JIT_THRESHOLD + 1)).toBe(1);
    // Not about to run long (900 passes): the look changes nothing.
    expect(translatedAfter(900, 200, true, JIT_THRESHOLD + 2)).toBe(0);
    // A body shorter than EARLY_LOOK_SPAN bytes (60 instructions, 4000 passes) waits for JIT_THRESHOLD arrivals.
    expect(translatedAfter(4000, 60, true, 2)).toBe(0);
    expect(translatedAfter(4000, 60, true, JIT_THRESHOLD + 1)).toBe(1);
  });
});
