/** The translation engine's code cache and factory memo (src/core/jit/). */
import { describe, expect, it, vi } from 'vitest';
import { CodeCache } from '../../../src/core/jit/code-cache.js';
import { translatorFactory, translatorFactoryCount } from '../../../src/core/jit/translate.js';

function cache(maxTranslations?: number) {
  const marked: number[] = [];
  const c = new CodeCache<string>({ ramSize: 16 * 4096, codeWords: 8, slots: 4, maxTranslations, markCode: (p) => marked.push(p) });
  return { c, marked };
}

describe('CodeCache', () => {
  it('creates a page once, marks it as code, and recycles dropped pages cleared', () => {
    const { c, marked } = cache();
    const p = c.page(3);
    expect(c.page(3)).toBe(p);
    expect(marked).toEqual([3]);
    p.code[0] = 7;
    c.store(p, 1, 'a');
    expect(c.stats).toMatchObject({ pages: 1, translations: 1, made: 1 });
    expect(c.drop(3)).toBe(p);
    expect(c.peek(3)).toBeNull();
    expect(c.stats).toMatchObject({ pages: 0, translations: 0, freePages: 1, made: 1 });
    const q = c.page(5);
    expect(q).toBe(p);
    expect(q.code[0]).toBe(0);
    expect(q.entries[1]).toBeUndefined();
    expect(marked).toEqual([3, 5]);
  });

  it('carves pages\' typed arrays from shared buffers, each page its own bytes (past a buffer\'s end too)', () => {
    const c = new CodeCache<string>({ ramSize: 256 * 4096, codeWords: 12, slots: 6, markCode: () => {} });
    const pages = Array.from({ length: 150 }, (_, i) => c.page(i));
    expect(pages[1].code.buffer).toBe(pages[0].code.buffer);
    expect(pages[0].heat.buffer).toBe(pages[0].code.buffer);
    expect(new Set(pages.map((p) => p.code.buffer)).size).toBeLessThan(10);
    pages.forEach((p, i) => {
      p.code.fill(i + 1);
      p.heat.fill(-(i + 1));
      p.warm.fill(i & 255);
      p.alias.fill((i + 7) & 255);
    });
    pages.forEach((p, i) => {
      expect(p.code.every((w) => w === i + 1)).toBe(true);
      expect(p.heat.every((h) => h === -(i + 1))).toBe(true);
      expect(p.warm.every((w) => w === (i & 255))).toBe(true);
      expect(p.alias.every((a) => a === ((i + 7) & 255))).toBe(true);
    });
  });

  it('keys pages over all of a large RAM (its page table is made in chunks on first use)', () => {
    const marked: number[] = [];
    // 1 GiB + 4 KiB: the last page sits alone in a chunk of its own.
    const c = new CodeCache<string>({ ramSize: (1 << 30) + 4096, codeWords: 8, slots: 4, markCode: (p) => marked.push(p) });
    const far = 1 << 18;
    for (const index of [0, 1023, 1024, far - 1, far]) expect(c.peek(index)).toBeNull();
    const pages = [0, 1023, 1024, far - 1, far].map((index) => c.page(index));
    expect(new Set(pages).size).toBe(5);
    expect(c.peek(1024)).toBe(pages[2]);
    expect(c.peek(1025)).toBeNull();
    expect(marked).toEqual([0, 1023, 1024, far - 1, far]);
    c.store(pages[4]!, 0, 'far');
    expect(c.stats).toMatchObject({ pages: 5, translations: 1 });
    expect(c.drop(1023)).toBe(pages[1]);
    expect(c.drop(1023)).toBeNull();
    expect(c.drop(5000)).toBeNull();
    c.dropAll();
    expect(c.stats).toMatchObject({ pages: 0, translations: 0, freePages: 5 });
    for (const index of [0, 1024, far]) expect(c.peek(index)).toBeNull();
  });

  it('dropAll visits only the pages cached now (a reset does not walk every slot of a chunk)', () => {
    const { c } = cache();
    for (const index of [2, 7, 9]) c.page(index);
    c.drop(7);
    c.page(11);
    const drop = vi.spyOn(c, 'drop');
    c.dropAll();
    expect(drop.mock.calls.map(([index]) => index).sort((a, b) => a - b)).toEqual([2, 9, 11]);
    expect(c.stats).toMatchObject({ pages: 0, freePages: 3 });
    drop.mockClear();
    c.dropAll();
    expect(drop).not.toHaveBeenCalled();
  });

  it('arrivals: counts past the waits waitForArrivals sets, as the archs count them (the waiting arrival again)', () => {
    const { c } = cache();
    const p = c.page(1);
    let arrivals = 0;
    // The interpreters: ++heat at each arrival; at the trigger the compile call may set a wait, and
    // then the same arrival is counted again.
    const arrive = () => {
      arrivals++;
      if (++p.heat[2] >= 32 && c.waitForArrivals(p, 2, 32, 40_000)) p.heat[2]++;
      expect(p.arrivals(2)).toBe(arrivals);
    };
    for (let k = 0; k < 39_999; k++) arrive();
    expect(p.warm[2]).toBe(3);
    c.store(p, 2, 'x');
    p.unstore(2);
    expect(p.arrivals(2)).toBe(0);
  });

  it('waitForArrivals: waits of any length add up exactly to the arrivals needed', () => {
    const { c } = cache();
    const p = c.page(1);
    let arrivals = 0;
    let translated = 0;
    // As rv32 calls it: first a short wait (no scan yet), then the region's own need.
    const arrive = () => {
      arrivals++;
      if (++p.heat[2] >= 32) {
        const needed = p.warm[2] === 0 ? 500 : 40_000;
        if (c.waitForArrivals(p, 2, 32, needed)) p.heat[2]++;
        else translated = arrivals;
      }
      expect(p.arrivals(2)).toBe(arrivals);
    };
    while (translated === 0) arrive();
    expect(translated).toBe(40_000);
    expect(p.warm[2]).toBe(4); // 468, 16384, 16384, 6732
  });

  it('waitForArrivals: a slot that has waited 255 times waits no more (aarch64 marks a slot so to translate it at its next arrival)', () => {
    const { c } = cache();
    const p = c.page(1);
    p.heat[2] = 32;
    expect(c.waitForArrivals(p, 2, 32, 40_000)).toBe(true);
    p.warm[3] = 255;
    p.heat[3] = 32;
    expect(c.waitForArrivals(p, 3, 32, 40_000)).toBe(false);
  });

  it('drops translations but keeps decoded slots', () => {
    const { c } = cache();
    const p = c.page(0);
    p.code[2] = 9;
    p.heat[1] = 5;
    c.store(p, 1, 'a');
    c.clearTranslations(p);
    expect(p.entries[1]).toBeUndefined();
    expect(p.heat[1]).toBe(0);
    expect(p.code[2]).toBe(9);
    expect(c.stats.translations).toBe(0);
  });

  it('pages share one empty entries array, never written, until their first entry is set', () => {
    const c = new CodeCache<string>({ ramSize: 3 * 4096, codeWords: 0, slots: 16, markCode: () => {} });
    const [p, q, r] = [c.page(0), c.page(1), c.page(2)];
    const none = p.entries;
    expect(q.entries).toBe(none);
    p.set(3, undefined); // nothing to set: still shared
    expect(p.entries).toBe(none);
    p.set(5, 'marker');
    c.store(q, 2, 'a', [2, 4]);
    expect(p.entries).not.toBe(none);
    expect(q.entries).not.toBe(p.entries);
    expect([p.entries[5], q.entries[2]]).toEqual(['marker', 'a']);
    expect(r.entries).toBe(none);
    expect(none).toEqual(new Array(16).fill(undefined));
    // Kept from then on: a CPU holding the array as its fetch page's sees the page's later entries and drops.
    const own = q.entries;
    c.invalidate(q, 3, 3);
    c.store(q, 6, 'b');
    expect(q.entries).toBe(own);
    expect(own[6]).toBe('b');
    c.clearTranslations(q);
    expect(q.entries).toBe(own);
    expect(none).toEqual(new Array(16).fill(undefined));
  });

  it('a store drops only the translations whose code it overlaps, and markers starting there', () => {
    const c = new CodeCache<string>({ ramSize: 4096, codeWords: 0, slots: 16, markCode: () => {} });
    const p = c.page(0);
    c.store(p, 0, 'a', [0, 4]); // slots 0..3
    c.store(p, 4, 'b', [2, 3, 4, 8]); // a region: slots 2 and 4..7
    c.store(p, 10, 'c'); // no range given: covers the whole page
    p.set(12, 'marker');
    p.heat[4] = 9;
    expect(c.invalidate(p, 12, 12)).toBe(true); // only 'c' covers slot 12
    expect(p.entries).toEqual(['a', undefined, undefined, undefined, 'b', ...new Array(11).fill(undefined)]);
    expect(c.invalidate(p, 8, 9)).toBe(false); // data beside code
    expect(c.invalidate(p, 3, 3)).toBe(true); // data between a region's blocks: only 'a' covers it
    c.store(p, 0, 'a', [0, 3]);
    expect(c.stats.translations).toBe(2);
    expect(c.invalidate(p, 1, 1)).toBe(true);
    expect([p.entries[0], p.entries[4]]).toEqual([undefined, 'b']);
    expect(c.stats.translations).toBe(1);
    expect(c.invalidate(p, 7, 7)).toBe(true);
    expect(p.entries[4]).toBeUndefined();
    expect(p.heat[4]).toBe(0);
    expect(p.covers(0, 15)).toBe(false);
    expect(c.stats.translations).toBe(0);
  });

  it('storing again at a slot replaces the translation and its coverage', () => {
    const c = new CodeCache<string>({ ramSize: 4096, codeWords: 0, slots: 8, markCode: () => {} });
    const p = c.page(0);
    c.store(p, 2, 'a', [2, 6]);
    c.store(p, 2, 'b', [2, 3]);
    expect(c.stats.translations).toBe(1);
    expect(c.invalidate(p, 4, 5)).toBe(false);
    expect(p.entries[2]).toBe('b');
  });

  it('aliases (further entries into one translation) go with it, and are not counted as translations', () => {
    const { c } = cache();
    const p = c.page(0);
    c.store(p, 2, 'b', [0, 4], true);
    c.store(p, 0, 'a', [0, 4]);
    expect(c.stats).toMatchObject({ translations: 1, aliases: 1, made: 1 });
    expect(c.invalidate(p, 3, 3)).toBe(true);
    expect(p.entries[0]).toBeUndefined();
    expect(p.entries[2]).toBeUndefined();
    expect(c.stats).toMatchObject({ translations: 0, aliases: 0, made: 1 });
    c.store(p, 1, 'c', [1, 2], true);
    c.clearTranslations(p);
    expect(c.stats).toMatchObject({ translations: 0, aliases: 0 });
  });

  it('flushes every page when the bound is reached, keeping the arrays', () => {
    const { c } = cache(3);
    const a = c.page(0);
    const b = c.page(1);
    c.store(a, 0, 'a0');
    const entries = a.entries; // the page's own from its first entry
    c.store(a, 1, 'a1');
    c.store(b, 0, 'b0');
    c.store(b, 1, 'b1');
    expect(a.entries).toBe(entries);
    expect(a.entries[0]).toBeUndefined();
    expect(b.entries[0]).toBeUndefined();
    expect(b.entries[1]).toBe('b1');
    expect(c.stats).toMatchObject({ translations: 1, made: 4, flushes: 1 });
  });

  it('stays bounded over a long run', () => {
    const { c } = cache(10);
    for (let i = 0; i < 1000; i++) c.store(c.page(i % 16), i % 4, `t${i}`);
    expect(c.stats.translations).toBeLessThanOrEqual(10);
    expect(c.stats.made).toBe(1000);
  });
});

describe('translatorFactory', () => {
  it('compiles a source once and reuses the factory', () => {
    const before = translatorFactoryCount();
    const src = `return function (x) { return x + k + ${before}; };`;
    const f = translatorFactory<(k: number) => (x: number) => number>(['k'], src);
    expect(translatorFactory(['k'], src)).toBe(f);
    expect(translatorFactoryCount()).toBe(before + 1);
    expect(f(2)(1)).toBe(3 + before);
  });
});
