/**
 * Synopsys DesignWare USB 2.0 OTG controller (DWC2) at 0x3F980000, present enough for firmware and
 * kernels to probe it and find nothing plugged in. Reset values follow QEMU 7.2's hw/usb/hcd-dwc2.c
 * (core 2.94a, host mode, internal DMA, 8 host channels, dynamic FIFOs); field names are Linux's
 * drivers/usb/dwc2/hw.h.
 *
 * Modelled: the core global registers (GOTGCTL, GAHBCFG, GUSBCFG, GRSTCTL with its core-soft-reset
 * and FIFO-flush bits done at once, GINTSTS write-1-to-clear, GINTMSK, FIFO sizes, GSNPSID,
 * GHWCFG1-4, GPWRDN), host registers (HCFG, HFIR, HFNUM, HAINT/HAINTMSK, HPRT0 with its
 * write-1-to-clear change bits and the port never connected, HPTXFSIZ), 8 host channels and
 * PCGCCTL, all stored. No device is ever attached, so no transfer ever starts: a channel enabled
 * anyway is halted at once with a transaction error. Output `irq`: GINTSTS & GINTMSK while
 * GAHBCFG.GLBLINTRMSK is set. Device (gadget) mode is not modelled.
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const GAHBCFG_GLBLINTRMSK = 1 << 0;
const GRSTCTL_AHBIDLE = 1 << 31;
const GRSTCTL_SELF_CLEARING = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 5); // CSFTRST, HSFTRST, FRMCNTRRST, RXFFLSH, TXFFLSH
const GINTSTS_CURMODE_HOST = 1 << 0;
const GINTSTS_NPTXFEMP = 1 << 5;
const GINTSTS_HCHINT = 1 << 25;
const GINTSTS_PTXFEMP = 1 << 26;
const GINTSTS_CONIDSTSCHNG = 1 << 28;
/** GINTSTS bits that are status, not latched events (cleared by their source, not by writing 1). */
const GINTSTS_STATUS = GINTSTS_CURMODE_HOST | GINTSTS_NPTXFEMP | GINTSTS_PTXFEMP | GINTSTS_HCHINT | (1 << 24); // + PRTINT
/** HPRT0 bits that clear on a written 1: connect detected, enable (disables the port), enable changed, overcurrent changed. */
const HPRT0_W1C = (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5);
const HCCHAR_CHENA = 1 << 31;
const HCINT_CHHLTD = 1 << 1;
const HCINT_XACTERR = 1 << 7;
const CHANNELS = 8;

/** GHWCFG2 as QEMU 7.2 composes it from Linux's field shifts. */
const GHWCFG2 =
  ((8 << 26) | (4 << 24) | (4 << 22) | (1 << 19) | (1 << 18) | ((CHANNELS - 1) << 14) | (2 << 3) | 6) >>> 0;
const GHWCFG3 = ((4096 << 16) | (4 << 4) | 4) >>> 0;

export function createDwc2(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  let regs!: RegisterMap;

  /** The one place computing the output. */
  function update(): void {
    const haint = regs.get('HAINT') & regs.get('HAINTMSK');
    regs.set('GINTSTS', haint !== 0 ? regs.get('GINTSTS') | GINTSTS_HCHINT : regs.get('GINTSTS') & ~GINTSTS_HCHINT);
    irq.set((regs.get('GAHBCFG') & GAHBCFG_GLBLINTRMSK) !== 0 && (regs.get('GINTSTS') & regs.get('GINTMSK')) !== 0);
  }

  function channelInterrupts(): void {
    let haint = 0;
    for (let c = 0; c < CHANNELS; c++) if (regs.get('HCINT', c) & regs.get('HCINTMSK', c)) haint |= 1 << c;
    regs.set('HAINT', haint);
    update();
  }

  const rw = (regName: string, offset: number, reset = 0, extra: object = {}) => ({ name: regName, offset, reset, ...extra });
  const channel = (regName: string, offset: number, extra: object = {}) => ({ name: regName, offset: 0x500 + offset, count: CHANNELS, stride: 0x20, ...extra });
  regs = ctx.registers({
    sizes: [4],
    aligned: true,
    extent: 0x10000,
    registers: [
      rw('GOTGCTL', 0x000, (1 << 19) | (1 << 18) | (1 << 16)),
      rw('GOTGINT', 0x004, 0, { access: 'w1c' }),
      rw('GAHBCFG', 0x008, 0, { write: () => update() }),
      rw('GUSBCFG', 0x00c, 5 << 10),
      rw('GRSTCTL', 0x010, GRSTCTL_AHBIDLE, {
        // Resets and flushes finish at once; the AHB master is always idle.
        write: (value: number) => regs.set('GRSTCTL', ((value & ~GRSTCTL_SELF_CLEARING) | GRSTCTL_AHBIDLE) >>> 0),
      }),
      rw('GINTSTS', 0x014, GINTSTS_CONIDSTSCHNG | GINTSTS_PTXFEMP | GINTSTS_NPTXFEMP | GINTSTS_CURMODE_HOST, {
        access: 'w1c',
        writeMask: ~GINTSTS_STATUS >>> 0,
        write: () => update(),
      }),
      rw('GINTMSK', 0x018, 0, { write: () => update() }),
      rw('GRXSTSR', 0x01c, 0, { access: 'ro' }),
      rw('GRXSTSP', 0x020, 0, { access: 'ro' }),
      rw('GRXFSIZ', 0x024, 1024),
      rw('GNPTXFSIZ', 0x028, 1024 << 16),
      rw('GNPTXSTS', 0x02c, (4 << 16) | 1024, { access: 'ro' }),
      rw('GI2CCTL', 0x030),
      rw('GPVNDCTL', 0x034),
      rw('GGPIO', 0x038),
      rw('GUID', 0x03c),
      rw('GSNPSID', 0x040, 0x4f54294a, { access: 'ro' }),
      rw('GHWCFG1', 0x044, 0, { access: 'ro' }),
      rw('GHWCFG2', 0x048, GHWCFG2, { access: 'ro' }),
      rw('GHWCFG3', 0x04c, GHWCFG3, { access: 'ro' }),
      rw('GHWCFG4', 0x050, 0, { access: 'ro' }),
      rw('GLPMCFG', 0x054),
      rw('GPWRDN', 0x058, 1 << 1),
      rw('GDFIFOCFG', 0x05c),
      rw('HPTXFSIZ', 0x100, 500 << 16),
      rw('HCFG', 0x400, 2 << 8),
      rw('HFIR', 0x404, 60000),
      rw('HFNUM', 0x408, 0x3fff, { access: 'ro' }),
      rw('HPTXSTS', 0x410, (16 << 16) | 100, { access: 'ro' }),
      rw('HAINT', 0x414, 0, { access: 'ro' }),
      rw('HAINTMSK', 0x418, 0, { write: () => update() }),
      // Nothing is ever connected: connect status, speed and line state stay 0.
      rw('HPRT0', 0x440, 0, {
        writeMask: ~((1 << 0) | (3 << 10) | (3 << 17)) >>> 0,
        fields: [
          { name: 'PRTPWR', bits: [12, 12] },
          { name: 'PRTRST', bits: [8, 8] },
          { name: 'PRTENA', bits: [2, 2] },
          { name: 'PRTCONNSTS', bits: [0, 0] },
        ],
        write: (value: number) => regs.set('HPRT0', (value & ~HPRT0_W1C) >>> 0), // no change events ever happen
      }),
      channel('HCCHAR', 0x00, {
        write: (value: number, c: number) => {
          if (!(value & HCCHAR_CHENA)) return;
          // No device answers: the channel halts at once with a transaction error.
          regs.set('HCCHAR', value & ~HCCHAR_CHENA, c);
          regs.set('HCINT', regs.get('HCINT', c) | HCINT_CHHLTD | HCINT_XACTERR, c);
          channelInterrupts();
        },
      }),
      channel('HCSPLT', 0x04),
      channel('HCINT', 0x08, { access: 'w1c', write: () => channelInterrupts() }),
      channel('HCINTMSK', 0x0c, { write: () => channelInterrupts() }),
      channel('HCTSIZ', 0x10),
      channel('HCDMA', 0x14),
      rw('PCGCCTL', 0xe00),
    ],
  });

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write: (offset: number, size: AccessSize, value: number) => regs.write(offset, size, value),
    reset(): void {
      regs.reset();
      update();
    },
    inspect: () => ({ GINTSTS: regs.get('GINTSTS'), GINTMSK: regs.get('GINTMSK'), HPRT0: regs.get('HPRT0'), HAINT: regs.get('HAINT') }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'dwc2',
    description: 'DesignWare USB 2.0 OTG host controller with nothing plugged in (probe only)',
    compatible: ['brcm,bcm2835-usb'],
    nodeName: 'usb',
    outputs: { irq: { description: 'an unmasked core interrupt is pending (GPU IRQ 9)' } },
    create: createDwc2,
  });
}
