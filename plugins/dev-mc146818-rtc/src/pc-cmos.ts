/**
 * The CMOS bytes QEMU 7.2's pc_cmos_init (hw/i386/pc.c) fills for the BIOS and for kernels that
 * size memory from the CMOS: memory sizes, equipment, boot order and the CPU count (checked against
 * qemu-system-i386 -M pc after SeaBIOS).
 */
const KiB = 1024;
const MiB = 1024 * KiB;
/** From 3.5 GiB of RAM on, i440fx keeps 3 GiB below 4 GiB (pc_piix.c lowmem, gigabyte_align); the rest goes above. */
const LOWMEM = 0xe0000000;
const LOWMEM_ALIGNED = 0xc0000000;

export function pcCmosBytes(ramSize: number, cpus: number): Array<[number, number]> {
  const below4g = ramSize >= LOWMEM ? LOWMEM_ALIGNED : ramSize;
  const above4g = ramSize - below4g;
  const base = Math.min(below4g / KiB, 640);
  const ext = Math.min(below4g > MiB ? Math.floor((below4g - MiB) / KiB) : 0, 65535);
  const above16m = Math.min(below4g > 16 * MiB ? Math.floor((below4g - 16 * MiB) / (64 * KiB)) : 0, 65535);
  const high = Math.floor(above4g / (64 * KiB));
  return [
    [0x15, base & 0xff], [0x16, base >> 8], // base memory in KiB
    [0x17, ext & 0xff], [0x18, ext >> 8], // extended memory (above 1 MiB) in KiB, capped at 65535
    [0x30, ext & 0xff], [0x31, ext >> 8], // the same, as the POST reports it
    [0x34, above16m & 0xff], [0x35, above16m >> 8], // memory above 16 MiB in 64 KiB units
    [0x5b, high & 0xff], [0x5c, (high >> 8) & 0xff], [0x5d, (high >> 16) & 0xff], // above 4 GiB, 64 KiB units
    [0x5f, cpus - 1],
    // Equipment: a floppy drive, FPU, PS/2 mouse; drive A a 2.88 MB type (QEMU's default empty drive,
    // pc_cmos_init_floppy), so a kernel reading them prints what it prints on QEMU.
    [0x14, 0x01 | 0x02 | 0x04], [0x10, 0x50],
    [0x3d, 0x12], [0x38, 0x30], // boot order "cad": hard disk, floppy, CD-ROM (set_boot_dev)
  ];
}
