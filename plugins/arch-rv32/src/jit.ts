/**
 * Block compiler: turns a hot basic block of pre-decoded instructions into a JavaScript function
 * (via `new Function`), so that V8 compiles guest code to machine code with guest registers in
 * locals and no per-instruction dispatch.
 *
 * A block starts at a slot the interpreter reached by a control transfer often enough
 * (JIT_THRESHOLD when the block loops on itself, else HOT_THRESHOLD), runs straight-line within
 * one page, and ends with the first branch or jump (included), or just before an instruction it does not compile (CSR, system, atomics, illegal,
 * page-crossing), at the end of the page, or after MAX_BLOCK instructions. A block whose final
 * branch or jump goes back to its own first instruction loops inside the function until the
 * loop exits or the step budget would be exceeded.
 *
 * Blocks are position independent: pc-relative values are computed from the `pc0` argument, so
 * one compiled block serves every virtual address its physical page is mapped at. They hold no
 * state; the core's code cache (src/core/jit/) keeps them per physical page and drops them on
 * any store to the page, and the same source compiled again reuses its memoized factory.
 *
 * Exits follow the interpreter's rules exactly: a load or store that misses the TLB calls the
 * same slow path; on a trap the function writes back the registers of the instructions that
 * completed and returns the steps including the faulting one (`cpu.exc` set); after an access
 * that needs the run loop (`cpu.attention`, also set by a store over compiled code) it returns
 * after that instruction. `cpu.npc` receives the next pc.
 */
import type { JitKit } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { JIT_THRESHOLD, Op } from './execute.js';
import { loadSlow, storeSlow } from './memory.js';
import { mulh, mulhsu, mulhu } from './muldiv.js';

export { JIT_THRESHOLD };
/**
 * Control transfers to a block start before a block that does not loop on itself is compiled.
 * Such a block returns to the interpreter after a few instructions, so it saves little per call,
 * and a new function runs in V8's bytecode interpreter (slower than ours) until V8 has seen it
 * called many times. Measured on the virt OS session (test/bench/rv32-os.ts), its host
 * CPU time fell as this rose (one run: 32: 2.7x the interpreter's, 1000: 1.4x, 3000: 1.25x; at
 * 10000 it is within noise of compiling nothing at all, 1.2-1.9x on this loaded machine); the
 * compute kernel's speed did not change.
 */
export const HOT_THRESHOLD = 10000;
/** Longest block, in instructions. */
export const MAX_BLOCK = 64;

/**
 * A compiled block: runs from virtual pc `pc0` with `n0` steps already taken in this execute()
 * call and at most `maxSteps` more; returns the steps taken and leaves the next pc in `cpu.npc`.
 * The hart's registers and RAM views are bound when the block is created.
 */
export type BlockFn = (pc0: number, n0: number, maxSteps: number) => number;

export class Block {
  constructor(
    readonly fn: BlockFn | null,
    /** Guest instructions in one pass through the block. */
    readonly len: number,
  ) {}
}

/** Marks a slot where no block can start (the first instruction is not compiled). */
export const NO_BLOCK = new Block(null, 0);

export interface Insn {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
  /** Byte offset from the block start, and length. */
  off: number;
  len: number;
}

const HELPERS = { loadSlow, storeSlow, mulh, mulhsu, mulhu };
const FACTORY_PARAMS = ['cpu', 'H'];

function compilable(op: Op): boolean {
  return (op >= Op.LUI && op <= Op.REMU) || op === Op.FENCE || op === Op.FENCE_I;
}

function isControl(op: Op): boolean {
  return op >= Op.JAL && op <= Op.BGEU;
}

/**
 * Decodes the block starting at `idx` of the current fetch page (`code` is its decoded-slot
 * array; slots are decoded on the way). Empty when no block can start there.
 */
export function scanBlock(cpu: Rv32Cpu, code: Int32Array, idx: number): Insn[] {
  const insns: Insn[] = [];
  let i = idx;
  while (i < 0x1000 && insns.length < MAX_BLOCK) {
    let info = code[i];
    if (info === 0) info = cpu.decodeAt(code, i);
    const op = (info & 0xff) as Op;
    if (!compilable(op)) break;
    const len = info >>> 24;
    insns.push({ op, rd: (info >>> 8) & 63, rs1: (info >>> 14) & 31, rs2: (info >>> 19) & 31, imm: code[i + 1], off: i - idx, len });
    i += len;
    if (isControl(op)) break;
  }
  return insns;
}

/** Whether the block's final branch or jump goes back to its first instruction (it loops inside its function). */
export function loopsOnItself(insns: Insn[]): boolean {
  const last = insns[insns.length - 1];
  return isControl(last.op) && last.op !== Op.JALR && last.off + last.imm === 0;
}

/** Compiles scanned instructions (scanBlock, not empty) into a block function bound to `cpu`. */
export function compileBlock(cpu: Rv32Cpu, kit: JitKit, insns: Insn[]): Block {
  const factory = kit.factory<(cpu: Rv32Cpu, h: typeof HELPERS) => BlockFn>(FACTORY_PARAMS, generate(insns));
  return new Block(factory(cpu, HELPERS), insns.length);
}

/** JavaScript source of the block function (exported for tests and debugging). */
export function generate(insns: Insn[]): string {
  const last = insns[insns.length - 1];
  const end = last.off + last.len;
  const lastIsControl = isControl(last.op);
  const loops = loopsOnItself(insns);
  const len = insns.length;

  const used = new Set<number>();
  const written = new Set<number>();
  for (const ins of insns) {
    if (readsRs1(ins.op) && ins.rs1 !== 0) used.add(ins.rs1);
    if (readsRs2(ins.op) && ins.rs2 !== 0) used.add(ins.rs2);
    if (writesRd(ins.op) && ins.rd !== 32) {
      used.add(ins.rd);
      written.add(ins.rd);
    }
  }
  const r = (n: number) => (n === 0 ? '0' : `r${n}`);
  const wb = [...written].map((n) => `x[${n}] = r${n};`).join(' ');
  const steps = (k: number) => (loops ? `steps + ${k}` : `${k}`);
  const npcAt = (off: number) => `(pc0 + ${off}) | 0`;

  const loads = insns.some((i) => i.op >= Op.LB && i.op <= Op.LHU);
  const stores = insns.some((i) => i.op >= Op.SB && i.op <= Op.SW);
  const out: string[] = [];
  out.push('"use strict";');
  out.push('const loadSlow = H.loadSlow, storeSlow = H.storeSlow, mulh = H.mulh, mulhsu = H.mulhsu, mulhu = H.mulhu;');
  out.push('const x = cpu.x, i32 = cpu.ramI32, i16 = cpu.ramI16, u16 = cpu.ramU16, i8 = cpu.ramI8, u8 = cpu.ramU8, flags = cpu.pageFlags;');
  out.push('return function block(pc0, n0, maxSteps) {');
  // The data TLBs depend on the effective privilege: read them on entry.
  if (loads) out.push('  const rTag = cpu.rTag, rOff = cpu.rOff;');
  if (stores) out.push('  const wTag = cpu.wTag, wOff = cpu.wOff;');
  for (const n of used) out.push(`  let r${n} = x[${n}];`);
  if (loops) out.push('  let steps = 0;', '  for (;;) {');

  insns.forEach((ins, k) => {
    const d = ins.rd === 32 ? null : r(ins.rd);
    const a = r(ins.rs1);
    const b = r(ins.rs2);
    const imm = ins.imm | 0;
    const next = ins.off + ins.len;
    const assign = (expr: string) => (d ? `${d} = ${expr};` : '');
    // Leaves after instruction k faulted (trap taken, registers of earlier instructions kept).
    const trapExit = `{ ${wb} return ${steps(k + 1)}; }`;
    // Leaves after instruction k completed.
    const doneExit = `{ ${wb} cpu.npc = ${npcAt(next)}; return ${steps(k + 1)}; }`;
    const inflight = `cpu.inflight = n0 + ${loops ? 'steps + ' : ''}${k};`;
    const pcHere = npcAt(ins.off);
    switch (ins.op) {
      case Op.LUI:
        out.push(assign(`${imm}`));
        break;
      case Op.AUIPC:
        out.push(assign(`(pc0 + ${ins.off + imm}) | 0`));
        break;
      case Op.ADDI:
        out.push(assign(`(${a} + ${imm}) | 0`));
        break;
      case Op.SLTI:
        out.push(assign(`${a} < ${imm} ? 1 : 0`));
        break;
      case Op.SLTIU:
        out.push(assign(`(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`));
        break;
      case Op.XORI:
        out.push(assign(`${a} ^ ${imm}`));
        break;
      case Op.ORI:
        out.push(assign(`${a} | ${imm}`));
        break;
      case Op.ANDI:
        out.push(assign(`${a} & ${imm}`));
        break;
      case Op.SLLI:
        out.push(assign(`${a} << ${imm}`));
        break;
      case Op.SRLI:
        out.push(assign(`(${a} >>> ${imm}) | 0`));
        break;
      case Op.SRAI:
        out.push(assign(`${a} >> ${imm}`));
        break;
      case Op.ADD:
        out.push(assign(`(${a} + ${b}) | 0`));
        break;
      case Op.SUB:
        out.push(assign(`(${a} - ${b}) | 0`));
        break;
      case Op.SLL:
        out.push(assign(`${a} << ${b}`));
        break;
      case Op.SLT:
        out.push(assign(`${a} < ${b} ? 1 : 0`));
        break;
      case Op.SLTU:
        out.push(assign(`(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`));
        break;
      case Op.XOR:
        out.push(assign(`${a} ^ ${b}`));
        break;
      case Op.SRL:
        out.push(assign(`(${a} >>> ${b}) | 0`));
        break;
      case Op.SRA:
        out.push(assign(`${a} >> ${b}`));
        break;
      case Op.OR:
        out.push(assign(`${a} | ${b}`));
        break;
      case Op.AND:
        out.push(assign(`${a} & ${b}`));
        break;
      case Op.MUL:
        out.push(assign(`Math.imul(${a}, ${b})`));
        break;
      case Op.MULH:
        out.push(assign(`mulh(${a}, ${b})`));
        break;
      case Op.MULHSU:
        out.push(assign(`mulhsu(${a}, ${b})`));
        break;
      case Op.MULHU:
        out.push(assign(`mulhu(${a}, ${b})`));
        break;
      case Op.DIV:
        out.push(assign(`${b} === 0 ? -1 : ${b} === -1 ? -${a} | 0 : (${a} / ${b}) | 0`));
        break;
      case Op.DIVU:
        out.push(assign(`${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`));
        break;
      case Op.REM:
        out.push(assign(`${b} === 0 ? ${a} : ${b} === -1 ? 0 : (${a} % ${b}) | 0`));
        break;
      case Op.REMU:
        out.push(assign(`${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`));
        break;
      case Op.FENCE:
      case Op.FENCE_I:
        break;
      case Op.LB:
      case Op.LBU:
      case Op.LH:
      case Op.LHU:
      case Op.LW: {
        const size = ins.op === Op.LW ? 4 : ins.op === Op.LH || ins.op === Op.LHU ? 2 : 1;
        const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
        const fast = { [Op.LW]: 'i32[o >> 2]', [Op.LH]: 'i16[o >> 1]', [Op.LHU]: 'u16[o >> 1]', [Op.LB]: 'i8[o]', [Op.LBU]: 'u8[o]' }[ins.op];
        const ext = ins.op === Op.LH ? '(v << 16) >> 16' : ins.op === Op.LB ? '(v << 24) >> 24' : 'v';
        out.push(
          `{ const a = (${a} + ${imm}) | 0; const vpn = a >>> 12; const e = vpn & 511;`,
          `  if (rTag[e] === vpn${align}) { const o = (a + rOff[e]) | 0; ${d ? `${d} = ${fast};` : `${fast};`} }`,
          `  else { ${inflight} const v = loadSlow(cpu, a, ${size}, ${pcHere});`,
          `    if (cpu.exc) ${trapExit}`,
          `    ${assign(ext)} if (cpu.attention) ${doneExit} } }`,
        );
        break;
      }
      case Op.SB:
      case Op.SH:
      case Op.SW: {
        const size = ins.op === Op.SW ? 4 : ins.op === Op.SH ? 2 : 1;
        const align = size === 1 ? '' : ` && (a & ${size - 1}) === 0`;
        const fast = { [Op.SW]: 'i32[o >> 2]', [Op.SH]: 'u16[o >> 1]', [Op.SB]: 'u8[o]' }[ins.op];
        out.push(
          `{ const a = (${a} + ${imm}) | 0; const vpn = a >>> 12; const e = vpn & 511;`,
          `  if (wTag[e] === vpn${align}) { const o = (a + wOff[e]) | 0; ${fast} = ${b};`,
          `    if (flags[o >>> 12] !== 0) { ${inflight} ${wb} cpu.ramWritten(o, ${size}); if (cpu.attention) ${doneExit} } }`,
          `  else { ${inflight} storeSlow(cpu, a, ${size}, ${b}, ${pcHere});`,
          `    if (cpu.exc) ${trapExit}`,
          `    if (cpu.attention) ${doneExit} } }`,
        );
        break;
      }
      case Op.JAL:
      case Op.JALR:
      case Op.BEQ:
      case Op.BNE:
      case Op.BLT:
      case Op.BGE:
      case Op.BLTU:
      case Op.BGEU:
        out.push(terminator(ins, d, a, b, loops, len, wb, npcAt));
        break;
      default:
        throw new Error(`rv32 jit: cannot compile op ${ins.op}`);
    }
  });

  if (loops) {
    out.push('  }', `  ${wb}`, '  return steps;');
  } else if (!lastIsControl) {
    out.push(`  ${wb}`, `  cpu.npc = ${npcAt(end)};`, `  return ${len};`);
  }
  out.push('};');
  return out.filter((l) => l.trim() !== '').join('\n');
}

function terminator(ins: Insn, d: string | null, a: string, b: string, loops: boolean, len: number, wb: string, npcAt: (off: number) => string): string {
  const fall = npcAt(ins.off + ins.len);
  const taken = npcAt(ins.off + ins.imm);
  const link = d ? `${d} = ${fall};` : '';
  const cond: Partial<Record<Op, string>> = {
    [Op.BEQ]: `${a} === ${b}`,
    [Op.BNE]: `${a} !== ${b}`,
    [Op.BLT]: `${a} < ${b}`,
    [Op.BGE]: `${a} >= ${b}`,
    [Op.BLTU]: `(${a} >>> 0) < (${b} >>> 0)`,
    [Op.BGEU]: `(${a} >>> 0) >= (${b} >>> 0)`,
  };
  if (ins.op === Op.JALR) {
    return `{ const t = (${a} + ${ins.imm | 0}) & -2; ${link} cpu.npc = t; } ${wb} return ${len};`;
  }
  if (loops) {
    // Back to the first instruction: iterate here while the budget allows another pass.
    const again = `steps += ${len}; if (steps + ${len} > maxSteps) { cpu.npc = pc0; break; }`;
    if (ins.op === Op.JAL) return `${link} ${again}`;
    return `if (!(${cond[ins.op]})) { steps += ${len}; cpu.npc = ${fall}; break; } ${again}`;
  }
  if (ins.op === Op.JAL) return `${link} cpu.npc = ${taken}; ${wb} return ${len};`;
  return `cpu.npc = (${cond[ins.op]}) ? ${taken} : ${fall}; ${wb} return ${len};`;
}

function readsRs1(op: Op): boolean {
  return op !== Op.LUI && op !== Op.AUIPC && op !== Op.JAL && op !== Op.FENCE && op !== Op.FENCE_I;
}

function readsRs2(op: Op): boolean {
  return (op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || (op >= Op.ADD && op <= Op.REMU);
}

function writesRd(op: Op): boolean {
  return !((op >= Op.BEQ && op <= Op.BGEU) || (op >= Op.SB && op <= Op.SW) || op === Op.FENCE || op === Op.FENCE_I);
}
