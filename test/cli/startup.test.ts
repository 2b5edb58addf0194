/**
 * What start-up loads (issue 11, "a quick start"), checked without timing anything: `--version`
 * loads no oclif, a headless run loads neither the TUI nor the plugins its board does not use, and
 * a checkout runs its cached bundle (scripts/checkout-bundle.mjs) rather than tsx.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withoutCorePlugins } from '../../src/cli/main.js';
import { run, rvos, rvosBin } from '../helpers/cli.js';
import { runRecordingModules } from '../helpers/modules.js';

const root = join(import.meta.dirname, '..', '..');
const hello = join(root, 'kernels', 'tests', 'build', 'hello.elf');
const virt = join(root, 'kernels', 'virt', 'build');
const bench = join(root, 'kernels', 'bench', 'build');

/** The built-in plugin folders (plugins/NAME) among the loaded modules. */
function pluginsLoaded(modules: string[]): string[] {
  const names = modules.map((m) => /\/plugins\/([\w-]+)\//.exec(m)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

describe('start-up loads only what the command needs', () => {
  it('--version loads neither oclif nor tsx', async () => {
    const r = await runRecordingModules(rvosBin, ['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rvos\/\d+\.\d+\.\d+ /);
    expect(r.modules.some((m) => m.endsWith('/bin/rvos.js'))).toBe(true); // the recording works
    expect(r.modules.filter((m) => /node_modules\/(@oclif|tsx)\//.test(m))).toEqual([]);
  });

  it('a headless run on virt loads its board\'s plugins only, and no TUI', async () => {
    const r = await runRecordingModules(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello: PASS');
    // virt's devices (board file boards/virt.yaml); no drive given, so no disk model (dev-virtio-blk).
    expect(pluginsLoaded(r.modules)).toEqual(['arch-rv32', 'dev-clint', 'dev-ns16550', 'dev-plic', 'dev-sifive-test', 'dev-virtio-mmio']);
    expect(r.modules.filter((m) => /node_modules\/blessed\/|\/src\/tui\/(index|app|screen)\.ts$/.test(m))).toEqual([]);
  });

  it('with a drive, the drive models (rvos.drives) besides the board\'s plugins, not every device plugin', async () => {
    const disk = join(mkdtempSync(join(tmpdir(), 'rvos-drive-')), 'd.img');
    writeFileSync(disk, Buffer.alloc(512 * 8));
    const r = await runRecordingModules(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello, '--drive', `file=${disk}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(pluginsLoaded(r.modules)).toEqual(['arch-rv32', 'dev-ata', 'dev-clint', 'dev-ns16550', 'dev-plic', 'dev-sd-card', 'dev-sifive-test', 'dev-virtio-blk', 'dev-virtio-mmio']);
  });

  it('a checkout runs its cached bundle of the sources (no tsx), and through tsx with RVOS_CHECKOUT_BUNDLE=0', async () => {
    const args = ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello];
    const bundled = await runRecordingModules(rvosBin, args);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.modules.some((m) => m.includes('/dist/checkout/') && m.endsWith('/main.js'))).toBe(true);
    expect(bundled.modules.filter((m) => /node_modules\/(tsx|@oclif\/core)\/|\.ts$/.test(m))).toEqual([]);
    const sources = await runRecordingModules(rvosBin, args, { env: { ...process.env, RVOS_CHECKOUT_BUNDLE: '0' } });
    expect(sources.code, sources.stderr).toBe(0);
    expect(sources.stdout).toBe(bundled.stdout);
    expect(sources.modules.some((m) => m.endsWith('/src/commands/run.ts'))).toBe(true);
    expect(sources.modules.some((m) => m.includes('/dist/checkout/'))).toBe(false);
  });
});

describe('start-up measurements and cuts', () => {
  it('RVOS_STARTUP_TRACE=1 prints where a run\'s start-up went, in order, on stderr only', async () => {
    const args = ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello];
    const plain = await rvos(args);
    const traced = await rvos(args, { env: { ...process.env, RVOS_STARTUP_TRACE: '1' } });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    // Time since the process started, the step's share, the host page faults it took, its label.
    const steps = traced.stderr.split('\n').map((l) => /^rvos startup: +([\d.]+) ms +\+ *[\d.]+ +faults \+ *(\d+) +(.*)$/.exec(l)).filter((m) => m !== null);
    const labels = steps.map((m) => m[3]);
    expect(labels[0]).toBe('bin/rvos.js runs (node started)');
    for (const step of ['oclif starts', 'run: command loaded', 'board file read', 'plugins found and loaded (6)', 'CPUs created (1)', 'machine built', 'run: guest ran']) {
      expect(labels.some((l) => l.startsWith(step)), step).toBe(true);
    }
    expect(labels.at(-1)).toBe('exit');
    const times = steps.map((m) => Number(m[1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(steps.reduce((sum, m) => sum + Number(m[2]), 0)).toBeGreaterThan(0);
    expect(traced.stderr).toMatch(/^rvos startup: CPU [\d.]+ ms \(user [\d.]+, system [\d.]+\), \d+ page faults$/m);
    expect(plain.stderr).not.toContain('rvos startup:');
  });

  it('a hello round trip starts no optimizing compile of the rv32 interpreter (Node waits for it at exit); a longer run warms it up first', async () => {
    // V8's own log of its optimizing compiles (--trace-opt, --trace-deopt) on stdout.
    const marked = /\[marking \S+ <JSFunction execute /;
    // Thrown away for want of feedback: what the warm-up is for (not, say, a hart map that changed since).
    const deoptimized = /reason: Insufficient type feedback[^)]*\): begin\. deoptimizing \S+ <JSFunction execute /;
    const short = await run(process.execPath, ['--trace-opt', rvosBin, 'run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello]);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).toContain('hello: PASS');
    expect(short.stdout).not.toMatch(marked);
    // The virt OS boot's first 1.5 M instructions (firmware, kernel start): without the warm-up (cpu.ts
    // WARM_UP_AT) before V8 marks execute(), its compiled code was thrown away at 0.4, 0.85 and 1 M.
    const long = await run(process.execPath, ['--trace-opt', '--trace-deopt', rvosBin, 'run', '--board', 'virt', '--headless', '--bios', join(virt, 'firmware.elf'), '--kernel', join(virt, 'kernel.elf'), '--max-insns', '1500000']);
    expect(long.stdout).toMatch(marked);
    expect(long.stdout).not.toMatch(deoptimized);
  });

  it('the empty aarch64 guest starts no optimizing compile of the aarch64 interpreter; a longer run warms it up first', async () => {
    const marked = /\[marking \S+ <JSFunction interpret /;
    const deoptimized = /reason: Insufficient type feedback[^)]*\): begin\. deoptimizing \S+ <JSFunction interpret /;
    const raspi3b = (kernel: string, ...more: string[]) => [rvosBin, 'run', '--board', 'raspi3b', '--semihosting', '--headless', '--kernel', join(bench, kernel), ...more];
    const short = await run(process.execPath, ['--trace-opt', ...raspi3b('empty-a64.elf')]);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).not.toMatch(marked);
    // The compute kernel's first 2 M instructions: without the warm-up (aarch64 cpu.ts WARM_UP_AT)
    // before V8 marks interpret(), its compiled code was thrown away once for want of feedback.
    const long = await run(process.execPath, ['--trace-opt', '--trace-deopt', ...raspi3b('bench-a64.elf', '--max-insns', '2000000')]);
    expect(long.stdout).toMatch(marked);
    expect(long.stdout).not.toMatch(deoptimized);
  });

  it('runs an rvos command without oclif\'s help and autocomplete plugins, anything else with them', () => {
    const root = mkdtempSync(join(tmpdir(), 'rvos-pjson-'));
    mkdirSync(join(root, 'commands'));
    writeFileSync(join(root, 'commands', 'run.js'), '');
    const pjson = { name: 'rvos', version: '0', oclif: { commands: { strategy: 'pattern', target: './commands' }, plugins: ['@oclif/plugin-help'] } } as never;
    expect(withoutCorePlugins(root, pjson, ['run', '--help']).oclif.plugins).toEqual([]);
    for (const argv of [['help'], ['rn'], ['disk', 'create'], ['--help'], [], ['../commands/run']]) {
      expect(withoutCorePlugins(root, pjson, argv), argv.join(' ')).toBe(pjson);
    }
  });
});

