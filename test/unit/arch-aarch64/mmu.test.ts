import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import { CODE, DATA, ERET, makeMachine, VECTORS, type A64Machine } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, AP_RO_ALL, AP_RO_EL1, AP_RW_ALL, PageTables, PXN, UXN } from './mmu-tables.js';
import { jitKit } from '../../../src/core/jit/index.js';

const esr = (ec: number, iss = 0) => ((ec << 26) | (1 << 25) | iss) >>> 0;
const WNR = 1 << 6;
/** Data abort / instruction abort classes. */
const DA_SAME = 0x25;
const DA_LOWER = 0x24;
const IA_SAME = 0x21;
const IA_LOWER = 0x20;

/** A machine with 4K (or 64K) tables of `inputBits` for TTBR0, vectors and code mapped identity. */
function setup(granule: 12 | 16 = 12, inputBits = 39, codeAttrs = AF) {
  const m = makeMachine();
  const pt = new PageTables(m, granule, inputBits);
  pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
  if (granule === 12) pt.map(BigInt(CODE), BigInt(CODE), codeAttrs);
  else if (VECTORS >> 16 !== CODE >> 16) pt.map(BigInt(CODE), BigInt(CODE), codeAttrs);
  const tg = granule === 12 ? T.TG0_4K : T.TG0_64K;
  return { m, pt, tcr: tg | T.T0SZ(64 - inputBits) | T.IPS(2) | T.EPD1 };
}

function fault(m: A64Machine, el = 1) {
  const e = m.cpu.lastException!;
  expect(e, 'an exception was taken').not.toBeNull();
  return { esr: m.cpu.esr[el] >>> 0, far: (BigInt(m.cpu.far[2 * el + 1] >>> 0) << 32n) | BigInt(m.cpu.far[2 * el] >>> 0), el: e.targetEl, elr: (BigInt(e.elrHi >>> 0) << 32n) | BigInt(e.elrLo >>> 0) };
}

describe('aarch64 MMU walks (D5.2)', () => {
  const cases: Array<[12 | 16, number, bigint]> = [
    [12, 39, 0x12345000n],
    [12, 48, 0x7f12345000n],
    [12, 32, 0x12345000n],
    [12, 25, 0x1234000n],
    [16, 42, 0x12340000n],
    [16, 48, 0x7f12340000n],
    [16, 25, 0x1230000n],
  ];
  for (const [g, bits, va] of cases) {
    it(`${g === 12 ? '4' : '64'} KiB granule, ${bits}-bit VA (T0SZ ${64 - bits}): loads and stores go to the mapped page`, () => {
      const { m, pt, tcr } = setup(g, bits);
      pt.map(va, BigInt(DATA), AF);
      m.w64(DATA + 0x10, 0x1122334455667788n);
      m.load([...A.mov64(1, va + 0x10n), A.ldr(2, 1), A.str(2, 1, 8), A.ldrw(3, 1, 4), A.strb(3, 1, 0x21)]);
      T.enableEl1(m, tcr, BigInt(pt.root));
      m.run(8);
      expect(m.cpu.lastException).toBeNull();
      expect(m.x(2)).toBe(0x1122334455667788n);
      expect(m.r64(DATA + 0x18)).toBe(0x1122334455667788n);
      expect(m.x(3)).toBe(0x11223344n);
      expect(m.r32(DATA + 0x30) & 0xffff00).toBe(0x4400);
    });
  }

  it('4 KiB blocks at level 1 (1 GiB) and level 2 (2 MiB)', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x40000000n, 0n, AF, 1); // VA 1 GiB -> PA 0
    pt.map(0x200000n * 5n, 0n, AF, 2); // VA 10 MiB -> PA 0
    m.w64(DATA, 0xabcn);
    // Run the code through the 1 GiB block: pc 0x40080000.
    m.load([...A.mov64(1, 0x40000000 + DATA), A.ldr(2, 1), ...A.mov64(3, 0xa00000 + DATA + 8), A.str(2, 3), A.adr(4, 0)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = 0x40000000 + CODE;
    m.run(11);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(0xabcn);
    expect(m.r64(DATA + 8)).toBe(0xabcn);
    expect(m.x(4)).toBe(BigInt(0x40000000 + CODE + 40));
  });

  it('64 KiB block at level 2 (512 MiB)', () => {
    const { m, pt, tcr } = setup(16, 42);
    pt.map(0x20000000n, 0n, AF, 2);
    m.w64(DATA + 0x20, 77n);
    m.load([...A.mov64(1, 0x20000000 + DATA), A.ldr(2, 1, 0x20)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(5);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(77n);
  });

  it('TTBR1: a kernel at 0xffffff80_00080000 runs, branches and calls, and faults with the full FAR', () => {
    const m = makeMachine();
    const lo = new PageTables(m, 12, 39, 0x180000);
    const hi = new PageTables(m, 12, 39, 0x1c0000);
    lo.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    const KBASE = 0xffffff8000000000n;
    hi.map(KBASE + BigInt(CODE), BigInt(CODE), AF);
    hi.map(KBASE + 0x100000n, BigInt(DATA), AF);
    m.w64(DATA, 0x55n);
    m.load([
      A.adr(0, 0), // 0x...80000
      A.bl(12),
      A.ldr(5, 1), // after the call: load through an unmapped high page
      A.b(0),
      // callee: x1 = KBASE + 0x100000 from pc-relative arithmetic, load
      A.adrp(1, 0x80), // page of pc + 0x80 pages = KBASE + 0x100000
      A.ldr(2, 1),
      A.movz(6, 0x20, 1), // x6 = 0x200000
      A.add(1, 1, 6), // KBASE + 0x300000: unmapped (level 2 entry absent)
      A.ret(),
    ]);
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.TG1_4K | T.T1SZ(25) | T.IPS(2), BigInt(lo.root), BigInt(hi.root));
    m.cpu.pc = Number(BigInt.asIntN(64, KBASE + BigInt(CODE)));
    m.run(20);
    expect(m.x(0)).toBe(KBASE + BigInt(CODE));
    expect(m.x(2)).toBe(0x55n);
    const f = fault(m);
    expect(f.esr).toBe(esr(DA_SAME, 0x06)); // translation fault, level 2
    expect(f.far).toBe(KBASE + 0x300000n);
    expect(f.elr).toBe(KBASE + BigInt(CODE) + 8n);
  });

  it('a 16 KiB TG0 (no such granule on the A53) behaves as 4 KiB; ID_AA64MMFR0_EL1 says so', () => {
    const { m, pt } = setup();
    pt.map(0x300000n, BigInt(DATA), AF);
    m.w64(DATA, 9n);
    m.load([...A.mov64(1, 0x300000), A.ldr(2, 1), A.mrs(3, A.sysreg(3, 0, 0, 7, 0))]);
    T.enableEl1(m, T.TG0_16K | T.T0SZ(25) | T.EPD1, BigInt(pt.root));
    m.run(6);
    expect(m.x(2)).toBe(9n);
    expect(m.x(3)).toBe(0x1122n);
  });

  it('TBI0 ignores the top byte of a data address (FAR keeps it); without TBI0 the tag is a level 0 translation fault', () => {
    for (const tbi of [true, false]) {
      const { m, pt, tcr } = setup();
      pt.map(0x300000n, BigInt(DATA), AF);
      m.w64(DATA + 8, 0x66n);
      const tagged = (0x5an << 56n) | 0x300008n;
      m.load([...A.mov64(1, tagged), A.ldr(2, 1), A.ldr(3, 1)]);
      T.enableEl1(m, tbi ? tcr | T.TBI0 : tcr, BigInt(pt.root));
      m.run(6);
      if (tbi) {
        expect(m.cpu.lastException).toBeNull();
        expect([m.x(2), m.x(3)]).toEqual([0x66n, 0x66n]);
      } else {
        const f = fault(m);
        expect(f.esr).toBe(esr(DA_SAME, 0x04));
        expect(f.far).toBe(tagged);
      }
    }
  });

  it('instruction fetch follows the mapping across a page change to a non-contiguous physical page', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x400000n, 0x90000n, AF);
    pt.map(0x401000n, 0x98000n, AF);
    m.load([A.movz(1, 1), A.movz(2, 2)], 0x90ff8);
    m.load([A.movz(3, 3), A.movz(4, 4)], 0x98000);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = 0x400ff8;
    m.run(4);
    expect(m.cpu.lastException).toBeNull();
    expect([m.x(1), m.x(2), m.x(3), m.x(4)]).toEqual([1n, 2n, 3n, 4n]);
    expect(m.cpu.pc).toBe(0x401008);
  });

  it('a store through a writable alias of a code page is seen by the next fetch of that code', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(CODE), AF | PXN | UXN);
    // mov64 x1, mov64 x2 (8 instructions), then the STR at +32 patches the NOP at +36.
    m.load([...A.mov64(1, 0x300000 + 36), ...A.mov64(2, A.movz(5, 7)), A.strw(2, 1), A.nop()]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(10);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(5)).toBe(7n);
  });
});

describe('aarch64 MMU fast paths', () => {
  it('a loop of loads, stores, pairs and calls hits the inline TLB: one walk per page, fetch translated once per page', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF);
    const program = [
      ...A.mov64(1, 0x300000),
      A.addi(31, 1, 0x800), // SP in the mapped page
      A.movz(20, 3000),
      // loop:
      A.ldr(2, 1),
      A.addi(2, 2, 1),
      A.str(2, 1),
      A.stp(2, 2, 31, -16, 'pre'),
      A.ldp(3, 4, 31, 16, 'post'),
      A.strb(3, 1, 9),
      A.ldrh(5, 1, 8),
      A.subsi(20, 20, 1),
      A.bcond('ne', -32),
    ];
    m.load(program);
    T.enableEl1(m, tcr, BigInt(pt.root));
    // The first 1000 execute() calls run one instruction each (cpu.ts WARMUP_CALLS), each
    // translating its fetch page out of line; measure after them.
    m.run(6 + 9 * 1500);
    const before = m.cpu.tlb.slowLookups;
    m.run(9 * 1500);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(3000n);
    // The data page and the code page, each walked once; after warm-up the fetch page is looked
    // up once per execute() call and every data access is an inline hit.
    expect(m.cpu.tlb.walks).toBe(2);
    expect(m.cpu.tlb.slowLookups - before).toBeLessThan(3);
  });
});

describe('aarch64 MMU TLB placement', () => {
  it('an upper-half page and a lower-half page with the same low VA bits do not evict each other', () => {
    const m = makeMachine();
    const lo = new PageTables(m, 12, 39, 0x180000);
    const hi = new PageTables(m, 12, 39, 0x1c0000);
    lo.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    lo.map(BigInt(CODE), BigInt(CODE), AF);
    lo.map(0x400000n, BigInt(DATA), AF);
    hi.map(0xffffff8000400000n, BigInt(DATA + 0x1000), AF);
    m.load([...A.mov64(1, 0x400000), ...A.mov64(2, 0xffffff8000400000n), A.movz(20, 100), A.ldr(3, 1), A.ldr(4, 2), A.subsi(20, 20, 1), A.bcond('ne', -12)]);
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.TG1_4K | T.T1SZ(25) | T.IPS(2), BigInt(lo.root), BigInt(hi.root));
    m.run(9 + 4 * 100);
    expect(m.cpu.lastException).toBeNull();
    expect(m.cpu.tlb.walks).toBe(3);
  });
});

describe('aarch64 MMU TLB capacity', () => {
  it('a working set of 1,000 data pages stays in the TLB: a second pass over them walks no tables again', () => {
    // Two 2 MiB blocks onto the same RAM (1,024 distinct virtual pages), one load from each of 1,000 pages per pass.
    // A kernel touches this many (the arm64 Linux boot walked 99.5 K times with 512 entries, 29.5 K with 1,024).
    const { m, pt, tcr } = setup();
    pt.map(0x40000000n, 0n, AF, 2);
    pt.map(0x40200000n, 0n, AF, 2);
    const pass = [...A.mov64(1, 0x40000000), A.movz(20, 1000), A.ldr(2, 1), A.add(1, 1, 9), A.subsi(20, 20, 1), A.bcond('ne', -12)];
    m.load([A.movz(9, 0x1000), ...pass, ...pass, A.b(0)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    const steps = 1 + pass.length - 4 + 4 * 1000;
    m.run(steps);
    expect(m.cpu.lastException).toBeNull();
    const walks = m.cpu.tlb.walks;
    expect(walks).toBeGreaterThanOrEqual(1000);
    m.run(steps - 1);
    expect(m.cpu.lastException).toBeNull();
    expect(Number(m.x(20))).toBe(0);
    expect(m.cpu.tlb.walks - walks).toBeLessThan(20);
  });
});

describe('aarch64 MMU faults (D5.10) with ESR and FAR', () => {
  function dataFault(prepare: (pt: PageTables, m: A64Machine) => bigint, opts: { tcr?: bigint; ttbr1?: bigint; write?: boolean } = {}) {
    const { m, pt, tcr } = setup();
    const va = prepare(pt, m);
    m.load([...A.mov64(1, va), opts.write ? A.str(2, 1) : A.ldr(2, 1)]);
    T.enableEl1(m, opts.tcr ?? tcr, BigInt(pt.root), opts.ttbr1 ?? 0n);
    m.run(6);
    return fault(m);
  }

  it('translation fault at the level whose descriptor is invalid', () => {
    expect(dataFault(() => 0x7f000000n).esr).toBe(esr(DA_SAME, 0x05)); // level 1 entry absent
    expect(dataFault((pt) => (pt.map(0x300000n, BigInt(DATA)), 0x301000n)).esr).toBe(esr(DA_SAME, 0x07)); // level 3
    const f = dataFault(() => 0x8000000000n); // VA bit 39 set with a 39-bit range: level 0
    expect(f.esr).toBe(esr(DA_SAME, 0x04));
    expect(f.far).toBe(0x8000000000n);
    expect(f.elr).toBe(BigInt(CODE + 16));
    expect(f.el).toBe(1);
  });

  it('translation fault at level 0 when the walk is disabled (EPD1) and for a reserved level 3 descriptor', () => {
    const f = dataFault(() => 0xffffff8000300000n, { ttbr1: 0x1c0000n }); // setup() sets EPD1
    expect(f.esr).toBe(esr(DA_SAME, 0x04));
    expect(f.far).toBe(0xffffff8000300000n);
    expect(dataFault((pt, m) => (m.w64(pt.map(0x300000n, BigInt(DATA)), BigInt(DATA) | AF | 1n), 0x300000n)).esr).toBe(esr(DA_SAME, 0x07));
  });

  it('access flag fault (AF = 0; no hardware update on the A53) and permission fault on a write, with WnR', () => {
    expect(dataFault((pt) => (pt.map(0x300000n, BigInt(DATA), 0n), 0x300008n)).esr).toBe(esr(DA_SAME, 0x0b));
    const f = dataFault((pt) => (pt.map(0x300000n, BigInt(DATA), AF | AP_RO_EL1), 0x300010n), { write: true });
    expect(f.esr).toBe(esr(DA_SAME, WNR | 0x0f));
    expect(f.far).toBe(0x300010n);
  });

  it('address size faults: output address above IPS / the 40-bit PA, and a TTBR base above it', () => {
    expect(dataFault((pt) => (pt.map(0x300000n, 1n << 40n), 0x300000n)).esr).toBe(esr(DA_SAME, 0x03));
    const { tcr } = setup();
    expect(dataFault((pt) => (pt.map(0x300000n, 1n << 32n), 0x300000n), { tcr: (tcr & ~T.IPS(7)) | T.IPS(0) }).esr).toBe(esr(DA_SAME, 0x03));
    // TTBR1_EL1 with base bit 41 set (TTBR0 keeps the code mapped)
    const tcr1 = (tcr & ~T.EPD1) | T.T1SZ(25) | T.TG1_4K;
    expect(dataFault(() => 0xffffff8000300000n, { tcr: tcr1, ttbr1: 0x1c0000n | (1n << 41n) }).esr).toBe(esr(DA_SAME, 0x00));
  });

  it('a walk that reads outside RAM is a synchronous external abort on the walk at that level', () => {
    const f = dataFault((pt, m) => {
      const at = pt.slot(0x300000n, 2);
      m.w64(at, 0x3f000000n | 3n); // level 2 table descriptor pointing at MMIO
      return 0x300000n;
    });
    expect(f.esr).toBe(esr(DA_SAME, 0x17)); // the level 3 read fails
  });

  it('SCTLR_EL1.A makes an unaligned access an alignment fault; without it a page-crossing access uses both mappings', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF);
    pt.map(0x301000n, BigInt(DATA + 0x10000), AF);
    m.w64(DATA + 0xff8, 0x8877665544332211n);
    m.w64(DATA + 0x10000, 0xffeeddccbbaa9988n);
    m.load([...A.mov64(1, 0x300ffc), A.ldr(2, 1), A.str(2, 1, 0x10)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(6);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(0xbbaa998888776655n);
    m.cpu.pc = CODE;
    T.setSys(m, A.sysreg(3, 0, 1, 0, 0), 0x00c50838n | 1n | T.SCTLR_A);
    m.run(6);
    expect(fault(m).esr).toBe(esr(DA_SAME, 0x21));
  });

  it('a page-crossing access faulting on its second page reports that page and writes nothing', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF);
    m.load([...A.mov64(1, 0x300ffc), ...A.mov64(2, -1n), A.str(2, 1)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(10);
    const f = fault(m);
    expect(f.esr).toBe(esr(DA_SAME, WNR | 0x07));
    expect(f.far >= 0x301000n && f.far < 0x301004n).toBe(true);
    expect(m.r32(DATA + 0xffc)).toBe(0);
  });
});

describe('aarch64 MMU permissions (D5.4)', () => {
  /** EL1 and EL0 set-up: code at CODE readable and executable at EL0 (AP = RO all), tables 4K/39. */
  function el0(pages: Array<[bigint, bigint, bigint]>, program: Array<number | number[]>, extraSteps = 0) {
    const { m, pt, tcr } = setup(12, 39, AF | AP_RO_ALL);
    for (const [va, pa, attrs] of pages) pt.map(va, pa, attrs);
    m.load(program);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.setEl(0);
    m.run(program.flat().length + extraSteps);
    return m;
  }

  it('EL0 access to an EL1-only page: permission fault taken to EL1 as a lower-EL data abort', () => {
    const m = el0([[0x300000n, BigInt(DATA), AF]], [...A.mov64(1, 0x300008), A.ldr(2, 1)]);
    const f = fault(m);
    expect(f.el).toBe(1);
    expect(f.esr).toBe(esr(DA_LOWER, 0x0f));
    expect(f.far).toBe(0x300008n);
    expect(m.cpu.el).toBe(1);
  });

  it('EL0 reads a read-only page but a write faults; it writes an AP = 01 page', () => {
    const ok = el0([[0x300000n, BigInt(DATA), AF | AP_RW_ALL]], [...A.mov64(1, 0x300000), A.movz(2, 5), A.str(2, 1), A.ldr(3, 1)]);
    expect(ok.cpu.lastException).toBeNull();
    expect(ok.x(3)).toBe(5n);
    const ro = el0([[0x300000n, BigInt(DATA), AF | AP_RO_ALL]], [...A.mov64(1, 0x300000), A.ldr(3, 1), A.str(3, 1)]);
    expect(fault(ro).esr).toBe(esr(DA_LOWER, WNR | 0x0f));
  });

  it('after ERET to EL0 the TLB entry EL1 filled for an EL1-only page no longer grants access', () => {
    const { m, pt, tcr } = setup(12, 39, AF | AP_RO_ALL);
    pt.map(0x300000n, BigInt(DATA), AF);
    m.w64(DATA, 0x31n);
    const S = A.sysreg;
    const el0At = CODE + 0x40;
    m.load([...A.mov64(1, 0x300000), A.ldr(2, 1), ...A.mov64(3, el0At), A.msr(S(3, 0, 4, 0, 1), 3), A.msr(S(3, 0, 4, 0, 0), 31), ERET]);
    m.load([A.ldr(4, 1)], el0At);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = CODE;
    m.run(13);
    expect(m.x(2)).toBe(0x31n);
    const f = fault(m);
    expect(f.esr).toBe(esr(DA_LOWER, 0x0f));
    expect(f.elr).toBe(BigInt(el0At));
    expect(m.x(4)).toBe(0n);
  });

  it('exclusives and LDAR/STLR translate too: a store-exclusive to a read-only page is a permission fault', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF);
    pt.map(0x301000n, BigInt(DATA + 0x1000), AF | AP_RO_EL1);
    m.w64(DATA + 0x10, 5n);
    m.load([...A.mov64(1, 0x300010), A.ldaxr(3, 2, 1), A.addi(2, 2, 1), A.stlxr(3, 4, 2, 1), A.ldar(3, 5, 1), ...A.mov64(6, 0x301000), A.ldxr(3, 7, 6), A.stxr(3, 8, 7, 6)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(20);
    expect([m.x(2), m.x(4), m.x(5)]).toEqual([6n, 0n, 6n]);
    expect(m.r64(DATA + 0x10)).toBe(6n);
    expect(fault(m).esr).toBe(esr(DA_SAME, WNR | 0x0f));
  });

  it('APTable[0] removes EL0 access below a table descriptor', () => {
    const { m, pt, tcr } = setup(12, 39, AF | AP_RO_ALL);
    pt.slot(0x40000000n, 2, T.AP_TABLE_NO_EL0); // level 1 table descriptor with APTable = 01
    pt.map(0x40000000n, BigInt(DATA), AF | AP_RO_ALL);
    m.load([...A.mov64(1, 0x40000000), A.ldr(2, 1)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.setEl(0);
    m.run(6);
    expect(fault(m).esr).toBe(esr(DA_LOWER, 0x0f));
  });

  it('EL0 fetch from a UXN page and EL1 fetch from a PXN page are instruction permission faults', () => {
    const m0 = el0([[0x300000n, BigInt(DATA), AF | AP_RO_ALL | UXN]], [...A.mov64(1, 0x300000), A.br(1)], 1);
    const f0 = fault(m0);
    expect(f0.esr).toBe(esr(IA_LOWER, 0x0f));
    expect(f0.far).toBe(0x300000n);
    expect(f0.elr).toBe(0x300000n);
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF | PXN);
    m.load([...A.mov64(1, 0x300004), A.br(1)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(8);
    const f = fault(m);
    expect(f.esr).toBe(esr(IA_SAME, 0x0f));
    expect(f.far).toBe(0x300004n);
  });

  it('a page writable at EL0 is never executable at EL1; SCTLR.WXN makes writable pages execute-never', () => {
    const run = (attrs: bigint, extra = 0n) => {
      const { m, pt, tcr } = setup(12, 39, AF | AP_RO_EL1);
      pt.map(0x300000n, BigInt(DATA), attrs);
      m.load([A.movz(9, 1)], DATA);
      m.load([...A.mov64(1, 0x300000), A.br(1)]);
      T.enableEl1(m, tcr, BigInt(pt.root), 0n, extra);
      m.run(6);
      return m;
    };
    expect(fault(run(AF | AP_RW_ALL)).esr).toBe(esr(IA_SAME, 0x0f));
    expect(run(AF).x(9)).toBe(1n);
    expect(fault(run(AF, T.WXN)).esr).toBe(esr(IA_SAME, 0x0f));
    expect(run(AF | AP_RO_EL1, T.WXN).x(9)).toBe(1n);
  });

  it('LDTR/STTR at EL1 check EL0 permissions', () => {
    const run = (attrs: bigint, insn: number) => {
      const { m, pt, tcr } = setup();
      pt.map(0x300000n, BigInt(DATA), attrs);
      m.w64(DATA, 0x42n);
      m.load([...A.mov64(1, 0x300000), insn]);
      T.enableEl1(m, tcr, BigInt(pt.root));
      m.run(5);
      return m;
    };
    const ldtr = A.ldstImm9(3, 1, 2, 1, 0, 'unpriv');
    const sttr = A.ldstImm9(3, 0, 2, 1, 0, 'unpriv');
    expect(fault(run(AF, ldtr)).esr).toBe(esr(DA_SAME, 0x0f));
    expect(run(AF, A.ldr(2, 1)).x(2)).toBe(0x42n);
    expect(run(AF | AP_RO_ALL, ldtr).x(2)).toBe(0x42n);
    expect(fault(run(AF | AP_RO_ALL, sttr)).esr).toBe(esr(DA_SAME, WNR | 0x0f));
  });

  it('EL3 regime: AP[2] read-only, XN, AP[1] ignored', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt.map(BigInt(CODE), BigInt(CODE), AF | AP_RW_ALL); // AP[1] is RES1 here: still executable
    pt.map(0x300000n, BigInt(DATA), AF | AP_RO_EL1);
    pt.map(0x301000n, BigInt(DATA), AF | UXN);
    m.w64(DATA, 3n);
    m.load([...A.mov64(1, 0x300000), A.ldr(2, 1), A.str(2, 1)]);
    T.enableEl23(m, 3, T.T0SZ(25) | (2n << 16n), BigInt(pt.root));
    m.run(10);
    expect(m.x(2)).toBe(3n);
    const f = fault(m, 3);
    expect(f.esr).toBe(esr(DA_SAME, WNR | 0x0f));
    m.load([...A.mov64(1, 0x301000), A.br(1)]);
    m.run(10);
    expect(fault(m, 3).esr).toBe(esr(IA_SAME, 0x0f));
  });

  it('HCR_EL2.TGE (Non-secure) turns EL1&0 stage 1 off: EL0 addresses are physical', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF | AP_RW_ALL);
    m.w64(DATA, 0x61n);
    m.load([...A.mov64(1, DATA), A.ldr(2, 1)]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    T.setSys(m, A.sysreg(3, 4, 1, 1, 0), (1n << 31n) | (1n << 27n)); // HCR_EL2.RW | TGE
    m.cpu.setEl(0);
    expect(m.cpu.mmuOff).toBe(true);
    m.run(5);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(0x61n);
  });

  it('EL2 regime translates with TTBR0_EL2/TCR_EL2', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 16, 42);
    pt.map(0n, 0n, AF); // 64K page 0: vectors
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(0x7770000n, BigInt(DATA), AF);
    m.w64(DATA + 8, 12n);
    m.load([...A.mov64(1, 0x7770008), A.ldr(2, 1)]);
    T.enableEl23(m, 2, T.T0SZ(22) | T.TG0_64K | (2n << 16n), BigInt(pt.root));
    m.run(5);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(2)).toBe(12n);
  });
});

describe('aarch64 TLB maintenance (D5.9) and AT', () => {
  const VA = 0x300000n;
  /** Loads VA into x2, rewrites the page descriptor (x5 = new descriptor, x6 = its address), runs `tlbi`, loads VA into x3. */
  function remap(tlbi: number[], attrs = AF, opts: { asid?: bigint } = {}) {
    const { m, pt, tcr } = setup();
    const at = pt.map(VA, BigInt(DATA), attrs);
    m.w64(DATA, 1n);
    m.w64(DATA + 0x1000, 2n);
    pt.map(BigInt(at & ~0xfff), BigInt(at & ~0xfff), AF | PXN); // the table page itself, identity
    const program = [
      ...A.mov64(1, VA),
      A.ldr(2, 1),
      ...A.mov64(5, BigInt(DATA + 0x1000) | attrs | 3n),
      ...A.mov64(6, at),
      A.str(5, 6),
      A.dsb(),
      ...tlbi,
      A.dsb(),
      A.isb(),
      A.ldr(3, 1),
    ];
    m.load(program);
    T.enableEl1(m, tcr, BigInt(pt.root) | ((opts.asid ?? 0n) << 48n));
    m.run(program.flat().length);
    expect(m.cpu.lastException).toBeNull();
    return m;
  }
  const X7 = (v: bigint) => A.mov64(7, v);
  it('TLBI VMALLE1, VMALLE1IS, VAE1, VAE1IS, VALE1, VAAE1, ALLE1 make a changed descriptor visible', () => {
    const page = VA >> 12n;
    const forms: Array<[string, number[]]> = [
      ['VMALLE1', [A.sys(0, 8, 7, 0)]],
      ['VMALLE1IS', [A.sys(0, 8, 3, 0)]],
      ['VAE1', [...X7(page), A.sys(0, 8, 7, 1, 7)]],
      ['VAE1IS', [...X7(page), A.sys(0, 8, 3, 1, 7)]],
      ['VALE1', [...X7(page), A.sys(0, 8, 7, 5, 7)]],
      ['VAAE1', [...X7(page), A.sys(0, 8, 7, 3, 7)]],
    ];
    for (const [name, tlbi] of forms) {
      const m = remap(tlbi);
      expect([name, m.x(2), m.x(3)]).toEqual([name, 1n, 2n]);
    }
  });

  it('TLBI VAE1IS reaches the other cores of the machine', () => {
    {
      const { m, pt, tcr } = setup();
      const at = pt.map(VA, BigInt(DATA), AF);
      m.w64(DATA, 1n);
      m.w64(DATA + 0x1000, 2n);
      const other = new A64Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: m.clock, events: m.events, machine: { powerOff() {}, reset() {} }, props: {} });
      m.load([...A.mov64(1, VA), A.ldr(2, 1), A.b(0)], 0x90000); // core 1: load, then park
      T.enableEl1(m, tcr, BigInt(pt.root));
      pt.map(0x90000n, 0x90000n, AF);
      // Core 1: same registers, same tables.
      other.setEl(1);
      other.mmu.tcr.set(m.cpu.mmu.tcr);
      other.mmu.ttbr0.set(m.cpu.mmu.ttbr0);
      other.mmu.mair.set(m.cpu.mmu.mair);
      other.sctlr[1] = m.cpu.sctlr[1];
      other.setEl(1);
      other.tlb.flushAll();
      other.pc = 0x90000;
      other.run(6);
      expect(other.getReg64(2)).toBe(1n);
      m.w64(at, BigInt(DATA + 0x1000) | AF | 3n);
      m.load([...A.mov64(7, VA >> 12n), A.sys(0, 8, 3, 1, 7), A.dsb(), A.b(0)]);
      m.cpu.pc = CODE;
      m.run(6);
      expect(m.cpu.lastException).toBeNull();
      other.pc = 0x90000;
      other.run(6);
      expect(other.getReg64(2)).toBe(2n);
    }
  });

  it('remapping the page the code runs in, then TLBI and ISB: the next instruction comes from the new page', () => {
    const { m, pt, tcr } = setup();
    const at = pt.map(0x400000n, 0x90000n, AF);
    pt.map(BigInt(at & ~0xfff), BigInt(at & ~0xfff), AF | PXN);
    const head = [...A.mov64(5, 0x98000n | AF | 3n), ...A.mov64(6, at), A.str(5, 6), A.dsb(), ...X7(0x400n), A.sys(0, 8, 7, 1, 7), A.dsb(), A.isb()];
    const n = head.flat().length;
    m.load([...head, A.movz(9, 1), A.b(0)], 0x90000);
    // Until the ISB either mapping may be used: both pages hold the same code up to there.
    m.load([...head, A.movz(9, 2), A.b(0)], 0x98000);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.cpu.pc = 0x400000;
    m.run(n + 3);
    expect(m.cpu.lastException).toBeNull();
    expect(m.x(9)).toBe(2n);
  });

  it('TLBI ASIDE1 drops the non-global entries of that ASID', () => {
    const m = remap([...X7(5n << 48n), A.sys(0, 8, 7, 2, 7)], AF | T.NG, { asid: 5n });
    expect(m.x(3)).toBe(2n);
  });

  it('TLBI VAE1 with an address anywhere in a 2 MiB block drops the whole block', () => {
    const { m, pt, tcr } = setup();
    const at = pt.map(0x400000n, 0n, AF, 2); // VA 4 MiB -> PA 0, 2 MiB block
    m.w64(DATA, 1n);
    m.load([
      ...A.mov64(1, 0x400000 + DATA),
      A.ldr(2, 1),
      ...A.mov64(5, 1n), // the same block with AF = 0
      ...A.mov64(6, at),
      A.str(5, 6),
      ...X7(BigInt(0x400000 + 0x1ff000) >> 12n), // another page of the block
      A.sys(0, 8, 7, 1, 7),
      A.isb(),
      A.ldr(3, 1),
    ]);
    pt.map(BigInt(at & ~0xfff), BigInt(at & ~0xfff), AF | PXN);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(40);
    expect(m.x(2)).toBe(1n);
    const f = fault(m);
    expect(f.esr).toBe(esr(DA_SAME, 0x0a)); // access flag fault, level 2
    expect(f.far).toBe(BigInt(0x400000 + DATA));
  });

  it('a new ASID in TTBR0 uses its own (non-global) translations', () => {
    const { m, pt, tcr } = setup();
    pt.map(VA, BigInt(DATA), AF | T.NG);
    const pt2 = new PageTables(m, 12, 39, 0x1c0000);
    pt2.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt2.map(BigInt(CODE), BigInt(CODE), AF);
    pt2.map(VA, BigInt(DATA + 0x1000), AF | T.NG);
    m.w64(DATA, 1n);
    m.w64(DATA + 0x1000, 2n);
    m.load([...A.mov64(1, VA), A.ldr(2, 1), ...A.mov64(4, BigInt(pt2.root) | (2n << 48n)), A.msr(A.sysreg(3, 0, 2, 0, 0), 4), A.isb(), A.ldr(3, 1)]);
    T.enableEl1(m, tcr, BigInt(pt.root) | (1n << 48n));
    m.run(12);
    expect(m.cpu.lastException).toBeNull();
    expect([m.x(2), m.x(3)]).toEqual([1n, 2n]);
  });

  it('switching ASIDs back and forth keeps each ASID\'s translations (set aside, not walked again), and a TLBI in between is honoured', () => {
    const { m, pt, tcr } = setup();
    pt.map(VA, BigInt(DATA), AF | T.NG);
    const pt2 = new PageTables(m, 12, 39, 0x1c0000);
    pt2.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt2.map(BigInt(CODE), BigInt(CODE), AF);
    pt2.map(VA, BigInt(DATA + 0x1000), AF | T.NG);
    m.w64(DATA, 1n);
    m.w64(DATA + 0x1000, 2n);
    m.w64(DATA + 0x2000, 3n);
    const TTBR0 = A.sysreg(3, 0, 2, 0, 0);
    const program = [
      ...A.mov64(1, VA),
      ...A.mov64(4, BigInt(pt2.root) | (2n << 48n)),
      ...A.mov64(5, BigInt(pt.root) | (1n << 48n)),
      A.ldr(2, 1), // ASID 1: 1
      A.msr(TTBR0, 4),
      A.isb(),
      A.ldr(3, 1), // ASID 2: 2
      A.msr(TTBR0, 5),
      A.isb(),
      A.ldr(6, 1), // ASID 1 again: 1
    ];
    m.load(program);
    T.enableEl1(m, tcr, BigInt(pt.root) | (1n << 48n));
    m.run(program.flat().length);
    expect(m.cpu.lastException).toBeNull();
    expect([m.x(2), m.x(3), m.x(6)]).toEqual([1n, 2n, 1n]);
    // code page, ASID 1's data page, ASID 2's data page: ASID 1's came back without a walk
    expect(m.cpu.tlb.walks).toBe(3);

    // Now change ASID 1's mapping while ASID 2 runs, with a TLBI: ASID 1 must see it.
    const at = pt.slot(VA, 3);
    pt.map(BigInt(at & ~0xfff), BigInt(at & ~0xfff), AF | PXN);
    pt2.map(BigInt(at & ~0xfff), BigInt(at & ~0xfff), AF | PXN);
    const second = [
      A.msr(TTBR0, 4),
      A.isb(),
      A.ldr(3, 1),
      ...A.mov64(7, BigInt(DATA + 0x2000) | AF | T.NG | 3n),
      ...A.mov64(8, at),
      A.str(7, 8),
      A.dsb(),
      ...A.mov64(9, (VA >> 12n) | (1n << 48n)),
      A.sys(0, 8, 7, 1, 9), // TLBI VAE1, ASID 1
      A.dsb(),
      A.msr(TTBR0, 5),
      A.isb(),
      A.ldr(6, 1),
    ];
    m.load(second, CODE + 0x400);
    m.run(second.flat().length);
    expect(m.cpu.lastException).toBeNull();
    expect([m.x(3), m.x(6)]).toEqual([2n, 3n]);
  });

  it('AT S1E1R/S1E1W/S1E0R write PAR_EL1: PA, SH and the MAIR attribute, or F with the fault status', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF | T.attrIndx(1) | (3n << 8n) | AP_RO_EL1);
    const PAR = A.sysreg(3, 0, 7, 4, 0);
    m.load([
      ...A.mov64(1, 0x300123),
      A.sys(0, 7, 8, 0, 1), // AT S1E1R
      A.mrs(10, PAR),
      A.sys(0, 7, 8, 1, 1), // AT S1E1W: read-only
      A.mrs(11, PAR),
      A.sys(0, 7, 8, 2, 1), // AT S1E0R: EL1 only
      A.mrs(12, PAR),
      ...A.mov64(2, 0x7f000000),
      A.sys(0, 7, 8, 0, 2), // unmapped, level 1
      A.mrs(13, PAR),
    ]);
    T.enableEl1(m, tcr, BigInt(pt.root));
    m.run(16);
    expect(m.cpu.lastException).toBeNull();
    // MAIR_EL1 = 0xff04: index 1 is 0xff (Normal WB), SH = 3 (Inner), NS = 1 (Non-secure EL1)
    expect(m.x(10)).toBe((0xffn << 56n) | BigInt(DATA) | (1n << 9n) | (3n << 7n));
    expect(m.x(11)).toBe(1n | (0x0fn << 1n) | (1n << 11n));
    expect(m.x(12)).toBe(1n | (0x0fn << 1n) | (1n << 11n));
    expect(m.x(13)).toBe(1n | (0x05n << 1n) | (1n << 11n));
  });

  it('virtToPhys translates without side effects (debuggers), null where nothing is mapped', () => {
    const { m, pt, tcr } = setup();
    pt.map(0x300000n, BigInt(DATA), AF | AP_RO_EL1);
    expect(m.cpu.virtToPhys(0x300123)).toBe(0x300123); // MMU off: identity
    T.enableEl1(m, tcr, BigInt(pt.root));
    const walks = m.cpu.tlb.walks;
    expect(m.cpu.virtToPhys(0x300123)).toBe(DATA + 0x123);
    expect(m.cpu.virtToPhys(0x7f000000)).toBeNull();
    expect(m.cpu.tlb.walks).toBe(walks);
    expect(m.cpu.lastException).toBeNull();
  });

  it('inspect() shows the translation registers', () => {
    const { m, pt, tcr } = setup();
    T.enableEl1(m, tcr, BigInt(pt.root) | (3n << 48n));
    const regs = m.cpu.inspect();
    expect(regs.find((r) => r.name === 'TTBR0_EL1')).toEqual({ name: 'TTBR0_EL1', value: pt.root, hi: 3 << 16, width: 64 });
    for (const name of ['TTBR1_EL1', 'TCR_EL1', 'MAIR_EL1', 'PAR_EL1', 'TTBR0_EL2', 'TCR_EL3']) expect(regs.map((r) => r.name)).toContain(name);
  });

  it('AT S1E3R at EL3 and AT S1E1R from EL3 use their own regimes; AT with the regime off reports the flat address', () => {
    const m = makeMachine();
    const pt3 = new PageTables(m, 12, 39, 0x180000);
    pt3.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt3.map(BigInt(CODE), BigInt(CODE), AF);
    pt3.map(0x300000n, BigInt(DATA), AF | T.attrIndx(1));
    const PAR = A.sysreg(3, 0, 7, 4, 0);
    const program = [...A.mov64(1, 0x300040), A.sys(6, 7, 8, 0, 1), A.mrs(10, PAR), A.sys(0, 7, 8, 0, 1), A.mrs(11, PAR)];
    m.load(program);
    T.enableEl23(m, 3, T.T0SZ(25) | (2n << 16n), BigInt(pt3.root));
    m.run(program.flat().length);
    expect(m.cpu.lastException).toBeNull();
    // EL3 regime: PA and MAIR_EL3 index 1 (0xff), NS = 0 at EL3; EL1&0 off: flat, Device (0x00), SH 0b10.
    expect(m.x(10)).toBe((0xffn << 56n) | BigInt(DATA) | (0n << 7n));
    expect(m.x(11)).toBe(0x300000n | (2n << 7n));
  });

  it('enabling the MMU with MSR SCTLR_EL1 at EL1 (identity-mapped code) takes effect at the next instruction', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(0x300000n, BigInt(DATA), AF);
    m.w64(DATA, 0x99n);
    m.cpu.setEl(1);
    const S = A.sysreg;
    const program = [
      ...A.mov64(0, 0xff04),
      A.msr(S(3, 0, 10, 2, 0), 0), // MAIR_EL1
      ...A.mov64(0, T.T0SZ(25) | T.EPD1 | T.IPS(2)),
      A.msr(S(3, 0, 2, 0, 2), 0), // TCR_EL1
      ...A.mov64(0, pt.root),
      A.msr(S(3, 0, 2, 0, 0), 0), // TTBR0_EL1
      A.isb(),
      A.mrs(0, S(3, 0, 1, 0, 0)),
      A.orri(0, 0, 1),
      A.msr(S(3, 0, 1, 0, 0), 0), // SCTLR_EL1.M = 1
      A.isb(),
      ...A.mov64(1, 0x300000),
      A.ldr(2, 1),
      A.mrs(3, S(3, 0, 2, 0, 2)),
    ];
    m.load(program);
    m.run(program.flat().length);
    expect(m.cpu.lastException).toBeNull();
    expect(m.cpu.mmuOff).toBe(false);
    expect(m.x(2)).toBe(0x99n);
    expect(m.x(3)).toBe(T.T0SZ(25) | T.EPD1 | T.IPS(2));
  });
});

describe('aarch64 MMU: a kernel in the upper half runs a user program', () => {
  it('48-bit TTBR1 kernel (start level 0) ERETs to EL0 through TTBR0, takes SVC at a high VBAR_EL1 and returns', () => {
    const m = makeMachine();
    const KB = 0xffff000000000000n;
    const user = new PageTables(m, 12, 39, 0x180000);
    const kern = new PageTables(m, 12, 48, 0x1c0000);
    expect(kern.start).toBe(0);
    kern.map(KB + BigInt(CODE), BigInt(CODE), AF | UXN);
    kern.map(KB + BigInt(VECTORS), BigInt(VECTORS), AF | UXN);
    user.map(0x400000n, 0x90000n, AF | AP_RO_ALL | PXN | T.NG);
    user.map(0x500000n, BigInt(DATA), AF | AP_RW_ALL | PXN | UXN | T.NG);
    m.w64(DATA, 0x77n);
    const S = A.sysreg;
    // Lower-EL synchronous vector: count, keep ESR, return.
    m.load([A.mrs(10, S(3, 0, 5, 2, 0)), A.addi(11, 11, 1), ERET], VECTORS + 0x400);
    m.load([...A.mov64(1, 0x500000), A.ldr(2, 1), A.svc(5), A.str(2, 1, 8), A.b(0)], 0x90000);
    m.load([...A.mov64(0, KB + BigInt(VECTORS)), A.msr(S(3, 0, 12, 0, 0), 0), A.msr(S(3, 0, 4, 0, 0), 31), ...A.mov64(0, 0x400000), A.msr(S(3, 0, 4, 0, 1), 0), ERET]);
    const tcr = T.TG0_4K | T.T0SZ(25) | T.TG1_4K | T.T1SZ(16) | T.IPS(2);
    T.enableEl1(m, tcr, BigInt(user.root) | (1n << 48n), BigInt(kern.root));
    m.cpu.pc = Number(BigInt.asIntN(64, KB + BigInt(CODE)));
    m.run(13 + 7 + 3 + 2 + 5);
    expect(m.cpu.el).toBe(0);
    expect(m.x(10)).toBe(BigInt(esr(0x15, 5)));
    expect(m.x(11)).toBe(1n);
    expect(m.r64(DATA + 8)).toBe(0x77n);
    expect(m.cpu.pc).toBe(0x400000 + 4 * 7);
    expect((BigInt(m.cpu.vbar[3] >>> 0) << 32n) | BigInt(m.cpu.vbar[2] >>> 0)).toBe(KB + BigInt(VECTORS));
  });
});
