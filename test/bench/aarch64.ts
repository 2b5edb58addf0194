/**
 * `npm run bench`'s AArch64 lines: the same compute kernel as the RISC-V bench (kernels/bench/bench.c)
 * built for AArch64 (build/bench-a64.elf, ~380 M instructions), on rvos and on QEMU's raspi3b, and
 * the rvos/QEMU time ratio. The kernel prints and exits through Arm semihosting, so it needs no
 * devices beyond the board's; both run it on raspi3b (`rvos run --board raspi3b --semihosting`, QEMU
 * `-M raspi3b -semihosting`): an ELF starts all four cores at EL3 there, and cores 1-3 park in WFI. QEMU's time is its wall time minus its start-up time
 * (empty-a64.elf); its MIPS use rvos' instruction count, as the RISC-V line does.
 */
import { fileURLToPath } from 'node:url';
import { qemuAarch64Available, runQemuRaspi3b } from '../helpers/qemu-aarch64.js';
import { runRvos } from '../helpers/rvos.js';

const benchDir = fileURLToPath(new URL('../../kernels/bench/build/', import.meta.url));
export const BENCH_A64 = benchDir + 'bench-a64.elf';
const EMPTY_A64 = benchDir + 'empty-a64.elf';

const checksumOf = (out: string) => /checksum (0x[0-9a-f]{8})/.exec(out)?.[1];
const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** One run of the AArch64 bench kernel on rvos, its semihosting output collected. */
export async function runRvosAarch64(kernel: string) {
  let semihosted = '';
  const r = await runRvos({
    kernel,
    board: 'raspi3b',
    maxInsns: 2_000_000_000,
    timeoutMs: 900_000,
    extra: { semihosting: true, semihostingOut: (bytes) => (semihosted += Buffer.from(bytes).toString('latin1')) },
  });
  return { ...r, semihosted };
}

/** Prints the AArch64 lines; returns false when something failed. */
export async function benchAarch64(opts: { runs: number; rvos: boolean; qemu: boolean }): Promise<boolean> {
  let ok = true;
  let rvos: { seconds: number; instructions: number; checksum?: string } | undefined;
  if (opts.rvos) {
    try {
      let best: Awaited<ReturnType<typeof runRvosAarch64>> | undefined;
      for (let i = 0; i < opts.runs; i++) {
        const r = await runRvosAarch64(BENCH_A64);
        if (r.exitCode !== 0) throw new Error(`bench-a64 exited with ${r.exitCode} (${r.reason}); output:\n${r.semihosted}`);
        if (!best || r.hostMs < best.hostMs) best = r;
      }
      rvos = { seconds: best!.hostMs / 1000, instructions: best!.instructions, checksum: checksumOf(best!.semihosted) };
      console.log(
        `rvos aarch64: ${rvos.instructions} guest instructions in ${fmt(rvos.seconds, 3)} s host time = ` +
          `${fmt(rvos.instructions / rvos.seconds / 1e6, 1)} MIPS (checksum ${rvos.checksum ?? '?'})`,
      );
    } catch (err) {
      ok = false;
      console.log(`rvos aarch64: failed: ${(err as Error).message}`);
    }
  }
  if (!opts.qemu) return ok;
  if (!qemuAarch64Available()) {
    console.log('qemu aarch64: qemu-system-aarch64 not installed, no comparison');
    return ok;
  }
  try {
    const minWall = async (kernel: string, n: number) => {
      let best = Infinity;
      let semihosted = '';
      for (let i = 0; i < n; i++) {
        const started = performance.now();
        const r = await runQemuRaspi3b({ kernel, timeoutMs: 300_000 });
        const ms = performance.now() - started;
        if (r.exitCode !== 0) throw new Error(`QEMU: ${kernel} exited with ${r.exitCode}\n${r.stderr}`);
        best = Math.min(best, ms);
        semihosted = r.stderr; // QEMU's semihosting console is its stderr
      }
      return { ms: best, semihosted };
    };
    const startup = await minWall(EMPTY_A64, 5);
    const bench = await minWall(BENCH_A64, Math.max(3, opts.runs));
    const qemuSeconds = Math.max(bench.ms - startup.ms, 1) / 1000;
    const qemuChecksum = checksumOf(bench.semihosted);
    console.log(
      `qemu aarch64: ${fmt(bench.ms / 1000, 3)} s wall - ${fmt(startup.ms / 1000, 3)} s start-up = ${fmt(qemuSeconds, 3)} s` +
        (rvos ? ` = ${fmt(rvos.instructions / qemuSeconds / 1e6, 1)} MIPS` : '') +
        ` (checksum ${qemuChecksum ?? '?'})`,
    );
    if (rvos?.checksum && rvos.checksum !== qemuChecksum) {
      ok = false;
      console.log(`aarch64 checksum mismatch: rvos ${rvos.checksum}, QEMU ${qemuChecksum}`);
    }
    if (rvos) console.log(`ratio aarch64: rvos/QEMU time = ${fmt(rvos.seconds / qemuSeconds, 1)}x`);
  } catch (err) {
    ok = false;
    console.log(`qemu aarch64: failed: ${(err as Error).message}`);
  }
  return ok;
}
