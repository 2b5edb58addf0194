/**
 * Random translation tables checked against a straightforward BigInt model of the Armv8.0 stage 1
 * walk (Arm ARM D5.2-D5.4, AArch64.TranslationTableWalk and CheckPermission), through AT S1E1R/W
 * and S1E0R/W, which walk without the TLB and report PA, attributes or the fault status in PAR_EL1.
 */
import { describe, expect, it } from 'vitest';
import { ACC_READ, ACC_WRITE, addressTranslate, translate, XLATE } from '../../../plugins/arch-aarch64/src/mmu.js';
import { makeMachine, type A64Machine } from './machine.js';
import * as T from './mmu-tables.js';

const RAM = 2 << 20;
const TABLE_BASE = 0x100000;

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 4294967296) * n);
  };
}

interface Cfg {
  g: 12 | 16;
  t0sz: number;
  t1sz: number;
  ttbr0: bigint;
  ttbr1: bigint;
  mair: bigint;
  wxn: boolean;
}

const bitsOf = (v: bigint, hi: number, lo: number) => (v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n);
const startLevel = (g: number, inputBits: number) => 4 - Math.ceil((inputBits - g) / (g - 3));

/** The model: PAR_EL1 for AT S1E{el}{R,W} of `va` (EL1&0 regime, Non-secure, IPS = 40 bits). */
function model(m: A64Machine, c: Cfg, va: bigint, el0: boolean, write: boolean): bigint {
  const fault = (fsc: number) => 1n | (BigInt(fsc) << 1n) | (1n << 11n);
  const upper = bitsOf(va, 55, 55) === 1n;
  const tsz = upper ? c.t1sz : c.t0sz;
  const inputBits = 64 - tsz;
  const top = va >> BigInt(inputBits);
  if (top !== (upper ? (1n << BigInt(tsz)) - 1n : 0n)) return fault(0x04);
  const g = c.g;
  const stride = g - 3;
  let level = startLevel(g, inputBits);
  let shift = g + stride * (3 - level);
  let nbits = inputBits - shift;
  const ttbr = upper ? c.ttbr1 : c.ttbr0;
  const firstBytes = BigInt(Math.max(8 * 2 ** nbits, 64));
  let table = bitsOf(ttbr, 47, 0) & ~(firstBytes - 1n);
  let apTable = 0n;
  let xnTable = 0n;
  let pxnTable = 0n;
  for (;;) {
    const at = table + 8n * bitsOf(va, shift + nbits - 1, shift);
    if (at + 8n > BigInt(RAM)) return fault(0x14 + level);
    const d = m.r64(Number(at));
    if ((d & 1n) === 0n) return fault(0x04 + level);
    if (level < 3 && (d & 2n) !== 0n) {
      if (bitsOf(d, 47, 40) !== 0n) return fault(0x00 + level);
      table = bitsOf(d, 47, g) << BigInt(g);
      apTable |= bitsOf(d, 62, 61);
      xnTable |= bitsOf(d, 60, 60);
      pxnTable |= bitsOf(d, 59, 59);
      level++;
      shift -= stride;
      nbits = stride;
      continue;
    }
    const blockOk = level === 3 ? (d & 2n) !== 0n : g === 16 ? level === 2 : level === 1 || level === 2;
    if (!blockOk) return fault(0x04 + level);
    if (bitsOf(d, 47, 40) !== 0n) return fault(0x00 + level);
    if (bitsOf(d, 10, 10) === 0n) return fault(0x08 + level);
    let ap = bitsOf(d, 7, 6);
    if (apTable & 2n) ap |= 2n;
    if (apTable & 1n) ap &= 2n;
    const userR = (ap & 1n) !== 0n;
    const userW = ap === 1n;
    const privW = (ap & 2n) === 0n;
    const r = el0 ? userR : true;
    const w = el0 ? userW : privW;
    if (write ? !w : !r) return fault(0x0c + level);
    void xnTable, void pxnTable, void c.wxn;
    const pa = (bitsOf(d, 47, shift) << BigInt(shift)) | bitsOf(va, shift - 1, 0);
    const index = Number(bitsOf(d, 4, 2));
    const attr = bitsOf(c.mair, 8 * index + 7, 8 * index);
    const sh = (attr & 0xf0n) === 0n ? 2n : bitsOf(d, 9, 8);
    return (attr << 56n) | (bitsOf(pa, 47, 12) << 12n) | (1n << 9n) | (sh << 7n);
  }
}

/** Builds random tables along the path of `va` (reusing descriptors already there). */
function randomPath(m: A64Machine, c: Cfg, va: bigint, r: (n: number) => number, alloc: () => number): void {
  const upper = bitsOf(va, 55, 55) === 1n;
  const inputBits = 64 - (upper ? c.t1sz : c.t0sz);
  const g = c.g;
  const stride = g - 3;
  let level = startLevel(g, inputBits);
  let shift = g + stride * (3 - level);
  let nbits = inputBits - shift;
  let table = bitsOf(upper ? c.ttbr1 : c.ttbr0, 47, 0);
  for (;;) {
    const at = Number(table + 8n * bitsOf(va, shift + nbits - 1, shift));
    let d = m.r64(at);
    if (d === 0n) {
      const attrs = BigInt(r(1 << 12)) << 2n; // AttrIndx, NS, AP, SH, AF, nG (bits 2-13)
      const hiAttrs = BigInt(r(16)) << 51n; // DBM/Contiguous/PXN/UXN (bits 51-54)
      const kind = r(10);
      if (kind === 0) d = BigInt(r(2)) << 1n; // invalid
      else if (level < 3 && kind < 6) {
        const next = BigInt(alloc());
        d = next | 3n | (BigInt(r(8)) << 59n); // table, with random APTable/XNTable/PXNTable
        if (r(20) === 0) d |= 1n << 41n; // next-level address above 40 bits
      } else {
        const oaBits = BigInt(r(1 << 20)) << 12n;
        const oaHigh = r(12) === 0 ? 1n << 40n : 0n;
        d = ((oaBits | oaHigh) & ~((1n << BigInt(shift)) - 1n)) | attrs | hiAttrs | (level === 3 ? (r(8) === 0 ? 1n : 3n) : r(6) === 0 ? 3n : 1n);
        if (level === 3 && (d & 3n) === 3n) {
          // pages keep their type
        } else if (level < 3 && (d & 3n) === 3n) d = (d & ~3n) | 1n; // stay a block here: no table without a table page
      }
      m.w64(at, d);
    }
    if (level < 3 && (d & 3n) === 3n) {
      const next = bitsOf(d, 47, g) << BigInt(g);
      if (next + BigInt(1 << g) > BigInt(RAM)) return;
      table = next;
      level++;
      shift -= stride;
      nbits = stride;
      continue;
    }
    return;
  }
}

describe('aarch64 MMU against a reference walk (random tables)', () => {
  const configs: Array<[12 | 16, number, number]> = [
    [12, 16, 16],
    [12, 25, 25],
    [12, 33, 20],
    [16, 22, 16],
    [16, 34, 30],
  ];
  for (const [g, t0sz, t1sz] of configs) {
    it(`${g === 12 ? '4K' : '64K'} granule, T0SZ ${t0sz}, T1SZ ${t1sz}: AT S1E1R/W and S1E0R/W agree with the model`, () => {
      const r = rng(g * 1000 + t0sz * 31 + t1sz);
      const m = makeMachine();
      let next = TABLE_BASE;
      const alloc = () => {
        const a = next;
        next += 1 << g;
        if (next > RAM) throw new Error('out of table space');
        return a;
      };
      const c: Cfg = { g, t0sz, t1sz, ttbr0: BigInt(alloc()), ttbr1: BigInt(alloc()), mair: 0x04ff4400bb0c08ffn, wxn: false };
      const tcr = (g === 12 ? T.TG0_4K | T.TG1_4K : T.TG0_64K | T.TG1_64K) | T.T0SZ(t0sz) | T.T1SZ(t1sz) | T.IPS(2);
      T.enableEl1(m, tcr, c.ttbr0 | (7n << 48n), c.ttbr1, 0n, c.mair);
      let checked = 0;
      /** -1 for a translation, else the fault kind (FSC without its level). */
      const outcomes = new Set<number>();
      for (let i = 0; i < 60 && next + 4 * (1 << g) <= RAM; i++) {
        const high = r(2) === 1;
        const bits = 64 - (high ? t1sz : t0sz);
        let va = (BigInt(r(1 << 30)) << 18n) ^ BigInt(r(1 << 18));
        va &= (1n << BigInt(bits)) - 1n;
        if (high) va |= ((1n << BigInt(64 - bits)) - 1n) << BigInt(bits);
        if (r(15) === 0) va ^= 1n << 60n; // out of range
        randomPath(m, c, va, r, alloc);
        for (const [el0, write] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          addressTranslate(m.cpu, el0 ? 0 : 1, write, Number(va & 0xffffffffn) | 0, Number(va >> 32n) | 0);
          const par = (BigInt(m.cpu.mmu.par[1] >>> 0) << 32n) | BigInt(m.cpu.mmu.par[0] >>> 0);
          expect({ va: va.toString(16), el0, write, par: par.toString(16) }).toEqual({ va: va.toString(16), el0, write, par: model(m, c, va, el0, write).toString(16) });
          checked++;
          // The data path (TLB fill, then a hit) agrees: EL0 permissions through LDTR/STTR's flag.
          const expected = model(m, c, va, el0, write);
          for (let twice = 0; twice < 2; twice++) {
            const pa = translate(m.cpu, Number(va & 0xffffffffn) | 0, Number(va >> 32n) | 0, write ? ACC_WRITE : ACC_READ, el0);
            if ((expected & 1n) !== 0n) expect([va.toString(16), pa, XLATE[0]]).toEqual([va.toString(16), -1, Number((expected >> 1n) & 63n)]);
            else expect([va.toString(16), BigInt(pa) >> 12n]).toEqual([va.toString(16), bitsOf(expected, 47, 12)]);
          }
          outcomes.add((par & 1n) !== 0n ? Number((par >> 1n) & 0x3cn) : -1);
        }
      }
      expect(checked).toBeGreaterThan(40);
      // Both successful translations and several fault kinds were exercised.
      expect(outcomes.has(-1)).toBe(true);
      expect(outcomes.size).toBeGreaterThanOrEqual(4);
    });
  }
});
