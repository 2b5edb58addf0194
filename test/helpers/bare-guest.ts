import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession, type Session, type SessionOptions } from '../../src/core/session.js';
import { makeElf } from './elf.js';
import * as A from './rv32asm.js';

/** Where `--bios none` starts a kernel on `virt`. */
export const RAM_BASE = 0x80000000;
export const SIFIVE_TEST = 0x00100000;
export const MTIMECMP = 0x02004000;
export const MTIME = 0x0200bff8;
export const CSR_MTVEC = 0x305;
export const CSR_MIE = 0x304;
export const CSR_MSTATUS = 0x300;
export const CSR_MEPC = 0x341;

/** `sw` of 0x5555 to the sifive_test device: power off with code 0 (clobbers t0, t1). */
export const powerOff = (): number[] => [...A.li(A.t0, SIFIVE_TEST), ...A.li(A.t1, 0x5555), A.sw(A.t1, A.t0, 0)];

/**
 * Set-up of a periodic machine-timer interrupt: mtvec = the handler (its address is patched into
 * the first `li` by the caller, who knows where the handler lands), s2 = &mtimecmp, s3 = period,
 * first deadline at `period` ticks, MTIE and mstatus.MIE on.
 */
export function periodicTimerSetup(period: number): number[] {
  return [
    ...A.li(A.t0, 0), // patched: the handler's address
    A.csrw(CSR_MTVEC, A.t0),
    ...A.li(A.s2, MTIMECMP),
    A.sw(A.zero, A.s2, 4),
    ...A.li(A.s3, period),
    A.sw(A.s3, A.s2, 0),
    ...A.li(A.t0, 0x80),
    A.csrw(CSR_MIE, A.t0),
    A.csrsi(CSR_MSTATUS, 8),
  ].flat();
}

/** Writes a bare-metal M-mode guest (instructions at RAM base) as an ELF in a fresh temporary folder. */
export function writeGuest(code: Array<number | number[]>, name = 'guest.elf'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-guest-'));
  const path = join(dir, name);
  writeFileSync(path, makeElf({ entry: RAM_BASE, segments: [{ paddr: RAM_BASE, data: A.assemble(code) }] }));
  return path;
}

/** Builds `virt` (or `board`) around a guest with the console captured, no firmware and no disk. */
export function bootGuest(kernel: string, extra: Partial<SessionOptions> = {}): Promise<Session> {
  return createSession({ board: 'virt', bios: 'none', kernel, serial: 'capture', config: '/dev/null', drives: ['none'], ...extra });
}
