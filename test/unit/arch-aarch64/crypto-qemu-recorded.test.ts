/**
 * The Cryptographic Extension against QEMU 7.2: fixtures/crypto-diff.bin runs 44 forms (AESE/AESD/
 * AESMC/AESIMC, SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1, PMULL/PMULL2 .1Q, with aliased registers,
 * and three short AES/SHA sequences) on 200 random and special inputs each and prints one hash of
 * V0 and V1 per form. QEMU's output (`-M virt -cpu cortex-a53 -semihosting`, the same program linked
 * at 0x40080000) is fixtures/crypto-diff.qemu.txt; the form names are in crypto-diff.names.txt.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE, makeMachine } from './machine.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

describe('aarch64 Cryptographic Extension against QEMU 7.2', () => {
  it('44 crypto forms on 200 inputs each give QEMU results', () => {
    let out = '';
    const m = makeMachine({}, { write: (b: Uint8Array) => void (out += Buffer.from(b).toString('latin1')) } as never);
    m.poke(CODE, new Uint8Array(readFileSync(fixture('crypto-diff.bin'))));
    m.cpu.pc = CODE;
    m.cpu.setEl(1);
    for (let i = 0; i < 100 && m.powerOffs.length === 0; i++) m.cpu.run(1 << 20);
    const names = readFileSync(fixture('crypto-diff.names.txt'), 'utf8').split('\n');
    const want = readFileSync(fixture('crypto-diff.qemu.txt'), 'utf8').split('\n');
    const got = out.split('\n');
    const differing = want.flatMap((line, k) => (line === got[k] ? [] : [names[k]]));
    expect(differing).toEqual([]);
    expect(got.length).toBe(45);
  });
});
