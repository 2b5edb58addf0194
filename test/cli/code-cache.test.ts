/**
 * The installed CLI's loader (scripts/cli-loader.cjs, dist/cli/load.js): a CommonJS bundle run through vm.Script
 * with V8's code cache in the user's cache folder. Checked on a small bundle in child processes (the cache is
 * written at exit): written by a first run, used by the next, rewritten when V8 rejects it, never in the way.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../helpers/cli.js';

const loader = join(import.meta.dirname, '..', '..', 'scripts', 'cli-loader.cjs');
const dir = mkdtempSync(join(tmpdir(), 'rvos-code-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = join(dir, 'bundle.js');
writeFileSync(join(dir, 'part.mjs'), 'export const part = "imported";\n');
// What the CLI's bundle does: require, __filename, import() through the loader (build.mjs renames it).
writeFileSync(
  bundle,
  `const { basename } = require('node:path');
exports.name = basename(__filename);
exports.load = async () => (await __rvosImport(${JSON.stringify(pathToFileURL(join(dir, 'part.mjs')).href)})).part;
${Array.from({ length: 50 }, (_, i) => `exports.f${i} = (x) => x * ${i} + 1;`).join('\n')}
`,
);

/**
 * Loads the bundle in a new process: how the cache was used, and what the bundle gave. `translating`: the run then
 * calls the bundle's functions (compiled lazily, as a translator's) and says a translator ran, as the archs' do.
 */
async function load(env: NodeJS.ProcessEnv = {}, translating = false): Promise<{ cache: string; name: string; part: string; crypto?: boolean }> {
  const script = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(loader).href)});
const r = loadBundle(${JSON.stringify(bundle)});
if (${translating}) { for (let i = 0; i < 50; i++) r.exports['f' + i](i); globalThis.rvosTranslatorsRan?.(); }
const crypto = process.moduleLoadList.includes('NativeModule crypto');
console.log(JSON.stringify({ cache: r.cache, name: r.exports.name, part: await r.exports.load(), ...(crypto ? { crypto } : {}) }));`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, RVOS_CODE_CACHE: '', ...env } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe(''); // no warning from an experimental option
  return JSON.parse(r.stdout);
}

describe('the CLI bundle loader and its code cache', () => {
  it('writes the cache at the first run, uses it at the next, and the bundle works either way', async () => {
    const cacheDir = join(dir, 'cache');
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'none', name: 'bundle.js', part: 'imported' });
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^cli-[0-9a-f]{24}\.bin$/)]);
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'used', name: 'bundle.js', part: 'imported' });
  });

  it('rewrites a cache once at the exit of the first run whose translators ran (a short first run lacks them)', async () => {
    const cacheDir = join(dir, 'translators');
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('none');
    const [file] = readdirSync(cacheDir);
    const cacheFile = join(cacheDir, file!);
    const short = readFileSync(cacheFile);
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir }, true)).cache).toBe('used');
    expect(readdirSync(cacheDir).sort()).toEqual([file, `${file}.jit`]);
    expect(readFileSync(cacheFile).length).toBeGreaterThan(short.length); // with the functions that run compiled
    // Written once: neither the next run with translators nor a short one writes it again.
    const longAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000); // whole seconds: file times round
    utimesSync(cacheFile, longAgo, longAgo);
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir }, true)).cache).toBe('used');
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('used');
    expect(Math.round(statSync(cacheFile).mtimeMs)).toBe(longAgo.getTime());
    // A rejected cache rewritten by a run without translators loses the mark.
    writeFileSync(cacheFile, 'not a code cache');
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('rejected');
    expect(readdirSync(cacheDir)).toEqual([file]);
  });

  it('names the cache without loading node:crypto (a start-up cost)', async () => {
    const cacheDir = join(dir, 'no-crypto');
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'none', name: 'bundle.js', part: 'imported' });
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'used', name: 'bundle.js', part: 'imported' });
  });

  it('defaults to $XDG_CACHE_HOME/rvos/v8, and RVOS_CODE_CACHE=0 turns it off', async () => {
    const xdg = join(dir, 'xdg');
    expect((await load({ XDG_CACHE_HOME: xdg })).cache).toBe('none');
    expect(readdirSync(join(xdg, 'rvos', 'v8'))).toHaveLength(1);
    expect((await load({ XDG_CACHE_HOME: xdg, RVOS_CODE_CACHE: '0' })).cache).toBe('off');
  });

  it('rewrites a cache V8 rejects (a damaged file)', async () => {
    const cacheDir = join(dir, 'damaged');
    await load({ RVOS_CODE_CACHE_DIR: cacheDir });
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file!), 'not a code cache');
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'rejected', name: 'bundle.js', part: 'imported' });
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('used');
  });

  it('removes the caches of other bundles once a week old when it writes one', async () => {
    const cacheDir = join(dir, 'prune');
    mkdirSync(cacheDir);
    const old = join(cacheDir, 'cli-0123456789abcdef01234567.bin');
    const recent = join(cacheDir, 'cli-89abcdef0123456789abcdef.bin');
    const other = join(cacheDir, 'notes.txt');
    for (const f of [old, recent, other]) writeFileSync(f, 'x');
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    for (const f of [old, other]) utimesSync(f, weekAgo, weekAgo);
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('none');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(other)).toBe(true); // not a cache of ours
    expect(readdirSync(cacheDir)).toHaveLength(3);
  });

  it('keeps only the newest 256 caches when it writes one (a developer builds many times a week)', async () => {
    const cacheDir = join(dir, 'many');
    mkdirSync(cacheDir);
    const now = Date.now();
    const names = Array.from({ length: 262 }, (_, i) => `cli-${i.toString(16).padStart(24, '0')}.bin`);
    names.forEach((name, i) => {
      const file = join(cacheDir, name);
      writeFileSync(file, 'x');
      const t = new Date(now - (i + 1) * 60_000); // names[0] the newest
      utimesSync(file, t, t);
    });
    writeFileSync(join(cacheDir, `${names[261]}.jit`), ''); // a marker goes with its cache
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toBe('none');
    const left = readdirSync(cacheDir);
    expect(left).toHaveLength(256); // the one written and the 255 newest others
    expect(left).toEqual(expect.arrayContaining(names.slice(0, 255)));
    expect(left).not.toContain(names[255]);
  });

  it('runs a bundle written inside its wrapper (as scripts/build.mjs writes them) as it runs a plain one', async () => {
    const { wrapCommonJs } = (await import(pathToFileURL(loader).href)) as { wrapCommonJs: (source: string) => string };
    const plain = readFileSync(bundle, 'utf8');
    const wrapped = wrapCommonJs(plain);
    expect(wrapped).not.toBe(plain);
    expect(wrapCommonJs(wrapped)).toBe(wrapped); // not wrapped twice
    const cacheDir = join(dir, 'wrapped');
    writeFileSync(bundle, wrapped);
    try {
      expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'none', name: 'bundle.js', part: 'imported' });
      expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'used', name: 'bundle.js', part: 'imported' });
    } finally {
      writeFileSync(bundle, plain);
    }
  });

  it('reads an ASCII file as Latin-1 (the same text) and any other as UTF-8', async () => {
    const { readSource } = (await import(pathToFileURL(loader).href)) as { readSource: (file: string) => string };
    const ascii = join(dir, 'ascii.js');
    const utf8 = join(dir, 'utf8.js');
    writeFileSync(ascii, 'exports.s = "plain \\u00e9";\n');
    writeFileSync(utf8, 'exports.s = "caf\u00e9 \u2192 \u{1f680}";\n');
    expect(readSource(ascii)).toBe(readFileSync(ascii, 'utf8'));
    expect(readSource(utf8)).toBe(readFileSync(utf8, 'utf8'));
    expect(readSource(utf8)).toContain('caf\u00e9 \u2192 \u{1f680}');
  });

  it('runs without a cache where none can be written', async () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const cacheDir = join(readOnly, 'cache');
    expect(await load({ RVOS_CODE_CACHE_DIR: cacheDir })).toEqual({ cache: 'none', name: 'bundle.js', part: 'imported' });
    // root ignores permissions: then the cache was written, which is fine too.
    expect((await load({ RVOS_CODE_CACHE_DIR: cacheDir })).cache).toMatch(/^(none|used)$/);
  });
});
