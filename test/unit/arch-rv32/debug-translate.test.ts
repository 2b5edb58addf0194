import { describe, expect, it } from 'vitest';
import { makeMachine, openPmp, RAM_BASE, type TestMachine } from './machine.js';

const V = 1, R = 2, W = 4, X = 8, U = 16, AC = 64, D = 128;
const ROOT = RAM_BASE + 0x10000;
const L0 = RAM_BASE + 0x11000;
const PAGE = RAM_BASE + 0x20000;
const VA = 0x00400000; // through L0
const MEGA_VA = 0x40000000;
const pte = (pa: number, flags: number) => ((Math.floor(pa / 4096) << 10) | flags) >>> 0;

/** Sv32 tables in S-mode: a megapage alias of RAM at MEGA_VA, and 4 KiB pages at VA. */
function sv32(): TestMachine {
  const m = makeMachine();
  openPmp(m);
  m.w32(ROOT + (MEGA_VA >>> 22) * 4, pte(RAM_BASE, V | R | W | X)); // A/D clear
  m.w32(ROOT + (VA >>> 22) * 4, pte(L0, V));
  m.w32(L0 + 0 * 4, pte(PAGE, V | R | X | U)); // user code, A clear
  m.w32(L0 + 1 * 4, pte(PAGE + 0x1000, V | W)); // reserved W without R
  m.cpu.satp = (0x80000000 | (ROOT >>> 12)) >>> 0;
  m.cpu.setPrivilege(1);
  return m;
}

describe('rv32 CpuDebug translation', () => {
  it('is the identity in M-mode and with satp Bare', () => {
    const m = makeMachine();
    expect(m.cpu.debug.translate(0x80001234n, false)).toBe(0x80001234);
    expect(m.cpu.debug.describeTranslation(0x1000n)).toEqual(['priv M: no translation', '-> pa 0x00001000']);
    m.cpu.setPrivilege(1);
    expect(m.cpu.debug.translate(0x1234n, true)).toBe(0x1234);
    expect(m.cpu.debug.translate(1n << 32n, false)).toBe(-1);
  });

  it('walks Sv32 megapages and 4 KiB pages without setting A/D, filling the TLB or trapping', () => {
    const m = sv32();
    const d = m.cpu.debug;
    const tlbBefore = m.cpu.tlb.tags.flat().map((t) => t.slice());
    expect(d.translate(BigInt(MEGA_VA + 0x12345), false)).toBe(RAM_BASE + 0x12345);
    expect(d.translate(BigInt(VA + 0x10), false)).toBe(PAGE + 0x10);
    // A debugger may patch code pages (QEMU's debug accesses ignore W, U and SUM too).
    expect(d.translate(BigInt(VA + 0x10), true)).toBe(PAGE + 0x10);
    expect(d.translate(BigInt(VA + 0x1000), false)).toBe(-1); // W without R
    expect(d.translate(BigInt(VA + 0x2000), false)).toBe(-1); // invalid
    expect(d.translate(0x80000000n, false)).toBe(-1); // no root entry
    expect(m.r32(ROOT + (MEGA_VA >>> 22) * 4) & (AC | D)).toBe(0);
    expect(m.r32(L0) & (AC | D)).toBe(0);
    expect(m.cpu.tlb.tags.flat().map((t) => t.slice())).toEqual(tlbBefore);
    expect(m.traps).toEqual([]);
  });

  it('uses the data regime: MPRV with MPP = S translates M-mode debugger accesses', () => {
    const m = sv32();
    m.cpu.setPrivilege(3);
    m.cpu.mstatus = (1 << 17) | (1 << 11); // MPRV, MPP = S
    m.cpu.selectDataTlb();
    expect(m.cpu.debug.translate(BigInt(VA + 4), false)).toBe(PAGE + 4);
    expect(m.cpu.debug.describeTranslation(BigInt(VA))[0]).toBe('satp 0x80080010: Sv32, ASID 0, root table 0x80010000 (MPRV: as S)');
  });

  it('describes each level of the walk', () => {
    const m = sv32();
    expect(m.cpu.debug.describeTranslation(BigInt(VA + 0x10))).toEqual([
      'satp 0x80080010: Sv32, ASID 0, root table 0x80010000',
      'L1 0x80010000[0x1] = 0x2000_4401 -> table 0x80011000',
      'L0 0x80011000[0x0] = 0x2000_801b (R X U) -> page 0x80020000',
      '-> pa 0x80020010',
    ]);
    expect(m.cpu.debug.describeTranslation(BigInt(MEGA_VA))).toEqual([
      'satp 0x80080010: Sv32, ASID 0, root table 0x80010000',
      'L1 0x80010000[0x100] = 0x2000_000f (R W X) -> megapage 0x80000000',
      '-> pa 0x80000000',
    ]);
    expect(m.cpu.debug.describeTranslation(BigInt(VA + 0x2000)).slice(2)).toEqual(['L0 0x80011000[0x2] = 0x0000_0000 -> invalid', '-> unmapped']);
  });
});
