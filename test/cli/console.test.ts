import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeGuest } from '../helpers/bare-guest.js';
import { rvos } from '../helpers/cli.js';
import * as A from '../helpers/rv32asm.js';
import { expectedTranscript, programElf } from '../helpers/programs.js';

const root = join(import.meta.dirname, '..', '..');
const expected = expectedTranscript;
const elf = programElf;

describe('rvos run console', () => {
  it('prints the guest console on stdout and exits with the guest code', async () => {
    const ok = await rvos(['run', '--bios', 'none', '--kernel', elf('hello')]);
    expect(ok.stdout).toBe(expected('hello'));
    expect(ok.code).toBe(0);
    const fail = await rvos(['run', '--bios', 'none', '--kernel', elf('htif_fail')]);
    expect(fail.code).toBe(3);
    expect(fail.stderr).toMatch(/guest powered off with code 3/);
  });

  it('feeds piped stdin to the UART', async () => {
    const r = await rvos(['run', '--bios', 'none', '--kernel', elf('uart_irq')], { input: 'hello, rvos\nq' });
    expect(r.stdout).toBe(expected('uart_irq'));
    expect(r.code).toBe(0);
  });

  it('stops a guest that waits for input after stdin ended with exit 125 and one line', async () => {
    const r = await rvos(['run', '--bios', 'none', '--kernel', elf('uart_irq')], { input: 'ab' });
    expect(r.stdout).toContain("rx 0x62 'b'");
    expect(r.code).toBe(125);
    expect(r.stderr.trim()).toMatch(
      /^rvos: every CPU is waiting for an interrupt and nothing can wake it: no timer is armed and no input can arrive \(pc=0x[0-9a-f]{8}( <\w+\+0x[0-9a-f]+>)?\)$/,
    );
  });

  it('keeps running after stdin ends, until the guest powers off or a limit', async () => {
    const r = await rvos(['run', '--bios', 'none', '--kernel', writeGuest([A.jal(A.zero, 0)]), '--timeout', '1'], { input: 'ab' });
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/stopped after 1000 ms \(--timeout\)/);
    const insns = await rvos(['run', '--bios', 'none', '--kernel', elf('arith'), '--max-insns', '1000']);
    expect(insns.code).toBe(124);
    expect(insns.stderr).toMatch(/stopped after 1000 instructions/);
  });

  it('takes --idle sleep|warp and rejects anything else in one line', async () => {
    const warp = await rvos(['run', '--bios', 'none', '--kernel', elf('hello'), '--idle', 'warp']);
    expect(warp.code).toBe(0);
    const bad = await rvos(['run', '--bios', 'none', '--kernel', elf('hello'), '--idle', 'nap']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--idle/);
  });

  it('takes --engine interp|jit (same transcript) and rejects anything else in one line', async () => {
    for (const engine of ['interp', 'jit']) {
      const r = await rvos(['run', '--bios', 'none', '--kernel', elf('hello'), '--engine', engine]);
      expect(r.stdout).toBe(expected('hello'));
      expect(r.code).toBe(0);
    }
    const bad = await rvos(['run', '--bios', 'none', '--kernel', elf('hello'), '--engine', 'turbo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^rvos run: .*--engine.*interp, jit/);
  });

  it('reads piped stdin only as fast as the guest takes it (back-pressure), in order', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'rvos.js'), 'run', '--bios', 'none', '--kernel', elf('uart_irq'), '--max-insns', '30000000'], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString('latin1')));
    child.stdin.on('error', () => {}); // EPIPE once rvos stops
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // 8 MiB of 'a'..'p' (no 'q'), in 64 KiB writes; `accepted` counts what the pipe took.
    const CHUNK = 64 * 1024;
    const data = Buffer.alloc(CHUNK);
    for (let i = 0; i < CHUNK; i++) data[i] = 0x61 + (i % 16);
    let accepted = 0;
    let stop = false;
    void exited.then(() => (stop = true));
    for (let sent = 0; sent < 128 && !stop; sent++) {
      await new Promise<void>((resolve) => child.stdin.write(data, (err) => (err ? (stop = true) : (accepted += CHUNK), resolve())));
    }
    expect(await exited).toBe(124);
    const received = [...out.matchAll(/^rx 0x([0-9a-f]{2}) /gm)].map((m) => parseInt(m[1], 16));
    expect(received.length).toBeGreaterThan(64 * 1024); // enough to have resumed the source
    expect(received.every((b, i) => b === 0x61 + (i % 16))).toBe(true);
    // rvos holds at most its 64 KiB queue plus stream and pipe buffers beyond what the guest read.
    expect(accepted - received.length).toBeLessThan(1024 * 1024);
  });

  it('writes the console to a file and traces events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rvos-serial-'));
    const out = join(dir, 'console.txt');
    const trace = join(dir, 'trace.log');
    const r = await rvos(['run', '--bios', 'none', '--kernel', elf('traps'), '--serial', `file:${out}`, '--trace', 'trap,unmapped', '--trace-file', trace]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'latin1')).toBe(expected('traps'));
    const log = readFileSync(trace, 'utf8');
    expect(log).toMatch(/trap\s+cpu0 exception 2 \(Illegal instruction\) -> M pc=0x8\w+ tval=/);
    expect(log).toMatch(/unmapped\s+read of 4 bytes at unmapped 0x00000000/);
  });

  it('serves the console on a localhost TCP port', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [join(root, 'bin', 'rvos.js'), 'run', '--bios', 'none', '--kernel', elf('uart_irq'), '--serial', `tcp:${port}`, '--clock', 'realtime'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    let text = '';
    for (let attempt = 0; attempt < 100; attempt++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.on('data', (d) => {
            text += d.toString('latin1');
            if (text.includes('ready:')) s.write('q');
          });
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await exited).toBe(0);
    expect(text).toContain("rx 0x71 'q'");
    expect(text).toContain('uart_irq: PASS');
  });
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!hasTmux)('rvos run on a terminal', () => {
  it('uses raw mode with QEMU-style Ctrl-A escapes', async () => {
    const session = `rvos-tty-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
    const cmd = `node ${join(root, 'bin', 'rvos.js')} run --headless --bios none --kernel ${elf('uart_irq')}; echo EXIT=$?; sleep 30`;
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', cmd);
    const screen = () => tmux('capture-pane', '-p', '-t', session, '-S', '-100').stdout;
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 150 && !re.test(screen()); i++) await new Promise((r) => setTimeout(r, 100));
      return screen();
    };
    try {
      expect(await waitFor(/ready:/)).toMatch(/ready: type characters/);
      tmux('send-keys', '-t', session, 'x'); // raw mode: no Enter needed
      expect(await waitFor(/rx 0x78/)).toMatch(/rx 0x78 'x'/);
      tmux('send-keys', '-t', session, 'C-a', 'h');
      expect(await waitFor(/C-a x/)).toMatch(/C-a x\s+exit emulator/);
      tmux('send-keys', '-t', session, 'C-a', 'x');
      expect(await waitFor(/EXIT=/)).toMatch(/EXIT=0/);
    } finally {
      tmux('kill-session', '-t', session);
    }
  });
});

describe('rvos run --serial given more than once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rvos-serials-'));
  const board = join(dir, 'two-uarts.yaml');
  writeFileSync(board, 'extends: virt\nname: two-uarts\ndevices:\n  - { type: ns16550a, name: uart1, reg: [0x10100000, 0x100], irq: plic:11 }\n');
  // 'A' to uart0 (the console), 'B' to uart1, then power off.
  const guest = writeGuest([
    ...A.li(A.t0, 0x10000000), ...A.li(A.t1, 0x41), A.sb(A.t1, A.t0, 0),
    ...A.li(A.t0, 0x10100000), ...A.li(A.t1, 0x42), A.sb(A.t1, A.t0, 0),
    ...A.li(A.t0, 0x100000), ...A.li(A.t1, 0x5555), A.sw(A.t1, A.t0, 0),
  ]);

  it('maps the N-th --serial to the N-th serial port, console first, like QEMU', async () => {
    const first = join(dir, 'uart0.txt');
    const r = await rvos(['run', '--board', board, '--bios', 'none', '--kernel', guest, '--serial', `file:${first}`, '--serial', 'stdio']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('B');
    expect(readFileSync(first, 'latin1')).toBe('A');
  });

  it('says when there are more --serial than serial ports', async () => {
    const r = await rvos(['run', '--board', board, '--bios', 'none', '--kernel', guest, '--serial', 'null', '--serial', 'null', '--serial', 'stdio']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rvos: --serial stdio: board two-uarts has no serial port left for it (it has 2)\n');
  });
});
