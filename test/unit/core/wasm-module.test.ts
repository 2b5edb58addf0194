/** The core's WebAssembly encoder (src/core/jit/wasm-module.ts): LEB128, a module's sections, labels. */
import { describe, expect, it } from 'vitest';
import { createRam, PhysicalBus, wasmRamWanted } from '../../../src/core/bus.js';
import { loadBoard } from '../../../src/core/board.js';
import { buildMachine } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { builtins } from '../arch-i386/boot-images.js';
import { EventStream } from '../../../src/core/events.js';
import { bulkMemory, compileWasm, guestMemory, hostFunction, hostFunctions, hostIndirect, hostTable, I32, I64, indirectType, instanceFor, ByteWriter, WasmCode, type WasmIndirect, WasmOp as op, wasmModule } from '../../../src/core/jit/wasm-module.js';
import { readHints } from '../../helpers/wasm-hints.js';

const leb = (kind: 'uleb' | 'sleb', n: number) => [...new ByteWriter(1)[kind](n).bytes];

function instantiate(code: WasmCode, env: Record<string, unknown> = {}) {
  const mem = guestMemory(1);
  const instance = new WebAssembly.Instance(compileWasm(wasmModule(code, Object.keys(env).map((name) => ({ name, params: [I32], results: [I32] })))), { env: { mem, ...env } });
  return { run: instance.exports.run as (...a: number[]) => number, mem: new Int32Array(mem.buffer) };
}

describe('wasm encoder', () => {
  it('instanceFor makes one thing per module and owner', () => {
    const code = new WasmCode([], [I32]);
    code.i32(7);
    const a = compileWasm(wasmModule(code));
    const b = new WebAssembly.Module(wasmModule(code) as Uint8Array<ArrayBuffer>);
    const [cpu0, cpu1] = [{}, {}];
    let made = 0;
    const make = () => ({ n: made++ });
    const first = instanceFor(a, cpu0, make);
    expect(instanceFor(a, cpu0, make)).toBe(first);
    expect(instanceFor(a, cpu1, make)).not.toBe(first);
    expect(instanceFor(b, cpu0, make)).not.toBe(first);
    expect(made).toBe(3);
  });

  it('hostFunction makes a host callback a wasm function that modules import, passing the arguments and the result', () => {
    const calls: number[][] = [];
    const mem = guestMemory(1);
    const host = hostFunction((a, b, c) => (calls.push([a, b, c]), a * 100 + b * 10 + c), 3, mem);
    // A wasm export, not the JavaScript function itself (importing it costs no wasm-to-JavaScript wrapper).
    expect(String(host)).toMatch(/native code/);
    const code = new WasmCode([I32], [I32]);
    code.get(0).i32(2).i32(3).call(0);
    const module = compileWasm(wasmModule(code, [{ name: 'cb', params: [I32, I32, I32], results: [I32] }]));
    const run = new WebAssembly.Instance(module, { env: { mem, cb: host } }).exports.run as (a: number) => number;
    expect(run(1)).toBe(123);
    expect(calls).toEqual([[1, 2, 3]]);
    expect(hostFunction(() => true, 0, mem) as () => number).toBeTypeOf('function');
    expect((hostFunction(() => true, 0, mem) as () => number)()).toBe(1);
  });

  it('writes LEB128', () => {
    expect(leb('uleb', 0)).toEqual([0]);
    expect(leb('uleb', 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(leb('uleb', 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(leb('sleb', -1)).toEqual([0x7f]);
    expect(leb('sleb', 63)).toEqual([0x3f]);
    expect(leb('sleb', 64)).toEqual([0xc0, 0x00]);
    expect(leb('sleb', -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(leb('sleb', -2147483648)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('encodes any i64 constant (i64w) and stores i64 words', () => {
    for (const [lo, hi] of [
      [0, 0],
      [-1, -1],
      [0x12345678, -0x789abcdf],
      [-0x80000000, 0x7fffffff],
      [0x40, 0],
      [0, -0x80000000],
    ]) {
      const c = new WasmCode([], [I32]);
      c.i32(0).i64w(lo, hi).mem(op.i64_store);
      c.i32(8).i64w(lo, hi).i64(32).op(op.i64_shr_u).mem(op.i64_store32);
      c.i32(0);
      const { run, mem } = instantiate(c);
      run();
      expect([mem[0], mem[1], mem[2]]).toEqual([lo, hi, hi]);
    }
  });

  it('builds a module that adds its arguments', () => {
    const c = new WasmCode([I32, I32], [I32]);
    c.get(0).get(1).op(op.i32_add);
    const { run } = instantiate(c);
    expect(run(2, 40)).toBe(42);
    expect(run(0x7fffffff, 1)).toBe(-0x80000000);
  });

  it('writes a body of many bytes and locals (sizes of three LEB128 bytes) and its hints', () => {
    const c = new WasmCode([I32], [I32]);
    const locals = [c.local(), c.local(I64), c.local(I64), c.local()];
    for (let i = 0; i < 3000; i++) c.get(0).i32(i).op(op.i32_add).set(0); // 3000 * 6+ bytes: a body past 16 KiB
    c.get(0).i32(1).op(op.i32_and).if(false);
    c.get(0).i32(1).op(op.i32_add).set(0).end();
    c.get(0).set(locals[3]).get(locals[3]);
    const bytes = wasmModule(c);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(bytes[bytes.length - 1]).toBe(op.end);
    expect(readHints(bytes).hints).toHaveLength(1);
    const { run } = instantiate(c);
    const sum = (3000 * 2999) / 2;
    expect(run(5)).toBe(5 + sum + ((5 + sum) & 1));
  });

  it('builds a loop with labels resolved to depths, locals, memory and an imported call', () => {
    // sum = 0; for (i = n; i != 0; i--) sum += host(i); mem[4] = sum; return sum
    const c = new WasmCode([I32], [I32]);
    const sum = c.local();
    const exit = c.block();
    const again = c.loop();
    c.get(0).op(op.i32_eqz).brIf(exit);
    c.get(sum).get(0).call(0).op(op.i32_add).set(sum);
    c.get(0).i32(1).op(op.i32_sub).set(0);
    c.br(again);
    c.end().end();
    c.i32(0).get(sum).mem(op.i32_store, 16);
    c.get(sum);
    const { run, mem } = instantiate(c, { host: (i: number) => i * 10 });
    expect(run(4)).toBe(100);
    expect(mem[4]).toBe(100);
  });

  it('calls host functions through an imported table (call_indirect by type), importing no function', () => {
    const twice = hostFunction((x) => 2 * x, 1, guestMemory(1));
    const minus = hostFunction((x, y) => x - y, 2, guestMemory(1));
    const indirect: WasmIndirect = { table: 'host', types: [{ params: [I32], results: [I32] }, { params: [I32, I32], results: [I32] }] };
    const code = new WasmCode([I32], [I32]);
    code.get(0).i32(0).callIndirect(indirectType(0, 0)); // twice(x)
    code.i32(5).i32(1).callIndirect(indirectType(0, 1)); // minus(2x, 5)
    const bytes = wasmModule(code, [], indirect);
    const module = compileWasm(bytes);
    expect(WebAssembly.Module.imports(module).map((i) => `${i.kind} ${i.name}`)).toEqual(['memory mem', 'table host']);
    const table = new WebAssembly.Table({ element: 'anyfunc', initial: 2 });
    table.set(0, twice);
    table.set(1, minus);
    const run = new WebAssembly.Instance(module, { env: { mem: guestMemory(1), host: table } }).exports.run as (x: number) => number;
    expect(run(21)).toBe(37);
    // With function imports too, the table's types come after the imports' and the function's own.
    expect(indirectType(2, 1)).toBe(4);
  });

  it('builds a table of host functions by slot (hostTable) and its module types (hostIndirect)', () => {
    const memory = guestMemory(1);
    const fns = [{ fn: (x: number) => x + 1, params: 1 }, { fn: (x: number, y: number) => x > y, params: 2 }];
    const table = hostTable(fns, memory);
    expect(table.length).toBe(2);
    const indirect = hostIndirect('host', fns);
    expect(indirect).toEqual({ table: 'host', types: [{ params: [I32], results: [I32] }, { params: [I32, I32], results: [I32] }] });
    const code = new WasmCode([I32], [I32]);
    code.get(0).i32(0).callIndirect(indirectType(0, 0)).i32(3).i32(1).callIndirect(indirectType(0, 1)); // x + 1 > 3
    const run = new WebAssembly.Instance(compileWasm(wasmModule(code, [], indirect)), { env: { mem: memory, host: table } }).exports.run as (x: number) => number;
    expect([run(1), run(3)]).toEqual([0, 1]);
  });

  it('makes all of a table\'s host functions from one module, instantiated once (hostFunctions)', () => {
    const memory = guestMemory(1);
    const fns = [{ fn: () => 7, params: 0 }, { fn: (x: number) => x * 3, params: 1 }, { fn: (a: number, b: number, c: number, d: number) => a - b + c - d, params: 4 }];
    const Real = WebAssembly.Instance;
    let instances = 0;
    WebAssembly.Instance = class extends Real {
      constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
        super(module, imports);
        instances++;
      }
    };
    try {
      const [f0, f1, f2] = hostFunctions(fns, memory) as ((...a: number[]) => number)[];
      expect(instances).toBe(1);
      expect([f0(), f1(5), f2(10, 4, 3, 1)]).toEqual([7, 15, 8]);
      expect(String(f2)).toMatch(/native code/);
      hostTable(fns, memory);
      expect(instances).toBe(2);
    } finally {
      WebAssembly.Instance = Real;
    }
  });

  it('compiles equal bytes once', () => {
    const make = () => {
      const c = new WasmCode([], [I32]);
      c.i32(7);
      return wasmModule(c);
    };
    expect(compileWasm(make())).toBe(compileWasm(make()));
  });

  it('rewinds to a mark: the bytes, hints and structures emitted since dropped, labels outside them as before', () => {
    const c = new WasmCode([I32], [I32]);
    const exit = c.block();
    const at = c.mark();
    c.loop();
    c.get(0).op(op.i32_eqz).if(false); // a hint and two open structures, then dropped
    expect(c.rewind(at).mark()).toEqual(at);
    c.get(0).op(op.i32_eqz).brIf(exit, false); // depth 0: the block, not the dropped loop or if
    c.i32(7).set(0);
    c.end();
    c.get(0);
    const bytes = wasmModule(c);
    expect(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(readHints(bytes).hints).toHaveLength(1);
    const { run } = instantiate(c);
    expect([run(0), run(3)]).toEqual([0, 7]);
  });

  it('refuses a branch to a label that is not open', () => {
    const c = new WasmCode([], []);
    const l = c.block();
    c.end();
    expect(() => c.br(l)).toThrow(/not open/);
  });
});

describe('RAM in a wasm memory', () => {
  it('puts RAM at offset 0, the page flags after it, then the code-line map and the CPU areas', () => {
    const size = 0x23000; // not a multiple of 64 KiB
    const ram = createRam(0x80000000, size, true);
    const wasm = ram.wasm!;
    expect(ram.u8.buffer).toBe(wasm.memory.buffer);
    expect([ram.u8.length, ram.i32.length, ram.view.byteLength]).toEqual([size, size / 4, size]);
    expect(wasm.flags).toBe(0x30000);
    // The code-line map (a byte per 64 bytes of RAM) between the flags and the CPU areas.
    expect(wasm.codeLines).toBe(0x31000);
    expect(wasm.codeLines + size / 64).toBeLessThanOrEqual(wasm.cpuArea);
    expect(wasm.cpuArea).toBe(0x40000);
    expect(wasm.memory.buffer.byteLength).toBe(wasm.cpuArea + wasm.cpuAreas * wasm.cpuAreaSize);
    const bus = new PhysicalBus(ram, new EventStream());
    expect(bus.pageFlags.buffer).toBe(wasm.memory.buffer);
    expect([bus.pageFlags.byteOffset, bus.pageFlags.length]).toEqual([wasm.flags, size / 4096]);
  });

  it('hands each CPU its own area until they run out, and none to a translator whose area does not fit', () => {
    const wasm = createRam(0, 0x10000, true).wasm!;
    expect(wasm.claim(wasm.cpuAreaSize + 4)).toBeNull();
    const areas = Array.from({ length: wasm.cpuAreas }, () => wasm.claim(256)!);
    expect(areas.map((a) => a.area)).toEqual(areas.map((_, i) => wasm.cpuArea + i * wasm.cpuAreaSize));
    expect(areas.every((a) => a.flags === wasm.flags && a.codeLines === wasm.codeLines && a.memory === wasm.memory)).toBe(true);
    expect([areas[1].area32.buffer, areas[1].area32.byteOffset, areas[1].area32.length]).toEqual([wasm.memory.buffer, areas[1].area, 64]);
    expect(wasm.claim(256)).toBeNull();
    expect(wasm.claimed).toBe(wasm.cpuAreas);
  });

  it('is an ArrayBuffer without the switch', () => {
    const ram = createRam(0, 0x10000, false);
    expect(ram.wasm).toBeUndefined();
    expect(ram.u8.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('is a shared memory (no external-memory collections), which every module imports as shared', () => {
    const ram = createRam(0, 0x10000, true);
    expect(ram.u8.buffer).toBeInstanceOf(SharedArrayBuffer);
    const code = new WasmCode([I32], [I32]);
    code.get(0).mem(op.i32_load);
    const bytes = wasmModule(code);
    const module = compileWasm(bytes);
    ram.i32[1] = 42;
    expect((new WebAssembly.Instance(module, { env: { mem: ram.wasm!.memory } }).exports.run as (a: number) => number)(4)).toBe(42);
    // The import says shared: a plain memory does not link.
    expect(() => new WebAssembly.Instance(module, { env: { mem: new WebAssembly.Memory({ initial: 1 }) } })).toThrow(WebAssembly.LinkError);
  });

  it('fills and copies as u8.fill and u8.copyWithin do, in a wasm memory (bulkMemory) and in a plain one', () => {
    const ops = (ram: ReturnType<typeof createRam>): number[] => {
      ram.u8.forEach((_, i) => (ram.u8[i] = i * 7));
      ram.fill(0x100, 0x1ab, 3000);
      ram.fill(0x3ffc, 0, 4); // the last bytes
      ram.copy(0x2000, 0x1f80, 0x200); // overlapping, forward
      ram.copy(0x1000, 0x1080, 0x200); // overlapping, back
      ram.copy(0x3000, 0x10, 1);
      return [...ram.u8];
    };
    const reference = new Uint8Array(0x4000).map((_, i) => i * 7);
    reference.fill(0xab, 0x100, 0x100 + 3000);
    reference.fill(0, 0x3ffc, 0x4000);
    reference.copyWithin(0x2000, 0x1f80, 0x2180);
    reference.copyWithin(0x1000, 0x1080, 0x1280);
    reference.copyWithin(0x3000, 0x10, 0x11);
    const wasm = createRam(0, 0x4000, true), plain = createRam(0, 0x4000, false);
    expect(ops(wasm)).toEqual([...reference]);
    expect(ops(plain)).toEqual([...reference]);
    // The wasm functions themselves, on a memory of their own.
    const memory = guestMemory(1), bulk = bulkMemory(memory), u8 = new Uint8Array(memory.buffer);
    bulk.fill(10, 0x1ff, 5);
    bulk.copy(20, 8, 8);
    const run = [0, 0, 255, 255, 255, 255, 255, 0]; // bytes 8-15, then copied to 20-27
    expect([...u8.subarray(8, 28)]).toEqual([...run, 0, 0, 0, 0, ...run]);
  });

  it('is wanted unless RVOS_JIT_WASM=0 or the process was started with glibc\'s huge-page tunable', () => {
    expect(wasmRamWanted({})).toBe(true);
    expect(wasmRamWanted({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })).toBe(false);
    expect(wasmRamWanted({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1', RVOS_JIT_WASM: '1' })).toBe(true);
    expect(wasmRamWanted({ RVOS_JIT_WASM: '0' })).toBe(false);
    expect(wasmRamWanted({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toBe(true);
  });

  it('is what a machine gets for an arch whose translator uses it (rv32; aarch64, i386 unless RVOS_JIT_WASM_A64=0 / RVOS_JIT_WASM_I386=0), not under --engine interp', async () => {
    const names = ['RVOS_JIT_WASM', 'RVOS_JIT_WASM_A64', 'RVOS_JIT_WASM_I386'] as const;
    const before = names.map((n) => process.env[n]);
    process.env.RVOS_JIT_WASM = '1';
    delete process.env.RVOS_JIT_WASM_A64;
    delete process.env.RVOS_JIT_WASM_I386;
    try {
      const ramOf = async (board: string, engine?: 'interp' | 'jit') =>
        buildMachine(await builtins(), loadBoard(board), { drives: [], console: new CaptureBackend(), engine }).bus.ram;
      expect((await ramOf('virt')).wasm).toBeDefined();
      expect((await ramOf('virt', 'jit')).wasm).toBeDefined();
      expect((await ramOf('virt', 'interp')).wasm).toBeUndefined();
      expect((await ramOf('raspi3b')).wasm).toBeDefined();
      expect((await ramOf('raspi3b', 'interp')).wasm).toBeUndefined();
      expect((await ramOf('pc')).wasm).toBeDefined();
      expect((await ramOf('pc', 'interp')).wasm).toBeUndefined();
      process.env.RVOS_JIT_WASM_I386 = '0';
      expect((await ramOf('pc')).wasm).toBeUndefined();
      process.env.RVOS_JIT_WASM_A64 = '0';
      expect((await ramOf('raspi3b')).wasm).toBeUndefined();
    } finally {
      names.forEach((n, i) => {
        if (before[i] === undefined) delete process.env[n];
        else process.env[n] = before[i];
      });
    }
  });
});

describe('wasm encoder: branch hints', () => {
  it('names each hinted if and br_if by its offset in the body (locals counted), before the code section, also after an insert', () => {
    const c = new WasmCode([I32], [I32]);
    const x = c.local();
    c.local();
    c.get(0).set(x);
    const out = c.block();
    c.get(x).i32(3).op(op.i32_lt_s).if(false);
    c.i32(7).set(x);
    c.end();
    c.get(x).i32(100).op(op.i32_gt_s).brIf(out, true);
    c.get(x).i32(1).op(op.i32_add).set(x);
    c.end();
    // Code put in front of everything hinted (as jit-wasm.ts does with its sites' set-up) moves the hints.
    c.insert(0, new WasmCode([], []).i32(0).op(op.drop).bytes);
    c.get(x);
    const bytes = wasmModule(c);
    const { body, hints, hintsFirst } = readHints(bytes);
    expect(hintsFirst).toBe(true);
    expect(hints.map(([off, likely]) => [body[off], likely])).toEqual([
      [op.if, 0],
      [op.br_if, 1],
    ]);
    const run = new WebAssembly.Instance(compileWasm(bytes), { env: { mem: guestMemory(1) } }).exports.run as (n: number) => number;
    expect([run(1), run(5), run(200)]).toEqual([8, 6, 200]);
  });

  it('writes hints in byte order also when they were recorded out of it (encodeHints copies and sorts only then)', () => {
    const c = new WasmCode([I32], [I32]);
    c.get(0).op(op.i32_eqz).if(false);
    c.i32(1).op(op.drop);
    c.end();
    c.get(0).op(op.i32_eqz).if(true);
    c.end();
    c.get(0);
    const inOrder = readHints(wasmModule(c));
    c.hints.reverse();
    const reversed = readHints(wasmModule(c));
    expect(reversed.hints).toEqual(inOrder.hints);
    expect(reversed.hints.map(([off, likely]) => [reversed.body[off], likely])).toEqual([
      [op.if, 0],
      [op.if, 1],
    ]);
    expect(c.hints[0][1]).toBe(1); // the function's own record is left as it was
  });

  it('writes no hint section for a function without hints', () => {
    const c = new WasmCode([I32], [I32]);
    c.get(0);
    expect(readHints(wasmModule(c)).hints).toEqual([]);
    expect(readHints(wasmModule(c)).hintsFirst).toBe(false);
  });
});
