import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The virt teaching OS (kernels/virt) as the rvos and QEMU session tests use it. */
export const virt = fileURLToPath(new URL('../../kernels/virt/', import.meta.url));
export const firmware = join(virt, 'build/firmware.elf');
export const kernel = join(virt, 'build/kernel.elf');
export const disk = join(virt, 'build/disk.img');
export const built = [firmware, kernel, disk].every((f) => existsSync(f));

export const sessionLines = (text: string) => text.split('\n').slice(0, -1);
/** The kernel's part of the console output: the firmware's own lines before it are not compared. */
const BANNER = '\nrvos teaching kernel';
export const fromKernel = (output: string) => (output.includes(BANNER) ? output.slice(output.indexOf(BANNER)) : output);
export const PROMPT = '$ ';

/** Copies of the committed disk image in a temporary folder (the committed one is never written). */
export function imageCopies(prefix: string): { copy(): string; cleanup(): void } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  let copies = 0;
  return {
    copy() {
      const path = join(work, `disk-${copies++}.img`);
      copyFileSync(disk, path);
      return path;
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}
