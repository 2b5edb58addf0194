/**
 * An SD memory card over a raw host image (SD Physical Layer Simplified Spec v3.01), as QEMU
 * 7.2's hw/sd/sd.c models it in SD (not SPI) mode: the card state machine of §4.2-4.3 (Figure
 * 4-1, 4-13), the commands of §4.7.4 a host driver uses, R1/R1b/R2/R3/R6/R7 responses (§4.9),
 * and single/multiple block reads and writes through the `BlockImage`.
 *
 * Images up to 2 GiB are SDSC (CSD v1, byte addresses); bigger ones SDHC (CSD v2, OCR CCS, block
 * addresses), as in QEMU. A drive option `sd=sdhc` makes a smaller image SDHC too.
 *
 * Durability: a CMD24 block is flushed (fdatasync) when it is written; a CMD25 run is flushed
 * when CMD12 ends it, so a guest's write command is durable when its stop completes.
 * A non-enquiry ACMD41 powers the card up at once (as QEMU); an enquiry (arg bits 23:0 clear)
 * answers busy until 0.5 ms of virtual time after the first one (QEMU's OCR_POWER_DELAY_NS).
 */
import type { Drive } from '../../../src/core/api.js';
import { SD_LONG_RESPONSE, SD_NO_RESPONSE, SD_SHORT_RESPONSE, type SdCard, type SdHost } from '../../dev-sdhci/src/sd-bus.js';
import { ACMD41_ENQUIRY_MASK, makeCid, makeCsd, makeScr, OCR_CCS, OCR_POWER_UP, OCR_VOLTAGE_WINDOW, SDSC_MAX_BYTES } from './registers.js';

/** Card states (§4.3, CURRENT_STATE of the card status); `inactive` is not reported. */
export const enum CardState {
  Idle = 0,
  Ready = 1,
  Ident = 2,
  Stby = 3,
  Tran = 4,
  Data = 5,
  Rcv = 6,
  Prg = 7,
  Dis = 8,
  Inactive = 15,
}

// Card status bits (§4.10.1, Table 4-42).
export const ST_OUT_OF_RANGE = 1 << 31;
export const ST_ADDRESS_ERROR = 1 << 30;
export const ST_BLOCK_LEN_ERROR = 1 << 29;
export const ST_WP_VIOLATION = 1 << 26;
export const ST_COM_CRC_ERROR = 1 << 23;
export const ST_ILLEGAL_COMMAND = 1 << 22;
export const ST_ERROR = 1 << 19;
export const ST_READY_FOR_DATA = 1 << 8;
export const ST_APP_CMD = 1 << 5;
const ST_STATE_SHIFT = 9;
const ST_STATE_MASK = 0xf << ST_STATE_SHIFT;
/** "Clear on read" bits (type C in Table 4-42): errors, cleared once a response reported them. */
const ST_CLEAR_ON_READ = 0xfdf8a008 | 0;

/** How a command is answered. */
const enum Rsp {
  Illegal,
  None,
  R1,
  R2Cid,
  R2Csd,
  R3,
  R6,
  R7,
}

const BLOCK = 512;
/** QEMU's OCR_POWER_DELAY_NS. */
const POWER_UP_DELAY_NS = 500_000;
/** Flush a CMD25 run at least every this many blocks, so a guest that never stops loses little. */
const FLUSH_EVERY = 2048;

export class SdMemoryCard implements SdCard {
  readonly highCapacity: boolean;
  private readonly size: number;
  private readonly cid = makeCid();
  private readonly csd: Uint8Array;
  private readonly scr = makeScr();

  private state = CardState.Idle;
  private status = 0;
  private rca = 0;
  private powerUp = false;
  /** Virtual time at which an enquiry-started power-up completes. */
  private powerUpAt: number | undefined;
  private expectAcmd = false;
  private blkLen = BLOCK;
  private busWidth = 1;
  private vhs = 0;

  /** Current data transfer: a buffer of one block and where the next block goes/comes from. */
  private readonly buf = new Uint8Array(BLOCK);
  private bufPos = 0;
  private bufLen = 0;
  /** Byte address of the next block to load (reads) or store (writes). */
  private addr = 0;
  /** CMD18/CMD25: continue until CMD12. */
  private multi = false;
  /** The data in `buf` does not come from the image (SCR, SD status, switch status). */
  private register = false;
  private unflushed = 0;
  private stats = { reads: 0, writes: 0, flushes: 0, errors: 0 };

  constructor(
    private readonly host: SdHost,
    private readonly drive: Drive,
  ) {
    this.size = drive.image.size;
    const kind = drive.options.sd;
    if (kind !== undefined && kind !== 'sdhc' && kind !== 'sdsc') throw new Error(`sd=${kind}: expected sdhc or sdsc`);
    this.highCapacity = kind === 'sdhc' || (kind === undefined && this.size > SDSC_MAX_BYTES);
    if (!this.highCapacity && this.size > SDSC_MAX_BYTES) throw new Error(`sd=sdsc: an SDSC card holds at most 2 GiB (image is ${this.size} bytes)`);
    this.csd = makeCsd(this.size, this.highCapacity);
  }

  get readOnly(): boolean {
    return this.drive.image.readOnly;
  }
  get sending(): boolean {
    return this.state === CardState.Data;
  }
  get receiving(): boolean {
    return this.state === CardState.Rcv;
  }
  get currentState(): CardState {
    return this.state;
  }

  reset(): void {
    this.endWrite();
    this.state = CardState.Idle;
    this.status = 0;
    this.rca = 0;
    this.powerUp = false;
    this.powerUpAt = undefined;
    this.expectAcmd = false;
    this.blkLen = BLOCK;
    this.busWidth = 1;
    this.bufPos = this.bufLen = 0;
  }

  close(): void {
    this.endWrite();
    this.drive.image.close();
  }

  inspect(): Record<string, number | string> {
    const img = this.drive.image;
    return {
      drive: `${img.path}${img.readOnly ? ' (read-only)' : ''}`,
      type: this.highCapacity ? 'SDHC' : 'SDSC',
      state: this.state,
      rca: '0x' + this.rca.toString(16),
      'bus width': this.busWidth,
      ...this.stats,
    };
  }

  command(index: number, arg: number, resp: Uint32Array): number {
    const app = this.expectAcmd;
    this.expectAcmd = false;
    if (app) this.status |= ST_APP_CMD;
    else this.status &= ~ST_APP_CMD;
    const before = this.state;
    let r = app ? this.appCommand(index, arg >>> 0) : Rsp.Illegal;
    if (r === Rsp.Illegal) r = this.normalCommand(index, arg >>> 0);
    switch (r) {
      case Rsp.Illegal:
        // §4.6.1: the card does not answer; the next response reports ILLEGAL_COMMAND.
        this.status |= ST_ILLEGAL_COMMAND;
        this.status &= ~ST_APP_CMD;
        return SD_NO_RESPONSE;
      case Rsp.None:
        return SD_NO_RESPONSE;
      case Rsp.R1:
        resp[0] = this.r1(before);
        return SD_SHORT_RESPONSE;
      case Rsp.R2Cid:
      case Rsp.R2Csd: {
        const reg = r === Rsp.R2Cid ? this.cid : this.csd;
        for (let w = 0; w < 4; w++) resp[3 - w] = ((reg[w * 4] << 24) | (reg[w * 4 + 1] << 16) | (reg[w * 4 + 2] << 8) | reg[w * 4 + 3]) >>> 0;
        return SD_LONG_RESPONSE;
      }
      case Rsp.R3:
        resp[0] = this.ocr();
        return SD_SHORT_RESPONSE;
      case Rsp.R6: {
        // §4.9.5: RCA, then status bits 23, 22, 19 and 12:0.
        const s = this.r1(before);
        resp[0] = ((this.rca << 16) | ((s >>> 8) & 0xc000) | ((s >>> 6) & 0x2000) | (s & 0x1fff)) >>> 0;
        return SD_SHORT_RESPONSE;
      }
      case Rsp.R7:
        resp[0] = this.vhs & 0xfff;
        return SD_SHORT_RESPONSE;
    }
  }

  /** R1 card status: CURRENT_STATE is the state the command found (§4.10.1); clear-on-read bits go. */
  private r1(stateBefore: CardState): number {
    const s = ((this.status & ~ST_STATE_MASK) | ST_READY_FOR_DATA | ((stateBefore & 0xf) << ST_STATE_SHIFT)) >>> 0;
    this.status &= ~ST_CLEAR_ON_READ;
    return s;
  }

  private ocr(): number {
    if (!this.powerUp && this.powerUpAt !== undefined && this.host.now() >= this.powerUpAt) this.powerUp = true;
    let ocr = OCR_VOLTAGE_WINDOW;
    if (this.powerUp) ocr |= OCR_POWER_UP | (this.highCapacity ? OCR_CCS : 0);
    return ocr >>> 0;
  }

  /** Addressed commands carry the RCA in arg[31:16]; another card's RCA means "not me". */
  private addressed(arg: number): boolean {
    return arg >>> 16 === this.rca;
  }

  private normalCommand(index: number, arg: number): Rsp {
    const s = this.state;
    if (s === CardState.Inactive) return Rsp.None;
    switch (index) {
      case 0: // GO_IDLE_STATE
        this.reset();
        return Rsp.None;
      case 2: // ALL_SEND_CID
        if (s !== CardState.Ready) return Rsp.Illegal;
        this.state = CardState.Ident;
        return Rsp.R2Cid;
      case 3: // SEND_RELATIVE_ADDR: a new RCA each time (QEMU's sequence)
        if (s !== CardState.Ident && s !== CardState.Stby) return Rsp.Illegal;
        this.rca = (this.rca + 0x4567) & 0xffff;
        this.state = CardState.Stby;
        return Rsp.R6;
      case 6: // SWITCH_FUNC (§4.3.10): 512-bit status
        if (s !== CardState.Tran) return Rsp.Illegal;
        this.startRegisterRead(this.switchStatus(arg));
        return Rsp.R1;
      case 7: // SELECT/DESELECT_CARD (R1b)
        if (s < CardState.Stby) return Rsp.Illegal;
        if (!this.addressed(arg) || arg >>> 16 === 0) {
          if (s !== CardState.Stby && s !== CardState.Dis) this.state = s === CardState.Prg ? CardState.Dis : CardState.Stby;
          return Rsp.None; // deselected cards do not answer
        }
        if (s === CardState.Stby) this.state = CardState.Tran;
        else if (s === CardState.Dis) this.state = CardState.Prg;
        else return Rsp.Illegal;
        return Rsp.R1;
      case 8: // SEND_IF_COND (§4.3.13): echo VHS and check pattern if the voltage is supported
        if (s !== CardState.Idle) return Rsp.Illegal;
        if (((arg >>> 8) & 0xf) !== 1) return Rsp.None;
        this.vhs = arg;
        return Rsp.R7;
      case 9: // SEND_CSD
      case 10: // SEND_CID
        if (s !== CardState.Stby) return Rsp.Illegal;
        if (!this.addressed(arg)) return Rsp.None;
        return index === 9 ? Rsp.R2Csd : Rsp.R2Cid;
      case 12: // STOP_TRANSMISSION (R1b)
        if (s === CardState.Data) this.state = CardState.Tran;
        else if (s === CardState.Rcv) {
          this.endWrite();
          this.state = CardState.Tran; // programming is over when the call returns
        } else return Rsp.Illegal;
        this.bufPos = this.bufLen = 0;
        return Rsp.R1;
      case 13: // SEND_STATUS
        if (s < CardState.Stby) return Rsp.Illegal;
        if (!this.addressed(arg)) return Rsp.None;
        return Rsp.R1;
      case 15: // GO_INACTIVE_STATE
        if (s < CardState.Stby) return Rsp.Illegal;
        if (this.addressed(arg)) this.state = CardState.Inactive;
        return Rsp.None;
      case 16: // SET_BLOCKLEN (SDHC reads and writes stay 512 bytes, §4.3.2)
        if (s !== CardState.Tran) return Rsp.Illegal;
        if (arg === 0 || arg > BLOCK) this.status |= ST_BLOCK_LEN_ERROR;
        else this.blkLen = arg;
        return Rsp.R1;
      case 17: // READ_SINGLE_BLOCK
      case 18: // READ_MULTIPLE_BLOCK
        if (s !== CardState.Tran) return Rsp.Illegal;
        if (this.startData(arg)) {
          this.multi = index === 18;
          this.register = false;
          this.state = CardState.Data;
          this.bufPos = this.bufLen = 0;
        }
        return Rsp.R1;
      case 24: // WRITE_BLOCK
      case 25: // WRITE_MULTIPLE_BLOCK
        if (s !== CardState.Tran) return Rsp.Illegal;
        if (this.readOnly) {
          this.status |= ST_WP_VIOLATION;
          return Rsp.R1;
        }
        if (this.startData(arg)) {
          this.multi = index === 25;
          this.state = CardState.Rcv;
          this.bufPos = 0;
          this.bufLen = this.len();
        }
        return Rsp.R1;
      case 55: // APP_CMD
        if (s === CardState.Ready || s === CardState.Ident) return Rsp.Illegal;
        if (s !== CardState.Idle && !this.addressed(arg)) return Rsp.None;
        this.expectAcmd = true;
        this.status |= ST_APP_CMD;
        return Rsp.R1;
      default:
        return Rsp.Illegal;
    }
  }

  /** Application commands (§4.3.9.2); an index not listed here is taken as a normal command. */
  private appCommand(index: number, arg: number): Rsp {
    const s = this.state;
    switch (index) {
      case 6: // SET_BUS_WIDTH
        if (s !== CardState.Tran) return Rsp.Illegal;
        this.busWidth = (arg & 3) === 2 ? 4 : 1;
        return Rsp.R1;
      case 13: // SD_STATUS: 512 bits, bus width in the top two
        if (s !== CardState.Tran) return Rsp.Illegal;
        this.startRegisterRead(Uint8Array.of(this.busWidth === 4 ? 0x80 : 0, ...new Uint8Array(63)));
        return Rsp.R1;
      case 23: // SET_WR_BLK_ERASE_COUNT (a hint)
      case 42: // SET_CLR_CARD_DETECT (the pull-up is not modelled)
        return s === CardState.Tran ? Rsp.R1 : Rsp.Illegal;
      case 41: // SD_SEND_OP_COND: an enquiry (no voltage bits) leaves the card idle and busy
        if (s !== CardState.Idle) return Rsp.Illegal;
        // QEMU: a real ACMD41 powers up now; an enquiry starts a 0.5 ms power-up delay.
        if (arg & ACMD41_ENQUIRY_MASK) this.powerUp = true;
        else if (!this.powerUp && this.powerUpAt === undefined) this.powerUpAt = this.host.now() + POWER_UP_DELAY_NS;
        if (arg & OCR_VOLTAGE_WINDOW) this.state = CardState.Ready;
        return Rsp.R3;
      case 51: // SEND_SCR
        if (s !== CardState.Tran) return Rsp.Illegal;
        this.startRegisterRead(this.scr);
        return Rsp.R1;
      default:
        return Rsp.Illegal;
    }
  }

  /** Transfer length of a data block: 512 on SDHC, SET_BLOCKLEN's on SDSC. */
  private len(): number {
    return this.highCapacity ? BLOCK : this.blkLen;
  }

  /** Checks the start address of a block transfer; false (and an error bit) if it is out of range. */
  private startData(arg: number): boolean {
    const at = this.highCapacity ? arg * BLOCK : arg;
    if (at + this.len() > this.size) {
      this.status |= ST_OUT_OF_RANGE;
      return false;
    }
    this.addr = at;
    return true;
  }

  private startRegisterRead(data: Uint8Array): void {
    this.buf.set(data);
    this.bufPos = 0;
    this.bufLen = data.length;
    this.multi = false;
    this.register = true;
    this.state = CardState.Data;
  }

  /** CMD6 status (§4.3.10.4): group 1 supports default and high speed; the selected function is echoed. */
  private switchStatus(arg: number): Uint8Array {
    const st = new Uint8Array(64);
    st[1] = 0x01; // maximum current consumption (bits 511:496), in mA
    for (let g = 0; g < 6; g++) {
      // Support bits of groups 6..1 at bytes 2..13 (group 6 first); every group supports function 0.
      st[2 + g * 2] = 0x80;
      st[3 + g * 2] = 0x01 | (g === 5 ? 0x02 : 0);
    }
    for (let g = 0; g < 6; g++) {
      const want = (arg >>> (g * 4)) & 0xf;
      const supported = want === 0xf ? 0 : want === 0 || (g === 0 && want === 1) ? want : 0xf;
      // Function selection of groups 6..1 in bytes 14..16 (bits 379:376 is group 6).
      const byte = 16 - (g >> 1);
      st[byte] |= (g & 1 ? supported << 4 : supported) & 0xff;
    }
    return st;
  }

  read(dst: Uint8Array): number {
    let n = 0;
    while (n < dst.length && this.state === CardState.Data) {
      if (this.bufPos === this.bufLen) {
        if (!this.loadBlock()) break;
      }
      const k = Math.min(dst.length - n, this.bufLen - this.bufPos);
      dst.set(this.buf.subarray(this.bufPos, this.bufPos + k), n);
      this.bufPos += k;
      n += k;
      if (this.bufPos === this.bufLen && (!this.multi || this.register) && this.bufLen > 0) this.state = CardState.Tran;
    }
    return n;
  }

  /** Loads the next block of a read into `buf`; false (and the card back in tran) at the end of the card. */
  private loadBlock(): boolean {
    if (this.register || (this.bufLen > 0 && !this.multi)) {
      this.state = CardState.Tran;
      return false;
    }
    const len = this.len();
    if (this.addr + len > this.size) {
      this.status |= ST_OUT_OF_RANGE;
      this.state = CardState.Tran;
      return false;
    }
    const block = this.buf.subarray(0, len);
    if (!this.drive.image.read(this.addr, block)) {
      this.fail(`read: host I/O error at byte ${this.addr}`);
      this.state = CardState.Tran;
      return false;
    }
    this.stats.reads++;
    this.addr += len;
    this.bufPos = 0;
    this.bufLen = len;
    return true;
  }

  write(src: Uint8Array): number {
    let n = 0;
    while (n < src.length && this.state === CardState.Rcv) {
      const k = Math.min(src.length - n, this.bufLen - this.bufPos);
      this.buf.set(src.subarray(n, n + k), this.bufPos);
      this.bufPos += k;
      n += k;
      if (this.bufPos === this.bufLen) this.storeBlock();
    }
    return n;
  }

  /** Programs the block in `buf`; a single-block write then ends (flushed), a multiple one moves on. */
  private storeBlock(): void {
    const img = this.drive.image;
    if (this.addr + this.bufLen > this.size) {
      this.status |= ST_OUT_OF_RANGE;
      this.endWrite();
      this.state = CardState.Tran;
      return;
    }
    if (!img.write(this.addr, this.buf.subarray(0, this.bufLen))) this.fail(`write: host I/O error at byte ${this.addr}`);
    else this.stats.writes++;
    this.unflushed++;
    this.addr += this.bufLen;
    this.bufPos = 0;
    if (!this.multi) {
      this.endWrite();
      this.state = CardState.Tran;
    } else if (this.unflushed >= FLUSH_EVERY) this.endWrite();
  }

  /** Makes the written blocks durable (a write command completed). */
  private endWrite(): void {
    if (this.unflushed === 0) return;
    this.unflushed = 0;
    this.stats.flushes++;
    if (!this.drive.image.flush()) this.fail('host fdatasync failed');
  }

  private fail(why: string): void {
    this.stats.errors++;
    this.status |= ST_ERROR;
    this.host.log(`sd-card ${this.drive.id}: ${why}`);
  }
}
