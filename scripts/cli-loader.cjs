// The installed rvos' loader (scripts/build.mjs copies it to dist/cli/load.js): runs the one-file CommonJS bundle of
// the CLI (dist/cli/rvos.bundle.js: oclif's entry, the commands, the hooks, @oclif/core) through vm.Script with V8's
// code cache, so a run skips most of the parsing and compiling of its ~1.5 MB (Node 20 has no compile cache for ES
// modules); the built-in plugins' CommonJS builds (dist/plugins/NAME/index.cjs) too, when the core imports a plugin
// (globalThis.rvosLoadCommonJs, importEntry in src/core/plugins.ts). The cache is a file per bundle in ${XDG_CACHE_HOME:-~/.cache}/rvos/v8 (RVOS_CODE_CACHE_DIR overrides,
// RVOS_CODE_CACHE=0 turns it off), written when the process exits after a run without a usable one, so it holds
// the functions that run compiled; others a week old, or beyond the newest 256, go then. Safe when stale: its name has the bundle's size and mtime and the Node version,
// V8 checks its own version, flags and the source, and a cache it rejects is only rewritten. Any failure to read or
// write it (a read-only home) costs the cache, never the run. A cache written by a short run (`npm run bench` runs the
// empty guest before the compute kernel) lacks the interpreter's warm-up and the translators, which every later run
// then compiled lazily (i386 compute kernel: its first translation 29 -> 16 ms, medians of 8): the first run in which
// a translator ran (globalThis.rvosTranslatorsRan) rewrites each cache it used once, marking it with an empty
// `<cache>.jit` beside it. CommonJS, as all of dist/cli (scripts/build.mjs).
'use strict';
const { isAscii } = require('node:buffer');
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join, sep } = require('node:path');
const vm = require('node:vm');

/** Where `bundle`'s code cache lives, or undefined when turned off. */
function codeCacheFile(bundle, env = process.env) {
  if (env.RVOS_CODE_CACHE === '0') return undefined;
  const dir = env.RVOS_CODE_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rvos', 'v8');
  const s = statSync(bundle);
  return join(dir, `cli-${hashKey(`${bundle}\0${s.size}\0${s.mtimeMs}\0${process.version}\0${process.arch}`)}.bin`);
}

/**
 * 24 hex digits from three differently seeded FNV-1a hashes of `text`: a file name, not a secret (V8 rejects a cache
 * made for another source anyway). Loading node:crypto for a SHA-256 cost each start ~3 % of a hello round trip.
 */
function hashKey(text) {
  let out = '';
  for (const seed of [0x811c9dc5, 0x050c5d1f, 0x6a09e667]) {
    let h = seed;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** The function a CommonJS file's code runs in (Node's own wrapper, and the bundle's import()). */
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __rvosImport) {';

/**
 * `source` (a CommonJS file) inside the wrapper. scripts/build.mjs writes the package's bundles wrapped already:
 * wrapping at each start made V8 copy the ~1 MB source once more to compile it (~270 host page faults, 3-4 ms).
 */
function wrapCommonJs(source) {
  return source.startsWith(WRAPPER_HEAD) ? source : `${WRAPPER_HEAD}${source}\n})`;
}

/**
 * The text of `file`. The package's bundles are ASCII (scripts/build.mjs): read as Latin-1, which is then the same
 * text, their string costs half the time and page faults of Node's UTF-8 read (which touches ~4 bytes of memory per
 * byte of source).
 */
function readSource(file) {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Runs the CommonJS file `bundle` as Node's require() would (its own require, __filename, __dirname) and returns its exports, and how its code cache was used: 'used', 'rejected', 'none' or 'off'.
 */
function loadBundle(bundle, env = process.env) {
  const source = wrapCommonJs(readSource(bundle));
  const name = bundle.split(sep).slice(-2).join('/');
  globalThis.rvosStartupTrace?.push([`${name} read`, performance.now()]);
  let cacheFile;
  let cached;
  try {
    cacheFile = codeCacheFile(bundle, env);
    if (cacheFile) cached = readFileSync(cacheFile);
  } catch {
    cached = undefined; // none yet
  }
  // The bundle's import() calls are __rvosImport() (scripts/build.mjs): this module's import(), which needs no
  // experimental vm option and resolves as the bundle beside it would.
  const script = new vm.Script(source, {
    filename: bundle,
    cachedData: cached,
  });
  const cache = !cacheFile ? 'off' : !cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  globalThis.rvosStartupTrace?.push([`${name} compiled (code cache: ${cache})`, performance.now()]);
  if (cacheFile) {
    // One exit hook for every bundle loaded (the CLI and the plugins it runs).
    if (loaded.length === 0) process.once('exit', writeCaches);
    loaded.push([script, cacheFile, cache === 'used']);
  }
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle), (specifier) => import(specifier));
  globalThis.rvosStartupTrace?.push([`${name} evaluated`, performance.now()]);
  return { exports: module.exports, cache };
}

/** [script, cache file, whether its cache was used] of the bundles loaded with a cache file. */
const loaded = [];
let translatorsRan = false;
globalThis.rvosTranslatorsRan = () => {
  translatorsRan = true;
};

/** At exit: the caches missing or rejected, and those a run with translators has not written yet (see the top). */
function writeCaches() {
  for (const [script, file, used] of loaded) {
    const marker = `${file}.jit`;
    if (used && (!translatorsRan || existsSync(marker))) continue;
    if (!writeCache(script, file)) continue;
    if (translatorsRan) writeMarker(marker);
    else rmSync(marker, { force: true }); // a cache rewritten (rejected) without them
  }
}

/** Whether the cache was written. */
function writeCache(script, file) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, file); // readers see the old file or the whole new one
    pruneCaches(dirname(file), file);
    return true;
  } catch {
    return false; // no cache this time
  }
}

function writeMarker(marker) {
  try {
    writeFileSync(marker, '');
  } catch {
    // Rewritten again by the next run with translators.
  }
}

/** Caches kept at most: about six installs' worth (each has one per bundle: the CLI and its ~40 plugins). */
const MAX_CACHES = 256;

/**
 * Each build (or Node upgrade) makes a new cache: the others go once a week old (one in use is only rewritten), and
 * beyond the newest MAX_CACHES, so a developer's many builds do not pile up (2,680 files here made this scan take
 * ~0.4 s at exit).
 */
function pruneCaches(dir, keep) {
  const caches = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === keep || !/^cli-[0-9a-f]+\.bin$/.test(name)) continue;
    const s = statSync(path, { throwIfNoEntry: false });
    if (s) caches.push({ path, mtimeMs: s.mtimeMs });
  }
  caches.sort((a, b) => b.mtimeMs - a.mtimeMs);
  caches.forEach(({ path, mtimeMs }, i) => {
    if (i < MAX_CACHES - 1 && Date.now() - mtimeMs <= 7 * 24 * 3600_000) return;
    rmSync(path, { force: true });
    rmSync(`${path}.jit`, { force: true }); // its marker (see the top)
  });
}

const installed = __dirname.endsWith(join('dist', 'cli'));
// The built-in plugins' CommonJS builds (dist/plugins/NAME/index.cjs) load the same way (importEntry in src/core/plugins.ts).
if (installed) globalThis.rvosLoadCommonJs = (file) => loadBundle(file).exports;
/** The CLI's exports ({ main, commands, hooks }) when this file is dist/cli/load.js beside the bundle. */
const cli = installed ? loadBundle(join(__dirname, 'rvos.bundle.js')).exports : undefined;
module.exports = { codeCacheFile, hashKey, loadBundle, readSource, wrapCommonJs, cli };
