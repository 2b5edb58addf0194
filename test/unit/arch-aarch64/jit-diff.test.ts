/**
 * Random instruction streams under both engines (issue 11): seeded, valid A64 loops run from the same
 * state on an interpreter-only core (`cpu.jit: false`) and on one that translates hot blocks (jit.ts);
 * registers, SP, NZCV, pc, retired count, the exceptions taken, the scratch data page, the code page
 * and the MMIO log must agree after every slice of an uneven series (budgets end inside blocks).
 * Bodies mix the translated integer ops (32- and 64-bit; multiply, divide, CCMP inline), the ones it hands to the interpreter,
 * loads/stores of every size and addressing mode (some misaligned: Device memory with the MMU off,
 * so they fault), pairs, MMIO (single and pair accesses), loads from nowhere (external aborts), forward branches of every kind,
 * backward branches (bounded inner loops), calls and returns, and stores into the loop's own code.
 */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { rng } from '../../helpers/rng.js';
import { JIT_THRESHOLD } from '../../../plugins/arch-aarch64/src/jit.js';
import { CODE, DATA, makeMachine, MMIO_BASE, VECTORS, ERET, type A64Machine } from './machine.js';

/** Registers the body never writes: data base, loop counter, code base, MMIO base, a bad address, the handler's temp. */
const BASE = 19;
const COUNT = 20;
const CODE_BASE = 21;
const MMIO = 26;
const NOWHERE = 27;
const HTMP = 28;
/** The address temporary of one item. */
const TMP = 9;
const DST = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 22, 23, 25, 30];
/** The counter of backward branches inside the body (bounded inner loops). */
const BACK = 24;
const SRC = [...DST, 31, BASE, COUNT];
const ELR_EL3 = A.sysreg(3, 6, 4, 0, 1);
/** Synchronous exceptions from EL3 with SP_EL3: resume after the faulting instruction. */
const HANDLER = [A.mrs(HTMP, ELR_EL3), A.addi(HTMP, HTMP, 4), A.msr(ELR_EL3, HTMP), ERET];
const MASKS64 = [0xffn, 0xff00n, 0xffff0000n, 0x5555555555555555n, 0xf0f0f0f0f0f0f0f0n, 0x7ffffffffffffffen, 0x3n, 0xfffffffffff0n, 0x8000000000000000n, 0x1ffn];
const MASKS32 = [0xffn, 0xff00n, 0xffff0000n, 0x55555555n, 0xf0f0f0f0n, 0x7ffffffen, 0x3n, 0x80000000n, 0x1ffn];
const CONDS = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al'];
const SHIFTS = ['lsl', 'lsr', 'asr'] as const;

type Item = { insns: number[]; patchSlot?: true } | { jump: (offset: number) => number; to: number } | { patch: number } | { call: 'bl' | 'blr' } | { back: number };

function randomItems(rand: () => number, length: number): Item[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const dst = () => pick(DST);
  const src = () => pick(SRC);
  const sf = () => (rand() < 0.7 ? 1 : 0);
  /** A `size`-aligned address in the scratch page from a random register, into TMP. */
  const scratch = (align: number) => [A.andi(TMP, src(), BigInt(0x7f8 & ~(align - 1))), A.add(TMP, TMP, BASE)];
  const items: Item[] = [];
  while (items.length < length) {
    const k = rand();
    const at = items.length;
    const forward = () => at + 1 + int(Math.min(6, length - at));
    const w = sf();
    if (k < 0.1) {
      const f = pick([A.addi, A.subi, A.addsi, A.subsi]);
      items.push({ insns: [f(pick([...DST.filter((r) => r !== 30)]), pick([...DST, BASE]), int(4096), w, int(4) === 0 ? 1 : 0)] });
    } else if (k < 0.16) {
      const f = pick([A.andi, A.orri, A.eori, A.andsi]);
      const masks = w ? MASKS64 : MASKS32;
      items.push({ insns: [f(dst(), src(), pick(masks), w)] });
    } else if (k < 0.21) {
      const f = pick([A.movz, A.movk, A.movn]);
      items.push({ insns: [f(dst(), int(0x10000), int(w ? 4 : 2), w)] });
    } else if (k < 0.23) items.push({ insns: [rand() < 0.5 ? A.adr(dst(), int(2000) - 1000) : A.adrp(dst(), int(64) - 32)] });
    else if (k < 0.3) {
      const bits = w ? 64 : 32;
      const forms = [
        () => A.lsli(dst(), src(), int(bits), w),
        () => A.lsri(dst(), src(), int(bits), w),
        () => A.asri(dst(), src(), int(bits), w),
        () => A.ubfx(dst(), src(), 4, 8, w),
        () => A.sbfx(dst(), src(), 3, 13, w),
        () => A.bfi(dst(), src(), 8, 5, w),
        () => A.extr(dst(), src(), src(), int(bits), w),
        () => A.sxtw(dst(), src()),
        () => A.uxtb(dst(), src()),
      ];
      items.push({ insns: [pick(forms)()] });
    } else if (k < 0.42) {
      const bits = w ? 64 : 32;
      const forms = [
        () => pick([A.add, A.sub, A.adds, A.subs])(dst(), src(), src(), pick(SHIFTS), int(bits), w),
        () => pick([A.and, A.bic, A.orr, A.orn, A.eor, A.eon, A.ands, A.bics])(dst(), src(), src(), pick([...SHIFTS, 'ror'] as const), int(bits), w),
        () => pick([A.addx, A.subx, A.addsx, A.subsx])(dst(), pick([...DST, BASE]), src(), pick(['uxtb', 'uxth', 'uxtw', 'sxtb', 'sxth', 'sxtw', ...(w ? ['uxtx', 'sxtx'] : [])]), int(5), w),
        () => A.mov(dst(), src(), w),
        () => A.mvn(dst(), src(), w),
        () => A.cmp(src(), src(), w),
        () => A.cmpi(src(), int(4096), w),
      ];
      items.push({ insns: [pick(forms)()] });
    } else if (k < 0.48) {
      const forms = [
        () => pick([A.csel, A.csinc, A.csinv, A.csneg])(dst(), src(), src(), pick(CONDS), w),
        () => A.cset(dst(), pick(CONDS.slice(0, 14)), w),
        () => pick([A.ccmp, A.ccmn])(src(), src(), int(16), pick(CONDS), w),
        () => A.ccmpi(src(), int(32), int(16), pick(CONDS), w),
        () => pick([A.adc, A.adcs, A.sbc, A.sbcs])(dst(), src(), src(), w),
      ];
      items.push({ insns: [pick(forms)()] });
    } else if (k < 0.53) {
      const forms = [
        () => pick([A.mul, A.udiv, A.sdiv, A.lslv, A.rorv])(dst(), src(), src(), w),
        () => pick([A.madd, A.msub])(dst(), src(), src(), src(), w),
        () => pick([A.smulh, A.umulh])(dst(), src(), src()),
        () => pick([A.smaddl, A.smsubl, A.umaddl, A.umsubl])(dst(), src(), src(), rand() < 0.5 ? A.XZR : src()),
        () => pick([A.clz, A.rev])(dst(), src(), w),
      ];
      items.push({ insns: [pick(forms)()] });
    } else if (k < 0.66) {
      // Loads and stores into the scratch page: immediate, unscaled (sometimes misaligned), pre/post-index, register.
      const size = int(4);
      const load = rand() < 0.55;
      const opc = load ? (size === 3 ? 1 : pick([1, 2, ...(size < 2 ? [3] : [])])) : 0;
      const rt = load ? dst() : src();
      const form = int(4);
      if (form === 0) items.push({ insns: [A.ldstImm(size, opc, rt, BASE, int(0x100) << size)] });
      else if (form === 1) items.push({ insns: [...scratch(8), A.ldstImm9(size, opc, rt, TMP, ((int(16) - 8) << size) + (rand() < 0.1 && size > 0 ? 1 : 0), 'unscaled')] });
      else if (form === 2) {
        const rtt = rt === TMP ? 0 : rt;
        items.push({ insns: [...scratch(8), A.ldstImm9(size, opc, rtt, TMP, (int(16) - 8) << size, pick(['pre', 'post'] as const))] });
      } else items.push({ insns: [A.andi(TMP, src(), 0x3f8n), A.ldstReg(size, opc, rt, BASE, TMP, pick(['lsl', 'uxtw', 'sxtx']), false)] });
    } else if (k < 0.71) {
      const wide = sf();
      const load = rand() < 0.5;
      const r1 = load ? dst() : src();
      let r2 = load ? dst() : src();
      if (load && r2 === r1) r2 = r1 === 0 ? 1 : 0;
      const mode = pick(['offset', 'pre', 'post'] as const);
      const off = (int(16) - 8) * (wide ? 8 : 4);
      const f = load ? A.ldp : A.stp;
      if (mode === 'offset') items.push({ insns: [f(r1, r2, BASE, off + (wide ? 256 : 128), 'offset', wide)] });
      else items.push({ insns: [...scratch(8), f(r1 === TMP ? 0 : r1, r2 === TMP ? 1 : r2, TMP, off, mode, wide)] });
    } else if (k < 0.73) {
      // MMIO (the slow path with a device) and external aborts (exact pc, ELR, ESR, FAR).
      // Pairs too (their slow path: two accesses, registers written once both succeeded).
      const two = () => {
        const r1 = dst();
        return [r1, r1 === 0 ? 1 : 0] as const;
      };
      const forms = [
        () => A.ldrw(dst(), MMIO, int(16) * 4),
        () => A.strw(src(), MMIO, int(16) * 4),
        () => A.ldr(dst(), NOWHERE, 8),
        () => A.str(src(), NOWHERE, 0),
        () => A.ldp(...two(), MMIO, int(8) * 8, 'offset', int(2)),
        () => A.stp(src(), src(), MMIO, int(8) * 8, 'offset', int(2)),
        () => A.ldp(...two(), NOWHERE, 16, 'offset', 1),
        () => A.stp(src(), src(), NOWHERE, 8, 'offset', 0),
      ];
      items.push({ insns: [pick(forms)()] });
    } else if (k < 0.9) {
      const to = forward();
      const r = src();
      const forms: Array<(o: number) => number> = [
        (o) => A.b(o),
        (o) => A.bcond(pick(CONDS), o),
        (o) => A.cbz(r, o, w),
        (o) => A.cbnz(r, o, w),
        (o) => A.tbz(r, int(64), o),
        (o) => A.tbnz(r, int(64), o),
      ];
      items.push({ jump: pick(forms), to });
    } else if (k < 0.93) {
      const r = pick(DST.filter((x) => x !== 30));
      items.push({ patch: rand() < 0.5 ? A.addi(r, pick(DST), int(4096)) : A.eori(r, pick(DST), pick([0x7n, 0xffn, 0xf0n])) });
    } else if (k < 0.96) items.push({ call: pick(['bl', 'blr'] as const) });
    else if (k < 0.98 && at > 0) items.push({ back: int(at) });
    else items.push({ insns: [A.nop()], patchSlot: true });
  }
  return items;
}

/**
 * Lays the loop out at CODE: prologue, body, `sub x20, #1; cbnz x20, body; b .`, then a leaf function
 * the body calls (BL, BLR) that returns with RET. Patch items store their word over the first patch
 * slot (a NOP in the body), or after the final `b .` when there is none.
 */
function layout(items: Item[], iterations: number): number[] {
  const prologue = [...A.mov64(BASE, DATA), ...A.mov64(COUNT, iterations), ...A.mov64(CODE_BASE, CODE), ...A.mov64(MMIO, MMIO_BASE), ...A.mov64(NOWHERE, 0x70000000)];
  const bodyStart = prologue.length * 4;
  const size = (item: Item) => ('jump' in item ? 4 : 'patch' in item ? 12 : 'call' in item ? (item.call === 'bl' ? 4 : 8) : 'back' in item ? 8 : item.insns.length * 4);
  const starts: number[] = [];
  let at = bodyStart;
  for (const item of items) {
    starts.push(at);
    at += size(item);
  }
  starts.push(at);
  const tailEnd = at + 12;
  const slot = items.findIndex((item) => 'patchSlot' in item);
  const body: number[] = [];
  items.forEach((item, i) => {
    if ('jump' in item) body.push(item.jump(starts[item.to] - starts[i]));
    else if ('back' in item) {
      // Back to an earlier item while bit 1 of the counter is clear: at most two more passes.
      body.push(A.addi(BACK, BACK, 1), A.tbz(BACK, 1, starts[item.back] - starts[i] - 4));
    }
    else if ('call' in item) {
      const here = CODE + starts[i];
      body.push(...(item.call === 'bl' ? [A.bl(LEAF - here)] : [A.adr(TMP, LEAF - here), A.blr(TMP)]));
    }
    else if ('patch' in item) {
      const target = slot >= 0 ? starts[slot] : tailEnd + 16;
      body.push(A.movz(TMP, item.patch & 0xffff, 0, 0), A.movk(TMP, item.patch >>> 16, 1, 0), A.strw(TMP, CODE_BASE, target));
    } else body.push(...item.insns);
  });
  return [...prologue, ...body, A.subi(COUNT, COUNT, 1), A.cbnz(COUNT, -(at - bodyStart) - 4), A.b(0)];
}

/** The leaf function calls go to (`bl leaf`, or `adr x9, leaf; blr x9`): it changes x0 and x1 and returns. */
const LEAF = CODE + 0x2000;
const LEAF_CODE = [A.addi(0, 0, 3), A.eor(1, 1, 0), A.ret()];

function twin(program: number[], seed: number): Record<'interp' | 'jit', A64Machine> {
  const rand = rng(seed ^ 0x5eed);
  const regs = Array.from({ length: 31 }, () => BigInt(Math.floor(rand() * 2 ** 32)) | (BigInt(Math.floor(rand() * 2 ** 32)) << 32n));
  const data = Array.from({ length: 512 }, () => BigInt(Math.floor(rand() * 2 ** 32)) | (BigInt(Math.floor(rand() * 2 ** 32)) << 32n));
  const nzcv = Math.floor(rand() * 16) << 28;
  const make = (jit: boolean) => {
    const m = makeMachine({ jit });
    // Every block start translates at the first threshold, so that short loops run translated code.
    m.cpu.hotThreshold = JIT_THRESHOLD;
    m.events.on('trap', (t) => Object.assign(t, { retired: m.cpu.retired }));
    m.load(HANDLER, VECTORS + 0x200);
    m.load(LEAF_CODE, LEAF);
    m.load(program, CODE);
    for (let r = 0; r < 31; r++) m.set(r, regs[r]);
    m.set(31, DATA + 0x800);
    m.cpu.nzcv = nzcv;
    data.forEach((v, i) => m.w64(DATA + 8 * i, v));
    return m;
  };
  return { interp: make(false), jit: make(true) };
}

function expectSameState(jit: A64Machine, ref: A64Machine, where: string): void {
  expect(jit.traps, `${where}: exceptions`).toEqual(ref.traps);
  for (let r = 0; r < 32; r++) expect(jit.x(r), `${where}: x${r}`).toBe(ref.x(r));
  expect(jit.cpu.pc, `${where}: pc`).toBe(ref.cpu.pc);
  expect(jit.cpu.nzcv, `${where}: nzcv`).toBe(ref.cpu.nzcv);
  expect(jit.cpu.retired, `${where}: retired`).toBe(ref.cpu.retired);
  expect(jit.cpu.lastException, `${where}: last exception (ESR, ELR, FAR)`).toEqual(ref.cpu.lastException);
  expect(jit.dev.log, `${where}: MMIO`).toEqual(ref.dev.log);
  const page = (m: A64Machine, addr: number, size = 0x1000) => Buffer.from(m.bus.ram.u8.subarray(addr, addr + size));
  expect(page(jit, DATA - 0x1000, 0x3000).equals(page(ref, DATA - 0x1000, 0x3000)), `${where}: scratch pages`).toBe(true);
  expect(page(jit, CODE).equals(page(ref, CODE)), `${where}: code page`).toBe(true);
}

function runDifferential(seed: number): { compiled: number; traps: number; wasm: boolean } {
  const rand = rng(seed);
  const items = randomItems(rand, 4 + Math.floor(rand() * 40));
  const program = layout(items, 150);
  const { interp, jit } = twin(program, seed);
  const slices = [5, 1, 333, 64, 1000, 7, 2000, 50_000];
  for (const [i, s] of slices.entries()) {
    expect(jit.run(s), `slice ${i}`).toBe(interp.run(s));
    expectSameState(jit, interp, `seed ${seed}, after slice ${i}`);
  }
  expect(interp.cpu.blocksCompiled).toBe(0);
  return { compiled: jit.cpu.blocksCompiled, traps: interp.traps.length, wasm: jit.cpu.wasmCore !== null };
}

describe('aarch64 translator vs interpreter on random instruction streams', () => {
  // Wasm regions (the default, jit-wasm.ts; recursive regions JavaScript) and the JavaScript regions alone (jit.ts).
  for (const a64 of ['1', '0']) {
    it(`agree on 150 seeded loops, and the translator really ran (RVOS_JIT_WASM_A64=${a64})`, () => {
      const before = process.env.RVOS_JIT_WASM_A64;
      process.env.RVOS_JIT_WASM_A64 = a64;
      try {
        let compiled = 0;
        let traps = 0;
        let wasm = 0;
        for (let seed = 1; seed <= 150; seed++) {
          const r = runDifferential(seed);
          compiled += r.compiled;
          traps += r.traps;
          wasm += r.wasm ? 1 : 0;
        }
        expect(compiled).toBeGreaterThan(150);
        expect(traps).toBeGreaterThan(50);
        expect(wasm).toBe(a64 === '1' ? 150 : 0);
      } finally {
        if (before === undefined) delete process.env.RVOS_JIT_WASM_A64;
        else process.env.RVOS_JIT_WASM_A64 = before;
      }
    }, 120_000);
  }
});
