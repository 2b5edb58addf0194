/**
 * The engines side by side (issue 11): every test kernel and guest program of every board runs under
 * `--engine interp` and `--engine jit`, and both must end with the same console output, the same
 * retired instruction count (per CPU) and the same registers (`Cpu.inspect()`). Deterministic time
 * comes from the instruction count, so a translator that miscounts shows here as a different transcript
 * or count. Long runs are cut at a `maxInsns` bound: the state at an exact instruction count is compared.
 *
 * rv32, aarch64 and i386 each have a translator: their long cases must compile blocks. The rv32 cases
 * run twice: with the JavaScript regions (RVOS_JIT_WASM=0, as in a process started for huge pages) and
 * with the wasm regions (RVOS_JIT_WASM=1, the default elsewhere; bus.ts wasmRamWanted) under `jit`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine, RegisterValue } from '../../src/core/api.js';
import { startMachine, type TestMachineOptions } from '../../src/testing/machine.js';
import { programElf, programs } from '../helpers/programs.js';
import { tempFile } from '../helpers/raspi3b.js';
import * as virtOs from '../helpers/virt-os.js';
import { LINUX_RV32_APPEND, linuxRv32Build } from '../helpers/linux-rv32.js';
import { linuxI386Build, linuxI386Machine } from '../helpers/linux-i386.js';

const kernels = join(import.meta.dirname, '../../kernels');
const bench = (name: string) => join(kernels, 'bench/build', name);
/** A copy of a disk image: guests write through, and each run must start from the same bytes. */
const diskCopy = (path: string, spec: string) => [`file=${tempFile('engine-diff.img', readFileSync(path))},${spec}`];
const sessionLines = (path: string) => readFileSync(path, 'latin1').split(/(?<=\n)/);

interface RunSpec extends TestMachineOptions {
  maxInsns: number;
  /** Typed into the console before the start. */
  input?: string;
  /** Typed one at a time, each when the guest has written `prompt` after the previous one. */
  lines?: string[];
  prompt?: string;
}

interface Case {
  name: string;
  /** Files the case needs (skipped when one is not built). */
  needs: string[];
  /** Run options, made afresh for each engine (disk copies). */
  run: () => RunSpec;
  /**
   * Host time each engine's run may take (default RUN_LIMIT_MS): a guard against a hang only, since
   * maxInsns bounds the work; long interpreted runs get more, for busy 2-core CI machines.
   */
  limitMs?: number;
}

const RUN_LIMIT_MS = 120_000;

interface Outcome {
  output: string;
  reason: string;
  exitCode?: number;
  instructions: number;
  /** Session lines typed (the bound must leave room for a few commands). */
  linesTyped: number;
  cpus: Array<{ retired: number; pc: number; privilege: string; registers: RegisterValue[] }>;
  /** rv32, i386: blocks compiled (0 under the interpreter). */
  compiled: number;
}

/**
 * Types `lines` at the instruction that writes each prompt: the console's `write` is where the guest's
 * store lands, so the input arrives at the same instruction count under every engine. (The harness's
 * `replies` answer between slices, at a host-time-dependent count, which two runs need not share.)
 */
function typeAtPrompts(console: { write(byte: number): void; input(bytes: Uint8Array): void }, lines: string[], prompt: string): () => number {
  const write = console.write.bind(console);
  let tail = '';
  let next = 0;
  console.write = (byte: number) => {
    write(byte);
    tail = (tail + String.fromCharCode(byte)).slice(-prompt.length);
    if (tail === prompt && next < lines.length) {
      tail = '';
      console.input(new Uint8Array(Buffer.from(lines[next++], 'latin1')));
    }
  };
  return () => next;
}

async function runUnder(engine: Engine, c: Case): Promise<Outcome> {
  const { maxInsns, input, lines, prompt, ...opts } = c.run();
  const m = await startMachine({ ...opts, session: { ...opts.session, engine } });
  // rv32 harts compile at their arrival thresholds alone, as before COMPILE_WORK (with paging on too), so that
  // the comparison covers translated code on short runs too.
  for (const cpu of m.machine.cpus) {
    if ('compileWork' in cpu) (cpu as { compileWork: number }).compileWork = 0;
    if ('pagedCompileWork' in cpu) (cpu as { pagedCompileWork: number }).pagedCompileWork = 0;
  }
  try {
    if (input) m.type(input);
    const typed = lines ? typeAtPrompts(m.session.console!, lines, prompt ?? '$ ') : () => 0;
    const r = await m.machine.run({ maxInsns, timeoutMs: c.limitMs ?? RUN_LIMIT_MS });
    if (r.error) throw r.error;
    if (lines) expect(typed(), 'session lines typed within the bound').toBeGreaterThanOrEqual(2);
    const cpus = m.machine.cpus.map((cpu) => ({ retired: cpu.retired, pc: cpu.pc, privilege: cpu.privilegeName(), registers: cpu.inspect() }));
    const compiled = m.machine.cpus.reduce((n, cpu) => n + ((cpu as { blocksCompiled?: number }).blocksCompiled ?? 0), 0);
    return { output: m.output, reason: r.reason, exitCode: r.exitCode, instructions: r.instructions, linesTyped: typed(), cpus, compiled };
  } finally {
    await m.close();
  }
}

/** Runs `c` under both engines and compares everything but the compile statistics. */
async function expectSameUnderBothEngines(c: Case, translated: boolean, wasm: WasmSwitch | undefined): Promise<void> {
  const interp = await runUnder('interp', c);
  const jit = wasm !== undefined ? await withWasmSwitch(wasm, () => runUnder('jit', c)) : await runUnder('jit', c);
  expect(interp.reason).not.toBe('timeout');
  expect(interp.instructions).toBeGreaterThan(0);
  expect(interp.compiled).toBe(0);
  // A long run must have run translated code (short ones may stay below the translator's heat threshold).
  if (translated && interp.instructions >= 2_000_000) expect(jit.compiled).toBeGreaterThan(0);
  const { compiled: _a, ...a } = interp;
  const { compiled: _b, ...b } = jit;
  expect(b).toEqual(a);
}

/** RVOS_JIT_WASM's value; the per-arch switches (RVOS_JIT_WASM_A64, RVOS_JIT_WASM_I386) unset. */
type WasmSwitch = '0' | '1';

/** Runs `body` with RVOS_JIT_WASM=`value`: every arch's regions compiled to WebAssembly (1, the default, jit-wasm.ts) or JavaScript (0: RAM an ArrayBuffer, jit.ts). */
async function withWasmSwitch<T>(value: WasmSwitch, body: () => Promise<T>): Promise<T> {
  const names = ['RVOS_JIT_WASM', 'RVOS_JIT_WASM_A64', 'RVOS_JIT_WASM_I386'] as const;
  const before = names.map((n) => process.env[n]);
  process.env.RVOS_JIT_WASM = value === '0' ? '0' : '1';
  delete process.env.RVOS_JIT_WASM_A64;
  delete process.env.RVOS_JIT_WASM_I386;
  try {
    return await body();
  } finally {
    names.forEach((n, i) => {
      if (before[i] === undefined) delete process.env[n];
      else process.env[n] = before[i];
    });
  }
}

const rv32: Case[] = [
  ...programs.map((p) => ({
    name: `kernels/tests ${p.name}`,
    needs: [programElf(p.name)],
    run: (): RunSpec => ({ board: 'virt', kernel: programElf(p.name), input: p.input, cpus: p.cpus, maxInsns: 200_000_000 }),
  })),
  {
    name: 'kernels/virt session (rvos-sbi, S-mode kernel, virtio disk), first 15 M instructions',
    needs: [virtOs.firmware, virtOs.kernel, virtOs.disk],
    run: () => ({
      board: 'virt',
      bios: virtOs.firmware,
      kernel: virtOs.kernel,
      drives: diskCopy(virtOs.disk, 'format=raw'),
      lines: sessionLines(join(virtOs.virt, 'session.in')),
      prompt: virtOs.PROMPT,
      maxInsns: 15_000_000,
    }),
  },
  {
    name: 'kernels/virt sbi-test on 2 harts',
    needs: [virtOs.firmware, join(virtOs.virt, 'build/sbi-test.elf')],
    run: () => ({ board: 'virt', bios: virtOs.firmware, kernel: join(virtOs.virt, 'build/sbi-test.elf'), cpus: 2, maxInsns: 200_000_000 }),
  },
  // 40 M: its first sieve (from ~25 M) is in, whose count loop's region starts at the loop's second block (jit-wasm.ts entryFirst).
  { name: 'kernels/bench bench.elf, first 40 M instructions', needs: [bench('bench.elf')], run: () => ({ board: 'virt', kernel: bench('bench.elf'), maxInsns: 40_000_000 }) },
  { name: 'kernels/bench empty.elf', needs: [bench('empty.elf')], run: () => ({ board: 'virt', kernel: bench('empty.elf'), maxInsns: 1_000_000 }) },
  linuxRv32Case(),
];

/** scripts/linux-rv32's Linux under rvos-sbi, reset to power-off (~21 M instructions); skipped when not built. */
function linuxRv32Case(): Case {
  const linux = linuxRv32Build();
  return {
    name: 'scripts/linux-rv32 Linux 6.1 under rvos-sbi, to its power-off',
    needs: linux ? [linux.image, linux.initrd] : ['(the rv32 Linux build: scripts/linux-rv32/build.sh)'],
    run: () => ({ board: 'virt', bios: virtOs.firmware, kernel: linux!.image, append: LINUX_RV32_APPEND, session: { initrd: linux!.initrd }, maxInsns: 100_000_000 }),
  };
}

const raspi = join(kernels, 'raspi3b');
const aarch64: Case[] = [
  {
    name: 'kernels/raspi3b kernel8.elf session, first 4 M instructions',
    needs: [join(raspi, 'build/kernel8.elf')],
    run: () => ({
      board: 'raspi3b',
      kernel: join(raspi, 'build/kernel8.elf'),
      drives: existsSync(join(raspi, 'build/sd.img')) ? diskCopy(join(raspi, 'build/sd.img'), 'if=sd,format=raw') : [],
      lines: sessionLines(join(raspi, 'session.in')),
      session: { semihosting: true, semihostingOut: () => {} },
      maxInsns: 4_000_000,
    }),
  },
  {
    name: 'kernels/bench bench-a64.elf, first 3 M instructions',
    needs: [bench('bench-a64.elf')],
    run: () => ({ board: 'raspi3b', kernel: bench('bench-a64.elf'), session: { semihosting: true, semihostingOut: () => {} }, maxInsns: 3_000_000 }),
  },
  {
    // 20 M: past the 13.7 M-th instruction, where wasm regions once lost lazily recorded flags to an ADD between CMP and CSET.
    name: 'kernels/bench bench-a64.elf, first 20 M instructions',
    needs: [bench('bench-a64.elf')],
    run: () => ({ board: 'raspi3b', kernel: bench('bench-a64.elf'), session: { semihosting: true, semihostingOut: () => {} }, maxInsns: 20_000_000 }),
  },
];

const pc = join(kernels, 'pc');
const i386: Case[] = [
  {
    // The kernel runs its modules' programs first; its shell prompt comes at about 33 M instructions.
    name: 'kernels/pc boot (the board kernel and its modules, to the shell prompt), first 40 M instructions',
    needs: [join(pc, 'build/kernel.elf'), join(pc, 'build/disk.img')],
    run: () => ({ board: 'pc', drives: diskCopy(join(pc, 'build/disk.img'), 'if=ide,format=raw'), maxInsns: 40_000_000 }),
  },
  ...['alu', 'cpuid'].map((name) => {
    const elf = join(kernels, 'tests-i386/build', `${name}.elf`);
    return { name: `kernels/tests-i386 ${name}, first 2 M instructions`, needs: [elf], run: (): RunSpec => ({ board: 'pc', kernel: elf, maxInsns: 2_000_000 }) };
  }),
  // 40 M: a whole round of its kernels (quicksort's and fib's recursion run inside one region each).
  { name: 'kernels/bench bench-i386.elf, first 40 M instructions', needs: [bench('bench-i386.elf')], run: () => ({ board: 'pc', kernel: bench('bench-i386.elf'), maxInsns: 40_000_000 }) },
  linuxI386Case(),
];

/**
 * scripts/linux-i386's Linux (bzImage, initramfs), reset to its init's power-off (~245 M instructions),
 * with the RTC at a fixed date (LINUX_I386_RTC: the host's time would change the count); skipped when
 * not built.
 */
function linuxI386Case(): Case {
  const linux = linuxI386Build();
  return {
    name: 'scripts/linux-i386 Linux 6.1 (bzImage, --rtc base=2026-01-01), to its power-off',
    needs: linux ? [linux.bzImage, linux.initrd] : ['(the i386 Linux build: scripts/linux-i386/build.sh)'],
    run: () => ({ ...linuxI386Machine(linux!), maxInsns: 400_000_000 }),
    // 245 M instructions interpreted: 12 s on a quiet machine, past 120 s at load 10 (seen in full
    // `npm test` runs beside other work).
    limitMs: 480_000,
  };
}

const boards: Array<[string, Case[], boolean, WasmSwitch | undefined]> = [
  ['virt (rv32: interpreter vs JavaScript regions, RVOS_JIT_WASM=0)', rv32, true, '0'],
  ['virt (rv32: interpreter vs wasm regions, RVOS_JIT_WASM=1)', rv32, true, '1'],
  ['raspi3b (aarch64: interpreter vs JavaScript regions, RVOS_JIT_WASM=0)', aarch64, true, '0'],
  ['raspi3b (aarch64: interpreter vs wasm regions, RVOS_JIT_WASM=1)', aarch64, true, '1'],
  ['pc (i386: interpreter vs JavaScript regions, RVOS_JIT_WASM=0)', i386, true, '0'],
  ['pc (i386: interpreter vs wasm regions, RVOS_JIT_WASM=1)', i386, true, '1'],
];

for (const [board, cases, translated, wasm] of boards) {
  describe(`engines agree on ${board}`, () => {
    for (const c of cases) {
      it.skipIf(!c.needs.every((f) => existsSync(f)))(c.name, () => expectSameUnderBothEngines(c, translated, wasm), 2 * (c.limitMs ?? RUN_LIMIT_MS) + 60_000);
    }
  });
}
