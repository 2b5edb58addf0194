/**
 * The aarch64 wasm regions (jit-wasm.ts; the tests clear RVOS_JIT_WASM_A64=0 if set): a hot loop runs in a
 * wasm region and ends with the interpreter's registers and flags. The loop keeps flags recorded
 * lazily across a non-flag-setting ADD/SUB (CMP; ADD; CSET), which once clobbered the recorded operand.
 * With the MMU on, loads, stores and pairs look their page up in the TLB in the core's wasm area:
 * the region runs whole passes of a loop (a miss, a pair across two pages leave it).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { useEnv } from '../../helpers/env.js';
import { CODE, DATA, makeMachine, VECTORS } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, PageTables } from './mmu-tables.js';
import { SYSREG_SCTLR_EL1 } from '../../../plugins/arch-aarch64/src/sysregs.js';
import { type Block, MAX_BLOCK } from '../../../plugins/arch-aarch64/src/jit.js';
import { basicBlocks, dispatchedBlocks, MAX_WASM_REGION } from '../../../plugins/arch-aarch64/src/jit-wasm.js';
import type { Insn } from '../../../plugins/arch-aarch64/src/jit.js';
import { Op } from '../../../plugins/arch-aarch64/src/execute.js';
import type { CodePage } from '../../../src/core/jit/code-cache.js';

const loop = [
  A.cmp(7, 20, 0),
  A.add(5, 19, 5, 'lsl', 0, 0),
  A.cset(26, 'hi', 0),
  A.add(27, 27, 26),
  A.subs(6, 7, 20, 'lsl', 0, 1),
  A.sub(8, 8, 5, 'lsl', 3),
  A.cset(28, 'lt'),
  A.add(29, 29, 28),
  A.addi(7, 7, 0x321, 0),
  A.addi(20, 20, 0x123, 0),
  A.subsi(2, 2, 1),
  A.bcond('ne', -11 * 4),
  A.b(0),
];

/** Registers set before a run: [register, value]. */
type Start = Array<[number, bigint | number]>;

/** Runs `program` for `n` steps from `start` on one engine: the steps, the `shown` registers, NZCV and pc. */
function budgetRun(program: number[], start: Start, shown: number[], jit: boolean, n: number) {
  const m = makeMachine({ jit });
  m.load(program);
  for (const [r, v] of start) m.set(r, v);
  const steps = m.run(n);
  return { m, state: { steps, regs: shown.map((r) => m.x(r)), flags: m.flags(), pc: m.cpu.pc } };
}

/** At each budget the translated run (which must have compiled blocks) ends as the interpreter's. */
function expectInterpAtBudgets(program: number[], start: Start, shown: number[], budgets: number[]): void {
  for (const n of budgets) {
    const interp = budgetRun(program, start, shown, false, n);
    const jit = budgetRun(program, start, shown, true, n);
    expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(jit.state, `budget ${n}`).toEqual(interp.state);
  }
}

function run(jit: boolean) {
  const m = makeMachine({ jit });
  m.load(loop);
  m.set(2, 5000);
  m.set(7, 0x7fff0000);
  m.set(20, 0x80001000);
  m.set(19, 3);
  const n = m.run(loop.length * 5000);
  return { m, n, regs: [2, 5, 6, 7, 8, 20, 26, 27, 28, 29].map((r) => m.x(r)), flags: m.flags(), pc: m.cpu.pc };
}

/**
 * Each form in a loop that varies its operands (x1 += x3, x2 ^= x1 rotated), as the first
 * instruction of a wasm region: its results must be the interpreter's.
 */
function expectFormsAsInterp(forms: Array<[string, number]>): void {
  for (const [name, insn] of forms) {
    const body = [insn, A.add(6, 6, 5), A.add(1, 1, 3), A.extr(2, 2, 2, 7), A.eor(2, 2, 1), A.subsi(20, 20, 1), A.bcond('ne', -6 * 4), A.b(0)];
    const once = (jit: boolean) => {
      const m = makeMachine({ jit });
      m.load(body);
      m.set(1, 0x8badf00d12345678n);
      m.set(2, 0xfedcba9876543210n);
      m.set(3, 0x9e3779b97f4a7c15n);
      m.set(5, 0x0123456789abcdefn);
      m.set(20, 400);
      m.run(6 * 400);
      return { m, regs: [1, 2, 5, 6, 20].map((r) => m.x(r)) };
    };
    const interp = once(false);
    const jit = once(true);
    const page = (jit.m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    expect(page.entries[(CODE & 0xfff) >>> 2]?.fn?.name, `${name} heads a wasm region`).toBe('wasmRegion');
    expect(jit.regs.map((v) => v.toString(16)), name).toEqual(interp.regs.map((v) => v.toString(16)));
  }
}

describe('aarch64 wasm regions', () => {
  useEnv('RVOS_JIT_WASM_A64', undefined);

  it('runs a loop in a wasm region with the interpreter\'s results, flags kept lazily across an ADD', () => {
    const interp = run(false);
    const jit = run(true);
    expect(jit.m.cpu.wasmCore, 'the core has a wasm area (RAM in a wasm memory)').not.toBeNull();
    expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect({ n: jit.n, regs: jit.regs, flags: jit.flags, pc: jit.pc }).toEqual({ n: interp.n, regs: interp.regs, flags: interp.flags, pc: interp.pc });
    expect(interp.regs[7]).toBeGreaterThan(0n); // the CSETs counted both ways
  });

  it('computes NZCV where a later block reads it or the region leaves, not at every block end', () => {
    // Block 0 sets the flags (ADDS), block 2 reads them after a CBNZ (live across blocks); the loop
    // ends with SUBS; B.NE back to block 0, which sets them again before any read (not computed
    // there), and the region leaves at its budget's block starts and after the loop with that SUBS's.
    const program = [
      A.adds(6, 1, 2, 'lsl', 0, 0),
      A.cbnz(7, 8),
      A.addi(8, 8, 1),
      A.cset(9, 'cs'),
      A.add(11, 11, 9),
      A.add(1, 1, 3),
      A.eor(7, 7, 1),
      A.ands(10, 1, 2),
      A.subsi(20, 20, 1),
      A.bcond('ne', -36),
      A.b(0),
    ];
    const start: Start = [[1, 0xfffffff080000000n], [2, 0x7fffffffn], [3, 0x12345679n], [20, 300]];
    const shown = [1, 6, 7, 8, 9, 10, 11, 20];
    // Budgets that stop the loop at each of its blocks, and one that ends in the B . after it.
    expectInterpAtBudgets(program, start, shown, [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, 2010, 5000]);
    expect(budgetRun(program, start, shown, false, 5000).state.regs[6]).toBeGreaterThan(0n); // x11: CSET CS saw carries
  });

  it('notes the flag kind for a block entered with different kinds, not for one whose ways in agree', () => {
    // Block 0 (SUBS; TBZ) goes to block 2 (ANDS), whose only way in leaves SUB64 (known there), or
    // straight to block 4, entered with SUB64 or LOGIC64 (the kind noted in fk on both ways). Budgets
    // stop the loop at each block: the flags left must be the interpreter's.
    const program = [
      A.subsi(20, 20, 1),
      A.tbz(1, 0, 12),
      A.ands(5, 1, 2),
      A.addi(6, 6, 1),
      A.add(1, 1, 3),
      A.cbnz(20, -20),
      A.b(0),
    ];
    const start: Start = [[1, 0x8000000000000001n], [2, 0xf0000000000000f1n], [3, 0x4000000000000003n], [20, 600]];
    expectInterpAtBudgets(program, start, [1, 5, 6, 20], Array.from({ length: 12 }, (_, i) => 2000 + i));
  });

  it('runs loads, stores and pairs with the MMU on through the TLB in the wasm area, as the interpreter', () => {
    const mmuRun = (jit: boolean) => {
      const m = makeMachine({ jit });
      const pt = new PageTables(m, 12, 39);
      pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
      pt.map(BigInt(CODE), BigInt(CODE), AF);
      // Two virtual pages on physical pages in the wrong order: a pair at the first one's end spans both.
      pt.map(0x300000n, BigInt(DATA + 0x1000), AF);
      pt.map(0x301000n, BigInt(DATA), AF);
      const program = [
        ...A.mov64(1, 0x300000),
        A.addi(31, 1, 0x800), // SP in the mapped page
        A.movz(20, 3000),
        ...A.mov64(9, 0x300ff8),
        // loop (9 instructions, then one pair across the pages every pass):
        A.ldr(2, 1),
        A.addi(2, 2, 1),
        A.str(2, 1),
        A.stp(2, 2, 31, -16, 'pre'),
        A.ldp(3, 4, 31, 16, 'post'),
        A.strb(3, 1, 9),
        A.ldrh(5, 1, 8),
        A.stp(2, 5, 9),
        A.subsi(20, 20, 1),
        A.bcond('ne', -36),
      ];
      m.load(program);
      T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.IPS(2) | T.EPD1, BigInt(pt.root));
      const n = m.run(10 * 3000);
      return { m, n, regs: [1, 2, 3, 4, 5, 9, 20, 31].map((r) => m.x(r)), pc: m.cpu.pc, mem: [m.r64(DATA), m.r64(DATA + 0x1ff8), m.r64(DATA + 0x1000)] };
    };
    const interp = mmuRun(false);
    const jit = mmuRun(true);
    expect(jit.m.cpu.lastException).toBeNull();
    expect(jit.m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect({ n: jit.n, regs: jit.regs, pc: jit.pc, mem: jit.mem }).toEqual({ n: interp.n, regs: interp.regs, pc: interp.pc, mem: interp.mem });
    expect(interp.regs[1]).toBeGreaterThan(2900n); // x2: the loop ran its passes
    // The loop's region, called directly: it runs the 8 instructions up to the straddling pair
    // through the wasm TLB path, then leaves before the pair.
    const m = jit.m;
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const loopHead = (CODE + 4 * (A.mov64(1, 0x300000).length + 2 + A.mov64(9, 0x300ff8).length)) & 0xfff;
    const block = page.entries[loopHead >>> 2];
    expect(block?.fn?.name, 'the loop head is a wasm region').toBe('wasmRegion');
    m.set(20, 100);
    m.cpu.pc = CODE + loopHead;
    const steps = block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 1000, 0);
    expect(steps).toBe(7);
    expect(m.cpu.npcLo).toBe(CODE + loopHead + 28);
    // The same region with the MMU off (its other function, the TLB unused): 5 whole passes on physical RAM.
    T.setSys(m, SYSREG_SCTLR_EL1, 0x00c50838n);
    expect(m.cpu.mmuOff).toBe(true);
    m.set(1, DATA);
    m.set(31, DATA + 0x800);
    m.set(9, DATA + 0xff8);
    m.set(20, 5);
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 1000, 0)).toBe(50);
    expect(m.x(20)).toBe(0n);
  });

  it('runs an access in the fast path exactly when it ends within the limit, aligned (one compare per access)', () => {
    // One access of each shape per instruction, each with its own base register; the loop's region is
    // called directly with one base moved to an edge: it runs the pass, or leaves before that access.
    const program = [
      A.ldrb(2, 1),
      A.ldrh(3, 4),
      A.ldrw(5, 6),
      A.ldr(7, 8),
      A.ldp(9, 10, 11, 0, 'offset', 0),
      A.ldp(12, 13, 14),
      A.strb(2, 15),
      A.strh(3, 16),
      A.subsi(20, 20, 1),
      A.bcond('ne', -36),
      A.b(0),
    ];
    const access: Array<[base: number, bytes: number, align: number]> = [[1, 1, 1], [4, 2, 2], [6, 4, 4], [8, 8, 8], [11, 8, 4], [14, 16, 8], [15, 1, 1], [16, 2, 2]];
    const m = makeMachine({ jit: true });
    m.load(program);
    const safe = () => access.forEach(([base], k) => m.set(base, DATA + 0x100 * k));
    safe();
    m.set(20, 3000);
    m.run(10 * 3000);
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2];
    expect(block?.fn?.name, 'the loop is a wasm region').toBe('wasmRegion');
    const pass = (limit: number, base = -1, at = 0) => {
      safe();
      if (base >= 0) m.set(base, at);
      m.set(20, 1);
      m.cpu.ramFastLimit = limit;
      m.cpu.pc = CODE;
      return block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10, 0);
    };
    const limit = m.cpu.ramSize;
    expect(pass(limit)).toBe(10);
    access.forEach(([base, bytes, align], k) => {
      expect(pass(limit, base, limit - bytes), `access ${k} ending at the limit`).toBe(10);
      expect(pass(limit, base, limit - bytes + align), `access ${k} past the limit`).toBe(k);
      if (align > 1) expect(pass(limit, base, DATA + align / 2), `access ${k} unaligned`).toBe(k);
      expect(pass(limit, base, -align), `access ${k} below RAM`).toBe(k);
    });
    // Limits below an access's size (0 while watching): accesses that fit run, the others leave.
    expect(pass(0)).toBe(0);
    for (const k of [0, 1, 2]) m.set(access[k][0], 0);
    m.set(20, 1);
    m.cpu.ramFastLimit = 4;
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10, 0), 'bytes 0-3 in the fast path, not 0-7').toBe(3);
    m.cpu.ramFastLimit = limit;
  });

  it('runs a loop longer than a JavaScript region (MAX_BLOCK) as one wasm region, whole passes per call', () => {
    const body = 2 * MAX_BLOCK;
    const program = [...Array.from({ length: body }, (_, k) => A.addi(1 + (k % 8), 1 + (k % 8), k + 1)), A.subsi(20, 20, 1), A.bcond('ne', -(body + 1) * 4), A.b(0)];
    expect(body + 2).toBeLessThanOrEqual(MAX_WASM_REGION);
    const once = (jit: boolean) => {
      const m = makeMachine({ jit });
      m.load(program);
      m.set(20, 200);
      m.run((body + 2) * 200);
      return m;
    };
    const interp = once(false);
    const m = once(true);
    expect([1, 2, 3, 8, 20].map((r) => m.x(r))).toEqual([1, 2, 3, 8, 20].map((r) => interp.x(r)));
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2];
    expect(block?.fn?.name, 'the loop is a wasm region').toBe('wasmRegion');
    m.set(20, 3);
    m.cpu.pc = CODE;
    expect(block!.fn!(m.cpu.pcLo, m.cpu.pcHi, 0, 10_000, 0), 'three passes in one call').toBe(3 * (body + 2));
  });

  it('is called when the budget left fits its first block, however long the region, and ends every slice as the interpreter', () => {
    // A loop of a 3-instruction block (its CBZ never taken: x4 is 1) and a 42-instruction one, 45 in all.
    const long = 40;
    const body = [...Array.from({ length: long }, (_, k) => A.addi(5 + (k % 8), 5 + (k % 8), k + 1)), A.subsi(20, 20, 1)];
    const program = [A.addi(1, 1, 1), A.eor(2, 2, 1), A.cbz(4, (body.length + 1) * 4), ...body, A.bcond('ne', -(body.length + 3) * 4), A.b(0)];
    const pass = program.length - 1;
    const start: Start = [[4, 1], [20, 100_000]];
    const sliced = (jit: boolean, slice: number, total: number) => {
      const m = makeMachine({ jit });
      m.load(program);
      for (const [r, v] of start) m.set(r, v);
      for (let done = 0; done < total; ) done += m.run(Math.min(slice, total - done));
      return { m, regs: [1, 2, 5, 9, 12, 20].map((r) => m.x(r)), pc: m.cpu.pc, flags: m.flags() };
    };
    const total = 300 * pass + 17;
    // Slices ending in the first block, at its last instruction, in the long block, at the loop's branch back.
    for (const slice of [1, 2, 3, 4, 7, pass - 1, pass, pass + 1, 2 * pass + 2]) {
      const jit = sliced(true, slice, total);
      expect(jit.m.cpu.blocksCompiled, `slices of ${slice}`).toBeGreaterThan(0);
      const { m: _m, ...state } = jit;
      const { m: _i, ...expected } = sliced(false, slice, total);
      expect(state, `slices of ${slice}`).toEqual(expected);
    }
    // At the loop's head with 10 steps left (its first block fits, the region's 45 instructions do not): the region runs them.
    const { m } = sliced(true, 10_000, 200 * pass);
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    const block = page.entries[(CODE & 0xfff) >>> 2] as { fn: Block['fn']; len: number };
    expect(block.fn?.name, 'the loop is a wasm region').toBe('wasmRegion');
    expect(block.len, 'a call needs the first block to fit').toBe(3);
    const fn = block.fn!;
    let calls = 0;
    block.fn = (...args) => (calls++, fn(...args));
    const before = m.x(1);
    expect(m.cpu.pc).toBe(CODE);
    expect(m.run(10)).toBe(10);
    expect(calls).toBe(1);
    expect(m.x(1)).toBe(before + 1n);
    expect(m.cpu.pc, 'seven instructions into the long block (the interpreter ran them)').toBe(CODE + 4 * 10);
  });

  it('translates RBIT, REV16, REV32 and REV (both widths) as the interpreter computes them', () => {
    // The arm64 Linux boot's strcmp, strlen and big-endian device-tree reads, its __ffs (RBIT; CLZ): each ended a region.
    expectFormsAsInterp([
      ['rbit x', A.rbit(5, 1)],
      ['rbit w', A.rbit(5, 1, 0)],
      ['rbit x of x2', A.rbit(5, 2)],
      ['rev16 x', A.rev16(5, 1)],
      ['rev16 w', A.rev16(5, 1, 0)],
      ['rev32 x', A.rev32(5, 1)],
      ['rev x', A.rev(5, 1)],
      ['rev w', A.rev(5, 1, 0)],
      ['rev x of x2', A.rev(5, 2)],
    ]);
  });

  it('translates bitfield moves, EXTR, CLZ/CLS and SMULH/UMULH as the interpreter computes them', () => {
    const forms: Array<[string, number]> = [];
    for (const sf of [0, 1]) {
      const bits = sf ? 64 : 32;
      for (const [immr, imms] of [[0, 7], [4, 11], [0, bits - 1], [bits - 8, 5], [3, 2], [bits - 1, bits - 2], [1, 0]]) {
        forms.push([`sbfm ${sf} ${immr} ${imms}`, A.sbfm(5, 1, immr, imms, sf)], [`ubfm ${sf} ${immr} ${imms}`, A.ubfm(5, 1, immr, imms, sf)], [`bfm ${sf} ${immr} ${imms}`, A.bfm(5, 1, immr, imms, sf)]);
      }
      for (const lsb of [0, 1, 13, bits - 1]) forms.push([`extr ${sf} ${lsb}`, A.extr(5, 1, 2, lsb, sf)], [`ror ${sf} ${lsb}`, A.extr(5, 1, 1, lsb, sf)]);
      forms.push([`clz ${sf}`, A.clz(5, 2, sf)], [`cls ${sf}`, A.cls(5, 2, sf)]);
    }
    forms.push(['smulh', A.smulh(5, 1, 2)], ['umulh', A.umulh(5, 1, 2)], ['smulh neg', A.smulh(5, 2, 3)]);
    expectFormsAsInterp(forms);
  });

  it('computes 32-bit adds, subtracts, logical ops and conditional selects from the low words alone, zero-extended', () => {
    // The operands' high words are set (x1, x2, x3): a W form must neither read them nor leave any in its result.
    const forms: Array<[string, number]> = [
      ['add w imm', A.addi(5, 1, 0xfff, 0)],
      ['sub w imm', A.subi(5, 1, 0x123, 0)],
      ['add w', A.add(5, 1, 2, 'lsl', 0, 0)],
      ['add w lsl', A.add(5, 1, 2, 'lsl', 7, 0)],
      ['sub w asr', A.sub(5, 1, 2, 'asr', 3, 0)],
      ['and w', A.and(5, 1, 2, 'lsl', 0, 0)],
      ['orr w ror', A.orr(5, 1, 2, 'ror', 9, 0)],
      ['eor w lsr', A.eor(5, 1, 2, 'lsr', 5, 0)],
      ['bic w', A.bic(5, 1, 2, 'lsl', 0, 0)],
      ['orn w', A.orn(5, 1, 2, 'lsl', 2, 0)],
      ['eon w', A.eon(5, 1, 2, 'lsl', 0, 0)],
      ['ands w', A.ands(5, 1, 2, 'lsl', 0, 0)],
    ];
    for (const cond of ['lt', 'hs']) {
      forms.push([`csel w ${cond}`, A.csel(5, 1, 2, cond, 0)], [`csinc w ${cond}`, A.csinc(5, 1, 2, cond, 0)]);
      forms.push([`csinv w ${cond}`, A.csinv(5, 1, 2, cond, 0)], [`csneg w ${cond}`, A.csneg(5, 1, 3, cond, 0)]);
    }
    expectFormsAsInterp(forms);
  });

  it('dispatches only to entries and blocks jumped back to from outside a wasm loop, not to blocks reached by falling through or branching forward', () => {
    const at = (off: number, op: Op, a = 0) => ({ off, op, a }) as Insn;
    const insns = [
      at(0, Op.ADDI), // block 0: the entry
      at(4, Op.ADDI), // block 1: jumped back to from block 3 (its wasm loop: jit-wasm-layout.ts)
      at(8, Op.CBZ, 8),
      at(12, Op.ADDI), // block 2: falls through from block 1
      at(16, Op.BCOND, -12), // block 3: a forward target
      at(20, Op.ADDI), // block 4: a segment's entry
      at(24, Op.B, -24),
      at(28, Op.BCOND, 0), // block 5: loops on itself (its own wasm loop)
    ];
    const blocks = basicBlocks(insns, [0, 20]);
    expect(blocks.map((b) => b.start)).toEqual([0, 4, 12, 16, 20, 28]);
    expect(dispatchedBlocks(blocks, [0, 20])).toEqual([true, false, false, false, true, false]);
  });

  it('runs the quicksort partition\'s shape (a loop nested in one it is the side door of: jit-wasm-layout.ts) as the interpreter', () => {
    // Blocks: entry (0-8), swap (12, reached back from 28-32), scan head (16-20, from the entry, the
    // swap and back from 36-44), 24, 28-32, 36-44, 48 (back to the entry). The region entered at 0
    // holds them all; budgets stop it at each block, the side door entered by the guard at the swap's loop.
    const program = [
      A.movz(21, 3),
      A.movz(20, 5),
      A.b(8),
      A.add(7, 7, 6),
      A.addi(6, 6, 1),
      A.tbz(6, 0, 8),
      A.eor(8, 8, 7),
      A.subsi(21, 21, 1),
      A.bcond('ne', -20),
      A.movz(21, 3),
      A.subsi(20, 20, 1),
      A.bcond('ne', -28),
      A.b(-48),
    ];
    const budgets = Array.from({ length: 12 }, (_, k) => 3000 + k);
    expectInterpAtBudgets(program, [[7, 3]], [6, 7, 8, 20, 21], [...budgets, 9000]);
  });

  it('runs an inner loop whose branch back goes to a block in the region\'s middle, past blocks only branched forward to, as the interpreter', () => {
    // The region is the outer loop (entered at its head, offset 0); the inner loop's head (offset 4) is
    // jumped back to through the dispatch, its block at 12 only fallen into, the one at 16 also a
    // forward TBZ target. Budgets stop it at each block: a block without a dispatch edge is never
    // started from the region's top (it would trap).
    const program = [
      A.movz(21, 3),
      A.addi(6, 6, 1),
      A.tbz(6, 0, 8),
      A.add(7, 7, 6),
      A.eor(8, 8, 7),
      A.subsi(21, 21, 1),
      A.bcond('ne', -20),
      A.subsi(20, 20, 1),
      A.bcond('ne', -32),
      A.b(0),
    ];
    const start: Start = [[20, 400], [7, 3]];
    expectInterpAtBudgets(program, start, [6, 7, 8, 20, 21], [3000, 3001, 3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009, 9000]);
    const m = budgetRun(program, start, [], true, 9000).m;
    const page = (m.cpu as unknown as { fetchPage: CodePage<Block> }).fetchPage;
    expect(page.entries[(CODE & 0xfff) >>> 2]?.fn?.name, 'the outer loop is a wasm region').toBe('wasmRegion');
  });
});
