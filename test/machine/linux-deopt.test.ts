/**
 * The interpreters' warm-ups (warmup.ts of arch-aarch64 and arch-i386) against a real OS: the Linux boots of linux-arm64.test.ts
 * and linux-i386.test.ts, each under V8's --trace-deopt-verbose in a child process, never deoptimize the interpreter's main
 * function. The warm-ups ran with paging off at small addresses: the arm64 boot's first access through the TLB, its
 * first address past 2^31, its first pair store to a page with code, FP instruction, ERET and SVC each threw away
 * aarch64 interpret()'s optimized code (compiled three to four times, ~50-60 ms each on a background thread, the
 * boot's interpreted code in V8's baseline tier meanwhile); the i386 boot's first EIP past 2^31, segment override,
 * PUSH of a negative imm8 and others did the same to i386 step() (compiled four times), and the boot's first interrupt to
 * the run loop, loop() (then ~0.3 s in the baseline tier; the warm-up now takes interrupts too). The rv32 boot's execute()
 * met an array of another elements kind at its first instruction across a page and at its first reused code page ("wrong
 * map"). Skipped without the builds.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { linuxArm64Build } from '../helpers/linux-arm64.js';
import { linuxI386Build } from '../helpers/linux-i386.js';
import { linuxRv32Build } from '../helpers/linux-rv32.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The deopts of each function of `fns` of plugins/`plugin` by name while `helper`'s `run` boots its build (under V8's --trace-deopt-verbose,
 * whose next line says where: the outermost of its positions is the function's own, another `fn` of the same name not).
 */
async function deoptsByFunction(fns: string[], plugin: string, helper: string, build: string, run: string, boots = 1): Promise<Record<string, string[]>> {
  const script = `
    import { ${build}, ${run} } from './test/helpers/${helper}.ts';
    for (let k = 0; k < ${boots}; k++) console.log('RESULT', (await ${run}(${build}())).reason);`;
  // Asynchronous: a long synchronous child would starve this worker's RPC to vitest.
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-deopt-verbose', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  expect(stdout).toMatch(/RESULT (poweroff|exit)/);
  const lines = stdout.split('\n');
  // The function's name right after "deoptimizing 0x...": another thread's trace line can land on the same line.
  const own = (i: number) => (lines.slice(i + 1).find((n) => n.includes(';;; deoptimize at'))?.match(/<[^>]*>/g)?.at(-1) ?? '').includes(`/plugins/${plugin}/`);
  return Object.fromEntries(fns.map((fn) => {
    const named = new RegExp(`deoptimizing 0x[0-9a-f]+ <JSFunction ${fn} `);
    return [fn, lines.filter((l, i) => named.test(l) && own(i))];
  }));
}

describe('Linux boots and the interpreter warm-ups', () => {
  // Two boots: the second runs with execute() optimized from its first instruction, so every path the boot takes meets
  // optimized code (its first fetch from the boot ROM, not RAM; its first fetch page fault, at a kernel address past 2^31).
  it.skipIf(!linuxRv32Build())('rv32: never deoptimizes rv32 execute() (an instruction across a page fetched without a code page, a code page reused, a fetch from ROM, a fetch page fault past 2^31), in two boots', async () => {
    const deopts = await deoptsByFunction(['execute'], 'arch-rv32', 'linux-rv32', 'linuxRv32Build', 'runLinuxRv32Rvos', 2);
    expect(deopts).toEqual({ execute: [] });
  }, 300_000);

  it.skipIf(!linuxArm64Build())('arm64: never deoptimizes aarch64 interpret(), nor run() at its first IRQ or a second core\'s warm-up gate', async () => {
    const deopts = await deoptsByFunction(['interpret', 'run'], 'arch-aarch64', 'linux-arm64', 'linuxArm64Build', 'runLinuxArm64Rvos');
    expect(deopts).toEqual({ interpret: [], run: [] });
  }, 300_000);

  it.skipIf(!linuxI386Build())('i386: never deoptimizes i386 step(), nor the run loop at its first interrupt (loop()), nor the dispatcher for an address past 2^31', async () => {
    const deopts = await deoptsByFunction(['step', 'loop', 'runBlocks'], 'arch-i386', 'linux-i386', 'linuxI386Build', 'runLinuxI386Rvos');
    expect([deopts.step, deopts.loop]).toEqual([[], []]);
    // The dispatcher may still meet a path at its first use when V8 optimized it before (a start reached straight from a
    // block of its page: a property of a Block read there first; the warm-up's block pass covers a block's REGION_RUNS-th
    // run), but no unsigned linear address nor the first block to run its full length (ranOffEnd).
    expect(deopts.runBlocks.filter((l) => l.includes('lost precision'))).toEqual([]);
    expect(deopts.runBlocks.length).toBeLessThanOrEqual(2);
  }, 300_000);
});
