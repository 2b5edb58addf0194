import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlockImage } from '../../../src/core/disk/image.js';
import { register as registerCard } from '../../../plugins/dev-sd-card/src/index.js';
import { register, SDHCI as R } from '../../../plugins/dev-sdhci/src/index.js';
import type { BackendType, PluginApi } from '../../../src/core/api.js';
import { createPropKit } from '../../../src/core/props.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../../src/testing/device.js';
import { memoryDrive, MemoryImage } from './sd-test-image.js';

const sdhciType = loadDevicePlugin(register).get('bcm2835-sdhci')!;
function cardType(): BackendType {
  let t: BackendType | undefined;
  const api: PluginApi = { apiVersion: 1, prop: createPropKit(), defineDevice: () => {}, defineArch: () => {}, defineBackend: (b) => (t = b), defineBoot: () => {} };
  registerCard(api);
  return t!;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const BASE = 0x3f300000;

// CMDTM encodings as bztsrc's sd.c writes them (index << 24 | flags).
const RSP48 = 2 << 16;
const RSP136 = 1 << 16;
const RSP48B = 3 << 16;
const DATA = 1 << 21;
const T_READ = 1 << 4;
const T_MULTI = (1 << 5) | (1 << 1);
const AUTO12 = 1 << 2;
const CMD = (index: number, flags = 0) => ((index << 24) | flags) >>> 0;

function controller(opts: { size?: number; readOnly?: boolean; noCard?: boolean } = {}) {
  const d = instantiate(sdhciType, { name: 'sdhci', reg: [[BASE, 0x100]], irqs: ['intc:62'] });
  let image: MemoryImage | undefined;
  if (!opts.noCard) {
    const m = memoryDrive(opts.size ?? 64 * MiB, { readOnly: opts.readOnly });
    image = m.image;
    d.device.slot!.attach(cardType(), m.drive);
  }
  const logs: string[] = [];
  d.h.events.on('log', (e) => logs.push(e.message));
  return { d, image, logs, drv: new Driver(d) };
}

/** A guest driver doing what bztsrc's sd.c and U-Boot's sdhci.c do, through the registers. */
class Driver {
  rca = 0;
  constructor(readonly d: DeviceUnderTest) {}
  int(): number {
    return this.d.read(R.INTERRUPT);
  }
  /** Clock on, every interrupt enabled (sd_init after the reset). */
  powerOn(): void {
    this.d.write(R.CONTROL1, R.C1_SRST_HC);
    expect(this.d.read(R.CONTROL1) & R.C1_SRST_HC).toBe(0);
    this.d.write(R.CONTROL1, R.C1_CLK_INTLEN | (0xe << 16));
    expect(this.d.read(R.CONTROL1) & R.C1_CLK_STABLE).toBeTruthy();
    this.d.write(R.CONTROL1, this.d.read(R.CONTROL1) | R.C1_CLK_EN | (0x80 << 8));
    this.d.write(R.IRPT_EN, 0xffffffff);
    this.d.write(R.IRPT_MASK, 0xffffffff);
  }
  /** Issues a command; returns INTERRUPT as it was after it (then cleared) and RESP0. */
  cmd(cmdtm: number, arg = 0): { int: number; r: number } {
    this.d.write(R.INTERRUPT, this.int());
    this.d.write(R.ARG1, arg);
    this.d.write(R.CMDTM, cmdtm);
    const int = this.int();
    this.d.write(R.INTERRUPT, R.INT_CMD_DONE);
    return { int, r: this.d.read(R.RESP0) };
  }
  init(): void {
    this.powerOn();
    expect(this.cmd(CMD(0)).int & R.INT_CMD_DONE).toBeTruthy();
    expect(this.cmd(CMD(8, RSP48), 0x1aa).r).toBe(0x1aa);
    let ocr = 0;
    for (let i = 0; i < 5 && !(ocr & 0x80000000); i++) {
      this.cmd(CMD(55));
      ocr = this.cmd(CMD(41, RSP48), 0x51ff8000).r;
    }
    expect(ocr >>> 31).toBe(1);
    this.cmd(CMD(2, RSP136));
    this.rca = this.cmd(CMD(3, RSP48)).r >>> 16;
    expect(this.cmd(CMD(7, RSP48B), this.rca << 16).int & R.INT_CMD_DONE).toBeTruthy();
  }
  /** Reads `n` words from DATA, waiting for READ_RDY before each block of `blk` bytes. */
  readBlocks(n: number, blk = 512): number[] {
    const words: number[] = [];
    for (let b = 0; b < n; b++) {
      expect(this.int() & R.INT_READ_RDY).toBeTruthy();
      this.d.write(R.INTERRUPT, R.INT_READ_RDY);
      for (let i = 0; i < blk / 4; i++) words.push(this.d.read(R.DATA));
    }
    return words;
  }
  writeBlocks(data: Uint8Array, blk = 512): void {
    for (let at = 0; at < data.length; at += blk) {
      expect(this.int() & R.INT_WRITE_RDY).toBeTruthy();
      expect(this.d.read(R.STATUS) & R.SR_WRITE_AVAILABLE).toBeTruthy();
      this.d.write(R.INTERRUPT, R.INT_WRITE_RDY);
      for (let i = 0; i < blk; i += 4) this.d.write(R.DATA, data[at + i] | (data[at + i + 1] << 8) | (data[at + i + 2] << 16) | (data[at + i + 3] << 24));
    }
  }
}

const bytesOf = (words: number[]) => Uint8Array.from(words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]));
const pattern = (at: number, n: number) => Uint8Array.from({ length: n }, (_, i) => MemoryImage.pattern(at + i));

describe('bcm2835-sdhci plugin', () => {
  it('declares the Linux compatible, an irq output, BCM2835 props and a slot of interface sd', () => {
    expect(sdhciType.compatible).toEqual(['brcm,bcm2835-sdhci']);
    expect(Object.keys(sdhciType.outputs!)).toEqual(['irq']);
    const { d } = controller({ noCard: true });
    expect(d.device.slot!.interface).toBe('sd');
    expect(d.device.slot!.occupied).toBe(false);
    expect(d.read(R.CAPABILITIES)).toBe(0x052134b4);
    expect(d.read(R.SLOTISR_VER)).toBe(0x24020000);
    expect(d.deviceTree().node.props.get('bus-width')).toBeDefined();
  });

  it('accepts 8-, 16- and 32-bit aligned accesses within 0x100 bytes', () => {
    const { d } = controller({ noCard: true });
    expect(d.faults(R.STATUS, 4)).toBe(false);
    expect(d.faults(R.STATUS + 2, 2)).toBe(false);
    expect(d.faults(R.STATUS + 1, 1)).toBe(false);
    expect(d.faults(R.STATUS + 1, 2)).toBe(true);
    expect(d.read(R.STATUS + 2, 2)).toBe(d.read(R.STATUS) >>> 16);
  });

  it('without a card: present state says no card and commands time out', () => {
    const { drv, d } = controller({ noCard: true });
    expect(d.read(R.STATUS)).toBe(0x01fa0000);
    drv.powerOn();
    expect(drv.cmd(CMD(0)).int).toBe(R.INT_CMD_DONE);
    expect(drv.cmd(CMD(8, RSP48), 0x1aa).int).toBe((R.INT_CMD_TIMEOUT | R.INT_ERR | R.INT_CMD_DONE) >>> 0);
  });

  it('with a card: inserted, stable, writable; pending insert interrupt once enabled', () => {
    const { d } = controller();
    expect(d.read(R.STATUS)).toBe(0x01ff0000);
    expect(d.read(R.INTERRUPT)).toBe(0);
    d.write(R.IRPT_MASK, R.INT_CARD_INSERT);
    expect(d.read(R.INTERRUPT)).toBe(R.INT_CARD_INSERT);
    expect(controller({ readOnly: true }).d.read(R.STATUS)).toBe(0x01f70000);
  });

  it('clock: INTLEN makes CLK_STABLE read 1; a command with the SD clock off is ignored', () => {
    const { d, logs } = controller();
    d.write(R.CONTROL1, R.C1_CLK_INTLEN);
    expect(d.read(R.CONTROL1)).toBe(R.C1_CLK_INTLEN | R.C1_CLK_STABLE);
    d.write(R.IRPT_MASK, 0xffff0001);
    d.write(R.CMDTM, CMD(0));
    expect(d.read(R.INTERRUPT) & R.INT_CMD_DONE).toBe(0);
    d.write(R.CONTROL1, R.C1_CLK_EN); // SD clock without the internal clock
    d.write(R.CMDTM, CMD(0));
    expect(d.read(R.INTERRUPT) & R.INT_CMD_DONE).toBe(0);
    expect(logs.filter((l) => /clock off/.test(l)).length).toBe(2);
  });

  it('status bits latch only when enabled in IRPT_MASK; irq follows IRPT_EN; INTERRUPT is write-1-to-clear', () => {
    const { d, drv } = controller();
    drv.powerOn();
    d.write(R.IRPT_EN, 0);
    d.write(R.IRPT_MASK, 0xffff0000 | R.INT_READ_RDY);
    d.write(R.CMDTM, CMD(0));
    expect(d.read(R.INTERRUPT)).toBe(0);
    d.write(R.IRPT_MASK, 0xffffffff);
    d.write(R.CMDTM, CMD(0));
    expect(d.read(R.INTERRUPT)).toBe(R.INT_CMD_DONE);
    const irq = d.h.irqs[0];
    expect(irq.level).toBe(false);
    d.write(R.IRPT_EN, R.INT_CMD_DONE);
    expect(irq.level).toBe(true);
    expect(d.read(R.SLOTISR_VER) & 1).toBe(1);
    d.write(R.INTERRUPT, R.INT_CMD_DONE);
    expect(irq.level).toBe(false);
    expect(d.read(R.INTERRUPT)).toBe(0);
  });

  it('runs the bztsrc sd.c init: CMD0, CMD8, ACMD41, CMD2, CMD3, CMD7, ACMD51 (SCR via DATA), ACMD6', () => {
    const { d, drv } = controller({ size: 4 * GiB });
    drv.init();
    expect(drv.rca).toBe(0x4567);
    expect(d.read(R.STATUS) & R.SR_DAT_INHIBIT).toBe(0);
    d.write(R.BLKSIZECNT, (1 << 16) | 8);
    drv.cmd(CMD(55, RSP48), drv.rca << 16);
    drv.cmd(CMD(51, RSP48 | DATA | T_READ));
    expect(d.read(R.STATUS) & R.SR_READ_AVAILABLE).toBeTruthy();
    const scr = [d.read(R.DATA), d.read(R.DATA)];
    expect(scr[0] & 0x400).toBeTruthy(); // SCR_SD_BUS_WIDTH_4 as sd.c tests it
    expect(d.read(R.STATUS) & (R.SR_READ_AVAILABLE | R.SR_DAT_INHIBIT)).toBe(0);
    expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
    drv.cmd(CMD(55, RSP48), drv.rca << 16);
    expect(drv.cmd(CMD(6, RSP48), 2).int & R.INT_CMD_TIMEOUT).toBe(0);
  });

  it('R2 responses drop the CRC byte: RESP3[23:16] is the CID manufacturer (as U-Boot reassembles it)', () => {
    const { d, drv } = controller();
    drv.powerOn();
    drv.cmd(CMD(0));
    drv.cmd(CMD(55));
    drv.cmd(CMD(41, RSP48), 0x00ff8000);
    drv.cmd(CMD(2, RSP136));
    expect((d.read(R.RESP0 + 12) >>> 16) & 0xff).toBe(0xaa);
    expect(d.read(R.RESP0 + 12) >>> 24).toBe(0);
    // PNM "QEMU!" is CID bytes 3..7, i.e. bits [103:64] -> RESP2 bits [31:0] hold bytes 3..6
    expect(d.read(R.RESP0 + 8)).toBe(0x51454d55);
  });

  it('CMD17 reads one block through DATA (SDSC byte address)', () => {
    const { d, drv } = controller();
    drv.init();
    d.write(R.BLKSIZECNT, (1 << 16) | 512);
    drv.cmd(CMD(17, RSP48 | DATA | T_READ), 2 * 512);
    expect(d.read(R.STATUS) & (R.SR_DAT_INHIBIT | R.SR_READ_ACTIVE)).toBe(R.SR_DAT_INHIBIT | R.SR_READ_ACTIVE);
    expect(bytesOf(drv.readBlocks(1))).toEqual(pattern(1024, 512));
    expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
    expect(d.read(R.STATUS) & R.SR_DAT_INHIBIT).toBe(0);
  });

  it('CMD18 with a block count reads several blocks (SDHC block numbers), BLKCNT counts down, then CMD12', () => {
    const { d, drv } = controller({ size: 4 * GiB });
    drv.init();
    d.write(R.BLKSIZECNT, (3 << 16) | 512);
    drv.cmd(CMD(18, RSP48 | DATA | T_READ | T_MULTI), 6_000_000);
    const first = drv.readBlocks(1);
    expect(d.read(R.BLKSIZECNT) >>> 16).toBe(2);
    const rest = drv.readBlocks(2);
    expect(bytesOf([...first, ...rest])).toEqual(pattern(6_000_000 * 512, 1536));
    expect(d.read(R.BLKSIZECNT) >>> 16).toBe(0);
    expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
    const stop = drv.cmd(CMD(12, RSP48B | (3 << 22)));
    expect(stop.int & R.INT_CMD_TIMEOUT).toBe(0);
    expect((stop.r >>> 9) & 0xf).toBe(5); // the card was sending
  });

  it('byte reads of DATA pop one byte each', () => {
    const { d, drv } = controller();
    drv.init();
    d.write(R.BLKSIZECNT, (1 << 16) | 512);
    drv.cmd(CMD(17, RSP48 | DATA | T_READ), 0);
    expect([d.read(R.DATA, 1), d.read(R.DATA, 1), d.read(R.DATA, 2)]).toEqual([pattern(0, 1)[0], pattern(1, 1)[0], pattern(2, 1)[0] | (pattern(3, 1)[0] << 8)]);
  });

  it('CMD24 writes one block from DATA, durable when DATA_DONE is raised', () => {
    const { d, drv, image } = controller();
    drv.init();
    d.write(R.BLKSIZECNT, (1 << 16) | 512);
    drv.cmd(CMD(24, RSP48 | DATA), 512 * 9);
    expect(d.read(R.STATUS) & R.SR_WRITE_ACTIVE).toBeTruthy();
    const data = Uint8Array.from({ length: 512 }, (_, i) => (i ^ 0xa5) & 0xff);
    drv.writeBlocks(data);
    expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
    expect(image!.unflushed).toBe(0);
    const back = new Uint8Array(512);
    image!.read(512 * 9, back);
    expect(back).toEqual(data);
  });

  it('CMD25 with Auto CMD12 writes blocks, stops the card (response in RESP3) and flushes', () => {
    const { d, drv, image } = controller({ size: 4 * GiB });
    drv.init();
    d.write(R.BLKSIZECNT, (4 << 16) | 512);
    drv.cmd(CMD(25, RSP48 | DATA | T_MULTI | AUTO12), 100);
    const data = Uint8Array.from({ length: 2048 }, (_, i) => (i * 13) & 0xff);
    drv.writeBlocks(data);
    expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
    expect((d.read(R.RESP0 + 12) >>> 9) & 0xf).toBe(6); // Auto CMD12 found the card receiving
    expect(image!.writes).toBe(4);
    expect(image!.unflushed).toBe(0);
    const back = new Uint8Array(2048);
    image!.read(100 * 512, back);
    expect(back).toEqual(data);
    expect((drv.cmd(CMD(13, RSP48), drv.rca << 16).r >>> 9) & 0xf).toBe(4);
  });

  it('SRST_DATA abandons a transfer; SRST_HC resets registers but keeps the card', () => {
    const { d, drv } = controller();
    drv.init();
    d.write(R.BLKSIZECNT, (1 << 16) | 512);
    drv.cmd(CMD(17, RSP48 | DATA | T_READ), 0);
    d.write(R.CONTROL1, d.read(R.CONTROL1) | R.C1_SRST_DATA);
    expect(d.read(R.STATUS) & (R.SR_DAT_INHIBIT | R.SR_READ_AVAILABLE)).toBe(0);
    expect(drv.int() & R.INT_READ_RDY).toBe(0);
    expect(d.read(R.CONTROL1) & R.C1_SRST_DATA).toBe(0);
    d.write(R.CONTROL1, R.C1_SRST_HC);
    d.write(R.IRPT_MASK, R.INT_CARD_INSERT);
    expect(d.read(R.INTERRUPT)).toBe(0); // the pending insert went with the host reset
    d.write(R.IRPT_MASK, 0);
    expect([d.read(R.CONTROL1), d.read(R.IRPT_MASK), d.read(R.BLKSIZECNT), d.read(R.STATUS)]).toEqual([0, 0, 0, 0x01ff0000]);
    expect(d.read(R.CAPABILITIES)).toBe(0x052134b4);
  });

  it('a 16-bit write to the command half of CMDTM issues the command', () => {
    const { d, drv } = controller();
    drv.powerOn();
    d.write(R.CMDTM, 0, 2);
    expect(drv.int() & R.INT_CMD_DONE).toBe(0);
    d.write(R.CMDTM + 2, CMD(8, RSP48) >>> 16, 2);
    expect(drv.int() & R.INT_CMD_DONE).toBeTruthy();
  });

  it('machine reset returns the card to idle', () => {
    const { d, drv } = controller();
    drv.init();
    d.device.reset!();
    drv.powerOn();
    expect(drv.cmd(CMD(8, RSP48), 0x1aa).r).toBe(0x1aa); // CMD8 is only legal in idle
  });
  it('serves the generic sdhci driver flow (U-Boot): byte/halfword registers, CMD6 and ACMD13 status reads', () => {
    const { d, drv } = controller({ size: 4 * GiB });
    expect(d.read(0xfe, 2)).toBe(0x2402); // SDHCI_HOST_VERSION: spec 3.00
    d.write(0x2f, 0x01, 1); // SDHCI_SOFTWARE_RESET: all
    expect(d.read(0x2f, 1)).toBe(0);
    d.write(0x29, 0x0f, 1); // power on, 3.3 V
    d.write(0x2c, 0x0001, 2); // internal clock
    expect(d.read(0x2c, 2) & 2).toBe(2);
    d.write(0x2c, 0x0005, 2); // + card clock
    d.write(R.IRPT_MASK, 0xffffffff); // U-Boot: INT_ENABLE = data | cmd masks
    d.write(R.IRPT_EN, 0);
    drv.init();
    const readStatus = (index: number, arg: number, app: boolean) => {
      if (app) drv.cmd(CMD(55, RSP48), drv.rca << 16);
      d.write(0x04, 64, 2); // BLOCK_SIZE
      d.write(0x06, 1, 2); // BLOCK_COUNT
      d.write(R.ARG1, arg);
      d.write(R.INTERRUPT, 0xffffffff);
      d.write(0x0c, T_READ | (1 << 1), 2); // TRANSFER_MODE
      d.write(0x0e, CMD(index, RSP48 | DATA) >>> 16, 2); // COMMAND: issues
      expect(drv.int() & (R.INT_CMD_DONE | R.INT_READ_RDY)).toBe(R.INT_CMD_DONE | R.INT_READ_RDY);
      expect(d.read(R.STATUS) & R.SR_READ_AVAILABLE).toBeTruthy();
      const words = Array.from({ length: 16 }, () => d.read(R.DATA));
      expect(drv.int() & R.INT_DATA_DONE).toBeTruthy();
      return bytesOf(words);
    };
    const check = readStatus(6, 0x00fffff1, false);
    expect(check[13] & 0x02).toBeTruthy(); // SD_HIGHSPEED_SUPPORTED in switch_status[3]
    const sw = readStatus(6, 0x80fffff1, false);
    expect(sw[16] & 0x0f).toBe(1); // switched to high speed, switch_status[4] & 0x0f000000
    drv.cmd(CMD(55, RSP48), drv.rca << 16);
    drv.cmd(CMD(6, RSP48), 2);
    const ssr = readStatus(13, 0, true);
    expect(ssr[0] >> 6).toBe(2); // DAT_BUS_WIDTH 4 bits
  });
  it('writes reach the host file through a real FileBlockImage, with one fdatasync per write command', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rvos-sd-')), 'sd.img');
    writeFileSync(path, Buffer.alloc(1 * MiB, 0x11));
    const image = FileBlockImage.open(path, false);
    let flushes = 0;
    const flush = image.flush.bind(image);
    image.flush = () => (flushes++, flush());
    const d = instantiate(sdhciType, { name: 'sdhci', reg: [[BASE, 0x100]] });
    d.device.slot!.attach(cardType(), { id: 'drive0', image, options: {} });
    expect(d.device.slot!.occupied).toBe(true);
    expect(() => d.device.slot!.attach(cardType(), { id: 'drive1', image, options: {} })).toThrow(/already holds a card/);
    const drv = new Driver(d);
    drv.init();
    d.write(R.BLKSIZECNT, (2 << 16) | 512);
    drv.cmd(CMD(25, RSP48 | DATA | T_MULTI | AUTO12), 512);
    drv.writeBlocks(new Uint8Array(1024).fill(0x77));
    expect(flushes).toBe(1);
    const file = readFileSync(path);
    expect([file[511], file[512], file[1535], file[1536]]).toEqual([0x11, 0x77, 0x77, 0x11]);
    d.device.close!();
  });
});
