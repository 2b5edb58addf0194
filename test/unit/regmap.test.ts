import { describe, expect, it, vi } from 'vitest';
import { createRegisterMap } from '../../src/core/regmap.js';

describe('createRegisterMap', () => {
  it('stores named registers with reset values and restores them on reset()', () => {
    const m = createRegisterMap({
      registers: [
        { name: 'CTRL', offset: 0x0, reset: 0x12345678 },
        { name: 'BYTE', offset: 0x4, width: 1, reset: 0xab },
        { name: 'HALF', offset: 0x6, width: 2, reset: 0xbeef },
      ],
    });
    expect(m.read(0x0, 4)).toBe(0x12345678);
    expect(m.read(0x4, 1)).toBe(0xab);
    expect(m.read(0x6, 2)).toBe(0xbeef);
    m.write(0x0, 4, 0xdeadbeef);
    m.write(0x4, 1, 0x01);
    m.write(0x6, 2, 0x0102);
    expect(m.get('CTRL')).toBe(0xdeadbeef);
    expect(m.get('BYTE')).toBe(0x01);
    expect(m.get('HALF')).toBe(0x0102);
    m.reset();
    expect(m.read(0x0, 4)).toBe(0x12345678);
    expect(m.read(0x4, 1)).toBe(0xab);
    expect(m.read(0x6, 2)).toBe(0xbeef);
  });

  it('reads 32-bit values unsigned', () => {
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0, reset: 0xffffffff }] });
    expect(m.read(0, 4)).toBe(0xffffffff);
  });

  it('returns the addressed byte or half of a wider register', () => {
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0x10, reset: 0x44332211 }] });
    expect(m.read(0x10, 1)).toBe(0x11);
    expect(m.read(0x11, 1)).toBe(0x22);
    expect(m.read(0x12, 1)).toBe(0x33);
    expect(m.read(0x13, 1)).toBe(0x44);
    expect(m.read(0x10, 2)).toBe(0x2211);
    expect(m.read(0x12, 2)).toBe(0x4433);
    expect(m.read(0x11, 2)).toBe(0x3322); // unaligned but inside the register
  });

  it('merges sub-word writes into the stored value', () => {
    const write = vi.fn();
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0, reset: 0x44332211, write }] });
    m.write(2, 1, 0xaa);
    expect(m.get('R')).toBe(0x44aa2211);
    expect(write).toHaveBeenLastCalledWith(0x44aa2211, 0, 0x00aa0000, 0x00ff0000);
    m.write(0, 2, 0xbbcc);
    expect(m.get('R')).toBe(0x44aabbcc);
    expect(write).toHaveBeenLastCalledWith(0x44aabbcc, 0, 0x0000bbcc, 0x0000ffff);
    m.write(1, 2, 0x1234);
    expect(m.get('R')).toBe(0x441234cc);
  });

  it('honours write masks', () => {
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0, reset: 0xf0, writeMask: 0x0f }] });
    m.write(0, 4, 0xffffff05);
    expect(m.read(0, 4)).toBe(0xf5);
    m.write(0, 4, 0);
    expect(m.read(0, 4)).toBe(0xf0);
  });

  it('ignores writes to read-only registers without calling the side effect', () => {
    const write = vi.fn();
    const m = createRegisterMap({ registers: [{ name: 'ID', offset: 0, access: 'ro', reset: 0x1234, write }] });
    m.write(0, 4, 0);
    expect(m.read(0, 4)).toBe(0x1234);
    expect(write).not.toHaveBeenCalled();
  });

  it('reads write-only registers as 0 but keeps the written value', () => {
    const write = vi.fn();
    const m = createRegisterMap({ registers: [{ name: 'CMD', offset: 0, access: 'wo', write }] });
    m.write(0, 4, 0x55);
    expect(m.read(0, 4)).toBe(0);
    expect(m.get('CMD')).toBe(0x55);
    expect(write).toHaveBeenCalledWith(0x55, 0, 0x55, 0xffffffff);
  });

  it('clears bits written with 1 in w1c registers', () => {
    const m = createRegisterMap({ registers: [{ name: 'ISR', offset: 0, access: 'w1c', reset: 0b1111 }] });
    m.write(0, 4, 0b0101);
    expect(m.read(0, 4)).toBe(0b1010);
    m.write(0, 4, 0);
    expect(m.read(0, 4)).toBe(0b1010);
    // A byte write to another lane clears nothing here.
    m.write(1, 1, 0xff);
    expect(m.read(0, 4)).toBe(0b1010);
  });

  it('applies per-field access modes', () => {
    const m = createRegisterMap({
      registers: [
        {
          name: 'STAT',
          offset: 0,
          reset: 0xff00,
          fields: [
            { name: 'EN', bits: [3, 0] },
            { name: 'VER', bits: [7, 4], access: 'ro' },
            { name: 'IRQ', bits: [15, 8], access: 'w1c' },
            { name: 'KEY', bits: [23, 16], access: 'wo' },
          ],
        },
      ],
    });
    m.set('STAT', 0x0000ffa0);
    m.write(0, 4, 0x00aa0f5f);
    // EN <- 0xf, VER stays 0xa, IRQ bits 0x0f cleared (0xff -> 0xf0), KEY stored but reads 0.
    expect(m.get('STAT')).toBe(0x00aaf0af);
    expect(m.read(0, 4)).toBe(0x0000f0af);
  });

  it('calls computed reads and write side effects with the array index', () => {
    const read = vi.fn((i: number) => 0x100 + i);
    const write = vi.fn();
    const m = createRegisterMap({
      registers: [{ name: 'prio', offset: 0x0, count: 1024, stride: 4, read, write }],
    });
    expect(m.read(4 * 1000, 4)).toBe(0x100 + 1000);
    expect(read).toHaveBeenCalledWith(1000);
    m.write(4 * 7, 4, 3);
    expect(write).toHaveBeenCalledWith(3, 7, 3, 0xffffffff);
    expect(m.get('prio', 7)).toBe(3);
    expect(m.values('prio')[7]).toBe(3);
  });

  it('names registers and array elements', () => {
    const m = createRegisterMap({
      registers: [
        { name: 'priority', offset: 0x0, count: 96, stride: 4 },
        { name: 'pending', offset: 0x1000, count: 3, stride: 4 },
        { name: 'threshold', offset: 0x200000, count: 4, stride: 0x1000 },
        { name: 'claim', offset: 0x200004, count: 4, stride: 0x1000 },
      ],
    });
    expect(m.nameAt(0x0)).toBe('priority[0]');
    expect(m.nameAt(0xc)).toBe('priority[3]');
    expect(m.nameAt(0xe)).toBe('priority[3]');
    expect(m.nameAt(0x17c)).toBe('priority[95]');
    expect(m.nameAt(0x180)).toBeUndefined();
    expect(m.nameAt(0x1008)).toBe('pending[2]');
    expect(m.nameAt(0x203000)).toBe('threshold[3]');
    expect(m.nameAt(0x203004)).toBe('claim[3]');
    expect(m.nameAt(0x203008)).toBeUndefined(); // gap inside the stride
    expect(m.nameAt(0x204000)).toBeUndefined(); // past the last instance
  });

  it('matches interleaved arrays (lo/hi halves) arithmetically', () => {
    const m = createRegisterMap({
      registers: [
        { name: 'cmp_lo', offset: 0x4000, count: 4095, stride: 8 },
        { name: 'cmp_hi', offset: 0x4004, count: 4095, stride: 8 },
        { name: 'time_lo', offset: 0xbff8 },
        { name: 'time_hi', offset: 0xbffc },
      ],
    });
    m.write(0x4000 + 8 * 5, 4, 0x11111111);
    m.write(0x4004 + 8 * 5, 4, 0x22222222);
    expect(m.get('cmp_lo', 5)).toBe(0x11111111);
    expect(m.get('cmp_hi', 5)).toBe(0x22222222);
    expect(m.nameAt(0x4004 + 8 * 4094)).toBe('cmp_hi[4094]');
    expect(m.nameAt(0xbff8)).toBe('time_lo');
    expect(m.nameAt(0xbffc)).toBe('time_hi');
  });

  it('reads unmapped offsets as 0 and ignores writes there', () => {
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0x10, reset: 7 }] });
    expect(m.read(0x0, 4)).toBe(0);
    m.write(0x0, 4, 0xffffffff);
    expect(m.read(0x10, 4)).toBe(7);
    expect(m.read(0x100, 1)).toBe(0);
  });

  it('lets the device handle unmapped offsets', () => {
    const writes: number[][] = [];
    const m = createRegisterMap({
      registers: [{ name: 'R', offset: 0x10 }],
      unmapped: { read: (o) => 0xee00 + o, write: (o, s, v) => writes.push([o, s, v]) },
    });
    expect(m.read(0x4, 4)).toBe(0xee04);
    m.write(0x8, 2, 0x1234);
    expect(writes).toEqual([[0x8, 2, 0x1234]]);
  });

  it('splits accesses that straddle registers into byte accesses', () => {
    const m = createRegisterMap({
      registers: [
        { name: 'A', offset: 0, reset: 0x44332211 },
        { name: 'B', offset: 4, reset: 0x88776655 },
      ],
    });
    expect(m.read(2, 4)).toBe(0x66554433);
    m.write(3, 2, 0xbbaa);
    expect(m.get('A')).toBe(0xaa332211);
    expect(m.get('B')).toBe(0x887766bb);
  });

  it('assembles accesses half over a hole', () => {
    const m = createRegisterMap({ registers: [{ name: 'B', offset: 1, width: 1, reset: 0x5a }] });
    expect(m.read(0, 2)).toBe(0x5a00);
  });

  it('reports accepted sizes and alignment', () => {
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0 }], sizes: [4], aligned: true });
    expect(m.accepts(0, 4)).toBe(true);
    expect(m.accepts(0, 1)).toBe(false);
    expect(m.accepts(0, 2)).toBe(false);
    expect(m.accepts(2, 4)).toBe(false);
    const loose = createRegisterMap({ registers: [{ name: 'R', offset: 0 }] });
    expect(loose.accepts(3, 1)).toBe(true);
    expect(loose.accepts(1, 4)).toBe(true);
  });

  it('set() changes stored values without side effects and get() checks names', () => {
    const write = vi.fn();
    const m = createRegisterMap({ registers: [{ name: 'R', offset: 0, width: 1, write }] });
    m.set('R', 0x1ff);
    expect(m.get('R')).toBe(0xff);
    expect(write).not.toHaveBeenCalled();
    expect(() => m.get('nope')).toThrow(/no register named nope/);
    expect(() => m.get('R', 1)).toThrow(/out of range/);
  });

  it('describes fields for traces', () => {
    const m = createRegisterMap({
      registers: [
        {
          name: 'LCR',
          offset: 3,
          width: 1,
          fields: [
            { name: 'DLAB', bits: [7, 7] },
            { name: 'WLS', bits: [1, 0] },
          ],
        },
      ],
    });
    expect(m.describe(3, 0x83)).toBe('LCR DLAB=1 WLS=3');
    expect(m.describe(4, 0)).toBeUndefined();
  });

  it('rejects malformed declarations', () => {
    expect(() => createRegisterMap({ registers: [{ name: 'A', offset: 0 }, { name: 'A', offset: 4 }] })).toThrow(/twice/);
    expect(() => createRegisterMap({ registers: [{ name: 'A', offset: 0 }, { name: 'B', offset: 2 }] })).toThrow(/overlap/);
    expect(() =>
      createRegisterMap({
        registers: [
          { name: 'A', offset: 0, count: 4, stride: 8 },
          { name: 'B', offset: 2, count: 4, stride: 8 },
        ],
      }),
    ).toThrow(/overlap/);
    expect(() => createRegisterMap({ registers: [{ name: 'A', offset: 0, count: 2, stride: 2 }] })).toThrow(/stride/);
    expect(() => createRegisterMap({ registers: [{ name: 'A', offset: 0, width: 3 as 4 }] })).toThrow(/width/);
  });

  it('looks up registers among thousands quickly (no expansion)', () => {
    const m = createRegisterMap({
      registers: [
        { name: 'priority', offset: 0, count: 1024, stride: 4 },
        { name: 'enable', offset: 0x2000, count: 15872 * 32, stride: 4 },
        { name: 'threshold', offset: 0x200000, count: 15872, stride: 0x1000 },
        { name: 'claim', offset: 0x200004, count: 15872, stride: 0x1000 },
      ],
    });
    const t0 = performance.now();
    let acc = 0;
    for (let i = 0; i < 200_000; i++) acc += m.read(0x200004 + 0x1000 * (i % 15872), 4);
    expect(acc).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
