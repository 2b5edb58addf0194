import { writeFileSync } from 'node:fs';
import { makeElf } from './elf.js';
import * as A from './rv32asm.js';

const BASE = 0x80000000;
const UART = 0x10000000;
const MTIMECMP = 0x02004000;
const MTIME = 0x0200bff8;
/** 1 ms of virtual time at the virt board's 10 MHz timebase. */
const PERIOD = 10000;
export const SPIN_BANNER = '\x1b[1;32mspin\x1b[0m: \x1b[31mred\x1b[0m \x1b[34mblue\x1b[0m, keys echo as [k]\n';

/**
 * A guest that never stops: prints a coloured banner, takes a machine timer interrupt every
 * millisecond, and counts in a loop polling the UART now and then, echoing each received byte as `[k]`. For the TUI test
 * (instruction count grows until paused, the mtip counter grows). All instructions are 4 bytes.
 */
export function spinGuest(): Uint8Array {
  const at = (index: number) => BASE + index * 4;
  // Addresses by instruction index (fixed layout: every li is two instructions).
  const PRINT = 4;
  const DONE = 9;
  const MAIN = DONE + 2 + 1 + 6 + 4 + 2 + 1 + 1;
  const HANDLER = MAIN + 16;
  const BANNER = HANDLER + 6;
  const code: Array<number | number[]> = [
    A.li(A.a0, at(BANNER)),
    A.li(A.a1, UART),
    // print: (index 4)
    A.lbu(A.t0, A.a0, 0),
    A.beq(A.t0, A.zero, (DONE - PRINT - 1) * 4),
    A.sb(A.t0, A.a1, 0),
    A.addi(A.a0, A.a0, 1),
    A.jal(A.zero, (PRINT - (PRINT + 4)) * 4),
    // done: (index 9)
    A.li(A.t0, at(HANDLER)),
    A.csrw(0x305, A.t0), // mtvec
    A.li(A.s2, MTIMECMP),
    A.li(A.s3, MTIME),
    A.li(A.s4, PERIOD),
    A.lw(A.t0, A.s3, 0),
    A.add(A.t0, A.t0, A.s4),
    A.sw(A.t0, A.s2, 0),
    A.sw(A.zero, A.s2, 4),
    A.li(A.t0, 0x80), // mie.MTIE
    A.csrw(0x304, A.t0),
    A.csrsi(0x300, 8), // mstatus.MIE
    // main: count t3 down from 1000, then poll the UART once.
    A.addi(A.t3, A.zero, 1000),
    A.addi(A.t3, A.t3, -1),
    A.bne(A.t3, A.zero, -4),
    A.lbu(A.t0, A.a1, 5), // LSR
    A.andi(A.t0, A.t0, 1),
    A.beq(A.t0, A.zero, -20),
    A.lbu(A.t1, A.a1, 0), // RBR
    A.addi(A.t2, A.zero, 0x5b),
    A.sb(A.t2, A.a1, 0),
    A.sb(A.t1, A.a1, 0),
    A.addi(A.t2, A.zero, 0x5d),
    A.sb(A.t2, A.a1, 0),
    A.addi(A.s9, A.s9, 1),
    A.addi(A.t2, A.zero, 0x0a),
    A.sb(A.t2, A.a1, 0),
    A.jal(A.zero, -15 * 4),
    // trap_handler: next deadline one period after now; count ticks in s8.
    A.lw(A.s6, A.s3, 0),
    A.add(A.s6, A.s6, A.s4),
    A.sw(A.s6, A.s2, 0),
    A.sw(A.zero, A.s2, 4),
    A.addi(A.s8, A.s8, 1),
    A.mret(),
  ];
  const text = A.assemble(code);
  if (text.length !== BANNER * 4) throw new Error(`spin guest layout: ${text.length} bytes, banner expected at ${BANNER * 4}`);
  const image = new Uint8Array(text.length + SPIN_BANNER.length + 1);
  image.set(text);
  image.set(Buffer.from(SPIN_BANNER, 'latin1'), text.length);
  return makeElf({
    entry: BASE,
    segments: [{ paddr: BASE, data: image }],
    symbols: { _start: BASE, print: at(PRINT), main: at(MAIN), trap_handler: at(HANDLER), banner: at(BANNER) },
  });
}

export function writeSpinGuest(path: string): string {
  writeFileSync(path, spinGuest());
  return path;
}
