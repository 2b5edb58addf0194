/**
 * The /cpus part of the device tree, laid out like QEMU 7.2's virt machine
 * (hw/riscv/virt.c, create_fdt_socket_cpus): one cpu@N node per hart with an
 * interrupt-controller child (the hart-local interrupt controller, "riscv,cpu-intc"), and a
 * cpu-map with one cluster.
 */
import type { ArchType, Cpu } from '../../../src/core/api.js';
import { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI } from './constants.js';
import { DEFAULT_TIMEBASE } from './cpu.js';

/**
 * riscv,isa as QEMU 7.2 prints it: single-letter extensions from "IEMAFDQCPVH", then the
 * multi-letter ones (QEMU 7.1+ lists zicsr and zifencei).
 */
/** The device-tree node type, as the plugin API hands it over. */
type FdtNode = Parameters<ArchType['deviceTreeCpus']>[0];

export const ISA_STRING = 'rv32imac_zicsr_zifencei';

/** Interrupt-specifier cell (the mip bit) of each hart-local interrupt input. */
const INPUT_CELLS: Record<string, number> = { ssip: IRQ_SSI, msip: IRQ_MSI, stip: IRQ_STI, mtip: IRQ_MTI, seip: IRQ_SEI, meip: IRQ_MEI };

export function cpuInterruptCells(input: string): number[] {
  const cell = INPUT_CELLS[input];
  if (cell === undefined) throw new Error(`rv32: unknown CPU interrupt input "${input}" (expected msip, mtip, meip or seip)`);
  return [cell];
}

export function deviceTreeCpus(root: FdtNode, cpus: Cpu[], props: Record<string, unknown>, allocPhandle: () => number): number[] {
  const timebase = typeof props.timebaseFrequency === 'number' ? props.timebaseFrequency : DEFAULT_TIMEBASE;
  const node = root.child('cpus');
  node.u32('timebase-frequency', timebase).u32('#size-cells', 0).u32('#address-cells', 1);
  const intcPhandles: number[] = [];
  const cpuPhandles: number[] = [];
  for (const cpu of cpus) {
    const cpuPhandle = allocPhandle();
    const intcPhandle = allocPhandle();
    cpuPhandles.push(cpuPhandle);
    intcPhandles.push(intcPhandle);
    const c = node.child(`cpu@${cpu.id}`);
    c.str('mmu-type', 'riscv,sv32')
      .str('riscv,isa', ISA_STRING)
      .str('compatible', 'riscv')
      .str('status', 'okay')
      .u32('reg', cpu.id)
      .str('device_type', 'cpu')
      .u32('phandle', cpuPhandle);
    // #address-cells = 0 as newer QEMU adds it: dtc warns about an interrupt provider without it.
    c.child('interrupt-controller')
      .u32('#address-cells', 0)
      .u32('#interrupt-cells', 1)
      .flag('interrupt-controller')
      .str('compatible', 'riscv,cpu-intc')
      .u32('phandle', intcPhandle);
  }
  const cluster = node.child('cpu-map').child('cluster0');
  cpus.forEach((cpu, i) => cluster.child(`core${i}`).u32('cpu', cpuPhandles[i]));
  return intcPhandles;
}
