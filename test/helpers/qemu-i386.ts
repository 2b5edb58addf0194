/**
 * Runs the pc reference kernel on qemu-system-i386 (the reference peer for rvos' `pc` board),
 * booted by real GRUB 2: an ISO made with Debian's grub-mkrescue (grub-pc-bin, xorriso, mtools)
 * from kernels/pc/grub.cfg, whose `multiboot2` / `module2 /boot/FILE NAME` lines name files of
 * kernels/pc/build/, disk/bin/ or kernels/pc/. COM1 is on stdio; isa-debug-exit at 0xf4 ends the run
 * with exit code (value << 1) | 1.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { binaryAvailable, runEmulator, type QemuResult } from './qemu.js';

export const QEMU_I386_BINARY = process.env.RVOS_QEMU_I386 ?? 'qemu-system-i386';
export const PC_KERNEL_DIR = join(import.meta.dirname, '../../kernels/pc');

/** True when qemu-system-i386 can be started. */
export function qemuI386Available(): boolean {
  return binaryAvailable(QEMU_I386_BINARY);
}

/** True when QEMU and the GRUB ISO tools are there (the tests skip themselves otherwise). */
export function grubIsoAvailable(): boolean {
  return (
    binaryAvailable(QEMU_I386_BINARY) &&
    ['grub-mkrescue', 'xorriso', 'mformat'].every((b) => binaryAvailable(b)) &&
    existsSync('/usr/lib/grub/i386-pc')
  );
}

/** The files grub.cfg boots: the kernel and each module (path in the tree, name on its command line). */
export function pcBootFiles(): { kernel: string; modules: { path: string; name: string }[] } {
  const cfg = readFileSync(join(PC_KERNEL_DIR, 'grub.cfg'), 'utf8');
  const find = (f: string) =>
    ['build', 'disk/bin', '.'].map((d) => join(PC_KERNEL_DIR, d, f)).find((p) => existsSync(p)) ?? join(PC_KERNEL_DIR, f);
  const kernel = /^\s*multiboot2\s+\/boot\/(\S+)/m.exec(cfg)![1]!;
  const modules = [...cfg.matchAll(/^\s*module2\s+\/boot\/(\S+)\s+(\S+)/gm)].map((m) => ({ path: find(m[1]!), name: m[2]! }));
  return { kernel: find(kernel), modules };
}

/** Builds kernels/pc's GRUB ISO into folder dir (a temporary one); returns its path. */
export function buildPcIso(dir: string): string {
  const boot = join(dir, 'iso/boot');
  mkdirSync(join(boot, 'grub'), { recursive: true });
  copyFileSync(join(PC_KERNEL_DIR, 'grub.cfg'), join(boot, 'grub/grub.cfg'));
  const files = pcBootFiles();
  for (const f of [files.kernel, ...files.modules.map((m) => m.path)]) copyFileSync(f, join(boot, basename(f)));
  const iso = join(dir, 'pc.iso');
  execFileSync('grub-mkrescue', ['-o', iso, join(dir, 'iso')], { stdio: 'pipe' });
  return iso;
}

/**
 * QEMU's `-cpu` for comparisons with rvos: its default qemu32 without the features rvos does not
 * implement (MMX, SSE, SSE2, SSE3 and the local APIC), so both CPUs report the same CPUID
 * (kernels/tests-i386/cpuid.c) and kernels that read it take the same paths.
 */
export const QEMU_CPU_AS_RVOS = 'qemu32,-mmx,-sse,-sse2,-pni,-apic';

export interface PcRunOptions {
  /** A Multiboot 1 kernel or bzImage for -kernel (the bench guests) ... */
  kernel?: string;
  /** ... or boot GRUB from this ISO (multiboot2) ... */
  iso?: string;
  /** ... or QEMU's own multiboot 1 loader: -kernel, the modules as -initrd "path name,...". */
  direct?: boolean;
  /** A raw disk image for the primary master (IDE index 0). */
  disk?: string;
  input?: string;
  inputAfter?: string | RegExp;
  timeoutMs?: number;
  args?: string[];
}

export function pcArgs(opts: Pick<PcRunOptions, 'kernel' | 'iso' | 'direct' | 'disk' | 'args'>): string[] {
  const args = ['-m', '128M', '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot'];
  args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=4');
  if (opts.kernel) args.push('-kernel', opts.kernel);
  if (opts.iso) args.push('-cdrom', opts.iso, '-boot', 'd');
  if (opts.direct) {
    const files = pcBootFiles();
    args.push('-kernel', files.kernel, '-initrd', files.modules.map((m) => `${m.path} ${m.name}`).join(','));
  }
  if (opts.disk) args.push('-drive', `file=${opts.disk},format=raw,if=ide,index=0`);
  return [...args, ...(opts.args ?? [])];
}

export function runQemuPc(opts: PcRunOptions): Promise<QemuResult> {
  return runEmulator(QEMU_I386_BINARY, pcArgs(opts), { ...opts, timeoutMs: opts.timeoutMs ?? 60_000 });
}
