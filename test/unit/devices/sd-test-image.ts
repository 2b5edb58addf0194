import type { BlockImage, Drive } from '../../../src/core/api.js';

/**
 * An in-memory BlockImage for SD tests: sparse (512-byte sectors in a Map, so a 4 GiB SDHC card
 * costs nothing), byte i of an unwritten sector reads as pattern(i); counts writes and flushes.
 */
export class MemoryImage implements BlockImage {
  readonly path = 'mem.img';
  readonly sectors = new Map<number, Uint8Array>();
  writes = 0;
  flushes = 0;
  /** Writes done since the last flush (what a crash would lose). */
  unflushed = 0;
  closed = false;
  constructor(
    readonly size: number,
    readonly readOnly = false,
  ) {}
  static pattern(i: number): number {
    return (i * 7 + Math.floor(i / 512)) & 0xff;
  }
  private sector(n: number): Uint8Array {
    let s = this.sectors.get(n);
    if (!s) {
      s = new Uint8Array(512);
      for (let i = 0; i < 512; i++) s[i] = MemoryImage.pattern(n * 512 + i);
      this.sectors.set(n, s);
    }
    return s;
  }
  read(offset: number, dst: Uint8Array): boolean {
    if (offset + dst.length > this.size) return false;
    for (let i = 0; i < dst.length; i++) dst[i] = this.sector(Math.floor((offset + i) / 512))[(offset + i) % 512];
    return true;
  }
  write(offset: number, src: Uint8Array): boolean {
    if (this.readOnly || offset + src.length > this.size) return false;
    for (let i = 0; i < src.length; i++) this.sector(Math.floor((offset + i) / 512))[(offset + i) % 512] = src[i];
    this.writes++;
    this.unflushed++;
    return true;
  }
  flush(): boolean {
    this.flushes++;
    this.unflushed = 0;
    return true;
  }
  close(): void {
    this.closed = true;
  }
}

export function memoryDrive(size: number, opts: { readOnly?: boolean; options?: Record<string, string> } = {}): { drive: Drive; image: MemoryImage } {
  const image = new MemoryImage(size, opts.readOnly);
  return { drive: { id: 'drive0', image, options: opts.options ?? {} }, image };
}
