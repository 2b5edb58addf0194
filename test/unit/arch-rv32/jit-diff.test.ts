/**
 * Random instruction streams under both engines (issue 11): seeded, valid RV32IMAC loops run from the same
 * state on an interpreter-only hart (`engine: 'interp'`) and on one that compiles hot blocks (`'jit'`);
 * registers, pc, retired count, the scratch data page and the code page must agree after every slice.
 * Bodies mix ALU, M, loads/stores into a scratch page, A (LR/SC, AMOs), counter CSR reads (instret
 * exposes a miscounted block at once), exceptions taken and returned from (ecall, access faults: exact
 * pc and count), forward branches and jumps inside the body, compressed forms, stores into the
 * loop's own code (with and without FENCE.I), and back edges inside the body (loops that nest or cross,
 * bounded by a fuel register: the wasm regions' loop layout, jit-wasm.ts loopScopes).
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { HANDLER, makeMachine, RAM_BASE, type TestMachine } from './machine.js';
import { rng } from '../../helpers/rng.js';

const CODE = RAM_BASE;
const DATA = RAM_BASE + 0x10000;
/** Registers the body never writes: the scratch base, the loop counter and the code base. */
const BASE = A.s0; // x8, usable by c.lw/c.sw
const COUNT = 9; // s1
const CODE_BASE = A.s2; // x18
const TMP = 5; // t0: address and patch-word temporary, only inside one item
/** Back edges inside the body run while this counts down (reset once per pass of the body). */
const FUEL = 21; // s5
const FUEL_PER_PASS = 4;
/** The trap handler: resumes after the 4-byte instruction that trapped (ecall, a faulting load or store). */
const TRAP_RETURN = [A.csrr(TMP, 0x341), A.addi(TMP, TMP, 4), A.csrw(0x341, TMP), A.mret()];
const DST = [1, 2, 3, 4, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 28, 29, 30, 31];
const SRC = [0, ...DST, BASE, COUNT];
/** Compressed-register destinations (x8..x15 minus the reserved s0/s1). */
const CDST = [10, 11, 12, 13, 14, 15];

/**
 * One unit of the body: a few instructions that belong together (an address computed then used), so
 * that branches land only between items. `jump` items are branches filled in once the layout is known.
 */
type Item = { insns: number[]; patchSlot?: true } | { jump: (offset: number) => number; maxReach: number; to: number } | { patch: number; fence: boolean } | { back: number };

interface Options {
  smc: boolean;
  /** Back edges to earlier items (or the item itself) while FUEL lasts. */
  loops?: boolean;
}

function randomItems(rand: () => number, length: number, opts: Options): Item[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const dst = () => pick(DST);
  const src = () => pick(SRC);
  const imm12 = () => int(4096) - 2048;
  const rr = [A.add, A.sub, A.sll, A.slt, A.sltu, A.xor, A.srl, A.sra, A.or, A.and, A.mul, A.mulh, A.mulhsu, A.mulhu, A.div, A.divu, A.rem, A.remu];
  const ri = [A.addi, A.slti, A.sltiu, A.xori, A.ori, A.andi];
  const amo = [A.amoswap_w, A.amoadd_w, A.amoxor_w, A.amoand_w, A.amoor_w, A.amomin_w, A.amomax_w, A.amominu_w, A.amomaxu_w];
  const branches = [A.beq, A.bne, A.blt, A.bge, A.bltu, A.bgeu];
  /** A word-aligned address in the scratch page from a random register, into TMP. */
  const scratchAddress = () => [A.andi(TMP, src(), 0x7fc), A.add(TMP, TMP, BASE)];
  const items: Item[] = [];
  while (items.length < length) {
    const k = rand();
    const at = items.length;
    const forward = () => at + 1 + int(Math.min(8, length - at)); // an item boundary after this one, up to the loop tail
    if (opts.loops && rand() < 0.1) items.push({ back: int(at + 1) });
    else if (k < 0.22) items.push({ insns: [pick(rr)(dst(), src(), src())] });
    else if (k < 0.34) items.push({ insns: [pick(ri)(dst(), src(), imm12())] });
    else if (k < 0.38) items.push({ insns: [pick([A.slli, A.srli, A.srai])(dst(), src(), int(32))] });
    else if (k < 0.4) items.push({ insns: [pick([A.lui, A.auipc])(dst(), int(0x100000))] });
    else if (k < 0.48) {
      const w = pick([1, 2, 4]);
      const off = int(512) * 4 + (rand() < 0.05 ? 1 : w === 2 ? pick([0, 2]) : w === 1 ? int(4) : 0);
      const load = pick(w === 4 ? [A.lw] : w === 2 ? [A.lh, A.lhu] : [A.lb, A.lbu]);
      items.push({ insns: rand() < 0.5 ? [load(dst(), BASE, off)] : [...scratchAddress(), load(dst(), TMP, off & 3)] });
    } else if (k < 0.55) {
      const w = pick([1, 2, 4]);
      const off = int(512) * 4 + (w === 1 ? int(4) : w === 2 ? pick([0, 2]) : 0);
      const store = pick(w === 4 ? [A.sw] : w === 2 ? [A.sh] : [A.sb]);
      items.push({ insns: rand() < 0.5 ? [store(src(), BASE, off)] : [...scratchAddress(), store(src(), TMP, off & 3)] });
    } else if (k < 0.6) {
      if (rand() < 0.3) items.push({ insns: [...scratchAddress(), A.lr_w(dst(), TMP), pick(ri)(dst(), src(), imm12()), A.sc_w(dst(), src(), TMP)] });
      else items.push({ insns: [...scratchAddress(), pick(amo)(dst(), src(), TMP)] });
    } else if (k < 0.63) {
      // Counters and a scratch CSR: instret and cycle read the exact count mid-block.
      items.push({ insns: [pick([A.csrr(dst(), 0xb02), A.csrr(dst(), 0xc02), A.csrr(dst(), 0xb00), A.csrr(dst(), 0xc00), A.csrrw(dst(), 0x340, src())])] });
    } else if (k < 0.65) {
      // Exact exceptions from inside a block: an ecall, a load from unmapped address 0 (the handler resumes after them).
      items.push({ insns: [rand() < 0.5 ? A.ecall() : pick([A.lw, A.lbu, A.sw])(src(), 0, 0)] });
    } else if (k < 0.78) {
      const c = [
        () => A.c_addi(dst(), int(63) - 31 || 1),
        () => A.c_li(dst(), int(64) - 32),
        () => A.c_lui(pick(DST.filter((r) => r !== 2)), rand() < 0.5 ? -(int(32) + 1) : int(31) + 1),
        () => A.c_mv(dst(), pick(DST)),
        () => A.c_add(dst(), pick(DST)),
        () => pick([A.c_sub, A.c_xor, A.c_or, A.c_and])(pick(CDST), pick([...CDST, BASE, COUNT])),
        () => pick([A.c_srli, A.c_srai])(pick(CDST), int(31) + 1),
        () => A.c_andi(pick(CDST), int(64) - 32),
        () => A.c_slli(dst(), int(31) + 1),
        () => A.c_lw(pick(CDST), BASE, int(32) * 4),
        () => A.c_sw(pick([...CDST, BASE, COUNT]), BASE, int(32) * 4),
        () => A.c_nop(),
      ];
      items.push({ insns: [pick(c)()] });
    } else if (k < 0.92) {
      const to = forward();
      const r1 = src();
      const r2 = src();
      const b = pick(branches);
      const cr = pick([...CDST, BASE, COUNT]);
      const rd = dst();
      const forms: Array<[(o: number) => number, number]> = [
        [(o) => b(r1, r2, o), 4094],
        [(o) => A.c_beqz(cr, o), 254],
        [(o) => A.c_bnez(cr, o), 254],
        [(o) => A.c_j(o), 2046],
        [(o) => A.jal(rand() < 0.5 ? 0 : rd, o), 4094],
      ];
      const [jump, maxReach] = pick(forms);
      items.push({ jump, maxReach, to });
    } else if (opts.smc && k < 0.97) {
      items.push({ patch: [A.addi, A.xori, A.ori][int(3)](pick(DST), pick(SRC), imm12()), fence: rand() < 0.5 });
    } else items.push({ insns: [A.nop()], patchSlot: true });
  }
  return items;
}

/** Byte length of an item once laid out (jumps are one instruction, sized by their form). */
function itemBytes(item: Item, jumpLength: Map<Item, number>): number {
  if ('jump' in item) return jumpLength.get(item)!;
  if ('patch' in item) return item.fence ? 16 : 12; // li TMP (2) + sw [+ fence.i]
  if ('back' in item) return 8; // addi FUEL, -1; blt x0, FUEL
  return item.insns.reduce((s, i) => s + A.insnLength(i), 0);
}

/**
 * Lays the loop out at CODE: prologue, body, `addi s1,-1; bne s1,0,body; j .` (with back edges,
 * `li s5,fuel` before the `bne` and in the prologue). Branches get their
 * offsets; one out of reach of its form becomes a `nop` of the same length.
 * Patch items store their word over the first patch slot (a `nop` in the body).
 */
function layout(items: Item[], iterations: number, loops = false): number[] {
  const refuel = loops ? [A.addi(FUEL, 0, FUEL_PER_PASS)] : [];
  const prologue = [...A.li(BASE, DATA), ...A.li(COUNT, iterations), ...A.li(CODE_BASE, CODE), ...refuel];
  const bodyStart = prologue.reduce((s, i) => s + A.insnLength(i), 0);
  const jumpLength = new Map<Item, number>();
  for (const item of items) if ('jump' in item) jumpLength.set(item, A.insnLength(item.jump(0)));
  const starts: number[] = [];
  let at = bodyStart;
  for (const item of items) {
    starts.push(at);
    at += itemBytes(item, jumpLength);
  }
  starts.push(at); // the loop tail
  const slotIndex = items.findIndex((item) => 'patchSlot' in item);
  const body: number[] = [];
  items.forEach((item, i) => {
    if ('jump' in item) {
      const offset = starts[item.to] - starts[i];
      const fits = offset > 0 && offset <= item.maxReach;
      body.push(fits ? item.jump(offset) : jumpLength.get(item) === 2 ? A.c_nop() : A.nop());
    } else if ('back' in item) {
      body.push(A.addi(FUEL, FUEL, -1), A.blt(0, FUEL, starts[item.back] - (starts[i] + 4)));
    } else if ('patch' in item) {
      // With no slot to patch, the store goes to the word after the final `j .` (code page, not code).
      const target = slotIndex >= 0 ? starts[slotIndex] : at + 12 + 4 * refuel.length;
      body.push(...A.li(TMP, item.patch), A.sw(TMP, CODE_BASE, target), ...(item.fence ? [A.fence_i()] : []));
    } else body.push(...item.insns);
  });
  const bodyBytes = at - bodyStart;
  return [...prologue, ...body, A.addi(COUNT, COUNT, -1), ...refuel, A.bne(COUNT, 0, -(bodyBytes + 4 + 4 * refuel.length)), A.jal(0, 0)];
}

function twin(program: number[], seed: number): Record<'interp' | 'jit', TestMachine> {
  const rand = rng(seed ^ 0x5eed);
  const regs = Array.from({ length: 32 }, () => Math.floor(rand() * 2 ** 32));
  const data = Array.from({ length: 1024 }, () => Math.floor(rand() * 2 ** 32));
  const make = (engine: 'interp' | 'jit') => {
    const m = makeMachine({}, engine);
    m.events.on('trap', (t) => Object.assign(t, { retired: m.cpu.retired }));
    m.load(TRAP_RETURN, HANDLER);
    m.cpu.mtvec = HANDLER;
    m.load(program, CODE);
    for (let r = 1; r < 32; r++) m.cpu.setReg(r, regs[r]);
    data.forEach((w, i) => m.w32(DATA + 4 * i, w));
    return m;
  };
  return { interp: make('interp'), jit: make('jit') };
}

function expectSameState(jit: TestMachine, ref: TestMachine, where: string): void {
  // Each trap (cause, pc, tval), in order; `retired` is exact at a trap too.
  expect(jit.traps, `${where}: traps`).toEqual(ref.traps);
  for (let r = 0; r < 32; r++) expect(jit.reg(r), `${where}: x${r}`).toBe(ref.reg(r));
  expect(jit.cpu.pc, `${where}: pc`).toBe(ref.cpu.pc);
  expect(jit.cpu.retired, `${where}: retired`).toBe(ref.cpu.retired);
  expect(jit.cpu.mcause, `${where}: mcause`).toBe(ref.cpu.mcause);
  const page = (m: TestMachine, addr: number) => Buffer.from(m.bus.ram.u8.subarray(addr - RAM_BASE, addr - RAM_BASE + 0x1000));
  expect(page(jit, DATA).equals(page(ref, DATA)), `${where}: scratch page`).toBe(true);
  expect(page(jit, CODE).equals(page(ref, CODE)), `${where}: code page`).toBe(true);
}

/** Runs both harts in the same uneven slices (budgets end inside compiled blocks), comparing after each. */
function runDifferential(seed: number, opts: Options): { compiled: number; traps: number } {
  const rand = rng(seed);
  const items = randomItems(rand, 4 + Math.floor(rand() * 40), opts);
  const program = layout(items, opts.loops ? 400 : 120, opts.loops);
  const { interp, jit } = twin(program, seed);
  // With back edges: enough passes for multi-block regions (REGION_THRESHOLD arrivals).
  const slices = [5, 1, 333, 64, 1000, 7, 2000, 20_000, ...(opts.loops ? [400_000] : [])];
  for (const [i, s] of slices.entries()) {
    expect(jit.run(s), `slice ${i}`).toBe(interp.run(s));
    expectSameState(jit, interp, `seed ${seed}, after slice ${i}`);
  }
  expect(interp.cpu.blocksCompiled).toBe(0);
  // Every loop runs to its final `j .`: the whole body was exercised.
  expect(interp.cpu.pc, `seed ${seed}: pc`).toBe(CODE + A.assemble(program).length - 4);
  return { compiled: jit.cpu.blocksCompiled, traps: interp.traps.length };
}

describe('rv32 engines on random instruction streams (interpreter vs block compiler)', () => {
  it('RV32IMAC loops with forward branches, compressed forms, atomics and counter reads', () => {
    let compiled = 0;
    let traps = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const r = runDifferential(seed, { smc: false });
      compiled += r.compiled;
      traps += r.traps;
    }
    expect(compiled).toBeGreaterThan(0);
    expect(traps).toBeGreaterThan(0);
  });

  it('loops that store over their own code, with and without FENCE.I', () => {
    let compiled = 0;
    for (let seed = 1001; seed <= 1060; seed++) compiled += runDifferential(seed, { smc: true }).compiled;
    expect(compiled).toBeGreaterThan(0);
  });
});

describe('rv32 engines on random loops inside loops (back edges that nest and cross)', () => {
  it('agree on every slice', () => {
    let compiled = 0;
    for (let seed = 2001; seed <= 2060; seed++) compiled += runDifferential(seed, { smc: seed % 3 === 0, loops: true }).compiled;
    expect(compiled).toBeGreaterThan(0);
  });
});

describe('rv32 engine choice', () => {
  it('--engine (CpuContext.engine) wins over the board prop cpu.jit; without it the prop decides', () => {
    const compiles = (props: Record<string, unknown>, engine?: 'interp' | 'jit') => makeMachine(props, engine).cpu.jit;
    expect(compiles({ jit: false }, 'jit')).toBe(true);
    expect(compiles({ jit: true }, 'interp')).toBe(false);
    expect(compiles({}, 'interp')).toBe(false);
    expect(compiles({ jit: false })).toBe(false);
    expect(compiles({})).toBe(true);
  });
});
