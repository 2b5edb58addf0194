import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-fw-cfg/src/index.js';
import { instantiate, loadDevicePlugin } from '../../helpers/device-context.js';

const type = loadDevicePlugin(register).get('fw-cfg')!;
const CTL = 0; // 0x510: selector (16-bit write), data (byte reads)
const DMA = 1; // 0x514

function fwcfg(props: Record<string, unknown> = {}) {
  const d = instantiate(type, { name: 'fw-cfg', io: [[0x510, 2], [0x514, 8]], props });
  const select = (key: number) => d.write(0, key, 2, CTL);
  const bytes = (n: number) => Array.from({ length: n }, () => d.read(1, 1, CTL));
  return { d, select, bytes };
}

const be32 = (b: number[], at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const le = (b: number[]) => b.reduceRight((v, x) => v * 256 + x, 0);

describe('fw-cfg: the traditional interface', () => {
  it('gives the signature, the interface ID (DMA offered), RAM size and CPU counts; 0 past the end', () => {
    const { d, select, bytes } = fwcfg();
    select(0x0000);
    expect(Buffer.from(bytes(4)).toString('latin1')).toBe('QEMU');
    expect(bytes(2)).toEqual([0, 0]);
    select(0x0001);
    expect(le(bytes(4))).toBe(3);
    select(0x0003);
    expect(le(bytes(8))).toBe(d.h.bus.ram.base + d.h.bus.ram.size);
    select(0x0005);
    expect(le(bytes(2))).toBe(1);
    select(0x000f);
    expect(le(bytes(2))).toBe(1);
    select(0x1234); // nobody set it
    expect(bytes(4)).toEqual([0, 0, 0, 0]);
    // A byte write is a data write (ignored), not a selection.
    select(0x0000);
    d.write(0, 0x01, 1, CTL);
    expect(bytes(1)).toEqual([0x51]);
  });

  it('lists etc/e820 in the file directory: one RAM entry from 0, as QEMU -M pc', () => {
    const { d, select, bytes } = fwcfg();
    select(0x0019);
    const dir = bytes(4 + 64);
    expect(be32(dir, 0)).toBe(1);
    const size = be32(dir, 4);
    const key = (dir[8] << 8) | dir[9];
    expect(Buffer.from(dir.slice(12, 12 + 8)).toString('latin1')).toBe('etc/e820');
    expect(size).toBe(20);
    select(key);
    const e = bytes(20);
    expect(le(e.slice(0, 8))).toBe(0);
    expect(le(e.slice(8, 16))).toBe(d.h.bus.ram.base + d.h.bus.ram.size);
    expect(le(e.slice(16, 20))).toBe(1);
  });

  it('without DMA: FW_CFG_ID is 1 and the DMA ports read all ones', () => {
    const { d, select, bytes } = fwcfg({ dma: false });
    select(0x0001);
    expect(le(bytes(4))).toBe(1);
    expect(d.read(0, 4, DMA)).toBe(0xffffffff);
  });
});

describe('fw-cfg: the DMA interface', () => {
  it('reads "QEMU CFG" and runs a select + read access (the address written big-endian, low half last)', () => {
    const { d } = fwcfg();
    expect(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7].map((i) => d.read(i, 1, DMA))).toString('latin1')).toBe('QEMU CFG');
    const ram = d.h.bus.ram;
    const access = ram.base + 0x100;
    const buf = ram.base + 0x200;
    const v = new DataView(ram.u8.buffer);
    // FWCfgDmaAccess: control = select key 0 | SELECT | READ, length 6 (2 past "QEMU"), address.
    v.setUint32(0x100, (0x0000 << 16) | 0x08 | 0x02);
    v.setUint32(0x104, 6);
    v.setUint32(0x108, 0);
    v.setUint32(0x10c, buf);
    ram.u8.fill(0xee, 0x200, 0x208);
    const bswap = (x: number) => new DataView(new Uint32Array([x]).buffer).getUint32(0, false);
    d.write(0, bswap(0), 4, DMA);
    d.write(4, bswap(access), 4, DMA);
    expect(Buffer.from(ram.u8.subarray(0x200, 0x208)).toString('latin1')).toBe('QEMU\0\0\xee\xee');
    expect(v.getUint32(0x100)).toBe(0); // control cleared: done, no error
    // A write access: no writable item, the error bit.
    v.setUint32(0x100, 0x10);
    d.write(4, bswap(access), 4, DMA);
    expect(v.getUint32(0x100)).toBe(1);
    // SKIP then READ continue from the item's offset.
    v.setUint32(0x100, (0x0000 << 16) | 0x08 | 0x04);
    v.setUint32(0x104, 2);
    d.write(4, bswap(access), 4, DMA);
    v.setUint32(0x100, 0x02);
    v.setUint32(0x104, 2);
    d.write(4, bswap(access), 4, DMA);
    expect(Buffer.from(ram.u8.subarray(0x200, 0x202)).toString('latin1')).toBe('MU');
  });
});
