/**
 * Wasm regions whose loop crosses a page boundary. A region is otherwise made of one page's code
 * (it is stored per physical page, and a store to that page drops it): a loop that starts near a
 * page's end and closes on the next page became two regions calling each other through dispatch()
 * at every pass (the compute kernel's sieve alone: the count loop at 0x80fec-0x81020, 8 M region
 * calls, 133 M instructions in ~370 ms where rv32 and i386 take ~60). With the MMU off (physical =
 * virtual, so the next page's code is the next RAM page's) such a loop is one region: its
 * instructions on the next page get offsets 0x1000 and up (the exits' pc arithmetic is the same).
 * The region's entry page keeps it; the next page remembers it here (CrossPageLinks), so that a
 * store there, or the page being dropped, drops it too. It never runs with the MMU on (the next
 * virtual page may map elsewhere): then every crossing region is dropped (cpu.ts).
 */
import { Op } from './execute.js';
import type { Block, Insn } from './jit.js';

/**
 * Most instructions in a joined region. The two region calls a pass cost most in a short loop (the
 * sieve's count loop: 14 instructions); the compute kernel's random fill (121 across 0x81000) joined
 * ran no faster in its first run (12 pairs, main-thread CPU median 291 -> 295 ms, lower in 7) and
 * leaned slower in steady state (best of 3: 252 -> 263 ms, lower in 3 of 12), so a long loop stays two regions.
 */
export const MAX_CROSSING = 48;

/**
 * The region `head` (ending on its page's last slot) and `tail` (scanned from the next page's start)
 * as one, `tail` at offsets from 0x1000, when `tail` branches back into `head` (the loop closes there)
 * and the whole is at most MAX_CROSSING instructions; else null: straight-line code running on, or a
 * long loop, stays two regions, as before.
 */
export function joinAcrossPage(head: Insn[], tail: Insn[]): Insn[] | null {
  if (tail.length === 0 || head.length + tail.length > MAX_CROSSING) return null;
  const inHead = new Set(head.map((i) => i.off));
  const closes = tail.some((i) => i.op >= Op.B && i.op <= Op.TBNZ && inHead.has(0x1000 + i.off + i.a));
  if (!closes) return null;
  return head.concat(tail.map((i) => ({ ...i, off: i.off + 0x1000 })));
}

/** A crossing region: where it is stored (RAM page index and slot) and the next page's slots it covers [first, end). */
interface Link {
  page: number;
  slot: number;
  block: Block;
  first: number;
  end: number;
}

/** The crossing regions by the RAM page index of their second page. */
export class CrossPageLinks {
  private readonly byNext = new Map<number, Link[]>();

  add(next: number, page: number, slot: number, block: Block, first: number, end: number): void {
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
  written(next: number, slot: number, drop: (page: number, slot: number, block: Block) => void): void {
    const list = this.byNext.get(next);
    if (list === undefined) return;
    const hit = (l: Link) => slot < 0 || (slot >= l.first && slot < l.end);
    // Data stores beside the code come here too: no allocation unless a region is hit.
    if (!list.some(hit)) return;
    const keep = list.filter((l) => !hit(l));
    for (const l of list) if (!keep.includes(l)) drop(l.page, l.slot, l.block);
    if (keep.length === 0) this.byNext.delete(next);
    else this.byNext.set(next, keep);
  }

  /** Calls `drop` for every crossing region and forgets them all. */
  dropAll(drop: (page: number, slot: number, block: Block) => void): void {
    const lists = [...this.byNext.values()];
    this.byNext.clear();
    for (const list of lists) for (const l of list) drop(l.page, l.slot, l.block);
  }
}
