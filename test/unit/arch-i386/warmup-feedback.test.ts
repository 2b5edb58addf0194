/**
 * The interpreter's warm-up (warmup.ts) gives step() type feedback for every form the compute kernel
 * runs in the interpreter under the translator: V8 never deoptimizes it for want of feedback (checked
 * with V8's --trace-deopt in a child process). Without the warm-up, V8 optimized step() before the
 * kernel's first MOV r/m, imm, deoptimized it there ("Insufficient type feedback") and compiled the
 * large function again (~150 ms on a background thread).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../helpers/cli.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('i386 interpreter warm-up and V8', () => {
  it('the compute kernel under the translator never deoptimizes step() for want of feedback', async () => {
    const script = `
      import { startMachine } from './src/testing/machine.ts';
      const m = await startMachine({ kernel: 'kernels/bench/build/bench-i386.elf', board: 'pc', session: { engine: 'jit' } });
      const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 600_000 });
      console.log('RESULT', r.reason);
      await m.close();`;
    // Asynchronous: a long synchronous spawn starves the vitest worker's RPC on a busy machine.
    const { stdout: out, stderr } = await run(process.execPath, ['--trace-opt', '--trace-deopt', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeoutMs: 110_000 });
    expect(stderr).not.toMatch(/Error/);
    expect(out).toMatch(/RESULT poweroff/);
    expect(out).toMatch(/completed compiling .*<JSFunction step /);
    // The function's name right after "deoptimizing 0x...": another thread's trace line can land on the same line.
    const deopts = out.split('\n').filter((l) => /reason: Insufficient type feedback[^)]*\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction step /.test(l));
    expect(deopts).toEqual([]);
  }, 120_000);
});
