/**
 * Debian's U-Boot for the Pi 3 (package u-boot-rpi, fetched by scripts/u-boot-rpi/fetch.sh) on
 * QEMU 7.2's raspi3b: drives a console session on the mini UART.
 *
 * U-Boot's rpi_3 build prints on the mini UART (AUX), QEMU's second serial port: hence
 * `-serial null -serial stdio`. `-no-reboot` makes U-Boot's `reset` (a watchdog reset through the
 * PM block) end QEMU with status 0 instead of restarting the board.
 */
import { spawn } from 'node:child_process';
import { QEMU_AARCH64_BINARY } from './qemu-aarch64.js';
import { UBOOT_AUTOBOOT, UBOOT_PROMPT } from './u-boot-session.js';

/** The exact QEMU command line (after the binary name) of the U-Boot tests. */
export function ubootQemuArgs(uboot: string, sdImage: string): string[] {
  return [
    '-M', 'raspi3b', '-display', 'none', '-monitor', 'none',
    '-serial', 'null', '-serial', 'stdio', '-no-reboot',
    '-kernel', uboot, '-drive', `file=${sdImage},if=sd,format=raw`,
  ];
}

export interface UBootSessionResult {
  /** Everything U-Boot wrote to the mini UART (latin1, byte for byte, CR LF line ends). */
  output: string;
  /** QEMU's exit status (0 after `reset` with -no-reboot); -1 if killed. */
  exitCode: number;
  timedOut: boolean;
  stderr: string;
}

/**
 * Boots U-Boot, stops autoboot with a space as soon as the countdown is printed, then types each
 * command (ending in CR, as a terminal does) once its prompt has appeared; the session ends when
 * QEMU exits (the last command should be `reset`) or after `timeoutMs` (default 30 s).
 */
export function runUBootSession(uboot: string, sdImage: string, commands: string[], timeoutMs = 30_000): Promise<UBootSessionResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_AARCH64_BINARY, ubootQemuArgs(uboot, sdImage), { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let timedOut = false;
    let interrupted = false;
    let sent = 0;
    let promptsSeen = 0;
    let scanFrom = 0;
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!interrupted) {
        const at = output.indexOf(UBOOT_AUTOBOOT);
        if (at < 0) return;
        interrupted = true;
        scanFrom = at;
        child.stdin.write(' ');
      }
      // Count the prompts printed so far; one command per new prompt.
      for (let at = output.indexOf(UBOOT_PROMPT, scanFrom); at >= 0; at = output.indexOf(UBOOT_PROMPT, scanFrom)) {
        promptsSeen++;
        scanFrom = at + UBOOT_PROMPT.length;
      }
      while (sent < promptsSeen && sent < commands.length) child.stdin.write(`${commands[sent++]}\r`);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {
      /* QEMU exited while input was pending: ignore EPIPE. */
    });
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ output, exitCode: timedOut || code === null ? -1 : code, timedOut, stderr });
    });
  });
}
