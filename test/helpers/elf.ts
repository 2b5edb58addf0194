/** Builds small ELF executables for loader tests (one PT_LOAD per segment, optional symbols). */
export function makeElf(opts: {
  machine?: number;
  elfClass?: 1 | 2;
  entry: number;
  /** `vaddr` defaults to `paddr`; 64-bit virtual addresses may be given signed (src/core/address.ts). */
  segments: Array<{ paddr: number; vaddr?: number; data: Uint8Array; memsz?: number }>;
  symbols?: Record<string, number>;
}): Uint8Array {
  const is64 = (opts.elfClass ?? 1) === 2;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const symsize = is64 ? 24 : 16;
  const syms = Object.entries(opts.symbols ?? {});
  const strtab = Buffer.concat([Buffer.from([0]), ...syms.map(([n]) => Buffer.from(n + '\0'))]);
  const phoff = ehsize;
  let off = phoff + phentsize * opts.segments.length;
  const segOffsets = opts.segments.map((s) => {
    const o = off;
    off += s.data.length;
    return o;
  });
  const symoff = off;
  off += symsize * (syms.length + 1);
  const stroff = off;
  off += strtab.length;
  const shoff = (off + 7) & ~7;
  const total = shoff + shentsize * 3;
  const b = Buffer.alloc(total);
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, 1, 1]);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(opts.machine ?? 243, 18);
  b.writeUInt32LE(1, 20);
  const w = (o: number, v: number) => (is64 ? b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), o) : b.writeUInt32LE(v >>> 0, o));
  w(24, opts.entry);
  w(is64 ? 32 : 28, phoff);
  w(is64 ? 40 : 32, shoff);
  b.writeUInt16LE(ehsize, is64 ? 52 : 40);
  b.writeUInt16LE(phentsize, is64 ? 54 : 42);
  b.writeUInt16LE(opts.segments.length, is64 ? 56 : 44);
  b.writeUInt16LE(shentsize, is64 ? 58 : 46);
  b.writeUInt16LE(3, is64 ? 60 : 48);
  opts.segments.forEach((s, i) => {
    const p = phoff + i * phentsize;
    b.writeUInt32LE(1, p);
    w(p + (is64 ? 8 : 4), segOffsets[i]);
    w(p + (is64 ? 16 : 8), s.vaddr ?? s.paddr);
    w(p + (is64 ? 24 : 12), s.paddr);
    w(p + (is64 ? 32 : 16), s.data.length);
    w(p + (is64 ? 40 : 20), s.memsz ?? s.data.length);
    b.set(s.data, segOffsets[i]);
  });
  let nameOff = 1;
  syms.forEach(([name, value], i) => {
    const s = symoff + (i + 1) * symsize;
    b.writeUInt32LE(nameOff, s);
    nameOff += Buffer.byteLength(name) + 1; // bytes, as the string table holds them
    if (is64) {
      b[s + 4] = 0x10; // GLOBAL NOTYPE
      b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)), s + 8);
    } else {
      b.writeUInt32LE(value, s + 4);
      b[s + 12] = 0x10;
    }
  });
  b.set(strtab, stroff);
  const sh = (i: number, type: number, o: number, size: number, link: number, entsize: number) => {
    const s = shoff + i * shentsize;
    b.writeUInt32LE(type, s + 4);
    w(s + (is64 ? 24 : 16), o);
    w(s + (is64 ? 32 : 20), size);
    b.writeUInt32LE(link, s + (is64 ? 40 : 24));
    w(s + (is64 ? 56 : 36), entsize);
  };
  sh(1, 2, symoff, symsize * (syms.length + 1), 2, symsize);
  sh(2, 3, stroff, strtab.length, 0, 0);
  return new Uint8Array(b);
}
