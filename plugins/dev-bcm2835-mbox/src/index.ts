/**
 * BCM2835 ARM/VideoCore mailboxes at 0x3F00B880 with the firmware's property channel behind them
 * (QEMU hw/misc/bcm2835_mbox.c + bcm2835_property.c; Raspberry Pi firmware wiki "Mailboxes").
 *
 * Window offsets (from 0x3F00B880): mailbox 0 (VideoCore to ARM) READ 0x00-0x0C, PEEK 0x10,
 * SENDER 0x14, STATUS 0x18, CONFIG 0x1C; mailbox 1 (ARM to VideoCore) WRITE 0x20-0x2C, STATUS
 * 0x38. 32-bit accesses only. STATUS bit 31 full, bit 30 empty. A mail is a 16-byte aligned bus
 * address with the channel in its low 4 bits.
 *
 * Channel 8 (property tags) is answered at once, during the write, as QEMU's property device
 * does: the buffer in guest memory is updated (bus.dmaRead/dmaWrite) and the same word comes back
 * on mailbox 0. Channel 1 (the legacy framebuffer request) is answered the same way with the
 * word 0x00000001. Mailbox 0 holds 8 words; answers beyond that wait and enter as it is read.
 * Mails to other channels get no answer (QEMU has no device behind them). Mailbox 1 is never
 * full, since every mail is consumed at once.
 *
 * Output `irq` (ARM basic interrupt 1, "ARM mailbox"): high while mailbox 0 holds data and
 * CONFIG bit 0 (data-available interrupt enable) is set; CONFIG bit 4 shows the pending state.
 *
 * The framebuffer tags allocate and describe a buffer in VC memory (QEMU's defaults: 640x480,
 * 16 bpp, at VC base + 1 MiB). `framebuffer()` gives the visible screen as RGBA pixels
 * (framebuffer.ts); `rvos run --screenshot` and C-a g in the TUI save it as PNG.
 */
import type { AccessSize, Device, DeviceContext, Picture, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import { snapshotFramebuffer } from './framebuffer.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import { UserError } from '../../../src/core/errors.js';
import type { RegisterMap } from '../../../src/core/regmap.js';
import { answerFramebufferChannel, answerProperty, defaultFramebuffer, fbPitch, fbSize, type FramebufferConfig, type PropertyConfig } from './property.js';

const MBOX_SIZE = 8;
const STATUS_FULL = 0x80000000;
const STATUS_EMPTY = 0x40000000;
const CONFIG_DATA_IRQ_EN = 0x1;
const CONFIG_DATA_IRQ_PEND = 0x10;
const INVALID = 0xffffffff;
const CHANNEL_FRAMEBUFFER = 1;
const CHANNEL_PROPERTY = 8;

const mboxProps = (prop: PropKit) => ({
  boardRevision: prop.int({ default: 0xa02082, min: 0, max: 0xffffffff, description: 'board revision code (QEMU raspi3b: 0xa02082, Pi 3 Model B 1.2 by Sony UK)' }),
  serial: prop.int({ default: 0, min: 0, description: 'board serial number (tag 0x00010004)' }),
  mac: prop.string({ default: '52:54:00:12:34:56', description: 'MAC address (tag 0x00010003; QEMU default)' }),
  ramSize: prop.int({ default: 0x40000000, min: 0x1000000, max: 0x40000000, description: 'SDRAM size in bytes shared by ARM and VideoCore (raspi3b: 1 GiB)' }),
  busAddressMask: prop.int({ default: 0x3fffffff, min: 0, max: 0xffffffff, description: 'bits of a mail\'s bus address that select SDRAM (the top two pick a VideoCore cache alias)' }),
  vcSize: prop.int({ default: 0x4000000, min: 0x200000, max: 0x20000000, description: 'VideoCore memory at the top of SDRAM (QEMU vcram-size: 64 MiB)' }),
});
export type MboxProps = PropsOf<ReturnType<typeof mboxProps>>;

function parseMac(text: string): number[] {
  const parts = text.split(':').map((p) => Number.parseInt(p, 16));
  if (parts.length !== 6 || parts.some((p) => !(p >= 0 && p <= 255))) throw new UserError(`mac: "${text}" is not six hex bytes separated by ':'`); // the board's input (exit 2)
  return parts;
}

/** The device, plus the framebuffer picture a display (TUI, --screenshot) can take. */
export interface MboxDevice extends Device {
  /** The visible screen as RGBA pixels, or undefined when the buffer is not in RAM. */
  framebuffer(): Picture | undefined;
}

export function createBcm2835Mbox(ctx: DeviceContext<MboxProps>): MboxDevice {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const { boardRevision, serial, ramSize, vcSize } = ctx.props;
  const cfg: PropertyConfig = { boardRevision, serial, mac: parseMac(ctx.props.mac), vcBase: ramSize - vcSize, vcSize, busAddressMask: ctx.props.busAddressMask };
  let fb: FramebufferConfig = defaultFramebuffer(cfg.vcBase);

  /** Mailbox 0 (VideoCore to ARM): a FIFO of 8 words. */
  const mbox0 = new Uint32Array(MBOX_SIZE).fill(INVALID);
  let count0 = 0;
  let config0 = 0;
  /** Answers that did not fit in mailbox 0 yet. */
  const waiting: number[] = [];

  function status0(): number {
    return count0 === 0 ? STATUS_EMPTY : count0 === MBOX_SIZE ? STATUS_FULL : 0;
  }

  /** The one place moving answers in and computing the output (QEMU bcm2835_mbox_update). */
  function update(): void {
    while (waiting.length > 0 && count0 < MBOX_SIZE) mbox0[count0++] = waiting.shift()!;
    config0 &= ~CONFIG_DATA_IRQ_PEND;
    if (count0 > 0) config0 |= CONFIG_DATA_IRQ_PEND;
    irq.set(count0 > 0 && (config0 & CONFIG_DATA_IRQ_EN) !== 0);
  }

  function readMail(): number {
    if (count0 === 0) return INVALID;
    const value = mbox0[0];
    mbox0.copyWithin(0, 1);
    mbox0[--count0] = INVALID;
    update();
    return value;
  }

  function writeMail(value: number): void {
    const channel = value & 0xf;
    if (channel === CHANNEL_PROPERTY) {
      const address = (value & ~0xf) >>> 0;
      if (answerProperty(ctx.bus, address, cfg, fb)) waiting.push((address | CHANNEL_PROPERTY) >>> 0);
      else if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `property buffer at 0x${address.toString(16)} is not in RAM` });
    } else if (channel === CHANNEL_FRAMEBUFFER) {
      // QEMU's framebuffer answers 0 on its channel once the buffer is set up.
      if (answerFramebufferChannel(ctx.bus, (value & ~0xf) >>> 0, cfg, fb)) waiting.push(CHANNEL_FRAMEBUFFER);
    } else if (ctx.events.wants('log')) {
      ctx.events.emit('log', { source: name, message: `mail 0x${(value >>> 0).toString(16)} to channel ${channel}: no such firmware service` });
    }
    update();
  }

  const regs: RegisterMap = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x40,
    registers: [
      { name: 'MAIL0_READ', offset: 0x00, count: 4, stride: 4, access: 'ro', read: () => readMail() },
      { name: 'MAIL0_PEEK', offset: 0x10, access: 'ro', read: () => mbox0[0] },
      { name: 'MAIL0_SENDER', offset: 0x14, access: 'ro', read: () => 0 },
      { name: 'MAIL0_STATUS', offset: 0x18, access: 'ro', read: () => status0() },
      {
        name: 'MAIL0_CONFIG',
        offset: 0x1c,
        fields: [
          { name: 'DATA_IRQ_PEND', bits: [4, 4] },
          { name: 'DATA_IRQ_EN', bits: [0, 0] },
        ],
        read: () => config0,
        write: (_v, _i, w) => {
          config0 = (config0 & ~CONFIG_DATA_IRQ_EN) | (w & CONFIG_DATA_IRQ_EN);
          update();
        },
      },
      { name: 'MAIL1_WRITE', offset: 0x20, count: 4, stride: 4, access: 'wo', write: (_v, _i, w) => writeMail(w) },
      { name: 'MAIL1_STATUS', offset: 0x38, access: 'ro', read: () => STATUS_EMPTY },
    ],
  });

  const hex = (x: number) => '0x' + (x >>> 0).toString(16);
  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      mbox0.fill(INVALID);
      count0 = 0;
      config0 = 0;
      waiting.length = 0;
      fb = defaultFramebuffer(cfg.vcBase);
      update();
    },
    deviceTree(node: FdtNode): void {
      node.u32('#mbox-cells', 0);
    },
    framebuffer: () => snapshotFramebuffer(ctx.bus, fb, cfg.vcBase, cfg.busAddressMask),
    inspect() {
      return {
        'mail0 count': count0,
        'mail0 config': hex(config0),
        framebuffer: `${fb.xres}x${fb.yres} (virtual ${fb.xresVirtual}x${fb.yresVirtual} +${fb.xoffset}+${fb.yoffset}) ${fb.bpp} bpp at ${hex(fb.base)}, pitch ${fbPitch(fb)}, ${fbSize(fb)} bytes`,
        irq: irq.level ? 1 : 0,
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-mbox',
    description: 'BCM2835 VideoCore mailboxes with the firmware property interface (channel 8)',
    compatible: ['brcm,bcm2835-mbox'],
    nodeName: 'mailbox',
    props: mboxProps(api.prop),
    outputs: { irq: { description: 'mailbox 0 holds data and its data interrupt is enabled (ARM basic IRQ 1)' } },
    create: createBcm2835Mbox,
  });
}
