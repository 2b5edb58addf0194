/**
 * The virt teaching OS (kernels/virt: rvos-sbi firmware, S-mode kernel, rvfs disk) on QEMU 7.2,
 * the reference peer: the scripted shell session (kernels/virt/session.in) must print exactly
 * kernels/virt/session.expected from the kernel's banner on (the firmware's lines before it are
 * the firmware's tests' business), the same transcript test/machine/os.test.ts checks on rvos,
 * and what the guest wrote must be in the host image afterwards. Always on a copy of the image.
 *
 * Input is typed a line at a time, each once the shell's prompt has appeared (as a person would),
 * so echoed input lands at the same place in the transcript on every run.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROMPT, built, disk, firmware, fromKernel, imageCopies, kernel, sessionLines, virt } from '../helpers/virt-os.js';
import { RvfsImage } from '../../src/core/disk/rvfs.js';
import { QEMU_BINARY, QEMU_CPU, qemuAvailable } from '../helpers/qemu.js';

const images = imageCopies('rvos-os-qemu-');
afterAll(images.cleanup);
const imageCopy = images.copy;

interface SessionResult {
  output: string;
  exitCode: number;
  timedOut: boolean;
  stderr: string;
}

/** Boots the OS on QEMU and types `lines` into the shell, each after a new prompt. */
function runQemuSession(opts: { image?: string; readonly?: boolean; lines: string[]; smp?: number; args?: string[]; timeoutMs?: number }): Promise<SessionResult> {
  const args = ['-M', 'virt', '-cpu', QEMU_CPU, '-nographic', '-monitor', 'none', '-serial', 'stdio'];
  if (opts.smp) args.push('-smp', String(opts.smp));
  args.push('-bios', firmware, '-kernel', kernel);
  if (opts.image) {
    const ro = opts.readonly ? ',readonly=on' : '';
    args.push('-drive', `file=${opts.image},format=raw,if=none,id=hd0${ro}`, '-device', 'virtio-blk-device,drive=hd0');
  }
  args.push(...(opts.args ?? []));
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_BINARY, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let prompts = 0;
    let sent = 0;
    let timedOut = false;
    const timers = new Set<NodeJS.Timeout>();
    const type = (text: string) => {
      // A character every 5 ms, like test/helpers/qemu.ts.
      const bytes = Buffer.from(text, 'latin1');
      let i = 0;
      const next = () => {
        if (i >= bytes.length || child.stdin.destroyed) return;
        child.stdin.write(bytes.subarray(i, ++i));
        const t = setTimeout(next, 5);
        timers.add(t);
      };
      next();
    };
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (!output.endsWith(PROMPT)) return;
      const seen = output.split(PROMPT).length - 1;
      if (seen > prompts) {
        prompts = seen;
        if (sent < opts.lines.length) type(opts.lines[sent++] + '\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => {});
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      for (const t of timers) clearTimeout(t);
      resolve({ output, exitCode: timedOut || code === null ? -1 : code, timedOut, stderr });
    });
  });
}

const text = (image: string, path: string) => Buffer.from(RvfsImage.open(image).readFile(path)).toString('latin1');

describe.skipIf(!qemuAvailable() || !built)('virt teaching OS on QEMU', () => {
  it('runs the scripted session with the expected transcript and leaves the written files in the image', async () => {
    const image = imageCopy();
    const r = await runQemuSession({ image, lines: sessionLines(readFileSync(join(virt, 'session.in'), 'latin1')) });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(fromKernel(r.output)).toBe(readFileSync(join(virt, 'session.expected'), 'latin1'));
    expect(r.exitCode).toBe(0);
    expect(text(image, '/notes.txt')).toBe('hello from the guest\na second line\n');
    expect(text(image, '/docs/todo.txt')).toBe('port rvos to another board\n');
    // The image the build made is untouched.
    expect(RvfsImage.open(disk).list().some((e) => e.path === '/notes.txt')).toBe(false);
  });

  it('drives the modern virtio-mmio transport and boots on 4 harts', async () => {
    const image = imageCopy();
    const r = await runQemuSession({
      image,
      smp: 4,
      args: ['-global', 'virtio-mmio.force-legacy=false'],
      lines: ['write /x.txt modern', 'cat /x.txt', 'shutdown'],
    });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toContain('machine: riscv-virtio,qemu, 4 harts, timebase 10000000 Hz\nharts: 0 (boot), 1 stopped, 2 stopped, 3 stopped\n');
    expect(r.output).toContain('virtio-blk: virtio-mmio@10008000 irq 8, modern transport, 8192 sectors, flush\n');
    expect(r.output.slice(r.output.indexOf(PROMPT))).toBe(
      '$ write /x.txt modern\nwrote 7 bytes to /x.txt\n$ cat /x.txt\nmodern\n$ shutdown\nkernel: power off\n',
    );
    expect(r.exitCode).toBe(0);
    expect(text(image, '/x.txt')).toBe('modern\n');
  });

  it('panics cleanly without a disk', async () => {
    const r = await runQemuSession({ lines: [] });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(fromKernel(r.output)).toMatch(/\npaging: Sv32 on\n\nkernel panic: no virtio block device\n$/);
    expect(r.exitCode).toBe(1);
  });

  it('mounts a read-only disk read-only', async () => {
    const image = imageCopy();
    const r = await runQemuSession({ image, readonly: true, lines: ['write /x hi', 'rm /README', 'shutdown'] });
    expect(r.timedOut, `timed out; output so far:\n${r.output}\n${r.stderr}`).toBe(false);
    expect(r.output).toMatch(/8192 sectors, flush, read-only\nrvfs: 4096 blocks \(\d+ free\), 256 inodes, read-only\n/);
    expect(r.output.slice(r.output.indexOf(PROMPT))).toBe(
      '$ write /x hi\nwrite: /x: cannot create\n$ rm /README\nrm: /README: cannot remove\n$ shutdown\nkernel: power off\n',
    );
    expect(r.exitCode).toBe(0);
    expect(readFileSync(image).equals(readFileSync(disk))).toBe(true);
  });
});
