/**
 * Runs a guest on QEMU's PC (qemu-system-i386 -M pc), the reference peer for rvos' `pc` board:
 * COM1 on stdio, QEMU's isa-debug-exit at port 0xf4 (a write of v exits with (v << 1) | 1), as
 * boards/pc.yaml has it. `-kernel` takes Multiboot 1 kernels and Linux bzImages; SeaBIOS runs first.
 */
import { binaryAvailable, runEmulator, type EmulatorRunOptions, type QemuResult } from './qemu.js';

export const QEMU_I386_BINARY = process.env.RVOS_QEMU_I386 ?? 'qemu-system-i386';

/** True when qemu-system-i386 can be started (tests skip themselves otherwise). */
export function qemuI386Available(): boolean {
  return binaryAvailable(QEMU_I386_BINARY);
}

export interface PcOptions extends Partial<EmulatorRunOptions> {
  /** A Multiboot 1 kernel or bzImage for -kernel. */
  kernel?: string;
  args?: string[];
}

export function pcArgs(opts: Pick<PcOptions, 'kernel' | 'args'>): string[] {
  const args = ['-M', 'pc', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-device', 'isa-debug-exit,iobase=0xf4,iosize=4'];
  if (opts.kernel) args.push('-kernel', opts.kernel);
  return [...args, ...(opts.args ?? [])];
}

export function runQemuPc(opts: PcOptions): Promise<QemuResult> {
  return runEmulator(QEMU_I386_BINARY, pcArgs(opts), { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 });
}
