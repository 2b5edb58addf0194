import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../../src/core/session.js';
import { writeSpinGuest } from '../../helpers/tui-guest.js';

/** Machine.singleStep / applyPendingReset, which the TUI's step and reset keys use. */
describe('interactive machine control', () => {
  it('steps one instruction at a time and resets a paused machine at once', async () => {
    const kernel = writeSpinGuest(join(mkdtempSync(join(tmpdir(), 'rvos-step-')), 'spin.elf'));
    const session = await createSession({ board: 'virt', bios: 'none', kernel, serial: 'capture', config: '/dev/null' });
    const { machine } = session;
    const cpu = machine.cpus[0];
    try {
      expect(cpu.pc).toBe(0x1000); // QEMU's reset ROM
      expect(machine.singleStep()).toBe(1);
      expect(machine.instructions).toBe(1);
      expect(cpu.pc).toBe(0x1004);
      let steps = 0;
      while (cpu.pc >>> 0 !== 0x80000000 && steps++ < 20) machine.singleStep();
      expect(cpu.pc >>> 0).toBe(0x80000000); // the ROM jumped to the kernel
      machine.singleStep();
      machine.singleStep();
      expect(cpu.getReg(10) >>> 0).toBeGreaterThan(0x80000000); // li a0, banner done
      machine.reset('test');
      machine.applyPendingReset();
      expect(cpu.pc).toBe(0x1000);
      expect(cpu.getReg(10)).toBe(0);
      machine.stop();
      expect(machine.singleStep()).toBe(0);
    } finally {
      await session.close();
    }
  });
});
