#!/usr/bin/env node
// Compiles rvos to dist/ for the packed package:
//   dist/src, dist/plugins  tsc's JavaScript + type declarations (rvos/plugin-api, rvos/testing, the built-in
//                           plugins, each with its manifest's entry pointing at the compiled file);
//   dist/boards.json        the built-in boards' YAML parsed (src/core/yaml-file.ts);
//   dist/cli                main.js (oclif's entry), the commands and the hooks bundled by esbuild with
//                           @oclif/core into one CommonJS file run with V8's code cache (below), which is
//                           what the installed `rvos` runs: a file to load instead of ~250 (rvos' core,
//                           oclif, zod, inversify), most of it not even compiled again; dist/cli/lib/*.js
//                           the packages few runs use (yaml, semver, lilconfig, tinyglobby), one file each.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { asciiSource } from './ascii-source.mjs';
import { bundleOptions } from './bundle-options.mjs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
// The loader's wrapper (scripts/cli-loader.cjs): the CommonJS bundles it runs are written inside it already.
const { wrapCommonJs } = createRequire(import.meta.url)('./cli-loader.cjs');
const dist = join(root, 'dist');
// From scratch: tsc would leave the output of deleted sources behind.
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// The built-in boards parsed once here (dist/boards.json, src/core/yaml-file.ts): a run takes a board's data from it
// while the board's file is unchanged, instead of running the YAML parser at each start.
const { PREPARSED_BOARDS, preparseBoards } = await import(pathToFileURL(join(dist, 'src', 'core', 'yaml-file.js')).href);
const boardFiles = readdirSync(join(root, 'boards')).filter((f) => f.endsWith('.yaml')).sort();
writeFileSync(join(root, PREPARSED_BOARDS), JSON.stringify(preparseBoards(join(root, 'boards'), boardFiles)) + '\n');

// Each built-in plugin bundled from tsc's output into dist/plugins/NAME/index.js (code plugins share, such as the SD
// card slot, in dist/plugins/chunks/), which its manifest's entry names: a plugin loads as a file or two instead of
// its ~20 modules (arch-rv32's 22), as in a checkout's bundle.
const plugins = [];
for (const name of readdirSync(join(root, 'plugins')).sort()) {
  const manifest = join(root, 'plugins', name, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const emitted = join(dist, 'plugins', name, pkg.rvos.entry.replace(/\.ts$/, '.js'));
  if (!existsSync(emitted)) throw new Error(`build: ${name}: ${pkg.rvos.entry} was not emitted`);
  plugins.push({ name, pkg, emitted });
}
await build({
  ...bundleOptions,
  entryPoints: plugins.map((p) => ({ in: p.emitted, out: `${p.name}/index` })),
  outdir: join(dist, 'plugins'),
  chunkNames: 'chunks/[name]-[hash]',
});
// The same, each as one CommonJS file (dist/plugins/NAME/index.cjs, its shared code copied in), which the installed CLI
// runs through its loader with V8's code cache (scripts/cli-loader.cjs, importEntry in src/core/plugins.ts) instead of
// compiling the ES module again at every start; anything else imports the manifest's entry.
await build({
  ...bundleOptions,
  entryPoints: plugins.map((p) => ({ in: p.emitted, out: `${p.name}/index` })),
  outdir: join(dist, 'plugins'),
  splitting: false,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  banner: {},
});
for (const { name, pkg } of plugins) {
  finishCommonJs(join(dist, 'plugins', name, 'index.cjs'));
  pkg.rvos.entry = 'index.js';
  writeFileSync(join(dist, 'plugins', name, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
}
// Their manifests, read and checked as a run would, in one file (dist/plugins/manifests.json; src/core/plugins.ts): a
// start lists and reads the built-ins from it instead of from each package.json.
const { writeBuiltinManifests } = await import(pathToFileURL(join(dist, 'src', 'core', 'plugins.js')).href);
writeBuiltinManifests(join(dist, 'plugins'));

// The CLI: src/cli/main.js (oclif's entry), every command and hook, from tsc's output, with @oclif/core, yaml, zod
// and inversify, in one CommonJS file (dist/cli/rvos.bundle.js) that dist/cli/load.js (scripts/cli-loader.cjs) runs
// with V8's code cache. oclif and bin/rvos.js find modules where they look (dist/cli/main.js,
// dist/cli/commands/..., dist/cli/hooks/...): each hands out its part of the bundle's exports. All of dist/cli is
// CommonJS (its package.json says so), as bin/rvos.js is: an installed run needs no ES module loader (~10 ms of CPU
// at each start).
const parts = readdirSync(join(dist, 'src'), { recursive: true, encoding: 'utf8' })
  .filter((f) => /^(commands|hooks)\/.*\.js$/.test(f) && !f.startsWith('commands/support/'))
  .sort();
// Each command and hook as a function requiring it: esbuild evaluates a part's modules when it is first asked for, so
// a run evaluates its own command's code only (synchronously: the parts have no top-level await).
const table = (dir) =>
  `{ ${parts.filter((f) => f.startsWith(`${dir}/`)).map((f) => `${JSON.stringify(f.slice(dir.length + 1, -3))}: () => require(${JSON.stringify(join(dist, 'src', f))})`).join(', ')} }`;
// oclif requires modules when it loads that few runs use: Node's readline (a flag read from stdin), fs/promises (file
// flags' checks, TypeScript paths; with readline's interface and fs watchers behind it), child_process (a Windows
// shell's name), perf_hooks (its debug timings), lilconfig (which takes fs.promises when it loads; for a package.json
// without oclif settings) and tinyglobby with fdir and picomatch (finding commands without a manifest, which the
// package has). In the CLI bundle each becomes an object that requires the module at its first
// property read (oclif reads them only as `module.property`), so most runs never load them.
const lazyOclifRequires = {
  name: 'lazy-oclif-requires',
  setup(b) {
    b.onResolve({ filter: /^(node:readline|node:fs\/promises|node:child_process|node:perf_hooks|lilconfig|tinyglobby)$/ }, (args) =>
      args.kind === 'require-call' && /[\\/]@oclif[\\/]core[\\/]/.test(args.importer) ? { path: args.path, namespace: 'rvos-lazy', pluginData: args.resolveDir } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'rvos-lazy' }, (args) => ({
      contents: `let m;\nmodule.exports = new Proxy({}, { get: (_, key) => (m ??= require(${JSON.stringify(args.path)}))[key] });\n`,
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};
/**
 * An esbuild plugin that replaces one expression in one @oclif/core file (`file`, a path under its lib/) of the CLI
 * bundle: `from` must occur there exactly once, else the build fails naming the plugin (oclif changed the line).
 * `prelude` goes before the file's text.
 */
function patchOclif(name, file, from, to, prelude = '') {
  const filter = new RegExp(`[\\\\/]@oclif[\\\\/]core[\\\\/]lib[\\\\/]${file.split('/').map((part) => part.replace('.', '\\.')).join('[\\\\/]')}$`);
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (text.split(from).length !== 2) throw new Error(`build: ${args.path} no longer has "${from}": update the ${name} plugin`);
        return { contents: prelude + text.replace(from, to), loader: 'js' };
      });
    },
  };
}
// oclif sorts each plugin's commands with localeCompare, whose first call builds ICU's collator (15-30 ms of every
// start-up): in the CLI bundle it sorts with compareCommandIds (src/cli/command-order.ts), the same order without ICU.
const commandOrder = patchOclif(
  'oclif-command-order',
  'config/plugin.js',
  '.sort((a, b) => a.id.localeCompare(b.id))',
  '.sort((a, b) => __rvosCompareCommandIds(a.id, b.id))',
  `const { compareCommandIds: __rvosCompareCommandIds } = require(${JSON.stringify(join(dist, 'src', 'cli', 'command-order.js'))});\n`,
);
// oclif's config load asks wsl-utils whether this is WSL: that module loads child_process and fs/promises and defines
// PowerShell helpers. In the CLI bundle it asks is-wsl, which wsl-utils' isWsl is (a re-export).
const oclifIsWsl = patchOclif('oclif-is-wsl', 'util/os.js', "(await import('wsl-utils')).isWsl", "(await import('is-wsl')).default");
// oclif reads its JSON files (the manifest, package.json files, theme.json) with fs/promises, whose first call starts
// libuv's thread pool (4 threads; 3-15 ms and ~140 host page faults) that a run has no other use for (its files are
// read synchronously; a piped stdin is a socket): in the CLI bundle, readJson reads synchronously inside the same
// async function (a missing or bad file still rejects, as before).
const oclifSyncJson = patchOclif('oclif-sync-json', 'util/fs.js', "await (0, promises_1.readFile)(path, 'utf8')", "(0, node_fs_1.readFileSync)(path, 'utf8')");
// Self-contained packages a hello round trip never evaluates, each in its own CommonJS file beside the CLI's bundle
// (dist/cli/lib/NAME.js), loaded through the loader with its code cache at their first require: yaml (a board or config
// file the build has not parsed: src/core/yaml-file.ts), semver (oclif's Node version check, skipped by bin/rvos.js),
// lilconfig and tinyglobby with fdir and picomatch (oclif's, behind lazyOclifRequires above). Every start reads and
// hashes the CLI's bundle whole, evaluated or not: these were ~0.27 MB of its ~1.06 MB. Only packages that share no
// module with the rest may go there (each file has its own copy of what it bundles).
const SATELLITES = ['yaml', 'semver', 'lilconfig', 'tinyglobby'];
const satellites = {
  name: 'rvos-satellites',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${SATELLITES.join('|')})$`) }, (args) => (args.kind === 'require-call' ? { path: args.path, namespace: 'rvos-satellite' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'rvos-satellite' }, (args) => ({
      contents: `module.exports = globalThis.rvosLoadCommonJs(require('node:path').join(__dirname, 'lib', ${JSON.stringify(`${args.path}.js`)}));\n`,
      loader: 'js',
    }));
  },
};
const cli = join(dist, 'cli');
rmSync(cli, { recursive: true, force: true });
for (const name of SATELLITES) {
  await build({
    ...bundleOptions,
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});\n`, resolveDir: root, sourcefile: `rvos-${name}.js` },
    splitting: false,
    format: 'cjs',
    outfile: join(cli, 'lib', `${name}.js`),
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {},
  });
  finishCommonJs(join(cli, 'lib', `${name}.js`));
}
await build({
  ...bundleOptions,
  stdin: {
    contents: `export { main } from ${JSON.stringify(join(dist, 'src', 'cli', 'main.js'))};\nexport const commands = ${table('commands')};\nexport const hooks = ${table('hooks')};\n`,
    resolveDir: root,
    sourcefile: 'rvos-cli.js',
  },
  splitting: false,
  format: 'cjs',
  outfile: join(cli, 'rvos.bundle.js'),
  plugins: [lazyOclifRequires, satellites, commandOrder, oclifSyncJson, oclifIsWsl],
  // Less to read and hash at each start; names stay (stack traces and errors name functions and classes).
  minifyWhitespace: true,
  minifySyntax: true,
  // The sources' import.meta.url (package paths, oclif's root): the bundle's own URL.
  define: { 'import.meta.url': '__rvosBundleUrl' },
  banner: { js: "const __rvosBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
finishCommonJs(join(cli, 'rvos.bundle.js'));
writeFileSync(join(cli, 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(cli, 'load.js'), readFileSync(join(root, 'scripts', 'cli-loader.cjs')));
writeFileSync(join(cli, 'main.js'), "exports.main = require('./load.js').cli.main;\n");
for (const f of parts) {
  const [dir, ...rest] = f.split('/');
  const id = rest.join('/').slice(0, -3);
  const up = '../'.repeat(rest.length);
  mkdirSync(dirname(join(cli, f)), { recursive: true });
  writeFileSync(join(cli, f), `module.exports = require('${up}load.js').cli.${dir}[${JSON.stringify(id)}]();\n`);
}

/**
 * Rewrites `file`, a CommonJS bundle the loader runs (dist/cli/rvos.bundle.js, dist/cli/lib/*.js, the plugins'
 * index.cjs). import() inside a vm.Script needs an experimental Node option (which warns, and is lost with a code
 * cache): its import() calls (oclif loading a command, rvos a plugin) go through the loader's instead. And ASCII
 * (scripts/ascii-source.mjs): V8 then holds the source as a one-byte string, not a two-byte one; inside the loader's
 * wrapper, which it then need not add (a copy of the source at each start).
 */
function finishCommonJs(file) {
  writeFileSync(file, wrapCommonJs(asciiSource(readFileSync(file, 'utf8').replace(/(?<![\w$.])import\((?!\))/g, '__rvosImport('))));
}
