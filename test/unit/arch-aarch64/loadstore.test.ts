import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, DATA, exec, makeMachine, MMIO_BASE, U64, VECTORS } from './machine.js';

const D = BigInt(DATA);

function withData(bytes: bigint[]) {
  const m = makeMachine();
  bytes.forEach((v, i) => m.w64(DATA + 8 * i, v));
  return m;
}

function run(m: ReturnType<typeof makeMachine>, insns: Array<number | number[]>, regs: Record<number, bigint | number> = {}) {
  m.load(insns);
  for (const [r, v] of Object.entries(regs)) m.set(Number(r), v);
  m.run(insns.flat().length);
  return m;
}

describe('aarch64 loads and stores (single register)', () => {
  it('LDR of every size, zero- and sign-extending, unsigned offsets', () => {
    const m = withData([0x8182838485868788n, 0xf0e0d0c0b0a09080n]);
    run(m, [A.ldr(0, 1), A.ldrw(2, 1), A.ldrh(3, 1), A.ldrb(4, 1), A.ldrsw(5, 1), A.ldrsh(6, 1), A.ldrsb(7, 1), A.ldrsh(8, 1, 0, 0), A.ldrsb(9, 1, 0, 0), A.ldr(10, 1, 8), A.ldrw(11, 1, 12), A.ldrb(12, 1, 15)], { 1: D, 2: -1n, 8: -1n, 9: -1n });
    expect(m.x(0)).toBe(0x8182838485868788n);
    expect(m.x(2)).toBe(0x85868788n);
    expect(m.x(3)).toBe(0x8788n);
    expect(m.x(4)).toBe(0x88n);
    expect(m.x(5)).toBe(0xffffffff85868788n);
    expect(m.x(6)).toBe(0xffffffffffff8788n);
    expect(m.x(7)).toBe(0xffffffffffffff88n);
    expect(m.x(8)).toBe(0xffff8788n); // LDRSH Wt: sign-extends to 32 bits, upper half zero
    expect(m.x(9)).toBe(0xffffff88n);
    expect(m.x(10)).toBe(0xf0e0d0c0b0a09080n);
    expect(m.x(11)).toBe(0xf0e0d0c0n);
    expect(m.x(12)).toBe(0xf0n);
  });

  it('STR of every size writes only its bytes; XZR stores zero', () => {
    const m = withData([0x1111111111111111n, 0x2222222222222222n, 0x3333333333333333n]);
    run(m, [A.str(0, 1), A.strw(0, 1, 8), A.strh(0, 1, 16), A.strb(0, 1, 18), A.strw(31, 1, 20)], { 0: 0x0123456789abcdefn, 1: D });
    expect(m.r64(DATA)).toBe(0x0123456789abcdefn);
    expect(m.r64(DATA + 8)).toBe(0x2222222289abcdefn);
    expect(m.r64(DATA + 16)).toBe(0x00000000_33efcdefn);
  });

  it('pre- and post-index write back the base; LDUR/STUR with negative offsets', () => {
    const m = withData([0xaaaan, 0xbbbbn]);
    run(m, [A.ldstImm9(3, 1, 0, 1, 8, 'pre'), A.ldstImm9(3, 1, 2, 3, -8, 'post'), A.ldstImm9(3, 1, 4, 5, -8, 'unscaled'), A.ldstImm9(3, 0, 4, 6, -16, 'pre')], { 1: D, 3: D + 8n, 5: D + 8n, 6: D + 32n });
    expect(m.x(0)).toBe(0xbbbbn);
    expect(m.x(1)).toBe(D + 8n);
    expect(m.x(2)).toBe(0xbbbbn);
    expect(m.x(3)).toBe(D);
    expect(m.x(4)).toBe(0xaaaan);
    expect(m.x(5)).toBe(D + 8n);
    expect(m.x(6)).toBe(D + 16n);
    expect(m.r64(DATA + 16)).toBe(0xaaaan);
  });

  it('SP as the base register with pre-index (push/pop)', () => {
    const m = makeMachine();
    run(m, [A.ldstImm9(3, 0, 1, 31, -16, 'pre'), A.ldstImm9(3, 1, 2, 31, 16, 'post')], { 31: D + 0x100n, 1: 0xfeedn });
    expect(m.x(2)).toBe(0xfeedn);
    expect(m.x(31)).toBe(D + 0x100n);
    expect(m.r64(DATA + 0xf0)).toBe(0xfeedn);
  });

  it('register offsets: LSL with and without scaling, UXTW, SXTW (negative index), SXTX', () => {
    const m = withData([0x10n, 0x11n, 0x12n, 0x13n]);
    run(m, [A.ldstReg(3, 1, 0, 1, 2, 'lsl', true), A.ldstReg(3, 1, 3, 1, 4, 'lsl'), A.ldstReg(3, 1, 5, 1, 6, 'uxtw', true), A.ldstReg(3, 1, 7, 8, 9, 'sxtw', true), A.ldstReg(3, 1, 10, 8, 11, 'sxtx')], {
      1: D,
      2: 3,
      4: 8,
      6: 0xffffffff_00000002n,
      8: D + 24n,
      9: 0xfffffffen, // -2 as a W register
      11: -8n,
    });
    expect(m.x(0)).toBe(0x13n);
    expect(m.x(3)).toBe(0x11n);
    expect(m.x(5)).toBe(0x12n);
    expect(m.x(7)).toBe(0x11n);
    expect(m.x(10)).toBe(0x12n);
  });

  it('LDTR/STTR (unprivileged) access like LDUR/STUR while the MMU is off', () => {
    const m = withData([0x1234n]);
    run(m, [A.ldstImm9(3, 1, 0, 1, 8, 'unpriv'), A.ldstImm9(2, 0, 2, 1, 16, 'unpriv'), A.ldstImm9(0, 2, 3, 1, 8, 'unpriv')], { 1: D - 8n, 2: 0xabcdef80n });
    expect(m.x(0)).toBe(0x1234n);
    expect(m.r64(DATA + 8) & 0xffffffffn).toBe(0xabcdef80n);
    expect(m.x(3)).toBe(0x34n);
  });

  it('LDR (literal) of W, X and SW; PRFM is a no-op', () => {
    const m = makeMachine();
    m.load([A.ldrLit(0, 16, 1), A.ldrLit(1, 12, 0), A.ldrLit(2, 8, 2), A.ldrLit(3, 4, 3), 0x89abcdef, 0x01234567]);
    m.run(4);
    expect(m.x(0)).toBe(0x0123456789abcdefn);
    expect(m.x(1)).toBe(0x89abcdefn);
    expect(m.x(2)).toBe(0xffffffff89abcdefn);
    expect(m.x(3)).toBe(0n);
  });

  it('unaligned accesses to RAM succeed (as QEMU 7.2 with the MMU off)', () => {
    const m = withData([0x8877665544332211n, 0x00ffeeddccbbaa99n]);
    run(m, [A.ldstImm9(3, 1, 0, 1, 3, 'unscaled'), A.ldstImm9(2, 0, 2, 1, 13, 'unscaled'), A.ldstImm9(1, 1, 3, 1, 7, 'unscaled')], { 1: D, 2: 0xdeadbeef });
    expect(m.x(0)).toBe(0xbbaa998877665544n);
    expect(m.r64(DATA + 8)).toBe(0xadbeefddccbbaa99n);
    expect(m.r64(DATA + 16) & 0xffn).toBe(0xden);
    expect(m.x(3)).toBe(0x9988n);
  });

  it('MMIO accesses go through the bus; 64-bit ones as two 32-bit halves', () => {
    const m = makeMachine();
    run(m, [A.str(0, 1), A.ldrw(2, 1), A.ldr(3, 1), A.strb(0, 1, 9), A.ldrh(4, 1, 8)], { 0: 0x1122334455667788n, 1: MMIO_BASE });
    expect(m.dev.regs[0]).toBe(0x55667788);
    expect(m.dev.regs[1]).toBe(0x11223344);
    expect(m.x(2)).toBe(0x55667788n);
    expect(m.x(3)).toBe(0x1122334455667788n);
    expect(m.x(4)).toBe(0x8800n);
    expect(m.dev.log.filter((a) => a.write).map((a) => [a.offset, a.size])).toEqual([
      [0, 4],
      [4, 4],
      [9, 1],
    ]);
  });

  it('an access to nothing is a synchronous external abort with ESR, FAR and WnR', () => {
    let m = exec([A.ldr(0, 1)], { 1: 0x40000000 });
    let p = m.cpu.lastException!;
    expect(p.esr).toBe(((0x25 << 26) | (1 << 25) | 0x10) >>> 0);
    expect(p.farLo).toBe(0x40000000);
    expect(m.cpu.elr[6]).toBe(CODE);
    expect(m.cpu.far[6]).toBe(0x40000000);
    expect(m.cpu.pc).toBe(VECTORS + 0x200);
    expect(m.cpu.retired).toBe(0);
    m = exec([A.nop(), A.str(0, 1)], { 1: 0x40000000 });
    p = m.cpu.lastException!;
    expect(p.esr).toBe(((0x25 << 26) | (1 << 25) | (1 << 6) | 0x10) >>> 0);
    expect(p.elrLo).toBe(CODE + 4);
    expect(m.cpu.retired).toBe(1);
  });

  it('a 64-bit address beyond the 40-bit PA size takes an address size fault; the base is not written back', () => {
    const m = exec([A.ldstImm9(3, 1, 0, 1, 8, 'pre')], { 1: 0x0000010000000000n });
    const p = m.cpu.lastException!;
    expect(p.esr).toBe(((0x25 << 26) | (1 << 25) | 0x00) >>> 0);
    expect(p.farHi).toBe(0x100);
    expect(m.x(1)).toBe(0x0000010000000000n);
  });

  it('a store into decoded code is seen by the next execution of that slot', () => {
    const m = makeMachine();
    // x1 = address of the `movz x0, #1` at CODE+12; store `movz x0, #2` over it, then run it
    m.load([A.strw(2, 1), A.nop(), A.nop(), A.movz(0, 1)]);
    m.set(1, CODE + 12);
    m.set(2, A.movz(0, 2));
    m.run(4);
    expect(m.x(0)).toBe(2n);
  });
});

describe('aarch64 load/store pair', () => {
  it('LDP/STP X and W with offset, pre and post index', () => {
    const m = withData([0x1111n, 0x2222n, 0x3333n, 0x4444n]);
    run(m, [A.ldp(0, 1, 10), A.ldp(2, 3, 11, 16, 'pre'), A.ldp(4, 5, 12, 8, 'post'), A.stp(0, 1, 13, -16, 'pre'), A.ldp(6, 7, 10, 8, 'offset', 0)], { 10: D, 11: D, 12: D, 13: D + 0x100n });
    expect([m.x(0), m.x(1)]).toEqual([0x1111n, 0x2222n]);
    expect([m.x(2), m.x(3), m.x(11)]).toEqual([0x3333n, 0x4444n, D + 16n]);
    expect([m.x(4), m.x(5), m.x(12)]).toEqual([0x1111n, 0x2222n, D + 8n]);
    expect([m.r64(DATA + 0xf0), m.r64(DATA + 0xf8), m.x(13)]).toEqual([0x1111n, 0x2222n, D + 0xf0n]);
    expect([m.x(6), m.x(7)]).toEqual([0x2222n, 0n]);
  });

  it('LDPSW sign-extends both words; STP W stores 32-bit halves', () => {
    const m = withData([0x7fffffff_80000000n]);
    run(m, [A.ldpsw(0, 1, 10), A.stp(2, 3, 10, 8, 'offset', 0)], { 10: D, 2: 0xaaaaaaaa_11111111n, 3: 0x22222222n });
    expect(m.x(0)).toBe(0xffffffff80000000n);
    expect(m.x(1)).toBe(0x7fffffffn);
    expect(m.r64(DATA + 8)).toBe(0x2222222211111111n);
  });

  it('STP of the frame record and LDP back, the usual prologue/epilogue', () => {
    const m = makeMachine();
    run(m, [A.stp(29, 30, 31, -32, 'pre'), A.movsp(29, 31), A.movz(29, 0), A.movz(30, 0), A.ldp(29, 30, 31, 32, 'post')], { 31: D + 0x200n, 29: 0x29n, 30: 0x30n });
    expect([m.x(29), m.x(30), m.x(31)]).toEqual([0x29n, 0x30n, D + 0x200n]);
  });

  it('pairs take the slow path to MMIO, at unaligned addresses and with faults (no write-back then)', () => {
    const m = withData([0x1111n, 0x2222n, 0x3333n]);
    run(m, [A.stp(0, 1, 2, 0, 'offset', 0), A.ldp(3, 4, 2, 0, 'offset', 0), A.ldp(5, 6, 7, 8, 'pre'), A.ldpsw(8, 9, 2)], { 0: 0xaaaa, 1: 0x8000bbbb, 2: MMIO_BASE, 7: D + 4n });
    expect([m.dev.regs[0], m.dev.regs[1]]).toEqual([0xaaaa, 0x8000bbbb]);
    expect([m.x(3), m.x(4)]).toEqual([0xaaaan, 0x8000bbbbn]);
    expect([m.x(5), m.x(6), m.x(7)]).toEqual([0x0000333300000000n, 0n, D + 12n]);
    expect([m.x(8), m.x(9)]).toEqual([0xaaaan, 0xffffffff8000bbbbn]);
    const f = exec([A.stp(0, 1, 2, 16, 'pre')], { 2: 0x40000000 - 16 });
    expect(f.cpu.lastException!.farLo).toBe(0x40000000);
    expect(f.x(2)).toBe(BigInt(0x40000000 - 16));
  });

  it('reserved pair encodings (opc 11, STP with opc 01, LDNP opc 01) are Undefined', () => {
    for (const w of [A.ldp(0, 1, 2) | (3 << 30), A.stp(0, 1, 2) & ~(3 << 30) | (1 << 30), A.ldp(0, 1, 2, 0, 'nt') & ~(3 << 30) | (1 << 30)]) {
      expect(exec([w >>> 0]).cpu.lastException?.esr).toBe(0x02000000);
    }
  });
});

describe('aarch64 exclusive and ordered accesses', () => {
  it('LDXR/STXR succeed (Ws = 0) when nothing intervened, fail (Ws = 1) without a reservation', () => {
    const m = withData([5n]);
    run(m, [A.ldxr(3, 0, 1), A.addi(0, 0, 1), A.stxr(3, 2, 0, 1), A.stxr(3, 3, 0, 1)], { 1: D, 3: 7 });
    expect(m.x(2)).toBe(0n);
    expect(m.x(3)).toBe(1n);
    expect(m.r64(DATA)).toBe(6n);
  });

  it('STXR fails when memory changed after LDXR, and after CLREX', () => {
    const m = withData([5n]);
    run(m, [A.ldaxr(3, 0, 1), A.str(4, 1), A.stlxr(3, 2, 0, 1)], { 1: D, 4: 9 });
    expect(m.x(2)).toBe(1n);
    expect(m.r64(DATA)).toBe(9n);
    run(m, [A.ldxr(2, 0, 1), A.clrex(), A.stxr(2, 2, 0, 1)], { 1: D });
    expect(m.x(2)).toBe(1n);
  });

  it('byte and halfword exclusives; a different address or size fails', () => {
    const m = withData([0x1234n]);
    run(m, [A.ldxr(0, 0, 1), A.stxr(0, 2, 4, 1), A.ldxr(1, 0, 1), A.stxr(2, 3, 4, 1), A.ldxr(1, 0, 1), A.stxr(1, 5, 4, 6)], { 1: D, 4: 0xff, 6: D + 2n });
    expect(m.x(2)).toBe(0n);
    expect(m.x(3)).toBe(1n);
    expect(m.x(5)).toBe(1n);
    expect(m.r64(DATA)).toBe(0x12ffn);
  });

  it('LDXP/STXP move a 128-bit pair', () => {
    const m = withData([0x1111n, 0x2222n]);
    run(m, [A.ldxp(3, 0, 1, 4), A.stxp(3, 5, 1, 0, 4)], { 4: D });
    expect([m.x(0), m.x(1), m.x(5)]).toEqual([0x1111n, 0x2222n, 0n]);
    expect([m.r64(DATA), m.r64(DATA + 8)]).toEqual([0x2222n, 0x1111n]);
  });

  it('exclusives and acquire/release need alignment: Alignment fault (DFSC 0x21)', () => {
    for (const insn of [A.ldxr(3, 0, 1), A.stxr(2, 2, 0, 1), A.ldar(3, 0, 1), A.stlr(1, 0, 1), A.ldxp(3, 0, 2, 1)]) {
      const m = exec([insn], { 1: D + 4n });
      const wnr = insn === A.stxr(2, 2, 0, 1) ? 1 << 6 : 0;
      if (insn === A.stlr(1, 0, 1) || insn === A.stxr(2, 2, 0, 1)) {
        // D + 4 is aligned for 2 and 4 bytes: no fault
        expect(m.cpu.lastException).toBe(null);
        continue;
      }
      expect(m.cpu.lastException!.esr).toBe(((0x25 << 26) | (1 << 25) | wnr | 0x21) >>> 0);
      expect(m.cpu.lastException!.farLo).toBe(DATA + 4);
    }
    const m = exec([A.stlr(3, 0, 1)], { 1: D + 4n });
    expect(m.cpu.lastException!.esr).toBe(((0x25 << 26) | (1 << 25) | (1 << 6) | 0x21) >>> 0);
  });

  it('LDAR/STLR of every size', () => {
    const m = withData([0x8877665544332211n]);
    run(m, [A.ldar(0, 0, 1), A.ldar(1, 2, 1), A.ldar(2, 3, 1), A.stlr(1, 3, 4), A.ldar(3, 4, 4)], { 1: D, 4: D + 8n });
    // byte, halfword, word loads; STLRH of W3's low half; LDAR X of what it stored
    expect([m.x(0), m.x(2), m.x(3), m.x(4)]).toEqual([0x11n, 0x2211n, 0x44332211n, 0x2211n]);
    expect(U64(m.r64(DATA + 8))).toBe(0x2211n);
  });

  it('PRFM (immediate, unscaled, register) is a no-op; PRFM with an extend option 0x0 is Undefined', () => {
    const m = exec([0xf98000a0 /* prfm pldl1keep, [x5] */, 0xf88000a0 /* prfum */, 0xf8a368a0 /* prfm [x5, x3] */, A.movz(0, 1)], { 5: 0x40000000 });
    expect(m.x(0)).toBe(1n);
    expect(exec([0xf8a338cc]).cpu.lastException?.esr).toBe(0x02000000);
  });

  it('Armv8.1 atomics and CAS are Undefined on a Cortex-A53', () => {
    const ldadd = 0xf8200020 | (2 << 16); // ldadd x2, x0, [x1]
    const cas = 0xc8a07c20; // cas x0, x0, [x1]
    expect(exec([ldadd >>> 0], { 1: D }).cpu.lastException?.esr).toBe(0x02000000);
    expect(exec([cas >>> 0], { 1: D }).cpu.lastException?.esr).toBe(0x02000000);
  });
});
