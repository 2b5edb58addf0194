/**
 * The interpreter: runs pre-decoded A64 instructions until the budget is spent or the run loop
 * needs attention (an exception, a system-register write, WFI, requestExit).
 *
 * Hot-path rules (as in arch-rv32): no allocation, no closures, no exceptions, no BigInt. A
 * 64-bit register is two int32 words, `xl[i]` (bits 31:0) and `xh[i]` (bits 63:32). Indices
 * 0-30 are X0-X30, 31 reads as zero (XZR), 32 is the current stack pointer, 33 is a write-only
 * sink that stands for XZR as a destination; the decoder maps register field 31 to 31/32/33 as
 * each instruction says, so the interpreter never tests for it. 32-bit forms write 0 to the
 * high word.
 *
 * A decoded instruction is four int32 words at index (pc & 0xffc) of a page's code array:
 *   info  bits 0-7 op, 8-13 rd/rt, 14-19 rn, 20-25 rm (or rt2/rs), 26 sf (64-bit form)
 *   a, b  usually a 64-bit immediate (low, high word)
 *   c     op-specific small fields (shift, condition, size and addressing mode, ...)
 * info = 0 marks a slot not decoded yet.
 *
 * The operation enum lives here (esbuild inlines `const enum` members only in the declaring
 * file, and the `switch` needs literal cases to become a jump table).
 */
import type { A64Cpu } from './cpu.js';
import type { CodePage } from '../../../src/core/jit/code-cache.js';
import type { Block } from './jit.js';
import { addWithCarry, conditionHolds, extendReg, logicFlags, shiftReg } from './alu.js';
import { executeDataProc } from './dataproc.js';
import { loadSlow, loadStoreOther, storeSlow, MV } from './memory.js';
import { exceptionReturn } from './entry.js';
import { executeSystem } from './system.js';
import { executeFp } from './fp-execute.js';
import { R } from './u64.js';
import { TLB_MASK } from './tlb.js';
import { LS_UNPRIV } from './decode.js';

export const enum Op {
  DECODE = 0,
  UNDEF,

  // data processing (immediate)
  ADDI,
  ADDSI,
  ANDI,
  ORRI,
  EORI,
  ANDSI,
  MOVI,
  MOVK,
  ADR,
  ADRP,
  BFM,
  /** LSL/LSR/ASR (immediate): the UBFM/SBFM aliases; c = type | amount << 2. */
  SHIFTI,
  EXTR,

  // data processing (register)
  MOVR,
  ADDSUB_SH,
  ADDSUB_EXT,
  LOGIC_SH,
  ADC,
  CCMP,
  CSEL,
  DP1,
  DP2,
  DP3,

  // branches
  B,
  BL,
  BCOND,
  CBZ,
  CBNZ,
  TBZ,
  TBNZ,
  BR,
  BLR,
  RET,
  /** ERET: PSTATE and pc from SPSR_ELx/ELR_ELx (entry.ts). */
  ERET,

  // loads and stores
  LOAD,
  STORE,
  LDP,
  STP,
  LDLIT,
  LDX,
  STX,
  LDAR,
  STLR,
  CLREX,

  // system
  NOP,
  HINT,
  MSR_IMM,
  MRS,
  MSR,
  EXC,
  HLT,

  /** Every FP/SIMD instruction: a = the bits, c = its class (fp-execute.ts). */
  FP,
}

/** Control transfers to a slot before the block starting there is translated (jit.ts). */
export const JIT_THRESHOLD = 32;

/**
 * The first WARM_CALLS calls of a translated region run at most WARM_STEPS steps each (see arch-rv32's
 * execute.ts): its function returns several times before V8 optimizes it, so that its exits and
 * epilogue have type feedback. Without this, a first call looping long was optimized on-stack (OSR)
 * with no feedback past the loop, and that code deoptimized at every later call's exit (compute
 * kernel: 168 region deopts in a run, the sieve's 4-instruction loop 31 of them; 5-7 with it).
 */
export const WARM_CALLS = 16;
export const WARM_STEPS = 512;

export const REG_ZR = 31;
export const REG_SP = 32;
export const REG_SINK = 33;
export const REG_COUNT = 34;

export function packInfo(op: Op, rd: number, rn: number, rm: number, sf: number): number {
  return op | (rd << 8) | (rn << 14) | (rm << 20) | (sf << 26);
}

/**
 * Executes up to `budget` instructions. Returns the number of instructions stepped (retired, or
 * the one that raised an exception); `cpu.retired` advances by the retired ones.
 */
export function execute(cpu: A64Cpu, budget: number): number {
  // Translated blocks in use (jit.ts)? Not in the debugger's checked loop (one instruction per
  // call, each checked first), where every slot would look like a block start.
  const n = cpu.jit && !cpu.debugChecks ? dispatch(cpu, budget) : interpret(cpu, budget, 0, false, cpu.scratch, -1, 0);
  cpu.retireBatch(cpu.exc ? n - 1 : n);
  return n;
}

/** Set by interpret() when it stopped for dispatch() (a control transfer to a hot or translated slot, or a page change), not for the run loop. */
let backToDispatch = false;

/**
 * The translator's run loop: at each control transfer, runs the translated block of the target
 * (jit.ts) or counts the arrival and translates the block once it is hot; interpret() runs the
 * code in between (and itself counts arrivals at slots still cold). A separate small function from the interpreter's large one, so that V8
 * deoptimizing the interpreter (an op it has not seen yet) leaves this loop optimized.
 */
function dispatch(cpu: A64Cpu, budget: number): number {
  let pcLo = cpu.pcLo | 0;
  let pcHi = cpu.pcHi | 0;
  let n = 0;
  let faulted = 0;
  let fetchVpn = -1;
  let fetchHi = 0;
  let code: Int32Array = cpu.scratch;
  let blocks = cpu.fetchBlocks;
  let heat = cpu.fetchHeat;
  // The RAM page fetched from before the current one: a call's callee and its caller often lie on two pages that
  // alternate (the arm64 Linux boot: 61 % of its 1.8 M page changes went back to the page before last), each change
  // a translation of the pc, then a code-cache lookup, otherwise. Valid for this call as the current page is:
  // whatever changes translations, the exception level or code sets `attention` or `exc`, which ends it.
  let prevPage: CodePage<Block> | null = null;
  let prevVpn = -1;
  let prevHi = 0;
  let prevOff = 0;
  while (n < budget) {
    if (pcLo >>> 12 !== fetchVpn || pcHi !== fetchHi) {
      const page = fetchVpn === -1 ? null : cpu.currentFetchPage;
      const vpn = fetchVpn;
      const hi = fetchHi;
      const off = cpu.currentFetchRamOff;
      if (prevPage !== null && pcLo >>> 12 === prevVpn && pcHi === prevHi && (pcLo & 3) === 0) {
        code = cpu.refetch(prevPage, prevVpn, prevOff);
      } else {
        cpu.inflight = n;
        code = cpu.resolveFetch(pcLo, pcHi);
        if (cpu.exc) {
          faulted = 1; // the faulting fetch is a step (and does not retire), counted at the return
          break;
        }
      }
      prevPage = page;
      prevVpn = vpn;
      prevHi = hi;
      prevOff = off;
      fetchVpn = cpu.fetchVpn;
      fetchHi = pcHi;
      blocks = cpu.fetchBlocks;
      heat = cpu.fetchHeat;
    }
    const idx = pcLo & 0xffc;
    const slot = idx >>> 2;
    const block = blocks[slot];
    if (block !== undefined) {
      const fn = block.fn;
      if (fn !== null && block.len <= budget - n) {
        let max = budget - n;
        if (block.warm > 0) {
          block.warm--;
          if (max > WARM_STEPS) max = WARM_STEPS;
        }
        const done = fn(pcLo, pcHi, n, max, block.seg);
        n = (n + done) | 0;
        pcLo = cpu.npcLo;
        pcHi = cpu.npcHi;
        if (cpu.exc || cpu.attention) break;
        // A misaligned target takes its PC alignment fault at the fetch, even on this page.
        if ((pcLo & 3) !== 0) fetchVpn = -1;
        // None: a wasm region (jit-wasm.ts) left before its first instruction (an access off its
        // fast path): the interpreter runs it.
        if (done !== 0) continue;
      }
    } else if (++heat[slot] >= JIT_THRESHOLD) {
      cpu.inflight = n;
      cpu.heatReached(code, idx);
      blocks = cpu.fetchBlocks;
      continue;
    }
    cpu.pcLo = pcLo;
    cpu.pcHi = pcHi;
    n = interpret(cpu, budget, n, true, code, fetchVpn, fetchHi);
    pcLo = cpu.pcLo;
    pcHi = cpu.pcHi;
    if (!backToDispatch) break;
    if ((pcLo & 3) !== 0) fetchVpn = -1;
  }
  cpu.pcLo = pcLo;
  cpu.pcHi = pcHi;
  // An add every call: V8 has its feedback before a guest's first instruction abort (an `n++` there, first run in the
  // arm64 Linux boot after V8 had optimized this, deoptimized it: "Insufficient type feedback").
  return (n + faulted) | 0;
}

/**
 * The interpreter: from `cpu.pc`, with `n0` steps taken, up to `budget`; returns the steps taken
 * in all and leaves the pc in `cpu.pc`. Under dispatch() (`jit`) it returns before the next
 * instruction on another page, or after a control transfer to a slot with a translation (or
 * NO_BLOCK) or that reaches JIT_THRESHOLD, or on running into a slot with a translation (not
 * NO_BLOCK) without one (`backToDispatch` set); at a colder one it counts the
 * arrival in the slot's heat, as dispatch() does, and goes on. It starts on
 * the page of `code` (`fetchVpn`, `fetchHi`: dispatch() resolved it).
 */
function interpret(cpu: A64Cpu, budget: number, n0: number, jit: boolean, code: Int32Array, fetchVpn: number, fetchHi: number): number {
  const xl = cpu.xl;
  const xh = cpu.xh;
  const i32 = cpu.ramI32;
  const u16 = cpu.ramU16;
  const u8 = cpu.ramU8;
  const flags = cpu.pageFlags;
  const ramBase = cpu.ramBase;
  // 0 while watchpoints are set (debug.ts): every access then takes the checked slow path.
  const ramSize = cpu.ramFastLimit;
  const tlb = cpu.tlb;
  const tlbLo = tlb.tagLo;
  const tlbHi = tlb.tagHi;
  const tlbPerm = tlb.perm;
  const tlbRam = tlb.ram;
  let pcLo = cpu.pcLo | 0;
  let pcHi = cpu.pcHi | 0;
  let n = n0;
  /** Set by slow paths that need the run loop (cpu.attention): leave after this instruction. */
  let stop = false;
  /** After a control transfer (under dispatch(): leave before the next instruction)? */
  let boundary = false;
  /** The current page's entries (dispatch() resolved it; resolveFetch below). */
  let blocks = cpu.fetchBlocks;
  backToDispatch = false;

  loop: while (n < budget) {
    if (pcLo >>> 12 !== fetchVpn || pcHi !== fetchHi) {
      if (jit && n !== n0) {
        backToDispatch = true;
        break;
      }
      cpu.inflight = n;
      code = cpu.resolveFetch(pcLo, pcHi);
      if (cpu.exc) {
        n++; // the faulting fetch is a step (and does not retire)
        break;
      }
      fetchVpn = cpu.fetchVpn;
      fetchHi = pcHi;
      blocks = cpu.fetchBlocks;
    }
    if (boundary) {
      // A control transfer under dispatch(). To a slot with nothing translated and not hot yet,
      // count the arrival here as dispatch() would and go on: going back there at every branch
      // (a call, cpu's fields loaded again) made boots of cold code slower than the interpreter.
      const slot = (pcLo & 0xffc) >>> 2;
      const heat = cpu.fetchHeat;
      if ((pcLo & 3) !== 0 || cpu.fetchBlocks[slot] !== undefined || heat[slot] + 1 >= JIT_THRESHOLD) {
        backToDispatch = true;
        break;
      }
      heat[slot]++;
      boundary = false;
    } else if (jit && n !== n0) {
      // Run on into a translated entry (an outer loop's head before its inner loop's region, the
      // compute kernel's matrix multiply: one pass of the inner loop interpreted per outer pass):
      // leave for dispatch() to run it.
      const b = blocks[(pcLo & 0xffc) >>> 2];
      if (b !== undefined && b.fn !== null) {
        backToDispatch = true;
        break;
      }
    }
    const idx = pcLo & 0xffc;
    n++;
    let info = code[idx];
    if (info === 0) {
      info = cpu.decodeAt(code, idx) | 0;
      // A branch run for the first time may close a long loop (cpu.ts loopClosed).
      if (jit) cpu.loopClosed(code, idx, info);
    }
    const a = code[idx + 1];
    const c = code[idx + 3];
    const rd = (info >>> 8) & 63;
    const rn = (info >>> 14) & 63;
    const rm = (info >>> 20) & 63;
    const sf = (info >>> 26) & 1;

    switch (info & 0xff) {
      // --- data processing (immediate) (C4.1.86) ---
      case Op.ADDI: {
        const nl = xl[rn];
        const s = (nl + a) | 0;
        xl[rd] = s;
        // The high word's carry is alu.ts carryOut written out, here and in the address and branch-target sums below:
        // interpret() is past V8's inlining budget, and at these sites, run by most instructions, it stayed a call.
        xh[rd] = (((xh[rn] + code[idx + 2]) | 0) + (((nl & a) | ((nl | a) & ~s)) >>> 31)) & -sf;
        break;
      }
      case Op.ANDI:
        xl[rd] = xl[rn] & a;
        xh[rd] = xh[rn] & code[idx + 2];
        break;
      // `& -sf` (0 for 32-bit forms) rather than `sf ? ... : 0`: the same operations run for both
      // widths, so a width first seen after V8 optimized interpret() has type feedback (no deopt
      // and recompile of this large function).
      case Op.ORRI:
        xl[rd] = xl[rn] | a;
        xh[rd] = (xh[rn] | code[idx + 2]) & -sf;
        break;
      case Op.EORI:
        xl[rd] = xl[rn] ^ a;
        xh[rd] = (xh[rn] ^ code[idx + 2]) & -sf;
        break;
      case Op.ANDSI: {
        const l = xl[rn] & a;
        const h = xh[rn] & code[idx + 2];
        cpu.nzcv = logicFlags(l, h, sf);
        xl[rd] = l;
        xh[rd] = h;
        break;
      }
      case Op.MOVI:
        xl[rd] = a;
        xh[rd] = code[idx + 2];
        break;
      case Op.MOVK:
        if (c < 32) xl[rd] = (xl[rd] & ~(0xffff << c)) | (a << c);
        else xh[rd] = (xh[rd] & ~(0xffff << (c - 32))) | (a << (c - 32));
        if (sf === 0) xh[rd] = 0;
        break;
      case Op.ADR:
      case Op.ADRP: {
        const base = (info & 0xff) === Op.ADRP ? pcLo & ~0xfff : pcLo;
        const s = (base + a) | 0;
        xl[rd] = s;
        xh[rd] = (((pcHi + code[idx + 2]) | 0) + (((base & a) | ((base | a) & ~s)) >>> 31)) | 0;
        break;
      }
      case Op.SHIFTI:
        shiftReg(xl[rn], xh[rn], c & 3, c >>> 2, sf);
        xl[rd] = R[0];
        xh[rd] = R[1];
        break;
      case Op.BFM:
      case Op.EXTR:
      case Op.ADC:
      case Op.CCMP:
      case Op.DP1:
      case Op.DP2:
      case Op.DP3:
        executeDataProc(cpu, info, a, code[idx + 2], c);
        break;

      // --- data processing (register) (C4.1.87) ---
      case Op.MOVR:
        xl[rd] = xl[rn];
        xh[rd] = sf ? xh[rn] : 0;
        break;
      case Op.ADDSI:
      case Op.ADDSUB_SH:
      case Op.ADDSUB_EXT: {
        // One case for one addWithCarry call: V8 inlines a helper called from few sites. ADDSI: the
        // immediate in a and the high word (SUBS: its complement, c the carry in). Else c: shift type |
        // amount << 2 (ADDSUB_SH) or option | imm3 << 3 (ADDSUB_EXT), then sub << 8 | setflags << 9.
        const op = info & 0xff;
        let ml = a;
        let mh = code[idx + 2];
        let cin = c;
        if (op !== Op.ADDSI) {
          ml = xl[rm];
          mh = xh[rm] & -sf;
          if (op === Op.ADDSUB_EXT) {
            extendReg(ml, mh, c & 7, (c >>> 3) & 7);
            ml = R[0];
            mh = R[1];
          } else if ((c & 0xfc) !== 0) {
            // Most have no shift: a call less.
            shiftReg(ml, mh, c & 3, (c >>> 2) & 63, sf);
            ml = R[0];
            mh = R[1];
          }
          cin = (c >>> 8) & 1;
          ml ^= -cin;
          mh ^= -cin;
        }
        const fl = addWithCarry(xl[rn], xh[rn], ml, mh, cin, sf);
        if (op === Op.ADDSI || (c & 0x200) !== 0) cpu.nzcv = fl;
        xl[rd] = R[0];
        xh[rd] = R[1];
        break;
      }
      case Op.LOGIC_SH: {
        // c: shift type | amount << 2 | opc << 8 (AND, ORR, EOR, ANDS) | N << 10 (invert Rm)
        // Branch-free (as ORRI): every variant runs the same operations.
        const amount = (c >>> 2) & 63;
        let ml = xl[rm];
        let mh = xh[rm];
        if (amount !== 0) {
          shiftReg(ml, mh, c & 3, amount, sf);
          ml = R[0];
          mh = R[1];
        }
        const inv = -((c >>> 10) & 1);
        ml ^= inv;
        mh ^= inv;
        const nl = xl[rn];
        const nh = xh[rn];
        const opc = (c >>> 8) & 3;
        const lo = nl | ml;
        const lx = nl ^ ml;
        const la = nl & ml;
        const ho = nh | mh;
        const hx = nh ^ mh;
        const ha = nh & mh;
        const l = opc === 1 ? lo : opc === 2 ? lx : la;
        const h = (opc === 1 ? ho : opc === 2 ? hx : ha) & -sf;
        if (opc === 3) cpu.nzcv = logicFlags(l, h, sf);
        xl[rd] = l;
        xh[rd] = h;
        break;
      }
      case Op.CSEL: {
        // c: cond | kind << 4 (CSEL, CSINC, CSINV, CSNEG)
        // Branch-free (as ORRI) but for the condition: Rm inverted (CSINV, CSNEG) and/or plus one
        // (CSINC, CSNEG) as the kind says.
        if (conditionHolds(c & 15, cpu.nzcv)) {
          xl[rd] = xl[rn];
          xh[rd] = xh[rn] & -sf;
        } else {
          const kind = c >>> 4;
          const inv = -(kind >>> 1);
          const inc = kind & 1;
          const l = ((xl[rm] ^ inv) + inc) | 0;
          xl[rd] = l;
          xh[rd] = ((xh[rm] ^ inv) + (l === 0 ? inc : 0)) & -sf;
        }
        break;
      }

      // --- branches (C4.1.65) ---
      case Op.BL:
        xl[30] = (pcLo + 4) | 0;
        xh[30] = xl[30] === 0 ? (pcHi + 1) | 0 : pcHi;
      // falls through
      case Op.B: {
        const s = (pcLo + a) | 0;
        pcHi = (((pcHi + (a >> 31)) | 0) + (((pcLo & a) | ((pcLo | a) & ~s)) >>> 31)) | 0;
        pcLo = s;
        boundary = jit;
        continue;
      }
      case Op.BCOND:
      case Op.CBZ:
      case Op.CBNZ:
      case Op.TBZ:
      case Op.TBNZ: {
        let taken: boolean;
        const op = info & 0xff;
        if (op === Op.BCOND) taken = conditionHolds(c, cpu.nzcv);
        else if (op === Op.CBZ || op === Op.CBNZ) {
          const zero = (xl[rn] | (xh[rn] & -sf)) === 0;
          taken = zero === (op === Op.CBZ);
        } else {
          const bit = ((c < 32 ? xl : xh)[rn] >>> (c & 31)) & 1;
          taken = (bit === 0) === (op === Op.TBZ);
        }
        boundary = jit;
        if (taken) {
          const s = (pcLo + a) | 0;
          pcHi = (((pcHi + (a >> 31)) | 0) + (((pcLo & a) | ((pcLo | a) & ~s)) >>> 31)) | 0;
          pcLo = s;
          continue;
        }
        break;
      }
      case Op.BR:
      case Op.BLR:
      case Op.RET: {
        // Read the target before BLR writes X30 (BLR X30 branches to the old value).
        const tl = xl[rn];
        const th = xh[rn];
        if ((info & 0xff) === Op.BLR) {
          xl[30] = (pcLo + 4) | 0;
          xh[30] = xl[30] === 0 ? (pcHi + 1) | 0 : pcHi;
        }
        pcLo = tl;
        pcHi = th;
        // A misaligned target takes its PC alignment fault at the fetch (resolveFetch), even on this page.
        if ((tl & 3) !== 0) fetchVpn = -1;
        boundary = jit;
        continue;
      }

      // --- loads and stores (C4.1.88) ---
      case Op.LOAD:
      case Op.STORE: {
        // c: size | ext << 2 | mode << 4 | option << 6 | shift << 9 (decode.ts)
        const mode = (c >>> 4) & 3;
        let ol = a;
        let oh = code[idx + 2];
        if (mode === 3) {
          extendReg(xl[rm], xh[rm], (c >>> 6) & 7, (c >>> 9) & 3);
          ol = R[0];
          oh = R[1];
        }
        const bl = xl[rn];
        const bh = xh[rn];
        const nl = (bl + ol) | 0;
        const nh = (((bh + oh) | 0) + (((bl & ol) | ((bl | ol) & ~nl)) >>> 31)) | 0;
        const vl = mode === 2 ? bl : nl;
        const vh = mode === 2 ? bh : nh;
        const size = c & 3;
        const isLoad = (info & 0xff) === Op.LOAD;
        // RAM offset: the identity with the MMU off, else a TLB hit with the fast permission
        // bit of this access at this EL (LDTR/STTR take the slow path); 2^32 - 1 = not in RAM.
        let off = 0xffffffff;
        if (cpu.mmuOff) {
          if (vh === 0) off = (vl - ramBase) >>> 0;
        } else {
          const slot = ((vl >>> 12) ^ (vh >>> 16)) & TLB_MASK;
          if (tlbLo[slot] === (vl & -4096) && tlbHi[slot] === vh && (tlbPerm[slot] & (isLoad ? tlb.fastRead : tlb.fastWrite)) !== 0 && (c & LS_UNPRIV) === 0) off = tlbRam[slot] + (vl & 0xfff);
        }
        let ll = 0;
        let lh = 0;
        if (off < ramSize && (off & ((1 << size) - 1)) === 0) {
          if (isLoad) {
            if (size === 3) {
              ll = i32[off >>> 2];
              lh = i32[(off >>> 2) + 1];
            } else if (size === 2) ll = i32[off >>> 2];
            else if (size === 1) ll = u16[off >>> 1];
            else ll = u8[off];
          } else {
            if (size === 3) {
              i32[off >>> 2] = xl[rd];
              i32[(off >>> 2) + 1] = xh[rd];
            } else if (size === 2) i32[off >>> 2] = xl[rd];
            else if (size === 1) u16[off >>> 1] = xl[rd];
            else u8[off] = xl[rd];
            if (flags[off >>> 12] !== 0) {
              cpu.inflight = n - 1;
              cpu.ramWritten(off, 1 << size);
              if (cpu.attention) stop = true;
            }
          }
        } else {
          cpu.inflight = n - 1;
          if (isLoad) {
            loadSlow(cpu, vl, vh, size, pcLo, pcHi, (c & LS_UNPRIV) !== 0);
            ll = MV[0];
            lh = MV[1];
          } else storeSlow(cpu, vl, vh, size, xl[rd], xh[rd], pcLo, pcHi, (c & LS_UNPRIV) !== 0);
          if (cpu.exc) break loop;
          // A device may have lowered the budget (limitRun) or changed code (DMA): leave after this one.
          if (cpu.attention) stop = true;
        }
        // The base written back (unchanged without writeback: the same stores for every mode).
        const wb = mode === 1 || mode === 2;
        xl[rn] = wb ? nl : bl;
        xh[rn] = wb ? nh : bh;
        if (isLoad) {
          const ext = (c >>> 2) & 3;
          if (ext !== 0) {
            if (size === 0) ll = (ll << 24) >> 24;
            else if (size === 1) ll = (ll << 16) >> 16;
            lh = ext === 1 ? ll >> 31 : 0;
            if (ext === 2) lh = 0;
          }
          xl[rd] = ll;
          xh[rd] = lh;
        }
        break;
      }
      case Op.LDP:
      case Op.STP: {
        // c: size (2 or 3) | mode << 2 | LDPSW << 4; Rt2 in rm; the fast path covers aligned pairs in RAM
        const mode = (c >>> 2) & 3;
        const bl = xl[rn];
        const bh = xh[rn];
        const nl = (bl + a) | 0;
        const nh = (((bh + (a >> 31)) | 0) + (((bl & a) | ((bl | a) & ~nl)) >>> 31)) | 0;
        const vl = mode === 2 ? bl : nl;
        const vh = mode === 2 ? bh : nh;
        const wide = (c & 3) === 3;
        const isLdp = (info & 0xff) === Op.LDP;
        // As LOAD/STORE; with the MMU on both halves must lie in the entry's 4 KiB page.
        let off = 0xffffffff;
        if (cpu.mmuOff) {
          if (vh === 0) off = (vl - ramBase) >>> 0;
        } else {
          const slot = ((vl >>> 12) ^ (vh >>> 16)) & TLB_MASK;
          if (tlbLo[slot] === (vl & -4096) && tlbHi[slot] === vh && (tlbPerm[slot] & (isLdp ? tlb.fastRead : tlb.fastWrite)) !== 0 && (vl & 0xfff) <= (wide ? 0xff0 : 0xff8)) off = tlbRam[slot] + (vl & 0xfff);
        }
        if (off + (wide ? 16 : 8) <= ramSize && (off & (wide ? 7 : 3)) === 0) {
          // Both widths (and LDPSW) through the same accesses, branch-free as ORRI: the second
          // register's word is 1 or 2 words on; a pair of words writes word 1 three times, last with Rt2.
          const w = off >>> 2;
          const w2 = wide ? w + 2 : w + 1;
          const w3 = wide ? w + 3 : w + 1;
          if (isLdp) {
            const l1 = i32[w];
            const w1 = i32[w + 1];
            const l2 = i32[w2];
            const w3v = i32[w3];
            const sx = -((c >>> 4) & 1);
            const n1 = (l1 >> 31) & sx;
            const n2 = (l2 >> 31) & sx;
            xl[rn] = mode !== 0 ? nl : bl;
            xh[rn] = mode !== 0 ? nh : bh;
            xl[rd] = l1;
            xh[rd] = wide ? w1 : n1;
            xl[rm] = l2;
            xh[rm] = wide ? w3v : n2;
          } else {
            const ld = xl[rd];
            const hd = xh[rd];
            const lm = xl[rm];
            const hm = xh[rm];
            i32[w] = ld;
            i32[w + 1] = wide ? hd : lm;
            i32[w2] = lm;
            i32[w3] = wide ? hm : lm;
            xl[rn] = mode !== 0 ? nl : bl;
            xh[rn] = mode !== 0 ? nh : bh;
            if (flags[off >>> 12] !== 0 || flags[(off + (wide ? 15 : 7)) >>> 12] !== 0) {
              cpu.inflight = n - 1;
              cpu.ramWritten(off, wide ? 16 : 8);
              if (cpu.attention) stop = true;
            }
          }
          break;
        }
        cpu.inflight = n - 1;
        loadStoreOther(cpu, info, a, code[idx + 2], c, pcLo, pcHi);
        if (cpu.exc) break loop;
        if (cpu.attention) stop = true;
        break;
      }
      case Op.LDLIT:
      case Op.LDX:
      case Op.STX:
      case Op.LDAR:
      case Op.STLR:
      case Op.CLREX:
        cpu.inflight = n - 1;
        loadStoreOther(cpu, info, a, code[idx + 2], c, pcLo, pcHi);
        if (cpu.exc) break loop;
        if (cpu.attention) stop = true;
        // Regions stop before these ops: a region may start right after one.
        boundary = jit;
        break;

      // --- system and exceptions (C4.1.66) ---
      case Op.NOP:
        break;
      case Op.UNDEF:
      case Op.HINT:
      case Op.MSR_IMM:
      case Op.MRS:
      case Op.MSR:
      case Op.EXC:
      case Op.HLT:
        cpu.inflight = n - 1;
        executeSystem(cpu, info, a, c, pcLo, pcHi);
        if (cpu.exc) break loop;
        if (cpu.attention) stop = true;
        boundary = jit;
        break;
      case Op.FP:
        cpu.inflight = n - 1;
        executeFp(cpu, a, c, pcLo, pcHi);
        if (cpu.exc) break loop;
        if (cpu.attention) stop = true;
        boundary = jit;
        break;
      case Op.ERET:
        cpu.inflight = n - 1;
        if (cpu.el === 0) {
          cpu.undefined(pcLo, pcHi);
          break loop;
        }
        exceptionReturn(cpu);
        // A context-synchronizing branch to ELR: leave so that run() sees the new PSTATE.
        pcLo = cpu.pcLo;
        pcHi = cpu.pcHi;
        break loop;
      default:
        throw new Error(`aarch64: no handler for op ${info & 0xff}`);
    }
    pcLo = (pcLo + 4) | 0;
    if (pcLo === 0) pcHi = (pcHi + 1) | 0;
    if (stop) break;
  }
  // On an exception the pc stays at the faulting instruction (the preferred return address).
  cpu.pcLo = pcLo;
  cpu.pcHi = pcHi;
  return n;
}
