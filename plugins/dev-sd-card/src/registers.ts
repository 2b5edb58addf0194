/**
 * The SD card's identification and configuration registers (SD Physical Layer Simplified Spec
 * v3.01 §5: OCR, CID, CSD, SCR), with the field values QEMU 7.2's hw/sd/sd.c gives its card so a
 * guest prints the same card as on QEMU.
 */

/** SDSC cards are at most 2 GiB (§5.3.2); bigger images are SDHC (CSD v2, block addressing). */
export const SDSC_MAX_BYTES = 2 * 1024 * 1024 * 1024;

// OCR (§5.1).
/** The card accepts every voltage (QEMU: VDD_VOLTAGE_WIN_HI, bits 23:8). */
export const OCR_VOLTAGE_WINDOW = 0x00ffff00;
/** ACMD41 with arg bits 23:0 clear is an enquiry: it does not start power-up. */
export const ACMD41_ENQUIRY_MASK = 0x00ffffff;
export const OCR_CCS = 1 << 30;
export const OCR_POWER_UP = 1 << 31;

/** Sets bits [hi:lo] of a 128- or 64-bit big-endian register (byte 0 holds the top bits). */
export function setBits(reg: Uint8Array, hi: number, lo: number, value: number): void {
  const top = reg.length * 8 - 1;
  for (let bit = lo; bit <= hi; bit++) {
    const v = Math.floor(value / 2 ** (bit - lo)) & 1;
    const byte = (top - bit) >> 3;
    const mask = 1 << (bit & 7);
    reg[byte] = v ? reg[byte] | mask : reg[byte] & ~mask;
  }
}

/** CRC7 (polynomial x^7 + x^3 + 1) of `bytes`, as CID and CSD carry it in bits [7:1] (§4.5). */
export function crc7(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    for (let i = 7; i >= 0; i--) {
      const bit = ((b >> i) & 1) ^ ((crc >> 6) & 1);
      crc = (crc << 1) & 0x7f;
      if (bit) crc ^= 0x09;
    }
  }
  return crc;
}

function withCrc(reg: Uint8Array): Uint8Array {
  reg[15] = (crc7(reg.subarray(0, 15)) << 1) | 1;
  return reg;
}

/** CID (§5.2): QEMU's manufacturer 0xaa, OEM "XY", product "QEMU!", revision 0.1, serial 0xdeadbeef, made 2006-02. */
export function makeCid(): Uint8Array {
  const cid = new Uint8Array(16);
  cid[0] = 0xaa;
  cid.set(new TextEncoder().encode('XYQEMU!'), 1);
  cid[8] = 0x01; // PRV
  cid.set([0xde, 0xad, 0xbe, 0xef], 9); // PSN
  cid[13] = 0x00; // reserved, year (2006 - 2000) high nibble
  cid[14] = (6 << 4) | 2; // year low nibble, month
  return withCrc(cid);
}

/** CSD (§5.3): version 1.0 for SDSC (byte capacity from C_SIZE/C_SIZE_MULT/READ_BL_LEN), 2.0 for SDHC. */
export function makeCsd(sizeBytes: number, highCapacity: boolean): Uint8Array {
  const csd = new Uint8Array(16);
  setBits(csd, 103, 96, 0x32); // TRAN_SPEED 25 MHz
  setBits(csd, 46, 46, 1); // ERASE_BLK_EN
  setBits(csd, 45, 39, 0x7f); // SECTOR_SIZE
  setBits(csd, 25, 22, 9); // WRITE_BL_LEN 512
  if (highCapacity) {
    setBits(csd, 127, 126, 1); // CSD_STRUCTURE 2.0 (§5.3.3)
    setBits(csd, 119, 112, 0x0e); // TAAC 1 ms
    setBits(csd, 95, 84, 0x5b5); // CCC
    setBits(csd, 83, 80, 9); // READ_BL_LEN 512
    setBits(csd, 69, 48, Math.floor(sizeBytes / (512 * 1024)) - 1); // C_SIZE: capacity = (C_SIZE + 1) * 512 KiB
    setBits(csd, 28, 26, 2); // R2W_FACTOR
  } else {
    // capacity = (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) * 2^READ_BL_LEN, C_SIZE at most 4095.
    const blLen = sizeBytes > 1024 * 1024 * 1024 ? 10 : 9;
    const mult = 7;
    setBits(csd, 119, 112, 0x26); // TAAC
    setBits(csd, 95, 84, 0x5f5); // CCC
    setBits(csd, 83, 80, blLen);
    setBits(csd, 79, 77, 7); // READ_BL_PARTIAL (always 1 on SDSC), WRITE/READ_BLK_MISALIGN as QEMU
    setBits(csd, 73, 62, Math.max(0, Math.floor(sizeBytes / 2 ** (mult + 2 + blLen)) - 1));
    setBits(csd, 61, 56, 0x3f); // VDD_R_CURR_MIN/MAX
    setBits(csd, 55, 50, 0x3f); // VDD_W_CURR_MIN/MAX
    setBits(csd, 49, 47, mult);
    setBits(csd, 38, 32, 0x7f >> 3); // WP_GRP_SIZE
    setBits(csd, 31, 31, 1); // WP_GRP_ENABLE
    setBits(csd, 28, 26, 4); // R2W_FACTOR
    setBits(csd, 21, 21, 1); // WRITE_BL_PARTIAL
  }
  return withCrc(csd);
}

/** SCR (§5.6) as QEMU's physical-spec-2.00 card: SD_SPEC 2, security 2, 1- and 4-bit bus widths. */
export function makeScr(): Uint8Array {
  return Uint8Array.of(0x02, 0x25, 0, 0, 0, 0, 0, 0);
}
