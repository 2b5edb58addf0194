/**
 * Runs a guest on QEMU's raspi3b (qemu-system-aarch64 -M raspi3b), the reference peer for rvos'
 * `raspi3b` board. The first -serial is the PL011 (UART0), on stdio here; -semihosting lets a
 * bare-metal guest end the run with an exit code (SYS_EXIT), as rvos' `--semihosting` will.
 *
 * QEMU 7.2 starts a raw image (kernel8.img) on core 0 at EL2 with cores 1-3 on the spin table,
 * and an ELF on all four cores at EL3.
 */
import { spawn, spawnSync } from 'node:child_process';

export const QEMU_AARCH64_BINARY = process.env.RVOS_QEMU_AARCH64 ?? 'qemu-system-aarch64';

let available: boolean | undefined;

/** True when qemu-system-aarch64 can be started (tests skip themselves otherwise). */
export function qemuAarch64Available(): boolean {
  if (available === undefined) {
    const r = spawnSync(QEMU_AARCH64_BINARY, ['--version'], { stdio: 'ignore', timeout: 10_000 });
    available = r.status === 0;
  }
  return available;
}

export interface Raspi3bOptions {
  /** kernel8.img (raw, loaded at 0x80000) or an ELF. */
  kernel: string;
  /** Bytes typed on the PL011 once `inputAfter` has appeared, a character every `inputDelayMs`. */
  input?: string;
  /** Output that must appear before input is sent (default: a line starting with "ready"). */
  inputAfter?: string | RegExp;
  inputDelayMs?: number;
  /** Stop QEMU (SIGKILL, exitCode -1, timedOut false) once the output matches: for guests that halt. */
  stopWhen?: string | RegExp;
  /** Pass -semihosting (default true). */
  semihosting?: boolean;
  /** Kill QEMU after this long (default 30 s); the result then has timedOut = true, exitCode -1. */
  timeoutMs?: number;
  args?: string[];
}

export interface Raspi3bResult {
  /** Everything the guest wrote to the PL011 (latin1, byte for byte). */
  output: string;
  /** QEMU's exit status: the semihosting SYS_EXIT code; -1 if killed. */
  exitCode: number;
  timedOut: boolean;
  stderr: string;
}

export function raspi3bArgs(opts: Pick<Raspi3bOptions, 'kernel' | 'semihosting' | 'args'>): string[] {
  const args = ['-M', 'raspi3b', '-display', 'none', '-monitor', 'none', '-serial', 'stdio'];
  if (opts.semihosting ?? true) args.push('-semihosting');
  args.push('-kernel', opts.kernel, ...(opts.args ?? []));
  return args;
}

export function runQemuRaspi3b(opts: Raspi3bOptions): Promise<Raspi3bResult> {
  const inputAfter = opts.inputAfter ?? /^ready\b.*\n/m;
  const delay = opts.inputDelayMs ?? 5;
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_AARCH64_BINARY, raspi3bArgs(opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let timedOut = false;
    let inputSent = opts.input === undefined;
    let feeding: NodeJS.Timeout | undefined;
    const matches = (p: string | RegExp) => (typeof p === 'string' ? output.includes(p) : p.test(output));
    const ready = () => matches(inputAfter);
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
      if (!inputSent && ready()) sendInput();
      if (opts.stopWhen !== undefined && matches(opts.stopWhen)) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {
      /* QEMU exited while input was pending: ignore EPIPE. */
    });
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    const done = () => {
      clearTimeout(killer);
      if (feeding) clearTimeout(feeding);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code) => {
      done();
      resolve({ output, exitCode: timedOut || code === null ? -1 : code, timedOut, stderr });
    });
  });
}
