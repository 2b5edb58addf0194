/**
 * A small WebAssembly binary encoder for translators (WebAssembly core spec 1.0, binary format):
 * one module = one function that imports the guest's memory (`env.mem`) and a few host functions
 * (`env.<name>`), exported as `run`. Translators emit the function body with `WasmCode` (named
 * opcodes, LEB128 immediates, block nesting tracked so that branches name their target by label);
 * `wasmModule` wraps it in the module's sections, `compileWasm` turns the bytes into a
 * `WebAssembly.Module`, memoized by bytes (code translated again reuses V8's compile, as
 * translatorFactory does for JavaScript sources).
 */
import { setFlagsFromString } from 'node:v8';
import { translatorsRan } from './translate.js';

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export type WasmType = typeof I32 | typeof I64;

/** The opcodes translators use, by their text-format names. */
export const WasmOp = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  br_table: 0x0e,
  return: 0x0f,
  call: 0x10,
  call_indirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  i64_load: 0x29,
  i32_load8_s: 0x2c,
  i32_load8_u: 0x2d,
  i32_load16_s: 0x2e,
  i32_load16_u: 0x2f,
  i64_load8_s: 0x30,
  i64_load8_u: 0x31,
  i64_load16_s: 0x32,
  i64_load16_u: 0x33,
  i64_load32_s: 0x34,
  i64_load32_u: 0x35,
  i32_store: 0x36,
  i64_store: 0x37,
  i32_store8: 0x3a,
  i32_store16: 0x3b,
  i64_store8: 0x3c,
  i64_store16: 0x3d,
  i64_store32: 0x3e,
  i32_const: 0x41,
  i64_const: 0x42,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_lt_u: 0x49,
  i32_gt_s: 0x4a,
  i32_gt_u: 0x4b,
  i32_le_s: 0x4c,
  i32_le_u: 0x4d,
  i32_ge_s: 0x4e,
  i32_ge_u: 0x4f,
  i64_eqz: 0x50,
  i64_eq: 0x51,
  i64_ne: 0x52,
  i64_lt_s: 0x53,
  i64_lt_u: 0x54,
  i64_gt_s: 0x55,
  i64_gt_u: 0x56,
  i64_le_s: 0x57,
  i64_le_u: 0x58,
  i64_ge_s: 0x59,
  i64_ge_u: 0x5a,
  i32_clz: 0x67,
  i32_popcnt: 0x69,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_div_u: 0x6e,
  i32_rem_s: 0x6f,
  i32_rem_u: 0x70,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  i32_shr_u: 0x76,
  i32_rotl: 0x77,
  i32_rotr: 0x78,
  i64_clz: 0x79,
  i64_add: 0x7c,
  i64_sub: 0x7d,
  i64_mul: 0x7e,
  i64_div_s: 0x7f,
  i64_div_u: 0x80,
  i64_rem_s: 0x81,
  i64_rem_u: 0x82,
  i64_and: 0x83,
  i64_or: 0x84,
  i64_xor: 0x85,
  i64_shl: 0x86,
  i64_shr_s: 0x87,
  i64_shr_u: 0x88,
  i64_rotr: 0x8a,
  i32_wrap_i64: 0xa7,
  i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad,
} as const;
export type WasmOpcode = (typeof WasmOp)[keyof typeof WasmOp];

/** Block type of a block, loop or if without a result. */
const VOID = 0x40;

/**
 * Bytes appended to a Uint8Array that doubles as it fills: what the emitter writes (a number[] grown by push took
 * 8 bytes of V8's young heap per byte and copied itself as it grew; with splice to insert).
 */
export class ByteWriter {
  protected buf: Uint8Array;
  protected n = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** How many bytes are written. */
  get size(): number {
    return this.n;
  }

  /** The bytes written so far (a view: valid until the next write). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  /** Appends one byte. */
  byte(b: number): this {
    if (this.n === this.buf.length) this.room(1);
    this.buf[this.n++] = b;
    return this;
  }

  /** Appends `n` as unsigned LEB128. */
  uleb(n: number): this {
    if (this.n + 5 > this.buf.length) this.room(5);
    this.n = putUleb(this.buf, this.n, n);
    return this;
  }

  /** Appends the int32 `n` as signed LEB128. */
  sleb(n: number): this {
    if (this.n + 5 > this.buf.length) this.room(5);
    n |= 0;
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
        this.buf[this.n++] = byte;
        return this;
      }
      this.buf[this.n++] = byte | 0x80;
    }
  }

  /** Appends `bytes`. */
  append(bytes: ArrayLike<number>): this {
    if (this.n + bytes.length > this.buf.length) this.room(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
    return this;
  }

  /** Makes room for `k` more bytes. */
  protected room(k: number): void {
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    grown.set(this.buf.subarray(0, this.n));
    this.buf = grown;
  }
}

/** A point of a WasmCode's emission (WasmCode.mark), to go back to (rewind). */
export interface WasmMark {
  readonly bytes: number;
  readonly hints: number;
  readonly depth: number;
}

/** Writes `u` (unsigned LEB128) into `buf` at `n` (room made by the caller); returns the offset past it. */
function putUleb(buf: Uint8Array, n: number, u: number): number {
  u >>>= 0;
  do {
    let b = u & 0x7f;
    u >>>= 7;
    if (u !== 0) b |= 0x80;
    buf[n++] = b;
  } while (u !== 0);
  return n;
}

/**
 * A function body being emitted. Structured instructions (`block`, `loop`, `if`) return a label;
 * `br(label)` computes the relative depth from the nesting at that point, so code generators need
 * not count. Locals are numbered after the parameters (`local(type)` adds one). The body's bytes:
 * `bytes` (ByteWriter), `size` of them.
 */
export class WasmCode extends ByteWriter {
  /**
   * Branch hints (the branch-hinting proposal's `metadata.code.branch_hint` section): [byte offset in `bytes`
   * of an `if` or `br_if`, 1 likely / 0 unlikely]. V8 (with --experimental-wasm-branch-hinting, bin/rvos.js)
   * lays an unlikely path out of line as deferred code, where TurboFan's register allocator puts the spills
   * and reloads that path needs; engines without it ignore the section.
   */
  readonly hints: [number, number][] = [];
  private readonly locals: WasmType[] = [];
  private depth = 0;

  /**
   * `dry`: writes no byte (a translator's scan, which wants only what emitting finds: its structures, labels,
   * locals and branches are still checked, `size` stays 0 and there are no hints).
   */
  constructor(readonly params: readonly WasmType[], readonly results: readonly WasmType[], readonly dry = false) {
    super(dry ? 16 : 1024);
  }

  /** A new local of `type`; returns its index. */
  local(type: WasmType = I32): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(opcode: WasmOpcode): this {
    if (this.dry) return this;
    if (this.n === this.buf.length) this.room(1);
    this.buf[this.n++] = opcode;
    return this;
  }

  // The frequent forms below write their bytes themselves rather than through byte(), uleb() and sleb(): a
  // translator runs cold (V8's interpreter, its inline caches filling) in a new process, where each call costs.

  i32(value: number): this {
    if (this.dry) return this;
    if (this.n + 6 > this.buf.length) this.room(6);
    const buf = this.buf;
    let n = this.n;
    buf[n++] = WasmOp.i32_const;
    value |= 0;
    for (;;) {
      const b = value & 0x7f;
      value >>= 7;
      if ((value === 0 && (b & 0x40) === 0) || (value === -1 && (b & 0x40) !== 0)) {
        buf[n++] = b;
        break;
      }
      buf[n++] = b | 0x80;
    }
    this.n = n;
    return this;
  }

  /** An i64 constant in int32 range. */
  i64(value: number): this {
    if (this.dry) return this;
    return this.byte(WasmOp.i64_const).sleb(value);
  }

  /** The i64 constant with int32 words `lo`, `hi` (any value). */
  i64w(lo: number, hi: number): this {
    if (this.dry) return this;
    this.byte(WasmOp.i64_const);
    let n = (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
    for (;;) {
      const byte = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0)) return this.byte(byte);
      this.byte(byte | 0x80);
    }
  }

  get(local: number): this {
    return this.opU(WasmOp.local_get, local);
  }

  set(local: number): this {
    return this.opU(WasmOp.local_set, local);
  }

  tee(local: number): this {
    return this.opU(WasmOp.local_tee, local);
  }

  /** A load or store with a constant byte `offset` added to the address (alignment hint: natural). */
  mem(opcode: WasmOpcode, offset = 0): this {
    if (this.dry) return this;
    if (this.n + 7 > this.buf.length) this.room(7);
    const buf = this.buf;
    let n = this.n;
    buf[n++] = opcode;
    buf[n++] = naturalAlign(opcode);
    this.n = putUleb(buf, n, offset);
    return this;
  }

  /** `opcode` with the unsigned LEB128 immediate `u`. */
  private opU(opcode: WasmOpcode, u: number): this {
    if (this.dry) return this;
    if (this.n + 6 > this.buf.length) this.room(6);
    const buf = this.buf;
    let n = this.n;
    buf[n++] = opcode;
    this.n = putUleb(buf, n, u);
    return this;
  }

  call(func: number): this {
    if (this.dry) return this;
    return this.byte(WasmOp.call).uleb(func);
  }

  /** `memory.fill` (bulk memory: destination, byte, length on the stack). */
  memoryFill(): this {
    if (this.dry) return this;
    return this.byte(BULK_PREFIX).byte(0x0b).byte(0x00);
  }

  /** `memory.copy` (bulk memory: destination, source, length on the stack; overlapping as memmove). */
  memoryCopy(): this {
    if (this.dry) return this;
    return this.byte(BULK_PREFIX).byte(0x0a).byte(0x00).byte(0x00);
  }

  /** `call_indirect` through table 0 with the function type `typeIndex` (wasmModule's `indirect` types: indirectType). */
  callIndirect(typeIndex: number): this {
    if (this.dry) return this;
    return this.byte(WasmOp.call_indirect).uleb(typeIndex).byte(0x00);
  }

  block(): number {
    return this.open(WasmOp.block);
  }

  loop(): number {
    return this.open(WasmOp.loop);
  }

  /** `if` consuming the i32 on the stack; `likely` false: a branch hint that its body is the rare path. */
  if(likely?: boolean): number {
    if (likely !== undefined && !this.dry) this.hints.push([this.n, likely ? 1 : 0]);
    return this.open(WasmOp.if);
  }

  /** Where the code is now, for `rewind`. */
  mark(): WasmMark {
    return { bytes: this.n, hints: this.hints.length, depth: this.depth };
  }

  /** Drops the code emitted since `m` was taken (its bytes, branch hints and the structures it opened or closed). */
  rewind(m: WasmMark): this {
    this.n = m.bytes;
    this.hints.length = m.hints;
    this.depth = m.depth;
    return this;
  }

  /** Drops the bytes from offset `at` on and their branch hints (code that opened or closed no structure). */
  truncate(at: number): this {
    this.n = at;
    while (this.hints.length > 0 && this.hints[this.hints.length - 1][0] >= at) this.hints.pop();
    return this;
  }

  /** Overwrites the byte at offset `at` (a placeholder written before its value was known). */
  patch(at: number, b: number): this {
    this.buf[at] = b;
    return this;
  }

  /** Inserts `bytes` (code without branches out of it) at byte offset `at`, moving the hints after it. */
  insert(at: number, bytes: Uint8Array): this {
    const k = bytes.length;
    if (this.n + k > this.buf.length) this.room(k);
    this.buf.copyWithin(at + k, at, this.n);
    this.buf.set(bytes, at);
    this.n += k;
    for (let i = 0; i < this.hints.length; i++) if (this.hints[i][0] >= at) this.hints[i][0] += k;
    return this;
  }

  else(): this {
    if (this.dry) return this;
    if (this.n === this.buf.length) this.room(1);
    this.buf[this.n++] = WasmOp.else;
    return this;
  }

  end(): this {
    this.depth--;
    if (this.dry) return this;
    if (this.n === this.buf.length) this.room(1);
    this.buf[this.n++] = WasmOp.end;
    return this;
  }

  br(label: number): this {
    return this.opU(WasmOp.br, this.relative(label));
  }

  /** `br_if`; `likely`: a branch hint (see `hints`). */
  brIf(label: number, likely?: boolean): this {
    if (likely !== undefined && !this.dry) this.hints.push([this.n, likely ? 1 : 0]);
    return this.opU(WasmOp.br_if, this.relative(label));
  }

  /** `br_table`: the i32 on the stack picks `labels[i]`, else `otherwise`. */
  brTable(labels: readonly number[], otherwise: number): this {
    if (this.dry) {
      for (const l of labels) this.relative(l);
      this.relative(otherwise);
      return this;
    }
    this.byte(WasmOp.br_table).uleb(labels.length);
    for (const l of labels) this.uleb(this.relative(l));
    return this.uleb(this.relative(otherwise));
  }

  /** The branch hints' entries of this function (function index `func`) as the hint section encodes them. */
  encodeHints(func: number, localsLength = this.localsBytes().size): ByteWriter {
    const out = new ByteWriter(16 + 8 * this.hints.length);
    out.uleb(func).uleb(this.hints.length);
    // Offsets count from the start of the body, locals included. Hints are pushed in byte order (a translator
    // that rolls code back pops its hints), so a copy to sort is rarely needed.
    let hints = this.hints;
    for (let k = 1; k < hints.length; k++) {
      if (hints[k][0] < hints[k - 1][0]) {
        hints = [...hints].sort((p, q) => p[0] - q[0]);
        break;
      }
    }
    // Indexed, not for-of with [at, likely]: this runs cold (unoptimised), where destructuring allocates an iterator.
    for (let k = 0; k < hints.length; k++) out.uleb(localsLength + hints[k][0]).byte(1).byte(hints[k][1]);
    return out;
  }

  /** The body's local declarations, run-length by type (wasmModule writes them before `bytes`, then `end`). */
  localsBytes(): ByteWriter {
    const t = this.locals;
    let groups = 0;
    for (let i = 0; i < t.length; i++) if (i === 0 || t[i] !== t[i - 1]) groups++;
    const out = new ByteWriter(6 + 6 * groups).uleb(groups);
    for (let i = 0; i < t.length; ) {
      let j = i + 1;
      while (j < t.length && t[j] === t[i]) j++;
      out.uleb(j - i).byte(t[i]);
      i = j;
    }
    return out;
  }

  private open(opcode: WasmOpcode): number {
    if (this.dry) return this.depth++;
    if (this.n + 2 > this.buf.length) this.room(2);
    this.buf[this.n++] = opcode;
    this.buf[this.n++] = VOID;
    return this.depth++;
  }

  private relative(label: number): number {
    const d = this.depth - 1 - label;
    if (d < 0 || label < 0) throw new Error(`wasm: branch to a label not open (${label}, depth ${this.depth})`);
    return d;
  }
}

function naturalAlign(opcode: number): number {
  switch (opcode) {
    case WasmOp.i32_load8_s:
    case WasmOp.i32_load8_u:
    case WasmOp.i32_store8:
    case WasmOp.i64_load8_s:
    case WasmOp.i64_load8_u:
    case WasmOp.i64_store8:
      return 0;
    case WasmOp.i32_load16_s:
    case WasmOp.i32_load16_u:
    case WasmOp.i32_store16:
    case WasmOp.i64_load16_s:
    case WasmOp.i64_load16_u:
    case WasmOp.i64_store16:
      return 1;
    case WasmOp.i64_load:
    case WasmOp.i64_store:
      return 3;
    default:
      return 2;
  }
}

/** A host function the module imports as `env.<name>`. */
export interface WasmImport {
  name: string;
  params: readonly WasmType[];
  results: readonly WasmType[];
}

/**
 * Host functions a module calls through an imported table (`env.<table>`, funcref) with `call_indirect`, instead of
 * importing them: V8 compiles a wasm-to-JavaScript wrapper for each imported function's signature as it compiles
 * a module (it cannot know yet that the import will be a wasm function), about 0.13 ms of CPU per module on the
 * development VM (of 0.3); an imported table costs nothing at compile time. `types`: the functions' signatures,
 * type index indirectType(imports, k) each.
 */
export interface WasmIndirect {
  table: string;
  types: readonly { params: readonly WasmType[]; results: readonly WasmType[] }[];
}

/** The type index of `indirect.types[k]` in a module with `imports` function imports (for WasmCode.callIndirect). */
export function indirectType(imports: number, k: number): number {
  return imports + 1 + k;
}

/** A host function for hostTable: `params` i32s to an i32 (a boolean result becomes 0/1). */
export interface HostFunction {
  fn: (...args: number[]) => number | boolean;
  params: number;
}

/** The WasmIndirect of `hostTable(fns)` imported as `env.<table>`: slot k's type is fns[k]'s (indirectType(imports, k)). */
export function hostIndirect(table: string, fns: readonly Pick<HostFunction, 'params'>[]): WasmIndirect {
  return { table, types: fns.map((f) => ({ params: new Array<WasmType>(f.params).fill(I32), results: [I32] })) };
}

/**
 * A CPU's table of host functions for its region modules (hostIndirect describes it to wasmModule): slot k holds
 * fns[k] as a wasm function (hostFunction), which the modules call with `call_indirect` instead of importing it.
 */
export function hostTable(fns: readonly HostFunction[], memory: WebAssembly.Memory): WebAssembly.Table {
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: fns.length });
  hostFunctions(fns, memory).forEach((f, k) => table.set(k, f));
  return table;
}

/**
 * The bytes of a module: imports `env.mem` (any size), `imports` (function indices 0..n-1,
 * in order) and `indirect`'s table, and defines `code` as function n, exported as `run`.
 */
export function wasmModule(code: WasmCode, imports: readonly WasmImport[] = [], indirect?: WasmIndirect): Uint8Array {
  const head = new ByteWriter(256).append(MAGIC);
  const indirectTypes = indirect?.types ?? [];
  const types = new ByteWriter().uleb(imports.length + 1 + indirectTypes.length);
  for (const i of imports) funcType(types, i.params, i.results);
  funcType(types, code.params, code.results);
  for (const t of indirectTypes) funcType(types, t.params, t.results);
  section(head, 1, types);
  const importEntries = new ByteWriter().uleb(1 + imports.length + (indirect === undefined ? 0 : 1));
  name(name(importEntries, 'env'), 'mem').append(MEMORY_IMPORT);
  imports.forEach((imp, k) => name(name(importEntries, 'env'), imp.name).byte(0x00).uleb(k));
  // A table, funcref, limits: min n, no maximum.
  if (indirect !== undefined) name(name(importEntries, 'env'), indirect.table).byte(0x01).byte(0x70).byte(0x00).uleb(indirect.types.length);
  section(head, 2, importEntries);
  section(head, 3, new ByteWriter(8).uleb(1).uleb(imports.length));
  section(head, 7, name(new ByteWriter(16).uleb(1), 'run').byte(0x00).uleb(imports.length));
  // Branch hints go before the code section (the proposal's order). The code is written straight into the
  // result: copying it through spreads and pushes (number arrays) took i386's compute kernel 15-38 ms of its
  // first run for 84 KB of 48 modules.
  const locals = code.localsBytes();
  if (code.hints.length > 0) {
    const hints = code.encodeHints(imports.length, locals.size);
    head.byte(0).uleb(HINT_SECTION_NAME.length + 1 + hints.size).append(HINT_SECTION_NAME).byte(1); // the name, then a vector of one function's hints
    head.append(hints.bytes);
  }
  const bodySize = locals.size + code.size + 1;
  const entry = new ByteWriter(6).byte(1).uleb(bodySize); // one function
  head.byte(10).uleb(entry.size + bodySize).append(entry.bytes);
  const bytes = new Uint8Array(head.size + bodySize);
  bytes.set(head.bytes);
  bytes.set(locals.bytes, head.size);
  bytes.set(code.bytes, head.size + locals.size);
  bytes[bytes.length - 1] = WasmOp.end;
  return bytes;
}

/** A module's first bytes: the magic number and version 1. */
const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** The prefix byte of the bulk memory operations (memory.fill, memory.copy). */
const BULK_PREFIX = 0xfc;

/** Pages of the largest wasm32 memory (4 GiB): what a module's memory import declares as its maximum. */
const MAX_PAGES = 65536;

/**
 * Every module's memory import (`env.mem`): a memory (0x02), shared with a maximum (limits 0x03), of at least 0 pages
 * and at most MAX_PAGES, as guestMemory makes guest RAM (a shared memory links only where the import says shared).
 */
const MEMORY_IMPORT = new ByteWriter(8).byte(0x02).byte(0x03).byte(0x00).uleb(MAX_PAGES).bytes;

/**
 * A wasm memory of `pages` pages for guest RAM and the host areas after it (bus.ts createRam), shared: its buffer is a
 * SharedArrayBuffer, whose bytes V8 does not count as the isolate's external memory. A plain one of guest RAM's size
 * (128 MiB and more) is, and V8 answered its allocation with "external memory pressure" collections (two scavenges and
 * a mark-compact, ~10 ms of every start-up on the development VM) that a shared one does not cost. Fixed in size
 * (maximum = initial): nothing grows it. Fills and copies of its bytes go through bulkMemory: V8's typed-array fill
 * and copyWithin take a slower path on shared buffers.
 */
export function guestMemory(pages: number): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Fills and copies of a memory's bytes (byte addresses in it: RAM's offsets, then the areas), by `memory.fill` and `memory.copy` (bulkMemory). */
export interface BulkMemory {
  /** `len` bytes from `to` set to `byte` (its low 8 bits). */
  fill(to: number, byte: number, len: number): void;
  /** `len` bytes from `from` copied to `to`, the ranges overlapping or not (as memmove). */
  copy(to: number, from: number, len: number): void;
}

/**
 * `memory`'s bulk operations as wasm functions: on a shared memory V8's `TypedArray.prototype.fill` and `copyWithin`
 * take a slower, element by element path (filling 4 KiB: ~1.2 us against ~0.15; 64 bytes: 33 ns against 21; copying
 * 4 KiB 30 % slower), its wasm `memory.fill` and `memory.copy` the C library's (filling 4 KiB ~0.15 us, 64 bytes
 * ~11 ns, call included; copying as fast as copyWithin on a plain buffer).
 */
export function bulkMemory(memory: WebAssembly.Memory): BulkMemory {
  bulkModules ??= [bulkModule((c) => c.memoryFill()), bulkModule((c) => c.memoryCopy())];
  const [fill, copy] = bulkModules.map((m) => new WebAssembly.Instance(m, { env: { mem: memory } }).exports.run as (a: number, b: number, c: number) => void);
  return { fill, copy };
}

/** bulkMemory's two modules, compiled once per process (not through compileWasm: no translator has run for them). */
let bulkModules: WebAssembly.Module[] | undefined;

/** A module whose `run` passes its three parameters to the bulk operation `emit` writes. */
function bulkModule(emit: (c: WasmCode) => void): WebAssembly.Module {
  const c = new WasmCode([I32, I32, I32], []);
  c.get(0).get(1).get(2);
  emit(c);
  return new WebAssembly.Module(wasmModule(c) as Uint8Array<ArrayBuffer>);
}

/** Appends a function type. */
function funcType(out: ByteWriter, params: readonly WasmType[], results: readonly WasmType[]): void {
  out.byte(0x60).uleb(params.length).append(params).uleb(results.length).append(results);
}

/** The branch-hinting proposal's custom section name, as a name (length first). */
const HINT_SECTION_NAME = name(new ByteWriter(32), 'metadata.code.branch_hint').bytes;

/** Appends `s` (ASCII) as a name: its length, then its bytes. */
function name(out: ByteWriter, s: string): ByteWriter {
  out.uleb(s.length);
  for (let i = 0; i < s.length; i++) out.byte(s.charCodeAt(i));
  return out;
}

/** Appends section `id` of `content`. */
function section(out: ByteWriter, id: number, content: ByteWriter): void {
  out.byte(id).uleb(content.size).append(content.bytes);
}

/** Distinct modules kept; past this the memo starts over. */
const MAX_MODULES = 4096;
const modules = new Map<string, WebAssembly.Module>();

let flagsOn = false;

/**
 * V8's wasm tiering budget (roughly the bytes of a function's code it runs before TurboFan compiles it) at 64 times
 * V8's 1,800,000: an OS boot runs hundreds of lukewarm region modules whose TurboFan compiles, on V8's background
 * threads, took the 2-core VM from the boot's main thread (the i386 Linux boot: ~2.4 s of compile CPU beside ~2 s of
 * main thread). The built CLI, interleaved runs on the 2-core VM, medians: the i386 Linux boot to /init 3.49 -> 2.77 s
 * (6 pairs), the pc OS boot to its prompt 695 -> 605 ms, virt's 761 -> 736, raspi3b's equal (331 vs 335), the arm64
 * Linux 1.98 -> 1.93 s; the compute kernels' guest runs equal (rv32 234 vs 234 ms, 12 runs each; i386 315 vs 315; a64
 * 293 vs 290): their loops still tier up at once. 256 times made the i386 compute run 374 ms.
 */
export const WASM_TIERING_BUDGET = 115_200_000;

/**
 * Lets V8 read the modules' branch hints (WasmCode.hints: translators mark their rare paths unlikely), once per
 * process before the first module compiles: TurboFan then lays those paths out of line as deferred code and puts
 * their spills and reloads there instead of in the loops (rv32's compute kernel in process, 5 interleaved pairs:
 * steady state median 228 -> 213 ms CPU; i386's best of 3 0.52 -> 0.48 s); sets WASM_TIERING_BUDGET; and turns
 * off V8's wasm stack checks. V8 compares the stack pointer with the isolate's limit at every wasm function's entry
 * and loop header, for a stack overflow and for interrupts (a GC request, a termination) in long-running wasm.
 * Translated code needs neither: each loop of a region is bounded by its step budget (the instruction count stays
 * exact), so every call returns to JavaScript, which checks, within a slice; a region calls no wasm function that
 * could recurse, only host functions, which are JavaScript (checked) behind hostFunctions' wrappers. The check was
 * two of the ~14 instructions of i386's quicksort partition loop: the compute kernels' guest runs in the built CLI,
 * medians of interleaved runs: pc 288 -> 273 ms (12 each), raspi3b 271 -> 264 (8), virt equal (230 vs 231, 8); the
 * i386 Linux boot in process equal (4 pairs). And calls from JavaScript into a module's function go through a wrapper
 * for its signature from the first call (`--no-wasm-generic-wrapper`) rather than V8's generic wrapper, which V8 11.3
 * replaces by a compiled one per function after some calls (Runtime_WasmCompileWrapper, on the main thread): every
 * region has the same few signatures, whose wrappers V8 then compiles once, where the tier-up compiled them again for
 * each region (main-thread samples under Runtime_WasmCompileWrapper in a built CLI's boot, perf at 2 kHz: the arm64
 * Linux boot 78 -> 0, ~39 ms; the i386 Linux boot 43 -> 0; the rv32 Linux boot 4 -> 0). The CLI (bin/rvos.js) sets
 * them all as it starts, since its V8 code cache is keyed by the flags; setting them again is a no-op. An engine
 * without the proposal ignores the section.
 */
function wasmFlagsOn(): void {
  if (flagsOn) return;
  flagsOn = true;
  setFlagsFromString('--experimental-wasm-branch-hinting');
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  setFlagsFromString('--no-wasm-stack-checks');
  setFlagsFromString('--no-wasm-generic-wrapper');
}

/** The compiled module of `bytes`, memoized by bytes (synchronous: V8 compiles with Liftoff, tiers up later). */
export function compileWasm(bytes: Uint8Array): WebAssembly.Module {
  wasmFlagsOn();
  translatorsRan();
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let module = modules.get(key);
  if (module === undefined) {
    if (modules.size >= MAX_MODULES) modules.clear();
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    modules.set(key, module);
  }
  return module;
}

const bound = new WeakMap<WebAssembly.Module, WeakMap<object, unknown>>();

/**
 * What `make` built for `module` and `owner` (a CPU), made once per pair: a region's module is
 * shared by every CPU whose code has its bytes (compileWasm), its instance and the wrapper around
 * it are the CPU's own. A module's first `new WebAssembly.Instance` takes 1-25 ms on a loaded machine: V8 posts two
 * delayed tasks then (its lazy-compilation reports), whose wake-up of Node's delayed-task thread preempts the main
 * thread, which waits in the run queue; no work of V8's, and the wall moved nothing when removed (docs/architecture.md).
 */
export function instanceFor<T>(module: WebAssembly.Module, owner: object, make: () => T): T {
  let owners = bound.get(module);
  if (owners === undefined) bound.set(module, (owners = new WeakMap()));
  let made = owners.get(owner) as T | undefined;
  if (made === undefined) owners.set(owner, (made = make()));
  return made;
}

/**
 * `fn` (a host function of `params` i32s returning an i32) as a wasm function, for a CPU's region modules to
 * import: V8 compiles a wasm-to-JavaScript wrapper for each module importing a JavaScript function as it is
 * instantiated, none for an imported wasm function (rv32: 35 modules' instantiation 10 -> 5.5 ms).
 */
export function hostFunction(fn: (...args: number[]) => number | boolean, params: number, memory: WebAssembly.Memory): WebAssembly.ExportValue {
  return hostFunctions([{ fn, params }], memory)[0];
}

/**
 * `fns` as wasm functions (hostFunction's), all from one module (`env.h<k>` imported, `f<k>` exported calling
 * it): a module apiece cost a CPU a compile and an instantiation per host function, each instantiation 1-2 ms
 * of the first run's wall on a loaded machine.
 */
export function hostFunctions(fns: readonly HostFunction[], memory: WebAssembly.Memory): WebAssembly.ExportValue[] {
  const env: Record<string, WebAssembly.ImportValue> = { mem: memory };
  fns.forEach((f, k) => (env[`h${k}`] = f.fn));
  const exports = new WebAssembly.Instance(compileWasm(hostModule(fns.map((f) => f.params))), { env }).exports;
  return fns.map((_f, k) => exports[`f${k}`]);
}

/**
 * The bytes of hostFunctions' module for functions of `params[k]` i32s to an i32: function k imports `env.h<k>`,
 * function n + k passes its parameters to it and is exported as `f<k>` (type k serves both).
 */
function hostModule(params: readonly number[]): Uint8Array {
  const n = params.length;
  const out = new ByteWriter().append(MAGIC);
  const types = new ByteWriter().uleb(n);
  for (const p of params) funcType(types, new Array<WasmType>(p).fill(I32), [I32]);
  section(out, 1, types);
  const imports = name(name(new ByteWriter().uleb(1 + n), 'env'), 'mem').append(MEMORY_IMPORT);
  params.forEach((_p, k) => name(name(imports, 'env'), `h${k}`).byte(0x00).uleb(k));
  section(out, 2, imports);
  const funcs = new ByteWriter().uleb(n);
  params.forEach((_p, k) => funcs.uleb(k));
  section(out, 3, funcs);
  const exports = new ByteWriter().uleb(n);
  params.forEach((_p, k) => name(exports, `f${k}`).byte(0x00).uleb(n + k));
  section(out, 7, exports);
  const bodies = new ByteWriter().uleb(n);
  params.forEach((p, k) => {
    const c = new WasmCode(new Array<WasmType>(p).fill(I32), [I32]);
    for (let i = 0; i < p; i++) c.get(i);
    c.call(k).op(WasmOp.end);
    const locals = c.localsBytes();
    bodies.uleb(locals.size + c.size).append(locals.bytes).append(c.bytes);
  });
  section(out, 10, bodies);
  return out.bytes.slice();
}
