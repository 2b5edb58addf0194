/**
 * Whole-machine test harness (`rvos/testing`): boots a board headless with its console captured,
 * types input (at once, or in answer to output), and runs until the guest powers off or a limit.
 * rvos' own tests and plugin authors' tests use the same code.
 */
import type { CaptureBackend } from '../core/chardev.js';
import type { Machine, RunResult } from '../core/machine.js';
import { createSession, type Session, type SessionOptions } from '../core/session.js';

export interface TestMachineOptions {
  /** Board name or path to a board .yaml (default `virt`). */
  board?: string;
  kernel?: string;
  /** Firmware, or `none` (the default here: bare-metal test programs start in the most privileged mode). */
  bios?: string;
  /** Extra plugin folders, as `--plugin` (e.g. the folder of the plugin under test). */
  plugins?: string[];
  cpus?: number;
  memory?: string;
  append?: string;
  /** `--drive` specs; default: none (a test never touches the user's default disk). */
  drives?: string[];
  /** Folder relative paths are resolved against (default: the process's). */
  cwd?: string;
  /** Anything else `rvos run` accepts. */
  session?: Partial<SessionOptions>;
}

export interface Reply {
  /** Console output that triggers the reply (matched against everything printed so far). */
  when: string | RegExp;
  /** Bytes typed into the console once it appears. */
  send: string;
}

export interface TestRunOptions extends TestMachineOptions {
  /** Typed into the console before the machine starts. */
  input?: string;
  /** Typed in order, each once its `when` has appeared after the previous reply. */
  replies?: Reply[];
  /** Stop after this many instructions (default 2e9). */
  maxInsns?: number;
  /** Stop after this many host milliseconds (default 60 s). */
  timeoutMs?: number;
}

export interface TestRunResult {
  /** Everything the guest wrote to its console (latin1, byte for byte). */
  output: string;
  /** The guest's power-off code, or -1 when it did not power off. */
  exitCode: number;
  reason: RunResult['reason'];
  message: string;
  instructions: number;
  hostMs: number;
}

/** A booted machine with its console captured; `run` it, type into it, read its output. */
export interface TestMachine {
  readonly machine: Machine;
  readonly session: Session;
  /** Console output so far. */
  readonly output: string;
  type(text: string): void;
  /** Calls `fn` with each chunk of console output as the guest writes it. */
  onOutput(fn: (text: string) => void): void;
  close(): Promise<void>;
}

export async function startMachine(opts: TestMachineOptions = {}): Promise<TestMachine> {
  const session = await createSession({
    board: opts.board ?? 'virt',
    kernel: opts.kernel,
    bios: opts.bios ?? 'none',
    plugins: opts.plugins,
    cpus: opts.cpus,
    memory: opts.memory,
    append: opts.append,
    drives: opts.drives ?? ['none'],
    cwd: opts.cwd,
    serial: 'capture',
    config: '/dev/null',
    ...opts.session,
  });
  const console = session.console as CaptureBackend;
  return {
    machine: session.machine,
    session,
    get output() {
      return console.text;
    },
    type: (text) => console.input(new Uint8Array(Buffer.from(text, 'latin1'))),
    onOutput: (fn) => console.onOutput((bytes) => fn(Buffer.from(bytes).toString('latin1'))),
    close: () => session.close(),
  };
}

/** Boots, feeds the input and replies, runs to power-off (or a limit) and closes the machine. */
export async function runMachine(opts: TestRunOptions = {}): Promise<TestRunResult> {
  const m = await startMachine(opts);
  const console = m.session.console as CaptureBackend;
  if (opts.input) m.type(opts.input);
  const replies = [...(opts.replies ?? [])];
  // Once everything scripted is typed, input ends (like a pipe's end): a guest then waiting for
  // an interrupt nothing can raise stops at once ('halted') instead of at the time limit.
  if (replies.length === 0) console.endInput();
  let seen = '';
  m.onOutput((text) => {
    seen += text;
    const next = replies[0];
    if (next && (typeof next.when === 'string' ? seen.includes(next.when) : next.when.test(seen))) {
      replies.shift();
      seen = '';
      m.type(next.send);
      if (replies.length === 0) console.endInput();
    }
  });
  let result: RunResult;
  try {
    result = await m.machine.run({ maxInsns: opts.maxInsns ?? 2_000_000_000, timeoutMs: opts.timeoutMs ?? 60_000 });
  } finally {
    await m.close();
  }
  if (result.error) throw result.error;
  return {
    output: m.output,
    exitCode: result.reason === 'poweroff' ? result.exitCode! : -1,
    reason: result.reason,
    message: result.message,
    instructions: result.instructions,
    hostMs: result.hostMs,
  };
}
