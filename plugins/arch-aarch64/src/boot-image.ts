/**
 * Where a non-ELF AArch64 kernel goes, as QEMU 7.2's load_aarch64_image (hw/arm/boot.c) decides,
 * following the arm64 Linux boot protocol (Documentation/arm64/booting.rst, "Call the kernel
 * image"): the 64-byte header holds text_offset at 8, image_size at 16, flags at 24 and the
 * magic "ARM\x64" at 0x38. A file without the magic (a bare-metal kernel8.img) goes to 0x80000.
 * A gzip-compressed Image is unpacked first (QEMU does it too: the bootloader's job on arm64).
 */
import { gunzipSync } from 'node:zlib';

/** Where raspi firmware puts a 64-bit kernel8.img (and QEMU's KERNEL64_LOAD_ADDR). */
export const KERNEL_LOAD_ADDRESS = 0x80000;
const MAGIC_OFFSET = 0x38;
const ARM64_MAGIC = 0x644d5241; // "ARM\x64", little-endian
/** hw/arm/boot.c BOOTLOADER_MAX_SIZE: a text_offset below it would overlap the loader stub. */
const BOOTLOADER_MAX_SIZE = 4096;
const MIB2 = 2 * 1024 * 1024;
/** Largest unpacked Image (QEMU's LOAD_IMAGE_MAX_GUNZIP_BYTES). */
const MAX_GUNZIP_BYTES = 64 * 1024 * 1024;

export interface KernelImage {
  /** The unpacked bytes to load when the file was gzip-compressed (else the file itself is loaded). */
  unpacked?: Uint8Array;
  /** The bytes to load: the file's, or the unpacked ones'. */
  size: number;
  /** Offset from the start of RAM where they go, which is also the entry point. */
  offset: number;
  /** The Image header's fields, when the file has one (magic present). */
  header?: { textOffset: number; imageSize: number; flags: number };
}

/** Bytes of the Image header (booting.rst): what parseKernelImage reads of a file that is not compressed. */
export const IMAGE_HEADER_BYTES = 64;

/**
 * Parses a non-ELF kernel file of `size` bytes from its first bytes (`head`: IMAGE_HEADER_BYTES of them, or all of
 * a shorter file); `whole` reads all of it, for a gzip-compressed one only. Returns an error message (one line) for
 * an Image header rvos cannot honour: big-endian kernels, or an image_size smaller than the file.
 */
export function parseKernelImage(head: Uint8Array, size: number, path: string, whole: () => Uint8Array): KernelImage | string {
  let bytes = head;
  let unpacked: Uint8Array | undefined;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      unpacked = bytes = new Uint8Array(gunzipSync(whole(), { maxOutputLength: MAX_GUNZIP_BYTES }));
    } catch (e) {
      return `${path}: a gzip-compressed kernel that does not unpack (${(e as Error).message})`;
    }
    size = unpacked.length;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // QEMU needs the whole header (size > magic offset + 8) before it looks at the magic.
  if (size <= MAGIC_OFFSET + 8 || view.getUint32(MAGIC_OFFSET, true) !== ARM64_MAGIC) {
    return { unpacked, size, offset: KERNEL_LOAD_ADDRESS };
  }
  const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  const header = { textOffset: u64(8), imageSize: u64(16), flags: u64(24) };
  if (header.flags & 1) return `${path}: arm64 Image header: a big-endian kernel (flags bit 0); rvos runs little-endian cores only`;
  if (header.imageSize !== 0 && header.imageSize < size) {
    return `${path}: arm64 Image header: image_size ${hex(header.imageSize)} is smaller than the file (${hex(size)} bytes)`;
  }
  if (header.imageSize !== 0 && header.textOffset % 4096 !== 0) {
    return `${path}: arm64 Image header: text_offset ${hex(header.textOffset)} is not a multiple of 4 KiB`;
  }
  // text_offset is meaningful only with a non-zero image_size (pre-3.17 kernels leave it 0).
  let offset = KERNEL_LOAD_ADDRESS;
  if (header.imageSize !== 0) {
    offset = header.textOffset;
    // The Image asks for an offset from any 2 MiB boundary: above the loader stub, take the next one.
    if (offset < BOOTLOADER_MAX_SIZE) offset += MIB2;
  }
  return { unpacked, size, offset, header };
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}
