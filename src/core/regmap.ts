/**
 * Declarative register maps for device plugins (Renode-style): named registers and fields with
 * access modes, so that MMIO traces and the TUI can name the register a guest touched.
 *
 * A device describes its registers once (offset, width, access, reset value, write mask, computed
 * read, write side effect) and forwards its MMIO accesses to the map. The map handles the
 * tedious parts the same way for every device:
 *
 * - sub-word and unaligned-within-register accesses: a byte read of a 32-bit register returns the
 *   addressed byte, a byte write merges into the stored value (only the written byte lanes change);
 * - accesses that straddle two registers (or a register and a hole) are split into byte accesses;
 * - register arrays (`count`/`stride`) are matched arithmetically, never expanded, so a PLIC with
 *   thousands of priority/enable registers costs the same lookup as a UART;
 * - offsets no register covers read as 0 and ignore writes unless the spec gives `unmapped`
 *   handlers;
 * - `reset()` restores every stored value to its reset value.
 *
 * Width of registers is 1, 2 or 4 bytes; 64-bit device registers are declared as lo/hi pairs.
 */
import type { AccessRules, AccessSize } from './api.js';

export type RegisterAccess = 'rw' | 'ro' | 'wo' | 'w1c';

export interface FieldSpec {
  name: string;
  /** Bit range [msb, lsb] (inclusive). */
  bits: [number, number];
  /** Overrides the register's access mode for these bits. */
  access?: RegisterAccess;
}

export interface RegisterSpec {
  name: string;
  offset: number;
  /** Register width in bytes (default 4). */
  width?: 1 | 2 | 4;
  /** For register arrays: number of instances and byte stride; callbacks then get the index. */
  count?: number;
  stride?: number;
  access?: RegisterAccess;
  /** Value after reset for stored registers (no `read` callback). */
  reset?: number;
  /** Bits the guest can change (default all); others keep their value. */
  writeMask?: number;
  /** Computed read; when absent the stored value is returned. */
  read?: (index: number) => number;
  /**
   * Side effect after a write; `value` is the new (masked, merged) stored value, `written` the
   * raw bits the guest wrote shifted to their register position (unwritten byte lanes are 0) and
   * `lanes` the mask of the byte lanes the access covered (0xffffffff for a full 32-bit write).
   */
  write?: (value: number, index: number, written: number, lanes: number) => void;
  fields?: FieldSpec[];
}

/**
 * `sizes`, `aligned` and `extent` (see `AccessRules`) are the window's access rules: the bus
 * refuses other accesses (an access fault) before the device sees them.
 */
export interface RegisterMapSpec extends AccessRules {
  registers: RegisterSpec[];
  /** Behaviour at offsets no register covers (default: reads return 0, writes are ignored). */
  unmapped?: {
    read?: (offset: number, size: AccessSize) => number;
    write?: (offset: number, size: AccessSize, value: number) => void;
  };
}

export interface RegisterMap {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
  /** Stored value of a named register (index for arrays). */
  get(name: string, index?: number): number;
  /** Sets a stored value without side effects (device-internal state changes). */
  set(name: string, value: number, index?: number): void;
  /** Name of the register at `offset` ("priority[3]"), or undefined. */
  nameAt(offset: number): string | undefined;
  reset(): void;
  /** Whether an access of `size` at `offset` passes the spec's `sizes`/`aligned`/`extent` (the bus checks it). */
  accepts(offset: number, size: AccessSize): boolean;
  /** The access rules declared in the spec (what the bus enforces for this window). */
  readonly access: AccessRules;
  /** Live backing store of a register (one element per array instance) for fast device-side use. */
  values(name: string): Uint32Array;
  /** "LCR DLAB=1 WLS=3": the register at `offset` with its named fields decoded from `value`. */
  describe(offset: number, value: number): string | undefined;
}

interface Reg {
  readonly name: string;
  readonly offset: number;
  readonly width: number;
  readonly count: number;
  readonly stride: number;
  /** One past the last byte of the last instance. */
  readonly end: number;
  /** All bits of the register width. */
  readonly widthMask: number;
  /** Bits a write stores directly. */
  readonly writable: number;
  /** Bits a written 1 clears. */
  readonly w1c: number;
  /** Bits a read returns (write-only bits read as 0). */
  readonly readable: number;
  readonly resetValue: number;
  readonly values: Uint32Array;
  readonly fields: FieldSpec[];
  readonly read?: (index: number) => number;
  readonly write?: (value: number, index: number, written: number, lanes: number) => void;
}

const SIZE_MASK = [0, 0xff, 0xffff, 0, 0xffffffff];

function bitRange(msb: number, lsb: number): number {
  if (!(msb >= lsb && lsb >= 0 && msb <= 31)) throw new Error(`bad field bit range [${msb}, ${lsb}]`);
  const width = msb - lsb + 1;
  return (width === 32 ? 0xffffffff : ((1 << width) - 1) << lsb) >>> 0;
}

function compile(spec: RegisterSpec): Reg {
  const width = spec.width ?? 4;
  if (width !== 1 && width !== 2 && width !== 4) throw new Error(`register ${spec.name}: width must be 1, 2 or 4`);
  const count = spec.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`register ${spec.name}: bad count ${count}`);
  const stride = spec.stride ?? width;
  if (count > 1 && (!Number.isInteger(stride) || stride < width)) {
    throw new Error(`register ${spec.name}: stride ${stride} is smaller than the width ${width}`);
  }
  if (!Number.isInteger(spec.offset) || spec.offset < 0) throw new Error(`register ${spec.name}: bad offset`);
  const widthMask = SIZE_MASK[width];
  const writeMask = (spec.writeMask ?? 0xffffffff) & widthMask;

  // Per-bit access: start from the register's mode, then let fields override their bits.
  let writable = 0;
  let w1c = 0;
  let readable = widthMask;
  const apply = (mask: number, access: RegisterAccess) => {
    writable &= ~mask;
    w1c &= ~mask;
    readable &= ~mask;
    if (access === 'rw' || access === 'wo') writable |= mask & writeMask;
    if (access === 'w1c') w1c |= mask & writeMask;
    if (access !== 'wo') readable |= mask;
  };
  apply(widthMask, spec.access ?? 'rw');
  for (const f of spec.fields ?? []) {
    const mask = bitRange(f.bits[0], f.bits[1]) & widthMask;
    if (f.access) apply(mask, f.access);
  }
  const resetValue = ((spec.reset ?? 0) & widthMask) >>> 0;
  const values = new Uint32Array(count);
  values.fill(resetValue);
  return {
    name: spec.name,
    offset: spec.offset,
    width,
    count,
    stride: count > 1 ? stride : width,
    end: spec.offset + (count - 1) * (count > 1 ? stride : width) + width,
    widthMask,
    writable: writable >>> 0,
    w1c: w1c >>> 0,
    readable: readable >>> 0,
    resetValue,
    values,
    fields: spec.fields ?? [],
    read: spec.read,
    write: spec.write,
  };
}

class DeclaredRegisterMap implements RegisterMap {
  /** Registers sorted by first offset. */
  private readonly regs: Reg[];
  /** prefixEnd[i] = max(end) over regs[0..i]: lets the lookup stop scanning backwards early. */
  private readonly prefixEnd: number[];
  private readonly byName = new Map<string, Reg>();
  private readonly sizeOk: boolean[] = [false, true, true, false, true];
  private readonly aligned: boolean;
  private readonly extent: number;
  readonly access: AccessRules;
  private readonly unmappedRead?: (offset: number, size: AccessSize) => number;
  private readonly unmappedWrite?: (offset: number, size: AccessSize, value: number) => void;
  /** Last register hit (devices hammer the same register: status polls, THR writes). */
  private last: Reg | undefined;
  /** Results of the last `find`: instance index and byte offset inside the register. */
  private hitIndex = 0;
  private hitSub = 0;

  constructor(spec: RegisterMapSpec) {
    this.regs = spec.registers.map(compile).sort((a, b) => a.offset - b.offset);
    let maxEnd = 0;
    this.prefixEnd = this.regs.map((r) => (maxEnd = Math.max(maxEnd, r.end)));
    for (const r of this.regs) {
      if (this.byName.has(r.name)) throw new Error(`register ${r.name} declared twice`);
      this.byName.set(r.name, r);
    }
    const sizes = spec.sizes;
    if (sizes) this.sizeOk = [0, 1, 2, 3, 4].map((s) => (sizes as number[]).includes(s));
    this.aligned = spec.aligned ?? false;
    this.extent = spec.extent ?? Infinity;
    this.access = { sizes: spec.sizes, aligned: spec.aligned, extent: spec.extent };
    this.unmappedRead = spec.unmapped?.read;
    this.unmappedWrite = spec.unmapped?.write;
    this.checkOverlaps();
  }

  /** Rejects declarations where two registers claim the same byte (cheap checks only). */
  private checkOverlaps(): void {
    const regs = this.regs;
    for (let i = 0; i < regs.length; i++) {
      for (let j = i + 1; j < regs.length && regs[j].offset < regs[i].end; j++) {
        const a = regs[i];
        const b = regs[j];
        let clash = false;
        if (a.count === 1 || b.count === 1) {
          const [scalar, other] = a.count === 1 ? [a, b] : [b, a];
          for (let k = 0; k < scalar.width && !clash; k++) clash = this.match(other, scalar.offset + k);
        } else if (a.stride === b.stride) {
          const ra = a.offset % a.stride;
          const rb = b.offset % b.stride;
          clash = ra < rb + b.width && rb < ra + a.width;
        }
        if (clash) throw new Error(`registers ${a.name} and ${b.name} overlap`);
      }
    }
  }

  /** Whether `offset` falls inside an instance of `r`; sets hitIndex/hitSub when it does. */
  private match(r: Reg, offset: number): boolean {
    const d = offset - r.offset;
    if (d < 0 || offset >= r.end) return false;
    if (r.count === 1) {
      this.hitIndex = 0;
      this.hitSub = d;
      return true;
    }
    const index = Math.floor(d / r.stride);
    const sub = d - index * r.stride;
    if (sub >= r.width) return false;
    this.hitIndex = index;
    this.hitSub = sub;
    return true;
  }

  private find(offset: number): Reg | undefined {
    const last = this.last;
    if (last !== undefined && this.match(last, offset)) return last;
    const regs = this.regs;
    // Binary search: the last register starting at or before `offset`.
    let lo = 0;
    let hi = regs.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (regs[mid].offset <= offset) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Interleaved arrays (e.g. lo/hi halves with stride 8) may start earlier: scan back while a
    // register could still reach `offset`.
    for (let i = at; i >= 0 && this.prefixEnd[i] > offset; i--) {
      if (this.match(regs[i], offset)) return (this.last = regs[i]);
    }
    return undefined;
  }

  accepts(offset: number, size: AccessSize): boolean {
    return offset < this.extent && this.sizeOk[size] === true && (!this.aligned || offset % size === 0);
  }

  read(offset: number, size: AccessSize): number {
    const r = this.find(offset);
    if (r !== undefined && this.hitSub + size <= r.width) {
      const sub = this.hitSub;
      const full = (r.read !== undefined ? r.read(this.hitIndex) : r.values[this.hitIndex]) & r.readable;
      return ((full >>> (sub * 8)) & SIZE_MASK[size]) >>> 0;
    }
    if (r === undefined && this.isHole(offset, size)) {
      return this.unmappedRead !== undefined ? this.unmappedRead(offset, size) >>> 0 : 0;
    }
    // Straddles registers (or a register and a hole): assemble it byte by byte.
    let value = 0;
    for (let k = 0; k < size; k++) value |= this.read(offset + k, 1) << (8 * k);
    return value >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    const r = this.find(offset);
    if (r !== undefined && this.hitSub + size <= r.width) {
      this.store(r, this.hitIndex, this.hitSub, size, value);
      return;
    }
    if (r === undefined && this.isHole(offset, size)) {
      this.unmappedWrite?.(offset, size, value);
      return;
    }
    for (let k = 0; k < size; k++) this.write(offset + k, 1, (value >>> (8 * k)) & 0xff);
  }

  /** True when no register touches any byte of [offset, offset + size). */
  private isHole(offset: number, size: number): boolean {
    for (let k = 1; k < size; k++) if (this.find(offset + k) !== undefined) return false;
    return true;
  }

  private store(r: Reg, index: number, sub: number, size: number, value: number): void {
    if ((r.writable | r.w1c) === 0) return; // read-only: ignored, no side effect
    const shift = sub * 8;
    const lanes = (SIZE_MASK[size] << shift) >>> 0;
    const written = ((value << shift) & lanes) >>> 0;
    const old = r.values[index];
    let next = (old & ~(lanes & r.writable)) | (written & r.writable);
    next &= ~(written & r.w1c);
    next = (next & r.widthMask) >>> 0;
    r.values[index] = next;
    if (r.write !== undefined) r.write(next, index, written, lanes);
  }

  private named(name: string, index: number): Reg {
    const r = this.byName.get(name);
    if (r === undefined) throw new Error(`no register named ${name}`);
    if (!(index >= 0 && index < r.count)) throw new Error(`register ${name}: index ${index} out of range`);
    return r;
  }

  get(name: string, index = 0): number {
    return this.named(name, index).values[index];
  }

  set(name: string, value: number, index = 0): void {
    const r = this.named(name, index);
    r.values[index] = (value & r.widthMask) >>> 0;
  }

  values(name: string): Uint32Array {
    return this.named(name, 0).values;
  }

  nameAt(offset: number): string | undefined {
    const r = this.find(offset);
    if (r === undefined) return undefined;
    return r.count > 1 ? `${r.name}[${this.hitIndex}]` : r.name;
  }

  describe(offset: number, value: number): string | undefined {
    const name = this.nameAt(offset);
    const r = this.last;
    if (name === undefined || r === undefined) return undefined;
    if (r.fields.length === 0) return name;
    const parts = r.fields.map((f) => {
      const [msb, lsb] = f.bits;
      const v = ((value >>> lsb) & (bitRange(msb, lsb) >>> lsb)) >>> 0;
      return `${f.name}=${v.toString(16)}`;
    });
    return `${name} ${parts.join(' ')}`;
  }

  reset(): void {
    for (const r of this.regs) r.values.fill(r.resetValue);
  }
}

/** Builds a register map from a declaration. The core exposes it to devices as `ctx.registers()`. */
export function createRegisterMap(spec: RegisterMapSpec): RegisterMap {
  return new DeclaredRegisterMap(spec);
}
