import { describe, expect, it } from 'vitest';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { debugCsrs, FIRST_CSR_REGNUM, PC_REGNUM, privRegnum } from '../../../plugins/arch-rv32/src/target-xml.js';
import { makeMachine, RAM_BASE } from './machine.js';

const le = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};
const csrReg = (csr: number) => FIRST_CSR_REGNUM + debugCsrs().indexOf(csr);

describe('rv32 CpuDebug registers', () => {
  it('reads x0-x31, pc, CSRs and priv little-endian in the description numbering', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    m.cpu.setReg(2, 0x80001234);
    m.cpu.setReg(31, -2);
    m.cpu.pc = RAM_BASE + 0x40;
    m.cpu.mepc = 0x80000abc;
    m.cpu.satp = 0x80080010;
    expect(d.readRegister(0)).toEqual(le(0));
    expect(d.readRegister(2)).toEqual(new Uint8Array([0x34, 0x12, 0x00, 0x80]));
    expect(d.readRegister(31)).toEqual(le(0xfffffffe));
    expect(d.readRegister(PC_REGNUM)).toEqual(le(RAM_BASE + 0x40));
    expect(d.pc).toBe(BigInt(RAM_BASE + 0x40));
    expect(d.readRegister(csrReg(CSR.mepc))).toEqual(le(0x80000abc));
    expect(d.readRegister(csrReg(CSR.satp))).toEqual(le(0x80080010));
    expect(d.readRegister(csrReg(CSR.misa))).toEqual(le(0x40141105));
    expect(d.readRegister(privRegnum())).toEqual(le(3));
    expect(d.readRegister(privRegnum() + 1)).toBeUndefined();
    expect(d.readRegister(-1)).toBeUndefined();
  });

  it('reads CSRs whatever the privilege, without side effects', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    m.cpu.setPrivilege(0); // U-mode: the guest could read none of these
    m.cpu.mstatus = 0x1822; // SIE, SPIE, MPP = 3
    const before = m.cpu.retired;
    expect(d.readRegister(csrReg(CSR.sstatus))).toEqual(le(0x22));
    expect(d.readRegister(csrReg(CSR.mstatus))).toEqual(le(0x1822));
    expect(d.readRegister(csrReg(0xb00))).toEqual(le(0)); // mcycle
    expect(d.readRegister(csrReg(CSR.mhartid))).toEqual(le(0));
    expect(m.cpu.retired).toBe(before);
    expect(m.traps).toEqual([]);
  });

  it('writes registers, pc, CSRs through the CSR file, and priv', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    expect(d.writeRegister(5, le(0xdeadbeef))).toBe(true);
    expect(m.reg(5)).toBe(0xdeadbeef);
    expect(d.writeRegister(0, le(7))).toBe(true); // x0 stays zero, as in a `G` packet
    expect(m.reg(0)).toBe(0);
    expect(d.writeRegister(PC_REGNUM, le(RAM_BASE + 0x101))).toBe(true);
    expect(m.cpu.pc).toBe(RAM_BASE + 0x100);
    expect(d.writeRegister(csrReg(CSR.stvec), le(0x80002000))).toBe(true);
    expect(m.cpu.stvec).toBe(0x80002000);
    expect(d.writeRegister(csrReg(CSR.sstatus), le(0xffffffff))).toBe(true); // WARL: only sstatus bits
    expect(m.cpu.mstatus >>> 0).toBe(0x000c0122);
    expect(d.writeRegister(csrReg(CSR.mhartid), le(1))).toBe(false); // read-only
    expect(d.writeRegister(csrReg(0xc00), le(1))).toBe(false); // cycle is read-only
    expect(d.writeRegister(privRegnum(), le(1))).toBe(true);
    expect(m.cpu.priv).toBe(1);
    expect(m.cpu.privilegeName()).toBe('S');
    expect(d.writeRegister(privRegnum(), le(2))).toBe(true); // reserved: S, as QEMU
    expect(m.cpu.priv).toBe(1);
    expect(d.writeRegister(privRegnum() + 1, le(0))).toBe(false);
    expect(d.writeRegister(1, new Uint8Array(8))).toBe(false);
  });
});
