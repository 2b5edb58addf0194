/**
 * Linear-to-physical translation for the i386 (SDM vol. 3, ch. 4: 32-bit paging with 4 KiB pages
 * and, with CR4.PSE, 4 MiB pages; PAE paging with 4 KiB and 2 MiB pages and, with EFER.NXE, the
 * XD bit), the A20 gate, and a software TLB that lets cpu.ts reach RAM through the typed arrays
 * without walking the tables or calling the bus.
 *
 * The TLB is direct-mapped by linear page. An entry holds the physical page, its RAM offset, and
 * permission bits for user/supervisor read/write/execute; a copy of those bits FAST_SHIFT higher is set
 * only when the page is RAM (not a hole, ROM or MMIO), so cpu.ts tests one mask and either hits
 * RAM or calls the slow path here. `fastTlb` keeps, per data access kind, the tags of the entries
 * whose fast bit grants it, so that translated code (jit.ts) tests tag and permission in one compare. Write permission is granted only once the entry's D bit is
 * set, so the first write to a clean page walks again and sets D (as the CPU does, SDM 4.8).
 * With paging off every page is identity-mapped (after the A20 mask) with every permission.
 *
 * A fault calls `onFault(linear, errorCode)` (cpu.ts's page fault, which does not return); the
 * access then has no effect. The SDM lets a TLB drop entries at any time (4.10.4), so flushing
 * more than asked is always correct.
 */
import type { AccessSize, Bus } from '../../../src/core/api.js';
import { PAGE_HOLE } from '../../../src/core/api.js';

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Access kinds: the permission bit needed is 1 << (kind + (user ? 0 : 3)). */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
/** Entry permission bits. */
export const PERM_UR = 1;
export const PERM_UW = 2;
export const PERM_UX = 4;
export const PERM_SR = 8;
export const PERM_SW = 16;
export const PERM_SX = 32;
const PERM_ALL = 63;
/** The RAM-backed ("fast") copy of the permission bits. */
export const FAST_SHIFT = 6;
export const FAST_UR = PERM_UR << FAST_SHIFT;
export const FAST_UW = PERM_UW << FAST_SHIFT;
export const FAST_UX = PERM_UX << FAST_SHIFT;
export const FAST_SR = PERM_SR << FAST_SHIFT;
export const FAST_SW = PERM_SW << FAST_SHIFT;
export const FAST_SX = PERM_SX << FAST_SHIFT;
/**
 * The access kinds of `fastTlb` (an entry's pair is at `(kind << (TLB_BITS + 1)) | (slot << 1)`):
 * data reads and writes, supervisor and user, and instruction fetches (the wasm regions' chain,
 * jit-chain.ts, finds the next region's page with them).
 */
export const FAST_KIND_SR = 0;
export const FAST_KIND_SW = 1;
export const FAST_KIND_UR = 2;
export const FAST_KIND_UW = 3;
export const FAST_KIND_SX = 4;
export const FAST_KIND_UX = 5;
const FAST_KIND_BITS = [FAST_SR, FAST_SW, FAST_UR, FAST_UW, FAST_SX, FAST_UX];
/** Int32 words of `fastTlb`: a pair per kind and entry. */
export const FAST_TLB_WORDS = 2 * FAST_KIND_BITS.length * TLB_SIZE;
/** A global page (G with CR4.PGE): kept across CR3 loads. */
const ENTRY_GLOBAL = 1 << 12;
/** Filled from a 4 MiB (or PAE 2 MiB) page: INVLPG anywhere in its 4 MiB drops it. */
const ENTRY_LARGE = 1 << 13;
/** A range of RAM pages with no hole, [lo, lo + size) linear (I386Mmu.flatWindow), and the RAM's base. */
export interface FlatWindow {
  lo: number;
  size: number;
  ramBase: number;
}
/** Tag of an empty entry: never equal to a page-aligned linear address. */
const EMPTY = 1;
/**
 * fastTag's empty entry: equal to no linear address with bits 11:2 cleared either (a 32-bit access
 * compares `linear & ~0xffc` with it, so that a misaligned one misses too).
 */
export const FAST_EMPTY = 4;

/** Page-fault error code bits (SDM vol. 3, 4.7). */
export const PF_P = 1;
export const PF_W = 2;
export const PF_U = 4;
export const PF_RSVD = 8;
export const PF_ID = 16;

/** Paging-structure entry bits. */
const PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80, PTE_G = 0x100;
/** Bit 21 of a 4 MiB PDE is reserved (bits 20:13 are PSE-36 address bits, as QEMU's qemu32). */
const PDE4M_RSVD = 0x200000;
/**
 * PAE entries' high words: bits 51:36 are above QEMU's 36 physical address bits (reserved);
 * bit 63 is XD (reserved without EFER.NXE); a PDPTE has no XD and bits 62:52 reserved too (as QEMU).
 */
const PAE_HI_RSVD = 0x000ffff0;
const PAE_XD = 0x80000000;
const PDPTE_HI_RSVD = 0xfffffff0 | 0;
/** Bits 20:13 of a 2 MiB PDE are reserved. */
const PDE2M_RSVD = 0x1fe000;

/**
 * The debugger's data watchpoints (debug.ts), seen from the memory path: pages it watches get no
 * fast TLB bits, so every access to them takes the slow path, which reports it.
 */
export interface AccessWatcher {
  /** True when a watchpoint covers part of the linear page `linear & ~0xfff`. */
  watchesPage(linear: number): boolean;
  /** A data access of `size` bytes at `linear` (instruction fetches are not reported). */
  access(linear: number, size: number, write: boolean): void;
}

export class I386Mmu {
  /** Linear page (bits 31:12, as int32) or EMPTY. */
  readonly tag = new Int32Array(TLB_SIZE).fill(EMPTY);
  /** Permission, fast permission, global and large bits. */
  readonly perm = new Int32Array(TLB_SIZE);
  /**
   * Per access kind (FAST_KIND_*) and entry, a pair: the entry's tag where it grants that
   * access on RAM (its fast bit), else FAST_EMPTY, and the page's RAM offset less its tag (int32, so
   * that linear + it is the RAM offset): the translated blocks' (jit.ts) one compare for tag and
   * permission and one add, on one array.
   */
  readonly fastTlb: Int32Array;
  /** RAM offset of the page (meaningful when a fast bit is set). */
  readonly ramOff = new Int32Array(TLB_SIZE);
  /** Physical page address. */
  readonly phys = new Uint32Array(TLB_SIZE);
  private paging = false;
  private wp = false;
  private pse = false;
  private pge = false;
  private pae = false;
  private nxe = false;
  private cr3 = 0;
  /** ANDed into every physical address: bit 20 clear while the A20 gate is low. */
  private a20Mask = -1;
  private largeEntries = 0;
  /** Set while watchpoints exist (debug.ts); null keeps the slow path as it was. */
  get watcher(): AccessWatcher | null { return this.watching; }
  set watcher(w: AccessWatcher | null) { this.watching = w; this.flatChanged(); }
  private watching: AccessWatcher | null = null;
  /**
   * Linear pages (bits 31:12) holding an armed data breakpoint (debugregs.ts): their entries get no
   * fast bits, so every access to them takes the slow path, which reports it to `onWatch`.
   */
  private watched: number[] = [];
  onWatch: (linear: number, size: number, write: boolean) => void = () => {};
  /** Page walks and flushes so far (tests). */
  walks = 0;
  flushes = 0;
  readonly u8: Uint8Array;
  private readonly u16: Uint16Array;
  private readonly i32: Int32Array;
  private readonly view: DataView;
  private readonly ramBase: number;
  private readonly ramSize: number;

  constructor(
    private readonly bus: Bus,
    private readonly onFault: (linear: number, errorCode: number) => void,
    /** Where `fastTlb` lives (FAST_TLB_WORDS int32: the wasm area of jit-wasm.ts), else its own array. */
    fastTlb: Int32Array = new Int32Array(FAST_TLB_WORDS),
  ) {
    this.fastTlb = fastTlb.fill(FAST_EMPTY);
    const ram = bus.ram;
    this.u8 = ram.u8; this.u16 = ram.u16; this.i32 = ram.i32; this.view = ram.view;
    this.ramBase = ram.base; this.ramSize = ram.size;
    this.flatChanged();
  }

  // --- control ------------------------------------------------------------------------------

  /** CR0 or CR4 written: a change of PG, WP, PSE, PGE or PAE drops every entry (SDM 4.10.4.1). */
  setControl(cr0: number, cr4: number): void {
    const paging = (cr0 & 0x80000000) !== 0, wp = (cr0 & 0x10000) !== 0;
    const pse = (cr4 & 0x10) !== 0, pge = (cr4 & 0x80) !== 0, pae = (cr4 & 0x20) !== 0;
    if (paging === this.paging && wp === this.wp && pse === this.pse && pge === this.pge && pae === this.pae) return;
    this.paging = paging; this.wp = wp; this.pse = pse; this.pge = pge; this.pae = pae;
    this.flushAll();
    this.flatChanged();
  }

  /** EFER.NXE (WRMSR 0xC0000080): PAE entries' bit 63 becomes XD instead of reserved. */
  setNxe(nxe: boolean): void {
    if (nxe === this.nxe) return;
    this.nxe = nxe;
    this.flushAll();
  }

  /** MOV to CR3: drops the non-global entries. */
  loadCr3(cr3: number): void {
    this.cr3 = cr3 >>> 0;
    this.flushNonGlobal();
  }

  /** The A20 gate (level high = enabled): when low, physical address bit 20 reads as 0. */
  setA20(enabled: boolean): void {
    const mask = enabled ? -1 : ~(1 << 20);
    if (mask === this.a20Mask) return;
    this.a20Mask = mask;
    this.flushAll();
    this.flatChanged();
  }

  /** The linear pages of the armed data breakpoints (a DR7 write): entries refilled without fast bits. */
  watchPages(pages: number[]): void {
    if (pages.length === 0 && this.watched.length === 0) return;
    this.watched = pages;
    this.flushAll();
    this.flatChanged();
  }

  get a20(): boolean { return this.a20Mask === -1; }
  /** CR0.PG: linear addresses go through the page tables (the translator's hotness policy reads it: jit.ts jitThreshold). */
  get pagingOn(): boolean { return this.paging; }

  /**
   * The longest run of RAM pages with no hole as linear addresses [lo, lo + size) (paging off: physical; the
   * pc's RAM above 1 MiB), where loads of translated code need no TLB while flatLoads says so (jit-wasm.ts).
   */
  flatWindow(): FlatWindow {
    if (this.flat !== null) return this.flat;
    const flags = this.bus.pageFlags, pages = this.ramSize >>> 12;
    let best = 0, bestAt = 0;
    for (let at = 0, run = 0; at < pages; at++) {
      run = (flags[at] & PAGE_HOLE) === 0 ? run + 1 : 0;
      if (run > best) { best = run; bestAt = at + 1 - run; }
    }
    return (this.flat = { lo: this.ramBase + bestAt * 4096, size: best * 4096, ramBase: this.ramBase });
  }
  private flat: FlatWindow | null = null;

  /**
   * The bytes less 3 of flatWindow that a load of up to 4 bytes reaches as RAM at its linear address less the RAM
   * base, as fill() would map it: paging off, A20 on (no alias at 1 MiB), no data breakpoint nor watcher; else 0.
   * A field kept as those change, not computed at each region call (jit-wasm.ts copyingState reads it).
   */
  flatLoads = 0;

  private flatChanged(): void {
    const open = !this.paging && this.a20Mask === -1 && this.watched.length === 0 && this.watching === null;
    this.flatLoads = open ? Math.max(0, this.flatWindow().size - 3) : 0;
  }
  /** EFER.NXE: PAE entries' bit 63 is XD. */
  get nx(): boolean { return this.nxe; }

  reset(): void {
    this.paging = false; this.wp = false; this.pse = false; this.pge = false; this.pae = false; this.nxe = false; this.cr3 = 0;
    this.flushAll();
    this.flatChanged();
  }

  flushAll(): void {
    this.tag.fill(EMPTY);
    this.fastTlb.fill(FAST_EMPTY);
    this.largeEntries = 0;
    this.flushes++;
  }

  private flushNonGlobal(): void {
    const tag = this.tag, perm = this.perm;
    let large = 0;
    for (let s = 0; s < TLB_SIZE; s++) {
      if ((perm[s] & ENTRY_GLOBAL) === 0) this.drop(s);
      else if (tag[s] !== EMPTY && (perm[s] & ENTRY_LARGE) !== 0) large++;
    }
    this.largeEntries = large;
    this.flushes++;
  }

  /** INVLPG: drops the entry of `linear`, global or not, and every entry its 4 MiB page gave. */
  invalidate(linear: number): void {
    const slot = (linear >>> 12) & TLB_MASK;
    if (this.tag[slot] === (linear & -4096)) this.drop(slot);
    if (this.largeEntries > 0) {
      const tag = this.tag, perm = this.perm;
      let large = 0;
      for (let s = 0; s < TLB_SIZE; s++) {
        if (tag[s] === EMPTY || (perm[s] & ENTRY_LARGE) === 0) continue;
        if (((tag[s] ^ linear) & 0xffc00000) === 0) this.drop(s);
        else large++;
      }
      this.largeEntries = large;
    }
    this.flushes++;
  }

  /** Empties entry `slot`. */
  private drop(slot: number): void {
    this.tag[slot] = EMPTY;
    for (let kind = 0; kind < FAST_KIND_BITS.length; kind++) this.fastTlb[(kind << (TLB_BITS + 1)) | (slot << 1)] = FAST_EMPTY;
  }

  // --- translation --------------------------------------------------------------------------

  /**
   * The TLB slot translating `linear` for the access, walking the tables on a miss or when the
   * entry lacks the permission; -1 after a page fault (reported through `onFault`).
   */
  translate(linear: number, kind: number, user: boolean): number {
    const slot = (linear >>> 12) & TLB_MASK;
    if (this.tag[slot] === (linear & -4096) && (this.perm[slot] & (1 << (kind + (user ? 0 : 3)))) !== 0) return slot;
    if (!this.paging) { this.fill(slot, linear, linear & -4096, PERM_ALL); return slot; }
    this.walks++;
    return this.pae ? this.walkPae(slot, linear >>> 0, kind, user) : this.walk32(slot, linear >>> 0, kind, user);
  }

  /** Physical address of `linear` for the access, or -1 after a page fault. */
  physical(linear: number, kind: number, user: boolean): number {
    const slot = this.translate(linear, kind, user);
    return slot < 0 ? -1 : this.phys[slot] + (linear & 0xfff);
  }

  /** The #PF error code bits of the access (I/D only when XD exists, as QEMU). */
  private accessCode(kind: number, user: boolean): number {
    return (kind === ACCESS_WRITE ? PF_W : 0) | (user ? PF_U : 0) | (kind === ACCESS_EXEC && this.nxe && this.pae ? PF_ID : 0);
  }

  /** 32-bit paging walk (SDM vol. 3, 4.3 and 4.6); sets A and D as the CPU does (4.8). */
  private walk32(slot: number, linear: number, kind: number, user: boolean): number {
    const a20 = this.a20Mask;
    const pdeAddr = (((this.cr3 & ~0xfff) | ((linear >>> 22) << 2)) & a20) >>> 0;
    const pde = this.readPhys(pdeAddr, 4);
    const access = this.accessCode(kind, user);
    if ((pde & PTE_P) === 0) return this.fault(linear, access);
    let leaf: number, leafAddr: number, page: number, rw: number, us: number, large: boolean;
    if ((pde & PTE_PS) !== 0 && this.pse) {
      if ((pde & PDE4M_RSVD) !== 0) return this.fault(linear, access | PF_P | PF_RSVD);
      leaf = pde; leafAddr = pdeAddr; large = true;
      page = ((pde & 0xffc00000) | (linear & 0x3ff000)) >>> 0; // bits 20:13 (PSE-36, above 4 GiB) not modelled
      rw = pde & PTE_RW; us = pde & PTE_US;
    } else {
      // The directory entry's A is set on the way down, before the PTE is checked (as QEMU).
      if ((pde & PTE_A) === 0) this.writePhys(pdeAddr, 4, pde | PTE_A);
      leafAddr = (((pde & ~0xfff) | ((linear >>> 10) & 0xffc)) & a20) >>> 0;
      leaf = this.readPhys(leafAddr, 4);
      if ((leaf & PTE_P) === 0) return this.fault(linear, access);
      large = false;
      page = (leaf & ~0xfff) >>> 0;
      rw = pde & leaf & PTE_RW; us = pde & leaf & PTE_US;
    }
    return this.finish(slot, linear, kind, user, access, leaf, leafAddr, page, rw, us, false, large);
  }

  /**
   * PAE walk (SDM vol. 3, 4.4): the PDPTE from CR3 bits 31:5 (read at each walk, as QEMU), then a
   * 64-bit PDE (PS: 2 MiB page) and PTE. Reserved bits give P | RSVD; XD (EFER.NXE) in any level
   * forbids fetches. Physical address bits 35:32 are not modelled (RAM and devices are below 4 GiB).
   */
  private walkPae(slot: number, linear: number, kind: number, user: boolean): number {
    const a20 = this.a20Mask;
    const access = this.accessCode(kind, user);
    const pdpteAddr = (((this.cr3 & ~0x1f) + ((linear >>> 27) & 0x18)) & a20) >>> 0;
    const pdpte = this.readPhys(pdpteAddr, 4);
    if ((pdpte & PTE_P) === 0) return this.fault(linear, access);
    if ((this.readPhys(pdpteAddr + 4, 4) & PDPTE_HI_RSVD) !== 0) return this.fault(linear, access | PF_P | PF_RSVD);
    const hiRsvd = this.nxe ? PAE_HI_RSVD : PAE_HI_RSVD | PAE_XD;
    const pdeAddr = (((pdpte & ~0xfff) | ((linear >>> 18) & 0xff8)) & a20) >>> 0;
    const pde = this.readPhys(pdeAddr, 4), pdeHi = this.readPhys(pdeAddr + 4, 4);
    if ((pde & PTE_P) === 0) return this.fault(linear, access);
    if ((pdeHi & hiRsvd) !== 0) return this.fault(linear, access | PF_P | PF_RSVD);
    if ((pde & PTE_PS) !== 0) {
      if ((pde & PDE2M_RSVD) !== 0) return this.fault(linear, access | PF_P | PF_RSVD);
      const page = ((pde & 0xffe00000) | (linear & 0x1ff000)) >>> 0;
      return this.finish(slot, linear, kind, user, access, pde, pdeAddr, page, pde & PTE_RW, pde & PTE_US, (pdeHi & PAE_XD) !== 0 && this.nxe, true);
    }
    if ((pde & PTE_A) === 0) this.writePhys(pdeAddr, 4, pde | PTE_A); // on the way down, as QEMU
    const pteAddr = (((pde & ~0xfff) | ((linear >>> 9) & 0xff8)) & a20) >>> 0;
    const pte = this.readPhys(pteAddr, 4), pteHi = this.readPhys(pteAddr + 4, 4);
    if ((pte & PTE_P) === 0) return this.fault(linear, access);
    if ((pteHi & hiRsvd) !== 0) return this.fault(linear, access | PF_P | PF_RSVD);
    const xd = this.nxe && ((pdeHi | pteHi) & PAE_XD) !== 0;
    return this.finish(slot, linear, kind, user, access, pte, pteAddr, (pte & ~0xfff) >>> 0, pde & pte & PTE_RW, pde & pte & PTE_US, xd, false);
  }

  /**
   * The permission check on the combined bits (SDM 4.6.1: user accesses need U/S everywhere, user
   * writes R/W too; supervisor writes need R/W only when CR0.WP = 1; no fetch from an XD page),
   * then A/D on the leaf and the TLB fill.
   */
  private finish(slot: number, linear: number, kind: number, user: boolean, access: number, leaf: number, leafAddr: number,
    page: number, rw: number, us: number, xd: boolean, large: boolean): number {
    const userWrite = us !== 0 && rw !== 0;
    const supWrite = rw !== 0 || !this.wp;
    const denied = (user && us === 0) || (kind === ACCESS_WRITE && !(user ? userWrite : supWrite)) || (kind === ACCESS_EXEC && xd);
    if (denied) return this.fault(linear, access | PF_P);
    const updated = leaf | PTE_A | (kind === ACCESS_WRITE ? PTE_D : 0);
    if (updated !== leaf) this.writePhys(leafAddr, 4, updated);
    const dirty = (updated & PTE_D) !== 0;
    let perm = PERM_SR | (us !== 0 ? PERM_UR : 0);
    if (!xd) perm |= PERM_SX | (us !== 0 ? PERM_UX : 0);
    if (dirty) perm |= (supWrite ? PERM_SW : 0) | (userWrite ? PERM_UW : 0);
    if (this.pge && (leaf & PTE_G) !== 0) perm |= ENTRY_GLOBAL;
    if (large) { perm |= ENTRY_LARGE; this.largeEntries++; }
    this.fill(slot, linear, page, perm);
    return slot;
  }

  private fault(linear: number, errorCode: number): number {
    this.onFault(linear >>> 0, errorCode);
    return -1;
  }

  private fill(slot: number, linear: number, page: number, perm: number): void {
    const pa = (page & this.a20Mask) >>> 0;
    const off = pa - this.ramBase;
    const ram = off >= 0 && off < this.ramSize && (this.bus.pageFlags[off >>> 12] & PAGE_HOLE) === 0
      && (this.watched.length === 0 || !this.watched.includes(linear & -4096));
    this.tag[slot] = linear & -4096;
    this.phys[slot] = pa;
    this.ramOff[slot] = ram ? off : -1;
    const fast = ram && (this.watcher === null || !this.watcher.watchesPage(linear));
    const bits = fast ? perm | ((perm & PERM_ALL) << FAST_SHIFT) : perm;
    this.perm[slot] = bits;
    for (let kind = 0; kind < FAST_KIND_BITS.length; kind++) {
      const at = (kind << (TLB_BITS + 1)) | (slot << 1);
      this.fastTlb[at] = (bits & FAST_KIND_BITS[kind]) !== 0 ? linear & -4096 : FAST_EMPTY;
      this.fastTlb[at + 1] = (off - (linear & -4096)) | 0;
    }
  }

  // --- RAM and the bus ----------------------------------------------------------------------

  /** Reads RAM at offset `a` (little-endian, any alignment); 4-byte values unsigned. */
  ramLoad(a: number, size: AccessSize): number {
    if (size === 1) return this.u8[a];
    if (size === 2) return (a & 1) === 0 ? this.u16[a >>> 1] : this.u8[a] | (this.u8[a + 1] << 8);
    return (a & 3) === 0 ? this.i32[a >>> 2] >>> 0 : this.view.getUint32(a, true);
  }

  /** Writes RAM at offset `a`, then tells the bus when the page is watched or holds decoded code. */
  ramStore(a: number, size: AccessSize, v: number): void {
    if (size === 1) this.u8[a] = v;
    else if (size === 2) { if ((a & 1) === 0) this.u16[a >>> 1] = v; else { this.u8[a] = v; this.u8[a + 1] = v >>> 8; } }
    else if ((a & 3) === 0) this.i32[a >>> 2] = v;
    else this.view.setInt32(a, v | 0, true);
    if (this.bus.pageFlags[a >>> 12] !== 0) this.storeHook(a, size);
  }

  /** After a store to RAM offset `a` of a page with flags; the CPU replaces it to keep its code cache (cpu.ts). */
  storeHook = (a: number, size: number): void => { this.bus.ramStoreHook(this.ramBase + a, size); };

  private isRam(pa: number, size: number): boolean {
    const off = pa - this.ramBase;
    return off >= 0 && off + size <= this.ramSize && (this.bus.pageFlags[off >>> 12] & PAGE_HOLE) === 0;
  }

  /** A physical read: RAM directly, the rest (holes, ROM, MMIO, nothing) through the bus. */
  readPhys(pa: number, size: AccessSize): number {
    if (this.isRam(pa, size) && ((pa - this.ramBase) & 0xfff) <= 4096 - size) return this.ramLoad(pa - this.ramBase, size);
    this.bus.fault = false;
    const v = this.bus.read(pa, size);
    this.bus.fault = false; // no bus errors on a PC: unassigned memory reads as the bus gives it
    return size === 4 ? v >>> 0 : v;
  }

  writePhys(pa: number, size: AccessSize, v: number): void {
    if (this.isRam(pa, size) && ((pa - this.ramBase) & 0xfff) <= 4096 - size) { this.ramStore(pa - this.ramBase, size, v); return; }
    this.bus.fault = false;
    this.bus.write(pa, size, v);
    this.bus.fault = false; // writes to ROM and to nothing are dropped
  }

  // --- slow paths of cpu.ts's linear accesses -----------------------------------------------

  /** A linear read the inline TLB hit could not do; 0 after a page fault. */
  readSlow(linear: number, size: AccessSize, user: boolean): number {
    if (this.watcher !== null) this.watcher.access(linear, size, false); // a fault below abandons the report too
    if (this.watched.length !== 0) this.onWatch(linear, size, false);
    const pageOff = linear & 0xfff;
    if (pageOff + size <= 4096) {
      const pa = this.physical(linear, ACCESS_READ, user);
      return pa < 0 ? 0 : this.readPhys(pa, size);
    }
    // Crosses a page: both pages translated first, then byte by byte.
    const first = 4096 - pageOff;
    const pa1 = this.physical(linear, ACCESS_READ, user);
    if (pa1 < 0) return 0;
    const pa2 = this.physical((linear + first) >>> 0, ACCESS_READ, user);
    if (pa2 < 0) return 0;
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readPhys(i < first ? pa1 + i : pa2 + i - first, 1) << (8 * i);
    return size === 4 ? v >>> 0 : v;
  }

  /** An instruction byte the inline TLB hit could not fetch; 0 after a page fault. */
  fetchSlow(linear: number, user: boolean): number {
    const pa = this.physical(linear, ACCESS_EXEC, user);
    return pa < 0 ? 0 : this.readPhys(pa, 1);
  }

  /** A linear write the inline TLB hit could not do; nothing is written after a page fault. */
  writeSlow(linear: number, size: AccessSize, v: number, user: boolean): void {
    if (this.watcher !== null) this.watcher.access(linear, size, true);
    if (this.watched.length !== 0) this.onWatch(linear, size, true);
    const pageOff = linear & 0xfff;
    if (pageOff + size <= 4096) {
      const pa = this.physical(linear, ACCESS_WRITE, user);
      if (pa >= 0) this.writePhys(pa, size, v);
      return;
    }
    const first = 4096 - pageOff;
    const pa1 = this.physical(linear, ACCESS_WRITE, user);
    if (pa1 < 0) return;
    const pa2 = this.physical((linear + first) >>> 0, ACCESS_WRITE, user);
    if (pa2 < 0) return;
    for (let i = 0; i < size; i++) this.writePhys(i < first ? pa1 + i : pa2 + i - first, 1, v >>> (8 * i));
  }
}
