import { describe, expect, it } from 'vitest';
import { register, SeededRandom } from '../../../plugins/dev-bcm2835-rng/src/index.js';
import { instantiate, loadDevicePlugin, type DeviceUnderTest } from '../../helpers/device-context.js';

const rngType = loadDevicePlugin(register).get('bcm2835-rng')!;

const CTRL = 0x00,
  STATUS = 0x04,
  DATA = 0x08;

function rng(seed?: number): DeviceUnderTest {
  return instantiate(rngType, { name: 'rng', reg: [[0x3f104000, 0x10]], props: seed === undefined ? {} : { seed } });
}
const take = (d: DeviceUnderTest, n: number) => Array.from({ length: n }, () => d.read(DATA));

describe('bcm2835-rng plugin', () => {
  it('defines the type Linux binds to', () => {
    expect(rngType.compatible).toEqual(['brcm,bcm2835-rng']);
  });

  it('resets CTRL and STATUS to 0 with one word always available (QEMU)', () => {
    const d = rng();
    expect(d.read(CTRL)).toBe(0);
    expect(d.read(STATUS)).toBe(1 << 24);
  });

  it('stores CTRL and only the warm-up count of STATUS', () => {
    const d = rng();
    d.write(STATUS, 0x40000); // Linux's RNG_WARMUP_COUNT
    d.write(CTRL, 1);
    expect(d.read(CTRL)).toBe(1);
    expect(d.read(STATUS)).toBe((1 << 24) | 0x40000);
    d.write(STATUS, 0xffffffff);
    expect(d.read(STATUS)).toBe((1 << 24) | 0xfffff);
  });

  it('gives the same words for the same seed, also after a reset, and other words for another seed', () => {
    const a = take(rng(), 8);
    const b = rng();
    expect(take(b, 8)).toEqual(a);
    b.device.reset!();
    expect(take(b, 8)).toEqual(a);
    expect(take(rng(1), 8)).not.toEqual(a);
    expect(new Set(a).size).toBe(8);
  });

  it('spreads its bits: about half of 32 x 1000 bits are set', () => {
    const r = new SeededRandom(42);
    let ones = 0;
    for (let i = 0; i < 1000; i++) {
      let x = r.next();
      while (x) {
        ones += x & 1;
        x >>>= 1;
      }
    }
    expect(ones).toBeGreaterThan(15_500);
    expect(ones).toBeLessThan(16_500);
  });

  it('accepts aligned 32-bit accesses within 16 bytes only', () => {
    const d = rng();
    expect(d.faults(DATA, 4)).toBe(false);
    expect(d.faults(DATA, 1)).toBe(true);
    expect(d.faults(0x10, 4)).toBe(true);
  });
});
