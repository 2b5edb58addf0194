/**
 * The translator's run loop (execute.ts dispatch()) keeps the fetch page before the current one: code that alternates
 * between two pages (a call to a function on the next page and its return) translates each page's address once per
 * call of the loop, not at every change, translated or interpreted (the interpreter under dispatch() leaves page
 * changes to it); and a page remapped in between (TLBI ends the loop's call) is fetched through its new mapping.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { makeMachine } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, PageTables } from './mmu-tables.js';

const LOOP_VA = 0x400000;
const CALLEE_VA = 0x401000n;
const LOOP_PA = 0x90000;
const CALLEE_PA = 0x91000;
const OTHER_CALLEE_PA = 0x92000;

/** EL1 with 4 KiB pages: the loop's page at LOOP_VA, the callee's after it; `add x9, x9, #1; ret` there, `#100` at OTHER_CALLEE_PA. */
function setup() {
  const m = makeMachine();
  const pt = new PageTables(m, 12, 39);
  const calleeSlot = pt.map(CALLEE_VA, BigInt(CALLEE_PA), AF);
  pt.map(BigInt(LOOP_VA), BigInt(LOOP_PA), AF);
  pt.map(BigInt(calleeSlot & ~0xfff), BigInt(calleeSlot & ~0xfff), AF); // the table page, identity (for the remap)
  m.load([A.addi(9, 9, 1), A.ret()], CALLEE_PA);
  m.load([A.addi(9, 9, 100), A.ret()], OTHER_CALLEE_PA);
  return { m, pt, calleeSlot, tcr: T.TG0_4K | T.T0SZ(25) | T.IPS(2) | T.EPD1 };
}

/** Instructions a pass of callLoop's loop runs: BL, the callee's ADD and RET, SUBS, B.NE. */
const PASS = 5;

/** `passes` x (bl CALLEE_VA; subs x20, x20, #1; b.ne back), at LOOP_VA + `at`; returns the code and where it ends. */
function callLoop(passes: number, at: number): { code: number[]; end: number } {
  const code = [...A.mov64(20, passes)];
  const loop = at + 4 * code.length;
  code.push(A.bl(Number(CALLEE_VA) - (LOOP_VA + loop)), A.subsi(20, 20, 1), A.bcond('ne', -8));
  return { code, end: at + 4 * code.length };
}

describe('aarch64 dispatcher: the fetch page before the current one', () => {
  it('a loop calling a function on the next page translates the two pages once per dispatcher call', () => {
    const { m, pt, tcr } = setup();
    const { code, end } = callLoop(20_000, 0);
    m.load([...code, A.b(0)], LOOP_PA);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = LOOP_VA;
    m.run(5_000); // past the first single-instruction calls (cpu.ts WARMUP_CALLS) and the translations
    const lookups = m.cpu.tlb.slowLookups;
    m.run(PASS * 4_000);
    expect(m.cpu.lastException).toBeNull();
    // The calls made (the callee's count) are the passes done, or one more in the middle of a pass.
    expect(Number(m.x(9)) - (20_000 - Number(m.x(20)))).toBeGreaterThanOrEqual(0);
    expect(Number(m.x(9)) - (20_000 - Number(m.x(20)))).toBeLessThanOrEqual(1);
    expect(Number(m.x(9))).toBeGreaterThan(4_000);
    // 8,000 page changes; a few dispatcher calls (one per run() slice), each translating at most both pages.
    expect(m.cpu.tlb.slowLookups - lookups).toBeLessThan(40);
    expect(end).toBeLessThan(0x1000);
  });

  it('interpreted code changes pages through the same memo while nothing is translated yet', () => {
    const { m, pt, tcr } = setup();
    m.cpu.compileWork = 1 << 30; // every translation waits: the loop and its callee stay interpreted
    const { code } = callLoop(20_000, 0);
    m.load([...code, A.b(0)], LOOP_PA);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = LOOP_VA;
    m.run(2_000); // past the first single-instruction calls (cpu.ts WARMUP_CALLS)
    const lookups = m.cpu.tlb.slowLookups;
    m.run(PASS * 2_000);
    expect(m.cpu.lastException).toBeNull();
    expect(m.cpu.blocksCompiled).toBe(0);
    expect(Number(m.x(9))).toBeGreaterThan(2_000);
    // 4,000 page changes of interpreted code: each dispatcher call translates at most both pages.
    expect(m.cpu.tlb.slowLookups - lookups).toBeLessThan(40);
  });

  it('after the callee\'s page is remapped (descriptor, TLBI, DSB, ISB) the calls run the new code', () => {
    const { m, pt, calleeSlot, tcr } = setup();
    const first = callLoop(3_000, 0);
    // Remap CALLEE_VA to OTHER_CALLEE_PA: x5 = the new descriptor, x6 = its slot.
    const remap = [...A.mov64(5, BigInt(OTHER_CALLEE_PA) | AF | 3n), ...A.mov64(6, calleeSlot), A.str(5, 6), A.dsb(), A.sys(0, 8, 7, 0), A.dsb(), A.isb()];
    const second = callLoop(3_000, first.end + 4 * remap.length);
    m.load([...first.code, ...remap, ...second.code, A.b(0)], LOOP_PA);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = LOOP_VA;
    m.run(PASS * 3_000 + first.code.length + remap.length + second.code.length + PASS * 3_000);
    expect(m.cpu.lastException).toBeNull();
    expect(Number(m.x(9))).toBe(3_000 * 1 + 3_000 * 100);
  });
});
