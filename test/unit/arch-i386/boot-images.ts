/**
 * Builders for the i386 boot tests: tiny ELF32 executables, multiboot 1/2 headers, a synthetic
 * bzImage, and `bootPc` (the pc board, built with the builtin plugins, booting a kernel file).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../../src/core/board.js';
import { buildMachine, type BuildOptions } from '../../../src/core/builder.js';
import { CaptureBackend } from '../../../src/core/chardev.js';
import { discoverPlugins, PluginRegistry } from '../../../src/core/plugins.js';
import type { I386Cpu } from '../../../plugins/arch-i386/src/cpu.js';

export const dir = mkdtempSync(join(tmpdir(), 'rvos-i386-boot-'));
let n = 0;
export function file(bytes: Uint8Array, name = `f${n++}.bin`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/**
 * 32-bit code that stores EAX at 0x7000, EBX at 0x7004, ESI at 0x7008, then spins (a HLT with
 * IF = 0 would leave the run waiting on the PIT's timers, which idle time does not count):
 * mov %eax,0x7000 (89 05 imm32); mov %ebx,0x7004 (89 1d imm32); mov %esi,0x7008 (89 35 imm32); jmp . (eb fe).
 */
export const STORE_REGS = Uint8Array.from([0x89, 0x05, 0x00, 0x70, 0, 0, 0x89, 0x1d, 0x04, 0x70, 0, 0, 0x89, 0x35, 0x08, 0x70, 0, 0, 0xeb, 0xfe]);

export interface Segment { paddr: number; vaddr?: number; data: Uint8Array; memsz?: number }
export interface Section { name: string; type: number; addr: number; data: Uint8Array }

const le32 = (v: DataView, o: number, x: number) => v.setUint32(o, x >>> 0, true);

/** An ELF32 EM_386 ET_EXEC: `prefix` bytes right after the headers (a multiboot header), then segments. */
export function elf32(entry: number, segments: Segment[], opts: { prefix?: Uint8Array; sections?: Section[] } = {}): Uint8Array {
  const phoff = 52;
  let off = phoff + 32 * segments.length;
  off = Math.ceil(off / 8) * 8; // multiboot2 headers are 8-aligned
  const prefixAt = off;
  off += opts.prefix?.length ?? 0;
  const dataAt = segments.map((s) => { off = Math.ceil(off / 4) * 4; const at = off; off += s.data.length; return at; });
  const sections = opts.sections ?? [];
  let shoff = 0;
  const secAt: number[] = [];
  let strtab = new Uint8Array(0);
  const nameOff: number[] = [];
  if (sections.length) {
    const names = ['', ...sections.map((s) => s.name), '.shstrtab'];
    const parts: number[] = [];
    for (const nm of names) { nameOff.push(parts.length); for (const c of nm) parts.push(c.charCodeAt(0)); parts.push(0); }
    strtab = Uint8Array.from(parts);
    for (const s of sections) { secAt.push(off); off += s.data.length; }
    secAt.push(off); off += strtab.length;
    off = Math.ceil(off / 4) * 4;
    shoff = off;
    off += 40 * (sections.length + 2);
  }
  const out = new Uint8Array(off);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); v.setUint16(18, 3, true); le32(v, 20, 1);
  le32(v, 24, entry); le32(v, 28, phoff); le32(v, 32, shoff);
  v.setUint16(40, 52, true); v.setUint16(42, 32, true); v.setUint16(44, segments.length, true);
  v.setUint16(46, 40, true); v.setUint16(48, sections.length ? sections.length + 2 : 0, true); v.setUint16(50, sections.length ? sections.length + 1 : 0, true);
  if (opts.prefix) out.set(opts.prefix, prefixAt);
  segments.forEach((s, i) => {
    const p = phoff + 32 * i;
    le32(v, p, 1); le32(v, p + 4, dataAt[i]); le32(v, p + 8, s.vaddr ?? s.paddr); le32(v, p + 12, s.paddr);
    le32(v, p + 16, s.data.length); le32(v, p + 20, s.memsz ?? s.data.length); le32(v, p + 24, 7); le32(v, p + 28, 4);
    out.set(s.data, dataAt[i]);
  });
  if (sections.length) {
    const all = [...sections, { name: '.shstrtab', type: 3, addr: 0, data: strtab }];
    all.forEach((s, i) => {
      out.set(s.data, secAt[i]);
      const h = shoff + 40 * (i + 1);
      le32(v, h, nameOff[i + 1]); le32(v, h + 4, s.type); le32(v, h + 12, s.addr); le32(v, h + 16, secAt[i]); le32(v, h + 20, s.data.length); le32(v, h + 32, 1);
    });
  }
  return out;
}

/** A multiboot 1 header; with `address` (flag 16) the a.out-kludge fields follow. */
export function mb1Header(flags: number, address?: { header: number; load: number; loadEnd: number; bssEnd: number; entry: number }): Uint8Array {
  const f = address ? flags | 0x10000 : flags;
  const words = [0x1badb002, f, (-(0x1badb002 + f)) >>> 0];
  if (address) words.push(address.header, address.load, address.loadEnd, address.bssEnd, address.entry);
  const b = new Uint8Array(4 * words.length);
  words.forEach((w, i) => le32(new DataView(b.buffer), 4 * i, w));
  return b;
}

/** A multiboot2 header from tags given as [type, flags, u32 payload...]. */
export function mb2Header(tags: Array<[number, number, ...number[]]>): Uint8Array {
  const body: number[] = [];
  for (const [type, flags, ...payload] of [...tags, [0, 0] as [number, number]]) {
    const size = 8 + 4 * payload.length;
    body.push(type | (flags << 16), size, ...payload);
    if (size % 8) body.push(0);
  }
  const length = 16 + 4 * body.length;
  const words = [0xe85250d6, 0, length, (-(0xe85250d6 + length)) >>> 0, ...body];
  const b = new Uint8Array(4 * words.length);
  words.forEach((w, i) => le32(new DataView(b.buffer), 4 * i, w));
  return b;
}

let registry: PluginRegistry | undefined;
export async function builtins(): Promise<PluginRegistry> {
  if (!registry) {
    registry = new PluginRegistry();
    await registry.loadAll(discoverPlugins([], dir).filter((c) => c.source === 'builtin'));
  }
  return registry;
}

/** Builds the pc board booting `kernel` (a path), runs `insns` instructions, returns machine, CPU and RAM view. */
export async function bootPc(kernel: string, opts: BuildOptions = {}, insns = 0) {
  const machine = buildMachine(await builtins(), loadBoard('pc'), { kernel, drives: [], console: new CaptureBackend(), ...opts });
  if (insns) await machine.run({ maxInsns: insns, timeoutMs: 5000 });
  const cpu = machine.cpus[0] as I386Cpu;
  const ram = machine.bus.ram;
  const view = new DataView(ram.u8.buffer, ram.u8.byteOffset, ram.u8.byteLength);
  const cstr = (addr: number) => { let e = addr; while (ram.u8[e]) e++; return Buffer.from(ram.u8.subarray(addr, e)).toString('utf8'); };
  return { machine, cpu, ram, view, cstr };
}

/** A synthetic bzImage: 2 setup sectors after the boot sector, then `kernel` (the protected-mode part). */
export function bzImage(kernel: Uint8Array, opts: { version?: number; loadflags?: number; initrdAddrMax?: number; cmdlineSize?: number } = {}): Uint8Array {
  const img = new Uint8Array(0x600 + kernel.length);
  const v = new DataView(img.buffer);
  img[0x1f1] = 2; // setup_sects
  v.setUint16(0x1fe, 0xaa55, true);
  img[0x200] = 0xeb; img[0x201] = 0x66; // jmp to 0x268: the header ends there
  img.set([0x48, 0x64, 0x72, 0x53], 0x202); // "HdrS"
  v.setUint16(0x206, opts.version ?? 0x20f, true);
  img[0x211] = opts.loadflags ?? 1; // LOADED_HIGH
  v.setUint32(0x214, 0x100000, true); // code32_start
  v.setUint32(0x22c, opts.initrdAddrMax ?? 0x7fffffff, true);
  v.setUint32(0x238, opts.cmdlineSize ?? 2047, true);
  img[0x260] = 0x5a; // inside the header (init_size), copied
  img[0x270] = 0x77; // past the header's end: not copied
  img.set(kernel, 0x600);
  return img;
}
