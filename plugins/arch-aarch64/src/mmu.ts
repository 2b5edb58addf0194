/**
 * Stage 1 translation of a Cortex-A53 (Arm ARM D5, "The AArch64 Virtual Memory System
 * Architecture", Armv8.0): the EL1&0, EL2 and EL3 regimes, 4 KiB and 64 KiB granules (the A53 has
 * no 16 KiB granule: TGx = 16 KiB, or a reserved value, behaves as 4 KiB, the IMPLEMENTATION
 * DEFINED choice D5.2.4 allows), TxSZ from 16 to 39 (values outside are clamped, as QEMU does),
 * TTBR0/TTBR1 with EPDx and TBIx, block and page descriptors, AP/UXN/PXN/XN with the table
 * restrictions (APTable, UXNTable/XNTable, PXNTable), SCTLR.WXN, access-flag faults (no hardware
 * AF update on the A53) and output address-size checks against TCR.IPS/PS capped at the 40-bit
 * PA. No stage 2 (Non-secure EL1&0 stage 2 translation is not implemented: HCR_EL2.VM is stored
 * and ignored). All of this is the slow path: the interpreter only consults the TLB (tlb.ts).
 *
 * Faults are returned as a fault status code (DFSC/IFSC, D17.2.37) in XLATE[0]; the caller raises
 * the abort (memory.ts, cpu.ts) or writes PAR_EL1 (AT).
 */
import type { A64Cpu } from './cpu.js';
import { PA_BITS } from './memory.js';
import { HCR_TGE, SCR_NS } from './sysregs.js';
import { ENTRY_LEVEL_SHIFT, ENTRY_NG, ENTRY_SIZE_SHIFT, PERM_R0, PERM_R1, PERM_W0, PERM_W1, PERM_X0, PERM_X1 } from './tlb.js';

const TWO32 = 4294967296;
/** 2^n for n = 0-64: `2 ** n` of a variable n is a call to V8's pow, ~1.5 % of the arm64 Linux boot's main thread in walk. */
const POW2 = Float64Array.from({ length: 65 }, (_, n) => 2 ** n);

/** Fault status codes (DFSC/IFSC): add the level (0-3). */
export const FSC_ADDRESS_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS_FLAG = 0x08;
export const FSC_PERMISSION = 0x0c;
/** Synchronous External abort on a translation table walk. */
export const FSC_WALK_EXTERNAL = 0x14;

/** Access kinds. */
export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_EXEC = 2;

/** SCTLR_ELx bits (D17.2.118). */
export const SCTLR_M = 1 << 0;
export const SCTLR_A = 1 << 1;
export const SCTLR_WXN = 1 << 19;
/** HCR_EL2.DC: EL1&0 stage 1 behaves as disabled (D17.2.48). */
const HCR_DC = 1 << 12;

/** ID_AA64MMFR0_EL1 of a Cortex-A53 (as QEMU's): 40-bit PA, 16-bit ASIDs, mixed endian, 4K and 64K granules, no 16K. */
export const ID_AA64MMFR0 = 0x00001122;

/** Translation registers (lo, hi pairs at 2 * EL). */
export class MmuRegs {
  /** TTBR0_EL1, TTBR0_EL2, TTBR0_EL3 at 2 * EL. */
  readonly ttbr0 = new Int32Array(8);
  readonly ttbr1 = new Int32Array(2);
  /** TCR_EL1 (64-bit), TCR_EL2, TCR_EL3 at 2 * EL. */
  readonly tcr = new Int32Array(8);
  readonly mair = new Int32Array(8);
  readonly amair = new Int32Array(8);
  /** VTTBR_EL2, VTCR_EL2 (stored: no stage 2). */
  readonly vttbr = new Int32Array(2);
  vtcr = 0;
  readonly par = new Int32Array(2);
  contextidr = 0;
  /** CSSELR_EL1 (cache.ts). */
  csselr = 0;
  /** The regime (1 = EL1&0, 2, 3) the TLB holds entries of. */
  regime = 0;
  /** The ASID the TLB's non-global entries belong to. */
  asid = 0;

  reset(): void {
    for (const a of [this.ttbr0, this.ttbr1, this.tcr, this.mair, this.amair, this.vttbr, this.par]) a.fill(0);
    this.vtcr = this.contextidr = this.csselr = 0;
    this.regime = 0;
    this.asid = 0;
  }
}

/**
 * Results: XLATE[0] the fault status code on a fault; XWALK holds the walk's result: 0 perm bits
 * (tlb.ts layout with nG, level, size), 1 AttrIndx, 2 SH, 3 NS (descriptor NS or NSTable, meaningful
 * in Secure state). XPA[0] the physical address.
 */
export const XLATE = new Int32Array(1);
const XWALK = new Int32Array(4);
const XPA = new Float64Array(1);

/** The regime of an EL (EL0 and EL1 share EL1&0). */
function regimeOf(el: number): number {
  return el === 0 ? 1 : el;
}

/** Whether stage 1 of `regime` is enabled (SCTLR.M; EL1&0 off with HCR_EL2.TGE or DC, Non-secure). */
function stage1On(cpu: A64Cpu, regime: number): boolean {
  if ((cpu.sctlr[regime] & SCTLR_M) === 0) return false;
  if (regime === 1 && (cpu.scr & SCR_NS) !== 0 && (cpu.hcr[0] & (HCR_TGE | HCR_DC)) !== 0) return false;
  return true;
}

/** The EL1&0 ASID: TTBR0_EL1 or (TCR_EL1.A1) TTBR1_EL1 [63:48], 8 bits unless TCR_EL1.AS. */
function currentAsid(m: MmuRegs): number {
  const hi = (m.tcr[2] & (1 << 22)) !== 0 ? m.ttbr1[1] : m.ttbr0[3];
  const asid = hi >>> 16;
  return (m.tcr[3] & (1 << 4)) !== 0 ? asid : asid & 0xff;
}

/**
 * After a change of EL, SCTLR, HCR_EL2, TCR or TTBR: recomputes `mmuOff` and the TLB's
 * permission masks, and empties what the TLB may no longer hold (another regime's entries, the
 * old ASID's non-global ones).
 */
export function updateTranslation(cpu: A64Cpu): void {
  const regime = regimeOf(cpu.el);
  const m = cpu.mmu;
  const tlb = cpu.tlb;
  cpu.mmuOff = !stage1On(cpu, regime);
  tlb.setEl0(cpu.el === 0);
  if (m.regime !== regime) {
    tlb.flushAll();
    m.regime = regime;
  }
  const asid = currentAsid(m);
  if (asid !== m.asid) {
    tlb.switchAsid(m.asid, asid);
    m.asid = asid;
  }
}

/** Empties the TLB (TCR and SCTLR writes: cached entries may hold what they computed). */
export function translationChanged(cpu: A64Cpu): void {
  cpu.tlb.flushAll();
  updateTranslation(cpu);
  cpu.attention = true;
}

/**
 * TTBRn_EL1 writes: maybe a new ASID. A new table base under the same ASID keeps the entries, as
 * the architecture allows (and QEMU does): software changing tables under one ASID issues a TLBI.
 */
export function ttbrChanged(cpu: A64Cpu): void {
  updateTranslation(cpu);
  cpu.attention = true;
}

/** Reads the 8-byte descriptor at physical `pa` into D (lo, hi); false when it is not RAM. */
const D = new Int32Array(2);
function readDescriptor(cpu: A64Cpu, pa: number): boolean {
  const off = pa - cpu.ramBase;
  if (off < 0 || off + 8 > cpu.ramSize) return false;
  D[0] = cpu.ramView.getInt32(off, true);
  D[1] = cpu.ramView.getInt32(off + 4, true);
  return true;
}

/** Output address size from TCR.IPS/PS (D17.2.131), capped at the implemented 40 bits. */
function outputBits(ps: number): number {
  const bits = ps === 0 ? 32 : ps === 1 ? 36 : ps === 2 ? 40 : ps === 3 ? 42 : ps === 4 ? 44 : 48;
  return bits < PA_BITS ? bits : PA_BITS;
}

/** True when bits [47:bits] of the 48-bit address (hi word bits [15:0], lo) are not all zero. */
function above(hi: number, bits: number): boolean {
  return ((hi & 0xffff) >>> (bits - 32)) !== 0;
}

/**
 * The stage 1 walk of `regime` for VA (vl, h) (h: the high word with any TBI tag already removed).
 * Returns -1 with XWALK/XPA filled, or a fault status code. `exec` says whether it is an
 * instruction fetch (TBI never applies to it here: the pc carries no tag).
 */
function walk(cpu: A64Cpu, regime: number, vl: number, h: number): number {
  const m = cpu.mmu;
  let tsz: number;
  let tg: number;
  let ps: number;
  let disabled = false;
  let upper = 0;
  let ttbLo: number;
  let ttbHi: number;
  if (regime === 1) {
    const tcr = m.tcr[2];
    upper = (h >>> 23) & 1; // VA bit 55 selects TTBR1 (D5.2.5)
    if (upper) {
      tsz = (tcr >>> 16) & 63;
      const tg1 = (tcr >>> 30) & 3;
      tg = tg1 === 3 ? 16 : 12;
      disabled = (tcr & (1 << 23)) !== 0;
      ttbLo = m.ttbr1[0];
      ttbHi = m.ttbr1[1];
    } else {
      tsz = tcr & 63;
      tg = ((tcr >>> 14) & 3) === 1 ? 16 : 12;
      disabled = (tcr & (1 << 7)) !== 0;
      ttbLo = m.ttbr0[2];
      ttbHi = m.ttbr0[3];
    }
    ps = m.tcr[3] & 7;
  } else {
    const tcr = m.tcr[2 * regime];
    tsz = tcr & 63;
    tg = ((tcr >>> 14) & 3) === 1 ? 16 : 12;
    ps = (tcr >>> 16) & 7;
    ttbLo = m.ttbr0[2 * regime];
    ttbHi = m.ttbr0[2 * regime + 1];
  }
  if (tsz < 16) tsz = 16;
  else if (tsz > 39) tsz = 39;
  const inputBits = 64 - tsz;
  // VA bits [63:inputBits] must all equal the range's top bit (D5.2.5), else a level 0 fault.
  const fill = upper ? -1 : 0;
  let inRange: boolean;
  if (inputBits >= 32) {
    const mask = ~((1 << (inputBits - 32)) - 1);
    inRange = (h & mask) === (fill & mask);
  } else {
    const mask = ~((1 << inputBits) - 1);
    inRange = h === fill && (vl & mask) === (fill & mask);
  }
  if (!inRange || disabled) return FSC_TRANSLATION;
  const oBits = outputBits(ps);
  // The base address [47:1] must fit the output size (ASID bits [63:48] aside).
  if (above(ttbHi, oBits)) return FSC_ADDRESS_SIZE;
  const stride = tg - 3;
  let level = 4 - Math.ceil((inputBits - tg) / stride);
  const va = (h & 0xffff) * TWO32 + (vl >>> 0);
  // The first table holds 2^(inputBits - shift) entries, aligned to its size (at least 64 bytes).
  let shift = tg + stride * (3 - level);
  const firstBytes = Math.max(8 * POW2[inputBits - shift], 64);
  let table = (ttbHi & 0xffff) * TWO32 + (ttbLo >>> 0);
  table -= table % firstBytes;
  let apTable = 0;
  let xnTable = 0;
  let pxnTable = 0;
  let nsTable = 0;
  let bits = inputBits - shift;
  for (;;) {
    const index = Math.floor(va / POW2[shift]) % POW2[bits];
    const read = readDescriptor(cpu, table + index * 8);
    if (WALK_TRACE.fn !== null) WALK_TRACE.fn(level, table, index, read ? D[0] : 0, read ? D[1] : 0, read);
    if (!read) return FSC_WALK_EXTERNAL + level;
    const lo = D[0];
    const hi = D[1];
    if ((lo & 1) === 0) return FSC_TRANSLATION + level;
    if (level < 3 && (lo & 2) !== 0) {
      // Table descriptor: next-level table address [47:tg], and the hierarchical controls.
      if (above(hi, oBits)) return FSC_ADDRESS_SIZE + level;
      table = (hi & 0xffff) * TWO32 + ((lo >>> 0) - ((lo >>> 0) % POW2[tg]));
      apTable |= (hi >>> 29) & 3;
      xnTable |= (hi >>> 28) & 1;
      pxnTable |= (hi >>> 27) & 1;
      nsTable |= (hi >>> 31) & 1;
      level++;
      shift -= stride;
      bits = stride;
      continue;
    }
    // Page (level 3, type 11) or block (01): blocks exist at levels 1-2 (4K) and 2 (64K) only.
    if (level === 3 ? (lo & 2) === 0 : tg === 16 ? level !== 2 : level === 0) return FSC_TRANSLATION + level;
    if (above(hi, oBits)) return FSC_ADDRESS_SIZE + level;
    if ((lo & (1 << 10)) === 0) return FSC_ACCESS_FLAG + level;
    const size = POW2[shift];
    const oa = (hi & 0xffff) * TWO32 + (lo >>> 0);
    XPA[0] = oa - (oa % size) + (va % size);
    let ap = (lo >>> 6) & 3;
    let uxn = (hi >>> 22) & 1;
    let pxn = (hi >>> 21) & 1;
    // APTable[1]: no write below; APTable[0]: no EL0 access below (EL1&0 only) (D5.4.7).
    if (apTable & 2) ap |= 2;
    uxn |= xnTable;
    pxn |= pxnTable;
    const wxn = (cpu.sctlr[regime] & SCTLR_WXN) !== 0;
    let perm: number;
    if (regime === 1) {
      if (apTable & 1) ap &= 2;
      const userR = (ap & 1) !== 0;
      const userW = ap === 1;
      const privW = (ap & 2) === 0;
      // A region writable at EL0 is never executable at EL1; WXN makes writable regions XN (D5.4.5).
      const privX = !pxn && !userW && !(wxn && privW);
      const userX = !uxn && !(wxn && userW);
      perm = PERM_R1 | (privW ? PERM_W1 : 0) | (privX ? PERM_X1 : 0) | (userR ? PERM_R0 : 0) | (userW ? PERM_W0 : 0) | (userX ? PERM_X0 : 0);
      if ((lo & (1 << 11)) !== 0) perm |= ENTRY_NG;
    } else {
      // One privilege level: AP[1] is RES1, UXN is XN, PXN is RES0 (D5.4.4).
      const w = (ap & 2) === 0;
      perm = PERM_R1 | (w ? PERM_W1 : 0) | (!uxn && !(wxn && w) ? PERM_X1 : 0);
    }
    XWALK[0] = perm | (level << ENTRY_LEVEL_SHIFT) | (shift << ENTRY_SIZE_SHIFT);
    XWALK[1] = (lo >>> 2) & 7;
    XWALK[2] = (lo >>> 8) & 3;
    XWALK[3] = nsTable | ((lo >>> 5) & 1);
    return -1;
  }
}

/**
 * A debugger's view of one walk (`monitor info mmu`, debug.ts): when set, `walk` reports each
 * descriptor it reads (level, table base, index, descriptor words, whether it was RAM). Null
 * otherwise: one property test per level of a TLB miss.
 */
export const WALK_TRACE: { fn: ((level: number, table: number, index: number, lo: number, hi: number, read: boolean) => void) | null } = { fn: null };

/** The high word of a data address with its tag removed when TBI applies (D5.3.1), for `regime`. */
function untagged(cpu: A64Cpu, regime: number, h: number, acc: number): number {
  if (acc === ACC_EXEC) return h;
  if (regime === 1) {
    const upper = (h >>> 23) & 1;
    const tbi = (cpu.mmu.tcr[3] >>> (upper ? 6 : 5)) & 1;
    if (tbi === 0) return h;
    return upper ? h | 0xff000000 : h & 0x00ffffff;
  }
  return (cpu.mmu.tcr[2 * regime] & (1 << 20)) !== 0 ? h & 0x00ffffff : h;
}

/**
 * Translates VA (vl, vh) for an access of kind `acc` at the current EL (EL0 permissions when
 * `unpriv`, for LDTR/STTR at EL1) with stage 1 on: returns the physical address, or -1 with the
 * fault status code in XLATE[0]. Uses and fills the TLB.
 */
export function translate(cpu: A64Cpu, vl: number, vh: number, acc: number, unpriv: boolean): number {
  const tlb = cpu.tlb;
  const regime = regimeOf(cpu.el);
  const h = untagged(cpu, regime, vh, acc);
  const el0 = cpu.el === 0 || (unpriv && cpu.el === 1);
  const need = acc === ACC_READ ? (el0 ? PERM_R0 : PERM_R1) : acc === ACC_WRITE ? (el0 ? PERM_W0 : PERM_W1) : el0 ? PERM_X0 : PERM_X1;
  tlb.slowLookups++;
  let slot = tlb.lookup(vl, h);
  if (slot < 0) {
    tlb.walks++;
    const fsc = walk(cpu, regime, vl, h);
    if (fsc >= 0) {
      XLATE[0] = fsc;
      return -1;
    }
    const page = XPA[0] - (vl & 0xfff);
    const off = page - cpu.ramBase;
    slot = tlb.fill(vl, h, page, off >= 0 && off + 4096 <= cpu.ramSize ? off : -1, XWALK[0]);
  }
  const perm = tlb.perm[slot];
  if ((perm & need) === 0) {
    XLATE[0] = FSC_PERMISSION + ((perm >>> ENTRY_LEVEL_SHIFT) & 3);
    return -1;
  }
  return tlb.pa[slot] + (vl & 0xfff);
}

/**
 * AT S1E0R/W, S1E1R/W, S1E2R/W, S1E3R/W (C5.5): translates (vl, vh) in the regime of `el` with
 * EL0 permissions when `el` is 0, without the TLB, and writes PAR_EL1 (D17.2.95): PA, SH, NS and
 * the MAIR attribute byte, or F = 1 with the fault status (FST) for a stage 1 fault (S = 0, PTW = 0).
 */
export function addressTranslate(cpu: A64Cpu, el: number, write: boolean, vl: number, vh: number): void {
  const regime = regimeOf(el);
  const m = cpu.mmu;
  // Non-secure regimes output Non-secure addresses; Secure ones (EL3, Secure EL1&0) the
  // descriptor's NS/NSTable (D5.5.2).
  const secure = regime === 3 || (cpu.scr & SCR_NS) === 0;
  let ns = secure ? 0 : 1;
  const par = m.par;
  let pa: number;
  let attr = 0;
  let sh = 2;
  let fsc = -1;
  if (!stage1On(cpu, regime)) {
    // Flat: Device-nGnRnE (attribute 0x00), reported as Outer Shareable.
    if (vh >>> (PA_BITS - 32) !== 0) fsc = FSC_ADDRESS_SIZE;
    pa = vh * TWO32 + (vl >>> 0);
  } else {
    const h = untagged(cpu, regime, vh, ACC_READ);
    fsc = walk(cpu, regime, vl, h);
    pa = XPA[0];
    if (fsc < 0) {
      const perm = XWALK[0];
      const el0 = el === 0;
      const need = write ? (el0 ? PERM_W0 : PERM_W1) : el0 ? PERM_R0 : PERM_R1;
      if ((perm & need) === 0) fsc = FSC_PERMISSION + ((perm >>> ENTRY_LEVEL_SHIFT) & 3);
      const mairLo = m.mair[2 * regime];
      const mairHi = m.mair[2 * regime + 1];
      const index = XWALK[1];
      attr = ((index < 4 ? mairLo : mairHi) >>> (8 * (index & 3))) & 0xff;
      // Device memory (attribute 0000xxxx) is reported as Outer Shareable.
      sh = (attr & 0xf0) === 0 ? 2 : XWALK[2];
      if (secure) ns = XWALK[3];
    }
  }
  if (fsc >= 0) {
    // Bit 11 is RES1 in the fault format.
    par[0] = 1 | (fsc << 1) | (1 << 11);
    par[1] = 0;
    return;
  }
  const page = pa - (pa % 4096);
  par[0] = ((page % TWO32) | 0) | (sh << 7) | (ns << 9);
  par[1] = (Math.floor(page / TWO32) & 0xffff) | (attr << 24);
}

/**
 * The physical address of VA (lo, hi) in the current regime for a debugger, or -1 when it does not
 * translate: no TLB, no permission check, no side effects (identity with the MMU off).
 */
export function debugTranslate(cpu: A64Cpu, lo: number, hi: number): number {
  const regime = regimeOf(cpu.el);
  if (!stage1On(cpu, regime)) return hi >>> (PA_BITS - 32) !== 0 ? -1 : hi * TWO32 + (lo >>> 0);
  return walk(cpu, regime, lo, untagged(cpu, regime, hi, ACC_READ)) < 0 ? XPA[0] : -1;
}

/**
 * `debugTranslate` for `monitor info mmu`: the regime and whether its stage 1 is on, the physical
 * address (-1 on a fault) and the fault status code (-1 without one); `trace` sees every
 * descriptor read. Permissions are not checked (a debugger's access, as QEMU's).
 */
export function debugWalk(
  cpu: A64Cpu,
  lo: number,
  hi: number,
  trace: NonNullable<(typeof WALK_TRACE)['fn']>,
): { regime: number; stage1: boolean; pa: number; fsc: number } {
  const regime = regimeOf(cpu.el);
  if (!stage1On(cpu, regime)) {
    const pa = hi >>> (PA_BITS - 32) !== 0 ? -1 : hi * TWO32 + (lo >>> 0);
    return { regime, stage1: false, pa, fsc: pa < 0 ? FSC_ADDRESS_SIZE : -1 };
  }
  WALK_TRACE.fn = trace;
  try {
    const fsc = walk(cpu, regime, lo, untagged(cpu, regime, hi, ACC_READ));
    return { regime, stage1: true, pa: fsc < 0 ? XPA[0] : -1, fsc };
  } finally {
    WALK_TRACE.fn = null;
  }
}
