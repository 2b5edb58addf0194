import { describe, expect, it } from 'vitest';
import { bootPc, elf32, file, mb1Header } from './boot-images.js';

/**
 * A multiboot kernel on the pc board (entered flat at CPL 0, CS = 0x10): it builds IDT[0x80], then
 * loops: incl counter; mov $1,%eax; int $0x80, whose handler increments a second counter on the
 * same page. Encodings from `llvm-mc -triple=i386 -show-encoding`.
 */
const BASE = 0x100000, ENTRY = 0x100100, LOOP = 0x100133, AFTER_INC = 0x100139, INT80 = 0x10013e, HANDLER = 0x100200;
const COUNTER = 0x100800, SYSCALLS = 0x100804;
const START = [
  0xbc, 0x00, 0x00, 0x09, 0x00, //                              mov $0x90000,%esp
  0xc7, 0x05, 0x00, 0x14, 0x10, 0x00, 0x00, 0x02, 0x10, 0x00, // movl $0x00100200,0x101400 (IDT[0x80]: 0x10:0x100200)
  0xc7, 0x05, 0x04, 0x14, 0x10, 0x00, 0x00, 0x8e, 0x10, 0x00, // movl $0x00108e00,0x101404 (32-bit interrupt gate)
  0x66, 0xc7, 0x05, 0x00, 0x09, 0x10, 0x00, 0xff, 0x07, //     movw $0x7ff,0x100900
  0xc7, 0x05, 0x02, 0x09, 0x10, 0x00, 0x00, 0x10, 0x10, 0x00, // movl $0x101000,0x100902
  0x0f, 0x01, 0x1d, 0x00, 0x09, 0x10, 0x00, //                 lidt 0x100900
  0xff, 0x05, 0x00, 0x08, 0x10, 0x00, //                       loop: incl 0x100800
  0xb8, 0x01, 0x00, 0x00, 0x00, //                             mov $1,%eax
  0xcd, 0x80, //                                               int $0x80
  0xeb, 0xf1, //                                               jmp loop
];
const HANDLER_CODE = [0xff, 0x05, 0x04, 0x08, 0x10, 0x00, 0xcf]; // incl 0x100804; iret

async function bootGuest() {
  const image = new Uint8Array(0x300);
  image.set(START, ENTRY - BASE);
  image.set(HANDLER_CODE, HANDLER - BASE);
  const m = await bootPc(file(elf32(ENTRY, [{ paddr: BASE, data: image, memsz: 0x2000 }], { prefix: mb1Header(3) })));
  expect(m.cpu.pc).toBe(ENTRY);
  return m;
}

describe('i386 CpuDebug on a guest (pc board, multiboot kernel)', () => {
  it('breakpoint at the system-call handler, watchpoint on a counter, a step over INT 0x80 into the handler', async () => {
    const m = await bootGuest();
    const cpu = m.cpu, d = cpu.debug;
    expect(m.machine.cpus[0].debug).toBe(d);

    d.setBreakpoints([BigInt(HANDLER)]);
    cpu.run(1000);
    expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(HANDLER) });
    expect(cpu.pc).toBe(HANDLER);
    expect([m.view.getUint32(COUNTER, true), m.view.getUint32(SYSCALLS, true)]).toEqual([1, 0]);
    d.stop = undefined;

    // GDB continues: breakpoints out, a step, a watchpoint on the counter (same page as the handler's).
    d.setBreakpoints([]);
    expect(cpu.run(1)).toBe(1);
    d.setWatchpoints([{ address: BigInt(COUNTER), length: 4, kind: 'write' }]);
    expect(cpu.run(1000)).toBe(3); // iret, jmp, incl
    expect(d.stop).toEqual({ kind: 'write', address: BigInt(COUNTER) });
    expect(cpu.pc).toBe(AFTER_INC);
    expect([m.view.getUint32(COUNTER, true), m.view.getUint32(SYSCALLS, true)]).toEqual([2, 1]);
    d.stop = undefined;
    d.setWatchpoints([]);

    // stepi, stepi over INT 0x80 with interrupts masked: lands on the handler's first instruction.
    d.maskInterrupts = true;
    expect(cpu.run(1)).toBe(1);
    expect(cpu.pc).toBe(INT80);
    expect(cpu.run(1)).toBe(1);
    expect(cpu.pc).toBe(HANDLER);
    expect(d.stop).toBeUndefined();
    d.maskInterrupts = false;
    expect(d.describeTranslation(BigInt(COUNTER))).toEqual(['paging off: linear 0x00100800', '-> pa 0x00100800']);
    expect(cpu.debugChecks).toBe(false);
    cpu.run(100);
    expect(m.view.getUint32(SYSCALLS, true)).toBeGreaterThan(2);
    expect(cpu.pc).toBeGreaterThanOrEqual(LOOP);
  });
});
