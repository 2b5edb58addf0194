/**
 * The AArch64 debugger interface on a real guest on the raspi3b board (four cores, each with its
 * own CpuDebug): EL3 firmware-like set-up, an EL1 "kernel" with an SVC handler, an EL0 loop that
 * stores a counter and makes a system call. A breakpoint, a write watchpoint and a step over SVC.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Cpu } from '../../../src/core/api.js';
import { createSession } from '../../../src/core/session.js';
import * as A from '../../helpers/a64asm.js';
import { makeElf } from '../../helpers/elf.js';
import { SYSREG_ELR_EL1, SYSREG_ELR_EL3, SYSREG_MPIDR_EL1, SYSREG_SCR_EL3, SYSREG_SPSR_EL1, SYSREG_SPSR_EL3, SYSREG_VBAR_EL1 } from '../../../plugins/arch-aarch64/src/sysregs.js';
import { ERET } from './machine.js';

const BASE = 0x80000;
const VECTORS = 0x81000;
const COUNTER = 0x90000;
const TICKS = 0x90008;

/** The guest with its labels: assembled twice, the first time to learn where they are (every piece has a fixed length). */
function guest(labels: Record<string, number>): { code: number[]; labels: Record<string, number> } {
  const code: number[] = [];
  const found: Record<string, number> = {};
  const here = () => BASE + 4 * code.length;
  const label = (name: string) => (found[name] = here());
  const rel = (name: string) => (labels[name] ?? here()) - here();
  const emit = (...w: Array<number | number[]>) => code.push(...w.flat());
  // EL3, every core: cores 1-3 park.
  emit(A.mrs(0, SYSREG_MPIDR_EL1), A.andi(0, 0, 3));
  emit(A.cbnz(0, rel('park')));
  emit(A.mov64(1, 1 << 10), A.msr(SYSREG_SCR_EL3, 1)); // RW: (Secure) EL1 is AArch64
  emit(A.mov64(1, 0x3c5), A.msr(SYSREG_SPSR_EL3, 1)); // EL1h, DAIF masked
  emit(A.mov64(1, labels.el1 ?? 0), A.msr(SYSREG_ELR_EL3, 1), ERET);
  label('el1');
  emit(A.mov64(1, VECTORS), A.msr(SYSREG_VBAR_EL1, 1));
  emit(A.mov64(1, 0), A.msr(SYSREG_SPSR_EL1, 1)); // EL0t
  emit(A.mov64(1, labels.user ?? 0), A.msr(SYSREG_ELR_EL1, 1), ERET);
  label('user');
  emit(A.mov64(2, COUNTER), A.movz(3, 0));
  label('loop');
  emit(A.addi(3, 3, 1));
  label('store');
  emit(A.str(3, 2, 0));
  label('svc');
  emit(A.svc(0));
  emit(A.b(rel('loop')));
  label('park');
  emit(A.wfe(), A.b(-4));
  // The EL1 vector table: synchronous exception from a lower EL (AArch64) at +0x400.
  while (here() < VECTORS + 0x400) code.push(A.nop());
  label('handler');
  emit(A.mov64(4, TICKS), A.ldr(5, 4, 0), A.addi(5, 5, 1), A.str(5, 4, 0), ERET);
  return { code, labels: found };
}

const dir = mkdtempSync(join(tmpdir(), 'rvos-a64-debug-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeKernel(): { path: string; labels: Record<string, number> } {
  const { labels } = guest({});
  const { code } = guest(labels);
  const bytes = new Uint8Array(4 * code.length);
  code.forEach((w, i) => new DataView(bytes.buffer).setUint32(4 * i, w >>> 0, true));
  const path = join(dir, 'guest.elf');
  writeFileSync(path, makeElf({ machine: 183, elfClass: 2, entry: BASE, segments: [{ paddr: BASE, data: bytes }] }));
  return { path, labels };
}

/** Runs `cpu` in slices until the debugger stops it (a bounded number of instructions). */
function runUntilStop(cpu: Cpu, limit = 10_000): number {
  let done = 0;
  while (cpu.debug!.stop === undefined && done < limit) {
    const n = cpu.run(100);
    done += n;
    if (n === 0 && cpu.debug!.stop === undefined) break;
  }
  return done;
}

const word64 = (bytes: Uint8Array | undefined) => new DataView(bytes!.buffer, bytes!.byteOffset).getBigUint64(0, true);

describe('aarch64 CpuDebug on a raspi3b guest', () => {
  it('breakpoint at EL0, write watchpoint before the store, step over SVC into the EL1 handler, continue', async () => {
    const { path, labels } = writeKernel();
    const session = await createSession({ board: 'raspi3b', kernel: path, serial: 'capture', config: '/dev/null' });
    try {
      const cpus = session.machine.cpus;
      expect(cpus.length).toBe(4);
      expect(new Set(cpus.map((c) => c.debug)).size).toBe(4);
      const c0 = cpus[0];
      const d = c0.debug!;
      const ram = session.machine.bus.ram;
      const mem64 = (va: number) => ram.view.getBigUint64(d.translate(BigInt(va), false) - ram.base, true);
      const cpsrEl = () => (d.readRegister(33)![0] >>> 2) & 3;

      // 1. A breakpoint at the user code: reached at EL0 after two ERETs.
      d.setBreakpoints([BigInt(labels.user)]);
      runUntilStop(c0);
      expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(labels.user) });
      expect(d.pc).toBe(BigInt(labels.user));
      expect(cpsrEl()).toBe(0);
      // The other cores have their own (empty) debug state.
      expect(cpus[1].debug!.stop).toBeUndefined();

      // 2. A write watchpoint on the counter: stops on the STR, before it stores.
      d.stop = undefined;
      d.setBreakpoints([]);
      d.setWatchpoints([{ address: BigInt(COUNTER), length: 8, kind: 'write' }]);
      runUntilStop(c0);
      expect(d.stop).toEqual({ kind: 'write', address: BigInt(COUNTER) });
      expect(d.pc).toBe(BigInt(labels.store));
      expect(word64(d.readRegister(3))).toBe(1n);
      expect(mem64(COUNTER)).toBe(0n);

      // 3. GDB steps over the hit without the watchpoint (the store happens), then steps the SVC
      // with interrupts masked: into the EL1 handler.
      d.stop = undefined;
      d.setWatchpoints([]);
      d.maskInterrupts = true;
      expect(c0.run(1)).toBe(1);
      expect(mem64(COUNTER)).toBe(1n);
      expect(d.pc).toBe(BigInt(labels.svc));
      expect(c0.run(1)).toBe(1);
      expect(d.pc).toBe(BigInt(VECTORS + 0x400));
      expect(d.pc).toBe(BigInt(labels.handler));
      expect(cpsrEl()).toBe(1);
      d.maskInterrupts = false;

      // 4. Continue to the next SVC: the handler counted one call, the loop stored 2.
      d.setBreakpoints([BigInt(labels.svc)]);
      runUntilStop(c0);
      expect(d.stop).toEqual({ kind: 'breakpoint', address: BigInt(labels.svc) });
      expect(mem64(TICKS)).toBe(1n);
      expect(mem64(COUNTER)).toBe(2n);
      expect(cpsrEl()).toBe(0);
      expect(d.describeTranslation(BigInt(COUNTER)).at(-1)).toBe(`-> pa 0x${COUNTER.toString(16)}`);
    } finally {
      await session.close();
    }
  });
});
