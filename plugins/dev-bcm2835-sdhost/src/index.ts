/**
 * BCM2835 SDHOST controller at 0x3F202000 (undocumented by Broadcom; Linux's bcm2835 sdhost driver
 * and QEMU hw/sd/bcm2835_sdhost.c), a slot of interface "sd". On QEMU's raspi boards the card sits
 * on the SDHCI by default and this controller answers "no card": every command fails with
 * SDCMD.FAIL and SDHSTS.CMD_TIME_OUT, which is how U-Boot and Linux see an empty slot. With a card
 * attached (a second `if=sd` drive) it moves data as QEMU does.
 *
 * Registers (32-bit): SDCMD 0x00 (bit 15 NEW starts a command, 14 FAIL, 11 BUSYWAIT, 10 NO_RESPONSE,
 * 9 LONG_RESPONSE, 7 WRITE, 6 READ, 5:0 index), SDARG 0x04, SDTOUT 0x08, SDCDIV 0x0C, SDRSP0-3
 * 0x10-0x1C, SDHSTS 0x20 (write 1 to clear), SDVDD 0x30, SDEDM 0x34 (FIFO level in bits 8:4),
 * SDHCFG 0x38, SDHBCT 0x3C (block size), SDDATA 0x40 (16-word FIFO), SDHBLC 0x50 (block count;
 * writing it sets the byte count of the transfer).
 * Output `irq` while SDHSTS has BUSY, BLOCK or SDIO (data) interrupt bits.
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';
import { SdCardSlot } from '../../dev-sd-card/src/slot.js';

const CMD_NEW = 0x8000;
const CMD_FAIL = 0x4000;
const CMD_BUSYWAIT = 0x800;
const CMD_NO_RESPONSE = 0x400;
const CMD_LONG_RESPONSE = 0x200;
const CMD_WRITE = 0x80;
const CMD_READ = 0x40;

const HSTS_BUSY_IRPT = 0x400;
const HSTS_BLOCK_IRPT = 0x200;
const HSTS_SDIO_IRPT = 0x100;
const HSTS_CMD_TIME_OUT = 0x40;
const HSTS_DATA_FLAG = 0x01;
const HSTS_IRPTS = HSTS_BUSY_IRPT | HSTS_BLOCK_IRPT | HSTS_SDIO_IRPT;

const HCFG_BUSY_IRPT_EN = 1 << 10;
const HCFG_BLOCK_IRPT_EN = 1 << 8;
const HCFG_DATA_IRPT_EN = 1 << 4;

const EDM_FSM_MASK = 0xf;
const EDM_FSM_DATAMODE = 0x1;
const EDM_RESET = 0x0000c60f;
const FIFO_WORDS = 16;

export function createBcm2835Sdhost(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const slot = new SdCardSlot(name, () => update());

  let cmd = 0;
  let arg = 0;
  let status = 0;
  const rsp = new Uint32Array(4);
  let config = 0;
  let edm = EDM_RESET;
  let vdd = 0;
  let hbct = 0;
  let hblc = 0;
  let datacnt = 0;
  const fifo = new Uint32Array(FIFO_WORDS);
  let fifoPos = 0;
  let fifoLen = 0;

  const update = () => irq.set((status & HSTS_IRPTS) !== 0);

  function dataFlag(): void {
    status |= HSTS_DATA_FLAG;
    if (config & HCFG_DATA_IRPT_EN) status |= HSTS_SDIO_IRPT;
  }

  function sendCommand(): void {
    const res = slot.card?.command(cmd & 0x3f, arg);
    const wantResponse = !(cmd & CMD_NO_RESPONSE);
    if (!slot.card || (wantResponse && (!res || (res.kind !== 'r2' && cmd & CMD_LONG_RESPONSE)))) {
      cmd |= CMD_FAIL;
      status |= HSTS_CMD_TIME_OUT;
      return;
    }
    if (wantResponse && res) {
      if (res.kind === 'r2' && res.bytes) {
        const b = res.bytes;
        const be = (i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
        rsp[0] = be(12);
        rsp[1] = be(8);
        rsp[2] = be(4);
        rsp[3] = be(0);
      } else {
        rsp.fill(0);
        rsp[0] = res.value;
      }
    }
    // Commands complete at once: a busy-wait command is done now (QEMU).
    if (cmd & CMD_BUSYWAIT && config & HCFG_BUSY_IRPT_EN) status |= HSTS_BUSY_IRPT;
  }

  function push(value: number): void {
    if (fifoLen === FIFO_WORDS) return; // overflow: dropped, as QEMU
    fifo[(fifoPos + fifoLen) % FIFO_WORDS] = value >>> 0;
    fifoLen++;
  }
  function pop(): number {
    if (fifoLen === 0) return 0;
    const v = fifo[fifoPos];
    fifoPos = (fifoPos + 1) % FIFO_WORDS;
    fifoLen--;
    return v;
  }

  /** Moves data between the FIFO and the card (QEMU bcm2835_sdhost_fifo_run). */
  function fifoRun(): void {
    const isRead = (cmd & CMD_READ) !== 0;
    const isWrite = (cmd & CMD_WRITE) !== 0;
    if (slot.card && datacnt !== 0 && (isWrite || slot.card.dataReady())) {
      if (isRead) {
        let n = 0;
        let value = 0;
        while (datacnt > 0 && fifoLen < FIFO_WORDS) {
          value |= slot.card.readByte() << (8 * n);
          datacnt--;
          if (++n === 4) {
            push(value);
            dataFlag();
            n = 0;
            value = 0;
          }
        }
        if (n !== 0) {
          push(value);
          dataFlag();
        }
      } else if (isWrite) {
        let n = 0;
        let value = 0;
        while (datacnt > 0 && (fifoLen > 0 || n > 0)) {
          if (n === 0) {
            value = pop();
            dataFlag();
            n = 4;
          }
          n--;
          datacnt--;
          slot.card.writeByte(value & 0xff);
          value >>>= 8;
        }
      }
      if (datacnt === 0) edm = (edm & ~EDM_FSM_MASK) | EDM_FSM_DATAMODE;
      if (isWrite) {
        if (hbct && datacnt % hbct === 0 && config & HCFG_BLOCK_IRPT_EN) status |= HSTS_BLOCK_IRPT;
        dataFlag();
      }
    }
    update();
    edm = (edm & ~(0x1f << 4)) | ((fifoLen & 0x1f) << 4);
  }

  const regs: RegisterMap = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x1000, // as QEMU: offsets without a register read 0
    registers: [
      { name: 'SDCMD', offset: 0x00, read: () => cmd, write: (_v, _i, w) => {
        cmd = w & 0xffff;
        if (cmd & CMD_NEW) {
          sendCommand();
          fifoRun();
          cmd &= ~CMD_NEW;
        }
      } },
      { name: 'SDARG', offset: 0x04, read: () => arg, write: (_v, _i, w) => (arg = w >>> 0) },
      { name: 'SDTOUT', offset: 0x08 },
      { name: 'SDCDIV', offset: 0x0c, writeMask: 0x7ff },
      { name: 'SDRSP', offset: 0x10, count: 4, stride: 4, access: 'ro', read: (i) => rsp[i] },
      { name: 'SDHSTS', offset: 0x20, read: () => status, write: (_v, _i, w) => {
        status &= ~w;
        update();
      } },
      { name: 'SDVDD', offset: 0x30, read: () => vdd, write: (_v, _i, w) => (vdd = w >>> 0) },
      { name: 'SDEDM', offset: 0x34, read: () => edm, write: (_v, _i, w) => {
        edm = (w & 0xf) === 0xf ? (w & ~0xf) >>> 0 : w >>> 0; // FSM 0xF: power down
      } },
      { name: 'SDHCFG', offset: 0x38, read: () => config, write: (_v, _i, w) => {
        config = w >>> 0;
        fifoRun();
      } },
      { name: 'SDHBCT', offset: 0x3c, read: () => hbct, write: (_v, _i, w) => (hbct = w >>> 0) },
      { name: 'SDDATA', offset: 0x40, read: () => {
        const v = pop();
        fifoRun();
        return v;
      }, write: (_v, _i, w) => {
        push(w);
        fifoRun();
      } },
      { name: 'SDHBLC', offset: 0x50, read: () => hblc, write: (_v, _i, w) => {
        hblc = w >>> 0;
        datacnt = hblc * hbct;
        fifoRun();
      } },
    ],
  });


  return {
    name,
    slot,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
      cmd = 0;
      arg = 0;
      edm = EDM_RESET;
      config = 0;
      hbct = 0;
      hblc = 0;
      datacnt = 0;
      fifoPos = 0;
      fifoLen = 0;
      slot.card?.reset();
      update();
    },
    // The card's image closes with the controller holding it at the end (the GPIO may move it).
    close: () => slot.card?.close(),
    inspect: () => ({ card: slot.card ? 'inserted' : 'none', SDCMD: cmd, SDHSTS: status, SDEDM: edm, 'fifo words': fifoLen, 'bytes left': datacnt }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-sdhost',
    description: 'BCM2835 SDHOST controller (answers "no card" unless a second sd drive is attached)',
    compatible: ['brcm,bcm2835-sdhost'],
    nodeName: 'mmc',
    outputs: { irq: { description: 'busy, block or data interrupt pending (GPU IRQ 56)' } },
    create: createBcm2835Sdhost,
  });
}
