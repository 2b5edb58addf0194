/**
 * Gives the interpreter's loop (execute.ts) type feedback for every frequent case before V8
 * optimizes it: once per process, when a hart has retired cpu.ts WARM_UP_AT instructions (a short
 * run skips it), a scratch hart with its own 64 KiB of RAM runs each integer,
 * M, load/store (TLB miss and hit; RAM and a device's MMIO, whose bus path a compiled region
 * leaves to the interpreter), branch, jump and fence instruction once, one CSR access, a
 * 32-bit instruction that straddles two pages (compressed code puts some there), and a WFI that
 * ends it; and, from reset, an MRET to S-mode under Sv32 whose first fetch page-faults back to
 * M-mode (Linux takes one such fault when it turns its MMU on, about 100 ms into a boot).
 *
 * Why: V8 compiles execute() (a large function) from the feedback its bytecode has collected.
 * A case the guest had not run yet by then has none, and the first time the guest runs it
 * (a kernel's first REM or LHU, seconds into a boot) the optimized code is thrown away and the
 * whole function compiled again: 10-15 times per Linux boot, 80-200 ms of compile each on the
 * 2-core VM. Nothing here touches the guest's machine: instruction counts are unchanged.
 */
import type { CpuContext, JitKit, WarmUpGate } from '../../../src/core/api.js';
import type { Rv32Cpu } from './cpu.js';
import { execute } from './execute.js';

const BASE = 0x80000000;
const RAM = 0x10000;
/** Where the warm-up's device is (a page of registers that read as 0 and ignore writes). */
export const DEVICE = 0x10000000;

/**
 * Passes: V8 allocates a function's feedback vector only after several calls (8 in Node 20), and
 * the slow paths are called a few times per pass; with 3, writePhys had no feedback yet for the
 * byte store of the last pass it saw, and its first SB on a TLB miss in a boot deoptimized it.
 */
export const PASSES = 6;
/** Iterations of each warm-up loop: past JIT_THRESHOLD. */
const LOOPS = 100;

/** Once per process; the scratch harts kept alive (V8's feedback refers to their closures, a compiled region, bus listeners, weakly). */
let once: WarmUpGate | undefined;

/**
 * Runs the warm-up programs once per process (`create` makes the scratch harts), a pass of each
 * in turn (the jit hart's first): the guest may have run a while before (cpu.ts WARM_UP_AT), so
 * V8 can mark execute() for optimization during the warm-up rather than at its end, and its
 * compile reads the feedback there is then. Passes in turn give every case its feedback in the
 * first passes; with the interpreter's six passes first, V8 compiled execute() before the jit
 * hart's first region call, for the guest's only region ("wrong call target" at its next one).
 */
export function warmUpInterpreter(create: (ctx: CpuContext) => Rv32Cpu, kit: JitKit): void {
  (once ??= kit.warmUpOnce()).run(() => {
    const harts = [scratchHart(create, kit, 'jit'), scratchHart(create, kit, 'interp')];
    for (let pass = 0; pass < PASSES; pass++) for (const cpu of harts) runPass(cpu);
    return harts;
  });
}

/** Whether this process has run the warm-up (tests). */
export function warmedUp(): boolean {
  return once?.done ?? false;
}

/**
 * Runs a warm-up program PASSES times on a new scratch hart and returns it (tests): under
 * `interp` every frequent case of the switch; under `jit` the block-boundary path (a loop that
 * gets compiled, then runs compiled, and a loop whose head cannot be compiled).
 */
export function runWarmUp(create: (ctx: CpuContext) => Rv32Cpu, kit: JitKit, engine: 'interp' | 'jit' = 'interp'): Rv32Cpu {
  const cpu = scratchHart(create, kit, engine);
  for (let pass = 0; pass < PASSES; pass++) runPass(cpu);
  return cpu;
}

/** A new scratch hart under `engine` on a bus of its own, with its warm-up program in RAM. */
function scratchHart(create: (ctx: CpuContext) => Rv32Cpu, kit: JitKit, engine: 'interp' | 'jit'): Rv32Cpu {
  const { bus, context } = kit.scratchMachine(BASE, RAM, DEVICE);
  const ram = bus.ram;
  const cpu = create(context(engine));
  cpu.compileWork = 0;
  const words = engine === 'jit' ? warmUpLoops() : warmUpProgram();
  for (let k = 0; k < words.length; k++) ram.i32[k] = words[k];
  if (engine === 'interp') {
    crossingCode().forEach((half, k) => (ram.u16[((CROSS_AT - 4) >>> 1) + k] = half));
    fetchFaultProgram().forEach((word, k) => (ram.i32[(FAULT_AT >>> 2) + k] = word));
  }
  return cpu;
}

/**
 * One pass of a scratch hart's program, from reset (TLB misses, first decodes and all). V8
 * allocates a function's feedback storage only after its first calls: the program runs PASSES times.
 */
function runPass(cpu: Rv32Cpu): void {
  if (cpu.jit) {
    cpu.reset();
    cpu.pc = BASE;
    cpu.run(10_000);
    return;
  }
  runFetchFault(cpu);
  cpu.reset();
  cpu.pc = BASE;
  cpu.run(warmUpProgram().length);
  runCrossing(cpu);
}

/**
 * Three loops of LOOPS iterations, the second headed by a CSR access (no block starts there), then
 * WFI. Two compiled loops, so that execute()'s call of a region sees two functions: with one, V8
 * specializes the call to it and deoptimizes at a boot's second region ("wrong call target").
 */
export function warmUpLoops(): number[] {
  const bne = (f: number) => ((f >> 12) & 1) << 31 | (((f >> 5) & 0x3f) << 25) | (0 << 20) | (9 << 15) | (1 << 12) | (((f >> 1) & 0xf) << 8) | (((f >> 11) & 1) << 7) | 0x63;
  return [
    addi(9, 0, LOOPS), addi(T3, T3, 1), addi(9, 9, -1), bne(-8),
    addi(9, 0, LOOPS), (0x340 << 20) | (2 << 12) | (T3 << 7) | 0x73, addi(9, 9, -1), bne(-8),
    addi(9, 0, LOOPS), addi(T3, T3, 2), addi(9, 9, -1), bne(-8),
    WFI,
  ];
}

// Registers: t0 (5) data address, t1 (6) and t2 (7) operands, t3 (28) results.
const T0 = 5;
const T1 = 6;
const T2 = 7;
const T3 = 28;

const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number) => (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x33;
const i = (op: number, imm: number, rs1: number, f3: number, rd: number) => ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
const s = (imm: number, rs2: number, rs1: number, f3: number) => (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | 0x23;
/** Branch to pc + 8 (over one instruction). */
const b = (f3: number, rs1: number, rs2: number) => (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (8 << 7) | 0x63;
const lui = (rd: number, hi: number) => (hi << 12) | (rd << 7) | 0x37;
const addi = (rd: number, rs1: number, imm: number) => i(0x13, imm, rs1, 0, rd);
const NOP = addi(0, 0, 0);
const WFI = 0x10500073;

/** The program's instruction words, from the start of RAM. */
export function warmUpProgram(): number[] {
  const p: number[] = [lui(T0, 0), (0 << 12) | (T1 << 7) | 0x17 /* auipc */, addi(T1, 0, 7), addi(T2, 0, 3)];
  // Register-immediate: addi slti sltiu xori ori andi, slli srli srai.
  for (const f3 of [0, 2, 3, 4, 6, 7]) p.push(i(0x13, 5, T1, f3, T3));
  p.push(i(0x13, 2, T1, 1, T3), i(0x13, 2, T1, 5, T3), i(0x13, 0x400 | 2, T1, 5, T3));
  // Register-register and M, then division by zero and by -1.
  for (const f3 of [0, 1, 2, 3, 4, 5, 6, 7]) p.push(r(0, T2, T1, f3, T3));
  p.push(r(0x20, T2, T1, 0, T3), r(0x20, T2, T1, 5, T3));
  for (const f3 of [0, 1, 2, 3, 4, 5, 6, 7]) p.push(r(1, T2, T1, f3, T3));
  for (const f3 of [4, 5, 6, 7]) p.push(r(1, 0, T1, f3, T3));
  p.push(addi(T2, 0, -1), r(1, T2, T1, 4, T3), r(1, T2, T1, 6, T3));
  // Loads and stores: each on a page of its own (a TLB miss, the slow path), then again (a hit).
  const access = [s(0, T1, T0, 2), s(0, T1, T0, 1), s(0, T1, T0, 0), i(3, 0, T0, 2, T3), i(3, 0, T0, 1, T3), i(3, 0, T0, 5, T3), i(3, 0, T0, 0, T3), i(3, 0, T0, 4, T3)];
  access.forEach((insn, k) => p.push(lui(T0, (BASE >>> 12) + 1 + k), insn, insn));
  // The same on the device: the bus's MMIO path (the first one after V8 optimized the slow path
  // deoptimized it, and the virt OS boot then ran it unoptimized).
  p.push(lui(T0, DEVICE >>> 12), ...access);
  // Stores to the program's own page, past its code (a page holding decoded code: the hart is told).
  p.push(lui(T0, BASE >>> 12), s(0x7fc, T1, T0, 0), s(0x7f0, T1, T0, 2), s(0x7f4, T1, T0, 1), s(0x7f8, T1, T0, 0));
  // Branches taken (skipping a nop) and not taken; fences; jal and jalr to the next instruction.
  for (const f3 of [0, 1, 4, 5, 6, 7]) p.push(b(f3, T1, T1), NOP, b(f3, T1, T2), b(f3, T2, T1));
  p.push(0x0ff0000f /* fence */, 0x0000100f /* fence.i */, (2 << 21) | (1 << 7) | 0x6f /* jal ra, +4 */);
  p.push(i(0x17, 0, 0, 0, T3) /* auipc t3, 0 */, i(0x67, 8, T3, 0, 0) /* jalr x0, 8(t3) */, NOP);
  // One CSR access: the switch's way out to system.ts.
  p.push((0x340 << 20) | (2 << 12) | (T3 << 7) | 0x73 /* csrrs t3, mscratch, x0 */);
  // WFI with no interrupt enabled: the hart waits and execute() returns.
  p.push(WFI);
  return p;
}

/** Where (offset in RAM) the warm-up's 32-bit instruction across a page boundary is. */
export const CROSS_AT = 0xaffe;

/**
 * Runs crossingCode in one execute() call: the hart's first calls (cpu.ts WARMUP_CALLS, all of
 * the warm-up program's) run one instruction each and so start every instruction with a fetch,
 * which handles a page-straddling instruction itself; only a call that runs on reaches the CROSS case.
 */
function runCrossing(cpu: Rv32Cpu): void {
  cpu.pc = BASE + CROSS_AT - 4;
  execute(cpu, 3);
}

/**
 * The halfwords from CROSS_AT - 4: `addi t3, t3, 1`, the same split over two pages (execute's
 * CROSS case: reached by running on from the same page, not by a jump, which fetches it
 * directly), then a WFI with no interrupt enabled: the hart waits and execute() returns.
 */
export function crossingCode(): number[] {
  const halves = (w: number) => [w & 0xffff, w >>> 16];
  return [...halves(addi(T3, T3, 1)), ...halves(addi(T3, T3, 1)), ...halves(WFI)];
}

/** Where (offset in RAM) fetchFaultProgram is; its root page table (all PTEs invalid) is the page after. */
export const FAULT_AT = 0xc000;
/**
 * The virtual address the S-mode accesses and fetch fault on: past 2^31, as a kernel's (Linux's first fetch page fault,
 * as it turns its MMU on, is at 0xc0xxxxxx): with 0x1000 the trap's path had small-integer feedback only, and
 * execute()'s optimized code was thrown away there ("lost precision").
 */
export const FAULT_VA = 0xc0001000;

/**
 * M-mode code: a PMP rule that lets S-mode at all memory (without one MRET to S faults, as on
 * QEMU), satp = Sv32 with an empty root table, and mstatus.MPRV with MPP = S, so that a store and
 * then a load at FAULT_VA page-fault (priv spec 3.1.6.3, 4.3.2: the slow paths' raise, which a
 * copy-on-write store in an OS boot takes first; each trap's handler is the next step); then MPRV
 * cleared, MPP = S, mepc = FAULT_VA, MRET; the fetch at FAULT_VA page-faults to M-mode's handler
 * (FETCH_FAULT_HANDLER), which jumps to the scratch device's page: a fetch from a page that is not RAM (resolveFetch's
 * fetchOne, as a boot ROM's code: a second boot in one process met it with execute() optimized), whose all-zero
 * parcel is an illegal instruction, taken to the WFI at the end.
 */
export function fetchFaultProgram(): number[] {
  const csrw = (csr: number, rs1: number) => (csr << 20) | (rs1 << 15) | (1 << 12) | 0x73;
  const csrs = (csr: number, rs1: number) => (csr << 20) | (rs1 << 15) | (2 << 12) | 0x73;
  const csrc = (csr: number, rs1: number) => (csr << 20) | (rs1 << 15) | (3 << 12) | 0x73;
  const root = (BASE + FAULT_AT + 0x1000) >>> 12;
  /** mtvec = the instruction `k` words after the program's start (lui + addi + csrw). */
  const mtvec = (k: number) => {
    const at = BASE + FAULT_AT + 4 * k;
    return [lui(T2, (at + 0x800) >>> 12), addi(T2, T2, (at << 20) >> 20), csrw(0x305, T2)];
  };
  const mppS = [lui(T2, 1), csrc(0x300, T2), addi(T2, T2, -2048), csrs(0x300, T2)]; // mstatus.MPP = S (a trap to M set it to M)
  const p: number[] = [addi(T0, 0, -1), csrw(0x3b0, T0), addi(T0, 0, 0x1f), csrw(0x3a0, T0)]; // PMP: all of memory, RWX (NAPOT)
  p.push(lui(T0, 0x80000 | (root >>> 12)), addi(T0, T0, root & 0xfff), csrw(0x180, T0)); // satp: MODE = Sv32
  p.push(...mtvec(p.length + 11), ...mppS, lui(T2, 0x20), csrs(0x300, T2), lui(T0, FAULT_VA >>> 12)); // MPRV
  p.push(s(0, T1, T0, 2)); // sw: store page fault
  p.push(...mtvec(p.length + 8), ...mppS, i(3, 0, T0, 2, T3)); // lw: load page fault
  p.push(lui(T2, 0x20), csrc(0x300, T2)); // MPRV off
  p.push(...mtvec(FETCH_FAULT_HANDLER), ...mppS, csrw(0x341, T0), 0x30200073 /* mtvec = the handler; mepc = FAULT_VA; mret */);
  if (p.length !== FETCH_FAULT_HANDLER) throw new Error(`rv32 warm-up: the fetch fault's handler is word ${p.length}`);
  p.push(...mtvec(p.length + 5), lui(T0, DEVICE >>> 12), i(0x67, 0, T0, 0, 0) /* mtvec = the WFI; jalr x0, 0(t0) */, WFI);
  return p;
}

/** The word of fetchFaultProgram where its S-mode fetch's page fault is taken. */
export const FETCH_FAULT_HANDLER = 37;

/** Runs fetchFaultProgram from reset: the hart stops at its WFI in M-mode with mcause = 2 (the device page's parcel). */
export function runFetchFault(cpu: Rv32Cpu): void {
  cpu.reset();
  cpu.pc = BASE + FAULT_AT;
  cpu.run(64);
}
