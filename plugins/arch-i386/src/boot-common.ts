/**
 * What every direct kernel boot on the PC shares (multiboot 1 and 2, Linux's 32-bit protocol):
 * the memory map the kernel is told, a GDT with flat segments, placing bytes in RAM with one clear
 * error, and the CPU's 32-bit protected-mode entry state.
 */
import type { BootContext, BootFile } from '../../../src/core/api.js';
import type { ElfSegment } from '../../../src/core/loaders/elf.js';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, I386Cpu } from './cpu.js';
import { chipsetDecodesBiosArea, shadowAsSeaBiosLeavesIt, writeThroughBus } from './boot-shadow.js';

export const PAGE = 4096;
/** The boot loader name multiboot kernels are given. */
export const BOOT_LOADER_NAME = 'rvos';
export const MiB = 0x100000;
export const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;
export const hex = (n: number) => '0x' + n.toString(16);

/** E820 / multiboot memory types. */
export const RAM_USABLE = 1;
export const RAM_RESERVED = 2;

export interface MemoryRegion {
  base: number;
  length: number;
  type: number;
}

/** Where conventional memory ends as SeaBIOS reports it: the last KiB below 640 KiB is its EBDA. */
export const LOW_RAM_END = 0x9fc00;

/** SeaBIOS keeps its tables in the last 128 KiB of RAM and reports them reserved. */
const SEABIOS_TOP = 0x20000;
/** QEMU's 256 KiB SeaBIOS ROM below 4 GiB, which SeaBIOS reports reserved. */
const BIOS_ROM_BASE = 0xfffc0000;

/**
 * The memory map QEMU 7.2's pc with SeaBIOS reports through INT 15h E820, which GRUB, QEMU's
 * multiboot ROM and Linux's setup pass on (checked with qemu-system-i386 -m 128M, test/qemu/
 * i386-boot.test.ts), so a kernel that prints it prints the same: RAM below 639 KiB, the EBDA and
 * the BIOS area reserved, RAM from 1 MiB to 128 KiB below the end of RAM (`bootRamSize`), that last
 * 128 KiB reserved, the BIOS ROM below 4 GiB reserved.
 */
export function pcMemoryMap(ramEnd: number): MemoryRegion[] {
  const map: MemoryRegion[] = [
    { base: 0, length: LOW_RAM_END, type: RAM_USABLE },
    { base: LOW_RAM_END, length: 0xa0000 - LOW_RAM_END, type: RAM_RESERVED },
    { base: 0xf0000, length: 0x10000, type: RAM_RESERVED },
  ];
  const top = upperEnd(ramEnd);
  if (top > MiB) map.push({ base: MiB, length: top - MiB, type: RAM_USABLE });
  if (ramEnd > top) map.push({ base: top, length: ramEnd - top, type: RAM_RESERVED });
  map.push({ base: BIOS_ROM_BASE, length: 0x100000000 - BIOS_ROM_BASE, type: RAM_RESERVED });
  return map;
}

/** The end of the usable RAM above 1 MiB (SeaBIOS reserves the last 128 KiB). */
export function upperEnd(ramEnd: number): number {
  return ramEnd > MiB + SEABIOS_TOP ? ramEnd - SEABIOS_TOP : ramEnd;
}

/** KiB of conventional and of upper memory (from 1 MiB), as multiboot's mem_lower/mem_upper. */
export function memoryKiB(ramEnd: number): { lower: number; upper: number } {
  return { lower: LOW_RAM_END / 1024, upper: Math.max(0, upperEnd(ramEnd) - MiB) / 1024 };
}

/**
 * The loader's GDT, in a small ROM in the option-ROM area (where QEMU's multiboot.bin and
 * linuxboot.bin keep theirs), so no RAM the kernel was told about holds it (in shadow RAM there
 * when the board's chipset decodes that area, boot-shadow.ts):
 * null, null, 0x10 = flat 32-bit code, 0x18 = flat 32-bit data (Linux's __BOOT_CS/__BOOT_DS,
 * Documentation/x86/boot.rst "32-bit boot protocol"; multiboot only asks for flat segments).
 */
export const GDT_ROM_BASE = 0xdf000;
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;
const GDT_LIMIT = 0x1f;

function gdtRom(): Uint8Array {
  const rom = new Uint8Array(PAGE);
  const v = new DataView(rom.buffer);
  // Base 0, limit 0xfffff with G = 1 (4 GiB), D/B = 1; access 9A (code, exec/read) / 92 (data, r/w).
  v.setBigUint64(0x10, 0x00cf9a000000ffffn, true);
  v.setBigUint64(0x18, 0x00cf92000000ffffn, true);
  return rom;
}

/** Copies `data` (bytes, or an opened file read in place) to RAM at `addr`, or stops the boot with one line naming `what`. */
export function place(ctx: BootContext, addr: number, data: Uint8Array | BootFile, what: string): void {
  const size = data instanceof Uint8Array ? data.length : data.size;
  if (!(data instanceof Uint8Array ? ctx.bus.dmaWrite(addr, data) : data.loadAt(addr))) {
    const ramEnd = ctx.bus.ram.base + ctx.bus.ram.size;
    ctx.badInput(`${what} at ${hex(addr)}..${hex(addr + size)} does not fit in RAM (0x0..${hex(ramEnd)}, not RAM at 0xa0000..0x100000)`);
  }
}

/**
 * The entry state multiboot (1: "Machine state", 2: "I386 machine state") and Linux's 32-bit
 * protocol promise: CS/DS/ES/FS/GS/SS flat, CR0.PE = 1 and PG = 0, EFLAGS.IF = 0 and VM = 0,
 * the given registers set and the others 0; the A20 line is on from reset. CPU 0 only.
 */
export function startFlat32(ctx: BootContext, entry: number, regs: { eax?: number; ebx?: number; esi?: number } = {}): void {
  const cpu = ctx.cpus[0];
  if (!(cpu instanceof I386Cpu)) throw new Error('i386: boot needs i386 CPUs');
  if (!chipsetDecodesBiosArea(ctx.bus)) ctx.addRom('boot-gdt', GDT_ROM_BASE, gdtRom());
  else if (!shadowAsSeaBiosLeavesIt(cpu.io) || !writeThroughBus(ctx.bus, GDT_ROM_BASE, gdtRom().subarray(0, GDT_LIMIT + 1))) {
    ctx.badInput(`the loader's GDT at ${hex(GDT_ROM_BASE)}: the board's chipset decodes the BIOS area but is no i440FX rvos can open as shadow RAM`);
  }
  for (const r of [EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI]) cpu.setReg(r, 0);
  cpu.enterFlat32(entry, GDT_ROM_BASE, GDT_LIMIT, BOOT_CS, BOOT_DS);
  cpu.setReg(EAX, regs.eax ?? 0);
  cpu.setReg(EBX, regs.ebx ?? 0);
  cpu.setReg(ESI, regs.esi ?? 0);
}

/** A string as multiboot and Linux take it: UTF-8, NUL-terminated. */
export function cString(s: string): Uint8Array {
  const b = Buffer.from(s, 'utf8');
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export interface PlacedModule {
  start: number;
  end: number;
  cmdline: string;
}

/** Places the boot modules one after another from `from`, each on a page boundary. */
export function placeModules(ctx: BootContext, from: number): { modules: PlacedModule[]; end: number } {
  const modules: PlacedModule[] = [];
  let at = alignUp(from, PAGE);
  for (const m of ctx.modules ?? []) {
    const file = ctx.openFile(m.path);
    place(ctx, at, file, `module ${m.path}`);
    modules.push({ start: at, end: at + file.size, cmdline: m.cmdline });
    at = alignUp(at + file.size, PAGE);
  }
  return { modules, end: at };
}

/**
 * Where an ELF kernel starts with paging off: its entry made physical through the first segment
 * whose virtual range holds it (a higher-half kernel), as GRUB's multiboot_elfxx.c does; undefined
 * when no segment holds it.
 */
export function physicalEntry(entry: number, segments: readonly ElfSegment[]): number | undefined {
  const s = segments.find((g) => g.vaddr <= entry && entry < g.vaddr + g.memsz);
  return s ? entry - s.vaddr + s.paddr : undefined;
}
