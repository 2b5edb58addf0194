/**
 * Gives the interpreter (cpu.ts step() and what it calls) type feedback for its frequent cases
 * before V8 optimizes it (as arch-rv32's and arch-aarch64's warmup.ts): once per process, when a
 * CPU has retired cpu.ts WARM_UP_AT instructions (a short run skips it), a scratch CPU under the
 * same engine, with its own 64 KiB of RAM, runs warmup/warmup.s in 32-bit flat protected mode: each
 * ALU form of every operation (byte, word, dword; register, memory, immediates), MOV, LEA,
 * MOVZX/MOVSX, TEST, XCHG, PUSH/POP, multiply and divide, shifts and rotates, bit operations, every
 * condition (Jcc short and near, SETcc, CMOVcc), calls, returns and indirect jumps, LOOP, string
 * operations with and without REP, MMIO (a device page) and port I/O, then HLT, and an external
 * interrupt that wakes it (the run loop's INTR path). Every other pass runs
 * the program's build 0xc0000000 higher with paging on (runPass), as an OS kernel runs: the i386 Linux
 * boot compiled step() four times (deoptimized at its first EIP past 2^31, segment override, PUSH of a
 * negative imm8; on a loaded VM also a backward CALL/JMP rel32 or an XCHG past 2^30, met after V8 had
 * optimized it), now once (test/machine/linux-deopt.test.ts), twoByte() once instead of three times; the
 * boot's process CPU median 3744 -> 3654 ms (12 interleaved pairs; the guest run's wall within noise: the
 * compiles ran on the other core).
 *
 * Why: V8 compiled step() before the guest had run all of these, and threw the code away at the
 * first it had not (the compute kernel: "Insufficient type feedback" at MOV r/m, imm), then
 * compiled the whole function again: 150 ms of compile each time on the 2-core VM. Nothing here
 * touches the guest's machine: instruction counts are unchanged.
 */
import type { CpuContext, JitKit, WarmUpGate } from '../../../src/core/api.js';
import type { I386Cpu } from './cpu.js';
import { IF } from './flags.js';
import { HIGH, WARM_UP_CODE_AT, warmUpCode } from './warmup-code.js';

const RAM = 0x10000;
/** Where the program's device page is (where a pc's local APIC is). */
export const DEVICE = 0xfee00000;
/** The program's data page (EBX; ESI and EDI point into it) and its stack's top. */
const DATA = 0x8000;
const STACK_TOP = 0xf000;
/** The high passes' page directory and its two page tables (RAM and its alias at HIGH; the device page). */
const PAGE_DIRECTORY = 0xa000;
const RAM_TABLE = 0xb000;
const DEVICE_TABLE = 0xc000;
/** The GDT at 0: null, 0x08 flat 32-bit code, 0x10 flat 32-bit data, 0x18 32-bit code based at 2^31 (HIGH_CS). */
const GDT = [0, 0, 0xffff, 0x00cf9a00, 0xffff, 0x00cf9200, 0xffff, 0x80cf9a00 | 0];
const HIGH_CS = 0x18;
/** Passes: V8 allocates a function's feedback vector only after several calls (8 in Node 20). */
export const PASSES = 6;
/** More than the program's instructions: it stops at its HLT. */
const BUDGET = 10_000;
/** The external interrupt's delivery, its handler's IRET and the HLT. */
const INTERRUPT_BUDGET = 16;
/** The vector the warm-up's interrupt controller gives (the program's IDT has a gate for it). */
const VECTOR = 0x30;
let interruptsTaken = 0;
/**
 * The block pass's program (blockPass), flat 32-bit code at BLOCK_LOOP_AT: `mov esi, 300; L: cpuid; dec esi;
 * mov eax, [0x5ffe]; jmp M` and on the next page `M: jnz L; hlt`. No block holds CPUID (the interpreter runs it), so
 * the loop's block after it, once hot (jit.ts jitThreshold with paging off), runs through the dispatcher once a pass
 * and leaves before its load, which crosses a page (the interpreter's), then the JMP's block and, once both are past
 * their regionRuns-th run and their warm calls, on into M's through the chain (jit-chain.ts): runBlocks has type
 * feedback on those paths (without, the i386 Linux boot deoptimized it at its first chained call and ran it in V8's
 * baseline tier through most of the decompressor; and once the warm-up made it hot enough for TurboFan, at its
 * first block that left for the interpreter).
 */
const BLOCK_LOOP = [0xbe, 0x2c, 0x01, 0, 0, 0x0f, 0xa2, 0x4e, 0xa1, 0xfe, 0x5f, 0, 0, 0xe9, 0xee, 0x0f, 0, 0];
const BLOCK_LOOP_AT = 0x4000;
const BLOCK_LOOP_TAIL = [0x0f, 0x85, 0xff, 0xef, 0xff, 0xff, 0xf4];
const BLOCK_LOOP_TAIL_AT = 0x5000;
/** More than its instructions (five a pass). */
const BLOCK_PASS_BUDGET = 5 * 300 + 100;
/** The block pass's regionRuns: its blocks are translated again as regions after a few runs, not REGION_RUNS. */
const BLOCK_PASS_REGION_RUNS = 4;
let blockPasses = 0;
let chainedPasses = 0;

/** Block passes of this process's warm-ups that got a block to its regionRuns-th run (tests). */
export function warmUpBlockPasses(): number {
  return blockPasses;
}

/** Block passes of this process's warm-ups whose blocks ran on through the chain (tests). */
export function warmUpChainedPasses(): number {
  return chainedPasses;
}

/** External interrupts the warm-ups of this process have taken (tests). */
export function warmUpInterrupts(): number {
  return interruptsTaken;
}

let once: WarmUpGate | undefined;

/** Runs the warm-up once per process: `create` makes the scratch CPU, under `engine` (the real CPU's, for its field shapes). */
export function warmUpInterpreter(create: (ctx: CpuContext) => I386Cpu, kit: JitKit, engine: 'interp' | 'jit'): void {
  (once ??= kit.warmUpOnce()).run(() => [runWarmUp(create, kit, engine)]);
}

/** Whether this process has run the warm-up (tests). */
export function warmedUp(): boolean {
  return once?.done ?? false;
}

/**
 * Runs the program PASSES times on new scratch CPUs, the first half on one, the rest on another, and returns the
 * second (tests). Their INTA cycles are different functions, so that V8 compiles the run loop's call of a CPU's as a
 * generic call: with one function there it inlined the warm-up's and deoptimized loop() at the real machine's
 * first interrupt ("wrong call target"; the machine's is core builder.ts').
 */
export function runWarmUp(create: (ctx: CpuContext) => I386Cpu, kit: JitKit, engine: 'interp' | 'jit'): I386Cpu {
  const { bus, context } = kit.scratchMachine(0, RAM, DEVICE);
  // The INTA cycle of an 8259A with one request: its vector, the request then served.
  const served = (cpu: I386Cpu): number => (cpu.intr.set(false), interruptsTaken++, VECTOR);
  const first: I386Cpu = create({ ...context(engine), acknowledge: () => served(first) });
  const second: I386Cpu = create({ ...context(engine), acknowledge: function acknowledge() { return served(second); } });
  first.skipFirstCalls();
  second.skipFirstCalls();
  const code = [warmUpCode(), warmUpCode(true)];
  for (let pass = 0; pass < PASSES; pass++) runPass(pass < PASSES / 2 ? first : second, bus.ram.u8, code[pass % 2], pass % 2 === 1);
  if (engine === 'jit') for (const high of [false, true]) blockPass(first, bus.ram.u8, high);
  return second;
}

/**
 * Under the translator, a loop whose blocks get translated and run through the dispatcher (cpu.ts runBlocks),
 * one of them until it is translated again as a region (`regionRuns`, lowered for this pass): runBlocks then has
 * type feedback on its block-running paths, its REGION_RUNS path among them. The i386 Linux boot's decompressor
 * deoptimized runBlocks at its first block's REGION_RUNS-th run (a load without feedback) and ran it in V8's
 * baseline tier until its second TurboFan compile, queued behind the decompressor's wasm tier-ups.
 */
function blockPass(cpu: I386Cpu, ram: Uint8Array, high: boolean): void {
  ram.fill(0);
  new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2).set(GDT);
  ram.set(BLOCK_LOOP, BLOCK_LOOP_AT);
  ram.set(BLOCK_LOOP_TAIL, BLOCK_LOOP_TAIL_AT);
  cpu.reset();
  // `high`: EIP 2^31 higher, in a code segment based 2^31 lower (the same linear addresses, paging off): runBlocks'
  // paths see EIPs past 2^31 too (the i386 Linux boot's paged kernel deoptimized it at its first chained call).
  cpu.enterFlat32((high ? 0x80000000 : 0) + BLOCK_LOOP_AT, 0, GDT.length * 4 - 1, high ? HIGH_CS : 0x08, 0x10);
  cpu.regs[4] = STACK_TOP;
  const regionRuns = cpu.regionRuns;
  cpu.regionRuns = BLOCK_PASS_REGION_RUNS;
  cpu.run(BLOCK_PASS_BUDGET);
  cpu.regionRuns = regionRuns;
  if (cpu.regionRunsReached > 0) blockPasses++;
  if (cpu.chainedRuns > 0) chainedPasses++;
}

/**
 * One pass from reset, on fresh RAM (the program writes its data, stack and nothing else). `high`: the program's
 * build at HIGH with paging on (PAGE_DIRECTORY: RAM mapped flat and again at HIGH, the device page), as an OS
 * kernel runs: the interpreter's paging paths, and its sums and EIPs past 2^31, then have type feedback (the i386
 * Linux boot deoptimized step() at its first such values).
 */
function runPass(cpu: I386Cpu, ram: Uint8Array, code: Uint8Array, high: boolean): void {
  ram.fill(0);
  const words = new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2);
  words.set(GDT);
  ram.set(code, WARM_UP_CODE_AT);
  ram[DATA] = 1; // a divisor
  cpu.reset();
  const base = high ? HIGH : 0;
  cpu.enterFlat32(base + WARM_UP_CODE_AT, 0, GDT.length * 4 - 1, 0x08, 0x10);
  if (high) {
    const PRESENT_WRITABLE = 3;
    words[(PAGE_DIRECTORY >>> 2) + 0] = words[(PAGE_DIRECTORY >>> 2) + (HIGH >>> 22)] = RAM_TABLE | PRESENT_WRITABLE;
    words[(PAGE_DIRECTORY >>> 2) + (DEVICE >>> 22)] = DEVICE_TABLE | PRESENT_WRITABLE;
    for (let page = 0; page < RAM >>> 12; page++) words[(RAM_TABLE >>> 2) + page] = (page << 12) | PRESENT_WRITABLE;
    words[(DEVICE_TABLE >>> 2) + ((DEVICE >>> 12) & 0x3ff)] = DEVICE | PRESENT_WRITABLE;
    cpu.cr3 = PAGE_DIRECTORY;
    cpu.cr0 |= 0x80000000;
    cpu.flushTlb();
  }
  cpu.regs[4] = base + STACK_TOP;
  cpu.run(BUDGET);
  // Then an external interrupt at its HLT (vector 0x30, through the gate the program set; the handler's IRET returns
  // to the HLT), as a timer's tick wakes an OS's idle loop: the run loop's INTR path gets type feedback too (the i386
  // Linux boot deoptimized loop() at its first interrupt, then ran it in V8's baseline tier for ~0.3 s).
  cpu.pc = base + WARM_UP_CODE_AT + code.length - 1;
  cpu.eflags |= IF;
  cpu.intr.set(true);
  cpu.run(INTERRUPT_BUDGET);
}
