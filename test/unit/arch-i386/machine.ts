/**
 * A tiny i386 test machine: PhysicalBus over 1 MiB of RAM at 0 and one I386Cpu in real mode.
 * Programs are byte arrays (encodings checked with `llvm-mc -triple=i386 -show-encoding`, .code16).
 */
import { createRam, PhysicalBus } from '../../../src/core/bus.js';
import { VirtualClock } from '../../../src/core/clock.js';
import { EventStream } from '../../../src/core/events.js';
import { CS, ESP, I386Cpu, SS } from '../../../plugins/arch-i386/src/cpu.js';

export const CODE_SEG = 0x1000; // code at linear 0x10000
export const HLT = 0xf4;

export function makeMachine() {
  const events = new EventStream();
  const ram = createRam(0, 1 << 20);
  const bus = new PhysicalBus(ram, events);
  const cpu = new I386Cpu({ id: 0, bus, clock: new VirtualClock(), events, machine: { powerOff() {}, reset() {} }, props: {} });
  return { bus, ram, cpu };
}

/** Runs `code` at 1000:0000 with SS:SP = 0000:8000 until HLT (or 1000 steps); `regs` preset EAX.. by index. */
export function run16(code: number[], regs: Record<number, number> = {}, prepare?: (m: ReturnType<typeof makeMachine>) => void) {
  const m = makeMachine();
  m.bus.dmaWrite(CODE_SEG << 4, Uint8Array.from([...code, HLT]));
  m.cpu.loadSegReal(CS, CODE_SEG);
  m.cpu.eip = 0;
  m.cpu.loadSegReal(SS, 0);
  m.cpu.regs[ESP] = 0x8000;
  for (const [i, v] of Object.entries(regs)) m.cpu.regs[Number(i)] = v;
  prepare?.(m);
  m.cpu.run(1000);
  return m;
}
