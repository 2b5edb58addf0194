/**
 * The interpreter's warm-up (warmup.ts) gives interpret() type feedback for every path the compute
 * kernel takes under the translator: V8 optimizes it once and never deoptimizes it (checked with
 * V8's --trace-deopt in a child process). A form or path missing from the warm-up (a control
 * transfer or page change under dispatch(), MOV, MOVK of a width, ADR past 2^32, a store to a page
 * holding translations, the code cache's arrays changing kind) deoptimized it, and V8 compiled the
 * large function again (~100 ms each on a background thread). And a translating core turns V8's
 * on-stack replacement off before the guest's first long interpreted run (JitKit.noOsr): no OSR
 * compile of interpret().
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('aarch64 interpreter warm-up and V8', () => {
  it('the compute kernel under the translator never deoptimizes interpret(), nor compiles it for OSR', () => {
    const script = `
      import { startMachine } from './src/testing/machine.ts';
      const m = await startMachine({ kernel: 'kernels/bench/build/bench-a64.elf', board: 'raspi3b', session: { engine: 'jit', semihosting: true, semihostingOut: () => {} } });
      const r = await m.machine.run({ maxInsns: 3_000_000_000, timeoutMs: 600_000 });
      console.log('RESULT', r.reason);
      await m.close();`;
    const out = execFileSync(process.execPath, ['--trace-opt', '--trace-deopt', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(out).toMatch(/RESULT poweroff/);
    // The function's name right after "deoptimizing 0x...": another thread's trace line can land on the same line.
    const deopts = out.split('\n').filter((l) => /deoptimizing 0x[0-9a-f]+ <JSFunction interpret /.test(l));
    expect(deopts).toEqual([]);
    expect(out).toMatch(/completed compiling .*<JSFunction interpret /);
    expect(out).not.toMatch(/completed compiling .*<JSFunction interpret .*OSR/);
  }, 120_000);
});
