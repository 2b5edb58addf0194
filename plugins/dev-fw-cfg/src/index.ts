/**
 * QEMU's fw_cfg in its x86 I/O port form (QEMU 7.2 hw/nvram/fw_cfg.c, docs/specs/fw_cfg.rst):
 * the first I/O window (0x510, 2 ports) takes a 16-bit write of the selector and returns the
 * selected item's next byte on a byte read (0x511; reads past the end return 0); the second
 * (0x514, 8 ports), when present, is the DMA interface: it reads "QEMU CFG", and a big-endian
 * address written high half (0x514) then low half (0x518) runs the FWCfgDmaAccess found there.
 * Items: see entries.ts. Nothing is writable (DMA writes set the error bit, as QEMU's read-only items).
 */
import type { AccessSize, Bus, Device, DeviceContext, PluginApi, PropKit, PropsOf } from '../../../src/core/api.js';
import { pcEntries } from './entries.js';

const props = (prop: PropKit) => ({
  dma: prop.bool({ default: true, description: 'offer the DMA interface (FW_CFG_ID bit 1); needs the second I/O window' }),
});
type Props = PropsOf<ReturnType<typeof props>>;

/** FWCfgDmaAccess control bits. */
const DMA_ERROR = 0x01;
const DMA_READ = 0x02;
const DMA_SKIP = 0x04;
const DMA_SELECT = 0x08;
const DMA_WRITE = 0x10;
const SIGNATURE = new TextEncoder().encode('QEMU CFG');

export class FwCfg {
  private key = 0;
  private offset = 0;

  constructor(
    private readonly entries: Map<number, Uint8Array>,
    private readonly bus: Bus,
  ) {}

  reset(): void {
    this.select(0);
  }

  select(key: number): void {
    this.key = key & 0xffff;
    this.offset = 0;
  }

  private get item(): Uint8Array | undefined {
    return this.entries.get(this.key);
  }

  /** The next data byte of the selected item (0 past its end or for an empty key). */
  readByte(): number {
    const item = this.item;
    if (!item || this.offset >= item.length) return 0;
    return item[this.offset++];
  }

  /** Runs the FWCfgDmaAccess at `addr` (be32 control, be32 length, be64 address) and writes its control word back. */
  dma(addr: number): void {
    const head = new Uint8Array(16);
    if (!this.bus.dmaRead(addr, head)) return; // QEMU: the access cannot be read, nothing happens
    const v = new DataView(head.buffer);
    let control = v.getUint32(0);
    let length = v.getUint32(4);
    let target = v.getUint32(8) * 2 ** 32 + v.getUint32(12);
    if (control & DMA_SELECT) this.select(control >>> 16);
    const op = control & (DMA_READ | DMA_SKIP | DMA_WRITE);
    let error = 0;
    if (op === DMA_WRITE) error = DMA_ERROR; // no writable items
    else if (op !== 0) {
      const item = this.item ?? new Uint8Array(0);
      while (length > 0 && !error) {
        const left = Math.max(0, item.length - this.offset);
        const n = left === 0 ? length : Math.min(length, left);
        if (control & DMA_READ) {
          const data = left === 0 ? new Uint8Array(n) : item.subarray(this.offset, this.offset + n);
          if (!this.bus.dmaWrite(target, data)) error = DMA_ERROR;
        }
        if (left !== 0) this.offset += n;
        target += n;
        length -= n;
      }
    }
    control = error;
    const back = new Uint8Array(4);
    new DataView(back.buffer).setUint32(0, control);
    this.bus.dmaWrite(addr, back);
  }
}

export function createFwCfg(ctx: DeviceContext<Props>): Device {
  const name = ctx.entry.name;
  const { reg, io } = ctx.entry;
  if (io.length < 1 || io[0][1] !== 2) throw new Error(`${name}: needs the I/O window [0x510, 2] first (selector and data)`);
  const dma = ctx.props.dma && io.length > 1;
  if (ctx.props.dma && io.length > 1 && io[1][1] !== 8) throw new Error(`${name}: the DMA window is 8 ports ([0x514, 8])`);
  const cfg = new FwCfg(pcEntries({ ramSize: ctx.bus.ram.base + ctx.bus.ram.size, cpus: ctx.cpuCount, dma }), ctx.bus);
  const ctl = reg.length;
  let dmaHigh = 0;
  const bswap = (x: number) => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
  return {
    name,
    read(offset: number, size: AccessSize, region: number): number {
      if (region === ctl) {
        // QEMU's comb ops: any read returns data bytes (a wider read takes several, lowest first).
        let v = 0;
        for (let i = 0; i < size; i++) v |= cfg.readByte() << (8 * i);
        return v >>> 0;
      }
      if (!dma) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | (SIGNATURE[offset + i] ?? 0);
      return v >>> 0;
    },
    write(offset: number, size: AccessSize, value: number, region: number): void {
      if (region === ctl) {
        if (size === 2 && offset === 0) cfg.select(value); // a byte write is a data write: ignored since QEMU 2.4
        return;
      }
      if (!dma || size !== 4) return;
      // The address is big-endian: the guest writes cpu_to_be32(half); the low half starts the transfer.
      if (offset === 0) dmaHigh = bswap(value);
      else if (offset === 4) {
        cfg.dma(dmaHigh * 2 ** 32 + bswap(value));
        dmaHigh = 0;
      }
    },
    reset() {
      cfg.reset();
      dmaHigh = 0;
    },
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'fw-cfg',
    description: "QEMU's fw_cfg firmware configuration interface (I/O ports 0x510/0x511, DMA at 0x514), as on -M pc",
    props: props(api.prop),
    create: createFwCfg,
  });
}
