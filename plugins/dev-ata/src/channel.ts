/**
 * One ATA (IDE) channel: the task-file registers of its two device positions and the PIO
 * protocols (ATA/ATAPI-6 §9: PIO data-in, PIO data-out, non-data), following QEMU 7.2
 * hw/ide/core.c (ide_ioport_read/write, ide_data_readw/writew, ide_exec_cmd and the cmd_*
 * handlers; names below are QEMU's in camelCase). Only device 0 (master) can hold a disk; device 1
 * (slave) is always absent and, as on QEMU, its status and error registers read 0 and commands to
 * it are ignored.
 *
 * Commands complete synchronously: the data is in the buffer (reads) or in the image (writes)
 * before the status register is read again, so BSY is never seen set.
 */
import type { IrqLine } from '../../../src/core/api.js';
import { type AtaDisk, MAX_MULT_SECTORS, SECTOR_SIZE } from './disk.js';

// Status register bits (§7.15.6).
export const ERR = 0x01, DRQ = 0x08, DSC = 0x10, DRDY = 0x40, BSY = 0x80;
// Error register bits (§7.9.6).
export const ABRT = 0x04, IDNF = 0x10;
// Device register bits (§7.10).
const DEV_HS = 0x0f, DEV_SELECT = 0x10, DEV_LBA = 0x40, DEV_ALWAYS_ON = 0xa0;
// Device control register bits (§7.8).
export const NIEN = 0x02, SRST = 0x04, HOB = 0x80;

/** What happens when the host has moved the whole buffer (QEMU's end_transfer_func). */
type EndTransfer = 'stop' | 'read' | 'write';

/** One device position's task file (QEMU IDEState registers). */
class Unit {
  feature = 0; hobFeature = 0;
  /** The sector count; a whole count (up to 65536) once a command took it (QEMU keeps an int). */
  nsector = 0; hobNsector = 0;
  sector = 0; hobSector = 0;
  lcyl = 0; hobLcyl = 0;
  hcyl = 0; hobHcyl = 0;
  select = DEV_ALWAYS_ON;
  status = DRDY | DSC;
  error = 0;
  lba48 = false;
  /** Sectors per interrupt of the command in progress (1, or the multiple setting). */
  reqSectors = 1;
  dataPos = 0;
  dataEnd = 0;
  end: EndTransfer = 'stop';
  constructor(readonly disk: () => AtaDisk | undefined) {}
}

/** Which commands set DSC when they complete without an error (QEMU SET_DSC). */
const SETS_DSC = new Set([0x10, 0x27, 0x40, 0x41, 0x42, 0x70, 0x91, 0xc6, 0xe5, 0xef, 0xf8]);

export class AtaChannel {
  disk: AtaDisk | undefined;
  /** Device control register (nIEN, SRST, HOB). */
  private ctrl = 0;
  private unitIndex = 0;
  private readonly units = [new Unit(() => this.disk), new Unit(() => undefined)];
  private readonly buf = new Uint8Array(MAX_MULT_SECTORS * SECTOR_SIZE);
  private readonly view = new DataView(this.buf.buffer);

  constructor(private readonly irq: IrqLine) {
    this.reset();
  }

  private get unit(): Unit {
    return this.units[this.unitIndex];
  }

  /** QEMU ide_bus_reset: both devices reset, device 0 selected, nIEN clear, interrupt low. */
  reset(): void {
    this.unitIndex = 0;
    this.ctrl = 0;
    for (const u of this.units) this.resetUnit(u);
    this.irq.set(false);
  }

  /** QEMU ide_reset. */
  private resetUnit(u: Unit): void {
    u.feature = u.nsector = u.sector = u.lcyl = u.hcyl = u.error = 0;
    u.hobFeature = u.hobNsector = u.hobSector = u.hobLcyl = u.hobHcyl = 0;
    u.select = DEV_ALWAYS_ON;
    u.status = DRDY | DSC;
    u.lba48 = false;
    u.disk()?.setMultiple(MAX_MULT_SECTORS);
    this.transferStop(u);
  }

  /** ide_set_irq: INTRQ rises unless nIEN; it falls when the host reads status or writes a command. */
  private raise(): void {
    if (!(this.ctrl & NIEN)) this.irq.set(true);
  }

  // ---- register block (command block at 0x1F0-0x1F7, control block at 0x3F6) ----

  /** 8-bit read of command-block register `reg` (ide_ioport_read). */
  readRegister(reg: number): number {
    const u = this.unit;
    const any = this.disk !== undefined;
    // An absent device 1 answers 0 in error and status; the rest are shared task-file copies.
    const absent = !any || u.disk() === undefined;
    const hob = (this.ctrl & HOB) !== 0;
    switch (reg) {
      case 0: return this.readData(2) & 0xff; // a byte read consumes a word (QEMU 7.2, for old Solaris loaders)
      case 1: return absent ? 0 : hob ? u.hobFeature : u.error;
      case 2: return !any ? 0 : hob ? u.hobNsector : u.nsector & 0xff;
      case 3: return !any ? 0 : hob ? u.hobSector : u.sector;
      case 4: return !any ? 0 : hob ? u.hobLcyl : u.lcyl;
      case 5: return !any ? 0 : hob ? u.hobHcyl : u.hcyl;
      case 6: return !any ? 0 : u.select;
      default:
        this.irq.set(false);
        return absent ? 0 : u.status;
    }
  }

  /** Alternate status (control block read): status without acknowledging the interrupt. */
  readAltStatus(): number {
    const u = this.unit;
    return this.disk === undefined || u.disk() === undefined ? 0 : u.status;
  }

  /** 8-bit write of command-block register `reg` (ide_ioport_write): both devices take it. */
  writeRegister(reg: number, val: number): void {
    // Writes to the command block are ignored while the selected device is busy (§7.1).
    if (reg !== 7 && this.unit.status & (BSY | DRQ)) return;
    if (reg !== 0) this.ctrl &= ~HOB;
    for (const u of this.units) {
      switch (reg) {
        case 1: u.hobFeature = u.feature; u.feature = val; break;
        case 2: u.hobNsector = u.nsector & 0xff; u.nsector = val; break;
        case 3: u.hobSector = u.sector; u.sector = val; break;
        case 4: u.hobLcyl = u.lcyl; u.lcyl = val; break;
        case 5: u.hobHcyl = u.hcyl; u.hcyl = val; break;
        case 6: u.select = val | DEV_ALWAYS_ON; break;
      }
    }
    if (reg === 6) this.unitIndex = val & DEV_SELECT ? 1 : 0;
    if (reg === 7) {
      this.irq.set(false);
      this.execute(val);
    }
  }

  /**
   * Device control (§7.8). A rising SRST resets both devices and runs the diagnostic at once, and
   * SRST reads as done, as QEMU 7.2 (ide_bus_perform_srst, run right after the write): a host that
   * holds SRST for 5 us and polls BSY after clearing it sees the same as on a real disk.
   */
  writeControl(val: number): void {
    const rising = !(this.ctrl & SRST) && (val & SRST) !== 0;
    this.ctrl = val & 0xff;
    if (!rising) return;
    for (const u of this.units) {
      this.resetUnit(u);
      this.diagnostic(u);
    }
    this.ctrl &= ~SRST;
  }

  // ---- data register (16-bit and 32-bit PIO) ----

  /** ide_data_readw/readl: 0 outside a data-in transfer, as QEMU. */
  readData(size: 2 | 4): number {
    const u = this.unit;
    if (!(u.status & DRQ) || u.end === 'write' || u.dataPos + size > u.dataEnd) return 0;
    const v = size === 2 ? this.view.getUint16(u.dataPos, true) : this.view.getUint32(u.dataPos, true);
    this.advance(u, size);
    return v;
  }

  writeData(size: 2 | 4, value: number): void {
    const u = this.unit;
    if (!(u.status & DRQ) || u.end !== 'write' || u.dataPos + size > u.dataEnd) return;
    if (size === 2) this.view.setUint16(u.dataPos, value, true);
    else this.view.setUint32(u.dataPos, value >>> 0, true);
    this.advance(u, size);
  }

  private advance(u: Unit, size: number): void {
    u.dataPos += size;
    if (u.dataPos < u.dataEnd) return;
    u.status &= ~DRQ;
    if (u.end === 'read') this.sectorRead(u);
    else if (u.end === 'write') this.sectorWrite(u);
    else this.transferStop(u);
  }

  private transferStart(u: Unit, size: number, end: EndTransfer): void {
    u.dataPos = 0;
    u.dataEnd = size;
    u.end = end;
    if (!(u.status & ERR)) u.status |= DRQ;
  }

  private transferStop(u: Unit): void {
    u.end = 'stop';
    u.dataPos = u.dataEnd = 0;
    u.status &= ~DRQ;
  }

  private abort(u: Unit, error = ABRT): void {
    this.transferStop(u);
    u.status = DRDY | ERR;
    u.error = error;
  }

  // ---- addressing ----

  /** ide_get_sector: the LBA of the task file (LBA28, LBA48 or CHS with the current translation). */
  private getSector(u: Unit): number {
    if (u.select & DEV_LBA) {
      if (u.lba48) return (u.hobHcyl * 2 ** 40) + (u.hobLcyl * 2 ** 32) + (u.hobSector * 2 ** 24) + ((u.hcyl << 16) | (u.lcyl << 8) | u.sector);
      return (u.select & DEV_HS) * 2 ** 24 + ((u.hcyl << 16) | (u.lcyl << 8) | u.sector);
    }
    const d = u.disk()!;
    return ((u.hcyl << 8) | u.lcyl) * d.heads * d.sectors + (u.select & DEV_HS) * d.sectors + (u.sector - 1);
  }

  /** ide_set_sector: the task file after a transfer points past its last sector. */
  private setSector(u: Unit, n: number): void {
    if (u.select & DEV_LBA) {
      u.sector = n & 0xff;
      u.lcyl = Math.floor(n / 2 ** 8) & 0xff;
      u.hcyl = Math.floor(n / 2 ** 16) & 0xff;
      if (u.lba48) {
        u.hobSector = Math.floor(n / 2 ** 24) & 0xff;
        u.hobLcyl = Math.floor(n / 2 ** 32) & 0xff;
        u.hobHcyl = Math.floor(n / 2 ** 40) & 0xff;
      } else u.select = (u.select & ~DEV_HS) | (Math.floor(n / 2 ** 24) & DEV_HS);
      return;
    }
    const d = u.disk()!;
    const cyl = Math.floor(n / (d.heads * d.sectors));
    const r = n % (d.heads * d.sectors);
    u.hcyl = (cyl >> 8) & 0xff;
    u.lcyl = cyl & 0xff;
    u.select = (u.select & ~DEV_HS) | (Math.floor(r / d.sectors) & DEV_HS);
    u.sector = ((r % d.sectors) + 1) & 0xff;
  }

  /** ide_cmd_lba48_transform: a count of 0 means 256 (LBA28/CHS) or 65536 (LBA48). */
  private takeCount(u: Unit, lba48: boolean): void {
    u.lba48 = lba48;
    if (!lba48) u.nsector = u.nsector & 0xff || 256;
    else u.nsector = (u.hobNsector << 8) | (u.nsector & 0xff) || 65536;
  }

  // ---- commands ----

  /** ide_exec_cmd. */
  private execute(cmd: number): void {
    const u = this.unit;
    const disk = u.disk();
    if (disk === undefined && this.unitIndex === 1) return; // no device 1: nobody answers
    if (u.status & (BSY | DRQ)) return; // only DEVICE RESET may interrupt, and only an ATAPI device
    u.status = DRDY | BSY;
    u.error = 0;
    if (this.command(u, cmd, disk)) {
      u.status &= ~BSY;
      if (SETS_DSC.has(cmd) && !u.error) u.status |= DSC;
      this.raise();
    }
  }

  /** Runs `cmd`; true when it completed here (the caller raises the interrupt), false when it took care of it. */
  private command(u: Unit, cmd: number, disk: AtaDisk | undefined): boolean {
    if (disk === undefined) {
      this.abort(u);
      return true;
    }
    switch (cmd) {
      case 0x20: case 0x21: return this.readSectors(u, false, 1);
      case 0x24: return this.readSectors(u, true, 1);
      case 0xc4: return this.readSectors(u, false, disk.multiple);
      case 0x29: return this.readSectors(u, true, disk.multiple);
      case 0x30: case 0x31: return this.writeSectors(u, disk, false, 1);
      case 0x34: return this.writeSectors(u, disk, true, 1);
      case 0xc5: return this.writeSectors(u, disk, false, disk.multiple);
      case 0x39: return this.writeSectors(u, disk, true, disk.multiple);
      case 0x40: case 0x41: case 0x42: // READ VERIFY: nothing to move (QEMU checks nothing either)
        this.takeCount(u, cmd === 0x42);
        return true;
      case 0x10: case 0x70: // RECALIBRATE, SEEK
      case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6: // power management: always active
        return true;
      case 0xe5: // CHECK POWER MODE: active or idle
        u.nsector = 0xff;
        return true;
      case 0xf8: case 0x27: // READ NATIVE MAX ADDRESS (EXT)
        this.takeCount(u, cmd === 0x27);
        this.setSector(u, disk.total - 1);
        return true;
      case 0x90:
        this.diagnostic(u);
        return false;
      case 0x91: return this.initializeDeviceParameters(u, disk);
      case 0xc6: // SET MULTIPLE MODE: 0 or a power of two up to 16
        if (u.nsector > MAX_MULT_SECTORS || (u.nsector & (u.nsector - 1)) !== 0) this.abort(u);
        else disk.setMultiple(u.nsector);
        return true;
      case 0xe7: case 0xea: return this.flush(u, disk);
      case 0xec: return this.identify(u, disk);
      case 0xef: return this.setFeatures(u, disk);
      default: // DEVICE RESET, IDENTIFY PACKET DEVICE, PACKET (ATAPI only), DMA (no bus master), ...
        this.abort(u);
        return true;
    }
  }

  private readSectors(u: Unit, lba48: boolean, perBlock: number): boolean {
    if (perBlock === 0) {
      this.abort(u); // READ MULTIPLE before SET MULTIPLE MODE enabled it
      return true;
    }
    this.takeCount(u, lba48);
    u.reqSectors = perBlock;
    this.sectorRead(u);
    return false;
  }

  /** ide_sector_read: the next block into the buffer, DRQ and an interrupt; or the end. */
  private sectorRead(u: Unit): void {
    u.status = DRDY | DSC;
    u.error = 0;
    if (u.nsector === 0) return this.transferStop(u);
    const lba = this.getSector(u);
    const n = Math.min(u.nsector, u.reqSectors);
    const disk = u.disk()!;
    if (!disk.inRange(lba, n)) return this.failTransfer(u, IDNF);
    if (!disk.read(lba, this.buf.subarray(0, n * SECTOR_SIZE))) return this.failTransfer(u, ABRT);
    this.setSector(u, lba + n);
    u.nsector -= n;
    this.transferStart(u, n * SECTOR_SIZE, 'read');
    this.raise();
  }

  private writeSectors(u: Unit, disk: AtaDisk, lba48: boolean, perBlock: number): boolean {
    if (perBlock === 0 || disk.image.readOnly) {
      this.abort(u);
      return true;
    }
    this.takeCount(u, lba48);
    u.reqSectors = perBlock;
    u.status = DRDY | DSC;
    // PIO data-out: the first block is asked for without an interrupt (§9.8).
    this.transferStart(u, Math.min(u.nsector, perBlock) * SECTOR_SIZE, 'write');
    return false;
  }

  /** ide_sector_write: the block the host sent goes to the image; then the next block or the end. */
  private sectorWrite(u: Unit): void {
    u.status = DRDY | DSC;
    const lba = this.getSector(u);
    const n = Math.min(u.nsector, u.reqSectors);
    const disk = u.disk()!;
    if (!disk.inRange(lba, n)) return this.failTransfer(u, IDNF);
    if (!disk.write(lba, this.buf.subarray(0, n * SECTOR_SIZE))) return this.failTransfer(u, ABRT);
    u.nsector -= n;
    this.setSector(u, lba + n);
    if (u.nsector === 0) this.transferStop(u);
    else this.transferStart(u, Math.min(u.nsector, u.reqSectors) * SECTOR_SIZE, 'write');
    this.raise();
  }

  /**
   * A sector outside the disk is IDNF (§8.25: "IDNF shall be set ... if a user-accessible address
   * could not be found"); QEMU reports ABRT instead. A host I/O error is ABRT.
   */
  private failTransfer(u: Unit, error: number): void {
    this.abort(u, error);
    this.raise();
  }

  private identify(u: Unit, disk: AtaDisk): boolean {
    u.status = DRDY | DSC;
    for (let i = 0; i < 256; i++) this.view.setUint16(2 * i, disk.identify[i], true);
    this.transferStart(u, SECTOR_SIZE, 'stop');
    this.raise();
    return false;
  }

  /** cmd_exec_dev_diagnostic (also the end of a soft reset): the signature, error 01h "passed". */
  private diagnostic(u: Unit): void {
    u.select = (u.select & DEV_SELECT) | DEV_ALWAYS_ON; // head and LBA bit cleared (as QEMU reads back)
    u.nsector = 1;
    u.sector = 1;
    u.lcyl = u.hcyl = u.disk() ? 0 : 0xff;
    u.status = DRDY | DSC;
    u.error = 0x01;
    this.raise();
  }

  /** §8.16: the logical geometry CHS addressing uses from now on (QEMU 7.2 cmd_specify). */
  private initializeDeviceParameters(u: Unit, disk: AtaDisk): boolean {
    if (u.nsector === 0) this.abort(u);
    else disk.setTranslation((u.select & DEV_HS) + 1, u.nsector);
    return true;
  }

  private flush(u: Unit, disk: AtaDisk): boolean {
    if (!disk.flush()) {
      this.failTransfer(u, ABRT);
      return false;
    }
    u.status = DRDY | DSC;
    this.raise();
    return false;
  }

  /** cmd_set_features (§8.37). */
  private setFeatures(u: Unit, disk: AtaDisk): boolean {
    const id = disk.identify;
    switch (u.feature) {
      case 0x02:
        disk.setWriteCache(true);
        return true;
      case 0x82: // write cache off: what it held is written out first
        disk.setWriteCache(false);
        return this.flush(u, disk);
      case 0xcc: case 0x66: case 0xaa: case 0x55: case 0x05: case 0x85:
      case 0x69: case 0x67: case 0x96: case 0x9a: case 0x42: case 0xc2:
        return true;
      case 0x03: { // set transfer mode: the mode in the sector count (QEMU records DMA modes)
        const mode = u.nsector & 7;
        const kind = (u.nsector & 0xff) >> 3;
        if (kind > 1 && kind !== 2 && kind !== 4 && kind !== 8) break;
        id[62] = 0x07 | (kind === 2 ? 1 << (mode + 8) : 0);
        id[63] = 0x07 | (kind === 4 ? 1 << (mode + 8) : 0);
        id[88] = 0x3f | (kind === 8 ? 1 << (mode + 8) : 0);
        return true;
      }
    }
    this.abort(u);
    return true;
  }

  inspect(): Record<string, number | string> {
    const u = this.unit;
    const hex = (v: number) => `0x${v.toString(16).padStart(2, '0')}`;
    return {
      selected: this.unitIndex,
      status: hex(u.status),
      error: hex(u.error),
      nsector: u.nsector,
      lba: `${hex(u.hcyl)} ${hex(u.lcyl)} ${hex(u.sector)}`,
      device: hex(u.select),
      control: hex(this.ctrl),
      irq: this.irq.level ? 1 : 0,
    };
  }
}
