/** The AArch64 debugger interface: target description, registers, translation (debug.ts, gdb-target.ts). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aarch64 } from '../../../plugins/arch-aarch64/src/index.js';
import { REGISTER_COUNT } from '../../../plugins/arch-aarch64/src/debug.js';
import { CODE, DATA, makeMachine, VECTORS } from './machine.js';
import * as T from './mmu-tables.js';
import { AF, PageTables } from './mmu-tables.js';

const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
};
const asBig = (b: Uint8Array | undefined) => {
  expect(b).toBeDefined();
  let r = 0n;
  for (let i = b!.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(b![i]);
  return r;
};

/** Register numbers by name, from the description GDB reads. */
function regnums(): Map<string, number> {
  const out = new Map<string, number>();
  let next = 0;
  const xml = aarch64.debug!.targetXml;
  for (const doc of ['aarch64-core.xml', 'aarch64-fpu.xml', 'aarch64-sysregs.xml']) {
    for (const m of xml[doc].matchAll(/<reg name="([^"]+)"[^>]*?(?:regnum="(\d+)")?[^>]*\/>/g)) {
      if (m[2] !== undefined) next = Number(m[2]);
      out.set(m[1], next++);
    }
  }
  return out;
}

function hasGdb(): boolean {
  try {
    execFileSync('gdb-multiarch', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('aarch64 GDB target description', () => {
  it('uses GDB standard features, 34 registers in g, BRK kind 4', () => {
    const d = aarch64.debug!;
    expect(d.gRegisters).toBe(34);
    expect(d.breakpointKinds).toEqual([4]);
    expect(d.targetXml['target.xml']).toContain('<architecture>aarch64</architecture>');
    expect(d.targetXml['aarch64-core.xml']).toContain('<feature name="org.gnu.gdb.aarch64.core">');
    expect(d.targetXml['aarch64-fpu.xml']).toContain('<feature name="org.gnu.gdb.aarch64.fpu">');
    expect(d.targetXml['aarch64-sysregs.xml']).toContain('<feature name="org.qemu.gdb.aarch64.sysregs">');
    const n = regnums();
    expect([n.get('x0'), n.get('x30'), n.get('sp'), n.get('pc'), n.get('cpsr'), n.get('v0'), n.get('v31'), n.get('fpsr'), n.get('fpcr')]).toEqual([0, 30, 31, 32, 33, 34, 65, 66, 67]);
    for (const name of ['CurrentEL', 'SCTLR_EL1', 'SCTLR_EL2', 'SCTLR_EL3', 'TCR_EL1', 'TTBR0_EL1', 'TTBR1_EL1', 'MAIR_EL1', 'VBAR_EL2', 'ESR_EL3', 'FAR_EL1', 'ELR_EL2', 'SPSR_EL1', 'SP_EL0', 'SP_EL2', 'HCR_EL2', 'SCR_EL3', 'CNTV_CVAL_EL0']) {
      expect(n.get(name), name).toBeGreaterThanOrEqual(68);
    }
    expect(Math.max(...n.values()) + 1).toBe(REGISTER_COUNT);
  });

  it.skipIf(!hasGdb())('gdb-multiarch loads it as aarch64 with the registers in this numbering', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-a64-tdesc-'));
    try {
      for (const [name, text] of Object.entries(aarch64.debug!.targetXml)) writeFileSync(join(dir, name), text);
      const out = execFileSync('gdb-multiarch', ['-nx', '-batch', '-ex', `set tdesc filename ${join(dir, 'target.xml')}`, '-ex', 'show architecture', '-ex', 'maint print registers'], { encoding: 'utf8' });
      expect(out).toContain('currently "aarch64"');
      const rows = new Map([...out.matchAll(/^ (\S+)\s+(\d+)\s+\d+\s+\d+\s+(\d+)/gm)].map((m) => [m[1], [Number(m[2]), Number(m[3])]]));
      for (const [name, num] of regnums()) expect(rows.get(name)?.[0], name).toBe(num);
      expect(rows.get('cpsr')).toEqual([33, 4]);
      expect(rows.get('v7')).toEqual([41, 16]);
      expect(rows.get('fpcr')).toEqual([67, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('aarch64 CpuDebug registers', () => {
  it('reads and writes x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr in target order', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    m.set(5, 0x1122334455667788n);
    expect(asBig(d.readRegister(5))).toBe(0x1122334455667788n);
    expect(d.writeRegister(30, u64(0xffff000000081234n))).toBe(true);
    expect(m.x(30)).toBe(0xffff000000081234n);
    expect(d.writeRegister(31, u64(0x8000n))).toBe(true);
    expect(m.x(31)).toBe(0x8000n);
    expect(d.writeRegister(32, u64(0xffff000000080000n))).toBe(true);
    expect(m.cpu.pc).toBe(Number(BigInt.asIntN(64, 0xffff000000080000n))); // an edge number
    expect(d.pc).toBe(0xffff000000080000n);
    expect(asBig(d.readRegister(32))).toBe(0xffff000000080000n);
    // cpsr at reset: EL3h, DAIF masked
    expect(d.readRegister(33)!.length).toBe(4);
    expect(asBig(d.readRegister(33))).toBe(0x3cdn);
    m.cpu.fp.setQ(3, 0x0102030405060708090a0b0c0d0e0f10n);
    expect(asBig(d.readRegister(34 + 3))).toBe(0x0102030405060708090a0b0c0d0e0f10n);
    const q = new Uint8Array(16).map((_, i) => i + 1);
    expect(d.writeRegister(34 + 31, q)).toBe(true);
    expect(m.cpu.fp.getQ(31)).toBe(0x100f0e0d0c0b0a090807060504030201n);
    expect(d.writeRegister(66, Uint8Array.of(0x9f, 0, 0, 0x08))).toBe(true);
    expect(m.cpu.fp.fpsr >>> 0).toBe(0x0800009f);
    expect(d.writeRegister(67, Uint8Array.of(0, 0, 0xc0, 0x03))).toBe(true);
    expect(m.cpu.fp.fpcr >>> 0).toBe(0x03c00000);
    expect(asBig(d.readRegister(67))).toBe(0x03c00000n);
    // wrong sizes and unknown numbers
    expect(d.writeRegister(5, new Uint8Array(4))).toBe(false);
    expect(d.writeRegister(REGISTER_COUNT, u64(0n))).toBe(false);
    expect(d.readRegister(REGISTER_COUNT)).toBeUndefined();
    expect(d.readRegister(-1)).toBeUndefined();
  });

  it('a cpsr write sets NZCV, DAIF and the EL with its stack pointer', () => {
    const m = makeMachine();
    const d = m.cpu.debug;
    m.cpu.spBank[2] = 0x7000; // SP_EL1
    expect(d.writeRegister(33, Uint8Array.of(0x05, 0x00, 0x00, 0x60))).toBe(true); // EL1h, Z C
    expect([m.cpu.el, m.cpu.spSel, m.cpu.nzcv >>> 0, m.cpu.daif]).toEqual([1, 1, 0x60000000, 0]);
    expect(m.x(31)).toBe(0x7000n);
  });

  it('every system register of the description reads, at EL3 and at EL0, without an exception or trap event', () => {
    const n = regnums();
    for (const el of [3, 0]) {
      const m = makeMachine();
      m.cpu.setEl(el);
      for (let r = 68; r < REGISTER_COUNT; r++) expect(m.cpu.debug.readRegister(r)?.length, `regnum ${r} at EL${el}`).toBe(8);
      expect(m.cpu.lastException).toBeNull();
      expect(m.traps).toEqual([]);
      expect(asBig(m.cpu.debug.readRegister(n.get('CurrentEL')!))).toBe(BigInt(el << 2));
      expect(asBig(m.cpu.debug.readRegister(n.get('SCTLR_EL1')!))).toBe(0x00c50838n);
      expect(asBig(m.cpu.debug.readRegister(n.get('MIDR_EL1')!))).toBe(0x410fd034n);
    }
  });

  it('system register writes go through MSR (with its side effects) whatever the EL; read-only ones are refused', () => {
    const n = regnums();
    const m = makeMachine();
    m.cpu.setEl(1);
    const d = m.cpu.debug;
    expect(d.writeRegister(n.get('VBAR_EL2')!, u64(0x12345fffn))).toBe(true);
    expect(asBig(d.readRegister(n.get('VBAR_EL2')!))).toBe(0x12345800n); // bits [10:0] RES0
    expect(d.writeRegister(n.get('TTBR1_EL1')!, u64(0x0001000000180000n))).toBe(true);
    expect(asBig(d.readRegister(n.get('TTBR1_EL1')!))).toBe(0x0001000000180000n);
    expect(d.writeRegister(n.get('SP_EL0')!, u64(0x4000n))).toBe(true);
    expect(d.writeRegister(n.get('SP_EL1')!, u64(0x5000n))).toBe(true);
    expect(m.x(31)).toBe(0x5000n); // EL1h: SP_EL1 is the live stack pointer
    expect(asBig(d.readRegister(n.get('SP_EL0')!))).toBe(0x4000n);
    expect(d.writeRegister(n.get('MIDR_EL1')!, u64(0n))).toBe(false);
    expect(d.writeRegister(n.get('CurrentEL')!, u64(0n))).toBe(false);
    // SCTLR_EL1.M through the debugger turns the EL1&0 MMU on for the EL the core is at.
    expect(m.cpu.mmuOff).toBe(true);
    expect(d.writeRegister(n.get('SCTLR_EL1')!, u64(0x00c50839n))).toBe(true);
    expect([m.cpu.mmuOff, m.cpu.el, m.cpu.mmu.regime]).toEqual([false, 1, 1]);
    expect(m.cpu.lastException).toBeNull();
  });
});

describe('aarch64 CpuDebug translation', () => {
  it('MMU off: identity; beyond the 40-bit PA: -1', () => {
    const m = makeMachine();
    expect(m.cpu.debug.translate(0x80123n, false)).toBe(0x80123);
    expect(m.cpu.debug.translate(1n << 40n, false)).toBe(-1);
    expect(m.cpu.debug.describeTranslation(0x80123n)).toEqual(['EL3: EL3 stage 1 off, VA = PA', '-> pa 0x80123']);
  });

  it('walks TTBR0 and TTBR1 of EL1&0 without filling the TLB or faulting; info mmu shows each level', () => {
    const m = makeMachine();
    const pt = new PageTables(m, 12, 39);
    pt.map(BigInt(CODE), BigInt(CODE), AF);
    pt.map(BigInt(VECTORS), BigInt(VECTORS), AF);
    pt.map(0x12345000n, BigInt(DATA), AF | T.AP_RO_EL1);
    const hi = new PageTables(m, 12, 39, 0x1c0000);
    hi.map(0xffffff8000200000n, 0x40000000n, AF, 2); // a 2 MiB block
    T.enableEl1(m, T.TG0_4K | T.T0SZ(25) | T.TG1_4K | T.T1SZ(25) | T.IPS(2), BigInt(pt.root), BigInt(hi.root));
    const d = m.cpu.debug;
    const walks = m.cpu.tlb.walks;
    expect(d.translate(0x12345678n, false)).toBe(DATA + 0x678);
    expect(d.translate(0x12345678n, true)).toBe(DATA + 0x678); // a debugger may write read-only pages
    expect(d.translate(0xffffff8000212345n, false)).toBe(0x40012345);
    expect(d.translate(0x22345000n, false)).toBe(-1);
    expect(m.cpu.tlb.walks).toBe(walks);
    expect(m.cpu.lastException).toBeNull();
    expect(m.traps).toEqual([]);
    const lines = d.describeTranslation(0x12345678n);
    expect(lines[0]).toMatch(/^EL1: EL1&0 stage 1, TTBR0_EL1 = 0x180000, TCR_EL1 = 0x280190019$/);
    expect(lines.slice(1, -1).map((l) => l.replace(/ = .*? ->/, ' ->'))).toEqual([expect.stringMatching(/^L1 0x180000\[0x0\] -> table$/), expect.stringMatching(/^L2 0x[0-9a-f]+\[0x91\] -> table$/), expect.stringMatching(/^L3 0x[0-9a-f]+\[0x145\] -> page$/)]);
    expect(lines.at(-1)).toBe(`-> pa 0x${(DATA + 0x678).toString(16)}`);
    const block = d.describeTranslation(0xffffff8000212345n);
    expect(block[0]).toContain('TTBR1_EL1 = 0x1c0000');
    expect(block.at(-2)).toMatch(/^L2 0x[0-9a-f]+\[0x1\] = 0x40000401 -> block$/);
    expect(block.at(-1)).toBe('-> pa 0x40012345');
    const miss = d.describeTranslation(0x22345000n);
    expect(miss.at(-1)).toBe('-> fault: translation fault at level 2 (FSC 0x6)');
  });
});
