import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CS, DS, EAX, ECX, FS } from '../../../plugins/arch-i386/src/cpu.js';
import { CORE_REGISTERS, I386_TARGET_XML, SYSTEM_REGISTERS } from '../../../plugins/arch-i386/src/gdb-target.js';
import { i386 } from '../../../plugins/arch-i386/src/index.js';
import { KCODE, KDATA, protectedMachine } from './machine.js';
import { A, D, enterPaging, mapPage, P, pagedMachine, PD, PS, pte, RW, US } from './paging-machine.js';

const u32 = (v: number): Uint8Array => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
const le32 = (b: Uint8Array | undefined): number => new DataView(b!.buffer, b!.byteOffset).getUint32(0, true);
const regnum = (name: string): number => CORE_REGISTERS + SYSTEM_REGISTERS.indexOf(name as (typeof SYSTEM_REGISTERS)[number]);

function hasGdb(): boolean {
  try { execFileSync('gdb-multiarch', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

describe('i386 GDB target description', () => {
  it('is the arch type\'s debug description: GDB\'s i386 core feature (32 registers in g) and the system feature', () => {
    expect(i386.debug?.gRegisters).toBe(32);
    expect(i386.debug?.breakpointKinds).toEqual([1]);
    const xml = i386.debug!.targetXml;
    expect(xml['target.xml']).toContain('<architecture>i386</architecture>');
    for (const m of xml['target.xml'].matchAll(/href="([^"]+)"/g)) expect(xml[m[1]]).toBeDefined();
    expect(xml['i386-core.xml']).toContain('<feature name="org.gnu.gdb.i386.core">');
    expect((xml['i386-core.xml'].match(/<reg /g) ?? []).length).toBe(32);
    expect(xml['rvos-i386-sys.xml']).toContain('name="cr3"');
  });

  it.skipIf(!hasGdb())('gdb-multiarch accepts it: i386, remote register numbers in document order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-i386-tdesc-'));
    for (const [name, text] of Object.entries(I386_TARGET_XML)) writeFileSync(join(dir, name), text);
    const out = execFileSync('gdb-multiarch', ['-batch', '-nx', '-ex', `set tdesc filename ${join(dir, 'target.xml')}`,
      '-ex', 'show architecture', '-ex', 'maint print remote-registers'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('(currently "i386")');
    const remote = new Map<string, number>();
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 8 && /^\d+$/.test(f[6])) remote.set(f[0], Number(f[6]));
    }
    expect(remote.get('eip')).toBe(8);
    expect(remote.get('st0')).toBe(16);
    expect(remote.get('fop')).toBe(31);
    expect(remote.get('cs_base')).toBe(32);
    expect(remote.get('cr3')).toBe(regnum('cr3'));
    expect(remote.get('ldtr_limit')).toBe(CORE_REGISTERS + SYSTEM_REGISTERS.length - 1);
  });
});

describe('i386 CpuDebug registers (GDB numbering)', () => {
  it('reads and writes the general registers, eip, eflags; pc is linear (CS.base + EIP)', () => {
    const m = protectedMachine([]);
    const d = m.cpu.debug;
    m.cpu.regs[ECX] = 0x12345678;
    expect(le32(d.readRegister(1))).toBe(0x12345678);
    expect(d.writeRegister(EAX, u32(0xdeadbeef))).toBe(true);
    expect(m.cpu.getReg(EAX)).toBe(0xdeadbeef);
    expect(d.writeRegister(8, u32(0x10020))).toBe(true);
    expect(m.cpu.eip).toBe(0x10020);
    expect(d.pc).toBe(0x10020n);
    m.cpu.segBase[CS] = 0x1000;
    expect(d.pc).toBe(0x11020n);
    expect(d.writeRegister(9, u32(0x246))).toBe(true);
    expect(le32(d.readRegister(9))).toBe(0x246);
    expect(le32(d.readRegister(10))).toBe(KCODE); // cs
    expect(le32(d.readRegister(12))).toBe(KDATA); // ds
    expect(d.readRegister(-1)).toBeUndefined();
    expect(d.readRegister(CORE_REGISTERS + SYSTEM_REGISTERS.length)).toBeUndefined();
    expect(d.writeRegister(0, new Uint8Array(2))).toBe(false);
  });

  it('segment selectors: a protected-mode write loads the descriptor without side effects; an absent one is refused', () => {
    const m = protectedMachine([]);
    const d = m.cpu.debug;
    const gdtBefore = m.ram.u8.slice(0x500, 0x560);
    expect(d.writeRegister(14, u32(0x50))).toBe(true); // fs = KDATA_LOW: base 0x4000, limit 0xfff
    expect([m.cpu.sel[FS], m.cpu.segBase[FS], m.cpu.segLimit[FS]]).toEqual([0x50, 0x4000, 0xfff]);
    expect(le32(d.readRegister(regnum('fs_base')))).toBe(0x4000);
    expect(le32(d.readRegister(regnum('fs_limit')))).toBe(0xfff);
    expect(m.ram.u8.slice(0x500, 0x560)).toEqual(gdtBefore); // no accessed bit
    expect(d.writeRegister(12, u32(0x40))).toBe(false); // ABSENT_DATA
    expect(d.writeRegister(12, u32(0x1000))).toBe(false); // past the GDT limit
    expect(m.cpu.sel[DS]).toBe(KDATA);
  });

  it('system registers: control registers, descriptor tables, task and LDT registers', () => {
    const m = protectedMachine([]);
    const d = m.cpu.debug;
    expect(le32(d.readRegister(regnum('cr0'))) & 1).toBe(1);
    expect(le32(d.readRegister(regnum('gdtr_base')))).toBe(0x500);
    expect(le32(d.readRegister(regnum('gdtr_limit')))).toBe(0x57);
    expect(le32(d.readRegister(regnum('idtr_base')))).toBe(0x1000);
    expect(le32(d.readRegister(regnum('tr')))).toBe(0x28);
    expect(le32(d.readRegister(regnum('tr_base')))).toBe(0x3000);
    expect(d.writeRegister(regnum('cr2'), u32(0xc0001234))).toBe(true);
    expect(m.cpu.cr2).toBe(0xc0001234);
    expect(d.writeRegister(regnum('cs_base'), u32(0x2000))).toBe(true);
    expect(m.cpu.segBase[CS]).toBe(0x2000);
    expect(d.writeRegister(regnum('tr'), u32(0x30))).toBe(false);
  });

  it('x87: st0-st7 as 80-bit extended (stack order), fctrl/fstat/ftag', () => {
    const m = protectedMachine([]);
    const d = m.cpu.debug, fpu = m.cpu.fpu;
    fpu.push(1.5); fpu.push(-2);
    // -2 = sign 1, exponent 0x4000, mantissa 0x8000000000000000
    expect(Array.from(d.readRegister(16)!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0xc0]);
    expect(Array.from(d.readRegister(17)!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x3f]);
    expect(le32(d.readRegister(24))).toBe(0x37f);
    expect((le32(d.readRegister(25)) >> 11) & 7).toBe(6);
    expect(le32(d.readRegister(26))).toBe(0x0fff); // R6, R7 valid, the rest empty
    expect(d.writeRegister(17, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0x40]))).toBe(true); // 4
    expect(fpu.st(1)).toBe(4);
    expect(d.writeRegister(24, u32(0x27f))).toBe(true);
    expect(fpu.cw).toBe(0x27f);
    expect(le32(d.readRegister(28))).toBe(0); // fioff: not tracked
  });
});

describe('i386 CpuDebug translation (side-effect free)', () => {
  it('paging off: identity; 32-bit paging: PDE/PTE lines, no A/D bits, no TLB fill, no fault', () => {
    const m = pagedMachine();
    const d = m.cpu.debug;
    expect(d.translate(0x123456n, false)).toBe(0x123456);
    expect(d.describeTranslation(0x1000n)).toEqual(['paging off: linear 0x00001000', '-> pa 0x00001000']);
    enterPaging(m);
    mapPage(m, 0x5000, 0x300000 | P); // read-only, supervisor, A/D clear
    const walks = m.cpu.mmu.walks, exceptions = m.cpu.lastException;
    expect(d.translate(0x5123n, true)).toBe(0x300123);
    expect(pte(m, 0x5000) & (A | D)).toBe(0);
    expect(m.cpu.mmu.walks).toBe(walks);
    expect(d.translate(0x400000n, false)).toBe(-1); // PT1 empty
    expect(d.translate(0x1_0000_0000n, false)).toBe(-1);
    expect(m.cpu.lastException).toBe(exceptions);
    expect(d.describeTranslation(0x5123n)).toEqual([
      '32-bit paging, cr3 0x00010000, linear 0x00005123',
      `PDE 0x00010000[0x000] = ${'0x' + (m.view.getUint32(PD, true) >>> 0).toString(16).padStart(8, '0')} -> table`,
      'PTE 0x00011000[0x005] = 0x00300001 -> page',
      '-> pa 0x00300123 (read-only, supervisor)',
    ]);
    expect(d.describeTranslation(0x400000n).at(-1)).toBe('-> not mapped');
  });

  it('PSE 4 MiB pages and PAE (PDPTE, 2 MiB pages, 4 KiB pages, reserved bits)', () => {
    const m = pagedMachine();
    m.view.setUint32(PD + 8, 0x400000 | PS | P | RW | US, true); // 8-12 MiB -> 4 MiB
    enterPaging(m, { cr4: 0x10 });
    const d = m.cpu.debug;
    expect(d.translate(0x812345n, false)).toBe(0x412345);
    expect(d.describeTranslation(0x812345n)[1]).toMatch(/^PDE 0x00010000\[0x002\] = 0x00400087 -> 4 MiB page$/);

    const p = pagedMachine(), v = p.view;
    const PDPT = 0x13000, PAE_PD = 0x14000, PAE_PT0 = 0x15000;
    v.setUint32(PDPT, PAE_PD | P, true);
    v.setUint32(PAE_PD, PAE_PT0 | P | RW | US, true);
    v.setUint32(PAE_PD + 8, 0x400000 | PS | P | RW, true);
    for (let i = 0; i < 512; i++) v.setUint32(PAE_PT0 + i * 8, (i << 12) | P | RW | US, true);
    v.setUint32(PAE_PT0 + 5 * 8, 0x305000 | P, true);
    v.setUint32(PAE_PT0 + 6 * 8, 0x306000 | P, true);
    v.setUint32(PAE_PT0 + 6 * 8 + 4, 0x80000000, true); // XD without EFER.NXE: reserved
    enterPaging(p, { cr4: 0x20, cr3: PDPT });
    const pd = p.cpu.debug;
    expect(pd.translate(0x5010n, false)).toBe(0x305010);
    expect(pd.translate(0x2abcd0n, false)).toBe(0x4abcd0);
    expect(pd.translate(0x6000n, false)).toBe(-1);
    expect(pd.translate(0x40000000n, false)).toBe(-1);
    const lines = pd.describeTranslation(0x5010n);
    expect(lines[1]).toBe('PDPTE 0x00013000[0] = 0x00000000_00014001 -> directory');
    expect(lines.at(-1)).toBe('-> pa 0x00305010 (read-only, supervisor)');
    expect(pd.describeTranslation(0x6000n).at(-1)).toBe('-> reserved bit set');
  });
});
