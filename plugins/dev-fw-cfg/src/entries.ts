/**
 * The items QEMU 7.2's pc machine puts in fw_cfg that SeaBIOS reads (docs/specs/fw_cfg.rst,
 * hw/nvram/fw_cfg.c, hw/i386/fw_cfg.c): the signature, the interface ID, RAM size, CPU counts,
 * the boot menu flag, and the file directory with "etc/e820" (QEMU's table: the RAM below 4 GiB).
 * Keys nobody set read as empty (every data byte 0), as QEMU's.
 */
export const FW_CFG_SIGNATURE = 0x00;
export const FW_CFG_ID = 0x01;
export const FW_CFG_UUID = 0x02;
export const FW_CFG_RAM_SIZE = 0x03;
export const FW_CFG_NOGRAPHIC = 0x04;
export const FW_CFG_NB_CPUS = 0x05;
export const FW_CFG_BOOT_MENU = 0x0e;
export const FW_CFG_MAX_CPUS = 0x0f;
export const FW_CFG_FILE_DIR = 0x19;
export const FW_CFG_FILE_FIRST = 0x20;
/** FW_CFG_ID bits: the traditional interface, and the DMA interface. */
export const FW_CFG_VERSION = 1;
export const FW_CFG_VERSION_DMA = 2;
const E820_RAM = 1;

export interface FwCfgMachine {
  ramSize: number;
  cpus: number;
  dma: boolean;
}

function le(value: number, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(value / 2 ** (8 * i)) & 0xff;
  return out;
}

/** QEMU's e820 table entry: u64 address, u64 length, u32 type (little-endian, packed). */
function e820(entries: Array<{ addr: number; len: number; type: number }>): Uint8Array {
  const out = new Uint8Array(20 * entries.length);
  entries.forEach((e, i) => {
    out.set(le(e.addr, 8), 20 * i);
    out.set(le(e.len, 8), 20 * i + 8);
    out.set(le(e.type, 4), 20 * i + 16);
  });
  return out;
}

/** The file directory: a big-endian count, then per file: be32 size, be16 select, be16 reserved, 56-byte name. */
function fileDir(files: Array<{ name: string; key: number; data: Uint8Array }>): Uint8Array {
  const out = new Uint8Array(4 + 64 * files.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, files.length);
  files.forEach((f, i) => {
    const at = 4 + 64 * i;
    v.setUint32(at, f.data.length);
    v.setUint16(at + 4, f.key);
    out.set(new TextEncoder().encode(f.name).subarray(0, 55), at + 8);
  });
  return out;
}

export function pcEntries(m: FwCfgMachine): Map<number, Uint8Array> {
  const entries = new Map<number, Uint8Array>([
    [FW_CFG_SIGNATURE, new TextEncoder().encode('QEMU')],
    [FW_CFG_ID, le(FW_CFG_VERSION | (m.dma ? FW_CFG_VERSION_DMA : 0), 4)],
    [FW_CFG_UUID, new Uint8Array(16)],
    [FW_CFG_RAM_SIZE, le(m.ramSize, 8)],
    [FW_CFG_NOGRAPHIC, le(0, 2)],
    [FW_CFG_NB_CPUS, le(m.cpus, 2)],
    [FW_CFG_BOOT_MENU, le(0, 2)],
    [FW_CFG_MAX_CPUS, le(m.cpus, 2)],
  ]);
  // Files, sorted by name as QEMU keeps its directory; keys from FW_CFG_FILE_FIRST in that order.
  const files = [{ name: 'etc/e820', data: e820([{ addr: 0, len: Math.min(m.ramSize, 0xe0000000), type: E820_RAM }]) }]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((f, i) => ({ ...f, key: FW_CFG_FILE_FIRST + i }));
  for (const f of files) entries.set(f.key, f.data);
  entries.set(FW_CFG_FILE_DIR, fileDir(files));
  return entries;
}
