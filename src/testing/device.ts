/**
 * Test harness for device plugins: creates the device the way the machine builder does (props
 * checked and defaulted, named outputs, `createDevice`, windows mapped on a real PhysicalBus with
 * their access rules) from real core pieces (VirtualClock, PhysicalBus over a small RAM,
 * EventStream, Line) plus recording fakes for the parts a unit test wants to observe (interrupt
 * lines, the chardev, machine power control). Accesses go through the bus, as a CPU's would.
 */
import type {
  AccessSize,
  CharBackend,
  Device,
  DeviceContext,
  DeviceSlot,
  DeviceTreeContext,
  DeviceType,
  MachineControl,
  PluginApi,
  PluginRegister,
} from '../core/api.js';
import { createRam, PhysicalBus, PortBus } from '../core/bus.js';
import { NullBackend } from '../core/chardev.js';
import { VirtualClock } from '../core/clock.js';
import { createDevice, type DeviceHost } from '../core/device-host.js';
import { UserError } from '../core/errors.js';
import { EventStream } from '../core/events.js';
import { FdtNode } from '../core/fdt.js';
import { Line } from '../core/irq.js';
import { outputLines, resolveIrq, type IrqSpec } from '../core/outputs.js';
import { createPropKit, resolveProps } from '../core/props.js';
import type { RegisterMap } from '../core/regmap.js';

/** An interrupt line that records every level change with the virtual time it happened at. */
export class RecordingLine extends Line {
  readonly history: Array<{ level: boolean; at: number }>;
  constructor(name: string, clock: VirtualClock, events: EventStream) {
    const history: Array<{ level: boolean; at: number }> = [];
    super(name, (level) => history.push({ level, at: clock.now() }), events);
    this.history = history;
  }
}

/** A chardev that captures output bytes and lets the test inject host input (queued by the core's backend code). */
export class CapturingChardev implements CharBackend {
  readonly name = 'test';
  readonly output: number[] = [];
  /** The host side: the core's input queue with its back-pressure. */
  readonly host = new NullBackend();
  write(byte: number): void {
    this.output.push(byte & 0xff);
  }
  get available(): number {
    return this.host.available;
  }
  read(): number {
    return this.host.read();
  }
  onInput(fn: () => void): void {
    this.host.onInput(fn);
  }
  /** Host input, as the core's stdin/socket backend would deliver it. */
  input(data: string | number[] | Uint8Array): void {
    this.host.input(typeof data === 'string' ? new TextEncoder().encode(data) : Uint8Array.from(data));
  }
  text(): string {
    return Buffer.from(this.output).toString('latin1');
  }
}

export class FakeMachine implements MachineControl {
  readonly powerOffs: Array<{ code: number; reason: string }> = [];
  readonly resets: string[] = [];
  powerOff(code: number, reason: string): void {
    this.powerOffs.push({ code, reason });
  }
  reset(reason: string): void {
    this.resets.push(reason);
  }
}

export interface HarnessOptions {
  type?: string;
  name?: string;
  reg?: Array<[number, number]>;
  /** I/O port windows [port, count], mapped on `h.io` (window indexes follow `reg`'s). */
  io?: Array<[number, number]>;
  /** Answers `ctx.acknowledge(input)` (what drives the device's inputs; default: -1). */
  acknowledge?: (input: string) => number;
  /**
   * Labels of the output lines in device-tree order (per-CPU outputs CPU by CPU, then the
   * others), e.g. ["cpu0:msip", "cpu0:mtip"]; default "NAME.OUTPUT[CPU]".
   */
  irqs?: string[];
  /** The board's `irq` (default: every declared output connected, so required ones are satisfied). */
  irq?: IrqSpec;
  props?: Record<string, unknown>;
  cpuCount?: number;
  /** Slots of other devices `ctx.slot(name)` finds (a device that moves models between slots). */
  slots?: Record<string, DeviceSlot>;
}

export interface Harness {
  ctx: DeviceContext;
  clock: VirtualClock;
  bus: PhysicalBus;
  /** The I/O port space, holding the device's `io` windows. */
  io: PortBus;
  events: EventStream;
  /** Output lines in device-tree order (see `HarnessOptions.irqs`). */
  irqs: RecordingLine[];
  chardev: CapturingChardev;
  machine: FakeMachine;
  /** Register maps the device built, by region index (live: a device may rebuild one). */
  regmaps: RegisterMap[];
}

/**
 * Creates `type`'s device as the builder would (bad props or outputs throw the problem, like the
 * board check), mapped on the harness bus at `reg`.
 */
export function createHarnessed(type: DeviceType, opts: HarnessOptions = {}): { device: Device; h: Harness } {
  const clock = new VirtualClock();
  const events = new EventStream();
  const bus = new PhysicalBus(createRam(0x80000000, 0x10000), events);
  const chardev = new CapturingChardev();
  const machine = new FakeMachine();
  const name = opts.name ?? 'dut';
  const cpuCount = opts.cpuCount ?? 1;
  const props = resolveProps(type.props, opts.props ?? {}, type.type);
  if (!props.ok) throw new UserError(`device ${name}: ${props.prop}: ${props.problem}`);
  const allConnected = Object.fromEntries(Object.entries(type.outputs ?? {}).map(([n, o]) => [n, o.perCpu ? `cpus:${n}` : `intc:${n}`]));
  const irq = resolveIrq(type, opts.irq ?? allConnected);
  if (!irq.ok) throw new UserError(`device ${name}: ${irq.field}: ${irq.problem}`);
  const io = opts.io ?? [];
  // A device of ports only gets no memory window unless asked.
  const reg = opts.reg ?? (io.length > 0 ? [] : [[0x10000000, 0x1000]]);
  const ports = new PortBus(events);
  const lines = outputLines(type, irq.irq, cpuCount);
  const host: DeviceHost = {
    bus,
    clock,
    events,
    machine,
    cpuCount,
    chardev: () => chardev,
    slotOf: (device) => opts.slots?.[device],
    acknowledge: (_device, input) => opts.acknowledge?.(input) ?? -1,
    fail: (error) => {
      throw error;
    },
  };
  let ctx!: DeviceContext;
  const spy: DeviceType = { ...type, create: (c) => type.create((ctx = c)) };
  const labels = opts.irqs ?? lines.map((l) => `${name}.${l.output}${l.cpu !== undefined ? `[${l.cpu}]` : ''}`);
  let i = 0;
  const instance = createDevice(spy, 'test', { type: type.type, name, reg, io, irq: irq.irq, props: props.props }, lines, host, () => new RecordingLine(labels[i++] ?? `line${i}`, clock, events));
  reg.forEach(([base, size], index) => {
    const regs = instance.regs[index];
    bus.map({ name, base, size, device: instance.raw, index, regs, access: regs?.access ?? type.access, plugin: 'test' });
  });
  io.forEach(([base, size], i) => {
    const index = reg.length + i;
    const regs = instance.regs[index];
    ports.map({ name, base, size, device: instance.raw, index, regs, access: regs?.access ?? type.access, plugin: 'test' });
  });
  const h: Harness = { ctx, clock, bus, io: ports, events, irqs: instance.outputs as RecordingLine[], chardev, machine, regmaps: instance.regs };
  return { device: instance.raw, h };
}

/** Runs a plugin's `register()` and returns the device types it defined, by type name. */
export function loadDevicePlugin(register: PluginRegister): Map<string, DeviceType> {
  const types = new Map<string, DeviceType>();
  const api: PluginApi = {
    apiVersion: 1,
    prop: createPropKit(),
    defineDevice: (t) => {
      if (types.has(t.type)) throw new Error(`duplicate type ${t.type}`);
      types.set(t.type, t as DeviceType);
    },
    defineArch: () => {
      throw new Error('device plugin defined an arch');
    },
    defineBackend: () => {},
    defineBoot: () => {
      throw new Error('device plugin defined a boot protocol');
    },
  };
  void register(api);
  return types;
}

/** A device under test with MMIO helpers that go through the device like the bus would. */
export class DeviceUnderTest {
  constructor(
    readonly device: Device,
    readonly h: Harness,
  ) {}

  /** A read through the bus (access rules apply) at `offset` in window `region` (memory windows first, then ports). */
  read(offset: number, size: AccessSize = 4, region = 0): number {
    return this.space(region).read(this.base(region) + offset, size);
  }
  write(offset: number, value: number, size: AccessSize = 4, region = 0): void {
    this.space(region).write(this.base(region) + offset, size, value >>> 0);
  }
  private space(region: number): PhysicalBus | PortBus {
    return region < this.h.ctx.entry.reg.length ? this.h.bus : this.h.io;
  }
  private base(region: number): number {
    const { reg, io } = this.h.ctx.entry;
    return region < reg.length ? reg[region][0] : io[region - reg.length][0];
  }
  /** Performs an access in window `region` and reports whether the space or the device refused it (`fault`). */
  faults(offset: number, size: AccessSize, write = false, region = 0): boolean {
    const space = this.space(region);
    space.fault = false;
    if (write) this.write(offset, 0, size, region);
    else this.read(offset, size, region);
    const f = space.fault;
    space.fault = false;
    return f;
  }
  /**
   * Builds the device's DT node as the core would (generic props are the core's job): the node
   * sits under /soc of a fresh tree whose root is handed to the device.
   */
  deviceTree(ctx: Partial<DeviceTreeContext> = {}): { node: FdtNode; root: FdtNode } {
    const root = new FdtNode('');
    const node = root.child('soc').child('dut@0');
    this.device.deviceTree?.(node, { phandle: 1, interruptsExtended: [], root, ...ctx });
    return { node, root };
  }
  regs(region = 0): RegisterMap {
    const m = this.h.regmaps[region];
    if (!m) throw new Error('device built no register map');
    return m;
  }
}

export function instantiate(type: DeviceType, opts: HarnessOptions = {}): DeviceUnderTest {
  const { device, h } = createHarnessed(type, opts);
  return new DeviceUnderTest(device, h);
}
