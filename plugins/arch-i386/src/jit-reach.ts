/**
 * A decode-only look at the block a region scan (jit-wasm.ts scanWasmRegion) would find first: whether it may reach
 * another hot start, without emitting its code. A region attempt whose first block reaches none finds that block
 * alone (or none) and returns null; the pc os boot made 41 such attempts of 50 (cpu.ts joinRegion's loop and join
 * cases), each a full scan (every instruction's code emitted into a scratch function) before cpu.ts translated the
 * block again: 12-17 ms of its first run in process, against 1.6-2.5 ms for this look at all 50 (same modules).
 *
 * Conservative: it follows the block's fall-through path as Gen.block does (a JMP forward in the page followed, a
 * CALL, RET or indirect JMP ending it) and answers true at any doubt. Its opcodes are a superset of those Gen
 * translates (an instruction Gen leaves out ends Gen's block, which then goes to it: a start checked here too), so
 * it reads at least as far as the scan and checks at least the starts the scan would go to or stop at. The same look
 * tells cpu.ts translate a start whose block would run straight into an instruction Gen leaves out after a few
 * (endsSoonBeforeLeftOut; the i386 jit.ts MIN_LEFT_BLOCK).
 */
import { MAX_INSNS } from './jit.js';

/** One-byte opcodes Gen may translate with a ModRM byte and no immediate (Gen.insn). */
const MODRM = new Set([0x84, 0x85, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0xd1, 0xd3, 0xfe]);
/** Two-byte opcodes (0F xx) Gen may translate with a ModRM byte (Gen.twoByte; Jcc rel32 apart). */
const MODRM_0F = new Set([0x1f, 0xaf, 0xb6, 0xb7, 0xbe, 0xbf]);

/**
 * Whether the block at RAM offset `start` (its page at `start & ~0xfff`), as a region scan with `hot` would find it,
 * may go to or stop at a start `hot` takes (a page offset other than its own): false when the region would hold it
 * alone (or no block starts there).
 */
export function mayReachHot(u8: Uint8Array, start: number, hot: (pageOff: number) => boolean, straddle = false): boolean {
  return look(u8, start, hot, straddle) === JOINS;
}

/**
 * Whether the block at RAM offset `start` runs straight (no Jcc) into an instruction the translator leaves to the
 * interpreter (or one crossing the page end) after fewer than `insns` instructions: a start not worth a module
 * (cpu.ts translate). Sure when true: what this look leaves out, Gen leaves out too.
 */
export function endsSoonBeforeLeftOut(u8: Uint8Array, start: number, insns: number, straddle = false): boolean {
  const found = look(u8, start, () => false, straddle);
  return found >= 0 && found < insns;
}

/**
 * Whether the block at RAM offset `start` runs MAX_INSNS instructions without a Jcc or other control transfer out of
 * it (a JMP forward in the page followed): straight code that costs the interpreter at least that much per arrival.
 */
export function runsStraightFull(u8: Uint8Array, start: number): boolean {
  return look(u8, start, () => false, false) === STRAIGHT_FULL;
}

/** look's answers other than a count of instructions before one left out. */
const JOINS = -1, ENDS = -2, FULL = -3, STRAIGHT_FULL = -4;

/**
 * Follows the block at RAM offset `start` as mayReachHot says: JOINS when it may go to or stop at a start `hot`
 * takes, ENDS at a control transfer out of it (or at one left out after a Jcc, or after an instruction across the
 * page end when `straddle`: Gen's block ends there), FULL after MAX_INSNS, else the instructions before the one left out.
 */
function look(u8: Uint8Array, start: number, hot: (pageOff: number) => boolean, straddle: boolean): number {
  const pageStart = start & ~0xfff, pageEnd = pageStart + 0x1000, at = start & 0xfff;
  const joins = (off: number) => off >= 0 && off < 0x1000 && off !== at && hot(off);
  let p = start;
  /** No Jcc so far (one may loop back into the block: then it is worth a module however short). */
  let straight = true;
  const leftOut = (k: number) => (straight ? k : ENDS);
  /** Reads `n` bytes at p (little-endian, signed when 1 or 4 bytes); -1 past the page end (p then past it too). */
  const read = (n: number): number => {
    if (p + n > pageEnd) { p = pageEnd + 1; return -1; }
    const v = n === 1 ? (u8[p] << 24) >> 24 : n === 2 ? u8[p] | (u8[p + 1] << 8) : u8[p] | (u8[p + 1] << 8) | (u8[p + 2] << 16) | (u8[p + 3] << 24);
    p += n;
    return v;
  };
  /** Skips a ModRM operand (32-bit addressing, Gen.modrm); its reg field. */
  const modrm = (): number => {
    const m = read(1) & 0xff, mod = m >> 6, rm = m & 7;
    if (mod !== 3) {
      if (rm === 4 && (read(1) & 7) === 5 && mod === 0) read(4);
      else if (rm === 5 && mod === 0) read(4);
      read(mod === 1 ? 1 : mod === 2 ? 4 : 0);
    }
    return (m >> 3) & 7;
  };
  for (let k = 0; k < MAX_INSNS; k++) {
    const insn = p;
    if (k > 0 && joins(insn - pageStart)) return JOINS;
    // One Gen takes across the page end (straddleTail) ends its block: the next instruction is on the next page.
    if (straddle && insn < pageEnd && insn + MAX_INSN_BYTES > pageEnd && insn + insnLength(u8, insn) > pageEnd) return ENDS;
    let b = read(1) & 0xff, opsize16 = false;
    while (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65 || b === 0x66) {
      if (b === 0x66) opsize16 = true;
      b = read(1) & 0xff;
    }
    let rel = NaN;
    let ends = false;
    if (opsize16) {
      // Gen.mov16 leaves others out (shifts by CL, rotates: counted translated here): the block ends before them.
      if (b !== 0x89 && b !== 0x8b && b !== 0xc7 && b !== 0xc1 && b !== 0xd1) return leftOut(k);
      const reg = modrm();
      if (reg === 0 && b === 0xc7) read(2);
      else if (b === 0xc1) read(1);
    } else if (b < 0x40 && (b & 7) < 6) {
      if ((b & 7) <= 3) modrm();
      else read((b & 7) === 4 ? 1 : 4);
    } else if ((b >= 0x40 && b <= 0x5f) || b === 0x90 || b === 0x98 || b === 0x99 || b === 0xc9) {
      // one byte
    } else if (MODRM.has(b)) {
      const reg = modrm();
      if (b === 0xfe && reg >= 2) return leftOut(k);
    } else if (b === 0x68 || b === 0x6a || b === 0xa8 || b === 0xa9 || (b >= 0xb0 && b <= 0xbf)) {
      read(b === 0x6a || b === 0xa8 || (b >= 0xb0 && b <= 0xb7) ? 1 : 4);
    } else if (b === 0x69 || b === 0x6b || b === 0x80 || b === 0x81 || b === 0x83 || b === 0xc1 || b === 0xc6 || b === 0xc7) {
      modrm();
      read(b === 0x69 || b === 0x81 || b === 0xc7 ? 4 : 1);
    } else if (b >= 0xa0 && b <= 0xa3) {
      read(4);
    } else if (b >= 0x70 && b <= 0x7f) {
      rel = read(1);
    } else if (b === 0xf6 || b === 0xf7) {
      if (modrm() <= 1) read(b === 0xf7 ? 4 : 1);
    } else if (b === 0xff) {
      const reg = modrm();
      if (reg === 2) { ends = true; if (p <= pageEnd && joins(p - pageStart)) return JOINS; }
      else if (reg === 4) ends = true;
      else if (reg !== 0 && reg !== 1 && reg !== 6) return leftOut(k);
    } else if (b === 0xc3) {
      ends = true;
    } else if (b === 0xe8) {
      rel = read(4);
      ends = true;
      if (p <= pageEnd && joins(p - pageStart)) return JOINS;
    } else if (b === 0xe9 || b === 0xeb) {
      rel = read(b === 0xeb ? 1 : 4);
      const target = p + rel;
      if (p <= pageEnd && target > p && target < pageEnd && target !== start) { p = target; continue; } // followed (Gen.jmp)
      ends = true;
    } else if (b === 0x0f) {
      const b2 = read(1) & 0xff;
      if (b2 >= 0x80 && b2 <= 0x8f) rel = read(4);
      else if ((b2 >= 0x40 && b2 <= 0x4f) || (b2 >= 0x90 && b2 <= 0x9f) || MODRM_0F.has(b2)) modrm();
      else return leftOut(k); // Gen leaves it out: the block ends before it, a start checked above
    } else {
      return leftOut(k); // Gen leaves it out: the block ends before it, a start checked above
    }
    // Past the page end: Gen leaves the instruction out (CROSS) and goes to its start, checked above.
    if (p > pageEnd) return leftOut(k);
    if (!Number.isNaN(rel) && joins(p + rel - pageStart)) return JOINS;
    if (!Number.isNaN(rel)) straight = false;
    if (ends) return ENDS;
  }
  return joins(p - pageStart) ? JOINS : straight ? STRAIGHT_FULL : FULL;
}

/** The longest i386 instruction, in bytes. */
export const MAX_INSN_BYTES = 15;

/**
 * The length of the instruction at RAM offset `p` (32-bit code) as Gen decodes it, for the opcodes Gen translates
 * (look's); 0 for any other (or a 67, LOCK or REP prefix). Gen.straddleTail asks it for an instruction that may run
 * into the next page, whose bytes there its block then checks at every pass.
 */
export function insnLength(u8: Uint8Array, p: number): number {
  const start = p;
  let b = u8[p++], opsize16 = false;
  while (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || b === 0x64 || b === 0x65 || b === 0x66) {
    if (b === 0x66) opsize16 = true;
    if (p - start >= MAX_INSN_BYTES) return 0;
    b = u8[p++];
  }
  /** Skips a ModRM operand (32-bit addressing); its reg field. */
  const modrm = (): number => {
    const m = u8[p++], mod = m >> 6, rm = m & 7;
    if (mod !== 3) {
      if (rm === 4) { if ((u8[p++] & 7) === 5 && mod === 0) p += 4; }
      else if (rm === 5 && mod === 0) p += 4;
      p += mod === 1 ? 1 : mod === 2 ? 4 : 0;
    }
    return (m >> 3) & 7;
  };
  if (opsize16) {
    if (b === 0x89 || b === 0x8b || b === 0xd1) modrm();
    else if (b === 0xc7) { if (modrm() === 0) p += 2; }
    else if (b === 0xc1) { modrm(); p += 1; }
    else return 0;
  } else if (b < 0x40 && (b & 7) < 6) {
    if ((b & 7) <= 3) modrm();
    else p += (b & 7) === 4 ? 1 : 4;
  } else if ((b >= 0x40 && b <= 0x5f) || b === 0x90 || b === 0x98 || b === 0x99 || b === 0xc9 || b === 0xc3) {
    // one byte
  } else if (MODRM.has(b) || b === 0xff) {
    modrm();
  } else if (b === 0x6a || b === 0xa8 || (b >= 0xb0 && b <= 0xb7) || (b >= 0x70 && b <= 0x7f) || b === 0xeb) {
    p += 1;
  } else if (b === 0x68 || b === 0xa9 || (b >= 0xb8 && b <= 0xbf) || (b >= 0xa0 && b <= 0xa3) || b === 0xe8 || b === 0xe9) {
    p += 4;
  } else if (b === 0x69 || b === 0x81 || b === 0xc7) {
    modrm();
    p += 4;
  } else if (b === 0x6b || b === 0x80 || b === 0x83 || b === 0xc1 || b === 0xc6) {
    modrm();
    p += 1;
  } else if (b === 0xf6 || b === 0xf7) {
    if (modrm() <= 1) p += b === 0xf7 ? 4 : 1;
  } else if (b === 0x0f) {
    const b2 = u8[p++];
    if (b2 >= 0x80 && b2 <= 0x8f) p += 4;
    else if ((b2 >= 0x40 && b2 <= 0x4f) || (b2 >= 0x90 && b2 <= 0x9f) || MODRM_0F.has(b2)) modrm();
    else return 0;
  } else {
    return 0;
  }
  return p - start <= MAX_INSN_BYTES ? p - start : 0;
}
