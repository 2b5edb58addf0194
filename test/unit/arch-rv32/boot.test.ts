import { describe, expect, it } from 'vitest';
import type { BootContext, ElfInfo } from '../../../src/core/api.js';
import { FdtNode } from '../../../src/core/fdt.js';
import { openBootFile } from '../../../src/core/builder.js';
import { boot, fdtAddress, kernelStartAddress, resetRom } from '../../../plugins/arch-rv32/src/boot.js';
import { cpuInterruptCells, deviceTreeCpus } from '../../../plugins/arch-rv32/src/device-tree.js';
import { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { makeMachine, RAM_BASE, type TestMachine } from './machine.js';
import { jitKit } from '../../../src/core/jit/index.js';

const MiB = 1 << 20;
/** Room for the fake images below (firmware, a kernel 4 MiB above it) under the device tree near the top. */
const BOOT_RAM = 8 * MiB;
const bootMachine = () => makeMachine({}, undefined, BOOT_RAM);

/** A BootContext over a test machine; images are "loaded" by a fake that records the calls. */
function bootContext(m: TestMachine, opts: { firmware?: string; kernel?: string; kernelAddress?: number; elf?: Record<string, ElfInfo> }) {
  const loads: Array<{ path: string; raw: number }> = [];
  const dtb = new Uint8Array(0x123).fill(0xd0);
  const ctx: BootContext = {
    cpus: [m.cpu],
    bus: m.bus,
    dtb,
    firmware: opts.firmware,
    kernel: opts.kernel,
    kernelAddress: opts.kernelAddress,
    bootRamSize: m.bus.ram.size,
    props: {},
    readFile: () => new Uint8Array(0),
    openFile: (path) => openBootFile(m.bus, path, []),
    badInput: (message) => {
      throw new Error(message);
    },
    editDtb: () => {
      throw new Error('editDtb: not in this test');
    },
    loadImage(path, raw) {
      loads.push({ path, raw });
      const elf = opts.elf?.[path];
      if (elf) return elf;
      const size = path.startsWith('fw') ? 0x3_0000 : 0x1000;
      return { entry: raw, low: raw, high: raw + size, symbols: new Map(), path, elf: false };
    },
    addRom(name, base, bytes) {
      m.bus.map({ name, base, size: bytes.length, bytes: bytes.slice(), readOnly: true, index: 0 });
    },
  };
  return { ctx, loads, dtb };
}

function romWords(m: TestMachine, count = 16): number[] {
  return Array.from({ length: count }, (_, i) => m.bus.read(0x1000 + i * 4, 4) >>> 0);
}

describe('rv32 boot (QEMU 7.2 virt protocol)', () => {
  it('computes the DTB address like riscv_load_fdt', () => {
    expect(fdtAddress(0x80000000, 128 * MiB, 0x1000)).toBe(0x87e00000);
    expect(fdtAddress(0x80000000, 128 * MiB, 3 * MiB)).toBe(0x87c00000); // 0x87d00000 aligned down
    // RAM reaching past 3 GiB: stay below 3 GiB so that RV32 can address the DTB
    expect(fdtAddress(0x80000000, 2048 * MiB, 0x2000)).toBe(0xbfe00000);
    // RAM entirely above 3 GiB
    expect(fdtAddress(0xc0000000, 256 * MiB, 0x2000)).toBe(0xcfe00000);
  });

  it('puts a raw kernel at the first 4 MiB boundary after the firmware', () => {
    expect(kernelStartAddress(0x80030000)).toBe(0x80400000);
    expect(kernelStartAddress(0x80400000)).toBe(0x80400000);
    expect(kernelStartAddress(0x80400001)).toBe(0x80800000);
  });

  it('reset ROM holds QEMU’s instruction sequence, the start/fdt dwords and fw_dynamic_info', () => {
    const rom = resetRom(0x80000000, 0x87e00000, 0x80400000);
    const v = new DataView(rom.buffer);
    const words = Array.from({ length: 16 }, (_, i) => v.getUint32(i * 4, true));
    expect(words).toEqual([
      0x00000297, // auipc t0, 0
      0x02828613, // addi a2, t0, 40
      0xf1402573, // csrr a0, mhartid
      0x0202a583, // lw a1, 32(t0)
      0x0182a283, // lw t0, 24(t0)
      0x00028067, // jr t0
      0x80000000, 0, // start
      0x87e00000, 0, // fdt
      0x4942534f, 2, 0x80400000, 1, 0, 0, // magic, version, next_addr, next_mode = S, options, boot_hart
    ]);
  });

  it('firmware + kernel: ROM starts the firmware, fw_dynamic points at the kernel, DTB in RAM', () => {
    const m = bootMachine();
    const { ctx, loads, dtb } = bootContext(m, { firmware: 'fw.bin', kernel: 'kernel.bin' });
    m.cpu.pc = 0;
    const result = boot(ctx);
    expect(loads).toEqual([
      { path: 'fw.bin', raw: RAM_BASE },
      { path: 'kernel.bin', raw: RAM_BASE + 4 * MiB },
    ]);
    expect(result.images.map((i) => i.path)).toEqual(['fw.bin', 'kernel.bin']);
    expect(result.dtbAddress).toBe(fdtAddress(RAM_BASE, BOOT_RAM, dtb.length));
    expect(m.bus.ram.u8.subarray(result.dtbAddress - RAM_BASE, result.dtbAddress - RAM_BASE + dtb.length)).toEqual(dtb);
    const w = romWords(m);
    expect(w.slice(6, 10)).toEqual([RAM_BASE, 0, result.dtbAddress, 0]);
    expect(w.slice(10)).toEqual([0x4942534f, 2, RAM_BASE + 4 * MiB, 1, 0, 0]);
    expect(m.cpu.pc).toBe(0x1000);
  });

  it('the board kernel address overrides the computed one; ELF images keep their own addresses; next_addr is the ELF\'s low address (QEMU 7.2)', () => {
    const m = bootMachine();
    const elf: ElfInfo = { entry: 0x80201234, low: 0x80200000, high: 0x80300000, symbols: new Map(), path: 'k.elf', elf: true };
    const { ctx, loads } = bootContext(m, { firmware: 'fw.bin', kernel: 'k.elf', kernelAddress: 0x80200000, elf: { 'k.elf': elf } });
    boot(ctx);
    expect(loads[1]).toEqual({ path: 'k.elf', raw: 0x80200000 });
    expect(romWords(m)[12]).toBe(0x80200000); // not the entry 0x80201234: riscv_load_kernel returns the load base
  });

  it('firmware without a kernel: next_addr is 0', () => {
    const m = bootMachine();
    const { ctx } = bootContext(m, { firmware: 'fw.bin' });
    boot(ctx);
    expect(romWords(m)[12]).toBe(0);
  });

  it('--bios none: the kernel is loaded at RAM base and the ROM jumps to RAM base in M-mode (not the ELF entry, as QEMU 7.2)', () => {
    const m = bootMachine();
    const elf: ElfInfo = { entry: 0x80000100, low: 0x80000000, high: 0x80001000, symbols: new Map(), path: 'k.elf', elf: true };
    const { ctx, loads } = bootContext(m, { kernel: 'k.elf', elf: { 'k.elf': elf } });
    const result = boot(ctx);
    expect(loads).toEqual([{ path: 'k.elf', raw: RAM_BASE }]);
    // Execute the ROM: six instructions leave the hart at the start of RAM with a0/a1/a2 set.
    m.cpu.run(6);
    expect(m.cpu.pc).toBe(RAM_BASE);
    expect(m.cpu.priv).toBe(3);
    expect(m.cpu.getReg(10)).toBe(0); // a0 = mhartid
    expect(m.cpu.getReg(11) >>> 0).toBe(result.dtbAddress); // a1 = DTB
    expect(m.cpu.getReg(12)).toBe(0x1028); // a2 = &fw_dynamic_info
  });

  it('every hart starts at the reset ROM and reads its own hart id', () => {
    const m = bootMachine();
    const cpu1 = new Rv32Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: m.clock, events: m.events, machine: { powerOff() {}, reset() {} }, props: {} });
    const { ctx } = bootContext(m, { kernel: 'kernel.bin' });
    (ctx as { cpus: unknown }).cpus = [m.cpu, cpu1];
    boot(ctx);
    expect(cpu1.pc).toBe(0x1000);
    cpu1.run(6);
    expect(cpu1.getReg(10)).toBe(1);
    expect(cpu1.pc).toBe(RAM_BASE);
  });

  it('reset sets the pc to the reset vector (0x1000 unless the board says otherwise)', () => {
    const m = bootMachine();
    m.cpu.pc = 5;
    m.cpu.reset();
    expect(m.cpu.pc).toBe(0x1000);
    expect(makeMachine({ resetVector: 0x80000000 }).cpu.pc).toBe(0x80000000);
  });
});

describe('rv32 device tree', () => {
  it('builds /cpus like QEMU virt and returns the interrupt-controller phandles', () => {
    const m = bootMachine();
    const cpu1 = new Rv32Cpu({ jit: jitKit, id: 1, bus: m.bus, clock: m.clock, events: m.events, machine: { powerOff() {}, reset() {} }, props: {} });
    const root = new FdtNode('');
    let next = 1;
    const intc = deviceTreeCpus(root, [m.cpu, cpu1], { timebaseFrequency: 12345 }, () => next++);
    const cpus = root.find('cpus')!;
    expect(cpus.cells('#address-cells')).toEqual([1]);
    expect(cpus.cells('#size-cells')).toEqual([0]);
    expect(cpus.cells('timebase-frequency')).toEqual([12345]);
    expect(cpus.children.map((c) => c.name)).toEqual(['cpu@0', 'cpu@1', 'cpu-map']);
    const cpu0 = cpus.find('cpu@0')!;
    expect(cpu0.string('device_type')).toBe('cpu');
    expect(cpu0.cells('reg')).toEqual([0]);
    expect(cpu0.string('status')).toBe('okay');
    expect(cpu0.string('compatible')).toBe('riscv');
    expect(cpu0.string('riscv,isa')).toBe('rv32imac_zicsr_zifencei');
    expect(cpu0.string('mmu-type')).toBe('riscv,sv32');
    const ic = cpu0.find('interrupt-controller')!;
    expect(ic.cells('#interrupt-cells')).toEqual([1]);
    expect(ic.props.has('interrupt-controller')).toBe(true);
    expect(ic.string('compatible')).toBe('riscv,cpu-intc');
    expect(intc).toEqual([ic.cells('phandle')![0], cpus.find('cpu@1/interrupt-controller')!.cells('phandle')![0]]);
    expect(new Set([...intc, cpu0.cells('phandle')![0]]).size).toBe(3);
    expect(cpus.find('cpu-map/cluster0/core1')!.cells('cpu')).toEqual(cpus.find('cpu@1')!.cells('phandle'));
  });

  it('defaults timebase-frequency to 10 MHz', () => {
    const root = new FdtNode('');
    deviceTreeCpus(root, [makeMachine().cpu], {}, () => 1);
    expect(root.find('cpus')!.cells('timebase-frequency')).toEqual([10_000_000]);
  });

  it('maps CPU interrupt inputs to their mip bits', () => {
    expect(cpuInterruptCells('msip')).toEqual([3]);
    expect(cpuInterruptCells('mtip')).toEqual([7]);
    expect(cpuInterruptCells('meip')).toEqual([11]);
    expect(cpuInterruptCells('seip')).toEqual([9]);
    expect(() => cpuInterruptCells('bogus')).toThrow(/bogus/);
  });

  it('irqInput accepts exactly the wired inputs', () => {
    const cpu = makeMachine().cpu;
    for (const name of ['msip', 'mtip', 'meip', 'seip']) expect(cpu.irqInput(name)?.name).toBe(`cpu0 ${name}`);
    expect(cpu.irqInput('nmi')).toBeUndefined();
    expect(cpu.irqInput('mtip')).toBe(cpu.irqInput('mtip'));
  });
});
