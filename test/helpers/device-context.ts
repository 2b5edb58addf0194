/**
 * Test harness for device plugins: builds a `DeviceContext` from real core pieces (VirtualClock,
 * PhysicalBus over a small RAM, EventStream, Line) plus recording fakes for the parts a unit test
 * wants to observe (interrupt lines, the chardev, machine power control).
 */
import type {
  AccessSize,
  CharBackend,
  Device,
  DeviceContext,
  DeviceEntry,
  DeviceTreeContext,
  DeviceType,
  MachineControl,
  PluginApi,
  PluginRegister,
} from '../../src/core/api.js';
import { createRam, PhysicalBus } from '../../src/core/bus.js';
import { NullBackend } from '../../src/core/chardev.js';
import { VirtualClock } from '../../src/core/clock.js';
import { EventStream } from '../../src/core/events.js';
import { FdtNode } from '../../src/core/fdt.js';
import { Line } from '../../src/core/irq.js';
import { createRegisterMap, type RegisterMap } from '../../src/core/regmap.js';

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
  /** Output line names, already expanded (one per CPU for `cpus:` entries). */
  irqs?: string[];
  props?: Record<string, unknown>;
  cpuCount?: number;
}

export interface Harness {
  ctx: DeviceContext;
  clock: VirtualClock;
  bus: PhysicalBus;
  events: EventStream;
  irqs: RecordingLine[];
  chardev: CapturingChardev;
  machine: FakeMachine;
  /** Register maps the device built, by region index. */
  regmaps: Map<number, RegisterMap>;
}

export function createHarness(opts: HarnessOptions = {}): Harness {
  const clock = new VirtualClock();
  const events = new EventStream();
  const bus = new PhysicalBus(createRam(0x80000000, 0x10000), events);
  const chardev = new CapturingChardev();
  const machine = new FakeMachine();
  const irqs = (opts.irqs ?? []).map((n) => new RecordingLine(n, clock, events));
  const regmaps = new Map<number, RegisterMap>();
  const props = opts.props ?? {};
  const entry: DeviceEntry = {
    type: opts.type ?? 'test',
    name: opts.name ?? 'dut',
    reg: opts.reg ?? [[0x10000000, 0x1000]],
    irq: opts.irqs ?? [],
    props,
  };
  const ctx: DeviceContext = {
    entry,
    bus,
    clock,
    events,
    machine,
    cpuCount: opts.cpuCount ?? 1,
    irqs,
    chardev: () => chardev,
    registers: (spec, region = 0) => {
      const map = createRegisterMap(spec);
      regmaps.set(region, map);
      return map;
    },
    props,
  };
  return { ctx, clock, bus, events, irqs, chardev, machine, regmaps };
}

/** Runs a plugin's `register()` and returns the device types it defined, by type name. */
export function loadDevicePlugin(register: PluginRegister): Map<string, DeviceType> {
  const types = new Map<string, DeviceType>();
  const api: PluginApi = {
    apiVersion: 1,
    defineDevice: (t) => {
      if (types.has(t.type)) throw new Error(`duplicate type ${t.type}`);
      types.set(t.type, t);
    },
    defineArch: () => {
      throw new Error('device plugin defined an arch');
    },
    defineBackend: () => {},
  };
  register(api);
  return types;
}

/** A device under test with MMIO helpers that go through the device like the bus would. */
export class DeviceUnderTest {
  constructor(
    readonly device: Device,
    readonly h: Harness,
  ) {}

  read(offset: number, size: AccessSize = 4, region = 0): number {
    return this.device.read!(offset, size, region);
  }
  write(offset: number, value: number, size: AccessSize = 4, region = 0): void {
    this.device.write!(offset, size, value >>> 0, region);
  }
  /** Performs a read and reports whether the device refused it (bus.fault). */
  faults(offset: number, size: AccessSize, write = false): boolean {
    this.h.bus.fault = false;
    if (write) this.write(offset, 0, size);
    else this.read(offset, size);
    const f = this.h.bus.fault;
    this.h.bus.fault = false;
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
    const m = this.h.regmaps.get(region);
    if (!m) throw new Error('device built no register map');
    return m;
  }
}

export function instantiate(type: DeviceType, opts: HarnessOptions = {}): DeviceUnderTest {
  const h = createHarness({ type: type.type, ...opts });
  return new DeviceUnderTest(type.create(h.ctx), h);
}
