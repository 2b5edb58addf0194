// A checkout's start-up (bin/rvos.js): its TypeScript sources, the commands and the built-in plugins, bundled by
// esbuild into dist/checkout/<id>/ and reused while none of the files that went into it changed (their mtimes
// and sizes), so a run loads a few files instead of transpiling ~350 modules through tsx's loader thread.
// Linked source maps: stack traces name the .ts files. `RVOS_CHECKOUT_BUNDLE=0` runs the sources through tsx.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleOptions } from './bundle-options.mjs';

/**
 * The bundle's folder and, for each built-in plugin, its entry (absolute .ts path) mapped to the bundled
 * file; undefined when it cannot be built.
 */
export async function checkoutBundle(root) {
  const base = join(root, 'dist', 'checkout');
  const current = readJson(join(base, 'current.json'));
  if (current && existsSync(join(base, current.id, 'main.js')) && unchanged(root, current)) return located(root, base, current);
  try {
    return located(root, base, await build(root, base, await import('esbuild')));
  } catch {
    // No esbuild (no devDependencies), a read-only checkout, or sources esbuild cannot compile: the caller runs
    // the sources through tsx, which reports any error in them as it always did.
    return undefined;
  }
}

async function build(root, base, esbuild) {
  // Stamps taken before esbuild reads the files: one edited during the build makes the next run rebuild.
  const before = new Map();
  for (const top of ['src', 'plugins']) {
    for (const f of readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })) before.set(join(top, f), fileStamp(join(root, top, f)));
  }
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const dir = join(base, id);
  const entryPoints = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /^(commands|hooks)\/.*\.ts$/.test(f) && !f.startsWith('commands/support/'))
    .map((f) => ({ in: join(root, 'src', f), out: f.replace(/\.ts$/, '') }));
  entryPoints.push({ in: join(root, 'src', 'cli', 'main.ts'), out: 'main' });
  const plugins = {};
  for (const [name, manifest] of builtinManifests(root)) {
    entryPoints.push({ in: join(root, 'plugins', name, manifest.rvos.entry), out: `plugins/${name}/index` });
    plugins[join('plugins', name, manifest.rvos.entry)] = join('plugins', name, 'index.js');
  }
  const result = await esbuild.build({
    ...bundleOptions,
    entryPoints,
    outdir: dir,
    absWorkingDir: root,
    tsconfig: join(root, 'tsconfig.json'),
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  // What the bundle depends on: its source files (dependencies through package-lock.json), the build settings,
  // the plugins' manifests, and which commands, hooks and plugins exist.
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/') && !f.startsWith('<'));
  const extra = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/bundle-options.mjs', 'scripts/checkout-bundle.mjs'];
  for (const [name] of builtinManifests(root)) extra.push(join('plugins', name, 'package.json'));
  const stamp = { id, files: Object.fromEntries([...inputs, ...extra].map((f) => [f, before.get(f) ?? fileStamp(join(root, f))])), listings: listings(root), plugins };
  const tmp = join(base, `current.json.${id}`);
  writeFileSync(tmp, JSON.stringify(stamp));
  renameSync(tmp, join(base, 'current.json'));
  prune(base, id);
  return stamp;
}

function located(root, base, stamp) {
  const dir = join(base, stamp.id);
  return { dir, plugins: Object.fromEntries(Object.entries(stamp.plugins).map(([src, out]) => [join(root, src), join(dir, out)])) };
}

function unchanged(root, stamp) {
  for (const [file, was] of Object.entries(stamp.files)) {
    const now = fileStamp(join(root, file));
    if (now === null || was === null ? now !== was : now[0] !== was[0] || now[1] !== was[1]) return false;
  }
  return JSON.stringify(listings(root)) === JSON.stringify(stamp.listings);
}

/** [mtime, size], or null for a missing file. */
function fileStamp(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? [s.mtimeMs, s.size] : null;
}

/** A new command, hook or plugin changes what the bundle must contain. */
function listings(root) {
  const list = (dir) => (existsSync(join(root, dir)) ? readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).sort() : []);
  return { commands: list('src/commands'), hooks: list('src/hooks'), plugins: readdirSync(join(root, 'plugins')).sort() };
}

function builtinManifests(root) {
  const found = [];
  for (const name of readdirSync(join(root, 'plugins')).sort()) {
    const manifest = readJson(join(root, 'plugins', name, 'package.json'));
    if (typeof manifest?.rvos?.entry === 'string') found.push([name, manifest]);
  }
  return found;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Removes earlier bundles, once no process that started with one can still be loading it (an hour on). */
function prune(base, keep) {
  for (const name of readdirSync(base)) {
    const path = join(base, name);
    if (name === keep || name === 'current.json') continue;
    const s = statSync(path, { throwIfNoEntry: false });
    if (s && Date.now() - s.mtimeMs > 3600_000) rmSync(path, { recursive: true, force: true });
  }
}
