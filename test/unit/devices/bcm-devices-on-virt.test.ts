/**
 * Whole-machine check of the BCM2835-family plugins through the real builder (board props and
 * outputs, bus windows, device tree, console binding) before the raspi3b board exists: a RISC-V
 * `virt` board with a PL011 as its console, the system timer and the mailbox wired to the PLIC.
 * The bare-metal guest echoes a line through the PL011, waits for a system-timer compare by
 * polling CS, checks the PLIC latched the PL011's and the timer's interrupts, and asks the
 * mailbox's property channel for the board revision. A second board chains the system timer into
 * the ARM interrupt controller and that into the BCM2836 local controller (the Pi's wiring, minus
 * the CPU inputs), checked by polling the local controller's IRQ source register.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootGuest, powerOff, writeGuest } from '../../helpers/bare-guest.js';
import * as A from '../../helpers/rv32asm.js';
import { runMachine } from '../../../src/testing/machine.js';

const PL011 = 0x10010000;
const SYSTIMER = 0x10011000;
const MBOX = 0x10012000;
const PLIC_PENDING = 0x0c001000;
const BUF = 0x80100000;

function board(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-bcm-'));
  const path = join(dir, 'virt-bcm.yaml');
  writeFileSync(
    path,
    [
      'extends: virt',
      'name: virt-bcm',
      'devices:',
      '  - { name: uart0, props: { console: false } }',
      `  - { type: pl011, name: pl011, reg: [${PL011}, 0x1000], irq: plic:20, props: { console: true } }`,
      `  - { type: bcm2835-systimer, name: systimer, reg: [${SYSTIMER}, 0x1000], irq: { match1: plic:21, match3: plic:22 } }`,
      `  - { type: bcm2835-mbox, name: mbox, reg: [${MBOX}, 0x40], irq: plic:23, props: { busAddressMask: 0xffffffff } }`,
      '',
    ].join('\n'),
  );
  return path;
}

/** Prints one character (s0 = PL011). */
const putc = (c: number) => [...A.li(A.t0, c), A.sw(A.t0, A.s0, 0)];

function guest(): string {
  const code: Array<number | number[]> = [
    ...A.li(A.s0, PL011),
    ...A.li(A.t0, 0x70), // LCR_H: 8 bits, FIFOs on
    A.sw(A.t0, A.s0, 0x2c),
    ...A.li(A.t0, 0x301), // CR: UARTEN, TXE, RXE
    A.sw(A.t0, A.s0, 0x30),
    ...A.li(A.t0, 0x10), // IMSC: RX
    A.sw(A.t0, A.s0, 0x38),
    ...putc(0x3e), // '>'
    // echo: poll FR.RXFE, read DR, write it back, until '\n'
    A.lw(A.t0, A.s0, 0x18),
    A.andi(A.t0, A.t0, 0x10),
    A.bne(A.t0, A.zero, -8),
    A.lw(A.t1, A.s0, 0),
    A.andi(A.t1, A.t1, 0xff),
    A.sw(A.t1, A.s0, 0),
    A.addi(A.t2, A.zero, 10),
    A.bne(A.t1, A.t2, -28),
    // system timer: C1 = CLO + 100, then poll CS.M1
    ...A.li(A.s1, SYSTIMER),
    A.lw(A.t0, A.s1, 4),
    A.addi(A.t0, A.t0, 100),
    A.sw(A.t0, A.s1, 0x10),
    A.lw(A.t0, A.s1, 0),
    A.andi(A.t0, A.t0, 2),
    A.beq(A.t0, A.zero, -8),
    ...putc(0x54), // 'T'
    // PLIC pending: bits 20 (PL011) and 21 (timer compare 1) latched, 22 not
    ...A.li(A.t3, PLIC_PENDING),
    A.lw(A.t4, A.t3, 0),
    A.srli(A.t4, A.t4, 20),
    A.andi(A.t4, A.t4, 7),
    A.addi(A.t4, A.t4, 0x30), // '3' when 20 and 21 are set
    A.sw(A.t4, A.s0, 0),
    // mailbox: a property buffer at BUF asking for the board revision
    ...A.li(A.s2, BUF),
    ...A.li(A.t0, 28), // total size
    A.sw(A.t0, A.s2, 0),
    A.sw(A.zero, A.s2, 4),
    ...A.li(A.t0, 0x00010002),
    A.sw(A.t0, A.s2, 8),
    A.addi(A.t0, A.zero, 4),
    A.sw(A.t0, A.s2, 12),
    A.sw(A.zero, A.s2, 16),
    A.sw(A.zero, A.s2, 20),
    A.sw(A.zero, A.s2, 24),
    ...A.li(A.s3, MBOX),
    A.addi(A.t0, A.s2, 8),
    A.sw(A.t0, A.s3, 0x20), // MAIL1_WRITE: BUF | channel 8
    A.lw(A.t0, A.s3, 0x18), // MAIL0_STATUS: wait while empty
    ...A.li(A.t1, 0x40000000),
    A.and(A.t0, A.t0, A.t1),
    A.bne(A.t0, A.zero, -16),
    A.lw(A.t0, A.s3, 0), // the answer
    A.lw(A.t1, A.s2, 20), // the revision
    ...A.li(A.t2, 0xa02082),
    A.bne(A.t1, A.t2, 12),
    ...putc(0x52), // 'R'
    ...putc(0x0a),
    ...powerOff(),
  ];
  return writeGuest(code);
}

const INTC = 0x10013000;
const LOCAL = 0x10014000;

/** The Pi's interrupt chain without its CPU: system timer -> ARM controller -> local controller. */
function chainBoard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-bcm-'));
  const path = join(dir, 'virt-bcm-chain.yaml');
  writeFileSync(
    path,
    [
      'extends: virt',
      'name: virt-bcm-chain',
      'devices:',
      `  - { type: bcm2836-local, name: local, reg: [${LOCAL}, 0x100] }`,
      `  - { type: bcm2835-intc, name: intc, reg: [${INTC}, 0x200], irq: { irq: local:gpu-irq, fiq: local:gpu-fiq } }`,
      `  - { type: bcm2835-systimer, name: systimer, reg: [${SYSTIMER}, 0x1000], irq: { match1: intc:1, match3: intc:3 } }`,
      '',
    ].join('\n'),
  );
  return path;
}

/** Prints one character through the ns16550 (s0 = 0x10000000). */
const putcUart = (c: number) => [...A.li(A.t0, c), A.sb(A.t0, A.s0, 0)];

function chainGuest(): string {
  const code: Array<number | number[]> = [
    ...A.li(A.s0, 0x10000000),
    ...A.li(A.s1, SYSTIMER),
    ...A.li(A.s2, INTC),
    ...A.li(A.s3, LOCAL),
    A.addi(A.t0, A.zero, 2),
    A.sw(A.t0, A.s2, 0x10), // ENABLE_IRQS_1: GPU IRQ 1
    A.lw(A.t0, A.s1, 4),
    A.addi(A.t0, A.t0, 50),
    A.sw(A.t0, A.s1, 0x10), // C1 = CLO + 50
    A.lw(A.t0, A.s3, 0x60), // core 0 IRQ source: wait for bit 8 (GPU)
    A.andi(A.t0, A.t0, 0x100),
    A.beq(A.t0, A.zero, -8),
    ...putcUart(0x47), // 'G'
    A.lw(A.t1, A.s2, 0x04), // IRQ pending 1 = 2
    A.addi(A.t1, A.t1, 0x30),
    A.sb(A.t1, A.s0, 0), // '2'
    A.addi(A.t0, A.zero, 2),
    A.sw(A.t0, A.s1, 0), // CS: acknowledge M1
    A.lw(A.t1, A.s3, 0x60),
    A.addi(A.t1, A.t1, 0x30),
    A.sb(A.t1, A.s0, 0), // '0': the chain is quiet again
    ...putcUart(0x0a),
    ...powerOff(),
  ];
  return writeGuest(code);
}

describe('BCM2835-family devices on a virt board', () => {
  it('carries a system-timer match through the ARM and the local interrupt controllers', async () => {
    const r = await runMachine({ board: chainBoard(), kernel: chainGuest(), bios: 'none', maxInsns: 10_000_000 });
    expect(r.output).toBe('G20\n');
    expect(r.exitCode).toBe(0);
  });

  it('writes two-cell interrupt specifiers of the ARM and local controllers into the tree', async () => {
    const session = await bootGuest(chainGuest(), { board: chainBoard() });
    const tree = Buffer.from(session.machine.dtb);
    await session.close();
    const text = tree.toString('latin1');
    expect(text).toContain('brcm,bcm2836-armctrl-ic');
    expect(text).toContain('brcm,bcm2836-l1-intc');
    // The timer's `interrupts`: <1 1>, <1 3> (bank 1 = GPU 0-31) as big-endian cells.
    const cells = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
    expect(tree.includes(cells)).toBe(true);
    // The ARM controller's: <8 4> <8 4> on the local controller (GPU source, level high).
    expect(tree.includes(Buffer.from([0, 0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 4]))).toBe(true);
  });

  it('echo through the PL011 console, a system-timer compare and a mailbox property call', async () => {
    // Typed once the prompt is out: input waiting before the guest enables the FIFOs is flushed
    // by that LCR_H write, as on QEMU.
    const r = await runMachine({ board: board(), kernel: guest(), bios: 'none', replies: [{ when: '>', send: 'hi\n' }], maxInsns: 10_000_000 });
    expect(r.output).toBe('>hi\nT3R\n');
    expect(r.exitCode).toBe(0);
  });

  it('puts the devices in the generated device tree with their node names and compatibles', async () => {
    const session = await bootGuest(guest(), { board: board() });
    const tree = Buffer.from(session.machine.dtb).toString('latin1');
    await session.close();
    expect(tree).toContain('serial@10010000');
    expect(tree).toContain('timer@10011000');
    expect(tree).toContain('mailbox@10012000');
    expect(tree).toContain('arm,pl011');
    expect(tree).toContain('brcm,bcm2835-system-timer');
    expect(tree).toContain('brcm,bcm2835-mbox');
  });
});
