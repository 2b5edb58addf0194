/**
 * SeaBIOS (Debian's seabios package, 1.16.2) booting a disk on the pc board and on qemu-system-i386
 * -M pc: the boot sector test/fixtures/i386-boot/mbr-hello.bin (source beside it) on a 1 MiB IDE disk
 * prints one line on COM1 and exits through isa-debug-exit; SeaBIOS's debug output goes to an
 * isa-debugcon at 0x402 (QEMU's `-device isa-debugcon,iobase=0x402`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempFile } from './raspi3b.js';

export const SEABIOS = '/usr/share/seabios/bios.bin';
export const MBR_LINE = 'MBR: booted by the BIOS from the IDE disk\r\n';
/** Debug lines SeaBIOS prints on its way to the boot sector, in order (on QEMU and on rvos). */
export const SEABIOS_MILESTONES = [
  'SeaBIOS (version ',
  'Running on QEMU (i440fx)',
  'Found QEMU fw_cfg',
  'QEMU fw_cfg DMA interface supported',
  'qemu/e820: addr 0x0000000000000000 len 0x0000000008000000 [RAM]',
  'PCI: init bdf=00:01.1 id=8086:7010',
  'Using pmtimer, ioport ',
  'ATA controller 1 at 1f0/3f4/0 (irq 14 dev 9)',
  'Booting from Hard Disk...',
  'Booting from 0000:7c00',
];

export function seabiosAvailable(): boolean {
  return existsSync(SEABIOS);
}

/** The boot sector on a 1 MiB raw disk image (a temporary copy: rvos writes through). */
export function mbrDisk(): string {
  const sector = readFileSync(join(import.meta.dirname, '../fixtures/i386-boot/mbr-hello.bin'));
  const disk = new Uint8Array(1024 * 1024);
  disk.set(sector);
  return tempFile('mbr-hello.img', disk);
}

/** The milestones missing from `log`, or out of order. */
export function missingMilestones(log: string): string[] {
  let at = 0;
  const missing: string[] = [];
  for (const m of SEABIOS_MILESTONES) {
    const i = log.indexOf(m, at);
    if (i < 0) missing.push(m);
    else at = i + m.length;
  }
  return missing;
}
