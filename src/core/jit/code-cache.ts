/**
 * The translation engine's code cache, shared by the architectures. Per physical RAM page it
 * holds the arch's decoded-instruction slots, the translated functions that start in the page,
 * and the heat that decides when a start is worth translating.
 *
 * Keyed by physical page, so one translation serves every virtual mapping of its page and
 * survives address-space switches (satp, TTBRx, CR3) as long as the bytes stay the same. A page
 * enters the cache marked as code on the bus (`Bus.markCode`), so that any write to it reaches
 * the arch (its `onCodeWrite` callback or its own store path), which then drops the page or its
 * translations (self-modifying code, another CPU, DMA). Each translation records the slots its
 * code covers, so that a store to the page drops only the translations it overlaps
 * (`invalidate`): data sharing a page with hot code costs no re-translation.
 *
 * Bounded: when the live translations would exceed `maxTranslations`, every page's translations
 * are dropped at once and the new one starts a fresh cache, as QEMU flushes its whole
 * translation buffer when it fills. Decoded slots stay; they are bounded by RAM size.
 */

/** Longest single wait (arrivals) `waitForArrivals` sets: heat counters are Int16. */
const MAX_WAIT = 16384;

/** The bytes of a CodePage's typed arrays (its decoded slots, heat, warm marks and alias marks): a multiple of 4. */
function codePageBytes(codeWords: number, slots: number): number {
  return 4 * codeWords + 4 * slots;
}

/**
 * Code pages whose typed arrays one buffer holds (CodeCache.newPage). An ArrayBuffer each had V8 zero each page's
 * ~16-24 KB at once (memset and host page faults under AllocateExternalBackingStore, ~70 perf samples at 2 kHz of the
 * arm64 Linux boot's main thread) as an OS boot met new code; a large buffer is zeroed by the host only where written.
 */
const PAGES_PER_SLAB = 64;

/** Decoded state of one RAM page. `T` is the arch's translation type. */
export class CodePage<T> {
  /** The arch's decoded-instruction slots (its own layout; empty when the arch has none). */
  readonly code: Int32Array;
  /**
   * Translations (and an arch's markers) by start slot. Until the first is set (`set`), the cache's shared empty
   * array, never written: most pages an OS boot decodes never get one (the i386 Linux boot: 21 of 226 pages, 4096
   * slots each; the arm64 one: 61 of 348 on its boot CPU), and each page's own array was V8 heap to allocate, fill
   * and copy out of the young generation (host page faults, each ~11 us on the 2-core VM). From the first, the
   * page's own, kept for its life: CPUs hold it as their fetch page's (so an arch that caches it reads it again
   * after it sets one, e.g. aarch64's heatReached).
   */
  entries: Array<T | undefined>;
  /** The cache's shared empty entries (`entries` until the first is set). */
  private readonly none: ReadonlyArray<T | undefined>;
  /** Arrivals at each start slot; the arch's policy decides what a count means. */
  readonly heat: Int16Array;
  /** Per-slot mark for the arch's policy (e.g. "seen once, wait until hot"). */
  readonly warm: Uint8Array;
  /** Per slot, the arrivals `waitForArrivals` has made the slot wait in all (see `arrivals`); made at the first wait. */
  private waited: Uint32Array | null = null;
  /** Translations stored in `entries` now (entries stored as aliases included). */
  translated = 0;
  /** Per start slot: 1 where the entry is another way into a translation stored elsewhere (`store`'s alias). */
  readonly alias: Uint8Array;
  /** Entries stored as aliases now. */
  aliases = 0;
  /**
   * Per start slot with a stored translation: the slots its code comes from, as [first, end)
   * pairs (a region's blocks need not be contiguous: data may lie between them).
   */
  readonly cover = new Map<number, readonly number[]>();
  /** Per slot, how many stored translations cover it; made at the first store. */
  private covered: Uint16Array | null = null;

  /** The typed arrays are views of `buffer`'s zeroed bytes from `offset` (codePageBytes of them: CodeCache.newPage). */
  constructor(codeWords: number, slots: number, buffer: ArrayBuffer, offset: number, none: ReadonlyArray<T | undefined>) {
    this.code = new Int32Array(buffer, offset, codeWords);
    this.none = none;
    this.entries = none as Array<T | undefined>;
    offset += 4 * codeWords;
    this.heat = new Int16Array(buffer, offset, slots);
    this.warm = new Uint8Array(buffer, offset + 2 * slots, slots);
    this.alias = new Uint8Array(buffer, offset + 3 * slots, slots);
  }

  clear(): void {
    this.code.fill(0);
    this.clearEntries();
  }

  /**
   * Sets entry `slot` to `t` (a translation, an arch's marker or nothing), the page's own entries made at the first;
   * returns the entries now (an arch that caches them reads them again).
   */
  set(slot: number, t: T | undefined): Array<T | undefined> {
    if (this.entries === this.none) {
      if (t === undefined) return this.entries;
      this.entries = emptyEntries<T>(this.none.length);
    }
    this.entries[slot] = t;
    return this.entries;
  }

  clearEntries(): void {
    if (this.entries !== this.none) this.entries.fill(undefined);
    this.heat.fill(0);
    this.warm.fill(0);
    this.waited?.fill(0);
    this.cover.clear();
    this.covered?.fill(0);
    this.alias.fill(0);
    this.translated = 0;
    this.aliases = 0;
  }

  /**
   * Arrivals counted at `slot` so far, for an arch whose heat counts up from 0 and that counts an
   * arrival again after `waitForArrivals` made it wait (rv32, aarch64): the heat plus the waits. Frozen
   * once a translation is stored there (the arch stops counting).
   */
  arrivals(slot: number): number {
    return (this.waited === null ? 0 : this.waited[slot]) + this.heat[slot];
  }

  /** Adds `wait` arrivals to those `slot` has waited (waitForArrivals). */
  addWaited(slot: number, wait: number): void {
    (this.waited ??= new Uint32Array(this.heat.length))[slot] += wait;
  }

  /** Records translation `t` at `slot`, made from the slots `cover` lists (CodeCache.store). */
  record(slot: number, t: T, cover: readonly number[]): void {
    const covered = (this.covered ??= new Uint16Array(this.heat.length));
    this.set(slot, t);
    this.cover.set(slot, cover);
    for (let i = 0; i < cover.length; i += 2) for (let s = cover[i]; s < cover[i + 1]; s++) covered[s]++;
    this.translated++;
  }

  /** Whether a stored translation covers any of slots [first, last]. */
  covers(first: number, last: number): boolean {
    const covered = this.covered;
    if (covered !== null) for (let s = first; s <= last; s++) if (covered[s] !== 0) return true;
    return false;
  }

  /** Forgets the translation stored at `slot` (its entry, heat and coverage). */
  unstore(slot: number): void {
    const cover = this.cover.get(slot);
    if (cover === undefined) return;
    const covered = this.covered!;
    for (let i = 0; i < cover.length; i += 2) for (let s = cover[i]; s < cover[i + 1]; s++) covered[s]--;
    this.cover.delete(slot);
    this.entries[slot] = undefined;
    this.heat[slot] = 0;
    this.warm[slot] = 0;
    if (this.waited !== null) this.waited[slot] = 0;
    this.aliases -= this.alias[slot];
    this.alias[slot] = 0;
    this.translated--;
  }
}

export interface CodeCacheOptions {
  /** RAM size in bytes (the cache has one page per 4 KiB). */
  ramSize: number;
  /** Int32 words of decoded slots per page (0 when the arch keeps none). */
  codeWords: number;
  /** Translation start slots per page (4096 / the arch's smallest instruction alignment). */
  slots: number;
  /** Live translations before the cache is flushed (default DEFAULT_MAX_TRANSLATIONS). */
  maxTranslations?: number;
  /** Called when a page enters the cache: mark it as code on the bus. */
  markCode(page: number): void;
  /**
   * Called when stored translations go (a page dropped or its translations cleared, a store overlapping one, a
   * flush): for an arch that keeps its own index of them outside the cache (i386's chain of wasm regions).
   */
  onDropped?(): void;
}

/** Figures for `npm run bench` and tests. */
export interface CodeCacheStats {
  /** Pages decoded now. */
  pages: number;
  /** Translations alive now (not counting aliases: further entries into one translation). */
  translations: number;
  /** Pages kept for reuse. */
  freePages: number;
  /** Aliases alive now: further entries into translations (counted against the bound with them). */
  aliases: number;
  /** Translations made since reset. */
  made: number;
  /** Whole-cache flushes since reset (the bound was reached). */
  flushes: number;
}

/** Enough for the hot code of an OS and its programs; a flush costs only re-translation. */
export const DEFAULT_MAX_TRANSLATIONS = 8192;

function overlaps(cover: readonly number[], first: number, last: number): boolean {
  for (let i = 0; i < cover.length; i += 2) if (cover[i] <= last && cover[i + 1] > first) return true;
  return false;
}

/**
 * `slots` entries, none set. Filled with undefined, the array holds any value from the start (V8's HOLEY_ELEMENTS)
 * rather than changing kind at its first translation, and a page's own entries have the map of the cache's shared
 * ones: code that read the entries of pages without translations (an interpreter's warm-up) keeps its type feedback.
 */
function emptyEntries<T>(slots: number): Array<T | undefined> {
  return new Array<T | undefined>(slots).fill(undefined);
}

/** An empty array whose elements kind is that of objects from the start (V8's kinds never go back). */
function objectArray<E>(): E[] {
  const array: unknown[] = [null];
  array.pop();
  return array as E[];
}

/**
 * Pages per chunk of the page table (4 MiB of RAM). The table is made of chunks created on first
 * use: one flat array over all of RAM (262144 entries for the Pi's 1 GiB, per CPU) took ~10 ms to
 * create and fill, a third of raspi3b's start-up work in building its four CPUs.
 */
const CHUNK_BITS = 10;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

export class CodeCache<T> {
  /** The page table: chunks of 1 << CHUNK_BITS pages, null until a page in the chunk is cached. */
  private readonly chunks: Array<Array<CodePage<T> | null> | null>;
  /**
   * Pages of dropped translations, reused. Made holding an object, then emptied: an empty literal's elements are small
   * integers, and its first push changed its map under the CPUs' optimized fetch paths, which inline page() (the rv32
   * Linux boot's execute() deoptimized there: "wrong map").
   */
  private readonly free: Array<CodePage<T>> = objectArray();
  /**
   * Indices of the pages cached now, so that dropAll visits only those: a reset (several per
   * interpreter warm-up) walking all 1024 slots of a chunk made V8 optimize dropAll and drop
   * (~20 ms of TurboFan on a compiler thread, while the first regions waited for theirs).
   */
  private readonly cached = new Set<number>();
  private readonly codeWords: number;
  private readonly slots: number;
  /** The entries of every page without one set (CodePage.entries): never written. */
  private readonly none: ReadonlyArray<T | undefined>;
  private readonly maxTranslations: number;
  private readonly markCode: (page: number) => void;
  private readonly dropped: () => void;
  /** The buffer new pages' typed arrays come from (newPage), and the bytes of it taken. */
  private slab: ArrayBuffer | null = null;
  private slabUsed = 0;
  private live = 0;
  private made = 0;
  private flushes = 0;

  constructor(options: CodeCacheOptions) {
    this.chunks = new Array<Array<CodePage<T> | null> | null>(Math.ceil(options.ramSize / 4096 / (CHUNK_MASK + 1))).fill(null);
    this.codeWords = options.codeWords;
    this.slots = options.slots;
    this.none = emptyEntries<T>(options.slots);
    this.maxTranslations = options.maxTranslations ?? DEFAULT_MAX_TRANSLATIONS;
    this.markCode = options.markCode;
    this.dropped = options.onDropped ?? (() => {});
  }

  /** The page at RAM page `index`, created (and marked as code) on first use. */
  page(index: number): CodePage<T> {
    const chunk = this.chunks[index >>> CHUNK_BITS] ?? this.newChunk(index >>> CHUNK_BITS);
    let page = chunk[index & CHUNK_MASK];
    if (page === null) {
      const recycled = this.free.pop();
      if (recycled) recycled.clear();
      page = recycled ?? this.newPage();
      chunk[index & CHUNK_MASK] = page;
      this.cached.add(index);
      this.markCode(index);
    }
    return page;
  }

  /** A new page, its typed arrays in the current slab (a new one when it is full). */
  private newPage(): CodePage<T> {
    const bytes = codePageBytes(this.codeWords, this.slots);
    if (this.slab === null || this.slabUsed + bytes > this.slab.byteLength) {
      this.slab = new ArrayBuffer(bytes * PAGES_PER_SLAB);
      this.slabUsed = 0;
    }
    const page = new CodePage<T>(this.codeWords, this.slots, this.slab, this.slabUsed, this.none);
    this.slabUsed += bytes;
    return page;
  }

  private newChunk(c: number): Array<CodePage<T> | null> {
    const chunk = new Array<CodePage<T> | null>(CHUNK_MASK + 1).fill(null);
    this.chunks[c] = chunk;
    return chunk;
  }

  /** Every cached page (flushes and stats, not hot paths). */
  private *cachedPages(): Generator<CodePage<T>> {
    for (const chunk of this.chunks) if (chunk !== null) for (const page of chunk) if (page !== null) yield page;
  }

  /** The page at `index` if it is cached, else null. */
  peek(index: number): CodePage<T> | null {
    const chunk = this.chunks[index >>> CHUNK_BITS];
    return chunk === null ? null : chunk[index & CHUNK_MASK];
  }

  /** Forgets page `index` (its bytes changed). Returns the dropped page, or null. */
  drop(index: number): CodePage<T> | null {
    const chunk = this.chunks[index >>> CHUNK_BITS];
    if (chunk === null) return null;
    const page = chunk[index & CHUNK_MASK];
    if (page === null) return null;
    chunk[index & CHUNK_MASK] = null;
    this.cached.delete(index);
    this.live -= page.translated;
    this.free.push(page);
    if (page.translated > 0) this.dropped();
    return page;
  }

  /** Forgets every page (reset). */
  dropAll(): void {
    for (const index of [...this.cached]) this.drop(index);
  }

  /** Drops the translations of `page` but keeps its decoded slots. */
  clearTranslations(page: CodePage<T>): void {
    this.live -= page.translated;
    if (page.translated > 0) this.dropped();
    page.clearEntries();
  }

  /**
   * The translate-when-worth-it rule's clock, for an arch whose heat counts as `arrivals` says:
   * called when the heat at `slot` reaches `trigger`, returns true, having set the heat so that
   * the arch calls again after the arrivals still missing to `needed` (at most MAX_WAIT at a
   * time; `warm` counts the waits, up to 255), or false when `needed` arrivals have been counted
   * (or `warm` is 255). The waits made so far are counted exactly, so an arch may wait in steps
   * of its choosing (first for the least any region needs, without scanning it, then for what the
   * region found there needs: arrivals x its instructions about its `compileWork`, since V8's
   * compiles of a new function cost milliseconds that code run a few thousand times, an OS
   * booting, never repays).
   */
  waitForArrivals(page: CodePage<T>, slot: number, trigger: number, needed: number): boolean {
    return this.wait(page, slot, trigger, needed - page.arrivals(slot));
  }

  /**
   * Makes `slot` wait for `missing` more arrivals (at most MAX_WAIT; none when `missing` <= 0 or
   * after 255 waits): true when it waits.
   */
  private wait(page: CodePage<T>, slot: number, trigger: number, missing: number): boolean {
    const waits = page.warm[slot];
    const wait = Math.min(missing, MAX_WAIT);
    if (wait <= 0 || waits === 255) return false;
    page.warm[slot] = waits + 1;
    page.addWaited(slot, wait);
    // The arch counts this same arrival once more when its compile call returns undefined.
    page.heat[slot] = trigger - wait - 1;
    return true;
  }

  /**
   * Stores translation `t` at `slot` of `page`, made from the code in the slots `cover` lists as
   * [first, end) pairs (default: the whole page). When the bound is reached, first drops every
   * page's translations (the arrays stay the same objects, so views of them stay valid).
   * `alias`: another entry into a translation already stored (not counted as made).
   */
  store(page: CodePage<T>, slot: number, t: T, cover: readonly number[] = [0, page.entries.length], alias = false): void {
    if (this.live >= this.maxTranslations) {
      for (const p of this.cachedPages()) p.clearEntries();
      this.live = 0;
      this.flushes++;
      this.dropped();
    }
    if (page.cover.has(slot)) {
      page.unstore(slot);
      this.live--;
    }
    page.record(slot, t, cover);
    this.live++;
    if (alias) {
      page.alias[slot] = 1;
      page.aliases++;
    } else this.made++;
  }

  /**
   * Slots [first, last] of `page` changed: drops the translations whose code covers any of them,
   * and any entry (a stored translation or an arch's marker) that starts there. Returns whether
   * a stored translation was dropped (one may be running: the arch must make it leave).
   */
  invalidate(page: CodePage<T>, first: number, last: number): boolean {
    const slots = page.entries.length;
    if (last >= slots) last = slots - 1;
    const hit = page.covers(first, last);
    if (hit) {
      const before = page.translated;
      const gone: number[] = [];
      for (const [slot, cover] of page.cover) if (overlaps(cover, first, last)) gone.push(slot);
      for (const slot of gone) page.unstore(slot);
      this.live -= before - page.translated;
      this.dropped();
    }
    for (let s = first; s <= last; s++) if (page.entries[s] !== undefined && !page.cover.has(s)) page.entries[s] = undefined;
    return hit;
  }

  /** Zeroes the counters since reset (the pages are dropped separately). */
  resetCounters(): void {
    this.made = 0;
    this.flushes = 0;
  }

  get stats(): CodeCacheStats {
    let pages = 0;
    let aliases = 0;
    for (const page of this.cachedPages()) {
      pages++;
      aliases += page.aliases;
    }
    return { pages, translations: this.live - aliases, aliases, freePages: this.free.length, made: this.made, flushes: this.flushes };
  }
}
