/**
 * The scaffolded plugin's guest program: bare-metal RV32 in M-mode from 0x80000000 (`--bios none`)
 * that drives the new device through its registers and its interrupt on the `virt` PLIC. Written
 * once as lines that carry both their assembly text (guest/demo.S, which clang assembles to the
 * same bytes) and their encoding (guest/demo.bin, so the plugin's test needs no toolchain).
 */
import * as A from '../testing/rv32asm.js';

const RAM_BASE = 0x80000000;
const UART = 0x10000000;
const FINISHER = 0x00100000;
const PLIC = 0x0c000000;
/** mie.MEIE: machine external interrupts. */
const MIE_MEIE = 0x800;
const CSR = { mstatus: 0x300, mie: 0x304, mtvec: 0x305 } as const;

export interface GuestParams {
  /** Device base address and its PLIC source number (from the board file). */
  base: number;
  irq: number;
  /** Register offsets of the device (src/index.ts). */
  regs: { id: number; ctrl: number; load: number; status: number };
  idValue: number;
  /** Countdown in microseconds. */
  loadUs: number;
  message: string;
}

type Line =
  | { kind: 'label'; name: string }
  | { kind: 'insn'; text: string; encode: (pc: number, at: (label: string) => number) => number }
  | { kind: 'text'; text: string; bytes: Uint8Array }
  | { kind: 'comment'; text: string };

const hex = (x: number) => '0x' + (x >>> 0).toString(16);
const ABI = 'zero ra sp gp tp t0 t1 t2 s0 s1 a0 a1 a2 a3 a4 a5 a6 a7 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 t3 t4 t5 t6'.split(' ');
const reg = (r: number) => ABI[r];

/** lui + addi for a 32-bit constant, written out so the text and the bytes agree one for one. */
function li(rd: number, value: number): Line[] {
  const lo = ((value & 0xfff) << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  const out: Line[] = [{ kind: 'insn', text: `lui ${reg(rd)}, ${hex(hi)}`, encode: () => A.lui(rd, hi) }];
  if (lo !== 0) out.push({ kind: 'insn', text: `addi ${reg(rd)}, ${reg(rd)}, ${lo}`, encode: () => A.addi(rd, rd, lo) });
  return out;
}
/** auipc + addi to the address of `target` (GNU as: %pcrel_hi / %pcrel_lo through a local label). */
function la(rd: number, target: string): Line[] {
  const split = (offset: number) => {
    const lo = ((offset & 0xfff) << 20) >> 20;
    return { hi: ((offset - lo) >>> 12) & 0xfffff, lo };
  };
  return [
    { kind: 'label', name: `${target}_rel` },
    insn(`auipc ${reg(rd)}, %pcrel_hi(${target})`, (pc, at) => A.auipc(rd, split(at(target) - pc).hi)),
    insn(`addi ${reg(rd)}, ${reg(rd)}, %pcrel_lo(${target}_rel)`, (pc, at) => A.addi(rd, rd, split(at(target) - at(`${target}_rel`)).lo)),
  ];
}
function insn(text: string, encode: (pc: number, at: (label: string) => number) => number): Line {
  return { kind: 'insn', text, encode };
}
const label = (name: string): Line => ({ kind: 'label', name });
const comment = (text: string): Line => ({ kind: 'comment', text });

function program(p: GuestParams): Line[] {
  const { t0, t1, t2, t3, a0, a1, a2 } = A;
  const ctx0 = { enable: PLIC + 0x2000, threshold: PLIC + 0x200000, claim: PLIC + 0x200004 };
  return [
    label('_start'),
    comment('The device answers with its ID.'),
    ...li(t0, p.base),
    insn(`lw t1, ${p.regs.id}(t0)`, () => A.lw(t1, t0, p.regs.id)),
    ...li(t2, p.idValue),
    insn('bne t1, t2, fail', (pc, at) => A.bne(t1, t2, at('fail') - pc)),
    comment(`PLIC: source ${p.irq} at priority 1, enabled for context 0 (hart 0, M-mode), threshold 0.`),
    ...li(t3, PLIC + 4 * p.irq),
    insn('addi t1, zero, 1', () => A.addi(t1, 0, 1)),
    insn('sw t1, 0(t3)', () => A.sw(t1, t3, 0)),
    ...li(t3, ctx0.enable + 4 * (p.irq >> 5)),
    ...li(t1, 1 << (p.irq & 31)),
    insn('sw t1, 0(t3)', () => A.sw(t1, t3, 0)),
    ...li(t3, ctx0.threshold),
    insn('sw zero, 0(t3)', () => A.sw(0, t3, 0)),
    comment('Machine external interrupts on, traps to `trap`.'),
    ...la(t1, 'trap'),
    insn('csrw mtvec, t1', () => A.csrw(CSR.mtvec, t1)),
    ...li(t1, MIE_MEIE),
    insn('csrs mie, t1', () => A.csrs(CSR.mie, t1)),
    insn('csrsi mstatus, 8', () => A.csrsi(CSR.mstatus, 8)),
    comment(`Count down ${p.loadUs} us with the interrupt enabled (CTRL = EN | IE), then wait.`),
    ...li(t1, p.loadUs),
    insn(`sw t1, ${p.regs.load}(t0)`, () => A.sw(t1, t0, p.regs.load)),
    insn('addi t1, zero, 3', () => A.addi(t1, 0, 3)),
    insn(`sw t1, ${p.regs.ctrl}(t0)`, () => A.sw(t1, t0, p.regs.ctrl)),
    label('idle'),
    insn('wfi', () => A.wfi()),
    insn('j idle', (pc, at) => A.jal(0, at('idle') - pc)),
    label('trap'),
    comment('Claim: it must be our source; acknowledge the device (STATUS is write-1-to-clear), complete.'),
    ...li(t3, ctx0.claim),
    insn('lw t1, 0(t3)', () => A.lw(t1, t3, 0)),
    insn(`addi t2, zero, ${p.irq}`, () => A.addi(t2, 0, p.irq)),
    insn('bne t1, t2, fail', (pc, at) => A.bne(t1, t2, at('fail') - pc)),
    insn('addi t2, zero, 1', () => A.addi(t2, 0, 1)),
    insn(`sw t2, ${p.regs.status}(t0)`, () => A.sw(t2, t0, p.regs.status)),
    insn('sw t1, 0(t3)', () => A.sw(t1, t3, 0)),
    comment('Print the message on the UART, then power off through the test finisher.'),
    ...la(a0, 'message'),
    ...li(a1, UART),
    label('print'),
    insn('lbu a2, 0(a0)', () => A.lbu(a2, a0, 0)),
    insn('beq a2, zero, pass', (pc, at) => A.beq(a2, 0, at('pass') - pc)),
    insn('sb a2, 0(a1)', () => A.sb(a2, a1, 0)),
    insn('addi a0, a0, 1', () => A.addi(a0, a0, 1)),
    insn('j print', (pc, at) => A.jal(0, at('print') - pc)),
    label('pass'),
    ...li(t1, FINISHER),
    ...li(t2, 0x5555),
    insn('sw t2, 0(t1)', () => A.sw(t2, t1, 0)),
    label('fail'),
    comment('Exit code 1: (1 << 16) | FINISHER_FAIL.'),
    ...li(t1, FINISHER),
    ...li(t2, 0x13333),
    insn('sw t2, 0(t1)', () => A.sw(t2, t1, 0)),
    insn('j fail', (pc, at) => A.jal(0, at('fail') - pc)),
    label('message'),
    { kind: 'text', text: `.asciz ${JSON.stringify(p.message)}`, bytes: new Uint8Array(Buffer.from(p.message + '\0', 'latin1')) },
  ];
}

/** The guest as a raw binary for 0x80000000 and as the assembly source that builds the same bytes. */
export function buildGuest(p: GuestParams): { bin: Uint8Array; source: string } {
  const lines = program(p);
  const addresses = new Map<string, number>();
  let pc = RAM_BASE;
  for (const l of lines) {
    if (l.kind === 'label') addresses.set(l.name, pc);
    else if (l.kind === 'insn') pc += 4;
    else if (l.kind === 'text') pc += l.bytes.length;
  }
  const at = (name: string) => {
    const a = addresses.get(name);
    if (a === undefined) throw new Error(`guest: no label ${name}`);
    return a;
  };
  const bytes: number[] = [];
  const text: string[] = [];
  pc = RAM_BASE;
  for (const l of lines) {
    if (l.kind === 'label') text.push(`${l.name}:`);
    else if (l.kind === 'comment') text.push(`    # ${l.text}`);
    else if (l.kind === 'text') {
      text.push(`    ${l.text}`);
      bytes.push(...l.bytes);
      pc += l.bytes.length;
    } else {
      const word = l.encode(pc, at) >>> 0;
      bytes.push(word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24);
      text.push(`    ${l.text}`);
      pc += 4;
    }
  }
  return { bin: Uint8Array.from(bytes), source: text.join('\n') + '\n' };
}
