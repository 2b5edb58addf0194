/**
 * The interpreter: runs pre-decoded instructions until the budget is spent or something needs
 * the attention of the run loop (a trap, an interrupt line, a CSR write, WFI, requestExit). At
 * block boundaries (after control transfers) it runs compiled blocks (jit.ts) where they exist,
 * and counts the boundaries it reaches to decide what to compile.
 *
 * Hot-path rules: no allocation, no closures, no exceptions, no property lookups through
 * maps. The loop's values stay int32: a slow path's result is `| 0`'d (to V8 a call's result is
 * tagged, and `pc` as a tagged loop value cost a small-integer check and untagging per instruction:
 * the rv32 Linux boot under `--engine interp`, warm in process, ~186 -> ~178 ms). Registers live
 * in an Int32Array (x[32] is a write-only sink that stands for x0 as a destination). Loads and
 * stores hit RAM through a direct-mapped TLB inline; everything else calls out to memory.ts. The
 * operation enum lives in this file because esbuild inlines `const enum` members only within the
 * declaring file, and the `switch` needs literal cases to compile to a jump table.
 *
 * A decoded instruction is two int32 words in a page's code array at index (pc & 0xffe):
 *   info bits  0..7   operation (Op)
 *              8..13  rd (1..32; x0 is encoded as 32)
 *              14..18 rs1 (or the CSR uimm)
 *              19..23 rs2
 *              24..31 instruction length in bytes (2 or 4)
 *   imm        immediate, CSR number, shift amount, or the raw bits of an illegal instruction
 * info = 0 marks a slot not decoded yet.
 */
import type { Rv32Cpu } from './cpu.js';
import { loadStoreSlow } from './memory.js';
import { TLB_MASK } from './mmu.js';
import { mulh, mulhsu, mulhu } from './muldiv.js';
import { executeSystem } from './system.js';

// The inline TLB lookups below index with the literal 511 rather than TLB_MASK, an imported binding V8 loads at each
// access in the hot loop: a TLB_BITS change must change them, which this says as the module loads (jit.ts writes
// TLB_MASK's value into its sources).
if (TLB_MASK !== 511) throw new Error(`rv32 execute.ts: the inline TLB lookups index with 511, TLB_MASK is ${TLB_MASK}`);

export const enum Op {
  DECODE = 0,
  ILLEGAL,
  /** A 32-bit instruction that starts in the last halfword of a page: fetched the slow way. */
  CROSS,

  LUI,
  AUIPC,
  JAL,
  JALR,
  BEQ,
  BNE,
  BLT,
  BGE,
  BLTU,
  BGEU,

  LB,
  LH,
  LW,
  LBU,
  LHU,
  SB,
  SH,
  SW,

  ADDI,
  SLTI,
  SLTIU,
  XORI,
  ORI,
  ANDI,
  SLLI,
  SRLI,
  SRAI,

  ADD,
  SUB,
  SLL,
  SLT,
  SLTU,
  XOR,
  SRL,
  SRA,
  OR,
  AND,

  MUL,
  MULH,
  MULHSU,
  MULHU,
  DIV,
  DIVU,
  REM,
  REMU,

  FENCE,
  FENCE_I,
  ECALL,
  EBREAK,
  MRET,
  SRET,
  WFI,
  SFENCE_VMA,

  CSRRW,
  CSRRS,
  CSRRC,
  CSRRWI,
  CSRRSI,
  CSRRCI,

  LR_W,
  SC_W,
  AMOSWAP_W,
  AMOADD_W,
  AMOXOR_W,
  AMOAND_W,
  AMOOR_W,
  AMOMIN_W,
  AMOMAX_W,
  AMOMINU_W,
  AMOMAXU_W,
}

export const X0_SINK = 32;
/** Control transfers to a slot before the block starting there is compiled (jit.ts). */
export const JIT_THRESHOLD = 32;

/**
 * The first WARM_CALLS calls of a compiled JavaScript block (jit.ts; a wasm region's start uncapped,
 * Block.warm) run at most WARM_STEPS steps each, so that its function returns several times before
 * V8 optimizes it. V8 allocates a function's feedback vector
 * only after it has run a while, and optimizes a long-running first call's loop on-stack (OSR):
 * without this, the prologue (first call, no vector yet) and the epilogue (not reached yet) had no
 * type feedback, the optimized code deoptimized on every return, and V8 re-entered the same cached
 * OSR code on the next call (the compute kernel's sieve loop: up to 2300 deopts in one run).
 * (OSR is off now, src/core/jit/translate.ts noOsr; the cap still lets the prologue and epilogue
 * run before V8's first optimizing compile of the function.)
 */
export const WARM_CALLS = 16;
export const WARM_STEPS = 512;

export function packInfo(op: Op, rd: number, rs1: number, rs2: number, compressed: boolean): number {
  return op | ((rd === 0 ? X0_SINK : rd) << 8) | (rs1 << 14) | (rs2 << 19) | ((compressed ? 2 : 4) << 24);
}

export function infoOp(info: number): Op {
  return info & 0xff;
}

/**
 * Executes up to `budget` instructions. Returns the number of instructions stepped (retired or
 * trapped); `cpu.retired` is advanced by the retired ones.
 */
export function execute(cpu: Rv32Cpu, budget: number): number {
  const x = cpu.x;
  const i32 = cpu.ramI32;
  const i16 = cpu.ramI16;
  const u16 = cpu.ramU16;
  const i8 = cpu.ramI8;
  const u8 = cpu.ramU8;
  const flags = cpu.pageFlags;
  const rTag = cpu.rTag;
  const rOff = cpu.rOff;
  const wTag = cpu.wTag;
  const wOff = cpu.wOff;
  let pc = cpu.pc | 0;
  let n = 0;
  let fetchVpn = -1;
  let code: Int32Array = cpu.scratch;
  /**
   * Compiled blocks in use? Without them, block boundaries need no bookkeeping. Not in the
   * debugger's one-step-at-a-time loop (debug.ts), where every slot would look like a block start.
   */
  const jit = cpu.jit === true && !cpu.checkedRun;
  /** At a block boundary (after a control transfer, a block, or a page change)? */
  let boundary = jit;

  loop: while (n < budget) {
    if (pc >>> 12 !== fetchVpn) {
      cpu.inflight = n;
      code = cpu.resolveFetch(pc);
      if (cpu.exc) {
        n++; // the fetch fault is a step (and does not retire)
        pc = cpu.pc | 0;
        break;
      }
      fetchVpn = cpu.fetchVpn | 0;
      boundary = jit;
    }
    const idx = pc & 0xffe;
    if (boundary) {
      // Compiled blocks (jit.ts) run here; the interpreter counts control transfers to a slot
      // and compiles the block there once it is hot. The heat is read first: below
      // JIT_THRESHOLD no block starts at the slot (a slot with a block keeps its heat at or
      // above it, cpu.ts compileBlockAt), so a boot's millions of transfers to cold code cost
      // one typed-array increment, not also a load from the blocks array.
      boundary = false;
      const heat = cpu.fetchHeat;
      const h = heat[idx >> 1] + 1;
      if (h < JIT_THRESHOLD) heat[idx >> 1] = h;
      else {
        const blocks = cpu.fetchBlocks;
        const block = blocks[idx >> 1];
        if (block !== undefined) {
          const fn = block.fn;
          if (fn !== null && block.len <= budget - n) {
            let max = budget - n;
            if (block.warm > 0) {
              block.warm--;
              if (max > WARM_STEPS) max = WARM_STEPS;
            }
            n = (n + fn((pc - block.delta) | 0, n, max, block.blk)) | 0;
            if (cpu.exc) {
              pc = cpu.pc | 0;
              break;
            }
            // An odd next pc: the block left before an access it does not do itself (a TLB
            // miss); the interpreter runs that instruction and the rest of its block.
            const npc = cpu.npc | 0;
            pc = npc & -2;
            if (cpu.attention) break;
            boundary = (npc & 1) === 0;
            continue;
          }
        } else {
          heat[idx >> 1] = h;
          cpu.heatReached(code, idx);
          boundary = true;
          continue;
        }
      }
    }
    n++;
    let info = code[idx];
    if (info === 0) info = cpu.decodeAt(code, idx) | 0;
    const imm = code[idx + 1];
    const rd = (info >>> 8) & 63;
    const rs1 = (info >>> 14) & 31;
    const rs2 = (info >>> 19) & 31;
    const next = (pc + (info >>> 24)) | 0;

    switch (info & 0xff) {
      // --- RV32I: upper immediates, jumps, branches (unpriv spec 2.4, 2.5) ---
      case Op.LUI:
        x[rd] = imm;
        pc = next;
        break;
      case Op.AUIPC:
        x[rd] = (pc + imm) | 0;
        pc = next;
        break;
      case Op.JAL:
        x[rd] = next;
        pc = (pc + imm) | 0;
        boundary = jit;
        break;
      case Op.JALR: {
        const target = (x[rs1] + imm) & ~1;
        x[rd] = next;
        pc = target;
        boundary = jit;
        break;
      }
      case Op.BEQ:
        pc = x[rs1] === x[rs2] ? (pc + imm) | 0 : next;
        boundary = jit;
        break;
      case Op.BNE:
        pc = x[rs1] !== x[rs2] ? (pc + imm) | 0 : next;
        boundary = jit;
        break;
      case Op.BLT:
        pc = x[rs1] < x[rs2] ? (pc + imm) | 0 : next;
        boundary = jit;
        break;
      case Op.BGE:
        pc = x[rs1] >= x[rs2] ? (pc + imm) | 0 : next;
        boundary = jit;
        break;
      case Op.BLTU:
        pc = x[rs1] >>> 0 < x[rs2] >>> 0 ? (pc + imm) | 0 : next;
        boundary = jit;
        break;
      case Op.BGEU:
        pc = x[rs1] >>> 0 >= x[rs2] >>> 0 ? (pc + imm) | 0 : next;
        boundary = jit;
        break;

      // --- Loads (unpriv spec 2.6): inline TLB hit on RAM, else memory.ts ---
      case Op.LW: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (rTag[e] !== a >>> 12 || (a & 3) !== 0) {
          pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
          if (cpu.attention) break loop;
        } else {
          x[rd] = i32[((a + rOff[e]) | 0) >> 2];
          pc = next;
        }
        break;
      }
      case Op.LH: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (rTag[e] !== a >>> 12 || (a & 1) !== 0) {
          pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
          if (cpu.attention) break loop;
        } else {
          x[rd] = i16[((a + rOff[e]) | 0) >> 1];
          pc = next;
        }
        break;
      }
      case Op.LHU: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (rTag[e] !== a >>> 12 || (a & 1) !== 0) {
          pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
          if (cpu.attention) break loop;
        } else {
          x[rd] = u16[((a + rOff[e]) | 0) >> 1];
          pc = next;
        }
        break;
      }
      case Op.LB: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (rTag[e] !== a >>> 12) {
          pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
          if (cpu.attention) break loop;
        } else {
          x[rd] = i8[(a + rOff[e]) | 0];
          pc = next;
        }
        break;
      }
      case Op.LBU: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (rTag[e] !== a >>> 12) {
          pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
          if (cpu.attention) break loop;
        } else {
          x[rd] = u8[(a + rOff[e]) | 0];
          pc = next;
        }
        break;
      }

      // --- Stores: the fast path tells the bus about stores to pages with decoded code or watchers ---
      case Op.SW: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (wTag[e] !== a >>> 12 || (a & 3) !== 0) pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
        else {
          const off = (a + wOff[e]) | 0;
          i32[off >> 2] = x[rs2];
          pc = next;
          if (flags[off >>> 12] === 0) break;
          cpu.inflight = n - 1;
          cpu.ramWritten(off, 4);
        }
        if (cpu.attention) break loop;
        break;
      }
      case Op.SH: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (wTag[e] !== a >>> 12 || (a & 1) !== 0) pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
        else {
          const off = (a + wOff[e]) | 0;
          u16[off >> 1] = x[rs2];
          pc = next;
          if (flags[off >>> 12] === 0) break;
          cpu.inflight = n - 1;
          cpu.ramWritten(off, 2);
        }
        if (cpu.attention) break loop;
        break;
      }
      case Op.SB: {
        const a = (x[rs1] + imm) | 0;
        const e = (a >>> 12) & 511;
        if (wTag[e] !== a >>> 12) pc = loadStoreSlow(cpu, n, info, imm, pc) | 0;
        else {
          const off = (a + wOff[e]) | 0;
          u8[off] = x[rs2];
          pc = next;
          if (flags[off >>> 12] === 0) break;
          cpu.inflight = n - 1;
          cpu.ramWritten(off, 1);
        }
        if (cpu.attention) break loop;
        break;
      }

      // --- Integer register-immediate (unpriv spec 2.4.1) ---
      case Op.ADDI:
        x[rd] = (x[rs1] + imm) | 0;
        pc = next;
        break;
      case Op.SLTI:
        x[rd] = x[rs1] < imm ? 1 : 0;
        pc = next;
        break;
      case Op.SLTIU:
        x[rd] = x[rs1] >>> 0 < imm >>> 0 ? 1 : 0;
        pc = next;
        break;
      case Op.XORI:
        x[rd] = x[rs1] ^ imm;
        pc = next;
        break;
      case Op.ORI:
        x[rd] = x[rs1] | imm;
        pc = next;
        break;
      case Op.ANDI:
        x[rd] = x[rs1] & imm;
        pc = next;
        break;
      case Op.SLLI:
        x[rd] = x[rs1] << imm;
        pc = next;
        break;
      case Op.SRLI:
        x[rd] = x[rs1] >>> imm;
        pc = next;
        break;
      case Op.SRAI:
        x[rd] = x[rs1] >> imm;
        pc = next;
        break;

      // --- Integer register-register (unpriv spec 2.4.2); shifts use rs2[4:0] as JS does ---
      case Op.ADD:
        x[rd] = (x[rs1] + x[rs2]) | 0;
        pc = next;
        break;
      case Op.SUB:
        x[rd] = (x[rs1] - x[rs2]) | 0;
        pc = next;
        break;
      case Op.SLL:
        x[rd] = x[rs1] << x[rs2];
        pc = next;
        break;
      case Op.SLT:
        x[rd] = x[rs1] < x[rs2] ? 1 : 0;
        pc = next;
        break;
      case Op.SLTU:
        x[rd] = x[rs1] >>> 0 < x[rs2] >>> 0 ? 1 : 0;
        pc = next;
        break;
      case Op.XOR:
        x[rd] = x[rs1] ^ x[rs2];
        pc = next;
        break;
      case Op.SRL:
        x[rd] = x[rs1] >>> x[rs2];
        pc = next;
        break;
      case Op.SRA:
        x[rd] = x[rs1] >> x[rs2];
        pc = next;
        break;
      case Op.OR:
        x[rd] = x[rs1] | x[rs2];
        pc = next;
        break;
      case Op.AND:
        x[rd] = x[rs1] & x[rs2];
        pc = next;
        break;

      // --- M extension (unpriv spec 7): division by zero and overflow do not trap ---
      case Op.MUL:
        x[rd] = Math.imul(x[rs1], x[rs2]);
        pc = next;
        break;
      case Op.MULH:
        x[rd] = mulh(x[rs1], x[rs2]);
        pc = next;
        break;
      case Op.MULHSU:
        x[rd] = mulhsu(x[rs1], x[rs2]);
        pc = next;
        break;
      case Op.MULHU:
        x[rd] = mulhu(x[rs1], x[rs2]);
        pc = next;
        break;
      case Op.DIV: {
        const a = x[rs1];
        const b = x[rs2];
        if (b === 0) x[rd] = -1;
        else if (b === -1) x[rd] = -a | 0; // INT_MIN / -1 = INT_MIN
        else x[rd] = (a / b) | 0;
        pc = next;
        break;
      }
      case Op.DIVU: {
        const b = x[rs2] >>> 0;
        x[rd] = b === 0 ? -1 : ((x[rs1] >>> 0) / b) | 0;
        pc = next;
        break;
      }
      case Op.REM: {
        const a = x[rs1];
        const b = x[rs2];
        if (b === 0) x[rd] = a;
        else if (b === -1) x[rd] = 0;
        else x[rd] = a % b | 0;
        pc = next;
        break;
      }
      case Op.REMU: {
        const b = x[rs2] >>> 0;
        x[rd] = b === 0 ? x[rs1] : (x[rs1] >>> 0) % b | 0;
        pc = next;
        break;
      }

      // --- Fences: memory is sequentially consistent and the code cache is kept coherent by
      // store hooks, so FENCE and FENCE.I have nothing to do (unpriv spec 2.7, 3) ---
      case Op.FENCE:
      case Op.FENCE_I:
        pc = next;
        break;

      case Op.CROSS:
        // Re-resolve: resolveFetch sees the page-crossing instruction and fetches it slowly.
        fetchVpn = -1;
        n--;
        break;

      default:
        // SYSTEM, Zicsr, A and illegal instructions: rare and costly anyway, and out of this
        // switch they don't slow the rest down (system.ts).
        cpu.inflight = n - 1;
        {
          const leave = executeSystem(cpu, info, imm, pc);
          pc = cpu.pc | 0;
          if (leave) break loop;
        }
    }
  }

  cpu.pc = pc >>> 0;
  cpu.exc = false;
  cpu.retireBatch(n);
  return n;
}
