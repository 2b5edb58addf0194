/**
 * Arm semihosting for A64 (HLT #0xF000; "Semihosting for AArch32 and AArch64", v2): W0 holds
 * the operation, X1 the parameter (block), X0 receives the result. Implemented: SYS_WRITEC,
 * SYS_WRITE0, SYS_WRITE (to the console, any handle), SYS_EXIT and SYS_EXIT_EXTENDED (which
 * take a parameter block on A64; ADP_Stopped_ApplicationExit exits with its subcode, any other
 * reason with 1, as QEMU 7.2's arm-compat-semi.c does). Other operations return -1.
 * Output goes to `cpu.semihostingOutput` (one byte at a time).
 */
import type { A64Cpu } from './cpu.js';
import { loadSlow, MV } from './memory.js';

export const SEMIHOSTING_HLT = 0xf000;
export const SYS_WRITEC = 0x03;
export const SYS_WRITE0 = 0x04;
export const SYS_WRITE = 0x05;
export const SYS_EXIT = 0x18;
export const SYS_EXIT_EXTENDED = 0x20;
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

const TWO32 = 4294967296;
/** Longest SYS_WRITE0 string or SYS_WRITE buffer copied in one call (a guest bug must not hang the host). */
const MAX_STRING = 1 << 20;

/** Reads a byte (or a 64-bit word with size 3) at X1-relative guest addresses; false on a fault. */
function readGuest(cpu: A64Cpu, lo: number, hi: number, offset: number, size: number, pcLo: number, pcHi: number): boolean {
  const s = (lo >>> 0) + offset;
  loadSlow(cpu, s | 0, (hi + Math.floor(s / TWO32)) | 0, size, pcLo, pcHi);
  return !cpu.exc;
}

export function semihostingCall(cpu: A64Cpu, pcLo: number, pcHi: number): void {
  const op = cpu.xl[0];
  const pl = cpu.xl[1];
  const ph = cpu.xh[1];
  let result = 0;
  switch (op) {
    case SYS_WRITEC:
      if (!readGuest(cpu, pl, ph, 0, 0, pcLo, pcHi)) return;
      cpu.semihostingOutput(MV[0] & 0xff);
      break;
    case SYS_WRITE0:
      for (let i = 0; i < MAX_STRING; i++) {
        if (!readGuest(cpu, pl, ph, i, 0, pcLo, pcHi)) return;
        const ch = MV[0] & 0xff;
        if (ch === 0) break;
        cpu.semihostingOutput(ch);
      }
      break;
    case SYS_WRITE: {
      // block: handle, buffer, length; returns the number of bytes NOT written
      if (!readGuest(cpu, pl, ph, 8, 3, pcLo, pcHi)) return;
      const bl = MV[0];
      const bh = MV[1];
      if (!readGuest(cpu, pl, ph, 16, 3, pcLo, pcHi)) return;
      const len = MV[1] !== 0 ? MAX_STRING : Math.min(MV[0] >>> 0, MAX_STRING);
      for (let i = 0; i < len; i++) {
        if (!readGuest(cpu, bl, bh, i, 0, pcLo, pcHi)) return;
        cpu.semihostingOutput(MV[0] & 0xff);
      }
      break;
    }
    case SYS_EXIT:
    case SYS_EXIT_EXTENDED: {
      if (!readGuest(cpu, pl, ph, 0, 3, pcLo, pcHi)) return;
      const reason = MV[0];
      const reasonHi = MV[1];
      if (!readGuest(cpu, pl, ph, 8, 3, pcLo, pcHi)) return;
      const code = reason === ADP_STOPPED_APPLICATION_EXIT && reasonHi === 0 ? MV[0] : 1;
      cpu.machine.powerOff(code, 'semihosting SYS_EXIT');
      cpu.requestExit();
      return;
    }
    default:
      result = -1;
  }
  cpu.xl[0] = result;
  cpu.xh[0] = result >> 31;
}
