/**
 * bcm2835-sdhci: the BCM2835/BCM2837 "EMMC" SD host controller (an Arasan SDHCI, at 0x3F300000 on
 * the Pi 3, bus address 0x7e300000), as QEMU 7.2's raspi wires hw/sd/sdhci.c. It is a slot of
 * interface "sd": `--drive file=sd.img,if=sd` plugs an SD card model (the sd-card plugin) into
 * it; without one it answers "no card".
 *
 * Accesses: 8-, 16- and 32-bit, aligned (QEMU's sdhci accepts 1..4 bytes; the real block wants
 * 32-bit writes, which is why Linux's sdhci-iproc and U-Boot's bcm2835_sdhci shadow 16-bit
 * writes: with 32-bit writes both behave the same here). A 16-bit write to CMDTM+2 issues the
 * command, as on a standard SDHCI.
 */
import type { AccessSize, BackendType, Device, DeviceContext, DeviceSlot, Drive, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import type { FdtNode } from '../../../src/core/fdt.js';
import { SdhciController } from './controller.js';
import { BCM2835_CAPABILITIES, DATA } from './regs.js';
import { SD_INTERFACE, type SdCard } from './sd-bus.js';

export { SdhciController } from './controller.js';
export * as SDHCI from './regs.js';
export * from './sd-bus.js';

const sdhciProps = (prop: PropKit) => ({
  capabilities: prop.int({ default: BCM2835_CAPABILITIES, min: 0, max: 0xffffffff, description: 'Capabilities register (0x40); QEMU raspi: 0x052134b4' }),
  pendingInsertQuirk: prop.bool({ default: true, description: 'raise the card-insertion interrupt once enabled for a card present at reset (QEMU pending-insert-quirk, set on raspi)' }),
});
export type SdhciProps = PropsOf<ReturnType<typeof sdhciProps>>;

export function createSdhci(ctx: DeviceContext<SdhciProps>): Device & { controller: SdhciController } {
  const controller = new SdhciController(ctx, { capabilities: ctx.props.capabilities, pendingInsertQuirk: ctx.props.pendingInsertQuirk });
  const regs = controller.regs;
  const slot: DeviceSlot = {
    interface: SD_INTERFACE,
    get occupied() {
      return controller.hasCard;
    },
    attach(type: BackendType, drive: Drive) {
      if (controller.hasCard) throw new Error(`${ctx.entry.name} already holds a card`);
      controller.attach(type.create(controller, drive) as SdCard);
    },
  };
  const isData = (offset: number) => offset >= DATA && offset < DATA + 4;
  return {
    name: ctx.entry.name,
    controller,
    slot,
    // The DATA port moves as many bytes as the access is wide (a byte read pops one byte).
    read: (offset: number, size: AccessSize) => (isData(offset) ? controller.readData(size) : regs.read(offset, size)),
    write: (offset: number, size: AccessSize, value: number) => (isData(offset) ? controller.writeData(value, size) : regs.write(offset, size, value)),
    reset: () => controller.reset(),
    inspect: () => controller.inspect(),
    close: () => controller.close(),
    deviceTree(node: FdtNode): void {
      node.u32('bus-width', 4);
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-sdhci',
    description: 'BCM2835 EMMC (Arasan SDHCI) SD host controller, PIO; a slot for an SD card (--drive file=PATH,if=sd)',
    compatible: ['brcm,bcm2835-sdhci'],
    nodeName: 'mmc',
    props: sdhciProps(api.prop),
    outputs: { irq: { description: 'SDHCI interrupt: an INTERRUPT status bit enabled in IRPT_EN is set' } },
    create: createSdhci,
  });
}
