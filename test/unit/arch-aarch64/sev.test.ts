import { describe, expect, it } from 'vitest';
import { A64Cpu } from '../../../plugins/arch-aarch64/src/cpu.js';
import type { Cpu } from '../../../src/core/api.js';
import { makeMachine } from './machine.js';
import { jitKit } from '../../../src/core/jit/index.js';

describe('aarch64 SEV through CpuContext.cpus', () => {
  it('reaches every CPU the machine lists (not the ones it does not), whatever bus they use', () => {
    const m = makeMachine();
    const c = m.cpu;
    const cpus: Cpu[] = [];
    const base = { jit: jitKit, clock: c.clock, events: m.events, machine: c.machine, props: {}, cpus };
    const first = new A64Cpu({ ...base, id: 0, bus: m.bus });
    const second = new A64Cpu({ ...base, id: 1, bus: makeMachine().bus });
    cpus.push(first, second);
    const outsider = new A64Cpu({ jit: jitKit, id: 2, bus: m.bus, clock: c.clock, events: m.events, machine: c.machine, props: {}, cpus: [] });
    first.sendEvent();
    expect([first.eventRegister, second.eventRegister, outsider.eventRegister]).toEqual([true, true, false]);
  });
});
