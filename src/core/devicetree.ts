import type { ArchType, Cpu, Device, DeviceType } from './api.js';
import type { Board, BoardDevice } from './board.js';
import { encodeFdt, FdtNode } from './fdt.js';
import type { OutputLine } from './outputs.js';

export interface TreeDevice {
  entry: BoardDevice;
  type: DeviceType;
  device: Device;
  /** Its output lines in device-tree order (`outputLines`); unconnected ones are left out of the tree. */
  lines: OutputLine[];
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

    const targets = d.lines.flatMap((l) => (l.target ? [l.target] : []));
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
