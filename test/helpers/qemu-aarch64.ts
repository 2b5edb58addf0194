/**
 * Runs a guest on QEMU's raspi3b (qemu-system-aarch64 -M raspi3b), the reference peer for rvos'
 * `raspi3b` board. The first -serial is the PL011 (UART0), on stdio here; -semihosting lets a
 * bare-metal guest end the run with an exit code (SYS_EXIT), as rvos' `--semihosting` will.
 *
 * QEMU 7.2 starts a raw image (kernel8.img) on core 0 at EL2 with cores 1-3 on the spin table,
 * and an ELF on all four cores at EL3.
 */
import { binaryAvailable, runEmulator } from './qemu.js';

export const QEMU_AARCH64_BINARY = process.env.RVOS_QEMU_AARCH64 ?? 'qemu-system-aarch64';

/** True when qemu-system-aarch64 can be started (tests skip themselves otherwise). */
export function qemuAarch64Available(): boolean {
  return binaryAvailable(QEMU_AARCH64_BINARY);
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
  return runEmulator(QEMU_AARCH64_BINARY, raspi3bArgs(opts), { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 });
}
