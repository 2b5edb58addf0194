/**
 * The software TLB: a direct-mapped cache of stage 1 translations of 4 KiB virtual pages, for the
 * translation regime the core runs in now (emptied when that regime changes). Larger pages and
 * blocks fill one entry per 4 KiB page touched, and remember their size so that a TLBI by VA drops
 * every 4 KiB entry the block gave.
 *
 * The interpreter looks an entry up inline (execute.ts): tag words equal to the VA page, and the
 * *fast* permission bit of the access kind at the current EL set, give the RAM offset of the page.
 * Fast bits are the permission bits shifted left by FAST_SHIFT, set only for pages in RAM, so MMIO
 * pages and permission faults both go to the slow path (mmu.ts).
 *
 * Entries hold the translations of the current ASID (non-global) and global ones; a change of
 * ASID sets the old ASID's non-global entries aside (a few ASIDs are kept) and brings the new
 * one's back, unless a TLBI came in between. The Arm ARM lets a TLB drop any entry at any time
 * (D5.9.1), so dropping more than asked is always correct.
 *
 * With wasm regions (jit-wasm.ts) the four int32 arrays are views of the core's wasm area
 * (`store`, TLB_WORDS words: tagLo, tagHi, perm, ram in that order), where the regions look
 * pages up as the interpreter does.
 */

/**
 * 1,024 entries: a kernel's working set. The arm64 Linux boot's boot CPU walked the tables 99.5 K times with 512
 * (conflicts of pages 2 MiB apart in the direct map), 29.5 K with 1,024, 27.9 K with 2,048; a flush or an ASID's set
 * aside costs twice 512's (738 flushes in that boot).
 */
export const TLB_BITS = 10;
// The slot of VA (lo, hi) is ((lo >>> 12) ^ (hi >>> 16)) & TLB_MASK: the upper half's VA bits
// [63:48] are all ones, so a kernel page and a user page with the same low bits (both images
// 2 MiB aligned, say) land in different slots. execute.ts computes it inline the same way.
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** Int32 words of the tagLo, tagHi, perm and ram arrays together (a `Tlb` store). */
export const TLB_WORDS = 4 * TLB_SIZE;

/** Permission bits of an entry: read, write, execute at EL0 and at the regime's privileged EL. */
export const PERM_R0 = 1;
export const PERM_W0 = 2;
export const PERM_X0 = 4;
export const PERM_R1 = 8;
export const PERM_W1 = 16;
export const PERM_X1 = 32;
/** The fast (RAM-backed) copy of the permission bits lives FAST_SHIFT bits higher. */
export const FAST_SHIFT = 16;
/** Not global (nG = 1): tagged with the ASID that was current when it was filled. */
export const ENTRY_NG = 1 << 6;
/** Level of the last descriptor (bits 7-8), for permission faults found on a hit. */
export const ENTRY_LEVEL_SHIFT = 7;
/** log2 of the mapping's size (bits 9-13): 12 for 4 KiB pages ... 30 for 1 GiB blocks. */
export const ENTRY_SIZE_SHIFT = 9;

/** Tag of an empty entry: never equal to a page-aligned VA. */
const EMPTY = 1;
/** ASIDs whose non-global entries are kept aside while another ASID runs. */
const SAVED_ASIDS = 4;

/**
 * The non-global entries of one ASID, set aside while another ASID is current: Linux's software
 * PAN switches between the process's ASID and the reserved ASID 0 around every user access, and
 * a context switch between a few processes is common; neither should cost the user entries.
 */
class SavedAsid {
  asid = -1;
  count = 0;
  /** Last use (LRU). */
  stamp = 0;
  /** Per entry: slot, tagLo, tagHi, perm, ram. */
  readonly words = new Int32Array(5 * TLB_SIZE);
  readonly pa = new Float64Array(TLB_SIZE);
}

export class Tlb {
  /** VA bits [31:12] (low word with bits [11:0] clear), or EMPTY. */
  readonly tagLo: Int32Array;
  /** VA bits [63:32]. */
  readonly tagHi: Int32Array;
  /** Permission, fast permission, nG, level and size bits (see above). */
  readonly perm: Int32Array;
  /** RAM offset of the 4 KiB page (meaningful when a fast bit is set). */
  readonly ram: Int32Array;
  /** Physical address of the 4 KiB page (exact double below 2^53). */
  readonly pa = new Float64Array(TLB_SIZE);
  /** The current EL's permission bits for a read, a write and an instruction fetch. */
  readMask = PERM_R1;
  writeMask = PERM_W1;
  execMask = PERM_X1;
  /** The same, shifted to the fast bits (what the interpreter tests). */
  fastRead = PERM_R1 << FAST_SHIFT;
  fastWrite = PERM_W1 << FAST_SHIFT;
  private readonly saved: SavedAsid[] = Array.from({ length: SAVED_ASIDS }, () => new SavedAsid());
  private clock = 0;
  /** Flushes, slow-path translations and walks so far (tests, statistics: the inline hits are not counted). */
  flushes = 0;
  slowLookups = 0;
  walks = 0;

  /** `store`: TLB_WORDS int32 words to hold the entries (a wasm area), else arrays of its own. */
  constructor(store: Int32Array = new Int32Array(TLB_WORDS)) {
    if (store.length < TLB_WORDS) throw new Error(`aarch64 tlb: a store of ${TLB_WORDS} words is needed, got ${store.length}`);
    this.tagLo = store.subarray(0, TLB_SIZE).fill(EMPTY);
    this.tagHi = store.subarray(TLB_SIZE, 2 * TLB_SIZE);
    this.perm = store.subarray(2 * TLB_SIZE, 3 * TLB_SIZE);
    this.ram = store.subarray(3 * TLB_SIZE, 4 * TLB_SIZE);
  }

  setEl0(el0: boolean): void {
    this.readMask = el0 ? PERM_R0 : PERM_R1;
    this.writeMask = el0 ? PERM_W0 : PERM_W1;
    this.execMask = el0 ? PERM_X0 : PERM_X1;
    this.fastRead = this.readMask << FAST_SHIFT;
    this.fastWrite = this.writeMask << FAST_SHIFT;
  }

  /** The slot holding the 4 KiB page of (lo, hi), or -1. */
  lookup(lo: number, hi: number): number {
    const slot = ((lo >>> 12) ^ (hi >>> 16)) & TLB_MASK;
    return this.tagLo[slot] === (lo & -4096) && this.tagHi[slot] === hi ? slot : -1;
  }

  /** Fills the slot of VA page (lo, hi) with PA page `pa`; `ramOff` < 0 when it is not RAM. */
  fill(lo: number, hi: number, pa: number, ramOff: number, perm: number): number {
    const slot = ((lo >>> 12) ^ (hi >>> 16)) & TLB_MASK;
    this.tagLo[slot] = lo & -4096;
    this.tagHi[slot] = hi;
    this.pa[slot] = pa;
    this.ram[slot] = ramOff;
    const rw = perm & 63;
    this.perm[slot] = ramOff >= 0 ? perm | (rw << FAST_SHIFT) : perm;
    return slot;
  }

  flushAll(): void {
    this.tagLo.fill(EMPTY);
    this.dropSaved();
    this.flushes++;
  }

  /** Drops the entries of the current ASID (TLBI ASIDE1), and every set-aside ASID's. */
  flushNonGlobal(): void {
    const tag = this.tagLo;
    const perm = this.perm;
    for (let s = 0; s < TLB_SIZE; s++) if ((perm[s] & ENTRY_NG) !== 0) tag[s] = EMPTY;
    this.dropSaved();
    this.flushes++;
  }

  /**
   * The current ASID changes from `from` to `to`: sets `from`'s non-global entries aside (the
   * least recently used set-aside ASID makes room) and brings `to`'s back. A TLBI of any kind
   * drops everything set aside, so what comes back is never older than the last TLBI.
   */
  switchAsid(from: number, to: number): void {
    // Room for `from`: a free record, else the least recently used one that is not `to`'s.
    let slotOf: SavedAsid | null = null;
    for (const sv of this.saved) {
      if (sv.asid === to) continue;
      if (slotOf === null || (sv.asid < 0 && slotOf.asid >= 0) || ((sv.asid >= 0) === (slotOf.asid >= 0) && sv.stamp < slotOf.stamp)) slotOf = sv;
    }
    if (slotOf === null) slotOf = this.saved[0];
    const tag = this.tagLo;
    const perm = this.perm;
    let n = 0;
    for (let s = 0; s < TLB_SIZE; s++) {
      if (tag[s] === EMPTY || (perm[s] & ENTRY_NG) === 0) continue;
      const w = 5 * n;
      slotOf.words[w] = s;
      slotOf.words[w + 1] = tag[s];
      slotOf.words[w + 2] = this.tagHi[s];
      slotOf.words[w + 3] = perm[s];
      slotOf.words[w + 4] = this.ram[s];
      slotOf.pa[n++] = this.pa[s];
      tag[s] = EMPTY;
    }
    slotOf.asid = n > 0 ? from : -1;
    slotOf.count = n;
    slotOf.stamp = ++this.clock;
    for (const sv of this.saved) {
      if (sv.asid !== to || sv === slotOf) continue;
      for (let i = 0; i < sv.count; i++) {
        const w = 5 * i;
        const s = sv.words[w];
        tag[s] = sv.words[w + 1];
        this.tagHi[s] = sv.words[w + 2];
        perm[s] = sv.words[w + 3];
        this.ram[s] = sv.words[w + 4];
        this.pa[s] = sv.pa[i];
      }
      sv.asid = -1;
      break;
    }
    this.flushes++;
  }

  private dropSaved(): void {
    for (const sv of this.saved) sv.asid = -1;
  }

  /** Drops every entry whose page or block holds VA (lo, hi) (TLBI by VA, any ASID). */
  flushVa(lo: number, hi: number): void {
    const tag = this.tagLo;
    const tagHi = this.tagHi;
    const perm = this.perm;
    for (let s = 0; s < TLB_SIZE; s++) {
      if (tag[s] === EMPTY || tagHi[s] !== hi) continue;
      const bits = (perm[s] >>> ENTRY_SIZE_SHIFT) & 31;
      const mask = bits >= 32 ? 0 : ~((1 << bits) - 1);
      if (((tag[s] ^ lo) & mask) === 0) tag[s] = EMPTY;
    }
    this.dropSaved();
    this.flushes++;
  }
}
