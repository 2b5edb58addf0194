import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rv32 } from '../../../plugins/arch-rv32/src/index.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { debugCsrs, FIRST_CSR_REGNUM, privRegnum, csrName } from '../../../plugins/arch-rv32/src/target-xml.js';

const GDB = 'gdb-multiarch';
const hasGdb = spawnSync(GDB, ['--version']).status === 0;

/** Register names of the description in document order (the register numbering). */
function registerNames(xml: Record<string, string>): string[] {
  const names: string[] = [];
  for (const m of xml['target.xml'].matchAll(/<xi:include href="([^"]+)"\/>/g)) {
    for (const r of xml[m[1]].matchAll(/<reg name="([^"]+)"/g)) names.push(r[1]);
  }
  return names;
}

describe('rv32 GDB target description', () => {
  const debug = rv32.debug!;

  it('uses the standard RISC-V features and includes only documents it provides', () => {
    const target = debug.targetXml['target.xml'];
    expect(target).toContain('<architecture>riscv:rv32</architecture>');
    expect(target).toContain('<osabi>none</osabi>');
    const includes = [...target.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(includes).toHaveLength(3);
    for (const name of includes) expect(debug.targetXml[name]).toBeDefined();
    expect(debug.targetXml[includes[0]]).toContain('name="org.gnu.gdb.riscv.cpu"');
    expect(debug.targetXml[includes[1]]).toContain('name="org.gnu.gdb.riscv.csr"');
    expect(debug.targetXml[includes[2]]).toContain('name="org.gnu.gdb.riscv.virtual"');
    expect(Object.values(debug.targetXml).join('')).not.toContain('org.gnu.gdb.riscv.fpu');
    expect(debug.breakpointKinds).toEqual([2, 4]);
  });

  it('makes the documents on first use only (a run without a debugger never asks), once', () => {
    expect(Object.getOwnPropertyDescriptor(debug, 'targetXml')?.get).toBeTypeOf('function');
    expect(debug.targetXml).toBe(debug.targetXml);
    expect(debugCsrs()).toBe(debugCsrs());
  });

  it('numbers x0-x31 and pc first (the g packet), then the CSRs, then priv', () => {
    const names = registerNames(debug.targetXml as Record<string, string>);
    expect(debug.gRegisters).toBe(33);
    expect(names.slice(0, 9)).toEqual(['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp']);
    expect(names[31]).toBe('t6');
    expect(names[32]).toBe('pc');
    expect(names[FIRST_CSR_REGNUM + debugCsrs().indexOf(CSR.mstatus)]).toBe('mstatus');
    expect(names[FIRST_CSR_REGNUM + debugCsrs().indexOf(CSR.satp)]).toBe('satp');
    expect(names[privRegnum()]).toBe('priv');
    expect(names).toHaveLength(privRegnum() + 1);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists the CSRs the hart implements under their GDB names', () => {
    expect(debugCsrs()).toContain(CSR.sepc);
    expect(debugCsrs()).toContain(CSR.mhartid);
    expect(debugCsrs()).not.toContain(0xb01); // there is no mtime CSR
    expect(debugCsrs()).not.toContain(0x7b0); // no Debug Mode (dcsr)
    expect(csrName(0xc00)).toBe('cycle');
    expect(csrName(0xc81)).toBe('timeh');
    expect(csrName(0xb82)).toBe('minstreth');
    expect(csrName(0xb83)).toBe('mhpmcounter3h');
    expect(csrName(0xc12)).toBe('hpmcounter18');
    expect(csrName(0x323)).toBe('mhpmevent3');
    expect(csrName(0x3a3)).toBe('pmpcfg3');
    expect(csrName(0x3bf)).toBe('pmpaddr15');
    expect(csrName(CSR.sstatus)).toBe('sstatus');
  });

  it.skipIf(!hasGdb)("is accepted by Debian's gdb-multiarch, which finds pc, sp and every CSR by name", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-rv32-tdesc-'));
    try {
      for (const [name, text] of Object.entries(debug.targetXml)) writeFileSync(join(dir, name), text);
      const r = spawnSync(GDB, ['-nx', '-batch', '-ex', `set tdesc filename ${join(dir, 'target.xml')}`, '-ex', 'show architecture', '-ex', 'show osabi', '-ex', 'maint print remote-registers'], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('riscv:rv32');
      // Bare metal, so that stepi is a real step (GNU/Linux would make it a software step).
      expect(r.stdout).toContain('(currently "none")');
      const rows = new Map<string, { nr: number; remote: number; type: string }>();
      for (const line of r.stdout.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length >= 8 && /^\d+$/.test(f[1]) && /^\d+$/.test(f[6])) rows.set(f[0], { nr: Number(f[1]), remote: Number(f[6]), type: f[5] });
      }
      const names = registerNames(debug.targetXml as Record<string, string>);
      names.forEach((name, regnum) => expect(rows.get(name)?.remote, name).toBe(regnum));
      // GDB's own numbers: pc = 32, and the CSRs it recognises at 65 + CSR number (RISCV_FIRST_CSR_REGNUM).
      expect(rows.get('pc')!.nr).toBe(32);
      expect(rows.get('sp')!.type).toBe('*1'); // a data pointer, as GDB's own 32bit-cpu.xml
      for (const csr of debugCsrs()) expect(rows.get(csrName(csr))?.nr, csrName(csr)).toBe(65 + csr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
