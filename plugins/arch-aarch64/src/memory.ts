/**
 * Slow-path memory accesses: everything the interpreter's inline RAM access cannot do (MMIO,
 * unaligned or page-crossing accesses, addresses above 4 GiB), and the rarer load/store forms
 * (pairs, literal, exclusive, acquire/release). Faults record the architectural exception on the
 * CPU (`cpu.exc`) and never throw.
 *
 * Translation: with the MMU off (the only mode of this step) a virtual address is the physical
 * address, and an address with bits set above the 40-bit physical address size of a Cortex-A53
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
 * the address size check.
 */
function translateData(cpu: A64Cpu, vl: number, vh: number, write: boolean, pcLo: number, pcHi: number): number {
  if (vh >>> (PA_BITS - 32) !== 0) {
    dataAbort(cpu, FSC_ADDRESS_SIZE_L0, write, vl, vh, pcLo, pcHi);
    return -1;
  }
  return vh * TWO32 + (vl >>> 0);
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

/** Load of 2^size bytes at virtual (vl, vh) into MV (zero-extended). */
export function loadSlow(cpu: A64Cpu, vl: number, vh: number, size: number, pcLo: number, pcHi: number): void {
  const pa = translateData(cpu, vl, vh, false, pcLo, pcHi);
  if (pa < 0) return;
  if (!readPhys(cpu, pa, size)) dataAbort(cpu, FSC_SYNC_EXTERNAL, false, vl, vh, pcLo, pcHi);
}

/** Store of the low 2^size bytes of (lo, hi) at virtual (vl, vh). */
export function storeSlow(cpu: A64Cpu, vl: number, vh: number, size: number, lo: number, hi: number, pcLo: number, pcHi: number): void {
  const pa = translateData(cpu, vl, vh, true, pcLo, pcHi);
  if (pa < 0) return;
  if (!writePhys(cpu, pa, size, lo, hi)) dataAbort(cpu, FSC_SYNC_EXTERNAL, true, vl, vh, pcLo, pcHi);
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
  const mon = cpu.monitor;
  let ok = cpu.monitorValid && mon[0] === vl && mon[1] === vh && cpu.monitorSize === total;
  cpu.monitorValid = false;
  if (ok) {
    loadSlow(cpu, vl, vh, size, pcLo, pcHi);
    if (cpu.exc) return;
    ok = MV[0] === mon[2] && (size === 3 ? MV[1] : 0) === mon[3];
    if (ok && pair) {
      const s = (vl >>> 0) + (1 << size);
      loadSlow(cpu, s | 0, (vh + (s >= TWO32 ? 1 : 0)) | 0, size, pcLo, pcHi);
      if (cpu.exc) return;
      ok = MV[0] === mon[4] && (size === 3 ? MV[1] : 0) === mon[5];
    }
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
