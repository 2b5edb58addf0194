/**
 * Access groups of a wasm region's basic block (jit-wasm.ts): the loads and stores whose addresses
 * are one base value plus constants, that value unchanged between them (a register not written, or
 * copied by MOV / moved by ADD/SUB immediate or a pre/post-index writeback: the fill's four STRB a
 * word through X9 and its copies, a function's STP/LDP around SP). The first of a group checks the
 * group's whole span [base + lo, base + lo + span) once: in the fast path's RAM, aligned for every
 * member (each member's offset from the span's start is a multiple of its alignment, so the span's
 * start aligned to the largest is exactly each aligned), with the MMU on in one page through the TLB,
 * for stores on pages without flags. Then no member can fault or hit code, and each is a bare access
 * at the span's RAM offset plus its constant. When the check fails, each member goes its own way
 * (jit-wasm.ts fastOffset: leaving before itself), in order, as before: the result is exact.
 */
import type { Insn } from './jit.js';
import { Op, REG_SINK, REG_ZR } from './execute.js';

/** Largest span checked at once (bytes; a store group's check looks at each of its code lines where its page holds code). */
export const MAX_GROUP_SPAN = 256;

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

/** A member of a group: its group and its address's distance from the span's start. */
export interface GroupedAccess {
  group: AccessGroup;
  delta: number;
}

/** The address, size and alignment of an access with an immediate offset, as base register + constant. */
interface Access {
  index: number;
  root: number;
  c: number;
  bytes: number;
  align: number;
  store: boolean;
}

/** The 64-bit immediate of an ADDI or a load/store (a low word, b high), if small enough to track. */
function smallImm(a: number, b: number): number | null {
  const v = b * 0x100000000 + (a >>> 0);
  return Math.abs(v) < MAX_GROUP_SPAN * 1024 ? v : null;
}

/**
 * Per instruction of a basic block: its access group, or null (an access checked on its own, or no
 * access). Groups have two or more members.
 */
export function accessGroups(insns: Insn[]): Array<GroupedAccess | null> {
  // Each register's value as a root (an id of a value unknown here) plus a constant.
  const root: number[] = [];
  const add: number[] = [];
  let fresh = 1000;
  const rootOf = (n: number) => root[n] ?? n;
  const addOf = (n: number) => add[n] ?? 0;
  const clobber = (n: number) => {
    root[n] = fresh++;
    add[n] = 0;
  };
  const accesses: Access[] = [];
  insns.forEach((ins, index) => {
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
        if (v !== null) {
          const store = op === Op.STORE || op === Op.STP;
          accesses.push({ index, root: rootOf(rn), c: addOf(rn) + (mode === 2 ? 0 : v), bytes: pair ? 2 * half : half, align: half, store });
        }
        if (mode === 1 || mode === 2) {
          if (v === null) clobber(rn);
          else add[rn] = addOf(rn) + v, (root[rn] = rootOf(rn));
        }
        if (op === Op.LOAD || op === Op.LDP) clobber(rd);
        if (op === Op.LDP) clobber(rm);
        return;
      }
      case Op.CCMP:
      case Op.NOP:
        return;
      case Op.BL:
      case Op.BLR:
        clobber(30);
        return;
      default:
        if (op >= Op.B && op <= Op.RET) return;
        if (rd !== REG_SINK && rd !== REG_ZR) clobber(rd);
    }
  });
  const out: Array<GroupedAccess | null> = insns.map(() => null);
  const roots = new Set(accesses.map((x) => x.root));
  for (const r of roots) {
    const all = accesses.filter((x) => x.root === r);
    if (all.length < 2) continue;
    const lo = Math.min(...all.map((x) => x.c));
    const members = all.filter((x) => (x.c - lo) % x.align === 0 && x.c + x.bytes - lo <= MAX_GROUP_SPAN);
    if (members.length < 2) continue;
    const start = Math.min(...members.map((x) => x.c));
    const group: AccessGroup = {
      first: members[0].index,
      span: Math.max(...members.map((x) => x.c + x.bytes)) - start,
      align: Math.max(...members.map((x) => x.align)),
      store: members.some((x) => x.store),
      load: members.some((x) => !x.store),
    };
    for (const x of members) out[x.index] = { group, delta: x.c - start };
  }
  return out;
}
