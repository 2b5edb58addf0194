import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { bootGuest, CSR_MEPC, CSR_MTVEC, powerOff, RAM_BASE, writeGuest } from '../../helpers/bare-guest.js';
import type { Rv32Cpu } from '../../../plugins/arch-rv32/src/cpu.js';
import { CSR } from '../../../plugins/arch-rv32/src/csr.js';
import { debugCsrs, FIRST_CSR_REGNUM, privRegnum } from '../../../plugins/arch-rv32/src/target-xml.js';

const { t0, t1, t2, t3, a0, a7, zero } = A;
const USER = RAM_BASE + 0x100;
const ECALL = USER + 8;
const HANDLER = RAM_BASE + 0x200;
const STORE = HANDLER + 0x10;
const COUNT = RAM_BASE + 0x1000;

/**
 * A tiny kernel on `virt`: opens PMP, drops to U-mode at USER; the user code makes two system
 * calls (a7 = 64, then 93); the M-mode handler counts them in COUNT and powers off on 93.
 */
function guest(): number[] {
  const words: number[] = new Array(0x300 / 4).fill(A.nop());
  const at = (addr: number, insns: Array<number | number[]>) => insns.flat().forEach((w, i) => (words[(addr - RAM_BASE) / 4 + i] = w));
  at(RAM_BASE, [A.li(t0, HANDLER), A.csrw(CSR_MTVEC, t0), A.addi(t0, zero, -1), A.csrw(0x3b0, t0), A.addi(t0, zero, 0x1f), A.csrw(0x3a0, t0), A.li(t0, USER), A.csrw(CSR_MEPC, t0), A.mret()]);
  at(USER, [A.addi(a0, zero, 1), A.addi(a7, zero, 64), A.ecall(), A.addi(a0, a0, 1), A.addi(a7, zero, 93), A.ecall(), A.jal(zero, 0)]);
  at(HANDLER, [
    A.li(t1, COUNT),
    A.lw(t2, t1, 0),
    A.addi(t2, t2, 1),
    A.sw(t2, t1, 0), // STORE
    A.addi(t3, zero, 93),
    A.beq(a7, t3, 0x14),
    A.csrr(t0, CSR_MEPC),
    A.addi(t0, t0, 4),
    A.csrw(CSR_MEPC, t0),
    A.mret(),
    powerOff(),
  ]);
  return words;
}

const u32 = (b: Uint8Array | undefined) => new DataView(b!.buffer, b!.byteOffset, 4).getUint32(0, true);

describe('rv32 CpuDebug on a real guest (virt, --bios none)', () => {
  it('breakpoint in user code, a step over ecall into the handler, a watchpoint on a kernel variable, then on to power-off', async () => {
    const session = await bootGuest(writeGuest(guest()));
    try {
      const cpu = session.machine.cpus[0] as Rv32Cpu;
      const d = cpu.debug;
      const until = () => {
        for (let i = 0; i < 100 && d.stop === undefined; i++) if (cpu.run(1000) === 0) break;
        const stop = d.stop;
        d.stop = undefined;
        return stop;
      };

      d.setBreakpoints([BigInt(USER)]);
      expect(until()).toEqual({ kind: 'breakpoint', address: BigInt(USER) });
      expect(u32(d.readRegister(privRegnum()))).toBe(0); // U-mode after mret
      d.setBreakpoints([]);

      // stepi, as GDB does it (interrupts masked), up to the ecall and over it.
      d.maskInterrupts = true;
      expect(cpu.run(1)).toBe(1);
      expect(cpu.run(1)).toBe(1);
      expect(d.pc).toBe(BigInt(ECALL));
      expect(cpu.run(1)).toBe(1);
      expect(d.pc).toBe(BigInt(HANDLER));
      expect(u32(d.readRegister(privRegnum()))).toBe(3);
      expect(u32(d.readRegister(FIRST_CSR_REGNUM + debugCsrs().indexOf(CSR.mcause)))).toBe(8);
      expect(u32(d.readRegister(FIRST_CSR_REGNUM + debugCsrs().indexOf(CSR.mepc)))).toBe(ECALL);
      d.maskInterrupts = false;

      // watch COUNT: the handler's store hits it; the stop comes before the store (GDB then
      // steps over it with its watchpoints removed).
      const watch = [{ address: BigInt(COUNT), length: 4, kind: 'write' as const }];
      const stepOver = () => {
        d.setWatchpoints([]);
        expect(cpu.run(1)).toBe(1);
        d.setWatchpoints(watch);
      };
      d.setWatchpoints(watch);
      expect(until()).toEqual({ kind: 'write', address: BigInt(COUNT) });
      expect(d.pc).toBe(BigInt(STORE));
      expect(d.translate(BigInt(COUNT), false)).toBe(COUNT);
      expect(session.machine.bus.ram.u8[COUNT - RAM_BASE]).toBe(0);
      stepOver();
      expect(session.machine.bus.ram.u8[COUNT - RAM_BASE]).toBe(1);
      // The second system call stores 2.
      expect(until()).toEqual({ kind: 'write', address: BigInt(COUNT) });
      stepOver();
      expect(session.machine.bus.ram.u8[COUNT - RAM_BASE]).toBe(2);
      expect(cpu.getReg(a0)).toBe(2);

      d.setWatchpoints([]);
      const result = await session.machine.run({ maxInsns: 10_000 });
      expect(result.reason).toBe('poweroff');
    } finally {
      await session.close();
    }
  });
});
