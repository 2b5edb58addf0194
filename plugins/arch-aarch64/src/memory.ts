/**
 * Slow-path memory accesses: everything the interpreter's inline RAM access cannot do (MMIO,
 * unaligned or page-crossing accesses, addresses above 4 GiB), and the rarer load/store forms
 * (pairs, literal, exclusive, acquire/release). Faults record the architectural exception on the
 * CPU (`cpu.exc`) and never throw.
 *
 * Translation: with the MMU on, stage 1 (mmu.ts) through the TLB (tlb.ts); with it off a virtual
 * address is the physical address, and an address with bits set above the 40-bit physical address size of a Cortex-A53
 * (ID_AA64MMFR0_EL1.PARange = 0b0010) takes an Address size fault at level 0 (Arm ARM
 * D8.2.11 / AArch64.TranslateAddressS1Off). Unaligned accesses to RAM succeed, as in QEMU 7.2
 * (which does not apply the Device-memory alignment check with the MMU off); exclusives and
 * acquire/release take the Alignment fault they always take (B2.5.2). Bus (MMIO) accesses wider
 * than 4 bytes are split into 4-byte halves, low address first.
 */
import type { A64Cpu } from './cpu.js';
import { Op, REG_SINK } from './execute.js';
import {
  EC_DABORT_LOWER,
  EC_DABORT_SAME,
  ESR_IL,
  FSC_ADDRESS_SIZE_L0,
  FSC_ALIGNMENT,
  FSC_SYNC_EXTERNAL,
  ISS_WNR,
} from './exceptions.js';
import { ACC_READ, ACC_WRITE, SCTLR_A, translate, XLATE } from './mmu.js';

/** Value of the last slow load (low, high word). */
export const MV = new Int32Array(2);

const TWO32 = 4294967296;
/** Physical address size in bits (Cortex-A53). */
export const PA_BITS = 40;

/** Records a data abort for the instruction at pc with fault status `fsc`. */
function dataAbort(cpu: A64Cpu, fsc: number, write: boolean, vl: number, vh: number, pcLo: number, pcHi: number): void {
  const ec = cpu.el === 0 ? EC_DABORT_LOWER : EC_DABORT_SAME;
  cpu.raiseSync((ec << 26) | ESR_IL | (write ? ISS_WNR : 0) | fsc, pcLo, pcHi, vl, vh, true);
}

/**
 * Physical address of a data access, or -1 after recording the fault. MMU off: identity, with
 * the address size check; MMU on: stage 1 translation (mmu.ts), EL0 permissions for LDTR/STTR.
 */
function translateData(cpu: A64Cpu, vl: number, vh: number, write: boolean, unpriv: boolean, pcLo: number, pcHi: number): number {
  if (!cpu.mmuOff) {
    const pa = translate(cpu, vl, vh, write ? ACC_WRITE : ACC_READ, unpriv);
    if (pa < 0) dataAbort(cpu, XLATE[0], write, vl, vh, pcLo, pcHi);
    return pa;
  }
  if (vh >>> (PA_BITS - 32) !== 0) {
    dataAbort(cpu, FSC_ADDRESS_SIZE_L0, write, vl, vh, pcLo, pcHi);
    return -1;
  }
  return vh * TWO32 + (vl >>> 0);
}

/**
 * Checks an access of 2^size bytes before it is made: SCTLR_ELx.A alignment (which comes before
 * any MMU fault, B2.5.2), then translation. Returns the physical address, or -1 after recording
 * the fault. With the MMU on, an access that crosses a 4 KiB page is translated page by page:
 * CROSS[0] is then the physical address of the part in the second page (else -1), so that both
 * pages are checked before anything is written.
 */
const CROSS = new Float64Array(1);
function checkAccess(cpu: A64Cpu, vl: number, vh: number, size: number, write: boolean, unpriv: boolean, pcLo: number, pcHi: number): number {
  const bytes = 1 << size;
  CROSS[0] = -1;
  if ((vl & (bytes - 1)) !== 0 && (cpu.sctlr[cpu.el === 0 ? 1 : cpu.el] & SCTLR_A) !== 0) {
    dataAbort(cpu, FSC_ALIGNMENT, write, vl, vh, pcLo, pcHi);
    return -1;
  }
  const pa = translateData(cpu, vl, vh, write, unpriv, pcLo, pcHi);
  if (pa < 0) return pa;
  if (!cpu.mmuOff && (vl & 0xfff) + bytes > 0x1000) {
    const s = (vl >>> 0) - (vl & 0xfff) + 0x1000;
    const pa2 = translateData(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, write, unpriv, pcLo, pcHi);
    if (pa2 < 0) return -1;
    CROSS[0] = pa2;
  }
  // A watchpoint stops before the access but after its faults, as QEMU checks it (debug.ts).
  if (cpu.watching && cpu.debug.watchHit(vl, vh, bytes, write)) return -1;
  return pa;
}

/** Reads 2^size bytes at physical `pa` into MV; false on a bus fault. */
function readPhys(cpu: A64Cpu, pa: number, size: number): boolean {
  const bytes = 1 << size;
  const off = pa - cpu.ramBase;
  if (off >= 0 && off + bytes <= cpu.ramSize) {
    const view = cpu.ramView;
    MV[1] = 0;
    if (size === 0) MV[0] = view.getUint8(off);
    else if (size === 1) MV[0] = view.getUint16(off, true);
    else if (size === 2) MV[0] = view.getInt32(off, true);
    else {
      MV[0] = view.getInt32(off, true);
      MV[1] = view.getInt32(off + 4, true);
    }
    return true;
  }
  const bus = cpu.bus;
  if (pa + bytes > TWO32) return false;
  bus.fault = false;
  if (size === 3) {
    const lo = bus.read(pa, 4);
    const hi = bus.fault ? 0 : bus.read(pa + 4, 4);
    MV[0] = lo;
    MV[1] = hi;
  } else {
    MV[0] = bus.read(pa, bytes as 1 | 2 | 4);
    MV[1] = 0;
  }
  const failed = bus.fault;
  bus.fault = false;
  return !failed;
}

/** Writes 2^size bytes of (lo, hi) at physical `pa`; false on a bus fault. */
function writePhys(cpu: A64Cpu, pa: number, size: number, lo: number, hi: number): boolean {
  const bytes = 1 << size;
  const off = pa - cpu.ramBase;
  if (off >= 0 && off + bytes <= cpu.ramSize) {
    const view = cpu.ramView;
    if (cpu.watching) cpu.debug.logStore(off, bytes);
    if (size === 0) view.setUint8(off, lo);
    else if (size === 1) view.setUint16(off, lo, true);
    else if (size === 2) view.setInt32(off, lo, true);
    else {
      view.setInt32(off, lo, true);
      view.setInt32(off + 4, hi, true);
    }
    if (cpu.pageFlags[off >>> 12] !== 0 || cpu.pageFlags[(off + bytes - 1) >>> 12] !== 0) cpu.ramWritten(off, bytes);
    return true;
  }
  const bus = cpu.bus;
  if (pa + bytes > TWO32) return false;
  bus.fault = false;
  if (size === 3) {
    bus.write(pa, 4, lo);
    if (!bus.fault) bus.write(pa + 4, 4, hi);
  } else bus.write(pa, bytes as 1 | 2 | 4, lo);
  const failed = bus.fault;
  bus.fault = false;
  return !failed;
}

/** Load of 2^size bytes at virtual (vl, vh) into MV (zero-extended); `unpriv` for LDTR. */
export function loadSlow(cpu: A64Cpu, vl: number, vh: number, size: number, pcLo: number, pcHi: number, unpriv = false): void {
  const pa = checkAccess(cpu, vl, vh, size, false, unpriv, pcLo, pcHi);
  if (pa < 0) return;
  const pa2 = CROSS[0];
  if (pa2 < 0) {
    if (!readPhys(cpu, pa, size)) dataAbort(cpu, FSC_SYNC_EXTERNAL, false, vl, vh, pcLo, pcHi);
    return;
  }
  // Crossing into another page: byte by byte, little-endian.
  const first = 0x1000 - (vl & 0xfff);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 1 << size; i++) {
    if (!readPhys(cpu, i < first ? pa + i : pa2 + i - first, 0)) return dataAbort(cpu, FSC_SYNC_EXTERNAL, false, vl, vh, pcLo, pcHi);
    if (i < 4) lo |= MV[0] << (8 * i);
    else hi |= MV[0] << (8 * (i - 4));
  }
  MV[0] = lo;
  MV[1] = hi;
}

/** Store of the low 2^size bytes of (lo, hi) at virtual (vl, vh); `unpriv` for STTR. */
export function storeSlow(cpu: A64Cpu, vl: number, vh: number, size: number, lo: number, hi: number, pcLo: number, pcHi: number, unpriv = false): void {
  const pa = checkAccess(cpu, vl, vh, size, true, unpriv, pcLo, pcHi);
  if (pa < 0) return;
  const pa2 = CROSS[0];
  if (pa2 < 0) {
    if (!writePhys(cpu, pa, size, lo, hi)) dataAbort(cpu, FSC_SYNC_EXTERNAL, true, vl, vh, pcLo, pcHi);
    return;
  }
  const first = 0x1000 - (vl & 0xfff);
  for (let i = 0; i < 1 << size; i++) {
    const byte = i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4));
    if (!writePhys(cpu, i < first ? pa + i : pa2 + i - first, 0, byte & 0xff, 0)) return dataAbort(cpu, FSC_SYNC_EXTERNAL, true, vl, vh, pcLo, pcHi);
  }
}

/**
 * Writes `bytes` zero bytes at the naturally aligned virtual block (vl, vh) (DC ZVA): one
 * translation for the whole block (it never crosses a page), then RAM or 4-byte bus writes.
 */
export function zeroBlock(cpu: A64Cpu, vl: number, vh: number, bytes: number, pcLo: number, pcHi: number): void {
  const pa = translateData(cpu, vl, vh, true, false, pcLo, pcHi);
  if (pa < 0) return;
  if (cpu.watching && cpu.debug.watchHit(vl, vh, bytes, true)) return;
  const off = pa - cpu.ramBase;
  if (off >= 0 && off + bytes <= cpu.ramSize) {
    cpu.bus.ram.fill(off, 0, bytes);
    if (cpu.pageFlags[off >>> 12] !== 0) cpu.ramWritten(off, bytes);
    return;
  }
  for (let i = 0; i < bytes; i += 4) {
    if (!writePhys(cpu, pa + i, 2, 0, 0)) return dataAbort(cpu, FSC_SYNC_EXTERNAL, true, vl, vh, pcLo, pcHi);
  }
}

/** Alignment check of exclusive and ordered accesses; false after recording the fault. */
function checkAligned(cpu: A64Cpu, vl: number, vh: number, bytes: number, write: boolean, pcLo: number, pcHi: number): boolean {
  if ((vl & (bytes - 1)) === 0) return true;
  dataAbort(cpu, FSC_ALIGNMENT, write, vl, vh, pcLo, pcHi);
  return false;
}

function setReg(cpu: A64Cpu, r: number, lo: number, hi: number): void {
  cpu.xl[r] = lo;
  cpu.xh[r] = hi;
}

/**
 * LDP/STP (incl. LDPSW), LDR (literal), LDXR/STXR (+ acquire/release, pairs), LDAR/STLR, CLREX.
 * `info`, `a`, `b`, `c` are the decoded slot (decode.ts says what each holds).
 */
export function loadStoreOther(cpu: A64Cpu, info: number, a: number, b: number, c: number, pcLo: number, pcHi: number): void {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const rt = (info >>> 8) & 63;
  const rn = (info >>> 14) & 63;
  const rm = (info >>> 20) & 63;
  switch (info & 0xff) {
    case Op.LDP:
    case Op.STP: {
      // c: size | mode << 2 | signed (LDPSW) << 4; Rt2 in rm, scaled offset in a
      const size = c & 3;
      const mode = (c >>> 2) & 3;
      const bl = xl[rn];
      const bh = xh[rn];
      const s = (bl >>> 0) + (a >>> 0);
      const nl = s | 0;
      const nh = (bh + (a >> 31) + (s >= TWO32 ? 1 : 0)) | 0;
      const al = mode === 2 ? bl : nl;
      const ah = mode === 2 ? bh : nh;
      const bytes = 1 << size;
      const s2 = (al >>> 0) + bytes;
      const a2l = s2 | 0;
      const a2h = (ah + (s2 >= TWO32 ? 1 : 0)) | 0;
      if ((info & 0xff) === Op.LDP) {
        loadSlow(cpu, al, ah, size, pcLo, pcHi);
        if (cpu.exc) return;
        const l1 = MV[0];
        const h1 = size === 3 ? MV[1] : c & 16 ? l1 >> 31 : 0;
        loadSlow(cpu, a2l, a2h, size, pcLo, pcHi);
        if (cpu.exc) return;
        const l2 = MV[0];
        const h2 = size === 3 ? MV[1] : c & 16 ? l2 >> 31 : 0;
        if (mode !== 0) setReg(cpu, rn, nl, nh);
        setReg(cpu, rt, l1, h1);
        setReg(cpu, rm, l2, h2);
      } else {
        storeSlow(cpu, al, ah, size, xl[rt], xh[rt], pcLo, pcHi);
        if (cpu.exc) return;
        storeSlow(cpu, a2l, a2h, size, xl[rm], xh[rm], pcLo, pcHi);
        if (cpu.exc) return;
        if (mode !== 0) setReg(cpu, rn, nl, nh);
      }
      return;
    }
    case Op.LDLIT: {
      // c: 0 LDR Wt, 1 LDR Xt, 2 LDRSW; (a, b) = offset from this instruction
      const s = (pcLo >>> 0) + (a >>> 0);
      const vl = s | 0;
      const vh = (pcHi + b + (s >= TWO32 ? 1 : 0)) | 0;
      loadSlow(cpu, vl, vh, c === 1 ? 3 : 2, pcLo, pcHi);
      if (cpu.exc) return;
      setReg(cpu, rt, MV[0], c === 1 ? MV[1] : c === 2 ? MV[0] >> 31 : 0);
      return;
    }
    case Op.LDAR:
    case Op.STLR: {
      // c = size; ordering is trivially met by one in-order core
      const size = c & 3;
      const vl = xl[rn];
      const vh = xh[rn];
      const write = (info & 0xff) === Op.STLR;
      if (!checkAligned(cpu, vl, vh, 1 << size, write, pcLo, pcHi)) return;
      if (write) storeSlow(cpu, vl, vh, size, xl[rt], xh[rt], pcLo, pcHi);
      else {
        loadSlow(cpu, vl, vh, size, pcLo, pcHi);
        if (!cpu.exc) setReg(cpu, rt, MV[0], size === 3 ? MV[1] : 0);
      }
      return;
    }
    case Op.LDX:
      loadExclusive(cpu, rt, rn, a, c, pcLo, pcHi);
      return;
    case Op.STX:
      storeExclusive(cpu, rt, rn, rm, a, c, pcLo, pcHi);
      return;
    case Op.CLREX:
      cpu.monitorValid = false;
      return;
  }
}

/**
 * LDXR/LDAXR (c: size | acquire << 2 | pair << 3; Rt2 in a): loads and arms the local monitor
 * with the address, size and the value seen. As QEMU does (a compare-and-swap at STXR), the
 * monitor is "still armed" when memory holds the value LDXR saw.
 */
function loadExclusive(cpu: A64Cpu, rt: number, rn: number, rt2: number, c: number, pcLo: number, pcHi: number): void {
  const size = c & 3;
  const pair = (c & 8) !== 0;
  const vl = cpu.xl[rn];
  const vh = cpu.xh[rn];
  const total = pair ? 2 << size : 1 << size;
  if (!checkAligned(cpu, vl, vh, total, false, pcLo, pcHi)) return;
  loadSlow(cpu, vl, vh, size, pcLo, pcHi);
  if (cpu.exc) return;
  const l1 = MV[0];
  const h1 = size === 3 ? MV[1] : 0;
  let l2 = 0;
  let h2 = 0;
  if (pair) {
    const s = (vl >>> 0) + (1 << size);
    loadSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, size, pcLo, pcHi);
    if (cpu.exc) return;
    l2 = MV[0];
    h2 = size === 3 ? MV[1] : 0;
  }
  const mon = cpu.monitor;
  mon[0] = vl;
  mon[1] = vh;
  mon[2] = l1;
  mon[3] = h1;
  mon[4] = l2;
  mon[5] = h2;
  cpu.monitorSize = total;
  cpu.monitorValid = true;
  setReg(cpu, rt, l1, h1);
  if (pair) setReg(cpu, rt2, l2, h2);
}

/**
 * STXR/STLXR (c as LDX; Rs in rs, Rt2 in rt2): stores and writes 0 to Ws when the monitor is
 * armed for this address and size and memory still holds what LDXR saw; otherwise writes 1 and
 * stores nothing. The monitor is cleared either way. An unaligned address faults even when the
 * store would fail (B2.9.5: the alignment check comes first).
 */
function storeExclusive(cpu: A64Cpu, rt: number, rn: number, rs: number, rt2: number, c: number, pcLo: number, pcHi: number): void {
  const size = c & 3;
  const pair = (c & 8) !== 0;
  const xl = cpu.xl;
  const xh = cpu.xh;
  const vl = xl[rn];
  const vh = xh[rn];
  const total = pair ? 2 << size : 1 << size;
  if (!checkAligned(cpu, vl, vh, total, true, pcLo, pcHi)) return;
  // A watchpoint sees a store (debug.ts), even one that fails; not the comparison's reads.
  const watching = cpu.watching;
  if (watching && cpu.debug.watchHit(vl, vh, total, true)) return;
  const mon = cpu.monitor;
  let ok = cpu.monitorValid && mon[0] === vl && mon[1] === vh && cpu.monitorSize === total;
  cpu.monitorValid = false;
  if (ok) {
    cpu.watching = false;
    loadSlow(cpu, vl, vh, size, pcLo, pcHi);
    ok = !cpu.exc && MV[0] === mon[2] && (size === 3 ? MV[1] : 0) === mon[3];
    if (ok && pair) {
      const s = (vl >>> 0) + (1 << size);
      loadSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, size, pcLo, pcHi);
      ok = !cpu.exc && MV[0] === mon[4] && (size === 3 ? MV[1] : 0) === mon[5];
    }
    cpu.watching = watching;
    if (cpu.exc) return;
  }
  if (ok) {
    // Read Rt/Rt2 before Ws is written (Rs = Rt is CONSTRAINED UNPREDICTABLE; this keeps the data).
    const l1 = xl[rt];
    const h1 = xh[rt];
    storeSlow(cpu, vl, vh, size, l1, h1, pcLo, pcHi);
    if (cpu.exc) return;
    if (pair) {
      const s = (vl >>> 0) + (1 << size);
      storeSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, size, xl[rt2], xh[rt2], pcLo, pcHi);
      if (cpu.exc) return;
    }
  }
  if (rs !== REG_SINK) setReg(cpu, rs, ok ? 0 : 1, 0);
}
