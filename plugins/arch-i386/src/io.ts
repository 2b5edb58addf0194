/**
 * IN/OUT and INS/OUTS through the core's I/O port space, with the protected-mode I/O permission
 * checks (SDM vol. 1, 19.5): CPL <= IOPL, or every port's bit clear in the TSS I/O permission bitmap.
 */
import type { AccessSize } from '../../../src/core/api.js';
import { CR0_PE, GP, LIN, VM } from './consts.js';
import type { I386Cpu } from './cpu.js';
import { ioAccess } from './debugregs.js';

/** I/O breakpoints (debugregs.ts); #GP(0) unless the access to `size` ports from `port` is allowed at the current CPL/IOPL. */
export function ioPermission(cpu: I386Cpu, port: number, size: number): void {
  if (cpu.breakpoints.io !== 0) ioAccess(cpu, port, size); // recorded here: every port access starts with this check
  if (!(cpu.cr0 & CR0_PE) || (cpu.cpl <= cpu.iopl && !(cpu.flagsRest & VM))) return;
  // Only a 32-bit TSS has a bitmap; its offset is the word at 0x66, and bits past the TSS limit deny.
  if ((cpu.trType & 0x9) !== 0x9 || cpu.trLimit < 0x67) cpu.raise(GP, 0);
  const at = cpu.readMem(LIN, (cpu.trBase + 0x66) >>> 0, 2) + (port >> 3);
  if (at + 1 > cpu.trLimit) cpu.raise(GP, 0);
  const bits = cpu.readMem(LIN, (cpu.trBase + at) >>> 0, 2);
  if ((bits >> (port & 7)) & ((1 << size) - 1)) cpu.raise(GP, 0);
}

export function portIn(cpu: I386Cpu, port: number, size: AccessSize): number {
  ioPermission(cpu, port, size);
  return cpu.io.read(port, size);
}

export function portOut(cpu: I386Cpu, port: number, size: AccessSize, value: number): void {
  ioPermission(cpu, port, size);
  cpu.io.write(port, size, value);
}
