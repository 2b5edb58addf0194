/**
 * Where GRUB 2's relocator puts what it loads for a multiboot2 kernel, as observed on QEMU's pc
 * (test/qemu/i386-boot.test.ts): each chunk (section copies, modules, then the boot information)
 * at the lowest suitably aligned address from 1 MiB that overlaps nothing placed before it (the
 * kernel's segments first) and ends below `limit` (the end of usable RAM). So a kernel that prints
 * where its modules are prints the same under rvos and under GRUB.
 */
import { hex, MiB } from './boot-common.js';

export class FirstFit {
  private readonly used: Array<[number, number]> = [];

  constructor(
    private readonly limit: number,
    private readonly fail: (message: string) => never,
  ) {}

  /** Marks [start, end) as taken (a kernel segment). */
  reserve(start: number, end: number): void {
    if (end > start) this.used.push([start, end]);
  }

  /** The lowest `align`-aligned address from 1 MiB where `size` bytes fit; marks them taken. */
  take(size: number, align: number, name: string): number {
    let at = MiB;
    for (;;) {
      at = Math.ceil(at / align) * align;
      if (at + size > this.limit) this.fail(`${name}: ${size} bytes do not fit in RAM from 1 MiB to ${hex(this.limit)} beside the kernel and modules`);
      const clash = this.used.find(([s, e]) => at < e && at + Math.max(size, 1) > s);
      if (!clash) break;
      at = clash[1];
    }
    this.reserve(at, at + size);
    return at;
  }
}
