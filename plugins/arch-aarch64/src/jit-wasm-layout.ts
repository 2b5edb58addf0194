/**
 * The guest loops a wasm region (jit-wasm.ts generateWasmRegion) makes wasm `loop`s. A jump back
 * otherwise goes through the region's br_table (the block number in a local, an indirect jump, every
 * local merged at the dispatch): the quicksort partition's swap block (an entry of the region, reached
 * back from the end of the scans after it) paid that on every swap.
 *
 * A span is a run of blocks [head..end] (page order) that needs no dispatch inside: each block after
 * the head is no entry and is reached from inside the span alone, by falling through or branching
 * forward, from itself, or back as the head of a span nested in it (spans nest, they do not cross).
 * A jump back to a span's head from inside it is a `br` to its loop; from elsewhere the dispatch.
 * (a64first made every guest loop of several blocks a wasm loop: code 9.6 -> 11.2 KB, steady state
 * slower; a cycle that still needs the dispatch gets none here.)
 */
import type { BasicBlock } from './jit-wasm.js';

export interface LoopSpans {
  /** Per block: the last block of the span headed there, or -1 (none starts there). */
  end: number[];
  /** Per block heading a span: its side door, or -1. */
  door: number[];
}

/**
 * The spans of a region's blocks (succ: the blocks each may go to). A span may have one side door:
 * a block right inside it (not in a span nested there) entered otherwise (an entry, a jump from
 * before or after the span, or back to it): its loop starts by testing the block number (blk) for it;
 * a jump to the door sets blk and goes to the head. Such a span nests in no other.
 */
export function loopSpans(blocks: BasicBlock[], entries: number[], succ: number[][]): LoopSpans {
  const isEntry = blocks.map((b) => entries.includes(b.start));
  const pred: number[][] = blocks.map(() => []);
  succ.forEach((to, q) => {
    for (const p of to) pred[p].push(q);
  });
  const end = blocks.map(() => -1);
  const door = blocks.map(() => -1);
  /** The door of span [h..t] (-1: none needed), or undefined if it cannot be a span. */
  const doorOf = (h: number, t: number): number | undefined => {
    let d = -1;
    let nestedTo = h;
    for (let p = h + 1; p <= t; p++) {
      if (end[p] > t || door[p] >= 0) return undefined;
      const inside = !isEntry[p] && pred[p].every((q) => q >= h && q <= t && (q <= p || end[p] >= q));
      if (!inside) {
        if (d >= 0 || p <= nestedTo) return undefined;
        d = p;
      }
      if (end[p] >= 0) nestedTo = Math.max(nestedTo, end[p]);
    }
    return d;
  };
  // Inner spans first (later heads), each as wide as it fits (covering the spans nested in it).
  for (let h = blocks.length - 1; h >= 0; h--) {
    for (const q of pred[h].filter((x) => x > h).sort((x, y) => y - x)) {
      let t = q;
      for (let p = h + 1; p <= t; p++) t = Math.max(t, end[p]);
      const d = doorOf(h, t);
      if (d === undefined) continue;
      end[h] = t;
      door[h] = d;
      break;
    }
  }
  return { end, door };
}

/** Per block: the head of the innermost span it is inside after that head, or -1. */
export function spanParents(spanEnd: number[]): number[] {
  const parent = spanEnd.map(() => -1);
  spanEnd.forEach((t, h) => {
    for (let p = h + 1; p <= t; p++) parent[p] = h;
  });
  return parent;
}
