/**
 * The /cpus node for Cortex-A53 cores, as the Raspberry Pi 3 device tree (bcm2837.dtsi) has it:
 * `arm,cortex-a53` cores with `enable-method = "spin-table"` and their release addresses. The
 * generic timer node and the interrupt controllers come with the raspi3b board.
 */
import type { ArchType, Cpu } from '../../../src/core/api.js';

type FdtNode = Parameters<ArchType['deviceTreeCpus']>[0];

/** Spin-table release addresses of cores 0-3 (the firmware's armstub8). */
export const SPIN_TABLE = [0xd8, 0xe0, 0xe8, 0xf0];

export function cpuInterruptCells(input: string): number[] {
  throw new Error(`aarch64: the CPU has no interrupt inputs for device-tree wiring ("${input}"); interrupts reach it through the board's interrupt controllers`);
}

export function deviceTreeCpus(root: FdtNode, cpus: Cpu[], _props: Record<string, unknown>, allocPhandle: () => number): number[] {
  const node = root.child('cpus');
  node.u32('#address-cells', 1).u32('#size-cells', 0);
  const phandles: number[] = [];
  for (const cpu of cpus) {
    const phandle = allocPhandle();
    phandles.push(phandle);
    node
      .child(`cpu@${cpu.id}`)
      .str('device_type', 'cpu')
      .str('compatible', 'arm,cortex-a53')
      .u32('reg', cpu.id)
      .str('enable-method', 'spin-table')
      .u64('cpu-release-addr', SPIN_TABLE[cpu.id] ?? 0)
      .u32('phandle', phandle);
  }
  return phandles;
}
