/**
 * RegionLinks (src/core/jit/region-links.ts): the cells a region's jumps read (a target's table slot and its entry's
 * first pass, 0 when unlinked), filled whichever of the jump and the target comes first, emptied when the code cache
 * no longer holds the entry, a page is dropped or all is cleared, and the table slots bounded and given out again.
 */
import { describe, expect, it } from 'vitest';
import { LINK_CELL, RegionLinks, type LinkTarget } from '../../../src/core/jit/region-links.js';

/** A wasm function to put in the table (any will do: the table holds functions, the test reads its cells). */
const fn = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 4, 1, 2, 0, 11))).exports.f;

function links() {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: 3 });
  const words = new Int32Array(memory.buffer);
  const l = new RegionLinks(table, memory, 1024, 1024 + 4 * LINK_CELL);
  /** The cell's slot and length. */
  const read = (cell: number) => [words[cell >> 2], words[(cell >> 2) + 1]];
  return { l, table, read };
}

const target = (): LinkTarget => ({ run: fn, slot: 0 });

describe('RegionLinks', () => {
  it('fill a cell with the target linked before or after it is asked for, one cell per target', () => {
    const { l, table, read } = links();
    const early = l.cell(5, 0x10);
    expect(early).toBe(1024);
    expect(read(early)).toEqual([0, 0]);
    const t = target(), e = { len: 7 };
    l.link(5, t, [[0x10, e], [0x40, { len: 3 }]]);
    expect(t.slot).toBe(3);
    expect(table.get(3)).toBe(fn);
    expect(read(early)).toEqual([3, 7]);
    const late = l.cell(5, 0x40);
    expect(late).toBe(1024 + LINK_CELL);
    expect(read(late)).toEqual([3, 3]);
    expect(l.cell(5, 0x10)).toBe(early);
    expect(l.cell(6, 0x10)).not.toBe(early);
  });

  it('unlink entries the code cache no longer holds, a dropped page, and all at a clear; no cell past its space', () => {
    const { l, table, read } = links();
    const a = { len: 1 }, b = { len: 2 }, t = target();
    const ca = l.cell(1, 0xa), cb = l.cell(1, 0xb);
    l.link(1, t, [[0xa, a], [0xb, b]]);
    const entries: unknown[] = [];
    entries[0xb] = b;
    l.unlinkGone(1, entries);
    expect([read(ca)[0], read(cb)[0]]).toEqual([0, 3]);
    l.link(1, t, [[0xa, a]]);
    expect(read(ca)[0]).toBe(3);
    l.unlinkPage(1);
    expect([read(ca)[0], read(cb)[0]]).toEqual([0, 0]);
    const u = target();
    l.link(1, u, [[0xa, a]]);
    expect(u.slot).toBe(4);
    l.clear();
    expect([read(ca)[0], t.slot, u.slot, table.get(4)]).toEqual([0, 0, 0, null]);
    l.link(1, u, [[0xa, a]]);
    expect([u.slot, read(ca)[0]]).toEqual([3, 3]);
    l.cell(2, 0); l.cell(2, 1);
    expect(l.cell(2, 2)).toBe(0);
  });

  it('give out at most 2048 table slots between clears', () => {
    const { l, table } = links();
    const targets = Array.from({ length: 2100 }, target);
    for (const t of targets) l.link(9, t, []);
    expect(targets.filter((t) => t.slot !== 0).length).toBe(2048 - 3);
    expect(table.length).toBe(2048);
    l.clear();
    l.link(9, targets[2099], []);
    expect(targets[2099].slot).toBe(3);
  });
});
