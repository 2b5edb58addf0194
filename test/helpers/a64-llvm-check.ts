/**
 * One-off check (not a test; it needs LLVM): compares the AArch64 decoder with llvm-mc on random
 * encodings outside the SIMD&FP classes, reporting encodings one side accepts and the other
 * rejects (allocated vs. Undefined).
 *
 *   node --import tsx test/helpers/a64-llvm-check.ts [count] [seed]
 *
 * Expected differences: SYSL, MSR in the op0 = 0 space with Rt != 31, DCPS1-3 and UDF, which
 * the core treats as Undefined on purpose (README of plugins/arch-aarch64).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeInto } from '../../plugins/arch-aarch64/src/decode.js';

const count = Number(process.argv[2] ?? 100000);
let s = Number(process.argv[3] ?? 1) >>> 0 || 1;
const rnd = () => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
};
const words: number[] = [];
while (words.length < count) {
  const w = rnd();
  const op0 = (w >>> 25) & 0xf;
  if ((op0 & 0b0111) === 0b0111) continue; // SIMD&FP data processing
  if ((op0 & 0b0101) === 0b0100 && ((w >>> 26) & 1) === 1) continue; // SIMD&FP loads/stores
  words.push(w);
}
const dir = mkdtempSync(join(tmpdir(), 'a64-llvm-'));
const input = join(dir, 'words.txt');
writeFileSync(input, words.map((w) => [0, 8, 16, 24].map((k) => '0x' + ((w >>> k) & 0xff).toString(16).padStart(2, '0')).join(' ')).join('\n') + '\n');
const llvm = spawnSync('llvm-mc', ['-triple=aarch64', '-mattr=+v8a,+crc', '--disassemble', input], { encoding: 'utf8', maxBuffer: 1 << 30 });
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
