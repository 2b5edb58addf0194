import { CaptureBackend } from '../../src/core/chardev.js';
import { createSession, type SessionOptions } from '../../src/core/session.js';

export interface RvosRun {
  output: string;
  exitCode: number;
  reason: string;
  instructions: number;
  hostMs: number;
}

/**
 * Boots a machine headless with the console captured, feeds `input` to the console, and runs
 * until the guest powers off (or a limit). exitCode is the guest's code, or -1 when it did not
 * power off.
 */
export async function runRvos(opts: {
  kernel?: string;
  bios?: string;
  board?: string;
  input?: string;
  cpus?: number;
  maxInsns?: number;
  timeoutMs?: number;
  extra?: Partial<SessionOptions>;
}): Promise<RvosRun> {
  const session = await createSession({
    board: opts.board ?? 'virt',
    kernel: opts.kernel,
    bios: opts.bios ?? 'none',
    cpus: opts.cpus,
    serial: 'capture',
    config: '/dev/null',
    ...opts.extra,
  });
  const console = session.console as CaptureBackend;
  if (opts.input) console.input(new Uint8Array(Buffer.from(opts.input, 'latin1')));
  const result = await session.machine.run({ maxInsns: opts.maxInsns ?? 2_000_000_000, timeoutMs: opts.timeoutMs ?? 60_000 });
  await session.close();
  if (result.error) throw result.error;
  return {
    output: console.text,
    exitCode: result.reason === 'poweroff' ? result.exitCode! : -1,
    reason: result.reason,
    instructions: result.instructions,
    hostMs: result.hostMs,
  };
}
