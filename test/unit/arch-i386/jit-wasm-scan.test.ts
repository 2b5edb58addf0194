/**
 * A wasm region's scan (plugins/arch-i386/src/jit-wasm.ts scanWasmRegion) runs the translator on a function body that
 * writes no byte (WasmCode `dry`): what it finds (each block's length, end, targets, inner loops, return sites) must be
 * what a scan emitting the code finds, since the region's generation checks the scanned lengths and uses the rest.
 * One scanning Gen scans a region's blocks in turn: each as a scan starting at it finds it. Random streams of the
 * opcodes the translator takes, with and without the flat window, against hot sets of several densities.
 */
import { describe, expect, it } from 'vitest';
import { scanWasmRegion } from '../../../plugins/arch-i386/src/jit-wasm.js';
import { jitKit } from '../../../src/core/jit/index.js';
import { pagedMachine } from './paging-machine.js';
import { I386_STREAM_OPCODES, seeded } from '../../helpers/i386-streams.js';

// Before any machine of this file is built.
process.env.RVOS_JIT_WASM = '1';
process.env.RVOS_JIT_WASM_I386 = '1';

const PAGE = 0x20000;

/** Opcode bytes the translator takes (jit-reach.test.ts's), and LOOP, Jcc, REP string operations and CMOVcc. */
const OPCODES = [...I386_STREAM_OPCODES, 0xe2, 0x74, 0x7c, 0xf3, 0xa5, 0xab, 0x0f, 0x44, 0x4c];

describe('i386 wasm regions: the scan', () => {
  it('writes no byte: its function bodies are dry', () => {
    // L: add eax, [ecx]; dec ebx; jnz L; ret
    const m = pagedMachine([], 'jit');
    m.bus.dmaWrite(PAGE, Uint8Array.from([0x03, 0x01, 0x4b, 0x75, 0xfb, 0xc3]));
    const made: ReturnType<typeof jitKit.wasm.code>[] = [];
    const kit = { ...jitKit, wasm: { ...jitKit.wasm, code: (...a: Parameters<typeof jitKit.wasm.code>) => { const c = jitKit.wasm.code(...a); made.push(c); return c; } } };
    const blocks = scanWasmRegion(kit, m.cpu.wasmCore!, m.ram.u8, PAGE, (off) => off === 0);
    expect(blocks?.[0].insns).toBe(4);
    expect(made.length).toBeGreaterThan(0);
    for (const c of made) {
      expect(c.dry).toBe(true);
      expect(c.size).toBe(0);
      expect(c.hints).toEqual([]);
    }
  });

  it('ends a block where a jump of the region lands in its middle, so that the jump stays in the region', () => {
    // L: dec ebx; ja F; nop; nop; F: inc eax; test ebx, ebx; jnz L; jmp M; nop; M: ret. The JA lands on an instruction
    // the block of L reaches by falling through (the XZ decoder's bit loop in the i386 Linux boot): without a block at
    // F it would leave the region there, through the dispatcher, on every pass that takes it. M hot too: a region of
    // two blocks at least (a block alone is not split: mayReachHot tells those apart without a scan).
    const m = pagedMachine([], 'jit');
    m.bus.dmaWrite(PAGE, Uint8Array.from([0x4b, 0x77, 0x02, 0x90, 0x90, 0x40, 0x85, 0xdb, 0x75, 0xf6, 0xeb, 0x01, 0x90, 0xc3]));
    const core = m.cpu.wasmCore!;
    const gen = { area: core.area, flags: core.flags, flat: undefined };
    const blocks = scanWasmRegion(jitKit, gen, m.ram.u8, PAGE, (off) => off === 0 || off === 13);
    expect(blocks?.map((b) => [b.start, b.insns])).toEqual([[0, 4], [5, 4], [13, 1]]);
    expect(blocks?.[0].targets).toContain(5);
  });

  it('finds what a scan emitting the code finds (random streams of the translated opcodes)', () => {
    const m = pagedMachine([], 'jit');
    const u8 = m.ram.u8, core = m.cpu.wasmCore!;
    // The same kit, its scans' bodies written as a region's are.
    const wet = { ...jitKit, wasm: { ...jitKit.wasm, code: (params: Parameters<typeof jitKit.wasm.code>[0], results: Parameters<typeof jitKit.wasm.code>[1]) => jitKit.wasm.code(params, results) } };
    const rand = seeded(7);
    let blocks = 0, loops = 0, returns = 0;
    for (let i = 0; i < 3000; i++) {
      let bytes = Array.from({ length: 96 }, () => (rand() < 0.6 ? OPCODES[Math.floor(rand() * OPCODES.length)] : Math.floor(rand() * 256)));
      if (i & 1) {
        // mov eax, ecx; (a few of them); dec ebx; jnz to the second: an inner loop when they decode so.
        const body = bytes.slice(0, 2 + Math.floor(rand() * 12));
        bytes = [0x89, 0xc8, ...body, 0x4b, 0x75, (-(body.length + 3)) & 0xff, ...bytes.slice(body.length)];
      }
      u8.fill(0x90, PAGE, PAGE + 0x1000);
      const at = rand() < 0.2 ? 0x1000 - 1 - Math.floor(rand() * 40) : Math.floor(rand() * 0xf00);
      u8.set(bytes.slice(0, 0x1000 - at), PAGE + at);
      const density = [0, 1 / 64, 1 / 8, 1 / 2][i & 3];
      const hotSet = new Set<number>();
      for (let off = 0; off < 0x1000; off++) if (rand() < density) hotSet.add(off);
      const hot = (off: number) => hotSet.has(off);
      const gen = { area: core.area, flags: core.flags, flat: i & 4 ? m.cpu.mmu.flatWindow() : undefined };
      const dry = scanWasmRegion(jitKit, gen, u8, PAGE + at, hot);
      const full = scanWasmRegion(wet, gen, u8, PAGE + at, hot);
      expect(dry, `stream ${i} at ${at.toString(16)}: ${bytes.map((b) => b.toString(16)).join(' ')}`).toEqual(full);
      // Blocks that end only where `hot` says (no join or jump target of the region split one: those stops depend on
      // the region's other blocks).
      const alone = (full ?? []).every((b) => b.start === (at & 0xfff) || hot(b.start));
      for (const b of full ?? []) {
        // Each block as the first of a scan (a new scanning Gen) finds it: one Gen scanning a region's blocks in turn
        // carries nothing from one to the next.
        if (alone) expect(scanWasmRegion(jitKit, gen, u8, PAGE + b.start, hot)?.[0], `stream ${i}, block ${b.start.toString(16)}`).toEqual(b);
        blocks++;
        loops += b.loops.length;
        returns += b.returns?.length ?? 0;
      }
    }
    // Not vacuous.
    expect(blocks).toBeGreaterThan(2000);
    expect(loops).toBeGreaterThan(60);
    expect(returns).toBeGreaterThan(40);
  });
});
