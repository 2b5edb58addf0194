import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { programElf } from '../helpers/programs.js';

/**
 * The TUI in a real terminal (tmux), driven by test/helpers/tui-main.ts (a session built like
 * `rvos run` builds it in TUI mode, then runTui).
 */
const root = join(import.meta.dirname, '..', '..');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
/** A tmux server per test (no race with the previous one's exit), its socket in a temporary folder. */
const socketDir = mkdtempSync(join(tmpdir(), 'rvos-tui-tmux-'));
let socket = '';
const tmux = (...args: string[]) => spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let counter = 0;

/**
 * Starts the TUI in a detached 160x50 tmux session; the shell prints EXIT=<code> when it ends.
 * `cli: true` runs the real `rvos run` command instead of the test driver (with CI unset unless `ci: true`).
 */
function startTui(args: string[], opts: { cli?: boolean; ci?: boolean } = {}) {
  const name = `tui${counter++}`;
  socket = join(socketDir, name);
  // CI=true (set by CI runners) keeps `rvos run` on the plain console; these tests want the TUI.
  const env = opts.ci ? 'CI=true' : 'env -u CI';
  const program = opts.cli ? `${env} RVOS_DATA_DIR=${join(socketDir, 'data')} node bin/rvos.js run` : 'node --import tsx test/helpers/tui-main.ts';
  const cmd = `cd ${root} && ${program} ${args.join(' ')}; echo EXIT=$?; sleep 60`;
  const r = tmux('new-session', '-d', '-s', name, '-x', '160', '-y', '50', cmd);
  if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
  const screen = (colours = false) => tmux('capture-pane', '-p', ...(colours ? ['-e'] : []), '-t', name).stdout;
  return {
    screen,
    keys: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
    async waitFor(re: RegExp, ms = 20_000): Promise<string> {
      const end = Date.now() + ms;
      let s = screen();
      while (!re.test(s) && Date.now() < end) {
        await sleep(100);
        s = screen();
      }
      if (!re.test(s)) throw new Error(`screen never matched ${re}:\n${s}`);
      return s;
    },
  };
}

/** A number from the screen, e.g. the instruction count in the status bar. */
function count(screen: string, re: RegExp): number {
  const m = re.exec(screen);
  if (!m) throw new Error(`no ${re} on screen:\n${screen}`);
  return Number(m[1].replace(/,/g, ''));
}
const INSNS = /\| ([\d,]+) insns \|/;

describe.skipIf(!hasTmux)('the TUI in a terminal', () => {
  afterEach(() => {
    tmux('kill-server');
  });
  afterAll(() => rmSync(socketDir, { recursive: true, force: true }));

  it('`rvos run --board virt` boots the reference OS to its shell and runs typed commands', async () => {
    const tui = startTui(['--board', 'virt'], { cli: true });
    let s = await tui.waitFor(/rvfs: \d+ blocks[\s\S]*│\$ /, 60_000);
    expect(s).toMatch(/console \[uart0\]/);
    const ticks = (screen: string) => count(screen, /cpu0:mtip clint +([\d,]+)/);
    const before = ticks(s);
    tui.keys('hello', 'Enter');
    s = await tui.waitFor(/hello, world!/);
    // The pc is in the kernel (S-mode, 0x804xxxxx) with a symbol from kernel.elf.
    s = await tui.waitFor(/pc 804[0-9a-f]{5} <\w+(\+0x[0-9a-f]+)?>/);
    // A CPU-bound program is preempted by the timer: the tick counter grows.
    tui.keys('preempt', 'Enter');
    s = await tui.waitFor(/interleaved: yes/, 60_000);
    expect(ticks(s)).toBeGreaterThan(before);
    // Pause stops the instruction count.
    tui.keys('C-a', 'p');
    s = await tui.waitFor(/\| PAUSED \|/);
    const paused = count(s, INSNS);
    await sleep(700);
    expect(count(tui.screen(), INSNS)).toBe(paused);
    tui.keys('C-a', 'p');
    await tui.waitFor(/\| RUNNING \|/);
    tui.keys('shutdown', 'Enter');
    s = await tui.waitFor(/Guest powered off with exit code 0/, 30_000);
    tui.keys('Enter');
    await tui.waitFor(/EXIT=0/);
  }, 180_000);

  it('`rvos run --board pc`: the VGA screen is a console tab, keys typed there reach the i8042', async () => {
    const tui = startTui(['--board', 'pc'], { cli: true });
    let s = await tui.waitFor(/ready: the shell[\s\S]*│\$ /, 90_000);
    expect(s).toMatch(/console \[com1\] vga/);
    // Ring-3 addresses in the trap log get no kernel symbol (they lie outside every loaded image).
    expect(s).toMatch(/exc INT 128 -> PM3 4000[0-9a-f]{4} *│/);
    expect(s).not.toMatch(/<_end\+/);
    tui.keys('C-a', 't');
    s = await tui.waitFor(/console com1 \[vga\]/);
    expect(s).toMatch(/Welcome to the rvos pc reference kernel!/); // the motd module on the screen
    tui.keys('echo typed on the keyboard', 'Enter');
    s = await tui.waitFor(/typed on the keyboard[\s\S]*typed on the keyboard/);
    tui.keys('C-a', 't');
    s = await tui.waitFor(/console \[com1\] vga/);
    expect(s).toMatch(/│typed on the keyboard/); // the kernel mirrors COM1 and the screen
    tui.keys('shutdown', 'Enter');
    await tui.waitFor(/Guest powered off with exit code 1/, 30_000);
    tui.keys('Enter');
    await tui.waitFor(/EXIT=1/);
  }, 180_000);

  it('CI=true keeps `rvos run` on the plain console even in a terminal', async () => {
    const tui = startTui(['--bios', 'none', '--kernel', programElf('hello')], { cli: true, ci: true });
    const s = await tui.waitFor(/EXIT=0/);
    expect(s).toMatch(/hello: PASS/);
    expect(s).not.toMatch(/│|RUNNING|insns/);
  });

  it('shows the guest console, sends it keys, symbolizes the pc, logs interrupts, and exits with the guest code', async () => {
    const tui = startTui(['--kernel', programElf('uart_irq')]);
    await tui.waitFor(/ready: type characters, 'q' quits/);
    expect(tui.screen()).toMatch(/virt \(rv32\) \| RUNNING \|/);
    tui.keys('x');
    let s = await tui.waitFor(/rx 0x78 'x'/);
    // Registers: the pc inside the kernel, with its symbol (the guest waits in main's WFI loop).
    s = await tui.waitFor(/pc 8000[0-9a-f]{4} <main\+0x[0-9a-f]+>/);
    expect(s).toMatch(/mode M/);
    expect(s).toMatch(/zero 00000000 +ra +8000[0-9a-f]{4}/);
    // Interrupts: the UART's PLIC line fired, and the trap log has the external interrupt.
    expect(count(s, /plic:10 uart0 +([\d,]+)/)).toBeGreaterThanOrEqual(1);
    s = await tui.waitFor(/cpu0 irq Machine external interrupt -> M 8000[0-9a-f]{4} <main\+0x[0-9a-f]+>/);
    tui.keys('q');
    await tui.waitFor(/Guest powered off with exit code 0/);
    // The status bar may be drawn a moment after the pop-up (tmux can catch the screen between).
    s = await tui.waitFor(/POWERED OFF/);
    expect(s).toMatch(/uart_irq: PASS/);
    tui.keys('Enter');
    await tui.waitFor(/EXIT=0/);
  });

  it('counts timer interrupts while running; pause freezes the instruction count, step adds one; guest colours', async () => {
    const tui = startTui(['--spin']);
    await tui.waitFor(/spin: red blue, keys echo as \[k\]/);
    const coloured = tui.screen(true);
    expect(coloured).toMatch(/\x1b\[31mred/);
    expect(coloured).toMatch(/\x1b\[34mblue/);

    const mtip = /cpu0:mtip clint +([\d,]+)/;
    const first = count(await tui.waitFor(mtip), mtip);
    await sleep(600);
    let s = tui.screen();
    expect(count(s, mtip)).toBeGreaterThan(first);
    expect(count(s, /\| ([\d.]+) MIPS \|/)).toBeGreaterThan(0);
    expect(s).toMatch(/cpu0 irq Machine timer interrupt -> M 8000[0-9a-f]{4} <(main|trap_handler)/);

    tui.keys('C-a', 'p');
    await tui.waitFor(/\| PAUSED \|/);
    await sleep(300);
    const before = tui.screen();
    await sleep(500);
    s = tui.screen();
    expect(count(s, INSNS)).toBe(count(before, INSNS));
    expect(count(s, mtip)).toBe(count(before, mtip));

    const paused = count(s, INSNS);
    tui.keys('C-a', 's');
    s = await tui.waitFor(new RegExp(`\\| ${(paused + 1).toLocaleString('en-US')} insns \\|`));
    expect(s).toMatch(/pc 8000[0-9a-f]{4} <(main|trap_handler|print)/);

    tui.keys('C-a', 'h');
    await tui.waitFor(/C-a C-a +send a literal Ctrl-A to the guest/);
    tui.keys('z'); // any key closes the help, and does not reach the guest
    await sleep(300);
    expect(tui.screen()).not.toMatch(/send a literal Ctrl-A/);

    tui.keys('C-a', 'p');
    await tui.waitFor(/\| RUNNING \|/);
    tui.keys('-N', '60', 'k');
    s = await tui.waitFor(/^│\[k\]/m);
    expect(s).not.toMatch(/\[z\]/);
    // Scrollback: 60 echoed lines push the banner out of view; PgUp brings it back.
    await tui.waitFor(/^(?![\s\S]*spin: red blue)/);
    tui.keys('PPage');
    await tui.waitFor(/scrolled back [\s\S]*spin: red blue/);
    tui.keys('C-a', 'x');
    await tui.waitFor(/EXIT=0/);
  });

  it('a guest that powers off leaves its final counters on screen until a key', async () => {
    const tui = startTui(['--kernel', programElf('timer')]);
    await tui.waitFor(/Guest powered off with exit code 0/);
    let s = await tui.waitFor(/timer: PASS/); // the console may be drawn a moment after the pop-up
    expect(count(s, /cpu0:mtip clint +([\d,]+)/)).toBeGreaterThanOrEqual(5);
    expect(count(s, /cpu0:msip clint +([\d,]+)/)).toBeGreaterThanOrEqual(1);
    tui.keys('Escape');
    await tui.waitFor(/EXIT=0/);
  });

  it('SMP: the registers pane switches CPUs, also after power-off', async () => {
    const tui = startTui(['--kernel', programElf('smp'), '--cpus', '4']);
    let s = await tui.waitFor(/Guest powered off with exit code 0/);
    expect(s).toMatch(/cpu0 of 4 \(C-a c: next\)/);
    for (const cpu of [1, 2, 3, 0]) {
      tui.keys('c');
      s = await tui.waitFor(new RegExp(`cpu${cpu} of 4 `));
      expect(s).toMatch(/pc 8000[0-9a-f]{4} </);
    }
    expect(s).toMatch(/cpu3:msip clint +[1-9]/);
    tui.keys('Enter');
    await tui.waitFor(/EXIT=0/);
  });
});
