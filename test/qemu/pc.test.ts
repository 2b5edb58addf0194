/**
 * The pc reference kernel (kernels/pc) on qemu-system-i386: booted by real GRUB 2 (an ISO from
 * grub-mkrescue and kernels/pc/grub.cfg, multiboot2) and by QEMU's own multiboot 1 loader
 * (-kernel, the same modules as -initrd), the COM1 transcript must equal session.expected while
 * session.in is typed into the shell (after the `ready` line) with a copy of build/disk.img as
 * the IDE primary master, and the kernel powers off through isa-debug-exit (value 0: QEMU exits
 * with 1). The GRUB tests skip when grub-mkrescue, xorriso or mtools are absent.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPcIso, grubIsoAvailable, pcArgs, PC_KERNEL_DIR, QEMU_I386_BINARY, qemuI386Available, runQemuPc } from '../helpers/qemu-i386.js';

const read = (name: string) => readFileSync(join(PC_KERNEL_DIR, name), 'latin1');

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rvos-pc-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh copy of the committed disk (the guest writes to it). */
function diskCopy(name: string): string {
  const disk = join(tmp, name);
  copyFileSync(join(PC_KERNEL_DIR, 'build/disk.img'), disk);
  return disk;
}

describe.skipIf(!grubIsoAvailable())('pc reference kernel on QEMU, booted by GRUB 2 (multiboot2)', () => {
  let iso = '';
  beforeAll(() => {
    iso = buildPcIso(join(tmp, 'grub'));
  });

  it('prints every checkpoint of session.expected and exits through isa-debug-exit', async () => {
    const r = await runQemuPc({ iso, disk: diskCopy('session.img'), input: read('session.in') });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toBe(read('session.expected'));
    expect(r.exitCode).toBe(1);
  });

  it('files written to the disk (ATA WRITE SECTORS) are there at the next boot', async () => {
    const disk = diskCopy('persist.img');
    const first = await runQemuPc({ iso, disk, input: 'mkdir docs\nwrite docs/todo.txt port rvos to another board\nq\n' });
    expect(first.output).toContain('\nwrote 27 bytes to docs/todo.txt\n');
    expect(first.exitCode).toBe(1);
    const second = await runQemuPc({ iso, disk, input: 'cat docs/todo.txt\nls docs\nq\n' });
    expect(second.output).toContain(
      '\n$ cat docs/todo.txt\nport rvos to another board\n$ ls docs\n.                    dir      96\n..                   dir     160\ntodo.txt             file     27\n',
    );
    expect(second.exitCode).toBe(1);
  });

  it('a fatal exception in the kernel is printed with the vector, CR2 and the registers; exit code 3', async () => {
    const r = await runQemuPc({ iso, input: 'crash\n' });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toContain('\n[6] ide: no disk on the primary master\n');
    expect(r.output).toMatch(
      /\n\$ crash\n\nkernel panic: exception 14 \(page fault\), cr2=00000000\n {2}eax=[0-9a-f]{8} .*\n {2}esi=.*\n {2}eip=[0-9a-f]{8} cs=0008 eflags=[0-9a-f]{8} err=00000002\n$/,
    );
    expect(r.exitCode).toBe(3);
  });
});

describe.skipIf(!qemuI386Available())('pc reference kernel on QEMU, booted by -kernel (multiboot 1)', () => {
  it('prints the same transcript as under GRUB', async () => {
    const r = await runQemuPc({ direct: true, disk: diskCopy('direct.img'), input: read('session.in') });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toBe(read('session.expected'));
    expect(r.exitCode).toBe(1);
  });

  it('without a disk the programs run from the modules; uptime counts PIT ticks (at least 20 after a 200 ms sleep)', async () => {
    const r = await runQemuPc({ direct: true, input: 'sleep 200\nuptime\nls\nhello\nq\n' });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toContain('\n[6] ide: no disk on the primary master\n');
    expect(r.output).toContain('\n$ sleep 200\nsleep: 200 ms, at least that long: yes\n');
    expect(r.output).toContain('\n$ ls\nls: no file system\n$ hello\nhello, world! (from ring 3, pid ');
    const m = /\nuptime: (\d+) ticks, (\d+)\.(\d\d) s\n/.exec(r.output);
    expect(m, r.output).not.toBeNull();
    const ticks = Number(m![1]);
    expect(ticks).toBeGreaterThanOrEqual(20);
    expect(Number(m![2]) * 100 + Number(m![3])).toBe(ticks);
    expect(r.exitCode).toBe(1);
  });

  it('the PS/2 keyboard (i8042, IRQ 1) types into the shell too (QEMU monitor sendkey after the ready line)', async () => {
    const sock = join(tmp, 'monitor.sock');
    const keys = ['h', 'e', 'l', 'l', 'o', 'ret', 'shift-e', 'c', 'h', 'o', 'spc', 'shift-h', 'i', 'shift-1', 'ret', 'q', 'ret'];
    const child = spawn(QEMU_I386_BINARY, [...pcArgs({ direct: true }), '-monitor', `unix:${sock},server=on,wait=off`]);
    let output = '';
    let typing = false;
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (typing || !/^ready\b.*\n/m.test(output)) return;
      typing = true;
      const monitor = connect(sock, async () => {
        for (const k of keys) {
          monitor.write(`sendkey ${k}\r\n`);
          await new Promise((r) => setTimeout(r, 50));
        }
        monitor.end();
      });
      monitor.on('error', () => {});
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    expect(output).toContain('\n$ hello\nhello, world! (from ring 3, pid ');
    expect(output).toContain('\n$ Echo Hi!\nEcho: command not found\n$ q\npower off\n');
    expect(code).toBe(1);
  });
});
