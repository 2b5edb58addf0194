import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ArchType, PluginApi } from '../../../src/core/api.js';
import { register } from '../../../plugins/arch-rv32/src/index.js';
import { createPropKit } from '../../../src/core/props.js';

describe('@rvos/arch-rv32 plugin', () => {
  it('has a manifest declaring an arch plugin that provides rv32', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../plugins/arch-rv32/package.json', import.meta.url), 'utf8'));
    expect(pkg.name).toBe('@rvos/arch-rv32');
    expect(pkg.type).toBe('module');
    expect(pkg.rvos).toEqual({ apiVersion: 1, kind: 'arch', entry: 'src/index.ts', provides: ['rv32', 'riscv-virt-rom'] });
  });

  it('registers the rv32 architecture with ELF machine 243, class 1, and the virt boot protocol', () => {
    const archs: ArchType[] = [];
    const boots: string[] = [];
    const api: PluginApi = {
      apiVersion: 1,
      prop: createPropKit(),
      defineArch: (a) => archs.push(a),
      defineDevice: () => {},
      defineBackend: () => {},
      defineBoot: (b) => boots.push(`${b.name} ${b.archs?.join(',')}`),
    };
    register(api);
    expect(archs).toHaveLength(1);
    expect(archs[0]).toMatchObject({ type: 'rv32', elfMachine: 243, elfClass: 1 });
    expect(boots).toEqual(['riscv-virt-rom rv32']);
  });

  it('does not import core modules at run time', () => {
    const dir = new URL('../../../plugins/arch-rv32/src/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      for (const m of src.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)) expect(m[1], `${file}: ${m[0]}`).not.toMatch(/src\/core/);
    }
  });

  it('inspect lists pc, ABI-named registers and the key CSRs; privilegeName is M/S/U', async () => {
    const { makeMachine } = await import('./machine.js');
    const m = makeMachine();
    m.cpu.setReg(2, 0x1234);
    const regs = m.cpu.inspect();
    const names = regs.map((r) => r.name);
    expect(names.slice(0, 4)).toEqual(['pc', 'zero', 'ra', 'sp']);
    expect(names).toContain('t6');
    for (const csr of ['priv', 'mstatus', 'mie', 'mip', 'mcause', 'mepc', 'mtval', 'mtvec', 'satp', 'sstatus', 'scause', 'sepc', 'stval', 'stvec']) expect(names).toContain(csr);
    expect(regs.find((r) => r.name === 'sp')!.value).toBe(0x1234);
    expect(m.cpu.privilegeName()).toBe('M');
    m.cpu.setPrivilege(1);
    expect(m.cpu.privilegeName()).toBe('S');
    m.cpu.setPrivilege(0);
    expect(m.cpu.privilegeName()).toBe('U');
  });
});
