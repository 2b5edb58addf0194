import type { AccessRules, AccessSize, Bus, Device, EventSink, Ram } from './api.js';
import { PAGE_CODE, PAGE_SHIFT, PAGE_WATCH } from './api.js';
import type { RegisterMap } from './regmap.js';

/** One mapped window of the physical address space. */
export interface Region {
  name: string;
  base: number;
  size: number;
  /** Backing bytes for RAM/ROM regions. */
  bytes?: Uint8Array;
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

export function createRam(base: number, size: number): Ram {
  const buffer = new ArrayBuffer(size);
  return {
    base,
    size,
    u8: new Uint8Array(buffer),
    u16: new Uint16Array(buffer),
    i32: new Int32Array(buffer),
    view: new DataView(buffer),
  };
}

/**
 * The physical address space: main RAM (which CPUs access directly through typed arrays on their
 * fast path), small ROMs and device windows. Overlapping windows are rejected when mapped.
 */
export class PhysicalBus implements Bus {
  readonly pageFlags: Uint8Array;
  fault = false;
  private readonly regions: Region[] = [];
  private readonly codeListeners: Array<(page: number) => void> = [];
  private readonly watchers: Array<{ start: number; end: number; fn: (addr: number, size: number) => void }> = [];
  private last: Region | undefined;
  /**
   * Called when a device's read/write throws (the plugin's fault, not the guest's). The bus then
   * sets `fault` so the access ends as an access fault, and carries on; the handler stops the
   * machine. Without a handler the exception propagates.
   */
  onDeviceError: ((failure: DeviceAccessFailure) => void) | undefined;

  constructor(
    readonly ram: Ram,
    private readonly events: EventSink,
  ) {
    this.pageFlags = new Uint8Array(Math.ceil(ram.size / 4096));
    this.map({ name: 'ram', base: ram.base, size: ram.size, bytes: ram.u8, index: 0 });
  }

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
    for (const r of this.regions) {
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
      if (r.bytes === this.ram.u8 && this.pageFlags[off >>> PAGE_SHIFT] !== 0) this.ramStoreHook(addr, size);
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

  private deviceFailed(failure: DeviceAccessFailure): number {
    if (!this.onDeviceError) throw failure.error;
    this.fault = true;
    this.onDeviceError(failure);
    return 0;
  }

  ramStoreHook(addr: number, size: number): void {
    const first = (addr - this.ram.base) >>> PAGE_SHIFT;
    const lastPage = (addr + size - 1 - this.ram.base) >>> PAGE_SHIFT;
    for (let page = first; page <= lastPage; page++) {
      const flags = this.pageFlags[page];
      if (flags & PAGE_CODE) {
        this.pageFlags[page] = flags & ~PAGE_CODE;
        for (const fn of this.codeListeners) fn(page);
      }
    }
    for (const w of this.watchers) if (addr < w.end && addr + size > w.start) w.fn(addr, size);
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

  private inRam(addr: number, len: number): boolean {
    return addr >= this.ram.base && len >= 0 && addr - this.ram.base + len <= this.ram.size;
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

  private unmapped(addr: number, size: number, write: boolean, value: number, device?: string, reason?: string): number {
    this.fault = true;
    if (this.events.wants('unmapped')) {
      const masked = value >>> 0;
      this.events.emit('unmapped', device === undefined ? { addr, size, write, value: masked } : { addr, size, write, value: masked, device, reason });
    }
    return 0;
  }

  private traceMmio(r: Region, offset: number, size: number, write: boolean, value: number): void {
    const register = r.regs?.nameAt(offset) ?? `+${hex(offset)}`;
    this.events.emit('mmio', { device: r.name, offset, register, size, write, value: value >>> 0 });
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
