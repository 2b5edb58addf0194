import { editFdt } from './fdt-edit.js';
import type { ArchType, BlockImage, BootFile, BootModule, BootContext, BootResult, CharBackend, SemihostingHost, Cpu, Device, DeviceContext, ElfInfo, Engine, IrqLine } from './api.js';
import type { Board, BoardDevice } from './board.js';
import { checkBoard } from './board.js';
import { guardArch } from './arch-host.js';
import { createRam, wasmRamWanted, PhysicalBus, PortBus, hex, type DeviceAccessFailure } from './bus.js';
import { NullBackend, type Backend } from './chardev.js';
import { VirtualClock } from './clock.js';
import { createDevice, type DeviceHost } from './device-host.js';
import { buildDeviceTree, type TreeDevice } from './devicetree.js';
import { prepareDefaultDisk } from './disk/default-disk.js';
import type { DriveSpec } from './disk/drive.js';
import { FileBlockImage } from './disk/image.js';
import { PluginError, UserError } from './errors.js';
import { type ByteSource, formatBytes, openInput, readInput } from './input-file.js';
import { EventStream } from './events.js';
import type { IdleMode } from './idle.js';
import { Wire } from './irq.js';
import { jitKit } from './jit/index.js';
import { checkElfArch, elfInfo, isElf, parseElf } from './loaders/elf.js';
import { Machine, type MachineDevice } from './machine.js';
import { lineLabel, outputLines, type OutputLine } from './outputs.js';
import type { PluginRegistry } from './plugins.js';
import { applyPropOverrides, type PropOverride } from './prop-overrides.js';
import type { RegisterMap } from './regmap.js';
import { startupMark } from './startup-trace.js';

export interface BuildOptions {
  /** Firmware path, or 'none' for no firmware (board default when undefined). */
  bios?: string;
  kernel?: string;
  bootargs?: string;
  /** An initial ramdisk for the boot protocol (`--initrd`). */
  initrd?: string;
  /** Boot modules (`--module`); undefined = the board's `boot.modules`. */
  modules?: BootModule[];
  /** A guest-requested reset powers the machine off with code 0 instead (`--no-reboot`, QEMU's -no-reboot). */
  noReboot?: boolean;
  /** A DTB file to give the guest instead of the board's tree (`--dtb`, QEMU's -dtb). */
  dtb?: string;
  /** Semihosting on (`--semihosting`): where the guest's semihosting output goes. */
  semihosting?: { write(bytes: Uint8Array): void };
  cpus?: number;
  /** RAM size in bytes (board default when undefined). */
  memory?: number;
  /** Where `memory` came from, for messages (default `--memory`; the config names its file and line). */
  memoryWhere?: string;
  realtime?: boolean;
  /** `--engine`: given to every CPU (`CpuContext.engine`); undefined = the architecture's default. */
  engine?: Engine;
  /** What deterministic time does while every CPU waits: `warp` (default) or `sleep` (src/core/idle.ts). */
  idle?: IdleMode;
  /** Backend per serial device name; the console device gets `console`. */
  serial?: Record<string, Backend>;
  console?: Backend;
  /** Backend for a serial device that `serial`/`console` do not cover (default: a null backend); `type` is its device type. */
  serialFallback?: (device: string, type: string) => Backend | undefined;
  /** Build without loading images or attaching drives (for `rvos dtb`, `rvos boards`). */
  noBoot?: boolean;
  /** Drives to attach, in order; undefined = the board's default disk (`boot.drive`), [] = none. */
  drives?: DriveSpec[];
  /** Options for drives that do not set them (`--virtio-version` gives `transport`). */
  driveDefaults?: Record<string, string>;
  /** One-line messages for the user (where the default disk's copy was made). */
  notice?: (message: string) => void;
  /** Device props set over the board's (`--global`, `--rtc`), checked before anything is built. */
  overrides?: readonly PropOverride[];
}

/** The device whose output is the guest console: `props.console: true`, else the first serial-like device. */
export function consoleDeviceName(board: Board): string | undefined {
  return board.devices.find((d) => d.props.console === true)?.name;
}

/**
 * Assembles a machine from a board descriptor and the loaded plugins: RAM, bus, clock, CPUs,
 * devices with their interrupt wiring, the device tree, and the boot protocol.
 */
export function buildMachine(registry: PluginRegistry, boardIn: Board, opts: BuildOptions = {}): Machine {
  const sized: Board = { ...boardIn, cpus: opts.cpus ?? boardIn.cpus, memory: { ...boardIn.memory, size: opts.memory ?? boardIn.memory.size } };
  const board = applyPropOverrides(sized, opts.overrides ?? [], (type) => registry.device(type));
  const resolved = checkBoard(board, {
    archTypes: registry.archTypes(),
    deviceTypes: registry.deviceTypes(),
    deviceType: (name) => registry.device(name),
    bootProtocol: (name) => registry.bootProtocol(name),
    bootProtocols: registry.bootProtocols(),
  });
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('rvos needs a little-endian host');

  const archPlugin = registry.providerOf(board.arch)?.name ?? board.arch;
  const arch = guardArch(registry.arch(board.arch), archPlugin);
  const boot = bootProtocolOf(registry, board, arch);
  const events = new EventStream();
  const clock = new VirtualClock();
  let ram;
  try {
    // RAM in a wasm memory only for an arch whose translator uses it (the interpreter runs ~1-4 % slower on it).
    ram = createRam(board.memory.base, board.memory.size, arch.wasmRegions === true && opts.engine !== 'interp' && wasmRamWanted());
  } catch (e) {
    const o = board.origin('memory');
    const where = opts.memory !== undefined ? opts.memoryWhere ?? `--memory ${formatBytes(opts.memory)}` : `${o.file}:${o.line}: memory.size`;
    throw new UserError(`${where}: cannot allocate ${formatBytes(board.memory.size)} of guest RAM on this host (${(e as Error).message})`);
  }
  if (board.memory.holes?.length && !arch.memoryHoles) {
    const o = board.origin('memory');
    throw new UserError(`${o.file}:${o.line}: memory.holes: ${arch.type} CPUs reach RAM directly and do not support holes`);
  }
  startupMark('board checked, RAM allocated');
  const bus = new PhysicalBus(ram, events, board.memory.holes);
  const io = new PortBus(events);
  // Which wire drives each controller or CPU input, for vectored interrupt acknowledge cycles.
  const drivers = new Map<IrqLine, Wire>();
  const acknowledgeOn = (sink: IrqLine | undefined): number => {
    const answer = sink && drivers.get(sink)?.answer;
    return answer ? answer() : -1;
  };

  // The machine object is needed by devices (power control) before it exists: forward to it.
  let machine!: Machine;
  const control = {
    powerOff: (code: number, reason: string) => machine.powerOff(code, reason),
    reset: (reason: string) => (opts.noReboot ? machine.powerOff(0, `${reason} (--no-reboot)`) : machine.reset(reason)),
  };

  const cpus: Cpu[] = [];
  const semihosting: SemihostingHost | undefined = opts.semihosting
    ? { write: opts.semihosting.write, exit: (code, reason) => control.powerOff(code, reason) }
    : undefined;
  const cpuLines = cpuOutputLines(board, arch, events);
  for (let id = 0; id < board.cpus; id++) {
    const output = (name: string): IrqLine => {
      const line = cpuLines[id].get(name);
      if (!line) throw new Error(`cpu output "${name}" is not declared in cpuOutputs (${Object.keys(arch.cpuOutputs ?? {}).join(', ') || 'none'})`);
      return line;
    };
    const acknowledge = (input: string): number => acknowledgeOn(cpus[id].irqInput(input));
    cpus.push(arch.createCpu({ id, engine: opts.engine, jit: jitKit, bus, io, acknowledge, clock, events, machine: control, props: board.cpu, semihosting, output, cpus }));
  }
  startupMark(`CPUs created (${board.cpus})`);

  const consoleName = consoleDeviceName(board);
  const backends = new Map<string, Backend>(Object.entries(opts.serial ?? {}));
  if (consoleName && opts.console && !backends.has(consoleName)) backends.set(consoleName, opts.console);

  const chardev = (device: string): CharBackend => {
    let backend = backends.get(device);
    if (!backend) {
      backend = opts.serialFallback?.(device, board.devices.find((d) => d.name === device)?.type ?? '') ?? new NullBackend();
      backends.set(device, backend);
    }
    return backend;
  };
  const host: DeviceHost = {
    bus,
    clock,
    events,
    machine: control,
    cpuCount: board.cpus,
    chardev,
    // Another device's slot (the plugin's own object: slot calls are the plugin's business).
    slotOf: (name) => created.find((c) => c.entry.name === name)?.raw.slot,
    acknowledge: (name, input) => acknowledgeOn(created.find((c) => c.entry.name === name)?.device.irqInput?.(input)),
    // Timers fire only while the machine runs, so `machine` exists by then.
    fail: (error) => machine.failPlugin(error),
  };
  bus.onDeviceError = (f) => machine.failPlugin(accessFailure(f));
  io.onDeviceError = (f) => machine.failPlugin(accessFailure(f, 'port '));

  // Output lines first (targets are bound once every controller exists).
  const pendingTargets: Array<{ dev: BoardDevice; line: Wire; target: NonNullable<OutputLine['target']> }> = [];
  const created: Array<TreeDevice & { raw: Device; plugin: string; outputs: Wire[]; regs: RegisterMap[] }> = [];
  for (const entry of board.devices) {
    const type = registry.device(entry.type);
    const { props, irq } = resolved.get(entry.name)!;
    const lines = outputLines(type, irq, board.cpus);
    const plugin = registry.providerOf(entry.type)?.name ?? entry.type;
    const outputs: Wire[] = [];
    let instance;
    try {
      instance = createDevice(type, plugin, { type: entry.type, name: entry.name, reg: entry.reg, io: entry.io, irq, props }, lines, host, (l) => {
        const wire = new Wire(lineLabel(entry.name, l), undefined, events);
        if (l.target) pendingTargets.push({ dev: entry, line: wire, target: l.target });
        outputs.push(wire);
        return wire;
      });
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`${entry.origin.file}:${entry.origin.line}: ${entry.origin.path}: ${e.message}`);
      throw e;
    }
    created.push({ entry, type, plugin, device: instance.device, raw: instance.raw, lines, outputs, regs: instance.regs });
  }

  for (const p of pendingTargets) {
    const t = p.target;
    let sink: IrqLine | undefined;
    if (t.cpu !== undefined) sink = cpus[t.cpu].irqInput(t.input);
    else sink = created.find((c) => c.entry.name === t.device)?.device.irqInput?.(t.input);
    if (!sink) {
      const o = p.dev.fields?.irq ?? p.dev.origin;
      const who = t.cpu !== undefined ? `cpu${t.cpu} (${arch.type})` : t.device;
      throw new UserError(`${o.file}:${o.line}: device ${p.dev.name}: irq: ${who} has no interrupt input "${t.input}"`);
    }
    p.line.connect(t.cpu !== undefined ? watchedCpuInput(sink, cpus[t.cpu], () => machine) : sink);
    drivers.set(sink, p.line);
  }
  connectCpuOutputs(board, cpuLines, created);

  for (const c of created) {
    c.entry.reg.forEach(([base, size], index) => {
      try {
        // The bus calls the plugin's own object (it guards accesses itself) with the window's rules.
        const regs = c.regs[index];
        bus.map({ name: c.entry.name, base, size, device: c.raw, index, regs, access: regs?.access ?? c.type.access, plugin: c.plugin });
      } catch (e) {
        throw new UserError(`${c.entry.origin.file}:${c.entry.origin.line}: ${c.entry.origin.path}.reg: ${(e as Error).message}`);
      }
    });
    c.entry.io.forEach(([base, size], i) => {
      const index = c.entry.reg.length + i;
      const regs = c.regs[index];
      io.map({ name: c.entry.name, base, size, device: c.raw, index, regs, access: regs?.access ?? c.type.access, plugin: c.plugin });
    });
  }

  const dtb = deviceTreeFor(board, opts.dtb, () => buildDeviceTree({ board, arch, cpus, devices: created, bootargs: opts.bootargs ?? board.boot.bootargs, consoleName }).dtb);

  // Drives last before booting: their images are open (and locked) only once nothing else can fail.
  // A board without firmware boots its kernel directly (the PC's multiboot kernel); a firmware of the
  // user's own there (`--bios`: QEMU's PC without -kernel) runs alone, without the board's software.
  const boardSoftware = !(board.boot.firmware === undefined && opts.bios !== undefined && opts.bios !== 'none');
  let opened: BlockImage[] = [];
  if (!opts.noBoot) {
    let drives = opts.drives;
    // The default disk belongs to the board's own software: a kernel of the user's own (bare-metal
    // tests run side by side, each would want the one image) gets no disk unless it asks for one.
    const boardKernel = opts.kernel === undefined && boardSoftware;
    if (drives === undefined && boardKernel && board.boot.drive && board.boot.drive !== 'none') {
      const copy = prepareDefaultDisk(board.name, board.boot.drive, opts.notice);
      drives = copy ? [{ file: copy, format: 'raw', readonly: false, options: {}, text: `file=${copy}`, where: `${board.origin('boot.drive').file}:${board.origin('boot.drive').line}: boot.drive`, locking: true }] : [];
    }
    opened = attachDrives(registry, board, created, drives ?? [], opts.driveDefaults ?? {});
  }

  const firmware = opts.bios ?? board.boot.firmware;
  // `--kernel none` boots the firmware alone, like QEMU without -kernel.
  const kernelSpec = opts.kernel ?? (boardSoftware ? board.boot.kernel : undefined);
  const kernel = kernelSpec === 'none' ? undefined : kernelSpec;
  // QEMU: "-initrd only allowed with -kernel option" (the kernel is what reads it).
  if (opts.initrd !== undefined && !opts.noBoot && kernel === undefined) throw new UserError(`--initrd ${opts.initrd}: only allowed with a kernel (--kernel, or the board's boot.kernel)`);
  if (opts.modules?.length && !opts.noBoot && kernel === undefined) throw new UserError(`--module ${opts.modules[0].path}: only allowed with a kernel (--kernel, or the board's boot.kernel)`);
  const dtbSource = opts.dtb !== undefined ? '--dtb' : board.devicetree.file !== undefined ? `${board.origin('devicetree.file').file}:${board.origin('devicetree.file').line}: devicetree.file` : 'device tree';
  /** The files a boot opened (BootContext.openFile), closed once it is done. */
  const bootFiles: ByteSource[] = [];
  const bootCtx: BootContext = {
    cpus,
    bus,
    dtb,
    firmware: firmware && firmware !== 'none' ? firmware : undefined,
    kernel,
    bootargs: opts.bootargs ?? board.boot.bootargs,
    initrd: opts.initrd,
    // The board's modules go with the board's kernel; a kernel of the user's own gets only its own.
    modules: kernel === undefined ? undefined : (opts.modules ?? (opts.kernel === undefined && boardSoftware ? board.boot.modules : undefined)),
    kernelAddress: board.boot.kernelAddress,
    bootRamSize: Math.max(0, bus.ram.size - (board.boot.reservedTop ?? 0)),
    props: board.cpu,
    readFile: (path) => readInput(path, bus.ram.size, ramLimit(bus)),
    openFile: (path) => openBootFile(bus, path, bootFiles),
    badInput: (message) => {
      throw new UserError(message);
    },
    editDtb: (edits) => {
      if (dtb.length === 0) throw new UserError(`board ${board.name} has no device tree (devicetree: { mode: none })`);
      const edited = editFdt(dtb, edits);
      if (typeof edited === 'string') throw new UserError(`${dtbSource}: ${edited}`);
      return edited;
    },
    loadImage: (path, rawAddress) => loadImage(bus, path, rawAddress, arch.elfMachine, arch.elfClass, arch.type),
    addRom: (name, base, bytes) => {
      const existing = bus.list().find((r) => r.name === name);
      if (existing?.bytes) existing.bytes.set(bytes);
      else bus.map({ name, base, size: bytes.length, bytes: new Uint8Array(bytes), readOnly: true, index: 0 });
    },
  };

  const devices: MachineDevice[] = created.map((c) => ({ device: c.device, entry: c.entry, outputs: c.outputs }));

  machine = new Machine({
    board,
    arch,
    archPlugin,
    bus,
    clock,
    events,
    cpus,
    devices,
    dtb,
    realtime: opts.realtime ?? false,
    idle: opts.idle,
    inputOpen: () => [...backends.values()].some((b) => b.inputOpen()),
    boot: () => {
      try {
        return boot(bootCtx).images;
      } finally {
        for (const src of bootFiles.splice(0)) src.close();
      }
    },
  });
  for (const b of backends.values()) {
    b.onInput(() => machine.notifyInput());
    b.onInputEnd(() => machine.notifyInput()); // a guest waiting for that input may now be halted forever
  }
  if (opts.noBoot) return machine;
  try {
    machine.boot();
  } catch (e) {
    for (const image of opened) image.close();
    throw e;
  }
  arch.attach?.(
    {
      bus,
      machine: control,
      events,
      console: consoleName ? backends.get(consoleName) : undefined,
      afterSlice: (fn) => machine.afterSlice.push(fn),
    },
    machine.images,
  );
  return machine;
}

/**
 * A CPU's interrupt input as its device line drives it, telling the machine each time it goes high
 * (`Machine.cpuInputRaised`: a wake ends a solo round). Lines are set only once the machine runs,
 * but a device may drive one high when it is connected, before the machine exists.
 */
function watchedCpuInput(input: IrqLine, cpu: Cpu, machine: () => Machine | undefined): IrqLine {
  return {
    name: input.name,
    get level() {
      return input.level;
    },
    get raised() {
      return input.raised;
    },
    set(level: boolean) {
      input.set(level);
      if (level) machine()?.cpuInputRaised(cpu);
    },
  };
}

/** One line per CPU per `ArchType.cpuOutputs` entry; the board's `cpu.irq` names are checked here. */
function cpuOutputLines(board: Board, arch: ArchType, events: EventStream): Array<Map<string, Wire>> {
  const declared = Object.keys(arch.cpuOutputs ?? {});
  const o = board.origin('cpu.irq');
  for (const name of Object.keys(board.cpuIrq)) {
    if (!declared.includes(name)) {
      throw new UserError(`${o.file}:${o.line}: cpu.irq.${name}: unknown CPU output "${name}" (${arch.type} has: ${declared.join(', ') || 'none'})`);
    }
  }
  return Array.from({ length: board.cpus }, (_, id) => new Map(declared.map((name) => [name, new Wire(`cpu${id}:${name}`, undefined, events)])));
}

/** Wires each CPU's outputs to `DEVICE:INPUT` (`$cpu` in INPUT: the CPU's index), once every device exists. */
function connectCpuOutputs(board: Board, lines: Array<Map<string, Wire>>, devices: Array<{ entry: BoardDevice; device: Device }>): void {
  const o = board.origin('cpu.irq');
  for (const [name, target] of Object.entries(board.cpuIrq)) {
    const m = /^([A-Za-z][\w-]*):([\w$-]+)$/.exec(target);
    if (!m) throw new UserError(`${o.file}:${o.line}: cpu.irq.${name}: "${target}" is not DEVICE:INPUT`);
    const device = devices.find((d) => d.entry.name === m[1])?.device;
    if (!device) throw new UserError(`${o.file}:${o.line}: cpu.irq.${name}: interrupt target "${m[1]}" is not a device`);
    lines.forEach((cpuLines, id) => {
      const input = m[2].replaceAll('$cpu', String(id));
      const sink = device.irqInput?.(input);
      if (!sink) throw new UserError(`${o.file}:${o.line}: cpu.irq.${name}: ${m[1]} has no interrupt input "${input}" (for cpu${id})`);
      cpuLines.get(name)!.connect(sink);
    });
  }
}

/** The board's `boot.protocol` (guarded like the arch), else the architecture's own `boot`. */
function bootProtocolOf(registry: PluginRegistry, board: Board, arch: ArchType): (ctx: BootContext) => BootResult {
  const name = board.boot.protocol;
  const protocol = name !== undefined ? registry.bootProtocol(name) : undefined;
  if (!protocol) return (ctx) => arch.boot(ctx);
  const plugin = registry.providerOf(protocol.name)?.name ?? protocol.name;
  return (ctx) => {
    try {
      return protocol.boot(ctx);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw PluginError.from(e, plugin, `boot protocol ${protocol.name}: boot()`);
    }
  };
}

/** Largest DTB file rvos reads (Linux's own limit for a flattened tree is 2 MiB). */
const MAX_DTB_BYTES = 2 << 20;

/**
 * The device tree the guest gets: `--dtb FILE`, else the board's `devicetree.file`, else none
 * (`mode: none`: an empty array, the arch passes no tree), else the one generated from the board.
 */
function deviceTreeFor(board: Board, flagFile: string | undefined, generate: () => Uint8Array): Uint8Array {
  const fromFile = (path: string, where: string) => {
    const bytes = readInput(path, MAX_DTB_BYTES, 'the largest device tree rvos reads (2 MiB)');
    if (bytes.length < 40 || new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) !== 0xd00dfeed) {
      throw new UserError(`${where}: ${path}: not a flattened device tree (no 0xd00dfeed magic)`);
    }
    return bytes;
  };
  if (flagFile !== undefined) return fromFile(flagFile, '--dtb');
  if (board.devicetree.file !== undefined) {
    const o = board.origin('devicetree.file');
    return fromFile(board.devicetree.file, `${o.file}:${o.line}: devicetree.file`);
  }
  if (board.devicetree.mode === 'none') return new Uint8Array(0);
  return generate();
}

/**
 * Opens each drive's image and plugs it into a free slot of its interface: like QEMU, the first
 * drive goes to the highest-addressed free slot, the next to the next lower one, and so on.
 */
function attachDrives(
  registry: PluginRegistry,
  board: Board,
  devices: Array<{ entry: BoardDevice; device: Device }>,
  drives: DriveSpec[],
  defaults: Record<string, string>,
): BlockImage[] {
  const opened: BlockImage[] = [];
  // Like QEMU's per-machine default block interface: the one the board's drive slots speak.
  const kinds = [...new Set(devices.flatMap((d) => (d.device.slot ? [d.device.slot.interface] : [])))].sort();
  try {
    drives.forEach((spec, i) => {
      const where = spec.where;
      if (spec.interface === undefined && kinds.length !== 1) {
        throw new UserError(`${where}: board ${board.name} ${kinds.length === 0 ? 'has no drive slots' : `has slots of several interfaces (${kinds.join(', ')}): say which with if=`}`);
      }
      const iface = spec.interface ?? kinds[0];
      const type = registry.backendFor(iface, 'disk');
      if (!type) throw new UserError(`${where}: no plugin provides a ${iface} block device (loaded: ${registry.backendTypes().join(', ') || 'none'})`);
      const free = devices
        .filter((d) => d.device.slot?.interface === iface && !d.device.slot.occupied)
        .sort((a, b) => (b.entry.reg[0]?.[0] ?? 0) - (a.entry.reg[0]?.[0] ?? 0));
      if (free.length === 0) {
        const all = devices.filter((d) => d.device.slot?.interface === iface).length;
        throw new UserError(`${where}: board ${board.name} has no free ${iface} slot (it has ${all}; ${i} drive(s) attached before this one)`);
      }
      const image = FileBlockImage.open(spec.file, spec.readonly, { locking: spec.locking });
      opened.push(image);
      const options = { ...defaults, ...spec.options };
      const slot = free[0];
      try {
        slot.device.slot!.attach(type, { id: `drive${i}`, image, options });
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`${where}: ${slot.entry.name}: ${(e as Error).message}`);
      }
    });
  } catch (e) {
    for (const image of opened) image.close();
    throw e;
  }
  return opened;
}

/** What an input file for guest RAM must fit in, for its messages. */
const ramLimit = (bus: PhysicalBus) => `the RAM (${formatBytes(bus.ram.size)})`;

/**
 * BootContext.openFile: `path` opened (and added to `opened`, which the caller closes once the boot is done) for a
 * boot protocol to read its header and load it into RAM in place. Larger than the RAM is bad input.
 */
export function openBootFile(bus: PhysicalBus, path: string, opened: ByteSource[]): BootFile {
  const src = openInput(path, bus.ram.size, ramLimit(bus));
  opened.push(src);
  if (src.size > bus.ram.size) throw new UserError(`${path}: ${src.size} bytes, larger than ${ramLimit(bus)}`);
  return {
    path,
    size: src.size,
    read: (offset, length) => src.read(offset, length),
    loadAt: (address, offset = 0) => bus.dmaWriteWith(address, src.size - offset, (dst) => src.readInto(offset, dst)),
  };
}

/**
 * Loads an ELF at its physical addresses, or a raw image at `rawAddress`. Nothing larger than
 * the RAM is read: the size is checked first (and `/dev/zero` or a FIFO is read only that far).
 */
export function loadImage(bus: PhysicalBus, path: string, rawAddress: number, machine: number, elfClass: 1 | 2, arch: string): ElfInfo {
  const ram = bus.ram;
  const ramText = `RAM (${hex(ram.base)}..${hex(ram.base + ram.size)})`;
  const ramWhy = `the RAM it must fit in (${formatBytes(ram.size)} at ${hex(ram.base)})`;
  const misfit = (what: string, addr: number, len: number) => new UserError(`${path}: ${what} at ${hex(addr)}..${hex(addr + len)} does not fit in ${ramText}`);
  const src = openInput(path, ram.size, ramWhy);
  try {
    if (!isElf(src.read(0, Math.min(4, src.size)))) {
      const room = rawAddress >= ram.base && rawAddress < ram.base + ram.size ? ram.base + ram.size - rawAddress : 0;
      if (src.size > room || !bus.dmaWriteWith(rawAddress, src.size, (dst) => src.readInto(0, dst))) throw misfit('raw image', rawAddress, src.size);
      return { entry: rawAddress, low: rawAddress, high: rawAddress + src.size, symbols: new Map(), path, elf: false };
    }
    const image = parseElf(src, path, { loadLimit: { bytes: ram.size, why: ramWhy }, segmentData: false });
    checkElfArch(image, path, machine, elfClass, arch);
    image.segments.forEach((s, i) => {
      if (s.memsz === 0) return;
      // The file's bytes read straight into RAM, then zeros up to memsz (.bss), each written in place: a copy of the
      // whole segment made a pc kernel's 1.1 MiB .bss cost as many host page faults again at each start.
      const fill = (dst: Uint8Array) => src.readInto(s.fileOffset, dst);
      if (!bus.dmaFill(s.paddr + s.fileSize, s.memsz - s.fileSize, 0) || !bus.dmaWriteWith(s.paddr, s.fileSize, fill)) throw misfit(`segment ${i}`, s.paddr, s.memsz);
    });
    return elfInfo(image, path);
  } finally {
    src.close();
  }
}

/** The PluginError for a device read/write that threw, naming the access. */
function accessFailure(f: DeviceAccessFailure, space = ''): PluginError {
  const bytes = `${f.size} byte${f.size > 1 ? 's' : ''}`;
  const value = f.size === 4 ? f.value >>> 0 : f.value & ((1 << (8 * f.size)) - 1);
  const what = f.write ? `write of ${bytes} (value ${hex(value)}) at ${space}${hex(f.addr)} (+${hex(f.offset)})` : `read of ${bytes} at ${space}${hex(f.addr)} (+${hex(f.offset)})`;
  return PluginError.from(f.error, f.region.plugin ?? f.region.name, what, f.region.name);
}
