/**
 * rvos as a user installs it: `npm pack`, a global install of the tarball into a temporary
 * prefix, and the installed `rvos` run from a folder that is not the repository. Needs the npm
 * registry for rvos' dependencies (`npm run test:install`; CI runs it).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';
import { runRecordingModules } from '../helpers/modules.js';

const root = join(import.meta.dirname, '..', '..');
const { codeCacheFile } = (await import(pathToFileURL(join(root, 'scripts', 'cli-loader.cjs')).href)) as {
  codeCacheFile(bundle: string, env: NodeJS.ProcessEnv): string | undefined;
};
const work = mkdtempSync(join(tmpdir(), 'rvos-install-'));
const prefix = join(work, 'prefix');
const home = join(work, 'home');
const rvosBin = join(prefix, 'bin', 'rvos');
const env = { ...process.env, RVOS_DATA_DIR: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache'), RVOS_CODE_CACHE: '', npm_config_loglevel: 'error' };
const example = join(root, 'examples', 'rvos-dev-goldfish-rtc');

beforeAll(async () => {
  mkdirSync(home);
  const pack = await run('npm', ['pack', '--pack-destination', work], { cwd: root, env, timeoutMs: 300_000 });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
  const install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(work, tarball)], { cwd: work, env, timeoutMs: 600_000 });
  expect(install.code, install.stderr).toBe(0);
}, 900_000);

describe('rvos installed from the packed tarball', () => {
  it('ships compiled JavaScript and type declarations, not TypeScript sources', () => {
    const pkg = join(prefix, 'lib', 'node_modules', 'rvos');
    expect(existsSync(join(pkg, 'dist', 'src', 'core', 'api.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'src', 'core', 'api.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'plugins', 'arch-rv32', 'package.json'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it('boots the reference OS from another folder', async () => {
    const r = await run(rvosBin, ['run', '--board', 'virt'], { cwd: home, env, input: 'hello\nshutdown\n', timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hello, world! \(from user space, pid \d+\)/);
    expect(r.stdout).toMatch(/kernel: power off/);
  });

  it('boots the Raspberry Pi 3 reference kernel with its SD card from another folder', async () => {
    // The kernel's PL011 set-up (FIFO enable) drops what arrived before it, on QEMU too: lead with a newline.
    const r = await run(rvosBin, ['run', '--board', 'raspi3b'], { cwd: home, env, input: '\nhello\nls /bin\nshutdown\n', timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/hello, world! \(from EL0, pid \d+\)/);
    expect(r.stdout).toMatch(/power off: no semihosting, through the PM watchdog/);
  });

  it('boots the PC reference kernel with its modules and IDE disk from another folder', async () => {
    const r = await run(rvosBin, ['run', '--board', 'pc'], { cwd: home, env, input: 'hello\nls /bin\nshutdown\n', timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1); // isa-debug-exit: (0 << 1) | 1, as QEMU
    expect(r.stdout).toMatch(/hello, world! \(from ring 3, pid \d+\)/);
    expect(r.stdout).toMatch(/^power off$/m);
  });

  it('runs oclif from its bundle (dist/cli): a headless run loads no oclif, tsx or TUI from node_modules', async () => {
    const hello = join(root, 'kernels', 'tests', 'build', 'hello.elf');
    const caches = join(home, 'code-cache-hello');
    const helloEnv = { ...env, RVOS_CODE_CACHE_DIR: caches };
    const r = await runRecordingModules(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello], { cwd: home, env: helloEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello: PASS');
    expect(r.modules.some((m) => m.includes('/rvos/dist/cli/main.js'))).toBe(true);
    expect(r.modules.filter((m) => /node_modules\/(@oclif|tsx|blessed|typescript)\//.test(m))).toEqual([]);
    // The CLI is one bundle run with V8's code cache, kept in the user's cache folder (scripts/cli-loader.cjs); so is
    // each built-in plugin the board uses, as its CommonJS build (scripts/build.mjs), and no other plugin or module.
    expect(r.modules.some((m) => m.includes('/rvos/dist/cli/load.js'))).toBe(true);
    expect(r.modules.filter((m) => m.includes('/rvos/dist/plugins/'))).toEqual([]);
    const pkg = join(prefix, 'lib', 'node_modules', 'rvos', 'dist');
    const bundles = [join(pkg, 'cli', 'rvos.bundle.js')];
    for (const p of ['arch-rv32', 'dev-clint', 'dev-ns16550', 'dev-plic', 'dev-sifive-test', 'dev-virtio-mmio']) bundles.push(join(pkg, 'plugins', p, 'index.cjs'));
    // hello's run translated, so each cache was written with the translators and carries its `.jit` marker.
    const names = bundles.map((b) => basename(codeCacheFile(b, helloEnv)!));
    expect(readdirSync(caches).sort()).toEqual(names.flatMap((n) => [n, `${n}.jit`]).sort());
    // The next run uses every one of them: they were written under the V8 flags rvos starts with (bin/rvos.js).
    const again = await run(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello], { cwd: home, env: { ...helloEnv, RVOS_STARTUP_TRACE: '1' } });
    expect(again.code, again.stderr).toBe(0);
    const uses = [...again.stderr.matchAll(/ (\S+) compiled \(code cache: (\w+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(uses).toEqual(bundles.map((b) => `${b.split('/').slice(-2).join('/')} used`));
    // Each bundle is ASCII (scripts/ascii-source.mjs): a one-byte source string in V8.
    for (const b of bundles) expect(readFileSync(b, 'latin1'), b).toMatch(/^[\x00-\x7f]*$/);
    // oclif sorts its commands without localeCompare, whose first call builds ICU's collator (src/cli/command-order.ts).
    expect(readFileSync(bundles[0]!, 'latin1')).not.toMatch(/\.id\.localeCompare\(/);
    // yaml, semver, lilconfig and tinyglobby are files of their own beside the bundle (scripts/build.mjs, SATELLITES),
    // which a hello round trip neither reads nor compiles: nothing but the bundles above went through the loader.
    for (const name of ['yaml', 'semver', 'lilconfig', 'tinyglobby']) expect(existsSync(join(pkg, 'cli', 'lib', `${name}.js`)), name).toBe(true);
    expect(readFileSync(bundles[0]!, 'latin1')).not.toContain('lineStarts'); // yaml's LineCounter
    expect(again.stderr).not.toMatch(/ lib\/\S+\.js read$/m);
  });

  it('takes a built-in board from the build\'s parse (dist/boards.json) without loading the YAML parser, a user\'s copy of it from its YAML', async () => {
    const hello = join(root, 'kernels', 'tests', 'build', 'hello.elf');
    const traceEnv = { ...env, RVOS_STARTUP_TRACE: '1' };
    const builtin = await run(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello], { cwd: home, env: traceEnv });
    expect(builtin.code, builtin.stderr).toBe(0);
    expect(builtin.stderr).toMatch(/^rvos startup: .* virt\.yaml: pre-parsed by the build$/m);
    expect(builtin.stderr).not.toContain('YAML parser loaded'); // not even evaluated
    const copy = join(home, 'virt.yaml');
    writeFileSync(copy, readFileSync(join(prefix, 'lib', 'node_modules', 'rvos', 'boards', 'virt.yaml')));
    const user = await run(rvosBin, ['run', '--board', copy, '--bios', 'none', '--headless', '--kernel', hello], { cwd: home, env: traceEnv });
    expect(user.code, user.stderr).toBe(0);
    expect(user.stderr).toMatch(/^rvos startup: .* YAML parser loaded$/m);
    // From its own file beside the CLI's bundle, with its code cache (scripts/build.mjs, SATELLITES).
    expect(user.stderr).toMatch(/^rvos startup: .* lib\/yaml\.js compiled \(code cache: \w+\)$/m);
    expect(user.stderr).toMatch(/^rvos startup: .* virt\.yaml: YAML parsed$/m);
    expect(user.stdout).toBe(builtin.stdout);
  });

  it('starts without Node\'s ES module loader (bin/rvos.js and dist/cli are CommonJS) or readline (oclif\'s, lazy)', async () => {
    const hello = join(root, 'kernels', 'tests', 'build', 'hello.elf');
    const report = join(home, 'module-list.cjs');
    writeFileSync(report, "process.on('exit', () => process.stderr.write('node modules: ' + JSON.stringify(process.moduleLoadList) + '\\nnode options: ' + JSON.stringify(process.execArgv) + '\\n'));\n");
    const r = await run(rvosBin, ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', hello], { cwd: home, env: { ...env, NODE_OPTIONS: `--require ${report}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello: PASS');
    const loaded = JSON.parse(/^node modules: (.*)$/m.exec(r.stderr)![1]) as string[];
    expect(loaded).toContain('NativeModule internal/modules/cjs/loader'); // the report works
    // The installed command starts Node through bin/rvos.js' first lines, with V8's worker pool sized to the cores.
    expect(JSON.parse(/^node options: (.*)$/m.exec(r.stderr)![1])).toEqual(['--v8-pool-size=0']);
    expect(loaded.filter((m) => /esm\/(module_job|translators)/.test(m))).toEqual([]);
    expect(loaded).not.toContain('NativeModule readline');
    // Nor fs/promises, child_process (oclif's, lilconfig's and wsl-utils': lazy or replaced in scripts/build.mjs).
    expect(loaded).not.toContain('NativeModule fs/promises');
    expect(loaded).not.toContain('NativeModule child_process');
    expect(loaded).not.toContain('NativeModule zlib'); // for screenshots only (src/core/image/png.ts)
    // oclif's command globbing (tinyglobby) is bundled behind the same lazy require (scripts/build.mjs).
    const bundle = readFileSync(join(prefix, 'lib', 'node_modules', 'rvos', 'dist', 'cli', 'rvos.bundle.js'), 'utf8');
    expect(bundle).toContain('rvos-lazy:tinyglobby');
    // oclif's JSON reads are synchronous in the bundle (scripts/build.mjs): no thread pool started for them.
    expect(bundle).toMatch(/async function readJson\([^)]*\)\{[^}]*\(0,node_fs_1\.readFileSync\)\(path,"utf8"\)/);
    // Written inside the loader's wrapper (scripts/build.mjs), so that a start does not copy it to wrap it.
    expect(bundle.startsWith('(function (exports, require, module, __filename, __dirname, __rvosImport) {')).toBe(true);
  });

  it('reports a bad prop a built-in plugin rejects as bad input (exit 2), like the checkout does', async () => {
    // The plugin throws the UserError of dist/src/core/errors.js; the CLI's bundle has its own copy of that class.
    // (The mailbox parses its mac prop in create(); a prop with its own check, as the RTC's base, fails before.)
    const board = join(home, 'bad-mac.yaml');
    writeFileSync(board, readFileSync(join(prefix, 'lib', 'node_modules', 'rvos', 'boards', 'raspi3b.yaml'), 'utf8').replace("mac: '52:54:00:12:34:57'", "mac: '52:54:00'"));
    const r = await run(rvosBin, ['run', '--board', board, '--headless', '--kernel', 'none'], { cwd: home, env });
    expect(r.stderr).toMatch(/^rvos: .*bad-mac\.yaml:\d+: devices\[\d+\]: mac: "52:54:00" is not six hex bytes/);
    expect(r.code).toBe(2);
  });

  it('answers --version, help and a bad board like the checkout does', async () => {
    const v = await run(rvosBin, ['--version'], { cwd: home, env });
    expect(v.stdout).toMatch(/^rvos\/\d+\.\d+\.\d+ /);
    const help = await run(rvosBin, ['help'], { cwd: home, env });
    expect(help.stdout).toMatch(/COMMANDS[\s\S]*boards/);
    const bad = await run(rvosBin, ['run', '--board', 'nosuch'], { cwd: home, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rvos: unknown board "nosuch"/);
  });

  it('scaffolds a device plugin whose own test passes with npm install && npm test', async () => {
    const made = await run(rvosBin, ['plugins', 'new', 'rvos-dev-countdown'], { cwd: home, env });
    expect(made.code, made.stderr).toBe(0);
    const dir = join(home, 'rvos-dev-countdown');
    const install = await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env, timeoutMs: 600_000 });
    expect(install.code, install.stderr).toBe(0);
    const test = await run('npm', ['test'], { cwd: dir, env, timeoutMs: 300_000 });
    expect(test.code, test.stdout + test.stderr).toBe(0);
    expect(test.stdout).toMatch(/4 passed/); // 4 tests (vitest may colour the line)
    // The plugin's folder is a project rvos finds its plugin in.
    const r = await run(rvosBin, ['run', '--board', 'board.yaml', '--bios', 'none', '--kernel', 'guest/demo.bin', '--drive', 'none'], { cwd: dir, env });
    expect(r.stdout).toBe('countdown: interrupt after 100 us\n');
  }, 900_000);

  it('finds the example plugin installed globally beside it, as a user installs a published plugin', async () => {
    const pack = await run('npm', ['pack', '--pack-destination', work], { cwd: example, env, timeoutMs: 120_000 });
    expect(pack.code, pack.stderr).toBe(0);
    const tarball = readdirSync(work).find((f) => f.startsWith('rvos-dev-goldfish-rtc-') && f.endsWith('.tgz'))!;
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', join(work, tarball)], { cwd: work, env, timeoutMs: 600_000 });
    expect(install.code, install.stderr).toBe(0);
    const list = await run(rvosBin, ['plugins'], { cwd: home, env });
    expect(list.stdout).toMatch(/^rvos-dev-goldfish-rtc +device +\S+ +goldfish-rtc +global +\S+\/lib\/node_modules\/rvos-dev-goldfish-rtc$/m);
    const inspect = await run(rvosBin, ['plugins', 'inspect', 'goldfish-rtc'], { cwd: home, env });
    expect(inspect.stdout).toMatch(/compatible google,goldfish-rtc/);
    const board = join(prefix, 'lib', 'node_modules', 'rvos-dev-goldfish-rtc', 'board.yaml');
    const dtb = await run(rvosBin, ['dtb', '--board', board, '-o', '-'], { cwd: home, env });
    expect(dtb.code, dtb.stderr).toBe(0);
    expect(Buffer.from(dtb.stdout, 'latin1').includes('google,goldfish-rtc')).toBe(true);
  }, 900_000);

  it("passes the example plugin's own tests against this rvos", async () => {
    const install = await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: example, env, timeoutMs: 600_000 });
    expect(install.code, install.stderr).toBe(0);
    const test = await run('npm', ['test'], { cwd: example, env, timeoutMs: 300_000 });
    expect(test.code, test.stdout + test.stderr).toBe(0);
  }, 900_000);
});
