import { describe, expect, it } from 'vitest';
import { gdbSession, hasGdb } from '../helpers/gdb-session.js';
import { built, firmware, imageCopies, kernel } from '../helpers/virt-os.js';

/**
 * gdb-multiarch against `rvos run -S --gdb` on the virt teaching OS (rv32, S-mode kernel, Sv32
 * user processes): break at a kernel symbol, read CSRs, watch a kernel variable, stop at a user
 * ecall and step into the trap vector, read user memory, then continue to power-off.
 *
 * GDB steps RISC-V in software (a breakpoint after the instruction), so its `stepi` over an
 * ecall runs the whole system call; the step into the kernel is the stub's own single step,
 * sent as a raw packet (`maint packet vCont;s:1`) as a client that asks the target to step does.
 */
describe.skipIf(!hasGdb || !built)('gdb-multiarch on virt', () => {
  it('breaks, watches, steps over an ecall into the kernel and continues to power-off', async () => {
    const images = imageCopies('rvos-gdb-virt-');
    try {
      const r = await gdbSession(
        ['--board', 'virt', '--bios', firmware, '--kernel', kernel, '--drive', `file=${images.copy()}`, '--idle', 'warp'],
        kernel,
        [
          'info threads',
          'break kmain',
          'continue',
          // The shell's first prompt: in the kernel's write system call, called from user mode.
          'break sys_write',
          'continue',
          'printf "@satp %x\\n", $satp',
          'printf "@sstatus %x\\n", $sstatus',
          'set $shell = $satp',
          'set $ecall = $sepc',
          'x/i $sepc',
          'delete',
          // A kernel variable: fork (the shell running "echo hi") writes it.
          'watch *(int *)&nextpid',
          'continue',
          'delete',
          // The shell's next prompt: at its ecall in user mode, then one step into the kernel.
          'break *$ecall if $satp == $shell',
          'continue',
          'printf "@priv %d\\n", $priv',
          'delete',
          'maint packet vCont;s:1',
          'maint flush register-cache',
          'printf "@trap %d %x %d\\n", (unsigned) $pc == (unsigned) $stvec, $scause, $priv',
          'monitor info mmu 0x10000',
          'continue',
        ],
        { prompt: '$ ', answers: ['echo hi', 'shutdown'] },
      );
      expect(r.gdb).toMatch(/Thread 1 \(CPU#0 \[halted\]/);
      expect(r.gdb).toMatch(/Breakpoint 1, kmain/);
      expect(r.gdb).toMatch(/Breakpoint 2, sys_write/);
      expect(r.gdb).toMatch(/^@satp 8[0-9a-f]{7}$/m); // Sv32 on
      expect(r.gdb).toMatch(/^@sstatus [0-9a-f]+$/m);
      expect(r.gdb).toMatch(/0x[0-9a-f]+:\s+ecall/); // user memory through the process's page table
      expect(r.gdb).toMatch(/Hardware watchpoint \d+: \*\(int \*\)&nextpid\s+Old value = \d+\s+New value = \d+/);
      expect(r.gdb).toMatch(/^@priv 0$/m); // U-mode, at the ecall
      expect(r.gdb).toMatch(/^@trap 1 8 1$/m); // at stvec, cause 8 (ecall from U), S-mode
      expect(r.gdb).toMatch(/^-> pa 0x[0-9a-f]+$/m);
      expect(r.gdb).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
      expect(r.console).toMatch(/\$ echo hi\r?\nhi\r?\n/);
      expect(r.rvosCode).toBe(0);
    } finally {
      images.cleanup();
    }
  });
});
