/**
 * Random instruction streams under both engines (issue 11): seeded loops of 32-bit integer code run
 * from the same state on an interpreter-only CPU (`engine: 'interp'`) and on one that translates hot
 * blocks (`'jit'`, jit.ts); registers, EIP, EFLAGS, the retired count, the last exception (vector,
 * EIP, error code, CR2) and the data, stack and code pages must agree after every slice of random
 * length. Bodies mix the ALU forms at 8 and 32 bits (ADC/SBB read the lazy carry), INC/DEC, MOV,
 * MOVZX/MOVSX, 16-bit MOV, LEA, shifts (by an immediate and by CL) and rotates, TEST/NOT/NEG/MUL/IMUL/DIV, SETcc/CMOVcc, PUSH/POP, CALL/RET,
 * segment overrides (FS and GS with their own bases) and moffs forms, forward Jcc and JMP inside the loop (side exits, a followed jump), instructions the translator leaves to the interpreter (a 66 prefix,
 * rotates), accesses that cross a page, stores into the loop's own code (the next instruction's
 * immediate: x86 sees it at once), and, with paging, a page fault from inside a block.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../../helpers/rng.js';
import { enterPaging, HLT, pagedMachine, type PagedMachine } from './paging-machine.js';
import { EBP, ESI, ESP, FS, GS } from '../../../plugins/arch-i386/src/cpu.js';
import { PAGED_JIT_THRESHOLD } from '../../../plugins/arch-i386/src/jit.js';

// The JavaScript regions (jit.ts), before any machine is built, unless the run or a file importing this one
// (jit-wasm.test.ts: the wasm regions, the default) chose.
process.env.RVOS_JIT_WASM_I386 ??= '0';

const CODE = 0x20000;
const SUB = 0x2f000; // add eax, ecx; ret
const DATA = 0x40000; // two scratch pages at ESI
const STACK = 0x9000;
/** Registers the body writes (ESP, EBP = loop counter and ESI = scratch base are kept). */
const DST = [0, 1, 2, 3, 7];
const SRC = [0, 1, 2, 3, 5, 6, 7];

const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

interface Options { pageFault: boolean; smc: boolean }

/** One item: its bytes given its address (CALL and the self-modifying store need it). */
type Item = (at: number) => number[];

function randomBody(rand: () => number, length: number, opts: Options): Item[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const int = (n: number) => Math.floor(rand() * n);
  const dst = () => pick(DST);
  const src = () => pick(SRC);
  const r8 = () => int(8); // AL..BH: bytes of EAX..EBX only
  const imm32 = () => (rand() < 0.3 ? pick([0, 1, -1, 0x7fffffff, 0x80000000, 0xff, 31]) : int(0x100000000)) >>> 0;
  const reg = (r: number, rm: number) => 0xc0 | (r << 3) | rm;
  /** [esi + disp32] (mod 2, rm 6), disp inside the two scratch pages, sometimes across their middle. */
  const mem = (r: number, size: number) => {
    const disp = rand() < 0.1 ? 0x1000 - int(size) : int(0x1ff0);
    return [0x80 | (r << 3) | 6, ...le32(disp)];
  };
  const items: Item[] = [];
  const simple = (): number[] => {
    const k = rand();
    const alu = int(8);
    if (k < 0.12) return [alu * 8 + 1, reg(src(), dst())];
    if (k < 0.18) return [alu * 8 + 3, reg(dst(), src())];
    if (k < 0.23) return [alu * 8 + (rand() < 0.5 ? 0 : 2), reg(r8(), r8())];
    if (k < 0.3) {
      const f = int(4);
      if (f === 0) return [0x81, reg(alu, dst()), ...le32(imm32())];
      if (f === 1) return [0x83, reg(alu, dst()), int(256)];
      if (f === 2) return [0x80, reg(alu, r8()), int(256)];
      return rand() < 0.5 ? [alu * 8 + 5, ...le32(imm32())] : [alu * 8 + 4, int(256)];
    }
    if (k < 0.37) {
      const f = int(5);
      if (f === 0) return [alu * 8 + 1, ...mem(src(), 4)];
      if (f === 1) return [alu * 8 + 3, ...mem(dst(), 4)];
      if (f === 2) return [alu * 8 + (rand() < 0.5 ? 0 : 2), ...mem(r8(), 1)];
      if (f === 3) return [0x81, ...mem(alu, 4), ...le32(imm32())];
      return [0x83, ...mem(alu, 4), int(256)];
    }
    if (k < 0.42) {
      const f = int(4);
      if (f === 0) return [0x40 + dst()];
      if (f === 1) return [0x48 + dst()];
      if (f === 2) return [0xff, ...mem(int(2), 4)];
      return [0xfe, ...mem(int(2), 1)];
    }
    if (k < 0.52) {
      const f = int(8);
      if (f === 0) return [0x89, reg(src(), dst())];
      if (f === 1) return [0x8b, ...mem(dst(), 4)];
      if (f === 2) return [0x89, ...mem(src(), 4)];
      if (f === 3) return [rand() < 0.5 ? 0x88 : 0x8a, reg(r8(), r8())];
      if (f === 4) return [0xb8 + dst(), ...le32(imm32())];
      if (f === 5) return [0xb0 + r8(), int(256)];
      if (f === 6) return [0xc7, ...mem(0, 4), ...le32(imm32())];
      return rand() < 0.5 ? [0xc6, ...mem(0, 1), int(256)] : [0x8a, ...mem(r8(), 1)];
    }
    if (k < 0.57) {
      const op = pick([0xb6, 0xb7, 0xbe, 0xbf]);
      return rand() < 0.5 ? [0x0f, op, reg(dst(), int(8))] : [0x0f, op, ...mem(dst(), op & 1 ? 2 : 1)];
    }
    if (k < 0.6) { // LEA dst, [base + idx*scale + disp32]
      let idx = src(); if (idx === ESP) idx = 0;
      return [0x8d, 0x84 | (dst() << 3), (int(4) << 6) | (idx << 3) | src(), ...le32(imm32())];
    }
    if (k < 0.66) {
      const kind = rand() < 0.8 ? pick([4, 5, 7, 6]) : int(4);
      const f = int(3);
      if (f === 0) return [0xc1, reg(kind, dst()), int(40)];
      if (f === 1) return rand() < 0.5 ? [0xd1, reg(kind, dst())] : [0xd3, reg(kind, dst())]; // by CL: ECX is random
      return rand() < 0.7 ? [0xc1, ...mem(kind, 4), int(33)] : [0xd3, ...mem(kind, 4)];
    }
    if (k < 0.72) {
      const f = int(9);
      if (f === 0) return [0x85, reg(src(), src())];
      if (f === 1) return [0xa9, ...le32(imm32())];
      if (f === 2) return [0xf7, reg(0, src()), ...le32(imm32())];
      if (f === 3) return [0x84, reg(r8(), r8())];
      if (f === 4) return [0xf7, reg(2, dst())];
      if (f === 5) return [0xf7, reg(3, dst())];
      if (f === 6) return [0xf7, ...mem(3, 4)];
      if (f === 7) return [0xf6, reg(0, r8()), int(256)];
      return [0xa8, int(256)];
    }
    if (k < 0.77) {
      const f = int(5);
      if (f === 0) return [0xf7, reg(4, src())];
      if (f === 1) return [0x0f, 0xaf, reg(dst(), src())];
      if (f === 2) return [0x69, reg(dst(), src()), ...le32(imm32())];
      if (f === 3) return [0x6b, reg(dst(), src()), int(256)];
      return [0x0f, 0xaf, ...mem(dst(), 4)];
    }
    if (k < 0.83) {
      const cc = int(16);
      return rand() < 0.5 ? [0x0f, 0x90 + cc, reg(0, r8())] : rand() < 0.7 ? [0x0f, 0x40 + cc, reg(dst(), src())] : [0x0f, 0x40 + cc, ...mem(dst(), 4)];
    }
    if (k < 0.86) return [pick([0x98, 0x99, 0x90])];
    if (k < 0.9) {
      const f = int(4);
      if (f === 0) return [0x50 + src(), 0x58 + dst()];
      if (f === 1) return [0x68, ...le32(imm32()), 0x58 + dst()];
      if (f === 2) return [0x6a, int(256), 0x58 + dst()];
      return [0xff, ...mem(6, 4), 0x58 + dst()];
    }
    if (k < 0.93) { // DIV/IDIV by a divisor made non-zero; IDIV may still overflow (#DE, the run stops there)
      return rand() < 0.5 ? [0x31, 0xd2, 0x83, 0xc9, 0x01, 0xf7, 0xf1] : [0x99, 0x83, 0xc9, 0x01, 0xf7, 0xf9];
    }
    if (k < 0.94) return [0x66, alu * 8 + 1, reg(src(), dst())]; // 16-bit ALU: left to the interpreter
    if (k < 0.95) { // 16-bit MOV (translated)
      const f = int(5);
      if (f === 0) return [0x66, 0x89, reg(src(), dst())];
      if (f === 1) return [0x66, 0x89, ...mem(src(), 2)];
      if (f === 2) return [0x66, 0x8b, ...mem(dst(), 2)];
      if (f === 3) return [0x66, 0x8b, reg(dst(), src())];
      return [0x66, 0xc7, ...mem(0, 2), int(256), int(256)];
    }
    if (k < 0.97) return [0x0f, 0x1f, 0x40, 0x00]; // NOP r/m
    return [0x8d, 0x04 | (dst() << 3), 0x36]; // LEA r, [esi + esi] (SIB, no displacement)
  };
  /** A flag setter at 32 bits (the translator's known-flags shortcuts) and its consumer next to it. */
  const setterThenUse = (): number[] => {
    const f = int(7);
    const setter = f === 0 ? [0x39, reg(src(), src())] : f === 1 ? [0x83, reg(7, src()), int(256)] : f === 2 ? [0x85, reg(src(), src())]
      : f === 3 ? [pick([0x40, 0x48]) + dst()] : f === 4 ? [pick([0x29, 0x21, 0x09, 0x31, 0x01, 0x11, 0x19]), reg(src(), dst())]
      : f === 5 ? [0x81, reg(7, src()), ...le32(imm32())] : [0xf7, reg(3, dst())];
    const cc = int(16), g = int(4);
    const use = g === 0 ? [0x0f, 0x90 + cc, reg(0, r8())] : g === 1 ? [0x0f, 0x40 + cc, reg(dst(), src())]
      : g === 2 ? [pick([0x11, 0x19]), reg(src(), dst())] : [0x70 + cc, 1, 0x40 + dst()];
    return [...setter, ...use];
  };
  while (items.length < length) {
    const k = rand();
    if (k < 0.45) { const b = simple(); items.push(() => b); }
    else if (k < 0.53) { const b = [pick([0x64, 0x65, 0x3e, 0x26, 0x36]), ...simple()]; items.push(() => b); } // a segment override
    else if (k < 0.55) { // MOV EAX/AL <-> moffs, maybe through FS or GS
      const b = [...(rand() < 0.5 ? [pick([0x64, 0x65])] : []), pick([0xa0, 0xa1, 0xa2, 0xa3]), ...le32(DATA + int(0x1ffc))];
      items.push(() => b);
    }
    else if (k < 0.8) { const b = setterThenUse(); items.push(() => b); }
    else if (k < 0.86) { const inner = simple(); const cc = int(16); items.push(() => [0x70 + cc, inner.length, ...inner]); }
    else if (k < 0.88) { const inner = simple(); items.push(() => [0xeb, inner.length, ...inner]); } // JMP over: the block follows it
    else if (k < 0.92) items.push((at) => [0xe8, ...le32(SUB - (at + 5))]);
    else if (k < 0.97 && opts.smc) {
      // Patch the immediate of the very next instruction (MOV r8, imm8) with a register's byte, then run it.
      const r = r8(), v = r8();
      items.push((at) => [0x88, 0x05 | (v << 3), ...le32(at + 7), 0xb0 + r, 0]);
    } else if (opts.pageFault && rand() < 0.3) {
      // Once, late (translated by then): CMP EBP, n; JNE over MOV EAX, [unmapped with paging on].
      const n = 1 + int(100);
      items.push(() => [0x83, 0xfd, n, 0x75, 6, 0x8b, 0x05, ...le32(0x500000 + int(0x1000))]);
    }
    else items.push(() => [0x8b, 0x05, ...le32(DATA + int(0x1ffc))]);
  }
  return items;
}

/** The loop: body, DEC EBP, JNZ body (rel32), HLT; the subroutine at SUB. */
function assemble(items: Item[]): Uint8Array {
  const code: number[] = [];
  for (const item of items) code.push(...item(CODE + code.length));
  code.push(0x4d, 0x0f, 0x85, ...le32(-(code.length + 7)));
  code.push(HLT);
  return Uint8Array.from(code);
}

function setUp(engine: 'interp' | 'jit', code: Uint8Array, seed: number, paging: boolean): PagedMachine {
  const m = pagedMachine([], engine);
  if (paging) enterPaging(m);
  m.bus.dmaWrite(CODE, code);
  m.bus.dmaWrite(SUB, Uint8Array.from([0x01, 0xc8, 0xc3]));
  const r = rng(seed ^ 0x5eed);
  const data = new Uint8Array(0x2000);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  m.bus.dmaWrite(DATA, data);
  for (const i of [0, 1, 2, 3, 7]) m.cpu.regs[i] = Math.floor(r() * 0x100000000);
  // Passes: a few hundred past the translator's threshold (jit.ts jitThreshold: 64 arrivals, 1024 with paging on).
  m.cpu.regs[ESI] = DATA; m.cpu.regs[EBP] = paging ? PAGED_JIT_THRESHOLD + 400 : 400; m.cpu.regs[ESP] = STACK;
  m.cpu.segBase[FS] = 0x40; m.cpu.segBase[GS] = 0x1000; // overrides reach other bytes than DS
  m.cpu.pc = CODE;
  return m;
}

function state(m: PagedMachine) {
  const c = m.cpu, ex = c.lastException;
  return {
    regs: Array.from(c.regs), eip: c.eip, eflags: c.eflags, retired: c.retired, cr2: c.cr2,
    exception: ex && { vector: ex.vector, eip: ex.eip, errorCode: ex.errorCode },
    data: Buffer.from(m.ram.u8.subarray(DATA, DATA + 0x3040)).toString('hex'),
    stack: Buffer.from(m.ram.u8.subarray(STACK - 0x100, STACK)).toString('hex'),
    code: Buffer.from(m.ram.u8.subarray(CODE, CODE + 0x1000)).toString('hex'),
  };
}

function compare(seed: number, opts: Options & { paging: boolean; length: number }): number {
  const rand = rng(seed);
  const code = assemble(randomBody(rand, opts.length, opts));
  const interp = setUp('interp', code, seed, opts.paging);
  const jit = setUp('jit', code, seed, opts.paging);
  const slices = rng(seed + 1);
  for (let slice = 0; slice < 1000; slice++) {
    const budget = 1 + Math.floor(slices() * (slices() < 0.2 ? 50 : 3000));
    const a = interp.cpu.run(budget), b = jit.cpu.run(budget);
    expect(b, `seed ${seed} slice ${slice}: steps`).toBe(a);
    expect(state(jit), `seed ${seed} slice ${slice}`).toEqual(state(interp));
    if (interp.cpu.waiting || a < budget) break;
  }
  if (process.env.JITDIFF_VERBOSE) console.log(seed, jit.cpu.blocksCompiled, jit.cpu.retired, jit.cpu.lastException?.vector);
  return jit.cpu.blocksCompiled;
}

describe('i386 translator vs interpreter on random instruction streams', () => {
  it('agrees on flat 32-bit code (paging off)', () => {
    let blocks = 0;
    for (let seed = 1; seed <= 40; seed++) blocks += compare(seed, { paging: false, pageFault: false, smc: seed % 4 === 0, length: 24 });
    expect(blocks).toBeGreaterThan(100);
  });
  it('agrees with paging on, page faults from inside blocks included', () => {
    // Every stream translated (the wasm regions' first module takes the body's other starts, all as warm by then: 1-2 a stream).
    for (let seed = 101; seed <= 130; seed++) expect(compare(seed, { paging: true, pageFault: seed % 2 === 0, smc: seed % 4 === 1, length: 24 })).toBeGreaterThan(0);
  });
});
