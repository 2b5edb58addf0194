/**
 * Slow-path memory accesses: everything the interpreter's inline TLB hit cannot do — TLB misses,
 * MMIO and ROM through the bus, misaligned accesses, atomics, and instruction fetch from pages
 * (fetch.ts handles instructions fetched the slow way). Faults raise the architectural exception on the CPU (`cpu.exc`)
 * and return 0; they never throw.
 *
 * Misaligned loads and stores succeed (as in QEMU; priv spec 3.6.3.3 allows it) and are done a
 * byte at a time, in ascending order, after both pages were translated: a page fault leaves
 * memory untouched, while a bus refusal of a later byte (like QEMU) reports that byte's address
 * after the earlier bytes were written.
 * Misaligned LR raises load-address-misaligned; misaligned SC/AMOs raise store/AMO-address-
 * misaligned (unpriv spec 8.2/8.4).
 */
import type { Rv32Cpu } from './cpu.js';
import { amoCompute } from './atomics.js';
import { ACC_R, ACC_W, EXC_LOAD_ACCESS, EXC_LOAD_MISALIGNED, EXC_STORE_ACCESS, EXC_STORE_MISALIGNED } from './constants.js';
import { TLB_MASK, translate } from './mmu.js';

/** Reads `size` bytes at physical `pa`; on a bus refusal raises `cause` with tval `va`. */
export function readPhys(cpu: Rv32Cpu, pa: number, size: 1 | 2 | 4, va: number, pc: number, cause: number): number {
  const off = pa - cpu.ramBase;
  if (off >= 0 && off + size <= cpu.ramSize) {
    if (size === 4) return cpu.ramI32[off >>> 2];
    if (size === 2) return cpu.ramU16[off >>> 1];
    return cpu.ramU8[off];
  }
  const bus = cpu.bus;
  bus.fault = false;
  const v = pa < 4294967296 ? bus.read(pa, size) : ((bus.fault = true), 0);
  if (bus.fault) {
    bus.fault = false;
    cpu.raise(cause, va, pc);
    return 0;
  }
  return size === 4 ? v | 0 : v;
}

function writePhys(cpu: Rv32Cpu, pa: number, size: 1 | 2 | 4, value: number, va: number, pc: number): void {
  const off = pa - cpu.ramBase;
  if (off >= 0 && off + size <= cpu.ramSize) {
    if (size === 4) cpu.ramI32[off >>> 2] = value;
    else if (size === 2) cpu.ramU16[off >>> 1] = value;
    else cpu.ramU8[off] = value;
    if (cpu.pageFlags[off >>> 12] !== 0) cpu.ramWritten(off, size);
    return;
  }
  const bus = cpu.bus;
  bus.fault = false;
  if (pa < 4294967296) bus.write(pa, size, value);
  else bus.fault = true;
  if (bus.fault) {
    bus.fault = false;
    cpu.raise(EXC_STORE_ACCESS, va, pc);
  }
}

/**
 * The load and store operations (execute.ts Op) as plain numbers, checked against Op by a unit
 * test. A per-file transform (tsx, which `npm run bench` and the tests run under) does not inline
 * another file's `const enum`, so `Op.SH` here was a property read of the imported object, and
 * one on a path that had not run when V8 optimized loadStoreSlow deoptimized it; in the virt OS
 * boot it then stayed unoptimized (a heap number for every kernel address) for the rest of the
 * process. (Reading Op once at load time is not possible: execute.ts imports this file.)
 */
export const SLOW_OPS = { LB: 13, LH: 14, LW: 15, LBU: 16, SB: 18, SH: 19, SW: 20 } as const;
const { LB, LH, LW, LBU, SB, SH, SW } = SLOW_OPS;

/**
 * The interpreter's slow path for the loads and stores whose inline TLB lookup missed (LB..SW,
 * info/imm as in execute.ts, `n` instructions stepped so far in this execute() call); one call
 * out of the hot switch keeps that switch small. Returns the pc to go on at (the trap vector
 * after a fault); the interpreter leaves when `cpu.attention` is set (a trap, or a device
 * asking for it).
 */
export function loadStoreSlow(cpu: Rv32Cpu, n: number, info: number, imm: number, pc: number): number {
  cpu.inflight = n - 1;
  const op = info & 0xff;
  const x = cpu.x;
  const va = (x[(info >>> 14) & 31] + imm) | 0;
  if (op >= SB) {
    const size = op === SW ? 4 : op === SH ? 2 : 1;
    storeSlow(cpu, va, size, x[(info >>> 19) & 31], pc);
  } else {
    const size = op === LW ? 4 : op === LB || op === LBU ? 1 : 2;
    const v = loadSlow(cpu, va, size, pc);
    if (!cpu.exc) x[(info >>> 8) & 63] = op === LB ? (v << 24) >> 24 : op === LH ? (v << 16) >> 16 : v;
  }
  return cpu.exc ? cpu.pc | 0 : (pc + (info >>> 24)) | 0;
}

/** Load of 1, 2 or 4 bytes; returns the zero-extended value (int32 for 4 bytes). */
export function loadSlow(cpu: Rv32Cpu, va: number, size: 1 | 2 | 4, pc: number): number {
  va >>>= 0;
  if ((va & (size - 1)) !== 0) return loadMisaligned(cpu, va, size, pc);
  const pa = translate(cpu, va, ACC_R, size, cpu.dataPriv);
  if (pa < 0) {
    cpu.raise(cpu.faultCause, va, pc);
    return 0;
  }
  if (cpu.debug.watching && cpu.debug.watchHit(va, size, true, false)) return 0;
  return readPhys(cpu, pa, size, va, pc, EXC_LOAD_ACCESS);
}

/**
 * Translates both pages of a misaligned access. Returns the physical address of the first byte
 * and leaves the second page's in `cpu.splitPa` (or -1 when the access stays in one page).
 * A fault in the second page reports the first address of that page as tval.
 */
function translateSplit(cpu: Rv32Cpu, va: number, size: number, kind: number, pc: number): number {
  const end = va + size - 1;
  const firstLen = (end >>> 12) !== (va >>> 12) ? 4096 - (va & 0xfff) : size;
  const pa = translate(cpu, va, kind, firstLen, cpu.dataPriv);
  if (pa < 0) {
    cpu.raise(cpu.faultCause, va, pc);
    return -1;
  }
  cpu.splitPa = -1;
  if (firstLen < size) {
    const va2 = (va + firstLen) >>> 0;
    const pa2 = translate(cpu, va2, kind, size - firstLen, cpu.dataPriv);
    if (pa2 < 0) {
      cpu.raise(cpu.faultCause, va2, pc);
      return -1;
    }
    cpu.splitPa = pa2 - firstLen;
  }
  return pa;
}

function loadMisaligned(cpu: Rv32Cpu, va: number, size: number, pc: number): number {
  const pa = translateSplit(cpu, va, size, ACC_R, pc);
  if (pa < 0) return 0;
  if (cpu.debug.watching && cpu.debug.watchHit(va, size, true, false)) return 0;
  const firstLen = cpu.splitPa < 0 ? size : 4096 - (va & 0xfff);
  let v = 0;
  for (let i = 0; i < size; i++) {
    const b = readPhys(cpu, i < firstLen ? pa + i : cpu.splitPa + i, 1, (va + i) >>> 0, pc, EXC_LOAD_ACCESS);
    if (cpu.exc) return 0;
    v |= b << (8 * i);
  }
  return size === 4 ? v | 0 : v;
}

export function storeSlow(cpu: Rv32Cpu, va: number, size: 1 | 2 | 4, value: number, pc: number): void {
  va >>>= 0;
  if ((va & (size - 1)) !== 0) {
    const pa = translateSplit(cpu, va, size, ACC_W, pc);
    if (pa < 0) return;
    if (cpu.debug.watching && cpu.debug.watchHit(va, size, false, true)) return;
    const firstLen = cpu.splitPa < 0 ? size : 4096 - (va & 0xfff);
    for (let i = 0; i < size; i++) {
      writePhys(cpu, i < firstLen ? pa + i : cpu.splitPa + i, 1, value >>> (8 * i), (va + i) >>> 0, pc);
      if (cpu.exc) return;
    }
    return;
  }
  const pa = translate(cpu, va, ACC_W, size, cpu.dataPriv);
  if (pa < 0) {
    cpu.raise(cpu.faultCause, va, pc);
    return;
  }
  if (cpu.debug.watching && cpu.debug.watchHit(va, size, false, true)) return;
  writePhys(cpu, pa, size, value, va, pc);
}

/** Physical address for an LR/SC/AMO word, or -1 after raising the fault. */
function atomicAddress(cpu: Rv32Cpu, va: number, kind: number, pc: number): number {
  if ((va & 3) !== 0) {
    cpu.raise(kind === ACC_R ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED, va, pc);
    return -1;
  }
  const vpn = va >>> 12;
  const e = vpn & TLB_MASK;
  if (kind === ACC_W && cpu.wTag[e] === vpn) return cpu.ramBase + ((va + cpu.wOff[e]) | 0);
  const pa = translate(cpu, va, kind, 4, cpu.dataPriv);
  if (pa < 0) cpu.raise(cpu.faultCause, va, pc);
  return pa;
}

/** AMO*.W: returns the old memory value; faults of the read part report store/AMO access faults. */
export function amo(cpu: Rv32Cpu, kind: number, va: number, src: number, pc: number): number {
  va >>>= 0;
  const pa = atomicAddress(cpu, va, ACC_W, pc);
  if (pa < 0) return 0;
  if (cpu.debug.watching && cpu.debug.watchHit(va, 4, true, true)) return 0;
  const old = readPhys(cpu, pa, 4, va, pc, EXC_STORE_ACCESS);
  if (cpu.exc) return 0;
  writePhys(cpu, pa, 4, amoCompute(kind, old, src), va, pc);
  return old;
}

/** LR.W: loads and registers a reservation on the address and the value seen. */
export function loadReserved(cpu: Rv32Cpu, va: number, pc: number): number {
  va >>>= 0;
  const pa = atomicAddress(cpu, va, ACC_R, pc);
  if (pa < 0) return 0;
  if (cpu.debug.watching && cpu.debug.watchHit(va, 4, true, false)) return 0;
  const v = readPhys(cpu, pa, 4, va, pc, EXC_LOAD_ACCESS);
  if (cpu.exc) return 0;
  cpu.reservation = va;
  cpu.reservationValue = v;
  return v;
}

/**
 * SC.W: succeeds (returns 0) when a reservation exists for this address and memory still holds
 * the value LR saw, as QEMU's cmpxchg-based implementation does; otherwise returns 1 without
 * writing. With no matching reservation no access is made at all, so, as in QEMU 7.2, an SC to a
 * misaligned address fails without an address-misaligned trap (LR never reserves a misaligned
 * address). The reservation is always consumed.
 */
export function storeConditional(cpu: Rv32Cpu, va: number, value: number, pc: number): number {
  va >>>= 0;
  const reserved = cpu.reservation === va;
  // A debugger stop must come before the reservation is consumed: GDB then steps over the SC.
  if (reserved && cpu.debug.watching && cpu.debug.watchHit(va, 4, false, true)) return 0;
  cpu.reservation = -1;
  if (!reserved) return 1;
  const pa = atomicAddress(cpu, va, ACC_W, pc);
  if (pa < 0) return 0;
  const current = readPhys(cpu, pa, 4, va, pc, EXC_STORE_ACCESS);
  if (cpu.exc) return 0;
  if (current !== cpu.reservationValue) return 1;
  writePhys(cpu, pa, 4, value, va, pc);
  return 0;
}
