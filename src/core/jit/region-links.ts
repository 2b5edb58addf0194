/**
 * Direct chaining between a CPU's wasm regions (issue 11: "direct chaining between translated regions without
 * returning to a dispatcher where safe"). A region's direct jump to a page offset of its own page that is no block
 * of its own leaves through a link cell in the CPU's wasm area: while the cell holds another region's table slot
 * (the CPU's funcref table, beside its host functions), the region goes on there with `return_call_indirect` (a
 * tail call: no stack grows however long the chain) after storing its state as for a return, instead of returning
 * to the arch's dispatcher and being called from it (for i386 a JavaScript loop, a JS-to-wasm call and the state
 * copies around it). The cell also holds the instructions of the target entry's first pass, so that the caller
 * checks the step budget as the dispatcher does before a call.
 *
 * In-page only: the target runs at the same virtual page, so no translation of the address is needed and the
 * dispatcher's checks (the fetch TLB's mapping and permission, the mode) hold as they did for the caller.
 * A cell is per target (RAM page, offset), shared by every jump there: the module's bytes stay the same when a
 * region is translated again (the module memo serves it). The arch unlinks a target whose entry the code cache no
 * longer holds (its bytes changed: unlinkGone), a dropped page's (unlinkPage) and all at a flush or reset (clear),
 * before any translated code can run again. Cells are never freed (none left: no more links); a table slot is an
 * instance's (LinkTarget) until a flush or reset.
 */

/** A region function as one CPU's instance of it: the wasm `run` and its table slot (0: none yet). */
export interface LinkTarget {
  readonly run: WebAssembly.ExportValue;
  slot: number;
}

/** Bytes of a cell: the target's table slot (0: no link), the instructions of the target entry's first pass. */
export const LINK_CELL = 8;

/**
 * Table slots a CPU may give out between flushes (past this, no more links). V8 copies an imported table into each
 * new instance entry by entry (InitializeImportedIndirectFunctionTable): the i386 Linux boot's ~500 region slots cost
 * it ~14 ms of instantiation, so the table stays small, its slots given out again after a flush or reset.
 */
const MAX_SLOTS = 2048;

interface Link {
  /** The cell's byte address (0: none asked for yet). */
  cell: number;
  /** The code cache's entry linked (null: none), its slot and first pass. */
  entry: object | null;
  slot: number;
  len: number;
}

export class RegionLinks {
  private readonly words: Int32Array;
  private nextCell: number;
  private readonly firstSlot: number;
  private nextSlot: number;
  /** The targets holding a slot (clear takes them back). */
  private readonly owners: LinkTarget[] = [];
  /** By RAM page, by page offset. */
  private readonly pages = new Map<number, Map<number, Link>>();

  /** Cells in the bytes [from, to) of `memory`; slots in `table` after those it has (the host functions). */
  constructor(private readonly table: WebAssembly.Table, memory: WebAssembly.Memory, private readonly from: number, private readonly to: number) {
    this.words = new Int32Array(memory.buffer, from, (to - from) >> 2);
    this.nextCell = from;
    this.firstSlot = this.nextSlot = table.length;
  }

  /** The cell's address for a jump to page offset `off` of RAM page `page` (0: none left), filled if linked. */
  cell(page: number, off: number): number {
    const link = this.at(page, off);
    if (link.cell === 0) {
      if (this.nextCell + LINK_CELL > this.to) return 0;
      link.cell = this.nextCell;
      this.nextCell += LINK_CELL;
      this.fill(link);
    }
    return link.cell;
  }

  /** Region `target` was stored in the code cache at RAM page `page` with `entries` (page offset, entry): jumps there chain. */
  link(page: number, target: LinkTarget, entries: Iterable<readonly [number, { readonly len: number }]>): void {
    if (target.slot === 0) {
      if (this.nextSlot >= MAX_SLOTS) return;
      if (this.nextSlot >= this.table.length) this.table.grow(Math.min(Math.max(16, this.table.length), MAX_SLOTS - this.table.length));
      target.slot = this.nextSlot++;
      this.owners.push(target);
    }
    this.table.set(target.slot, target.run as never);
    for (const [off, entry] of entries) {
      const link = this.at(page, off);
      link.entry = entry;
      link.slot = target.slot;
      link.len = entry.len;
      this.fill(link);
    }
  }

  /** Stores changed RAM page `page`: unlinks the targets whose entries `current` (by page offset) no longer holds. */
  unlinkGone(page: number, current: ArrayLike<unknown>): void {
    const links = this.pages.get(page);
    if (links !== undefined) for (const [off, link] of links) if (link.entry !== null && current[off] !== link.entry) this.unlink(link);
  }

  /** RAM page `page` was dropped from the code cache: unlinks every target in it. */
  unlinkPage(page: number): void {
    const links = this.pages.get(page);
    if (links !== undefined) for (const link of links.values()) this.unlink(link);
  }

  /** Every translation was dropped (a flush, a reset): unlinks all, lets go of the table's functions and takes the slots back. */
  clear(): void {
    for (const links of this.pages.values()) for (const link of links.values()) this.unlink(link);
    for (let s = this.firstSlot; s < this.nextSlot; s++) this.table.set(s, null as never);
    for (const target of this.owners) target.slot = 0;
    this.owners.length = 0;
    this.nextSlot = this.firstSlot;
  }

  private at(page: number, off: number): Link {
    let links = this.pages.get(page);
    if (links === undefined) this.pages.set(page, (links = new Map()));
    let link = links.get(off);
    if (link === undefined) links.set(off, (link = { cell: 0, entry: null, slot: 0, len: 0 }));
    return link;
  }

  private unlink(link: Link): void {
    link.entry = null;
    this.fill(link);
  }

  private fill(link: Link): void {
    if (link.cell === 0) return;
    const w = (link.cell - this.from) >> 2;
    this.words[w] = link.entry === null ? 0 : link.slot;
    this.words[w + 1] = link.len;
  }
}
