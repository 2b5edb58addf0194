import { describe, expect, it } from 'vitest';
import type { Device } from '../../../src/core/api.js';
import { PAGE_CODE, PAGE_WATCH } from '../../../src/core/api.js';
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { attachTrace } from '../../../src/core/trace.js';
import { Line, Wire } from '../../../src/core/irq.js';

function setup() {
  const events = new EventStream();
  const bus = new PhysicalBus(createRam(0x80000000, 0x10000), events);
  return { events, bus };
}

describe('physical bus', () => {
  it('reads and writes RAM little-endian', () => {
    const { bus } = setup();
    bus.write(0x80000010, 4, 0x11223344);
    expect(bus.read(0x80000010, 1)).toBe(0x44);
    expect(bus.read(0x80000012, 2)).toBe(0x1122);
    expect(bus.ram.i32[4]).toBe(0x11223344);
    expect(bus.fault).toBe(false);
  });

  it('routes device windows with offsets and rejects overlaps', () => {
    const { bus } = setup();
    const seen: string[] = [];
    const dev: Device = {
      name: 'd',
      read: (off, size, region) => (seen.push(`r${off}/${size}/${region}`), 0xab),
      write: (off, size, value, region) => void seen.push(`w${off}/${size}/${value}/${region}`),
    };
    bus.map({ name: 'd', base: 0x1000, size: 0x100, device: dev, index: 0 });
    bus.map({ name: 'd', base: 0x2000, size: 0x100, device: dev, index: 1 });
    expect(bus.read(0x1004, 4)).toBe(0xab);
    bus.write(0x2008, 1, 7);
    expect(seen).toEqual(['r4/4/0', 'w8/1/7/1']);
    expect(() => bus.map({ name: 'e', base: 0x10f0, size: 0x20, device: dev, index: 0 })).toThrow('e at 0x10f0 (size 0x20) overlaps d at 0x1000 (size 0x100)');
  });

  it('flags unmapped accesses and reports them on the event stream', () => {
    const { bus, events } = setup();
    const log: unknown[] = [];
    events.on('unmapped', (e) => log.push(e));
    expect(bus.read(0x4000, 4)).toBe(0);
    expect(bus.fault).toBe(true);
    bus.fault = false;
    bus.write(0x80010000, 4, 5); // just past RAM
    expect(bus.fault).toBe(true);
    expect(log).toEqual([
      { addr: 0x4000, size: 4, write: false, value: 0 },
      { addr: 0x80010000, size: 4, write: true, value: 5 },
    ]);
  });

  it('masks device values to the access size, for the device and for the mmio trace', () => {
    const { bus, events } = setup();
    const writes: number[] = [];
    const dev: Device = { name: 'uart', read: () => 0xffffff80, write: (_o, _s, value) => void writes.push(value) };
    bus.map({ name: 'uart', base: 0x1000, size: 0x100, device: dev, index: 0 });
    const seen: Array<[boolean, number]> = [];
    events.on('mmio', (e) => seen.push([e.write, e.value]));
    const lines: string[] = [];
    attachTrace(events, ['mmio', 'unmapped'], () => 0, (line) => lines.push(line.trim()));
    bus.write(0x1000, 1, 0xffffff80); // sb of 0x80 held sign-extended in a register
    bus.write(0x1002, 2, -2);
    bus.write(0x1004, 4, -1);
    expect(bus.read(0x1000, 1)).toBe(0x80);
    expect(bus.read(0x1000, 2)).toBe(0xff80);
    bus.write(0x4000, 1, -1);
    expect(writes).toEqual([0x80, 0xfffe, -1]);
    expect(seen).toEqual([
      [true, 0x80],
      [true, 0xfffe],
      [true, 0xffffffff],
      [false, 0x80],
      [false, 0xff80],
    ]);
    expect(lines[0]).toMatch(/mmio +uart\.\+0x0 write 0x80 \(1 bytes at \+0x0\)$/);
    expect(lines[1]).toContain('write 0xfffe (2 bytes');
    expect(lines[2]).toContain('write 0xffffffff (4 bytes');
    expect(lines[5]).toMatch(/unmapped write of 1 bytes at unmapped 0x00004000 value 0xff$/);
  });

  it('keeps ROM read-only', () => {
    const { bus } = setup();
    bus.map({ name: 'rom', base: 0x1000, size: 4, bytes: new Uint8Array([1, 2, 3, 4]), readOnly: true, index: 0 });
    expect(bus.read(0x1000, 4)).toBe(0x04030201);
    bus.write(0x1000, 1, 9);
    expect(bus.fault).toBe(true);
    expect(bus.read(0x1000, 1)).toBe(1);
  });

  it('invalidates code pages and calls watchers on stores', () => {
    const { bus } = setup();
    const invalidated: number[] = [];
    bus.onCodeWrite((p) => invalidated.push(p));
    bus.markCode(2);
    const watched: number[] = [];
    bus.watch(0x80003000, 8, (addr) => watched.push(addr));
    expect(bus.pageFlags[3]).toBe(PAGE_WATCH);
    bus.write(0x80002004, 4, 1);
    expect(invalidated).toEqual([2]);
    expect(bus.pageFlags[2] & PAGE_CODE).toBe(0);
    bus.write(0x80003004, 4, 1);
    bus.write(0x80003010, 4, 1);
    expect(watched).toEqual([0x80003004]);
    expect(bus.dmaWrite(0x80002ffc, new Uint8Array(8))).toBe(true);
    expect(watched).toEqual([0x80003004, 0x80002ffc]);
    expect(bus.dmaWrite(0x8000fffc, new Uint8Array(8))).toBe(false);
  });
});

describe('virtual clock', () => {
  it('fires timers in deadline order when time passes them', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const a = clock.createTimer('a', () => fired.push(`a@${clock.now()}`));
    const b = clock.createTimer('b', () => fired.push(`b@${clock.now()}`));
    a.armAt(500);
    b.armAt(200);
    expect(clock.nextDeadline).toBe(200);
    clock.advanceTo(300);
    expect(fired).toEqual(['b@300']);
    expect(clock.nextDeadline).toBe(500);
    a.cancel();
    expect(clock.nextDeadline).toBe(Infinity);
    clock.advanceTo(1000);
    expect(fired).toEqual(['b@300']);
  });

  it('does not hang on a timer that keeps re-arming itself in the past: the rest waits for the next round', () => {
    const clock = new VirtualClock();
    let n = 0;
    const t = clock.createTimer('stuck', () => {
      n++;
      t.armAt(clock.now());
    });
    t.armAt(10);
    clock.advanceTo(10);
    expect(n).toBe(64);
    expect(clock.nextDeadline).toBe(10); // still due: the next round fires it again
    clock.advanceTo(10);
    expect(n).toBe(128);
  });

  it('lets a timer re-arm itself from its callback', () => {
    const clock = new VirtualClock();
    let n = 0;
    const t = clock.createTimer('tick', () => {
      n++;
      t.armAt(clock.now() + 100);
    });
    t.armAt(100);
    clock.advanceTo(100);
    clock.advanceTo(200);
    clock.advanceTo(250);
    expect(n).toBe(2);
    expect(t.armed).toBe(true);
  });
});

describe('interrupt lines', () => {
  it('counts rising edges and notifies only on change', () => {
    const changes: boolean[] = [];
    const line = new Line('x', (l) => changes.push(l));
    line.set(true);
    line.set(true);
    line.set(false);
    line.set(true);
    expect(changes).toEqual([true, false, true]);
    expect(line.raised).toBe(2);
  });

  it('wires forward to the input connected later, with the current level', () => {
    const events = new EventStream();
    const log: string[] = [];
    events.on('irq', (e) => log.push(`${e.line}=${e.level}`));
    const input = new Line('plic:10');
    const wire = new Wire('plic:10 uart0', undefined, events);
    wire.set(true);
    wire.connect(input);
    expect(input.level).toBe(true);
    wire.set(false);
    expect(input.level).toBe(false);
    expect(log).toEqual(['plic:10 uart0=true', 'plic:10 uart0=false']);
  });
});
