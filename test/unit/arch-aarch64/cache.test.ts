import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/a64asm.js';
import { CODE, DATA, makeMachine } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, AP_RO_EL1, PageTables } from './mmu-tables.js';

const S = A.sysreg;
const CTR_EL0 = S(3, 3, 0, 0, 1);
const DCZID_EL0 = S(3, 3, 0, 0, 7);
const CLIDR_EL1 = S(3, 1, 0, 0, 1);
const CCSIDR_EL1 = S(3, 1, 0, 0, 0);
const CSSELR_EL1 = S(3, 2, 0, 0, 0);
const dcZva = (rt: number) => A.sys(3, 7, 4, 1, rt);
const esr = (ec: number, iss = 0) => ((ec << 26) | (1 << 25) | iss) >>> 0;
/** EC 0x18 ISS: Op0 Op2 Op1 CRn Rt CRm Direction (D17.2.37). */
const sysIss = (op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean) =>
  (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);

function at(el: number, program: Array<number | number[]>, sctlr1?: number) {
  const m = makeMachine();
  m.cpu.setEl(el);
  if (sctlr1 !== undefined) m.cpu.sctlr[1] = sctlr1;
  m.load(program);
  m.run(program.flat().length);
  return m;
}

describe('aarch64 cache identification (as QEMU 7.2 cortex-a53) and DC ZVA', () => {
  it('CTR_EL0, DCZID_EL0, CLIDR_EL1 and CCSIDR_EL1 by CSSELR_EL1', () => {
    const m = at(1, [
      A.mrs(0, CTR_EL0),
      A.mrs(1, DCZID_EL0),
      A.mrs(2, CLIDR_EL1),
      A.mrs(3, CCSIDR_EL1), // CSSELR = 0: L1 data
      A.movz(9, 1),
      A.msr(CSSELR_EL1, 9),
      A.mrs(4, CCSIDR_EL1), // L1 instruction
      A.movz(9, 2),
      A.msr(CSSELR_EL1, 9),
      A.mrs(5, CCSIDR_EL1), // L2
      A.mrs(6, CSSELR_EL1),
    ]);
    expect(m.cpu.lastException).toBeNull();
    expect([m.x(0), m.x(1), m.x(2), m.x(3), m.x(4), m.x(5), m.x(6)]).toEqual([0x84448004n, 4n, 0x0a200023n, 0x700fe01an, 0x201fe00an, 0x707fe07an, 2n]);
  });

  it('EL0: CTR_EL0 traps to EL1 unless SCTLR_EL1.UCT, DCZID_EL0.DZP shows SCTLR_EL1.DZE, DC ZVA traps without DZE', () => {
    const trapped = at(0, [A.movz(3, 7), A.mrs(3, CTR_EL0)]);
    expect(trapped.cpu.lastException?.esr).toBe(esr(0x18, sysIss(3, 3, 0, 0, 1, 3, true)));
    expect(trapped.cpu.lastException?.targetEl).toBe(1);
    expect(trapped.x(3)).toBe(7n);
    const uct = at(0, [A.mrs(3, CTR_EL0), A.mrs(4, DCZID_EL0)], 0x00c50838 | (1 << 15));
    expect([uct.x(3), uct.x(4)]).toEqual([0x84448004n, 0x14n]);
    const zva = at(0, [...A.mov64(1, DATA), dcZva(1)]);
    expect(zva.cpu.lastException?.esr).toBe(esr(0x18, sysIss(1, 3, 7, 4, 1, 1, false)));
    const dze = at(0, [A.mrs(4, DCZID_EL0), ...A.mov64(1, DATA), dcZva(1)], 0x00c50838 | (1 << 14));
    expect(dze.cpu.lastException).toBeNull();
    expect(dze.x(4)).toBe(4n);
  });

  it('EL0 DC CIVAC / IC IVAU trap to EL1 unless SCTLR_EL1.UCI', () => {
    const trapped = at(0, [A.sys(3, 7, 14, 1, 2)]);
    expect(trapped.cpu.lastException?.esr).toBe(esr(0x18, sysIss(1, 3, 7, 14, 1, 2, false)));
    const ok = at(0, [A.sys(3, 7, 14, 1, 2), A.sys(3, 7, 5, 1, 2), A.movz(4, 1)], 0x00c50838 | (1 << 26));
    expect(ok.cpu.lastException).toBeNull();
    expect(ok.x(4)).toBe(1n);
  });

  it('DC ZVA zeroes the aligned 64-byte block holding the address, and nothing else', () => {
    const m = makeMachine();
    for (let off = 0; off < 0xc0; off += 8) m.w64(DATA + off, 0x1111111111111111n);
    m.cpu.setEl(1);
    m.load([...A.mov64(1, DATA + 0x47), dcZva(1)]);
    m.run(5);
    expect(m.cpu.lastException).toBeNull();
    expect(m.r64(DATA + 0x38)).toBe(0x1111111111111111n);
    for (let off = 0x40; off < 0x80; off += 8) expect(m.r64(DATA + off)).toBe(0n);
    expect(m.r64(DATA + 0x80)).toBe(0x1111111111111111n);
  });

  it('DC ZVA translates through the MMU: a mapped page is zeroed, a read-only one is a write permission fault with the block address in FAR', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(0x40000n, 0x40000n, AF);
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(0x300000n, BigInt(DATA), AF);
    pt.map(0x301000n, BigInt(DATA + 0x1000), AF | AP_RO_EL1);
    m.w64(DATA + 0x80, 5n);
    m.load([...A.mov64(1, 0x300088), dcZva(1), ...A.mov64(2, 0x301010), dcZva(2)]);
    T.enableEl1(m, T.T0SZ(25) | T.EPD1 | T.IPS(2), BigInt(pt.root));
    m.run(12);
    expect(m.r64(DATA + 0x80)).toBe(0n);
    expect(m.cpu.esr[1] >>> 0).toBe(esr(0x25, (1 << 6) | 0x0f));
    expect(m.cpu.far[2]).toBe(0x301000);
  });
});
