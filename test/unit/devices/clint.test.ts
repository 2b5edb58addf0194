import { describe, expect, it } from 'vitest';
import { register } from '../../../plugins/dev-clint/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const clintType = loadDevicePlugin(register).get('clint')!;

const MSIP = (h: number) => 0x0 + 4 * h;
const CMP_LO = (h: number) => 0x4000 + 8 * h;
const CMP_HI = (h: number) => 0x4004 + 8 * h;
const MTIME_LO = 0xbff8;
const MTIME_HI = 0xbffc;

function clint(harts = 1, props: Record<string, unknown> = {}): DeviceUnderTest {
  const irqs: string[] = [];
  for (let h = 0; h < harts; h++) irqs.push(`cpu${h}:msip`, `cpu${h}:mtip`);
  return instantiate(clintType, { name: 'clint', reg: [[0x2000000, 0x10000]], irqs, props, cpuCount: harts });
}
const msipLine = (d: DeviceUnderTest, h: number) => d.h.irqs[2 * h];
const mtipLine = (d: DeviceUnderTest, h: number) => d.h.irqs[2 * h + 1];

function setCmp(d: DeviceUnderTest, h: number, value: bigint): void {
  // The RV32 sequence from the privileged spec: no spurious interrupt while updating.
  d.write(CMP_LO(h), 0xffffffff);
  d.write(CMP_HI(h), Number(value >> 32n));
  d.write(CMP_LO(h), Number(value & 0xffffffffn));
}
const mtime = (d: DeviceUnderTest) => (BigInt(d.read(MTIME_HI)) << 32n) | BigInt(d.read(MTIME_LO));

describe('clint plugin', () => {
  it('defines the clint type with the QEMU virt compatible strings', () => {
    expect(clintType.compatible).toEqual(['sifive,clint0', 'riscv,clint0']);
    expect(clintType.nodeName).toBe('clint');
  });

  it('has QEMU reset values and lines low', () => {
    const d = clint(2);
    for (let h = 0; h < 2; h++) {
      expect(d.read(MSIP(h))).toBe(0);
      expect(d.read(CMP_LO(h))).toBe(0);
      expect(d.read(CMP_HI(h))).toBe(0);
    }
    expect(d.read(MTIME_LO)).toBe(0);
    expect(d.read(MTIME_HI)).toBe(0);
    expect(d.h.irqs.every((l) => !l.level)).toBe(true);
  });

  it('names its registers', () => {
    const d = clint(2);
    expect(d.regs().nameAt(MSIP(1))).toBe('msip[1]');
    expect(d.regs().nameAt(CMP_HI(1))).toBe('mtimecmp_hi[1]');
    expect(d.regs().nameAt(MTIME_LO)).toBe('mtime_lo');
  });

  describe('msip', () => {
    it('drives the hart software interrupt line from bit 0', () => {
      const d = clint(2);
      d.write(MSIP(1), 1);
      expect(msipLine(d, 1).level).toBe(true);
      expect(msipLine(d, 0).level).toBe(false);
      expect(d.read(MSIP(1))).toBe(1);
      d.write(MSIP(1), 0xfffffffe);
      expect(d.read(MSIP(1))).toBe(0);
      expect(msipLine(d, 1).level).toBe(false);
      d.write(MSIP(0), 0xffffffff);
      expect(d.read(MSIP(0))).toBe(1);
      expect(msipLine(d, 0).level).toBe(true);
    });

    it('reads 0 beyond the last hart', () => {
      const d = clint(1);
      d.write(MSIP(5), 1);
      expect(d.read(MSIP(5))).toBe(0);
      expect(d.faults(MSIP(5), 4)).toBe(false);
    });
  });

  describe('mtime', () => {
    it('counts at the timebase frequency (10 MHz default)', () => {
      const d = clint();
      d.h.clock.advanceTo(1000);
      expect(d.read(MTIME_LO)).toBe(10);
      d.h.clock.advanceTo(12_399);
      expect(d.read(MTIME_LO)).toBe(123);
      d.h.clock.advanceTo(2 ** 32 * 100 + 250);
      expect(d.read(MTIME_HI)).toBe(1);
      expect(d.read(MTIME_LO)).toBe(2);
    });

    it('uses props.timebaseFrequency', () => {
      const d = clint(1, { timebaseFrequency: 1_000_000 });
      d.h.clock.advanceTo(5_999);
      expect(d.read(MTIME_LO)).toBe(5);
    });

    it('is writable per half (QEMU time_delta)', () => {
      const d = clint();
      d.h.clock.advanceTo(1000); // mtime 10
      d.write(MTIME_LO, 1000);
      expect(mtime(d)).toBe(1000n);
      d.h.clock.advanceTo(1500);
      expect(mtime(d)).toBe(1005n);
      d.write(MTIME_HI, 7);
      expect(mtime(d)).toBe((7n << 32n) | 1005n);
      d.h.clock.advanceTo(1600);
      expect(mtime(d)).toBe((7n << 32n) | 1006n);
      d.write(MTIME_LO, 0xffffffff);
      d.h.clock.advanceTo(1700);
      expect(mtime(d)).toBe(8n << 32n); // carries into the high half
    });
  });

  describe('mtimecmp and MTIP', () => {
    it('raises MTIP exactly when mtime reaches mtimecmp', () => {
      const d = clint();
      setCmp(d, 0, 50n);
      expect(d.read(CMP_LO(0))).toBe(50);
      expect(d.read(CMP_HI(0))).toBe(0);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(4999);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(5000);
      expect(mtipLine(d, 0).level).toBe(true);
      expect(mtipLine(d, 0).history.at(-1)).toEqual({ level: true, at: 5000 });
    });

    it('fires at the right time when the clock jumps past the deadline', () => {
      const d = clint();
      setCmp(d, 0, 50n);
      d.h.clock.advanceTo(1_000_000);
      expect(mtipLine(d, 0).level).toBe(true);
      expect(mtipLine(d, 0).raised).toBe(1);
    });

    it('rounds correctly when ticks are not whole nanoseconds', () => {
      const d = clint(1, { timebaseFrequency: 3_000_000 }); // 333.3 ns per tick
      setCmp(d, 0, 10n);
      d.h.clock.advanceTo(3333);
      expect(d.read(MTIME_LO)).toBe(9);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(3334);
      expect(d.read(MTIME_LO)).toBe(10);
      expect(mtipLine(d, 0).level).toBe(true);
    });

    it('raises immediately for a compare value in the past and lowers for one in the future', () => {
      const d = clint();
      d.h.clock.advanceTo(10_000); // mtime 100
      setCmp(d, 0, 100n);
      expect(mtipLine(d, 0).level).toBe(true);
      setCmp(d, 0, 101n);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(10_100);
      expect(mtipLine(d, 0).level).toBe(true);
    });

    it('never glitches during the RV32 three-write update', () => {
      const d = clint();
      d.h.clock.advanceTo(10_000); // mtime 100
      d.write(CMP_HI(0), 0xffffffff); // far future first
      d.write(CMP_LO(0), 0xffffffff);
      expect(mtipLine(d, 0).raised).toBe(0);
      setCmp(d, 0, 1n << 33n);
      expect(mtipLine(d, 0).raised).toBe(0);
      expect(d.read(CMP_HI(0))).toBe(2);
      expect(d.read(CMP_LO(0))).toBe(0);
    });

    it('never fires for an all-ones compare value', () => {
      const d = clint();
      setCmp(d, 0, (1n << 64n) - 1n);
      d.h.clock.advanceTo(Number.MAX_SAFE_INTEGER);
      expect(mtipLine(d, 0).level).toBe(false);
    });

    it('keeps one timer per hart', () => {
      const d = clint(2);
      setCmp(d, 0, 30n);
      setCmp(d, 1, 20n);
      d.h.clock.advanceTo(2000);
      expect(mtipLine(d, 1).level).toBe(true);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(3000);
      expect(mtipLine(d, 0).level).toBe(true);
      expect(mtipLine(d, 0).history.at(-1)!.at).toBe(3000);
      expect(mtipLine(d, 1).history.at(-1)!.at).toBe(2000);
    });

    it('re-evaluates every hart when mtime is written', () => {
      const d = clint(2);
      setCmp(d, 0, 500n);
      d.write(MTIME_LO, 1000);
      expect(mtipLine(d, 0).level).toBe(true);
      expect(mtipLine(d, 1).level).toBe(true); // mtimecmp1 = 0 is now live too
      d.write(MTIME_LO, 0);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(500 * 100 - 1);
      expect(mtipLine(d, 0).level).toBe(false);
      d.h.clock.advanceTo(500 * 100);
      expect(mtipLine(d, 0).level).toBe(true);
    });

    it('does not drive MTIP before the first mtimecmp write (QEMU 7.2)', () => {
      const d = clint();
      d.h.clock.advanceTo(100_000);
      expect(mtipLine(d, 0).level).toBe(false);
      d.write(CMP_LO(0), 0);
      expect(mtipLine(d, 0).level).toBe(true);
    });
  });

  it('accepts only aligned 32-bit accesses and faults above the MTIMER window', () => {
    const d = clint();
    expect(d.faults(MSIP(0), 1)).toBe(true);
    expect(d.faults(MSIP(0), 2)).toBe(true);
    expect(d.faults(CMP_LO(0) + 2, 4)).toBe(true);
    expect(d.faults(MTIME_LO, 4)).toBe(false);
    expect(d.faults(0xc000, 4)).toBe(true);
    expect(d.faults(0xc000, 4, true)).toBe(true);
    expect(d.faults(0x8000, 4)).toBe(false); // inside MTIMER, unmapped register: reads 0
    expect(d.read(0x8000)).toBe(0);
  });

  it('reset clears msip, mtimecmp and the mtime offset and cancels timers', () => {
    const d = clint();
    d.write(MSIP(0), 1);
    setCmp(d, 0, 50n);
    d.write(MTIME_LO, 12345);
    d.device.reset!();
    d.h.clock.reset();
    expect(d.read(MSIP(0))).toBe(0);
    expect(msipLine(d, 0).level).toBe(false);
    expect(d.read(CMP_LO(0))).toBe(0);
    expect(mtime(d)).toBe(0n);
    d.h.clock.advanceTo(1_000_000);
    expect(mtipLine(d, 0).level).toBe(false);
  });

  it('shows key registers in inspect()', () => {
    const d = clint();
    setCmp(d, 0, 0x1_0000_0002n);
    d.h.clock.advanceTo(1000);
    const info = d.device.inspect!();
    expect(info.mtime).toBe('0x000000000000000a');
    expect(info.mtimecmp0).toBe('0x0000000100000002');
    expect(info.msip0).toBe(0);
  });
});
