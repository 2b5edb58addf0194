/**
 * Wasm regions whose loop crosses a page boundary (as aarch64's cross-page.ts). A region is otherwise
 * made of its entry page's code (scanRegion): a short loop whose body runs on into the next page was
 * two pieces, the head's region and the interpreter or a second region on the next page, through
 * execute() at every pass. Where fetches are not translated (M-mode, or satp Bare: the next page's
 * code is the next RAM page's) such a loop is one region: its blocks on the next page get starts from
 * 0x1000 (the exits' pc arithmetic is the same). The entry page keeps it; the next page remembers it
 * (CrossPageLinks), so that a store there, or that page being dropped, drops it too. It runs only
 * while the fetch TLB maps the next virtual page to the next RAM page (cpu.ts nextPageFollows).
 */
import { MAX_REGION_BLOCKS, type Insn, type RegionBlock, successors } from './jit.js';

export { CrossPageLinks } from '../../../src/core/jit/cross-page-links.js';

/**
 * Most instructions in a joined region: the loops that pay two calls through execute() a pass are
 * short (aarch64 measured a 121-instruction loop joined no faster), and a long one stays two pieces.
 */
export const MAX_CROSSING = 48;

/**
 * The region `head` (scanRegion's blocks, in its page) with the blocks on the next page that its
 * loop runs through (starts from 0x1000), when one of them branches back to the entry and the whole
 * is at most MAX_CROSSING instructions; else null. `scanNext(off)` is the block at byte offset `off`
 * of the next page (scanBlock there). Blocks that do not fit, or from which control cannot come back
 * to the entry, are left out (exits).
 */
export function joinNextPage(head: RegionBlock[], scanNext: (off: number) => Insn[]): RegionBlock[] | null {
  let total = 0;
  for (const b of head) total += b.insns.length;
  const queue: number[] = [];
  const follow = (b: RegionBlock) => {
    for (const t of successors(b)) if (t >= 0x1000 && t < 0x2000 && !queue.includes(t)) queue.push(t);
  };
  head.forEach(follow);
  if (queue.length === 0 || total >= MAX_CROSSING) return null;
  const entry = head[0].start;
  const tail: RegionBlock[] = [];
  for (let q = 0; q < queue.length && head.length + tail.length < MAX_REGION_BLOCKS; q++) {
    const insns = scanNext(queue[q] - 0x1000);
    if (insns.length === 0 || total + insns.length > MAX_CROSSING) continue;
    const block = { start: queue[q], insns };
    tail.push(block);
    total += insns.length;
    follow(block);
  }
  // Only the blocks on a way back to the entry: the loop's exit paths there stay exits.
  const loop = new Set([entry]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of tail) {
      if (loop.has(b.start) || !successors(b).some((t) => loop.has(t))) continue;
      loop.add(b.start);
      grew = true;
    }
  }
  const inLoop = tail.filter((b) => loop.has(b.start));
  return inLoop.length > 0 ? head.concat(inLoop) : null;
}

/** The next page's slots (2 bytes each) the joined region's blocks there come from, [first, end). */
export function tailSlots(blocks: RegionBlock[]): [number, number] {
  let first = 0x800;
  let end = 0;
  for (const b of blocks) {
    if (b.start < 0x1000) continue;
    const last = b.insns[b.insns.length - 1];
    first = Math.min(first, (b.start - 0x1000) >>> 1);
    end = Math.max(end, (b.start - 0x1000 + last.off + last.len) >>> 1);
  }
  return [first, end];
}
