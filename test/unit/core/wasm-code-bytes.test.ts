/**
 * WasmCode writes into a Uint8Array that grows as it fills (src/core/jit/wasm-module.ts ByteWriter): the bytes must
 * be those a plain array of the same instructions holds, across growth, inserts, truncations, patches and rewinds.
 * The reference here encodes LEB128 by division, not by shifts as the emitter does.
 */
import { describe, expect, it, vi } from 'vitest';
import { I32, WasmCode, WasmOp as op, wasmModule } from '../../../src/core/jit/wasm-module.js';
import { rng } from '../../helpers/rng.js';

function refUleb(n: number): number[] {
  const out: number[] = [];
  for (let v = n >>> 0; ; v = Math.floor(v / 128)) {
    if (v < 128) return [...out, v];
    out.push((v % 128) + 128);
  }
}

function refSleb(n: number): number[] {
  const out: number[] = [];
  for (let v = n | 0; ; v = Math.floor(v / 128)) {
    const low = ((v % 128) + 128) % 128;
    if (v >= -64 && v < 64) return [...out, low];
    out.push(low + 128);
  }
}

/** A random value of a random size (LEB128 of one to five bytes). */
function value(r: () => number): number {
  return Math.floor((r() - 0.5) * 2 ** Math.floor(r() * 33));
}

describe('WasmCode bytes', () => {
  it('are a plain array of the same instructions, across growth, insert, truncate, patch and rewind', () => {
    const r = rng(11);
    let longest = 0;
    for (let round = 0; round < 40; round++) {
      const c = new WasmCode([I32], [I32]);
      let ref: number[] = [];
      let mark = c.mark();
      const steps = 50 + Math.floor(r() * 3000);
      for (let s = 0; s < steps; s++) {
        const pick = r();
        if (pick < 0.3) {
          const v = value(r);
          c.i32(v);
          ref.push(op.i32_const, ...refSleb(v));
        } else if (pick < 0.5) {
          const l = Math.floor(r() * 300);
          c.get(l);
          ref.push(op.local_get, ...refUleb(l));
        } else if (pick < 0.6) {
          const offset = value(r) >>> 0;
          c.mem(op.i32_load, offset);
          ref.push(op.i32_load, 2, ...refUleb(offset));
        } else if (pick < 0.7) {
          c.op(op.i32_add);
          ref.push(op.i32_add);
        } else if (pick < 0.75) {
          const other = new WasmCode([], []).i32(value(r)).op(op.drop);
          const at = Math.floor(r() * (ref.length + 1));
          c.insert(at, other.bytes);
          ref = [...ref.slice(0, at), ...other.bytes, ...ref.slice(at)];
        } else if (pick < 0.8 && ref.length > 0) {
          const at = Math.floor(r() * ref.length), b = Math.floor(r() * 256);
          c.patch(at, b);
          ref[at] = b;
        } else if (pick < 0.85) {
          const at = Math.max(0, ref.length - Math.floor(r() * 40)); // a left-out instruction or a few
          c.truncate(at);
          ref.length = at;
          if (mark.bytes > at) mark = c.mark();
        } else if (pick < 0.9) {
          mark = c.mark();
        } else if (pick < 0.93) {
          c.rewind(mark); // the bytes from the mark on go, those before it stay as they are now
          ref.length = mark.bytes;
        } else {
          c.byte(0x80).byte(0);
          ref.push(0x80, 0);
        }
        expect(c.size).toBe(ref.length);
        longest = Math.max(longest, ref.length);
      }
      expect([...c.bytes]).toEqual(ref);
      // The module holds the body as written, after the locals' declaration (none: one byte) and before `end`.
      const module = wasmModule(c);
      expect([...module.subarray(module.length - ref.length - 1, module.length - 1)]).toEqual(ref);
    }
    expect(longest).toBeGreaterThan(2 * 1024); // the buffer (1 KiB at first) grew twice
  });

  it('moves the branch hints after an insert and drops those a truncate cuts off', () => {
    const c = new WasmCode([I32], [I32]);
    c.get(0).if(false);
    c.end();
    c.get(0).op(op.i32_eqz).if(true);
    c.end();
    c.insert(2, new Uint8Array([0x01, 0x01, 0x01])); // three nops
    expect(c.hints).toEqual([
      [5, 0],
      [11, 1],
    ]);
    c.truncate(11);
    expect(c.hints).toEqual([[5, 0]]);
  });

  it('writes each form as byte(), uleb() and sleb() would, at LEB128 sizes one to five (i32, get, set, tee, mem, br, br_if, blocks)', () => {
    const values = [0, 1, 63, 64, -64, -65, 127, 128, 8191, 8192, -8193, 2 ** 20, -(2 ** 20), 2 ** 27, 2 ** 31 - 1, -(2 ** 31)];
    const unsigned = [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28, 2 ** 32 - 1];
    const c = new WasmCode([I32], [I32]);
    const ref: number[] = [];
    for (const v of values) {
      c.i32(v);
      ref.push(op.i32_const, ...refSleb(v));
    }
    for (const u of unsigned) {
      c.get(u).set(u).tee(u);
      ref.push(op.local_get, ...refUleb(u), op.local_set, ...refUleb(u), op.local_tee, ...refUleb(u));
      for (const [o, align] of [[op.i32_load8_u, 0], [op.i32_store16, 1], [op.i32_load, 2], [op.i64_store, 3]] as const) {
        c.mem(o, u);
        ref.push(o, align, ...refUleb(u));
      }
    }
    // 200 nested blocks: branches to the outermost at depths of two bytes.
    const labels: number[] = [];
    for (let i = 0; i < 200; i++) {
      labels.push(i % 3 === 0 ? c.block() : i % 3 === 1 ? c.loop() : c.i32(1).if());
      ref.push(...(i % 3 === 0 ? [op.block] : i % 3 === 1 ? [op.loop] : [op.i32_const, 1, op.if]), 0x40);
    }
    c.br(labels[0]).i32(0).brIf(labels[0]).br(labels[199]).i32(0).brIf(labels[150]).else().op(op.i32_add);
    ref.push(op.br, ...refUleb(199), op.i32_const, 0, op.br_if, ...refUleb(199), op.br, 0, op.i32_const, 0, op.br_if, ...refUleb(49), op.else, op.i32_add);
    for (let i = 0; i < 200; i++) c.end();
    ref.push(...new Array<number>(200).fill(op.end));
    expect([...c.bytes]).toEqual(ref);
  });

  it('writes the frequent forms without calling byte(), uleb() or sleb() (a translator runs cold in a new process, where each call costs)', () => {
    const c = new WasmCode([I32], [I32]);
    const calls = [vi.spyOn(c, 'byte'), vi.spyOn(c, 'uleb'), vi.spyOn(c, 'sleb')];
    const l = c.block();
    c.loop();
    c.i32(-100000).get(1).op(op.i32_add).tee(2).set(3).i32(5).mem(op.i32_load, 1000).i32(0).if(false);
    c.br(l).else().i32(1).brIf(l, true).end().end().end();
    for (const spy of calls) expect(spy).not.toHaveBeenCalled();
    expect(c.size).toBeGreaterThan(30);
  });

  it('writes nothing when dry (a scan), its labels, locals and branch checks as when it writes', () => {
    const emit = (c: WasmCode) => {
      const out: number[] = [c.local(), c.block(), c.loop()];
      c.i32(7).get(0).set(1).tee(1).mem(op.i32_load8_u, 3).op(op.i32_add).i64(5).i64w(1, 2).call(0).callIndirect(1);
      out.push(c.i32(0).if(false));
      c.br(out[1]).else().brIf(out[2], true).brTable([out[1], out[2]], out[3]).end();
      c.end();
      out.push(c.block());
      c.end().end();
      out.push(c.local());
      return out;
    };
    const wet = new WasmCode([I32], [I32]), dry = new WasmCode([I32], [I32], true);
    expect(emit(dry)).toEqual(emit(wet));
    expect(wet.size).toBeGreaterThan(40);
    expect(wet.hints.length).toBe(2);
    expect(dry.size).toBe(0);
    expect(dry.hints).toEqual([]);
    expect(dry.mark()).toEqual({ bytes: 0, hints: 0, depth: 0 });
    expect(() => dry.br(0)).toThrow(/not open/);
    dry.block();
    expect(() => dry.brTable([1], 0)).toThrow(/not open/);
  });
});
