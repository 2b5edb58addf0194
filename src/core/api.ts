/**
 * The public plugin API of rvos (apiVersion 1).
 *
 * Architecture and device plugins see only what this file exports (types) plus the `PluginApi`
 * object handed to their `register()` function at load time. They never import core modules at
 * run time, so a plugin compiled elsewhere works with any rvos that speaks its apiVersion.
 */
import type { FdtNode } from './fdt.js';
import type { DtbEdits } from './fdt-edit.js';
import type { RegisterMap, RegisterMapSpec } from './regmap.js';
import type { CodeCache, CodeCacheOptions } from './jit/code-cache.js';
import type { I32, I64, HostFunction, WasmCode, WasmImport, WasmIndirect, WasmOp, WasmType } from './jit/wasm-module.js';

export type { CodeCache, CodeCacheOptions, CodeCacheStats, CodePage } from './jit/code-cache.js';
export type { HostFunction, WasmCode, WasmImport, WasmIndirect, WasmMark, WasmType } from './jit/wasm-module.js';

export const PLUGIN_API_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Interrupt lines
// ---------------------------------------------------------------------------------------------

/** A level-triggered wire from a device output to a controller or CPU input. */
export interface IrqLine {
  /** Human name for traces and the TUI, e.g. "plic:10 uart0" or "cpu0 mtip". */
  readonly name: string;
  readonly level: boolean;
  /** Number of low-to-high transitions since reset (cheap counter read by the TUI). */
  readonly raised: number;
  set(level: boolean): void;
}

/** Something that accepts interrupt inputs: an interrupt controller device or a CPU. */
export interface IrqSink {
  /** Returns the input line named by `input` (a number for controllers, a name like "mtip" for CPUs). */
  irqInput(input: string): IrqLine | undefined;
}

// ---------------------------------------------------------------------------------------------
// Physical memory bus
// ---------------------------------------------------------------------------------------------

/** Main RAM as typed views over one ArrayBuffer. Host must be little-endian (checked at start). */
export interface Ram {
  readonly base: number;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  /** RAM as a WebAssembly memory, for a translator to wasm (`ArchType.wasmRegions`, `wasmRamWanted`): see `WasmRam`. */
  readonly wasm?: WasmRam;
  /**
   * Sets `len` bytes from RAM offset `off` to `byte` (its low 8 bits), as `u8.fill` would: RAM in a wasm memory is a
   * shared one, whose typed-array fills are slow (the core's `bulkMemory`). No hooks: the caller tells what it wrote.
   */
  fill(off: number, byte: number, len: number): void;
  /** Copies `len` bytes from RAM offset `from` to `to` (ranges may overlap: as memmove, `u8.copyWithin`), as `fill`. */
  copy(to: number, from: number, len: number): void;
}

/**
 * RAM in a `WebAssembly.Memory`, so that translated wasm code addresses it directly: RAM at offset
 * 0, then the bus's page flags (at `flags`), then the code-line map (at `codeLines`), then
 * `cpuAreas` host areas of `cpuAreaSize` bytes from `cpuArea` on, one per CPU that claims one (its
 * registers, TLBs, exit values).
 */
export interface WasmRam {
  readonly memory: WebAssembly.Memory;
  readonly flags: number;
  /**
   * Byte address of the code-line map: one byte per CODE_LINE bytes of RAM, non-zero once a CPU that
   * keeps it has decoded an instruction there (never cleared: a superset). Lets a translator's store to
   * a page flagged PAGE_CODE alone go ahead in wasm where its bytes hold no decoded code (data beside code).
   */
  readonly codeLines: number;
  readonly cpuArea: number;
  readonly cpuAreaSize: number;
  readonly cpuAreas: number;
  /** Areas claimed so far; CPUs past `cpuAreas` run JavaScript translations. */
  claimed: number;
  /** The next free CPU area, for a translator whose area takes `bytes` (null when none is left, or they are too small). */
  claim(bytes: number): WasmArea | null;
  /**
   * Sets `len` bytes of the memory from byte address `at` (RAM or an area: a CPU's TLB flush) to `byte`, through wasm's
   * `memory.fill`: the memory is shared, whose typed-array fills take a slower path (Ram.fill).
   */
  fill(at: number, byte: number, len: number): void;
}

/** A CPU's area of a WasmRam (`claim`): the memory and the byte addresses its translated code uses. */
export interface WasmArea {
  readonly memory: WebAssembly.Memory;
  /** Byte address of the CPU's area. */
  readonly area: number;
  /** Byte address of the bus's page flags. */
  readonly flags: number;
  /** Byte address of the code-line map (WasmRam.codeLines). */
  readonly codeLines: number;
  /** The area as int32 (index = byte offset / 4). */
  readonly area32: Int32Array;
}

/** Page-flag bits for RAM pages (4 KiB); a CPU's store fast path calls `bus.ramStoreHook` when non-zero. */
export const PAGE_CODE = 1; // some CPU has pre-decoded code from this page
export const PAGE_WATCH = 2; // a watcher (e.g. HTIF tohost) wants to see stores here
export const PAGE_HOLE = 4; // not RAM: a board `memory.holes` window (device, ROM or nothing); CPUs take the bus path
/** RAM bytes per byte of the code-line map (WasmRam.codeLines), as a shift: 64-byte lines. */
export const CODE_LINE_SHIFT = 6;
export const PAGE_SHIFT = 12;

/** Bus and device accesses are 1, 2 or 4 bytes; 64-bit CPUs split wider MMIO accesses into two. */
export type AccessSize = 1 | 2 | 4;

/**
 * Which accesses a device window accepts. The bus enforces them before calling the device (as
 * QEMU's memory core does with `MemoryRegionOps.valid`): a refused access never reaches the
 * device; the bus sets `fault` (the CPU raises its access fault) and emits an `unmapped` event
 * naming the device. Declared on a register map (`ctx.registers({ sizes, aligned, extent, ... })`,
 * per window) or, for devices without one, on the type (`DeviceType.access`).
 */
export interface AccessRules {
  /** Access sizes accepted (default: 1, 2 and 4). */
  sizes?: AccessSize[];
  /** When true, the offset must be a multiple of the access size. */
  aligned?: boolean;
  /**
   * Bytes from the window's start the device decodes (default: the whole window). Accesses
   * starting at or past it are refused, as QEMU leaves the rest of a board's window unassigned.
   */
  extent?: number;
}

export interface Bus {
  readonly ram: Ram;
  /**
   * One byte per RAM page: PAGE_CODE | PAGE_WATCH | PAGE_HOLE. A CPU that reads or writes RAM
   * through the typed arrays must take `read`/`write` for PAGE_HOLE pages (only boards whose arch
   * declares `ArchType.memoryHoles` have them).
   */
  readonly pageFlags: Uint8Array;
  /**
   * Set by `read`/`write` when the access hit nothing or the device refused it; the caller
   * (a CPU) turns it into the architectural access fault. Callers clear it before the access.
   */
  fault: boolean;
  /** Slow-path physical read (ROM, MMIO, and RAM too). */
  read(addr: number, size: AccessSize): number;
  write(addr: number, size: AccessSize, value: number): void;
  /** Called by a CPU after a store to a RAM page whose flag is non-zero. */
  ramStoreHook(addr: number, size: number): void;
  /** Registers a code-cache invalidation callback: called with a RAM page index when code there may have changed. */
  onCodeWrite(fn: (page: number) => void): void;
  /** Marks a RAM page as holding decoded code. */
  markCode(page: number): void;
  /** DMA helpers for devices: copy to/from guest physical memory (RAM only). Return false on a bad range. */
  dmaRead(addr: number, dst: Uint8Array): boolean;
  dmaWrite(addr: number, src: Uint8Array): boolean;
  /**
   * Calls `fn` after every store (CPU or DMA) that touches [addr, addr+size) in RAM: for host-call
   * mailboxes in guest memory such as HTIF's `tohost`. Watched pages take the slow store path.
   */
  watch(addr: number, size: number, fn: (addr: number, size: number) => void): void;
}

/**
 * An I/O port address space beside memory (the PC's 64 KiB of ports, reached by IN/OUT). Board
 * devices appear in it through their `io` windows. As on an ISA bus, a port nobody decodes reads
 * as all ones and ignores writes; nothing faults.
 */
export interface PortSpace {
  read(port: number, size: AccessSize): number;
  write(port: number, size: AccessSize, value: number): void;
}

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/** A reusable timer: allocate once, re-arm as often as needed. */
export interface Timer {
  /** Arms (or re-arms) the timer to fire at absolute virtual time `atNs`. */
  armAt(atNs: number): void;
  cancel(): void;
  readonly armed: boolean;
}

export interface Clock {
  /** Virtual nanoseconds since machine reset. */
  now(): number;
  createTimer(name: string, callback: () => void): Timer;
}

// ---------------------------------------------------------------------------------------------
// Character devices (serial backends)
// ---------------------------------------------------------------------------------------------

/**
 * The host end of a serial line (stdio, a TCP client, a file, the TUI) as a device sees it.
 *
 * Output: `write(byte)`; the backend buffers it and never blocks the guest.
 *
 * Input is pulled, so it waits on the host side until the guest has room for it: `onInput` says
 * that host input arrived, and the device takes bytes with `read()` whenever it has room (a UART:
 * when its receiver can take a character, and again each time the guest reads one). The backend
 * keeps a bounded queue and stops reading its source (a piped stdin, a TCP client) while the queue
 * is full; reading makes room and the source resumes. Nothing is dropped, and host memory stays
 * bounded however much the host sends. A device that never reads simply leaves input waiting.
 *
 *   chardev.onInput(pull);
 *   function pull() { while (roomInReceiver() && chardev.available > 0) receive(chardev.read()); }
 */
export interface CharBackend {
  readonly name: string;
  write(byte: number): void;
  /** Host input bytes waiting to be read. */
  readonly available: number;
  /** Takes the next waiting host input byte, or returns -1 when none is waiting. */
  read(): number;
  /** Calls `fn` each time host input arrives (also when earlier input is still waiting). */
  onInput(fn: () => void): void;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export interface TrapEvent {
  cpu: number;
  interrupt: boolean;
  cause: number;
  name: string;
  pc: number;
  tval: number;
  /** Privilege level / exception level the trap was taken to, as the arch names it ("M", "S", "EL1"). */
  target: string;
}

export interface MachineEvents {
  /** An interrupt line changed level. */
  irq: { line: string; level: boolean };
  /** A CPU took an exception or an interrupt. */
  trap: TrapEvent;
  /**
   * An access to an address where nothing is mapped, or one a device's `AccessRules` refuse
   * (`device` and `reason` then say which and why); it becomes an access fault in the guest.
   */
  unmapped: { addr: number; size: number; write: boolean; value: number; device?: string; reason?: string; io?: boolean };
  /** A device register access (emitted only when someone listens: --trace mmio, the TUI). */
  mmio: { device: string; offset: number; register: string; size: number; write: boolean; value: number };
  /** Guest-visible power events. */
  power: { action: 'off' | 'reset'; code: number; reason: string };
  /** Free-form device message (warnings about unsupported guest use, etc.). */
  log: { source: string; message: string };
}

export type MachineEventName = keyof MachineEvents;

export interface EventSink {
  emit<K extends MachineEventName>(type: K, payload: MachineEvents[K]): void;
  /** True when somebody listens for `type`; check it before building an expensive payload. */
  wants(type: MachineEventName): boolean;
}

// ---------------------------------------------------------------------------------------------
// Machine control seen by devices and CPUs
// ---------------------------------------------------------------------------------------------

export interface MachineControl {
  /** Stops the machine: guest power-off with an exit code (0 = success). */
  powerOff(code: number, reason: string): void;
  /** Guest-requested reset of the whole machine. */
  reset(reason: string): void;
}

// ---------------------------------------------------------------------------------------------
// Devices
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Device props: declared with a schema, checked by the core
// ---------------------------------------------------------------------------------------------
//
// A device type declares the props a board may give it, built with `api.prop` (no zod, no core
// import needed). The core checks a board's props before `create()` (unknown names, wrong types,
// out-of-range values are `file:line: device NAME: prop: problem`, exit 2), fills in defaults, and
// hands the result over as `ctx.props`, typed from the schema:
//
//   const props = (prop: PropKit) => ({
//     sources: prop.int({ default: 96, min: 2, max: 1024, description: 'interrupt sources, including 0' }),
//     mode: prop.enum(['fast', 'exact'], { default: 'exact', description: 'how time is modelled' }),
//     label: prop.string({ description: 'free text shown in the TUI' }), // optional: string | undefined
//   });
//   type MyProps = PropsOf<ReturnType<typeof props>>; // { sources: number; mode: 'fast' | 'exact'; label?: ... }
//
// `console: true|false` is a core prop every device accepts (the guest console, see the builder).

export type PropKind = 'int' | 'number' | 'bool' | 'string' | 'enum';

/**
 * One declared prop (plain data, so `rvos plugins inspect` and docs can list it). `T` is the
 * value type; `Present` is true when the value is always there (a default, or `required`).
 */
export interface PropSpec<T = unknown, Present extends boolean = boolean> {
  readonly kind: PropKind;
  readonly description: string;
  readonly default?: T;
  /** A board must give it (only meaningful without a default). */
  readonly required?: boolean;
  /** Inclusive bounds for `int` and `number`. */
  readonly min?: number;
  readonly max?: number;
  /** The accepted values of an `enum`. */
  readonly values?: readonly (string | number)[];
  /**
   * A `string` prop's own check of its text (a date's format): what is wrong, or undefined. Run
   * before `create()` on a board's value and on `--global`/`--rtc`'s; it must not throw.
   */
  check?(value: T): string | undefined;
  /** Type-level only (never set): carries `T` and `Present` for `PropsOf`. */
  readonly __type?: { value: T; present: Present };
}

export type PropSchema = Readonly<Record<string, PropSpec>>;

/** The validated `ctx.props` a schema produces. */
export type PropsOf<S extends PropSchema> = {
  readonly [K in keyof S]: S[K] extends PropSpec<infer T, infer P> ? (P extends true ? T : T | undefined) : never;
};

interface PropOptions<T> {
  /** One line for `rvos plugins inspect` and docs. */
  description: string;
  default?: T;
  required?: boolean;
}
interface RangeOptions<T> extends PropOptions<T> {
  min?: number;
  max?: number;
}
interface StringOptions extends PropOptions<string> {
  /** What is wrong with a value (`PropSpec.check`), or undefined when it is fine. */
  check?(value: string): string | undefined;
}
/** Options that make a prop always present: a default, or `required: true`. */
type Present<T> = { default: T } | { required: true };

/** `api.prop`: builders for `DeviceType.props`. */
export interface PropKit {
  /** A safe integer (YAML `0x1000` is one), optionally within [min, max]. */
  int(options: RangeOptions<number> & Present<number>): PropSpec<number, true>;
  int(options: RangeOptions<number>): PropSpec<number, false>;
  /** A finite number, optionally within [min, max]. */
  number(options: RangeOptions<number> & Present<number>): PropSpec<number, true>;
  number(options: RangeOptions<number>): PropSpec<number, false>;
  bool(options: PropOptions<boolean> & Present<boolean>): PropSpec<boolean, true>;
  bool(options: PropOptions<boolean>): PropSpec<boolean, false>;
  string(options: StringOptions & Present<string>): PropSpec<string, true>;
  string(options: StringOptions): PropSpec<string, false>;
  /** One of `values` (strings or numbers, compared exactly). */
  enum<const V extends string | number>(values: readonly V[], options: PropOptions<V> & Present<V>): PropSpec<V, true>;
  enum<const V extends string | number>(values: readonly V[], options: PropOptions<V>): PropSpec<V, false>;
}

// ---------------------------------------------------------------------------------------------
// Named interrupt outputs
// ---------------------------------------------------------------------------------------------
//
// A device type declares its outputs by name (`outputs: { irq: { description } }`); the board maps
// names to targets and the device asks for a line by name, never by position:
//
//   board, one output:   irq: plic:10
//   board, several:      irq: { msip: cpus:msip, mtip: cpus:mtip }
//   device:              const irq = ctx.output('irq');  const mtip = ctx.output('mtip', hart);
//
// A `perCpu` output is one line per CPU and must go to `cpus:INPUT` (that input of every CPU). An
// output the board leaves unconnected is a line that goes nowhere, unless it is `required` (then
// the board is rejected). The device tree lists per-CPU outputs CPU by CPU (all of CPU 0's in
// declaration order, then CPU 1's, ...), then the others in declaration order.

export interface OutputSpec {
  /** One line for `rvos plugins inspect` and docs. */
  description: string;
  /** One line per CPU (CLINT `mtip`, PLIC `meip`), all wired to `cpus:INPUT`. */
  perCpu?: boolean;
  /** The board must connect it. */
  required?: boolean;
}

/** A device's entry in the board descriptor, after validation and defaults. */
export interface DeviceEntry<P = Readonly<Record<string, unknown>>> {
  type: string;
  name: string;
  /** Memory windows, pairs [base, size]; most devices have one. */
  reg: Array<[number, number]>;
  /**
   * I/O port windows, pairs [port, count] (board `io:`). A device's window index (the `region`
   * of `read`/`write`/`registers`) counts the `reg` windows first, then these.
   */
  io: Array<[number, number]>;
  /** Where each connected output goes, as written in the board ("plic:10", "cpus:mtip"), by output name. */
  irq: Readonly<Record<string, string>>;
  /** Validated props with defaults filled in (the same object as `DeviceContext.props`). */
  props: P;
}

export interface DeviceContext<P = Readonly<Record<string, unknown>>> {
  readonly entry: DeviceEntry<P>;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly machine: MachineControl;
  /** Number of CPUs on the board. */
  readonly cpuCount: number;
  /**
   * The line of output `name` (declared in `DeviceType.outputs`); `cpu` selects the line of a
   * `perCpu` output. Unconnected outputs give a line that goes nowhere, so devices never test for
   * it. Asking for an undeclared output, or a per-CPU one without a valid `cpu`, throws.
   */
  output(name: string, cpu?: number): IrqLine;
  /**
   * Vectored interrupts (an 8259A): `answer` runs this controller's interrupt-acknowledge cycle
   * for the request on output `name` and returns the vector. Whoever the output is wired to gets
   * it with `acknowledge(input)`: a CPU (`CpuContext.acknowledge`, the x86 INTA cycle) or another
   * controller (a cascade: the master 8259A acknowledging the slave on its IR2).
   */
  onAcknowledge(name: string, answer: () => number): void;
  /** The acknowledge cycle of the device driving this controller's input `input`: its vector, or -1 when it gives none. */
  acknowledge(input: string): number;
  /**
   * An interrupt *input* for a controller's `irqInput`: a line that calls `onChange(level)` when
   * the level driven into it changes (and counts rising edges). Create each once, in `irqInput`.
   */
  inputLine(name: string, onChange: (level: boolean) => void): IrqLine;
  /** The chardev backend bound to this device (serial devices), or a null sink. */
  chardev(): CharBackend;
  /**
   * The slot of another device of the board, by its board name (undefined when there is no such
   * device or it has no slot). Devices are created in board order: call it once the machine is
   * built (in an access, a timer or `reset()`), not in `create()`.
   */
  slot(device: string): DeviceSlot | undefined;
  /**
   * Builds a register map whose register names appear in traces and the TUI. Its `sizes`,
   * `aligned` and `extent` are the window's `AccessRules`: the bus enforces them. Call it in
   * `create()`, once per window (`region` indexes `entry.reg`).
   */
  registers(spec: RegisterMapSpec, region?: number): RegisterMap;
  /** Validated props (see `PropKit`): defaults filled in, typed from `DeviceType.props`. */
  readonly props: P;
}

/**
 * What a display device shows now, as pixels: `width * height * 4` bytes, R G B A, rows top to
 * bottom. The device renders it (it knows its pixel formats, palettes and panning); the core
 * saves it (`rvos run --screenshot`, C-a g in the TUI) as PNG.
 */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * What a text-mode display shows now (the PC's VGA text mode): `cols` x `rows` cells, row by row,
 * each `char | attribute << 8` (code page 437 character; attribute: foreground in bits 0-3,
 * background in 4-6, blink or bright background in 7, as the device's attribute controller says).
 */
export interface TextScreen {
  cols: number;
  rows: number;
  cells: Uint16Array;
  cursor: { row: number; col: number; visible: boolean };
  /** The board name of the device whose chardev input takes the keys typed at this screen (the TUI's screen tab), if any. */
  keyboard?: string;
}

/** Context for the device-tree node a device contributes. */
export interface DeviceTreeContext {
  /** phandle of this device (allocated for every device so it can be referenced). */
  readonly phandle: number;
  /** `interrupts-extended` cells for this device's irq outputs: [phandle, cells..., phandle, cells...]. */
  readonly interruptsExtended: number[];
  /** If every output goes to one controller, that controller's phandle and the per-output cells. */
  readonly interruptParent?: { phandle: number; cells: number[] };
  /** The tree's root, for devices that add board-level nodes (e.g. syscon poweroff/reboot). */
  readonly root: FdtNode;
}

/**
 * What `create()` returns. Every method may throw: the core then stops the machine with a
 * `PluginError` naming the plugin, the device, the call (and, for register accesses, the access
 * and the guest pc); exit code 71. It never blames rvos for it.
 */
export interface Device extends Partial<IrqSink> {
  readonly name: string;
  /**
   * MMIO or port read at `offset` within window `region` (index into entry.reg, then entry.io). Only accesses the
   * window's `AccessRules` accept arrive here; a device may still set bus.fault to refuse one.
   */
  read?(offset: number, size: AccessSize, region: number): number;
  write?(offset: number, size: AccessSize, value: number, region: number): void;
  reset?(): void;
  /** Fills the device's node (node name and unit address are already set from the entry). */
  deviceTree?(node: FdtNode, ctx: DeviceTreeContext): void;
  /**
   * Interrupt controllers: the interrupt-specifier cells for one of its inputs ("10" -> [10]), which the
   * core writes into the `interrupts` of devices wired to it. The controller's own node must say
   * `interrupt-controller` and `#interrupt-cells` in `deviceTree()`.
   */
  interruptCells?(input: string): number[];
  /** Key/value state of the device (its "registers" for a person), for debugging views; not shown by the TUI yet. */
  inspect?(): Record<string, number | string>;
  /** What a display device shows now (its framebuffer), if anything: `rvos run --screenshot` saves it as PNG. */
  framebuffer?(): Picture | undefined;
  /** What a text-mode display shows now, or undefined when it is not in a text mode (for the TUI's screen pane). */
  textScreen?(): TextScreen | undefined;
  /** A few words for the TUI's status bar (the PC's last POST code), or undefined when there is nothing to say. */
  status?(): string | undefined;
  /** Called when the machine is torn down (flush files, close sockets). */
  close?(): void | Promise<void>;
  /** Present on slot devices that can host a device model built for a `--drive` (see `DeviceSlot`). */
  readonly slot?: DeviceSlot;
}

// ---------------------------------------------------------------------------------------------
// Drives: host images plugged into slot devices
// ---------------------------------------------------------------------------------------------
//
// A `--drive file=disk.img` becomes a `Drive` (the core opens the image). The core picks a free
// slot whose `interface` matches the drive's `if=` (like QEMU, the highest-addressed free one
// first) and a backend type of that interface, and calls `slot.attach(type, drive)`. The slot
// builds the model with `type.create(host, drive)`, where `host` is whatever the interface
// defines (for "virtio": the virtio-mmio plugin's `VirtioTransport`), so the core never needs to
// know what a virtio queue is, and a backend never needs to know which slot device it sits in.

/** A host disk image opened by the core. Positional, synchronous I/O: done when the call returns. */
export interface BlockImage {
  readonly path: string;
  /** Size in bytes (a multiple of 512). */
  readonly size: number;
  readonly readOnly: boolean;
  /** Reads `dst.length` bytes at `offset`. False on a host I/O error or a range past the end. */
  read(offset: number, dst: Uint8Array): boolean;
  /** Writes `src` at `offset` (reaches the host file before returning). False when read-only, past the end, or on an I/O error. */
  write(offset: number, src: Uint8Array): boolean;
  /** Makes every completed write durable (fdatasync). False on an I/O error. */
  flush(): boolean;
  /** Closes the file; later calls do nothing. */
  close(): void;
}

/** One `--drive` (or config `drives:` entry) after the core opened its image. */
export interface Drive {
  /** "drive0", "drive1", ... in the order given. */
  readonly id: string;
  readonly image: BlockImage;
  /**
   * Options the core does not interpret, for the slot and the model: `transport` (virtio:
   * "legacy" | "modern"), `serial` (the id string a guest can read, at most 20 bytes).
   */
  readonly options: Readonly<Record<string, string>>;
}

/** What a slot device offers (`Device.slot`): one model at a time. */
export interface DeviceSlot {
  /** Interface its models speak, e.g. "virtio"; matches `BackendType.interface` and `--drive if=`. */
  readonly interface: string;
  /** True once a model is attached. */
  readonly occupied: boolean;
  /**
   * Builds `type`'s model for `drive` and plugs it in (at build time, before the machine runs).
   * Throws an `Error` for options it rejects; the core reports it as bad input naming the drive.
   */
  attach(type: BackendType, drive: Drive): void;
  /**
   * Unplugs the attached model and returns it (undefined when empty), for a device that moves a
   * model between slots of one interface at run time (the Pi's GPIO moves the SD card between
   * the SDHCI and the SDHOST controllers, as QEMU's sdbus_reparent_card). Optional.
   */
  take?(): unknown;
  /** Plugs in a model another slot of the same interface gave up with `take()`, as it was. Optional. */
  put?(model: unknown): void;
}

/** A device model that plugs into a slot rather than sitting on the bus (virtio-blk into virtio-mmio). */
export interface BackendType {
  /** Type name, e.g. "virtio-blk". */
  readonly type: string;
  readonly description: string;
  /** The slot interface it plugs into ("virtio"). */
  readonly interface: string;
  /** What it is made from; "disk" models are built for `--drive`. */
  readonly media: 'disk';
  /** Builds the model; `host` is what the slot interface hands its models, the result goes back to the slot. */
  create(host: unknown, drive: Drive): unknown;
}

/**
 * A device type, registered with `api.defineDevice`:
 *
 *   api.defineDevice({
 *     type: 'my-timer',
 *     description: 'one-shot timer',
 *     props: { periodNs: api.prop.int({ default: 1000, min: 1, description: 'period in ns' }) },
 *     outputs: { irq: { description: 'raised when the period ends' } },
 *     create(ctx) {
 *       const irq = ctx.output('irq');                       // ctx.props.periodNs: number
 *       const regs = ctx.registers({ sizes: [4], aligned: true, registers: [...] });
 *       return { name: ctx.entry.name, read: (o, s) => regs.read(o, s), write: (o, s, v) => regs.write(o, s, v) };
 *     },
 *   });
 */
export interface DeviceType<S extends PropSchema = PropSchema> {
  /** Type name used in board descriptors, e.g. "ns16550a". */
  readonly type: string;
  readonly description: string;
  /** Device-tree compatible string(s): the core writes them into the device's node; `rvos plugins inspect` lists them. */
  readonly compatible?: string[];
  /** Node name in the device tree (defaults to the type). */
  readonly nodeName?: string;
  /** Props a board may give (built with `api.prop`); none when absent. */
  readonly props?: S;
  /**
   * A real-time clock: the `string` prop that holds its date at machine start, which
   * `rvos run --rtc base=` sets (QEMU's -rtc base=: `utc`, `localtime` or a date).
   */
  readonly rtcBaseProp?: string;
  /** Interrupt outputs by name, in device-tree order; none when absent. */
  readonly outputs?: Readonly<Record<string, OutputSpec>>;
  /** Access rules of windows without a register map (a map's own `sizes`/`aligned`/`extent` win). */
  readonly access?: AccessRules;
  /** Builds one device; must return an object (see `Device`). */
  create(ctx: DeviceContext<PropsOf<S>>): Device;
}

// ---------------------------------------------------------------------------------------------
// CPUs and architectures
// ---------------------------------------------------------------------------------------------

export interface RegisterValue {
  name: string;
  value: number;
  /** Bits shown, 32 or 64 (64-bit values are given as hi/lo halves). */
  width: 32 | 64;
  hi?: number;
}

export interface Cpu extends IrqSink {
  readonly id: number;
  /** Executes up to `budget` instructions; returns the number executed. Stops early on WFI/HLT or `requestExit`. */
  run(budget: number): number;
  /** True while waiting for an interrupt (WFI). */
  readonly waiting: boolean;
  /** True while the CPU is held off (not started, e.g. secondary cores before release). */
  readonly stopped: boolean;
  /** Makes `run` return at the next instruction boundary. */
  requestExit(): void;
  /**
   * Lowers the budget of the `run()` call in progress to `steps` instructions counted from the
   * start of that call (never raises it); once past it, `run` returns after the current
   * instruction. The machine calls it from inside `run()` when a device arms a timer due before
   * the slice would end, so the interrupt arrives at its deadline. It must cost nothing per
   * instruction: check it where `requestExit` is checked.
   */
  limitRun(steps: number): void;
  reset(): void;
  pc: number;
  /** General register access for boot protocols and debuggers (index per arch numbering). */
  getReg(index: number): number;
  setReg(index: number, value: number): void;
  /**
   * Instructions retired since reset (a double, to stay exact past 2^32). Must be current at any
   * device access made during `run()`: the clock derives mid-slice time from it.
   */
  readonly retired: number;
  /** Registers shown by the TUI: pc, general registers, privilege, key control registers. */
  inspect(): RegisterValue[];
  /** Privilege level / exception level name for the status line. */
  privilegeName(): string;
  /** What a debugger (the GDB stub, `rvos run --gdb`) needs; absent on CPUs that offer none. */
  readonly debug?: CpuDebug;
}

// ---------------------------------------------------------------------------------------------
// Debugging (the GDB remote stub): what a CPU offers a debugger
// ---------------------------------------------------------------------------------------------

/** A kind of watchpoint, as GDB's Z2 (write), Z3 (read) and Z4 (access). */
export type WatchKind = 'write' | 'read' | 'access';

/** Why `Cpu.run` returned for the debugger (read from `CpuDebug.stop`). */
export type DebugStop =
  /** The next instruction is at a breakpoint address; it has not executed. */
  | { kind: 'breakpoint'; address: bigint }
  /**
   * A data access hit a watchpoint. `address` is the accessed (virtual) address. Whether the
   * access and its instruction completed is the architecture's GDB convention, as QEMU 7.2's:
   * after them on x86 (a data breakpoint traps); before them (nothing done, pc at the
   * instruction) on AArch64 and RISC-V, whose GDB removes the watchpoint and steps the
   * instruction itself.
   */
  | { kind: WatchKind; address: bigint };

/** One data watchpoint: `length` bytes from the virtual address `address`. */
export interface Watchpoint {
  address: bigint;
  length: number;
  kind: WatchKind;
}

/**
 * The debugger's side of a CPU. Addresses are virtual, 64-bit as bigint (the stub is not hot). Breakpoints and
 * watchpoints must be exact whatever the CPU runs (interpreter or compiled blocks) and cost nothing while
 * none is set. Register numbers are GDB's: the order of the target description (`ArchDebug.targetXml`).
 */
export interface CpuDebug {
  /** Register `regnum` as bytes in target order (little-endian here); undefined when there is no such register. */
  readRegister(regnum: number): Uint8Array | undefined;
  /** Writes register `regnum` from target-order bytes; false when it does not exist or cannot be written. */
  writeRegister(regnum: number, bytes: Uint8Array): boolean;
  /** The address of the next instruction, as the debugger sees it (virtual; x86: the linear CS.base + EIP). */
  readonly pc: bigint;
  /**
   * Translates a virtual address with the CPU's current translation regime for a debugger access
   * (`monitor`-free default of GDB's memory packets): no side effects (no A/D bits, no TLB fill,
   * no fault, no trap event). Returns the physical address, or -1 when unmapped. Permissions are
   * not checked, as QEMU's debugger accesses: GDB may write breakpoints into read-only code.
   */
  translate(vaddr: bigint, write: boolean): number;
  /** `monitor info mmu ADDR`: the table walk for `vaddr`, one line per level, ending with the result. */
  describeTranslation(vaddr: bigint): string[];
  /**
   * The breakpoint addresses (GDB's Z0 and Z1 together): `run` stops before executing an
   * instruction at one of them, with `stop` set, without executing it (so a `run(1)` on a
   * breakpoint returns 0). Replaces the previous set; empty clears.
   */
  setBreakpoints(addresses: readonly bigint[]): void;
  /** The data watchpoints (Z2-Z4); replaces the previous set. `run` stops on a hit with `stop` set. */
  setWatchpoints(watchpoints: readonly Watchpoint[]): void;
  /**
   * While true, `run` takes no asynchronous interrupt (QEMU's default for GDB single steps:
   * SSTEP_NOIRQ), so a `stepi` lands on the next instruction, not in an interrupt handler.
   * Synchronous exceptions (a system call, a fault) are still taken: a step over `ecall`, `svc`
   * or `int 0x80` lands in the kernel's handler.
   */
  maskInterrupts: boolean;
  /** Set by `run` when it returned because of a breakpoint or watchpoint; the debugger clears it. */
  stop: DebugStop | undefined;
}

/** What an architecture gives the GDB stub (`ArchType.debug`). */
export interface ArchDebug {
  /** The target description: document name ("target.xml", and the files it includes) to XML text. */
  readonly targetXml: Readonly<Record<string, string>>;
  /**
   * How many registers, from regnum 0, GDB's `g` packet holds (the core set of the description);
   * the others are read one at a time with `p`.
   */
  readonly gRegisters: number;
  /** The breakpoint instruction length GDB gives in Z0 (`kind`), for checking; informative. */
  readonly breakpointKinds?: readonly number[];
}

/**
 * How CPUs execute guest code (`rvos run --engine`): `jit` translates hot code where the architecture
 * has a translator (rv32's block compiler and aarch64's region translator today) and interprets the rest; `interp` only interprets.
 * Both give the same instruction counts, registers and transcripts (test/machine/engine-diff.test.ts).
 */
export type Engine = 'interp' | 'jit';

/**
 * The translation engine the core lends every CPU (src/core/jit/): the code cache keyed by
 * physical page, and the compiler of translated JavaScript. The arch supplies the translator:
 * what to decode, what source to generate, when a start is hot.
 */
export interface JitKit {
  /** A new code cache (one per CPU: its decoded slots and translations). */
  codeCache<T>(options: CodeCacheOptions): CodeCache<T>;
  /**
   * The factory for a translation's `source`: the body of a function of `params` returning the
   * translated function. Memoized by source, so code translated again reuses V8's work.
   */
  factory<F extends (...args: never[]) => unknown>(params: readonly string[], source: string): F;
  /**
   * Turns V8's on-stack replacement off for the process, as the first `factory` call does: for a CPU
   * that will translate, before its interpreter's first long run (which V8 would otherwise compile
   * a second time, for OSR, though the next call gets the normal compile).
   */
  noOsr(): void;
  /**
   * A private bus with `size` bytes of RAM at `base`, its clock and events: for a CPU type that
   * warms itself up on a scratch instance (V8 type feedback) without touching any machine. The
   * core's own classes, so the feedback is the real machines' (a plugin's copy would not be).
   * `device`, when given, is mapped at `device.base` (`device.size` bytes): MMIO for the warm-up.
   */
  scratch(base: number, size: number, device?: { base: number; size: number; device: Device }): { bus: Bus; clock: Clock; events: EventSink };
  /**
   * How long a new CPU's first interpreter calls run: `singleCalls` calls of one instruction, then up
   * to `warmUpAt` retired instructions, where `warmUp` (the CPU type's interpreter warm-up) runs.
   */
  firstCalls(singleCalls: number, warmUpAt: number, warmUp: () => void): FirstCalls;
  /** A new gate for a CPU type's warm-up, which then runs once per process (src/core/jit/warm-up.ts). */
  warmUpOnce(): WarmUpGate;
  /** A warm-up's scratch machine: `size` bytes of RAM at `base`, a device page at `deviceBase` that reads 0 and ignores writes. */
  scratchMachine(base: number, size: number, deviceBase: number): ScratchMachine;
  /** The WebAssembly encoder (src/core/jit/wasm-module.ts), for translators to wasm. */
  readonly wasm: WasmKit;
}

/**
 * A CPU's first interpreter calls (JitKit.firstCalls, src/core/jit/first-calls.ts): its run loop asks
 * `steps` for each call's length until `done`, then passes its budget straight on.
 */
export interface FirstCalls {
  /** True once the single-instruction calls and the warm-up are behind. */
  readonly done: boolean;
  /** The length of the next call, `steps` left in the run, the CPU having retired `retired`. */
  steps(retired: number, steps: number): number;
  /** Neither single steps nor the warm-up stop (a warm-up's own scratch CPU). */
  skip(): void;
}

/** A CPU type's interpreter warm-up, run once per process (JitKit.warmUpOnce). */
export interface WarmUpGate {
  /** Runs `warmUp` unless this gate has (even if it threw); keeps the scratch CPUs it returns alive. */
  run(warmUp: () => readonly unknown[]): void;
  /** Whether the warm-up has run (tests). */
  readonly done: boolean;
}

/** A warm-up's scratch machine (JitKit.scratchMachine). */
export interface ScratchMachine {
  /** The device page's accesses (tests: the warm-up reached the MMIO path). */
  readonly device: { readonly accesses: number };
  readonly bus: Bus;
  /** The context of a scratch CPU under `engine` on this machine. */
  context(engine: 'interp' | 'jit'): CpuContext;
}

/** What `JitKit.wasm` lends: the encoder's classes and constants, and the memoized compile. */
export interface WasmKit {
  readonly op: typeof WasmOp;
  readonly I32: typeof I32;
  readonly I64: typeof I64;
  /** `dry`: a function body that writes no byte, for a scan (WasmCode's constructor). */
  code(params: readonly WasmType[], results: readonly WasmType[], dry?: boolean): WasmCode;
  /** `indirect`: host functions called through an imported table instead (no import wrapper compiled per module: WasmIndirect). */
  module(code: WasmCode, imports?: readonly WasmImport[], indirect?: WasmIndirect): Uint8Array;
  /** The type index of `indirect.types[k]` in a module with `imports` function imports (WasmCode.callIndirect). */
  indirectType(imports: number, k: number): number;
  compile(bytes: Uint8Array): WebAssembly.Module;
  /** What `make` builds for `module` and `owner` (a CPU: its instance, a wrapper), made once per pair. */
  instanceFor<T>(module: WebAssembly.Module, owner: object, make: () => T): T;
  /** `fn` (`params` i32s to an i32) as a wasm function for region modules to import (no wasm-to-JavaScript wrapper per module). */
  hostFunction(fn: (...args: number[]) => number | boolean, params: number, memory: WebAssembly.Memory): WebAssembly.ExportValue;
  /** A CPU's table of host functions (slot k: fns[k] as hostFunction) for region modules to call with `call_indirect`. */
  hostTable(fns: readonly HostFunction[], memory: WebAssembly.Memory): WebAssembly.Table;
  /** The `indirect` of module() for a hostTable of `fns` imported as `env.<table>`. */
  hostIndirect(table: string, fns: readonly Pick<HostFunction, 'params'>[]): WasmIndirect;
}
export const ENGINES: readonly Engine[] = ['interp', 'jit'];

export interface CpuContext {
  readonly id: number;
  /**
   * The engine the user chose (`--engine`); absent = the architecture's default (its translator,
   * unless the board turns it off, e.g. rv32's `cpu.jit: false`). An architecture without a
   * translator interprets whatever this says.
   */
  readonly engine?: Engine;
  /** The core's translation engine (code cache, compiler); see `JitKit`. */
  readonly jit: JitKit;
  readonly bus: Bus;
  /**
   * The I/O port space (IN/OUT); empty on boards without `io` windows. Always present in
   * machines rvos builds (optional so unit tests may build a bare context).
   */
  readonly io?: PortSpace;
  /**
   * The interrupt-acknowledge cycle on this CPU's input `input` (x86 INTR): the vector the
   * controller driving it answers (`DeviceContext.onAcknowledge`), or -1 when it gives none.
   * Always present in machines rvos builds (optional so unit tests may build a bare context).
   */
  acknowledge?(input: string): number;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly machine: MachineControl;
  /** Architecture options from the board's `cpu` section (isa string, timebase, ...). */
  readonly props: Record<string, unknown>;
  /**
   * Every CPU of the machine in id order, this one included, for what one core signals to all
   * (Arm's SEV). Filled as the CPUs are created: read it when running, not in `createCpu`.
   * Always present in machines rvos builds (optional so unit tests may build a bare context).
   */
  readonly cpus?: readonly Cpu[];
  /**
   * The line of this CPU's interrupt output `name` (declared in `ArchType.cpuOutputs`; the Arm
   * generic timer's), wired where the board's `cpu: { irq: ... }` says; a line that goes nowhere
   * when the board leaves it unconnected. An undeclared name throws. Always present in machines
   * rvos builds (optional so unit tests may build a bare context).
   */
  output?(name: string): IrqLine;
  /**
   * Present when the user asked for semihosting (`rvos run --semihosting`, QEMU's `-semihosting`):
   * the host side of the architecture's semihosting calls (Arm: HLT #0xF000). Absent, those
   * instructions behave as the architecture says without a debugger (usually an exception).
   */
  readonly semihosting?: SemihostingHost;
}

/** What semihosting calls reach on the host. */
export interface SemihostingHost {
  /** SYS_WRITEC / SYS_WRITE0 / SYS_WRITE to the console: the host's standard error, as QEMU's. */
  write(bytes: Uint8Array): void;
  /** SYS_EXIT / SYS_EXIT_EXTENDED: the guest powers off with this exit code. */
  exit(code: number, reason: string): void;
}

/**
 * A loaded image. Virtual addresses (`entry`, `vlow`/`vhigh`, `symbols`) of a 64-bit image are
 * signed numbers (two's complement), so canonical high-half addresses stay exact: 0xffff000000081234
 * is -0xffffff7edcc. Addresses a 64-bit CPU reports at the edges (trap pc, `Cpu.pc` for debuggers)
 * follow the same rule.
 */
export interface ElfInfo {
  entry: number;
  /** Lowest and highest virtual addresses of the loaded segments (ELF only; equal to low/high when identity-mapped). */
  vlow?: number;
  vhigh?: number;
  /** Lowest and highest loaded physical addresses. */
  low: number;
  high: number;
  symbols: Map<string, number>;
  path: string;
  /**
   * True when the file was an ELF (loaded at its physical addresses), false for a raw image
   * loaded at the address asked for. Boot protocols start the two differently (QEMU's Arm boot
   * treats an ELF as bare-metal and a raw image as a Linux-style kernel).
   */
  elf: boolean;
}

/** An input file a boot protocol opened (BootContext.openFile). */
export interface BootFile {
  readonly path: string;
  readonly size: number;
  /** `length` bytes from `offset` (a header); the caller keeps within `size`. */
  read(offset: number, length: number): Uint8Array;
  /** The file's bytes from `offset` (default 0) on, into RAM at `address`; false, nothing written, where that is not all RAM. */
  loadAt(address: number, offset?: number): boolean;
}

/** A boot module (multiboot): a file the loader places in RAM and its command line. */
export interface BootModule {
  readonly path: string;
  /** The module's command line: what follows the first comma of `FILE,cmdline` ('' when none). */
  readonly cmdline: string;
}

/** Everything an architecture needs to boot a machine; the core prepares it from board + flags. */
export interface BootContext {
  readonly cpus: Cpu[];
  readonly bus: Bus;
  readonly dtb: Uint8Array;
  /** Loads a file as ELF (if it is one) or raw at `rawAddress`. Returns where it went. */
  loadImage(path: string, rawAddress: number): ElfInfo;
  /** Adds a small ROM region (reset vector, boot stubs) to the bus. */
  addRom(name: string, base: number, bytes: Uint8Array): void;
  readonly firmware?: string;
  readonly kernel?: string;
  readonly bootargs?: string;
  /** An initial ramdisk for the kernel (`rvos run --initrd FILE`, QEMU's -initrd); the protocol places it. */
  readonly initrd?: string;
  /**
   * Boot modules for the kernel (`rvos run --module FILE[,cmdline]`, repeatable, as GRUB's
   * `module2`; else the board's `boot.modules`), in order; protocols without modules reject them.
   */
  readonly modules?: readonly BootModule[];
  /** Raw kernel load address from the board, if given. */
  readonly kernelAddress?: number;
  /**
   * The RAM the kernel is told about, from the RAM's base (device tree /memory, ATAGS): the whole
   * RAM less the board's `boot.reservedTop` (the Pi's VideoCore memory, as QEMU's raspi boot).
   */
  readonly bootRamSize: number;
  readonly props: Record<string, unknown>;
  /**
   * Reads a whole input file (kernel, initrd) for a protocol that parses or places it itself; at
   * most the RAM's size. A missing, unreadable or larger file is bad input (exit 2, one line).
   */
  readFile(path: string): Uint8Array;
  /**
   * Opens an input file (kernel, initrd) for a protocol that places it itself: its size, its header bytes, and
   * `loadAt` to read it straight into RAM (no copy between: a 30 MiB initrd costs its host pages once, not twice).
   * At most the RAM's size; a missing, unreadable or larger file is bad input (exit 2, one line). Closed once the
   * boot is done.
   */
  openFile(path: string): BootFile;
  /** Stops the boot as bad input (exit 2) with one line: `rvos: MESSAGE`. For images the protocol rejects. */
  badInput(message: string): never;
  /**
   * `dtb` with boot-time fix-ups, as QEMU makes them with libfdt before a kernel gets the tree:
   * /chosen properties (`bootargs`, `linux,initrd-start`/`-end`), the root's memory nodes replaced by
   * one /memory@BASE, free space at the end. New properties and nodes go first, existing ones keep
   * their place. Returns a new blob (`dtb` itself is unchanged); a board without a device tree or a
   * tree that cannot be edited is bad input (exit 2, one line naming where the tree came from).
   */
  editDtb(edits: DtbEdits): Uint8Array;
}

/** What `ArchType.attach` gets: the running machine's bus, control, events and console. */
export interface ArchMachineContext {
  readonly bus: Bus;
  readonly machine: MachineControl;
  readonly events: EventSink;
  /** The console device's backend, if the board has a console. */
  readonly console: CharBackend | undefined;
  /** Calls `fn` after every slice of CPU execution (to poll guest-memory mailboxes). */
  afterSlice(fn: () => void): void;
}

export interface BootResult {
  /** Images loaded, in order (firmware first), for symbolizing and the arch's `attach`. */
  images: ElfInfo[];
  /** Where the DTB was placed. */
  dtbAddress: number;
}

export interface ArchType {
  /** Architecture name used in boards, e.g. "rv32". */
  readonly type: string;
  readonly description: string;
  /** ELF e_machine and class (1 = 32-bit, 2 = 64-bit) accepted by the loader. */
  readonly elfMachine: number;
  readonly elfClass: 1 | 2;
  /**
   * Names after which this architecture's software prints code addresses (`sepc=0x...`,
   * `ELR_EL1=0x...`): the console appends `<function+offset>` to them. Default: `pc`.
   */
  readonly consoleAddressKeywords?: readonly string[];
  /**
   * Interrupt outputs every CPU drives (the Arm generic timer: `cntpns`, `cntv` ...): a board
   * wires them with `cpu: { irq: { cntv: local:cntvirq$cpu } }`; the CPU gets them from `ctx.output`.
   */
  readonly cpuOutputs?: Readonly<Record<string, OutputSpec>>;
  /**
   * True when its CPUs honour PAGE_HOLE (see `Bus.pageFlags`), so boards may give `memory.holes`
   * (the PC's 640 KiB-1 MiB window for VGA memory and BIOS ROM).
   */
  readonly memoryHoles?: boolean;
  /**
   * True when its translator can compile to WebAssembly over guest RAM in a wasm memory (`Ram.wasm`):
   * machines of it that translate then get such RAM, unless `wasmRamWanted` (bus.ts) says no.
   */
  readonly wasmRegions?: boolean;
  /** What the GDB stub needs about this architecture (target description); its CPUs give `Cpu.debug`. */
  readonly debug?: ArchDebug;
  createCpu(ctx: CpuContext): Cpu;
  /** Fills /cpus in the device tree. Returns each CPU's interrupt-controller phandle (for interrupts-extended). */
  deviceTreeCpus(root: FdtNode, cpus: Cpu[], props: Record<string, unknown>, allocPhandle: () => number): number[];
  /** Interrupt-specifier cells of a CPU input name (e.g. "mtip" -> [7]). */
  cpuInterruptCells(input: string): number[];
  /**
   * The architecture's default boot protocol: loads firmware/kernel and sets the CPUs' entry state.
   * A board may choose another with `boot: { protocol: NAME }` (see `BootProtocol`).
   */
  boot(ctx: BootContext): BootResult;
  /**
   * Called once, after the first boot, for machine-wide services an architecture's software
   * expects beyond devices (RISC-V: HTIF through the `tohost` symbol of a loaded ELF).
   */
  attach?(ctx: ArchMachineContext, images: ElfInfo[]): void;
}

/**
 * A way of starting a machine's software, chosen by a board (`boot: { protocol: NAME }`): where
 * firmware and kernel go, the CPUs' entry state, what they find in registers and memory (QEMU's
 * RISC-V reset ROM + fw_dynamic, a Pi's spin table, the arm64 Linux Image protocol, multiboot).
 * Registered with `api.defineBoot`; runs at build time and again after every machine reset.
 */
export interface BootProtocol {
  /** Name boards use, e.g. "riscv-virt-rom". */
  readonly name: string;
  readonly description: string;
  /** Architectures it can start (a board of another arch naming it is bad input); all when absent. */
  readonly archs?: readonly string[];
  boot(ctx: BootContext): BootResult;
}

// ---------------------------------------------------------------------------------------------
// What a plugin's entry module gets
// ---------------------------------------------------------------------------------------------

export interface PluginApi {
  readonly apiVersion: number;
  defineDevice<S extends PropSchema>(type: DeviceType<S>): void;
  defineArch(type: ArchType): void;
  /** Registers a model that plugs into slot devices (see `BackendType`). */
  defineBackend(type: BackendType): void;
  /** Registers a boot protocol boards can choose (see `BootProtocol`); arch and mixed plugins. */
  defineBoot(protocol: BootProtocol): void;
  /** Builders for `DeviceType.props` (see `PropKit`). */
  readonly prop: PropKit;
}

/**
 * A plugin entry module exports `register`. It may be async: the core awaits it. A register()
 * (or an entry module) that throws, rejects or never settles is a `PluginError` (exit 71).
 */
export type PluginRegister = (api: PluginApi) => void | Promise<void>;
