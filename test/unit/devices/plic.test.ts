import { describe, expect, it } from 'vitest';
import type { IrqLine } from '../../../src/core/api.js';
import { register } from '../../../plugins/dev-plic/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const plicType = loadDevicePlugin(register).get('plic')!;

const PRIO = (src: number) => 4 * src;
const PENDING = (word: number) => 0x1000 + 4 * word;
const ENABLE = (ctx: number, word: number) => 0x2000 + 0x80 * ctx + 4 * word;
const THRESHOLD = (ctx: number) => 0x200000 + 0x1000 * ctx;
const CLAIM = (ctx: number) => 0x200004 + 0x1000 * ctx;

/** Two harts: contexts 0 = hart0 M, 1 = hart0 S, 2 = hart1 M, 3 = hart1 S. */
function plic(props: Record<string, unknown> = {}, harts = 2): DeviceUnderTest {
  const irqs: string[] = [];
  for (let h = 0; h < harts; h++) irqs.push(`cpu${h}:meip`, `cpu${h}:seip`);
  return instantiate(plicType, { name: 'plic', reg: [[0x0c000000, 0x600000]], irqs, props, cpuCount: harts });
}
/** Output line of a context in the MS layout. */
const out = (d: DeviceUnderTest, ctx: number) => d.h.irqs[ctx];
const src = (d: DeviceUnderTest, id: number): IrqLine => d.device.irqInput!(String(id))!;
const enableSrc = (d: DeviceUnderTest, ctx: number, id: number) => d.write(ENABLE(ctx, id >> 5), d.read(ENABLE(ctx, id >> 5)) | (1 << (id & 31)));

describe('plic plugin', () => {
  it('defines the plic type with the QEMU virt compatible strings', () => {
    expect(plicType.compatible).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(plicType.nodeName).toBe('plic');
  });

  it('adds the interrupt-controller properties to its DT node', () => {
    const { node } = plic().deviceTree();
    expect(node.cells('#interrupt-cells')).toEqual([1]);
    expect(node.cells('#address-cells')).toEqual([0]);
    expect(node.props.get('interrupt-controller')?.length).toBe(0);
    // As QEMU 7.2 dumps it (`-M virt,dumpdtb=`): `riscv,ndev = <0x60>`, its PLIC's num-sources.
    expect(node.cells('riscv,ndev')).toEqual([96]);
    expect(plic({ sources: 128 }).deviceTree().node.cells('riscv,ndev')).toEqual([128]);
  });

  it('provides input lines for sources 1..sources-1 and one interrupt cell', () => {
    const d = plic();
    expect(d.device.irqInput!('0')).toBeUndefined();
    expect(d.device.irqInput!('96')).toBeUndefined();
    expect(d.device.irqInput!('uart')).toBeUndefined();
    const l = d.device.irqInput!('95')!;
    expect(l.name).toBe('plic:95');
    expect(d.device.irqInput!('95')).toBe(l);
    expect(d.device.interruptCells!('10')).toEqual([10]);
  });

  it('resets every register to 0 with outputs low', () => {
    const d = plic();
    for (const s of [1, 10, 95]) expect(d.read(PRIO(s))).toBe(0);
    for (let w = 0; w < 3; w++) expect(d.read(PENDING(w))).toBe(0);
    for (let c = 0; c < 4; c++) {
      expect(d.read(ENABLE(c, 0))).toBe(0);
      expect(d.read(THRESHOLD(c))).toBe(0);
      expect(d.read(CLAIM(c))).toBe(0);
    }
    expect(d.h.irqs.every((l) => !l.level)).toBe(true);
  });

  it('names its registers', () => {
    const r = plic().regs();
    expect(r.nameAt(PRIO(3))).toBe('priority[3]');
    expect(r.nameAt(PENDING(1))).toBe('pending[1]');
    expect(r.nameAt(THRESHOLD(3))).toBe('threshold[3]');
    expect(r.nameAt(CLAIM(2))).toBe('claim[2]');
  });

  describe('priority', () => {
    it('keeps the low 3 bits (WARL, 7 levels like QEMU virt)', () => {
      const d = plic();
      d.write(PRIO(1), 0xff);
      expect(d.read(PRIO(1))).toBe(7);
      d.write(PRIO(95), 5);
      expect(d.read(PRIO(95))).toBe(5);
      d.write(PRIO(2), 9);
      expect(d.read(PRIO(2))).toBe(1);
    });

    it('honours props.priorityBits', () => {
      const d = plic({ priorityBits: 5 });
      d.write(PRIO(1), 0xff);
      expect(d.read(PRIO(1))).toBe(31);
    });

    it('reads 0 past the last source', () => {
      const d = plic();
      d.write(PRIO(96), 3);
      expect(d.read(PRIO(96))).toBe(0);
    });
  });

  describe('pending', () => {
    it('latches a rising input and is read-only', () => {
      const d = plic();
      src(d, 10).set(true);
      src(d, 40).set(true);
      src(d, 95).set(true);
      expect(d.read(PENDING(0))).toBe(1 << 10);
      expect(d.read(PENDING(1))).toBe(1 << 8);
      expect(d.read(PENDING(2))).toBe((1 << 31) >>> 0);
      d.write(PENDING(0), 0);
      expect(d.read(PENDING(0))).toBe(1 << 10);
    });

    it('stays pending after the source drops, until claimed (QEMU 7.2)', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 0, 10);
      src(d, 10).set(true);
      src(d, 10).set(false);
      expect(d.read(PENDING(0))).toBe(1 << 10);
      expect(out(d, 0).level).toBe(true);
      expect(d.read(CLAIM(0))).toBe(10);
      expect(d.read(PENDING(0))).toBe(0);
      d.write(CLAIM(0), 10);
      expect(d.read(PENDING(0))).toBe(0);
      expect(out(d, 0).level).toBe(false);
    });
  });

  describe('enables and contexts', () => {
    it('routes a source only to the contexts that enable it (MS layout)', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      src(d, 10).set(true);
      expect(d.h.irqs.every((l) => !l.level)).toBe(true);
      enableSrc(d, 3, 10); // hart1 S-mode
      expect(out(d, 3).level).toBe(true);
      expect(d.h.irqs[3].name).toBe('cpu1:seip');
      expect(out(d, 0).level || out(d, 1).level || out(d, 2).level).toBe(false);
      enableSrc(d, 0, 10); // hart0 M-mode
      expect(d.h.irqs[0].level).toBe(true);
      d.write(ENABLE(3, 0), 0);
      expect(out(d, 3).level).toBe(false);
    });

    it('has one enable word per 32 sources; others read 0', () => {
      const d = plic();
      d.write(ENABLE(1, 2), 0xffffffff);
      expect(d.read(ENABLE(1, 2))).toBe(0xffffffff);
      d.write(ENABLE(1, 3), 0xffffffff);
      expect(d.read(ENABLE(1, 3))).toBe(0);
      expect(d.read(ENABLE(0, 2))).toBe(0);
      d.write(ENABLE(4, 0), 1); // context 4 does not exist with 2 harts
      expect(d.read(ENABLE(4, 0))).toBe(0);
    });

    it('masks priority 0 sources and sources at or below the threshold', () => {
      const d = plic();
      enableSrc(d, 0, 5);
      src(d, 5).set(true);
      expect(out(d, 0).level).toBe(false); // priority 0 = never
      d.write(PRIO(5), 3);
      expect(out(d, 0).level).toBe(true);
      d.write(THRESHOLD(0), 3);
      expect(d.read(THRESHOLD(0))).toBe(3);
      expect(out(d, 0).level).toBe(false);
      expect(d.read(CLAIM(0))).toBe(0);
      d.write(THRESHOLD(0), 2);
      expect(out(d, 0).level).toBe(true);
      d.write(THRESHOLD(0), 0xff);
      expect(d.read(THRESHOLD(0))).toBe(7);
    });
  });

  describe('claim and complete', () => {
    it('claims the highest priority, ties to the lowest ID', () => {
      const d = plic();
      for (const [id, p] of [
        [3, 2],
        [7, 5],
        [9, 5],
        [40, 4],
      ]) {
        d.write(PRIO(id), p);
        enableSrc(d, 0, id);
        src(d, id).set(true);
      }
      expect(d.read(CLAIM(0))).toBe(7);
      expect(d.read(CLAIM(0))).toBe(9);
      expect(d.read(CLAIM(0))).toBe(40);
      expect(d.read(CLAIM(0))).toBe(3);
      expect(d.read(CLAIM(0))).toBe(0);
      expect(out(d, 0).level).toBe(false);
    });

    it('clears pending on claim and blocks the source until completion', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 0, 10);
      enableSrc(d, 2, 10);
      src(d, 10).set(true);
      expect(out(d, 0).level && out(d, 2).level).toBe(true);
      expect(d.read(CLAIM(2))).toBe(10);
      expect(d.read(PENDING(0))).toBe(0);
      // Claimed by hart1: hart0 no longer sees it either.
      expect(out(d, 0).level).toBe(false);
      expect(out(d, 2).level).toBe(false);
      expect(d.read(CLAIM(0))).toBe(0);
    });

    it('re-pends on completion while the line is still high (level gateway)', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 1, 10);
      src(d, 10).set(true);
      expect(d.read(CLAIM(1))).toBe(10);
      expect(out(d, 1).level).toBe(false);
      d.write(CLAIM(1), 10);
      expect(d.read(PENDING(0))).toBe(1 << 10);
      expect(out(d, 1).level).toBe(true);
      expect(out(d, 1).raised).toBe(2);
    });

    it('does not re-pend on completion once the device dropped its line', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 0, 10);
      src(d, 10).set(true);
      expect(d.read(CLAIM(0))).toBe(10);
      src(d, 10).set(false);
      d.write(CLAIM(0), 10);
      expect(d.read(PENDING(0))).toBe(0);
      expect(out(d, 0).level).toBe(false);
    });

    it('holds a request that arrives during service until completion', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 0, 10);
      src(d, 10).set(true);
      expect(d.read(CLAIM(0))).toBe(10);
      src(d, 10).set(false);
      src(d, 10).set(true); // new request while claimed: latched, not claimable yet
      src(d, 10).set(false); // and it stays latched (QEMU)
      expect(d.read(PENDING(0))).toBe(1 << 10);
      expect(out(d, 0).level).toBe(false);
      expect(d.read(CLAIM(0))).toBe(0);
      d.write(CLAIM(0), 10);
      expect(out(d, 0).level).toBe(true);
      expect(d.read(CLAIM(0))).toBe(10);
    });

    it('ignores completion of IDs past the last source', () => {
      const d = plic();
      d.write(PRIO(10), 1);
      enableSrc(d, 0, 10);
      src(d, 10).set(true);
      expect(d.read(CLAIM(0))).toBe(10);
      d.write(CLAIM(0), 96 + 10);
      expect(out(d, 0).level).toBe(false);
      d.write(CLAIM(0), 10);
      expect(out(d, 0).level).toBe(true);
    });

    it('lets a higher-priority source preempt in the pending order', () => {
      const d = plic();
      d.write(PRIO(1), 1);
      d.write(PRIO(2), 2);
      enableSrc(d, 0, 1);
      enableSrc(d, 0, 2);
      src(d, 1).set(true);
      expect(d.read(CLAIM(0))).toBe(1);
      src(d, 2).set(true);
      expect(out(d, 0).level).toBe(true);
      expect(d.read(CLAIM(0))).toBe(2);
    });

    it('works with a source count that is not a multiple of 32', () => {
      const d = plic({ sources: 40 });
      expect(d.device.irqInput!('40')).toBeUndefined();
      d.write(PRIO(39), 7);
      enableSrc(d, 0, 39);
      src(d, 39).set(true);
      expect(d.read(CLAIM(0))).toBe(39);
    });
  });

  it('accepts only aligned 32-bit accesses', () => {
    const d = plic();
    expect(d.faults(PRIO(1), 1)).toBe(true);
    expect(d.faults(PRIO(1), 2, true)).toBe(true);
    expect(d.faults(PRIO(1) + 1, 4)).toBe(true);
    expect(d.faults(PRIO(1), 4)).toBe(false);
    expect(d.faults(0x500000, 4)).toBe(false); // unused space reads 0
  });

  it('reset clears state but gateways see lines that are still high', () => {
    const d = plic();
    d.write(PRIO(10), 1);
    enableSrc(d, 0, 10);
    d.write(THRESHOLD(0), 0);
    src(d, 10).set(true);
    src(d, 11).set(true);
    expect(d.read(CLAIM(0))).toBe(10);
    d.device.reset!();
    expect(d.read(PRIO(10))).toBe(0);
    expect(d.read(ENABLE(0, 0))).toBe(0);
    expect(d.read(PENDING(0))).toBe((1 << 10) | (1 << 11));
    expect(out(d, 0).level).toBe(false);
  });

  it('works with one hart (contexts 0 and 1 only)', () => {
    const d = plic({}, 1);
    d.write(PRIO(1), 1);
    enableSrc(d, 1, 1);
    src(d, 1).set(true);
    expect(d.h.irqs[1].name).toBe('cpu0:seip');
    expect(d.h.irqs[1].level).toBe(true);
    expect(d.read(CLAIM(2))).toBe(0);
  });

  it('shows state in inspect()', () => {
    const d = plic();
    d.write(PRIO(10), 1);
    enableSrc(d, 0, 10);
    src(d, 10).set(true);
    const info = d.device.inspect!();
    expect(info.pending).toBe('00000000_00000000_00000400');
    expect(info['hart0.M eip']).toBe(1);
    expect(info['hart0.M enable']).toBe('00000000_00000000_00000400');
  });
});
