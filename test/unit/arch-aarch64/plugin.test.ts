import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArchType, BootContext, PluginApi } from '../../../src/core/api.js';
import { loadImage, openBootFile } from '../../../src/core/builder.js';
import { FdtNode } from '../../../src/core/fdt.js';
import { createPropKit } from '../../../src/core/props.js';
import { aarch64, register } from '../../../plugins/arch-aarch64/src/index.js';
import * as A from '../../helpers/a64asm.js';
import { makeElf } from '../../helpers/elf.js';
import { makeMachine } from './machine.js';

describe('@rvos/arch-aarch64 plugin', () => {
  it('has a manifest declaring an arch plugin that provides aarch64 and the raspi boot protocol', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../plugins/arch-aarch64/package.json', import.meta.url), 'utf8'));
    expect(pkg.name).toBe('@rvos/arch-aarch64');
    expect(pkg.type).toBe('module');
    expect(pkg.rvos).toEqual({ apiVersion: 1, kind: 'arch', entry: 'src/index.ts', provides: ['aarch64', 'raspi'] });
  });

  it('registers the aarch64 architecture with ELF machine 183, class 2', () => {
    const archs: ArchType[] = [];
    const api: PluginApi = { apiVersion: 1, prop: createPropKit(), defineArch: (a) => archs.push(a), defineDevice: () => {}, defineBackend: () => {}, defineBoot: () => {} };
    register(api);
    expect(archs).toHaveLength(1);
    expect(archs[0]).toMatchObject({ type: 'aarch64', elfMachine: 183, elfClass: 2 });
  });

  it('does not import core modules at run time', () => {
    const dir = new URL('../../../plugins/arch-aarch64/src/', import.meta.url);
    for (const file of ['index.ts', 'cpu.ts', 'execute.ts', 'decode.ts', 'dataproc.ts', 'alu.ts', 'u64.ts', 'memory.ts', 'system.ts', 'semihosting.ts', 'sysregs.ts', 'exceptions.ts', 'boot.ts', 'device-tree.ts']) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      for (const m of src.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)) expect(m[1], `${file}: ${m[0]}`).not.toMatch(/src\/core/);
    }
  });

  it('the hot path uses no BigInt', () => {
    const dir = new URL('../../../plugins/arch-aarch64/src/', import.meta.url);
    for (const file of ['execute.ts', 'decode.ts', 'dataproc.ts', 'alu.ts', 'u64.ts', 'memory.ts', 'system.ts']) {
      const code = readFileSync(new URL(file, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/BigInt|\b\d+n\b/);
    }
  });

  it('inspect lists the 64-bit pc, X0-X30, SP, PSTATE fields and the banked SPs; privilegeName is ELn', () => {
    const m = makeMachine();
    m.set(5, 0x123456789abcdef0n);
    m.cpu.setPc64(0x80000, 0xffff0000);
    const regs = m.cpu.inspect();
    expect(regs.map((r) => r.name).slice(0, 3)).toEqual(['pc', 'x0', 'x1']);
    expect(regs.find((r) => r.name === 'pc')).toEqual({ name: 'pc', value: 0x80000, hi: 0xffff0000, width: 64 });
    expect(regs.find((r) => r.name === 'x5')).toEqual({ name: 'x5', value: 0x9abcdef0, hi: 0x12345678, width: 64 });
    for (const name of ['sp', 'nzcv', 'daif', 'CurrentEL', 'SPSel', 'SP_EL0', 'SP_EL3']) expect(regs.map((r) => r.name)).toContain(name);
    expect(m.cpu.pc).toBe(Number(BigInt.asIntN(64, 0xffff000000080000n))); // the signed edge number
    expect(m.cpu.privilegeName()).toBe('EL3');
    m.cpu.setEl(1);
    expect(m.cpu.privilegeName()).toBe('EL1');
  });

  it('the pc setter takes numbers beyond 32 bits; getReg/setReg see the low word, 31 is SP', () => {
    const m = makeMachine();
    m.cpu.pc = 0x1_0000_0004;
    expect([m.cpu.pcLo, m.cpu.pcHi]).toEqual([4, 1]);
    m.cpu.setReg(31, 0x8000);
    expect(m.cpu.getReg(31)).toBe(0x8000);
    m.cpu.setReg(3, 0xffffffff);
    expect(m.x(3)).toBe(0xffffffffn);
  });

  it('semihosting is on when the machine has a semihosting host (--semihosting)', () => {
    expect(makeMachine().cpu.semihosting).toBe(false);
    expect(makeMachine({}, { write: () => {}, exit: () => {} }).cpu.semihosting).toBe(true);
  });

  it('the pc is an edge number: signed 64-bit, exact for high-half addresses', () => {
    const m = makeMachine();
    m.cpu.setPc64(0x81234, 0xffff0000 | 0);
    expect(m.cpu.pc).toBe(Number(BigInt.asIntN(64, 0xffff000000081234n)));
    m.cpu.pc = Number(BigInt.asIntN(64, 0xffff000000080000n));
    expect([m.cpu.pcLo >>> 0, m.cpu.pcHi >>> 0]).toEqual([0x80000, 0xffff0000]);
  });

  function bootWith(file: Uint8Array, cpus = 2, initrd?: string) {
    const dir = mkdtempSync(join(tmpdir(), 'a64-boot-'));
    const path = join(dir, 'kernel.img');
    writeFileSync(path, file);
    const machines = Array.from({ length: cpus }, () => makeMachine());
    const bus = machines[0].bus;
    const cpuList = machines.map((m) => m.cpu);
    const ctx: BootContext = {
      cpus: cpuList,
      bus,
      dtb: new Uint8Array(0),
      loadImage: (p, raw) => loadImage(bus, p, raw, 183, 2, 'aarch64'),
      addRom: () => {},
      kernel: path,
      initrd,
      bootRamSize: bus.ram.size,
      props: {},
      readFile: (p) => new Uint8Array(readFileSync(p)),
      openFile: (p) => openBootFile(bus, p, []),
      badInput: (message) => {
        throw new Error(message);
      },
      editDtb: () => {
        throw new Error('editDtb: not in this test');
      },
    };
    const result = aarch64.boot(ctx);
    return { result, machines };
  }

  it('boot: --initrd is bad input (the arch\'s own boot cannot pass one), not ignored', () => {
    expect(() => bootWith(new Uint8Array(8), 1, '/tmp/rootfs.cpio')).toThrow(/^--initrd \/tmp\/rootfs\.cpio: this board's boot \(aarch64 without a boot protocol\) cannot pass an initrd/);
  });

  it('boot: a raw image goes to 0x80000 and starts there at EL2; other cores are held', () => {
    const { machines } = bootWith(new Uint8Array(new Uint32Array([A.movz(0, 42), A.mrs(1, A.CURRENTEL)]).buffer));
    const [m0, m1] = machines;
    expect(m0.cpu.pc).toBe(0x80000);
    expect(m0.cpu.privilegeName()).toBe('EL2');
    expect(m1.cpu.stopped).toBe(true);
    m0.run(2);
    expect(m0.x(0)).toBe(42n);
    expect(m0.x(1)).toBe(8n);
  });

  it('boot: an ELF loads at its addresses and starts at its entry at EL3', () => {
    const code = new Uint8Array(new Uint32Array([A.nop(), A.movz(0, 7)]).buffer);
    const elf = makeElf({ elfClass: 2, machine: 183, entry: 0x90004, segments: [{ paddr: 0x90000, data: code }] });
    const { result, machines } = bootWith(elf, 1);
    expect(result.images[0].entry).toBe(0x90004);
    expect(machines[0].cpu.pc).toBe(0x90004);
    expect(machines[0].cpu.privilegeName()).toBe('EL3');
    machines[0].run(1);
    expect(machines[0].x(0)).toBe(7n);
  });

  it('deviceTreeCpus writes Cortex-A53 cpu nodes with spin-table release addresses', () => {
    const root = new FdtNode('');
    let ph = 1;
    const cpus = [{ id: 0 }, { id: 1 }] as unknown as Parameters<ArchType['deviceTreeCpus']>[1];
    const phandles = aarch64.deviceTreeCpus(root, cpus, {}, () => ph++);
    expect(phandles).toEqual([1, 2]);
    const cpu1 = root.child('cpus').child('cpu@1');
    expect(cpu1.cells('reg')).toEqual([1]);
    expect(cpu1.cells('cpu-release-addr')).toEqual([0, 0xe0]);
  });
});
