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

/** Appends `n` as unsigned LEB128. */
export function uleb(out: number[], n: number): void {
  n >>>= 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Appends the int32 `n` as signed LEB128. */
export function sleb(out: number[], n: number): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** A point of a WasmCode's emission (WasmCode.mark), to go back to (rewind). */
export interface WasmMark {
  readonly bytes: number;
  readonly hints: number;
  readonly depth: number;
}

/**
 * A function body being emitted. Structured instructions (`block`, `loop`, `if`) return a label;
 * `br(label)` computes the relative depth from the nesting at that point, so code generators need
 * not count. Locals are numbered after the parameters (`local(type)` adds one).
 */
export class WasmCode {
  readonly bytes: number[] = [];
  /**
   * Branch hints (the branch-hinting proposal's `metadata.code.branch_hint` section): [byte offset in `bytes`
   * of an `if` or `br_if`, 1 likely / 0 unlikely]. V8 (with --experimental-wasm-branch-hinting, bin/rvos.js)
   * lays an unlikely path out of line as deferred code, where TurboFan's register allocator puts the spills
   * and reloads that path needs; engines without it ignore the section.
   */
  readonly hints: [number, number][] = [];
  private readonly locals: WasmType[] = [];
  private depth = 0;

  constructor(readonly params: readonly WasmType[], readonly results: readonly WasmType[]) {}

  /** A new local of `type`; returns its index. */
  local(type: WasmType = I32): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(opcode: WasmOpcode): this {
    this.bytes.push(opcode);
    return this;
  }

  i32(value: number): this {
    this.bytes.push(WasmOp.i32_const);
    sleb(this.bytes, value);
    return this;
  }

  /** An i64 constant in int32 range. */
  i64(value: number): this {
    this.bytes.push(WasmOp.i64_const);
    sleb(this.bytes, value);
    return this;
  }

  /** The i64 constant with int32 words `lo`, `hi` (any value). */
  i64w(lo: number, hi: number): this {
    this.bytes.push(WasmOp.i64_const);
    let n = (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0);
    for (;;) {
      const byte = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0)) {
        this.bytes.push(byte);
        return this;
      }
      this.bytes.push(byte | 0x80);
    }
  }

  get(local: number): this {
    this.bytes.push(WasmOp.local_get);
    uleb(this.bytes, local);
    return this;
  }

  set(local: number): this {
    this.bytes.push(WasmOp.local_set);
    uleb(this.bytes, local);
    return this;
  }

  tee(local: number): this {
    this.bytes.push(WasmOp.local_tee);
    uleb(this.bytes, local);
    return this;
  }

  /** A load or store with a constant byte `offset` added to the address (alignment hint: natural). */
  mem(opcode: WasmOpcode, offset = 0): this {
    this.bytes.push(opcode);
    uleb(this.bytes, naturalAlign(opcode));
    uleb(this.bytes, offset);
    return this;
  }

  call(func: number): this {
    this.bytes.push(WasmOp.call);
    uleb(this.bytes, func);
    return this;
  }

  /** `call_indirect` through table 0 with the function type `typeIndex` (wasmModule's `indirect` types: indirectType). */
  callIndirect(typeIndex: number): this {
    this.bytes.push(WasmOp.call_indirect);
    uleb(this.bytes, typeIndex);
    this.bytes.push(0x00);
    return this;
  }

  block(): number {
    return this.open(WasmOp.block);
  }

  loop(): number {
    return this.open(WasmOp.loop);
  }

  /** `if` consuming the i32 on the stack; `likely` false: a branch hint that its body is the rare path. */
  if(likely?: boolean): number {
    if (likely !== undefined) this.hints.push([this.bytes.length, likely ? 1 : 0]);
    return this.open(WasmOp.if);
  }

  /** Where the code is now, for `rewind`. */
  mark(): WasmMark {
    return { bytes: this.bytes.length, hints: this.hints.length, depth: this.depth };
  }

  /** Drops the code emitted since `m` was taken (its bytes, branch hints and the structures it opened or closed). */
  rewind(m: WasmMark): this {
    this.bytes.length = m.bytes;
    this.hints.length = m.hints;
    this.depth = m.depth;
    return this;
  }

  /** Inserts `bytes` (code without branches out of it) at byte offset `at`, moving the hints after it. */
  insert(at: number, bytes: readonly number[]): this {
    this.bytes.splice(at, 0, ...bytes);
    for (const h of this.hints) if (h[0] >= at) h[0] += bytes.length;
    return this;
  }

  else(): this {
    this.bytes.push(WasmOp.else);
    return this;
  }

  end(): this {
    this.bytes.push(WasmOp.end);
    this.depth--;
    return this;
  }

  br(label: number): this {
    this.bytes.push(WasmOp.br);
    uleb(this.bytes, this.relative(label));
    return this;
  }

  /** `br_if`; `likely`: a branch hint (see `hints`). */
  brIf(label: number, likely?: boolean): this {
    if (likely !== undefined) this.hints.push([this.bytes.length, likely ? 1 : 0]);
    this.bytes.push(WasmOp.br_if);
    uleb(this.bytes, this.relative(label));
    return this;
  }

  /** `br_table`: the i32 on the stack picks `labels[i]`, else `otherwise`. */
  brTable(labels: readonly number[], otherwise: number): this {
    this.bytes.push(WasmOp.br_table);
    uleb(this.bytes, labels.length);
    for (const l of labels) uleb(this.bytes, this.relative(l));
    uleb(this.bytes, this.relative(otherwise));
    return this;
  }

  /** The branch hints' entries of this function (function index `func`) as the hint section encodes them. */
  encodeHints(func: number, localsLength = this.localsBytes().length): number[] {
    const out: number[] = [];
    uleb(out, func);
    uleb(out, this.hints.length);
    // Offsets count from the start of the body, locals included. Hints are pushed in byte order (a translator
    // that rolls code back pops its hints), so a copy to sort is rarely needed.
    let hints = this.hints;
    for (let k = 1; k < hints.length; k++) {
      if (hints[k][0] < hints[k - 1][0]) {
        hints = [...hints].sort((p, q) => p[0] - q[0]);
        break;
      }
    }
    for (const [at, likely] of hints) {
      uleb(out, localsLength + at);
      out.push(1, likely);
    }
    return out;
  }

  /** The body's local declarations, run-length by type (wasmModule writes them before `bytes`, then `end`). */
  localsBytes(): number[] {
    const groups: [number, WasmType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body: number[] = [];
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    return body;
  }

  private open(opcode: WasmOpcode): number {
    this.bytes.push(opcode, VOID);
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
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const funcType = (params: readonly WasmType[], results: readonly WasmType[]) => {
    const t = [0x60];
    uleb(t, params.length);
    t.push(...params);
    uleb(t, results.length);
    t.push(...results);
    return t;
  };
  const types = [...imports.map((i) => funcType(i.params, i.results)), funcType(code.params, code.results), ...(indirect?.types ?? []).map((t) => funcType(t.params, t.results))];
  section(out, 1, vector(types));
  const importEntries = [
    [...name('env'), ...name('mem'), 0x02, 0x00, 0x00], // memory, limits: min 0, no maximum
    ...imports.map((imp, k) => {
      const e = [...name('env'), ...name(imp.name), 0x00];
      uleb(e, k);
      return e;
    }),
  ];
  if (indirect !== undefined) {
    const e = [...name('env'), ...name(indirect.table), 0x01, 0x70, 0x00]; // table, funcref, limits: min n, no maximum
    uleb(e, indirect.types.length);
    importEntries.push(e);
  }
  section(out, 2, vector(importEntries));
  const funcs: number[] = [];
  uleb(funcs, 1);
  uleb(funcs, imports.length);
  section(out, 3, funcs);
  const exp = [...name('run'), 0x00];
  uleb(exp, imports.length);
  section(out, 7, vector([exp]));
  // Branch hints go before the code section (the proposal's order). Both are written straight into the
  // result: copying them through spreads and pushes (number arrays) took i386's compute kernel 15-38 ms of its
  // first run for 84 KB of 48 modules (the code), and rv32's hint sections, copied five times, were a sixth of
  // what generating its compute kernel's regions allocated.
  const locals = code.localsBytes();
  const hints = code.hints.length > 0 ? code.encodeHints(imports.length, locals.length) : null;
  const hintsHead: number[] = [];
  if (hints !== null) {
    hintsHead.push(0);
    uleb(hintsHead, HINT_SECTION_NAME.length + 1 + hints.length);
    hintsHead.push(...HINT_SECTION_NAME, 1); // the name, then a vector of one function's hints
  }
  const bodySize = locals.length + code.bytes.length + 1;
  const entry: number[] = [1]; // one function
  uleb(entry, bodySize);
  const contentSize = entry.length + bodySize;
  const codeHead = [10];
  uleb(codeHead, contentSize);
  const hintsSize = hints === null ? 0 : hintsHead.length + hints.length;
  const bytes = new Uint8Array(out.length + hintsSize + codeHead.length + contentSize);
  let at = 0;
  const put = (part: ArrayLike<number>) => {
    bytes.set(part, at);
    at += part.length;
  };
  put(out);
  if (hints !== null) {
    put(hintsHead);
    put(hints);
  }
  put(codeHead);
  put(entry);
  put(locals);
  put(code.bytes);
  bytes[at] = WasmOp.end;
  return bytes;
}

/** The branch-hinting proposal's custom section name, as a name (length first). */
const HINT_SECTION_NAME = name('metadata.code.branch_hint');

function name(s: string): number[] {
  const out: number[] = [];
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  return out;
}

function vector(items: number[][]): number[] {
  const out: number[] = [];
  uleb(out, items.length);
  for (const i of items) out.push(...i);
  return out;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

/** Distinct modules kept; past this the memo starts over. */
const MAX_MODULES = 4096;
const modules = new Map<string, WebAssembly.Module>();

let hintsOn = false;

/**
 * Lets V8 read the modules' branch hints (WasmCode.hints: translators mark their rare paths unlikely), once per
 * process before the first module compiles: TurboFan then lays those paths out of line as deferred code and puts
 * their spills and reloads there instead of in the loops (rv32's compute kernel in process, 5 interleaved pairs:
 * steady state median 228 -> 213 ms CPU; i386's best of 3 0.52 -> 0.48 s). The CLI (bin/rvos.js) sets it as it
 * starts, since its V8 code cache is keyed by the flags; setting it again is a no-op. An engine without the
 * proposal ignores the section.
 */
function branchHintsOn(): void {
  if (hintsOn) return;
  hintsOn = true;
  setFlagsFromString('--experimental-wasm-branch-hinting');
}

/** The compiled module of `bytes`, memoized by bytes (synchronous: V8 compiles with Liftoff, tiers up later). */
export function compileWasm(bytes: Uint8Array): WebAssembly.Module {
  branchHintsOn();
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
 * it are the CPU's own.
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
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(out, 1, vector(params.map((p) => {
    const t = [0x60];
    uleb(t, p);
    for (let i = 0; i < p; i++) t.push(I32);
    t.push(1, I32);
    return t;
  })));
  const imports = [[...name('env'), ...name('mem'), 0x02, 0x00, 0x00]];
  params.forEach((_p, k) => {
    const e = [...name('env'), ...name(`h${k}`), 0x00];
    uleb(e, k);
    imports.push(e);
  });
  section(out, 2, vector(imports));
  section(out, 3, vector(params.map((_p, k) => {
    const e: number[] = [];
    uleb(e, k);
    return e;
  })));
  section(out, 7, vector(params.map((_p, k) => {
    const e = [...name(`f${k}`), 0x00];
    uleb(e, n + k);
    return e;
  })));
  section(out, 10, vector(params.map((p, k) => {
    const c = new WasmCode(new Array<WasmType>(p).fill(I32), [I32]);
    for (let i = 0; i < p; i++) c.get(i);
    c.call(k);
    const body = [...c.localsBytes(), ...c.bytes, WasmOp.end];
    const e: number[] = [];
    uleb(e, body.length);
    return [...e, ...body];
  })));
  return new Uint8Array(out);
}
