/**
 * The i386 wasm regions (plugins/arch-i386/src/jit-wasm.ts, the default; RVOS_JIT_WASM_I386=0 turns
 * them off): hot loops against the interpreter (registers, EIP, EFLAGS, counts and the last exception
 * after every slice) for what the wasm code does its own way (DIV/IDIV in i64 leaving before a #DE,
 * every condition under each known flag state, conditions the host answers, shifts by CL, a loop inside a
 * block), then the JavaScript translator's
 * tests again on the wasm regions (those files pin the JavaScript regions unless the importer chose):
 * its random instruction streams (jit-diff.test.ts, flags included, paging and page faults) and its
 * block and region cases (jit.test.ts). Encodings checked with `llvm-mc -triple=i386 -show-encoding`.
 */
import { describe, expect, it } from 'vitest';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { i386WasmWanted, packState, translateWasmRegion, wasmRegionStats } from '../../../plugins/arch-i386/src/jit-wasm.js';
import { ARITH, CcOp } from '../../../plugins/arch-i386/src/flags.js';
import { SHIFT_PENDING } from '../../../plugins/arch-i386/src/jit-flags.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { WasmOp } from '../../../src/core/jit/wasm-module.js';
import { readHints } from '../../helpers/wasm-hints.js';
import { FLAG_LOOP_REGS, flagLoops, ROTATES, SHIFTS16 } from '../../helpers/i386-streams.js';
import { enterPaging, HLT, mapPage, P, pagedMachine, RW } from './paging-machine.js';
import { ACCESS_READ } from '../../../plugins/arch-i386/src/mmu.js';

// Before any machine of this file (and of the files imported below) is built.
process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

const CODE = 0x20000;
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

function machine(body: number[], engine: 'interp' | 'jit', regs: Record<number, number>) {
  const m = pagedMachine([], engine);
  m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  m.cpu.pc = CODE;
  return m;
}

/** Records `what` at every access to the `size` bytes watched at 0x8000 (a store from a region calls the host's `written`). */
function watchStops(m: ReturnType<typeof machine>, size: number, what: (m: ReturnType<typeof machine>) => number[]): number[][] {
  const stops: number[][] = [];
  m.bus.watch(0x8000, size, () => stops.push(what(m)));
  return stops;
}

/** Runs `body` under both engines in (at most `slices`) slices of `budget` and compares after each; returns the translator's machine. */
function agree(body: number[], regs: Record<number, number>, budget: number, setup: (m: ReturnType<typeof machine>) => void = () => {}, slices = 20_000) {
  const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
  setup(a); setup(b);
  expect(b.cpu.wasmCore).not.toBeNull();
  const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs, m.cpu.lastException?.vector, m.cpu.lastException?.eip];
  for (let slice = 0; slice < slices && !a.cpu.waiting; slice++) {
    expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
    expect(state(b), `slice ${slice}`).toEqual(state(a));
  }
  expect(Buffer.from(b.ram.u8.subarray(0x8000, 0x9000))).toEqual(Buffer.from(a.ram.u8.subarray(0x8000, 0x9000)));
  return b;
}

describe('i386 wasm regions', () => {
  it('are on unless RVOS_JIT_WASM_I386=0', () => {
    expect(i386WasmWanted({})).toBe(true);
    expect(i386WasmWanted({ RVOS_JIT_WASM_I386: '1' })).toBe(true);
    expect(i386WasmWanted({ RVOS_JIT_WASM_I386: '0' })).toBe(false);
  });

  it('run a hot loop in wasm with exact counts at every budget', () => {
    // add eax, ecx; dec ebx; jnz start
    for (const budget of [1, 3, 100, 1000]) {
      const before = wasmRegionStats.translated;
      const b = agree([0x01, 0xc8, 0x4b, 0x75, 0xfb], { [EBX]: 3000, [ECX]: 3 }, budget);
      expect(b.cpu.regs[EAX]).toBe(9000);
      expect(wasmRegionStats.translated).toBeGreaterThan(before);
    }
  });

  it('run an instruction across a page end in wasm, its bytes on the next page checked at every pass (mapped elsewhere, or written: the interpreter)', () => {
    // L (0x20ffb): add eax, ecx; add edx, 0x01020304 (81 c2 04 03 02 01: its last 3 bytes at 0x21000); dec ebx; jnz L.
    const at = 0x20ffb, code = [0x01, 0xc8, 0x81, 0xc2, 0x04, 0x03, 0x02, 0x01, 0x4b, 0x75, 0xf5, HLT];
    const make = (engine: 'interp' | 'jit') => {
      const m = pagedMachine([], engine);
      m.bus.dmaWrite(at, Uint8Array.from(code));
      m.bus.dmaWrite(0x31000, m.ram.u8.slice(0x21000, 0x21010)); // page 0x21000's bytes again, for the mapping below
      m.ram.u8[0x31001] = 0x13; // there: add edx, 0x01130304
      m.cpu.regs[EBX] = 100000; m.cpu.regs[ECX] = 1; m.cpu.pc = at;
      return m;
    };
    const a = make('interp'), b = make('jit');
    let interpreted = 0;
    const step = b.cpu.step.bind(b.cpu);
    b.cpu.step = () => { interpreted++; step(); };
    const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs];
    /** Both engines for `slices` slices, equal after each; the instructions the translator's machine interpreted. */
    const agreeFor = (slices: number): number => {
      const before = interpreted;
      for (let k = 0; k < slices; k++) {
        expect(b.cpu.run(97)).toBe(a.cpu.run(97));
        expect(state(b)).toEqual(state(a));
      }
      return interpreted - before;
    };
    agreeFor(40);
    // Translated with the ADD: a pass (four instructions) interprets none of them (a slice's first instruction may be:
    // slices end in the middle of passes).
    expect(agreeFor(30)).toBeLessThanOrEqual(30);
    // Paging on, mapped as it was: the translation runs on. Then the second page mapped to RAM 0x31000, whose bytes
    // differ (0x21000's do not): the check's TLB compare leaves, the interpreter runs the ADD from those.
    const setUp = (f: (m: typeof a) => void) => { for (const m of [a, b]) f(m); };
    setUp((m) => { enterPaging(m); m.cpu.pc = at; });
    agreeFor(10);
    expect(agreeFor(30)).toBeLessThanOrEqual(30);
    setUp((m) => { mapPage(m, 0x21000, 0x31000 | P | RW); m.cpu.flushTlb(); });
    expect(agreeFor(30)).toBeGreaterThan(200);
    // Mapped back, and the immediate's last byte written at 0x21002 (page 0x21000 holds no cover of the ADD's
    // translation): the byte compare leaves, the interpreter runs the ADD as written.
    setUp((m) => { mapPage(m, 0x21000, 0x21000 | P | RW); m.cpu.flushTlb(); m.ram.u8[0x21002] = 0x12; });
    expect(agreeFor(30)).toBeGreaterThan(200);
    expect(a.cpu.regs[EBX]).toBeGreaterThan(0);
  });

  it('divide in i64 and leave before a division that faults (#DE at the DIV, exact count)', () => {
    // L: mov eax, 100000; cdq; idiv ecx; add esi, eax; add edi, edx; mov eax, ebx; xor edx, edx; div ecx;
    // add esi, eax; dec ecx; jmp L: ECX reaches 0, the IDIV faults.
    const body = [0xb8, ...le32(100000), 0x99, 0xf7, 0xf9, 0x01, 0xc6, 0x01, 0xd7, 0x89, 0xd8, 0x31, 0xd2, 0xf7, 0xf1, 0x01, 0xc6, 0x49, 0xeb, 0xe9];
    for (const budget of [7, 1000]) {
      const b = agree(body, { [ECX]: 600, [EBX]: -12345 }, budget);
      expect(b.cpu.lastException?.vector).toBe(0);
    }
    // IDIV's quotient past int32 faults too: L: mov edx, 0; mov eax, esi; idiv ebx; inc esi; dec edi; jnz L
    // (EBX = 1: ESI reaches 2^31).
    const over = [0xba, ...le32(0), 0x89, 0xf0, 0xf7, 0xfb, 0x46, 0x4f, 0x75, 0xf3];
    const b = agree(over, { [EBX]: 1, [ESI]: 0x7fffffff - 200, [EDI]: 1000 }, 50);
    expect(b.cpu.lastException?.vector).toBe(0);
  });

  it('divide once, the remainder from the quotient (EDX zero, small, sign-extended; signed divisors -7 and below -2^30); -1 dividing INT32_MIN leaves (#DE)', () => {
    // L: mov eax, esi; mov edx, edi; and edx, 0x3fffffff; div ebx; add esi, eax; add edi, edx; mov eax, esi;
    // cdq; idiv ebp (EBP -7); add esi, edx; mov eax, edi; mov edx, esi; sar edx, 5; idiv ebx (EBX
    // negative as signed); xor edi, eax; add esi, edx; dec ecx; jnz L; mov eax, 0x80000000; cdq; mov ebp, -1; idiv ebp.
    const body = [0x89, 0xf0, 0x89, 0xfa, 0x81, 0xe2, ...le32(0x3fffffff), 0xf7, 0xf3, 0x01, 0xc6, 0x01, 0xd7, 0x89, 0xf0,
      0x99, 0xf7, 0xfd, 0x01, 0xd6, 0x89, 0xf8, 0x89, 0xf2, 0xc1, 0xfa, 0x05, 0xf7, 0xfb, 0x31, 0xc7, 0x01, 0xd6, 0x49, 0x75, 0xd9,
      0xb8, ...le32(0x80000000), 0x99, 0xbd, ...le32(-1), 0xf7, 0xfd];
    for (const budget of [1, 5, 17, 1000]) {
      const b = agree(body, { [ESI]: 0x12345678, [EDI]: 0x9abcdef0, [EBX]: 0x9e3779b9, [EBP]: -7, [ECX]: 500 }, budget);
      expect(b.cpu.lastException).toMatchObject({ vector: 0, eip: CODE + 50 });
    }
  });

  it('test every condition under each known flag state (32- and 8-bit CMP, ADD, AND, TEST, INC, SHL) as the interpreter', () => {
    // Per op (cmp eax, ebx; add eax, ebx; and eax, ebx; inc eax; shl eax, 1; cmp al, bl; and al, bl; test al, bl),
    // L: for each cc: op; setcc cl; lea esi, [ecx + esi * 2] (each answer in its own bit); then add edx, 0x9e3779b9; EAX and EBX = two bit fields of EDX
    // sign-extended, -2..1 (equal operands, zero and negative results: every condition both ways); dec edi;
    // jnz L (rel32). One block (56 instructions): all in wasm.
    const ops = [[0x39, 0xd8], [0x01, 0xd8], [0x21, 0xd8], [0x40], [0xd1, 0xe0], [0x38, 0xd8], [0x20, 0xd8], [0x84, 0xd8]];
    for (const op of ops) {
      const body: number[] = [];
      for (let cc = 0; cc < 16; cc++) body.push(...op, 0x0f, 0x90 + cc, 0xc1, 0x8d, 0x34, 0x71);
      body.push(0x81, 0xc2, ...le32(0x9e3779b9), 0x89, 0xd0, 0xc1, 0xf8, 0x1e, 0x89, 0xd3, 0xc1, 0xe3, 0x02, 0xc1, 0xfb, 0x1e, 0x4f);
      body.push(0x0f, 0x85, ...le32(-(body.length + 6)));
      for (const budget of [97, 5000]) agree(body, { [EDX]: 0x12345678, [EDI]: 300 }, budget);
    }
  });

  it('ask the host for conditions the translation does not know (parity, after ADC), as the interpreter answers', () => {
    // add eax, ebx; adc edx, eax; setp cl; setl ch; add esi, ecx; jp +1; inc edi; dec ebx; jnz start
    const body = [0x01, 0xd8, 0x11, 0xc2, 0x0f, 0x9a, 0xc1, 0x0f, 0x9c, 0xc5, 0x01, 0xce, 0x7a, 0x01, 0x47, 0x4b, 0x75, 0xee];
    agree(body, { [EBX]: 5000, [EAX]: 0x7ffff000 }, 333);
  });

  it('work out the carry of a flag state known only at run time (a block entered after an 8-bit ADD, DEC, a shift, a logic op)', () => {
    // L: adc esi, ebx; inc ecx; test cl, 3; jz S; test cl, 1; jz B; add bl, 0x9d; dec edx; jnz L; hlt;
    // B: sub bl, 0x33; adc edi, eax; shl eax, 3; jmp L; S: xor eax, 0x80001234; jmp L
    const body = [0x11, 0xde, 0x41, 0xf6, 0xc1, 0x03, 0x74, 0x16, 0xf6, 0xc1, 0x01, 0x74, 0x07, 0x80, 0xc3, 0x9d, 0x4a, 0x75, 0xed, HLT,
      0x80, 0xeb, 0x33, 0x11, 0xc7, 0xc1, 0xe0, 0x03, 0xeb, 0xe2, 0x35, ...le32(0x80001234), 0xeb, 0xdb];
    for (const budget of [5, 1000]) agree(body, { [EDX]: 2000, [EAX]: 0x9e3779b9, [EBX]: 0x80 }, budget);
  });

  it('remember no page with flags at a store site: a store into code after stores to data beside it is seen at once', () => {
    // L: nop; mov edi, [ebp + edx*4]; mov [edi], ebx; mov eax, 0x11111111; add esi, eax; inc ebx; dec edx; jnz L.
    // The table at EBP sends the store to data in the code's page, once (EDX = 50) to the MOV's (aligned) immediate.
    const body = [0x90, 0x8b, 0x7c, 0x95, 0x00, 0x89, 0x1f, 0xb8, ...le32(0x11111111), 0x01, 0xc6, 0x43, 0x4a, 0x75, 0xee];
    for (const budget of [1000, 100_000]) {
      const regs = { [EDX]: 2000, [EBP]: 0x40000, [EBX]: 0x1234 };
      const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
      for (const m of [a, b]) for (let i = 0; i <= 2000; i++) m.view.setUint32(0x40000 + 4 * i, i === 50 ? CODE + 8 : CODE + 0x800, true);
      const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs];
      for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect(state(b), `slice ${slice}`).toEqual(state(a));
      }
      expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
      expect(b.view.getUint32(CODE + 8, true)).toBe(0x1234 + 1950);
    }
  });

  it('tell the host where a store to a watched page is and the count before it (one `written` per CPU, shared by its regions)', () => {
    // L: mov [esi], eax; add eax, ecx; dec ebx; jnz L, then the same loop again at CODE + 0x100 (a second region
    // calling the CPU's one `written`), its stores to the next word.
    const loop = [0x89, 0x06, 0x01, 0xc8, 0x4b, 0x75, 0xf9];
    const body = [...loop, 0xbb, ...le32(500), 0x83, 0xc6, 0x04, ...new Array(0x100 - 15).fill(0x90), ...loop];
    const regs = { [EBX]: 500, [ECX]: 3, [ESI]: 0x8000 };
    const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
    const sa = watchStops(a, 8, (m) => [m.cpu.startEip, m.cpu.eip, m.cpu.retired]);
    const sb = watchStops(b, 8, (m) => [m.cpu.startEip, m.cpu.eip, m.cpu.retired]);
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) expect(b.cpu.run(997)).toBe(a.cpu.run(997));
    expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(sa).toHaveLength(1000);
    expect(sb).toEqual(sa);
  });

  it('call the host (`cond`, `written`) through the CPU\'s table: a region module imports only memory and the table', () => {
    // L: mov [esi], eax; add eax, ebx; adc edx, eax; setp cl; dec ebx; jnz L: a store to a watched page and a
    // condition the host answers, both in one region (a wrong slot traps: the two signatures differ).
    const body = [0x89, 0x06, 0x01, 0xd8, 0x11, 0xc2, 0x0f, 0x9a, 0xc1, 0x4b, 0x75, 0xf2];
    const regs = { [EBX]: 300, [EAX]: 0x7ffff000, [ESI]: 0x8000 };
    const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
    const sa = watchStops(a, 4, (m) => [m.cpu.eip, m.cpu.retired, m.cpu.regs[ECX]]);
    const sb = watchStops(b, 4, (m) => [m.cpu.eip, m.cpu.retired, m.cpu.regs[ECX]]);
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) expect(b.cpu.run(211)).toBe(a.cpu.run(211));
    expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(sa).toHaveLength(300);
    expect(sb).toEqual(sa);
    expect([...b.cpu.regs, b.cpu.eflags]).toEqual([...a.cpu.regs, a.cpu.eflags]);
    const compiled: Uint8Array[] = [];
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, compile: (bytes: Uint8Array) => jitKit.wasm.compile((compiled.push(bytes), bytes)) } };
    expect(translateWasmRegion(b.cpu, kit, b.cpu.wasmCore!, b.ram.u8, CODE)).not.toBeNull();
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(compiled[0] as Uint8Array<ArrayBuffer>));
    expect(imports.map((i) => `${i.kind} ${i.name}`)).toEqual(['memory mem', 'table host']);
  });

  it('mark the rare paths (budget, TLB misses, flagged pages, a dropped translation, a faulting DIV) unlikely and the memo hits likely, each on an if', () => {
    // L: mov eax, [esi]; mov [edi], eax; xor edx, edx; div ecx; dec ebx; jnz L
    const m = machine([0x8b, 0x06, 0x89, 0x07, 0x31, 0xd2, 0xf7, 0xf1, 0x4b, 0x75, 0xf4], 'jit', {});
    const compiled: Uint8Array[] = []; // the region's module, then the CPU's host functions' (hostFor)
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, compile: (b: Uint8Array) => jitKit.wasm.compile((compiled.push(b), b)) } };
    expect(translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, CODE)).not.toBeNull();
    const { body, hints, hintsFirst } = readHints(compiled[0]);
    expect(hintsFirst).toBe(true);
    for (const [off] of hints) expect(body[off]).toBe(WasmOp.if);
    expect(hints.filter(([, likely]) => likely === 0).length).toBeGreaterThanOrEqual(6);
    // The access sites' memo hits likely (the load's and the store's): their refills laid out of line.
    expect(hints.filter(([, likely]) => likely === 1).length).toBeGreaterThanOrEqual(2);
  });

  it('emit a block alone without a scan: its length patched in at its end, each loop inside it again from its head', () => {
    // L0: inc esi; L1: add eax, ecx; dec ebx; jnz L1; mov ebx, 5; L2: add esi, ecx; dec edx; jnz L2; mov edx, 3;
    // dec edi; jnz L0. One block (the loop on its start ends it) with two loops inside.
    const body = [0x46, 0x01, 0xc8, 0x4b, 0x75, 0xfb, 0xbb, ...le32(5), 0x01, 0xce, 0x4a, 0x75, 0xfb, 0xba, ...le32(3), 0x4f, 0x75, 0xe8];
    const regs = { [EBX]: 5, [EDX]: 3, [EDI]: 300, [ECX]: 7 };
    const m = machine(body, 'jit', regs);
    const before = wasmRegionStats.innerLoopRestarts, beforeInsns = wasmRegionStats.innerLoopRestartInsns;
    const block = translateWasmRegion(m.cpu, jitKit, m.cpu.wasmCore!, m.ram.u8, CODE)?.entries.get(CODE & 0xfff);
    expect(block?.len).toBe(11);
    expect(wasmRegionStats.innerLoopRestarts - before).toBe(2);
    expect(wasmRegionStats.innerLoopRestartInsns - beforeInsns).toBe(4); // each loop's head and the instruction after it
    // Budgets below a pass, inside the inner loops and past them: the patched lengths decide where it stops.
    for (const budget of [1, 4, 10, 11, 12, 37, 1000]) agree(body, regs, budget);
    // No block where the first instruction is not translated (CPUID): nothing compiled.
    const compiled: Uint8Array[] = [];
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, compile: (b: Uint8Array) => jitKit.wasm.compile((compiled.push(b), b)) } };
    m.bus.dmaWrite(CODE + 0x100, Uint8Array.from([0x0f, 0xa2, 0x40]));
    expect(translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, CODE + 0x100)).toBeNull();
    expect(compiled).toEqual([]);
  });

  it('emit again only the code of a loop from its head, not the module: the code before it stays, the module is assembled once', () => {
    // 0: add eax, ecx; dec edi; jnz 0 (no loop inside). At 0x40 the block of the test above, with two loops inside.
    const inner = [0x46, 0x01, 0xc8, 0x4b, 0x75, 0xfb, 0xbb, ...le32(5), 0x01, 0xce, 0x4a, 0x75, 0xfb, 0xba, ...le32(3), 0x4f, 0x75, 0xe8];
    const body = [0x01, 0xc8, 0x4f, 0x75, 0xfb, ...new Array(0x40 - 5).fill(0x90), ...inner];
    const m = machine(body, 'jit', {});
    let assembled = 0;
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, module: (...a: Parameters<typeof jitKit.wasm.module>) => (assembled++, jitKit.wasm.module(...a)) } };
    const before = wasmRegionStats.innerLoopRestarts, beforeInsns = wasmRegionStats.innerLoopRestartInsns;
    const made = translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, CODE, undefined, [0x40]);
    expect([...made!.entries].map(([at, b]) => [at, b.len])).toEqual([[0, 3], [0x40, 11]]);
    expect(wasmRegionStats.innerLoopRestarts - before).toBe(2);
    expect(wasmRegionStats.innerLoopRestartInsns - beforeInsns).toBe(4); // not the first block's 3, nor the 11 of its own
    expect(assembled).toBe(1);
    // Both entries run as the interpreter does.
    const regs = { [EBX]: 5, [EDX]: 3, [EDI]: 300, [ECX]: 7 };
    for (const budget of [1, 11, 1000]) agree(body, regs, budget);
  });

  it('emit an outer loop found after the loop inside it again from its own head, the inner one opened again there', () => {
    // L0: inc esi; L1: mov ebx, 3; L2: add eax, ecx; dec ebx; jnz L2; dec edx; jnz L1; dec edi; jnz L0
    const body = [0x46, 0xbb, ...le32(3), 0x01, 0xc8, 0x4b, 0x75, 0xfb, 0x4a, 0x75, 0xf3, 0x4f, 0x75, 0xef];
    const regs = { [EDX]: 4, [EDI]: 20, [ECX]: 7 };
    const m = machine(body, 'jit', regs);
    const before = wasmRegionStats.innerLoopRestarts, beforeInsns = wasmRegionStats.innerLoopRestartInsns;
    expect(translateWasmRegion(m.cpu, jitKit, m.cpu.wasmCore!, m.ram.u8, CODE)?.entries.get(CODE & 0xfff)?.len).toBe(9);
    expect(wasmRegionStats.innerLoopRestarts - before).toBe(2);
    expect(wasmRegionStats.innerLoopRestartInsns - beforeInsns).toBe(2 + 5);
    for (const budget of [1, 5, 10, 13, 1000]) agree(body, regs, budget);
  });

  it('run a loop inside a block whose head follows another flag state than its back edge leaves (the state dropped at its head)', () => {
    // O: xor ebx, ebx (logic: CF = 0); mov eax, 100; L: adc ebx, ecx (reads CF: the XOR's, then the ADC's the DEC
    // kept); setc dl; lea esi, [esi + edx]; dec eax; jnz L; add edi, ebx; dec ebp; jnz O. ECX near 2^32: most ADCs carry.
    const body = [0x31, 0xdb, 0xb8, ...le32(100), 0x11, 0xcb, 0x0f, 0x92, 0xc2, 0x8d, 0x34, 0x16, 0x48, 0x75, 0xf5,
      0x01, 0xdf, 0x4d, 0x75, 0xe9];
    const regs = { [ECX]: 0xfffffff0, [EBP]: 300 };
    for (const budget of [1, 3, 7, 100_000]) {
      const b = agree(body, regs, budget);
      // The inner loop inside the block's call: 85 calls (before: the loop a block of its own, the block and the code
      // after the loop others, through the dispatcher: 537).
      if (budget === 100_000) expect(b.cpu.blockRuns).toBeLessThan(200);
    }
  });

  it('translate the warm starts of the page with a block in its module, going from one to the other inside it', () => {
    // jmp A; B: dec ebx; jnz A; hlt; ... A (+0x40): inc eax; jmp B. B is warm when A's block is made.
    const body = [0xeb, 0x3e, 0x4b, 0x75, 0x3b, HLT, ...new Array(0x3a).fill(0x90), 0x40, 0xeb, 0xbf];
    const regs = { [EBX]: 3000 };
    for (const budget of [1, 2, 3, 100_000]) {
      const b = agree(body, regs, budget);
      expect(b.cpu.regs[EAX]).toBe(3000);
      // Both blocks in one module (an alias), A to B and back without the dispatcher once they run translated.
      if (budget === 100_000) expect(b.cpu.blockRuns).toBeLessThan(200);
    }
    const m = machine(body, 'jit', regs);
    m.bus.dmaWrite(CODE + 0x80, Uint8Array.from([0x0f, 0xa2])); // CPUID: no block starts there
    const compiled: Uint8Array[] = [];
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, compile: (b: Uint8Array) => jitKit.wasm.compile((compiled.push(b), b)) } };
    const made = translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, CODE + 0x40, undefined, [2, 0x80]);
    expect([...made!.entries.keys()]).toEqual([0x40, 2]);
    expect(made!.entries.get(2)!.fn).toBe(made!.entries.get(0x40)!.fn);
    expect(made!.entries.get(2)!.cover).toEqual([0x40, 0x43, 2, 5]);
    expect(compiled.filter((b) => b.length > 200)).toHaveLength(1); // one region module (and the CPU's host functions')
  });

  it('pack the flag state in one local: op (a pending shift too), width, flags and kept carry come back out as went in', () => {
    for (const [cop, bits, fa, kept] of [[CcOp.Sub, 32, 0, 0], [SHIFT_PENDING, 32, ARITH, 1], [CcOp.None, 8, ARITH, 0], [CcOp.Dec, 16, 0, 1]]) {
      const cs = packState(cop, bits, fa, kept);
      expect([(cs << 24) >> 24, (cs >>> 8) & 0xff, (cs >>> 16) & ARITH, cs >>> 31]).toEqual([cop, bits, fa, kept]);
    }
  });

  it('carry the packed flag state across exits at every instruction: CMP, INC keeping its borrow, ADC, a pending shift, PUSHFD for the interpreter', () => {
    // L: cmp eax, ebx; inc ecx; adc esi, edx; shl eax, 1; inc edi; pushfd; pop ebp; adc edx, ecx; add esi, ebp; dec ebx; jnz L
    const body = [0x39, 0xd8, 0x41, 0x11, 0xd6, 0xd1, 0xe0, 0x47, 0x9c, 0x5d, 0x11, 0xca, 0x01, 0xee, 0x4b, 0x75, 0xef];
    for (const budget of [1, 2, 3, 7, 1000]) agree(body, { [EAX]: 0x9e3779b9, [EBX]: 3000, [EDX]: 0x7fffffff, [ESP]: 0x9000 }, budget);
  });

  it('keep a lazy result (ADD, SUB, CMP, INC, DEC leave cr unwritten) exact: read at run time at a loop head, known in a block, at every exit', () => {
    // L: setp cl (the host, the back edge's DEC lazy); add esi, ecx; add eax, ebx; inc edx; adc esi, ecx (the kept carry);
    // sub al, 0x35; sets ch (8-bit SUB's sign: bit 7 of a - b); add esi, ecx; pushfd (the interpreter: ADD's result);
    // pop ebp; add esi, ebp; cmp ebx, edx; setp ah (the host, CMP lazy); add esi, eax; dec ebx; jnz L
    const body = [0x0f, 0x9a, 0xc1, 0x01, 0xce, 0x01, 0xd8, 0x42, 0x11, 0xce, 0x2c, 0x35, 0x0f, 0x98, 0xc5, 0x01, 0xce, 0x9c, 0x5d,
      0x01, 0xee, 0x39, 0xd3, 0x0f, 0x9a, 0xc4, 0x01, 0xc6, 0x4b, 0x75, 0xe1];
    for (const budget of [1, 2, 3, 5, 7, 11, 1000]) agree(body, { [EAX]: 0x9e3779b9, [EBX]: 2000, [EDX]: 0x7ffffff0, [ESP]: 0x9000 }, budget);
  });

  it('keep the carry through a loop whose head INC follows the back edge DEC (its own branch) and entered after a CMP (the formulas)', () => {
    // O: cmp eax, ebx (CF = 1); jne L (taken: L entered with the CMP's state); L: mov [esi], dl; inc esi; dec ecx; jnz L
    // (memset's loop); adc edi, edi; mov ecx, 20; dec ebp; jnz O
    const body = [0x39, 0xd8, 0x75, 0x00, 0x88, 0x16, 0x46, 0x49, 0x75, 0xfa, 0x11, 0xff, 0xb9, 20, 0, 0, 0, 0x4d, 0x75, 0xec];
    for (const budget of [1, 2, 3, 4, 5, 1000]) agree(body, { [EAX]: 1, [EBX]: 2, [ECX]: 20, [EBP]: 200, [EDX]: 0x5a, [ESI]: 0x8000, [EDI]: 1, [ESP]: 0x9000 }, budget);
  });

  it('leave out an INC/DEC\'s kept carry only when the next instruction of its block sets every flag from registers (quicksort\'s partition loops)', () => {
    // O: mov ecx, ebp; L: mov edx, [esi + ecx*4]; inc ecx; cmp edx, eax; jb L; J: mov edx, [esi + ebx*4]; dec ebx;
    // cmp edx, eax; ja J; add edi, ecx; dec ebp; jnz O. The table at ESI: i*7 mod 64, EAX the pivot.
    const body = [0x89, 0xe9, 0x8b, 0x14, 0x8e, 0x41, 0x39, 0xc2, 0x72, 0xf8, 0x8b, 0x14, 0x9e, 0x4b, 0x39, 0xc2, 0x77, 0xf8,
      0x01, 0xcf, 0x4d, 0x75, 0xe9];
    for (const budget of [1, 2, 3, 5, 1000]) {
      const regs = { [EAX]: 40, [EBX]: 300, [EBP]: 200, [ESI]: 0x40000 };
      const before = wasmRegionStats.deadKeptCarries;
      const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
      for (const m of [a, b]) for (let i = 0; i < 600; i++) m.view.setUint32(0x40000 + 4 * i, (i * 7) % 64, true);
      const state = (m: typeof a) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs];
      for (let slice = 0; slice < 20_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect(state(b), `slice ${slice}`).toEqual(state(a));
      }
      expect(wasmRegionStats.deadKeptCarries).toBeGreaterThan(before);
    }
    // Kept where it can be seen: INC at the end of a region's block, the next block (a jump target) starting with
    // the CMP (its budget check leaves before it: O: dec eax; jz E; test al, 1; jnz M; add esi, edi; inc ecx;
    // M: cmp edx, ecx; adc ebx, 0; pushfd (the interpreter's: O runs from the dispatcher, a region forms); pop ebp;
    // jmp O; E: hlt); before a CMP with a memory operand (a page fault at it: L: add edi, 0x9e3779b9; inc ecx;
    // cmp edx, [esi + ecx*4]; jmp L, ESI's next page unmapped).
    const edge = [0x48, 0x74, 0x10, 0xa8, 0x01, 0x75, 0x03, 0x01, 0xfe, 0x41, 0x39, 0xca, 0x83, 0xd3, 0x00, 0x9c, 0x5d, 0xeb, 0xed];
    for (const budget of [7, 9, 11, 1000]) agree(edge, { [EAX]: 6000, [EDX]: 7, [ESI]: 0x9e3779b9, [EDI]: 0x7f4a7c15, [ESP]: 0x9000 }, budget);
    const faulting = [0x81, 0xc7, ...le32(0x9e3779b9), 0x41, 0x3b, 0x14, 0x8e, 0xeb, 0xf4];
    const run = (engine: 'interp' | 'jit') => {
      const m = pagedMachine([], engine);
      enterPaging(m, {});
      mapPage(m, 0x301000, 0);
      m.bus.dmaWrite(CODE, Uint8Array.from([...faulting, HLT]));
      m.cpu.regs[ESI] = 0x300000; m.cpu.regs[ECX] = 0;
      m.cpu.pc = CODE;
      m.cpu.run(10_000);
      return m;
    };
    const a = run('interp'), before = wasmRegionStats.deadKeptCarries, b = run('jit');
    expect(wasmRegionStats.deadKeptCarries).toBe(before);
    expect(b.cpu.lastException).toMatchObject({ vector: 14, eip: CODE + 7 });
    expect([b.cpu.retired, b.cpu.eip, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, a.cpu.eflags, ...a.cpu.regs]);
  });

  it('keep the flag state in the area between region calls: the next page\'s region reads it, an instruction the interpreter runs between sets it', () => {
    // A (page 0x20000): add eax, ecx; add edx, [esi + 1] (misaligned under paging: the interpreter's, setting every
    // flag); adc ebx, 0 (its CF); add eax, ecx; jmp B. B (page 0x21000): adc ebp, 0 (A's CF, across the dispatcher);
    // dec edi; jnz A; hlt. Consecutive calls leave the state in the CPU's area (jit-wasm.ts copyingState); the
    // interpreter's ADD must reach the next call, and every run's end the CPU's fields (EFLAGS compared per slice).
    const a = [0x01, 0xc8, 0x03, 0x56, 0x01, 0x83, 0xd3, 0x00, 0x01, 0xc8, 0xe9, ...le32(0x1000 - 15)];
    const b = [0x83, 0xd5, 0x00, 0x4f, 0x0f, 0x85, ...le32(-0x100a), HLT];
    const build = (engine: 'interp' | 'jit') => {
      const m = pagedMachine([], engine);
      enterPaging(m, {});
      m.bus.dmaWrite(CODE, Uint8Array.from(a));
      m.bus.dmaWrite(CODE + 0x1000, Uint8Array.from(b));
      m.bus.dmaWrite(0x8000, Uint8Array.from([0x11, ...le32(0x89abcdef)]));
      Object.assign(m.cpu.regs, { [ECX]: 0x9e3779b9, [ESI]: 0x8000, [EDI]: 3000, [EDX]: 0x7f4a7c15 });
      m.cpu.pc = CODE;
      return m;
    };
    for (const budget of [5, 13, 1000]) {
      const i = build('interp'), j = build('jit');
      const before = wasmRegionStats.translated;
      const state = (m: typeof i) => [m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs];
      for (let slice = 0; slice < 20_000 && !i.cpu.waiting; slice++) {
        expect(j.cpu.run(budget)).toBe(i.cpu.run(budget));
        expect(state(j), `budget ${budget}, slice ${slice}`).toEqual(state(i));
      }
      expect(i.cpu.regs[EDI]).toBe(0);
      expect(wasmRegionStats.translated).toBeGreaterThan(before);
    }
  });

  it('rotate a loop whose head loads before the instruction that sets every flag: exits there leave the state of the pass before', () => {
    // O: xor ecx, ecx (CF = 0); L: mov edx, [esi + ecx*4]; adc edi, edx (reads CF: the XOR's, then the CMP's); inc ecx;
    // cmp ecx, ebp; jb L; dec ebx; jnz O. The table crosses two pages: the load's fast TLB misses leave in the loop's
    // head, once before it (the XOR's state) and once at its back edge (the CMP's); the interpreter's ADC then reads it.
    // L is a loop inside O's block, and a block's own loop where the code resumes after such an exit.
    const body = [0x31, 0xc9, 0x8b, 0x14, 0x8e, 0x11, 0xd7, 0x41, 0x39, 0xe9, 0x72, 0xf6, 0x4b, 0x75, 0xf1];
    const table = (m: ReturnType<typeof machine>) => { for (let i = 0; i < 1500; i++) m.view.setUint32(0x100f00 + 4 * i, Math.imul(i, 0x9e3779b9), true); };
    const before = wasmRegionStats.rotatedLoops;
    for (const budget of [1, 2, 3, 5, 6, 1000, 100_000]) agree(body, { [ESI]: 0x100f00, [EBP]: 1500, [EBX]: 3 }, budget, table);
    expect(wasmRegionStats.rotatedLoops).toBeGreaterThan(before);
  });

  it('rotate a loop with no instruction setting every flag at its back edge\'s jump when one before it sets flags (memset\'s: the state kept through its exits)', () => {
    // O: cmp eax, ebx (CF alternates: XOR below); jne L; L: mov [esi], dl; inc esi; dec ecx; jnz L; adc edi, edi (the
    // CMP's CF kept through INC and DEC); xor eax, ebx; mov ecx, 600; dec ebp; jnz O. The stores cross pages: their
    // fast TLB misses leave before the loop's jump, in its first pass and in the others.
    const body = [0x39, 0xd8, 0x75, 0x00, 0x88, 0x16, 0x46, 0x49, 0x75, 0xfa, 0x11, 0xff, 0x31, 0xd8, 0xb9, ...le32(600), 0x4d, 0x75, 0xea];
    const before = wasmRegionStats.rotatedLoops;
    for (const budget of [1, 2, 3, 4, 5, 1000]) agree(body, { [EAX]: 1, [EBX]: 2, [ECX]: 600, [EBP]: 20, [EDX]: 0x5a, [ESI]: 0x100ff0, [EDI]: 1, [ESP]: 0x9000 }, budget);
    expect(wasmRegionStats.rotatedLoops).toBeGreaterThan(before);
  });

  it('emit a small block again where a block after it jumps back to it (quicksort\'s partition loop): exits, counts and flags as the interpreter', () => {
    // jmp Q; P: adc edi, edx (CF of the state P is entered with: SUB's, ADD's, or known at run time only); mov edx,
    // [esi + ebx*4]; cmp ebx, ebp; jae E; Q: L: mov edx, [esi + ecx*4]; inc ecx; cmp edx, eax; jb L; inc ebx;
    // sub edx, 50; jnz P; add edx, -16; jmp P; E: hlt. P falls into Q, which jumps back to it twice: P's code at
    // those jumps, Q's own loop. The table crosses pages: P's load misses the fast TLB there (an exit inside P).
    // A region forms after 4096 calls from the dispatcher (a slice each); a budget below a block's length runs none.
    const body = [0xeb, 0x09, 0x11, 0xd7, 0x8b, 0x14, 0x9e, 0x39, 0xeb, 0x73, 0x13, 0x8b, 0x14, 0x8e, 0x41, 0x39, 0xc2, 0x72, 0xf8,
      0x43, 0x83, 0xea, 0x32, 0x75, 0xe9, 0x83, 0xc2, 0xf0, 0xeb, 0xe4];
    const table = (m: ReturnType<typeof machine>) => { for (let i = 0; i < 24000; i++) m.view.setUint32(0x100f00 + 4 * i, (i * 7) % 64, true); };
    for (const budget of [5, 7, 11, 13]) {
      const before = wasmRegionStats.inlinedBlocks;
      agree(body, { [EAX]: 40, [ESI]: 0x100f00, [EBP]: 8000, [EDI]: 1 }, budget, table, 100_000);
      expect(wasmRegionStats.inlinedBlocks, `budget ${budget}`).toBeGreaterThan(before);
    }
  });

  it('return from a call to a block of the region, a later one by its branch, an earlier one through the dispatch, as the interpreter', () => {
    // O: call F; R: add edi, eax; dec ebp; jnz O; jmp E; F: add eax, ecx; cmp eax, 0x40000000; jb H; ret; H: ret;
    // E: hlt. Both RETs go back to R (the return site, tested first), each from its own block.
    const body = [0xe8, ...le32(7), 0x01, 0xc7, 0x4d, 0x75, 0xf6, 0xeb, 0x0b, 0x01, 0xc8, 0x3d, ...le32(0x40000000), 0x72, 0x01, 0xc3, 0xc3];
    const before = wasmRegionStats.indirectForward;
    for (const budget of [3, 4, 5, 7, 11]) agree(body, { [EAX]: 1, [ECX]: 0x0fedcba9, [EBP]: 8000, [ESP]: 0x9000 }, budget, () => {}, 100_000);
    expect(wasmRegionStats.indirectForward).toBeGreaterThan(before);
  });

  it('move with CMOVcc as a select (read its memory operand whatever the condition: a page fault at a CMOV that moves nothing)', () => {
    // L: cmp eax, ecx; cmovb edx, [esi + ecx*4]; cmove ebx, ecx; add edi, edx; add edi, ebx; inc ecx; jmp L. The table
    // runs into an unmapped page at ECX 1624: with EAX 1610 the CMOVB moves from 1611 on, with EAX 1700 never.
    const body = [0x39, 0xc8, 0x0f, 0x42, 0x14, 0x8e, 0x0f, 0x44, 0xd9, 0x01, 0xd7, 0x01, 0xdf, 0x41, 0xeb, 0xf0];
    for (const [eax, budget] of [[1610, 7], [1610, 1000], [1700, 5], [1700, 100_000]]) {
      const run = (engine: 'interp' | 'jit') => {
        const m = pagedMachine([], engine);
        enterPaging(m, {});
        mapPage(m, 0x301000, 0);
        for (let i = 0; i < 1624; i++) m.view.setUint32(0x2ff6a0 + 4 * i, Math.imul(i, 0x9e3779b9), true);
        m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
        Object.assign(m.cpu.regs, { [EAX]: eax, [ECX]: 0, [EDX]: 7, [EBX]: 3, [ESI]: 0x2ff6a0, [EDI]: 0 });
        m.cpu.pc = CODE;
        const states: number[][] = [];
        for (let slice = 0; slice < 4000 && m.cpu.eip >= CODE; slice++) { // until the #PF handler (HANDLER, below CODE)
          m.cpu.run(budget);
          states.push([m.cpu.eip, m.cpu.retired, m.cpu.eflags, ...m.cpu.regs]);
        }
        return { m, states };
      };
      const a = run('interp'), b = run('jit');
      expect(b.states).toEqual(a.states);
      expect(b.m.cpu.eip).toBeLessThan(CODE);
      expect([b.m.cpu.cr2, b.m.cpu.regs[ECX]]).toEqual([0x301000, 1624]);
      expect([b.m.cpu.regs[EBX], b.m.cpu.regs[EDX]]).toEqual(eax < 1624 ? [eax, Math.imul(1623, 0x9e3779b9)] : [3, 7]);
    }
  });

  it('keep an INC/DEC\'s carry from the INC/DEC before it (its own kept bit, no formula) and from another state, memory forms too', () => {
    // L: cmp eax, ebx (CF alternates: XOR below); dec ecx; inc dword [esi]; dec dword [esi + 4]; inc edx; adc edi, edi
    // (the CMP's CF through four INC/DECs); xor eax, ebx; dec ebp; jnz L
    const body = [0x39, 0xd8, 0x49, 0xff, 0x06, 0xff, 0x4e, 0x04, 0x42, 0x11, 0xff, 0x31, 0xd8, 0x4d, 0x75, 0xf0];
    for (const budget of [1, 2, 3, 4, 5, 6, 1000]) agree(body, { [EAX]: 1, [EBX]: 2, [ECX]: 5, [EBP]: 3000, [ESI]: 0x8000, [EDI]: 1, [ESP]: 0x9000 }, budget);
  });

  it('start a region block where two blocks\' paths join (quicksort\'s partition: one block jumps into the scans another falls into), the code after it emitted once', () => {
    // O: mov ebp, 20; xor edi, edi; jmp X; Q: dec ebp; jz E; X: add eax, edi; inc edi; cmp edi, ebx; jb X; jmp Q;
    // E: dec edx; jnz O. O's block jumps to X, Q's falls into it: X's code was in both (and a loop in each).
    const body = [0xbd, ...le32(20), 0x31, 0xff, 0xeb, 0x03, 0x4d, 0x74, 0x09, 0x01, 0xf8, 0x47, 0x39, 0xdf, 0x72, 0xf9, 0xeb, 0xf4, 0x4a, 0x75, 0xe8];
    const m = machine(body, 'jit', {});
    const before = wasmRegionStats.joins;
    const region = translateWasmRegion(m.cpu, jitKit, m.cpu.wasmCore!, m.ram.u8, CODE, (off) => off === 0 || off === 9);
    expect(wasmRegionStats.joins - before).toBe(1);
    expect([...region!.entries].map(([at, b]) => [at, b.len]).sort((x, y) => x[0] - y[0])).toEqual([[0, 3], [9, 2], [0xc, 5]]);
    // Run as regions form (exits, counts and flags as the interpreter's).
    const joins = wasmRegionStats.joins;
    for (const budget of [3, 5, 1000]) agree(body, { [EBX]: 40, [EDX]: 1500 }, budget, () => {}, 30_000);
    expect(wasmRegionStats.joins).toBeGreaterThan(joins);
    // No join that would cut a loop inside a block (its head before the join, its jump back after: that jump would go
    // to no block and leave the region on every pass). O: mov ebp, 20; jmp X; Q: xor edi, edi; H: add eax, edi;
    // X: inc edi; cmp edi, ebx; jb H; dec ebp; jnz Q: H..jb a loop inside Q's block.
    const cut = [0xbd, ...le32(20), 0xeb, 0x04, 0x31, 0xff, 0x01, 0xf8, 0x47, 0x39, 0xdf, 0x72, 0xf9, 0x4d, 0x75, 0xf4];
    const n = machine(cut, 'jit', {});
    const none = wasmRegionStats.joins;
    const kept = translateWasmRegion(n.cpu, jitKit, n.cpu.wasmCore!, n.ram.u8, CODE, (off) => off === 0 || off === 7);
    // The loop's head H is where O's JB lands, mid-block in Q's: a block starts there instead (the loop whole in it),
    // so that O's first pass stays in the region.
    expect(wasmRegionStats.joins).toBe(none + 1);
    expect([...kept!.entries].map(([at, b]) => [at, b.len]).sort((x, y) => x[0] - y[0])).toEqual([[0, 7], [7, 1], [9, 6]]);
    // Nor where the code after the join holds no loop (a few instructions twice cost less than a block boundary):
    // O: mov ebp, 20; xor edi, edi; jmp X; Q: dec ebp; jz E; X: add eax, edi; inc edi; jmp Q; E: dec edx; jnz O.
    const straight = [0xbd, ...le32(20), 0x31, 0xff, 0xeb, 0x03, 0x4d, 0x74, 0x05, 0x01, 0xf8, 0x47, 0xeb, 0xf8, 0x4a, 0x75, 0xec];
    const s = machine(straight, 'jit', {});
    const twice = translateWasmRegion(s.cpu, jitKit, s.cpu.wasmCore!, s.ram.u8, CODE, (off) => off === 0 || off === 9);
    expect(wasmRegionStats.joins).toBe(none + 1);
    expect([...twice!.entries].map(([at, b]) => [at, b.len]).sort((x, y) => x[0] - y[0])).toEqual([[0, 6], [9, 5]]);
  });

  it('emit the same bytes translating the same code again, after other translations (no state of one kept for the next)', () => {
    // A region whose RETs test its return sites (gotoIndirect's order), and a block alone with two loops inside (rewinds).
    const calls = [0xe8, ...le32(7), 0x01, 0xc7, 0x4d, 0x75, 0xf6, 0xeb, 0x0b, 0x01, 0xc8, 0x3d, ...le32(0x40000000), 0x72, 0x01, 0xc3, 0xc3];
    const loops = [0x46, 0x01, 0xc8, 0x4b, 0x75, 0xfb, 0xbb, ...le32(5), 0x01, 0xce, 0x4a, 0x75, 0xfb, 0xba, ...le32(3), 0x4f, 0x75, 0xe8];
    const m = machine([...calls, ...new Array(0x80 - calls.length).fill(0x90), ...loops, HLT], 'jit', {});
    const compiled: number[][] = [];
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, compile: (b: Uint8Array) => jitKit.wasm.compile((compiled.push([...b]), b)) } };
    const translate = (at: number, hot?: () => boolean) => expect(translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, CODE + at, hot)).not.toBeNull();
    const before = wasmRegionStats.innerLoopRestarts;
    translate(0, () => true); translate(0x80); translate(0x80); translate(0, () => true);
    expect(wasmRegionStats.innerLoopRestarts - before).toBe(4);
    const modules = compiled.filter((b) => b.length > 200);
    expect(modules).toHaveLength(4);
    expect(modules[3]).toEqual(modules[0]);
    expect(modules[2]).toEqual(modules[1]);
    expect(modules[1]).not.toEqual(modules[0]);
  });

  it('clear the page memos of the access sites at each call, loads and stores apart: a page made read-only between calls faults at the store', () => {
    // L: mov eax, [esi]; mov [esi], eax; dec ebx; jnz L. Hot on a writable page, then the page is read-only (CR0.WP, its TLB entry
    // flushed): the next call's load finds the page anew, its store must not take the load's memo nor its own of before.
    const body = [0x8b, 0x06, 0x89, 0x06, 0x4b, 0x75, 0xf9];
    const run = (engine: 'interp' | 'jit') => {
      const m = pagedMachine([], engine);
      enterPaging(m, { wp: true });
      mapPage(m, 0x300000, 0x300000 | P | RW);
      m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
      m.cpu.regs[EBX] = 1_000_000; m.cpu.regs[ESI] = 0x300000;
      m.cpu.pc = CODE;
      m.cpu.run(50_000);
      mapPage(m, 0x300000, 0x300000 | P);
      m.cpu.mmu.invalidate(0x300000); // INVLPG: the code's page stays in the TLB, the region is entered at once
      m.cpu.mmu.translate(0x300000, ACCESS_READ, false); // a read entry: the load goes on in wasm, the store must not
      m.cpu.run(1000);
      return m;
    };
    const a = run('interp'), before = wasmRegionStats.translated, b = run('jit');
    expect(wasmRegionStats.translated).toBeGreaterThan(before);
    expect(b.cpu.lastException).toMatchObject({ vector: 14, eip: CODE + 2, errorCode: 3 });
    expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
  });

  it('tell a flat window for loads (the longest run of RAM pages with no hole) only with paging off, A20 high and no data breakpoint', () => {
    const m = pagedMachine([[0xa0000, 0x60000]]), mmu = m.cpu.mmu, all = (8 << 20) - 0x100000;
    expect(mmu.flatWindow()).toEqual({ lo: 0x100000, size: all, ramBase: 0 });
    expect(mmu.flatLoads).toBe(all - 3);
    mmu.setA20(false);
    expect(mmu.flatLoads).toBe(0);
    mmu.setA20(true);
    mmu.watchPages([0x300000]);
    expect(mmu.flatLoads).toBe(0);
    mmu.watchPages([]);
    expect(mmu.flatLoads).toBe(all - 3);
    enterPaging(m);
    expect(mmu.flatLoads).toBe(0);
  });

  it('load through the flat window as the TLB would: up to its edge beside a hole, with A20 low (1 MiB + x is x), with paging on (no identity)', () => {
    // L: add eax, [esi]; add esi, 4; dec ecx; jnz L: a sum of the words loaded.
    const body = [0x03, 0x06, 0x83, 0xc6, 0x04, 0x49, 0x75, 0xf8];
    const fill = (m: ReturnType<typeof machine>, at: number, words: number, seed: number) => {
      for (let i = 0; i < words; i++) m.view.setUint32(at + 4 * i, Math.imul(i + 1, seed) >>> 0, true);
    };
    const holes: Array<[number, number]> = [[0xa0000, 0x60000]];
    const inHoles = (holes: Array<[number, number]>, engine: 'interp' | 'jit', regs: Record<number, number>) => {
      const m = pagedMachine(holes, engine);
      m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
      for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
      m.cpu.pc = CODE;
      return m;
    };
    // Across the hole's start (RAM under it holds other words than the bus reads) and across its end into the window.
    for (const esi of [0x9f000, 0xfe000]) {
      const run = (engine: 'interp' | 'jit') => {
        const m = inHoles(holes, engine, { [ESI]: esi, [ECX]: 0x1000 });
        fill(m, 0x9f000, 0x400 * 4, 0x9e3779b9);
        fill(m, 0xfe000, 0x400 * 8, 0x85ebca6b);
        for (let slice = 0; slice < 200 && !m.cpu.waiting; slice++) m.cpu.run(1000);
        return m;
      };
      const a = run('interp'), b = run('jit');
      expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
      expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
    }
    // A20 low: the loads from 1 MiB on read the words from 0 on.
    const low = agree(body, { [ESI]: 0x100000, [ECX]: 0x800 }, 1000, (m) => {
      fill(m, 0, 0x800, 0x27d4eb2f);
      fill(m, 0x100000, 0x800, 0x165667b1);
      m.cpu.irqInput('a20')!.set(false);
    });
    let sum = 0;
    for (let i = 0; i < 0x800; i++) sum = (sum + Math.imul(i + 1, 0x27d4eb2f)) | 0;
    expect(low.cpu.regs[EAX] >>> 0).toBe(sum >>> 0);
    // Paging on: linear 0x400000.. maps physical 0x300000.., whose words are summed, not those at 0x400000; the loop
    // translated before with paging off (its flat path then tested at run time) or after.
    const paged = (engine: 'interp' | 'jit', flatFirst: boolean) => {
      const m = machine(body, engine, { [ESI]: 0x300000, [ECX]: flatFirst ? 0x800 : 1 });
      for (let slice = 0; slice < 100 && !m.cpu.waiting; slice++) m.cpu.run(1000);
      enterPaging(m);
      for (let i = 0; i < 2; i++) mapPage(m, 0x400000 + 0x1000 * i, (0x300000 + 0x1000 * i) | P | RW);
      fill(m, 0x300000, 0x800, 0x9e3779b9);
      fill(m, 0x400000, 0x800, 0x85ebca6b);
      Object.assign(m.cpu.regs, { [EAX]: 0, [ESI]: 0x400000, [ECX]: 0x800 });
      m.cpu.pc = CODE;
      for (let slice = 0; slice < 100 && !m.cpu.waiting; slice++) m.cpu.run(1000);
      return m;
    };
    sum = 0;
    for (let i = 0; i < 0x800; i++) sum = (sum + Math.imul(i + 1, 0x9e3779b9)) | 0;
    for (const flatFirst of [false, true]) {
      const a = paged('interp', flatFirst), b = paged('jit', flatFirst);
      expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
      expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
      expect(b.cpu.regs[EAX] >>> 0).toBe(sum >>> 0);
    }
  });

  it('shift by CL (a zero count changes no flag) and read the flags after', () => {
    // shl eax, cl; setc dl; add esi, edx; shr ebx, cl; seto dh; sar edi, cl; sete dl; add esi, edx; inc ecx; and ecx, 63 (reads CL: 0..63); cmp ecx, 40; jne start
    const body = [0xd3, 0xe0, 0x0f, 0x92, 0xc2, 0x01, 0xd6, 0xd3, 0xeb, 0x0f, 0x90, 0xc6, 0xd3, 0xff, 0x0f, 0x94, 0xc2, 0x01, 0xd6,
      0x41, 0x83, 0xe1, 0x3f, 0x83, 0xf9, 0x28, 0x75, 0xe4];
    for (let r = 0; r < 3; r++) agree(body, { [EAX]: 0x12345 + r, [EBX]: -7, [EDI]: 0x80000001, [ECX]: 41 + r * 7, [ESP]: 0x9000 }, 97);
  });
});

describe('i386 wasm rotates', () => {
  /** agree() on each loop, with rotates translated (all with their flags unless `flagless`). */
  const agreeRotating = (bodies: number[][], flagless: boolean) => {
    const [rotated, without] = [wasmRegionStats.rotates, wasmRegionStats.flaglessRotates];
    for (const body of bodies) for (const budget of [3, 1000]) agree(body, FLAG_LOOP_REGS, budget);
    expect(wasmRegionStats.rotates - rotated).toBeGreaterThanOrEqual(bodies.length);
    expect(wasmRegionStats.flaglessRotates - without).toBe(flagless ? wasmRegionStats.rotates - rotated : 0);
  };

  it('work out their flags where an instruction after them may read them (PUSHFD), in wasm (jit.test.ts: the conditions, ADC)', () => {
    // pushfd; pop ebp; add esi, ebp
    agreeRotating(flagLoops(ROTATES, [0x9c, 0x5d, 0x01, 0xee]), false);
  });

  it('shift 16-bit operands with no flags worked out where the next instruction sets every flag from registers (jit.test.ts: exact)', () => {
    const before = wasmRegionStats.flaglessShifts16;
    for (const body of flagLoops(SHIFTS16, [0x01, 0xc6])) agree(body, FLAG_LOOP_REGS, 1000);
    expect(wasmRegionStats.flaglessShifts16).toBeGreaterThan(before);
  });

  it('work out no flag where the next instruction sets every flag from registers (blake2s\' `ror; add`), exact at every exit', () => {
    // add esi, eax
    agreeRotating(flagLoops(ROTATES, [0x01, 0xc6]), true);
  });
});

// The JavaScript translator's tests, now on wasm regions.
await import('./jit-diff.test.js');
await import('./jit.test.js');
