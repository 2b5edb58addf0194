// @ts-check
/**
 * A bare-metal RV32 guest that exercises the Goldfish RTC on board.yaml (M-mode from 0x80000000,
 * `--bios none`), assembled with the encoder of `rvos/testing`, so neither the test nor the demo
 * needs a RISC-V toolchain. It prints one `name=0xVALUE` line per observation, then powers off:
 *
 *   time                 TIME_LOW then TIME_HIGH at start: ns since the epoch
 *   set-low              TIME_LOW just after setting the time to 0x12345678_fffff000
 *   latched-high         TIME_HIGH once the low half has wrapped, before another TIME_LOW read
 *   after-low/-high      TIME_LOW then TIME_HIGH again: the new high half
 *   alarm                the alarm armed ALARM_DELAY_NS ahead (ALARM_HIGH, then ALARM_LOW arms it)
 *   armed-status         ALARM_STATUS just after arming
 *   irq-enabled          IRQ_ENABLED read back after writing 1
 *   mcause, claim        the trap taken while waiting (WFI) and the PLIC claim in it
 *   fired-status         ALARM_STATUS in the trap
 *   fired-time           the time in the trap
 *   pending-cleared      PLIC pending word 0 after CLEAR_INTERRUPT and completion
 *   far-status           ALARM_STATUS with an alarm 2^32 ns ahead armed
 *   cleared-status       ALARM_STATUS after CLEAR_ALARM
 *   past-status          ALARM_STATUS after arming an alarm in the past with IRQ_ENABLED 0
 *   pending-masked       PLIC pending word 0 then (it fired, but the output is disabled)
 *   pending-unmasked     PLIC pending word 0 once IRQ_ENABLED is 1
 *   claim2               the PLIC claim for it
 *   pending-final        PLIC pending word 0 after CLEAR_INTERRUPT and completion
 *
 * Run as a script, it writes the binary to the path given: `node guest/build.js guest/rtc-demo.bin`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rv32 as A } from 'rvos/testing';

export const RAM_BASE = 0x80000000;
export const RTC = 0x00101000;
export const RTC_IRQ = 11;
export const ALARM_DELAY_NS = 300_000;
/** The time the guest sets: just below a carry into the high half. */
export const SET_HIGH = 0x12345678;
export const SET_LOW = 0xfffff000;

const UART = 0x10000000;
const UART_LSR = 5;
const LSR_THRE = 0x20;
const FINISHER = 0x00100000;
const PLIC = 0x0c000000;
const PLIC_PENDING = PLIC + 0x1000;
const PLIC_ENABLE_CTX0 = PLIC + 0x2000;
const PLIC_THRESHOLD_CTX0 = PLIC + 0x200000;
const PLIC_CLAIM_CTX0 = PLIC + 0x200004;
/** Where the guest keeps what it saw until it prints it. */
const OUT = RAM_BASE + 0x10000;
const CSR = { mstatus: 0x300, mie: 0x304, mtvec: 0x305, mcause: 0x342 };
const MIE_MEIE = 0x800;
const REG = { TIME_LOW: 0x00, TIME_HIGH: 0x04, ALARM_LOW: 0x08, ALARM_HIGH: 0x0c, IRQ_ENABLED: 0x10, CLEAR_ALARM: 0x14, ALARM_STATUS: 0x18, CLEAR_INTERRUPT: 0x1c };

/** Observations: name -> words (high word first for 64-bit values), each a slot in OUT. */
const REPORT = [
  ['time', 2], ['set-low', 1], ['latched-high', 1], ['after-low', 1], ['after-high', 1], ['alarm', 2],
  ['armed-status', 1], ['irq-enabled', 1], ['mcause', 1], ['claim', 1], ['fired-status', 1], ['fired-time', 2],
  ['pending-cleared', 1], ['far-status', 1], ['cleared-status', 1], ['past-status', 1], ['pending-masked', 1],
  ['pending-unmasked', 1], ['claim2', 1], ['pending-final', 1],
];
/** @type {Map<string, number>} byte offset of each observation's first (high) word in OUT */
const SLOT = new Map();
{
  let at = 0;
  for (const [name, words] of REPORT) {
    SLOT.set(/** @type {string} */ (name), at);
    at += 4 * /** @type {number} */ (words);
  }
}
const slot = (/** @type {string} */ name, word = 0) => /** @type {number} */ (SLOT.get(name)) + 4 * word;

/**
 * A program is a list of labels, byte strings and instructions. An instruction is a function of
 * its address and the label addresses, returning one encoding or several (`li` is always two), so
 * its size does not depend on the labels and two passes lay it out.
 * @typedef {{ label: string } | { bytes: Uint8Array } | ((pc: number, at: (label: string) => number) => number | number[])} Item
 */

/** @param {Item[]} items */
function assemble(items) {
  /** @type {Map<string, number>} */
  const labels = new Map();
  const at = (/** @type {string} */ l) => {
    const a = labels.get(l);
    if (a === undefined) throw new Error(`guest: no label ${l}`);
    return a;
  };
  /** Pass 1 (`final` false) only sizes: every label reference points at the instruction itself. */
  const layout = (/** @type {boolean} */ final) => {
    /** @type {Array<number | number[] | Uint8Array>} */
    const out = [];
    let pc = RAM_BASE;
    for (const item of items) {
      if (typeof item === 'function') {
        const here = pc;
        const insns = [item(pc, final ? at : () => here)].flat();
        out.push(insns);
        pc += 4 * insns.length;
      } else if ('label' in item) labels.set(item.label, pc);
      else {
        out.push(item.bytes);
        pc += item.bytes.length;
      }
    }
    return out;
  };
  layout(false);
  const parts = layout(true).map((p) => (p instanceof Uint8Array ? p : A.assemble([p])));
  return Buffer.concat(parts);
}

const { zero, ra, t0, t1, t2, t3, t4, t5, t6, a0, s0, s1, s2 } = A;
const op = (/** @type {number | number[]} */ insns) => () => insns;
const label = (/** @type {string} */ name) => ({ label: name });
const branch = (/** @type {(off: number) => number} */ encode, /** @type {string} */ target) => (/** @type {number} */ pc, /** @type {(l: string) => number} */ at) => encode(at(target) - pc);
const call = (/** @type {string} */ target) => branch((off) => A.jal(ra, off), target);
const jump = (/** @type {string} */ target) => branch((off) => A.jal(zero, off), target);
const addr = (/** @type {number} */ rd, /** @type {string} */ target) => (/** @type {number} */ _pc, /** @type {(l: string) => number} */ at) => A.li(rd, at(target));
const store = (/** @type {number} */ rs, /** @type {string} */ name, word = 0) => op(A.sw(rs, s1, slot(name, word)));
const rtcRead = (/** @type {number} */ rd, /** @type {keyof typeof REG} */ reg) => op(A.lw(rd, s0, REG[reg]));
const rtcWrite = (/** @type {number} */ rs, /** @type {keyof typeof REG} */ reg) => op(A.sw(rs, s0, REG[reg]));
/** Reads PLIC pending word 0 (sources 0-31) into rd. */
const pending = (/** @type {number} */ rd) => [op(A.li(rd, PLIC_PENDING)), op(A.lw(rd, rd, 0))];

/** @returns {Item[]} */
function program() {
  return [
    op(A.li(s0, RTC)),
    op(A.li(s1, OUT)),
    op(A.li(s2, PLIC_CLAIM_CTX0)),

    // The time at start (TIME_LOW first: it latches TIME_HIGH).
    rtcRead(t0, 'TIME_LOW'),
    rtcRead(t1, 'TIME_HIGH'),
    store(t1, 'time', 0),
    store(t0, 'time', 1),

    // Set the time 4096 ns before a carry into the high half (high half first, as Linux does).
    op(A.li(t0, SET_HIGH)),
    rtcWrite(t0, 'TIME_HIGH'),
    op(A.li(t0, SET_LOW)),
    rtcWrite(t0, 'TIME_LOW'),
    rtcRead(t0, 'TIME_LOW'),
    store(t0, 'set-low'),
    // Let the low half wrap (1000 iterations of 2 instructions), then read TIME_HIGH: still latched.
    op(A.li(t2, 1000)),
    label('spin'),
    op(A.addi(t2, t2, -1)),
    branch((off) => A.bne(t2, zero, off), 'spin'),
    rtcRead(t1, 'TIME_HIGH'),
    store(t1, 'latched-high'),
    rtcRead(t0, 'TIME_LOW'),
    rtcRead(t1, 'TIME_HIGH'),
    store(t0, 'after-low'),
    store(t1, 'after-high'),

    // PLIC: source 11 at priority 1, enabled for context 0 (hart 0, M-mode), threshold 0.
    op(A.li(t0, PLIC + 4 * RTC_IRQ)),
    op(A.addi(t1, zero, 1)),
    op(A.sw(t1, t0, 0)),
    op(A.li(t0, PLIC_ENABLE_CTX0)),
    op(A.li(t1, 1 << RTC_IRQ)),
    op(A.sw(t1, t0, 0)),
    op(A.li(t0, PLIC_THRESHOLD_CTX0)),
    op(A.sw(zero, t0, 0)),

    // Alarm = now + ALARM_DELAY_NS (64-bit add), ALARM_HIGH first: ALARM_LOW arms it.
    rtcRead(t0, 'TIME_LOW'),
    rtcRead(t1, 'TIME_HIGH'),
    op(A.li(t2, ALARM_DELAY_NS)),
    op(A.add(t3, t0, t2)),
    op(A.sltu(t4, t3, t0)),
    op(A.add(t4, t1, t4)),
    rtcWrite(t4, 'ALARM_HIGH'),
    rtcWrite(t3, 'ALARM_LOW'),
    store(t4, 'alarm', 0),
    store(t3, 'alarm', 1),
    rtcRead(t0, 'ALARM_STATUS'),
    store(t0, 'armed-status'),
    op(A.addi(t0, zero, 1)),
    rtcWrite(t0, 'IRQ_ENABLED'),
    rtcRead(t0, 'IRQ_ENABLED'),
    store(t0, 'irq-enabled'),

    // Machine external interrupts on, traps to `alarm_trap`; wait.
    addr(t0, 'alarm_trap'),
    op(A.csrw(CSR.mtvec, t0)),
    op(A.li(t0, MIE_MEIE)),
    op(A.csrs(CSR.mie, t0)),
    op(A.csrsi(CSR.mstatus, 8)),
    label('wait'),
    op(A.wfi()),
    jump('wait'),

    // The alarm's interrupt (interrupts stay off from here on: mstatus.MIE is 0 in a trap).
    label('alarm_trap'),
    op(A.csrr(t0, CSR.mcause)),
    store(t0, 'mcause'),
    op(A.lw(t3, s2, 0)),
    store(t3, 'claim'),
    rtcRead(t0, 'ALARM_STATUS'),
    store(t0, 'fired-status'),
    rtcRead(t0, 'TIME_LOW'),
    rtcRead(t1, 'TIME_HIGH'),
    store(t1, 'fired-time', 0),
    store(t0, 'fired-time', 1),
    // Lower the output, then complete: nothing is pending any more.
    op(A.addi(t0, zero, 1)),
    rtcWrite(t0, 'CLEAR_INTERRUPT'),
    op(A.sw(t3, s2, 0)),
    ...pending(t0),
    store(t0, 'pending-cleared'),

    // An alarm 2^32 ns ahead is armed until CLEAR_ALARM.
    rtcRead(t0, 'TIME_LOW'),
    rtcRead(t1, 'TIME_HIGH'),
    op(A.addi(t1, t1, 1)),
    rtcWrite(t1, 'ALARM_HIGH'),
    rtcWrite(t0, 'ALARM_LOW'),
    rtcRead(t0, 'ALARM_STATUS'),
    store(t0, 'far-status'),
    op(A.addi(t0, zero, 1)),
    rtcWrite(t0, 'CLEAR_ALARM'),
    rtcRead(t0, 'ALARM_STATUS'),
    store(t0, 'cleared-status'),

    // An alarm in the past fires at once; IRQ_ENABLED decides whether the output follows.
    rtcWrite(zero, 'IRQ_ENABLED'),
    rtcWrite(zero, 'ALARM_HIGH'),
    rtcWrite(zero, 'ALARM_LOW'),
    rtcRead(t0, 'ALARM_STATUS'),
    store(t0, 'past-status'),
    ...pending(t0),
    store(t0, 'pending-masked'),
    op(A.addi(t0, zero, 1)),
    rtcWrite(t0, 'IRQ_ENABLED'),
    ...pending(t0),
    store(t0, 'pending-unmasked'),
    op(A.lw(t3, s2, 0)),
    store(t3, 'claim2'),
    op(A.addi(t0, zero, 1)),
    rtcWrite(t0, 'CLEAR_INTERRUPT'),
    op(A.sw(t3, s2, 0)),
    ...pending(t0),
    store(t0, 'pending-final'),

    // Print every observation as `name=0xVALUE`, then power off (exit 0).
    ...REPORT.flatMap(([name, words]) => [
      addr(a0, `str_${name}`),
      call('puts'),
      ...Array.from({ length: /** @type {number} */ (words) }, (_, w) => [op(A.lw(a0, s1, slot(/** @type {string} */ (name), w))), call('puthex')]).flat(),
      addr(a0, 'str_newline'),
      call('puts'),
    ]),
    op(A.li(t0, FINISHER)),
    op(A.li(t1, 0x5555)),
    op(A.sw(t1, t0, 0)),
    label('halt'),
    jump('halt'),

    // puts: prints the NUL-terminated string at a0.
    label('puts'),
    op(A.li(t1, UART)),
    label('puts_next'),
    op(A.lbu(t0, a0, 0)),
    branch((off) => A.beq(t0, zero, off), 'puts_done'),
    branch((off) => A.jal(t6, off), 'putc'),
    op(A.addi(a0, a0, 1)),
    jump('puts_next'),
    label('puts_done'),
    op(A.jalr(zero, ra, 0)),

    // puthex: prints a0 as 8 lower-case hex digits.
    label('puthex'),
    op(A.li(t1, UART)),
    op(A.addi(t2, zero, 8)),
    label('puthex_next'),
    op(A.srli(t0, a0, 28)),
    op(A.slli(a0, a0, 4)),
    op(A.addi(t3, zero, 10)),
    branch((off) => A.blt(t0, t3, off), 'puthex_digit'),
    op(A.addi(t0, t0, 'a'.charCodeAt(0) - '0'.charCodeAt(0) - 10)),
    label('puthex_digit'),
    op(A.addi(t0, t0, '0'.charCodeAt(0))),
    branch((off) => A.jal(t6, off), 'putc'),
    op(A.addi(t2, t2, -1)),
    branch((off) => A.bne(t2, zero, off), 'puthex_next'),
    op(A.jalr(zero, ra, 0)),

    // putc (link register t6): sends t0 on the UART at t1 once its transmitter holds nothing
    // (LSR.THRE); a guest that does not wait loses characters on QEMU.
    label('putc'),
    op(A.lbu(t5, t1, UART_LSR)),
    op(A.andi(t5, t5, LSR_THRE)),
    branch((off) => A.beq(t5, zero, off), 'putc'),
    op(A.sb(t0, t1, 0)),
    op(A.jalr(zero, t6, 0)),

    ...REPORT.flatMap(([name]) => [label(`str_${name}`), { bytes: Buffer.from(`${name}=0x\0`, 'latin1') }]),
    label('str_newline'),
    { bytes: Buffer.from('\n\0', 'latin1') },
  ];
}

/** The guest as a raw binary for RAM_BASE. */
export function buildGuest() {
  return assemble(program());
}

/** Parses what the guest printed into name -> value. */
export function parseReport(/** @type {string} */ output) {
  /** @type {Map<string, bigint>} */
  const values = new Map();
  for (const m of output.matchAll(/^([a-z0-9-]+)=0x([0-9a-f]+)$/gm)) values.set(m[1], BigInt('0x' + m[2]));
  return values;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node guest/build.js OUTPUT.bin');
    process.exit(2);
  }
  writeFileSync(out, buildGuest());
}
