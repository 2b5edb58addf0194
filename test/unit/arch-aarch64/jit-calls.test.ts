/**
 * Calls and returns inside one aarch64 region (jit.ts scanSegments, generateRegion; jit-wasm.ts with
 * its segments' code in one wasm function): a recursive function's BL to its entry, its RET to the
 * return site and the loop back stay in the function; budget ends, interrupts and a store over a
 * return site keep the interpreter's counts and state. Under wasm regions (the default) and the
 * JavaScript regions alone (RVOS_JIT_WASM_A64=0).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { useEnv } from '../../helpers/env.js';
import { scanRegion } from '../../../plugins/arch-aarch64/src/jit.js';
import { MAX_WASM_REGION, scanWasmRegion } from '../../../plugins/arch-aarch64/src/jit-wasm.js';
import { CODE, DATA, ERET, makeMachine, type A64Machine, VECTORS } from './machine.js';

const FIB = CODE + 0x0c;
/** The return site after `bl fib` in fib, and the head of fib's loop (its `sub w0, w19, #1`). */
const RETURN_SITE = FIB + 11 * 4;
const LOOP = FIB + 9 * 4;

/** main: w0 = fib(n); b . — fib as clang -O2 compiles the bench kernel's (kernels/bench/bench.c). */
const fibProgram = (n: number) => [
  A.movz(0, n, 0, 0), // 0x00
  A.bl(8), // 0x04 -> fib
  A.b(0), // 0x08
  // fib (0x0c):
  A.stp(29, 30, 31, -32, 'pre'), // 0
  A.stp(20, 19, 31, 16), // 1
  A.movsp(29, 31), // 2
  A.mov(19, 0, 0), // 3
  A.cmpi(0, 2, 0), // 4
  A.bcond('hs', 12), // 5 -> 8
  A.movz(20, 0, 0, 0), // 6
  A.b(32), // 7 -> 15
  A.movz(20, 0, 0, 0), // 8
  A.subi(0, 19, 1, 0), // 9: loop
  A.bl(-40), // 10 -> fib
  A.subi(19, 19, 2, 0), // 11: return site
  A.add(20, 0, 20, 'lsl', 0, 0), // 12
  A.cmpi(19, 1, 0), // 13
  A.bcond('hi', -20), // 14 -> 9
  A.add(0, 19, 20, 'lsl', 0, 0), // 15
  A.ldp(20, 19, 31, 16), // 16
  A.ldp(29, 30, 31, 32, 'post'), // 17
  A.ret(), // 18
];

const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));

function machine(jit: boolean, n: number): A64Machine {
  const m = makeMachine({ jit });
  m.load(fibProgram(n));
  m.set(31, DATA + 0x10000);
  return m;
}

function state(m: A64Machine) {
  return { retired: m.cpu.retired, pc: m.cpu.pc, el: m.cpu.el, nzcv: m.cpu.nzcv, x: Array.from({ length: 32 }, (_, i) => m.x(i)) };
}

/**
 * Runs both machines in `slices` slices of varied length (from `min`, spread over `spread` more), comparing counts
 * and state after each, then `rest` more steps each, comparing again.
 */
function expectSlicesAsInterp(jit: A64Machine, interp: A64Machine, slices: number, min: number, spread: number, rest: number): void {
  for (let k = 0; k < slices; k++) {
    const steps = min + ((k * 7919) % spread);
    expect(jit.run(steps)).toBe(interp.run(steps));
    expect(state(jit)).toEqual(state(interp));
  }
  jit.run(rest);
  interp.run(rest);
  expect(state(jit)).toEqual(state(interp));
}

/** Steps to the `b .` after main's call (from a run of the interpreter). */
function stepsToEnd(n: number): number {
  const m = machine(false, n);
  let steps = 0;
  while (m.cpu.pc !== CODE + 8) steps += m.run(1);
  return steps;
}

/**
 * main: w2 = 0; f(n); b . — f(n) adds n + (n-1) + ... + 1 to w2 in a loop whose tail (`sub w1`)
 * clang places before its head and enters at the head (as quicksort's partition loop in the bench
 * kernel): a loop nesting() cannot make, and a recursive call.
 */
const F = CODE + 0x0c;
const F_TAIL = F + 4 * 4;
const F_DONE = F + 9 * 4;
const rotatedProgram = (n: number) => [
  A.movz(0, n, 0, 0), // 0x00
  A.bl(8), // 0x04 -> f
  A.b(0), // 0x08
  // f (0x0c):
  A.stp(29, 30, 31, -16, 'pre'), // 0
  A.cbz(0, 32, 0), // 1 -> 9
  A.mov(1, 0, 0), // 2
  A.b(8), // 3 -> 5
  A.subi(1, 1, 1, 0), // 4: the loop's tail
  A.addi(2, 2, 1, 0), // 5: its head
  A.cbnz(1, -8, 0), // 6 -> 4
  A.subi(0, 0, 1, 0), // 7
  A.bl(-32), // 8 -> f
  A.ldp(29, 30, 31, 16, 'post'), // 9
  A.ret(), // 10
];

/**
 * main: x0 = n; x2 = 0; then a loop that calls a leaf function placed before it in the page (as the arm64 Linux
 * boot's slob_page_alloc calls slob_next): leaf adds x0 to x2; the loop counts x0 down; b . at the end.
 */
const LEAF = CODE + 0x0c;
const CALL_LOOP = CODE + 0x14;
const CALL_RETURN = CODE + 0x18;
const CALL_END = CODE + 0x20;
const leafCallProgram = (n: number) => [
  A.movz(0, n, 0), // 0x00
  A.movz(2, 0, 0), // 0x04
  A.b(12), // 0x08 -> loop
  A.add(2, 2, 0), // 0x0c: leaf
  A.ret(), // 0x10
  A.bl(-8), // 0x14: loop -> leaf
  A.subi(0, 0, 1), // 0x18: return site
  A.cbnz(0, -8), // 0x1c -> loop
  A.b(0), // 0x20
];

for (const a64 of ['1', '0']) describe(`aarch64 calls and returns inside a region (RVOS_JIT_WASM_A64=${a64})`, () => {
  useEnv('RVOS_JIT_WASM_A64', a64);

  it("a loop entered past its tail in a recursive function is a further entry of its region, not a copy (the same counts)", () => {
    const make = (jit: boolean) => {
      const m = makeMachine({ jit });
      m.load(rotatedProgram(40));
      m.set(31, DATA + 0x10000);
      return m;
    };
    const jit = make(true);
    const interp = make(false);
    expectSlicesAsInterp(jit, interp, 200, 29, 97, 100_000);
    expect(jit.cpu.pc).toBe(CODE + 8);
    expect(jit.x(2)).toBe(BigInt((40 * 41) / 2 + 40)); // f(k) loops k + 1 times
    // The tail is its own segment (the branch back goes there inside the function); the first
    // segment stops before it and before the return site (scanBlock's stops): no instruction twice
    // but the epilogue's.
    const page = jit.cpu.resolveFetch(F, 0);
    const region = scanRegion(jit.cpu, page, F & 0xfff);
    expect(region.entries).toEqual([F & 0xfff, F_DONE & 0xfff, F_TAIL & 0xfff]);
    expect(region.insns.map((i) => i.off)).not.toContain(F_TAIL & 0xfff);
    expect(region.insns.map((i) => i.off)).not.toContain(F_DONE & 0xfff);
    // The function leaves for the tail only when its budget ends there (no step taken yet).
    const toTail = [...region.source.matchAll(new RegExp(`nx = ${F_TAIL & 0xfff}; ret = (\\d+);`, 'g'))].map((m) => m[1]);
    expect(toTail.length).toBeGreaterThan(0);
    expect(toTail.every((r) => r === '0')).toBe(true);
  });


  it("a recursive function's region holds its return site and loop as further entries, and computes fib exactly", () => {
    const n = 18;
    const end = stepsToEnd(n);
    const jit = machine(true, n);
    const interp = machine(false, n);
    expect(jit.run(end)).toBe(interp.run(end));
    expect(state(jit)).toEqual(state(interp));
    expect(jit.cpu.pc).toBe(CODE + 8);
    expect(jit.x(0)).toBe(BigInt(fib(n)));
    // fib's region: entries at fib, its return site and its loop (stored as aliases of it).
    const page = jit.cpu.resolveFetch(FIB, 0);
    const region = scanRegion(jit.cpu, page, FIB & 0xfff);
    expect(region.entries).toEqual([FIB & 0xfff, RETURN_SITE & 0xfff, LOOP & 0xfff]);
    expect(region.source).toContain('switch (seg)');
    expect(jit.cpu.codeCache.aliases).toBeGreaterThanOrEqual(2);
    // The region translated: wasm (one function for the three entries) or JavaScript.
    const fn = jit.cpu.fetchBlocks[(FIB & 0xfff) >>> 2]?.fn;
    if (a64 === '1') expect(fn?.name).toBe('wasmRegion');
    else expect(fn?.name).toMatch(/^region_/);
    expect(jit.cpu.fetchBlocks[(RETURN_SITE & 0xfff) >>> 2]?.fn).toBe(fn);
  });

  it("a call of fib's region runs the whole recursion inside it: its RETs to the return site go on in the function", () => {
    const jit = machine(true, 18);
    jit.run(stepsToEnd(18)); // translated
    const interp = machine(false, 10);
    interp.cpu.pc = FIB;
    interp.set(0, 10);
    interp.set(30, CODE + 8);
    let steps = 0;
    while (interp.cpu.pc !== CODE + 8) steps += interp.run(1);
    jit.set(0, 10);
    jit.set(30, CODE + 8);
    jit.cpu.resolveFetch(FIB, 0);
    const block = jit.cpu.fetchBlocks[(FIB & 0xfff) >>> 2]!;
    expect(block.fn!(FIB, 0, 0, 1_000_000, block.seg)).toBe(steps);
    expect(jit.cpu.npcLo).toBe(CODE + 8);
    expect(jit.x(0)).toBe(BigInt(fib(10)));
  });

  it('budgets ending anywhere in the recursion resume inside the region with the same counts', () => {
    const n = 16;
    const jit = machine(true, n);
    const interp = machine(false, n);
    // Slices of varied length: many end deep in the recursion, inside the region's function.
    expectSlicesAsInterp(jit, interp, 400, 37, 113, 1_000_000);
    expect(jit.x(0)).toBe(BigInt(fib(n)));
  });

  it('an interrupt taken deep in the recursion has the same ELR and count, and fib still completes', () => {
    const run = (jit: boolean, at: number) => {
      const m = machine(jit, 15);
      m.cpu.setEl(1);
      m.set(31, DATA + 0x10000); // SP_EL1
      m.cpu.daif = 0;
      // IRQ handler (EL1, current EL with SP_ELx: + 0x280): mask IRQs in the saved PSTATE, return.
      const SPSR_EL1 = A.sysreg(3, 0, 4, 0, 0);
      m.load([A.mrs(9, SPSR_EL1), A.orri(9, 9, 0x80n), A.msr(SPSR_EL1, 9), ERET], VECTORS + 0x280);
      m.cpu.pc = CODE;
      m.run(at);
      m.cpu.irqInput('irq')!.set(true);
      m.run(1);
      const taken = { elr: m.cpu.elr[2], retired: m.cpu.retired, traps: m.traps.map((t) => [t.pc, t.name]) };
      m.run(1_000_000);
      return { taken, end: state(m) };
    };
    for (const at of [5000, 12345, 20001]) {
      const jit = run(true, at);
      expect(jit).toEqual(run(false, at));
      expect(jit.taken.traps).toEqual([[jit.taken.elr, 'IRQ']]);
      expect(jit.end.x[0]).toBe(BigInt(fib(15)));
    }
  });

  it('a store over the return site drops the region and the new instruction runs at the next return', () => {
    const run = (jit: boolean) => {
      const m = machine(jit, 14);
      m.run(20000); // fib's region translated and running
      const made = m.cpu.codeCache.made;
      // A patcher elsewhere makes the return site's `sub w19, w19, #2` a `sub w19, w19, #3` (fib's
      // loop then ends sooner: another result, the same in both engines), then jumps back.
      m.set(5, A.subi(19, 19, 3, 0));
      m.set(6, RETURN_SITE);
      m.set(7, m.cpu.pc);
      m.load([A.strw(5, 6, 0), A.br(7)], DATA);
      m.run(2);
      const translations = m.cpu.codeCache.translations;
      m.run(1_000_000);
      return { made, translations, end: state(m) };
    };
    const jit = run(true);
    const interp = run(false);
    expect(jit.end).toEqual(interp.end);
    expect(jit.made).toBeGreaterThan(0);
    // The region covering the return site is gone after the store.
    expect(jit.translations).toBeLessThan(jit.made);
    expect(jit.end.pc).toBe(CODE + 8);
  });
  it('a loop calling a leaf function before it in the page runs in one region (wasm): the BL goes in, the RET comes back inside', () => {
    const make = (jit: boolean) => {
      const m = makeMachine({ jit });
      m.load(leafCallProgram(300));
      return m;
    };
    const jit = make(true);
    const interp = make(false);
    expectSlicesAsInterp(jit, interp, 60, 23, 89, 100_000);
    expect(jit.x(2)).toBe(BigInt((300 * 301) / 2));
    const page = jit.cpu.resolveFetch(CALL_LOOP, 0);
    const entries = scanWasmRegion(jit.cpu, page, CALL_LOOP & 0xfff, MAX_WASM_REGION).map((sg) => sg[0].off);
    const block = jit.cpu.fetchBlocks[(CALL_LOOP & 0xfff) >>> 2]!;
    if (a64 === '0') {
      // JavaScript regions follow calls into the page only for a recursive function.
      expect(scanRegion(jit.cpu, page, CALL_LOOP & 0xfff).entries).toEqual([CALL_LOOP & 0xfff]);
      return;
    }
    // The loop's region: its entry, the return site and the leaf (stored as aliases of it).
    expect(entries).toEqual([CALL_LOOP & 0xfff, CALL_RETURN & 0xfff, LEAF & 0xfff]);
    expect(block.fn?.name).toBe('wasmRegion');
    expect(jit.cpu.fetchBlocks[(LEAF & 0xfff) >>> 2]?.fn).toBe(block.fn);
    // One call runs every pass: 5 instructions each, to the b . after the loop.
    jit.set(0, 40);
    jit.set(2, 0);
    expect(block.fn!(CALL_LOOP, 0, 0, 200, block.seg)).toBe(200);
    expect(jit.cpu.npcLo).toBe(CALL_END);
    expect(jit.x(2)).toBe(BigInt((40 * 41) / 2));
    // The leaf entered from elsewhere: its RET to an address that is no entry of the region leaves it there.
    jit.set(30, CALL_END);
    const leaf = jit.cpu.fetchBlocks[(LEAF & 0xfff) >>> 2]!;
    expect(leaf.fn!(LEAF, 0, 0, 1000, leaf.seg)).toBe(2);
    expect(jit.cpu.npcLo).toBe(CALL_END);
    expect(jit.x(2)).toBe(BigInt((40 * 41) / 2));
  });
});
