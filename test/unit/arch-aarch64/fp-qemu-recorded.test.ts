/**
 * FP programs whose output was recorded from QEMU 7.2 (`qemu-system-aarch64 -M virt -cpu
 * cortex-a53 -semihosting`, the same sources linked at 0x40080000): rvos must print the same.
 * fixtures/README.md says how they are built.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, makeMachine } from './machine.js';

function runSemihosting(name: string): string {
  let out = '';
  const m = makeMachine({}, { write: (b: Uint8Array) => void (out += Buffer.from(b).toString('latin1')) } as never);
  m.poke(CODE, new Uint8Array(readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url))));
  m.cpu.pc = CODE;
  m.cpu.setEl(1); // as QEMU's virt starts a kernel; the start code sets CPACR_EL1.FPEN
  for (let i = 0; i < 200 && m.powerOffs.length === 0; i++) m.cpu.run(1 << 20);
  expect(m.powerOffs.length).toBe(1);
  return out;
}

function fnv1a(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let k = 0; k < text.length; k++) h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(k))) * 0x100000001b3n);
  return h.toString(16);
}

describe('aarch64 FP against QEMU 7.2 recordings', () => {
  it('fp-edge.c: 88,942 scalar FP results on special inputs (NaNs, zeros, infinities, denormals, limits, ties) with the whole FPSR, under FPCR 0, DN, the three directed rounding modes, FZ and FZ + DN + RZ', () => {
    expect(runSemihosting('fp-edge')).toBe('e6a2e6b106ac7c79 00015b6e\n');
  });

  it('fp-estimates.c: FRECPE/FRSQRTE/FRECPX/FCVTXN/URECPE/URSQRTE (80 lines)', () => {
    const out = runSemihosting('fp-estimates');
    expect(out.split('\n').length).toBe(81);
    expect(out.slice(0, 34)).toBe('3f7f80003f7f8000\n4000000000000000\n');
    expect(fnv1a(out)).toBe('359829df2d240768');
  });
});
