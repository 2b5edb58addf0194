/**
 * The aarch64 interpreter's warm-up (plugins/arch-aarch64/src/warmup.ts) against a real OS: the arm64 Linux boot of
 * linux-arm64.test.ts under V8's --trace-deopt in a child process never deoptimizes interpret(). The warm-up ran with
 * the MMU off at small addresses and no exception; Linux's first access through the TLB, its first address past
 * 2^31, its first pair store to a page with code, FP instruction, ERET and SVC each threw away interpret()'s optimized
 * code (three to four compiles of ~50-60 ms on a background thread, and the boot's interpreted code in V8's baseline
 * tier meanwhile). Skipped without the arm64 Linux build.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { linuxArm64Build } from '../helpers/linux-arm64.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('arm64 Linux boot and the aarch64 interpreter warm-up', () => {
  if (!linuxArm64Build()) {
    it.skip('skipped: needs the arm64 Linux build (run scripts/linux-arm64/build.sh)', () => {});
    return;
  }

  it('never deoptimizes interpret()', async () => {
    const script = `
      import { linuxArm64Build, runLinuxArm64Rvos } from './test/helpers/linux-arm64.ts';
      const r = await runLinuxArm64Rvos(linuxArm64Build());
      console.log('RESULT', r.reason);`;
    // Asynchronous: a long synchronous child would starve this worker's RPC to vitest.
    const { stdout } = await promisify(execFile)(process.execPath, ['--trace-deopt', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
    expect(stdout).toMatch(/RESULT poweroff/);
    // The function's name right after "deoptimizing 0x...": another thread's trace line can land on the same line.
    expect(stdout.split('\n').filter((l) => /deoptimizing 0x[0-9a-f]+ <JSFunction interpret /.test(l))).toEqual([]);
  }, 300_000);
});
