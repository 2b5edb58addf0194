/**
 * ATA/IDE: an ATA channel (device type `ata`, QEMU's ISA IDE: command block of 8 ports, control
 * block of 1 port, one interrupt) with a slot of interface "ide" for its master disk, and the hard
 * disk model that plugs into it (backend `ide-hd`), so `--drive file=disk.img,if=ide` attaches a
 * disk. Window 0 is the command block (0x1F0-0x1F7 on the primary channel), window 1 the control
 * block (0x3F6): alternate status on reads, device control on writes.
 */
import type { AccessSize, BackendType, Device, DeviceContext, DeviceSlot, Drive, PluginApi } from '../../../src/core/api.js';
import { AtaChannel } from './channel.js';
import { AtaDisk } from './disk.js';

export { AtaChannel } from './channel.js';
export { AtaDisk, guessGeometry } from './disk.js';

/** The channel as other code sees it (tests, debuggers). */
export interface AtaDevice extends Device {
  readonly channel: AtaChannel;
}

export function createAta(ctx: DeviceContext): AtaDevice {
  const name = ctx.entry.name;
  const channel = new AtaChannel(ctx.output('irq'));
  const slot: DeviceSlot = {
    interface: 'ide',
    get occupied() {
      return channel.disk !== undefined;
    },
    attach(type: BackendType, drive: Drive) {
      if (channel.disk) throw new Error(`${name} already holds a disk`);
      channel.disk = type.create({}, drive) as AtaDisk;
      channel.reset();
    },
  };

  /** Command block: 16/32-bit data at offset 0; other sizes go byte by byte as QEMU's portio splits them. */
  function read(offset: number, size: AccessSize, region: number): number {
    if (region === 1) return channel.readAltStatus();
    if (offset === 0 && size !== 1) return channel.readData(size);
    if (size === 4) return 0xffffffff; // no 32-bit register there (QEMU: unassigned)
    if (size === 2) return channel.readRegister(offset) | (channel.readRegister(offset + 1) << 8);
    return channel.readRegister(offset);
  }

  function write(offset: number, size: AccessSize, value: number, region: number): void {
    if (region === 1) return channel.writeControl(value & 0xff);
    if (offset === 0 && size !== 1) return channel.writeData(size, value);
    if (size === 4) return;
    channel.writeRegister(offset, value & 0xff);
    if (size === 2) channel.writeRegister(offset + 1, (value >> 8) & 0xff);
  }

  return {
    name,
    slot,
    channel,
    read,
    write,
    reset: () => channel.reset(),
    close: () => channel.disk?.close(),
    inspect() {
      const disk = channel.disk;
      const img = disk?.image;
      return {
        ...channel.inspect(),
        disk: img ? `${img.path}${img.readOnly ? ' (read-only)' : ''}` : 'none',
        ...(disk ? { sectors: disk.total, chs: `${disk.geometry.cylinders}/${disk.geometry.heads}/${disk.geometry.sectors}`, ...disk.stats } : {}),
      };
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'ata',
    description: 'ATA (IDE) channel, PIO: command block, control block, one interrupt, a slot "ide" for its master disk',
    outputs: { irq: { description: 'INTRQ (IRQ 14 for the primary channel, 15 for the secondary)' } },
    create: createAta,
  });
  api.defineBackend({
    type: 'ide-hd',
    description: 'ATA hard disk over a raw host image (--drive file=PATH,if=ide)',
    interface: 'ide',
    media: 'disk',
    // QEMU names its disks QM00001, QM00002, ... in creation order.
    create: (_host: unknown, drive: Drive) => new AtaDisk(drive, drive.options.serial ?? `QM${String(Number(drive.id.replace(/\D/g, '')) + 1).padStart(5, '0')}`),
  });
}
