/**
 * BCM2835 power management block's watchdog and reset registers at 0x3F100000 (QEMU
 * hw/misc/bcm2835_powermgt.c; register names from Linux's bcm2835_wdt and elinux.org
 * "BCM2835 registers#PM", the datasheet does not document them).
 *
 * Registers: PM_RSTC 0x1C (reset control; bits 5:4 WRCFG, 0x20 = full reset), PM_RSTS 0x20 (reset
 * status; bits 0, 2, 4, ..., 10 hold the boot partition), PM_WDOG 0x24 (watchdog time, bits 19:0,
 * in ticks of 2^-16 s). Writes must carry the password 0x5A in bits 31:24 or they are ignored.
 *
 * A full-reset WRCFG starts the watchdog: when the PM_WDOG time runs out (at once for 0) the machine
 * resets, or powers off with code 0 when PM_RSTS holds partition 63 (0x555), Linux's and U-Boot's
 * convention for "halt" that QEMU follows too. QEMU acts at the RSTC write whatever PM_WDOG says;
 * here the countdown runs in virtual time (U-Boot and Linux's restart use about 10 ticks, 150 us),
 * so a guest that arms the watchdog with a long timeout and keeps feeding it is not reset at once.
 * Writing RSTC without full-reset WRCFG stops it. Reading PM_WDOG gives the ticks left.
 */
import type { AccessSize, Device, DeviceContext, PluginApi, PropKit, PropsOf, Timer } from '../../../src/core/api.js';
import type { RegisterMap } from '../../../src/core/regmap.js';

const PASSWORD = 0x5a000000;
const PASSWORD_MASK = 0xff000000;
const RSTC_WRCFG_MASK = 0x30;
const RSTC_WRCFG_FULL_RESET = 0x20;
const RSTS_POWEROFF = 0x555;
const WDOG_MASK = 0xfffff;
const NS_PER_TICK = 1_000_000_000 / 65536;

const pmProps = (prop: PropKit) => ({
  resetAtWrite: prop.bool({ default: false, description: 'act on a full-reset RSTC write at once, whatever PM_WDOG says, as QEMU 7.2 does (else the watchdog counts PM_WDOG down)' }),
});
type PmProps = PropsOf<ReturnType<typeof pmProps>>;

export function createBcm2835Pm(ctx: DeviceContext<PmProps>): Device {
  const name = ctx.entry.name;
  let regs!: RegisterMap;

  function expire(): void {
    if ((regs.get('PM_RSTS') & 0xfff) === RSTS_POWEROFF) ctx.machine.powerOff(0, 'guest power-off (PM_RSTS partition 63)');
    else ctx.machine.reset('watchdog full reset (PM_RSTC)');
  }
  const watchdog: Timer = ctx.clock.createTimer(`${name} watchdog`, expire);

  let deadline = 0;
  /** Ticks left while the watchdog runs, else the stored time. */
  function wdogRead(): number {
    if (!watchdog.armed) return regs.get('PM_WDOG');
    return Math.max(0, Math.ceil((deadline - ctx.clock.now()) / NS_PER_TICK)) & WDOG_MASK;
  }

  /** The written value without its password, or -1 (ignored) when the password is wrong. */
  function unlocked(written: number, lanes: number): number {
    if (lanes !== 0xffffffff || ((written & PASSWORD_MASK) >>> 0) !== PASSWORD) {
      if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `write of 0x${(written >>> 0).toString(16)} without the 0x5a password ignored` });
      return -1;
    }
    return written & ~PASSWORD_MASK;
  }

  regs = ctx.registers({
    sizes: [1, 2, 4],
    aligned: true,
    extent: 0x200,
    registers: [
      {
        name: 'PM_RSTC',
        offset: 0x1c,
        reset: 0x102,
        access: 'ro', // writes go through write() below: the password is checked first
        fields: [{ name: 'WRCFG', bits: [5, 4] }],
      },
      { name: 'PM_RSTS', offset: 0x20, reset: 0x1000, access: 'ro' },
      { name: 'PM_WDOG', offset: 0x24, access: 'ro', read: () => wdogRead() },
    ],
  });

  /** Register writes go through here: each needs the password in the same 32-bit write. */
  function write(offset: number, size: AccessSize, value: number): void {
    if (offset !== 0x1c && offset !== 0x20 && offset !== 0x24) return;
    const v = unlocked(value >>> 0, size === 4 ? 0xffffffff : 0);
    if (v < 0) return;
    if (offset === 0x1c) {
      regs.set('PM_RSTC', v);
      if ((v & RSTC_WRCFG_MASK) === RSTC_WRCFG_FULL_RESET && ctx.props.resetAtWrite) expire();
      else if ((v & RSTC_WRCFG_MASK) === RSTC_WRCFG_FULL_RESET) {
        deadline = ctx.clock.now() + regs.get('PM_WDOG') * NS_PER_TICK;
        watchdog.armAt(deadline);
      } else watchdog.cancel();
    } else if (offset === 0x20) regs.set('PM_RSTS', v);
    else {
      regs.set('PM_WDOG', v & WDOG_MASK);
      // Feeding a running watchdog restarts its countdown from the new time.
      if (watchdog.armed) {
        deadline = ctx.clock.now() + (v & WDOG_MASK) * NS_PER_TICK;
        watchdog.armAt(deadline);
      }
    }
  }

  return {
    name,
    read: (offset: number, size: AccessSize) => regs.read(offset, size),
    write,
    reset(): void {
      watchdog.cancel();
      regs.reset();
    },
    inspect: () => ({ RSTC: regs.get('PM_RSTC'), RSTS: regs.get('PM_RSTS'), WDOG: wdogRead(), running: watchdog.armed ? 1 : 0 }),
  };
}

export function register(api: PluginApi): void {
  api.defineDevice({
    type: 'bcm2835-pm',
    description: 'BCM2835 power management watchdog: full reset and partition-63 power-off',
    compatible: ['brcm,bcm2835-pm', 'brcm,bcm2835-pm-wdt'],
    nodeName: 'watchdog',
    props: pmProps(api.prop),
    create: createBcm2835Pm,
  });
}
