import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { generate, generateRegion } from '../../../plugins/arch-rv32/src/jit.js';
import { HANDLER, installHandlers, makeMachine, MMIO_BASE, openPmp, RAM_BASE, type TestMachine } from './machine.js';
import { rng } from '../../helpers/rng.js';

const { s0, s1, a0, a1, a2, t0, t1 } = A;
const DATA = RAM_BASE + 0x10000;

/** A random loop body over x1..x31 (s0 = data base and s1 = loop counter are never written). */
function randomBody(rand: () => number, length: number): number[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const reg = () => pick([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31]);
  const dst = () => pick([1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30, 31]);
  const cdst = () => pick([10, 11, 12, 13, 14, 15]);
  const imm12 = () => Math.floor(rand() * 4096) - 2048;
  const rr = [A.add, A.sub, A.sll, A.slt, A.sltu, A.xor, A.srl, A.sra, A.or, A.and, A.mul, A.mulh, A.mulhsu, A.mulhu, A.div, A.divu, A.rem, A.remu];
  const ri = [A.addi, A.slti, A.sltiu, A.xori, A.ori, A.andi];
  const body: number[] = [];
  while (body.length < length) {
    const k = rand();
    if (k < 0.3) body.push(pick(rr)(dst(), reg(), reg()));
    else if (k < 0.5) body.push(pick(ri)(dst(), reg(), imm12()));
    else if (k < 0.58) body.push(pick([A.slli, A.srli, A.srai])(dst(), reg(), Math.floor(rand() * 32)));
    else if (k < 0.62) body.push(pick([A.lui, A.auipc])(dst(), Math.floor(rand() * 0x100000)));
    else if (k < 0.75) {
      const misaligned = rand() < 0.1;
      const w = pick([1, 2, 4]);
      const off = Math.floor(rand() * 256) * 4 + (misaligned ? 1 : w === 2 ? pick([0, 2]) : Math.floor(rand() * (w === 1 ? 4 : 1)));
      body.push(pick(w === 4 ? [A.lw] : w === 2 ? [A.lh, A.lhu] : [A.lb, A.lbu])(dst(), s0, off));
    } else if (k < 0.85) {
      const w = pick([1, 2, 4]);
      const off = Math.floor(rand() * 256) * 4 + (rand() < 0.1 ? 1 : 0);
      body.push(pick(w === 4 ? [A.sw] : w === 2 ? [A.sh] : [A.sb])(reg(), s0, off));
    } else if (k < 0.95) {
      const c = [
        () => A.c_addi(dst(), Math.floor(rand() * 63) - 31 || 1),
        () => A.c_li(dst(), Math.floor(rand() * 63) - 31),
        () => A.c_mv(dst(), pick([1, 2, 5, 10, 12])),
        () => A.c_add(dst(), pick([1, 2, 5, 10, 12])),
        () => A.c_sub(cdst(), cdst()),
        () => A.c_and(cdst(), cdst()),
        () => A.c_srai(cdst(), Math.floor(rand() * 31) + 1),
        () => A.c_slli(dst(), Math.floor(rand() * 31) + 1),
      ];
      body.push(pick(c)());
    } else body.push(A.nop());
  }
  return body;
}

function bodyBytes(body: number[]): number {
  return body.reduce((s, i) => s + A.insnLength(i), 0);
}

/** Builds the same program on a JIT machine and an interpreter-only machine. */
function twin(program: Array<number | number[]>, setup: (m: TestMachine) => void = () => {}): [TestMachine, TestMachine] {
  return [true, false].map((jit) => {
    const m = makeMachine({ jit });
    installHandlers(m);
    m.load(program);
    setup(m);
    return m;
  }) as [TestMachine, TestMachine];
}

function expectSameState(jit: TestMachine, ref: TestMachine) {
  for (let r = 0; r < 32; r++) expect(jit.reg(r), `x${r}`).toBe(ref.reg(r));
  expect(jit.cpu.pc).toBe(ref.cpu.pc);
  expect(jit.cpu.retired).toBe(ref.cpu.retired);
  expect(Buffer.from(jit.bus.ram.u8.subarray(0x10000, 0x11000)).equals(Buffer.from(ref.bus.ram.u8.subarray(0x10000, 0x11000)))).toBe(true);
}

describe('rv32 block compiler: differential against the interpreter', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`random loop #${seed}`, () => {
      const rand = rng(seed);
      const body = randomBody(rand, 1 + Math.floor(rand() * 40));
      const iterations = 100;
      const program = [A.li(s0, DATA), A.addi(s1, 0, iterations), ...body, A.addi(s1, s1, -1), A.bne(s1, 0, -(bodyBytes(body) + 4)), A.ebreak()];
      const [jit, ref] = twin(program, (m) => {
        for (let r = 1; r < 32; r++) if (r !== s0 && r !== s1) m.cpu.setReg(r, Math.floor(rand() * 2 ** 32));
        for (let i = 0; i < 0x1000; i += 4) m.w32(DATA + i, (i * 0x9e3779b9) >>> 0);
      });
      // Seed both with the same register values.
      for (let r = 1; r < 32; r++) ref.cpu.setReg(r, jit.cpu.getReg(r));
      const total = 3 + iterations * (body.length + 2) + 1;
      // Run in uneven slices so that budgets end inside compiled blocks and self-loops.
      const slices = [7, 1, 333, 64, 1000, 5, 50000];
      let left = total;
      for (const s of slices) {
        const k = Math.min(s, left);
        expect(jit.run(k)).toBe(k);
        expect(ref.run(k)).toBe(k);
        left -= k;
        expectSameState(jit, ref);
        if (left === 0) break;
      }
      expect(jit.cpu.pc).toBe(HANDLER);
      expect(jit.cpu.mcause).toBe(3);
      expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
      expect(ref.cpu.blocksCompiled).toBe(0);
    });
  }
});

describe('rv32 region compiler: loops of several blocks in one function', () => {
  /**
   * `loop: a0 += 1; if (a0 & 1) { a1 += a0; lw a2, 0(t0) } else { a1 ^= a2 }; s1 -= 1; bnez s1, loop`:
   * four blocks, the load in a block other than the entry.
   */
  function branchyLoop(iterations: number) {
    return [
      A.addi(s1, 0, iterations),
      /* 4 loop: */ A.addi(a0, a0, 1),
      A.andi(t1, a0, 1),
      A.beq(t1, 0, 16), // to else
      A.add(a1, a1, a0),
      A.lw(a2, t0, 0),
      A.jal(0, 8), // to join
      /* 28 else: */ A.xor(a1, a1, a2),
      /* 32 join: */ A.addi(s1, s1, -1),
      A.bne(s1, 0, -32),
      A.ebreak(),
    ];
  }

  it('matches the interpreter in uneven slices, with the loop compiled as one region', () => {
    const [jit, ref] = twin(branchyLoop(1000), (m) => m.cpu.setReg(t0, DATA));
    jit.w32(DATA, 7);
    ref.w32(DATA, 7);
    const total = 1 + 1000 * 7 + 1;
    let left = total;
    for (let k = 3; left > 0; k = (k * 7 + 5) % 301) {
      const step = Math.min(k + 1, left);
      expect(jit.run(step)).toBe(step);
      expect(ref.run(step)).toBe(step);
      left -= step;
      expectSameState(jit, ref);
    }
    expect(jit.cpu.mcause).toBe(3);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('a trap in a block after the entry reports its pc and count, and keeps earlier results', () => {
    const [jit, ref] = twin(branchyLoop(1000), (m) => m.cpu.setReg(t0, DATA));
    for (const m of [jit, ref]) {
      m.run(1 + 600 * 7 - 100);
      m.cpu.setReg(t0, 0x40000000);
      m.run(50);
    }
    expectSameState(jit, ref);
    expect(jit.cpu.mcause).toBe(5);
    expect(jit.cpu.mepc).toBe(RAM_BASE + 20);
    expect(jit.traps.length).toBe(ref.traps.length);
  });

  it('generates one function with a switch over the blocks, and a write over a later block drops the region', () => {
    const src = generateRegion([
      { start: 0, insns: [{ op: 21 /* ADDI */, rd: 10, rs1: 10, rs2: 0, imm: 1, off: 0, len: 4 }, { op: 7 /* BEQ */, rd: 32, rs1: 10, rs2: 0, imm: 8, off: 4, len: 4 }] },
      { start: 8, insns: [{ op: 8 /* BNE */, rd: 32, rs1: 10, rs2: 11, imm: -8, off: 0, len: 4 }] },
    ] as never);
    expect(src).toContain('switch (blk)');
    expect(src.match(/x\[10\] = r10/g)?.length).toBe(1); // one epilogue
    // Edges between blocks set a constant only (a rare edge first taken late does not
    // deoptimize V8's code): each block checks the budget for itself first and counts its
    // steps before its branch, code that ran whenever the block did.
    expect(src).toContain('{ blk = 0; continue run; }');
    expect(src).not.toMatch(/ret = \d+; (blk|continue)/);
    expect(src).not.toContain('need');
    expect(src).toContain('if (steps + 2 > maxSteps) { nx = 0; ret = 0; break run; }');
    expect(src).toContain('if (steps + 1 > maxSteps) { nx = 8; ret = 0; break run; }');
    expect(src.match(/steps = \(steps \+ 2\) \| 0;\nif \(r10 === 0\)/g)?.length).toBe(1);
    expect(src.match(/steps = \(steps \+ 1\) \| 0;\nif \(r10 !== r11\)/g)?.length).toBe(1);
    const m = makeMachine();
    installHandlers(m);
    m.cpu.setReg(t0, DATA);
    m.load(branchyLoop(1000));
    m.run(1 + 600 * 7);
    expect(m.cpu.codeCache.translations).toBeGreaterThan(0);
    // Patch `xor a1, a1, a2` (else block, offset 28) into `sub a1, a1, a2`.
    m.poke(RAM_BASE + 28, A.assemble([A.sub(a1, a1, a2)]));
    expect(m.cpu.codeCache.translations).toBe(0);
  });
});

describe('rv32 block compiler: exits', () => {
  /** A hot loop whose iteration `hit` does something special through register a2. */
  function hotLoop(special: number[], iterations = 80) {
    const body = [A.addi(a0, a0, 1), A.addi(a1, a1, 3), ...special, A.addi(a0, a0, 1)];
    return [A.addi(s1, 0, iterations), ...body, A.addi(s1, s1, -1), A.bne(s1, 0, -(bodyBytes(body) + 4)), A.ebreak()];
  }

  it('a trap inside a compiled block keeps earlier results, leaves rd alone, reports the pc', () => {
    // Load through t0: valid RAM for 60 iterations, then t0 is made unmapped from outside.
    const m = makeMachine();
    installHandlers(m);
    m.load(hotLoop([A.lw(a2, t0, 0)]));
    m.cpu.setReg(t0, DATA);
    m.run(1 + 60 * 6);
    expect(m.reg(a0)).toBe(120);
    m.cpu.setReg(t0, 0x40000000);
    m.cpu.setReg(a2, 1234);
    const before = m.cpu.retired;
    m.run(10);
    expect(m.cpu.mcause).toBe(5);
    expect(m.cpu.mtval).toBe(0x40000000);
    expect(m.cpu.mepc).toBe(RAM_BASE + 12);
    expect(m.reg(a0)).toBe(121);
    expect(m.reg(a1)).toBe(61 * 3);
    expect(m.reg(a2)).toBe(1234);
    // 2 instructions retired before the fault, then the handler's `j .` retires the rest
    expect(m.cpu.retired - before).toBe(2 + 7);
  });

  it('MMIO accesses from a compiled block reach the device and count exactly', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load(hotLoop([A.lw(a2, t0, 0), A.sw(a0, t0, 4)], 100));
    m.cpu.setReg(t0, MMIO_BASE);
    m.dev.regs[0] = 7;
    m.run(1 + 100 * 7);
    expect(m.dev.log.filter((l) => l.write).length).toBe(100);
    expect(m.dev.regs[1]).toBe(199);
    expect(m.reg(a2)).toBe(7);
    expect(m.cpu.retired).toBe(1 + 100 * 7);
  });

  it('a device observing `retired` mid-block sees the exact count (mid-slice mtime)', () => {
    const m = makeMachine();
    installHandlers(m);
    const seen: number[] = [];
    m.bus.map({ name: 'probe', base: 0x20000000, size: 4, index: 0, device: { name: 'probe', read: () => (seen.push(m.cpu.retired), 0) } });
    m.load(hotLoop([A.lw(a2, t0, 0)], 50));
    m.cpu.setReg(t0, 0x20000000);
    m.run(1 + 50 * 6);
    // the load is instruction 4 of iteration i (0-based): 1 + 6i + 2 retired before it
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => 1 + 6 * i + 2));
  });

  it('an interrupt raised by a store in a compiled block is taken right after the store', () => {
    const m = makeMachine();
    installHandlers(m);
    const msip = m.cpu.irqInput('msip')!;
    let stores = 0;
    m.bus.map({ name: 'ipi', base: 0x20000000, size: 4, index: 0, device: { name: 'ipi', write: () => msip.set(++stores === 70) } });
    m.cpu.mie = 1 << 3;
    m.cpu.mstatus = 1 << 3;
    m.load(hotLoop([A.sw(a0, t0, 0)], 100));
    m.cpu.setReg(t0, 0x20000000);
    m.run(1 + 100 * 6);
    expect(m.traps[0]).toMatchObject({ interrupt: true, cause: 3 });
    expect(m.cpu.mepc).toBe(RAM_BASE + 16);
    expect(m.reg(a0)).toBe(69 * 2 + 1);
  });

  it('self-modifying code inside a compiled loop takes effect on the next iteration', () => {
    const m = makeMachine();
    // a2 counts; at iteration 60 the loop overwrites its own `addi a2, a2, 1` with `addi a2, a2, 100`
    const patched = A.addi(a2, a2, 100);
    const body = [A.addi(a2, a2, 1), A.addi(a0, a0, 1), A.bne(a0, t0, 8), A.sw(a1, s0, 0), A.addi(s1, s1, -1)];
    m.load([A.li(s0, RAM_BASE + 20), A.li(a1, patched), A.addi(s1, 0, 100), ...body, A.bne(s1, 0, -20), A.ebreak()]);
    m.cpu.setReg(t0, 60);
    installHandlers(m);
    m.run(10_000);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a2)).toBe(60 + 40 * 100);
  });

  it('stores to data beside compiled code keep the block, which runs on without leaving', () => {
    const m = makeMachine();
    installHandlers(m);
    m.load(hotLoop([A.sw(a0, t0, 0)], 1000));
    m.cpu.setReg(t0, RAM_BASE + 0x800); // the code's own page
    m.run(1 + 300 * 6);
    const made = m.cpu.blocksCompiled;
    expect(made).toBeGreaterThan(0);
    m.run(700 * 6 + 1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.r32(RAM_BASE + 0x800)).toBe(1999);
    expect(m.cpu.blocksCompiled).toBe(made);
    expect(m.cpu.codeCache.translations).toBe(made);
  });

  it('a store over one compiled block drops that block only', () => {
    const m = makeMachine();
    installHandlers(m);
    // Two hot loops in one page, both compiled; after its loop the second patches the first's
    // `addi a0, a0, 1` into `addi a0, a0, 5`.
    const first = hotLoop([], 100).slice(0, -1).concat([A.jal(0, 0x200 - 0x118)]);
    m.load(first, RAM_BASE + 0x100);
    const second = hotLoop([], 100).slice(0, -1);
    m.load([...second, A.li(a2, A.addi(a0, a0, 5)), A.li(t0, RAM_BASE + 0x104), A.sw(a2, t0, 0), A.ebreak()], RAM_BASE + 0x200);
    m.cpu.pc = RAM_BASE + 0x100;
    m.run(1 + 100 * 5 + 1);
    const firstLoop = m.cpu.codeCache.translations;
    m.run(1 + 100 * 5);
    const both = m.cpu.codeCache.translations;
    expect(firstLoop).toBeGreaterThan(0);
    expect(both).toBeGreaterThan(firstLoop);
    m.run(5 + 1);
    expect(m.cpu.mcause).toBe(3);
    expect(m.reg(a0)).toBe(400);
    // The patched loop's translations are gone, the other loop's stay.
    expect(m.cpu.codeCache.translations).toBe(both - firstLoop);
    m.cpu.pc = RAM_BASE + 0x100;
    m.run(1 + 100 * 5);
    expect(m.reg(a0)).toBe(400 + 100 * 6);
  });

  it('stores to a watched page from a compiled block reach the watcher', () => {
    const m = makeMachine();
    installHandlers(m);
    const seen: number[] = [];
    m.bus.watch(DATA, 4, () => seen.push(m.r32(DATA)));
    m.load(hotLoop([A.sw(a0, t0, 0)], 60));
    m.cpu.setReg(t0, DATA);
    m.run(1 + 60 * 6);
    expect(seen.length).toBe(60);
    expect(seen[59]).toBe(119);
  });

  it('compiled blocks are position independent (one physical page at two virtual addresses)', () => {
    const m = makeMachine();
    installHandlers(m);
    openPmp(m);
    const ROOT = RAM_BASE + 0x20000;
    // VA 0x00400000 and 0x00800000 both map the physical page at RAM_BASE (4K pages via one L0 table)
    const L0 = RAM_BASE + 0x21000;
    m.w32(ROOT + 1 * 4, (((L0 >>> 12) << 10) | 1) >>> 0);
    m.w32(ROOT + 2 * 4, (((L0 >>> 12) << 10) | 1) >>> 0);
    m.w32(L0, (((RAM_BASE >>> 12) << 10) | 0xcb) >>> 0); // V R X A D... + G? 0xcb = V R X A D
    m.cpu.satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
    // loop 100 times computing auipc, then ebreak
    const body = [A.auipc(a0, 0), A.jal(a1, 4)];
    m.load([A.addi(s1, 0, 100), ...body, A.addi(s1, s1, -1), A.bne(s1, 0, -12), A.ebreak()]);
    for (const va of [0x00400000, 0x00800000]) {
      m.cpu.setPrivilege(1);
      m.cpu.pc = va;
      m.run(1 + 100 * 4 + 1);
      expect(m.reg(a0)).toBe(va + 4);
      expect(m.reg(a1)).toBe(va + 12);
      expect(m.cpu.mepc).toBe(va + 20);
    }
  });

  it('leaves a load or store that misses the TLB to the interpreter: an odd next pc, no slow-path call', () => {
    const src = generate([
      { op: 15 /* LW */, rd: 10, rs1: 11, rs2: 0, imm: 0, off: 0, len: 4 },
      { op: 20 /* SW */, rd: 32, rs1: 11, rs2: 10, imm: 4, off: 4, len: 4 },
      { op: 11 /* BLTU */, rd: 32, rs1: 10, rs2: 11, imm: -8, off: 8, len: 2 },
    ] as never);
    expect(src).toContain('nx = 1; ret = 0;'); // before the load, none done
    expect(src).toContain('nx = 5; ret = 1;'); // before the store, the load done
    expect(src).not.toMatch(/loadSlow|storeSlow/);
    expect(src).not.toContain('>>> 0'); // unsigned compares without heap numbers
  });

  it('generates a self-loop for a block that branches to itself', () => {
    const src = generate([
      { op: 21 /* ADDI */, rd: 10, rs1: 10, rs2: 0, imm: 1, off: 0, len: 4 },
      { op: 8 /* BNE */, rd: 32, rs1: 10, rs2: 11, imm: -4, off: 4, len: 4 },
    ] as never);
    expect(src).toContain('for (;;)');
  });

  it('the interpreter-only mode (cpu.jit = false) never compiles', () => {
    const m = makeMachine({ jit: false });
    m.load(hotLoop([], 100));
    m.run(1 + 100 * 5);
    expect(m.reg(a0)).toBe(200);
    expect(() => makeMachine({ jit: 'yes' })).toThrow(/cpu.jit/);
  });
});
