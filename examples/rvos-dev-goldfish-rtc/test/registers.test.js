// @ts-check
/**
 * Register by register, through the machine's bus: board.yaml boots a guest that only loops
 * (`j .`), so virtual time passes exactly as the test steps it, instruction by instruction, and it
 * reads and writes the RTC's window as a CPU would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rv32, startMachine } from 'rvos/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'goldfish-rtc-regs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RTC = 0x00101000;
const R = { TIME_LOW: 0x00, TIME_HIGH: 0x04, ALARM_LOW: 0x08, ALARM_HIGH: 0x0c, IRQ_ENABLED: 0x10, CLEAR_ALARM: 0x14, ALARM_STATUS: 0x18, CLEAR_INTERRUPT: 0x1c };
const loop = join(work, 'loop.bin');
writeFileSync(loop, rv32.assemble([rv32.jal(rv32.zero, 0)]));

/** @type {import('rvos/testing').TestMachine[]} */
const open = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
});

/** Boots `board` (default: the example's) and returns helpers around its RTC. */
async function boot(board = 'board.yaml') {
  const m = await startMachine({ board, kernel: loop, plugins: [root], cwd: root });
  open.push(m);
  const { bus, clock } = m.machine;
  const rtc = m.machine.devices.find((d) => d.entry.type === 'goldfish-rtc');
  if (!rtc) throw new Error('no goldfish-rtc on the board');
  /** Reads a register; `ok` false expects the bus to refuse the access. */
  const read = (/** @type {number} */ offset, /** @type {1 | 2 | 4} */ size = 4, ok = true) => {
    bus.fault = false;
    const v = bus.read(RTC + offset, size);
    expect(bus.fault, `read of ${size} at +0x${offset.toString(16)}`).toBe(!ok);
    return v;
  };
  const write = (/** @type {number} */ offset, /** @type {number} */ v) => {
    bus.fault = false;
    bus.write(RTC + offset, 4, v);
    expect(bus.fault).toBe(false);
  };
  const time = () => {
    const lo = read(R.TIME_LOW);
    return (BigInt(read(R.TIME_HIGH)) << 32n) | BigInt(lo);
  };
  return {
    m,
    read,
    write,
    time,
    irq: () => rtc.outputs[0].level,
    now: () => BigInt(clock.now()),
    /** Steps the looping guest `insns` instructions (virtual time moves with them, timers fire). */
    step: (/** @type {number} */ insns) => {
      for (let i = 0; i < insns; i++) m.machine.singleStep();
    },
  };
}

describe('goldfish-rtc registers', () => {
  it('starts at the host clock in whole seconds and counts virtual nanoseconds', async () => {
    const r = await boot();
    const t0 = r.time();
    expect(r.now()).toBe(0n);
    expect(t0 % 1_000_000_000n).toBe(0n);
    expect(Math.abs(Number(t0 / 1_000_000n) - Date.now())).toBeLessThan(60_000);
    r.step(1000);
    expect(r.now()).toBeGreaterThan(0n);
    expect(r.time() - t0).toBe(r.now());
  });

  it('sets the time by halves, and TIME_HIGH answers for the last TIME_LOW read', async () => {
    const r = await boot();
    r.write(R.TIME_HIGH, 0x1);
    r.write(R.TIME_LOW, 0xffffff00);
    expect(r.time()).toBe(0x1_ffffff00n);
    r.step(100); // 1000 ns: the low half wraps
    expect(r.read(R.TIME_HIGH)).toBe(0x1);
    const lo = r.read(R.TIME_LOW);
    expect(r.read(R.TIME_HIGH)).toBe(0x2);
    expect(BigInt(lo)).toBe(r.now() - 0x100n);
  });

  it('arms the alarm on ALARM_LOW and fires it at its time', async () => {
    const r = await boot();
    const at = r.time() + 5000n;
    r.write(R.IRQ_ENABLED, 1);
    r.write(R.ALARM_HIGH, Number(at >> 32n));
    expect(r.read(R.ALARM_STATUS)).toBe(0); // ALARM_HIGH alone arms nothing
    r.write(R.ALARM_LOW, Number(at & 0xffffffffn));
    expect(r.read(R.ALARM_STATUS)).toBe(1);
    expect((BigInt(r.read(R.ALARM_HIGH)) << 32n) | BigInt(r.read(R.ALARM_LOW))).toBe(at);
    r.step(200); // 2000 ns
    expect(r.irq()).toBe(false);
    r.step(1000);
    expect(r.read(R.ALARM_STATUS)).toBe(0);
    expect(r.irq()).toBe(true);
    r.write(R.IRQ_ENABLED, 0);
    expect(r.irq()).toBe(false); // still pending, masked
    r.write(R.IRQ_ENABLED, 1);
    expect(r.irq()).toBe(true);
    r.write(R.CLEAR_INTERRUPT, 1);
    expect(r.irq()).toBe(false);
  });

  it('CLEAR_ALARM disarms it; an alarm at or before the time now fires at once', async () => {
    const r = await boot();
    r.write(R.IRQ_ENABLED, 1);
    const at = r.time() + 1000n;
    r.write(R.ALARM_HIGH, Number(at >> 32n));
    r.write(R.ALARM_LOW, Number(at & 0xffffffffn));
    r.write(R.CLEAR_ALARM, 1);
    expect(r.read(R.ALARM_STATUS)).toBe(0);
    r.step(1000);
    expect(r.irq()).toBe(false);
    r.write(R.ALARM_LOW, Number(r.time() & 0xffffffffn)); // ALARM_HIGH still holds the time's high half
    expect(r.read(R.ALARM_STATUS)).toBe(0);
    expect(r.irq()).toBe(true);
  });

  it('takes aligned 32-bit accesses to 0x00-0x23 only; write-only registers and 0x20 read 0', async () => {
    const r = await boot();
    r.read(R.TIME_LOW, 1, false);
    r.read(R.TIME_LOW, 2, false);
    r.read(0x2, 4, false);
    r.read(0x24, 4, false);
    r.read(0xffc, 4, false);
    expect(r.read(0x20)).toBe(0);
    expect(r.read(R.CLEAR_ALARM)).toBe(0);
    expect(r.read(R.CLEAR_INTERRUPT)).toBe(0);
    r.write(R.IRQ_ENABLED, 0xffffffff);
    expect(r.read(R.IRQ_ENABLED)).toBe(1);
  });

  it('resets alarm, status and enable, and restarts the time from its start rule', async () => {
    const board = join(work, 'fixed-start.yaml');
    writeFileSync(board, `extends: ${join(root, 'board.yaml')}\ndevices:\n  - { name: rtc, props: { startTime: 1000000000 } }\n`);
    const r = await boot(board);
    expect(r.time()).toBe(1_000_000_000_000_000_000n);
    r.write(R.IRQ_ENABLED, 1);
    r.write(R.ALARM_HIGH, 0xffffffff);
    r.write(R.ALARM_LOW, 0);
    r.write(R.TIME_HIGH, 0);
    r.step(1000);
    r.m.machine.reset('test');
    r.m.machine.applyPendingReset();
    expect(r.read(R.ALARM_STATUS)).toBe(0);
    expect(r.read(R.IRQ_ENABLED)).toBe(0);
    expect(r.read(R.ALARM_HIGH)).toBe(0);
    expect(r.time()).toBe(1_000_000_000_000_000_000n + r.now());
  });

  it('rejects a bad startTime in the board as bad input', async () => {
    const board = join(work, 'bad-start.yaml');
    writeFileSync(board, `extends: ${join(root, 'board.yaml')}\ndevices:\n  - { name: rtc, props: { startTime: -5 } }\n`);
    await expect(boot(board)).rejects.toThrow(/bad-start\.yaml:3: device rtc: startTime: /);
  });
});
