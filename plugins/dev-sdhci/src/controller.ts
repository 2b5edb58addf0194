/**
 * The SD host controller (SD Host Controller Simplified Spec v3.00) as the BCM2835 "EMMC" block
 * (an Arasan SDHCI) presents it, following QEMU 7.2's hw/sd/sdhci.c with the raspi settings
 * (spec version 3, BCM2835_SDHC_CAPAREG, pending-insert quirk). PIO only: DATA moves each block
 * through a FIFO buffer of BLKSIZE bytes (§3.7.2 "Not using DMA").
 *
 * Commands and data are synchronous: CMDTM runs the command on the card and completes it before
 * the write returns, so CMD_INHIBIT never reads 1. Interrupt status bits latch only when enabled
 * in IRPT_MASK (status enable); `irq` is high while a status bit enabled in IRPT_EN is set.
 * Without a card the present state says "no card" and every command times out (QEMU's raspi
 * with no SD drive).
 */
import type { DeviceContext, IrqLine } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';
import * as R from './regs.js';
import { SD_LONG_RESPONSE, SD_SHORT_RESPONSE, type SdCard, type SdHost } from './sd-bus.js';

export interface SdhciOptions {
  capabilities: number;
  /** Raise the card-insertion interrupt once the guest enables it, for a card present at reset (QEMU's pending-insert-quirk). */
  pendingInsertQuirk: boolean;
}

export class SdhciController implements SdHost {
  readonly regs: RegisterMap;
  private card: SdCard | undefined;
  private readonly irq: IrqLine;
  private readonly resp = new Uint32Array(4);
  private readonly cardResp = new Uint32Array(4);
  private normal = 0;
  private error = 0;
  private pendingInsert = false;

  /** PIO buffer of one block. */
  private readonly fifo = new Uint8Array(4096);
  private fifoPos = 0;
  private fifoLen = 0;
  private dataActive = false;
  private reading = false;
  private bufferReady = false;
  private stats = { commands: 0, timeouts: 0, blocks: 0 };

  constructor(
    private readonly ctx: DeviceContext,
    private readonly opts: SdhciOptions,
  ) {
    this.irq = ctx.output('irq');
    const reg = (name: string, offset: number, extra: object = {}) => ({ name, offset, ...extra });
    this.regs = ctx.registers({
      sizes: [1, 2, 4],
      aligned: true,
      extent: 0x100,
      registers: [
        reg('ARG2', R.ARG2),
        reg('BLKSIZECNT', R.BLKSIZECNT, { writeMask: 0xffff7fff, fields: [{ name: 'BLKCNT', bits: [31, 16] }, { name: 'BLKSIZE', bits: [11, 0] }] }),
        reg('ARG1', R.ARG1),
        reg('CMDTM', R.CMDTM, {
          fields: [{ name: 'CMD_INDEX', bits: [29, 24] }, { name: 'CMD_TYPE', bits: [23, 22] }, { name: 'CMD_ISDATA', bits: [21, 21] }, { name: 'CMD_RSPNS_TYPE', bits: [17, 16] }, { name: 'TM_MULTI_BLOCK', bits: [5, 5] }, { name: 'TM_DAT_DIR', bits: [4, 4] }, { name: 'TM_AUTO_CMD_EN', bits: [3, 2] }, { name: 'TM_BLKCNT_EN', bits: [1, 1] }],
          write: (_v: number, _i: number, _w: number, lanes: number) => {
            if (lanes & 0xffff0000) this.issue();
          },
        }),
        reg('RESP', R.RESP0, { count: 4, stride: 4, access: 'ro', read: (i: number) => this.resp[i] }),
        reg('DATA', R.DATA, { read: () => this.readData(4), write: (v: number) => this.writeData(v, 4) }),
        reg('STATUS', R.STATUS, { access: 'ro', read: () => this.presentState() }),
        reg('CONTROL0', R.CONTROL0),
        reg('CONTROL1', R.CONTROL1, {
          fields: [{ name: 'SRST_DATA', bits: [26, 26] }, { name: 'SRST_CMD', bits: [25, 25] }, { name: 'SRST_HC', bits: [24, 24] }, { name: 'DATA_TOUNIT', bits: [19, 16] }, { name: 'CLK_FREQ8', bits: [15, 8] }, { name: 'CLK_EN', bits: [2, 2] }, { name: 'CLK_STABLE', bits: [1, 1] }, { name: 'CLK_INTLEN', bits: [0, 0] }],
          write: (v: number) => this.control1Written(v),
        }),
        reg('INTERRUPT', R.INTERRUPT, { read: () => this.interruptStatus(), write: (_v: number, _i: number, w: number) => this.clearInterrupts(w) }),
        reg('IRPT_MASK', R.IRPT_MASK, { write: (v: number) => this.statusEnableWritten(v) }),
        reg('IRPT_EN', R.IRPT_EN, { write: () => this.updateIrq() }),
        reg('CONTROL2', R.CONTROL2, { writeMask: 0xffff0000 }),
        reg('CAPABILITIES', R.CAPABILITIES, { access: 'ro', reset: opts.capabilities >>> 0 }),
        reg('CAPABILITIES_HI', R.CAPABILITIES + 4, { access: 'ro' }),
        reg('MAX_CURRENT', R.MAX_CURRENT, { access: 'ro' }),
        reg('FORCE_IRPT', R.FORCE_IRPT, { write: (_v: number, _i: number, w: number) => this.setError(w >>> 16) }),
        reg('SLOTISR_VER', R.SLOTISR_VER, { access: 'ro', read: () => ((R.HOST_VERSION_V3 << 16) | (this.irqLevel() ? 1 : 0)) >>> 0 }),
      ],
    });
  }

  get hasCard(): boolean {
    return this.card !== undefined;
  }

  attach(card: SdCard): void {
    this.card = card;
    this.pendingInsert = this.opts.pendingInsertQuirk;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  log(message: string): void {
    if (this.ctx.events.wants('log')) this.ctx.events.emit('log', { source: this.ctx.entry.name, message });
  }

  /** Machine reset: controller and card back to power-on. */
  reset(): void {
    this.resetAll();
    this.card?.reset();
    this.pendingInsert = this.card !== undefined && this.opts.pendingInsertQuirk;
  }

  close(): void {
    this.card?.close?.();
  }

  inspect(): Record<string, number | string> {
    const hex = (x: number) => '0x' + (x >>> 0).toString(16);
    return { card: this.card ? 'inserted' : 'none', status: hex(this.presentState()), interrupt: hex(this.interruptStatus()), ...this.stats, ...(this.card?.inspect?.() ?? {}) };
  }

  /** DATA port access of `size` bytes (the device routes sub-word accesses here too). */
  readData(size: number): number {
    if (!this.dataActive || !this.reading || !this.bufferReady) {
      this.log('DATA read while no read buffer is ready');
      return 0;
    }
    let v = 0;
    for (let k = 0; k < size && this.fifoPos < this.fifoLen; k++) v |= this.fifo[this.fifoPos++] << (8 * k);
    if (this.fifoPos >= this.fifoLen) this.readBlockDone();
    return v >>> 0;
  }

  writeData(value: number, size: number): void {
    if (!this.dataActive || this.reading || !this.bufferReady) {
      this.log('DATA write while no write buffer is ready');
      return;
    }
    for (let k = 0; k < size && this.fifoPos < this.fifoLen; k++) this.fifo[this.fifoPos++] = (value >>> (8 * k)) & 0xff;
    if (this.fifoPos >= this.fifoLen) this.writeBlockDone();
  }

  // --- commands -----------------------------------------------------------------------------

  private issue(): void {
    const cmdtm = this.regs.get('CMDTM');
    const rsp = (cmdtm >>> R.CMD_RSP_SHIFT) & 3;
    const index = (cmdtm >>> R.CMD_INDEX_SHIFT) & 0x3f;
    const withData = (cmdtm & R.CMD_DATA) !== 0;
    const abort = ((cmdtm >>> R.CMD_TYPE_SHIFT) & 3) === 3;
    // QEMU's sdhci_can_issue_command: internal clock on and stable, SD clock on; DAT free for data and busy commands.
    const clocks = R.C1_CLK_INTLEN | R.C1_CLK_STABLE | R.C1_CLK_EN;
    if ((this.regs.get('CONTROL1') & clocks) !== clocks) {
      this.log(`CMD${index} issued with the SD clock off: ignored`);
      return;
    }
    if (this.dataActive && (withData || (rsp === R.RSP_48_BUSY && !abort && index !== 12))) {
      this.log(`CMD${index} issued while DAT is busy: ignored`);
      return;
    }
    this.stats.commands++;
    // A new command starts with a clean error status (QEMU's sdhci_send_command).
    this.error = 0;
    this.regs.set('CONTROL2', this.regs.get('CONTROL2') & 0xffff0000);
    const len = this.card ? this.card.command(index, this.regs.get('ARG1'), this.cardResp) : 0;
    if (index === 12 || abort) this.endData(false);
    if (rsp !== R.RSP_NONE) {
      if (len === SD_SHORT_RESPONSE) {
        this.resp.fill(0);
        this.resp[0] = this.cardResp[0];
      }
      else if (len === SD_LONG_RESPONSE) {
        // §2.2.7: R2 appears without its CRC byte, bits [127:8] of the register in RESP0..3 bits [119:0].
        for (let i = 0; i < 3; i++) this.resp[i] = ((this.cardResp[i] >>> 8) | (this.cardResp[i + 1] << 24)) >>> 0;
        this.resp[3] = this.cardResp[3] >>> 8;
      } else {
        this.stats.timeouts++;
        this.setError(R.INT_CMD_TIMEOUT >>> 16);
      }
      // The busy phase ends at once: transfer complete (QEMU, unless SDHCI_QUIRK_NO_BUSY_IRQ).
      if (rsp === R.RSP_48_BUSY) this.setNormal(R.INT_DATA_DONE);
    }
    this.setNormal(R.INT_CMD_DONE);
    if (withData) this.startData();
  }

  // --- data ---------------------------------------------------------------------------------

  private blockSize(): number {
    return this.regs.get('BLKSIZECNT') & 0xfff;
  }
  private blockCount(): number {
    return this.regs.get('BLKSIZECNT') >>> 16;
  }
  private transferMode(): number {
    return this.regs.get('CMDTM') & 0xffff;
  }

  private startData(): void {
    const tm = this.transferMode();
    if (tm & R.TM_DMA) this.log('DMA transfer requested: not emulated, data moves through DATA (PIO)');
    if (this.blockSize() === 0 || ((tm & R.TM_MULTI) && (tm & R.TM_BLKCNT_EN) && this.blockCount() === 0)) return;
    this.dataActive = true;
    this.reading = (tm & R.TM_READ) !== 0;
    if (this.reading) this.fillFromCard();
    else this.bufferFree();
  }

  private fillFromCard(): void {
    const n = this.blockSize();
    const block = this.fifo.subarray(0, n);
    const got = this.card ? this.card.read(block) : 0;
    block.fill(0, got); // a card that stopped sending leaves the bus idle: QEMU reads zeros
    this.fifoPos = 0;
    this.fifoLen = n;
    this.bufferReady = true;
    this.setNormal(R.INT_READ_RDY);
  }

  private bufferFree(): void {
    this.fifoPos = 0;
    this.fifoLen = this.blockSize();
    this.bufferReady = true;
    this.setNormal(R.INT_WRITE_RDY);
  }

  /** One block moved; true when the transfer has more blocks. */
  private nextBlock(): boolean {
    this.stats.blocks++;
    this.bufferReady = false;
    const tm = this.transferMode();
    if (!(tm & R.TM_MULTI)) return false;
    if (!(tm & R.TM_BLKCNT_EN)) return true;
    const count = (this.blockCount() - 1) & 0xffff;
    this.regs.set('BLKSIZECNT', ((count << 16) | (this.regs.get('BLKSIZECNT') & 0xffff)) >>> 0);
    return count > 0;
  }

  private readBlockDone(): void {
    if (this.nextBlock()) this.fillFromCard();
    else this.endData(true);
  }

  private writeBlockDone(): void {
    this.card?.write(this.fifo.subarray(0, this.fifoLen));
    if (this.nextBlock()) this.bufferFree();
    else this.endData(true);
  }

  /** Ends the data phase; a complete one sends Auto CMD12 if asked (response in RESP3, §2.2.7) and raises DATA_DONE. */
  private endData(complete: boolean): void {
    if (!this.dataActive) return;
    this.dataActive = false;
    this.bufferReady = false;
    this.fifoPos = this.fifoLen = 0;
    if (!complete) return;
    const tm = this.transferMode();
    if (((tm >>> R.TM_AUTO_CMD_SHIFT) & 3) === 1) {
      const len = this.card ? this.card.command(12, 0, this.cardResp) : 0;
      if (len === SD_SHORT_RESPONSE) this.resp[3] = this.cardResp[0];
      else {
        this.regs.set('CONTROL2', this.regs.get('CONTROL2') | 0x2); // Auto CMD timeout error
        this.setError(R.INT_AUTO_CMD_ERR >>> 16);
      }
    }
    this.setNormal(R.INT_DATA_DONE);
  }

  // --- state and interrupts -------------------------------------------------------------------

  private presentState(): number {
    let s = R.SR_LINES | R.SR_CARD_STABLE;
    if (this.card) s |= R.SR_CARD_INSERTED | R.SR_CARD_DETECT | (this.card.readOnly ? 0 : R.SR_WRITE_ENABLED);
    else s |= R.SR_WRITE_ENABLED; // QEMU: no card reads "not protected"
    if (this.dataActive) {
      s |= R.SR_DAT_INHIBIT | R.SR_DAT_ACTIVE | (this.reading ? R.SR_READ_ACTIVE : R.SR_WRITE_ACTIVE);
      if (this.bufferReady) s |= this.reading ? R.SR_READ_AVAILABLE : R.SR_WRITE_AVAILABLE;
    }
    return s >>> 0;
  }

  private control1Written(v: number): void {
    // The internal clock is stable as soon as it is enabled; reset bits act and clear themselves.
    let c = (v & ~(R.C1_CLK_STABLE | R.C1_SRST_HC | R.C1_SRST_CMD | R.C1_SRST_DATA)) | (v & R.C1_CLK_INTLEN ? R.C1_CLK_STABLE : 0);
    if (v & R.C1_SRST_HC) {
      this.resetAll();
      c = 0;
    } else {
      if (v & R.C1_SRST_CMD) this.normal &= ~R.INT_CMD_DONE;
      if (v & R.C1_SRST_DATA) {
        this.endData(false);
        this.normal &= ~(R.INT_DATA_DONE | R.INT_BLOCK_GAP | R.INT_DMA | R.INT_WRITE_RDY | R.INT_READ_RDY);
      }
    }
    this.regs.set('CONTROL1', c >>> 0);
    this.updateIrq();
  }

  /** SRST_HC (§2.2.16): every register but the capabilities to its reset value; the card stays. */
  private resetAll(): void {
    this.regs.reset();
    this.resp.fill(0);
    this.normal = this.error = 0;
    this.dataActive = this.bufferReady = false;
    this.fifoPos = this.fifoLen = 0;
    this.pendingInsert = false; // QEMU: only a power-on reset re-arms the quirk
    this.updateIrq();
  }

  private interruptStatus(): number {
    return (this.normal | (this.error ? R.INT_ERR : 0) | (this.error << 16)) >>> 0;
  }

  private setNormal(bits: number): void {
    this.normal |= bits & this.regs.get('IRPT_MASK') & 0x7fff;
    this.updateIrq();
  }

  private setError(bits: number): void {
    this.error |= bits & (this.regs.get('IRPT_MASK') >>> 16) & 0xffff;
    this.updateIrq();
  }

  private clearInterrupts(written: number): void {
    this.normal &= ~(written & 0x7fff);
    this.error &= ~(written >>> 16);
    this.updateIrq();
  }

  /** Disabled status bits read 0 (QEMU drops them); the pending-insert quirk fires on enable. */
  private statusEnableWritten(mask: number): void {
    if (this.pendingInsert && mask & R.INT_CARD_INSERT) {
      this.pendingInsert = false;
      this.normal |= R.INT_CARD_INSERT;
    }
    this.normal &= mask & 0x7fff;
    this.error &= mask >>> 16;
    this.updateIrq();
  }

  private irqLevel(): boolean {
    const en = this.regs.get('IRPT_EN');
    return (this.normal & en & 0x7fff) !== 0 || (this.error & (en >>> 16)) !== 0;
  }

  private updateIrq(): void {
    this.irq.set(this.irqLevel());
  }
}
