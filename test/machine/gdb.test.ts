import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gdbSession, hasGdb } from '../helpers/gdb-session.js';
import { tempFile } from '../helpers/raspi3b.js';
import { built, firmware, imageCopies, kernel as virtKernel } from '../helpers/virt-os.js';

/**
 * Debian's gdb-multiarch in batch mode against `rvos run -S --gdb tcp::0` on each board's
 * reference kernel: connect, break at a kernel symbol, read a system register, watch a kernel
 * variable and hit it, stop in user mode at a system call, step into the kernel, read memory at
 * a user virtual address, continue to power-off (typing at the shell's prompts meanwhile).
 */
const kernels = join(import.meta.dirname, '../../kernels');
const ANSWERS = { prompt: '$ ', answers: ['echo hi', 'shutdown'] };
/** gdb steps until the current instruction is a system call (mask/value of its encoding). */
const stepUntil = (cond: string) => ['set $n = 0', `while !(${cond}) && $n < 10000`, 'stepi', 'set $n = $n + 1', 'end'];

describe.skipIf(!hasGdb)('gdb-multiarch', () => {
  /* The rv32 target description says <osabi>none</osabi>: GDB then steps with the target's vCont;s, not in software. */
  it.skipIf(!built)('virt (rv32): break, CSRs, watch, ecall into the trap vector, power-off', async () => {
    const images = imageCopies('rvos-gdb-virt-');
    try {
      const r = await gdbSession(
        ['--board', 'virt', '--bios', firmware, '--kernel', virtKernel, '--drive', `file=${images.copy()}`, '--idle', 'warp'],
        virtKernel,
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
          'stepi',
          'printf "@trap %d %x %d\\n", (unsigned) $pc == (unsigned) $stvec, $scause, $priv',
          'monitor info mmu 0x10000',
          'continue',
        ],
        ANSWERS,
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
  }, 120_000);

  const pi = join(kernels, 'raspi3b/build/kernel8.elf');
  it.skipIf(!existsSync(pi))('raspi3b (aarch64, 4 cores): break, system registers, watch, svc from EL0 into the vectors, power-off', async () => {
    const r = await gdbSession(
      ['--board', 'raspi3b', '--kernel', pi, '--semihosting', '--idle', 'warp'],
      pi,
      [
        'info threads',
        'break main',
        'continue',
        'printf "@sctlr %x\\n", $SCTLR_EL1',
        // The first system call from EL0; back in user mode after it, then step to the next svc and over it.
        'break syscall',
        'continue',
        'set $ret = $ELR_EL1',
        'set $space = $TTBR0_EL1',
        'delete',
        'break *$ret if $TTBR0_EL1 == $space',
        'continue',
        'delete',
        ...stepUntil('((*(unsigned int *)$pc) & 0xffe0001f) == 0xd4000001'),
        'x/i $pc',
        'printf "@el %d\\n", $cpsr & 0xf',
        'stepi',
        'printf "@trap %d %d %x\\n", $pc == $VBAR_EL1 + 0x400, $cpsr & 0xf, $ESR_EL1 >> 26',
        'watch *(int *)&ticks',
        'continue',
        'delete',
        'continue',
      ],
      ANSWERS,
    );
    expect(r.gdb).toMatch(/Thread 4 \(CPU#3 \[halted\]/);
    expect(r.gdb).toMatch(/hit Breakpoint 1, main/);
    expect(r.gdb).toMatch(/^@sctlr [0-9a-f]+$/m);
    expect(r.gdb).toMatch(/hit Breakpoint 2, syscall/);
    expect(r.gdb).toMatch(/=> 0x1[0-9a-f]{8}:\s+svc\s+#0x0/); // EL0 code at its virtual address
    expect(r.gdb).toMatch(/^@el 0$/m);
    expect(r.gdb).toMatch(/^@trap 1 5 15$/m); // lower-EL synchronous vector, EL1h, EC 0x15 (SVC)
    expect(r.gdb).toMatch(/Hardware watchpoint \d+: \*\(int \*\)&ticks\s+Old value = \d+\s+New value = \d+/);
    expect(r.gdb).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toMatch(/\$ echo hi\r?\nhi\r?\n/);
    expect(r.rvosCode).toBe(0);
  }, 120_000);

  const pcKernel = join(kernels, 'pc/build/kernel.elf');
  const pcDisk = join(kernels, 'pc/build/disk.img');
  it.skipIf(!existsSync(pcKernel) || !existsSync(pcDisk))('pc (i386): break, CR0, int 0x80 from ring 3 into its gate, watch, power-off', async () => {
    const disk = tempFile('pc-disk.img', readFileSync(pcDisk));
    const trace = tempFile('trace.log', new Uint8Array());
    const r = await gdbSession(
      ['--board', 'pc', '--drive', `file=${disk},if=ide,format=raw`, '--idle', 'warp', '--trace-file', trace],
      pcKernel,
      [
        'break kmain',
        'continue',
        'printf "@cr0 %x\\n", $cr0',
        // A system call from ring 3: its gate's entry has the user eip and cs on the stack.
        'break isr128 if (*(int *)($esp + 4) & 3) == 3',
        'continue',
        'set $ret = *(int *)$esp',
        'set $space = $cr3',
        'delete',
        'break *$ret if $cr3 == $space',
        'continue',
        'delete',
        ...stepUntil('*(unsigned short *)$pc == 0x80cd'),
        'x/i $pc',
        'printf "@ring %d\\n", $cs & 3',
        'stepi',
        'printf "@trap %d %d\\n", (unsigned) $pc == (unsigned) &isr128, $cs & 3',
        'watch *(int *)&ticks',
        'continue',
        'delete',
        'monitor trace on trap',
        'continue',
      ],
      ANSWERS,
    );
    expect(readFileSync(trace, 'latin1')).toMatch(/us trap {5}cpu0 (interrupt|exception) /);
    expect(r.gdb).toMatch(/^tracing trap$/m);
    expect(r.gdb).toMatch(/Breakpoint 1, kmain/);
    expect(r.gdb).toMatch(/^@cr0 [0-9a-f]*1$/m); // protected mode
    expect(r.gdb).toMatch(/=> 0x[0-9a-f]+:\s+int\s+\$0x80/); // ring-3 code at its virtual address
    expect(r.gdb).toMatch(/^@ring 3$/m);
    expect(r.gdb).toMatch(/^@trap 1 0$/m);
    expect(r.gdb).toMatch(/Hardware watchpoint \d+: \*\(int \*\)&ticks\s+Old value = \d+\s+New value = \d+/);
    expect(r.gdb).toMatch(/\[Inferior 1 \(Remote target\) exited with code 01\]/);
    expect(r.console).toMatch(/\$ echo hi\r?\nhi\r?\n/);
    expect(r.rvosCode).toBe(1);
  }, 120_000);
});
