import type { ElfInfo } from './api.js';

/** Turns guest addresses into `function+0x1c` using the loaded images' symbol tables. */
export class Symbolizer {
  private readonly sorted: Array<{ name: string; addr: number }> = [];

  constructor(images: ElfInfo[] = []) {
    for (const img of images) this.add(img);
  }

  add(image: ElfInfo): void {
    for (const [name, addr] of image.symbols) {
      if (name.startsWith('.L') || name.startsWith('$')) continue;
      this.sorted.push({ name, addr });
    }
    this.sorted.sort((a, b) => a.addr - b.addr);
  }

  /** The symbol at or below `addr`, or undefined when none precedes it. */
  lookup(addr: number): { name: string; offset: number } | undefined {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].addr <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const s = this.sorted[best];
    return { name: s.name, offset: addr - s.addr };
  }

  format(addr: number): string {
    const s = this.lookup(addr);
    if (!s) return '';
    return s.offset === 0 ? `<${s.name}>` : `<${s.name}+0x${s.offset.toString(16)}>`;
  }
}
