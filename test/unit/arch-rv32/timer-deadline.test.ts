import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { bootGuest, CSR_MEPC, CSR_MIE, CSR_MSTATUS, CSR_MTVEC, MTIMECMP, periodicTimerSetup, powerOff, RAM_BASE, writeGuest } from '../../helpers/bare-guest.js';

/** virt with the block compiler off: the same guests must take interrupts at the same instructions. */
const INTERPRETER_BOARD = fileURLToPath(new URL('../../bench/virt-interpreter.yaml', import.meta.url));
const BOARDS = [
  ['block compiler', 'virt'],
  ['interpreter', INTERPRETER_BOARD],
] as const;
/** virt: 10 ns per instruction, mtime ticks every 100 ns. */
const INSNS_PER_TICK = 10;
/** Instructions of the reset ROM (plugins/arch-rv32/src/boot.ts) before the jump to RAM. */
const RESET_ROM_INSNS = 6;

/** Runs a guest and records, for each trap, the hart's retired count and the virtual time. */
async function trapsOf(code: Array<number | number[]>, board: string) {
  const session = await bootGuest(writeGuest(code), { board });
  const cpu = session.machine.cpus[0];
  const traps: Array<{ retired: number; now: number; cause: number; pc: number }> = [];
  session.machine.events.on('trap', (t) => traps.push({ retired: cpu.retired, now: session.machine.clock.now(), cause: t.cause, pc: t.pc }));
  const result = await session.machine.run({ maxInsns: 10_000_000 });
  await session.close();
  return { result, traps, a0: cpu.getReg(A.a0) >>> 0, a1: cpu.getReg(A.a1) >>> 0 };
}

describe('timers armed while a CPU runs fire at their deadline', () => {
  // Spin 1000 times (past the interpreter's warm-up, so the loop runs as a compiled block),
  // then set mtimecmp = 558 ticks (55.8 us) and count in a loop until the interrupt.
  const SPIN = 1000;
  const setup = [
    ...A.li(A.t0, 0), // patched below: the handler's address
    A.csrw(CSR_MTVEC, A.t0),
    ...A.li(A.t2, SPIN),
    A.addi(A.t2, A.t2, -1),
    A.bne(A.t2, A.zero, -4),
    ...A.li(A.t0, MTIMECMP),
    A.sw(A.zero, A.t0, 4),
    ...A.li(A.t1, 558),
    A.sw(A.t1, A.t0, 0),
    ...A.li(A.t0, 0x80), // mie.MTIE
    A.csrw(CSR_MIE, A.t0),
    A.csrsi(CSR_MSTATUS, 8), // mstatus.MIE
  ].flat();
  const loop = setup.length;
  const handler = loop + 2;
  const code = [...setup, A.addi(A.a0, A.a0, 1), A.jal(A.zero, -4), A.csrr(A.a1, CSR_MEPC), ...powerOff()];
  code.splice(0, 2, ...A.li(A.t0, RAM_BASE + handler * 4));

  for (const [what, board] of BOARDS) {
    it(`a compare due at 55.8 us is taken after exactly 5580 instructions (${what})`, async () => {
      const { result, traps, a0, a1 } = await trapsOf(code, board);
      expect(result.reason).toBe('poweroff');
      expect(traps).toHaveLength(1);
      expect(traps[0]).toMatchObject({ retired: 558 * INSNS_PER_TICK, now: 55_800, cause: 7 });
      // The instructions before the loop: the ROM and the setup, with the spin loop's two per iteration.
      const before = RESET_ROM_INSNS + loop - 2 + 2 * SPIN;
      const inLoop = 5580 - before;
      expect(a0).toBe(Math.ceil(inLoop / 2));
      expect(a1).toBe(RAM_BASE + (loop + (inLoop % 2)) * 4);
    });
  }

  // A periodic tick: the handler (compiled too once hot) moves mtimecmp on by PERIOD ticks.
  const PERIOD = 7;
  const TICKS = 50;
  const periodic = periodicTimerSetup(PERIOD);
  const pLoop = periodic.length;
  const pHandler = pLoop + 2;
  const pDone = pHandler + 8;
  const pCode = [
    ...periodic,
    A.addi(A.a0, A.a0, 1),
    A.jal(A.zero, -4),
    // handler: mtimecmp += PERIOD; after TICKS ticks power off
    A.addi(A.s4, A.s4, 1),
    A.addi(A.s3, A.s3, PERIOD),
    A.sw(A.s3, A.s2, 0),
    ...A.li(A.t0, TICKS),
    A.beq(A.s4, A.t0, (pDone - (pHandler + 5)) * 4),
    A.mret(),
    A.nop(),
    ...powerOff(),
  ];
  pCode.splice(0, 2, ...A.li(A.t0, RAM_BASE + pHandler * 4));

  for (const [what, board] of BOARDS) {
    it(`re-armed from the interrupt handler, every tick is taken at its deadline (${what})`, async () => {
      const { result, traps } = await trapsOf(pCode, board);
      expect(result.reason).toBe('poweroff');
      expect(traps.map((t) => t.retired)).toEqual(Array.from({ length: TICKS }, (_, k) => (k + 1) * PERIOD * INSNS_PER_TICK));
      expect(traps.map((t) => t.now)).toEqual(Array.from({ length: TICKS }, (_, k) => (k + 1) * PERIOD * 100));
    });
  }
});
