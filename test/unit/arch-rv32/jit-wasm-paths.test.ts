/**
 * The wasm regions' fast paths (jit-wasm.ts): direct loads (AREA.loadLimit: a region compiled while the hart's
 * loads are untranslated M-mode ones without PMP rules or watchpoints reads RAM straight at `address - ramBase`,
 * and must still agree with the interpreter when it runs later with that window closed, a locked PMP rule or
 * S-mode, or loads outside RAM), branch hints on the rare paths, and the keyed dispatch of indirect jumps.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { PRV_M, PRV_S, MSTATUS_MPRV } from '../../../plugins/arch-rv32/src/constants.js';
import { AREA, dispatchBuckets, generateWasmRegion, wasmRegionStats } from '../../../plugins/arch-rv32/src/jit-wasm.js';
import { Op } from '../../../plugins/arch-rv32/src/execute.js';
import type { RegionBlock } from '../../../plugins/arch-rv32/src/jit.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { WasmOp } from '../../../src/core/jit/wasm-module.js';
import { readHints } from '../../helpers/wasm-hints.js';
import { installHandlers, makeMachine, MMIO_BASE, openPmp, RAM_BASE, RAM_SIZE, type TestMachine } from './machine.js';

process.env.RVOS_JIT_WASM = '1';

const { s0, s1, a0, a1, t0, ra, sp } = A;
const DATA = RAM_BASE + 0x10000;

const loadLimit = (m: TestMachine) => m.cpu.wasm!.area32[AREA.loadLimit >> 2] >>> 0;

describe('rv32 wasm regions: the direct load window', () => {
  it('is open in M-mode without PMP rules or watchpoints, and closed otherwise', () => {
    const m = makeMachine({ jit: true });
    expect(loadLimit(m)).toBe(RAM_SIZE - 3);
    m.cpu.setPrivilege(PRV_S);
    expect(loadLimit(m)).toBe(0);
    m.cpu.setPrivilege(PRV_M);
    expect(loadLimit(m)).toBe(RAM_SIZE - 3);
    // MPRV with MPP = S: loads are S-mode ones.
    m.cpu.mstatus |= MSTATUS_MPRV | (PRV_S << 11);
    m.cpu.selectDataTlb();
    expect(loadLimit(m)).toBe(0);
    m.cpu.mstatus &= ~MSTATUS_MPRV;
    m.cpu.selectDataTlb();
    expect(loadLimit(m)).toBe(RAM_SIZE - 3);
    openPmp(m);
    expect(loadLimit(m)).toBe(0);
    m.cpu.reset();
    expect(loadLimit(m)).toBe(RAM_SIZE - 3);
    m.cpu.debug.setWatchpoints([{ address: BigInt(DATA), length: 4, kind: 'read' }]);
    expect(loadLimit(m)).toBe(0);
  });
});

/** The same program on a compiling hart and an interpreting one, with the same data. */
function twin(program: number[], regs: Record<number, number>): [TestMachine, TestMachine] {
  return [true, false].map((jit) => {
    const m = makeMachine({ jit });
    installHandlers(m);
    for (let i = 0; i < 0x2000; i += 4) m.w32(DATA + i, i * 0x9e3779b1);
    m.load(program);
    for (const [r, v] of Object.entries(regs)) m.cpu.setReg(Number(r), v);
    return m;
  }) as [TestMachine, TestMachine];
}

/** Runs both harts `steps` steps in uneven slices, then compares counts, registers and pc. */
function runBoth(jit: TestMachine, ref: TestMachine, steps: number, slices = [1, 7, 333, 64, 1000, 5]): void {
  for (let done = 0, k = 0; done < steps; k++) {
    const n = Math.min(slices[k % slices.length], steps - done);
    jit.run(n);
    ref.run(n);
    done += n;
    expect(jit.cpu.retired, `after ${done} steps`).toBe(ref.cpu.retired);
  }
  for (let r = 0; r < 32; r++) expect(jit.reg(r), `x${r}`).toBe(ref.reg(r));
  expect(jit.cpu.pc).toBe(ref.cpu.pc);
}

// A loop summing words, halfwords (misaligned one time in two) and bytes over two pages, restarted forever.
const SUM_LOOP = [
  A.add(t0, s0, 0),
  A.addi(s1, 0, 1024),
  A.lw(a0, t0, 0),
  A.add(a1, a1, a0),
  A.lh(a0, t0, 5),
  A.add(a1, a1, a0),
  A.lbu(a0, t0, 2),
  A.add(a1, a1, a0),
  A.addi(t0, t0, 6),
  A.addi(s1, s1, -1),
  A.bne(s1, 0, -32),
  A.jal(0, -40),
];

describe('rv32 wasm regions: direct loads against the interpreter', () => {
  it('a region compiled with direct loads runs on after a locked PMP rule closes the window (and faults as the interpreter)', () => {
    const before = wasmRegionStats.directLoads;
    const [jit, ref] = twin(SUM_LOOP, { [s0]: DATA });
    runBoth(jit, ref, 30_000);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(wasmRegionStats.directLoads).toBeGreaterThan(before);
    // A locked rule over RAM that allows execution only, then one granting RAM's second half (DATA's) R/W too.
    for (const m of [jit, ref]) {
      m.cpu.pmp.writeAddr(0, (RAM_BASE + 0x10000) >>> 2);
      m.cpu.pmp.writeAddr(1, (RAM_BASE + RAM_SIZE) >>> 2);
      m.cpu.pmp.writeCfg(0, (0x80 | 0x08 | 0x04) | ((0x80 | 0x08 | 0x03) << 8)); // entry 0 TOR X L, entry 1 TOR RW L
      m.cpu.flushTlbAll();
    }
    expect(loadLimit(jit)).toBe(0);
    runBoth(jit, ref, 30_000);
    expect(jit.cpu.mcause).toBe(ref.cpu.mcause);
    // Now DATA is denied: the next load faults in both.
    for (const m of [jit, ref]) {
      m.cpu.pmp.reset();
      m.cpu.pmp.writeAddr(0, (RAM_BASE + 0x10000) >>> 2);
      m.cpu.pmp.writeAddr(1, (RAM_BASE + RAM_SIZE) >>> 2);
      m.cpu.pmp.writeCfg(0, (0x80 | 0x08 | 0x04) | ((0x80 | 0x08 | 0x04) << 8));
      m.cpu.flushTlbAll();
      // At the loop's head (a region entry) rather than at a load the interpreter would run first.
      m.cpu.pc = RAM_BASE + 8;
      m.cpu.setReg(t0, DATA);
      m.cpu.setReg(s1, 1024);
    }
    // One slice: the region (not the interpreter's first steps) meets the denied load.
    runBoth(jit, ref, 3000, [3000]);
    expect(ref.cpu.mcause).toBe(5); // load access fault
    expect(jit.cpu.mcause).toBe(5);
    expect(jit.cpu.mtval).toBe(ref.cpu.mtval);
  });

  it('a region compiled with direct loads runs on in S-mode (through the TLB)', () => {
    const [jit, ref] = twin(SUM_LOOP, { [s0]: DATA });
    runBoth(jit, ref, 30_000);
    for (const m of [jit, ref]) {
      openPmp(m);
      m.cpu.setPrivilege(PRV_S);
    }
    runBoth(jit, ref, 30_000);
  });

  it('direct loads leave for an address outside RAM (MMIO) and a pointer back into RAM', () => {
    // t0 alternates between DATA and the test device.
    const program = [A.addi(s1, 0, 2000), A.lw(a0, t0, 0), A.add(a1, a1, a0), A.xor(t0, t0, s0), A.addi(s1, s1, -1), A.bne(s1, 0, -16), A.ebreak()];
    const [jit, ref] = twin(program, { [s0]: (DATA ^ MMIO_BASE) | 0, [t0]: DATA });
    runBoth(jit, ref, 2000 * 5 + 2);
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.reg(a1)).toBe(ref.reg(a1));
  });
});

describe('rv32 wasm regions: x0 as the destination', () => {
  it('ALU, LUI, AUIPC, MULH and a load into x0 change no register (the load still reads), as in the interpreter', () => {
    const body = [A.add(0, a0, a1), A.addi(0, a0, 5), A.lui(0, 0x12345), A.auipc(0, 0), A.mulh(0, a0, a1), A.lw(0, t0, 0), A.add(a1, a1, a0), A.addi(a0, a0, 3), A.addi(s1, s1, -1)];
    const program = [A.addi(s1, 0, 1000), ...body, A.bne(s1, 0, -4 * body.length), A.ebreak()];
    const [jit, ref] = twin(program, { [t0]: DATA, [a0]: 0x7fff1234, [a1]: -77 });
    const before = wasmRegionStats.directLoads;
    runBoth(jit, ref, 1 + 1000 * (body.length + 1));
    expect(wasmRegionStats.directLoads).toBeGreaterThan(before); // the loop ran as a wasm region
    expect(jit.reg(0)).toBe(0);
    expect(jit.reg(a1)).toBe(ref.reg(a1));
  });
});

describe('rv32 wasm regions: branch hints', () => {
  it('mark the rare paths (budget, TLB, page flags, divisor) of a region with and without direct loads, each on an if or br_if', () => {
    const insn = (op: Op, rd: number, rs1: number, rs2: number, imm: number, k: number) => ({ op, rd, rs1, rs2, imm, off: 4 * k, len: 4 });
    const blocks: RegionBlock[] = [
      {
        start: 0,
        insns: [insn(Op.LW, a0, t0, 0, 0, 0), insn(Op.SW, 32, t0, a0, 4, 1), insn(Op.DIV, a1, a1, a0, 0, 2), insn(Op.ADDI, t0, t0, 0, 8, 3), insn(Op.BNE, 32, t0, s0, -16, 4)],
      },
      { start: 20, insns: [insn(Op.JAL, 32, 0, 0, 0x1000, 0)] },
    ];
    for (const ramBase of [RAM_BASE, null]) {
      const { body, hints, hintsFirst } = readHints(generateWasmRegion(jitKit, { area: 0x10000, flags: 0x20000 }, blocks, ramBase));
      expect(hintsFirst).toBe(true);
      expect(hints.length).toBeGreaterThan(5);
      for (const [off] of hints) expect([WasmOp.if, WasmOp.br_if]).toContain(body[off]);
      expect(hints.filter(([, likely]) => likely === 0).length).toBeGreaterThan(4);
    }
  });
});

describe('rv32 wasm regions: host calls', () => {
  it('go through an imported table: a region module imports no function, so V8 compiles no import wrapper for each', () => {
    const insn = (op: Op, rd: number, rs1: number, rs2: number, imm: number, k: number) => ({ op, rd, rs1, rs2, imm, off: 4 * k, len: 4 });
    const blocks: RegionBlock[] = [{ start: 0, insns: [insn(Op.SW, 32, t0, a0, 4, 0), insn(Op.ADDI, t0, t0, 0, 8, 1), insn(Op.BNE, 32, t0, s0, -8, 2)] }];
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(generateWasmRegion(jitKit, { area: 0x10000, flags: 0x20000 }, blocks, null) as Uint8Array<ArrayBuffer>));
    expect(imports.map((i) => i.kind).sort()).toEqual(['memory', 'table']);
  });
});

describe('rv32 wasm regions: indirect jumps', () => {
  it('bucket their targets by halfword index modulo a power of two, one target per bucket when it can', () => {
    const offsets = [0, 4, 8, 12, 20, 30, -6];
    const buckets = dispatchBuckets(offsets);
    expect(buckets.length & (buckets.length - 1)).toBe(0);
    expect(buckets.flat().sort((p, q) => p - q)).toEqual([...offsets].sort((p, q) => p - q));
    buckets.forEach((bucket, k) => bucket.forEach((off) => expect((off >> 1) & (buckets.length - 1)).toBe(k)));
    expect(Math.max(...buckets.map((b) => b.length))).toBe(1);
    // Sixteen targets 32 bytes apart share buckets two by two in every table of up to 8x16 buckets: the least crowded.
    const spread = dispatchBuckets(Array.from({ length: 16 }, (_, k) => 32 * k));
    expect(Math.max(...spread.map((b) => b.length))).toBe(2);
    expect(spread.length).toBe(128);
  });

  it('a function returning to three call sites of one region agrees with the interpreter', () => {
    // main: a loop calling f from three places (each adds its own amount); f: a1 += a0 * 3, returns with JALR.
    const f = 4 * 14;
    const program = [
      A.addi(s1, 0, 600),
      A.addi(a0, 0, 1), // 4
      A.jal(ra, f - 8), // 8: call f
      A.addi(a0, 0, 2), // 12
      A.jal(ra, f - 16), // 16: call f
      A.addi(a0, 0, 5), // 20
      A.jal(ra, f - 24), // 24: call f
      A.addi(s1, s1, -1), // 28
      A.bne(s1, 0, -28), // 32
      A.ebreak(), // 36
      A.nop(),
      A.nop(),
      A.nop(),
      A.nop(),
      A.add(t0, a0, a0), // f = 56
      A.add(t0, t0, a0),
      A.add(a1, a1, t0),
      A.jalr(0, ra, 0),
    ];
    const before = wasmRegionStats.keyedJumps;
    const [jit, ref] = twin(program, { [sp]: DATA });
    runBoth(jit, ref, 600 * 20 + 2);
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.reg(a1)).toBe(600 * 3 * 8);
    expect(wasmRegionStats.keyedJumps).toBeGreaterThan(before);
  });

  it('slices ending at every step of a loop with a diamond and a call whose return comes back through the keyed dispatch agree with the interpreter', () => {
    // A loop with a diamond and a call to f, whose return goes back into the region through the keyed dispatch.
    const f = 4 * 13;
    const program = [
      A.addi(s1, 0, 300),
      A.andi(t0, s1, 1), // 4: loop head
      A.beq(t0, 0, 12), // 8
      A.addi(a1, a1, 3), // 12
      A.addi(a1, a1, 5), // 16
      A.jal(ra, f - 20), // 20: call f
      A.addi(a1, a1, 7), // 24: return site
      A.xor(a0, a0, a1), // 28
      A.addi(s1, s1, -1), // 32
      A.bne(s1, 0, -32), // 36
      A.ebreak(), // 40
      A.nop(),
      A.nop(),
      A.add(a0, a0, s1), // f = 52
      A.jalr(0, ra, 0),
    ];
    const [jit, ref] = twin(program, { [sp]: DATA });
    runBoth(jit, ref, 300 * 10 + 2, Array.from({ length: 23 }, (_, k) => k + 1));
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(jit.cpu.mcause).toBe(ref.cpu.mcause);
    expect(jit.reg(a0)).toBe(ref.reg(a0));
  });
});
