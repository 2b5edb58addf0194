/**
 * The machine's instruction counts are doubles from the start (machine.ts): a run passing 2^30
 * instructions (V8's small integers) must not change the machine's hidden class, which would throw
 * away the optimized machine loop (Machine.step) that reads them.
 */
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { ArchType, Cpu } from '../../../src/core/api.js';
import type { Board } from '../../../src/core/board.js';
import type { PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { Machine } from '../../../src/core/machine.js';

setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** A CPU that retires its whole budget at once. */
function fastCpu(): Cpu {
  return {
    id: 0,
    pc: 0,
    retired: 0,
    waiting: false,
    stopped: false,
    run(budget: number) {
      this.retired += budget;
      return budget;
    },
    requestExit() {},
    limitRun() {},
    reset() {},
    irqInput: () => undefined,
    getReg: () => 0,
    setReg() {},
    inspect: () => [],
    privilegeName: () => 'M',
  } as Cpu & { retired: number };
}

function machine(): Machine {
  return new Machine({
    board: { nsPerInstruction: 10 } as Board,
    arch: { type: 'fast' } as ArchType,
    bus: {} as PhysicalBus,
    clock: new VirtualClock(),
    events: new EventStream(),
    cpus: [fastCpu()],
    devices: [],
    dtb: new Uint8Array(0),
    boot: () => [],
    realtime: false,
  });
}

describe('machine field representation', () => {
  it('keeps its hidden class when the instruction count passes V8 small integers', () => {
    const fresh = machine();
    const late = machine();
    late.step(2 ** 30);
    late.step(2 ** 30);
    expect(late.instructions).toBe(2 ** 31);
    expect(haveSameMap(fresh, late)).toBe(true);
  });
});
