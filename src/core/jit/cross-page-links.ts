/**
 * Translated regions whose loop runs on into the next RAM page (aarch64 and rv32 cross-page.ts): the
 * region is stored at its entry's page, so that page's stores and drops reach it as for any region;
 * the next page remembers it here, so that a store into the instructions it took from there, or that
 * page being dropped, drops it too. Generic over the architecture's stored entry (`B`).
 */

/** A crossing region: where it is stored (RAM page index and slot) and the next page's slots it covers [first, end). */
interface Link<B> {
  page: number;
  slot: number;
  block: B;
  first: number;
  end: number;
}

/** The crossing regions by the RAM page index of their second page. */
export class CrossPageLinks<B> {
  private readonly byNext = new Map<number, Link<B>[]>();

  add(next: number, page: number, slot: number, block: B, first: number, end: number): void {
    let list = this.byNext.get(next);
    if (list === undefined) this.byNext.set(next, (list = []));
    // A region translated again at the same entry (its first page was written) replaces the old one's
    // link: links stay one per entry, however often code and data sharing that page make it retranslate.
    const old = list.findIndex((l) => l.page === page && l.slot === slot);
    if (old >= 0) list.splice(old, 1);
    list.push({ page, slot, block, first, end });
  }

  /** Links remembered (tests). */
  get size(): number {
    let n = 0;
    for (const list of this.byNext.values()) n += list.length;
    return n;
  }

  get empty(): boolean {
    return this.byNext.size === 0;
  }

  /** Slot `slot` of page `next` changed (or every slot: -1): calls `drop` for the regions covering it and forgets them. */
  written(next: number, slot: number, drop: (page: number, slot: number, block: B) => void): void {
    const list = this.byNext.get(next);
    if (list === undefined) return;
    const hit = (l: Link<B>) => slot < 0 || (slot >= l.first && slot < l.end);
    // Data stores beside the code come here too: no allocation unless a region is hit.
    if (!list.some(hit)) return;
    const keep = list.filter((l) => !hit(l));
    for (const l of list) if (!keep.includes(l)) drop(l.page, l.slot, l.block);
    if (keep.length === 0) this.byNext.delete(next);
    else this.byNext.set(next, keep);
  }

  /** Calls `drop` for every crossing region and forgets them all. */
  dropAll(drop: (page: number, slot: number, block: B) => void): void {
    const lists = [...this.byNext.values()];
    this.byNext.clear();
    for (const list of lists) for (const l of list) drop(l.page, l.slot, l.block);
  }
}
