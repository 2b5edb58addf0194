/**
 * One-off check (not a test; it needs LLVM): compares the AArch64 decoder with llvm-mc on random
 * encodings, reporting encodings one side accepts and the other rejects (allocated vs. Undefined).
 *
 *   node --import tsx test/helpers/a64-llvm-check.ts [count] [seed] [int|fp|crypto]
 *
 * `int` (the default) draws encodings outside the SIMD&FP classes; `fp` draws only SIMD&FP ones
 * (data processing and loads/stores with V = 1) and compares with llvm-mc's Armv8.0 + FP +
 * AdvSIMD + the Armv8.0 Cryptographic Extension (AES, SHA1/SHA256, PMULL.64; no FP16, RDM, dot product,
 * SHA3/SHA512/SM3/SM4, as QEMU's cortex-a53). `crypto` compares the same way but draws only words whose
 * top byte is 0x0e, 0x4e or 0x5e (PMULL, the Crypto AES and SHA classes and the AdvSIMD around them).
 *
 * Expected differences: SYSL, MSR in the op0 = 0 space with Rt != 31, DCPS1-3 and UDF, which
 * the core treats as Undefined on purpose; in `fp` mode, the AdvSIMD operations this core does
 * not implement yet (README of plugins/arch-aarch64, "FP/SIMD").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInto } from '../../plugins/arch-aarch64/src/decode.js';

const count = Number(process.argv[2] ?? 100000);
const cryptoMode = process.argv[4] === 'crypto';
const fpMode = process.argv[4] === 'fp' || cryptoMode;
let s = Number(process.argv[3] ?? 1) >>> 0 || 1;
const rnd = () => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
};
const words: number[] = [];
while (words.length < count) {
  const w = cryptoMode ? ((([0x0e, 0x4e, 0x5e][rnd() % 3] << 24) | (rnd() & 0xffffff)) >>> 0) : rnd();
  const op0 = (w >>> 25) & 0xf;
  // SIMD&FP data processing (x111) and SIMD&FP loads/stores (x110: x1x0 with V = 1)
  const simdFp = (op0 & 0b0111) === 0b0111 || (op0 & 0b0111) === 0b0110;
  if (simdFp !== fpMode) continue;
  words.push(w);
}
const dir = mkdtempSync(join(tmpdir(), 'a64-llvm-'));
const input = join(dir, 'words.txt');
writeFileSync(input, words.map((w) => [0, 8, 16, 24].map((k) => '0x' + ((w >>> k) & 0xff).toString(16).padStart(2, '0')).join(' ')).join('\n') + '\n');
const attrs = fpMode ? '+v8a,+crc,+neon,+fp-armv8,-fullfp16,-rdm,-dotprod,+aes,+sha2,-sha3,-sm4' : '+v8a,+crc';
const llvm = spawnSync('llvm-mc', ['-triple=aarch64', `-mattr=${attrs}`, '--disassemble', input], { encoding: 'utf8', maxBuffer: 1 << 30 });
if (llvm.error) throw llvm.error;
const stdout = llvm.stdout;
const stderr = llvm.stderr;
const invalid = new Set([...stderr.matchAll(/words\.txt:(\d+):1: warning: invalid instruction encoding/g)].map((m) => Number(m[1])));
const text = stdout.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('.text'));
const slot = new Int32Array(4);
const strict = new Map<string, string[]>();
const loose: string[] = [];
let t = 0;
words.forEach((w, i) => {
  decodeInto(slot, 0, w);
  const undef = (slot[0] & 0xff) === 1;
  const hex = w.toString(16).padStart(8, '0');
  if (invalid.has(i + 1)) {
    if (!undef) loose.push(hex);
    return;
  }
  const asm = text[t++];
  if (undef) {
    const mnemonic = asm.split(/\s/)[0];
    strict.set(mnemonic, [...(strict.get(mnemonic) ?? []), `${hex} ${asm}`]);
  }
});
console.log(`${count} encodings, ${count - invalid.size} valid for llvm-mc`);
for (const [m, list] of strict) console.log(`Undefined here, valid for llvm-mc: ${m} x${list.length}, e.g. ${list[0]}`);
console.log(`decoded here, invalid for llvm-mc: ${loose.length}${loose.length ? ', e.g. ' + loose.slice(0, 10).join(' ') : ''}`);
