/**
 * An SD memory card behind a host controller (SD Physical Layer Simplified Specification 3.01;
 * QEMU hw/sd/sd.c as the reference peer), on a `BlockImage`.
 *
 * The host hands it commands (`command(index, arg)`: the response, or undefined when the card
 * does not answer) and moves data a byte at a time (`readByte`/`writeByte`, `dataReady`), as
 * QEMU's SDBus does. Capacity as QEMU: images up to 2 GiB are standard capacity (CSD 1.0, byte
 * addresses), larger ones high capacity (CSD 2.0, block addresses, OCR.CCS).
 *
 * Commands: CMD0, 2, 3, 6, 7, 8, 9, 10, 12, 13, 16, 17, 18, 24, 25, 55; ACMD6, 13, 41, 51.
 * ACMD41 powers the card up at once (QEMU waits 0.5 ms; guests poll either way). The SCR says
 * spec 2.00 with 1- and 4-bit buses, as QEMU 7.2's default card, so guests use CMD6 for high speed.
 */
import type { BlockImage } from '../../../src/core/api.js';

export enum CardState {
  Idle = 0,
  Ready = 1,
  Ident = 2,
  Standby = 3,
  Transfer = 4,
  Data = 5,
  Receive = 6,
  Program = 7,
  Disconnect = 8,
}

export type ResponseKind = 'r1' | 'r1b' | 'r2' | 'r3' | 'r6' | 'r7';
/** A response: 32 bits for the short kinds, the 16 register bytes (CID or CSD, CRC last) for R2. */
export interface CardResponse {
  kind: ResponseKind;
  value: number;
  bytes?: Uint8Array;
}

// Card status bits (spec 4.10.1).
export const OUT_OF_RANGE = 1 << 31;
export const ADDRESS_ERROR = 1 << 30;
export const ILLEGAL_COMMAND = 1 << 22;
export const CARD_ECC_FAILED = 1 << 21;
export const READY_FOR_DATA = 1 << 8;
export const APP_CMD = 1 << 5;

const OCR_POWERED_UP = 0x80000000;
const OCR_CCS = 0x40000000;
const OCR_VOLTAGES = 0x00ff8000; // 2.7-3.6 V
const BLOCK = 512;
const SDSC_MAX = 2 * 1024 * 1024 * 1024;
const RCA = 0x4567;

/** CRC7 (polynomial x^7 + x^3 + 1) over `data`, spec 4.5. */
export function crc7(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    for (let bit = 7; bit >= 0; bit--) {
      const inBit = ((byte >> bit) & 1) ^ ((crc >> 6) & 1);
      crc = (crc << 1) & 0x7f;
      if (inBit) crc ^= 0x09;
    }
  }
  return crc;
}

/** Writes `value` into bits [msb..lsb] of a big-endian register (the last byte holds bits 7:0). */
function setBits(reg: Uint8Array, msb: number, lsb: number, value: number): void {
  for (let bit = lsb; bit <= msb; bit++) {
    const byte = reg.length - 1 - (bit >> 3);
    const mask = 1 << (bit & 7);
    if (Math.floor(value / 2 ** (bit - lsb)) % 2) reg[byte] |= mask;
    else reg[byte] &= ~mask;
  }
}

function withCrc(reg: Uint8Array): Uint8Array {
  reg[15] = (crc7(reg.subarray(0, 15)) << 1) | 1;
  return reg;
}

export class SdCard {
  state = CardState.Idle;
  private ocr = OCR_VOLTAGES;
  private rca = 0;
  private status = 0;
  private appCommand = false;
  /** The command being answered was taken as an ACMD (its R1 shows APP_CMD). */
  private answeringApp = false;
  private busWidth = 1;
  private blockLength = BLOCK;
  readonly highCapacity: boolean;
  readonly cid: Uint8Array;
  readonly csd: Uint8Array;
  readonly scr = Uint8Array.from([0x02, 0x25, 0x00, 0x00, 0, 0, 0, 0]); // SCR 1.0, SD 2.00, 1/4-bit
  /** The data phase: bytes going out (read) or coming in (write). */
  private buffer = new Uint8Array(BLOCK);
  private bufferLength = 0;
  private bufferPos = 0;
  /** Byte address of the next block of a multi-block transfer, and whether one runs. */
  private address = 0;
  private multi = false;
  private writing = false;

  constructor(
    private readonly image: BlockImage,
    serial = 0xdeadbeef,
  ) {
    this.highCapacity = image.size > SDSC_MAX;
    this.cid = this.makeCid(serial);
    this.csd = this.makeCsd();
  }

  private makeCid(serial: number): Uint8Array {
    const cid = new Uint8Array(16);
    // QEMU's card identity (hw/sd/sd.c sd_set_cid), so firmware prints what it prints on QEMU
    // (U-Boot's `mmc info`: "OEM: 5859", "Name: QEMU!").
    setBits(cid, 127, 120, 0xaa); // manufacturer
    setBits(cid, 119, 104, 0x5859); // OEM "XY"
    'QEMU!'.split('').forEach((c, i) => setBits(cid, 103 - 8 * i, 96 - 8 * i, c.charCodeAt(0)));
    setBits(cid, 63, 56, 0x01); // product revision
    setBits(cid, 55, 24, serial >>> 0);
    setBits(cid, 19, 8, ((2006 - 2000) << 4) | 2); // February 2006: year - 2000 in 19:12, month in 11:8
    return withCrc(cid);
  }

  private makeCsd(): Uint8Array {
    const csd = new Uint8Array(16);
    const size = this.image.size;
    setBits(csd, 119, 112, 0x0e); // TAAC 1 ms
    setBits(csd, 111, 104, 0x00); // NSAC
    setBits(csd, 103, 96, 0x32); // TRAN_SPEED 25 MHz
    setBits(csd, 95, 84, 0x5b5); // CCC: classes 0, 2, 4, 5, 7, 8, 10
    setBits(csd, 83, 80, 9); // READ_BL_LEN 512
    setBits(csd, 46, 46, 1); // ERASE_BLK_EN
    setBits(csd, 45, 39, 0x7f); // SECTOR_SIZE
    setBits(csd, 28, 26, 2); // R2W_FACTOR
    setBits(csd, 25, 22, 9); // WRITE_BL_LEN 512
    if (this.highCapacity) {
      setBits(csd, 127, 126, 1); // CSD 2.0
      setBits(csd, 69, 48, Math.max(1, Math.floor(size / (512 * 1024))) - 1);
    } else {
      // (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) * 2^READ_BL_LEN, with C_SIZE_MULT 7: 256 KiB units
      // (512-byte blocks up to 1 GiB; 1-2 GiB cards say 1024-byte READ_BL_LEN, as the spec allows).
      const blockShift = size > 1024 * 1024 * 1024 ? 10 : 9;
      setBits(csd, 83, 80, blockShift);
      setBits(csd, 79, 79, 1); // READ_BL_PARTIAL
      setBits(csd, 73, 62, Math.max(1, Math.floor(size / (512 * 2 ** blockShift))) - 1);
      setBits(csd, 61, 59, 7); // VDD_R_CURR_MIN
      setBits(csd, 58, 56, 7);
      setBits(csd, 55, 53, 7);
      setBits(csd, 52, 50, 7);
      setBits(csd, 49, 47, 7); // C_SIZE_MULT
    }
    return withCrc(csd);
  }

  /** R1 card status: error bits, current state, ready for data, app command. */
  private r1(kind: ResponseKind = 'r1'): CardResponse {
    const value = (this.status | (this.state << 9) | READY_FOR_DATA | (this.appCommand || this.answeringApp ? APP_CMD : 0)) >>> 0;
    this.status = 0; // error bits are "clear on read" (spec 4.10.1, type C)
    return { kind, value };
  }

  private illegal(): undefined {
    this.status |= ILLEGAL_COMMAND;
    return undefined;
  }

  /** The machine is shutting down: flush and close the disk image (and its lock). */
  close(): void {
    this.image.flush();
    this.image.close();
  }

  reset(): void {
    this.state = CardState.Idle;
    this.ocr = OCR_VOLTAGES;
    this.rca = 0;
    this.status = 0;
    this.appCommand = false;
    this.busWidth = 1;
    this.blockLength = BLOCK;
    this.bufferLength = 0;
    this.bufferPos = 0;
    this.multi = false;
    this.writing = false;
  }

  /** The current bus width set by ACMD6 (1 or 4). */
  get width(): number {
    return this.busWidth;
  }

  /** Executes one command; undefined when the card gives no response (CMD0, illegal, not addressed). */
  command(index: number, arg: number): CardResponse | undefined {
    arg >>>= 0;
    const app = this.appCommand;
    this.appCommand = false;
    this.answeringApp = app;
    if (app) {
      const r = this.appCommandFor(index, arg);
      if (r !== null) return r;
    }
    switch (index) {
      case 0:
        this.reset();
        return undefined;
      case 2:
        if (this.state !== CardState.Ready) return this.illegal();
        this.state = CardState.Ident;
        return { kind: 'r2', value: 0, bytes: this.cid };
      case 3:
        if (this.state !== CardState.Ident && this.state !== CardState.Standby) return this.illegal();
        this.rca = RCA;
        this.state = CardState.Standby;
        return { kind: 'r6', value: ((this.rca << 16) | (this.state << 9) | READY_FOR_DATA) >>> 0 };
      case 6:
        if (this.state !== CardState.Transfer) return this.illegal();
        this.startRead(this.switchStatus(arg));
        return this.r1();
      case 7: {
        const selected = arg >>> 16 === this.rca && this.rca !== 0;
        if (selected && this.state === CardState.Standby) {
          this.state = CardState.Transfer;
          return this.r1('r1b');
        }
        if (!selected && (this.state === CardState.Transfer || this.state === CardState.Data)) this.state = CardState.Standby;
        return selected ? this.r1('r1b') : undefined;
      }
      case 8:
        if (this.state !== CardState.Idle) return this.illegal();
        if (((arg >> 8) & 0xf) !== 1) return undefined; // voltage not supported: no response
        return { kind: 'r7', value: arg & 0xfff };
      case 9:
      case 10:
        if (this.state !== CardState.Standby || arg >>> 16 !== this.rca) return this.illegal();
        return { kind: 'r2', value: 0, bytes: index === 9 ? this.csd : this.cid };
      case 12:
        if (this.state !== CardState.Data && this.state !== CardState.Receive) return this.illegal();
        this.state = CardState.Transfer;
        this.bufferLength = 0;
        this.multi = false;
        this.writing = false;
        return this.r1('r1b');
      case 13:
        if (arg >>> 16 !== this.rca) return undefined;
        return this.r1();
      case 16:
        if (this.state !== CardState.Transfer) return this.illegal();
        // High-capacity cards use 512 always; standard ones accept up to 512 (reads only).
        if (!this.highCapacity && arg >= 1 && arg <= BLOCK) this.blockLength = arg;
        else if (!this.highCapacity) this.status |= 1 << 29; // BLOCK_LEN_ERROR
        return this.r1();
      case 17:
      case 18:
        if (this.state !== CardState.Transfer) return this.illegal();
        return this.beginBlockRead(arg, index === 18);
      case 24:
      case 25:
        if (this.state !== CardState.Transfer) return this.illegal();
        return this.beginBlockWrite(arg, index === 25);
      case 55:
        this.appCommand = true;
        return this.r1();
      default:
        return this.illegal();
    }
  }

  /** ACMDs; null when `index` is not an application command (it runs as a normal one). */
  private appCommandFor(index: number, arg: number): CardResponse | undefined | null {
    switch (index) {
      case 6:
        if (this.state !== CardState.Transfer) return this.illegal();
        this.busWidth = (arg & 3) === 2 ? 4 : 1;
        return this.r1();
      case 13:
        if (this.state !== CardState.Transfer) return this.illegal();
        // SD status: only DAT_BUS_WIDTH (bits 511:510) is filled in.
        this.startRead(Uint8Array.from({ length: 64 }, (_, i) => (i === 0 && this.busWidth === 4 ? 0x80 : 0)));
        return this.r1();
      case 41:
        if (this.state !== CardState.Idle && this.state !== CardState.Ready) return this.illegal();
        if ((arg & OCR_VOLTAGES) !== 0) {
          this.ocr = (OCR_VOLTAGES | OCR_POWERED_UP | (this.highCapacity ? OCR_CCS : 0)) >>> 0;
          this.state = CardState.Ready;
        }
        return { kind: 'r3', value: this.ocr };
      case 51:
        if (this.state !== CardState.Transfer) return this.illegal();
        this.startRead(this.scr);
        return this.r1();
      default:
        return null;
    }
  }

  /** CMD6 status (spec 4.3.10): group 1 offers default and high speed; other groups default only. */
  private switchStatus(arg: number): Uint8Array {
    const reg = new Uint8Array(64); // a 512-bit big-endian register
    const set = (msb: number, lsb: number, v: number) => setBits(reg, msb, lsb, v);
    set(511, 496, 100); // max current, mA
    for (let g = 0; g < 6; g++) set(415 + 16 * g, 400 + 16 * g, g === 0 ? 0x8003 : 0x8001);
    for (let g = 0; g < 6; g++) {
      const want = (arg >>> (4 * g)) & 0xf;
      const ok = want === 0xf || want === 0 || (g === 0 && want === 1);
      set(379 + 4 * g, 376 + 4 * g, want === 0xf ? 0 : ok ? want : 0xf);
    }
    return reg;
  }

  private startRead(data: Uint8Array): void {
    this.buffer = new Uint8Array(Math.max(BLOCK, data.length));
    this.buffer.set(data);
    this.bufferLength = data.length;
    this.bufferPos = 0;
    this.writing = false;
    this.multi = false;
    this.state = CardState.Data;
  }

  private byteAddress(arg: number): number {
    return this.highCapacity ? arg * BLOCK : arg;
  }

  private beginBlockRead(arg: number, multi: boolean): CardResponse {
    const addr = this.byteAddress(arg);
    if (addr + this.blockLength > this.image.size) {
      this.status |= OUT_OF_RANGE;
      return this.r1();
    }
    const r = this.r1();
    this.address = addr;
    this.multi = multi;
    this.writing = false;
    this.loadBlock();
    return r;
  }

  private loadBlock(): void {
    this.buffer = new Uint8Array(BLOCK);
    if (!this.image.read(this.address, this.buffer.subarray(0, this.blockLength))) this.status |= CARD_ECC_FAILED;
    this.bufferLength = this.blockLength;
    this.bufferPos = 0;
    this.state = CardState.Data;
  }

  private beginBlockWrite(arg: number, multi: boolean): CardResponse {
    const addr = this.byteAddress(arg);
    if (addr + BLOCK > this.image.size) {
      this.status |= OUT_OF_RANGE;
      return this.r1();
    }
    const r = this.r1();
    this.address = addr;
    this.multi = multi;
    this.writing = true;
    this.buffer = new Uint8Array(BLOCK);
    this.bufferLength = BLOCK;
    this.bufferPos = 0;
    this.state = CardState.Receive;
    return r;
  }

  /** True while the card has data for the host (reads) or wants data from it (writes). */
  dataReady(): boolean {
    return (this.state === CardState.Data || this.state === CardState.Receive) && this.bufferPos < this.bufferLength;
  }

  /** The next byte of a read (0 outside a read). */
  readByte(): number {
    if (this.state !== CardState.Data || this.writing || this.bufferPos >= this.bufferLength) return 0;
    const b = this.buffer[this.bufferPos++];
    if (this.bufferPos === this.bufferLength) {
      if (this.multi && this.address + 2 * this.blockLength <= this.image.size) {
        this.address += this.blockLength;
        this.loadBlock();
      } else if (this.multi) {
        this.status |= OUT_OF_RANGE; // ran off the end; the host's CMD12 ends it
        this.bufferLength = 0;
      } else this.state = CardState.Transfer;
    }
    return b;
  }

  /** The next byte of a write; each full block goes to the image. */
  writeByte(value: number): void {
    if (this.state !== CardState.Receive || this.bufferPos >= this.bufferLength) return;
    this.buffer[this.bufferPos++] = value & 0xff;
    if (this.bufferPos < BLOCK) return;
    if (!this.image.write(this.address, this.buffer)) this.status |= this.image.readOnly ? 1 << 26 : CARD_ECC_FAILED; // WP_VIOLATION
    if (this.multi && this.address + 2 * BLOCK <= this.image.size) {
      this.address += BLOCK;
      this.bufferPos = 0;
    } else if (this.multi) {
      this.status |= OUT_OF_RANGE;
      this.bufferLength = 0;
    } else this.state = CardState.Transfer;
  }
}
