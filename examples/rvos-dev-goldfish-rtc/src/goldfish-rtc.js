// @ts-check
/**
 * The Goldfish RTC (`google,goldfish-rtc`), with the register semantics of QEMU 7.2's
 * hw/rtc/goldfish_rtc.c, the peer Linux's drivers/rtc/rtc-goldfish.c is written for: a 64-bit
 * count of nanoseconds since the Unix epoch and one alarm with one interrupt output.
 *
 *   0x00 TIME_LOW         r   low half of the time now; latches the high half for TIME_HIGH
 *                         w   replaces the low half of the time (it counts on from there)
 *   0x04 TIME_HIGH        r   the high half latched by the last TIME_LOW read, not the time now
 *                         w   replaces the high half of the time
 *   0x08 ALARM_LOW        rw  low half of the alarm time; writing it arms the alarm
 *   0x0c ALARM_HIGH       rw  high half of the alarm time (drivers write it first)
 *   0x10 IRQ_ENABLED      rw  bit 0: the interrupt output follows the fired alarm
 *   0x14 CLEAR_ALARM      w   disarms the alarm (an alarm that already fired stays pending)
 *   0x18 ALARM_STATUS     r   1 while an alarm is armed and has not fired yet
 *   0x1c CLEAR_INTERRUPT  w   clears the fired alarm's pending interrupt
 *
 * Output `irq` is high while a fired alarm is pending and IRQ_ENABLED is 1. Arming an alarm at or
 * before the time now fires it at once. Accesses: aligned 32-bit ones to the first 0x24 bytes (the
 * size of QEMU's region; the rest of the board's window is unassigned); the bus refuses the rest.
 * Reads of the write-only registers and of 0x20 return 0, as in QEMU.
 *
 * Time = the host's clock at machine start (whole seconds, as QEMU's realize reads it with
 * qemu_get_timedate), or the `startTime` prop, plus the machine's virtual time: what QEMU's rtc
 * clock counts with `-rtc clock=vm` or -icount. Writing TIME moves that offset; an armed alarm keeps
 * its virtual deadline, as in QEMU. rvos restarts virtual time at a machine reset, so a reset
 * restarts this clock from the same rule (QEMU keeps counting, including a time the guest set).
 */

/** @typedef {import('rvos/plugin-api').AccessRules} AccessRules */
/** @typedef {import('rvos/plugin-api').Device} Device */
/** @typedef {import('rvos/plugin-api').PropKit} PropKit */
/** @typedef {PropsOf<ReturnType<typeof rtcProps>>} RtcProps */
/**
 * @template {import('rvos/plugin-api').PropSchema} S
 * @typedef {import('rvos/plugin-api').PropsOf<S>} PropsOf
 */

const NS_PER_S = 1_000_000_000n;
const MASK64 = (1n << 64n) - 1n;
const LOW32 = 0xffffffffn;
const MAX_VIRTUAL_NS = BigInt(Number.MAX_SAFE_INTEGER);

/** @type {AccessRules} What the bus lets through: QEMU's `.valid` (aligned 4-byte accesses) and its region size. */
export const ACCESS = { sizes: [4], aligned: true, extent: 0x24 };

/** Props a board may give (rvos checks them before `create`). @param {PropKit} prop */
export const rtcProps = (prop) => ({
  startTime: prop.int({
    min: 0,
    max: Number((MASK64 / NS_PER_S)),
    description: 'time at machine start in seconds since the epoch (default: the host clock, as QEMU -rtc base=utc)',
  }),
});

/**
 * @param {import('rvos/plugin-api').DeviceContext<RtcProps>} ctx
 * @returns {Device}
 */
export function createGoldfishRtc(ctx) {
  const name = ctx.entry.name;
  const irq = ctx.output('irq');
  const alarmTimer = ctx.clock.createTimer(`${name} alarm`, () => fire());

  /** RTC time minus virtual time, mod 2^64 (QEMU's tick_offset). */
  let offset = startOffset();
  /** High half of the time at the last TIME_LOW read. */
  let timeHigh = 0;
  /** An alarm is armed and has not fired (ALARM_STATUS). */
  let alarmRunning = false;
  /** The alarm fired and the guest has not cleared it (QEMU's irq_pending). */
  let irqPending = false;

  function virtualNs() {
    return BigInt(Math.floor(ctx.clock.now()));
  }
  /** Nanoseconds since the epoch now, mod 2^64. */
  function now() {
    return (offset + virtualNs()) & MASK64;
  }
  function startOffset() {
    const seconds = ctx.props.startTime ?? Math.floor(Date.now() / 1000);
    return (BigInt(seconds) * NS_PER_S - virtualNs()) & MASK64;
  }

  /** The one place the interrupt output is computed. */
  function update() {
    irq.set(irqPending && (regs.get('IRQ_ENABLED') & 1) !== 0);
  }
  function fire() {
    alarmRunning = false;
    irqPending = true;
    update();
  }
  function clearAlarm() {
    alarmTimer.cancel();
    alarmRunning = false;
  }
  function armAlarm() {
    const alarm = (BigInt(regs.get('ALARM_HIGH')) << 32n) | BigInt(regs.get('ALARM_LOW'));
    const time = now();
    if (alarm <= time) {
      clearAlarm();
      fire();
      return;
    }
    alarmRunning = true;
    const at = virtualNs() + (alarm - time);
    // Past what virtual time can represent (~104 days): armed for ever, as good as QEMU's.
    if (at <= MAX_VIRTUAL_NS) alarmTimer.armAt(Number(at));
    else alarmTimer.cancel();
  }
  /** Replaces 32 bits of the time at bit `shift` (QEMU: deposit64, then move the offset). */
  function setTime(/** @type {0 | 32} */ shift, /** @type {number} */ value) {
    const current = now();
    const field = LOW32 << BigInt(shift);
    const next = (current & ~field) | (BigInt(value >>> 0) << BigInt(shift));
    offset = (offset + next - current) & MASK64;
  }
  function unimplemented(/** @type {number} */ at, /** @type {string} */ what) {
    if (ctx.events.wants('log')) ctx.events.emit('log', { source: name, message: `${what} at unimplemented offset 0x${at.toString(16)}` });
  }

  const regs = ctx.registers({
    ...ACCESS,
    registers: [
      {
        name: 'TIME_LOW',
        offset: 0x00,
        read: () => {
          const t = now();
          timeHigh = Number(t >> 32n);
          return Number(t & LOW32);
        },
        write: (value) => setTime(0, value),
      },
      { name: 'TIME_HIGH', offset: 0x04, read: () => timeHigh, write: (value) => setTime(32, value) },
      { name: 'ALARM_LOW', offset: 0x08, write: () => armAlarm() },
      { name: 'ALARM_HIGH', offset: 0x0c },
      { name: 'IRQ_ENABLED', offset: 0x10, writeMask: 1, fields: [{ name: 'ENABLED', bits: [0, 0] }], write: () => update() },
      { name: 'CLEAR_ALARM', offset: 0x14, access: 'wo', write: () => clearAlarm() },
      { name: 'ALARM_STATUS', offset: 0x18, access: 'ro', read: () => (alarmRunning ? 1 : 0) },
      {
        name: 'CLEAR_INTERRUPT',
        offset: 0x1c,
        access: 'wo',
        write: () => {
          irqPending = false;
          update();
        },
      },
    ],
    unmapped: {
      read: (at) => {
        unimplemented(at, 'read');
        return 0;
      },
      write: (at) => unimplemented(at, 'write'),
    },
  });

  const hex64 = (/** @type {bigint} */ x) => '0x' + x.toString(16).padStart(16, '0');
  return {
    name,
    read: (at, size) => regs.read(at, size),
    write: (at, size, value) => regs.write(at, size, value),
    reset() {
      // QEMU's reset: alarm, status, pending and enable cleared; the latched TIME_HIGH stays.
      clearAlarm();
      irqPending = false;
      regs.reset();
      offset = startOffset();
      update();
    },
    inspect: () => ({
      TIME: hex64(now()),
      ALARM: hex64((BigInt(regs.get('ALARM_HIGH')) << 32n) | BigInt(regs.get('ALARM_LOW'))),
      ALARM_STATUS: alarmRunning ? 1 : 0,
      IRQ_ENABLED: regs.get('IRQ_ENABLED'),
      pending: irqPending ? 1 : 0,
    }),
  };
}
