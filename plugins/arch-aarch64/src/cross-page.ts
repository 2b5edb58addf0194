/**
 * Wasm regions whose loop crosses a page boundary. A region is otherwise made of one page's code
 * (it is stored per physical page, and a store to that page drops it): a loop that starts near a
 * page's end and closes on the next page became two regions calling each other through dispatch()
 * at every pass (the compute kernel's sieve alone: the count loop at 0x80fec-0x81020, 8 M region
 * calls, 133 M instructions in ~370 ms where rv32 and i386 take ~60). With the MMU off (physical =
 * virtual, so the next page's code is the next RAM page's) such a loop is one region: its
 * instructions on the next page get offsets 0x1000 and up (the exits' pc arithmetic is the same).
 * The region's entry page keeps it; the next page remembers it (CrossPageLinks, in src/core/jit since
 * rv32 shares it), so that a store there, or the page being dropped, drops it too. It never runs with
 * the MMU on (the next virtual page may map elsewhere): then every crossing region is dropped (cpu.ts).
 */
import { Op } from './execute.js';
import type { Insn } from './jit.js';

export { CrossPageLinks } from '../../../src/core/jit/cross-page-links.js';

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
