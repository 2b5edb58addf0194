import type { AccessRules, AccessSize, Bus, Device, EventSink, PortSpace, Ram, WasmRam } from './api.js';
import { CODE_LINE_SHIFT, PAGE_CODE, PAGE_HOLE, PAGE_SHIFT, PAGE_WATCH } from './api.js';
import type { RegisterMap } from './regmap.js';
import { bulkMemory, guestMemory, type BulkMemory } from './jit/wasm-module.js';

/** One mapped window of the physical address space. */
export interface Region {
  name: string;
  base: number;
  size: number;
  /** Backing bytes for RAM/ROM regions. */
  bytes?: Uint8Array;
  /** A piece of main RAM (stores to it run the code/watch hooks). */
  ram?: boolean;
  readOnly?: boolean;
  device?: Device;
  /** Index of this window in the device's `reg` list. */
  index: number;
  /** Register map of this window, when the device declared one (names for traces). */
  regs?: RegisterMap;
  /** Accesses the device accepts; the bus refuses the others without calling it. */
  access?: AccessRules;
  /** Name of the plugin providing the device (for failure messages). */
  plugin?: string;
}

/** A device method that threw during an access (see `PhysicalBus.onDeviceError`). */
export interface DeviceAccessFailure {
  region: Region;
  addr: number;
  offset: number;
  size: AccessSize;
  write: boolean;
  value: number;
  error: unknown;
}

/** Why `rules` refuse an access, or undefined when they accept it. */
export function refusal(rules: AccessRules | undefined, offset: number, size: AccessSize): string | undefined {
  if (!rules) return undefined;
  if (rules.extent !== undefined && offset >= rules.extent) return `beyond the 0x${rules.extent.toString(16)} bytes it decodes`;
  if (rules.sizes && !rules.sizes.includes(size)) return `it accepts ${rules.sizes.join('/')}-byte accesses only`;
  if (rules.aligned && offset % size !== 0) return 'misaligned';
  return undefined;
}

/**
 * Whether RAM for a translator to wasm (ArchType.wasmRegions) goes in a wasm memory: RVOS_JIT_WASM=1
 * or 0 decides; by default yes, unless this process was started with glibc's huge-page tunable for
 * guest RAM (bin/huge-pages.js does so for a command line whose run touched much RAM before): V8
 * maps a wasm memory itself, where the tunable does not reach, and a guest that touches all its
 * RAM (the virt OS boot) then pays a host page fault per 4 KiB page, about 0.3-0.5 s per 128 MiB on
 * the 2-core VM, more than the wasm regions save it. The compute kernel touches little RAM.
 */
export function wasmRamWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.RVOS_JIT_WASM === '1') return true;
  if (env.RVOS_JIT_WASM === '0') return false;
  return !env.GLIBC_TUNABLES?.includes('glibc.malloc.hugetlb');
}

/**
 * `size` bytes of zeroed RAM at `base`: with `wasm` in a shared `WebAssembly.Memory` laid out as `WasmRam`
 * says (an ArrayBuffer when that cannot be had); else in an ArrayBuffer (malloc'd, so glibc's
 * huge-page tunable applies to it).
 */
export function createRam(base: number, size: number, wasm = wasmRamWanted()): Ram {
  const inWasm = wasm ? wasmMemory(size) : undefined;
  const wasmRam = inWasm?.ram;
  const buffer: ArrayBufferLike = wasmRam !== undefined ? wasmRam.memory.buffer : new ArrayBuffer(size);
  const u8 = new Uint8Array(buffer, 0, size);
  const bulk: BulkMemory = inWasm?.bulk ?? { fill: (off, byte, len) => u8.fill(byte, off, off + len), copy: (to, from, len) => u8.copyWithin(to, from, from + len) };
  return {
    base,
    size,
    u8,
    u16: new Uint16Array(buffer, 0, size >>> 1),
    i32: new Int32Array(buffer, 0, size >>> 2),
    view: new DataView(buffer, 0, size),
    wasm: wasmRam,
    fill: bulk.fill,
    copy: bulk.copy,
  };
}

const WASM_PAGE = 65536;
const WASM_CPU_AREA = 65536;
/** CPUs with a host area (the pages of the unused ones are never touched). */
const WASM_CPU_AREAS = 8;

/** A wasm memory for `size` bytes of RAM and what follows it (WasmRam), and its bulk operations; undefined when it cannot be had (past 4 GiB). */
function wasmMemory(size: number): { ram: WasmRam; bulk: BulkMemory } | undefined {
  const flags = roundUp(size, WASM_PAGE);
  const codeLines = roundUp(flags + Math.ceil(size / 4096), 4096);
  const cpuArea = roundUp(codeLines + Math.ceil(size / (1 << CODE_LINE_SHIFT)), WASM_PAGE);
  let memory: WebAssembly.Memory;
  try {
    memory = guestMemory((cpuArea + WASM_CPU_AREA * WASM_CPU_AREAS) / WASM_PAGE);
  } catch {
    return undefined;
  }
  const bulk = bulkMemory(memory);
  const ram: WasmRam = {
    memory,
    fill: bulk.fill,
    flags,
    codeLines,
    cpuArea,
    cpuAreaSize: WASM_CPU_AREA,
    cpuAreas: WASM_CPU_AREAS,
    claimed: 0,
    claim(bytes) {
      if (bytes > WASM_CPU_AREA || ram.claimed >= WASM_CPU_AREAS) return null;
      const area = cpuArea + WASM_CPU_AREA * ram.claimed++;
      return { memory, area, flags, codeLines, area32: new Int32Array(memory.buffer, area, bytes >> 2) };
    },
  };
  return { ram, bulk };
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/**
 * Windows of an address space held by devices and byte arrays (RAM pieces, ROMs): mapping with
 * overlap checks, lookup, and the device access path with its rules, traces and failure handling.
 * The memory bus and the I/O port space differ only in what an access to nothing does.
 */
abstract class WindowSpace {
  fault = false;
  protected readonly regions: Region[] = [];
  private last: Region | undefined;
  /**
   * Called when a device's read/write throws (the plugin's fault, not the guest's). The space then
   * sets `fault` so the access ends as an access fault, and carries on; the handler stops the
   * machine. Without a handler the exception propagates.
   */
  onDeviceError: ((failure: DeviceAccessFailure) => void) | undefined;

  constructor(protected readonly events: EventSink) {}

  /** Adds a window; throws a message naming both parties if it overlaps an existing one. */
  map(region: Region): void {
    for (const r of this.regions) {
      if (region.base < r.base + r.size && r.base < region.base + region.size) {
        throw new Error(`${region.name} at ${hex(region.base)} (size ${hex(region.size)}) overlaps ${r.name} at ${hex(r.base)} (size ${hex(r.size)})`);
      }
    }
    this.regions.push(region);
    this.regions.sort((a, b) => a.base - b.base);
  }

  list(): readonly Region[] {
    return this.regions;
  }

  /** Finds the window holding `addr`. */
  find(addr: number): Region | undefined {
    const last = this.last;
    if (last && addr >= last.base && addr - last.base < last.size) return last;
    const regions = this.regions;
    for (let i = 0; i < regions.length; i++) {
      const r = regions[i];
      if (addr >= r.base && addr - r.base < r.size) return (this.last = r);
    }
    return undefined;
  }

  read(addr: number, size: AccessSize): number {
    const r = this.find(addr);
    if (!r || addr - r.base + size > r.size) return this.unmapped(addr, size, false, 0);
    const off = addr - r.base;
    if (r.bytes) return readLE(r.bytes, off, size);
    const dev = r.device!;
    if (!dev.read) return this.unmapped(addr, size, false, 0);
    const refused = refusal(r.access, off, size);
    if (refused !== undefined) return this.unmapped(addr, size, false, 0, r.name, refused);
    let value: number;
    try {
      value = fitToSize(dev.read(off, size, r.index), size);
    } catch (error) {
      return this.deviceFailed({ region: r, addr, offset: off, size, write: false, value: 0, error });
    }
    if (this.events.wants('mmio')) this.traceMmio(r, off, size, false, value);
    return value;
  }

  write(addr: number, size: AccessSize, value: number): void {
    // A CPU hands over a whole register (sb of 0x80 from a sign-extended byte is 0xffffff80);
    // devices and traces see only the bytes written.
    value = fitToSize(value, size);
    const r = this.find(addr);
    if (!r || addr - r.base + size > r.size) {
      this.unmapped(addr, size, true, value);
      return;
    }
    const off = addr - r.base;
    if (r.bytes) {
      if (r.readOnly) {
        this.fault = true;
        return;
      }
      writeLE(r.bytes, off, size, value);
      if (r.ram) this.ramStored(addr, size);
      return;
    }
    const dev = r.device!;
    if (!dev.write) {
      this.unmapped(addr, size, true, value);
      return;
    }
    const refused = refusal(r.access, off, size);
    if (refused !== undefined) {
      this.unmapped(addr, size, true, value, r.name, refused);
      return;
    }
    if (this.events.wants('mmio')) this.traceMmio(r, off, size, true, value);
    try {
      dev.write(off, size, value, r.index);
    } catch (error) {
      this.deviceFailed({ region: r, addr, offset: off, size, write: true, value, error });
    }
  }

  /** A store reached a RAM window (only the memory bus has them). */
  protected ramStored(_addr: number, _size: number): void {}

  /** An access nobody takes: what it reads (the memory bus faults, the port space reads all ones). */
  protected abstract unmapped(addr: number, size: number, write: boolean, value: number, device?: string, reason?: string): number;

  private deviceFailed(failure: DeviceAccessFailure): number {
    if (!this.onDeviceError) throw failure.error;
    this.fault = true;
    this.onDeviceError(failure);
    return 0;
  }

  protected traceUnmapped(addr: number, size: number, write: boolean, value: number, device?: string, reason?: string, io?: boolean): void {
    if (!this.events.wants('unmapped')) return;
    const event: { addr: number; size: number; write: boolean; value: number; device?: string; reason?: string; io?: boolean } = { addr, size, write, value: value >>> 0 };
    if (device !== undefined) (event.device = device), (event.reason = reason);
    if (io) event.io = true;
    this.events.emit('unmapped', event);
  }

  private traceMmio(r: Region, offset: number, size: number, write: boolean, value: number): void {
    const register = r.regs?.nameAt(offset) ?? `+${hex(offset)}`;
    this.events.emit('mmio', { device: r.name, offset, register, size, write, value: value >>> 0 });
  }
}

/**
 * The physical address space: main RAM (which CPUs access directly through typed arrays on their
 * fast path), small ROMs and device windows. Overlapping windows are rejected when mapped.
 * `holes` are page-aligned ranges of RAM's span that are not RAM (PAGE_HOLE): devices and ROMs
 * map there, as in the PC's 640 KiB-1 MiB window.
 */
export class PhysicalBus extends WindowSpace implements Bus {
  readonly pageFlags: Uint8Array;
  private readonly codeListeners: Array<(page: number) => void> = [];
  private readonly watchers: Array<{ start: number; end: number; fn: (addr: number, size: number) => void }> = [];

  constructor(
    readonly ram: Ram,
    events: EventSink,
    holes: ReadonlyArray<readonly [number, number]> = [],
  ) {
    super(events);
    const pages = Math.ceil(ram.size / 4096);
    this.pageFlags = ram.wasm ? new Uint8Array(ram.wasm.memory.buffer, ram.wasm.flags, pages) : new Uint8Array(pages);
    let at = ram.base;
    const end = ram.base + ram.size;
    for (const [base, size] of [...holes].sort((a, b) => a[0] - b[0])) {
      if (base > at) this.mapRam(at, base);
      for (let page = (base - ram.base) >>> PAGE_SHIFT; page < (base + size - ram.base) >>> PAGE_SHIFT; page++) this.pageFlags[page] |= PAGE_HOLE;
      at = base + size;
    }
    if (at < end) this.mapRam(at, end);
  }

  private mapRam(start: number, end: number): void {
    const off = start - this.ram.base;
    this.map({ name: 'ram', base: start, size: end - start, bytes: this.ram.u8.subarray(off, off + end - start), ram: true, index: 0 });
  }

  protected override ramStored(addr: number, size: number): void {
    if (this.pageFlags[(addr - this.ram.base) >>> PAGE_SHIFT] & (PAGE_CODE | PAGE_WATCH)) this.ramStoreHook(addr, size);
  }

  protected unmapped(addr: number, size: number, write: boolean, value: number, device?: string, reason?: string): number {
    this.fault = true;
    this.traceUnmapped(addr, size, write, value, device, reason);
    return 0;
  }

  ramStoreHook(addr: number, size: number): void {
    const first = (addr - this.ram.base) >>> PAGE_SHIFT;
    const lastPage = (addr + size - 1 - this.ram.base) >>> PAGE_SHIFT;
    // Indexed loops, here and in find(): this runs at every store to a code page, long in V8's baseline tier
    // in an OS boot, where `for...of` allocates an iterator per call (the rv32 Linux boot: scavenges under it).
    const listeners = this.codeListeners;
    for (let page = first; page <= lastPage; page++) {
      const flags = this.pageFlags[page];
      if (flags & PAGE_CODE) {
        this.pageFlags[page] = flags & ~PAGE_CODE;
        for (let i = 0; i < listeners.length; i++) listeners[i](page);
      }
    }
    const watchers = this.watchers;
    for (let i = 0; i < watchers.length; i++) {
      const w = watchers[i];
      if (addr < w.end && addr + size > w.start) w.fn(addr, size);
    }
  }

  onCodeWrite(fn: (page: number) => void): void {
    this.codeListeners.push(fn);
  }

  markCode(page: number): void {
    this.pageFlags[page] |= PAGE_CODE;
  }

  /** Calls `fn` after any store that touches [addr, addr+size) in RAM. */
  watch(addr: number, size: number, fn: (addr: number, size: number) => void): void {
    this.watchers.push({ start: addr, end: addr + size, fn });
    const first = (addr - this.ram.base) >>> PAGE_SHIFT;
    const lastPage = (addr + size - 1 - this.ram.base) >>> PAGE_SHIFT;
    for (let page = first; page <= lastPage; page++) this.pageFlags[page] |= PAGE_WATCH;
  }

  /** True when [addr, addr+len) is all RAM (inside RAM's span and clear of holes). */
  private inRam(addr: number, len: number): boolean {
    if (!(addr >= this.ram.base && len >= 0 && addr - this.ram.base + len <= this.ram.size)) return false;
    if (len === 0) return true;
    const last = (addr - this.ram.base + len - 1) >>> PAGE_SHIFT;
    for (let page = (addr - this.ram.base) >>> PAGE_SHIFT; page <= last; page++) if (this.pageFlags[page] & PAGE_HOLE) return false;
    return true;
  }

  dmaRead(addr: number, dst: Uint8Array): boolean {
    if (!this.inRam(addr, dst.length)) return false;
    const off = addr - this.ram.base;
    dst.set(this.ram.u8.subarray(off, off + dst.length));
    return true;
  }

  dmaWrite(addr: number, src: Uint8Array): boolean {
    if (!this.inRam(addr, src.length)) return false;
    this.ram.u8.set(src, addr - this.ram.base);
    if (src.length > 0) this.ramStoreHook(addr, src.length);
    return true;
  }

  /**
   * Lets `fill` write `len` bytes of RAM from `addr` in place (RAM's own bytes, no copy between: an image read from
   * its file straight into RAM costs its host pages once), then tells the stores' hooks as dmaWrite would. False,
   * with nothing written, when that is not all RAM.
   */
  dmaWriteWith(addr: number, len: number, fill: (dst: Uint8Array) => void): boolean {
    if (!this.inRam(addr, len)) return false;
    const off = addr - this.ram.base;
    fill(this.ram.u8.subarray(off, off + len));
    if (len > 0) this.ramStoreHook(addr, len);
    return true;
  }

  /** Sets `len` bytes of RAM from `addr` to `byte`, as dmaWrite of that many would (false if not all RAM). */
  dmaFill(addr: number, len: number, byte: number): boolean {
    if (!this.inRam(addr, len)) return false;
    const off = addr - this.ram.base;
    this.ram.fill(off, byte, len);
    if (len > 0) this.ramStoreHook(addr, len);
    return true;
  }
}

/**
 * An I/O port space (the PC's IN/OUT ports): device windows only. As on an ISA bus, a port nobody
 * decodes reads as all ones and ignores writes, without a fault (QEMU's unassigned I/O).
 */
export class PortBus extends WindowSpace implements PortSpace {
  protected unmapped(addr: number, size: number, write: boolean, value: number, device?: string, reason?: string): number {
    this.fault = true; // for tests and tools: IN/OUT never fault
    this.traceUnmapped(addr, size, write, value, device, reason, true);
    return size === 4 ? -1 >>> 0 : size === 2 ? 0xffff : 0xff;
  }
}

/** The low `size` bytes of `value`; 4-byte values pass unchanged (signed or not, as given). */
function fitToSize(value: number, size: number): number {
  return size === 4 ? value : size === 1 ? value & 0xff : value & 0xffff;
}

export function readLE(b: Uint8Array, off: number, size: number): number {
  if (size === 1) return b[off];
  if (size === 2) return b[off] | (b[off + 1] << 8);
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

export function writeLE(b: Uint8Array, off: number, size: number, value: number): void {
  b[off] = value;
  if (size >= 2) b[off + 1] = value >>> 8;
  if (size === 4) {
    b[off + 2] = value >>> 16;
    b[off + 3] = value >>> 24;
  }
}

export function hex(x: number): string {
  return '0x' + x.toString(16);
}
