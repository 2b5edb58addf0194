import { describe, expect, it } from 'vitest';
import * as A from '../../helpers/rv32asm.js';
import { exec } from './machine.js';

const { a0, a1, a2 } = A;
const MIN = 0x80000000;

/** Reference results computed with BigInt. */
function ref(op: string, x: number, y: number): number {
  const sx = BigInt(x | 0);
  const sy = BigInt(y | 0);
  const ux = BigInt(x >>> 0);
  const uy = BigInt(y >>> 0);
  const lo = (v: bigint) => Number(BigInt.asUintN(32, v));
  switch (op) {
    case 'mul':
      return lo(sx * sy);
    case 'mulh':
      return lo((sx * sy) >> 32n);
    case 'mulhsu':
      return lo((sx * uy) >> 32n);
    case 'mulhu':
      return lo((ux * uy) >> 32n);
  }
  throw new Error(op);
}

describe('rv32 M extension', () => {
  const ops = { mul: A.mul, mulh: A.mulh, mulhsu: A.mulhsu, mulhu: A.mulhu };
  const values = [0, 1, -1, 2, -2, 0x7fffffff, MIN, 0x12345678, 0xdeadbeef, 0xffff, 0x10000, 46341, -46341];
  for (const [name, enc] of Object.entries(ops)) {
    it(`${name} matches a 64-bit reference on edge values`, () => {
      for (const x of values) {
        for (const y of values) {
          const got = exec([enc(a0, a1, a2)], { [a1]: x, [a2]: y }).reg(a0);
          expect(got, `${name} ${x} ${y}`).toBe(ref(name, x, y));
        }
      }
    });
  }

  it.each([
    ['div', A.div, 7, -2, -3],
    ['div rounds toward zero', A.div, -7, 2, -3],
    ['div by zero is -1', A.div, 5, 0, -1],
    ['div overflow is MIN', A.div, MIN, -1, MIN],
    ['divu', A.divu, 0xfffffffe, 2, 0x7fffffff],
    ['divu by zero is all ones', A.divu, 5, 0, 0xffffffff],
    ['rem sign follows dividend', A.rem, -7, 2, -1],
    ['rem', A.rem, 7, -2, 1],
    ['rem by zero is the dividend', A.rem, -9, 0, -9],
    ['rem overflow is 0', A.rem, MIN, -1, 0],
    ['remu', A.remu, 0xffffffff, 10, 5],
    ['remu by zero is the dividend', A.remu, 0xfffffff0, 0, 0xfffffff0],
  ])('%s', (_name, enc, x, y, expected) => {
    expect(exec([enc(a0, a1, a2)], { [a1]: x, [a2]: y }).reg(a0)).toBe(expected >>> 0);
  });
});
