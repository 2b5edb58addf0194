/** The aarch64 region translator (jit.ts): what it translates, its exits, the engine choice, invalidation. */
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { allocatedBy } from './allocation.js';
import { fallThroughExits, generate, type Insn, loopEnd, MAX_BLOCK, MAX_SOURCE, retranslated, scanBlock, scanRegion, scanSegments } from '../../../plugins/arch-aarch64/src/jit.js';
import { rng } from '../../helpers/rng.js';
import { WARM_CALLS, WARM_STEPS } from '../../../plugins/arch-aarch64/src/execute.js';
import { CODE, DATA, makeMachine } from './machine.js';

/** x0 = 0..n-1 summed into x1, with a forward branch inside the loop body (odd values skipped). */
const sumLoop = (n: number) => [
  ...A.mov64(2, n), // 0x00, 0x04, ...: mov64 may be 1-4 instructions
  A.movz(0, 0),
  A.movz(1, 0),
  // loop:
  A.tbnz(0, 0, 8), // skip odd values
  A.add(1, 1, 0),
  A.addi(0, 0, 1),
  A.cmp(0, 2),
  A.bcond('ne', -16),
  A.b(0),
];

describe('aarch64 region translator', () => {
  it('translates a hot loop with a forward branch inside and keeps exact results and counts', () => {
    const prog = sumLoop(1000);
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    for (const m of [jit, interp]) m.load(prog);
    const steps = 3 + 5 * 1000 + 500; // ~the loop; both run the same budget
    expect(jit.run(steps)).toBe(interp.run(steps));
    expect(jit.x(1)).toBe(interp.x(1));
    expect(jit.x(1)).toBe(BigInt((998 / 2) * 500));
    expect(jit.cpu.retired).toBe(interp.cpu.retired);
    expect(jit.cpu.pc).toBe(interp.cpu.pc);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(interp.cpu.blocksCompiled).toBe(0);
  });

  it('a loop longer than a region (unrolled) and a page start run on to are translated as soon as a loop', () => {
    // 100 passes of a loop of 300 adds (longer than MAX_BLOCK: no region of it loops on itself)
    // at `head`: far fewer arrivals at the head, and at a page start it runs on to, than
    // HOT_THRESHOLD (10000). The interpreter's retired count, pc and registers are the same.
    const run = (head: number, at: number) => {
      const main = [...A.mov64(2, 100), A.movz(1, 0)];
      const body = Array.from({ length: 300 }, (_, i) => A.addi(1, 1, i + 1, 1, 0));
      const loop = [...body, A.subsi(2, 2, 1), A.bcond('ne', -(body.length + 1) * 4), A.b(0)];
      const jit = makeMachine();
      const interp = makeMachine({ jit: false });
      for (const m of [jit, interp]) {
        m.load(loop, head);
        m.load([...main, A.b(head - (CODE + main.length * 4))]);
      }
      const steps = main.length + 1 + 100 * 302;
      expect(jit.run(steps)).toBe(interp.run(steps));
      expect([jit.cpu.retired, jit.cpu.pc, jit.x(1), jit.x(2)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(1), interp.x(2)]);
      expect(jit.x(2)).toBe(0n);
      jit.cpu.resolveFetch(at, 0);
      return jit.cpu.fetchBlocks[(at & 0xfff) >>> 2]?.fn != null;
    };
    // The whole loop in one page: its head (headsLoop).
    expect(run(CODE + 0x1100, CODE + 0x1100)).toBe(true);
    // Across a page end: the next page's first instruction.
    expect(run(CODE + 0x1f00, CODE + 0x2000)).toBe(true);
  });

  it("a region entered inside a loop ends at the loop's branch back and does not run on into the loop's exit", () => {
    // A loop of 150 adds at CODE: the region at its head holds MAX_BLOCK of them; the piece after
    // them (entered by running on) ends at the loop's b.ne, not in the code after the loop.
    const m = makeMachine();
    const body = Array.from({ length: 150 }, (_, i) => A.addi(1, 1, i + 1, 1, 0));
    const after = Array.from({ length: 10 }, () => A.addi(3, 3, 1));
    m.load([...body, A.subsi(2, 2, 1), A.bcond('ne', -(body.length + 1) * 4), ...after, A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    const piece = MAX_BLOCK * 4;
    const insns = scanBlock(m.cpu, page, (CODE & 0xfff) + piece);
    const loopBranch = (CODE & 0xfff) + (body.length + 1) * 4;
    expect(insns[insns.length - 1].off).toBe(loopBranch);
    expect(insns.length).toBe(body.length + 2 - MAX_BLOCK);
    expect(fallThroughExits(insns)).toEqual([]);
    // The loop's head region still runs on to the piece.
    expect(fallThroughExits(scanBlock(m.cpu, page, CODE & 0xfff))).toEqual([(CODE & 0xfff) + piece]);
  });

  it("a region's first WARM_CALLS calls run at most WARM_STEPS steps each, then whole budgets, with the interpreter's counts", () => {
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    for (const m of [jit, interp]) m.load(sumLoop(20_000));
    const loopStart = CODE + (A.mov64(2, 20_000).length + 2) * 4;
    const calls: number[] = [];
    const steps = 3 + 5 * 20_000;
    // One run() call: the loop's region is entered with far more budget than WARM_STEPS.
    jit.cpu.compileWork = 0;
    let wrapped = false;
    const block = () => {
      jit.cpu.resolveFetch(loopStart, 0);
      return jit.cpu.fetchBlocks[(loopStart & 0xfff) >>> 2];
    };
    // Run until the region exists, then count the steps of each of its calls.
    while (block()?.fn == null) jit.run(50);
    const b = block()!;
    // The run that made it may have called it already (the budget left fitting its first block).
    const warmLeft = b.warm;
    expect(warmLeft).toBeGreaterThan(WARM_CALLS - 2);
    const fn = b.fn!;
    (b as { fn: typeof fn }).fn = (pcLo, pcHi, n0, max, seg) => {
      wrapped = true;
      const k = fn(pcLo, pcHi, n0, max, seg);
      calls.push(k);
      return k;
    };
    jit.run(steps - jit.cpu.retired);
    interp.run(steps);
    expect(wrapped).toBe(true);
    expect(b.warm).toBe(0);
    expect(calls.slice(0, warmLeft).every((k) => k <= WARM_STEPS)).toBe(true);
    expect(Math.max(...calls.slice(warmLeft))).toBeGreaterThan(WARM_STEPS);
    expect([jit.cpu.retired, jit.cpu.pc, jit.x(0), jit.x(1)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(0), interp.x(1)]);
  });

  it('board prop cpu.jit selects the engine (default: translate) and must be a boolean', () => {
    const prog = sumLoop(500);
    const m = makeMachine();
    expect(m.cpu.jit).toBe(true);
    expect(makeMachine({ jit: false }).cpu.jit).toBe(false);
    expect(() => makeMachine({ jit: 'yes' })).toThrow(/cpu\.jit must be true or false/);
    m.load(prog);
    m.run(4000);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
  });

  it('a region keeps forward branches inside and loops back to its start in the function', () => {
    const m = makeMachine();
    m.load(sumLoop(10));
    const loopStart = CODE + (A.mov64(2, 10).length + 2) * 4;
    // Decode through the CPU's own page: resolveFetch gives the decoded page of the pc.
    const page = m.cpu.resolveFetch(loopStart | 0, 0);
    const insns = scanBlock(m.cpu, page, loopStart & 0xfff);
    expect(insns.map((i) => i.off - (loopStart & 0xfff))).toEqual([0, 4, 8, 12, 16, 20]);
    const src = generate(insns);
    expect(src).toMatch(/break t\d+;/);
    expect(src).toContain('continue region;');
  });

  it('scanBlock returns page order when it reaches code after a later piece, and each scan its own (its slot table is reused)', () => {
    // 0: b 12; 4, 8: adds; 12: b.ne 4; 16: b . — found as 0, 12, 16, then 4, 8 (the branch back's target).
    const m = makeMachine();
    m.load([A.b(12), A.addi(1, 1, 1), A.addi(1, 1, 2), A.bcond('ne', -8), A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    const at = CODE & 0xfff;
    const first = scanBlock(m.cpu, page, at);
    expect(first.map((i) => i.off - at)).toEqual([0, 4, 8, 12, 16]);
    expect(scanBlock(m.cpu, page, at + 4).map((i) => i.off - at)).toEqual([4, 8, 12, 16]);
    expect(scanBlock(m.cpu, page, at, 2).map((i) => i.off - at)).toEqual([0, 12]);
    expect(scanBlock(m.cpu, page, at)).toEqual(first);
  });

  it("scanBlock reuses a slot's instruction while its decoded words stay, and makes a new one when the code changes", () => {
    const m = makeMachine();
    m.load([A.addi(1, 1, 1), A.addi(1, 1, 2), A.b(0)]);
    const at = CODE & 0xfff;
    const first = scanBlock(m.cpu, m.cpu.resolveFetch(CODE | 0, 0), at);
    expect(scanBlock(m.cpu, m.cpu.resolveFetch(CODE | 0, 0), at)[1]).toBe(first[1]);
    m.load([A.addi(1, 1, 1), A.addi(1, 1, 5), A.b(0)]);
    const again = scanBlock(m.cpu, m.cpu.resolveFetch(CODE | 0, 0), at);
    expect(again[1]).not.toBe(first[1]);
    expect(again[1].a).not.toBe(first[1].a);
  });

  it('retranslated counts the instructions of inner loops whose head is translated, none for a loop on the entry alone', () => {
    // 0: outer head (the entry); 4-12: inner loop (b.ne back to 4); 20: b.ne back to the entry.
    const m = makeMachine();
    m.load([A.addi(1, 1, 1), A.addi(2, 2, 1), A.subsi(3, 3, 1), A.bcond('ne', -8), A.subsi(4, 4, 1), A.bcond('ne', -20), A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    const at = CODE & 0xfff;
    const outer = scanBlock(m.cpu, page, at);
    expect(retranslated(outer, (off) => off === at + 4)).toBe(3);
    expect(retranslated(outer, () => false)).toBe(0);
    // From the inner head: a loop on the entry and the outer branch back leaving it.
    expect(retranslated(scanBlock(m.cpu, page, at + 4), () => true)).toBe(0);
  });

  it('retranslated allocates nothing for a region whose inner loops have no translated head (called at each wait of a hot entry)', async () => {
    const m = makeMachine();
    m.load([A.addi(1, 1, 1), A.addi(2, 2, 1), A.subsi(3, 3, 1), A.bcond('ne', -8), A.subsi(4, 4, 1), A.bcond('ne', -20), A.b(0)]);
    const outer = scanBlock(m.cpu, m.cpu.resolveFetch(CODE | 0, 0), CODE & 0xfff);
    const none = (): boolean => false;
    const calls = (n: number): number => {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += retranslated(outer, none);
      return sum;
    };
    calls(2000);
    // nesting()'s Maps and arrays at each call: about 520 MB for 100 K calls; a context for the closures
    // in retranslated() itself: 4.8 MB; now about 40 KB (the profiler's own start).
    expect(await allocatedBy(() => calls(100_000))).toBeLessThan(256 * 1024);
  });

  it('a region heading a loop ends after its last branch back: the code after the loop is not in it', () => {
    // sumLoop's loop, then straight-line code the loop's exit runs on into: once per call of the
    // region, it would deoptimize V8's code of the loop (no type feedback) when the loop ends.
    const prog = [...sumLoop(300).slice(0, -1), A.addi(3, 1, 7), A.add(4, 3, 1), A.b(0)];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    for (const m of [jit, interp]) m.load(prog);
    const steps = 3 + 5 * 300 + 150 + 10;
    expect(jit.run(steps)).toBe(interp.run(steps));
    expect([jit.cpu.retired, jit.cpu.pc, jit.x(1), jit.x(3), jit.x(4)]).toEqual([interp.cpu.retired, interp.cpu.pc, interp.x(1), interp.x(3), interp.x(4)]);
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    const head = (CODE + (A.mov64(2, 300).length + 2) * 4) & 0xfff;
    const page = jit.cpu.resolveFetch((CODE & -4096) | head, 0);
    const segments = scanSegments(jit.cpu, page, head);
    expect(segments.length).toBe(1);
    expect(segments[0].map((i) => i.off - head)).toEqual([0, 4, 8, 12, 16]);
    expect(loopEnd(segments[0])).toBe(head + 20);
    // The loop's exit is not an unrolled loop's continuation: not made hot at once.
    expect(fallThroughExits(segments[0])).toEqual([]);
    // A region that does not head a loop keeps the code it runs on into.
    expect(loopEnd(scanBlock(jit.cpu, page, head + 4))).toBe(-1);
  });

  it('an inner loop runs inside the region of its outer loop (lH: for), with exact results and counts', () => {
    // outer: x3 times { inner: x4 = 5; do { x1 += x4; x4 -= 1 } while (x4 != 0) }, then b .
    const prog = [
      A.movz(3, 40), // 0x00
      A.movz(1, 0), // 0x04
      A.movz(4, 5), // 0x08 outer head
      A.add(1, 1, 4), // 0x0c inner head
      A.subsi(4, 4, 1), // 0x10
      A.bcond('ne', -8), // 0x14 -> 0x0c
      A.subsi(3, 3, 1), // 0x18
      A.bcond('ne', -20), // 0x1c -> 0x08
      A.b(0), // 0x20
    ];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    for (const m of [jit, interp]) {
      m.load(prog);
      m.run(2 + 40 * (1 + 5 * 3 + 2));
    }
    expect(jit.x(1)).toBe(40n * 15n);
    expect(jit.cpu.pcLo).toBe(interp.cpu.pcLo);
    expect(jit.cpu.retired).toBe(interp.cpu.retired);
    const page = jit.cpu.resolveFetch((CODE + 8) | 0, 0);
    const src = generate(scanBlock(jit.cpu, page, (CODE + 8) & 0xfff));
    expect(src).toMatch(/l\d+: for \(;;\) \{/);
    expect(src).toMatch(/continue l\d+;/);
    expect(src).toContain('continue region;');
  });

  it('any branch structure gives properly nested source (loops that cross fall back to leaving)', () => {
    const rand = rng(11);
    const MOVR = 15; // execute.ts Op
    const CBZ = 28;
    for (let trial = 0; trial < 5000; trial++) {
      const n = 3 + Math.floor(rand() * 12);
      const insns: Insn[] = [];
      for (let k = 0, off = 0; k < n; k++, off += rand() < 0.2 ? 8 : 4) {
        const branch = rand() < 0.4;
        const to = Math.floor(rand() * n * 1.2) * 4;
        insns.push({ info: 0, op: branch ? CBZ : MOVR, rd: 1, rn: 2, rm: 3, sf: 1, a: branch ? to - off : 0, b: 0, c: 0, off });
      }
      const src = generate(insns);
      // Parses (labels and braces balanced); the cpu and helpers are never called here.
      expect(() => new Function('cpu', 'H', src)).not.toThrow();
    }
  });

  it('a region whose source would be too large for V8 to optimize is scanned again smaller', () => {
    const m = makeMachine();
    // 128 byte stores in a row (an unrolled loop): one region of all of them would exceed MAX_SOURCE.
    m.load([...Array.from({ length: 128 }, (_, i) => A.ldstImm(0, 0, i & 7, 19, i)), A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    expect(generate(scanBlock(m.cpu, page, CODE & 0xfff)).length).toBeGreaterThan(MAX_SOURCE);
    const { insns, source } = scanRegion(m.cpu, page, CODE & 0xfff);
    expect(source.length).toBeLessThanOrEqual(MAX_SOURCE);
    expect(insns.length).toBeGreaterThan(8);
    expect(source).toBe(generate(insns));
  });

  it("a loop of 84 loads and multiply-adds (the compute kernel's matrix multiply) is one region: accesses' slow paths are out of line", () => {
    const m = makeMachine();
    const body = Array.from({ length: 20 }, (_, k) => [A.ldstImm(2, 1, 1, 14, k * 4), A.ldp(2, 3, 15, k * 8, 'offset', 0), A.madd(16, 1, 2, 16, 0), A.madd(16, 3, 1, 16, 0)]).flat();
    m.load([...body, A.addi(13, 13, 1), A.cmpi(13, 64), A.bcond('ne', -4 * (body.length + 2)), A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    const { insns, source } = scanRegion(m.cpu, page, CODE & 0xfff);
    expect(insns.length).toBe(body.length + 3);
    expect(source.length).toBeLessThanOrEqual(MAX_SOURCE);
  });

  it('logical, shift, move and 32-bit add forms without flags set the register words directly (no temporaries)', () => {
    const m = makeMachine();
    const forms = [A.eor(12, 13, 12, 'lsr', 8, 0), A.and(12, 10, 12, 'lsl', 0, 1), A.andi(13, 10, 0xff, 0), A.eori(3, 3, 0xf0, 1), A.lsri(11, 11, 1, 0), A.mov(5, 6), A.add(7, 7, 8, 'lsl', 2, 0), A.sub(7, 7, 8, 'asr', 3, 0)];
    m.load([...forms, A.b(0)]);
    const page = m.cpu.resolveFetch(CODE | 0, 0);
    const insns = scanBlock(m.cpu, page, CODE & 0xfff);
    expect(insns.length).toBe(forms.length + 1);
    for (const ins of insns.slice(0, forms.length)) expect(generate([ins])).not.toMatch(/const (l|h|ml|mh|pa)\b/);
  });

  it('inline 32-bit divides and multiply-adds keep the edge cases (x / 0 = 0, INT32_MIN / -1, UDIV of large values)', () => {
    // A hot loop over the edge cases; results accumulated in x10 (eor) so every one counts.
    const prog = [
      ...A.mov64(1, 0x80000000), // w1 = INT32_MIN
      ...A.mov64(2, 0xffffffff), // w2 = -1 / UINT32_MAX
      A.movz(3, 0), // w3 = 0
      A.movz(4, 7),
      A.movz(5, 200),
      // loop:
      A.sdiv(6, 1, 2, 0), // INT32_MIN / -1 = INT32_MIN
      A.eor(10, 10, 6),
      A.sdiv(6, 2, 3, 0), // / 0 = 0
      A.eor(10, 10, 6),
      A.udiv(6, 2, 4, 0), // 0xffffffff / 7
      A.eor(10, 10, 6),
      A.sdiv(6, 1, 4, 0), // rounds toward zero
      A.eor(10, 10, 6),
      A.msub(6, 2, 4, 1, 0), // INT32_MIN - (-1 * 7)
      A.add(10, 10, 6),
      A.subsi(5, 5, 1),
      A.bcond('ne', -44),
      A.b(0),
    ];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    const steps = prog.flat().length - 1 + 199 * 12;
    for (const m of [jit, interp]) {
      m.load(prog);
      m.run(steps);
    }
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(jit.x(10)).not.toBe(0n);
    for (const r of [6, 10]) expect(jit.x(r)).toBe(interp.x(r));
    expect(jit.cpu.pcLo).toBe(interp.cpu.pcLo);
    expect(jit.cpu.retired).toBe(interp.cpu.retired);
  });

  it('inline SMULL/UMULL and their accumulating forms give the exact 64-bit products (largest words, signs, carries)', () => {
    // A hot loop; every product also added into x12, so that the iterations run in the region count
    // (the last one, after the region's budget ends, runs in the interpreter).
    const prog = [
      ...A.mov64(1, 0xffffffff), // w1 = UINT32_MAX / -1
      ...A.mov64(2, 0x80000000), // w2 = INT32_MIN / 2^31
      ...A.mov64(3, 0x9e3779b9),
      ...A.mov64(4, 0xfffffffffffffff0n), // an accumulator whose low word carries
      A.movz(11, 5000),
      // loop:
      A.umaddl(5, 1, 1, A.XZR), // UMULL: 0xfffffffe00000001
      A.smaddl(6, 1, 2, A.XZR), // SMULL: -1 * INT32_MIN = 2^31
      A.smaddl(7, 2, 2, 4), // 2^62 + acc
      A.umsubl(8, 3, 1, 4), // acc - 0x9e3779b9 * 0xffffffff
      A.smsubl(9, 3, 3, A.XZR), // SMNEGL: -(0x9e3779b9 as int32)^2
      A.umaddl(10, 3, 2, 4), // carries out of the low word
      ...[5, 6, 7, 8, 9, 10].map((r) => A.add(12, 12, r)),
      A.subsi(11, 11, 1),
      A.bcond('ne', -52),
      A.b(0),
    ];
    const jit = makeMachine();
    const interp = makeMachine({ jit: false });
    for (const m of [jit, interp]) {
      m.load(prog);
      m.run(100_000);
    }
    expect(jit.cpu.blocksCompiled).toBeGreaterThan(0);
    const M = (v: bigint) => BigInt.asUintN(64, v);
    const acc = 0xfffffffffffffff0n;
    const s3 = BigInt.asIntN(32, 0x9e3779b9n);
    const want = [M(0xffffffffn * 0xffffffffn), M(-1n * -0x80000000n), M(0x80000000n * 0x80000000n + acc), M(acc - 0x9e3779b9n * 0xffffffffn), M(-s3 * s3), M(acc + 0x9e3779b9n * 0x80000000n)];
    for (let r = 5; r <= 10; r++) expect(interp.x(r)).toBe(want[r - 5]);
    expect(jit.x(12)).toBe(M(5000n * want.reduce((x, y) => x + y, 0n)));
    expect(jit.cpu.retired).toBe(interp.cpu.retired);
  });

  it('a store into a translated page drops its regions, and the new code runs', () => {
    const m = makeMachine();
    // loop: add x1, x1, #1 (patched below to #2); subs x2, x2, #1; b.ne loop; b .
    m.load([A.movz(2, 100), A.addi(1, 1, 1), A.subsi(2, 2, 1), A.bcond('ne', -8), A.b(0)]);
    m.run(2 + 3 * 100);
    expect(m.x(1)).toBe(100n);
    expect(m.cpu.blocksCompiled).toBeGreaterThan(0);
    expect(m.cpu.codeCache.translations).toBeGreaterThan(0);
    // The guest patches its own loop: a store to the page through the CPU's store path.
    const patch = A.addi(1, 1, 2);
    m.set(5, patch);
    m.set(6, CODE + 4);
    // A small patcher elsewhere: str w5, [x6]; then back into the loop.
    m.load([A.strw(5, 6, 0), ...A.mov64(7, CODE + 4), A.br(7)], DATA);
    m.set(1, 0);
    m.set(2, 50);
    m.run(1);
    expect(m.cpu.codeCache.translations).toBe(0);
    m.run(100 + 3 * 50);
    expect(m.x(1)).toBe(100n);
  });

  it('a store beside a translated region (data in the code page) keeps it', () => {
    const m = makeMachine();
    // loop: str w1, [x6]; add x1, x1, #1; subs x2, x2, #1; b.ne loop; b .; then a data word.
    m.load([A.movz(2, 200), A.strw(1, 6, 0), A.addi(1, 1, 1), A.subsi(2, 2, 1), A.bcond('ne', -12), A.b(0), 0]);
    m.set(6, CODE + 6 * 4);
    m.run(1 + 4 * 100);
    const made = m.cpu.codeCache.made;
    expect(m.cpu.codeCache.translations).toBeGreaterThan(0);
    m.run(4 * 100);
    expect(m.x(1)).toBe(200n);
    // The loop's stores hit the page's data word only: nothing was dropped or translated again.
    expect(m.cpu.codeCache.made).toBe(made);
    expect(m.cpu.codeCache.translations).toBeGreaterThan(0);
  });

  it('a fault inside a region is precise: ELR, FAR and the count of the faulting load', () => {
    const run = (jit: boolean) => {
      const m = makeMachine({ jit });
      // x3 counts down; when it reaches 0 the loop loads from an address outside RAM.
      m.load([A.movz(3, 40), ...A.mov64(4, 0x70000000), A.subsi(3, 3, 1), A.csel(6, 5, 4, 'ne'), A.ldr(7, 6, 0), A.b(-12)]);
      m.set(5, DATA);
      m.run(2000);
      return { retired: m.cpu.retired, exc: m.cpu.lastException, pc: m.cpu.pc, traps: m.traps.map((t) => [t.pc, t.name]) };
    };
    const jit = run(true);
    expect(jit).toEqual(run(false));
    expect(jit.exc?.farLo).toBe(0x70000000);
  });
});
