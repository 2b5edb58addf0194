#!/usr/bin/env sh
':' //; unset NODE_EXTRA_CA_CERTS; case "$GLIBC_TUNABLES" in *malloc.trim_threshold*) ;; *) GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.trim_threshold=33554432"; export GLIBC_TUNABLES;; esac; exec node --v8-pool-size=0 "$0" "$@"
// Run as a command, this file is a shell script first: the line above is, to sh, `:` and then Node started on
// this file with V8's worker pool at one thread per core beyond the first (Node's default is four, whatever the
// cores); to JavaScript it is a string and a comment. On the 2-core VM four workers compiling at once took the main
// thread's core: every guest run was 4-9 % slower (figures and what else was tried: docs/architecture.md, start-up).
// Node reads NODE_EXTRA_CA_CERTS' certificates as it starts, before any JavaScript (~40-70 ms for Debian's bundle on
// the development VM, a third of an installed hello round trip): rvos makes no TLS connection, nor does the one
// process it starts (bin/huge-pages.js, itself again), so the shell line drops the variable for them.
// It also gives glibc's malloc a 32 MiB trim threshold (unless GLIBC_TUNABLES names one; other C libraries ignore
// the variable): with the default 128 KiB, memory V8's compilers free (TurboFan's and Liftoff's zones, on the worker
// threads too) went back to the kernel at once and was faulted in again by the next compile, each new host page
// ~11 us on the 2-core VM (the i386 Linux boot: 23.7 K -> 15.8 K page faults, guest run 1034 -> 973 ms).
// `node bin/rvos.js` runs with Node's default pool.
// An installed rvos runs its compiled JavaScript (dist/cli, oclif bundled in). A checkout (src/ present) runs its
// sources: bundled by esbuild into dist/checkout/ (rebuilt when a source changes; scripts/checkout-bundle.mjs),
// or, with RVOS_CHECKOUT_BUNDLE=0 or without esbuild, through tsx with the package's own tsconfig. Both work
// from any folder. This file is CommonJS (bin/package.json), as dist/cli is: an installed run then starts without
// Node's ES module loader. `rvos run` on a glibc Linux host may first re-run itself with huge pages for guest RAM
// (bin/huge-pages.js).
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { pathToFileURL } = require('node:url');

// rvos' V8 flags (src/core/jit/translate.ts noOsr and src/core/jit/wasm-module.ts wasmFlagsOn say why), set
// before anything is compiled: a V8 code cache (scripts/cli-loader.cjs) holds a hash of the flags it was made under, and
// one written after a flag changed would be rejected by every next start (test/cli/v8-flags.test.ts checks both).
// Twice V8's interrupt budget (the bytecode a function runs before V8 considers optimizing it): a run's lukewarm
// JavaScript (an OS boot's device models, interpreter paths, translators) then stays longer in V8's baseline tiers
// instead of costing TurboFan compiles a short process does not pay back. Other tiering flags gained nothing
// (docs/architecture.md, start-up).
require('node:v8').setFlagsFromString('--no-use-osr');
require('node:v8').setFlagsFromString('--experimental-wasm-branch-hinting');
require('node:v8').setFlagsFromString('--interrupt-budget=135168');
require('node:v8').setFlagsFromString('--wasm-tiering-budget=115200000'); // wasm-module.ts WASM_TIERING_BUDGET
require('node:v8').setFlagsFromString('--no-wasm-stack-checks'); // wasm-module.ts wasmFlagsOn says why
require('node:v8').setFlagsFromString('--no-wasm-generic-wrapper'); // wasm-module.ts wasmFlagsOn says why

const args = process.argv.slice(2);
if (process.env.RVOS_STARTUP_TRACE) traceStartup();
if (process.env.RVOS_PARENT_PIPE) require('./huge-pages.js').followParent();
// Only a Linux `rvos run` loads huge-pages.js (which checks the rest): other commands skip reading it.
if (process.platform !== 'linux' || args[0] !== 'run' || !require('./huge-pages.js').runWithHugePages(args, run)) run();

/**
 * Loads a bundle's main.js (`load` imports or requires it). oclif checks the Node version when it loads (semver's
 * ~50 modules) against its own package.json, which a bundled oclif cannot find: that dead work is skipped
 * (package.json's engines asks for Node 20 already).
 */
async function loadBundle(load) {
  const skip = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
  if (skip) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
  try {
    return await load();
  } finally {
    if (skip) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  }
}

/** Runs the command line: answers --version itself, else hands it to oclif (bundled when it can be). */
async function run() {
  const root = join(__dirname, '..');
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
    // oclif's version line, without loading oclif (start-up time matters to scripts).
    process.stdout.write(`${pjson.name}/${pjson.version} ${process.platform}-${process.arch} node-${process.version}\n`);
  } else if (existsSync(join(root, 'src', 'commands')) && process.env.RVOS_COMPILED !== '1') {
    const bundle = process.env.RVOS_CHECKOUT_BUNDLE === '0' ? undefined : await (await import('../scripts/checkout-bundle.mjs')).checkoutBundle(root);
    if (bundle) {
      globalThis.rvosCheckout = { root, plugins: bundle.plugins };
      process.setSourceMapsEnabled(true); // stack traces name the sources
      pjson.oclif.commands.target = relative(root, join(bundle.dir, 'commands'));
      pjson.oclif.hooks.command_not_found = relative(root, join(bundle.dir, 'hooks', 'command-not-found.js'));
      const { main } = await loadBundle(() => import(pathToFileURL(join(bundle.dir, 'main.js')).href));
      await main({ root, pjson });
    } else {
      const { execute, settings } = await import('@oclif/core');
      // rvos loads its TypeScript itself (tsx below): oclif must not look for ts-node.
      settings.enableAutoTranspile = false;
      const { register } = await import('tsx/esm/api');
      register({ tsconfig: join(root, 'tsconfig.json') });
      pjson.oclif.commands.target = './src/commands';
      pjson.oclif.hooks.command_not_found = './src/hooks/command-not-found.ts';
      await execute({ dir: pathToFileURL(__filename).href, loadOptions: { root, pjson } });
    }
  } else {
    globalThis.rvosStartupTrace?.push(['bin/rvos.js: requires dist/cli/main.js', performance.now()]);
    const { main } = await loadBundle(() => require(join(root, 'dist', 'cli', 'main.js')));
    await main();
  }
}

/**
 * RVOS_STARTUP_TRACE=1: marks (src/core/startup-trace.ts) from here to the exit, printed to stderr with the time
 * since the process started, each step's share, the host page faults it took (~12 us each on the project's VM: a
 * large share of a start-up) and the process' CPU time.
 */
function traceStartup() {
  const faults = () => process.resourceUsage().minorPageFault;
  const marks = (globalThis.rvosStartupTrace = [['bin/rvos.js runs (node started)', performance.now(), faults()]]);
  // Every mark ([label, ms]) also records the page faults so far.
  marks.push = (mark) => Array.prototype.push.call(marks, [mark[0], mark[1], faults()]);
  const parentOrigin = Number(process.env.RVOS_PARENT_ORIGIN);
  if (parentOrigin) marks.unshift([`parent rvos started (this process re-run with huge pages, pid ${process.pid})`, parentOrigin - performance.timeOrigin, 0]);
  process.on('exit', () => {
    marks.push(['exit', performance.now()]);
    let last = Math.min(0, marks[0][1]);
    let lastFaults = 0;
    for (const [label, ms, total] of marks) {
      process.stderr.write(`rvos startup: ${ms.toFixed(1).padStart(7)} ms  +${(ms - last).toFixed(1).padStart(6)}  faults +${String(total - lastFaults).padStart(5)}  ${label}\n`);
      last = ms;
      lastFaults = total;
    }
    const cpu = process.cpuUsage();
    process.stderr.write(`rvos startup: CPU ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms (user ${(cpu.user / 1000).toFixed(1)}, system ${(cpu.system / 1000).toFixed(1)}), ${faults()} page faults\n`);
  });
}
