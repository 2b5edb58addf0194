/**
 * Access groups of a wasm region's basic block (jit-wasm.ts, with the MMU off): the loads and stores
 * whose addresses are one base value plus constants, that value unchanged between them (a register not
 * written, or copied by MOV / moved by ADD/SUB immediate or a pre/post-index writeback: the fill's four
 * STRB a word through X9 and its copies, a function's STP/LDP around SP), or plus a register offset whose
 * index has only low bits set (the CRC's table loads: `indexed`, reaching over the whole index range).
 * The first of a group checks the group's whole span [base + lo, base + lo + span) once, as one access
 * of that size: in the fast path's RAM, aligned for every member (each member's offset from the span's
 * start is a multiple of its alignment, so the span's start aligned to the largest is exactly each
 * aligned), for stores on pages without flags or in lines holding no decoded instruction. Then no member
 * can fault or hit code, and each is a bare access at the span's RAM offset plus its constant. When the
 * check fails, the region leaves before the first member and the interpreter runs them in order: the
 * result is exact (the check fails only where some member would leave, but near the RAM's end, in a
 * decoded line or unaligned, earlier than it). With the MMU on, no groups: a frame across two pages
 * would fail its check at every call (each access keeps its own TLB look-up).
 */
import type { Insn } from './jit.js';
import { Op, REG_SINK, REG_ZR } from './execute.js';

/** Largest span of a group with stores (bytes; its check looks at each of its code lines where its page holds code). */
export const MAX_STORE_SPAN = 256;
/** Largest span of a group of loads (a 256-entry table of words: the CRC's). */
export const MAX_LOAD_SPAN = 4096;

/** A group of accesses checked once, at its first member. */
export interface AccessGroup {
  /** Index in the block of the first member (where the span is checked). */
  first: number;
  /** Bytes from the span's start to its end. */
  span: number;
  /** The alignment the span's start needs (the members' largest, a power of two). */
  align: number;
  /** Whether any member stores (the span's pages must have no flags) / loads. */
  store: boolean;
  load: boolean;
}

/**
 * A member of a group: its group, its address's distance from the span's start (without the index of a
 * register offset: `indexed`), and the span's start less its base register (rn, before any writeback).
 */
export interface GroupedAccess {
  group: AccessGroup;
  delta: number;
  fromBase: number;
  indexed: boolean;
}

/** The address, size and alignment of an access with an immediate offset, as base register + constant. */
interface Access {
  index: number;
  root: number;
  c: number;
  /** The largest index (shifted) of a register offset known to be small, else 0. */
  reach: number;
  /** The base register's constant (its value less the root). */
  base: number;
  bytes: number;
  align: number;
  store: boolean;
}

/** The 64-bit immediate of an ADDI or a load/store (a low word, b high), if small enough to track. */
function smallImm(a: number, b: number): number | null {
  const v = b * 0x100000000 + (a >>> 0);
  return Math.abs(v) < 1 << 24 ? v : null;
}

/** Bits of a 64-bit value (a low word, b high) up to its top set bit. */
function bitLength(a: number, b: number): number {
  return b !== 0 ? 64 - Math.clz32(b) : 32 - Math.clz32(a);
}

/**
 * The bits (from bit 0) a register written by `ins` may have set, for the index of a register-offset
 * access (the CRC's table index: an AND with 0xff, EOR a loaded byte); `w`: the registers' before.
 */
function widthAfter(ins: Insn, w: (n: number) => number): number {
  const { op, rn, rm, sf, a, b, c } = ins;
  const size = sf ? 64 : 32;
  switch (op) {
    case Op.ANDI:
      return Math.min(size, w(rn), bitLength(a, b));
    case Op.MOVR:
      return Math.min(size, w(rn));
    case Op.LOGIC_SH: {
      // No shift, no inversion: AND keeps the narrower, ORR and EOR the wider.
      if ((c & 0x4fc) !== 0) return size;
      const opc = (c >>> 8) & 3;
      return Math.min(size, opc === 1 || opc === 2 ? Math.max(w(rn), w(rm)) : Math.min(w(rn), w(rm)));
    }
    case Op.BFM:
      // UBFM: a field imms - immr + 1 wide at bit 0, or imms + 1 wide at datasize - immr.
      if (c !== 2) return size;
      return Math.min(size, b >= a ? b - a + 1 : b + 1 + size - a);
    case Op.LOAD:
      return ((c >>> 2) & 3) === 0 ? 8 << (c & 3) : size;
    default:
      return size;
  }
}

/**
 * The largest offset a register-offset access (LOAD/STORE `c`: option, shift) adds when its index
 * register has only its low `bits` set, or 0 when not known small or not a multiple of the access's
 * size (the member's alignment then follows from the span's start).
 */
function indexReach(c: number, bits: number): number {
  const option = (c >>> 6) & 7;
  const shift = (c >>> 9) & 3;
  // UXTW, LSL (UXTX), or SXTW/SXTX of a value whose sign bit is clear.
  const usable = option === 2 || option === 3 || (option === 6 && bits < 32) || (option === 7 && bits < 64);
  if (!usable || shift < (c & 3) || Math.min(bits, option === 2 ? 32 : 64) + shift > 12) return 0;
  return (2 ** Math.min(bits, 32) - 1) * 2 ** shift;
}

/**
 * Per instruction of a basic block: its access group, or null (an access checked on its own, or no
 * access). Groups have two or more members.
 */
export function accessGroups(insns: Insn[]): Array<GroupedAccess | null> {
  // Each register's value as a root (an id of a value unknown here) plus a constant.
  const root: number[] = [];
  const add: number[] = [];
  const width: number[] = [];
  /** Registers an instruction writes beside rd (a writeback, LDP's second, BL's X30): any width. */
  const wide: number[] = [];
  let fresh = 1000;
  const rootOf = (n: number) => root[n] ?? n;
  const addOf = (n: number) => add[n] ?? 0;
  const widthOf = (n: number) => (n === REG_ZR ? 0 : width[n] ?? 64);
  const clobber = (n: number) => {
    root[n] = fresh++;
    add[n] = 0;
  };
  const accesses: Access[] = [];
  const track = (ins: Insn, index: number): void => {
    const { op, rd, rn, rm, sf, a, b, c } = ins;
    switch (op) {
      case Op.MOVR:
        if (sf === 1 && rn !== REG_ZR) {
          root[rd] = rootOf(rn);
          add[rd] = addOf(rn);
        } else clobber(rd);
        return;
      case Op.ADDI: {
        const v = smallImm(a, b);
        if (sf === 1 && v !== null && rn !== REG_ZR) {
          root[rd] = rootOf(rn);
          add[rd] = addOf(rn) + v;
        } else clobber(rd);
        return;
      }
      case Op.LOAD:
      case Op.STORE:
      case Op.LDP:
      case Op.STP: {
        const pair = op === Op.LDP || op === Op.STP;
        const mode = pair ? (c >>> 2) & 3 : (c >>> 4) & 3;
        const v = mode === 3 ? null : pair ? a : smallImm(a, b);
        const half = pair ? ((c & 3) === 3 ? 8 : 4) : 1 << (c & 3);
        const reach = mode === 3 ? indexReach(c, widthOf(rm)) : 0;
        if (v !== null || reach > 0) {
          const store = op === Op.STORE || op === Op.STP;
          accesses.push({ index, root: rootOf(rn), c: addOf(rn) + (mode === 2 || v === null ? 0 : v), reach, base: addOf(rn), bytes: pair ? 2 * half : half, align: half, store });
        }
        if (mode === 1 || mode === 2) {
          wide.push(rn);
          if (v === null) clobber(rn);
          else add[rn] = addOf(rn) + v, (root[rn] = rootOf(rn));
        }
        if (op === Op.LOAD || op === Op.LDP) clobber(rd);
        if (op === Op.LDP) clobber(rm), wide.push(rm);
        return;
      }
      case Op.CCMP:
      case Op.NOP:
        return;
      case Op.BL:
      case Op.BLR:
        clobber(30);
        wide.push(30);
        return;
      default:
        if (op >= Op.B && op <= Op.RET) return;
        if (rd !== REG_SINK && rd !== REG_ZR) clobber(rd);
    }
  };
  insns.forEach((ins, index) => {
    // The width after, from the registers before (a load's index may be its destination).
    const bits = widthAfter(ins, widthOf);
    wide.length = 0;
    track(ins, index);
    if (ins.rd !== REG_ZR) width[ins.rd] = bits;
    for (const n of wide) width[n] = 64;
  });
  const out: Array<GroupedAccess | null> = insns.map(() => null);
  const roots = new Set(accesses.map((x) => x.root));
  for (const r of roots) {
    const all = accesses.filter((x) => x.root === r);
    if (all.length < 2) continue;
    const lo = Math.min(...all.map((x) => x.c));
    const end = (x: Access) => x.c + x.reach + x.bytes;
    let members = all.filter((x) => (x.c - lo) % x.align === 0 && end(x) - lo <= MAX_LOAD_SPAN);
    if (members.some((x) => x.store)) members = members.filter((x) => end(x) - lo <= MAX_STORE_SPAN);
    if (members.length < 2) continue;
    const start = Math.min(...members.map((x) => x.c));
    // The span's start aligned to the largest alignment makes each member aligned only when each lies a multiple of
    // its own from the start: the lowest access (lo) may have left above (a table lookup beyond a store group's span).
    if (members.some((x) => (x.c - start) % x.align !== 0)) continue;
    const group: AccessGroup = {
      first: members[0].index,
      span: Math.max(...members.map(end)) - start,
      align: Math.max(...members.map((x) => x.align)),
      store: members.some((x) => x.store),
      load: members.some((x) => !x.store),
    };
    for (const x of members) out[x.index] = { group, delta: x.c - start, fromBase: start - x.base, indexed: x.reach > 0 };
  }
  return out;
}
