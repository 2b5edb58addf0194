/** PUSHA/POPA, ENTER, and the BCD adjustments (DAA DAS AAA AAS AAM AAD), flags as QEMU computes them. */
import type { AccessSize } from '../../../src/core/api.js';
import { AF, CF, PF, SF, ZF, arithFlags, CcOp, OF } from './flags.js';
import { DE, EAX, EBP, ESP, SS } from './consts.js';
import type { I386Cpu } from './cpu.js';

export function pushAll(cpu: I386Cpu, vs: AccessSize): void {
  const sp = cpu.getR(ESP, vs);
  for (let r = 0; r < 8; r++) cpu.push(vs, r === ESP ? sp : cpu.getR(r, vs));
}

export function popAll(cpu: I386Cpu, vs: AccessSize): void {
  for (let r = 7; r >= 0; r--) {
    const v = cpu.pop(vs);
    if (r !== ESP) cpu.setR(r, vs, v);
  }
}

/** ENTER size, level (SDM vol. 2, ENTER): nested frame pointers copied from the enclosing frame. */
export function enter(cpu: I386Cpu, vs: AccessSize, size: number, level: number): void {
  level &= 31;
  const big = cpu.segBig[SS] !== 0;
  cpu.push(vs, cpu.getR(EBP, vs));
  const frame = big ? cpu.regs[ESP] >>> 0 : cpu.regs[ESP] & 0xffff;
  if (level > 0) {
    let bp = big ? cpu.regs[EBP] >>> 0 : cpu.regs[EBP] & 0xffff;
    for (let i = 1; i < level; i++) {
      bp = big ? (bp - vs) >>> 0 : (bp - vs) & 0xffff;
      cpu.push(vs, cpu.readMem(SS, bp, vs));
    }
    cpu.push(vs, frame);
  }
  cpu.setR(EBP, vs, frame);
  if (big) cpu.regs[ESP] -= size; else cpu.setR(ESP, 2, cpu.regs[ESP] - size);
}

/** Sets SF ZF PF from AL over `others` (CF AF, OF = 0). */
function setFromAl(cpu: I386Cpu, al: number, others: number): void {
  cpu.eflags = (cpu.eflags & ~(CF | PF | AF | ZF | SF | OF)) | (arithFlags(CcOp.Logic, 0, 0, al, 8, 0) & (PF | ZF | SF)) | others;
}

export function bcdAdjust(cpu: I386Cpu, op: number): void {
  const f = cpu.eflags, cf = f & CF, af = f & AF;
  let al = cpu.regs[EAX] & 0xff, ah = (cpu.regs[EAX] >>> 8) & 0xff;
  switch (op) {
    case 0x27: case 0x2f: { // DAA, DAS
      const old = al;
      let out = 0;
      if ((al & 0x0f) > 9 || af) {
        out |= AF;
        if (op === 0x2f && (al < 6 || cf)) out |= CF;
        al = (op === 0x27 ? al + 6 : al - 6) & 0xff;
      }
      if (old > 0x99 || cf) { al = (op === 0x27 ? al + 0x60 : al - 0x60) & 0xff; out |= CF; }
      cpu.setR(EAX, 1, al);
      setFromAl(cpu, al, out);
      return;
    }
    case 0x37: case 0x3f: { // AAA, AAS: only CF and AF change
      let out = 0;
      if ((al & 0x0f) > 9 || af) {
        if (op === 0x37) { ah = (ah + 1 + (al > 0xf9 ? 1 : 0)) & 0xff; al = (al + 6) & 0x0f; }
        else { ah = (ah - 1 - (al < 6 ? 1 : 0)) & 0xff; al = (al - 6) & 0x0f; }
        out = CF | AF;
      } else al &= 0x0f;
      cpu.setR(EAX, 2, al | (ah << 8));
      cpu.eflags = (f & ~(CF | AF)) | out;
      return;
    }
    case 0xd4: { // AAM imm8
      const base = cpu.imm(1);
      if (base === 0) cpu.raise(DE);
      ah = Math.floor(al / base); al %= base;
      cpu.setR(EAX, 2, al | (ah << 8));
      setFromAl(cpu, al, 0);
      return;
    }
    default: { // AAD imm8
      const base = cpu.imm(1);
      al = (ah * base + al) & 0xff;
      cpu.setR(EAX, 2, al);
      setFromAl(cpu, al, 0);
    }
  }
}
