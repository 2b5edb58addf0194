/**
 * Address translation: Sv32 page-table walks (privileged spec 4.3), PMP checks (3.7) and the
 * software TLBs that let the interpreter reach RAM without either.
 *
 * TLBs are direct-mapped, keyed by virtual page number, one per (privilege, access kind). An
 * entry maps a virtual page to the offset of a RAM page and exists only when that whole RAM page
 * has the permission at that privilege (translation and PMP); MMIO and ROM pages never enter a
 * TLB, so every access to them takes the slow path and reaches the bus. Entries hold
 *   tag = virtual page number (-1 = empty)
 *   off = ramPageOffset - (vpn << 12), so that ramOffset = (vaddr + off) | 0.
 * The M-mode set never depends on satp and survives privilege changes; the U and S sets are
 * flushed on satp writes, SFENCE.VMA with rs1 = x0 and SUM/MXR changes; all sets on PMP changes.
 * SFENCE.VMA with an address drops only that page's U/S entries (Linux issues one per kernel PTE
 * it changes: ~63 000 in a boot to init), unless a megapage holding it may be cached: the 4 KiB
 * entries cut out of one megapage sit under other page numbers, so the whole U/S sets go then.
 */
import type { Rv32Cpu } from './cpu.js';
import {
  ACC_R,
  ACC_W,
  ACC_X,
  ACCESS_FAULT,
  MSTATUS_MXR,
  MSTATUS_SUM,
  PAGE_FAULT,
  PRV_M,
  PRV_S,
  PRV_U,
  PTE_A,
  PTE_D,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
  SATP_MODE,
  SATP_PPN,
} from './constants.js';
import { PMP_BIT_OF_ACCESS, PMP_R } from './pmp.js';

export const TLB_BITS = 9;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** Entries of all the TLBs: 3 privilege sets x 3 access kinds. */
export const TLB_ENTRIES = 9 * TLB_SIZE;
const TWO32 = 4294967296;

/** TLB set of a privilege level: U = 0, S = 1, M = 2. */
export function tlbSet(priv: number): number {
  return priv === PRV_M ? 2 : priv;
}

export class Tlbs {
  private readonly allTags: Int32Array;
  /** 1 for each 4 MiB region (va >>> 22) of which a U/S entry came from a megapage, since the last flush. */
  private readonly megaRegions = new Uint8Array(1024);
  private megaCached = false;
  private readonly allOffs: Int32Array;
  private readonly emptyTags: (from: number, to: number) => void;
  /** tags[set][kind], offs[set][kind]: views into the arrays above. */
  readonly tags: Int32Array[][] = [];
  readonly offs: Int32Array[][] = [];

  /**
   * `tags` and `offs` (9 x TLB_SIZE each) when the arrays must live elsewhere (a wasm memory, jit-wasm.ts), with
   * `emptyTags` then: sets tags [from, to) to -1 (all bytes 0xff) there by the memory's own fill (WasmRam.fill: a
   * flush at each satp write, ~0.4 us on the shared memory where a typed-array fill took ~1 us; the rv32 Linux boot
   * flushes some thousands of times).
   */
  constructor(tags = new Int32Array(TLB_ENTRIES), offs = new Int32Array(TLB_ENTRIES), emptyTags?: (from: number, to: number) => void) {
    this.allTags = tags.fill(-1);
    this.emptyTags = emptyTags ?? ((from, to) => void tags.fill(-1, from, to));
    this.allOffs = offs;
    for (let set = 0; set < 3; set++) {
      const t: Int32Array[] = [];
      const o: Int32Array[] = [];
      for (let kind = 0; kind < 3; kind++) {
        const base = (set * 3 + kind) * TLB_SIZE;
        t.push(this.allTags.subarray(base, base + TLB_SIZE));
        o.push(this.allOffs.subarray(base, base + TLB_SIZE));
      }
      this.tags.push(t);
      this.offs.push(o);
    }
  }

  /** Drops U and S translations (satp, SFENCE.VMA, SUM/MXR). */
  flushTranslated(): void {
    this.emptyTags(0, 6 * TLB_SIZE);
    this.forgetMegapages();
  }

  flushAll(): void {
    this.emptyTags(0, TLB_ENTRIES);
    this.forgetMegapages();
  }

  /**
   * SFENCE.VMA rs1 (priv spec 4.2.1): drops the U/S entries of `va`'s leaf translation, for
   * every ASID (the entries carry none). Only leaf PTEs are ordered by an address fence, and
   * the walker reads the tables anew on every miss, so other pages stay valid. Returns true when
   * it had to drop every U/S entry instead.
   */
  flushPage(va: number): boolean {
    if (this.megaCached && this.megaRegions[va >>> 22] !== 0) {
      this.flushTranslated();
      return true;
    }
    const vpn = va >>> 12;
    const e = vpn & TLB_MASK;
    const tags = this.allTags;
    for (let i = 0; i < 6; i++) if (tags[i * TLB_SIZE + e] === vpn) tags[i * TLB_SIZE + e] = -1;
    return false;
  }

  /** Notes a U/S entry cut out of the megapage holding `va`. */
  cachedMegapage(va: number): void {
    this.megaRegions[va >>> 22] = 1;
    this.megaCached = true;
  }

  private forgetMegapages(): void {
    if (!this.megaCached) return;
    this.megaRegions.fill(0);
    this.megaCached = false;
  }
}

/** Set by walk(): whether its translation came from a megapage (level-1 leaf). */
let walkedMegapage = false;
/**
 * Set by walk(): the other data access kind (ACC_R for a store, ACC_W for a load) that the leaf PTE
 * also permits without a walker update, or -1. A store's walk has set A, so a load needs nothing;
 * a load's walk permits stores only when the PTE is writable and already dirty.
 */
let walkedSibling = -1;

/**
 * Translates `va` for an access of `kind` and `size` bytes at privilege `priv`, checks PMP, and
 * caches the page in the TLB when possible. Returns the physical address (a double that may
 * exceed 2^32 with Sv32's 34-bit physical addresses), or -1 with `cpu.faultCause` set.
 */
export function translate(cpu: Rv32Cpu, va: number, kind: number, size: number, priv: number): number {
  va >>>= 0;
  let pa: number;
  walkedMegapage = false;
  walkedSibling = kind === ACC_R ? ACC_W : kind === ACC_W ? ACC_R : -1;
  if (priv === PRV_M || (cpu.satp & SATP_MODE) === 0) pa = va;
  else {
    pa = walk(cpu, va, kind, priv);
    if (pa < 0) return -1;
  }
  if (!cpu.pmp.check(pa, size, priv, PMP_BIT_OF_ACCESS[kind])) {
    cpu.faultCause = ACCESS_FAULT[kind];
    return -1;
  }
  // Cache the page when it is entirely RAM and uniformly accessible (PMP) for this kind.
  const pageOff = pa - (va & 0xfff) - cpu.ramBase;
  // Pages with a debugger watchpoint stay out of the data TLBs, so their accesses reach memory.ts.
  if (pageOff >= 0 && pageOff + 4096 <= cpu.ramSize && (pageOff & 0xfff) === 0 && !(cpu.debug.watching && kind !== ACC_X && cpu.debug.watchesPage(va >>> 12))) {
    const perm = cpu.pmp.pagePermissions(pa - (va & 0xfff), priv);
    if (perm >= 0 && (perm & PMP_BIT_OF_ACCESS[kind]) !== 0) {
      const vpn = va >>> 12;
      const set = tlbSet(priv);
      const e = vpn & TLB_MASK;
      const off = (pageOff - (vpn << 12)) | 0;
      cpu.tlb.tags[set][kind][e] = vpn;
      cpu.tlb.offs[set][kind][e] = off;
      // The other data kind too, when the PTE and PMP allow it (QEMU's TLB entries hold R/W/X
      // together): a load then a store to a page walk once (Linux's fixmap PTE edits, stacks).
      const sibling = walkedSibling;
      if (sibling >= 0 && (perm & PMP_BIT_OF_ACCESS[sibling]) !== 0) {
        cpu.tlb.tags[set][sibling][e] = vpn;
        cpu.tlb.offs[set][sibling][e] = off;
      }
      if (walkedMegapage) cpu.tlb.cachedMegapage(va);
    }
  }
  return pa;
}

/** Reads a page-table entry at physical `addr`; on failure sets `cpu.walkFault` to the access fault of `kind`. */
function readPte(cpu: Rv32Cpu, addr: number, kind: number): number {
  // Implicit page-table accesses are checked by PMP as S-mode reads (priv spec 3.7.1).
  if (!cpu.pmp.check(addr, 4, PRV_S, PMP_R) || addr >= TWO32) {
    cpu.walkFault = ACCESS_FAULT[kind];
    return 0;
  }
  const off = addr - cpu.ramBase;
  if (off >= 0 && off + 4 <= cpu.ramSize) return cpu.ramI32[off >>> 2];
  const bus = cpu.bus;
  bus.fault = false;
  const v = bus.read(addr, 4);
  if (bus.fault) {
    bus.fault = false;
    cpu.walkFault = ACCESS_FAULT[kind];
    return 0;
  }
  return v | 0;
}

/**
 * Sv32 walk (priv spec 4.3.2). Returns the physical address or -1 with faultCause set to the
 * page fault (or, when a PTE cannot be read, the access fault) of the original access kind.
 * A and D are set by the walker, as QEMU does (Svadu behaviour).
 */
function walk(cpu: Rv32Cpu, va: number, kind: number, priv: number): number {
  let tableAddr = (cpu.satp & SATP_PPN) * 4096;
  let level = 1;
  let pte = 0;
  let pteAddr = 0;
  cpu.walkFault = -1;
  for (;;) {
    const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
    pteAddr = tableAddr + vpn * 4;
    pte = readPte(cpu, pteAddr, kind);
    if (cpu.walkFault >= 0) {
      cpu.faultCause = cpu.walkFault;
      return -1;
    }
    // Step 3: invalid, or the reserved W-without-R encoding.
    if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return pageFault(cpu, kind);
    if ((pte & (PTE_R | PTE_X)) !== 0) break; // leaf
    if (level === 0) return pageFault(cpu, kind);
    level = 0;
    tableAddr = (pte >>> 10) * 4096;
  }
  // Step 5: permissions (priv spec 4.3.1: U bit with SUM; 3.1.6.3: MXR).
  const st = cpu.mstatus;
  if (priv === PRV_U) {
    if ((pte & PTE_U) === 0) return pageFault(cpu, kind);
  } else if ((pte & PTE_U) !== 0) {
    // S-mode never executes from user pages, and reads/writes them only with SUM = 1.
    if (kind === ACC_X || (st & MSTATUS_SUM) === 0) return pageFault(cpu, kind);
  }
  if (kind === ACC_R) {
    if ((pte & PTE_R) === 0 && !((st & MSTATUS_MXR) !== 0 && (pte & PTE_X) !== 0)) return pageFault(cpu, kind);
  } else if (kind === ACC_W) {
    if ((pte & PTE_W) === 0) return pageFault(cpu, kind);
  } else if ((pte & PTE_X) === 0) return pageFault(cpu, kind);
  // Step 6: a megapage must be aligned (ppn[0] = 0).
  if (level === 1 && ((pte >>> 10) & 0x3ff) !== 0) return pageFault(cpu, kind);
  // The other data kind under the same rules (the U/SUM checks above are the same for both).
  if (kind === ACC_W) walkedSibling = (pte & PTE_R) !== 0 || ((st & MSTATUS_MXR) !== 0 && (pte & PTE_X) !== 0) ? ACC_R : -1;
  else if (kind === ACC_R) walkedSibling = (pte & (PTE_W | PTE_D)) === (PTE_W | PTE_D) ? ACC_W : -1;
  // Step 7: set A, and D for stores, with the walker.
  const need = PTE_A | (kind === ACC_W ? PTE_D : 0);
  if ((pte & need) !== need) {
    const updated = pte | need;
    const off = pteAddr - cpu.ramBase;
    // A PTE outside RAM cannot be updated atomically: QEMU reports a page fault.
    if (off < 0 || off + 4 > cpu.ramSize) return pageFault(cpu, kind);
    cpu.ramI32[off >>> 2] = updated;
    if (cpu.pageFlags[off >>> 12] !== 0) cpu.bus.ramStoreHook(pteAddr, 4);
  }
  // Step 8: the physical address (34 bits in Sv32).
  walkedMegapage = level === 1;
  if (level === 1) return (pte >>> 20) * 4194304 + (va & 0x3fffff);
  return (pte >>> 10) * 4096 + (va & 0xfff);
}

function pageFault(cpu: Rv32Cpu, kind: number): number {
  cpu.faultCause = PAGE_FAULT[kind];
  return -1;
}

