/**
 * Advanced SIMD differential check against QEMU 7.2: fixtures/simd-diff.bin runs 1,470
 * instruction forms (every implemented class and arrangement, vector and scalar, integer and FP)
 * on 200 random and special inputs each and prints one hash per form of the results and FPSR.
 * QEMU's output (`-M virt -cpu cortex-a53 -semihosting`, the same program linked at 0x40080000) is
 * fixtures/simd-diff.qemu.txt; the form names are in simd-diff.names.txt.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, makeMachine } from './machine.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('aarch64 Advanced SIMD against QEMU 7.2', () => {
  it('1,470 instruction forms on 200 inputs each give QEMU results and FPSR', () => {
    let out = '';
    const m = makeMachine({}, { write: (b: Uint8Array) => void (out += Buffer.from(b).toString('latin1')) } as never);
    m.poke(CODE, new Uint8Array(readFileSync(fixture('simd-diff.bin'))));
    m.cpu.pc = CODE;
    m.cpu.setEl(1);
    for (let i = 0; i < 200 && m.powerOffs.length === 0; i++) m.cpu.run(1 << 20);
    const names = readFileSync(fixture('simd-diff.names.txt'), 'utf8').split('\n');
    const want = readFileSync(fixture('simd-diff.qemu.txt'), 'utf8').split('\n');
    const got = out.split('\n');
    const differing = want.flatMap((line, k) => (line === got[k] ? [] : [names[k]]));
    expect(differing).toEqual([]);
    expect(got.length).toBe(1471);
  });
});
