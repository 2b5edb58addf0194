import type { ArchType, Cpu, Device, DeviceType } from './api.js';
import type { Board, BoardDevice } from './board.js';
import { encodeFdt, FdtNode } from './fdt.js';

/** One interrupt output of a device after `cpus:` expansion. */
export interface IrqTarget {
  /** "cpu" with a CPU index, or a controller device's name. */
  cpu?: number;
  device?: string;
  input: string;
}

/**
 * Expands a board `irq` list. `cpus:` entries expand hart-major, as QEMU orders
 * `interrupts-extended`: `[cpus:meip, cpus:seip]` gives hart0 meip, hart0 seip, hart1 meip, ...
 * so output N of a per-hart controller is its context N. Other entries follow in order.
 */
export function expandIrqs(specs: string[], cpuCount: number): IrqTarget[] {
  const perHart: string[] = [];
  const out: IrqTarget[] = [];
  for (const spec of specs) {
    const [target, input] = spec.split(':');
    if (target === 'cpus') perHart.push(input);
    else if (/^cpu\d+$/.test(target)) out.push({ cpu: Number(target.slice(3)), input });
    else out.push({ device: target, input });
  }
  const expanded: IrqTarget[] = [];
  for (let cpu = 0; cpu < (perHart.length > 0 ? cpuCount : 0); cpu++) for (const input of perHart) expanded.push({ cpu, input });
  return [...expanded, ...out];
}

export interface TreeDevice {
  entry: BoardDevice;
  type: DeviceType;
  device: Device;
}

/** Node name of a device: `serial@10000000`. */
export function deviceNodeName(d: TreeDevice): string {
  const base = d.entry.reg[0]?.[0];
  const name = d.type.nodeName ?? d.type.type;
  return base === undefined ? name : `${name}@${base.toString(16)}`;
}

/**
 * Generates the flattened device tree from the board: the board file is the single source of
 * truth for addresses and interrupt wiring; each device plugin adds its own properties.
 */
export function buildDeviceTree(opts: {
  board: Board;
  arch: ArchType;
  cpus: Cpu[];
  devices: TreeDevice[];
  bootargs?: string;
  consoleName?: string;
}): { dtb: Uint8Array; root: FdtNode } {
  const { board, arch, cpus, devices } = opts;
  let nextPhandle = 1;
  const alloc = () => nextPhandle++;
  const root = new FdtNode('');
  root.u32('#address-cells', 2).u32('#size-cells', 2);
  root.str('compatible', ...(board.devicetree.compatible ?? [`rvos,${board.name}`]));
  root.str('model', board.devicetree.model ?? `rvos ${board.name}`);

  const chosen = root.child('chosen');
  const mem = root.child(`memory@${board.memory.base.toString(16)}`);
  mem.str('device_type', 'memory').u64('reg', board.memory.base, board.memory.size);

  const intc = arch.deviceTreeCpus(root, cpus, board.cpu, alloc);
  const phandles = new Map<string, number>();
  for (const d of devices) phandles.set(d.entry.name, alloc());

  const soc = root.child('soc');
  soc.u32('#address-cells', 2).u32('#size-cells', 2).str('compatible', 'simple-bus').flag('ranges');

  const byName = new Map(devices.map((d) => [d.entry.name, d]));
  for (const d of devices) {
    const node = soc.child(deviceNodeName(d));
    if (d.entry.reg.length > 0) node.u64('reg', ...d.entry.reg.flat());
    if (d.type.compatible?.length) node.str('compatible', ...d.type.compatible);
    const phandle = phandles.get(d.entry.name)!;
    node.u32('phandle', phandle);

    const targets = expandIrqs(d.entry.irq, cpus.length);
    const extended: number[] = [];
    const cells: number[] = [];
    const parents = new Set<number>();
    for (const t of targets) {
      const parent = t.cpu !== undefined ? intc[t.cpu] : phandles.get(t.device!)!;
      const spec =
        t.cpu !== undefined ? arch.cpuInterruptCells(t.input) : (byName.get(t.device!)?.device.interruptCells?.(t.input) ?? [Number(t.input)]);
      parents.add(parent);
      extended.push(parent, ...spec);
      cells.push(...spec);
    }
    const toCpus = targets.some((t) => t.cpu !== undefined);
    let interruptParent: { phandle: number; cells: number[] } | undefined;
    if (targets.length > 0 && !toCpus && parents.size === 1) {
      interruptParent = { phandle: [...parents][0], cells };
      node.u32('interrupt-parent', interruptParent.phandle).u32('interrupts', ...cells);
    } else if (targets.length > 0) {
      node.u32('interrupts-extended', ...extended);
    }
    d.device.deviceTree?.(node, { phandle, interruptsExtended: extended, interruptParent, root });
  }

  const consoleDev = devices.find((d) => d.entry.name === opts.consoleName);
  if (consoleDev) chosen.str('stdout-path', `/soc/${deviceNodeName(consoleDev)}`);
  if (opts.bootargs) chosen.str('bootargs', opts.bootargs);
  return { dtb: encodeFdt(root, { bootCpu: 0 }), root };
}
