/**
 * One measured rvos run for `npm run bench`: the `rvos/testing` harness (startMachine), plus what
 * the harness does not report: the code cache's size at the end (the CPU's `codeCache` getter) and the
 * bench process's resident set size then. `stopWhen` ends the run as soon as the guest has written
 * it to the console (a shell prompt), so instructions and host time are "from reset to there".
 */
import { startMachine, type TestMachineOptions } from '../../src/testing/machine.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import type { RunResult } from '../../src/core/machine.js';
import type { CodeCacheStats } from '../../src/core/jit/code-cache.js';

type StartedMachine = Awaited<ReturnType<typeof startMachine>>;

/** The code cache at the end of a run (src/core/jit/code-cache.ts; `blocks` = live translations). */
export interface CodeCacheSize {
  pages: number;
  blocks: number;
}

export interface MeasuredRun {
  output: string;
  reason: RunResult['reason'];
  /** The guest's power-off code, or -1 when it did not power off. */
  exitCode: number;
  instructions: number;
  hostMs: number;
  /** CPU 0's code cache at the end (CPUs with a translator: rv32, i386). */
  codeCache?: CodeCacheSize;
  /** CPU 0's translated-block calls (dispatches) when it counts them (i386). */
  blockRuns?: number;
  rssBytes: number;
}

export async function runMeasured(
  opts: TestMachineOptions & { stopWhen?: string; replies?: never; maxInsns?: number; timeoutMs?: number },
): Promise<MeasuredRun> {
  const m = await startMachine(opts);
  const stopWhen = opts.stopWhen;
  // No input: a guest waiting for it stops at once ('halted') instead of at the time limit.
  if (stopWhen === undefined) (m.session.console as CaptureBackend).endInput();
  else stopAtOutput(m, stopWhen);
  try {
    const r = await m.machine.run({ maxInsns: opts.maxInsns ?? 3_000_000_000, timeoutMs: opts.timeoutMs ?? 900_000 });
    if (r.error) throw r.error;
    const cpu0 = m.machine.cpus[0] as { codeCache?: CodeCacheStats; blockRuns?: number } | undefined;
    const cache = cpu0?.codeCache;
    return {
      output: m.output,
      reason: r.reason,
      exitCode: r.reason === 'poweroff' ? r.exitCode! : -1,
      instructions: r.instructions,
      hostMs: r.hostMs,
      codeCache: cache && { pages: cache.pages, blocks: cache.translations },
      blockRuns: cpu0?.blockRuns,
      rssBytes: process.memoryUsage().rss,
    };
  } finally {
    await m.close();
  }
}

/**
 * Stops `m` right after the instruction that writes `text`'s last byte to the console (a shell
 * prompt), watching the bytes as the UART writes them (CaptureBackend reports output in batches,
 * later): the instruction count is then the same on every run.
 */
export function stopAtOutput(m: StartedMachine, text: string): void {
  const console = m.session.console as CaptureBackend;
  const write = console.write.bind(console);
  let tail = '';
  console.write = (byte: number) => {
    write(byte);
    tail = (tail + String.fromCharCode(byte & 0xff)).slice(-text.length);
    if (tail === text) m.machine.stop('bench: reached the prompt');
  };
}
