/**
 * The decode-only look before a wasm region scan (plugins/arch-i386/src/jit-reach.ts mayReachHot): a region attempt
 * whose first block reaches no other hot start emits no code (no scan), and mayReachHot never says "alone" where the
 * scan (jit-wasm.ts scanWasmRegion) would find more blocks: byte streams rich in the opcodes the translator takes,
 * at page offsets up to the page end, against hot sets of several densities. The same look tells a start whose block
 * runs straight into an instruction left to the interpreter within a few instructions (endsSoonBeforeLeftOut), and
 * one whose block runs MAX_INSNS instructions without a branch (runsStraightFull).
 */
import { describe, expect, it } from 'vitest';
import { endsSoonBeforeLeftOut, insnLength, mayReachHot, runsStraightFull } from '../../../plugins/arch-i386/src/jit-reach.js';
import { scanWasmRegion, translateWasmRegion } from '../../../plugins/arch-i386/src/jit-wasm.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { pagedMachine } from './paging-machine.js';
import { I386_STREAM_OPCODES, seeded } from '../../helpers/i386-streams.js';

// Before any machine of this file is built.
process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

const PAGE = 0x20000;
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** Opcode bytes the translator takes (jit-wasm.ts Gen.insn, twoByte, mov16), for the streams. */
const OPCODES = I386_STREAM_OPCODES;

describe('i386 wasm regions: the look before a scan', () => {
  it('emits no code for an attempt whose block reaches no other hot start, and scans one that does', () => {
    // L: add eax, ecx; dec ebx; jnz L; call F; inc esi; ret; ... F (0x40): ret
    const m = pagedMachine([], 'jit');
    m.bus.dmaWrite(PAGE, Uint8Array.from([0x01, 0xc8, 0x4b, 0x75, 0xfb, 0xe8, ...le32(0x40 - 10), 0x46, 0xc3]));
    m.bus.dmaWrite(PAGE + 0x40, Uint8Array.from([0xc3]));
    let codes = 0;
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, code: (...a: Parameters<typeof jitKit.wasm.code>) => (codes++, jitKit.wasm.code(...a)) } };
    const attempt = (hot: number[]) => translateWasmRegion(m.cpu, kit, m.cpu.wasmCore!, m.ram.u8, PAGE, (off) => hot.includes(off));
    // Hot starts the block neither goes to nor runs into: no Gen made (a scan's scratch function is one).
    expect(attempt([0x20, 0x3f, 0x41])).toBeNull();
    expect(codes).toBe(0);
    expect(mayReachHot(m.ram.u8, PAGE, (off) => off === 0)).toBe(false); // its own start
    // The call's target and its return site are reached: scanned, a region of two blocks.
    for (const hot of [[0x40], [0x0a]]) {
      expect(mayReachHot(m.ram.u8, PAGE, (off) => hot.includes(off))).toBe(true);
      codes = 0;
      expect(attempt(hot)?.entries.size).toBe(2);
      expect(codes).toBeGreaterThan(0);
    }
  });

  it('never says alone where the scan finds more blocks (random streams of the translated opcodes, up to the page end)', () => {
    const m = pagedMachine([], 'jit');
    const u8 = m.ram.u8, core = m.cpu.wasmCore!;
    const rand = seeded(11);
    let alone = 0, more = 0, skipped = 0;
    for (let i = 0; i < 6000; i++) {
      const bytes = Array.from({ length: 96 }, () => (rand() < 0.5 ? OPCODES[Math.floor(rand() * OPCODES.length)] : Math.floor(rand() * 256)));
      u8.fill(0x90, PAGE, PAGE + 0x1000);
      const at = rand() < 0.2 ? 0x1000 - 1 - Math.floor(rand() * 40) : Math.floor(rand() * 0xf00);
      u8.set(bytes.slice(0, 0x1000 - at), PAGE + at);
      const density = [0, 1 / 256, 1 / 32, 1 / 4][i & 3];
      const hotSet = new Set<number>();
      for (let off = 0; off < 0x1000; off++) if (rand() < density) hotSet.add(off);
      const hot = (off: number) => hotSet.has(off);
      const region = scanWasmRegion(jitKit, core, u8, PAGE + at, hot);
      const may = mayReachHot(u8, PAGE + at, hot);
      if (region !== null && region.length >= 2) {
        more++;
        expect(may, `stream ${i} at ${at.toString(16)}: ${bytes.map((b) => b.toString(16)).join(' ')}`).toBe(true);
      } else if (!may) skipped++;
      else alone++;
    }
    // Not vacuous: regions found, and most one-block attempts told apart without a scan.
    expect(more).toBeGreaterThan(300);
    expect(skipped).toBeGreaterThan(alone);
  });

  it('tells a short straight run into an instruction left to the interpreter (6 NOPs, then IN), not one with a Jcc or a transfer', () => {
    const u8 = new Uint8Array(0x2000);
    const at = (bytes: number[]) => { u8.fill(0x90, 0x1000, 0x2000); u8.set(bytes, 0x1000); return 0x1000; };
    expect(endsSoonBeforeLeftOut(u8, at([0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xec]), 8)).toBe(true); // the compute kernel's put
    expect(endsSoonBeforeLeftOut(u8, at([0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xec]), 6)).toBe(false); // not fewer than 6
    expect(endsSoonBeforeLeftOut(u8, at([0xec]), 8)).toBe(true); // none translated at all
    expect(endsSoonBeforeLeftOut(u8, at([0x40, 0x66, 0xb8, 0x34, 0x12]), 8)).toBe(true); // INC EAX; MOV AX, imm16
    expect(endsSoonBeforeLeftOut(u8, at([0x49, 0x75, 0xfd, 0xec]), 8)).toBe(false); // DEC ECX; JNZ to itself; IN: a loop
    expect(endsSoonBeforeLeftOut(u8, at([0x40, 0xc3, 0xec]), 8)).toBe(false); // INC EAX; RET
    expect(endsSoonBeforeLeftOut(u8, at([0x40, 0xeb, 0x01, 0xcc, 0xec]), 8)).toBe(true); // a JMP forward followed, then IN
    expect(endsSoonBeforeLeftOut(u8, at([]), 8)).toBe(false); // 64 NOPs
    u8.set([0x40, 0x40, 0xb8], 0x1ffd); // MOV EAX, imm32 crossing the page end
    expect(endsSoonBeforeLeftOut(u8, 0x1ffd, 8)).toBe(true);
    // Unless the next page follows (straddle): the translator takes it, its block ends after it.
    expect(endsSoonBeforeLeftOut(u8, 0x1ffd, 8, true)).toBe(false);
    expect(endsSoonBeforeLeftOut(u8, 0x1fff, 8, true)).toBe(false);
  });

  it('gives the length of the instructions the translator takes (llvm-mc\'s encodings), 0 for others', () => {
    const lengths: Array<[number[], number]> = [
      [[0x81, 0xc2, 0x04, 0x03, 0x02, 0x01], 6], // addl $0x01020304, %edx
      [[0xc7, 0x04, 0x24, 0x08, 0x00, 0x00, 0x00], 7], // movl $8, (%esp): the Linux decompressor's across a page
      [[0x8b, 0x8c, 0x98, 0x78, 0x56, 0x34, 0x12], 7], // movl 0x12345678(%eax,%ebx,4), %ecx
      [[0x66, 0xc7, 0x46, 0x04, 0x34, 0x12], 6], // movw $0x1234, 4(%esi)
      [[0x8d, 0x45, 0x08], 3], // leal 8(%ebp), %eax
      [[0xa9, 0x80, 0x00, 0x00, 0x00], 5], // testl $0x80, %eax
      [[0x75, 0x10], 2], // jne
      [[0x0f, 0xb6, 0x08], 3], // movzbl (%eax), %ecx
      [[0x80, 0x7b, 0xff, 0x03], 4], // cmpb $3, -1(%ebx)
      [[0x64, 0xa1, 0x10, 0x00, 0x00, 0x00], 6], // movl %fs:0x10, %eax
      [[0x69, 0xd1, 0xe8, 0x03, 0x00, 0x00], 6], // imull $1000, %ecx, %edx
      [[0xec], 0], // in (%dx), %al: the interpreter's
      [[0xf3, 0xab], 0], // rep stosl
      [[0x67, 0x8b, 0x07], 0], // movl (%bx), %eax: 16-bit addressing
    ];
    const u8 = new Uint8Array(64);
    for (const [bytes, length] of lengths) {
      u8.fill(0).set(bytes, 8);
      expect(insnLength(u8, 8), bytes.map((b) => b.toString(16)).join(' ')).toBe(length);
    }
  });

  it('gives the length the translator decodes (random streams: its block\'s second instruction)', () => {
    const m = pagedMachine([], 'jit');
    const u8 = m.ram.u8, core = m.cpu.wasmCore!;
    const rand = seeded(11);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = Array.from({ length: 32 }, () => (rand() < 0.7 ? OPCODES[Math.floor(rand() * OPCODES.length)] : Math.floor(rand() * 256)));
      u8.fill(0x90, PAGE, PAGE + 0x1000);
      u8.set(bytes, PAGE + 0x800);
      const block = scanWasmRegion(jitKit, core, u8, PAGE + 0x800, () => false)?.[0];
      // A JMP forward is followed: its block's next instruction is its target.
      const opcode = bytes.find((b) => ![0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66].includes(b));
      if (block === undefined || block.insns < 2 || opcode === 0xeb || opcode === 0xe9) continue;
      const length = insnLength(u8, PAGE + 0x800);
      if (length === 0) continue;
      compared++;
      expect(length, `stream ${i}: ${bytes.map((b) => b.toString(16)).join(' ')}`).toBe(block.addrs![1] - 0x800);
    }
    expect(compared).toBeGreaterThan(500); // not vacuous
  });

  it('tells a block of MAX_INSNS straight instructions (a JMP forward followed) from one with a Jcc, a transfer or fewer', () => {
    const u8 = new Uint8Array(0x2000);
    const at = (bytes: number[]) => { u8.fill(0x90, 0x1000, 0x2000); u8.set(bytes, 0x1000); return 0x1000; };
    const adds = (n: number) => Array.from({ length: n }, () => [0x01, 0xd8]).flat(); // add eax, ebx
    expect(runsStraightFull(u8, at(adds(70)))).toBe(true);
    expect(runsStraightFull(u8, at([...adds(10), 0xeb, 0x01, 0xcc, ...adds(60)]))).toBe(true); // JMP over an INT3
    expect(runsStraightFull(u8, at([...adds(10), 0x74, 0x00, ...adds(60)]))).toBe(false); // a JZ
    expect(runsStraightFull(u8, at([...adds(62), 0xc3]))).toBe(false); // RET before the 64th
    expect(runsStraightFull(u8, at([...adds(62), 0xec]))).toBe(false); // IN: left to the interpreter
    u8.fill(0x90, 0x1000, 0x2000);
    expect(runsStraightFull(u8, 0x1fd0)).toBe(false); // 48 NOPs to the page end
  });

  it('says a short straight run only where the translator\'s block is that short (random streams)', () => {
    const m = pagedMachine([], 'jit');
    const u8 = m.ram.u8, core = m.cpu.wasmCore!;
    const rand = seeded(7);
    let short = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes = Array.from({ length: 48 }, () => (rand() < 0.7 ? OPCODES[Math.floor(rand() * OPCODES.length)] : Math.floor(rand() * 256)));
      u8.fill(0x90, PAGE, PAGE + 0x1000);
      const at = rand() < 0.2 ? 0x1000 - 1 - Math.floor(rand() * 40) : Math.floor(rand() * 0xf00);
      u8.set(bytes.slice(0, 0x1000 - at), PAGE + at);
      if (!endsSoonBeforeLeftOut(u8, PAGE + at, 8)) continue;
      short++;
      const block = scanWasmRegion(jitKit, core, u8, PAGE + at, () => false)?.[0];
      expect(block === undefined || block.insns < 8, `stream ${i} at ${at.toString(16)}: ${bytes.map((b) => b.toString(16)).join(' ')}`).toBe(true);
    }
    expect(short).toBeGreaterThan(500); // not vacuous
  });
});
