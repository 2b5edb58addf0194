/**
 * The decode-only look before a wasm region scan (plugins/arch-i386/src/jit-reach.ts mayReachHot): a region attempt
 * whose first block reaches no other hot start emits no code (no scan), and mayReachHot never says "alone" where the
 * scan (jit-wasm.ts scanWasmRegion) would find more blocks: byte streams rich in the opcodes the translator takes,
 * at page offsets up to the page end, against hot sets of several densities.
 */
import { describe, expect, it } from 'vitest';
import { mayReachHot } from '../../../plugins/arch-i386/src/jit-reach.js';
import { scanWasmRegion, translateWasmRegion } from '../../../plugins/arch-i386/src/jit-wasm.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { pagedMachine } from './paging-machine.js';

// Before any machine of this file is built.
process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

const PAGE = 0x20000;
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

/** Opcode bytes the translator takes (jit-wasm.ts Gen.insn, twoByte, mov16), for the streams. */
const OPCODES = [
  0x01, 0x03, 0x05, 0x29, 0x31, 0x39, 0x3b, 0x3c, 0x40, 0x4b, 0x50, 0x5d, 0x66, 0x68, 0x69, 0x6a, 0x6b, 0x72, 0x75, 0x7e,
  0x80, 0x81, 0x83, 0x85, 0x88, 0x89, 0x8b, 0x8d, 0x90, 0x99, 0xa1, 0xa3, 0xa9, 0xb0, 0xb8, 0xc1, 0xc3, 0xc6, 0xc7, 0xc9,
  0xd1, 0xd3, 0xe8, 0xe9, 0xeb, 0xf6, 0xf7, 0xfe, 0xff, 0x0f, 0x84, 0x8f, 0x94, 0x44, 0xb6, 0xbf, 0xaf, 0x1f, 0x26, 0x64,
];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

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
});
