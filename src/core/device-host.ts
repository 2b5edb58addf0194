import type { CharBackend, Clock, Device, DeviceContext, DeviceEntry, DeviceSlot, DeviceType, EventSink, IrqLine, MachineControl, Timer } from './api.js';
import type { PhysicalBus } from './bus.js';
import { PluginError, UserError } from './errors.js';
import { Line } from './irq.js';
import type { OutputLine } from './outputs.js';
import { createRegisterMap, type RegisterMap } from './regmap.js';

/**
 * Creates one device from its type the way every caller must (the machine builder and the device
 * test harness): the context with named outputs and guarded timers, `create()` checked, and a
 * facade that turns anything the plugin throws into a `PluginError` naming it.
 */

/** What the core lends a device. */
export interface DeviceHost {
  bus: PhysicalBus;
  clock: Clock;
  events: EventSink;
  machine: MachineControl;
  cpuCount: number;
  chardev(device: string): CharBackend;
  /** The slot of the board's device `name` (undefined: no such device, or no slot). */
  slotOf(name: string): DeviceSlot | undefined;
  /** The acknowledge cycle of whatever drives input `input` of device `device` (-1: nothing answers). */
  acknowledge(device: string, input: string): number;
  /** A failure in a callback the plugin armed (a timer): stop the machine (the builder) or throw (tests). */
  fail(error: PluginError): void;
}

export interface DeviceInstance {
  /** The object `create()` returned (for the bus, which catches its read/write failures itself). */
  raw: Device;
  /** The same device with every other call guarded (for the machine: reset, close, deviceTree, ...). */
  device: Device;
  /** Output lines, in `lines` order. */
  outputs: IrqLine[];
  lines: OutputLine[];
  /** Register maps the device built, by window index. */
  regs: RegisterMap[];
}

/**
 * Builds the context and calls `type.create`. `entry` carries resolved props and irq (see
 * `resolveDevice`); `makeLine` makes the line for each output (the builder's wires). A UserError
 * from `create()` passes through (the caller adds the board position); anything else the plugin
 * throws or returns wrongly is a PluginError.
 */
export function createDevice(
  type: DeviceType,
  plugin: string,
  entry: DeviceEntry,
  lines: OutputLine[],
  host: DeviceHost,
  makeLine: (line: OutputLine) => IrqLine,
): DeviceInstance {
  const name = entry.name;
  const outputs = lines.map(makeLine);
  const byKey = new Map(lines.map((l, i) => [l.cpu === undefined ? l.output : `${l.output}#${l.cpu}`, outputs[i]]));
  const declared = Object.keys(type.outputs ?? {});
  const regs: RegisterMap[] = [];
  const clock: Clock = {
    now: () => host.clock.now(),
    createTimer: (timerName: string, callback: () => void): Timer =>
      host.clock.createTimer(timerName, () => {
        try {
          callback();
        } catch (e) {
          host.fail(PluginError.from(e, plugin, `timer "${timerName}"`, name));
        }
      }),
  };
  const ctx: DeviceContext = {
    entry,
    bus: host.bus,
    clock,
    events: host.events,
    machine: host.machine,
    cpuCount: host.cpuCount,
    props: entry.props,
    output: (output: string, cpu?: number): IrqLine => {
      const spec = type.outputs?.[output];
      if (!spec) throw new Error(`ctx.output("${output}"): ${type.type} declares no such output (outputs: ${declared.join(', ') || 'none'})`);
      if (spec.perCpu && !(Number.isInteger(cpu) && cpu! >= 0 && cpu! < host.cpuCount)) {
        throw new Error(`ctx.output("${output}", ${cpu}): a per-CPU output needs a CPU index 0..${host.cpuCount - 1}`);
      }
      if (!spec.perCpu && cpu !== undefined) throw new Error(`ctx.output("${output}", ${cpu}): ${output} is not a per-CPU output`);
      return byKey.get(spec.perCpu ? `${output}#${cpu}` : output)!;
    },
    onAcknowledge: (output: string, answer: () => number): void => {
      const spec = type.outputs?.[output];
      if (!spec) throw new Error(`ctx.onAcknowledge("${output}"): ${type.type} declares no such output (outputs: ${declared.join(', ') || 'none'})`);
      const guarded = (): number => {
        try {
          return answer();
        } catch (e) {
          host.fail(PluginError.from(e, plugin, `acknowledge of output "${output}"`, name));
          return -1;
        }
      };
      lines.forEach((l, i) => {
        const line = outputs[i];
        if (l.output === output && line instanceof Line) line.answer = guarded;
      });
    },
    acknowledge: (input: string): number => host.acknowledge(name, input),
    // The driving wire already emits `irq` events: the input itself stays quiet.
    inputLine: (lineName, onChange) => new Line(lineName, onChange),
    chardev: () => host.chardev(name),
    slot: (device) => host.slotOf(device),
    registers: (spec, region = 0) => (regs[region] = createRegisterMap(spec)),
  };
  let raw: unknown;
  try {
    raw = type.create(ctx);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw PluginError.from(e, plugin, 'create()', name);
  }
  if (raw === null || typeof raw !== 'object') {
    throw new PluginError(plugin, 'create()', `returned ${raw === null ? 'null' : typeof raw} instead of a device object`, name);
  }
  return { raw: raw as Device, device: guardDevice(raw as Device, plugin, name), outputs, lines, regs };
}

/**
 * A facade over a plugin's device whose calls rethrow failures as PluginErrors. Register
 * accesses are forwarded as they are: the bus guards them (it knows the access).
 */
export function guardDevice(raw: Device, plugin: string, name: string): Device {
  const guard =
    <A extends unknown[], R>(what: string, fn: ((...args: A) => R) | undefined) =>
    (...args: A): R => {
      try {
        return fn!.apply(raw, args);
      } catch (e) {
        throw PluginError.from(e, plugin, what, name);
      }
    };
  const read = raw.read;
  const write = raw.write;
  return {
    name: raw.name ?? name,
    get slot() {
      return raw.slot;
    },
    read: read && ((offset, size, region) => read.call(raw, offset, size, region)),
    write: write && ((offset, size, value, region) => write.call(raw, offset, size, value, region)),
    reset: raw.reset && guard('reset()', raw.reset),
    deviceTree: raw.deviceTree && guard('deviceTree()', raw.deviceTree),
    interruptCells: raw.interruptCells && guard('interruptCells()', raw.interruptCells),
    irqInput: raw.irqInput && guard('irqInput()', raw.irqInput),
    inspect: raw.inspect && guard('inspect()', raw.inspect),
    framebuffer: raw.framebuffer && guard('framebuffer()', raw.framebuffer),
    textScreen: raw.textScreen && guard('textScreen()', raw.textScreen),
    status: raw.status && guard('status()', raw.status),
    close:
      raw.close &&
      (async () => {
        try {
          await raw.close!.call(raw);
        } catch (e) {
          throw PluginError.from(e, plugin, 'close()', name);
        }
      }),
  };
}
