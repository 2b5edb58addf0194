/**
 * The i386 block translator (jit.ts) directly: what starts and ends a block, a loop that runs inside
 * its function with an exact count at any budget, a #PF from inside a block (EIP, CR2, error code,
 * count), self-modifying code, data next to code keeping its translations, and `--engine interp`.
 * Encodings checked with `llvm-mc -triple=i386 -show-encoding`.
 */
import { describe, expect, it } from 'vitest';
import { PAGE_CODE } from '../../../src/core/api.js';
import { generate, JIT_THRESHOLD, MIN_LEFT_BLOCK, PAGED_JIT_THRESHOLD, REGION_RUNS, STRAIGHT_HEAT, WARM_CALLS, WARM_STEPS } from '../../../plugins/arch-i386/src/jit.js';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP } from '../../../plugins/arch-i386/src/cpu.js';
import { enterPaging, HLT, mapPage, P, pagedMachine } from './paging-machine.js';
import { FLAG_LOOP_REGS, flagLoops, ROTATES, SHIFTS16 } from '../../helpers/i386-streams.js';

// The JavaScript regions (jit.ts), before any machine is built, unless the run or a file importing this one
// (jit-wasm.test.ts: the wasm regions, the default) chose.
process.env.RVOS_JIT_WASM_I386 ??= '0';

const CODE = 0x20000;
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** `body` at CODE with HLT after it, on a fresh machine with `engine`; registers preset by index. */
function machine(body: number[], engine: 'interp' | 'jit', regs: Record<number, number> = {}, paging = false) {
  const m = pagedMachine([], engine);
  if (paging) enterPaging(m);
  m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  m.cpu.pc = CODE;
  return m;
}

/** Runs `prog` under both engines in slices of `budget` until the interpreter's halts, state compared after each; the jit's machine. */
function lockstep(prog: number[], budget: number) {
  const a = machine(prog, 'interp'), b = machine(prog, 'jit');
  for (let slice = 0; slice < 100_000 && !a.cpu.waiting; slice++) {
    expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
    expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
  }
  expect(a.cpu.waiting).toBe(true);
  return b;
}

/** add eax, ecx; dec ebx; jnz -5 (a loop of 2 + 1 instructions on itself). */
const LOOP = [0x01, 0xc8, 0x4b, 0x75, 0xfb];

describe('i386 block translator', () => {
  it('runs the kind of regions the file chose (JavaScript alone, wasm when jit-wasm.test.ts imports it)', () => {
    expect(machine(LOOP, 'jit').cpu.wasmCore === null).toBe(process.env.RVOS_JIT_WASM_I386 === '0');
  });

  it("tells the installed CLI's loader when it translates (its code cache then keeps the translator), never under interp", () => {
    const g = globalThis as { rvosTranslatorsRan?: () => void };
    const saved = g.rvosTranslatorsRan;
    let calls = 0;
    g.rvosTranslatorsRan = () => void calls++;
    try {
      const interp = machine(LOOP, 'interp', { [EBX]: 500 });
      interp.cpu.run(10_000);
      expect(calls).toBe(0);
      const jit = machine(LOOP, 'jit', { [EBX]: 500 });
      jit.cpu.run(10_000);
      expect(jit.cpu.blocksCompiled).toBe(1);
      expect(calls).toBeGreaterThan(0);
    } finally {
      g.rvosTranslatorsRan = saved;
    }
  });

  it('starts no block at an instruction it leaves to the interpreter, and ends a block before one', () => {
    const u8 = new Uint8Array(0x2000);
    u8.set([0xec], 0x100); // IN AL, DX
    expect(generate(u8, 0x100)).toBeNull();
    u8.set([0x40, 0x41, 0x66, 0x40], 0x200); // INC EAX; INC ECX; INC AX (16-bit: not translated)
    expect(generate(u8, 0x200)).toMatchObject({ insns: 2, bytes: 2, loops: false });
    u8.set([0x40, 0x41, 0xb8], 0xffd); // MOV EAX, imm32 would cross the page end
    expect(generate(u8, 0xffd)).toMatchObject({ insns: 2, bytes: 2 });
    expect(generate(u8.fill(0x90, 0x300, 0x400), 0x300)).toMatchObject({ insns: 64 }); // MAX_INSNS NOPs
  });

  it('loops inside a block that jumps back to its start, with exact counts at every budget', () => {
    expect(generate(Uint8Array.from(LOOP), 0)).toMatchObject({ insns: 3, loops: true });
    for (const budget of [1, 2, 3, 100, 257, 1000]) {
      const a = machine(LOOP, 'interp', { [EBX]: 500, [ECX]: 3 }), b = machine(LOOP, 'jit', { [EBX]: 500, [ECX]: 3 });
      for (let slice = 0; slice < 10_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      expect(a.cpu.regs[EAX]).toBe(1500);
      expect(b.cpu.blocksCompiled).toBe(1);
    }
  });

  it('translates a start after JIT_THRESHOLD arrivals with paging off, PAGED_JIT_THRESHOLD with paging on (an OS kernel runs much code a few hundred times)', () => {
    const compiled = (passes: number, paging: boolean) => {
      const m = machine(LOOP, 'jit', { [EBX]: passes }, paging);
      m.cpu.run(10 * passes);
      expect(m.cpu.waiting).toBe(true);
      expect(m.cpu.regs[EBX]).toBe(0);
      return m.cpu.blocksCompiled;
    };
    expect(compiled(JIT_THRESHOLD - 4, false)).toBe(0);
    expect(compiled(JIT_THRESHOLD + 4, false)).toBeGreaterThan(0);
    expect(compiled(PAGED_JIT_THRESHOLD - 4, true)).toBe(0);
    expect(compiled(PAGED_JIT_THRESHOLD + 4, true)).toBeGreaterThan(0);
  });

  it('runs a hot loop in one block call (no dispatch per pass), and counts each call', () => {
    const m = machine(LOOP, 'jit', { [EBX]: 5000, [ECX]: 3 });
    for (let slice = 0; slice < 100 && !m.cpu.waiting; slice++) m.cpu.run(1_000_000);
    expect(m.cpu.regs[EAX]).toBe(15000);
    // JIT_THRESHOLD passes in the interpreter, WARM_CALLS calls of at most WARM_STEPS steps (V8 sees
    // the function return before it optimizes it), then one call runs the rest.
    expect(m.cpu.blockRuns).toBe(WARM_CALLS + 1);
    expect(15000 - 3 * JIT_THRESHOLD).toBeGreaterThan(WARM_CALLS * WARM_STEPS);
    for (const budget of [300, 1000]) { // a budget ends a call: one per slice (as the interpreter's counts)
      const b = machine(LOOP, 'jit', { [EBX]: 5000, [ECX]: 3 });
      let slices = 0;
      for (; slices < 1000 && !b.cpu.waiting; slices++) b.cpu.run(budget);
      expect(b.cpu.regs[EAX]).toBe(15000);
      expect(b.cpu.blockRuns).toBeLessThanOrEqual(slices + WARM_CALLS);
      expect(b.cpu.blockRuns).toBeGreaterThanOrEqual(Math.floor((15000 - 3 * JIT_THRESHOLD) / budget) - 1);
    }
  });

  it('loops inside a block that calls its own start (recursion), with exact counts and stack at every budget', () => {
    // dec ebx; jz +5 (to HLT); call CODE
    const recurse = [0x4b, 0x74, 0x05, 0xe8, ...le32(-8)];
    expect(generate(Uint8Array.from(recurse), 0)).toMatchObject({ insns: 3, loops: true });
    for (const budget of [1, 3, 100, 1000]) {
      const a = machine(recurse, 'interp', { [EBX]: 300, [ESP]: 0x9000 }), b = machine(recurse, 'jit', { [EBX]: 300, [ESP]: 0x9000 });
      for (let slice = 0; slice < 10_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      expect(b.cpu.regs[ESP]).toBe(0x9000 - 4 * 299);
      expect(Buffer.from(b.ram.u8.subarray(0x8000, 0x9000))).toEqual(Buffer.from(a.ram.u8.subarray(0x8000, 0x9000)));
      expect(b.cpu.blocksCompiled).toBe(1);
    }
  });

  it('translates a hot recursion again as one region (CALL and RET between its blocks inside it), with exact counts at every budget', () => {
    // mov ecx, 19; call fib; hlt. fib: cmp ecx, 2; jb small; push ecx; dec ecx; call fib; pop ecx; push eax;
    // sub ecx, 2; call fib; pop edx; add eax, edx; ret. small: mov eax, ecx; ret.
    const fib = [0xb9, ...le32(22), 0xe8, ...le32(1), HLT,
      0x83, 0xf9, 0x02, 0x72, 0x15, 0x51, 0x49, 0xe8, ...le32(-12), 0x59, 0x50, 0x83, 0xe9, 0x02, 0xe8, ...le32(-22),
      0x5a, 0x01, 0xd0, 0xc3, 0x89, 0xc8, 0xc3];
    for (const budget of [7, 1000, 100_000]) {
      const a = machine(fib, 'interp', { [ESP]: 0x9000 }), b = machine(fib, 'jit', { [ESP]: 0x9000 });
      for (let slice = 0; slice < 200_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      expect(b.cpu.regs[EAX]).toBe(17711);
      expect(Buffer.from(b.ram.u8.subarray(0x8000, 0x9000))).toEqual(Buffer.from(a.ram.u8.subarray(0x8000, 0x9000)));
      if (budget < 1000) continue;
      // 57313 calls: each block of fib ran from the dispatcher until its entry's ran REGION_RUNS times
      // (~2.5 REGION_RUNS in all, and the budget ends calls); then one region took their starts (aliases), and calls and returns
      // stay inside it (about 143 K dispatches without it).
      expect(b.cpu.codeCache).toMatchObject({ translations: 1, aliases: 3 });
      expect(b.cpu.blockRuns).toBeLessThan(4 * REGION_RUNS);
    }
  });

  it('translates a start that gets hot while its page\'s region ran last as a region with that region\'s blocks, with exact counts', () => {
    // Three loops on ESI, ESI, EDI: mov r, n; L: mov ecx, 3; call f; dec r; jnz L. Then hlt; f: dec ecx; jnz f; ret.
    // The first loop's blocks come with f's (one module in wasm); the second's, made later, bounce with f's
    // through the dispatcher until a region takes them (REGION_RUNS); the third's start gets hot while that
    // region ran last, and is made a region with f's blocks at once: its calls of f stay inside it (a block of
    // its own bounced with f's region, about 2 dispatches a pass).
    const loop = (reg: number, n: number, call: number) => [0xb8 + reg, ...le32(n), 0xb9, ...le32(3), 0xe8, ...le32(call), 0x48 + reg, 0x75, 0xf3];
    const prog = [...loop(ESI, 100, 40), ...loop(ESI, 6000, 22), ...loop(EDI, 3000, 4), HLT, 0x49, 0x75, 0xfd, 0xc3];
    for (const budget of [7, 1000]) {
      const a = machine(prog, 'interp', { [ESP]: 0x9000 }), b = machine(prog, 'jit', { [ESP]: 0x9000 });
      let third = -1; // block calls before the third loop
      for (let slice = 0; slice < 100_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
        if (third < 0 && b.cpu.regs[EDI] !== 0) third = b.cpu.blockRuns;
      }
      expect(a.cpu.waiting).toBe(true);
      if (budget === 1000) expect(b.cpu.blockRuns - third).toBeLessThan(200); // 56; a block of its own: about 5,800
    }
  });

  it('translates a start that gets hot as a block module of its page leaves to it as a region with that module\'s blocks, with exact counts', () => {
    // mov esi, 3000; mov ecx, 100; A: dec ecx; jnz A; B: dec esi; jz end; mov ecx, 100; jmp A; end: hlt. A's loop is
    // hot in the first pass (its block, made alone, ends at the loop's exit); B gets hot 64 passes later, reached
    // from A's module: made a region with A's block at once, the passes run inside it. Made a block of its own,
    // it bounced with A's through the dispatcher, 2 calls a pass, until a region took them (REGION_RUNS).
    const prog = [0xbe, ...le32(3000), 0xb9, ...le32(100), 0x49, 0x75, 0xfd, 0x4e, 0x74, 0x07, 0xb9, ...le32(100), 0xeb, 0xf3, HLT];
    for (const budget of [7, 1000]) {
      const b = lockstep(prog, budget);
      if (budget < 1000) continue;
      expect(b.cpu.codeCache).toMatchObject({ translations: 1, aliases: 1 }); // one region, entered at B or A
      expect(b.cpu.blockRuns).toBeLessThan(800); // 685: a call per slice (612) and the first passes'; bouncing: 6,525
    }
  });

  it('makes an inner loop that gets hot by its back edge one region with its enclosing loop\'s head (no block module first), with exact counts', () => {
    // mov esi, 3000; A: mov ecx, 10; B: dec ecx; jnz B; dec esi; jnz A; hlt. B gets hot (64 jumps back) in A's 8th
    // pass, A having run: both are made one region at once. Before, B's block alone came first, then a region when A
    // got hot (reached from B's module: joinRegion), 2 translations.
    const prog = [0xbe, ...le32(3000), 0xb9, ...le32(10), 0x49, 0x75, 0xfd, 0x4e, 0x75, 0xf5, HLT];
    for (const budget of [7, 1000]) {
      const b = lockstep(prog, budget);
      if (budget < 1000) continue;
      expect(b.cpu.codeCache).toMatchObject({ made: 1, translations: 1, aliases: 1 }); // one region, entered at B or A
      expect(b.cpu.blockRuns).toBeLessThan(100);
    }
  });

  it('counts no arrival at a REP string instruction stopped between iterations (no block starts there)', () => {
    // mov edi, 0x100000; mov ecx, 0x60000; xor eax, eax; rep stosb: 96 chunks of REP_CHUNK iterations, each leaving
    // EIP on the instruction as a jump to itself would. Counted as arrivals, the 64th made a translation attempt.
    const prog = [0xbf, ...le32(0x100000), 0xb9, ...le32(0x60000), 0x31, 0xc0, 0xf3, 0xaa];
    const a = machine(prog, 'interp'), b = machine(prog, 'jit');
    b.ram.u8.fill(0xff, 0x100000, 0x160001);
    a.ram.u8.fill(0xff, 0x100000, 0x160001);
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(10_000)).toBe(a.cpu.run(10_000));
      expect([b.cpu.eip, b.cpu.retired, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, ...a.cpu.regs]);
    }
    expect(b.ram.u8.subarray(0x100000, 0x160001).reduce((n, v) => n + v, 0)).toBe(0xff);
    expect(b.cpu.blocksCompiled).toBe(0);
  });

  it('ends a block alone at the exit of a loop on its start; a region\'s block goes on past it (no switch between the loop and the code after it)', () => {
    // dec ecx; jnz start; inc edx; ret: alone, the loop only (the code after it has its own block)
    expect(generate(Uint8Array.from([0x49, 0x75, 0xfd, 0x42, 0xc3]), 0)).toMatchObject({ insns: 2, loops: true });
    // mov edx, 0x3000; L: mov ecx, 3; call f; dec edx; jnz L; hlt; nop; f: dec ecx; jnz f; ret
    const prog = [0xba, ...le32(0x3000), 0xb9, ...le32(3), 0xe8, ...le32(5), 0x4a, 0x75, 0xf3, HLT, 0x90, 0x49, 0x75, 0xfd, 0xc3];
    for (const budget of [7, 1000, 100_000]) {
      const a = machine(prog, 'interp', { [ESP]: 0x9000 }), b = machine(prog, 'jit', { [ESP]: 0x9000 });
      for (let slice = 0; slice < 100_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      if (budget < 100_000) continue;
      // JavaScript: two blocks, then one region of the return address's, L's and f's blocks (aliases: L and f), f's
      // block running on into its RET. Wasm: the blocks at f and after the CALL, warm when L's is made, in its module
      // (jit-wasm.ts), then a region, beside the RET's own block.
      expect(b.cpu.codeCache).toMatchObject(b.cpu.wasmCore === null ? { made: 3, translations: 1, aliases: 2 } : { made: 3, translations: 2, aliases: 2 });
      if (b.cpu.wasmCore === null) expect(b.cpu.blockRuns).toBeLessThan(200); // 75 (16,432 when L's block bounced with f's)
    }
  });

  it('loops inside a block at a jump back to one of its instructions (a nested loop), with exact counts at every budget', () => {
    // mov ebx, 3; L: add eax, ecx; dec ebx; jnz L; dec edx; jnz start (an inner loop in the outer one)
    const nested = [0xbb, ...le32(3), 0x01, 0xc8, 0x4b, 0x75, 0xfb, 0x4a, 0x75, 0xf3];
    const src = generate(Uint8Array.from(nested), 0)!;
    expect(src).toMatchObject({ insns: 6, loops: true });
    expect(src.source).toMatch(/L1_3: for \(;;\)/);
    for (const budget of [1, 2, 5, 7, 100, 1000]) {
      const a = machine(nested, 'interp', { [ECX]: 2, [EDX]: 400 }), b = machine(nested, 'jit', { [ECX]: 2, [EDX]: 400 });
      for (let slice = 0; slice < 10_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      expect(a.cpu.regs[EAX]).toBe(400 * 3 * 2);
    }
    // Once the outer block is hot one call runs the rest: no exit at the inner loop's jump (which
    // would be a call per outer pass, 4000); before it, the inner loop's own block runs a few times
    // (and each block's first WARM_CALLS calls are short).
    const m = machine(nested, 'jit', { [ECX]: 2, [EDX]: 4000 });
    for (let slice = 0; slice < 100 && !m.cpu.waiting; slice++) m.cpu.run(1_000_000);
    expect(m.cpu.regs[EAX]).toBe(4000 * 3 * 2);
    expect(m.cpu.blockRuns).toBeLessThan(JIT_THRESHOLD + 2 * WARM_CALLS);
  });

  it('computes INC/DEC\'s kept carry only where the next instruction does not overwrite it unread; exact under both engines', () => {
    // inc ecx; cmp eax, edx; jmp . : the CMP overwrites CF (no carryOf call for the block's entry state).
    const killed = generate(Uint8Array.from([0x41, 0x39, 0xd0, 0xeb, 0xfe]), 0)!.source;
    expect(killed).not.toMatch(/carryOf\(|kc/);
    // inc ecx; adc eax, edx / inc ecx; cmp eax, [ebx] (may fault: the state after INC is written back) / inc ecx; jz: kept.
    for (const code of [[0x41, 0x11, 0xd0, 0xeb, 0xfe], [0x41, 0x3b, 0x03, 0xeb, 0xfe], [0x41, 0x74, 0x00, 0xeb, 0xfe]]) {
      expect(generate(Uint8Array.from(code), 0)!.source).toMatch(/const kc = /);
    }
    // L: stc-free loop: sub eax, 1 (sets CF at 0); inc ecx; cmp ecx, edx; dec ebx; jnz L; then adc edi, 0 reads DEC's kept CF.
    const loop = [0x83, 0xe8, 0x01, 0x41, 0x39, 0xd1, 0x4b, 0x75, 0xf7, 0x83, 0xd7, 0x00];
    for (const budget of [1, 5, 100]) {
      const a = machine(loop, 'interp', { [EAX]: 50, [EBX]: 200, [EDX]: 77 }), b = machine(loop, 'jit', { [EAX]: 50, [EBX]: 200, [EDX]: 77 });
      for (let slice = 0; slice < 10_000 && !a.cpu.waiting; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
    }
  });

  it('works out a shift\'s PF/ZF/SF only where read: not when the next ALU op overwrites them; SETP after it as the interpreter', () => {
    // shl eax, 3; add eax, ebx; jmp . (the block ends)
    const src = generate(Uint8Array.from([0xc1, 0xe0, 0x03, 0x01, 0xd8, 0xeb, 0xfe]), 0)!.source;
    const body = src.slice(src.indexOf('pass: for'));
    expect(body).toContain('cop = -1');
    expect(body.slice(0, body.indexOf('finally'))).not.toMatch(/logicFlags|shiftFlags/);
    // shr eax, 1; setp bl; shl eax, 4; dec ecx; jnz start (SETP reads the pending PF; the last shift's flags are written back)
    const loop = [0xd1, 0xe8, 0x0f, 0x9a, 0xc3, 0xc1, 0xe0, 0x04, 0x49, 0x75, 0xf5];
    const a = machine(loop, 'interp', { [EAX]: 0x12345679, [ECX]: 300 }), b = machine(loop, 'jit', { [EAX]: 0x12345679, [ECX]: 300 });
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(37)).toBe(a.cpu.run(37));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(b.cpu.blocksCompiled).toBe(1);
  });

  it('sets IMUL\'s CF/OF exactly where the product leaves 32 bits (both signs, the boundaries included)', () => {
    // imul eax, ebx, 0x10000; seto cl; add edi, ecx; add esi, eax; inc ebx; dec edx; jnz start
    const imul = [0x69, 0xc3, ...le32(0x10000), 0x0f, 0x90, 0xc1, 0x01, 0xcf, 0x01, 0xc6, 0x43, 0x4a, 0x75, 0xef];
    const regs = { [EBX]: -0x8100, [EDX]: 0x10200, [ECX]: 0 }; // past JIT_THRESHOLD passes on either side
    const a = machine(imul, 'interp', regs), b = machine(imul, 'jit', regs);
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(5001)).toBe(a.cpu.run(5001));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(a.cpu.regs[EDI]).toBe(0x10200 - 0x10000); // -0x8000 .. 0x7fff fit
  });

  it('wraps 32-bit sums at once and gives IMUL\'s fit test a Number multiply (no int32-overflow deopt); exact across the wrap', () => {
    // add eax, ebx; adc ecx, ebx; sbb edx, ebx; inc esi; imul eax, eax, 3; dec edi; jnz start
    const loop = [0x01, 0xd8, 0x11, 0xd9, 0x19, 0xda, 0x46, 0x6b, 0xc0, 0x03, 0x4f, 0x75, 0xf3];
    const src = generate(Uint8Array.from(loop), 0)!.source;
    expect(src).toContain('const R0 = (A + B) | 0; const res = R0;');
    expect(src).toContain('const R0 = (A + B + C) | 0;');
    expect(src).toContain('const R0 = (A + 1) | 0; r6 = R0;');
    expect(src).toContain('over = ia * (ib + -0) !== lo');
    const regs = { [EBX]: 0x7fff0000, [ESI]: 0x7fffff80, [EDI]: 300 };
    const a = machine(loop, 'interp', regs), b = machine(loop, 'jit', regs);
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(97)).toBe(a.cpu.run(97));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(b.cpu.blocksCompiled).toBe(1);
  });

  it('leaves through one exit after its loop: each way out stores constants only (no operation V8 needs type feedback for)', () => {
    // mov eax, [ebx]; dec ecx; jnz start (a loop exit, where the block ends; a TLB-miss exit)
    const src = generate(Uint8Array.from([0x8b, 0x03, 0x49, 0x75, 0xfb, 0x42, 0xeb, 0xfe]), 0)!.source;
    const body = src.slice(src.indexOf('pass: for'), src.indexOf('finally'));
    expect(body).toContain('{ xo = 0; xn = 0; xm = 1; break pass; }'); // before the load, for the interpreter
    expect(body).toContain('{ xo = 5; xn = 3; break pass; }');
    expect(body).toContain('case 0: if (steps + 3 > maxSteps) { xo = 0; xn = 0; break pass; }'); // cases by block index
    expect(body.match(/cpu\.eip =/g)).toHaveLength(1); // the shared exit
  });

  it('copies the factory\'s views and helpers into locals on entry, and reads the lazy-flag state as int32', () => {
    // mov eax, [ebx]; dec ecx; jnz start (a load: the TLB and RAM views)
    const src = generate(Uint8Array.from([0x8b, 0x03, 0x49, 0x75, 0xfb]), 0)!.source;
    const fn = src.slice(src.indexOf('return function'));
    expect(fn).toContain('const regs = regs$, ft = ft$');
    expect(fn.slice(fn.indexOf('pass: for')).match(/\w+\$/g)).toBeNull(); // no context slot used in the body
    expect(fn).toContain('ca = cpu.ccA | 0, cb = cpu.ccB | 0, cr = cpu.ccR | 0');
  });

  it('starts a block right after an instruction it leaves to the interpreter, with exact counts', () => {
    // inc eax; add ax, cx (16-bit: the interpreter); inc ebx; dec ecx; jnz start
    const split = [0x40, 0x66, 0x01, 0xc8, 0x43, 0x49, 0x75, 0xf8];
    const a = machine(split, 'interp', { [ECX]: 1000 }), b = machine(split, 'jit', { [ECX]: 1000 });
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(97)).toBe(a.cpu.run(97));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(b.cpu.regs[EBX]).toBe(1000);
    expect(b.cpu.blocksCompiled).toBe(3); // inc eax; the rest after the 16-bit add; and NO_BLOCK at the add
  });

  it('leaves a start whose block would run straight into an instruction it leaves to the interpreter within MIN_LEFT_BLOCK to the interpreter; exact counts', () => {
    // mov ecx, 1000; L: nop; nop; mov ax, 0x1234 (16-bit: the interpreter); dec ecx; jnz L. Only the DEC/JNZ block is
    // worth a call: a block of the two NOPs was called once a pass too (1,746 calls in all), for less than its state
    // copies cost.
    const prog = [0xb9, ...le32(1000), 0x90, 0x90, 0x66, 0xb8, 0x34, 0x12, 0x49, 0x75, 0xf8];
    expect(2).toBeLessThan(MIN_LEFT_BLOCK);
    for (const budget of [7, 1000]) {
      const b = lockstep(prog, budget);
      expect(b.cpu.regs[EAX]).toBe(0x1234);
      if (budget === 1000) expect(b.cpu.blockRuns).toBeLessThan(1100); // one a pass
    }
  });

  it('leaves before an access its fast path does not do (a misaligned load), which the interpreter runs; exact counts at every budget', () => {
    // mov eax, [ebx+1] (misaligned); add ecx, eax; dec edx; jnz start
    const loop = [0x8b, 0x43, 0x01, 0x01, 0xc1, 0x4a, 0x75, 0xf8];
    const regs = { [EBX]: 0x30000, [EDX]: 1000 };
    const a = machine(loop, 'interp', regs), b = machine(loop, 'jit', regs);
    for (const m of [a, b]) m.bus.dmaWrite(0x30000, Uint8Array.from([1, 2, 3, 4, 5]));
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(97)).toBe(a.cpu.run(97));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(b.cpu.regs[ECX]).toBe(Math.imul(0x05040302, 1000));
    expect(b.cpu.blocksCompiled).toBeGreaterThan(0); // the rest of the loop runs translated
  });

  it('takes a #PF from inside a block with the faulting EIP, CR2, error code and count', () => {
    // mov esi, [esi]... : inc eax; mov ecx, [esi]; add esi, 0x100; dec ebx; jnz: walks into the unmapped 4 MiB, after
    // twice the passes that translate the loop with paging on.
    const walk = [0x40, 0x8b, 0x0e, 0x81, 0xc6, ...le32(0x100), 0x4b, 0x75, 0xf4];
    const from = 0x400000 - 0x100 * 2 * PAGED_JIT_THRESHOLD;
    const a = machine(walk, 'interp', { [EBX]: 100000, [ESI]: from }, true);
    const b = machine(walk, 'jit', { [EBX]: 100000, [ESI]: from }, true);
    a.cpu.run(1_000_000); b.cpu.run(1_000_000);
    expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(b.cpu.lastException).toMatchObject({ vector: 14, eip: CODE + 1, errorCode: 0 });
    expect(b.cpu.cr2).toBe(0x400000);
    expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
  });

  it('keeps a loop\'s carry exact when its first instruction reads the back edge\'s SBB borrow (the inline 32-bit SUB borrow)', () => {
    // adc eax, ecx; sbb edx, edx; jnz start: the state at the loop head is SBB's, a == b with a borrow-in (CF = 1,
    // though a < b is false), so ADC adds ECX + 1 = 2^32 and carries again: EAX stays, the loop goes on.
    const chain = [0x11, 0xc8, 0x19, 0xd2, 0x75, 0xfa];
    const regs = { [EAX]: 5, [ECX]: -1 };
    for (const budget of [7, 100, 1000, 100_000]) {
      const a = machine(chain, 'interp', regs), b = machine(chain, 'jit', regs);
      b.cpu.eflags = a.cpu.eflags = 0x3; // CF
      for (let slice = 0; slice < 50; slice++) {
        expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
        expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
      }
      expect(b.cpu.regs[EAX]).toBe(5);
      expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
    }
  });

  it('tests conditions and the carry after an 8-bit CMP/TEST on its operands (no condOf), as the interpreter for all 16', () => {
    // cmp al, bl; sete cl: the translated test reads the operands directly.
    expect(generate(Uint8Array.from([0x38, 0xd8, 0x0f, 0x94, 0xc1, 0xeb, 0xfe]), 0)!.source).not.toMatch(/condOf\(/);
    // Per condition: cmp al, bl (or test al, bl); setcc cl; add edi, ecx; shl edi, 1; then cmp al, bl; adc edi, 0 and
    // test al, bl; adc edi, 0 (the carry); al += 0x3b, bl += 0x61 (all sign and order combinations come round); dec esi; jnz start.
    const body: number[] = [];
    for (const op of [0x38, 0x84]) for (let cc = 0; cc < 16; cc++) body.push(op, 0xd8, 0x0f, 0x90 + cc, 0xc1, 0x01, 0xcf, 0xd1, 0xe7);
    body.push(0x38, 0xd8, 0x83, 0xd7, 0x00, 0x84, 0xd8, 0x83, 0xd7, 0x00, 0x04, 0x3b, 0x80, 0xc3, 0x61, 0x4e);
    body.push(0x0f, 0x85, ...le32(-(body.length + 6)));
    const regs = { [ESI]: 600, [EAX]: 0x7f, [EBX]: 0x80 };
    const a = machine(body, 'interp', regs), b = machine(body, 'jit', regs);
    for (let slice = 0; slice < 10_000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(1013)).toBe(a.cpu.run(1013));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(a.cpu.regs[ESI]).toBe(0);
    expect(b.cpu.blocksCompiled).toBeGreaterThan(1);
  });

  it('checks write permission on a page a block read before: a store to a read-only page after loads from it faults (CR0.WP)', () => {
    // mov eax, [esi]; dec ebx; jnz start; mov [esi], eax: the loop reads 0x300000 (read-only), the store after it must #PF.
    const body = [0x8b, 0x06, 0x4b, 0x75, 0xfb, 0x89, 0x06];
    const run = (engine: 'interp' | 'jit') => {
      const m = machine([], engine);
      enterPaging(m, { wp: true });
      mapPage(m, 0x300000, 0x300000 | P);
      m.bus.dmaWrite(CODE, Uint8Array.from([...body, HLT]));
      m.cpu.regs[EBX] = 10 * PAGED_JIT_THRESHOLD; m.cpu.regs[ESI] = 0x300000;
      m.cpu.pc = CODE;
      m.cpu.run(1_000_000);
      return m;
    };
    const a = run('interp'), b = run('jit');
    expect(b.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(b.cpu.lastException).toMatchObject({ vector: 14, eip: CODE + 5, errorCode: 3 });
    expect(b.cpu.cr2).toBe(0x300000);
    expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
  });

  it('sees a store to the next instruction at once, and keeps translations when data next to code is written', () => {
    // mov [CODE + 8], bl; mov al, imm8 (patched); inc ebx; mov [CODE + 0x800], ecx; dec ecx; jnz
    const smc = [0x88, 0x1d, ...le32(CODE + 7), 0xb0, 0x00, 0x43, 0x89, 0x0d, ...le32(CODE + 0x800), 0x49, 0x75, 0xee];
    const a = machine(smc, 'interp', { [ECX]: 1000 }), b = machine(smc, 'jit', { [ECX]: 1000 });
    a.cpu.run(100_000); b.cpu.run(100_000);
    expect(b.cpu.waiting || b.cpu.eip === CODE + smc.length + 1).toBe(true);
    expect([b.cpu.retired, b.cpu.eip, ...b.cpu.regs]).toEqual([a.cpu.retired, a.cpu.eip, ...a.cpu.regs]);
    expect(b.cpu.regs[EAX] & 0xff).toBe(999 & 0xff); // the byte the last pass wrote
    // Data stores to the same page (CODE + 0x800) do not drop the loop's translations: a handful of blocks, not one per pass.
    const c = machine([0x89, 0x0d, ...le32(CODE + 0x800), 0x49, 0x75, 0xf7], 'jit', { [ECX]: 10 * JIT_THRESHOLD });
    c.cpu.run(100_000);
    expect(c.cpu.blocksCompiled).toBe(1);
  });

  it('unmarks a page once stores dropped all its translations (later stores take the fast path), and marks it again at its next translation', () => {
    const m = machine(LOOP, 'jit', { [EBX]: 500, [ECX]: 3 });
    m.cpu.run(1_000_000);
    const page = CODE >>> 12;
    expect(m.cpu.blocksCompiled).toBe(1);
    expect(m.bus.pageFlags[page] & PAGE_CODE).toBe(PAGE_CODE);
    expect(m.cpu.ramWritten(CODE + 0x800, 4)).toBe(false); // data next to the code: the translation stays, and the mark
    expect(m.bus.pageFlags[page] & PAGE_CODE).toBe(PAGE_CODE);
    expect(m.cpu.ramWritten(CODE, 4)).toBe(true); // over the loop: its only translation goes, and the mark
    expect(m.bus.pageFlags[page] & PAGE_CODE).toBe(0);
    m.cpu.regs[EBX] = 500; m.cpu.pc = CODE; // the bytes are unchanged: run the loop again until it is translated anew
    m.cpu.run(1_000_000);
    expect(m.cpu.blocksCompiled).toBe(2);
    expect(m.bus.pageFlags[page] & PAGE_CODE).toBe(PAGE_CODE); // so that a store to it is seen (the SMC test above)
  });

  /**
   * Runs `body` under both engines in slices of `budget` until HLT, state and the data at 0x8000 compared after each; the
   * instructions the jit's interpreter ran that `counted` (their first two bytes) accepts.
   */
  function interpreted(body: number[], regs: Record<number, number>, counted: (b0: number, b1: number) => boolean = () => true, budget = 1000, paging = false): number {
    const a = machine(body, 'interp', regs, paging), b = machine(body, 'jit', regs, paging);
    let n = 0;
    const step = b.cpu.step.bind(b.cpu);
    b.cpu.step = () => {
      const [b0, b1] = b.ram.u8.subarray(b.cpu.eip, b.cpu.eip + 2);
      if (counted(b0, b1)) n++;
      step();
    };
    for (let slice = 0; slice < 1000 && !a.cpu.waiting; slice++) {
      expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
      expect([b.cpu.eip, b.cpu.retired, b.cpu.eflags, ...b.cpu.regs]).toEqual([a.cpu.eip, a.cpu.retired, a.cpu.eflags, ...a.cpu.regs]);
    }
    expect(a.cpu.waiting).toBe(true);
    expect(b.view.getBigUint64(0x8000, true)).toBe(a.view.getBigUint64(0x8000, true));
    return n;
  }

  it('rotates in blocks (ROL/ROR by 1, an immediate, CL; registers and memory): SF, ZF, AF, PF kept from each state before, CF and OF as the interpreter', () => {
    // setc dl; seto dh; add esi, edx; setp dl; sets dh; sete cl; add esi, edx / adc esi, ebx / pushfd; pop ebp; add esi, ebp
    for (const after of [[0x0f, 0x92, 0xc2, 0x0f, 0x90, 0xc6, 0x01, 0xd6, 0x0f, 0x9a, 0xc2, 0x0f, 0x98, 0xc6, 0x0f, 0x94, 0xc1, 0x01, 0xd6],
      [0x11, 0xde], [0x9c, 0x5d, 0x01, 0xee]]) {
      for (const body of flagLoops(ROTATES, after)) {
        // The rotates the interpreter runs: those of the passes before the loop's block got hot (JIT_THRESHOLD), of 150.
        const rotates = interpreted(body, FLAG_LOOP_REGS, (op, modrm) => (op === 0xc1 || op === 0xd1 || op === 0xd3) && ((modrm >> 3) & 7) < 2);
        expect(rotates).toBeLessThan(JIT_THRESHOLD + 10);
      }
    }
  });

  it('shifts 16-bit operands in blocks (SHL/SHR/SAR/SAL by 1 and immediates; registers and memory): flags as the interpreter', () => {
    // setc dl; seto dh; add esi, edx; setp dl; sets dh; sete cl; add esi, edx / pushfd; pop ebp; add esi, ebp / add esi, eax
    for (const after of [[0x0f, 0x92, 0xc2, 0x0f, 0x90, 0xc6, 0x01, 0xd6, 0x0f, 0x9a, 0xc2, 0x0f, 0x98, 0xc6, 0x0f, 0x94, 0xc1, 0x01, 0xd6],
      [0x9c, 0x5d, 0x01, 0xee], [0x01, 0xc6]]) {
      for (const body of flagLoops(SHIFTS16, after)) {
        const shifts = interpreted(body, FLAG_LOOP_REGS, (prefix, op) => prefix === 0x66 && (op === 0xc1 || op === 0xd1));
        expect(shifts).toBeLessThan(JIT_THRESHOLD + 10);
      }
    }
  });

  it('translates the straight code after a block that ran its full length at its first arrival (a long function in the call its first block got hot)', () => {
    // L: call F; dec edi; jnz L; hlt. F (at +0x100): 300 x (add eax, ebx; xor ebx, eax), ret: 601 instructions, blocks of MAX_INSNS.
    const body = [0xe8, ...le32(0x100 - 5), 0x4f, 0x75, 0xf8, HLT];
    while (body.length < 0x100) body.push(0x90);
    for (let i = 0; i < 300; i++) body.push(0x01, 0xd8, 0x31, 0xc3);
    body.push(0xc3);
    // 200 calls: the interpreter's until F's start got hot, then none of it (before, its k-th block waited for its 64 k-th
    // call). Slices as long as the machine's (a slice's end in F leaves the rest of that call to the interpreter).
    expect(interpreted(body, { [EAX]: 1, [EBX]: 2, [EDI]: 200, [ESP]: 0x9000 }, () => true, 100_000)).toBeLessThan((JIT_THRESHOLD + 2) * 604);
  });

  it('translates a long straight function with paging on at STRAIGHT_HEAT calls, a short one at PAGED_JIT_THRESHOLD', () => {
    // L: call F; dec edi; jnz L; hlt. F (at +0x100): n x (add eax, ebx; xor ebx, eax), ret.
    const program = (n: number) => {
      const body = [0xe8, ...le32(0x100 - 5), 0x4f, 0x75, 0xf8, HLT];
      while (body.length < 0x100) body.push(0x90);
      for (let i = 0; i < n; i++) body.push(0x01, 0xd8, 0x31, 0xc3);
      return [...body, 0xc3];
    };
    const regs = { [EAX]: 1, [EBX]: 2, [EDI]: 200, [ESP]: 0x9000 };
    // 200 calls of 601 instructions: the interpreter's until F's start had STRAIGHT_HEAT arrivals (before: all 200 calls).
    expect(interpreted(program(300), regs, () => true, 100_000, true)).toBeLessThan((STRAIGHT_HEAT + 2) * 604);
    // 200 calls of 21 (its block ends at the RET): under the paged threshold, all the interpreter's.
    expect(interpreted(program(10), regs, () => true, 100_000, true)).toBeGreaterThan(200 * 24);
    expect(STRAIGHT_HEAT).toBeLessThan(PAGED_JIT_THRESHOLD);
  });

  it('starts a block after a REP string instruction that ran to its end (blocks leave them out), not in the middle of one', () => {
    // L: mov ecx, 4; mov esi, 0x8000; mov edi, 0x8100; rep movsd; 40 x add eax, ebx; dec ebp; jnz L
    const body = [0xb9, ...le32(4), 0xbe, ...le32(0x8000), 0xbf, ...le32(0x8100), 0xf3, 0xa5];
    for (let i = 0; i < 40; i++) body.push(0x01, 0xd8);
    body.push(0x4d, 0x0f, 0x85, ...le32(-(body.length + 7)));
    // 300 passes of 46: the straight ADDs the interpreter's only until they got hot (before: every pass, to the JNZ).
    expect(interpreted(body, { [EBX]: 3, [EBP]: 300, [ESP]: 0x9000 })).toBeLessThan(300 * 6 + (JIT_THRESHOLD + 2) * 46);
  });

  it('translates nothing under --engine interp', () => {
    const m = machine(LOOP, 'interp', { [EBX]: 10_000 });
    m.cpu.run(1_000_000);
    expect(m.cpu.retired).toBe(30_001);
    expect(m.cpu.blocksCompiled).toBe(0);
  });
});
