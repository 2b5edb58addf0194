/**
 * WasmCode writes into a Uint8Array that grows as it fills (src/core/jit/wasm-module.ts ByteWriter): the bytes must
 * be those a plain array of the same instructions holds, across growth, inserts, truncations, patches and rewinds.
 * The reference here encodes LEB128 by division, not by shifts as the emitter does.
 */
import { describe, expect, it } from 'vitest';
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
});
