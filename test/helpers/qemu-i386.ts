/**
 * Runs the pc reference kernel on qemu-system-i386 (the reference peer for rvos' `pc` board),
 * booted by real GRUB 2: an ISO made with Debian's grub-mkrescue (grub-pc-bin, xorriso, mtools)
 * from kernels/pc/grub.cfg, whose `multiboot2` / `module2 /boot/FILE NAME` lines name files of
 * kernels/pc/build/, disk/bin/ or kernels/pc/. COM1 is on stdio; isa-debug-exit at 0xf4 ends the run
 * with exit code (value << 1) | 1.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryAvailable, runEmulator, type QemuResult } from './qemu.js';

export const QEMU_I386_BINARY = process.env.RVOS_QEMU_I386 ?? 'qemu-system-i386';
export const PC_KERNEL_DIR = join(import.meta.dirname, '../../kernels/pc');

/** True when QEMU and the GRUB ISO tools are there (the tests skip themselves otherwise). */
export function grubIsoAvailable(): boolean {
  return (
    binaryAvailable(QEMU_I386_BINARY) &&
    ['grub-mkrescue', 'xorriso', 'mformat'].every((b) => binaryAvailable(b)) &&
    existsSync('/usr/lib/grub/i386-pc')
  );
}

/** Builds kernels/pc's GRUB ISO into folder dir (a temporary one); returns its path. */
export function buildPcIso(dir: string): string {
  const cfg = readFileSync(join(PC_KERNEL_DIR, 'grub.cfg'), 'utf8');
  const boot = join(dir, 'iso/boot');
  mkdirSync(join(boot, 'grub'), { recursive: true });
  copyFileSync(join(PC_KERNEL_DIR, 'grub.cfg'), join(boot, 'grub/grub.cfg'));
  for (const m of cfg.matchAll(/^\s*(?:multiboot2|module2)\s+\/boot\/(\S+)/gm)) {
    const from = ['build', 'disk/bin', '.'].map((d) => join(PC_KERNEL_DIR, d, m[1]!)).find((f) => existsSync(f));
    copyFileSync(from ?? join(PC_KERNEL_DIR, m[1]!), join(boot, m[1]!));
  }
  const iso = join(dir, 'pc.iso');
  execFileSync('grub-mkrescue', ['-o', iso, join(dir, 'iso')], { stdio: 'pipe' });
  return iso;
}

export interface PcRunOptions {
  iso: string;
  /** A raw disk image for the primary master (IDE index 0). */
  disk?: string;
  input?: string;
  inputAfter?: string | RegExp;
  timeoutMs?: number;
  args?: string[];
}

export function pcArgs(opts: Pick<PcRunOptions, 'iso' | 'disk' | 'args'>): string[] {
  const args = ['-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];
  args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-cdrom', opts.iso, '-boot', 'd');
  if (opts.disk) args.push('-drive', `file=${opts.disk},format=raw,if=ide,index=0`);
  return [...args, ...(opts.args ?? [])];
}

export function runQemuPc(opts: PcRunOptions): Promise<QemuResult> {
  return runEmulator(QEMU_I386_BINARY, pcArgs(opts), { ...opts, timeoutMs: opts.timeoutMs ?? 60_000 });
}
