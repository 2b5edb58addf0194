/**
 * BCM2835 clock manager (CPRMAN: the CM clock registers at +0x000 and the A2W PLL registers at
 * +0x1000), the registers as QEMU 7.2's bcm2835_cprman shows them to a guest: every register
 * holds what was last written with the 0x5A password in bits 31:24 (other writes are ignored;
 * the password does not read back); the reset values are QEMU's, which it took from a Raspberry
 * Pi 3 Model B v1.2 (`reset-values.ts`: PLLC at 2.4 GHz, the VPU clock at 400 MHz ...), so a
 * kernel computes the same rates; CM_LOCK (+0x114) reports PLL n locked (FLOCKA/B/C/D/H, bits
 * 8/9/10/11/12) while its A2W_PLLn_CTRL.PWRDN (bit 16) and CM_PLLn.ANARST (bit 8) are clear
 * (Linux's clk-bcm2835 waits for them when it prepares a PLL); writing a clock mux's CTL sets its
 * BUSY bit (7) to its ENABLE bit (4), as QEMU.
 *
 * Not modelled: the rates' effect on other devices (rvos' UARTs and timers do not take their rate
 * from here).
 */
import type { AccessSize, Device, DeviceContext, PluginApi } from '../../../src/core/api.js';
import { MUX_CTL_OFFSETS, RESET_VALUES } from './reset-values.js';

const WINDOW = 0x2000;
const PASSWORD = 0x5a;
const CM_LOCK = 0x114;
const ANARST = 1 << 8;
const CTL_ENABLE = 1 << 4;
const CTL_BUSY = 1 << 7;
const PWRDN = 1 << 16;

/** Each PLL: its CM_PLLx register, its A2W_PLLx_CTRL register, and its FLOCK bit in CM_LOCK. */
const PLLS: ReadonlyArray<{ name: string; cm: number; ctrl: number; lockBit: number }> = [
  { name: 'A', cm: 0x104, ctrl: 0x1100, lockBit: 8 },
  { name: 'C', cm: 0x108, ctrl: 0x1120, lockBit: 10 },
  { name: 'D', cm: 0x10c, ctrl: 0x1140, lockBit: 11 },
  { name: 'H', cm: 0x110, ctrl: 0x1160, lockBit: 12 },
  { name: 'B', cm: 0x170, ctrl: 0x11e0, lockBit: 9 },
];

export function createBcm2835Cprman(ctx: DeviceContext): Device {
  const name = ctx.entry.name;
  const regs = new Uint32Array(WINDOW / 4);

  function lockBits(): number {
    let r = 0;
    for (const pll of PLLS) if ((regs[pll.ctrl >> 2] & PWRDN) === 0 && (regs[pll.cm >> 2] & ANARST) === 0) r |= 1 << pll.lockBit;
    return r;
  }

  function reset(): void {
    regs.fill(0);
    for (const [offset, value] of RESET_VALUES) regs[offset >> 2] = value;
  }
  reset();

  return {
    name,
    read(offset: number): number {
      return offset === CM_LOCK ? lockBits() : regs[offset >> 2];
    },
    write(offset: number, _size: AccessSize, value: number): void {
      if (value >>> 24 !== PASSWORD) {
        if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `write of 0x${(value >>> 0).toString(16)} at +0x${offset.toString(16)} without the 0x5a password ignored` });
        return;
      }
      let v = value & 0x00ffffff;
      if (MUX_CTL_OFFSETS.has(offset)) v = (v & ~CTL_BUSY) | ((v & CTL_ENABLE) !== 0 ? CTL_BUSY : 0);
      regs[offset >> 2] = v;
    },
    reset,
    inspect: () => ({ CM_LOCK: lockBits() }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-cprman',
    description: 'BCM2835 clock manager registers (CM and A2W PLLs) with PLL lock status, as QEMU 7.2 (no clock rates)',
    compatible: ['brcm,bcm2835-cprman'],
    nodeName: 'cprman',
    access: { sizes: [4], aligned: true },
    create: createBcm2835Cprman,
  });
}
