/**
 * The CLI's V8 flags (bin/rvos.js): set first thing, before any of rvos' code is compiled (a V8 code cache made under
 * other flags is rejected, scripts/cli-loader.cjs), and never changed later in the run, installed or from a checkout.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WASM_TIERING_BUDGET } from '../../src/core/jit/wasm-module.js';
import { run, rvosBin } from '../helpers/cli.js';

const root = join(import.meta.dirname, '..', '..');
const preload = join(root, 'test', 'helpers', 'record-v8-flags.cjs');
const hello = join(root, 'kernels', 'tests', 'build', 'hello.elf');

/** What bin/rvos.js sets as it starts (its comment says why). */
const CLI_FLAGS = ['--no-use-osr', '--experimental-wasm-branch-hinting', '--interrupt-budget=135168', `--wasm-tiering-budget=${WASM_TIERING_BUDGET}`, '--no-wasm-stack-checks', '--no-wasm-generic-wrapper'];

/** Runs `rvos run` of the hello kernel with the flags recorded: each flag set and the modules loaded by then. */
async function flagsOfARun(env: NodeJS.ProcessEnv): Promise<{ flag: string; loaded: string[] }[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'rvos-v8-flags-')), 'flags.jsonl');
  const args = ['--require', preload, rvosBin, 'run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello];
  const r = await run(process.execPath, args, { env: { ...process.env, ...env, RVOS_RECORD_V8_FLAGS: file, RVOS_HUGE_PAGES: '0' } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('hello: PASS');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
}

describe('the CLI\'s V8 flags', () => {
  const installed = existsSync(join(root, 'dist', 'cli', 'main.js'));
  const modes: [string, NodeJS.ProcessEnv][] = [['from a checkout', {}]];
  if (installed) modes.push(['installed (dist/)', { RVOS_COMPILED: '1' }]);
  for (const [mode, env] of modes) {
    it(`are set before any of rvos' code loads, and none other later (${mode})`, async () => {
      const flags = await flagsOfARun(env);
      const first = flags.slice(0, CLI_FLAGS.length);
      expect(first.map((f) => f.flag)).toEqual(CLI_FLAGS);
      for (const f of first) expect(f.loaded).toEqual([rvosBin]);
      // The core sets some again for processes that do not start in bin/rvos.js (translate.ts, wasm-module.ts).
      for (const f of flags.slice(CLI_FLAGS.length)) expect(CLI_FLAGS).toContain(f.flag);
    });
  }
});

describe('bin/rvos.js run as a command (as the installed `rvos` is)', () => {
  it('starts Node with V8\'s worker pool at a thread per core beyond the first (--v8-pool-size=0)', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'rvos-pool-')), 'report.cjs');
    const tasks = "require('node:fs').readdirSync('/proc/self/task').length";
    writeFileSync(report, `process.on('exit', () => process.stderr.write('node: ' + JSON.stringify({ execArgv: process.execArgv, threads: ${tasks} }) + '\\n'));\n`);
    // Through its first lines (sh), not `node bin/rvos.js`; NODE_OPTIONS reaches the Node it starts.
    const r = await run(rvosBin, ['--version'], { env: { ...process.env, NODE_OPTIONS: `--require ${report}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^rvos\/\d/);
    const node = JSON.parse(/^node: (.*)$/m.exec(r.stderr)![1]) as { execArgv: string[]; threads: number };
    expect(node.execArgv).toEqual(['--v8-pool-size=0']);
    // Node's default pool (4 workers) would be 3 threads more on the 2-core VM: main, the pool, and Node's own (its
    // delayed-task scheduler, the inspector's signal thread).
    if (process.platform === 'linux') expect(node.threads).toBeLessThanOrEqual(Math.max(1, availableParallelism() - 1) + 3);
  });

  it('gives glibc\'s malloc a 32 MiB trim threshold, after the user\'s tunables and never over their own threshold', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'rvos-tunables-')), 'report.cjs');
    writeFileSync(report, "process.on('exit', () => process.stderr.write('tunables: ' + JSON.stringify(process.env.GLIBC_TUNABLES ?? null) + '\\n'));\n");
    const tunables = async (given: string | undefined) => {
      const r = await run(rvosBin, ['--version'], { env: { ...process.env, GLIBC_TUNABLES: given, NODE_OPTIONS: `--require ${report}` } });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(/^tunables: (.*)$/m.exec(r.stderr)![1]) as string;
    };
    expect(await tunables(undefined)).toBe('glibc.malloc.trim_threshold=33554432');
    expect(await tunables('glibc.malloc.arena_max=2')).toBe('glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=33554432');
    expect(await tunables('glibc.malloc.trim_threshold=131072')).toBe('glibc.malloc.trim_threshold=131072');
  });

  it('starts Node without NODE_EXTRA_CA_CERTS (read before any JavaScript; rvos makes no TLS connection)', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'rvos-ca-')), 'report.cjs');
    writeFileSync(report, "process.on('exit', () => process.stderr.write('ca: ' + JSON.stringify(process.env.NODE_EXTRA_CA_CERTS ?? null) + '\\n'));\n");
    // A file that is not there: a Node that reads it warns as it starts ("Ignoring extra certs from ...").
    const missing = join(tmpdir(), 'rvos-no-such-certificates.pem');
    const r = await run(rvosBin, ['--version'], { env: { ...process.env, NODE_EXTRA_CA_CERTS: missing, NODE_OPTIONS: `--require ${report}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(/^ca: (.*)$/m.exec(r.stderr)![1]).toBe('null');
    expect(r.stderr).not.toContain('extra certs');
  });
});
