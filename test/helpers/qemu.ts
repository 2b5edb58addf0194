/**
 * Runs a guest on QEMU (qemu-system-riscv32 -M virt), the reference peer for rvos' `virt` board.
 *
 * The CPU is restricted to what rvos implements: RV32IMAC + Zicsr + Zifencei with M/S/U and Sv32.
 * QEMU 7.2's default rv32 CPU also has H, Zba/Zbb/Zbc/Zbs and Sstc, which change misa, mideleg
 * and friends, so they are switched off.
 */
import { spawn, spawnSync } from 'node:child_process';

export const QEMU_BINARY = process.env.RVOS_QEMU ?? 'qemu-system-riscv32';
export const QEMU_CPU = 'rv32,f=false,d=false,h=false,zba=false,zbb=false,zbc=false,zbs=false,sstc=false';

const available = new Map<string, boolean>();

/** True when `binary --version` runs (QEMU tests skip themselves otherwise); asked once per binary. */
export function binaryAvailable(binary: string): boolean {
  if (!available.has(binary)) available.set(binary, spawnSync(binary, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
  return available.get(binary)!;
}

/** True when qemu-system-riscv32 can be started. */
export function qemuAvailable(): boolean {
  return binaryAvailable(QEMU_BINARY);
}

export interface QemuOptions {
  kernel: string;
  /** -bios argument; 'none' runs the kernel in M-mode from 0x80000000. */
  bios?: string;
  /** Bytes for the guest console (stdin of QEMU), sent once `inputAfter` has appeared. */
  input?: string;
  /** Output that must appear before input is sent (default: a line starting with "ready"). */
  inputAfter?: string | RegExp;
  /** Delay between input characters, in ms (default 5). */
  inputDelayMs?: number;
  cpus?: number;
  /** Kill QEMU after this long (default 60 s); the result then has timedOut = true, exitCode -1. */
  timeoutMs?: number;
  /** Extra command-line arguments. */
  args?: string[];
}

export interface QemuResult {
  /** Everything the guest wrote to the UART (latin1, byte for byte). */
  output: string;
  /** QEMU's exit status: 0 for sifive_test pass, the code for (code << 16) | 0x3333; -1 if killed. */
  exitCode: number;
  timedOut: boolean;
  /** QEMU's own messages (warnings). */
  stderr: string;
  /** Wall time from spawn to exit. */
  wallMs: number;
}

export function qemuArgs(opts: Pick<QemuOptions, 'kernel' | 'bios' | 'cpus' | 'args'>): string[] {
  const args = ['-M', 'virt', '-cpu', QEMU_CPU, '-bios', opts.bios ?? 'none'];
  args.push('-nographic', '-monitor', 'none', '-serial', 'stdio');
  if (opts.cpus && opts.cpus > 1) args.push('-smp', String(opts.cpus));
  args.push('-kernel', opts.kernel);
  if (opts.args) args.push(...opts.args);
  return args;
}

export function runQemu(opts: QemuOptions): Promise<QemuResult> {
  return runEmulator(QEMU_BINARY, qemuArgs(opts), { ...opts, timeoutMs: opts.timeoutMs ?? 60_000 });
}

export interface EmulatorRunOptions {
  /** Bytes for the guest console (the emulator's stdin), a character every `inputDelayMs` (default 5). */
  input?: string;
  /** Output that must appear before input is sent (default: a line starting with "ready"). */
  inputAfter?: string | RegExp;
  inputDelayMs?: number;
  /** Stop the emulator (SIGKILL; exitCode -1, timedOut false) once the output matches: for guests that halt. */
  stopWhen?: string | RegExp;
  /** Kill it after this long; the result then has timedOut = true, exitCode -1. */
  timeoutMs: number;
  /** Environment and working folder of the process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs an emulator with the guest console on stdio, feeding input once the guest is ready. */
export function runEmulator(binary: string, args: string[], opts: EmulatorRunOptions): Promise<QemuResult> {
  const inputAfter = opts.inputAfter ?? /^ready\b.*\n/m;
  const delay = opts.inputDelayMs ?? 5;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env, cwd: opts.cwd });
    let output = '';
    let stderr = '';
    let timedOut = false;
    let inputSent = opts.input === undefined;
    let feeding: NodeJS.Timeout | undefined;
    const matches = (p: string | RegExp) => (typeof p === 'string' ? output.includes(p) : p.test(output));

    const sendInput = () => {
      inputSent = true;
      const bytes = Buffer.from(opts.input!, 'latin1');
      let i = 0;
      const next = () => {
        if (i >= bytes.length || child.stdin.destroyed) return;
        child.stdin.write(bytes.subarray(i, ++i));
        feeding = setTimeout(next, delay);
      };
      next();
    };

    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!inputSent && matches(inputAfter)) sendInput();
      if (opts.stopWhen !== undefined && matches(opts.stopWhen)) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {
      /* The emulator exited while input was pending: ignore EPIPE. */
    });

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    const done = () => {
      clearTimeout(timer);
      if (feeding) clearTimeout(feeding);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code) => {
      done();
      resolve({ output, exitCode: timedOut || code === null ? -1 : code, timedOut, stderr, wallMs: performance.now() - started });
    });
  });
}

/**
 * Runs `run` (a QEMU run) again, at most `tries` times in all, until `good` holds of its result. On a
 * loaded host QEMU's UART may not have sent a guest's last bytes before it powers off, and now and then
 * drops one mid-line (its transmit retries run out: CI once saw "usng" for "using" in QEMU's Linux
 * transcript, rvos' being right); rvos' runs are deterministic and run once.
 */
export async function qemuUntil(run: () => Promise<QemuResult>, good: (q: QemuResult) => boolean, tries = 3): Promise<QemuResult> {
  let q = await run();
  for (let i = 1; i < tries && !good(q); i++) q = await run();
  return q;
}
