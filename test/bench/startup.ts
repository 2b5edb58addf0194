/**
 * Start-up figures for `npm run bench`: wall time of `rvos --version` and of a bare-metal hello
 * round trip (`rvos run --board virt --bios none --headless --kernel hello.elf`), run as the
 * installed package runs (the compiled dist/, built first), best of N; the round trip also from
 * the checkout (its cached bundle). Targets from issue 7: 0.3 s and 0.5 s on the project's 2-core
 * machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/cli.js';
import { qemuAvailable, runQemu } from '../helpers/qemu.js';
import type { StartupFigures } from './results.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HELLO = fileURLToPath(new URL('../../kernels/tests/build/hello.elf', import.meta.url));
/** The installed package's command, run as a user's `rvos` is (its first lines start Node with rvos' options). */
export const bin = root + 'bin/rvos.js';

/** The Node options bin/rvos.js starts the CLI with (its second line: `exec node OPTIONS "$0" "$@"`). */
export function cliNodeOptions(): string[] {
  const options = /exec node (.*?) "\$0"/.exec(readFileSync(bin, 'latin1'));
  if (!options) throw new Error(`${bin}: no "exec node ... \"$0\"" line`);
  return options[1].split(' ');
}

let built = false;
/** Builds dist/ (what the installed package runs: bin/rvos.js with RVOS_COMPILED=1) once per bench. */
export function buildInstalled(): void {
  if (built) return;
  execFileSync(process.execPath, [root + 'scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  built = true;
}

/**
 * The environment of a user's `rvos` run from the installed package: this one's, less what `npm run bench` adds for
 * its own process (GLIBC_TUNABLES, README "Benchmark"), which `rvos run` sets itself when a run needs it.
 */
export function installedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, RVOS_COMPILED: '1' };
  delete env.GLIBC_TUNABLES;
  return env;
}

async function bestWall(args: string[], runs: number, env: NodeJS.ProcessEnv = { RVOS_COMPILED: '1' }): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = await run(bin, args, { env: { ...process.env, ...env } });
    const ms = performance.now() - start;
    if (r.code !== 0) throw new Error(`rvos ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

/** The start-up figures (printed by the caller, results.ts). */
export async function benchStartup(runs = 5): Promise<StartupFigures> {
  buildInstalled();
  const version = await bestWall(['--version'], runs);
  const helloArgs = ['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', HELLO];
  const hello = await bestWall(helloArgs, runs);
  // The checkout's first run (re)builds its cached bundle when a source changed: not counted.
  await bestWall(helloArgs, 1, { RVOS_COMPILED: '0' });
  const checkout = await bestWall(helloArgs, runs, { RVOS_COMPILED: '0' });
  const figures: StartupFigures = { versionSeconds: version / 1000, helloSeconds: hello / 1000, checkoutHelloSeconds: checkout / 1000 };
  if (qemuAvailable()) {
    let qemu = Infinity;
    for (let i = 0; i < runs; i++) qemu = Math.min(qemu, (await runQemu({ kernel: HELLO })).wallMs);
    figures.qemuHelloSeconds = qemu / 1000;
  }
  return figures;
}
