/**
 * The region compiler's remembered pages (jit.ts PageSites): each load or store site of a compiled
 * region keeps the page it last hit and its RAM offset, and skips the TLB while it stays on that
 * page. These loops walk across pages, come back to a page misaligned, alternate between pages and
 * store into the page of their own code (flagged: its stores must reach the code cache every time),
 * and must end in the interpreter's state, count and memory, run in uneven slices.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { Op } from '../../../plugins/arch-rv32/src/execute.js';
import { generate, type Insn } from '../../../plugins/arch-rv32/src/jit.js';
import { installHandlers, makeMachine, RAM_BASE, type TestMachine } from './machine.js';

const { s0, s1, a0, a1, a2, a3, t0, t1, t2, sp } = A;
const DATA = RAM_BASE + 0x10000;
/** Bytes of data the loops may touch, from DATA. */
const SPAN = 0x5000;

/** The same program on a hart that compiles (`jit`) and on an interpreter-only one, with the same data. */
function twin(program: number[], regs: Record<number, number>): [TestMachine, TestMachine] {
  return [true, false].map((jit) => {
    const m = makeMachine({ jit });
    installHandlers(m);
    const data = new Uint8Array(SPAN);
    for (let i = 0; i < SPAN; i++) data[i] = (i * 37 + 11) & 0xff;
    m.poke(DATA, data);
    m.load(program);
    for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
    return m;
  }) as [TestMachine, TestMachine];
}

/** Runs both harts to the end in slices of uneven length (so slices end inside the compiled loop), comparing as they go. */
function runBoth(jit: TestMachine, ref: TestMachine, steps: number): void {
  const slices = [1, 7, 333, 64, 1000, 5];
  for (let done = 0, k = 0; done < steps; k++) {
    const n = slices[k % slices.length];
    jit.run(n);
    ref.run(n);
    done += n;
    expect(jit.cpu.retired, `after ${done} steps`).toBe(ref.cpu.retired);
  }
  for (let r = 0; r < 32; r++) expect(jit.reg(r), `x${r}`).toBe(ref.reg(r));
  expect(jit.cpu.pc).toBe(ref.cpu.pc);
  const mem = (m: TestMachine) => Buffer.from(m.bus.ram.u8.subarray(0, DATA - RAM_BASE + SPAN));
  expect(mem(jit).equals(mem(ref))).toBe(true);
}

describe('rv32 region compiler: remembered pages of loads and stores', () => {
  it('a loop walking across pages loads and stores what the interpreter does', () => {
    // Word, byte and halfword accesses through one pointer that crosses three page boundaries;
    // the store writes the running sum of bytes and halfwords to the word ahead, which the next
    // iteration loads.
    const body = [A.lw(a0, s0, 0), A.add(a1, a1, a0), A.sw(a3, s0, 4), A.lbu(a2, s0, 3), A.add(a3, a3, a2), A.lh(a2, s0, 2), A.add(a3, a3, a2), A.addi(s0, s0, 4), A.addi(s1, s1, -1)];
    const program = [...body, A.bne(s1, 0, -4 * body.length), A.ebreak()];
    const [jit, ref] = twin(program, { [s0]: DATA + 0xf00, [s1]: 3000 });
    runBoth(jit, ref, 3000 * 10 + 2);
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('a site back on its page misaligned, and stores rotating over four pages', () => {
    // t1 = s1 & 3: the load's address is misaligned three times in four on the same page (a
    // remembered page must not let a misaligned access through its fast path); the store goes to
    // one of four pages in turn.
    const body = [
      A.andi(t1, s1, 3),
      A.add(t0, s0, t1),
      A.lw(a0, t0, 0),
      A.add(a1, a1, a0),
      A.slli(t2, t1, 12),
      A.add(t2, t2, s0),
      A.sh(a1, t2, 2),
      A.sw(a0, t2, 8),
      A.addi(s1, s1, -1),
    ];
    const program = [...body, A.bne(s1, 0, -4 * body.length), A.ebreak()];
    const [jit, ref] = twin(program, { [s0]: DATA, [s1]: 2000 });
    runBoth(jit, ref, 2000 * 10 + 2);
    expect(jit.cpu.mcause).toBe(3);
  });

  it('accesses of a kind through one base register in a block share a site, until the register is written', () => {
    const insn = (op: Op, rd: number, rs1: number, rs2: number, imm: number, k: number): Insn => ({ op, rd, rs1, rs2, imm, off: 4 * k, len: 4 });
    const src = generate([
      insn(Op.LW, a0, sp, 0, 0, 0),
      insn(Op.LW, a1, sp, 0, 4, 1),
      insn(Op.SW, 32, sp, a2, 8, 2), // a store: a site of its own
      insn(Op.LW, sp, sp, 0, 12, 3), // the shared load site; then sp changes
      insn(Op.LW, a3, sp, 0, 0, 4), // a new site
      insn(Op.BNE, 32, a0, 0, -20, 5),
    ]);
    expect(src).toContain('let pv0 = -1, po0 = 0, pv1 = -1, po1 = 0, pv2 = -1, po2 = 0;');
    expect(src.match(/=== pv0\)/g)?.length).toBe(3);
    expect(src.match(/=== pv1\)/g)?.length).toBe(1);
    expect(src.match(/=== pv2\)/g)?.length).toBe(1);
  });

  it('a shared site whose accesses alternate between two pages, and a pointer chase through its base', () => {
    // s0 sits 8 bytes below a page boundary: `lw 0(s0)` and `lw 12(s0)` are on two pages, one
    // site; `lw t0, 0(t0)` follows a chain that crosses pages every few links.
    const body = [A.lw(a0, s0, 0), A.lw(a2, s0, 12), A.add(a1, a1, a0), A.add(a1, a1, a2), A.lw(t0, t0, 0), A.add(a3, a3, t0), A.addi(s0, s0, 4), A.addi(s1, s1, -1)];
    const program = [...body, A.bne(s1, 0, -4 * body.length), A.ebreak()];
    const [jit, ref] = twin(program, { [s0]: DATA + 0xff8, [s1]: 900, [t0]: DATA + 0x3000 });
    for (const m of [jit, ref]) {
      // A ring of 64 links, each 0x1c4 bytes further (wrapping inside 0x3000..0x5000).
      const link = (k: number) => DATA + 0x3000 + (((k % 64) * 0x1c4) & 0x1ffc);
      for (let k = 0; k < 64; k++) m.w32(link(k), link(k + 1));
    }
    runBoth(jit, ref, 900 * 9 + 2);
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('a store site on a watched page reaches the watcher every time, not only on its first store of a call', () => {
    // The watched page is flagged: a site never remembers it. The other store, to a page without
    // flags, is remembered.
    const m = makeMachine();
    installHandlers(m);
    const seen: number[] = [];
    m.bus.watch(DATA + 0x2000, 4, () => seen.push(m.r32(DATA + 0x2000)));
    const body = [A.addi(a0, a0, 1), A.sw(a0, s0, 0), A.sw(a0, t0, 0), A.addi(s1, s1, -1)];
    m.load([...body, A.bne(s1, 0, -4 * body.length), A.ebreak()]);
    m.cpu.setReg(s0, DATA);
    m.cpu.setReg(t0, DATA + 0x2000);
    m.cpu.setReg(s1, 500);
    m.run(500 * 5 + 1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(seen.length).toBe(500);
    expect(seen[499]).toBe(500);
    expect(m.r32(DATA)).toBe(500);
  });

  it('a store site alternating between data and its own code page reaches the code cache each time', () => {
    // Odd iterations store to DATA (a page without flags, remembered), even ones over the loop's
    // own `addi a2, a2, 1` with the counter's low bits picking `addi a2, a2, 1` or `addi a2, a2, 3`:
    // were the code page remembered as well, a store would skip the code cache and the stale
    // increment would run on.
    const patches = [A.addi(a2, a2, 1), A.addi(a2, a2, 3)];
    const body = [
      A.addi(a2, a2, 1), // patched
      A.andi(t1, s1, 1),
      A.slli(t1, t1, 2),
      A.add(t0, s0, t1), // s0 + 0 or + 4: the patch table (in DATA)
      A.lw(a0, t0, 0),
      A.andi(t2, s1, 2),
      A.bne(t2, 0, 12),
      A.sw(a0, a3, 0), // over the patched instruction
      A.jal(0, 8),
      A.sw(a0, s0, 16), // to data
      A.addi(s1, s1, -1),
    ];
    const program = [...body, A.bne(s1, 0, -4 * body.length), A.ebreak()];
    const [jit, ref] = twin(program, { [s0]: DATA, [s1]: 600, [a3]: RAM_BASE });
    for (const m of [jit, ref]) {
      m.w32(DATA, patches[0]);
      m.w32(DATA + 4, patches[1]);
    }
    runBoth(jit, ref, 600 * 11 + 2);
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.reg(a2)).toBe(ref.reg(a2));
    expect(jit.reg(a2)).toBeGreaterThan(600);
  });
});
