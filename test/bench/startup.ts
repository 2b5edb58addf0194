/**
 * Start-up figures for `npm run bench`: wall time of `rvos --version` and of a bare-metal hello
 * round trip (`rvos run --board virt --bios none --headless --kernel hello.elf`), run as the
 * installed package runs (the compiled dist/, built first), best of N. Targets from issue 7:
 * 0.3 s and 0.5 s on the project's 2-core machine.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/cli.js';
import { qemuAvailable, runQemu } from '../helpers/qemu.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HELLO = fileURLToPath(new URL('../../kernels/tests/build/hello.elf', import.meta.url));
const bin = root + 'bin/rvos.js';

async function bestWall(args: string[], runs: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = await run(process.execPath, [bin, ...args], { env: { ...process.env, RVOS_COMPILED: '1' } });
    const ms = performance.now() - start;
    if (r.code !== 0) throw new Error(`rvos ${args.join(' ')} exited with ${r.code}: ${r.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

export async function benchStartup(runs = 5): Promise<boolean> {
  execFileSync(process.execPath, [root + 'scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  const version = await bestWall(['--version'], runs);
  const hello = await bestWall(['run', '--board', 'virt', '--bios', 'none', '--headless', '--kernel', HELLO], runs);
  const verdict = (ms: number, target: number) => `${(ms / 1000).toFixed(3)} s (target ${target} s: ${ms <= target * 1000 ? 'met' : 'missed'})`;
  console.log(`start-up: rvos --version ${verdict(version, 0.3)}`);
  let line = `start-up: hello round trip ${verdict(hello, 0.5)}`;
  if (qemuAvailable()) {
    let qemu = Infinity;
    for (let i = 0; i < runs; i++) qemu = Math.min(qemu, (await runQemu({ kernel: HELLO })).wallMs);
    line += `; QEMU ${(qemu / 1000).toFixed(3)} s`;
  }
  console.log(line);
  return version <= 300 && hello <= 500;
}
