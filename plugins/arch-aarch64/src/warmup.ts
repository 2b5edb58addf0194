/**
 * Gives the interpreter (execute.ts interpret()) type feedback for its frequent cases before V8
 * optimizes it (as arch-rv32's warmup.ts): once per process, when a core has retired cpu.ts
 * WARM_UP_AT instructions (a short run skips it), a scratch core with its own 64 KiB of
 * RAM runs each integer data-processing form (both widths, the flag-setting ones), loads and
 * stores of every size and addressing mode (RAM and a device's MMIO), pairs, the branches taken
 * and not, system-register accesses, an FP instruction, an SVC to its vector and ERETs, then a WFI
 * that ends it; every other pass through the MMU at an alias past 2^31 (mapped()), as an OS runs.
 *
 * Why: under the translator the interpreter runs the code between regions, and V8 threw away
 * interpret()'s optimized code and compiled the whole function again each time the guest first
 * ran a form it had not seen (the compute kernel: 5 such compiles of 100-170 ms each after the
 * branch-free forms). Nothing here touches the guest's machine: instruction counts are unchanged.
 */
import type { CpuContext, JitKit, WarmUpGate } from '../../../src/core/api.js';
import type { A64Cpu } from './cpu.js';
import { writeElRegister } from './el-registers.js';
import { NO_BLOCK } from './jit.js';
import { SYSREG_MAIR_EL3, SYSREG_TCR_EL3, SYSREG_TTBR0_EL3, writeMmuRegister } from './mmu-sys.js';
import { SCR_IRQ, SYSREG_SCTLR_EL3 } from './sysregs.js';

const BASE = 0;
const RAM = 0x10000;
/** Where the warm-up's device is (a page of registers that read as 0 and ignore writes). */
export const DEVICE = 0x3f000000;
/**
 * Passes of each core: V8 allocates a function's feedback vector only after its first calls, and a
 * new core's first 1000 execute() calls run one instruction each (cpu.ts WARMUP_CALLS).
 */
export const PASSES = 6;

/** Once per process; the scratch cores kept alive (V8's feedback refers to what they reach weakly). */
let once: WarmUpGate | undefined;

/** Runs the warm-up once per process (`create` makes the scratch core). */
export function warmUpInterpreter(create: (ctx: CpuContext) => A64Cpu, kit: JitKit): void {
  (once ??= kit.warmUpOnce()).run(() => [runWarmUp(create, kit)]);
}

/** Whether this process has run the warm-up (tests). */
export function warmedUp(): boolean {
  return once?.done ?? false;
}

/**
 * Runs the warm-up program PASSES times on each of two scratch cores and returns the first (tests).
 * One runs under the translator's dispatch() (no translation: too few instructions, cpu.ts
 * compileBlockAt), where the interpreter takes its paths for control transfers and page changes
 * (a slot's heat, back to dispatch()) that it never takes alone; it runs whole passes from its
 * first, so that those paths have type feedback before V8 marks interpret() for optimization (during
 * the other core's one-instruction calls; the compile reads the feedback there is then). Each
 * pass of the jit core comes before the same pass of the interpreter's.
 */
export function runWarmUp(create: (ctx: CpuContext) => A64Cpu, kit: JitKit): A64Cpu {
  const { bus, context } = kit.scratchMachine(BASE, RAM, DEVICE);
  const [interp, jit] = (['interp', 'jit'] as const).map((engine) => create(context(engine)));
  jit.skipSingleSteps();
  // The data page has the flags of a page holding translated code: a store there takes the
  // interpreter's path that tells the core (cpu.ramWritten).
  bus.markCode((DATA - BASE) >>> 12);
  const words = warmUpProgram();
  for (let pass = 0; pass < PASSES; pass++) {
    for (const cpu of [jit, interp]) {
      for (let k = 0; k < words.length; k++) bus.ram.i32[k] = words[k];
      bus.ram.i32[FAR >>> 2] = farCode(words);
      bus.ram.i32[(VECTORS + 0x200) >>> 2] = ERET;
      cpu.reset();
      if (pass % 2 === 1) mapped(cpu, bus.ram.i32);
      // The interpreter under dispatch() running on into a slot with an entry (execute.ts): here
      // NO_BLOCK (nothing to run), so that the check has type feedback.
      if (cpu === jit) {
        cpu.resolveFetch(BASE, 0);
        cpu.setFetchEntry(1, NO_BLOCK);
      }
      cpu.run(words.length);
      interruptAtWfi(cpu, bus.ram.i32, words.length);
    }
  }
  return interp;
}

/** Interrupts the warm-ups of this process have taken (tests). */
let interruptsTaken = 0;
export function warmUpInterrupts(): number {
  return interruptsTaken;
}

/**
 * An IRQ at the program's closing WFI (`words` long), as a timer's tick wakes an OS's idle loop: routed to EL3
 * (SCR_EL3.IRQ) and unmasked, it is taken to VECTORS + 0x280 (the current EL with SP_ELx), whose ERET returns to the
 * WFI, which it runs again: run()'s interrupt path then has type feedback (the arm64 Linux boot deoptimized run() at its first IRQ and ran
 * it in V8's baseline tier until V8 compiled it again).
 */
function interruptAtWfi(cpu: A64Cpu, ram: Int32Array, words: number): void {
  ram[(VECTORS + 0x280) >>> 2] = ERET;
  const wfi = BASE + 4 * (words - 1), EL3 = 3;
  cpu.scr |= SCR_IRQ;
  cpu.daif &= ~0x80; // PSTATE.I
  cpu.pc = wfi;
  cpu.elr[2 * EL3] = -1;
  const line = cpu.irqInput('irq')!;
  line.set(true);
  cpu.run(1); // the IRQ's entry, then its handler's ERET
  line.set(false);
  if (cpu.elr[2 * EL3] === wfi && cpu.pcLo === wfi) interruptsTaken++;
  cpu.run(1); // the WFI again: the core waits, as at the program's end
}

/** The odd passes' translation tables (RAM offsets): levels 1, 2 and 3 of a 4 KiB granule. */
const LEVEL1 = 0xe000;
const LEVEL2 = 0xd000;
const LEVEL3 = 0xc000;
/** Where the odd passes see RAM a second time (x15: the program's data address there): a VA whose low word is negative. */
export const HIGH_ALIAS = 0x80000000;

/**
 * Stage 1 of EL3 on (the core resets at EL3) for an odd pass: the scratch RAM's pages mapped flat by level-3 pages
 * (through a level-1 and a level-2 table, as an OS kernel's 4 KiB pages), again at HIGH_ALIAS (the same level-2
 * table), and the device's 2 MiB by a level-2 block; TCR_EL3.T0SZ 25 (39-bit VAs, level 1 first). An OS runs
 * almost all its code with the MMU on and at addresses past 2^31 (Linux's 0xffffff80_xxxxxxxx): the
 * interpreter's TLB paths, its page walks and its address sums then have type feedback before V8 optimizes it.
 */
function mapped(cpu: A64Cpu, ram: Int32Array): void {
  const AF = 1 << 10;
  const NORMAL = 1 << 2; // MAIR_EL3 index 1 (0xff)
  ram.fill(0, LEVEL3 >>> 2, (LEVEL1 + 4096) >>> 2);
  ram[LEVEL1 >>> 2] = ram[(LEVEL1 + 8 * (HIGH_ALIAS >>> 30)) >>> 2] = LEVEL2 | 3;
  ram[LEVEL2 >>> 2] = LEVEL3 | 3;
  ram[(LEVEL2 + 8 * (DEVICE >>> 21)) >>> 2] = DEVICE | AF | NORMAL | 1;
  for (let page = 0; page < RAM >>> 12; page++) ram[(LEVEL3 >>> 2) + 2 * page] = (BASE + (page << 12)) | AF | NORMAL | 3;
  writeMmuRegister(cpu, SYSREG_MAIR_EL3, 31, 0xff04, 0, 0, 0);
  writeMmuRegister(cpu, SYSREG_TCR_EL3, 31, 25, 0, 0, 0);
  writeMmuRegister(cpu, SYSREG_TTBR0_EL3, 31, BASE + LEVEL1, 0, 0, 0);
  writeElRegister(cpu, SYSREG_SCTLR_EL3, 0x30c50831, 0);
  cpu.xl[15] = HIGH_ALIAS;
}

// Registers: x0-x7 operands and results, x8 the data address (x15 added: HIGH_ALIAS in the odd passes, else 0), x9 the
// device's, x10 a branch target, x12-x14 addresses.
const DATA = BASE + 0x8000;

const addImm = (sf: number, sub: number, s: number, rd: number, rn: number, imm: number) => (sf << 31) | (sub << 30) | (s << 29) | (0b100010 << 23) | (imm << 10) | (rn << 5) | rd;
/** AND, ORR, EOR, ANDS with #0xff. */
const logImm = (sf: number, opc: number, rd: number, rn: number) => (sf << 31) | (opc << 29) | (0b100100 << 23) | (sf << 22) | (7 << 10) | (rn << 5) | rd;
const movWide = (sf: number, opc: number, rd: number, imm: number, hw = 0) => (sf << 31) | (opc << 29) | (0b100101 << 23) | (hw << 21) | (imm << 5) | rd;
const bitfield = (sf: number, opc: number, rd: number, rn: number, immr: number, imms: number) => (sf << 31) | (opc << 29) | (0b100110 << 23) | (sf << 22) | (immr << 16) | (imms << 10) | (rn << 5) | rd;
const addShifted = (sf: number, sub: number, s: number, rd: number, rn: number, rm: number, shift = 0, amount = 0) => (sf << 31) | (sub << 30) | (s << 29) | (0b01011 << 24) | (shift << 22) | (rm << 16) | (amount << 10) | (rn << 5) | rd;
const addExtended = (sf: number, sub: number, s: number, rd: number, rn: number, rm: number, option: number, amount: number) => (sf << 31) | (sub << 30) | (s << 29) | (0b01011 << 24) | (1 << 21) | (rm << 16) | (option << 13) | (amount << 10) | (rn << 5) | rd;
const logShifted = (sf: number, opc: number, n: number, rd: number, rn: number, rm: number, shift = 0, amount = 0) => (sf << 31) | (opc << 29) | (0b01010 << 24) | (shift << 22) | (n << 21) | (rm << 16) | (amount << 10) | (rn << 5) | rd;
const condSelect = (sf: number, op: number, op2: number, rd: number, rn: number, rm: number, cond: number) => (sf << 31) | (op << 30) | (0b11010100 << 21) | (rm << 16) | (cond << 12) | (op2 << 10) | (rn << 5) | rd;
const dp1 = (sf: number, opcode: number, rd: number, rn: number) => (sf << 31) | (1 << 30) | (0b11010110 << 21) | (opcode << 10) | (rn << 5) | rd;
const dp2 = (sf: number, opcode: number, rd: number, rn: number, rm: number) => (sf << 31) | (0b11010110 << 21) | (rm << 16) | (opcode << 10) | (rn << 5) | rd;
const dp3 = (sf: number, op31: number, o0: number, rd: number, rn: number, rm: number, ra: number) => (sf << 31) | (0b11011 << 24) | (op31 << 21) | (rm << 16) | (o0 << 15) | (ra << 10) | (rn << 5) | rd;
/** LDR/STR (unsigned offset, scaled): opc 0 store, 1 load, 2 signed to 64 bits, 3 signed to 32. */
const ldst = (size: number, opc: number, rt: number, rn: number, imm12 = 0) => (size << 30) | (0b111 << 27) | (1 << 24) | (opc << 22) | (imm12 << 10) | (rn << 5) | rt;
/** LDR/STR pre-index (mode 3) or post-index (mode 1) by imm9. */
const ldstIndexed = (size: number, opc: number, rt: number, rn: number, imm9: number, mode: number) => (size << 30) | (0b111 << 27) | (opc << 22) | ((imm9 & 0x1ff) << 12) | (mode << 10) | (rn << 5) | rt;
/** LDR/STR [rn, rm, LSL #size] (option UXTX... as given). */
const ldstReg = (size: number, opc: number, rt: number, rn: number, rm: number, option = 3, s = 0) => (size << 30) | (0b111 << 27) | (opc << 22) | (1 << 21) | (rm << 16) | (option << 13) | (s << 12) | (2 << 10) | (rn << 5) | rt;
/** LDP/STP: opc 0 (32-bit), 1 (LDPSW), 2 (64-bit); mode 2 offset, 3 pre-index, 1 post-index. */
const pair = (opc: number, load: number, rt: number, rt2: number, rn: number, imm7: number, mode = 2) => (opc << 30) | (0b101 << 27) | (mode << 23) | (load << 22) | ((imm7 & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt;
/** Branches to pc + 8 (over the next instruction). */
const bcond = (cond: number) => (0b01010100 << 24) | (2 << 5) | cond;
const cb = (sf: number, nz: number, rt: number) => (sf << 31) | (0b011010 << 25) | (nz << 24) | (2 << 5) | rt;
const tb = (nz: number, rt: number, bit: number) => ((bit >> 5) << 31) | (0b011011 << 25) | (nz << 24) | ((bit & 31) << 19) | (2 << 5) | rt;
/** B by `offset` bytes. */
const branchTo = (offset: number) => (0b000101 << 26) | ((offset >> 2) & 0x3ffffff);
const B_NEXT = branchTo(4);
/** Where in its own page (past its code) the program stores to a page holding decoded code. */
export const CODE_PAGE_DATA = 0xf00;
/** EL3's exception vectors in the program's runs (RAM offset; VBAR_EL3): an ERET at the synchronous entry for the current EL. */
export const VECTORS = 0x2000;
/** Where the program's branch to another page goes (RAM offset). */
export const FAR = 0x1000;

/** The word at FAR: a branch back to the program's last instruction (its WFI). */
export function farCode(words: number[]): number {
  return branchTo((words.length - 1) * 4 - FAR);
}
const BL_NEXT = (0b100101 << 26) | 1;
const NOP = 0xd503201f | 0;
/** ADR rd, pc + 8. */
const adr8 = (rd: number) => (0b10000 << 24) | (2 << 5) | rd;
const WFI = 0xd503207f | 0;
const ERET = 0xd69f03e0 | 0;

/** The program's instruction words, from the start of RAM. */
export function warmUpProgram(): number[] {
  const p: number[] = [movWide(1, 2, 0, 0x1234), movWide(1, 3, 0, 0x8765, 1), movWide(1, 2, 1, 7), movWide(1, 2, 2, 5), movWide(1, 0, 4, 5), movWide(0, 0, 4, 5)];
  // MOVK of each width, into the low and the high word.
  p.push(movWide(0, 3, 3, 0x1111, 1), movWide(1, 3, 3, 0x2222, 2));
  p.push(movWide(1, 2, 8, DATA), addShifted(1, 0, 0, 8, 8, 15), movWide(1, 2, 9, DEVICE >>> 16, 1), adr8(10), (1 << 31) | (0b10000 << 24) | 11 /* adrp x11 */);
  // ADR x11, pc - 8: a sum of the words past 2^32 (a backward offset).
  p.push((0b10000 << 24) | (0x7fffe << 5) | 11);
  for (const sf of [0, 1]) {
    for (const [sub, s] of [[0, 0], [1, 0], [0, 1], [1, 1]]) p.push(addImm(sf, sub, s, 3, 0, 5), addShifted(sf, sub, s, 3, 0, 1, 1, 3), addExtended(sf, sub, s, 3, 0, 1, 2 + 4 * sf, 2));
    for (const opc of [0, 1, 2, 3]) p.push(logImm(sf, opc, 3, 0), logShifted(sf, opc, 0, 3, 0, 1, 0, 4), logShifted(sf, opc, 1, 3, 0, 1, 2, 1));
    p.push(logShifted(sf, 1, 0, 3, 31, 1) /* mov (register) */);
    const top = 31 + 32 * sf;
    p.push(bitfield(sf, 2, 3, 0, 4, top), bitfield(sf, 2, 3, 0, top - 3, top - 4), bitfield(sf, 0, 3, 0, 4, top), bitfield(sf, 0, 3, 0, 0, 7), bitfield(sf, 1, 3, 0, 8, 7));
    p.push((sf << 31) | (0b00100111 << 23) | (sf << 22) | (1 << 16) | (8 << 10) | (0 << 5) | 3 /* extr */, movWide(sf, 2, 4, 0xffff, 0));
    for (const [op, op2] of [[0, 0], [0, 1], [1, 0], [1, 1]]) p.push(condSelect(sf, op, op2, 3, 0, 1, 0), condSelect(sf, op, op2, 3, 0, 1, 1));
    for (const opcode of [0, 1, 2, 4, 5]) p.push(dp1(sf, opcode, 3, 0));
    for (const opcode of [2, 3, 8, 9, 10, 11]) p.push(dp2(sf, opcode, 3, 0, 1), dp2(sf, opcode, 3, 0, 31));
    p.push(dp3(sf, 0, 0, 3, 0, 1, 2), dp3(sf, 0, 1, 3, 0, 1, 2));
    p.push((sf << 31) | (0b11010000 << 21) | (1 << 16) | 3 /* adc */, (sf << 31) | (1 << 30) | (1 << 29) | (0b11010000 << 21) | (1 << 16) | 3 /* sbcs */);
    p.push((sf << 31) | (1 << 30) | (1 << 29) | (0b11010010 << 21) | (1 << 16) | (0 << 12) | 4 /* ccmp reg, eq */, (sf << 31) | (1 << 29) | (0b11010010 << 21) | (5 << 16) | (1 << 12) | (1 << 11) | 2 /* ccmn #5, ne */);
    p.push(cb(sf, 0, 0), NOP, cb(sf, 1, 0), NOP, cb(sf, 0, 31), NOP);
  }
  // SMADDL/SMSUBL, UMADDL/UMSUBL, SMULH, UMULH.
  p.push(dp3(1, 1, 0, 3, 0, 1, 2), dp3(1, 1, 1, 3, 0, 1, 2), dp3(1, 5, 0, 3, 0, 1, 2), dp3(1, 5, 1, 3, 0, 1, 2), dp3(1, 2, 0, 3, 0, 1, 31), dp3(1, 6, 0, 3, 0, 1, 31));
  // Flags set (cmp x0, x1) then every condition, taken or not, each over a NOP.
  p.push(addShifted(1, 1, 1, 31, 0, 1));
  for (let cond = 0; cond < 15; cond++) p.push(bcond(cond), NOP);
  p.push(tb(0, 0, 3), NOP, tb(1, 0, 3), NOP, tb(0, 0, 40), NOP, tb(1, 0, 40), NOP, B_NEXT, NOP, BL_NEXT, NOP);
  // BLR, BR and RET, each to the instruction after it.
  p.push(adr8(10), 0xd63f0000 | (10 << 5), adr8(10), 0xd61f0000 | (10 << 5), adr8(30), 0xd65f03c0);
  // Loads and stores: RAM (every size, signed loads, the addressing modes), then the device.
  for (const base of [8, 9]) {
    for (const size of [0, 1, 2, 3]) {
      p.push(ldst(size, 0, 0, base, 1), ldst(size, 1, 3, base, 1), ldstIndexed(size, 0, 0, base, 16, 3), ldstIndexed(size, 1, 3, base, -16, 1), ldstReg(size, 0, 0, base, 2), ldstReg(size, 1, 3, base, 2, 2, 1));
      if (size < 3) p.push(ldst(size, 2, 3, base, 1));
      if (size < 2) p.push(ldst(size, 3, 3, base, 1));
    }
    for (const opc of [0, 2]) p.push(pair(opc, 0, 0, 1, base, 2), pair(opc, 1, 3, 4, base, 2), pair(opc, 0, 0, 1, base, 4, 3), pair(opc, 1, 3, 4, base, -4, 1));
    p.push(pair(1, 1, 3, 4, base, 2));
  }
  // A base whose low word is 2^31 or more and an offset register of -2^31 (x12 + x13 = the data page): an OS's
  // addresses (Linux's 0xffffff80_xxxxxxxx) made interpret()'s address sum lose precision as a small integer.
  p.push(movWide(1, 2, 12, DATA), movWide(1, 3, 12, 0x8000, 1), movWide(1, 0, 13, 0x7fff, 1), movWide(1, 3, 13, 0));
  p.push(ldstReg(3, 1, 3, 12, 13), ldstReg(3, 0, 0, 12, 13));
  // Single and pair stores to the program's own page past its code (CODE_PAGE_DATA): a page holding decoded code keeps
  // its flags, so every pass takes the path that tells the core (the data page's flags go at its first store).
  p.push(movWide(1, 2, 14, CODE_PAGE_DATA), ldst(3, 0, 0, 14), ldst(0, 0, 0, 14), pair(2, 0, 0, 1, 14, 0), pair(0, 0, 0, 1, 14, 4));
  // An FP/SIMD instruction (FMOV D0, X0): the FP enable check and its call.
  p.push(0x9e670000);
  // LDR (literal) of the word after it; exclusives and acquire/release on the data page.
  p.push((1 << 30) | (0b011 << 27) | (2 << 5) | 3, B_NEXT, NOP);
  p.push(0xc85f7c00 | (8 << 5) | 3 /* ldxr x3, [x8] */, 0xc8007c00 | (5 << 16) | (8 << 5) | 3 /* stxr w5, x3, [x8] */, 0xc8dffc00 | (8 << 5) | 3 /* ldar */, 0xc89ffc00 | (8 << 5) | 3 /* stlr */);
  // NZCV read and written: a system-register access.
  p.push(0xd53b4200 | 3 /* mrs x3, nzcv */, 0xd51b4200 | 3 /* msr nzcv, x3 */, NOP);
  // SVC, taken to EL3's vector for the current EL (VECTORS + 0x200: an ERET back after it), and MSR DAIFSet: an OS's
  // system calls and interrupt masking.
  p.push(movWide(1, 2, 3, VECTORS), 0xd51ec000 | 3 /* msr vbar_el3, x3 */, 0xd4000001 /* svc #0 */, 0xd5034fdf /* msr daifset, #0xf */);
  // ERET to the instruction after it, at EL3 still (SPSR_EL3: EL3h, DAIF masked): an OS's return from each exception.
  p.push((0b10000 << 24) | (5 << 5) | 10 /* adr x10, pc + 20 */, movWide(1, 2, 3, 0x3cd), 0xd51e4020 | 10 /* msr elr_el3, x10 */, 0xd51e4000 | 3 /* msr spsr_el3, x3 */, ERET);
  // A conditional branch back to the program's start, never taken (CBNZ XZR): a long loop's closing
  // branch as cpu.ts loopClosed sees it (its compares get V8's feedback; interpret() inlines it).
  p.push((1 << 31) | (0b011010 << 25) | (1 << 24) | ((-p.length & 0x7ffff) << 5) | 31);
  // A branch to the next page and back (farCode): a fetch from another page.
  p.push(branchTo(FAR - p.length * 4));
  // WFI with no interrupt enabled: the core waits and run() returns.
  p.push(WFI);
  return p.map((w) => w | 0);
}
