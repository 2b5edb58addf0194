/**
 * The virt teaching OS (kernels/virt: rvos-sbi firmware, S-mode kernel, rvfs disk on virtio-blk)
 * on rvos: the scripted shell session (kernels/virt/session.in) must print exactly
 * kernels/virt/session.expected from the kernel's banner on, the transcript QEMU 7.2 prints
 * (test/qemu/os.test.ts), and the files the guest wrote must be in the host image afterwards.
 * Always on a copy of the image.
 *
 * Input is typed a line at a time, each once the shell's prompt has appeared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROMPT, built, disk, firmware, fromKernel, imageCopies, kernel, sessionLines, virt } from '../helpers/virt-os.js';
import type { CaptureBackend } from '../../src/core/chardev.js';
import { RvfsImage } from '../../src/core/disk/rvfs.js';
import { createSession } from '../../src/core/session.js';

const images = imageCopies('rvos-os-');
afterAll(images.cleanup);
const imageCopy = images.copy;

/** Boots the OS and types `lines` into the shell, each after a new prompt. */
async function runSession(opts: { image?: string; readonly?: boolean; lines: string[]; cpus?: number; virtioVersion?: string }) {
  const session = await createSession({
    board: 'virt',
    bios: firmware,
    kernel,
    cpus: opts.cpus,
    drives: [opts.image ? `file=${opts.image}${opts.readonly ? ',readonly=on' : ''}` : 'none'],
    virtioVersion: opts.virtioVersion,
    serial: 'capture',
    config: '/dev/null',
  });
  const console = session.console as CaptureBackend;
  let output = '';
  let prompts = 0;
  let sent = 0;
  console.onOutput((bytes) => {
    output += Buffer.from(bytes).toString('latin1');
    if (!output.endsWith(PROMPT)) return;
    const seen = output.split(PROMPT).length - 1;
    if (seen > prompts) {
      prompts = seen;
      if (sent < opts.lines.length) console.input(new Uint8Array(Buffer.from(opts.lines[sent++] + '\n', 'latin1')));
    }
  });
  const result = await session.machine.run({ maxInsns: 2_000_000_000, timeoutMs: 100_000 });
  await session.close();
  if (result.error) throw result.error;
  return { output: console.text, reason: result.reason, exitCode: result.exitCode };
}

const text = (image: string, path: string) => Buffer.from(RvfsImage.open(image).readFile(path)).toString('latin1');

describe.skipIf(!built)('virt teaching OS on rvos', () => {
  it('runs the scripted session with the QEMU transcript and leaves the written files in the image', async () => {
    const image = imageCopy();
    const r = await runSession({ image, lines: sessionLines(readFileSync(join(virt, 'session.in'), 'latin1')) });
    expect(fromKernel(r.output)).toBe(readFileSync(join(virt, 'session.expected'), 'latin1'));
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(0);
    expect(text(image, '/notes.txt')).toBe('hello from the guest\na second line\n');
    expect(text(image, '/docs/todo.txt')).toBe('port rvos to another board\n');
    expect(RvfsImage.open(disk).list().some((e) => e.path === '/notes.txt')).toBe(false);
  }, 120_000);

  it('drives the modern virtio-mmio transport and boots on 4 harts', async () => {
    const image = imageCopy();
    const r = await runSession({ image, cpus: 4, virtioVersion: 'modern', lines: ['write /x.txt modern', 'cat /x.txt', 'shutdown'] });
    expect(r.output).toContain('machine: riscv-virtio,qemu, 4 harts, timebase 10000000 Hz\nharts: 0 (boot), 1 stopped, 2 stopped, 3 stopped\n');
    expect(r.output).toContain('virtio-blk: virtio-mmio@10008000 irq 8, modern transport, 8192 sectors, flush\n');
    expect(r.output.slice(r.output.indexOf(PROMPT))).toBe(
      '$ write /x.txt modern\nwrote 7 bytes to /x.txt\n$ cat /x.txt\nmodern\n$ shutdown\nkernel: power off\n',
    );
    expect(r.exitCode).toBe(0);
    expect(text(image, '/x.txt')).toBe('modern\n');
  });

  it('panics cleanly without a disk', async () => {
    const r = await runSession({ lines: [] });
    expect(fromKernel(r.output)).toMatch(/\npaging: Sv32 on\n\nkernel panic: no virtio block device\n$/);
    expect(r.reason).toBe('poweroff');
    expect(r.exitCode).toBe(1);
  });

  it('mounts a read-only disk read-only', async () => {
    const image = imageCopy();
    const r = await runSession({ image, readonly: true, lines: ['write /x hi', 'rm /README', 'shutdown'] });
    expect(r.output).toMatch(/8192 sectors, flush, read-only\nrvfs: 4096 blocks \(\d+ free\), 256 inodes, read-only\n/);
    expect(r.output.slice(r.output.indexOf(PROMPT))).toBe(
      '$ write /x hi\nwrite: /x: cannot create\n$ rm /README\nrm: /README: cannot remove\n$ shutdown\nkernel: power off\n',
    );
    expect(r.exitCode).toBe(0);
    expect(readFileSync(image).equals(readFileSync(disk))).toBe(true);
  });
});
